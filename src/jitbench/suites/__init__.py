"""Benchmark suites jitbench runs by name, read from the packages that define them."""
