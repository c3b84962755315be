"""jitbench: trustworthy A/B benchmarking for JIT and runtime engineers."""

__version__ = "0.1.0"
