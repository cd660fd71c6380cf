"""Questions about the kit's numeric helpers: activations, the 3-layer network, cost, parameters,
predictions, vector helpers and plots. Expected values are computed here from first principles.
"""

import ast
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from utils import datasets, fixtures, plotting
from utils.activations import relu, sigmoid
from utils.costs import cross_entropy_cost
from utils.gradcheck import (
    GC_LAYER_DIMS,
    dictionary_to_vector,
    gradients_to_vector,
    parameter_shapes,
    vector_to_dictionary,
)
from utils.network import GRADIENT_KEYS, backward_three_layer, forward_three_layer
from utils.params import initialize_parameters, update_parameters
from utils.predict import accuracy, predict, predict_dec

matplotlib.use("Agg")

UTILS = Path(__file__).resolve().parents[2] / "utils"
LAYER_SIZES = [(4, 5, 3, 1), (2, 3, 1), (3, 1), (1, 1, 1, 1), (6, 2, 4, 3, 1)]


def random_parameters(layer_dims, rng):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = rng.standard_normal((layer_dims[l], 1))
    return parameters


@pytest.fixture
def tiny():
    """``(X (3, 6), Y (1, 6), parameters)`` of a 3-4-2-1 network, no ReLU input near its kink."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3, 6))
    Y = np.array([[1, 0, 1, 1, 0, 0]])
    parameters = random_parameters((3, 4, 2, 1), rng)
    _, cache = forward_three_layer(X, parameters)
    Z1, Z2 = cache[0], cache[4]
    # A finite difference across a ReLU kink would not match the analytic gradient.
    assert np.abs(Z1).min() > 1e-3 and np.abs(Z2).min() > 1e-3
    assert (Z1 > 0).any() and (Z2 > 0).any()  # some units are active, so gradients are non-zero
    return X, Y, parameters


@pytest.fixture
def plots_never_shown(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


# ----------------------------------------------------------------------- activations


def test_sigmoid_gives_the_logistic_values_and_keeps_the_shape():
    z = np.array([[0.0, 1.0, -1.0], [2.0, -30.0, 30.0]])
    s = sigmoid(z)
    assert s.shape == (2, 3)
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)), rtol=1e-15)
    assert s[0, 0] == 0.5
    np.testing.assert_allclose(sigmoid(-z), 1 - s, rtol=1e-12, atol=1e-15)
    assert 0 < s.min() and s.max() < 1
    assert np.ndim(sigmoid(0.0)) == 0 and sigmoid(0.0) == 0.5


def test_relu_zeroes_negatives_keeps_positives_and_the_shape():
    z = np.array([[-2.0, -0.5, 0.0], [0.25, 3.0, -1e-9]])
    r = relu(z)
    assert r.shape == z.shape
    np.testing.assert_array_equal(r, [[0.0, 0.0, 0.0], [0.25, 3.0, 0.0]])
    assert relu(np.arange(-2, 3)).tolist() == [0, 0, 0, 1, 2]


# ----------------------------------------------------------------------- network


def test_forward_pass_returns_a3_of_shape_1_by_m_and_the_cache_in_course_order(tiny):
    X, _, p = tiny
    A3, cache = forward_three_layer(X, p)
    assert A3.shape == (1, 6)
    assert isinstance(cache, tuple) and len(cache) == 12
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3c, W3, b3 = cache
    given = (p["W1"], p["b1"], p["W2"], p["b2"], p["W3"], p["b3"])
    assert all(a is b for a, b in zip((W1, b1, W2, b2, W3, b3), given, strict=True))
    assert [a.shape for a in (Z1, A1, Z2, A2, Z3)] == [(4, 6), (4, 6), (2, 6), (2, 6), (1, 6)]
    np.testing.assert_array_equal(Z1, p["W1"] @ X + p["b1"])
    np.testing.assert_array_equal(A1, np.maximum(Z1, 0))
    np.testing.assert_array_equal(Z2, p["W2"] @ A1 + p["b2"])
    np.testing.assert_array_equal(A2, np.maximum(Z2, 0))
    np.testing.assert_array_equal(Z3, p["W3"] @ A2 + p["b3"])
    np.testing.assert_array_equal(A3c, A3)
    np.testing.assert_array_equal(A3, 1 / (1 + np.exp(-Z3)))


def numerical_gradients(X, Y, parameters, eps=1e-6):
    """Centred finite differences of the cross-entropy cost for every parameter."""
    def cost(params):
        return cross_entropy_cost(forward_three_layer(X, params)[0], Y)

    grads = {}
    for key, value in parameters.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[key][index] += eps
            minus[key][index] -= eps
            grad[index] = (cost(plus) - cost(minus)) / (2 * eps)
        grads["d" + key] = grad
    return grads


@pytest.mark.parametrize("average_first", [False, True])
def test_backward_pass_matches_centred_finite_differences_of_the_cost(tiny, average_first):
    X, Y, p = tiny
    _, cache = forward_three_layer(X, p)
    grads = backward_three_layer(X, Y, cache, average_first=average_first)
    expected = numerical_gradients(X, Y, p)
    for key, value in expected.items():
        assert grads[key].shape == p[key[1:]].shape, key
        np.testing.assert_allclose(grads[key], value, rtol=1e-6, atol=1e-9, err_msg=key)
    assert any(np.abs(v).max() > 1e-3 for v in expected.values())  # not a trivial all-zero case


def test_both_placements_of_one_over_m_give_the_same_parameter_gradients(tiny):
    X, Y, p = tiny
    _, cache = forward_three_layer(X, p)
    late = backward_three_layer(X, Y, cache, average_first=False)
    early = backward_three_layer(X, Y, cache, average_first=True)
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        np.testing.assert_allclose(early[key], late[key], rtol=1e-12, atol=0, err_msg=key)
    # ... while dZ3 differs by the factor 1/m it carries (or not)
    m = X.shape[1]
    np.testing.assert_allclose(late["dZ3"], cache[9] - Y, rtol=1e-15)
    np.testing.assert_allclose(early["dZ3"], (cache[9] - Y) / m, rtol=1e-15)


@pytest.mark.parametrize("average_first", [False, True])
def test_backward_pass_spells_its_keys_per_lower_case(tiny, average_first):
    X, Y, p = tiny
    _, cache = forward_three_layer(X, p)
    upper = backward_three_layer(X, Y, cache, average_first=average_first)
    lower = backward_three_layer(X, Y, cache, average_first=average_first, lower_case=True)
    assert list(upper) == list(GRADIENT_KEYS)
    assert list(lower) == ["dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2",
                           "da1", "dz1", "dW1", "db1"]
    for upper_key, lower_key in zip(upper, lower, strict=True):
        np.testing.assert_array_equal(upper[upper_key], lower[lower_key])


# ----------------------------------------------------------------------- cost


def test_cross_entropy_cost_is_the_mean_negative_log_likelihood():
    A3 = np.array([[0.9, 0.2, 0.6, 0.3]])
    Y = np.array([[1, 0, 1, 0]])
    cost = cross_entropy_cost(A3, Y)
    assert isinstance(cost, np.floating)
    expected = -np.mean(np.log([0.9, 0.8, 0.6, 0.7]))
    assert cost == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_cost_keeps_an_infinite_term():
    # A confident wrong answer: A3 = 0 where Y = 1 gives -log(0) = inf, and nansum keeps it.
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = cross_entropy_cost(np.array([[0.0, 0.5]]), np.array([[1, 0]]))
    assert cost == np.inf


def test_cross_entropy_cost_drops_zero_times_log_zero():
    # A3 = 1 where Y = 1: the (1 - Y) * log(1 - A3) term is 0 * -inf = nan, and nansum drops it.
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = cross_entropy_cost(np.array([[1.0, 0.5, 0.0]]), np.array([[1, 0, 0]]))
    assert cost == pytest.approx(np.log(2) / 3, rel=1e-14)


# ----------------------------------------------------------------------- parameters


def test_initialize_parameters_is_seeded_with_3_whatever_the_global_state():
    np.random.seed(0)
    first = initialize_parameters([5, 4, 2, 1])
    np.random.rand(17)
    second = initialize_parameters([5, 4, 2, 1])
    assert list(first) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_initialize_parameters_scales_standard_normal_draws_by_one_over_sqrt_fan_in():
    dims = [5, 4, 2, 1]
    parameters = initialize_parameters(dims)
    np.random.seed(3)
    for l in range(1, len(dims)):
        draws = np.random.randn(dims[l], dims[l - 1])
        np.testing.assert_allclose(parameters[f"W{l}"], draws / np.sqrt(dims[l - 1]), rtol=1e-15)
        assert parameters[f"b{l}"].shape == (dims[l], 1)
        assert not parameters[f"b{l}"].any()


def test_initialize_parameters_spread_shrinks_with_the_fan_in():
    W1 = initialize_parameters([400, 300, 1])["W1"]
    assert W1.std() * np.sqrt(400) == pytest.approx(1.0, abs=0.02)


def test_update_parameters_takes_one_gradient_step_in_place():
    rng = np.random.default_rng(5)
    parameters = random_parameters((3, 2, 1), rng)
    before = {k: v.copy() for k, v in parameters.items()}
    grads = {"d" + k: rng.standard_normal(v.shape) for k, v in parameters.items()}
    grads["dZ2"] = np.full((1, 7), np.nan)  # other keys of a backward pass are ignored
    returned = update_parameters(parameters, grads, 0.1)
    assert returned is parameters
    assert set(returned) == set(before)
    for key, value in before.items():
        np.testing.assert_allclose(parameters[key], value - 0.1 * grads["d" + key], rtol=1e-15)


# ----------------------------------------------------------------------- predictions


@pytest.fixture
def threshold_network():
    """A 1-2-1-1 network whose output exceeds 0.5 exactly when x > 0.5."""
    return {
        "W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1)),
        "W2": np.array([[1.0, -1.0]]), "b2": np.zeros((1, 1)),
        "W3": np.array([[1.0]]), "b3": np.array([[-0.5]]),
    }


def test_predict_returns_int64_zeros_and_ones_of_shape_1_by_m(threshold_network):
    X = np.array([[-1.0, 0.2, 0.7, 3.0, 0.4]])
    y = np.array([[0, 0, 1, 1, 1]])
    predictions = predict(X, y, threshold_network)
    assert predictions.dtype == np.int64
    assert predictions.tolist() == [[0, 0, 1, 1, 0]]


def test_accuracy_is_the_fraction_of_matching_columns_as_a_float():
    value = accuracy(np.array([[1, 0, 1, 1]]), np.array([[1, 1, 1, 0]]))
    assert type(value) is float and value == 0.5
    assert accuracy(np.array([[0, 1, 1]]), np.array([[0, 1, 1]])) == 1.0


def test_predict_dec_returns_boolean_decisions(threshold_network):
    decisions = predict_dec(threshold_network, np.array([[-1.0, 0.2, 0.7, 3.0]]))
    assert decisions.dtype == np.bool_
    assert decisions.tolist() == [[False, False, True, True]]


# ----------------------------------------------------------------------- vector helpers


@pytest.mark.parametrize("layer_dims", LAYER_SIZES, ids=lambda d: "-".join(map(str, d)))
def test_dictionary_and_vector_round_trip(layer_dims):
    parameters = random_parameters(layer_dims, np.random.default_rng(len(layer_dims)))
    theta, keys = dictionary_to_vector(parameters)
    count = sum(v.size for v in parameters.values())
    assert theta.shape == (count, 1)
    expected_keys = [name for name, shape in parameter_shapes(layer_dims)
                     for _ in range(int(np.prod(shape)))]
    assert keys == expected_keys
    np.testing.assert_array_equal(
        theta[:, 0], np.concatenate([parameters[name].ravel() for name, _ in
                                     parameter_shapes(layer_dims)]))
    back = vector_to_dictionary(theta, layer_dims)
    assert list(back) == [name for name, _ in parameter_shapes(layer_dims)]
    for key, value in parameters.items():
        np.testing.assert_array_equal(back[key], value)
    flat = vector_to_dictionary(theta[:, 0], layer_dims)  # a 1-D theta works too
    for key, value in parameters.items():
        np.testing.assert_array_equal(flat[key], value)


def test_vector_to_dictionary_defaults_to_the_gradient_checking_network():
    assert GC_LAYER_DIMS == (4, 5, 3, 1)
    shapes = {k: v.shape for k, v in vector_to_dictionary(np.arange(47.0).reshape(47, 1)).items()}
    assert shapes == {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1),
                      "W3": (1, 3), "b3": (1, 1)}


@pytest.mark.parametrize("size", [46, 48, 0])
def test_vector_to_dictionary_rejects_a_wrong_length_with_a_clear_message(size):
    with pytest.raises(ValueError) as error:
        vector_to_dictionary(np.zeros((size, 1)), (4, 5, 3, 1))
    message = str(error.value)
    assert f"theta has {size} elements" in message
    assert "[4, 5, 3, 1]" in message and "47 parameters" in message


def test_gradients_to_vector_stacks_dw1_db1_to_db3_and_ignores_other_keys():
    rng = np.random.default_rng(11)
    shapes = dict(parameter_shapes((4, 5, 3, 1)))
    gradients = {"dZ3": rng.standard_normal((1, 3)), "dA2": rng.standard_normal((3, 3))}
    for name in ("W3", "b1", "W1", "b3", "W2", "b2"):  # scrambled insertion order
        gradients["d" + name] = rng.standard_normal(shapes[name])
    vector = gradients_to_vector(gradients)
    assert vector.shape == (47, 1)
    order = ("dW1", "db1", "dW2", "db2", "dW3", "db3")
    np.testing.assert_array_equal(vector[:, 0], np.concatenate([gradients[k].ravel() for k in order]))


def test_gradient_vector_lines_up_with_the_parameter_vector():
    X, y, parameters = fixtures.gradient_check_n_test_case()
    theta, keys = dictionary_to_vector(parameters)
    gradients = {"d" + k: np.full(v.shape, float(i)) for i, (k, v) in enumerate(parameters.items())}
    vector = gradients_to_vector(gradients)
    names = list(parameters)
    assert [names[int(value)] for value in vector[:, 0]] == keys


# ----------------------------------------------------------------------- plots


def test_plotting_functions_return_their_axes_and_never_show(plots_never_shown):
    X = np.array([[0.0, 1.0, 2.0, 0.5], [1.0, 0.0, 2.0, 1.5]])
    y = np.array([[0, 1, 1, 0]])
    ax = plotting.plot_dataset(X, y, title="points")
    assert isinstance(ax, Axes) and ax.get_title() == "points"
    ax = plotting.plot_costs([0.7, 0.5, 0.3], 0.01)
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Learning rate =0.01" and ax.get_ylabel() == "cost"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.7, 0.5, 0.3])

    seen = []

    def model(points):
        seen.append(points.shape)
        return points[:, 0] > 1

    ax = plotting.plot_decision_boundary(model, X, y, step=0.1)
    assert isinstance(ax, Axes)
    assert len(seen) == 1 and seen[0][1] == 2 and seen[0][0] > 100
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1", "x2")


def test_plotting_functions_draw_on_a_given_axes(plots_never_shown):
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[0, 1]])
    figure, given = plt.subplots()
    assert plotting.plot_dataset(X, y, ax=given) is given
    assert plotting.plot_costs([1.0, 0.5], 0.3, ax=given) is given
    assert plotting.plot_decision_boundary(lambda p: p[:, 0] > 0.5, X, y, ax=given, step=0.2) is given
    assert len(plt.get_fignums()) == 1


# ----------------------------------------------------------------------- no printing


def test_numeric_helpers_print_nothing(capsys, tiny, plots_never_shown):
    X, Y, p = tiny
    A3, cache = forward_three_layer(X, p)
    backward_three_layer(X, Y, cache)
    backward_three_layer(X, Y, cache, average_first=True, lower_case=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_entropy_cost(np.array([[0.0, 1.0]]), np.array([[1, 1]]))
    update_parameters(initialize_parameters([3, 4, 2, 1]), backward_three_layer(X, Y, cache), 0.1)
    accuracy(predict(X, Y, p), Y)
    predict_dec(p, X)
    theta, _ = dictionary_to_vector(fixtures.gradient_check_n_test_case()[2])
    vector_to_dictionary(theta)
    _ = sigmoid(X), relu(X)
    for case in (fixtures.compute_cost_with_regularization_test_case,
                 fixtures.forward_propagation_with_dropout_test_case,
                 fixtures.backward_propagation_with_regularization_test_case,
                 fixtures.backward_propagation_with_dropout_test_case):
        case()
    datasets.load_circles()
    plotting.plot_dataset(X[:2], Y)
    plotting.plot_costs([1.0], 0.1)
    plotting.plot_decision_boundary(lambda q: predict_dec(p, np.vstack([q.T, q.T[:1]])), X[:2], Y,
                                    step=0.5)
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def print_calls(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"]


def test_only_the_visible_test_reporting_in_checks_calls_print():
    # The numeric modules return values; printing pass/fail lines is the job of utils.checks.
    printing = {path.name: print_calls(path) for path in sorted(UTILS.glob("*.py"))}
    assert len(printing) >= 10
    assert {name for name, lines in printing.items() if lines} == {"checks.py"}
