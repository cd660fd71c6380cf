"""Helpers of the Gradient Checking assignment (the course's ``gc_utils``).

A thin face over the kit's ``utils`` package. Parameter vectors are columns
``(n, 1)`` stacking ``W1, b1, W2, b2, W3, b3``.
"""

from utils.activations import relu, sigmoid
from utils.gradcheck import dictionary_to_vector, gradients_to_vector, vector_to_dictionary
from utils.network import forward_three_layer

__all__ = [
    "dictionary_to_vector", "forward_three_layer", "gradients_to_vector", "relu", "sigmoid",
    "vector_to_dictionary",
]
