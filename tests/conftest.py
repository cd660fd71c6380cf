"""Hooks of every test run: at the end, what this machine could not test (see
:mod:`tests.capabilities`) and the figures tests measured (:mod:`tests.figures`)."""

from tests import figures
from tests.capabilities import pytest_terminal_summary  # noqa: F401 (pytest finds its hooks here)


def pytest_configure(config):
    config.pluginmanager.register(figures, "kit-figures")
