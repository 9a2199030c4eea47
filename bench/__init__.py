"""National-scale benchmark of TNE (``make bench``, see docs/benchmarks.md)."""
