"""REST API of the eldership app."""
