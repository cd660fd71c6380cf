"""Visible tests of this assignment (the course's ``public_tests``); see ``utils.public_tests``."""

from utils.public_tests import (
    backward_propagation_with_dropout_test,
    backward_propagation_with_regularization_test,
    compute_cost_with_regularization_test,
    forward_propagation_with_dropout_test,
)

__all__ = [
    "compute_cost_with_regularization_test",
    "backward_propagation_with_regularization_test",
    "forward_propagation_with_dropout_test",
    "backward_propagation_with_dropout_test",
]
