"""Visible tests of this assignment (the course's ``public_tests``); see ``utils.public_tests``."""

from utils.public_tests import (
    backward_propagation_test,
    forward_propagation_test,
    gradient_check_n_test,
    gradient_check_test,
)

__all__ = [
    "forward_propagation_test",
    "backward_propagation_test",
    "gradient_check_test",
    "gradient_check_n_test",
]
