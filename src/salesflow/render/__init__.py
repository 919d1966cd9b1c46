"""render layer (see DESIGN section 6)."""
