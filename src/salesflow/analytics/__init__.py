"""Funnel metrics (SQL in DuckDB) and the forecast (numpy), over the canonical model."""
