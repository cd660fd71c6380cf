"""Cross-entropy cost of a binary classifier."""

import numpy as np


def cross_entropy_cost(A3, Y):
    """Mean cross-entropy of predictions ``A3`` ``(1, m)`` against labels ``Y`` ``(1, m)``.

    Returns a numpy float. Course quirk kept on purpose: the sum is a
    ``np.nansum``, so ``0 * log(0)`` terms (NaN) are dropped while ``+inf``
    terms stay. That is why the large-random initialisation prints ``inf`` at
    iteration 0, and the published training logs depend on it. Callers that
    must keep stderr clean silence the ``log(0)`` warnings with ``np.errstate``.
    """
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)
