"""Uptime reports (recorded time, gaps, incidents) and the public register of cameras."""
