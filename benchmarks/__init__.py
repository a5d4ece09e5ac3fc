"""Timing scripts for the course's support code; each runs as ``python -m benchmarks.<name>``."""
