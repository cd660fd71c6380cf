"""Provisional: the in-kernel hidden tests for nbgrader (replaced by the real bridge)."""


def hidden_tests(name, namespace):
    return None
