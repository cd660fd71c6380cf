"""Benchmarks of the kit: ``python -m bench`` grades a generated class and compares with nbgrader.

:mod:`bench.sandbox_latency` is the per-job micro-benchmark of the sandbox.
"""
