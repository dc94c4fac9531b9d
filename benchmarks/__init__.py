"""Speed benchmarks (`make bench`): targets are reported here, never asserted in timed tests."""
