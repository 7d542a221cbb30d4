"""REST API of the accounts app: API tokens."""
