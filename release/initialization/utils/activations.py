"""Element-wise activations. Inputs and outputs are arrays of any shape."""

import numpy as np


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise; same shape as ``x``."""
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Rectified linear unit ``max(0, x)``, element-wise; same shape as ``x``."""
    return np.maximum(0, x)
