"""What does a student see from the Gradient Checking checks, judged in process with plain functions?

Each test builds one student's checks and judges outcomes made here (no sandbox, no notebook):
the names and roles a student reads, the numbers each check accepts and the finding it gives
otherwise, and what the reading of the code decides.
"""

import copy
import math

import numpy as np
import pytest

from autograder import assignments
from autograder.assignments import gradient_checking as gc
from autograder.grading import feedback, reference, vocabulary
from autograder.grading.checks import Call, Outcome, judge, rng_for, seed_for

SPEC = reference.load("gradient_checking")
STUDENTS = [f"student-{i}" for i in range(30)]


def _checks(function, student="alice"):
    return assignments.build_checks(SPEC, function, rng_for(seed_for(student, "gradient_checking"), function))


def _expected(function, check):
    ref = SPEC.reference(function, check.stand_ins)
    return [ref(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]


def _judge(function, check, values):
    """What :func:`judge` says of the values ``values`` returned, one per call of ``check``."""
    return judge(check, [Outcome(value=v) for v in values], _expected(function, check))


def _entry(found):
    return getattr(found, "entry", None)


# What the student reads about each check ------------------------------------------------------


@pytest.mark.parametrize(("function", "shown"), [
    ("forward_propagation", [("published case", "x = 2, theta = 4", 1.0),
                             ("hidden case 1", "theta = 0 and a negative theta", 1.0),
                             ("hidden case 2", "a negative x, with theta of either sign", 1.0)]),
    ("backward_propagation", [("published case", "x = 3, theta = 4", 1.0),
                              ("hidden case 1", "theta = 0 and a negative theta", 1.0),
                              ("hidden case 2", "a negative x, with theta of either sign", 1.0)]),
    ("gradient_check", [
        ("published case", "x = 3, theta = 4, the notebook's forward and backward passes", 1.0),
        ("hidden case 1", "a curved cost, the correct backward pass; theta = 0 and a negative theta", 1.0),
        ("hidden case 2", "a curved cost, the correct backward pass; a positive theta", 1.0),
        ("hidden case 3", "a curved cost, a wrong backward pass (theta in place of x), positive thetas", 1.5),
        ("hidden case 4", "a curved cost, a wrong backward pass (theta in place of x), negative thetas", 1.5),
        ("works for another cost (advice only)", "a cubic cost with a correct gradient", 0.0),
        ("notices a wrong gradient of another cost (advice only)",
         "a cubic cost with a planted wrong gradient", 0.0)]),
    ("gradient_check_n", [
        ("published case", "the notebook's test case with the provided backward_propagation_n", 1.0),
        ("published case, corrected backward pass", "the notebook's test case with a correct backward pass",
         1.0),
        ("hidden case 1", "a curved cost of another network, correct gradients, epsilon = 0.0001 and 0.0003",
         1.5),
        ("hidden case 2", "a curved cost of another network, one wrong entry in dW2, epsilon = 0.0001",
         1.5)]),
])
def test_does_each_function_show_its_checks_roles_and_weights(function, shown):
    checks = _checks(function)
    assert [(c.name, c.describe, c.weight) for c in checks] == shown
    assert [c.advisory for c in checks] == [c.name.endswith("(advice only)") for c in checks]


def test_are_the_planted_checks_those_handed_a_wrong_gradient():
    assert [c.planted for c in _checks("gradient_check")] == [False, False, False, True, True, False, True]
    assert [c.planted for c in _checks("gradient_check_n")] == [True, False, False, True]
    one_d = [c.planted for f in ("forward_propagation", "backward_propagation") for c in _checks(f)]
    assert not any(one_d)


@pytest.mark.parametrize("function", gc.BUILDERS)
@pytest.mark.parametrize("student", STUDENTS[:4])
def test_does_the_reference_pass_every_check_for_every_student(function, student):
    checks = _checks(function, student)
    assert [_judge(function, c, _expected(function, c)) for c in checks] == [None] * len(checks)


def test_are_the_published_cases_the_notebooks_inputs():
    assert [c.args for c in _checks("forward_propagation")[0].calls] == [(2, 4)]
    assert [c.args for c in _checks("backward_propagation")[0].calls] == [(3, 4)]
    published = _checks("gradient_check")[0]
    assert [c.args for c in published.calls] == [(3, 4)] and published.stand_ins == gc.LINEAR
    cases = _checks("gradient_check_n")
    assert all("vector_to_dictionary" in c.stand_ins for c in cases)
    assert [sorted(c.calls[0].kwargs.items()) for c in cases] == [[], [], [("epsilon", 1e-4)],
                                                                 [("epsilon", 1e-4)]]
    assert [c.kwargs for c in cases[2].calls] == [{"epsilon": 1e-4}, {"epsilon": 3e-4}]


# forward_propagation and backward_propagation -----------------------------------------------------


@pytest.mark.parametrize("function", ["forward_propagation", "backward_propagation"])
def test_is_a_1d_answer_judged_on_every_call_to_twelve_digits(function):
    published, first, second = _checks(function)
    right = [_expected(function, c) for c in (published, first, second)]
    assert _judge(function, first, [right[1][0], right[1][1] + 1.0]) is not None  # the second call only
    assert _judge(function, second, [right[2][0] + 1.0, right[2][1]]) is not None  # the first call only
    off = [v * (1 + 1e-11) + 1e-11 for v in right[2]]
    assert _judge(function, second, off) is not None
    noise = [v * (1 + 1e-14) for v in right[2]]
    assert _judge(function, second, noise) is None
    shown = _judge(function, published, [right[0][0] + 0.5])
    assert shown.category == "wrong value" and str(right[0][0] + 0.5) in shown
    hidden = _judge(function, first, [right[1][0] + 0.5, right[1][1]])
    assert hidden.category == "wrong value" and str(right[1][0] + 0.5) not in hidden


def test_do_the_1d_hidden_cases_keep_their_signs_and_sizes_for_every_student():
    for function in ("forward_propagation", "backward_propagation"):
        for student in STUDENTS:
            _, first, second = _checks(function, student)
            (x1, t1), (x2, t2) = (c.args for c in first.calls)
            (x3, t3), (x4, t4) = (c.args for c in second.calls)
            assert x1 < 0 and t1 == 0 and x2 > 0 and t2 < 0 and x3 < 0 and t3 < 0 and x4 < 0 and t4 > 0
            assert all(0.5 <= abs(v) <= 5 for v in (x1, x2, t2, x3, t3, x4, t4))


# gradient_check: rounding noise, planted gradients, another cost ---------------------------------


def test_is_a_correct_checkers_difference_judged_against_the_rounding_bound_of_its_epsilon():
    published = _checks("gradient_check")[0]
    bound = 4.0 * (np.finfo(float).eps / 2) * (4 + 1e-7) / 1e-7 + 1e-12
    assert gc._rounding_bound(4, 1e-7) == pytest.approx(bound, rel=1e-12, abs=0)
    assert gc._rounding_bound(-4, 1e-7) == gc._rounding_bound(4, 1e-7)
    assert _judge("gradient_check", published, [0.0]) is None
    assert _judge("gradient_check", published, [bound * 0.99]) is None
    assert _judge("gradient_check", published, [-bound * 0.99]) is None  # noise of either sign
    above = _judge("gradient_check", published, [bound * 1.01])
    assert _entry(above) == "difference-not-noise" and f"(got {bound * 1.01:.3g})" in above
    assert _entry(_judge("gradient_check", published, [-bound * 1.01])) == "difference-negative"
    (first, *_) = _checks("gradient_check")[1:]
    hidden = _judge("gradient_check", first, [1.0, 0.0])
    assert _entry(hidden) == "difference-not-noise" and "(got" not in hidden


def test_is_the_rounding_bound_taken_at_the_epsilon_the_call_gives():
    calls = (Call((3, 4), {"epsilon": 1e-3}),)
    evaluate = gc._is_rounding_noise(calls, hidden=True)
    between = (gc._rounding_bound(4, 1e-7) + gc._rounding_bound(4, 1e-3)) / 2  # above the first
    assert gc._rounding_bound(4, 1e-3) < gc._rounding_bound(4, 1e-7)
    assert _entry(evaluate([between], [0.0])) == "difference-not-noise"
    assert evaluate([gc._rounding_bound(4, 1e-3) * 0.9], [0.0]) is None


def test_is_a_difference_that_is_no_finite_number_refused_as_such():
    published = _checks("gradient_check")[0]
    nan = _judge("gradient_check", published, [float("nan")])
    assert nan.category == "NaN/inf" and nan == "difference is nan; expected a finite number"
    assert _judge("gradient_check", published, [float("inf")]).category == "NaN/inf"
    text = _judge("gradient_check", published, ["small"])
    assert text is not None and text.category == "wrong type"


def test_is_a_planted_wrong_gradient_judged_by_the_difference_a_correct_checker_reports():
    function = "gradient_check"
    third = _checks(function)[3]
    right = _expected(function, third)
    assert min(right) > 0.05
    assert _judge(function, third, [r * (1 + 5e-7) for r in right]) is None
    off = _judge(function, third, [right[0] * (1 + 5e-6), right[1]])
    assert off is not None and off.category == "wrong value" and _entry(off) != "planted-missed"
    assert _entry(_judge(function, third, [right[0], 1e-7])) == "planted-missed"
    assert _entry(_judge(function, third, [right[0], -1e-7])) == "planted-missed"
    assert _entry(_judge(function, third, [right[0], 2e-6])) != "planted-missed"


def _checker(forward, backward=None, *, centred=True):
    """A gradient checker built on ``forward(x, theta)`` (its own J) and ``backward``."""
    def check(x, theta, epsilon=1e-7, print_msg=False):
        plus, minus = forward(x, theta + epsilon), forward(x, theta - epsilon)
        gradapprox = (plus - minus) / (2 * epsilon) if centred else (plus - forward(x, theta)) / epsilon
        grad = backward(x, theta)
        return float(abs(grad - gradapprox) / (abs(grad) + abs(gradapprox)))
    return check


@pytest.mark.parametrize(("name", "forward", "finding"), [
    ("J computed as theta * x", lambda namespace: lambda x, theta: theta * x, "computes-j-itself"),
    ("forward_propagation's arguments swapped", lambda namespace: lambda x, theta:
        namespace["forward_propagation"](theta, x), "forward-arguments-swapped"),
    ("J computed as theta * x + 1 (another wrong cost)", lambda namespace: lambda x, theta: theta * x ** 2,
     "other-cost"),
])
def test_does_the_advice_on_another_cost_say_why_a_checker_fails_there(name, forward, finding):
    checks = _checks("gradient_check")
    for check in checks[-2:]:
        namespace = gc._stand_in_functions(check.stand_ins)
        answer = _checker(forward(namespace), namespace["backward_propagation"])
        values = [answer(*c.args) for c in check.calls]
        assert _entry(_judge("gradient_check", check, values)) == finding, (name, check.name)
    for check in checks[-2:]:
        namespace = gc._stand_in_functions(check.stand_ins)
        right = _checker(namespace["forward_propagation"], namespace["backward_propagation"])
        assert _judge("gradient_check", check, [right(*c.args) for c in check.calls]) is None


def test_are_the_stand_ins_the_costs_they_say():
    linear = gc._stand_in_functions(gc.LINEAR)
    assert linear["forward_propagation"](3, 4) == 12 and linear["backward_propagation"](3, 4) == 3
    for slope, curved in ((1, gc.CURVED), (3, {r: gc.OTHER_SLOPE_OF[s] for r, s in gc.CURVED.items()})):
        right, wrong = gc._stand_in_functions(curved["correct"]), gc._stand_in_functions(curved["theta"])
        x, theta = 0.6, 1.25  # theta on the grid, x between two grid points
        assert right["backward_propagation"](x, theta) == pytest.approx(slope * x, rel=1e-12, abs=0)
        assert wrong["backward_propagation"](x, theta) == pytest.approx(slope * theta, rel=1e-12, abs=0)
        forward = right["forward_propagation"]
        centred = (forward(x, theta + 1e-5) - forward(x, theta - 1e-5)) / 2e-5
        assert centred == pytest.approx(slope * x, rel=1e-5)
        g = math.sin(math.pi * x / 0.25) ** 2 * math.sin(math.pi * 0.3 / 0.25) ** 2
        assert right["forward_propagation"](x, 0.3) == pytest.approx(slope * 0.3 * x + 1000.0 * g, rel=1e-12)
    inline = gc._inline_linear(gc.CURVED["theta"])
    assert inline.startswith(gc.LINEAR_FORWARD + "\n")
    assert inline.endswith(gc.CURVED["theta"].split("\n\n")[-1])
    swapped = gc._swapped_arguments(gc.CURVED["correct"])
    assert "def forward_propagation(theta, x):" in swapped and swapped.count("(theta, x)") == 1
    cubic, cubic_wrong = gc._stand_in_functions(gc.CUBIC), gc._stand_in_functions(gc.CUBIC_WRONG)
    assert cubic["backward_propagation"](2, 3) == 54 and cubic_wrong["backward_propagation"](2, 3) == 18


def test_do_the_hidden_checker_cases_keep_their_roles_for_every_student():
    for student in STUDENTS:
        cases = _checks("gradient_check", student)
        advice = [c.calls[0].args for c in cases[-2:]]
        assert advice[0] == advice[1] and cases[-1].calls[0] is not cases[-2].calls[0]
        x, theta = advice[0]
        assert 0.5 <= x <= 3 and 0.05 <= theta <= 0.3
        for case in cases[1:5]:
            for x, theta in (c.args for c in case.calls):
                assert abs(x) <= 5 - 2 * 0.5 + 0.25 and abs(theta) <= 5


# Reading the code: does it subtract a step? --------------------------------------------------------


@pytest.mark.parametrize(("code", "centred"), [
    ("theta_minus = theta - epsilon", True),
    ("theta_minus = theta + epsilon", False),
    ("eps = epsilon\nt = theta - eps", True),
    ("eps = epsilon\nh = eps\nt = theta - h", True),  # a step bound through two names
    ("h = 2 * epsilon\nt = theta - h", True),
    ("h = np.float64(epsilon)\nt = theta - h", True),
    ("h = numpy.float64(epsilon)\nt = theta - h", True),
    ("h = float(epsilon)\nt = theta - h", True),
    ("h = float(np.float64(numpy.float64(epsilon)))\nt = theta - h", True),  # every name a step may hold
    ("h = epsilon * x\nt = theta - h", False),  # not a step: it holds x
    ("t = theta - 1e-7", True),
    ("t = theta - 0.5", False),  # a literal no step is typed as
    ("t = theta - 0.01", False),
    ("t = theta - 0.009", True),
    ("t = theta - True", False),
    ("t = theta - 0", False),
    ("t = theta\nt -= epsilon", True),
    ("t = theta + -epsilon", True),
    ("t = np.subtract(theta, epsilon)", True),
    ("t = np.subtract(epsilon, theta)", False),
    ("t = np.add(theta, epsilon)", False),
    ("t = subtract(theta, epsilon)", False),
    ("t = theta - x", False),
    ("a, b = epsilon, 1\nt = theta - a", False),  # only plain one-name bindings are followed
    ("def gradient_check(x, theta, epsilon=1e-7)\n    return 0", True),  # not Python: never run
])
def test_does_the_code_reading_find_a_step_subtracted(code, centred):
    assert gc.shows_centred_difference(code) is centred
    # the reading itself, not a cached answer (the cache is filled before any code changes)
    assert gc.shows_centred_difference.__wrapped__(code) is centred


def test_does_code_that_shows_no_centred_difference_move_only_the_curved_cases_to_slope_3():
    checks = _checks("gradient_check")
    fitted = gc._fit_gradient_check(checks, "gradapprox = (J_plus - J) / epsilon")
    moved = [c.name for c, f in zip(checks, fitted, strict=True) if c.stand_ins != f.stand_ins]
    assert moved == ["hidden case 1", "hidden case 2", "hidden case 3", "hidden case 4"]
    for before, after in zip(checks[1:5], fitted[1:5], strict=True):
        assert after.stand_ins == gc.OTHER_SLOPE_OF[before.stand_ins]
        assert "gradapprox-not-from-j" in {m.key for m in after.mistakes}
        assert (after.name, after.calls, after.weight, after.planted) == \
            (before.name, before.calls, before.weight, before.planted)
    assert gc._fit_gradient_check(checks, "t = theta - epsilon") is checks


@pytest.mark.parametrize(("code", "copies"), [
    ("theta_plus = np.copy(values)", True), ("theta_plus = numpy.array(values)", True),
    ("theta_plus = values.copy()", True), ("theta_plus = copy.deepcopy(values)", True),
    ("theta_plus = np . copy (values)", True), ("theta_plus = values", False),
    ("theta_plus = np.copyto(a, values)", False), ("theta_plus = mycopy(values)", False),
])
def test_does_the_code_reading_see_a_copied_parameter_vector(code, copies):
    assert bool(gc._copies(code)) is copies
    assert bool(gc._GRADIENT_CHECK_N_FITS["theta-not-copied"](code)) is not copies
    assert bool(gc._GRADIENT_CHECK_N_FITS["theta-minus-from-theta-plus"](code)) is copies


@pytest.mark.parametrize(("key", "code", "fits"), [
    ("grad-equals-gradapprox", "grad = gradapprox", True),
    ("grad-equals-gradapprox", "grad = backward_propagation(x, theta)", False),
    ("grad-not-from-backward", "grad = x", True),
    ("grad-not-from-backward", "grad = backward_propagation (x, theta)", False),
    ("grad-not-from-backward", "grad = gradapprox", False),
    ("grad-not-from-backward", "g = x", False),
    ("backward-at-gradapprox", "grad = backward_propagation(x, gradapprox)", True),
    ("backward-at-gradapprox", "grad = backward_propagation(x, theta)", False),
])
def test_does_the_code_reading_say_which_checker_hints_the_code_may_need(key, code, fits):
    assert bool(gc._GRADIENT_CHECK_FITS[key](code)) is fits
    assert bool(gc._GRADIENT_CHECK_N_FITS["grad-equals-gradapprox-n"](code)) is (code == "grad = gradapprox")


# gradient_check_n ---------------------------------------------------------------------------------


def test_is_a_correct_checkers_truncation_error_judged_within_its_tolerance():
    function = "gradient_check_n"
    _, corrected, first, _ = _checks(function)
    right = _expected(function, first)
    assert right[1] == pytest.approx(9 * right[0], rel=1e-2)  # nine times larger at three times epsilon
    assert _judge(function, first, [r * 1.009 for r in right]) is None
    assert _entry(_judge(function, first, [right[0], right[1] * 1.02])) == "centred-error"
    assert _entry(_judge(function, first, [right[0] * 1.02, right[1]])) == "centred-error"
    assert _judge(function, first, [right[0], "x"]).category == "wrong type"
    published = _expected(function, corrected)[0]
    assert _judge(function, corrected, [published * 1.009]) is None
    shown = _judge(function, corrected, [published * 1.02])
    assert shown.category == "wrong value" and _entry(shown) is None


def test_is_a_planted_wrong_entry_missed_named_and_a_near_difference_accepted():
    function = "gradient_check_n"
    buggy, _, _, planted = _checks(function)
    for check, rtol in ((buggy, 2e-8), (planted, 1e-5)):
        (right,) = _expected(function, check)
        assert right > 1e-6
        assert _judge(function, check, [right * (1 + rtol / 2)]) is None
        assert _judge(function, check, [right * (1 + rtol * 2)]).category == "wrong value"
        assert _entry(_judge(function, check, [5e-7])) == "planted-missed-n"
        assert _entry(_judge(function, check, [-5e-7])) == "planted-missed-n"
    shown = _judge(function, buggy, [0.5])
    assert "0.5" in shown and "0.5" not in _judge(function, planted, [0.5])


def test_does_every_students_network_plant_one_entry_inside_dw2_and_keep_the_last_gradient_apart():
    for student in STUDENTS:
        _, _, correct, planted = _checks("gradient_check_n", student)
        params, grads, X, Y = planted.calls[0].args
        exact = gc._polynomial_gradients(params)
        differing = [(k, np.argwhere(grads[k] != exact[k]).tolist()) for k in grads if
                     not np.array_equal(grads[k], exact[k])]
        assert len(differing) == 1 and differing[0][0] == "dW2" and len(differing[0][1]) == 1
        entry = tuple(differing[0][1][0])
        assert grads["dW2"][entry] - exact["dW2"][entry] == pytest.approx(-0.1)
        assert 0.5 <= params["W2"][entry] <= 1.0
        vector = gc.gradients_to_vector(exact)
        assert np.linalg.norm(vector) >= 1
        assert X.shape == (params["W1"].shape[1], 3) and Y.shape == (1, 3) and set(np.unique(Y)) <= {0, 1}
        params, grads, X, Y = correct.calls[0].args
        vector = gc.gradients_to_vector(grads)
        assert np.linalg.norm(vector) >= 1 and gc._last_stands_apart(vector)
        assert all(1 <= n <= 3 for n in (params["W1"].shape + params["W2"].shape + params["W3"].shape))


def test_does_the_last_gradient_stand_apart_only_beyond_a_tenth_of_the_root_mean_square():
    assert gc._last_stands_apart(np.array([1.0, 1.0, 1.0, 1.5]))
    assert gc._last_stands_apart(np.array([1.0, 1.0, 1.0, 0.5]))
    assert not gc._last_stands_apart(np.array([1.0, 1.0, 1.0, 1.05]))
    assert not gc._last_stands_apart(np.array([1.0, 1.0, 1.0, -1.05]))  # its size, not its sign


def test_does_planting_a_wrong_entry_leave_the_other_gradients_and_the_parameters_alone():
    params = {"W1": np.array([[0.5, -0.5]]), "b1": np.array([[0.25]])}
    plain = gc._polynomial_gradients(params)
    assert np.array_equal(plain["dW1"], [[0.75, -0.25]]) and np.array_equal(plain["db1"], [[0.3125]])
    wrong = gc._polynomial_gradients(params, ("dW1", (0, 1), -0.1))
    assert wrong["dW1"][0, 1] == pytest.approx(-0.35) and wrong["dW1"][0, 0] == 0.75
    assert np.array_equal(wrong["db1"], plain["db1"]) and np.array_equal(params["W1"], [[0.5, -0.5]])
    assert np.array_equal(gc._polynomial_gradients(params)["dW1"], [[0.75, -0.25]])


def test_is_what_a_mistake_returns_on_the_published_inputs_remembered_by_its_key_and_inputs(monkeypatch):
    calls = []

    def variant(call):
        calls.append(call)
        return len(calls)

    monkeypatch.setattr(gc, "_REMEMBERED", {})  # nothing remembered yet
    first, second = gc._remembered("key-a", variant), gc._remembered("key-b", variant)
    call = Call(({"W1": np.ones((2, 2))},), {"epsilon": 1e-7})
    again = Call(({"W1": np.ones((2, 2))},), {"epsilon": 1e-7})
    other = Call(({"W1": np.ones((2, 2))},), {"epsilon": 1e-6})
    assert first(call) == 1 and first(again) == 1  # the same inputs: computed once
    assert calls == [call]
    assert second(call) == 2  # another mistake: its own answer
    assert first(other) == 3


# Which known mistake a checker's outputs are told -------------------------------------------------


def _namespace(function, check):
    """The names a student's code sees on ``check``: the notebook's imports and the check's
    stand-ins (the same namespace the instructor's code runs in)."""
    return SPEC.reference(function, check.stand_ins).__globals__


def _matched(check, values, among=None):
    """The keys of the known mistakes (among ``among``) whose outputs are ``values``."""
    return [m.key for m in feedback.matching_mistakes(check, [Outcome(value=v) for v in values], among)]


def _checker_n(namespace, *, approximation="centred", difference="relative"):
    """A student's gradient_check_n, written as the notebook asks, with one known mistake of its
    gradapprox (``aliased``: theta_plus and theta_minus the very parameter vector, never a
    copy) and one of its difference."""
    forward, to_dictionary = namespace["forward_propagation_n"], namespace["vector_to_dictionary"]

    def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
        values, _ = namespace["dictionary_to_vector"](parameters)
        grad = namespace["gradients_to_vector"](gradients)
        n = values.shape[0]
        gradapprox = np.zeros((n, 1))
        J, _ = forward(X, Y, to_dictionary(values))
        for i in range(n):
            theta_plus = values if approximation == "aliased" else np.copy(values)
            theta_plus[i] = theta_plus[i] + epsilon
            J_plus, _ = forward(X, Y, to_dictionary(theta_plus))
            theta_minus = values if approximation == "aliased" else np.copy(values)
            theta_minus[i] = theta_minus[i] - epsilon
            J_minus, _ = forward(X, Y, to_dictionary(theta_minus))
            gradapprox[i] = {"centred": (J_plus - J_minus) / (2 * epsilon),
                             "aliased": (J_plus - J_minus) / (2 * epsilon),
                             "one-sided": (J_plus - J) / epsilon,
                             "swapped": (J_minus - J_plus) / (2 * epsilon),
                             "j-minus-at-plus": (J_plus - J_plus) / (2 * epsilon)}[approximation]
        if difference == "last element":
            grad, gradapprox = grad[n - 1], gradapprox[n - 1]
        if difference == "squared":
            return float(np.sum((grad - gradapprox) ** 2) / (np.sum(grad ** 2) + np.sum(gradapprox ** 2)))
        numerator = np.linalg.norm(grad - gradapprox)
        if difference == "no denominator":
            return float(numerator)
        return float(numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
    return gradient_check_n


_N_APPROXIMATION_MISTAKES = [("theta-not-copied", "aliased"), ("one-sided-difference-n", "one-sided"),
                             ("plus-minus-swapped-n", "swapped"),
                             ("j-minus-at-theta-plus-n", "j-minus-at-plus")]
_N_DIFFERENCE_MISTAKES = [("difference-no-denominator-n", "no denominator"),
                          ("difference-squared-n", "squared"), ("difference-last-element-n", "last element")]
_N_MISTAKES = (
    [(key, {"approximation": kind}) for key, kind in _N_APPROXIMATION_MISTAKES]
    + [(key, {"difference": kind}) for key, kind in _N_DIFFERENCE_MISTAKES]
    + [(f"{first}+{second}", {"approximation": kind, "difference": compare})
       for first, kind in _N_APPROXIMATION_MISTAKES for second, compare in _N_DIFFERENCE_MISTAKES])


@pytest.mark.parametrize(("key", "mistake"), _N_MISTAKES, ids=[key for key, _ in _N_MISTAKES])
def test_is_a_gradient_check_n_with_a_known_mistake_told_that_mistake_on_every_case(key, mistake,
                                                                                     monkeypatch):
    # what each mistake returns on the published cases is remembered across students: start afresh
    monkeypatch.setattr(gc, "_REMEMBERED", {})
    for student in STUDENTS[:2]:
        for check in _checks("gradient_check_n", student):
            answer = _checker_n(_namespace("gradient_check_n", check), **mistake)
            values = [answer(*copy.deepcopy(c.args), **c.kwargs) for c in check.calls]
            assert _matched(check, values, {key}) == [key], (student, check.name)
            if check.name.startswith("hidden case"):  # the published buggy case is too coarse for that
                right = _checker_n(_namespace("gradient_check_n", check))
                values = [right(*copy.deepcopy(c.args), **c.kwargs) for c in check.calls]
                assert _matched(check, values, {key}) == [], (student, check.name)


def test_does_the_published_case_name_exactly_the_mistake_a_gradient_check_n_made(monkeypatch):
    monkeypatch.setattr(gc, "_REMEMBERED", {})
    buggy = _checks("gradient_check_n")[0]
    told = {}
    for kind in ("aliased", "swapped", "one-sided"):
        answer = _checker_n(_namespace("gradient_check_n", buggy), approximation=kind)
        told[kind] = _matched(buggy, [answer(*copy.deepcopy(c.args), **c.kwargs) for c in buggy.calls])
    assert told == {"aliased": ["theta-not-copied", "theta-minus-from-theta-plus"],
                    "swapped": ["plus-minus-swapped-n"], "one-sided": ["one-sided-difference-n"]}


@pytest.mark.parametrize(("code", "dropped", "kept"), [
    ("theta_plus = np.copy(parameters_values)", {"theta-not-copied", "theta-not-copied+difference-squared-n"},
     {"theta-minus-from-theta-plus", "one-sided-difference-n"}),
    ("theta_plus = parameters_values", {"theta-minus-from-theta-plus"}, {"theta-not-copied"}),
    ("grad = gradients_to_vector(gradients)", {"grad-equals-gradapprox-n"}, {"one-sided-difference-n"}),
    ("grad = gradapprox", set(), {"grad-equals-gradapprox-n"}),
])
def test_does_a_gradient_check_n_get_only_hints_its_code_does_not_contradict(code, dropped, kept):
    for check in assignments.fit_to_code(SPEC, "gradient_check_n", _checks("gradient_check_n"), code):
        keys = {m.key for m in check.mistakes}
        assert not keys & dropped and kept <= keys, check.name


@pytest.mark.parametrize(("code", "dropped", "kept"), [
    ("theta_minus = theta - epsilon\ngrad = backward_propagation(x, theta)",
     {"grad-not-from-backward", "grad-equals-gradapprox"}, {"plus-minus-swapped"}),
    ("theta_minus = theta - epsilon\ngrad = gradapprox", {"grad-not-from-backward"},
     {"grad-equals-gradapprox"}),
    ("theta_minus = theta - epsilon\ngrad = x", {"grad-equals-gradapprox"}, {"grad-not-from-backward"}),
])
def test_does_a_gradient_check_get_only_hints_its_code_does_not_contradict(code, dropped, kept):
    for check in assignments.fit_to_code(SPEC, "gradient_check", _checks("gradient_check"), code):
        keys = {m.key for m in check.mistakes}
        assert not keys & dropped and kept <= keys, check.name


def _checker_1d(namespace, *, approximation="centred", difference="relative"):
    """A student's gradient_check calling the stand-ins, with one known mistake of its gradapprox
    and one of its difference."""
    forward, backward = namespace["forward_propagation"], namespace["backward_propagation"]

    def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
        J_plus, J_minus, J = forward(x, theta + epsilon), forward(x, theta - epsilon), forward(x, theta)
        gradapprox = {"centred": (J_plus - J_minus) / (2 * epsilon), "one-sided": (J_plus - J) / epsilon,
                      "swapped": (J_minus - J_plus) / (2 * epsilon)}[approximation]
        grad = backward(x, theta)
        if difference == "squared":
            return float((grad - gradapprox) ** 2 / (grad ** 2 + gradapprox ** 2))
        return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))
    return gradient_check


def test_is_a_one_sided_difference_named_wherever_it_shows_and_never_where_it_is_exact():
    checks = _checks("gradient_check")
    assert not [m.key for m in checks[0].mistakes if "one-sided" in m.key]  # J = theta * x: exact there
    for check in checks[3:]:  # the planted curved cases and both cubic ones
        answer = _checker_1d(_namespace("gradient_check", check), approximation="one-sided")
        values = [answer(*c.args) for c in check.calls]
        assert "one-sided-difference" in _matched(check, values), check.name
        squared = _checker_1d(_namespace("gradient_check", check), difference="squared")
        assert "difference-squared" in _matched(check, [squared(*c.args) for c in check.calls]), check.name


def test_is_a_gradient_check_whose_gradapprox_has_the_wrong_sign_told_so_on_the_published_case():
    published = _checks("gradient_check")[0]
    answer = _checker_1d(_namespace("gradient_check", published), approximation="swapped")
    values = [answer(*c.args) for c in published.calls]
    assert _judge("gradient_check", published, values) is not None
    assert "plus-minus-swapped" in _matched(published, values)


def test_does_a_correct_checker_written_another_way_pass_the_advice_on_another_cost():
    for student in STUDENTS[:4]:
        for check in _checks("gradient_check", student)[-2:]:
            namespace = _namespace("gradient_check", check)

            def answer(x, theta, epsilon=1e-7, namespace=namespace):  # divided by the step, abs for norms
                forward, backward = namespace["forward_propagation"], namespace["backward_propagation"]
                theta_plus, theta_minus = theta + epsilon, theta - epsilon
                gradapprox = (forward(x, theta_plus) - forward(x, theta_minus)) / (theta_plus - theta_minus)
                grad = backward(x, theta)
                return float(abs(grad - gradapprox) / (abs(grad) + abs(gradapprox)))
            assert _judge("gradient_check", check, [answer(*c.args) for c in check.calls]) is None, student


def test_is_a_checker_that_computes_j_itself_named_even_where_that_cost_gives_rounding_noise():
    # at theta = 1/3 the planted cubic gradient 3 x theta is x, J = theta * x's own gradient
    calls = (Call((1.5, 1 / 3)),)
    evaluate = gc._another_cost(SPEC, calls, gc.CUBIC_WRONG, correct=False)
    backward = gc._stand_in_functions(gc.CUBIC_WRONG)["backward_propagation"]
    itself = _checker(lambda x, theta: theta * x, backward)
    right = SPEC.reference("gradient_check", gc.CUBIC_WRONG)(*calls[0].args)
    found = evaluate([itself(*calls[0].args)], [right])
    assert _entry(found) == "computes-j-itself"


# What a published case says, word for word, and where its edges lie ------------------------------


@pytest.mark.parametrize(("function", "what", "right", "mistake", "key"), [
    ("forward_propagation", "J", 8, 6, "forward-adds"),
    ("backward_propagation", "dtheta", 3, 4, "backward-theta"),
])
def test_does_a_1d_published_case_name_its_value_and_judge_it_to_twelve_digits(function, what, right,
                                                                               mistake, key):
    published = _checks(function)[0]
    assert _expected(function, published) == [right]
    shown = _judge(function, published, [right + 0.5])
    assert shown.startswith(f"{what} is {right + 0.5!r}")
    assert _judge(function, published, [right * (1 + 1e-11)]) is not None
    assert _judge(function, published, [right * (1 + 1e-14)]) is None
    assert key in _matched(published, [mistake])


def test_does_the_gradient_check_published_case_say_what_it_got_in_its_own_words():
    published = _checks("gradient_check")[0]
    text = _judge("gradient_check", published, ["small"])
    assert text.category == "wrong type" and "str" in text
    assert text.startswith("difference should be a real number")
    bound = gc._rounding_bound(4, 1e-7)
    assert _judge("gradient_check", published, [bound]) is None  # at the bound itself: still noise
    assert _judge("gradient_check", published, [-bound]) is None
    hidden = _judge("gradient_check", _checks("gradient_check")[1], [1.0, 0.0])
    assert hidden == vocabulary.problem("difference-not-noise")  # a hidden case adds nothing


def test_do_the_gradient_check_n_published_cases_show_the_value_they_got_and_expected():
    function = "gradient_check_n"
    buggy, corrected = _checks(function)[:2]
    for check in (buggy, corrected):
        right = float(_expected(function, check)[0])
        shown = _judge(function, check, [right * 1.5])
        assert shown.category == "wrong value", check.name
        assert shown.startswith(f"difference is {right * 1.5!r}"), check.name
        assert repr(right) in shown
        assert _judge(function, check, ["x"]).startswith("difference should be a real number")


@pytest.mark.parametrize("function", ["gradient_check", "gradient_check_n"])
def test_is_a_difference_of_one_millionth_a_wrong_value_rather_than_a_missed_plant(function):
    planted = [c for c in _checks(function) if c.planted and not c.advisory]
    for check in planted:
        values = [1e-6] * len(check.calls)
        found = _judge(function, check, values)
        assert found.category == "wrong value" and _entry(found) not in ("planted-missed", "planted-missed-n")
        below = _judge(function, check, [9.99e-7] * len(check.calls))
        assert _entry(below) in ("planted-missed", "planted-missed-n")


# The draws: each role's whole range, for the class ------------------------------------------------


def test_is_a_theta_on_the_grid_drawn_at_every_grid_point_between_its_bounds():
    rng = np.random.default_rng(0)
    assert {gc._on_grid(rng, 0.5, 1.0) for _ in range(100)} == {0.5, 0.75, 1.0}
    assert {gc._on_grid(rng, 0.6, 1.3) for _ in range(100)} == {0.75, 1.0, 1.25}


def test_is_an_x_off_the_grid_drawn_in_the_middle_of_every_grid_step_between_its_bounds():
    rng = np.random.default_rng(0)
    for low, high in ((0.5, 1.25), (0.5, 4.0), (1.0, 2.0)):
        xs = [gc._off_grid(rng, low, high) for _ in range(400)]
        assert all(low <= x <= high for x in xs)
        assert all(0.25 <= x / 0.25 - math.floor(x / 0.25) <= 0.75 for x in xs)
        steps = range(math.ceil(low / 0.25), math.floor(high / 0.25))
        assert {math.floor(x / 0.25) for x in xs} == set(steps)


def test_do_the_hidden_magnitudes_spread_over_their_whole_range_across_the_class():
    one_d, planted, advice = [], [], []
    for student in STUDENTS:
        for function in ("forward_propagation", "backward_propagation"):
            cases = _checks(function, student)[1:]
            one_d += [abs(v) for case in cases for c in case.calls for v in c.args if v]
        cases = _checks("gradient_check", student)
        planted += [abs(c.args[0]) for case in cases[3:5] for c in case.calls]
        advice.append(cases[-1].calls[0].args[0])
    assert min(one_d) < 1 and max(one_d) > 4  # |x|, |theta| in [0.5, 5]
    assert min(planted) < 1 and max(planted) > 3.5  # |x| of a wrong gradient in [0.5, 4]
    assert min(advice) < 1 and max(advice) > 2.5  # x of the cubic cost in [0.5, 3]


def test_do_the_hidden_networks_vary_their_sizes_parameters_and_planted_entry_across_the_class():
    sizes, norms, planted, values = set(), [], [], []
    for student in STUDENTS:
        _, _, correct, wrong = _checks("gradient_check_n", student)
        for check in (correct, wrong):
            params = check.calls[0].args[0]
            assert sorted(params) == ["W1", "W2", "W3", "b1", "b2", "b3"]
            sizes |= {n for key in params for n in params[key].shape}
            values += [v for key in params for v in params[key].ravel()]
            norms.append(np.linalg.norm(gc.gradients_to_vector(gc._polynomial_gradients(params))))
        params, grads = wrong.calls[0].args[:2]
        planted.append(params["W2"][grads["dW2"] != gc._polynomial_gradients(params)["dW2"]][0])
    assert sizes == {1, 2, 3}
    assert all(-1 <= v <= 1 for v in values) and min(values) < -0.9 and max(values) > 0.9
    assert min(norms) < 2 <= max(norms)  # at least 1, and not more
    assert min(planted) < 0.6 and max(planted) > 0.9 and len(set(planted)) == len(planted)


def test_does_the_last_gradient_stand_apart_by_its_ratio_to_the_root_mean_square_alone():
    for scale in (0.1, 10.0):
        assert not gc._last_stands_apart(scale * np.array([1.0, 1.0, 1.0, 1.05]))
        assert gc._last_stands_apart(scale * np.array([1.0, 1.0, 1.0, 1.5]))
    others = np.array([0.2, 1.8])  # far from their root mean square, which the last one equals
    assert not gc._last_stands_apart(np.append(others, np.sqrt(np.mean(others ** 2))))
    assert gc._last_stands_apart(np.array([1.0, 1.0, 1.0, 1.0, 0.5]))


def test_does_a_curved_cost_of_any_slope_have_that_slope_on_the_grid_and_curve_between():
    for slope in (1, 2, 3):
        right = gc._stand_in_functions(gc._curved(slope, "correct"))
        wrong = gc._stand_in_functions(gc._curved(slope, "theta"))
        x, theta = 0.6, 1.25
        assert right["backward_propagation"](x, theta) == pytest.approx(slope * x, rel=1e-12)
        assert wrong["backward_propagation"](x, theta) == pytest.approx(slope * theta, rel=1e-12)
        for forward in (right["forward_propagation"], wrong["forward_propagation"]):
            g = math.sin(math.pi * x / 0.25) ** 2 * math.sin(math.pi * 0.3 / 0.25) ** 2
            assert forward(x, 0.3) == pytest.approx(slope * 0.3 * x + 1000.0 * g, rel=1e-12)
            assert forward(0.3, x) == pytest.approx(forward(x, 0.3), rel=1e-12)
