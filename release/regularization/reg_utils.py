"""Helpers of the Regularization assignment (the course's ``reg_utils``).

A thin face over the kit's ``utils`` package: every helper is defined there
once. Layout: ``X`` is ``(n_features, m)``, labels ``(1, m)``.
"""

from pathlib import Path

from utils import datasets
from utils.activations import relu, sigmoid
from utils.costs import cross_entropy_cost as compute_cost
from utils.network import backward_three_layer as backward_propagation
from utils.network import forward_three_layer as forward_propagation
from utils.params import initialize_parameters, update_parameters
from utils.plotting import plot_costs, plot_dataset, plot_decision_boundary
from utils.predict import accuracy, predict, predict_dec

#: The kit's generated field dataset, shipped next to this module.
DATA_FILE = Path(__file__).with_name("datasets") / "field.mat"


def load_2D_dataset(path=DATA_FILE):
    """``train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200)`` from ``path``.

    ``path`` defaults to the kit's own dataset; pass the course's original
    ``data.mat`` to use that one instead.
    """
    return datasets.load_2D_dataset(path)


__all__ = [
    "accuracy", "backward_propagation", "compute_cost", "forward_propagation",
    "initialize_parameters", "load_2D_dataset", "plot_costs", "plot_dataset",
    "plot_decision_boundary", "predict", "predict_dec", "relu", "sigmoid", "update_parameters",
]
