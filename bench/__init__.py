"""Benchmarks of the quiz bot against the local fake Bot API server (`python -m bench`)."""
