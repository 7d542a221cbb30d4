"""Helpers shared by the tests: waiting with deadlines, TCP proxies, worker processes."""
