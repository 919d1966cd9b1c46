"""Deal data that lives in a database or a warehouse: the canonical tables as CTEs over it, the
metrics' aggregates transpiled to its dialect and run there, and only their results fetched."""
