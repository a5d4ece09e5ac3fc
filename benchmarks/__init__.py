"""Scripts that print tables of measured times. `make bench` (`python -m benchmarks`) runs them
all; each also runs alone as `python -m benchmarks.<name>`."""
