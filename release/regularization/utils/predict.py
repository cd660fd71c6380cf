"""Predictions of the 3-layer network (layout in :mod:`utils`)."""

import numpy as np

from utils.network import forward_three_layer


def predict(X, y, parameters):
    """Class predictions ``(1, m)`` of dtype int64 for ``X`` ``(n_0, m)``.

    ``y`` ``(1, m)`` is accepted for the course's signature; use
    :func:`accuracy` to score the predictions against it.
    """
    a3, _ = forward_three_layer(X, parameters)
    return (a3 > 0.5).astype(np.int64)


def accuracy(predictions, y):
    """Fraction of columns where ``predictions`` ``(1, m)`` equals ``y`` ``(1, m)``; a float."""
    return float(np.mean(predictions[0, :] == y[0, :]))


def predict_dec(parameters, X):
    """Boolean decisions ``a3 > 0.5`` of shape ``(1, m)``, for decision-boundary plots."""
    a3, _ = forward_three_layer(X, parameters)
    return a3 > 0.5
