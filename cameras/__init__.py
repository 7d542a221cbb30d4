"""Cameras: configuration, encrypted credentials, live status, and the RTSP simulator."""
