"""Pure, typed SIPAS statistics: counts in, results out. No web or database imports."""
