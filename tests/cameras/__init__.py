"""Tests of cameras."""
