"""Helpers of the Initialization assignment (the course's ``init_utils``).

A thin face over the kit's ``utils`` package: every helper is defined there
once. Layout: ``X`` is ``(n_features, m)``, labels ``(1, m)``.
"""

from functools import partial

from utils.activations import relu, sigmoid
from utils.costs import cross_entropy_cost as compute_loss
from utils.datasets import load_circles as load_dataset
from utils.network import backward_three_layer
from utils.network import forward_three_layer as forward_propagation
from utils.params import update_parameters
from utils.plotting import plot_costs, plot_dataset, plot_decision_boundary
from utils.predict import accuracy, predict, predict_dec

#: Backward pass with the ``1/m`` applied to ``dz3`` and lower-case keys, as in the course.
backward_propagation = partial(backward_three_layer, average_first=True, lower_case=True)

__all__ = [
    "accuracy", "backward_propagation", "compute_loss", "forward_propagation", "load_dataset",
    "plot_costs", "plot_dataset", "plot_decision_boundary", "predict", "predict_dec", "relu",
    "sigmoid", "update_parameters",
]
