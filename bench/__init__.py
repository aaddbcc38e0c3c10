"""Benchmarks for Cunban: throwaway databases, a real gunicorn, loopback load only.

A package (rather than loose scripts) so that `bench.bench_settings` and `bench.bench_urls`
can be named as a settings module and a URLconf once the repository root is on PYTHONPATH.
See bench/README.md for how to run the benchmarks and read their figures.
"""
