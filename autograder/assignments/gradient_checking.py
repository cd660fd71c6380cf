"""Checks of the Gradient Checking assignment.

``gradient_check`` and ``gradient_check_n`` call other functions of the
notebook; here those are stand-ins (test doubles, written below as source so
the same text runs in the worker and, for the reference, in the grader).

Each hidden case has a fixed role, written next to its builder: the regimes that tell right
from wrong (signs of ``x`` and ``theta``, ``theta = 0``, a wrong gradient of either sign, a
planted wrong entry away from both ends of the parameter vector...). Only the magnitudes are
drawn per student, within the role, so a mistake shows for every student or for none.

A checker is graded as a gradient checker. ``gradient_check``'s published case is the
notebook's J = theta * x; its hidden cases run on a cost curved around each theta checked
(:data:`GRID`), whose gradient there is still x: a centred difference is exact to rounding
on it, so a checker that computes J = theta * x itself is as right as one that calls
forward_propagation, while a one-sided difference is off by 1.6e-3 or more. Where the code
shows no evaluation of J at theta - epsilon (a one-sided difference or gradapprox written down,
which no J = theta * x can tell from a centred difference), the same cases run on a cost
whose gradient is 3 x instead (:data:`FIT_TO_CODE`): only a checker whose gradapprox follows
forward_propagation passes there. A correct backward pass's difference is judged against
the rounding bound of a centred difference, a planted wrong one against the difference a
correct checker reports. A cubic cost is advice only. ``gradient_check_n`` is graded on the
course's network (published cases) and on a polynomial cost of other sizes: with correct
gradients the difference is the centred difference's own truncation error (epsilon ** 2 / 3
per parameter), which a correct checker reproduces and a tiny made-up number does not; with
a planted wrong entry, the difference a correct checker reports. A checker that never reports
a planted wrong gradient earns nothing (:func:`autograder.grading.checks.unearned`).
"""

import ast
import dataclasses
import functools
import re

import numpy as np

from autograder.grading import vocabulary
from autograder.grading.checks import Call, Check, catalogued, number, same_scalar
from autograder.sandbox.wire import fingerprint
from utils import fixtures
from utils.checks import Problem, mismatch_scalar
from utils.gradcheck import gradients_to_vector, parameter_shapes
from utils.mistakes import (
    APPROXIMATIONS,
    DIFFERENCES,
    GRADIENT_CHECK_N,
    GRADIENT_CHECK_N_PAIRS,
    backward_mistakes,
    forward_mistakes,
    gradapprox_not_from_j,
    gradient_check_mistakes,
    relative_difference,
)
from utils.network import backward_three_layer

# Stand-ins for gradient_check ----------------------------------------------------------
#
# The published case uses the assignment's cost, J = theta * x. The hidden cases use a cost
# curved around the thetas they check (a multiple of GRID), where its gradient is SLOPE * x
# (see _curved). A cubic cost is advice only: a checker that computes J itself as
# theta * x is right for this assignment, and is told to call forward_propagation so that it
# checks any cost.

LINEAR_FORWARD = '''
def forward_propagation(x, theta):
    return theta * x
'''

LINEAR = LINEAR_FORWARD + '''
def backward_propagation(x, theta):
    return x
'''

#: The hidden thetas of gradient_check are multiples of GRID, where sin(pi * theta / GRID) is 0;
#: the hidden xs lie between two of them, where sin(pi * x / GRID) ** 2 is at least 1/2.
GRID = 0.25
#: The hidden cases' cost: J = SLOPE * theta * x + CURVATURE * g(theta) * g(x), with g(t) =
#: sin(pi * t / GRID) ** 2. It is symmetric in x and theta, as theta * x is (a checker that
#: calls forward_propagation(theta_plus, x) is as right as on the notebook's cost). On the grid
#: its gradient is SLOPE * x (g is flat there) and it is even about theta, so a centred
#: difference keeps rounding error only (its truncation terms cancel); a one-sided difference
#: adds CURVATURE * (pi / GRID)**2 * g(x) * epsilon: between 1.6e-3 and 3e-2 relative at
#: SLOPE = 1 (5e-4 and 1e-2 at SLOPE = 3), far above that rounding (about 1e-8 at most).
CURVATURE = 1000.0
#: The notebook's slope, and the slope used where the code shows no centred difference.
SLOPE, OTHER_SLOPE = 1, 3

#: What the hidden cases' backward passes return, by role: each is right, or wrong, at the
#: thetas checked (test doubles: they answer for the grid only).
BACKWARD = {
    "correct": "{slope} * x",
    "theta": "{slope} * theta",  # theta in place of x: the most common wrong derivative
}


def _curved(slope, backward):
    """Stand-ins: the curved cost of slope ``slope`` and the backward pass ``backward`` (a key
    of :data:`BACKWARD`)."""
    def g(name):
        return f"np.sin(np.pi * {name} / {GRID!r}) ** 2"
    return (f"\ndef forward_propagation(x, theta):\n"
            f"    return {slope} * theta * x + {CURVATURE!r} * {g('theta')} * {g('x')}\n"
            f"\ndef backward_propagation(x, theta):\n"
            f"    return {BACKWARD[backward].format(slope=slope)}\n")


CURVED = {role: _curved(SLOPE, role) for role in BACKWARD}
#: The same cases with a gradient of 3 x: where a checker's gradapprox may not follow J.
OTHER_SLOPE_OF = {CURVED[role]: _curved(OTHER_SLOPE, role) for role in BACKWARD}

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

#: Hidden 1-D magnitudes: |x| and |theta| between 0.5 and 5; their signs are set by the role.
LOW, HIGH = 0.5, 5.0


def _size(rng, low=LOW, high=HIGH):
    return float(rng.uniform(low, high))


def _on_grid(rng, low=LOW, high=HIGH):
    """A theta of the curved cost's grid (a multiple of GRID) between ``low`` and ``high``."""
    return float(GRID * rng.integers(int(np.ceil(low / GRID)), int(np.floor(high / GRID)) + 1))


def _off_grid(rng, low=LOW, high=HIGH):
    """An x between ``low`` and ``high`` in the middle half of a grid step (away from both ends)."""
    step = rng.integers(int(np.ceil(low / GRID)), int(np.floor(high / GRID)))
    return float(GRID * (step + rng.uniform(0.25, 0.75)))


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
    """The published case (both positive), then two hidden cases with fixed roles:

    - hidden case 1: theta = 0 with a negative x, and a negative theta with a positive x: a
      formula right only by luck at one of them (J / theta, one that vanishes at 0, abs(theta))
      fails;
    - hidden case 2: a negative x, with a negative and with a positive theta: one that is right
      for x >= 0 only (abs(x), max(x, 0), theta * abs(x)) fails.

    A formula wrong for every negative number fails both, and is right on the published case only.
    """
    compare = _both(same_scalar(what, rtol=1e-12))
    roles = [("hidden case 1", "theta = 0 and a negative theta",
              ((-_size(rng), 0.0), (_size(rng), -_size(rng)))),
             ("hidden case 2", "a negative x, with theta of either sign",
              ((-_size(rng), -_size(rng)), (-_size(rng), _size(rng))))]
    checks = [Check("published case", (Call(published),), same_scalar(what, rtol=1e-12, hidden=False),
                    describe=f"x = {published[0]}, theta = {published[1]}", mistakes=mistakes)]
    for name, describe, inputs in roles:
        checks.append(Check(name, tuple(Call(args) for args in inputs), compare, describe=describe,
                            mistakes=mistakes))
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
    """Largest difference a correct centred difference of J = theta * x (or of the curved
    costs, whose truncation error cancels on the grid, or of the cubic one, whose truncation
    error is below 1e-12 for the thetas used) reaches from rounding alone."""
    return ROUNDING_MARGIN * UNIT_ROUNDOFF * (abs(theta) + epsilon) / epsilon + 1e-12


def _is_rounding_noise(calls, *, hidden):
    """The difference of a correct backward pass: a number within the rounding bound of 0.

    Rounding noise of either sign passes: a checker that forgot the norm of grad - gradapprox
    returns this noise with its sign, which no input can fix for every student; that mistake
    shows (for everyone) where the planted wrong gradient is below the right one."""
    def evaluate(student, reference):
        for value, call in zip(student, calls, strict=True):
            got = number(value)
            if got is None:
                return mismatch_scalar(value, 0.0, "difference")
            if not np.isfinite(got):
                return Problem("NaN/inf", f"difference is {got}; expected a finite number")
            epsilon = call.kwargs.get("epsilon", 1e-7)
            if got < -_rounding_bound(call.args[1], epsilon):
                return vocabulary.problem("difference-negative")
            if got > _rounding_bound(call.args[1], epsilon):
                shown = "" if hidden else f" (got {got:.3g})"
                return vocabulary.problem("difference-not-noise",
                                          vocabulary.FINDINGS["difference-not-noise"].text + shown)
        return None
    return evaluate


def _same_difference(*, hidden):
    """A planted wrong gradient: the difference a correct checker reports, within PLANTED_RTOL."""
    def evaluate(student, reference):
        for got, expected in zip(student, reference, strict=True):
            value = number(got)
            if value is not None and abs(value) < 1e-6 < float(expected):
                return vocabulary.problem("planted-missed")
            problem = same_scalar("difference", rtol=PLANTED_RTOL, hidden=hidden)([got], [expected])
            if problem:
                return problem
        return None
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


def _swapped_arguments(stand_ins):
    """The same stand-ins with forward_propagation's arguments swapped: what a checker that calls
    forward_propagation(theta_plus, x) is checking (right for the symmetric theta * x only)."""
    return stand_ins.replace("def forward_propagation(x, theta):",
                             "def forward_propagation(theta, x):", 1)


def _another_cost(assignment, calls, stand_ins, *, correct):
    """Advice: the checker also works for a cost other than theta * x. A checker that computes J
    itself as theta * x answers what the same check with J = theta * x gives, and is advised to
    call forward_propagation instead; one that calls forward_propagation with its arguments
    swapped answers what the same check with them swapped gives, and is told so."""
    inline = assignment.reference("gradient_check", _inline_linear(stand_ins))
    swapped = assignment.reference("gradient_check", _swapped_arguments(stand_ins))

    def judged(student, expected):
        if expected[0] > 1e-6:
            return _same_difference(hidden=True)(student, expected)
        return _is_rounding_noise(calls, hidden=True)(student, expected)

    def evaluate(student, reference):
        if correct:
            problem = _is_rounding_noise(calls, hidden=True)(student, reference)
        else:
            problem = _same_difference(hidden=True)(student, reference)
        if problem is None:
            return None
        if judged(student, [inline(*call.args, **call.kwargs) for call in calls]) is None:
            return vocabulary.problem("computes-j-itself")
        if judged(student, [swapped(*call.args, **call.kwargs) for call in calls]) is None:
            return vocabulary.problem("forward-arguments-swapped")
        return vocabulary.problem("other-cost")
    return evaluate


#: Largest |x| of gradient_check's cases with a correct backward pass (see _gradient_check_roles).
SMALL_X = 1.25


def _gradient_check_roles(rng):
    """The hidden cases of gradient_check: ``(name, describe, backward role, weight, inputs)``.

    Every theta is on the curved cost's grid and every x between two grid points; signs and the
    order of sizes are fixed:

    - hidden case 1, the correct gradient at theta = 0 (x < 0) and at a negative theta (x > 0);
    - hidden case 2, the correct gradient at a positive theta with a negative x;
    - hidden case 3, theta in place of x: once of x's sign and larger (x > 0, theta >= x + 0.5),
      once of the other sign (x < 0, theta >= |x| + 0.5). The first tells a one-sided difference
      or a wrong denominator apart; the second, where the wrong gradient points the other way,
      norm(grad + gradapprox) in place of norm(grad) + norm(gradapprox);
    - hidden case 4, the same with the signs turned over: x < 0 with theta <= x - 0.5, and x > 0
      with theta <= -(x + 0.5). (A checker that calls backward_propagation at gradapprox gets
      a difference of 0 in both, and its hint.)

    A correct checker's difference is rounding noise in cases 1 and 2, at least 0.05 in 3 and 4.
    In cases 1 and 2 |x| <= SMALL_X, so that the norm of grad - gradapprox alone (a difference
    missing its denominator, |x| times the relative one) is within the rounding bound for every
    student, not for some.
    """
    a, b, c, d = (_off_grid(rng, LOW, HIGH - 2 * LOW) for _ in range(4))  # |x| of the planted cases
    return [
        ("hidden case 1", "the correct backward pass; theta = 0 and a negative theta", "correct", 1.0,
         ((-_off_grid(rng, high=SMALL_X), 0.0), (_off_grid(rng, high=SMALL_X), -_on_grid(rng)))),
        ("hidden case 2", "the correct backward pass; a positive theta", "correct", 1.0,
         ((-_off_grid(rng, high=SMALL_X), _on_grid(rng)),)),
        ("hidden case 3", "a wrong backward pass (theta in place of x), positive thetas", "theta", 1.5,
         ((a, _on_grid(rng, a + LOW)), (-b, _on_grid(rng, b + LOW)))),
        ("hidden case 4", "a wrong backward pass (theta in place of x), negative thetas", "theta", 1.5,
         ((-c, -_on_grid(rng, c + LOW)), (d, -_on_grid(rng, d + LOW)))),
    ]


def gradient_check_checks(assignment, rng):
    published = (Call((3, 4)),)
    checks = [Check("published case", published, _is_rounding_noise(published, hidden=False),
                    describe="x = 3, theta = 4, the notebook's forward and backward passes",
                    stand_ins=LINEAR, mistakes=_gradient_check_mistakes(LINEAR))]
    for name, role, backward, weight, inputs in _gradient_check_roles(rng):
        calls = tuple(Call(args) for args in inputs)
        wrong = backward != "correct"
        evaluate = _same_difference(hidden=True) if wrong else _is_rounding_noise(calls, hidden=True)
        checks.append(Check(name, calls, evaluate, describe=f"a curved cost, {role}",
                            stand_ins=CURVED[backward], weight=weight, planted=wrong,
                            mistakes=_gradient_check_mistakes(CURVED[backward], linear=False)))
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


# What only the code can tell ------------------------------------------------------------
#
# On J = theta * x a one-sided difference, and gradapprox = x written down, give what a
# centred difference gives: a checker that computes J = theta * x itself (as many students
# do, rightly) cannot be told from them by what it returns, whatever inputs it is given.
# So the code is read, for that one question only: does it evaluate anything at theta minus
# a step? Where it does, the checks stay as built (on the curved cost, whose gradient is x at
# the thetas checked, a checker computing J = theta * x itself is right). Where it does not,
# the hidden cases run on the cost of slope 3 instead: there what the checker returns tells
# (only a gradapprox that follows forward_propagation with a centred difference is right), so
# a reading that missed an unusual way of writing theta - epsilon costs a checker that calls
# forward_propagation nothing.

#: A number literal below this is a finite-difference step typed in (e.g. theta - 1e-7).
STEP_LITERAL = 1e-2


@functools.lru_cache(maxsize=1024)
def shows_centred_difference(source):
    """Whether the code subtracts a step (epsilon, a name bound to it, or a small literal)
    from something: ``theta - epsilon``, ``theta_plus - 2 * eps``, ``t -= epsilon``,
    ``theta + -epsilon``, ``np.subtract(theta, epsilon)``. A cell that does not parse is
    never run, so it is not read either (True)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    steps = {"epsilon"}
    bindings = [(node.targets[0].id, node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)]
    grown = True
    while grown:  # names bound to a step: eps = epsilon, h = 2 * epsilon, step = 1e-7
        grown = False
        for name, value in bindings:
            if name not in steps and _is_step(value, steps):
                steps.add(name)
                grown = True
    for node in ast.walk(tree):
        subtracted = None
        if isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(node.op, ast.Sub):
            subtracted = node.right if isinstance(node, ast.BinOp) else node.value
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            subtracted = node.operand
        elif (isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.func, ast.Attribute)
              and node.func.attr == "subtract"):
            subtracted = node.args[1]
        if subtracted is not None and _mentions_step(subtracted, steps):
            return True
    return False


def _small_literal(node):
    return (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            and not isinstance(node.value, bool) and 0 < abs(node.value) < STEP_LITERAL)


def _mentions_step(expression, steps):
    return any(isinstance(node, ast.Name) and node.id in steps or _small_literal(node)
               for node in ast.walk(expression))


def _is_step(expression, steps):
    """An expression of steps and numbers only (``2 * epsilon``, ``np.float64(epsilon)``)."""
    names = {node.id for node in ast.walk(expression) if isinstance(node, ast.Name)}
    return _mentions_step(expression, steps) and names <= steps | {"np", "numpy", "float"}


def _fit_gradient_check(checks, source):
    """``gradient_check``'s checks for code that shows no centred difference: the hidden cases
    on the cost of slope 3, where a gradapprox that does not follow J is named as such."""
    if shows_centred_difference(source):
        return checks
    fitted = []
    for check in checks:
        other = OTHER_SLOPE_OF.get(check.stand_ins)
        if other is not None:
            backward = _stand_in_functions(other)["backward_propagation"]
            mistakes = (_gradient_check_mistakes(other, linear=False)
                        + catalogued((gradapprox_not_from_j(backward),)))
            check = dataclasses.replace(check, stand_ins=other, mistakes=mistakes)
        fitted.append(check)
    return fitted


#: Per graded function, ``fit(checks, source)``: the checks adapted to what only the code tells.
FIT_TO_CODE = {"gradient_check": _fit_gradient_check}


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


#: How each gradapprox mistake of gradient_check_n computes gradapprox (see _approximate), and
#: how each mistake of its difference compares the two vectors.
_N_APPROXIMATIONS = {"theta-not-copied": "aliased", "theta-minus-from-theta-plus": "aliased",
                     "one-sided-difference-n": "one-sided", "plus-minus-swapped-n": "swapped",
                     "j-minus-at-theta-plus-n": "j-minus-at-plus"}


def _last_element(grad, gradapprox):
    return relative_difference(grad[-1:], gradapprox[-1:])


_N_DIFFERENCES = {"difference-no-denominator-n": DIFFERENCES["no-denominator"],
                  "difference-squared-n": DIFFERENCES["squared"],
                  "difference-last-element-n": _last_element}


def _gradient_check_n_variants(forward_n, layer_dims):
    """What each mistake of :data:`utils.mistakes.GRADIENT_CHECK_N` (and each pair of a
    gradapprox mistake with a mistake of the difference) returns, by key."""
    from utils.gradcheck import dictionary_to_vector, vector_to_dictionary

    def approximate(call, kind="centred"):
        parameters, gradients, X, Y = call.args[:4]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        values, _ = dictionary_to_vector(parameters)
        grad = gradients_to_vector(gradients)
        approx = np.zeros_like(values)
        base = forward_n(X, Y, vector_to_dictionary(values, layer_dims))[0]
        aliased = kind == "aliased"
        for i in range(values.shape[0]):
            # theta_plus and theta_minus the same array, or theta_minus copied from theta_plus
            # after its shift: either way J_minus[i] is the cost at the unshifted parameters.
            plus = values if aliased else np.copy(values)
            plus[i] += epsilon
            j_plus = forward_n(X, Y, vector_to_dictionary(plus, layer_dims))[0]
            minus = values if aliased else np.copy(values)
            minus[i] -= epsilon
            j_minus = forward_n(X, Y, vector_to_dictionary(minus, layer_dims))[0]
            approx[i] = APPROXIMATIONS[kind if kind != "aliased" else "centred"](
                j_plus, j_minus, base, epsilon)
        return grad, approx

    def variant(approximation="centred", difference=relative_difference):
        return lambda call: difference(*approximate(call, approximation))

    variants = {key: variant(approximation=kind) for key, kind in _N_APPROXIMATIONS.items()
                if key != "j-minus-at-theta-plus-n"}  # the catalogue's own: 1 whatever the inputs
    variants.update((key, variant(difference=compare)) for key, compare in _N_DIFFERENCES.items())
    for entry in GRADIENT_CHECK_N_PAIRS:
        first, second = entry.parts
        variants[entry.key] = variant(_N_APPROXIMATIONS[first], _N_DIFFERENCES[second])
    return variants


def _gradient_check_n_mistakes(forward_n, layer_dims, remember=False):
    """The catalogued mistakes; with ``remember``, each variant's output is kept by the call's
    inputs (for the published cases: the same inputs, so the same outputs, for every student,
    and each one a full gradient check to compute)."""
    variants = _gradient_check_n_variants(forward_n, layer_dims)
    if remember:
        variants = {key: _remembered(key, variant) for key, variant in variants.items()}
    return catalogued(GRADIENT_CHECK_N + GRADIENT_CHECK_N_PAIRS, fits=_GRADIENT_CHECK_N_FITS,
                      variants=variants)


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
#: The hidden cases shift by larger epsilons, so that the centred difference's truncation error
#: (exactly epsilon**2 / 3 per parameter for this cost) is far above its rounding error (about
#: u * |J| / epsilon per parameter) and far below a one-sided difference's error (epsilon / 2 *
#: (1 + 2 v)). With correct gradients the difference is that truncation error: the same for
#: every correct checker, nine times larger at the second epsilon.
HIDDEN_EPSILONS = (1e-4, 3e-4)
#: Correct gradients: over 400 students' cases, the centred difference written other ways
#: (divided by the step taken, theta_minus two epsilons back from theta_plus) stayed within
#: 8e-5 of the reference relative; a one-sided difference is 10,000 times off or more, a checker
#: that ignores epsilon (its own 1e-7) 85 % off or more at one of the two.
CORRECT_N_RTOL = 1e-2
#: A planted wrong entry: over the same cases the same alternatives stayed within 3e-12 relative,
#: a checker that ignores epsilon within 1e-7; a one-sided difference moved the difference by
#: 9e-4 or more (the planted entry's own one-sided error, at least epsilon against a planted
#: error of 0.1, outweighs the others' effect on the norms, so the two cannot cancel).
PLANTED_N_RTOL = 1e-5
#: The planted entry: a weight of the second layer (never the vector's first or last entry),
#: whose parameter lies in [0.5, 1], its gradient PLANTED_N_DELTA off.
PLANTED_N_DELTA = -0.1


def _centred_error(rtol):
    """Correct gradients on a curved cost: each call's difference is the reference's (the
    centred difference's own truncation error) within ``rtol``."""
    compare = same_scalar("difference", rtol=rtol, hidden=True)

    def evaluate(student, reference):
        for got, expected in zip(student, reference, strict=True):
            problem = compare([got], [expected])
            if problem is not None and problem.category == "wrong value":
                return vocabulary.problem("centred-error")
            if problem is not None:
                return problem
        return None
    return evaluate


def _hidden_network(rng, *, planted):
    """Layer sizes of 1 to 3 units (6 to 36 parameters), parameters in [-1, 1] and, with
    ``planted``, the planted entry's place in W2 (its parameter set in [0.5, 1]). The gradient
    on the polynomial cost (v + v**2) has a norm of at least 1: then a difference missing its
    denominator is at least twice the right one. Without ``planted`` (correct gradients), the
    last parameter's gradient stands apart from the others' root mean square
    (:func:`_last_stands_apart`)."""
    dims = [int(n) for n in rng.integers(1, 4, size=4)]
    while True:
        params = _random_parameters(rng, dims)
        entry = None
        if planted:
            entry = tuple(int(rng.integers(0, n)) for n in params["W2"].shape)
            params["W2"][entry] = rng.uniform(0.5, 1.0)
        gradient = gradients_to_vector(_polynomial_gradients(params))
        if np.linalg.norm(gradient) >= 1 and (planted or _last_stands_apart(gradient)):
            return dims, params, entry


#: With correct gradients, how far (relative) the last parameter's gradient stays from the root
#: mean square of all of them: the difference of the last parameter alone is then at least this
#: far from the whole vectors' difference, ten times the tolerance CORRECT_N_RTOL.
LAST_APART = 0.1


def _last_stands_apart(gradient):
    """Whether a checker that compares the last parameter only (its truncation error over its
    gradient, where the whole vectors give the root mean square's) cannot match the right
    difference by chance: ``|g_last|`` is not within LAST_APART of ``norm(g) / sqrt(n)``."""
    rms = np.linalg.norm(gradient) / np.sqrt(gradient.size)
    return abs(abs(float(gradient.ravel()[-1])) / rms - 1) > LAST_APART


def gradient_check_n_checks(assignment, rng):
    """The published cases, then two hidden cases with fixed roles, each on a network of its own:

    - hidden case 1, correct gradients, at two epsilons (the difference is the centred
      difference's truncation error, nine times larger at the second: no constant is right at
      both, nor the difference of the last parameter alone);
    - hidden case 2, one planted wrong entry in dW2 (never the first or last entry, so a checker
      that compares one end of the vector only never sees it), whose parameter is in [0.5, 1].
    """
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
    epsilons = " and ".join(f"{e:g}" for e in HIDDEN_EPSILONS)
    for index, wrong in ((1, False), (2, True)):
        dims, params, entry = _hidden_network(rng, planted=wrong)
        grads = _polynomial_gradients(params, ("dW2", entry, PLANTED_N_DELTA) if wrong else None)
        X = rng.normal(size=(dims[0], 3))
        Y = rng.integers(0, 2, size=(1, 3))
        if wrong:
            calls = (Call((params, grads, X, Y), {"epsilon": HIDDEN_EPSILONS[0]}),)
            evaluate, kind = _same_n(PLANTED_N_RTOL, hidden=True), "one wrong entry in dW2"
            describe = f"epsilon = {HIDDEN_EPSILONS[0]:g}"
        else:
            calls = tuple(Call((params, grads, X, Y), {"epsilon": e}) for e in HIDDEN_EPSILONS)
            evaluate, kind = _centred_error(CORRECT_N_RTOL), "correct gradients"
            describe = f"epsilon = {epsilons}"
        checks.append(Check(f"hidden case {index}", calls, evaluate,
                            describe=f"a curved cost of another network, {kind}, {describe}",
                            stand_ins=POLYNOMIAL_N + "\n" + _vector_to_dictionary_for(dims),
                            mistakes=_gradient_check_n_mistakes(polynomial, dims), weight=1.5,
                            planted=wrong))
    return checks


def _same_n(rtol, *, hidden):
    """A wrong gradient: the difference a correct checker reports; a tiny one missed it."""
    def evaluate(student, reference):
        got = number(student[0])
        if got is not None and abs(got) < 1e-6 < float(reference[0]):
            return vocabulary.problem("planted-missed-n")
        return same_scalar("difference", rtol=rtol, hidden=hidden)(student, reference)
    return evaluate


BUILDERS = {
    "forward_propagation": forward_checks,
    "backward_propagation": backward_checks,
    "gradient_check": gradient_check_checks,
    "gradient_check_n": gradient_check_n_checks,
}
