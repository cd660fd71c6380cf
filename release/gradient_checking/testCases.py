"""Test case of the Gradient Checking assignment (the course's ``testCases``); see ``utils.fixtures``."""

from utils.fixtures import gradient_check_n_test_case

__all__ = ["gradient_check_n_test_case"]
