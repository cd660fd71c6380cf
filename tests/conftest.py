"""Hooks of every test run: at the end, what this machine could not test (see
:mod:`tests.capabilities`)."""

from tests.capabilities import pytest_terminal_summary  # noqa: F401 (pytest finds its hooks here)
