"""Parameter initialisation and gradient-descent updates (layout in :mod:`utils`)."""

import numpy as np


def initialize_parameters(layer_dims):
    """Seeded initialisation used by the Regularization model.

    ``layer_dims`` is ``[n_0, ..., n_L]``. Sets the global numpy seed to 3 (as
    the course does, so the published training runs reproduce) and returns
    ``W<l>`` = ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})`` and ``b<l>`` = zeros ``(n_l, 1)``.
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(
            layer_dims[l - 1]
        )
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent, in place; returns ``parameters``.

    ``grads`` holds ``dW<l>``/``db<l>`` with the shapes of ``W<l>``/``b<l>``.
    """
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters
