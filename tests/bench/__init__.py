"""Tests of the benchmarks' helpers."""
