"""Semantic diff of process versions: git access (safe subprocess calls) and the pure comparison."""
