"""Visible tests of this assignment (the course's ``public_tests``); see ``utils.public_tests``."""

from utils.public_tests import (
    initialize_parameters_he_test,
    initialize_parameters_random_test,
    initialize_parameters_zeros_test,
)

__all__ = [
    "initialize_parameters_zeros_test",
    "initialize_parameters_random_test",
    "initialize_parameters_he_test",
]
