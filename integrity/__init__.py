"""Integrity: signed daily hash chains of the segments, verification, and disk ↔ index reconciliation."""
