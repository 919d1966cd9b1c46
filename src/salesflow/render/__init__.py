"""The onboarding handbook: jinja2 templates rendered in a sandbox."""
