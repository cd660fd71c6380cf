"""Does the Regularization notebook reproduce the course's published figures?

The instructor's solutions and the given ``model`` are loaded from
``source/regularization/Regularization.ipynb``. Every expected number below is
a published output of the course (its visible tests and its training log),
unless a comment says it comes from the kit's own dataset.
"""

import contextlib
import hashlib
import io
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests import capabilities
from tests.notebook_code import ROOT, load_notebook_functions
from utils import fixtures

matplotlib.use("Agg")

NOTEBOOK = ROOT / "source" / "regularization" / "Regularization.ipynb"
ORIGINAL_DATA = ROOT.parent / "shared" / "datasets" / "data.mat"
ORIGINAL_SHA256 = "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231"

PRINTED = {"rtol": 0.0, "atol": 5e-9}  # published with 8 decimals

RUNS = {
    "no regularization": {},
    "L2": {"lambd": 0.7},
    "dropout": {"keep_prob": 0.86, "learning_rate": 0.3},
}


@pytest.fixture(scope="module")
def nb():
    return load_notebook_functions(NOTEBOOK)


def assert_gradients(got, expected):
    assert set(got) == set(expected), "the gradients dict has the wrong keys"
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, **PRINTED, err_msg=key)


# --- Published unit-test figures --------------------------------------------------------------


def test_regularized_cost_reproduces_the_published_value_to_the_last_digit(nb):
    A3, Y, parameters = fixtures.compute_cost_with_regularization_test_case()
    cost = nb["compute_cost_with_regularization"](A3, Y, parameters, lambd=0.1)
    # published: cost = 1.7864859451590758
    assert repr(float(cost)) == "1.7864859451590758"
    assert isinstance(cost, np.floating)


def test_l2_backward_pass_reproduces_the_published_gradients(nb):
    X, Y, cache = fixtures.backward_propagation_with_regularization_test_case()
    grads = nb["backward_propagation_with_regularization"](X, Y, cache, lambd=0.7)
    dA2 = [[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
           [0.50135568, 0.83143484, -0.14134288, 0.7596868, -0.34384996],
           [0.39816708, 0.66030962, -0.11225181, 0.6033287, -0.27307905]]
    # published (lambd = 0.7)
    assert_gradients(grads, {
        "dZ3": [[-0.59317598, -0.98370716, 0.16722898, -0.89881889, 0.40682402]],
        "dW3": [[-1.77691347, -0.11832879, -0.09397446]],
        "db3": [[-0.38032981]],
        "dA2": dA2,
        "dZ2": [dA2[0], [0.0] * 5, [0.0] * 5],
        "dW2": [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                [-0.13100772, -0.03750433]],
        "db2": [[0.26135226], [0.0], [0.0]],
        "dA1": [[0.2048239, 0.33967447, -0.05774423, 0.31036252, -0.14047649],
                [0.3672018, 0.60895764, -0.10352203, 0.5564081, -0.25184181]],
        "dZ1": [[0.0, 0.33967447, -0.05774423, 0.31036252, 0.0],
                [0.0, 0.60895764, -0.10352203, 0.5564081, 0.0]],
        "dW1": [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]],
        "db1": [[0.11845855], [0.21236874]],
    })


def test_dropout_forward_pass_reproduces_the_published_output_and_cache(nb):
    X, parameters = fixtures.forward_propagation_with_dropout_test_case()
    A3, cache = nb["forward_propagation_with_dropout"](X, parameters, keep_prob=0.7)
    assert len(cache) == 14
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3_cached, W3, b3 = cache
    # published (keep_prob = 0.7)
    np.testing.assert_allclose(
        A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], **PRINTED
    )
    assert A3_cached is A3
    np.testing.assert_array_equal(D1.astype(bool), [[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    np.testing.assert_array_equal(
        D2.astype(bool), [[1, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]]
    )
    np.testing.assert_allclose(
        A1, [[0, 0, 3.05706487, 3.72429505, 0], [0, 5.94299915, 1.1293003, 2.09276446, 0]],
        **PRINTED,
    )
    np.testing.assert_allclose(
        Z2,
        [[0.53035547, 5.88414161, 3.08385015, 4.28707196, 0.53035547],
         [-0.69166075, -1.42199726, -2.92064114, -3.49524533, -0.69166075],
         [-0.39675353, -1.98881216, -3.55998747, -4.44246165, -0.39675353]],
        **PRINTED,
    )
    np.testing.assert_allclose(
        A2, [[0.75765067, 8.40591658, 4.40550021, 0, 0.75765067], [0] * 5, [0] * 5], **PRINTED
    )
    np.testing.assert_allclose(
        Z3, [[-0.53330145, -5.78898099, -3.04000407, -0.0126646, -0.53330145]], **PRINTED
    )


def test_dropout_backward_pass_reproduces_the_published_gradients(nb):
    X, Y, cache = fixtures.backward_propagation_with_dropout_test_case()
    grads = nb["backward_propagation_with_dropout"](X, Y, cache, keep_prob=0.8)
    dA2 = [[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
           [0.0, 0.53159854, 0.0, 0.53159854, -0.34089673],
           [0.0, 0.0, -0.00292733, 0.0, 0.0]]
    # published (keep_prob = 0.8, on the literal fixture)
    assert_gradients(grads, {
        "dZ3": [[-0.67733606, -0.50316611, 0.00348883, -0.50316611, 0.32266394]],
        "dW3": [[-0.06951191, 0.0, 0.0]],
        "db3": [[-0.2715031]],
        "dA2": dA2,
        "dZ2": [dA2[0], [0.0] * 5, [0.0] * 5],
        "dW2": [[-0.00256518, -0.0009476], [0.0, 0.0], [0.0, 0.0]],
        "db2": [[0.06033089], [0.0], [0.0]],
        "dA1": [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                [0.65515713, 0.0, -0.00337459, 0.0, 0.0]],
        "dZ1": [[0.0, 0.0, -0.00188233, 0.0, 0.0], [0.0, 0.0, -0.00337459, 0.0, 0.0]],
        "dW1": [[0.00019884, 0.00028657, 0.00012138], [0.00035647, 0.00051375, 0.00021761]],
        "db1": [[-0.00037647], [-0.00067492]],
    })


def test_backward_dropout_fixture_is_the_forward_pass_with_keep_prob_one_half(nb):
    # The published literal cache comes from the forward pass with keep_prob = 0.5 (the
    # function's default), although the published test runs the backward pass with 0.8.
    X, _, literal = fixtures.backward_propagation_with_dropout_test_case()
    X_forward, parameters = fixtures.forward_propagation_with_dropout_test_case()
    np.testing.assert_array_equal(X, X_forward)
    _, cache = nb["forward_propagation_with_dropout"](X_forward, parameters, keep_prob=0.5)
    assert len(literal) == len(cache) == 14
    for index, (fixed, computed) in enumerate(zip(literal, cache, strict=True)):
        if index in (1, 6):  # the masks D1 and D2
            np.testing.assert_array_equal(fixed.astype(bool), computed.astype(bool))
        else:
            np.testing.assert_allclose(fixed, np.round(computed, 8), rtol=0, atol=1e-12,
                                       err_msg=f"cache item {index}")
    # ... and keep_prob = 0.8 would not give it
    _, other = nb["forward_propagation_with_dropout"](X_forward, parameters, keep_prob=0.8)
    assert not np.allclose(literal[2], np.round(other[2], 8))


# --- Training runs -------------------------------------------------------------------------

COST_LINE = re.compile(r"^Cost after iteration (\d+): (\S+)$")


def train(nb, data, **options):
    """Run the notebook's model; return (printed costs as text by iteration, accuracies)."""
    train_X, train_Y, test_X, test_Y = data
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        parameters = nb["model"](train_X, train_Y, **options)
    plt.close("all")
    costs = {int(m[1]): m[2] for m in map(COST_LINE.match, out.getvalue().splitlines()) if m}
    accuracies = tuple(
        nb["accuracy"](nb["predict"](X, Y, parameters), Y)
        for X, Y in ((train_X, train_Y), (test_X, test_Y))
    )
    return costs, accuracies


@pytest.fixture(scope="module")
def original_runs(nb):
    if not ORIGINAL_DATA.is_file():
        pytest.skip(capabilities.reason(capabilities.ORIGINAL_DATA, "no ../shared/datasets/data.mat"))
    if hashlib.sha256(ORIGINAL_DATA.read_bytes()).hexdigest() != ORIGINAL_SHA256:
        pytest.skip(capabilities.reason(capabilities.ORIGINAL_DATA, "../shared/datasets/data.mat is "
                                                                   "not the course's: its sha256 differs"))
    data = nb["load_2D_dataset"](ORIGINAL_DATA)
    return {name: train(nb, data, **options) for name, options in RUNS.items()}


@pytest.fixture(scope="module")
def field_runs(nb):
    data = nb["load_2D_dataset"]()  # the kit's own dataset, shipped with the notebook
    return {name: train(nb, data, **options) for name, options in RUNS.items()}


# Published training log (30,000 iterations, learning rate 0.3): iteration-0 costs as printed;
# the later costs as reproduced with numpy 2.4 (they agree with the published logs to 11-16
# significant digits, the last digits depending on the floating-point summation order).
PUBLISHED_RUNS = {
    "no regularization": (
        ("0.6557412523481002", 0.16329987525724216, 0.13851642423254343),
        (0.9478672985781991, 0.915),
    ),
    "L2": (
        ("0.6974484493131264", 0.2684918873282239, 0.2680916337127301),
        (0.9383886255924171, 0.93),
    ),
    "dropout": (
        ("0.6543912405149825", 0.061016986574905605, 0.060582435798513114),
        (0.9289099526066351, 0.95),
    ),
}


@pytest.mark.parametrize("run", list(PUBLISHED_RUNS))
def test_training_on_the_original_data_reproduces_the_published_log(original_runs, run):
    costs, accuracies = original_runs[run]
    (first, at_10000, at_20000), published_accuracies = PUBLISHED_RUNS[run]
    assert sorted(costs) == [0, 10000, 20000]
    assert costs[0] == first
    np.testing.assert_allclose(float(costs[10000]), at_10000, rtol=1e-9, atol=0)
    np.testing.assert_allclose(float(costs[20000]), at_20000, rtol=1e-9, atol=0)
    assert accuracies == published_accuracies


def test_the_kits_dataset_tells_the_story_of_the_assignment(field_runs):
    (plain_train, plain_test) = field_runs["no regularization"][1]
    (l2_train, l2_test) = field_runs["L2"][1]
    (dropout_train, dropout_test) = field_runs["dropout"][1]
    # without regularization the network overfits: clearly better on the training set
    assert plain_train - plain_test >= 0.02
    # each regularizer costs some training accuracy and buys test accuracy
    assert l2_train < plain_train and dropout_train < plain_train
    assert l2_test >= plain_test + 0.01
    assert dropout_test >= plain_test + 0.01


# The kit's dataset: the accuracies quoted in the notebook's Expected output blocks.
FIELD_ACCURACIES = {
    "no regularization": (0.95260663507109, 0.92),
    "L2": (0.919431279620853, 0.935),
    "dropout": (0.9146919431279621, 0.945),
}


@pytest.mark.parametrize("run", list(FIELD_ACCURACIES))
def test_training_on_the_kits_dataset_gives_the_accuracies_quoted_in_the_notebook(field_runs, run):
    assert field_runs[run][1] == FIELD_ACCURACIES[run]
