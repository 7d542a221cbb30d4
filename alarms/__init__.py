"""Alarms: open conditions that need a person's attention (storage, integrity, missing footage)."""
