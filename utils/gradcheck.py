"""Flatten parameter and gradient dicts to column vectors and back.

A vector ``theta`` has shape ``(n, 1)`` where ``n`` is the total number of
parameters; it stacks ``W1, b1, W2, b2, ..., WL, bL`` in that order, each
flattened row by row. Slices are derived from the layer sizes, never typed in.
"""

import functools
import math

import numpy as np

#: Layer sizes of the Gradient Checking network: 4 inputs, 5 and 3 hidden units, 1 output.
GC_LAYER_DIMS = (4, 5, 3, 1)


def parameter_shapes(layer_dims=GC_LAYER_DIMS):
    """``[(name, shape), ...]`` for ``W1, b1, ..., WL, bL`` of a network with these sizes."""
    shapes = []
    for l in range(1, len(layer_dims)):
        shapes.append(("W" + str(l), (layer_dims[l], layer_dims[l - 1])))
        shapes.append(("b" + str(l), (layer_dims[l], 1)))
    return shapes


def _stack(arrays, names):
    columns, keys = [], []
    for name, array in zip(names, arrays, strict=True):
        column = np.reshape(array, (-1, 1))
        columns.append(column)
        keys.extend([name] * column.shape[0])
    return np.concatenate(columns, axis=0), keys


def _names(mapping, prefix=""):
    layers = sum(1 for key in mapping if key.startswith(prefix + "W"))
    return [prefix + kind + str(l) for l in range(1, layers + 1) for kind in ("W", "b")]


def dictionary_to_vector(parameters):
    """Stack ``parameters`` (``W1, b1, ...``) into ``theta`` ``(n, 1)``.

    Returns ``(theta, keys)`` where ``keys[i]`` names the parameter that
    element ``i`` came from.
    """
    names = _names(parameters)
    return _stack([parameters[name] for name in names], names)


@functools.lru_cache(maxsize=64)
def _slices(layer_dims):
    """``([(name, slice, shape), ...], parameter count)`` for a tuple of layer sizes."""
    slices, start = [], 0
    for name, shape in parameter_shapes(layer_dims):
        stop = start + math.prod(shape)
        slices.append((name, slice(start, stop), shape))
        start = stop
    return slices, start


def vector_to_dictionary(theta, layer_dims=GC_LAYER_DIMS):
    """Inverse of :func:`dictionary_to_vector` for a network with ``layer_dims``.

    ``theta`` has shape ``(n, 1)`` (or ``(n,)``) with ``n`` the parameter count.
    """
    slices, expected = _slices(tuple(int(n) for n in layer_dims))
    theta = np.asarray(theta)
    if theta.size != expected:
        raise ValueError(
            f"theta has {theta.size} elements; a network with layer sizes "
            f"{list(layer_dims)} has {expected} parameters"
        )
    return {name: theta[where].reshape(shape) for name, where, shape in slices}


def gradients_to_vector(gradients):
    """Stack ``dW1, db1, ...`` of ``gradients`` into a column ``(n, 1)``."""
    names = _names(gradients, prefix="d")
    return _stack([gradients[name] for name in names], names)[0]
