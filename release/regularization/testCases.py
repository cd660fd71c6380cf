"""Test cases of the Regularization assignment (the course's ``testCases``); see ``utils.fixtures``."""

from utils.fixtures import (
    backward_propagation_with_dropout_test_case,
    backward_propagation_with_regularization_test_case,
    compute_cost_with_regularization_test_case,
    forward_propagation_with_dropout_test_case,
)

__all__ = [
    "backward_propagation_with_dropout_test_case",
    "backward_propagation_with_regularization_test_case",
    "compute_cost_with_regularization_test_case",
    "forward_propagation_with_dropout_test_case",
]
