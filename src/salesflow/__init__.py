"""salesflow: your sales process as code."""

__version__ = "0.1.0"
