"""Benchmarks, each a script: python bench/NAME.py --help."""
