"""Use cases: plain functions over a Session. They flush, never commit."""
