"""design → ordered schedule (interleaved, seeded), adaptive rounds, sweep points."""
