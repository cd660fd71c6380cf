"""The two datasets of the assignments (layout in :mod:`utils`).

- ``load_circles``: the Initialization dataset, two noisy concentric circles
  drawn by scikit-learn with the course's global seeds.
- ``load_2D_dataset``: the Regularization dataset, read from a MATLAB-format
  file with the keys ``X`` ``(m, 2)``, ``y`` ``(m, 1)``, ``Xval`` ``(m_val, 2)``,
  ``yval`` ``(m_val, 1)``. The kit ships its own generated file (see
  :func:`make_field_dataset`); the course's original file, when you have it,
  loads the same way.
"""

import io
from pathlib import Path

import numpy as np

# scikit-learn and scipy.io are imported inside the functions that use them: importing
# them costs more than a second and most importers of this module (the notebooks'
# face modules, the grader's workers) never load a dataset.

MAT_KEYS = ("X", "y", "Xval", "yval")


class DatasetError(ValueError):
    """A dataset file exists but does not hold what the loader expects."""


def load_circles():
    """Train and test sets of the Initialization assignment.

    Returns ``train_X`` ``(2, 300)``, ``train_Y`` ``(1, 300)``, ``test_X``
    ``(2, 100)``, ``test_Y`` ``(1, 100)``; labels are int64 0/1. Course quirk:
    ``make_circles`` is called without ``random_state``, so it draws from the
    global numpy RNG, seeded with 1 before the train set and 2 before the test
    set. Keep both seeds here, or the published training runs change.
    """
    import sklearn.datasets

    np.random.seed(1)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=0.05)
    return (
        train_X.T,
        train_Y.reshape((1, train_Y.shape[0])),
        test_X.T,
        test_Y.reshape((1, test_Y.shape[0])),
    )


def load_2D_dataset(path):
    """Read a 2-D classification dataset from the MATLAB file at ``path``.

    Returns ``train_X`` ``(2, m)``, ``train_Y`` ``(1, m)``, ``test_X``
    ``(2, m_val)``, ``test_Y`` ``(1, m_val)`` (the file's arrays transposed).
    Raises ``FileNotFoundError`` when the file is missing and
    :class:`DatasetError` when it is not a MATLAB file with the four keys and
    consistent shapes; both name the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"dataset file {path} not found: expected a MATLAB .mat file with the keys "
            f"{', '.join(MAT_KEYS)}"
        )
    import scipy.io

    try:
        data = scipy.io.loadmat(path)
    except Exception as error:  # scipy raises several types for a bad file
        raise DatasetError(
            f"{path} is not a readable MATLAB .mat file ({error.__class__.__name__}: {error})"
        ) from error
    missing = [key for key in MAT_KEYS if key not in data]
    if missing:
        raise DatasetError(
            f"{path} lacks the key(s) {', '.join(missing)}: expected {', '.join(MAT_KEYS)}"
        )
    X, y, Xval, yval = (np.asarray(data[key]) for key in MAT_KEYS)
    for name, points, labels in (("X/y", X, y), ("Xval/yval", Xval, yval)):
        if points.ndim != 2 or points.shape[1] != 2 or labels.shape != (points.shape[0], 1):
            raise DatasetError(
                f"{path}: {name} have shapes {points.shape} and {labels.shape}; "
                "expected (m, 2) points and (m, 1) labels"
            )
    return X.T, y.T, Xval.T, yval.T


# --- The kit's own Regularization dataset ------------------------------------------------------

#: Seed of the shipped field dataset. Chosen by trying seeds until the notebook's three training
#: runs told the assignment's story (the plain network overfits; L2 and dropout each raise the
#: test accuracy); any seed gives a dataset of the same kind.
FIELD_SEED = 9

#: Corners ``(x1, x2)`` of the pitch the points are drawn from.
FIELD_LOW = (-0.6, -0.66)
FIELD_HIGH = (0.3, 0.57)

#: Number of training and test points.
FIELD_SIZES = (211, 200)

#: Shape of the frontier and noise of the labels (see :func:`make_field_dataset`).
FIELD_WAVE = {"amplitude": 0.18, "frequency": 7.0, "phase": 0.5}
FIELD_NUDGE = 0.08
FIELD_STRAY = 0.03

#: Text of the 116-byte description field that opens the shipped MATLAB file.
FIELD_HEADER = b"MATLAB 5.0 MAT-file, field dataset of the course kit, utils.datasets"


def field_frontier(x1):
    """Height ``x2`` of the curved frontier between the two zones at ``x1`` (any array shape)."""
    return FIELD_WAVE["amplitude"] * np.sin(FIELD_WAVE["frequency"] * np.asarray(x1)
                                            + FIELD_WAVE["phase"])


def _draw_field(rng, m):
    """``m`` points ``(m, 2)`` and their labels ``(m, 1)`` uint8, drawn from ``rng``."""
    X = rng.uniform(FIELD_LOW, FIELD_HIGH, size=(m, 2))
    # Noise near the frontier: each point is labelled by the side of the frontier it would be
    # on after a random vertical nudge, so points close to the curve often get either label.
    nudged = X[:, 1] + FIELD_NUDGE * rng.standard_normal(m)
    y = nudged > field_frontier(X[:, 0])
    # A few strays anywhere: flip each label with a small probability.
    y ^= rng.random(m) < FIELD_STRAY
    return X, y.astype(np.uint8).reshape(m, 1)


def make_field_dataset(seed=FIELD_SEED):
    """The kit's Regularization dataset: ``X, y, Xval, yval`` in the MATLAB-file layout.

    Returns ``X`` ``(211, 2)`` float64, ``y`` ``(211, 1)`` uint8, ``Xval``
    ``(200, 2)`` float64 and ``yval`` ``(200, 1)`` uint8 (load them with
    :func:`load_2D_dataset` after :func:`write_field_dataset`, or transpose).

    Points are uniform on the box ``FIELD_LOW`` .. ``FIELD_HIGH``. Label 1
    means "above" the wavy frontier :func:`field_frontier`, label 0 below;
    labels are noisy near the frontier (a Gaussian nudge of ``FIELD_NUDGE``)
    and a fraction ``FIELD_STRAY`` of them is flipped anywhere. The training
    set is drawn first, then the test set, from ``np.random.default_rng(seed)``;
    the global numpy RNG is not touched.
    """
    rng = np.random.default_rng(seed)
    X, y = _draw_field(rng, FIELD_SIZES[0])
    Xval, yval = _draw_field(rng, FIELD_SIZES[1])
    return X, y, Xval, yval


def write_field_dataset(path, seed=FIELD_SEED):
    """Write :func:`make_field_dataset` to the MATLAB file ``path``, byte for byte reproducibly.

    ``scipy.io.savemat`` opens the file with a 116-byte text field holding the
    platform and the current time ("Created on: ..."), so two runs would give
    different bytes. It has no option to change that text, so the file is built
    in memory and the field is overwritten with the fixed :data:`FIELD_HEADER`
    (padded with spaces, as MATLAB does); ``loadmat`` reports it as
    ``__header__``. The rest of the file (uncompressed, little-endian on every
    usual platform) depends only on the arrays.
    """
    arrays = dict(zip(MAT_KEYS, make_field_dataset(seed), strict=True))
    buffer = io.BytesIO()
    import scipy.io

    scipy.io.savemat(buffer, arrays)
    data = bytearray(buffer.getvalue())
    data[:116] = FIELD_HEADER.ljust(116, b" ")
    Path(path).write_bytes(bytes(data))
