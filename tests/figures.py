"""Figures that tests measure, printed at the end of the run just above pytest's final line.

A test calls :func:`record` with its ``request.config`` and one line, e.g. how many gradings the
same-score test compared; :func:`pytest_terminal_summary` (registered by ``tests/conftest.py``)
prints the lines in the order they were recorded.
"""

import pytest

FIGURES = pytest.StashKey[list]()


def record(config, line):
    """Keep ``line`` for the end of the run."""
    config.stash.setdefault(FIGURES, []).append(line)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, config):
    try:
        return (yield)
    finally:
        for line in config.stash.get(FIGURES, []):
            terminalreporter.write_line(line)
