"""Does the Gradient Checking instructor notebook reproduce the course's published behaviour?

Every number below is a published output of the course unless a comment says otherwise.
"""

import copy
from pathlib import Path

import numpy as np
import pytest

from tests.notebook_code import load_notebook_functions
from utils.fixtures import gradient_check_n_test_case
from utils.network import backward_three_layer, forward_three_layer

NOTEBOOK = Path(__file__).resolve().parents[2] / "source/gradient_checking/Gradient_Checking.ipynb"

MISTAKE = "\033[93mThere is a mistake in the backward propagation! difference = "
FINE = "\033[92mYour backward propagation works perfectly fine! difference = "

# Published n-D differences: with the provided (buggy) backward pass, and with a correct one.
BUGGY_DIFFERENCE = 0.2850931567761623
FIXED_DIFFERENCE = 1.1890913024229996e-07


@pytest.fixture(scope="module")
def nb():
    return load_notebook_functions(NOTEBOOK)


@pytest.fixture
def network(nb):
    """The published test network with its cost, cache and the provided (buggy) gradients."""
    X, Y, parameters = gradient_check_n_test_case()
    cost, cache = nb["forward_propagation_n"](X, Y, parameters)
    gradients = nb["backward_propagation_n"](X, Y, cache)
    return X, Y, parameters, cost, cache, gradients


# ----------------------------------------------------------------------------- one dimension


def test_forward_propagation_gives_theta_times_x(nb):
    # Published: x, theta = 2, 4 -> J = 8.
    assert nb["forward_propagation"](2, 4) == 8


def test_backward_propagation_gives_x(nb):
    # Published: (2, 4) -> 2 in the early versions, (3, 4) -> 3 in the 2021 version.
    assert nb["backward_propagation"](2, 4) == 2
    assert nb["backward_propagation"](3, 4) == 3


@pytest.mark.parametrize(
    ("x", "theta", "published"),
    [(2, 4, 2.919335883291695e-10), (3, 4, 7.814075313343006e-11)],
)
def test_gradient_check_reproduces_the_published_differences_exactly(nb, x, theta, published):
    # Both published values reproduce to the last digit, so compare the repr.
    assert repr(float(nb["gradient_check"](x, theta))) == repr(published)


def test_gradient_check_prints_the_green_message_only_when_asked(nb, capsys):
    nb["gradient_check"](3, 4)
    assert capsys.readouterr().out == ""

    difference = nb["gradient_check"](3, 4, print_msg=True)
    assert capsys.readouterr().out == FINE + str(difference) + "\033[0m\n"


def test_gradient_check_uses_backward_propagation_and_reports_a_wrong_one(nb, capsys, monkeypatch):
    # A wrong derivative (x + 1 instead of x) must be caught; it would not be if the
    # function compared gradapprox with itself. The notebook's functions look each other
    # up in the loaded namespace, so replacing the entry there is enough.
    monkeypatch.setitem(nb, "backward_propagation", lambda x, theta: x + 1)
    difference = nb["gradient_check"](3, 4, print_msg=True)
    # |4 - 3| / (4 + 3), up to the error of the centred difference.
    assert difference == pytest.approx(1 / 7, rel=1e-6)
    assert capsys.readouterr().out == MISTAKE + str(difference) + "\033[0m\n"


# ----------------------------------------------------------------------------- N dimensions


def test_forward_propagation_n_runs_the_shared_network_and_the_cross_entropy(nb, network):
    X, Y, parameters, cost, cache, _ = network
    _, expected_cache = forward_three_layer(X, parameters)
    assert len(cache) == 12
    for got, expected in zip(cache, expected_cache, strict=True):
        np.testing.assert_array_equal(got, expected)
    # Not published; the reference's reproduction of the cost of the test network.
    assert cost == pytest.approx(2.407833389834357, rel=1e-14)


def test_the_provided_backward_pass_has_exactly_the_two_course_bugs(network):
    X, Y, _, _, cache, gradients = network
    correct = backward_three_layer(X, Y, cache)
    assert set(gradients) == set(correct)
    for key in correct:
        expected = correct[key]
        if key == "dW2":
            expected = 2 * expected
        elif key == "db1":
            expected = 4 * expected
        np.testing.assert_allclose(gradients[key], expected, rtol=1e-14, atol=0)
    assert not np.allclose(gradients["dW2"], correct["dW2"])
    assert not np.allclose(gradients["db1"], correct["db1"])


def test_gradient_check_n_reproduces_the_published_difference_of_the_buggy_pass(nb, network):
    X, Y, parameters, _, _, gradients = network
    difference = nb["gradient_check_n"](parameters, gradients, X, Y)
    # Published 0.2850931567761623. It reproduces exactly here, but the reference's
    # independent reproduction ended in ...624: the difference comes from 47 cancelling
    # centred differences, so its last bit depends on summation order (BLAS). Allow ~50 ulp.
    assert difference == pytest.approx(BUGGY_DIFFERENCE, rel=1e-14, abs=0)


def test_gradient_check_n_reproduces_the_published_difference_of_a_correct_pass(nb, network):
    X, Y, parameters, _, cache, _ = network
    gradients = backward_three_layer(X, Y, cache)
    difference = nb["gradient_check_n"](parameters, gradients, X, Y)
    # Published 1.1890913024229996e-07; it is almost pure round-off of the centred
    # differences (another published run printed 1.1890913023330276e-07), so it is
    # compared to 12 significant digits rather than bit for bit.
    assert difference == pytest.approx(FIXED_DIFFERENCE, rel=1e-12, abs=0)


def test_gradient_check_n_reports_the_buggy_pass_as_a_mistake(nb, network, capsys):
    X, Y, parameters, _, _, gradients = network
    difference = nb["gradient_check_n"](parameters, gradients, X, Y, print_msg=True)
    assert capsys.readouterr().out == MISTAKE + str(difference) + "\033[0m\n"


def test_gradient_check_n_reports_a_correct_pass_as_fine(nb, network, capsys):
    X, Y, parameters, _, cache, _ = network
    gradients = backward_three_layer(X, Y, cache)
    difference = nb["gradient_check_n"](parameters, gradients, X, Y, print_msg=True)
    assert capsys.readouterr().out == FINE + str(difference) + "\033[0m\n"


def test_gradient_check_n_prints_nothing_by_default(nb, network, capsys):
    X, Y, parameters, _, _, gradients = network
    nb["gradient_check_n"](parameters, gradients, X, Y)
    assert capsys.readouterr().out == ""


def test_gradient_check_n_leaves_the_parameters_untouched(nb, network):
    X, Y, parameters, _, _, gradients = network
    before = copy.deepcopy(parameters)
    arrays = dict(parameters)
    nb["gradient_check_n"](parameters, gradients, X, Y)
    assert set(parameters) == set(before)
    for key, value in before.items():
        assert parameters[key] is arrays[key]
        np.testing.assert_array_equal(parameters[key], value, strict=True)
