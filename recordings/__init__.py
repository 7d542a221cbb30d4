"""Recordings: segments and gaps on disk and in the index, and the capture that makes them."""
