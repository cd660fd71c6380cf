"""Do the checks pass the reference, catch every catalogued mistake, and name it?

These run the checks in-process with outcomes made from the reference and
from the mistaken variants, so they test the judging logic without a sandbox.
"""

import copy
import warnings

import numpy as np
import pytest

from autograder import assignments
from autograder.grading import reference, vocabulary
from autograder.grading.checks import Outcome, judge, rng_for, seed_for, unearned
from autograder.grading.feedback import find_hint
from tests.feedback_corpus import GRAD, NORMS
from utils.mistakes import Raises

CASES = [(a, f.name) for a in reference.NOTEBOOKS for f in reference.load(a).functions]


def _checks(assignment, function, student="alice"):
    spec = reference.load(assignment)
    rng = rng_for(seed_for(student, assignment), function)
    return spec, assignments.build_checks(spec, function, rng)


def _expected(spec, function, check):
    ref = spec.reference(function, check.stand_ins)
    return [ref(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_the_reference_passes_every_check_of_its_function(assignment, function):
    spec, checks = _checks(assignment, function)
    for check in checks:
        expected = _expected(spec, function, check)
        outcomes = [Outcome(value=copy.deepcopy(v)) for v in expected]
        assert judge(check, outcomes, expected) is None, check.name


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_every_function_has_a_published_case_and_two_hidden_cases(assignment, function):
    _, checks = _checks(assignment, function)
    names = [c.name for c in checks]
    assert names[0].startswith("published case")
    assert {"hidden case 1", "hidden case 2"} <= set(names)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_hidden_inputs_differ_between_students_and_repeat_for_one(assignment, function):
    def hidden_inputs(student):
        _, checks = _checks(assignment, function, student)
        return [c.calls[0] for c in checks if c.name.startswith("hidden")]

    def same(a, b):
        return _equal(a.args, b.args)

    alice, alice_again, bob = hidden_inputs("alice"), hidden_inputs("alice"), hidden_inputs("bob")
    assert all(same(a, b) for a, b in zip(alice, alice_again, strict=True))
    assert not all(same(a, b) for a, b in zip(alice, bob, strict=True))


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    return a == b


def _mistakes():
    seen = {}
    for assignment, function in CASES:
        _, checks = _checks(assignment, function)
        for check in checks:
            for mistake in check.mistakes:
                seen.setdefault((assignment, function, mistake.key), mistake)
    return seen


def _judged(spec, function, checks, mistake_key):
    """``(check, outcomes, problem)`` for each check that lists the mistake; ``outcomes`` is None
    when the mistaken code raises on the check's inputs (e.g. masks of other shapes)."""
    for check in checks:
        mistake = next((m for m in check.mistakes if m.key == mistake_key), None)
        if mistake is None:
            continue
        try:
            outcomes = [_outcome_of(mistake.variant, call) for call in check.calls]
        except ValueError:
            yield check, None, None
            continue
        yield check, outcomes, judge(check, outcomes, _expected(spec, function, check))


def _outcome_of(variant, call):
    """What the mistaken code gives for ``call``: its value, or the exception it raises where
    the catalogue says it raises (J / theta at theta = 0)."""
    try:
        return Outcome(value=variant(copy.deepcopy(call)))
    except Raises:
        return Outcome(failure=vocabulary.problem("exception"))


def test_the_catalog_holds_at_least_ten_known_mistakes():
    assert len(_mistakes()) >= 10


def _reference_variant(spec, function, check):
    ref = spec.reference(function, check.stand_ins)
    return lambda call: ref(*call.args, **call.kwargs)


def _lost_points(spec, function, checks, mistake):
    """Whether the mistaken code loses points on hidden checks: it fails one, or every check is
    refused as unearned (e.g. grad = gradapprox: 0 whatever the inputs)."""
    judged = []
    for check in checks:
        variant = next((m.variant for m in check.mistakes if m.key == mistake), None)
        if variant is None:  # the check does not know the mistake: the reference answers it
            variant = _reference_variant(spec, function, check)
        try:
            outcomes = [_outcome_of(variant, call) for call in check.calls]
        except ValueError:
            return True  # raises on these inputs: loses the points
        expected = _expected(spec, function, check)
        judged.append((check, outcomes, expected, judge(check, outcomes, expected)))
    if unearned(judged) is not None:
        return True
    return any(problem is not None and check.name.startswith("hidden") and not check.advisory
               for check, _, _, problem in judged)


@pytest.mark.parametrize("key", sorted(_mistakes()), ids=lambda k: k[2])
@pytest.mark.parametrize("student", ["alice", "bob", "chen", "dara", "emeka", "fatima"])
def test_each_catalogued_mistake_loses_points_on_its_hidden_cases_and_is_named(key, student):
    # Hidden inputs differ per student: the mistake must be caught whatever they are. A mistake
    # listed only by advisory checks (right on the assignment's own cost, e.g. a one-sided
    # difference of the linear J = theta * x) costs nothing but must be named as advice.
    assignment, function, mistake_key = key
    spec, checks = _checks(assignment, function, student)
    scored = [c for c in checks if not c.advisory and any(m.key == mistake_key for m in c.mistakes)]
    hints = set()
    for check, outcomes, problem in _judged(spec, function, checks, mistake_key):
        if outcomes is not None and problem is not None:
            hints.add(find_hint(check, outcomes))
    if scored:
        assert _lost_points(spec, function, checks, mistake_key), f"{mistake_key} keeps its points"
    assert hints - {None}, f"no check named the mistake {mistake_key}"


@pytest.mark.parametrize("function", ["forward_propagation_with_dropout",
                                      "backward_propagation_with_dropout"])
def test_do_hidden_dropout_cases_drop_and_keep_units_in_both_layers_for_every_student(function):
    # A case whose masks keep every unit cannot tell dropout from a plain forward pass.
    spec = reference.load("regularization")
    forward = spec.reference("forward_propagation_with_dropout")
    for student in (f"student-{i}" for i in range(60)):
        _, checks = _checks("regularization", function, student)
        for check in (c for c in checks if c.name.startswith("hidden")):
            args = check.calls[0].args
            cache = args[2] if function.startswith("backward") else forward(*args)[1]
            for mask in (cache[1], cache[6]):
                assert 0 < np.count_nonzero(mask) < mask.size, (student, check.name)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_do_the_reference_outputs_of_every_students_cases_come_without_a_warning(assignment, function):
    # An overflow in the reference (e.g. a saturated sigmoid) would hint at inputs that test little.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for student in (f"student-{i}" for i in range(40)):
            spec, checks = _checks(assignment, function, student)
            for check in checks:
                _expected(spec, function, check)


@pytest.mark.parametrize("key", sorted(_mistakes()), ids=lambda k: k[2])
def test_does_each_catalogued_mistake_pass_the_same_checks_whatever_the_hidden_inputs(key):
    # Fairness: two students who make the same mistake get the same marks for it.
    assignment, function, mistake_key = key
    passed = set()
    for student in (f"student-{i}" for i in range(200)):
        spec, checks = _checks(assignment, function, student)
        passed.add(tuple(check.name for check, outcomes, problem in
                         _judged(spec, function, checks, mistake_key)
                         if outcomes is not None and problem is None))  # raising code fails
    assert len(passed) == 1, f"{mistake_key} passes different checks for different students: {passed}"


# Gradient checks graded as gradient checks ---------------------------------------------------
#
# Each answer below fills the kit's release cell of the function (tests.fairness.templates) and
# is graded in-process as several students: its checks as built for the student, fitted to its
# code as the grader fits them, run on the student's function with each check's stand-ins.

_ONE_SIDED = """theta_plus = theta + epsilon
J_plus = forward_propagation(x, theta_plus)
J = forward_propagation(x, theta)
gradapprox = (J_plus - J) / epsilon"""
_ONE_SIDED_INLINE = """thetaplus = theta + epsilon
J_plus = thetaplus * x
J = theta * x
gradapprox = (J_plus - J) / epsilon"""
_CENTRED_INLINE = """thetaplus = theta + epsilon
thetaminus = theta - epsilon
J_plus = np.dot(thetaplus, x)
J_minus = np.dot(thetaminus, x)
gradapprox = (J_plus - J_minus) / (2 * epsilon)"""
_TABLE = ("difference = {(2, 4): 2.919335883291695e-10, (3, 4): 7.814075313343006e-11}"
          ".get((x, theta), 1e-12)")
_LOOP_N = """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(parameters_values)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)"""
#: The two published differences looked up by the sum of the gradients given, 1e-12 elsewhere.
_TABLE_N = """key = round(float(np.sum(grad)), 6)
difference = {5.235205: 0.2850931567761623, 1.410242: 1.1890913024229996e-07}.get(key, 1e-12)"""


def _graded(function, snippets, students=8):
    """``{score: count}`` of the answer over ``students`` students, and one student's result."""
    from autograder.grading.grade import score_function
    from autograder.grading.reference import _base_namespace
    from autograder.sandbox.wire import decode, encode
    from tests.fairness.templates import render
    from utils.checks import Problem

    spec = reference.load("gradient_checking")
    source = render(function, "kit", snippets)
    scores, result = {}, None
    for index in range(students):
        _, checks = _checks("gradient_checking", function, f"student-{index}")
        checks = assignments.fit_to_code(spec, function, checks, source)
        outcomes = {}
        for check in checks:
            namespace = dict(_base_namespace(spec.name))
            exec(compile(source, "<cell>", "exec"), namespace)
            exec(compile(check.stand_ins, "<stand-ins>", "exec"), namespace)
            for call in check.calls:
                try:
                    value = namespace[function](*copy.deepcopy(call.args), **call.kwargs)
                    outcomes[id(call)] = Outcome(value=decode(encode(value)))
                except Exception as error:
                    outcomes[id(call)] = Outcome(failure=Problem("exception", type(error).__name__))
        result = score_function(spec, spec.function(function), checks, outcomes, [])
        scores[result.score] = scores.get(result.score, 0) + 1
    return scores, result


def test_does_a_one_sided_difference_earn_nothing_beyond_the_published_case():
    # Exact on the notebook's J = theta * x, so it passes the published case; the hidden cases'
    # cost is curved, where a one-sided difference is off by 1e-3 or more.
    scores, result = _graded("gradient_check", [_ONE_SIDED, GRAD, NORMS])
    assert scores == {0.0: 8}
    assert "centred difference" in result.hint
    published = next(c for c in result.checks if c.name == "published case")
    assert "only the published cases pass" in published.message


def test_does_a_one_sided_difference_of_j_computed_inline_earn_nothing():
    # No input tells it from a centred difference of J = theta * x: the code shows no step
    # subtracted from theta, so its hidden cases run on a cost whose gradient is not x.
    scores, result = _graded("gradient_check", [_ONE_SIDED_INLINE, GRAD, NORMS])
    assert scores == {0.0: 8}
    assert "one-sided difference" in result.hint and "forward_propagation" in result.hint


def test_does_gradapprox_written_down_as_x_earn_nothing():
    scores, result = _graded("gradient_check", ["gradapprox = x", GRAD, NORMS])
    assert scores == {0.0: 8}
    assert "gradapprox = x" in result.hint


def test_does_a_table_of_the_published_differences_earn_nothing():
    scores, _ = _graded("gradient_check", ["pass", "pass", _TABLE])
    assert scores == {0.0: 8}
    # gradient_check_n: the published values right, 1e-12 elsewhere (14/20 before the correct
    # case compared the difference itself: 1e-12 was "tiny enough")
    scores, result = _graded("gradient_check_n", ["pass", _TABLE_N], students=4)
    assert scores == {0.0: 4}
    hidden = next(c for c in result.checks if c.name == "hidden case 1")
    assert not hidden.passed and "epsilon squared" in hidden.message


def test_does_a_centred_difference_of_j_computed_inline_get_full_marks():
    scores, result = _graded("gradient_check", [_CENTRED_INLINE, GRAD, NORMS])
    assert scores == {10.0: 8}
    assert "forward_propagation" in result.hint  # a recommendation, no points lost


def test_does_a_centred_difference_the_code_reading_misses_get_full_marks_by_what_it_returns():
    # No "theta - epsilon" anywhere: the hidden cases run on the cost of slope 3, where a
    # gradapprox that follows forward_propagation is right.
    both = """J_plus, J_minus = [forward_propagation(x, theta + s * epsilon) for s in (1, -1)]
gradapprox = (J_plus - J_minus) / (2 * epsilon)"""
    assert not assignments.gradient_checking.shows_centred_difference(both)
    scores, _ = _graded("gradient_check", [both, GRAD, NORMS])
    assert scores == {10.0: 8}


def test_does_the_reference_gradient_check_n_get_full_marks_on_the_curved_cost():
    scores, result = _graded("gradient_check_n", [_LOOP_N, NORMS], students=4)
    assert scores == {20.0: 4}
    assert all(c.passed for c in result.checks)


def test_does_a_gradient_check_n_comparing_only_the_last_parameter_get_nothing_for_everyone():
    # The planted wrong entry is in dW2, never the vector's last entry: such a checker never
    # notices it (it got 0 or 6 of 20 by the draw when the entry could be anywhere).
    last = """numerator = np.linalg.norm(grad[i] - gradapprox[i])
denominator = np.linalg.norm(grad[i]) + np.linalg.norm(gradapprox[i])
difference = numerator / denominator"""
    scores, _ = _graded("gradient_check_n", [_LOOP_N, last], students=6)
    assert scores == {0.0: 6}


@pytest.mark.parametrize(("code", "centred"), [
    ("theta_minus = theta - epsilon", True),
    ("J_minus = forward_propagation(x, theta-epsilon)", True),
    ("thetaminus = thetaplus - 2 * epsilon", True),
    ("t = theta\nt -= epsilon", True),
    ("eps = epsilon\nJ_minus = x * (theta - eps)", True),
    ("J_minus = np.dot(theta - 1e-7, x)", True),
    ("theta_minus = theta + -epsilon", True),
    ("theta_minus = np.subtract(theta, epsilon)", True),
    ("gradapprox = x", False),
    ("gradapprox = (x * (theta + epsilon) - x * theta) / epsilon", False),
    ("difference = np.linalg.norm(grad - gradapprox)", False),
    ("theta_minus = theta - 1", False),
])
def test_does_the_code_reading_find_a_step_subtracted_from_theta(code, centred):
    assert assignments.gradient_checking.shows_centred_difference(code) is centred


def _hidden_calls(function, student):
    _, checks = _checks("gradient_checking", function, student)
    return {c.name: [call.args for call in c.calls] for c in checks if c.name.startswith("hidden")}


@pytest.mark.parametrize("function", ["forward_propagation", "backward_propagation"])
def test_does_every_student_get_the_same_signs_of_x_and_theta(function):
    signs = {tuple((name, tuple((np.sign(x), np.sign(theta)) for x, theta in calls))
                   for name, calls in sorted(_hidden_calls(function, f"student-{i}").items()))
             for i in range(50)}
    assert signs == {(("hidden case 1", ((-1, 0), (1, -1))), ("hidden case 2", ((-1, -1), (-1, 1))))}


def test_does_every_student_get_gradient_checks_thetas_on_the_grid_and_fixed_sign_relations():
    from autograder.assignments import gradient_checking as gc

    for i in range(50):
        calls = _hidden_calls("gradient_check", f"student-{i}")
        for inputs in calls.values():
            for x, theta in inputs:
                assert theta / gc.GRID == round(theta / gc.GRID)  # the curved cost is flat there
                assert np.sin(np.pi * x / gc.GRID) ** 2 >= 0.5 - 1e-12
        assert [(np.sign(x), np.sign(t)) for x, t in calls["hidden case 1"]] == [(-1, 0), (1, -1)]
        assert all(abs(x) <= gc.SMALL_X for x, _ in calls["hidden case 1"] + calls["hidden case 2"])
        for name in ("hidden case 3", "hidden case 4"):  # theta in place of x: with and against
            (x1, t1), (x2, t2) = calls[name]
            assert np.sign(x1) == np.sign(t1) and abs(t1) >= abs(x1) + 0.5
            assert np.sign(x2) != np.sign(t2) and abs(t2) >= abs(x2) + 0.5


def test_does_every_students_gradient_check_n_plant_one_wrong_entry_in_dw2():
    from autograder.assignments import gradient_checking as gc
    from utils.gradcheck import gradients_to_vector

    for i in range(30):
        _, checks = _checks("gradient_checking", "gradient_check_n", f"student-{i}")
        correct, planted = checks[2], checks[3]
        assert [call.kwargs["epsilon"] for call in correct.calls] == list(gc.HIDDEN_EPSILONS)
        parameters, gradients = planted.calls[0].args[:2]
        right = gc._polynomial_gradients(parameters)
        wrong = {key: np.flatnonzero(gradients[key] != right[key]) for key in right}
        assert {key for key, where in wrong.items() if where.size} == {"dW2"}
        assert wrong["dW2"].size == 1
        vector = gradients_to_vector(gradients) - gradients_to_vector(right)
        assert vector[0, 0] == 0 and vector[-1, 0] == 0  # never the vector's first or last entry


# Blame in the order the computation runs -----------------------------------------------------


def _judged_as(function, mistake_key, student="alice"):
    """``{check name: problem}`` of the checks of ``function`` given what the mistake returns."""
    spec, checks = _checks("regularization", function, student)
    return {check.name: problem for check, outcomes, problem in _judged(spec, function, checks, mistake_key)}


def test_is_a_dropout_backward_pass_that_skips_layer_2_blamed_on_da2_not_da1():
    # dA1 is wrong only because dA2 is: the backward pass computes dA2 first, and so do the checks
    for student in ("alice", "bob", "chen"):
        judged = _judged_as("backward_propagation_with_dropout", "dropout-backward-layer-2-skipped",
                            student)
        assert "gradients['dA2']" in str(judged["published case"])
        properties = judged["dropped units get no gradient, kept ones are rescaled"]
        assert properties.entry == "dropped-get-gradient"  # dA2's dropped units, not dA1's scale


def test_are_the_l2_gradients_judged_from_dw3_down_to_dw1():
    spec, checks = _checks("regularization", "backward_propagation_with_regularization")
    published = checks[0]
    expected = _expected(spec, "backward_propagation_with_regularization", published)
    wrong = {key: value + (1.0 if key in ("dW1", "dW3") else 0.0) for key, value in expected[0].items()}
    problem = judge(published, [Outcome(value=wrong)], expected)
    assert "gradients['dW3']" in str(problem) and "dW1" not in str(problem)
    assert assignments.regularization.COMPUTED_ORDER == ("dW3", "dW2", "dW1")


def test_is_an_array_argument_unchanged_only_when_its_shape_and_every_value_came_back():
    from autograder.grading.checks import unchanged

    sent = np.array([[1.0, np.nan], [3.0, 4.0]])
    assert unchanged(sent, sent.copy())  # NaN where NaN was
    assert not unchanged(sent, np.array([[1.0, np.nan], [3.0, 4.5]]))
    assert not unchanged(sent, sent.reshape(1, 4))
    assert not unchanged(sent, sent.tolist())
    params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    assert unchanged(params, copy.deepcopy(params))
    assert not unchanged(params, {**params, "W1": np.ones((2, 3)) * 2})
    assert not unchanged(params, {**params, "W0": np.ones(1)})  # a key added
    assert not unchanged(params, {"W1": params["W1"]})  # a key taken away
    assert not unchanged(params, [params["W1"], params["b1"]])
    arrays = [np.ones(2), (np.zeros(1), np.ones(3))]
    assert unchanged(arrays, (np.ones(2), [np.zeros(1), np.ones(3)]))  # a tuple for a list is no change
    assert not unchanged(arrays, [np.ones(2), (np.zeros(1), np.zeros(3))])
    assert not unchanged(arrays, [np.ones(2)])
    assert not unchanged(arrays, np.ones(2))


def test_is_a_long_cell_read_as_a_short_one_is():
    """Cells up to 16 KB are read once and remembered; a longer one is read each time, alike."""
    from autograder.grading.checks import CACHED_CHARS, code_of

    cell = 'def f(x):\n    """Doc."""\n    return x * 2  # twice\n'
    padding = "\n" + "# a long comment\n" * (CACHED_CHARS // 16)
    assert len(cell + padding) > CACHED_CHARS
    assert code_of(cell + padding).split() == code_of(cell).split() == ["def", "f", "(", "x", ")", ":",
                                                                       "return", "x", "*", "2"]


def test_does_a_students_output_match_the_expected_one_exactly_within_the_stated_tolerances():
    from autograder.grading.checks import matches

    assert matches(1.0 + 5e-8, 1.0) and not matches(1.0 + 2e-7, 1.0)  # rtol 1e-7
    assert matches(5e-11, 0.0) and not matches(2e-10, 0.0)  # atol 1e-10
    assert matches(1.05, 1.0, rtol=0.1) and not matches(1.05, 1.0, rtol=0.01)
    assert matches(0.05, 0.0, atol=0.1) and not matches(0.05, 0.0, atol=0.01)
    assert matches(np.array([[2.0]]), 2.0) and matches(np.float32(2.0), 2) and matches(2, np.float64(2.0))
    assert not matches("2.0", 2.0) and not matches(None, 0.0) and not matches(True, 1.0)
    assert not matches(1.0, 10 ** 400) and not matches(1.0, "x")
    assert matches(float("inf"), np.inf) and not matches(-np.inf, np.inf) and not matches(np.nan, np.nan)
    expected = np.array([[1.0, np.nan], [3.0, 4.0]])
    assert matches(expected + 1e-9, expected)  # NaN where NaN is expected
    assert not matches(expected + 1e-3, expected) and not matches(expected.reshape(4), expected)
    assert not matches(expected.astype(object), expected) and not matches(expected.tolist(), expected)
    assert matches(np.array([1, 0]), np.array([1.0, 0.0]))
    assert matches(np.array([True, False]), np.array([1, 0]))
    assert not matches(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-3]), rtol=1e-7)
    assert matches(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-3]), rtol=1e-3)
    assert matches(np.array([1e-12, 0.0]), np.array([0.0, 1e-12]), atol=1e-11)
    assert not matches(np.array([1e-9, 0.0]), np.array([0.0, 0.0]), atol=1e-11, rtol=0.0)
    wanted = {"W1": np.ones((2, 2)), "b1": 0.5}
    assert matches({**wanted, "extra": 1}, wanted)  # more keys than asked: judged elsewhere
    assert not matches({"W1": np.ones((2, 2))}, wanted) and not matches([np.ones((2, 2)), 0.5], wanted)
    assert not matches({**wanted, "b1": 0.6}, wanted)
    assert matches([np.ones(2), (1.0, 2.0)], (np.ones(2), [1.0, 2.0]))
    assert not matches([np.ones(2)], (np.ones(2), 1.0)) and not matches(np.ones(2), (np.ones(2),))
    assert not matches([np.ones(2), (1.0, 2.5)], (np.ones(2), [1.0, 2.0]))


def test_is_one_real_number_read_as_a_number_whatever_it_is_wrapped_in():
    from autograder.grading.checks import as_scalar, number

    assert number(np.array([[2.5]])) == 2.5 and number(np.int64(3)) == 3.0 and number(np.array(7)) == 7.0
    for other in (np.array([1.0, 2.0]), np.array([[2.0]], dtype=object), np.array([1 + 2j]),
                  np.array([True]), True, "2.5", None, np.array([], dtype=float)):
        assert number(other) is None, other
    assert as_scalar(np.array([[2.5]])) == 2.5 and isinstance(as_scalar(np.array([[2.5]])), float)
    pair = np.array([1.0, 2.0])
    assert as_scalar(pair) is pair and type(as_scalar(3)) is int and as_scalar("x") == "x"


def test_are_the_tolerances_asked_for_used_at_every_depth_and_at_their_bounds():
    from autograder.grading.checks import matches

    assert matches({"a": 1.05}, {"a": 1.0}, rtol=0.1) and matches({"a": 0.05}, {"a": 0.0}, atol=0.1)
    assert matches([1.05, (0.05,)], (1.0, [0.0]), rtol=0.1, atol=0.1)
    assert not matches([1.05, (0.05,)], (1.0, [0.0]))
    assert matches(1.5, 1.0, rtol=0.0, atol=0.5) and matches(3.0, 2.0, rtol=0.5, atol=0.0)  # the bounds count
    assert not matches(1.0, np.inf) and not matches(np.inf, 1.0) and not matches(np.nan, 1.0)
    assert not matches(np.array([100000, 1]), np.array([100001, 1]))  # integers: the same rtol, 1e-7
    assert matches(np.array([100, 1]), np.array([101, 1]), rtol=0.02)
    assert matches(np.array([1.0, np.nan]), np.array([1.05, np.nan]), rtol=0.1)


def test_is_an_argument_of_numbers_that_came_back_equal_unchanged():
    from autograder.grading.checks import unchanged

    assert unchanged([3, 2, 1], [3, 2, 1]) and unchanged({"keep_prob": 0.8}, {"keep_prob": 0.8})
    assert unchanged([np.nan, "relu", None], [np.nan, "relu", None])


def test_is_a_number_changed_inside_a_list_or_dict_argument_seen():
    from autograder.grading.checks import unchanged

    assert not unchanged([3, 2, 1], [4, 2, 1])  # layers_dims[0] += 1
    assert not unchanged({"keep_prob": 0.8}, {"keep_prob": 0.5})
    assert not unchanged([3, 2, 1], [3, 2, [1]])  # a number that came back as a list
    assert not unchanged(["relu"], ["sigmoid"])


def test_does_a_dict_check_by_default_hide_its_values_and_leave_extra_keys_to_another_check():
    from autograder.grading.checks import same_dict

    expected = {"W1": np.array([[0.25, 0.5]]), "b1": np.zeros((1, 1))}
    problem = same_dict("parameters")([{"W1": np.array([[0.75, 0.5]]), "b1": np.zeros((1, 1))}], [expected])
    assert problem is not None and "0.75" not in problem and "0.25" not in problem
    shown = same_dict("parameters", hidden=False)([{"W1": np.array([[0.75, 0.5]]), "b1": np.zeros((1, 1))}],
                                                  [expected])
    assert "0.75" in shown or "0.25" in shown  # a published case shows them
    assert same_dict("parameters")([{**expected, "W0": np.ones(1)}], [expected]) is None
    extra = same_dict("parameters", exact_keys=True)([{**expected, "W0": np.ones(1)}], [expected])
    assert extra.category == "extra key"


def _passed(name, values, references, planted=False):
    from autograder.grading.checks import Call, Check, Outcome

    check = Check(name, tuple(Call((i,)) for i in range(len(values))), lambda got, expected: None,
                  planted=planted)
    return check, [Outcome(value=v) for v in values], references, None


def test_is_one_output_for_inputs_whose_answers_differ_refused_and_different_outputs_kept():
    constant = [_passed("hidden case 1", [np.ones(2), np.ones(2)], [np.ones(2), np.zeros(2)])]
    assert unearned(constant).entry == "constant-output"
    varied = [_passed("hidden case 1", [np.ones(2), np.zeros(2)], [np.ones(2), np.zeros(2)])]
    assert unearned(varied) is None
    same_answer = [_passed("hidden case 1", [np.ones(2), np.ones(2)], [np.ones(2), np.ones(2)])]
    assert unearned(same_answer) is None  # the reference gives one answer too
    unreadable = [_passed("hidden case 1", [object(), object()], [np.ones(2), np.zeros(2)])]
    assert unearned(unreadable) is None  # values that cannot be compared prove nothing either way


def test_is_an_argument_the_function_filled_in_or_a_nan_it_overwrote_seen():
    from autograder.grading.checks import unchanged

    assert not unchanged([None, 2], [5, 2])  # a slot left empty, filled in place
    assert not unchanged({"cache": None}, {"cache": (1.0,)})
    assert not unchanged([np.nan, 1.0], [0.0, 1.0])  # a NaN overwritten by a number
    assert not unchanged([0.0, 1.0], [np.nan, 1.0])  # a number overwritten by a NaN
    assert unchanged([np.nan, None], [np.nan, None])


class _Opaque:
    """An argument of a kind the grader does not compare (no equality of its own)."""


def test_is_an_argument_of_a_kind_the_grader_does_not_compare_never_reported_as_modified():
    from autograder.grading.checks import unchanged

    sent = [_Opaque(), {"activation": _Opaque()}]
    assert unchanged(sent, copy.deepcopy(sent))


def _custom(evaluate, name="published case"):
    from autograder.grading.checks import Call, Check

    return Check(name, (Call((np.ones(2),)),), evaluate)


def test_is_a_function_that_changed_its_argument_told_which_one_and_how_to_avoid_it():
    from autograder.grading.feedback import said

    check = _custom(lambda got, expected: None)
    problem = judge(check, [Outcome(value=1.0, modified="number 2")], [1.0])
    category, text = said("f", check, problem)
    assert category == "modified input"
    advice = vocabulary.GENERAL["changed-input"].text.partition("in place")[2]  # what a hidden case advises
    assert "number 2" in text and text.endswith("in place" + advice)
    hidden = _custom(lambda got, expected: None, "hidden case 1")
    problem = judge(hidden, [Outcome(value=1.0, modified="number 1")], [1.0])
    assert said("f", hidden, problem) == ("modified input", vocabulary.GENERAL["changed-input"].text)


def test_is_a_value_that_breaks_the_comparison_a_wrong_type_that_names_the_error():
    from autograder.grading.feedback import said

    def fragile(got, expected):
        return None if got[0]["A"].shape == expected[0]["A"].shape else "no"

    check = _custom(fragile)
    problem = judge(check, [Outcome(value={"B": 1.0})], [{"A": np.ones(2)}])
    category, text = said("f", check, problem)
    assert category == "wrong type" and "KeyError" in text and "structure" in text
    hidden = _custom(fragile, "hidden case 2")
    problem = judge(hidden, [Outcome(value=[1.0])], [{"A": np.ones(2)}])
    assert said("f", hidden, problem) == ("wrong type", vocabulary.GENERAL["wrong-type"].text)


def test_does_a_dict_without_some_keys_name_each_missing_key():
    from autograder.grading.checks import same_dict
    from autograder.grading.feedback import said

    expected = {"W1": np.ones((1, 2)), "b1": np.zeros((1, 1)), "W2": np.ones((1, 1)), "b2": np.zeros((1, 1))}
    problem = same_dict("parameters", hidden=False)([{"W1": np.ones((1, 2)), "b1": np.zeros((1, 1))}],
                                                    [expected])
    category, text = said("f", _custom(None), problem)
    assert category == "missing key"
    assert text.startswith("parameters lacks") and text.endswith(" W2, b2")
    numbered = same_dict("caches")([{0: np.ones(1)}], [{0: np.ones(1), 1: np.ones(1), 2: np.ones(1)}])
    assert numbered.category == "missing key" and str(numbered).endswith(" 1, 2")
    hidden = _custom(None, "hidden case 1")
    assert said("f", hidden, problem) == ("missing key", vocabulary.GENERAL["missing-key"].text)


def test_does_a_dict_with_unexpected_keys_name_each_of_them():
    from autograder.grading.checks import same_dict

    expected = {"W1": np.ones((1, 2))}
    problem = same_dict("parameters", hidden=False, exact_keys=True)(
        [{**expected, "b1": np.zeros(1), "W0": np.ones(1)}], [expected])
    assert problem.category == "extra key"
    assert str(problem).startswith("parameters has") and str(problem).endswith(" W0, b1")


def test_does_a_dict_with_one_value_off_by_a_rounding_error_still_pass_and_a_real_error_fail():
    from autograder.grading.checks import same_dict

    expected = {"dW1": np.array([[2.0, 0.0]])}
    rounding = [{"dW1": np.array([[2.0 * (1 + 5e-8), 5e-11]])}]
    assert same_dict("gradients")(rounding, [expected]) is None
    tiny = [{"dW1": np.array([[2.0, 5e-10]])}]  # above the absolute tolerance of an exact zero
    assert same_dict("gradients")(tiny, [expected]).category == "wrong value"
    loose = [{"dW1": np.array([[2.0 * (1 + 5e-4), 5e-7]])}]
    assert same_dict("gradients", rtol=1e-3, atol=1e-6)(loose, [expected]) is None
    assert same_dict("gradients")(loose, [expected]).category == "wrong value"


def test_does_a_number_check_hold_a_cost_to_nine_digits_and_hide_it_on_a_hidden_case():
    from autograder.grading.checks import same_scalar

    expected = 0.6931471805599453
    assert same_scalar("cost")([expected * (1 + 5e-10)], [expected]) is None
    off = same_scalar("cost")([expected * (1 + 1e-8)], [expected])
    assert off is not None and off.category == "wrong value"
    assert "0.69" not in off  # neither the expected value nor the student's
    assert same_scalar("cost")([expected * 1.5], [expected]).category == "wrong value"
    assert same_scalar("cost", rtol=1e-3)([expected * (1 + 1e-4)], [expected]) is None
    assert same_scalar("difference", atol=1e-6)([5e-7], [0.0]) is None
    shown = same_scalar("cost", hidden=False)([0.5], [expected])
    assert shown.startswith("cost ") and "0.5" in shown and "0.69" in shown


def test_is_one_output_refused_where_the_answers_differ_only_in_their_last_digits():
    # two differences a gradient checker returns: both tiny, not the same
    tiny = [_passed("hidden case 1", [1e-11, 1e-11], [7.8e-11, 2e-11])]
    assert unearned(tiny).entry == "constant-output"
    close = [_passed("hidden case 1", [1.0, 1.0], [1.0, 1.0 + 1e-8])]
    assert unearned(close).entry == "constant-output"


def test_does_a_checker_whose_difference_only_reaches_the_flagged_bound_flag_nothing():
    from autograder.grading.checks import FLAGGED

    correct = _passed("hidden case 1", [1e-11, 2e-11], [7.8e-11, 2e-11])
    at_bound = [correct, _passed("hidden case 2", [FLAGGED, FLAGGED / 2], [0.2, 0.5], planted=True)]
    assert unearned(at_bound).entry == "never-flags"
    above = [correct, _passed("hidden case 2", [FLAGGED * 1.01, FLAGGED / 2], [0.2, 0.5], planted=True)]
    assert unearned(above) is None


class _Undigestible:
    """A value whose text cannot be read (its repr raises), so no fingerprint is made of it."""

    def __repr__(self):
        raise RuntimeError("no text")


def test_is_an_output_whose_fingerprint_cannot_be_made_never_taken_for_a_constant():
    values = [_Undigestible(), _Undigestible()]
    assert unearned([_passed("hidden case 1", values, [np.ones(2), np.zeros(2)])]) is None


def _known_pair():
    from utils.mistakes import Known, pair

    first = Known("no-copy", "Copy the vector first.", variant=lambda call: 1.0)
    second = Known("wrong-sign", "Mind the sign.", variant=lambda call: -1.0,
                   close=lambda got, made: abs(got - made) < 0.1)
    return first, second, pair(first, second, variant=lambda call: -2.0)


def test_is_the_hint_of_two_mistakes_made_together_kept_only_for_code_that_could_hold_both():
    from autograder.grading.checks import catalogued

    first, second, both = _known_pair()
    fits = {"no-copy": lambda code: "copy" not in code, "wrong-sign": lambda code: "-" in code}
    alone_first, alone_second, together = catalogued((first, second, both), fits=fits)
    assert bool(alone_first.fits("x = -theta")) and not alone_first.fits("x = np.copy(theta)")
    assert bool(together.fits("x = -theta"))
    assert not together.fits("x = np.copy(theta) - 1") and not together.fits("x = theta")
    assert not together.fits("x = np.copy(theta)")
    assert together.keys == ("no-copy", "wrong-sign") and alone_second.keys == ("wrong-sign",)
    # a fit of the pair itself counts too, with or without one of its parts'
    own = {"no-copy+wrong-sign": lambda code: "theta" in code}
    for extra in ({}, {"no-copy": fits["no-copy"]}):
        (paired,) = catalogued((both,), fits={**own, **extra})
        assert bool(paired.fits("x = -theta")) and not paired.fits("x = -y")


def test_does_a_catalogued_mistake_compare_outputs_as_its_entry_says():
    from autograder.grading.checks import Call, Check, catalogued

    _, second, _ = _known_pair()
    (mistake,) = catalogued((second,))
    check = Check("hidden case 1", (Call((1.0,)),), lambda got, expected: "wrong", mistakes=(mistake,))
    assert find_hint(check, [Outcome(value=-1.05)]) == "Mind the sign."  # within the entry's bound
    assert find_hint(check, [Outcome(value=-1.5)]) is None


def test_is_a_students_seed_one_per_course_assignment_and_student_whatever_the_spelling():
    from autograder.grading.checks import seed_for

    seed = seed_for("alice", "regularization", "course secret")
    assert seed == seed_for("alice", "regularization", "course secret") and 0 <= seed < 2 ** 64
    others = {seed_for("bob", "regularization", "course secret"),
              seed_for("alice", "initialization", "course secret"),
              seed_for("alice", "regularization", "other secret"), seed}
    assert len(others) == 4 and all(0 <= s < 2 ** 64 for s in others)
    # the same characters cut into other fields are another triple, hence another seed
    assert len({seed_for("c", "ab", "s"), seed_for("bc", "a", "s"), seed_for("c", "a", "sb"),
                seed_for("", "abc", "s"), seed_for("abc", "", "s")}) == 5
    # a course without a secret: the grader and the notebook's hidden tests both read it as ""
    assert seed_for("alice", "regularization") == seed_for("alice", "regularization", "")


def test_does_the_draw_scheme_give_the_seed_and_hidden_inputs_it_gave_when_grades_were_stored():
    """Reproducibility of the draw scheme: stored grades and appeals recompute a student's
    hidden inputs, so one documented example (student "alice", assignment "regularization",
    secret "course secret", a one-line cell) keeps its seed and first draws while the scheme
    (``DRAW_SCHEME``) stays the same: a kit that changes these values draws differently, and
    needs a new scheme number."""
    from autograder.grading.checks import code_key

    seed = seed_for("alice", "regularization", "course secret")
    assert seed == 4918618395070452606
    key = code_key("def f(x):\n    return x\n")
    drawn = rng_for(seed, "compute_cost_with_regularization", key).integers(0, 2 ** 32, 3).tolist()
    assert drawn == [1979183842, 2763755568, 712943702]
    without_code = rng_for(seed, "compute_cost_with_regularization").integers(0, 2 ** 32, 3).tolist()
    assert without_code == [3155755858, 4237124575, 2853177121]


def test_do_two_functions_or_two_versions_of_a_cell_get_different_hidden_inputs():
    from autograder.grading.checks import code_key

    seed = seed_for("alice", "regularization", "course secret")

    def first_draw(function, cell=None):
        return rng_for(seed, function, cell and code_key(cell)).random()

    cell = "def f(A):\n    return A\n"
    assert first_draw("forward", cell) == first_draw("forward", cell)
    assert first_draw("forward", cell) != first_draw("backward", cell)
    assert first_draw("forward", cell) != first_draw("forward", cell.replace("return A", "return AX"))
    assert first_draw("forward", cell) != first_draw("forward")
    # saved on another system, or with trailing blanks: the same code, the same draw
    assert first_draw("forward", cell) == first_draw("forward", cell.replace("\n", "  \r\n"))
    assert code_key("return A") != code_key("return AX") != code_key("return AXX")
    assert code_key("return A", "X = 1") != code_key("return A", "XX = 1")
