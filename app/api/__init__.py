"""JSON API routers (thin: parse, call a service, return a schema)."""
