"""The course's 3-layer network: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

Shapes: ``X`` is ``(n_0, m)``; ``W1`` ``(n_1, n_0)``, ``W2`` ``(n_2, n_1)``,
``W3`` ``(1, n_2)``; every ``b<l>`` is ``(n_l, 1)``; ``A3`` is ``(1, m)``.

The cache is the 12-tuple ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``,
the order every notebook of the course unpacks.
"""

import numpy as np

from utils.activations import relu, sigmoid

#: Gradient keys of the backward pass, in the order the course builds them.
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


def forward_three_layer(X, parameters):
    """Forward pass. Returns ``(A3, cache)`` with ``A3`` of shape ``(1, m)``."""
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def backward_three_layer(X, Y, cache, *, average_first=False, lower_case=False):
    """Backward pass of the cross-entropy cost through the 3-layer network.

    ``X`` is ``(n_0, m)``, ``Y`` is ``(1, m)``, ``cache`` is the 12-tuple of
    :func:`forward_three_layer`. Returns a dict with the keys of
    :data:`GRADIENT_KEYS`; every ``dW<l>``/``db<l>`` has the shape of ``W<l>``/``b<l>``.

    The two assignments place the ``1/m`` differently, which changes the last
    bits of every gradient (and so the published training logs):

    - ``average_first=False`` (Regularization): ``dZ3 = A3 - Y`` and each
      ``dW``/``db`` is multiplied by ``1/m``;
    - ``average_first=True`` (Initialization): ``dZ3 = (A3 - Y) / m`` and the
      ``dW``/``db`` sums carry no further ``1/m``.

    ``lower_case=True`` returns the Initialization key spelling (``dz3``,
    ``da2``, ...); the ``dW``/``db`` keys keep their case either way.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    scale, dZ3 = (1.0, 1.0 / m * (A3 - Y)) if average_first else (1.0 / m, A3 - Y)

    dW3 = scale * np.dot(dZ3, A2.T)
    db3 = scale * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = scale * np.dot(dZ2, A1.T)
    db2 = scale * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = scale * np.dot(dZ1, X.T)
    db1 = scale * np.sum(dZ1, axis=1, keepdims=True)

    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    keys = [_lower(k) if lower_case else k for k in GRADIENT_KEYS]
    return dict(zip(keys, values, strict=True))


def _lower(key):
    """``dZ3`` -> ``dz3``, ``dA2`` -> ``da2``; ``dW``/``db`` keys unchanged."""
    return key if key[1] in "Wb" else key.lower()
