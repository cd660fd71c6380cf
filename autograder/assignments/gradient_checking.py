"""Checks of the Gradient Checking assignment.

``gradient_check`` and ``gradient_check_n`` call other functions of the
notebook; here those are stand-ins (test doubles, written below as source so
the same text runs in the worker and, for the reference, in the grader).

A checker is graded on what it does for its own assignment's cost: ``gradient_check``
on J = theta * x, with the right derivative (the difference must be rounding error
only, judged against the rounding bound of a centred difference, not against the
reference's own rounding noise) and with planted wrong ones (the difference a
correct checker reports). A cubic cost is advice only: a checker that computes J
itself as theta * x is right here. ``gradient_check_n`` is graded on the course's
network (published cases) and on a polynomial cost of other sizes, with a correct
or a planted wrong gradient. A checker that never reports a planted wrong gradient
earns nothing (:func:`autograder.checks.unearned`).
"""

import functools
import re

import numpy as np

from autograder.checks import Call, Check, catalogued, number, same_scalar
from autograder.wire import fingerprint
from utils import fixtures
from utils.checks import Problem, mismatch_scalar
from utils.gradcheck import gradients_to_vector, parameter_shapes
from utils.mistakes import (
    GRADIENT_CHECK_N,
    backward_mistakes,
    forward_mistakes,
    gradient_check_mistakes,
    relative_difference,
)
from utils.network import backward_three_layer

# Stand-ins for gradient_check ----------------------------------------------------------
#
# The assignment's cost is J = theta * x. The scored cases use it, with the right derivative
# or with a planted wrong one (a gradient checker is graded on telling them apart). A cubic
# cost is advice only: a checker that computes J itself as theta * x is right for this
# assignment, and is told to call forward_propagation so that it checks any cost.

LINEAR_FORWARD = '''
def forward_propagation(x, theta):
    return theta * x
'''

LINEAR = LINEAR_FORWARD + '''
def backward_propagation(x, theta):
    return x
'''

# dtheta = theta: the most common wrong derivative of theta * x.
LINEAR_WRONG_THETA = LINEAR_FORWARD + '''
def backward_propagation(x, theta):
    return theta
'''

# A sign error: the wrong gradient points the other way.
LINEAR_WRONG_SIGN = LINEAR_FORWARD + '''
def backward_propagation(x, theta):
    return -x
'''

# For small theta a one-sided difference is off by about epsilon / theta here, far more than
# the rounding error of the centred difference.
CUBIC = '''
def forward_propagation(x, theta):
    return x * theta ** 3

def backward_propagation(x, theta):
    return 3 * x * theta ** 2
'''

CUBIC_WRONG = '''
def forward_propagation(x, theta):
    return x * theta ** 3

def backward_propagation(x, theta):
    return 3 * x * theta
'''


def _inline_linear(stand_ins):
    """The same stand-ins with the forward pass replaced by J = theta * x: what a checker that
    computes J itself, instead of calling forward_propagation, is checking."""
    backward = stand_ins[stand_ins.index("def backward_propagation"):]
    return LINEAR_FORWARD + "\n" + backward


# Stand-ins for gradient_check_n: a smooth cost of the parameter dict -------------------

POLYNOMIAL_N = '''
def forward_propagation_n(X, Y, parameters):
    values = np.concatenate([np.ravel(parameters[key]) for key in sorted(parameters)])
    return np.sum(values ** 2 / 2 + values ** 3 / 3), None
'''


def _vector_to_dictionary_for(layer_dims):
    return (
        "from utils.gradcheck import vector_to_dictionary as _vector_to_dictionary\n\n"
        "def vector_to_dictionary(theta):\n"
        f"    return _vector_to_dictionary(theta, layer_dims={tuple(layer_dims)!r})\n"
    )


@functools.cache
def _stand_in_functions(source):
    namespace = {"np": np}
    exec(compile(source, "<stand-ins>", "exec"), namespace)
    return namespace


#: Test doubles of the 1-D functions, for a graded function that calls another one
#: (e.g. a backward_propagation written as forward_propagation(x, 1)).
DOUBLES = {
    "forward_propagation": LINEAR_FORWARD,
    "backward_propagation": "\ndef backward_propagation(x, theta):\n    return x\n",
}


# 1-D functions ------------------------------------------------------------------------

#: Hidden 1-D inputs: |x| and |theta| between 0.5 and 5, either sign; theta = 0 in one case.
LOW, HIGH = 0.5, 5.0


def _signed(rng, sign=None):
    sign = sign if sign is not None else (1.0 if rng.random() < 0.5 else -1.0)
    return float(sign * rng.uniform(LOW, HIGH))


def _one_d_cases(rng):
    """Two hidden ``(x, theta)``: theta = 0, then a negative theta (x of either sign)."""
    return [(_signed(rng), 0.0), (_signed(rng), _signed(rng, -1.0))]


def _both(compare):
    """Every call of a check must pass ``compare`` (a one-call comparator)."""
    def evaluate(student, reference):
        for got, expected in zip(student, reference, strict=True):
            problem = compare([got], [expected])
            if problem:
                return problem
        return None
    return evaluate


def _one_d_checks(rng, published, what, mistakes):
    """The published case; hidden case 1 at theta = 0 and at a negative theta (a formula right
    only by luck at one of them, e.g. J / theta, or one that vanishes at 0, fails); hidden case 2
    at a positive theta."""
    compare = same_scalar(what, rtol=1e-12)
    (x0, _), (x1, negative) = _one_d_cases(rng)
    checks = [Check("published case", (Call(published),), same_scalar(what, rtol=1e-12, hidden=False),
                    describe=f"x = {published[0]}, theta = {published[1]}", mistakes=mistakes),
              Check("hidden case 1", (Call((x0, 0.0)), Call((x1, negative))), _both(compare),
                    describe="theta = 0 and a negative theta", mistakes=mistakes),
              Check("hidden case 2", (Call((_signed(rng), _signed(rng, 1.0))),), compare,
                    describe="other real x and theta", mistakes=mistakes)]
    return checks


def forward_checks(assignment, rng):
    mistakes = catalogued(forward_mistakes())
    return _one_d_checks(rng, (2, 4), "J", mistakes)


def backward_checks(assignment, rng):
    mistakes = catalogued(backward_mistakes())
    return _one_d_checks(rng, (3, 4), "dtheta", mistakes)


UNIT_ROUNDOFF = np.finfo(float).eps / 2
#: How far above the rounding bound u (|theta| + eps) / eps a correct checker may land. Over
#: 200,000 random (x, theta) (theta = 0 and tiny thetas included) the centred difference
#: written six ways (np.dot or *, either operand order, divided by 2 * eps or by
#: theta_plus - theta_minus, abs or np.linalg.norm) stayed below 1.0 times the bound.
ROUNDING_MARGIN = 4.0
#: Relative tolerance of a difference that is not rounding noise (a planted wrong gradient):
#: the rounding above moves it by at most about 1e-8 for |theta| <= 5.
PLANTED_RTOL = 1e-6


def _rounding_bound(theta, epsilon):
    """Largest difference a correct centred difference of J = theta * x (or of the cubic cost,
    whose truncation error is below 1e-12 for the thetas used) reaches from rounding alone."""
    return ROUNDING_MARGIN * UNIT_ROUNDOFF * (abs(theta) + epsilon) / epsilon + 1e-12


def _is_rounding_noise(calls, *, hidden):
    """The difference of a correct backward pass: a number between 0 and the rounding bound."""
    def evaluate(student, reference):
        for value, call in zip(student, calls, strict=True):
            got = number(value)
            if got is None:
                return mismatch_scalar(value, 0.0, "difference")
            if not np.isfinite(got):
                return Problem("NaN/inf", f"difference is {got}; expected a finite number")
            if got < 0:
                return Problem("wrong value", "difference is negative; it is a ratio of norms, so "
                                              "it cannot be below 0")
            epsilon = call.kwargs.get("epsilon", 1e-7)
            if got > _rounding_bound(call.args[1], epsilon):
                shown = "" if hidden else f" (got {got:.3g})"
                return Problem("wrong value", "the backward pass given here is correct, so the "
                                              "difference should be rounding error only (about "
                                              f"1e-10 or less){shown}")
        return None
    return evaluate


def _same_difference(*, hidden):
    """A planted wrong gradient: the difference a correct checker reports, within PLANTED_RTOL."""
    def evaluate(student, reference):
        got = number(student[0])
        if got is not None and abs(got) < 1e-6 < float(reference[0]):
            return Problem("wrong value", "the backward pass given here is wrong, but the difference "
                                          "is tiny: the check did not notice")
        return same_scalar("difference", rtol=PLANTED_RTOL, hidden=hidden)(student, reference)
    return evaluate


def _calls_backward(code):
    return re.search(r"\bbackward_propagation\s*\(", code) is not None


#: Whether the student's code could hold the mistake (the grader's part of the catalogue).
_GRADIENT_CHECK_FITS = {
    "grad-equals-gradapprox": lambda code: re.search(r"\bgrad\s*=\s*gradapprox\b", code),
    "grad-not-from-backward": lambda code: (not _calls_backward(code)
                                            and re.search(r"\bgrad\s*=", code)
                                            and not re.search(r"\bgrad\s*=\s*gradapprox\b", code)),
    "backward-at-gradapprox":
        lambda code: re.search(r"\bbackward_propagation\s*\([^)]*gradapprox", code),
}


def _gradient_check_mistakes(stand_ins, *, linear=True):
    functions = _stand_in_functions(stand_ins)
    return catalogued(gradient_check_mistakes(functions["forward_propagation"],
                                              functions["backward_propagation"], linear=linear),
                      fits=_GRADIENT_CHECK_FITS)


def _another_cost(assignment, calls, stand_ins, *, correct):
    """Advice: the checker also works for a cost other than theta * x. A checker that computes J
    itself as theta * x answers what the same check with J = theta * x gives, and is advised to
    call forward_propagation instead."""
    inline = assignment.reference("gradient_check", _inline_linear(stand_ins))

    def evaluate(student, reference):
        if correct:
            problem = _is_rounding_noise(calls, hidden=True)(student, reference)
        else:
            problem = _same_difference(hidden=True)(student, reference)
        if problem is None:
            return None
        as_inline = [inline(*call.args, **call.kwargs) for call in calls]
        if as_inline[0] > 1e-6:
            inline_problem = _same_difference(hidden=True)(student, as_inline)
        else:
            inline_problem = _is_rounding_noise(calls, hidden=True)(student, as_inline)
        if inline_problem is None:
            return Problem("advice", "your gradient_check computes J itself (as theta * x) instead of "
                                     "calling forward_propagation: right for this assignment, but "
                                     "it checks no other cost; call forward_propagation(x, "
                                     "theta_plus) and forward_propagation(x, theta_minus)")
        return Problem("advice", "your gradient_check gives a wrong difference for a cost other "
                                 "than theta * x (a cubic one); compute J_plus and J_minus with "
                                 "forward_propagation(x, theta_plus) and forward_propagation(x, "
                                 "theta_minus), and use the centred difference")
    return evaluate


def gradient_check_checks(assignment, rng):
    published = (Call((3, 4)),)
    checks = [Check("published case", published, _is_rounding_noise(published, hidden=False),
                    describe="x = 3, theta = 4, the notebook's forward and backward passes",
                    stand_ins=LINEAR, mistakes=_gradient_check_mistakes(LINEAR))]
    for index, (x, theta) in enumerate(_one_d_cases(rng), start=1):
        calls = (Call((x, theta)),)
        checks.append(Check(f"hidden case {index}", calls, _is_rounding_noise(calls, hidden=True),
                            stand_ins=LINEAR, describe="J = theta * x with its correct derivative",
                            mistakes=_gradient_check_mistakes(LINEAR)))
    for index, (stand_ins, wrong) in enumerate(((LINEAR_WRONG_THETA, "dtheta = theta"),
                                                (LINEAR_WRONG_SIGN, "dtheta = -x")), start=3):
        # theta of x's sign, so that the case is the same kind of wrong gradient for everyone
        # (a denominator norm(grad + gradapprox) is right exactly when both have one sign)
        x = _signed(rng)
        theta = _signed(rng, np.sign(x))
        while abs(theta - x) < LOW:  # dtheta = theta must be clearly wrong
            theta = _signed(rng, np.sign(x))
        checks.append(Check(f"hidden case {index}", (Call((x, theta)),), _same_difference(hidden=True),
                            stand_ins=stand_ins, weight=1.5, planted=True,
                            describe=f"J = theta * x with a wrong backward pass ({wrong})",
                            mistakes=_gradient_check_mistakes(stand_ins)))
    x, theta = float(rng.uniform(0.5, 3)), float(rng.uniform(0.05, 0.3))
    calls = (Call((x, theta)),)
    checks.append(Check("works for another cost (advice only)", calls,
                        _another_cost(assignment, calls, CUBIC, correct=True), stand_ins=CUBIC,
                        describe="a cubic cost with a correct gradient", weight=0.0, advisory=True,
                        mistakes=_gradient_check_mistakes(CUBIC, linear=False)))
    calls = (Call((x, theta)),)  # a call of its own: outcomes are keyed by the call object
    checks.append(Check("notices a wrong gradient of another cost (advice only)", calls,
                        _another_cost(assignment, calls, CUBIC_WRONG, correct=False),
                        stand_ins=CUBIC_WRONG, describe="a cubic cost with a planted wrong gradient",
                        weight=0.0, advisory=True, planted=True,
                        mistakes=_gradient_check_mistakes(CUBIC_WRONG, linear=False)))
    return checks


# gradient_check_n ---------------------------------------------------------------------


def _random_parameters(rng, layer_dims):
    return {name: rng.uniform(-1, 1, size=shape) for name, shape in parameter_shapes(layer_dims)}


def _polynomial_gradients(parameters, wrong=None):
    gradients = {"d" + key: value + value ** 2 for key, value in parameters.items()}
    if wrong:
        key, index, delta = wrong
        gradients[key] = gradients[key].copy()
        gradients[key][index] += delta
    return gradients


def _copies(code):
    """Whether the code copies the parameter vector somewhere (np.copy, .copy(), np.array, ...)."""
    return re.search(r"\b(np|numpy)\s*\.\s*(copy|array)\s*\(|\.\s*copy\s*\(|deepcopy\s*\(", code)


_GRADIENT_CHECK_N_FITS = {
    "theta-not-copied": lambda code: not _copies(code),
    "theta-minus-from-theta-plus": _copies,
    "grad-equals-gradapprox-n": lambda code: re.search(r"\bgrad\s*=\s*gradapprox\b", code),
}


def _gradient_check_n_variants(forward_n, layer_dims):
    """What each mistake of :data:`utils.mistakes.GRADIENT_CHECK_N` returns, by key."""
    from utils.gradcheck import dictionary_to_vector, vector_to_dictionary

    def approximate(call, aliased=False, one_sided=False):
        parameters, gradients, X, Y = call.args[:4]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        values, _ = dictionary_to_vector(parameters)
        grad = gradients_to_vector(gradients)
        approx = np.zeros_like(values)
        base = forward_n(X, Y, vector_to_dictionary(values, layer_dims))[0]
        for i in range(values.shape[0]):
            plus = values if aliased else np.copy(values)
            plus[i] += epsilon
            j_plus = forward_n(X, Y, vector_to_dictionary(plus, layer_dims))[0]
            minus = values if aliased else np.copy(values)
            minus[i] -= epsilon
            j_minus = base if one_sided else forward_n(X, Y, vector_to_dictionary(minus, layer_dims))[0]
            approx[i] = (j_plus - j_minus) / (epsilon if one_sided else 2 * epsilon)
        return grad, approx

    def unshifted_minus(call):
        # theta_plus and theta_minus the same array, or theta_minus copied from theta_plus after
        # its shift: either way J_minus[i] is the cost at the unshifted parameters.
        return relative_difference(*approximate(call, aliased=True))

    return {
        "theta-not-copied": unshifted_minus,
        "theta-minus-from-theta-plus": unshifted_minus,
        "one-sided-difference-n": lambda call: relative_difference(*approximate(call, one_sided=True)),
        "difference-no-denominator-n":
            lambda call: float(np.linalg.norm(np.subtract(*approximate(call)))),
    }


def _gradient_check_n_mistakes(forward_n, layer_dims, remember=False):
    """The catalogued mistakes; with ``remember``, each variant's output is kept by the call's
    inputs (for the published cases: the same inputs, so the same outputs, for every student,
    and each one a full gradient check to compute)."""
    variants = _gradient_check_n_variants(forward_n, layer_dims)
    if remember:
        variants = {key: _remembered(key, variant) for key, variant in variants.items()}
    return catalogued(GRADIENT_CHECK_N, fits=_GRADIENT_CHECK_N_FITS, variants=variants)


_REMEMBERED = {}  # (mistake key, fingerprint of the call's inputs) -> what the mistake returns


def _remembered(key, variant):
    def remembered(call):
        known = (key, fingerprint((call.args, call.kwargs)))
        if known not in _REMEMBERED:
            _REMEMBERED[known] = variant(call)
        return _REMEMBERED[known]
    return remembered


#: The published case with the course's buggy backward pass: the centred difference written
#: other ways (divided by theta_plus - theta_minus, np.sqrt(np.sum(...)) for the norms, [i][0]
#: indexing) moves the difference by at most 5e-10 relative; a one-sided difference by 1.5e-7.
PUBLISHED_BUGGY_RTOL = 2e-8
#: The same case with a correct backward pass gives rounding noise (1.19e-7): the same
#: alternatives stay within 2.5e-4 of it relative, a one-sided difference is 43 % higher.
PUBLISHED_CORRECT_RTOL = 1e-2
#: The hidden cases shift by a larger epsilon, so that the centred difference's truncation
#: error (epsilon**2 / 3 per parameter for this cost) and rounding error (about
#: u * |J| / epsilon) are far apart from a one-sided difference's error (epsilon / 2).
HIDDEN_EPSILON = 1e-4
#: A planted wrong gradient on the polynomial cost: every correct centred difference carries the
#: same truncation error, and rounding moves the difference by less than 1e-9 relative; a
#: one-sided difference moves it by 1e-6 or more.
PLANTED_N_RTOL = 1e-7


def _polynomial_bound(parameters, gradients, epsilon):
    """Largest relative difference a correct centred difference reaches on the polynomial cost:
    truncation plus rounding, each bounded per parameter, with a factor 4 of margin."""
    values = np.concatenate([np.ravel(v) for v in parameters.values()])
    grad = gradients_to_vector(gradients)
    cost = np.sum(np.abs(values ** 2 / 2 + values ** 3 / 3))
    per_parameter = epsilon ** 2 / 3 + 4 * UNIT_ROUNDOFF * (cost + 1) / epsilon
    return 4 * per_parameter * np.sqrt(values.size) / (2 * np.linalg.norm(grad))


def _tiny_n(bound):
    def evaluate(student, reference):
        got = number(student[0])
        if got is None:
            return mismatch_scalar(student[0], 0.0, "difference")
        if not np.isfinite(got):
            return Problem("NaN/inf", f"difference is {got}; expected a finite number")
        if got < 0 or got > bound:
            return Problem("wrong value", "the gradients given here are correct, so the difference "
                                          "should be only the small error of the centred "
                                          "difference (below 1e-7 here)")
        return None
    return evaluate


def gradient_check_n_checks(assignment, rng):
    forward_n_source = dict(assignment.given)["forward_propagation_n"]
    published_stand_ins = forward_n_source + "\n" + _vector_to_dictionary_for((4, 5, 3, 1))
    forward_n = _stand_in_functions("from utils.network import forward_three_layer\n"
                                    + forward_n_source)["forward_propagation_n"]
    X, Y, parameters = fixtures.gradient_check_n_test_case()
    _, cache = forward_n(X, Y, parameters)
    buggy = assignment.given_function("backward_propagation_n")(X, Y, cache)
    correct = backward_three_layer(X, Y, cache)
    published_mistakes = _gradient_check_n_mistakes(forward_n, (4, 5, 3, 1), remember=True)
    checks = [
        Check("published case", (Call((parameters, buggy, X, Y)),),
              _same_n(PUBLISHED_BUGGY_RTOL, hidden=False), planted=True,
              describe="the notebook's test case with the provided backward_propagation_n",
              stand_ins=published_stand_ins, mistakes=published_mistakes),
        Check("published case, corrected backward pass", (Call((parameters, correct, X, Y)),),
              same_scalar("difference", rtol=PUBLISHED_CORRECT_RTOL, hidden=False),
              describe="the notebook's test case with a correct backward pass",
              stand_ins=published_stand_ins, mistakes=published_mistakes),
    ]
    polynomial = _stand_in_functions(POLYNOMIAL_N)["forward_propagation_n"]
    for index, wrong in ((1, False), (2, True)):
        dims = [int(n) for n in rng.integers(1, 5, size=4)]
        params = _random_parameters(rng, dims)
        planted = None
        if wrong:
            name, shape = parameter_shapes(dims)[int(rng.integers(0, 2 * (len(dims) - 1)))]
            planted = ("d" + name, tuple(int(rng.integers(0, n)) for n in shape), 0.5)
        grads = _polynomial_gradients(params, planted)
        X = rng.normal(size=(dims[0], 3))
        Y = rng.integers(0, 2, size=(1, 3))
        kind = "a planted wrong gradient" if wrong else "a correct gradient"
        if wrong:
            evaluate = _same_n(PLANTED_N_RTOL, hidden=True)
        else:
            evaluate = _tiny_n(_polynomial_bound(params, grads, HIDDEN_EPSILON))
        checks.append(Check(f"hidden case {index}",
                            (Call((params, grads, X, Y), {"epsilon": HIDDEN_EPSILON}),), evaluate,
                            describe=f"a smooth cost of {sum(np.size(v) for v in params.values())} "
                                     f"parameters with {kind}, epsilon = {HIDDEN_EPSILON:g}",
                            stand_ins=POLYNOMIAL_N + "\n" + _vector_to_dictionary_for(dims),
                            mistakes=_gradient_check_n_mistakes(polynomial, dims), weight=1.5,
                            planted=wrong))
    return checks


def _same_n(rtol, *, hidden):
    """A wrong gradient: the difference a correct checker reports; a tiny one missed it."""
    def evaluate(student, reference):
        got = number(student[0])
        if got is not None and abs(got) < 1e-6 < float(reference[0]):
            return Problem("wrong value", "the gradients given here are wrong, but the difference "
                                          "is tiny: the check did not notice")
        return same_scalar("difference", rtol=rtol, hidden=hidden)(student, reference)
    return evaluate


BUILDERS = {
    "forward_propagation": forward_checks,
    "backward_propagation": backward_checks,
    "gradient_check": gradient_check_checks,
    "gradient_check_n": gradient_check_n_checks,
}
