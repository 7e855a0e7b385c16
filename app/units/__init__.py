"""The administrative tree: agencies and their counters, the closure table,
and the CSV imports of units and counters."""
