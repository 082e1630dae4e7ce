"""Benchmarks of the refresh pipeline against the offline sandbox (see bench/README.md)."""
