"""Simulated RTSP cameras: GStreamer RTSP server processes (per camera or shared) and their control."""
