"""Grade the Week 1 notebooks function by function, student code in a sandbox.

The pipeline, one module per step: :mod:`extract` (find graded functions) ->
:mod:`sandbox` (run student code in a worker process) -> :mod:`checks` (compare
with the reference, in the grader) -> :mod:`feedback` (categories and hints) ->
:mod:`result` (the JSON result). :mod:`cli` is a thin layer over it.
"""

__version__ = "0.1.0"
