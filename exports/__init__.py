"""Exports of recorded footage: a database row per export, run by Celery, and signed evidence packages."""
