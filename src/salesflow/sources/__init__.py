"""Deal data: read CSV, Parquet or DuckDB files with DuckDB into the canonical model."""
