"""REST API of the alarms app."""
