"""sources layer (see DESIGN section 6)."""
