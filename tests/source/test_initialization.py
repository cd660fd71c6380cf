"""Does the instructor's Initialization notebook reproduce the course's published results?

Every expected number in this file is a published output of the course: the initializer printouts
(8 decimals), the training logs and accuracies of the three 15 000-iteration runs, and the
dataset the course generates. The notebook's functions are loaded with
``load_notebook_functions``; each training run happens once per test session.

About tolerances: numpy picks vectorized ``exp``/``log``/``sin``/``cos`` routines by processor,
so the last bit of a cost or a data point can differ from one machine to another (the zeros run
prints ``...455`` instead of ``...453`` on different iterations depending on the CPU). Costs are
therefore compared with ``rtol=1e-10``, never by their last digit. The large-random run amplifies
such differences, so only its first cost and its accuracies are checked.
"""

import contextlib
import io
import re
import warnings
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from tests.notebook_code import ROOT, load_notebook_functions

matplotlib.use("Agg")

NOTEBOOK = ROOT / "source" / "initialization" / "Initialization.ipynb"
COST_LINE = re.compile(r"^Cost after iteration (\d+): (\S+)$", re.MULTILINE)
PRINTED_ITERATIONS = list(range(0, 15000, 1000))
COST_RTOL = 1e-10

# Published training logs (15 000 iterations, learning rate 0.01).
ZEROS_COSTS = [0.6931471805599453] * 15
ZEROS_COSTS[10] = 0.6931471805599455  # the published log prints ...455 at iteration 10000
HE_COSTS = [
    0.8830537463419761, 0.6879825919728063, 0.6751286264523371, 0.6526117768893807,
    0.6082958970572938, 0.5304944491717495, 0.4138645817071795, 0.31178034648444414,
    0.23696215330322565, 0.18597287209206836, 0.15015556280371808, 0.12325079292273551,
    0.09917746546525935, 0.08457055954024276, 0.07357895962677363,
]

# Published initializer outputs.
ZEROS_3_2_1 = {
    "W1": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], "b1": [[0.0], [0.0]],
    "W2": [[0.0, 0.0]], "b2": [[0.0]],
}
RANDOM_3_2_1 = {
    "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
    "b1": [[0.0], [0.0]],
    "W2": [[-0.82741481, -6.27000677]],
    "b2": [[0.0]],
}
HE_2_4_1 = {
    "W1": [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
           [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
    "b1": [[0.0], [0.0], [0.0], [0.0]],
    "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
    "b2": [[0.0]],
}
HE_3_1_2 = {
    "W1": [[1.46040903, 0.3564088, 0.07878985]],
    "b1": [[0.0]],
    "W2": [[-2.63537665], [-0.39228616]],
    "b2": [[0.0], [0.0]],
}


@dataclass
class Run:
    """One training run of the notebook's ``model``."""

    printed: str
    errors: str
    warnings: list
    parameters: dict

    def cost_log(self):
        """``[(iteration, cost)]`` parsed from the ``Cost after iteration`` lines."""
        return [(int(i), float(cost)) for i, cost in COST_LINE.findall(self.printed)]


@pytest.fixture(scope="module")
def notebook():
    return load_notebook_functions(NOTEBOOK)


@pytest.fixture(scope="module")
def data(notebook):
    return notebook["load_dataset"]()


@pytest.fixture(scope="module")
def train(notebook, data):
    """``train(initialization)`` runs ``model`` on the training set once and caches the run."""
    runs = {}
    train_X, train_Y = data[0], data[1]

    def run(initialization):
        if initialization not in runs:
            out, err = io.StringIO(), io.StringIO()
            with (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
                  warnings.catch_warnings(record=True) as caught):
                warnings.simplefilter("always")
                parameters = notebook["model"](train_X, train_Y, initialization=initialization)
            plt.close("all")
            runs[initialization] = Run(out.getvalue(), err.getvalue(), caught, parameters)
        return runs[initialization]

    return run


def accuracies(notebook, data, parameters):
    """Train and test accuracy, computed as the notebook does (``predict`` then ``accuracy``)."""
    train_X, train_Y, test_X, test_Y = data
    predict, accuracy = notebook["predict"], notebook["accuracy"]
    return (accuracy(predict(train_X, train_Y, parameters), train_Y),
            accuracy(predict(test_X, test_Y, parameters), test_Y))


def assert_matches_printout(parameters, published):
    """Every value rounds to the published one at its 8 printed decimals; biases are exact zeros."""
    assert isinstance(parameters, dict)
    assert sorted(parameters) == sorted(published)
    for key, values in published.items():
        expected = np.array(values)
        got = parameters[key]
        assert isinstance(got, np.ndarray) and got.dtype == np.float64, key
        assert got.shape == expected.shape, key
        if key.startswith("b"):
            assert np.all(got == 0), key
        else:
            error = np.abs(got - expected)
            assert np.all(error <= 0.5e-8 + 1e-14), f"{key}: largest error {error.max():.3g}"


# ----------------------------------------------------------------------- initializers


def test_zero_initialisation_returns_the_published_zeros(notebook):
    assert_matches_printout(notebook["initialize_parameters_zeros"]([3, 2, 1]), ZEROS_3_2_1)


def test_zero_initialisation_really_is_all_zeros(notebook):
    # The printout shows "0."; a tiny non-zero value would print the same way.
    parameters = notebook["initialize_parameters_zeros"]([3, 2, 1])
    assert all(np.all(value == 0) for value in parameters.values())


def test_large_random_initialisation_reproduces_the_published_weights(notebook):
    assert_matches_printout(notebook["initialize_parameters_random"]([3, 2, 1]), RANDOM_3_2_1)


def test_large_random_initialisation_is_reseeded_on_every_call(notebook):
    initialize = notebook["initialize_parameters_random"]
    first = initialize([3, 2, 1])
    np.random.seed(0)
    second = initialize([3, 2, 1])
    assert all(np.array_equal(first[key], second[key]) for key in first)


@pytest.mark.parametrize(
    ("layers_dims", "published"),
    [([2, 4, 1], HE_2_4_1), ([3, 1, 2], HE_3_1_2)],
    ids=["2-4-1", "3-1-2"],
)
def test_he_initialisation_reproduces_the_published_weights(notebook, layers_dims, published):
    assert_matches_printout(notebook["initialize_parameters_he"](layers_dims), published)


# ----------------------------------------------------------------------- training runs


def test_zero_initialised_training_reproduces_the_published_log_and_accuracy(notebook, data, train):
    run = train("zeros")
    log = run.cost_log()
    assert [i for i, _ in log] == PRINTED_ITERATIONS
    np.testing.assert_allclose([cost for _, cost in log], ZEROS_COSTS, rtol=COST_RTOL, atol=0)
    assert accuracies(notebook, data, run.parameters) == (0.5, 0.5)


def test_zero_initialised_network_predicts_zero_everywhere(notebook, data, train):
    # Published: every train and test prediction of this run is 0.
    parameters = train("zeros").parameters
    train_X, train_Y, test_X, test_Y = data
    assert not notebook["predict"](train_X, train_Y, parameters).any()
    assert not notebook["predict"](test_X, test_Y, parameters).any()


def test_he_initialised_training_reproduces_the_published_log_and_accuracy(notebook, data, train):
    run = train("he")
    log = run.cost_log()
    assert [i for i, _ in log] == PRINTED_ITERATIONS
    np.testing.assert_allclose([cost for _, cost in log], HE_COSTS, rtol=COST_RTOL, atol=0)
    assert accuracies(notebook, data, run.parameters) == (0.9933333333333333, 0.96)


def test_large_random_training_starts_at_infinity_and_reaches_the_published_accuracy(
    notebook, data, train
):
    run = train("random")
    log = run.cost_log()
    assert [i for i, _ in log] == PRINTED_ITERATIONS
    assert "Cost after iteration 0: inf\n" in run.printed
    assert log[0][1] == np.inf
    assert accuracies(notebook, data, run.parameters) == (0.83, 0.86)


@pytest.mark.parametrize("initialization", ["zeros", "random", "he"])
def test_training_writes_nothing_to_stderr_and_raises_no_warning(train, initialization):
    # The large-random run takes log(0); model() must silence those expected warnings.
    run = train(initialization)
    assert run.errors == ""
    assert [str(w.message) for w in run.warnings] == []


def test_model_rejects_an_unknown_initialization_name(notebook, data):
    with pytest.raises(ValueError, match="xavier"):
        notebook["model"](data[0], data[1], num_iterations=1, initialization="xavier")


# ----------------------------------------------------------------------- dataset


def test_dataset_matches_the_published_fingerprint(data):
    train_X, train_Y, test_X, test_Y = data
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == (
        (2, 300), (1, 300), (2, 100), (1, 100))
    assert train_Y.dtype == np.int64 and test_Y.dtype == np.int64
    assert (int(train_Y.sum()), int(test_Y.sum())) == (150, 50)
    assert train_Y[0, :10].tolist() == [1, 0, 1, 1, 0, 0, 1, 0, 1, 1]
    # Points come from sin/cos, whose last bit may vary with the processor: compare to 1e-12.
    np.testing.assert_allclose(
        train_X[:, :3].T,
        [[-0.07741354010048114, 0.8526022642742742],
         [0.43186959584803564, -0.8721450395952108],
         [0.07916502322979652, 0.8406610985900007]],
        rtol=1e-12, atol=0,
    )
    np.testing.assert_allclose(test_X[:, 0], [-0.5242373850862546, -0.6091036148461817],
                               rtol=1e-12, atol=0)
    assert train_X.sum() == pytest.approx(0.10318058999808777, rel=0, abs=1e-12)
    assert test_X.sum() == pytest.approx(-0.418253070660783, rel=0, abs=1e-12)
