"""Capture: recording RTSP cameras into indexed segments, one supervisor per camera."""
