"""REST API of the retention app."""
