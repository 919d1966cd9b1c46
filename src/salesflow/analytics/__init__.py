"""analytics layer (see DESIGN section 6)."""
