"""Speed figures, run by `make bench` (`python -m benchmarks`); not part of the tests.

Each `bench_*.py` module here has a `main()` that prints its figures. Benchmarks print, they do
not assert: the machine may be busy, and a figure is read by a person against its target.
"""
