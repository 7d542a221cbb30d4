"""Signals cameras sends to the apps above it, which connect to them in their AppConfig.ready.

Cameras sits below recordings, alarms, retention and integrity and imports none of them: what those
apps must do when a camera changes, they do in their receivers.
"""

from django.dispatch import Signal

# A camera was taken out of service for good (sent inside the decommissioning transaction, with the
# camera's row locked): kwargs camera, at.
camera_decommissioned = Signal()
