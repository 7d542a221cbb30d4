"""Retention: footage kept as long as the rules say, held footage never deleted, storage pressure handled."""
