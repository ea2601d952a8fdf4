"""Benchmarks, run on demand (see bench/README.md)."""
