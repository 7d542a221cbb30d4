"""Liveness, readiness and Prometheus metrics of the whole installation (no models of its own)."""
