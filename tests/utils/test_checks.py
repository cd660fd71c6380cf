"""Do the visible tests explain what is wrong, pass the reference solutions and catch mistakes?

``utils.checks`` builds the messages students read under their test cells; ``utils.public_tests``
holds the eleven visible tests. The reference solutions come from the instructor notebooks.
"""

import numpy as np
import pytest

from tests.notebook_code import ROOT, load_notebook_functions
from utils import mistakes, public_tests
from utils.checks import (
    CheckFailed,
    NotWrittenYet,
    Problem,
    RaisedError,
    mismatch_array,
    mismatch_dict,
    mismatch_scalar,
    report,
    under_autograde,
    visible_test,
)
from utils.costs import cross_entropy_cost
from utils.fixtures import gradient_check_n_test_case
from utils.network import backward_three_layer

GC_DIFFERENCE = 7.814075313343006e-11
NOTEBOOKS = {
    "initialization": ROOT / "source" / "initialization" / "Initialization.ipynb",
    "regularization": ROOT / "source" / "regularization" / "Regularization.ipynb",
    "gradient_checking": ROOT / "source" / "gradient_checking" / "Gradient_Checking.ipynb",
}


@pytest.fixture(autouse=True)
def as_a_student(monkeypatch):
    """Run as in a student's notebook unless a test sets ``NBGRADER_EXECUTION`` itself."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


@pytest.fixture
def autograde(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")


# ----------------------------------------------------------------------- mismatch_array


def test_a_non_array_is_a_wrong_type_naming_the_expected_shape():
    problem = mismatch_array([[1.0, 2.0]], np.zeros((1, 2)), "W1")
    assert isinstance(problem, Problem) and problem.category == "wrong type"
    assert problem == "W1 should be a numpy array of shape (1, 2), got list"


def test_a_wrong_shape_says_both_shapes():
    problem = mismatch_array(np.zeros((2, 1)), np.zeros((1, 2)), "b1")
    assert problem.category == "wrong shape"
    assert problem == "b1 has shape (2, 1); expected (1, 2)"


@pytest.mark.parametrize("got", [np.array([["a", "b"]]), np.array([[1 + 0j, 2j]]),
                                 np.array([[None, 1.0]], dtype=object)],
                         ids=["str", "complex", "object"])
def test_a_non_real_dtype_is_a_wrong_type(got):
    problem = mismatch_array(got, np.zeros((1, 2)), "A3")
    assert problem.category == "wrong type"
    assert problem == f"A3 has dtype {got.dtype}; expected numbers"


def test_integer_and_boolean_arrays_count_as_numbers():
    assert mismatch_array(np.array([[1, 0]]), [[1.0, 0.0]], "D1") is None
    assert mismatch_array(np.array([[True, False]]), [[1, 0]], "D1") is None


def test_a_nan_is_reported_with_its_index():
    got = np.array([[0.0, 1.0, 2.0], [3.0, np.nan, 5.0]])
    problem = mismatch_array(got, np.arange(6.0).reshape(2, 3), "dW2")
    assert problem.category == "NaN/inf"
    assert problem == "dW2 contains nan at index [1, 1]; expected finite values"


def test_an_infinite_value_where_inf_is_expected_is_fine():
    assert mismatch_array(np.array([[np.inf, 1.0]]), [[np.inf, 1.0]], "cost") is None
    problem = mismatch_array(np.array([[2.0, 1.0]]), [[np.inf, 1.0]], "cost")
    assert problem.category == "wrong value" and "index [0, 0]" in problem


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_comparing_inf_with_inf_writes_no_warning():
    # A warning goes to stderr, and nbgrader autograde scores a graded cell writing to stderr 0.
    assert mismatch_array(np.array([[np.inf, 1.0]]), [[np.inf, 1.0]], "cost") is None


def wrong_values():
    expected = np.zeros((2, 3))
    got = expected.copy()
    got[0, 1], got[1, 2] = 0.1, -0.5
    return mismatch_array(got, expected, "dW1")


def test_wrong_values_name_the_largest_error_and_its_index():
    problem = wrong_values()
    assert problem.category == "wrong value"
    assert problem.startswith("dW1 has wrong values: largest error 0.5 at index [1, 2] (expected ")


def test_wrong_values_show_the_expected_and_obtained_numbers_plainly():
    assert wrong_values().endswith("(expected 0.0, got -0.5)")


def test_the_worst_error_is_judged_against_the_tolerance_of_each_element():
    # 1e-3 off a value of 1000 is within rtol=1e-5; 1e-4 off a value of 0 is not.
    expected = np.array([1000.0, 0.0])
    problem = mismatch_array(np.array([1000.001, 1e-4]), expected, "v", rtol=1e-5, atol=1e-9)
    assert "at index [1]" in problem


def test_show_values_false_hides_the_expected_numbers():
    expected = np.array([[0.123456789, 2.0]])
    problem = mismatch_array(np.array([[0.5, 2.0]]), expected, "A3", show_values=False)
    assert problem == ("A3 has wrong values: the largest error is at index [0, 0], off by about "
                       "1e+00 of the expected value")
    assert "0.12" not in problem and "0.377" not in problem


def test_values_false_checks_only_type_shape_and_finiteness():
    assert mismatch_array(np.ones((2, 2)), np.zeros((2, 2)), "W", values=False) is None
    assert mismatch_array(np.ones((2, 1)), np.zeros((2, 2)), "W", values=False).category == \
        "wrong shape"


def test_values_within_tolerance_pass():
    expected = np.array([[1.0, -2.0]])
    assert mismatch_array(expected * (1 + 1e-9), expected, "x") is None
    assert mismatch_array(expected.copy(), expected, "x", rtol=0, atol=0) is None


# ----------------------------------------------------------------------- mismatch_scalar


@pytest.mark.parametrize("got", [0, 0.0, 1e-12, -GC_DIFFERENCE, GC_DIFFERENCE * 1.01])
def test_a_tiny_expected_scalar_is_not_matched_by_zero_or_near_misses(got):
    problem = mismatch_scalar(got, GC_DIFFERENCE, "difference", rtol=1e-4, atol=0)
    assert problem is not None and problem.category == "wrong value"
    assert repr(GC_DIFFERENCE) in problem


def test_a_tiny_scalar_within_the_relative_tolerance_passes():
    for got in (GC_DIFFERENCE, GC_DIFFERENCE * (1 + 1e-5), np.float64(GC_DIFFERENCE),
                np.array(GC_DIFFERENCE)):
        assert mismatch_scalar(got, GC_DIFFERENCE, "difference", rtol=1e-4, atol=0) is None


@pytest.mark.parametrize("got", ["8", None, True, np.bool_(True), [8.0], np.array([8.0]), 8 + 0j])
def test_a_non_real_scalar_is_a_wrong_type(got):
    problem = mismatch_scalar(got, 8.0, "J")
    assert problem.category == "wrong type"
    assert problem.startswith("J should be a real number, got ")


def test_an_integer_or_numpy_scalar_is_a_real_number():
    assert mismatch_scalar(8, 8.0, "J") is None
    assert mismatch_scalar(np.int64(8), 8.0, "J") is None
    assert mismatch_scalar(np.float32(8.0), 8.0, "J") is None


def test_a_nan_scalar_is_reported_as_nan():
    problem = mismatch_scalar(float("nan"), 8.0, "J")
    assert problem.category == "NaN/inf" and problem == "J is nan; expected a finite number"
    assert mismatch_scalar(float("inf"), float("inf"), "cost") is None


def test_a_wrong_scalar_shows_both_values_unless_asked_not_to():
    assert mismatch_scalar(6.0, 8.0, "J") == "J is 6.0; expected 8.0"
    hidden = mismatch_scalar(6.0, 8.0, "J", show_values=False)
    assert hidden == "J is wrong, off by about 1e-01 of the expected value"
    assert mismatch_scalar(0.0, 8.0, "J", show_values=False) == (
        "J is wrong, off by about 1e+00 of the expected value")


@pytest.mark.parametrize(("got", "said"), [(1.5, "1e+00"), (1.04, "1e-01"), (1.2, "1e-01"), (1.02, "1e-02"),
                                           (4.0, "1e+00"), (5.0, "1e+01")])
def test_is_the_size_of_an_error_said_to_the_nearest_order_of_magnitude(got, said):
    # an error of half the expected value is about 1 of it, not about a tenth; 0.04 is about 0.1
    expected = f"off by about {said} of the expected value"
    assert mismatch_scalar(got, 1.0, "J", show_values=False) == f"J is wrong, {expected}"
    array = mismatch_array(np.array([1.0, got]), np.array([1.0, 1.0]), "A", show_values=False)
    assert str(array).endswith(expected), array


# ----------------------------------------------------------------------- mismatch_dict


def test_a_dict_problem_names_the_missing_key_or_the_first_bad_entry():
    expected = {"dW1": np.zeros((2, 2)), "db1": np.zeros((2, 1))}
    assert mismatch_dict([1], expected, "grads").category == "wrong type"
    assert mismatch_dict({"dW1": np.zeros((2, 2))}, expected, "grads") == "grads lacks the key(s) db1"
    problem = mismatch_dict({"dW1": np.zeros((2, 2)), "db1": np.ones((2, 1))}, expected, "grads")
    assert problem.startswith("grads['db1'] has wrong values")
    assert mismatch_dict({k: v.copy() for k, v in expected.items()}, expected, "grads") is None


# ----------------------------------------------------------------------- report / visible_test


def test_report_prints_a_green_pass_line_when_nothing_is_wrong(capsys):
    assert report("forward_propagation", [None, None]) is None
    assert capsys.readouterr().out == "\033[92mAll tests passed for forward_propagation.\033[0m\n"


def test_report_raises_check_failed_listing_every_problem(capsys):
    with pytest.raises(CheckFailed) as error:
        report("gradient_check", [None, "difference is 0.0; expected 1", "second problem"])
    assert str(error.value) == ("gradient_check: 2 problem(s) on the notebook's test case\n"
                                "  - difference is 0.0; expected 1\n"
                                "  - second problem")
    assert isinstance(error.value, AssertionError)
    assert capsys.readouterr().out == ""


def test_report_adds_the_hint_and_counts_the_problems_it_does_not_show():
    with pytest.raises(CheckFailed) as error:
        report("f", [f"problem {i}" for i in range(9)], ["the hint", "the hint"])
    lines = str(error.value).splitlines()
    assert lines[1:7] == [f"  - problem {i}" for i in range(6)]
    assert lines[7:] == ["  ... and 3 more", "Hint: the hint"]


def test_does_report_name_every_mistake_the_one_case_cannot_tell_apart():
    # J_minus at theta_plus and J_plus, J_minus swapped both give 1 on the notebook's case:
    # naming the first would be a wrong hint for half the students who get 1
    with pytest.raises(CheckFailed) as error:
        report("f", ["problem"], ["first hint", "second hint", "first hint"])
    assert str(error.value).splitlines()[-1] == (
        "Hint: on this case your output is what each of these known mistakes gives: "
        "1) first hint 2) second hint")


def test_a_failed_check_draws_itself_in_ipython_without_frames():
    error = CheckFailed("f: 1 problem(s)\n  - wrong")
    assert error._render_traceback_() == ["\033[91mf: 1 problem(s)\033[0m", "  - wrong"]


def test_under_autograde_report_prints_the_problems_instead_of_raising(autograde, capsys):
    assert under_autograde()
    assert report("gradient_check", ["difference is 0.0; expected 1"]) is None
    assert capsys.readouterr().out == ("gradient_check: 1 problem(s) on the notebook's test case\n"
                                       "  - difference is 0.0; expected 1\n")


def test_only_the_autograde_value_of_nbgrader_execution_counts(monkeypatch):
    assert not under_autograde()
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert not under_autograde()
    with pytest.raises(CheckFailed):
        report("x", ["wrong"])


@visible_test
def failing_visible_test():
    raise ValueError("the function returned None")


@visible_test
def passing_visible_test(value, *, twice=False):
    return value * 2 if twice else value


def test_visible_test_reraises_in_a_students_notebook():
    with pytest.raises(ValueError, match="returned None"):
        failing_visible_test()
    assert passing_visible_test(3, twice=True) == 6
    assert failing_visible_test.__name__ == "failing_visible_test"


def test_under_autograde_a_stub_is_printed_as_not_written_yet_not_raised(autograde, capsys):
    def stub(layers_dims):
        raise NotImplementedError()

    assert public_tests.initialize_parameters_he_test(stub) is None
    assert capsys.readouterr().out == (
        "`initialize_parameters_he` is not written yet: replace `raise NotImplementedError()` with "
        "your code, run that cell, then this one again.\n")


def test_visible_test_prints_the_error_under_autograde(autograde, capsys):
    assert failing_visible_test() is None
    out = capsys.readouterr().out
    assert out == "failing_visible_test: ValueError: the function returned None\n"
    assert passing_visible_test(3, twice=True) == 6


# ----------------------------------------------------------------------- the eleven visible tests


@pytest.fixture(scope="module")
def reference():
    """Every function of the three instructor notebooks, in one namespace per assignment."""
    return {name: load_notebook_functions(path) for name, path in NOTEBOOKS.items()}


@pytest.fixture(scope="module")
def gc_inputs(reference):
    """``(parameters, gradients, X, Y)`` of the notebook: the provided (buggy) backward pass."""
    nb = reference["gradient_checking"]
    X, Y, parameters = gradient_check_n_test_case()
    _, cache = nb["forward_propagation_n"](X, Y, parameters)
    return parameters, nb["backward_propagation_n"](X, Y, cache), X, Y


def wrong_he(layers_dims):
    """Xavier scaling (1 / n) instead of He's (2 / n)."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = (np.random.randn(layers_dims[l], layers_dims[l - 1])
                               * np.sqrt(1 / layers_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


# (assignment, function, mistake made from the reference, words the failure message must contain)
MISTAKES = [
    ("initialization", "initialize_parameters_zeros",
     lambda ref: lambda dims: {k: np.ones_like(v) for k, v in ref(dims).items()},
     "parameters['W1'] has wrong values"),
    ("initialization", "initialize_parameters_random",
     lambda ref: lambda dims: {k: v / 10 for k, v in ref(dims).items()},  # forgot the * 10
     "parameters['W1'] has wrong values"),
    ("initialization", "initialize_parameters_he",
     lambda ref: wrong_he,
     "parameters for [2, 4, 1]['W1'] has wrong values"),
    ("regularization", "compute_cost_with_regularization",
     lambda ref: lambda A3, Y, parameters, lambd: ref(A3, Y, parameters, 0),  # no L2 term
     "cost is "),
    ("regularization", "backward_propagation_with_regularization",
     lambda ref: lambda X, Y, cache, lambd: ref(X, Y, cache, 0),  # no lambd/m * W
     "gradients['dW1'] has wrong values"),
    ("regularization", "forward_propagation_with_dropout",
     lambda ref: lambda X, parameters, keep_prob=0.5: ref(X, parameters, 1.0),  # no dropout
     "A3 has wrong values"),
    ("regularization", "backward_propagation_with_dropout",
     lambda ref: lambda X, Y, cache, keep_prob: ref(X, Y, cache, 1.0),  # no 1 / keep_prob
     "gradients['dA1'] has wrong values"),
    ("gradient_checking", "forward_propagation",
     lambda ref: lambda x, theta: theta + x,
     "J for x = 2, theta = 4 is 6.0; expected 8.0"),
    ("gradient_checking", "backward_propagation",
     lambda ref: lambda x, theta: theta,
     "dtheta for x = 3, theta = 4 is 4.0; expected 3.0"),
    ("gradient_checking", "gradient_check",
     lambda ref: lambda x, theta, epsilon=1e-7, print_msg=False: 0.0,  # grad = gradapprox
     "difference for x = 3, theta = 4 is 0.0; expected 7.814075313343006e-11"),
    ("gradient_checking", "gradient_check_n",
     lambda ref: lambda parameters, gradients, X, Y, epsilon=1e-7, print_msg=False: 0.0,
     "difference is 0.0 but should be 0.2850931567761623 with the provided backward_propagation_n"),
]
FUNCTIONS = [(assignment, function) for assignment, function, _, _ in MISTAKES]


def run_visible_test(function, target, gc_inputs):
    test = getattr(public_tests, f"{function}_test")
    if function == "gradient_check_n":
        return test(target, *gc_inputs)
    return test(target)


def test_there_is_one_visible_test_per_graded_function():
    tests = sorted(name for name, value in vars(public_tests).items()
                   if name.endswith("_test") and callable(value)
                   and value.__module__ == "utils.public_tests")
    assert tests == sorted(f"{function}_test" for _, function in FUNCTIONS)
    assert len(tests) == 11


@pytest.mark.parametrize(("assignment", "function"), FUNCTIONS)
def test_visible_test_passes_the_reference_solution(reference, gc_inputs, capsys, assignment,
                                                    function):
    run_visible_test(function, reference[assignment][function], gc_inputs)
    # (gradient_check_n_test asks for the function's own message first, with print_msg=True)
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"\033[92mAll tests passed for {function}.\033[0m"


@pytest.mark.parametrize(("assignment", "function", "mistake", "words"), MISTAKES,
                         ids=[function for _, function, _, _ in MISTAKES])
def test_visible_test_fails_a_wrong_function_and_names_the_problem(reference, gc_inputs,
                                                                  assignment, function, mistake,
                                                                  words):
    wrong = mistake(reference[assignment][function])
    with pytest.raises(CheckFailed) as error:
        run_visible_test(function, wrong, gc_inputs)
    message = str(error.value)
    assert message.startswith(f"{function}: ")
    assert words in message


@pytest.mark.parametrize(("assignment", "function"), FUNCTIONS)
def test_visible_test_says_a_stub_is_not_written_yet(gc_inputs, assignment, function):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(NotWrittenYet) as error:
        run_visible_test(function, stub, gc_inputs)
    assert str(error.value).startswith(f"`{function}` is not written yet: replace")
    assert error.value.__cause__ is None and error.value.__suppress_context__
    assert isinstance(error.value, NotImplementedError)


def test_an_exception_in_the_students_code_is_named_with_their_line_only():
    def initialize_parameters_zeros(layers_dims):
        shape = (layers_dims[1], layers_dims[0])
        return np.zeros(shape) @ np.zeros((5, 5))

    with pytest.raises(RaisedError) as error:
        public_tests.initialize_parameters_zeros_test(initialize_parameters_zeros)
    lines = str(error.value).splitlines()
    assert lines[0].startswith("`initialize_parameters_zeros` raised ValueError: matmul")
    assert lines[1:] == ["  in initialize_parameters_zeros, line "
                         f"{initialize_parameters_zeros.__code__.co_firstlineno + 2}: "
                         "return np.zeros(shape) @ np.zeros((5, 5))"]


def student_he(scale):
    """He's initialiser with the weights' factor ``scale(n, n_prev)``."""
    def initialize_parameters_he(layers_dims):
        np.random.seed(3)
        parameters = {}
        for l in range(1, len(layers_dims)):
            n, n_prev = layers_dims[l], layers_dims[l - 1]
            parameters[f"W{l}"] = np.random.randn(n, n_prev) * scale(n, n_prev)
            parameters[f"b{l}"] = np.zeros((n, 1))
        return parameters
    return initialize_parameters_he


def l2_cost(l2_term):
    def compute_cost_with_regularization(A3, Y, parameters, lambd):
        m = Y.shape[1]
        weights = [parameters[f"W{l}"] for l in (1, 2, 3)]
        return cross_entropy_cost(A3, Y) + l2_term(m, lambd, weights)
    return compute_cost_with_regularization


def l2_backward(reference, factor):
    def backward_propagation_with_regularization(X, Y, cache, lambd):
        gradients = dict(reference(X, Y, cache, 0.0))
        W = {"dW1": cache[2], "dW2": cache[6], "dW3": cache[10]}
        m = X.shape[1]
        for key, weights in W.items():
            gradients[key] = gradients[key] + factor(m) * lambd / m * weights
        return gradients
    return backward_propagation_with_regularization


# (assignment, function, the student's function made from the reference, catalogued key)
HINTED = [
    ("initialization", "initialize_parameters_random",
     lambda ref: lambda dims: {k: v / 10 for k, v in ref(dims).items()}, "random-unscaled"),
    ("initialization", "initialize_parameters_he",
     lambda ref: student_he(lambda n, p: np.sqrt(1 / p)), "he-xavier"),
    ("initialization", "initialize_parameters_he",
     lambda ref: student_he(lambda n, p: np.sqrt(2 / n)), "he-current-layer"),
    ("initialization", "initialize_parameters_he",
     lambda ref: student_he(lambda n, p: 1.0), "he-unscaled"),
    ("initialization", "initialize_parameters_he",
     lambda ref: student_he(lambda n, p: 2 / p), "he-variance"),
    ("regularization", "compute_cost_with_regularization",
     lambda ref: l2_cost(lambda m, lambd, ws: lambd / 2 * sum(np.sum(w ** 2) for w in ws)),
     "l2-missing-1/m"),
    ("regularization", "compute_cost_with_regularization",
     lambda ref: l2_cost(lambda m, lambd, ws: lambd / m * sum(np.sum(w ** 2) for w in ws)),
     "l2-missing-1/2"),
    ("regularization", "compute_cost_with_regularization",
     lambda ref: l2_cost(lambda m, lambd, ws: lambd / (2 * m) * sum(np.sum(w) for w in ws)),
     "l2-not-squared"),
    ("regularization", "compute_cost_with_regularization",
     lambda ref: l2_cost(lambda m, lambd, ws: lambd / (2 * m) * sum(np.sum(w ** 2) for w in ws[:2])),
     "l2-missing-layer"),
    ("regularization", "backward_propagation_with_regularization",
     lambda ref: l2_backward(ref, lambda m: m), "l2-grad-missing-1/m"),
    ("regularization", "backward_propagation_with_regularization",
     lambda ref: l2_backward(ref, lambda m: -1), "l2-grad-sign"),
    ("regularization", "backward_propagation_with_dropout",
     lambda ref: lambda X, Y, cache, keep_prob: ref(X, Y, cache, 1.0), "dropout-backward-no-rescale"),
    ("regularization", "backward_propagation_with_dropout",
     lambda ref: lambda X, Y, cache, keep_prob: ref(X, Y, cache, 1 / keep_prob),
     "dropout-backward-times-keep-prob"),
    ("gradient_checking", "forward_propagation", lambda ref: lambda x, theta: x + theta,
     "forward-adds"),
    ("gradient_checking", "backward_propagation", lambda ref: lambda x, theta: theta,
     "backward-theta"),
    ("gradient_checking", "backward_propagation", lambda ref: lambda x, theta: x * theta,
     "backward-returns-J"),
    ("gradient_checking", "gradient_check",
     lambda ref: lambda x, theta, epsilon=1e-7, print_msg=False: 0.0, "grad-equals-gradapprox"),
    ("gradient_checking", "gradient_check",
     lambda ref: lambda x, theta, epsilon=1e-7, print_msg=False: float(np.linalg.norm(
         x - ((theta + epsilon) * x - (theta - epsilon) * x) / (2 * epsilon))),
     "difference-no-denominator"),
    ("gradient_checking", "gradient_check_n",
     lambda ref: lambda parameters, gradients, X, Y, epsilon=1e-7, print_msg=False: 0.0,
     "grad-equals-gradapprox-n"),
]


def hint_of(key):
    every = (mistakes.random_mistakes(None) + mistakes.he_mistakes(None)
             + mistakes.cost_mistakes(None) + mistakes.backward_l2_mistakes(None)
             + mistakes.dropout_backward_mistakes(None) + mistakes.forward_mistakes()
             + mistakes.backward_mistakes() + mistakes.gradient_check_mistakes(None, None)
             + mistakes.GRADIENT_CHECK_N)
    return next(known.hint for known in every if known.key == key)


@pytest.mark.parametrize(("assignment", "function", "mistake", "key"), HINTED,
                         ids=[key for *_, key in HINTED])
def test_a_catalogued_mistake_gets_its_hint_in_a_few_lines(reference, gc_inputs, assignment,
                                                          function, mistake, key):
    wrong = mistake(reference[assignment][function])
    with pytest.raises(CheckFailed) as error:
        run_visible_test(function, wrong, gc_inputs)
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f"{function}: ")
    # its hint, alone or with those of the mistakes the notebook's one case cannot tell from it
    assert lines[-1].startswith("Hint: ") and hint_of(key) in lines[-1]
    assert len(lines) <= 10


def test_every_wrong_gradient_is_reported_not_only_the_first(reference, gc_inputs):
    wrong = l2_backward(reference["regularization"]["backward_propagation_with_regularization"],
                        lambda m: m)
    with pytest.raises(CheckFailed) as error:
        run_visible_test("backward_propagation_with_regularization", wrong, gc_inputs)
    message = str(error.value)
    assert message.splitlines()[0].endswith(": 3 problem(s) on the notebook's test case")
    for key in ("dW1", "dW2", "dW3"):
        assert f"gradients['{key}'] has wrong values" in message
    assert "db1" not in message


def test_a_mistake_the_catalogue_does_not_know_gets_no_hint(reference, gc_inputs):
    def initialize_parameters_he(layers_dims):
        return {k: v + 1 for k, v in reference["initialization"]["initialize_parameters_he"](
            layers_dims).items()}
    with pytest.raises(CheckFailed) as error:
        run_visible_test("initialize_parameters_he", initialize_parameters_he, gc_inputs)
    assert "Hint" not in str(error.value)


def test_a_function_returning_none_gets_a_wrong_type_message_not_a_crash(gc_inputs):
    with pytest.raises(CheckFailed, match="parameters should be a dict"):
        public_tests.initialize_parameters_zeros_test(lambda dims: None)
    with pytest.raises(CheckFailed, match=r"should return \(A3, cache\)"):
        public_tests.forward_propagation_with_dropout_test(lambda X, p, keep_prob=0.5: None)
    with pytest.raises(CheckFailed, match="cost should be a real number, got NoneType"):
        public_tests.compute_cost_with_regularization_test(lambda A3, Y, p, lambd: None)


def test_gradient_check_n_test_also_accepts_the_difference_of_a_fixed_backward_pass(
        reference, gc_inputs, capsys):
    parameters, _, X, Y = gc_inputs
    _, cache = reference["gradient_checking"]["forward_propagation_n"](X, Y, parameters)
    fixed = backward_three_layer(X, Y, cache)
    public_tests.gradient_check_n_test(reference["gradient_checking"]["gradient_check_n"],
                                       parameters, fixed, X, Y)
    assert "All tests passed for gradient_check_n." in capsys.readouterr().out
