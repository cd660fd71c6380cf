"""Do the hidden cases of Initialization and Regularization keep their roles for every student,
are the property checks' chances of a wrong verdict what the modules state, and are dropout
masks judged by their numbers?

The roles and the stated chances are in the docstrings of
:mod:`autograder.assignments.initialization` and :mod:`autograder.assignments.regularization`.
The chances are computed here from the sizes and tolerances the checks use (and compared with
exact distributions), never estimated by drawing.
"""

import copy
import json
import math
import re

import numpy as np
import pytest
from scipy import stats

from autograder import assignments
from autograder.assignments import initialization, regularization
from autograder.grading import reference
from autograder.grading.checks import Outcome, judge, rng_for, seed_for
from autograder.grading.grade import Graders, grade_notebook

STUDENTS = [f"student-{i}" for i in range(120)]


def _checks(assignment, function, student):
    spec = reference.load(assignment)
    return spec, assignments.build_checks(spec, function, rng_for(seed_for(student, assignment), function))


def _hidden(checks):
    return [c for c in checks if c.name.startswith("hidden case")]


def _expected(spec, function, check):
    ref = spec.reference(function, check.stand_ins)
    return [ref(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]


# Roles ---------------------------------------------------------------------------------------


def test_does_every_student_get_gradient_checks_hidden_cases_in_their_roles():
    # The roles decide which catalogued mistakes fail where (e.g. a difference missing its
    # denominator fails cases 1 and 2 only because |x| is small there): a draw outside them
    # would score one mistake differently for some students.
    from autograder.assignments.gradient_checking import GRID, SMALL_X

    def on_grid(theta):
        return theta / GRID == round(theta / GRID)

    def between_grid_points(x):
        return 0.25 <= (abs(x) / GRID) % 1 <= 0.75

    for student in STUDENTS + [f"learner-{i}" for i in range(200)]:
        _, checks = _checks("gradient_checking", "gradient_check", student)
        cases = {c.name: [call.args for call in c.calls] for c in _hidden(checks)}
        assert sorted(cases) == [f"hidden case {i}" for i in (1, 2, 3, 4)]
        calls = [args for inputs in cases.values() for args in inputs]
        assert all(between_grid_points(x) and on_grid(theta) for x, theta in calls), student
        (x1, t1), (x2, t2) = cases["hidden case 1"]
        assert x1 < 0 and t1 == 0 and 0 < x2 and t2 < 0 and max(abs(x1), x2) <= SMALL_X, student
        ((x3, t3),) = cases["hidden case 2"]
        assert x3 < 0 and t3 > 0 and abs(x3) <= SMALL_X, student
        (a, ta), (b, tb) = cases["hidden case 3"]
        assert 0 < a and ta >= a + 0.5 and b < 0 and tb >= -b + 0.5, student
        (c, tc), (d, td) = cases["hidden case 4"]
        assert c < 0 and tc <= c - 0.5 and 0 < d and td <= -(d + 0.5), student


@pytest.mark.parametrize("function", ["initialize_parameters_zeros", "initialize_parameters_random",
                                      "initialize_parameters_he"])
def test_does_every_student_get_a_deeper_network_and_a_shallow_one_of_other_sizes(function):
    for student in STUDENTS:
        _, checks = _checks("initialization", function, student)
        deep, shallow = (c.calls[0].args[0] for c in _hidden(checks))
        assert len(deep) == 6 and deep[-1] == 1 and len(set(deep[:-1])) == 5 and min(deep[:-1]) >= 2
        assert deep[2] > deep[1] and deep[2] > deep[3]  # a layer wider than its neighbours
        assert len(shallow) == 3 and len(set(shallow)) == 3 and min(shallow) >= 2
        assert shallow[1] == max(shallow)  # widens, then narrows
        if function == "initialize_parameters_zeros":
            (dtype_check,) = [c for c in checks if c.name.startswith("weights are floating")]
            dims = dtype_check.calls[0].args[0]
            assert len(dims) == 5 and dims[-1] == 1 and len(set(dims[:-1])) == 4


@pytest.mark.parametrize("function", ["compute_cost_with_regularization",
                                      "backward_propagation_with_regularization"])
def test_does_every_student_get_a_lambd_below_1_and_one_above_on_networks_of_distinct_sizes(function):
    for student in STUDENTS:
        _, checks = _checks("regularization", function, student)
        lambds = []
        for check in checks[1:]:
            for call in check.calls:
                if function.startswith("compute"):
                    A3, Y, parameters, lambd = call.args
                else:
                    X, Y, cache, lambd = call.args
                    parameters = {"W1": cache[2], "W2": cache[6], "W3": cache[10]}
                n1, n0 = parameters["W1"].shape
                n2 = parameters["W2"].shape[0]
                m = Y.shape[1]
                assert len({n0, n1, n2}) == 3 and min(n0, n1, n2) >= 2
                assert m not in (1, 5, n0, n1, n2)
                if check.name.startswith("hidden"):
                    lambds.append(lambd)
        low, high = lambds
        assert 0.2 <= low <= 0.6 and 1.5 <= high <= 3.0


def test_does_every_students_forward_dropout_case_tell_the_usual_mistakes_apart():
    spec = reference.load("regularization")
    forward = spec.reference("forward_propagation_with_dropout")
    for student in STUDENTS:
        _, checks = _checks("regularization", "forward_propagation_with_dropout", student)
        first, second = _hidden(checks)
        for check, wider, (low, high) in ((first, 1, regularization.LOW_KEEP),
                                          (second, 2, regularization.HIGH_KEEP)):
            X, parameters, keep_prob = check.calls[0].args
            n1, n2 = parameters["W1"].shape[0], parameters["W2"].shape[0]
            assert (n1 > n2) if wider == 1 else (n2 > n1)
            assert low <= keep_prob <= high and X.shape[1] not in (1, 5)
            _, cache = forward(X, parameters, keep_prob)
            assert regularization.tells_dropout_forward(cache, keep_prob)
        (prop,) = [c for c in checks if c.name.startswith("keeps about")]
        X, parameters, keep_prob = prop.calls[0].args
        assert regularization.PROPERTY_KEEP[0] <= keep_prob <= regularization.PROPERTY_KEEP[1]
        assert (parameters["W1"].shape[0], parameters["W2"].shape[0], X.shape[1]) == (40, 30, 50)


def test_does_every_students_backward_dropout_case_tell_the_usual_mistakes_apart():
    for student in STUDENTS:
        _, checks = _checks("regularization", "backward_propagation_with_dropout", student)
        for check, equal in zip(_hidden(checks), (False, True), strict=True):
            X, Y, cache, keep_prob = check.calls[0].args
            n1, n2 = cache[0].shape[0], cache[5].shape[0]
            assert (n1 == n2) is equal
            assert regularization.tells_dropout_backward(X, Y, cache, keep_prob, equal)
        X, Y, cache, keep_prob = checks[-1].calls[0].args
        assert regularization.LOW_KEEP[0] <= keep_prob <= regularization.LOW_KEEP[1]


@pytest.mark.parametrize(("assignment", "function"), [
    (a, f.name) for a in ("initialization", "regularization") for f in reference.load(a).functions])
def test_does_no_hidden_case_describe_itself_with_a_number(assignment, function):
    for student in STUDENTS[:10]:
        _, checks = _checks(assignment, function, student)
        for check in _hidden(checks):
            assert not re.search(r"\d", check.describe), check.describe


# Chances of a wrong verdict -------------------------------------------------------------------


def test_does_the_spread_check_judge_only_matrices_large_enough_for_its_stated_chances():
    judged = [a * b for a, b in zip(initialization.WIDE[1:], initialization.WIDE[:-1], strict=True)
              if a * b >= initialization.SPREAD_MIN_WEIGHTS]
    assert judged == [3200, 3200]
    right, off = initialization.spread_error_chances()
    assert right <= 1e-13 and off <= 1e-20  # as the module's docstring states; the aim is 1e-9
    # the He mistakes the catalogue names are at least OFF_BY away on WIDE (current layer: sqrt 2)
    for n, n_prev in zip(initialization.WIDE[1:3], initialization.WIDE[:2], strict=True):
        ratio = math.sqrt(n_prev / n)
        assert max(ratio, 1 / ratio) >= initialization.OFF_BY
    assert math.sqrt(2) >= initialization.OFF_BY  # Xavier


@pytest.mark.parametrize("n", [2400, 3200, 5000])
def test_are_the_spread_bounds_above_the_exact_chi_square_tails(n):
    # The bounds are Chernoff bounds: never below the exact chances they stand for.
    t, k = initialization.STD_TOLERANCE, n - 1
    exact_right = (stats.chi2.cdf(n * (1 - t) ** 2, k) + stats.chi2.sf(n * (1 + t) ** 2, k)
                   + 2 * stats.norm.sf(initialization.MEAN_TOLERANCE * math.sqrt(n)))
    exact_off = max(stats.chi2.cdf(n * ((1 + t) / initialization.OFF_BY) ** 2, k),
                    stats.chi2.sf(n * ((1 - t) * initialization.OFF_BY) ** 2, k))
    right, off = initialization.spread_error_chances([n])
    assert exact_right <= right and exact_off <= off


def test_does_the_keep_rate_check_have_its_stated_chance_of_a_wrong_verdict():
    right, wrong = regularization.keep_rate_error_chance()
    assert right <= 1e-12 and wrong <= 1e-12  # as the module's docstring states
    # the stated chance comes from a margin of at least the tolerance between every known
    # wrong share and keep_prob, over the whole range of keep_prob
    low, high = regularization.PROPERTY_KEEP
    for keep_prob in np.linspace(low, high, 101):
        gaps = [abs(s - keep_prob) for s in regularization.wrong_keep_shares(keep_prob).values()]
        assert min(gaps) >= 2 * regularization.KEEP_RATE_TOLERANCE - 1e-12


def test_is_the_keep_rate_bound_above_the_exact_binomial_tail():
    tolerance = regularization.KEEP_RATE_TOLERANCE
    for units in regularization.PROPERTY_UNITS:
        n = units * regularization.PROPERTY_EXAMPLES
        for keep_prob in regularization.PROPERTY_KEEP:
            exact = (stats.binom.cdf(math.ceil(n * (keep_prob - tolerance)) - 1, n, keep_prob)
                     + stats.binom.sf(math.floor(n * (keep_prob + tolerance)), n, keep_prob))
            assert exact <= 2 * math.exp(-2 * n * tolerance ** 2)


def test_do_masks_seeded_with_1_keep_their_share_for_every_keep_prob_of_the_range():
    # Code seeded with 1 (the exercise's line) draws the same numbers for every student: the
    # share its masks keep stays within the tolerance for every keep_prob of the range.
    low, high = regularization.PROPERTY_KEEP
    shapes = [(units, regularization.PROPERTY_EXAMPLES) for units in regularization.PROPERTY_UNITS]
    state = np.random.RandomState(1)
    for u in (np.sort(state.rand(*shape).ravel()) for shape in shapes):
        n = u.size
        inside = u[(u >= low) & (u < high)]
        points = np.concatenate([[low, high], inside, np.nextafter(inside, 1)])
        shares = np.searchsorted(u, points, side="left") / n  # share of u < p
        assert np.max(np.abs(shares - points)) <= regularization.KEEP_RATE_TOLERANCE


# Masks judged by their numbers ----------------------------------------------------------------


def _forward_outcomes(spec, check, convert):
    expected = _expected(spec, "forward_propagation_with_dropout", check)
    outcomes = []
    for A3, cache in expected:
        cache = list(copy.deepcopy(cache))
        for position in (1, 6):
            cache[position] = convert(cache[position])
        outcomes.append(Outcome(value=(A3, tuple(cache))))
    return outcomes, expected


@pytest.mark.parametrize("convert", [lambda d: (d != 0).tolist(), lambda d: d.tolist(),
                                     lambda d: tuple(tuple(bool(x) for x in row) for row in d)],
                         ids=["lists of booleans", "lists of ints", "tuples of booleans"])
def test_do_masks_as_nested_lists_pass_every_scored_check(convert):
    spec, checks = _checks("regularization", "forward_propagation_with_dropout", "student-3")
    for check in checks:
        outcomes, expected = _forward_outcomes(spec, check, convert)
        problem = judge(check, outcomes, expected)
        if check.advisory:
            assert problem is not None and "numpy array" in problem
        else:
            assert problem is None, (check.name, problem)


@pytest.mark.parametrize("convert", [
    lambda d: (d == 0).tolist(),  # flipped masks
    lambda d: (d != 0).tolist()[:-1],  # a row short
    lambda d: [row[:-1] for row in (d != 0).tolist()],  # a column short
    lambda d: [[str(x) for x in row] for row in d.tolist()],  # text
    lambda d: [list(row) for row in (d != 0).tolist()[:1]] + [[True]],  # ragged
], ids=["flipped", "row short", "column short", "text", "ragged"])
def test_do_list_masks_with_wrong_numbers_or_shapes_still_fail(convert):
    spec, checks = _checks("regularization", "forward_propagation_with_dropout", "student-3")
    scored = [c for c in checks if not c.advisory and c.name != "keeps about keep_prob of the units "
                                                                "and rescales them"]
    for check in scored:
        outcomes, expected = _forward_outcomes(spec, check, convert)
        assert judge(check, outcomes, expected) is not None, check.name


LIST_MASKS = ["""
D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = [[value < keep_prob for value in row] for row in D1]
A1 = A1 * D1
A1 = A1 / keep_prob
""", """
D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = [[value < keep_prob for value in row] for row in D2]
A2 = A2 * D2
A2 = A2 / keep_prob
"""]


def test_does_a_dropout_caching_list_masks_get_full_marks_and_a_recommendation(tmp_path):
    from tests.sample_class.build import student_notebook

    work = {"regularization": {"forward_propagation_with_dropout": LIST_MASKS,
                               "backward_propagation_with_dropout": ["dA2 = dA2 * D2 / keep_prob",
                                                                     "dA1 = dA1 * D1 / keep_prob"]}}
    path = tmp_path / "lia" / "regularization" / "Regularization.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(student_notebook("regularization", work)))
    with Graders() as graders:
        result = grade_notebook(path, graders=graders, secret="a course")
    forward = result.functions["forward_propagation_with_dropout"]
    assert forward.score == forward.max_score and forward.status == "passed"
    assert forward.hint.startswith("Recommendation (no points lost)") and "numpy array" in forward.hint
    backward = result.functions["backward_propagation_with_dropout"]
    assert backward.score == backward.max_score


@pytest.mark.parametrize(("value", "shape"), [
    ([[True, False], [False, True]], (2, 2)), (((1, 0, 1),), (1, 3)), ([[0.5, 1]], (1, 2)),
    (np.array([[1, 0]]), (1, 2)), ([np.array([True, False]), np.array([False, False])], (2, 2)),
])
def test_does_as_numeric_array_read_what_numpy_reads_as_numbers(value, shape):
    from utils.checks import as_numeric_array

    assert as_numeric_array(value).shape == shape


@pytest.mark.parametrize("value", [[[True], [True, False]], [["True", "False"]], [[None, 1]], "101",
                                   {"D1": [1, 0]}, np.array([["a"]]), 3])
def test_does_as_numeric_array_refuse_ragged_text_and_other_values(value):
    from utils.checks import as_numeric_array

    assert as_numeric_array(value) is None


def _list_mask_forward(mask_of):
    from utils.activations import relu, sigmoid

    def forward(X, parameters, keep_prob=0.5):
        np.random.seed(1)
        W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        Z1 = W1 @ X + b1
        D1 = mask_of(np.random.rand(*Z1.shape) < keep_prob)
        A1 = relu(Z1) * D1 / keep_prob
        Z2 = W2 @ A1 + b2
        D2 = mask_of(np.random.rand(*Z2.shape) < keep_prob)
        A2 = relu(Z2) * D2 / keep_prob
        Z3 = W3 @ A2 + b3
        A3 = sigmoid(Z3)
        return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return forward


def test_does_the_visible_test_pass_list_masks_with_a_note(capsys):
    from utils import public_tests

    public_tests.forward_propagation_with_dropout_test(_list_mask_forward(lambda d: d.tolist()))
    out = capsys.readouterr().out
    assert "All tests passed" in out and "numpy array" in out and "D1 is a list" in out


def test_does_the_visible_test_fail_list_masks_of_the_wrong_numbers():
    from utils import public_tests
    from utils.checks import CheckFailed

    with pytest.raises(CheckFailed, match="cache D1"):
        public_tests.forward_propagation_with_dropout_test(_list_mask_forward(lambda d: (~d).tolist()))


# Same code, same score, in process: mistaken answers judged as many students ------------------


def _score(assignment, function, answer, student):
    """The share of a function's points ``answer`` (a Python function) earns for ``student``,
    judged in process as the grader judges the sandbox's outcomes."""
    from autograder.grading.checks import unearned
    from utils.checks import Problem

    spec, checks = _checks(assignment, function, student)
    judged = []
    for check in checks:
        outcomes = []
        for call in check.calls:
            try:
                outcomes.append(Outcome(value=answer(*copy.deepcopy(call.args))))
            except Exception as error:  # raised on these inputs: the check fails
                outcomes.append(Outcome(failure=Problem("exception", type(error).__name__)))
        expected = _expected(spec, function, check)
        judged.append((check, outcomes, expected, judge(check, outcomes, expected)))
    refused = unearned(judged)
    earned = sum(c.weight for c, _, _, p in judged if not c.advisory and p is None and not refused)
    return earned / sum(c.weight for c in checks)


def _initialiser(weights, *, layers=None, one_output=False, seeded=True):
    def answer(layers_dims):
        if seeded:
            np.random.seed(3)
        parameters = {}
        for l in range(1, len(layers_dims) if layers is None else min(layers + 1, len(layers_dims))):
            n, n_prev = layers_dims[l], layers_dims[l - 1]
            n = 1 if one_output and l == len(layers_dims) - 1 else n
            parameters[f"W{l}"] = weights(n, n_prev, layers_dims)
            parameters[f"b{l}"] = np.zeros((n, 1))
        return parameters
    return answer


def _he(scale):
    return _initialiser(lambda n, n_prev, dims: np.random.randn(n, n_prev) * scale(n, n_prev, dims))


INITIALISERS = [
    ("initialize_parameters_zeros", "four layers only", 0.75,
     _initialiser(lambda n, p, d: np.zeros((n, p)), layers=4)),
    ("initialize_parameters_zeros", "transposed", 0.0, _initialiser(lambda n, p, d: np.zeros((p, n)))),
    ("initialize_parameters_zeros", "one output unit", 0.75,
     _initialiser(lambda n, p, d: np.zeros((n, p)), one_output=True)),
    ("initialize_parameters_random", "three layers only", 0.75,
     _initialiser(lambda n, p, d: np.random.randn(n, p) * 10, layers=3)),
    ("initialize_parameters_random", "transposed draws", 0.25,
     _initialiser(lambda n, p, d: np.random.randn(p, n).T * 10)),
    ("initialize_parameters_random", "unseeded", 0.25,
     _initialiser(lambda n, p, d: np.random.randn(n, p) * 10, seeded=False)),
    ("initialize_parameters_he", "scaled by the larger size", 0.0,
     _he(lambda n, p, d: np.sqrt(2 / max(n, p)))),
    ("initialize_parameters_he", "scaled by the smaller size", 0.0,
     _he(lambda n, p, d: np.sqrt(2 / min(n, p)))),
    ("initialize_parameters_he", "scaled by the current size", 0.0, _he(lambda n, p, d: np.sqrt(2 / n))),
    ("initialize_parameters_he", "2 // n_prev", 0.0, _he(lambda n, p, d: np.sqrt(2 // p))),
    ("initialize_parameters_he", "unscaled", 0.0, _he(lambda n, p, d: 1.0)),
    ("initialize_parameters_he", "scaled by the input size", 0.0, _he(lambda n, p, d: np.sqrt(2 / d[0]))),
    ("initialize_parameters_he", "sqrt(2 / len(layers_dims))", 0.0, _he(lambda n, p, d: np.sqrt(2 / len(d)))),
]


@pytest.mark.parametrize(("function", "name", "share", "answer"), INITIALISERS,
                         ids=[f"{f.split('_')[-1]}-{n}" for f, n, _, _ in INITIALISERS])
def test_does_a_mistaken_initialiser_earn_one_share_of_its_points_for_every_student(function, name,
                                                                                     share, answer):
    scores = {round(_score("initialization", function, answer, student), 9) for student in STUDENTS[:30]}
    assert scores == {share}, name


def _dropout_forward(mask, *, divide=None, second=None, reseed=False):
    from utils.activations import relu, sigmoid

    def answer(X, parameters, keep_prob=0.5):
        np.random.seed(1)
        W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        scale = keep_prob if divide is None else divide
        Z1 = W1 @ X + b1
        D1 = mask(Z1.shape, keep_prob)
        A1 = relu(Z1) * D1 / scale
        Z2 = W2 @ A1 + b2
        if reseed:
            np.random.seed(1)
        D2 = (second or mask)(Z2.shape, keep_prob)
        A2 = relu(Z2) * D2 / scale
        Z3 = W3 @ A2 + b3
        A3 = sigmoid(Z3)
        return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return answer


def _below(threshold):
    return lambda shape, keep_prob: (np.random.rand(*shape) < threshold(keep_prob)).astype(int)


RIGHT_MASK = _below(lambda keep_prob: keep_prob)
FORWARD_ANSWERS = [
    ("threshold 0.5", 0.0, _dropout_forward(_below(lambda p: 0.5))),
    ("threshold 0.8", 0.0, _dropout_forward(_below(lambda p: 0.8))),
    ("threshold 1 - keep_prob", 0.0, _dropout_forward(_below(lambda p: 1 - p))),
    ("divided by 0.5", 0.0, _dropout_forward(RIGHT_MASK, divide=0.5)),
    ("second layer keeps all", 0.0, _dropout_forward(RIGHT_MASK, second=lambda s, p: np.ones(s))),
    ("transposed draws", 0.4,
     _dropout_forward(lambda s, p: (np.random.rand(s[1], s[0]).T < p).astype(int))),
    ("reseeded before the second layer", 0.4, _dropout_forward(RIGHT_MASK, reseed=True)),
    ("np.random.binomial", 1.0, _dropout_forward(lambda s, p: np.random.binomial(1, p, s))),
    ("numpy's Generator, seeded with 1", 0.4,  # the right share, not the exercise's draws
     _dropout_forward(lambda s, p: (np.random.default_rng(1).random(s) < p).astype(int))),
]


@pytest.mark.parametrize(("name", "share", "answer"), FORWARD_ANSWERS, ids=[n for n, _, _ in FORWARD_ANSWERS])
def test_does_a_dropout_forward_pass_earn_one_share_of_its_points_for_every_student(name, share, answer):
    scores = {round(_score("regularization", "forward_propagation_with_dropout", answer, student), 9)
              for student in STUDENTS[:30]}
    assert scores == {share}, name
