"""Signals of the exports app."""

from django.dispatch import Signal

# Sent with export=<Export> when an export becomes READY or FAILED (after its transaction commits).
export_finished = Signal()
