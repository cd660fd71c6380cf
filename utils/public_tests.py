"""Visible tests for the 11 graded functions, on the course's published cases.

Each ``<function>_test(target, ...)`` calls the student's function on the
published inputs and prints a pass line or raises :class:`utils.checks.CheckFailed`
naming every problem (type, shape or value, with expected and obtained values) and,
when the output is what a catalogued mistake gives (:mod:`utils.mistakes`), its hint.
A stub says the function is not written yet; another exception raised by ``target``
is named with the lines of the student's code it came from. No traceback of these
helpers is shown.

The expected values are the course's published outputs; they are public.
The hidden tests that decide the grade use other inputs (see ``autograder``).
"""

import numpy as np

from utils import fixtures, mistakes
from utils.checks import (
    as_numeric_array,
    call_student,
    mismatch_array,
    mismatch_dict,
    mismatch_scalar,
    mismatches_dict,
    report,
    visible_test,
)
from utils.costs import cross_entropy_cost
from utils.mistakes import Call, hints_for
from utils.network import backward_three_layer

_PRINTED = {"rtol": 0.0, "atol": 1.5e-8}  # values published with 8 decimals
#: Matching a catalogued mistake against values derived from 8-decimal published ones.
_MATCH_PRINTED = {"rtol": 1e-6, "atol": 1e-7}


def _parameters_problems(got, expected, what):
    if not isinstance(got, dict):
        return [mismatch_dict(got, expected, what)]
    extra = sorted(set(got) - set(expected))
    problems = [f"{what} has unexpected key(s) {', '.join(extra)}"] if extra else []
    return problems + mismatches_dict(got, expected, what, **_PRINTED)


def _arrays(values):
    return {key: np.array(value, dtype=float) for key, value in values.items()}


def _published(answers):
    """A reference that knows only the published answers: ``answers(*args)`` or LookupError."""
    def reference(*args):
        answer = answers(*args)
        if answer is None:
            raise LookupError("not a published case")
        return answer
    return reference


def _zeros(*shapes):
    return [np.zeros(shape) for shape in shapes]


@visible_test
def initialize_parameters_zeros_test(target):
    W1, b1, W2, b2 = _zeros((2, 3), (2, 1), (1, 2), (1, 1))
    expected = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    got = call_student("initialize_parameters_zeros", target, [3, 2, 1])
    report("initialize_parameters_zeros", _parameters_problems(got, expected, "parameters"))


@visible_test
def initialize_parameters_random_test(target):
    expected = {
        "W1": [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
        "b1": [[0.0], [0.0]],
        "W2": [[-0.82741481, -6.27000677]],
        "b2": [[0.0]],
    }
    got = call_student("initialize_parameters_random", target, [3, 2, 1])
    problems = _parameters_problems(got, expected, "parameters")
    hints = []
    if any(problems):
        reference = _published(lambda dims: _arrays(expected) if list(dims) == [3, 2, 1] else None)
        hints = hints_for(got, Call(([3, 2, 1],)), mistakes.random_mistakes(reference),
                          **_MATCH_PRINTED)
    report("initialize_parameters_random", problems, hints)


@visible_test
def initialize_parameters_he_test(target):
    cases = {
        (2, 4, 1): {
            "W1": [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                   [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]],
            "b1": [[0.0], [0.0], [0.0], [0.0]],
            "W2": [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]],
            "b2": [[0.0]],
        },
        (3, 1, 2): {
            "W1": [[1.46040903, 0.3564088, 0.07878985]],
            "b1": [[0.0]],
            "W2": [[-2.63537665], [-0.39228616]],
            "b2": [[0.0], [0.0]],
        },
    }
    reference = _published(lambda dims: _arrays(cases[tuple(dims)]) if tuple(dims) in cases
                           else None)
    problems, hints = [], []
    for dims, expected in cases.items():
        got = call_student("initialize_parameters_he", target, list(dims))
        found = _parameters_problems(got, expected, f"parameters for {list(dims)}")
        if any(found):
            hints += hints_for(got, Call((list(dims),)), mistakes.he_mistakes(reference),
                               **_MATCH_PRINTED)
        problems += found
    report("initialize_parameters_he", problems, hints)


@visible_test
def compute_cost_with_regularization_test(target):
    A3, Y, parameters = fixtures.compute_cost_with_regularization_test_case()
    expected = 1.7864859451590758
    got = call_student("compute_cost_with_regularization", target, A3, Y, parameters, lambd=0.1)
    problems = [mismatch_scalar(got, expected, "cost", rtol=1e-10)]
    hints = []
    if any(problems):
        answers = {0.0: cross_entropy_cost(A3, Y), 0.1: expected}  # lambd = 0: the plain cost
        reference = _published(lambda a3, y, p, lambd: answers.get(lambd) if p is parameters
                               else None)
        hints = hints_for(got, Call((A3, Y, parameters, 0.1)), mistakes.cost_mistakes(reference),
                          rtol=1e-9)
    report("compute_cost_with_regularization", problems, hints)


@visible_test
def backward_propagation_with_regularization_test(target):
    X, Y, cache = fixtures.backward_propagation_with_regularization_test_case()
    expected = {
        "dW1": [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]],
        "dW2": [[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]],
        "dW3": [[-1.77691347, -0.11832879, -0.09397446]],
        "db1": [[0.11845855], [0.21236874]],
        "db2": [[0.26135226], [0.0], [0.0]],
        "db3": [[-0.38032981]],
    }
    got = call_student("backward_propagation_with_regularization", target, X, Y, cache, lambd=0.7)
    problems = mismatches_dict(got, expected, "gradients", **_PRINTED)
    hints = []
    if problems:
        def answers(x, y, c, lambd):
            if c is not cache:
                return None
            if lambd == 0.7:
                return _arrays(expected)
            # lambd = 0: the plain backward pass, given in reg_utils; its keys that are tested
            return {k: v for k, v in backward_three_layer(x, y, c).items() if k in expected}
        hints = hints_for(got, Call((X, Y, cache, 0.7)),
                          mistakes.backward_l2_mistakes(_published(answers)), **_MATCH_PRINTED)
    report("backward_propagation_with_regularization", problems, hints)


@visible_test
def forward_propagation_with_dropout_test(target):
    X, parameters = fixtures.forward_propagation_with_dropout_test_case()
    got = call_student("forward_propagation_with_dropout", target, X, parameters, keep_prob=0.7)
    if not (isinstance(got, tuple) and len(got) == 2):
        report("forward_propagation_with_dropout", ["the function should return (A3, cache)"])
        return
    A3, cache = got
    problems = [
        mismatch_array(
            A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], "A3", **_PRINTED
        )
    ]
    note = None
    if not (isinstance(cache, tuple) and len(cache) == 14):
        problems.append(
            "cache should be the 14-tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)"
        )
    else:
        cache, note = _masks_as_arrays(cache)
        expected = {
            1: ("D1", [[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]]),
            2: ("A1", [[0, 0, 3.05706487, 3.72429505, 0],
                       [0, 5.94299915, 1.1293003, 2.09276446, 0]]),
            6: ("D2", [[1, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]]),
            7: ("A2", [[0.75765067, 8.40591658, 4.40550021, 0, 0.75765067], [0] * 5, [0] * 5]),
        }
        for position, (name, value) in expected.items():
            problems.append(mismatch_array(cache[position], value, f"cache {name}", **_PRINTED))
    hints = []
    if any(problems):  # the mistakes' A3 on this case (their whole output is the grader's to compute)
        hints = hints_for(A3, Call((X, parameters, 0.7)), mistakes.DROPOUT_FORWARD, **_MATCH_PRINTED)
    report("forward_propagation_with_dropout", problems, hints, note=note)


def _masks_as_arrays(cache):
    """The cache with masks given as nested lists of booleans (or another array-like of numbers)
    read as arrays: the backward pass's ``dA1 * D1 / keep_prob`` works on them unchanged, so
    they are judged by their numbers; the note recommends an array."""
    cache, unusual = list(cache), []
    for position, name in ((1, "D1"), (6, "D2")):
        array = None if isinstance(cache[position], np.ndarray) else as_numeric_array(cache[position])
        if array is not None:
            unusual.append(f"{name} is a {type(cache[position]).__name__}")
            cache[position] = array
    note = None
    if unusual:
        them = "them" if len(unusual) > 1 else "it"
        note = (f"Note: {' and '.join(unusual)}; the backward pass works on {them}, but a numpy "
                "array is what the cache is expected to hold, e.g. "
                "(np.random.rand(...) < keep_prob).astype(int).")
    return tuple(cache), note


@visible_test
def backward_propagation_with_dropout_test(target):
    X, Y, cache = fixtures.backward_propagation_with_dropout_test_case()
    expected = {
        "dA1": [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
                [0.65515713, 0.0, -0.00337459, 0.0, -0.0]],
        "dA2": [[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
                [0.0, 0.53159854, -0.0, 0.53159854, -0.34089673],
                [0.0, 0.0, -0.00292733, 0.0, -0.0]],
        "dW1": [[0.00019884, 0.00028657, 0.00012138], [0.00035647, 0.00051375, 0.00021761]],
        "dW2": [[-0.00256518, -0.0009476], [0.0, 0.0], [0.0, 0.0]],
        "dW3": [[-0.06951191, 0.0, 0.0]],
    }
    got = call_student("backward_propagation_with_dropout", target, X, Y, cache, keep_prob=0.8)
    problems = mismatches_dict(got, expected, "gradients", **_PRINTED)
    hints = []
    if problems:
        def answers(x, y, c, keep_prob):
            # Another keep_prob scales the second layer's gradients by 0.8 / keep_prob and the
            # first layer's by its square (each layer's dA is divided by keep_prob once).
            if c is not cache:
                return None
            scale = 0.8 / keep_prob
            factors = {"dA2": scale, "dW2": scale, "dA1": scale ** 2, "dW1": scale ** 2, "dW3": 1}
            return {k: v * factors[k] for k, v in _arrays(expected).items()}
        hints = hints_for(got, Call((X, Y, cache, 0.8)),
                          mistakes.dropout_backward_mistakes(_published(answers)), **_MATCH_PRINTED)
    report("backward_propagation_with_dropout", problems, hints)


def _one_number(name, target, args, expected, what, catalogue, rtol=1e-7):
    got = call_student(name, target, *args)
    problems = [mismatch_scalar(got, expected, what, rtol=rtol)]
    hints = hints_for(got, Call(args), catalogue) if any(problems) else []
    report(name, problems, hints)


@visible_test
def forward_propagation_test(target):
    _one_number("forward_propagation", target, (2, 4), 8.0, "J for x = 2, theta = 4",
                mistakes.forward_mistakes())


@visible_test
def backward_propagation_test(target):
    _one_number("backward_propagation", target, (3, 4), 3.0, "dtheta for x = 3, theta = 4",
                mistakes.backward_mistakes())


def _noise_free(catalogue):
    """Mistakes told apart by their values: those recognised only as rounding noise need the
    student's code (the grader reads it), so a visible test does not name them."""
    return tuple(known for known in catalogue if known.close is not mistakes.tiny_close)


@visible_test
def gradient_check_test(target):
    catalogue = mistakes.gradient_check_mistakes(lambda x, theta: theta * x, lambda x, theta: x)
    _one_number("gradient_check", target, (3, 4), 7.814075313343006e-11,
                "difference for x = 3, theta = 4", _noise_free(catalogue), rtol=1e-4)


@visible_test
def gradient_check_n_test(target, parameters, gradients, X, Y):
    """Accepts the difference of the provided (buggy) backward pass or of a fixed one."""
    difference = call_student("gradient_check_n", target, parameters, gradients, X, Y, 1e-7, True)
    # Centred differences written other ways stay within 5e-10 of the published value; a
    # one-sided difference is 1.5e-7 away (the grader's published case uses the same bound).
    buggy = mismatch_scalar(difference, 0.2850931567761623, "difference", rtol=2e-8)
    fixed = mismatch_scalar(difference, 1.1890913024229996e-07, "difference", rtol=1e-4)
    problem = None
    if buggy and fixed:
        problem = (
            f"{buggy.replace('; expected', ' but should be')} with the provided "
            "backward_propagation_n (or 1.1890913024229996e-07 once its bugs are fixed)"
        )
    note = None
    if buggy is None:
        note = ("(The yellow message above is expected: the provided backward_propagation_n has "
                "deliberate bugs and your check found them; the optional exercise below fixes them.)")
    hints = []
    if problem:
        hints = hints_for(difference, Call((parameters, gradients, X, Y)), mistakes.GRADIENT_CHECK_N)
    report("gradient_check_n", [problem], hints, note=note)
