"""diff layer (see DESIGN section 6)."""
