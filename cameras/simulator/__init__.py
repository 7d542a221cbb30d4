"""Simulated RTSP cameras: a GStreamer RTSP server process per camera (or shared) and its venv-side control."""
