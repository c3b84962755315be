"""Profiles of measured values: perf sampling, JIT symbols, shares, A/B differences, code diffs."""
