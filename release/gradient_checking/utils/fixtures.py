"""The published test cases of the course, reproduced.

Every generator seeds the global numpy RNG with 1 and draws its arrays in the
course's order, so the visible tests and the published expected outputs match.
Layout as in :mod:`utils`; ``parameters`` use the 3-layer network
``W1 (2, 3), W2 (3, 2), W3 (1, 3)`` unless stated otherwise.
"""

import numpy as np

from utils.network import forward_three_layer

Y_ASSESS = (1, 1, 0, 1, 0)


def _draw_parameters(layer_dims):
    """Draw ``W<l>`` ``randn(n_l, n_{l-1})`` then ``b<l>`` ``randn(n_l, 1)`` in layer order."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters["b" + str(l)] = np.random.randn(layer_dims[l], 1)
    return parameters


def compute_cost_with_regularization_test_case():
    """Returns ``(a3 (1, 5), Y_assess (1, 5), parameters)``; ``a3`` is the course's literal."""
    np.random.seed(1)
    Y_assess = np.array([Y_ASSESS])
    parameters = _draw_parameters((3, 2, 3, 1))
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return a3, Y_assess, parameters


def forward_propagation_with_dropout_test_case():
    """Returns ``(X_assess (3, 5), parameters)``."""
    np.random.seed(1)
    X_assess = np.random.randn(3, 5)
    parameters = _draw_parameters((3, 2, 3, 1))
    return X_assess, parameters


def backward_propagation_with_regularization_test_case():
    """Returns ``(X_assess (3, 5), Y_assess (1, 5), cache)``.

    The cache is the 12-tuple of a plain forward pass on ``X_assess`` with the
    parameters drawn right after it, rounded to 8 decimals as the course
    printed it into its fixture file.
    """
    X_assess, parameters = forward_propagation_with_dropout_test_case()
    Y_assess = np.array([Y_ASSESS])
    _, cache = forward_three_layer(X_assess, parameters)
    return X_assess, Y_assess, tuple(np.round(value, 8) for value in cache)


def backward_propagation_with_dropout_test_case():
    """Returns ``(X_assess (3, 5), Y_assess (1, 5), cache)`` with the 14-tuple dropout cache.

    Course quirk kept on purpose: the cache is a literal, produced by the
    dropout forward pass with ``keep_prob = 0.5`` (the function's default),
    while the published test calls the backward pass with ``keep_prob = 0.8``.
    Regenerating it with 0.8 would change the published expected output.
    """
    X_assess, _ = forward_propagation_with_dropout_test_case()
    Y_assess = np.array([Y_ASSESS])
    cache = tuple(np.array(value) for value in _DROPOUT_CACHE)
    return X_assess, Y_assess, cache


def gradient_check_n_test_case():
    """Returns ``(x (4, 3), y (3,), parameters)`` for the 4-5-3-1 network (47 parameters).

    Course quirk kept: ``y`` is 1-D and broadcasts against ``A3`` ``(1, 3)``.
    """
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    parameters = _draw_parameters((4, 5, 3, 1))
    return x, y, parameters


# (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3), 8 decimals.
_DROPOUT_CACHE = (
    [[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
     [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]],
    [[True, False, True, True, True], [True, True, True, True, False]],
    [[0.0, 0.0, 4.27989081, 5.21401307, 0.0], [0.0, 8.32019881, 1.58102041, 2.92987024, 0.0]],
    [[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]],
    [[1.14472371], [0.90159072]],
    [[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
     [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
     [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]],
    [[True, False, True, False, True], [False, True, False, True, True],
     [False, False, True, False, False]],
    [[1.06071093, 0.0, 8.21049603, 0.0, 1.06071093], [0.0, 0.0, 0.0, 0.0, 0.0],
     [0.0, 0.0, 0.0, 0.0, 0.0]],
    [[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]],
    [[0.53035547], [-0.69166075], [-0.39675353]],
    [[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]],
    [[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]],
    [[-0.6871727, -0.84520564, -0.67124613]],
    [[-0.0126646]],
)
