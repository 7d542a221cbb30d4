"""REST API of the recordings app."""
