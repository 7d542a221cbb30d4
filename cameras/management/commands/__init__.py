"""Management commands of the cameras app."""
