"""Composes the statistics into comparisons of an experiment."""
