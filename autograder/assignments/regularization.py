"""Checks of the Regularization assignment: L2 cost and gradients, inverted dropout.

Shapes follow the 3-layer network of the course: ``X`` ``(n_0, m)``, ``Y``
``(1, m)``, ``W1 (n_1, n_0)``, ``W2 (n_2, n_1)``, ``W3 (1, n_2)``. Hidden cases
draw other sizes, ``lambd`` and ``keep_prob`` for each student.
"""

import numpy as np

from autograder.checks import Call, Check, as_scalar, catalogued, number, same_dict, same_scalar
from utils import fixtures
from utils.activations import relu, sigmoid
from utils.checks import Problem, mismatch_array, mismatch_scalar
from utils.mistakes import (
    DROPOUT_FORWARD,
    GRADIENT_WEIGHTS,
    backward_l2_mistakes,
    cost_mistakes,
    dropout_backward_mistakes,
)
from utils.network import forward_three_layer


def _network(rng, m=None, n1=None, n2=None):
    """Random ``(X, Y, parameters)`` for a 3-layer network with small random sizes."""
    n0, m = int(rng.integers(2, 6)), int(m or rng.integers(4, 12))
    n1, n2 = int(n1 or rng.integers(2, 7)), int(n2 or rng.integers(2, 6))
    sizes = (n0, n1, n2, 1)
    parameters = {}
    for l in range(1, 4):
        # scaled by 1/sqrt(n_prev): wide layers keep Z3 moderate, so A3 is no saturated 0 or 1
        parameters[f"W{l}"] = rng.normal(size=(sizes[l], sizes[l - 1])) / np.sqrt(sizes[l - 1])
        parameters[f"b{l}"] = rng.normal(size=(sizes[l], 1))
    X = rng.normal(size=(n0, m))
    Y = rng.integers(0, 2, size=(1, m))
    return X, Y, parameters


def _dropout_case(rng, forward, **sizes):
    """A hidden ``(X, Y, parameters, keep_prob, cache)``: its dropout masks drop and keep units in
    both layers.

    The exercise seeds numpy with 1, so the masks depend only on the layer shapes and
    ``keep_prob``; a small layer with a high ``keep_prob`` can keep every unit, and a case
    like that cannot tell a dropout pass from a plain one. Such draws are replaced.
    """
    while True:
        X, Y, parameters = _network(rng, **sizes)
        keep_prob = float(rng.uniform(0.5, 0.9))
        _, cache = forward(X, parameters, keep_prob)
        if all(0 < np.count_nonzero(mask) < mask.size for mask in (cache[1], cache[6])):
            return X, Y, parameters, keep_prob, cache


def _describe(X, parameters):
    sizes = [X.shape[0]] + [parameters[f"W{l}"].shape[0] for l in (1, 2, 3)]
    return f"layer sizes {sizes}, {X.shape[1]} examples"


# compute_cost_with_regularization -------------------------------------------------------


def _l2_term_grows_with_lambd(student, reference):
    """cost(lambd) - cost(0) is the reference's L2 term, for two values of lambd."""
    for value in student:
        problem = mismatch_scalar(as_scalar(value), 1.0, "cost", rtol=np.inf)
        if problem:
            return problem
    student = [number(value) for value in student]
    c0, r0 = student[0], reference[0]
    if not student[1] > c0:
        return Problem("wrong value", "the cost does not grow when lambd grows")
    for c, r, lambd in zip(student[1:], reference[1:], ("0.4", "0.8"), strict=True):
        if abs((c - c0) - (r - r0)) > 1e-9 * abs(r - r0):
            return Problem("wrong value", f"the L2 term, cost(lambd={lambd}) - cost(lambd=0), is "
                                          "not (1/m) * (lambd/2) * the sum of the squared weights")
    return None


def cost_checks(assignment, rng):
    reference = assignment.reference("compute_cost_with_regularization")
    mistakes = catalogued(cost_mistakes(reference))
    A3, Y, parameters = fixtures.compute_cost_with_regularization_test_case()
    checks = [Check("published case", (Call((A3, Y, parameters, 0.1)),),
                    same_scalar("cost", rtol=1e-9, hidden=False),
                    describe="the notebook's test case, lambd = 0.1", mistakes=mistakes)]
    for index in (1, 2):
        X, Y, parameters = _network(rng)
        A3 = rng.uniform(0.05, 0.95, size=Y.shape)
        lambd = float(rng.uniform(0.05, 2.0))
        checks.append(Check(f"hidden case {index}", (Call((A3, Y, parameters, lambd)),),
                            same_scalar("cost", rtol=1e-9), describe=_describe(X, parameters),
                            mistakes=mistakes))
    X, Y, parameters = _network(rng)
    A3 = rng.uniform(0.05, 0.95, size=Y.shape)
    calls = tuple(Call((A3, Y, parameters, lambd)) for lambd in (0.0, 0.4, 0.8))
    checks.append(Check("L2 term grows with lambd as (1/m)(lambd/2) sum W^2", calls,
                        _l2_term_grows_with_lambd, describe="lambd = 0, 0.4, 0.8", mistakes=mistakes))
    return checks


# backward_propagation_with_regularization -----------------------------------------------


def _l2_gradient_term(student, reference):
    """dW(lambd) - dW(0) is the reference's (lambd/m) W, and lambd = 0 gives the plain gradients."""
    for value in student:
        problem = same_dict("gradients", GRADIENT_WEIGHTS, values=False)([value], reference[:1])
        if problem:
            return problem
    g0, r0 = student[0], reference[0]
    for g, r, lambd in zip(student[1:], reference[1:], ("0.5", "1"), strict=True):
        for key in GRADIENT_WEIGHTS:
            if not np.allclose(g[key] - g0[key], r[key] - r0[key], rtol=1e-7, atol=1e-12):
                return Problem("wrong value", f"{key}(lambd={lambd}) - {key}(lambd=0) is not "
                                              f"(lambd/m) * W{key[-1]}")
    return same_dict("gradients for lambd = 0", GRADIENT_WEIGHTS)(student[:1], reference[:1])


def backward_l2_checks(assignment, rng):
    reference = assignment.reference("backward_propagation_with_regularization")
    mistakes = catalogued(backward_l2_mistakes(reference))
    X, Y, cache = fixtures.backward_propagation_with_regularization_test_case()
    checks = [Check("published case", (Call((X, Y, cache, 0.7)),),
                    same_dict("gradients", hidden=False), describe="the notebook's test case, lambd = 0.7",
                    mistakes=mistakes)]
    for index in (1, 2):
        X, Y, parameters = _network(rng)
        _, cache = forward_three_layer(X, parameters)
        lambd = float(rng.uniform(0.1, 2.0))
        checks.append(Check(f"hidden case {index}", (Call((X, Y, cache, lambd)),),
                            same_dict("gradients"), describe=_describe(X, parameters), mistakes=mistakes))
    X, Y, parameters = _network(rng)
    _, cache = forward_three_layer(X, parameters)
    calls = tuple(Call((X, Y, cache, lambd)) for lambd in (0.0, 0.5, 1.0))
    checks.append(Check("L2 term of dW is (lambd/m) W and vanishes at lambd = 0", calls,
                        _l2_gradient_term, describe="lambd = 0, 0.5, 1", mistakes=mistakes))
    return checks


# forward_propagation_with_dropout -----------------------------------------------------

CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
COMPARED = ("D1", "A1", "Z2", "D2", "A2", "Z3")


def _forward_output(student, reference, *, hidden, values=True, rtol=1e-7, atol=1e-10):
    got, expected = student[0], reference[0]
    if not isinstance(got, tuple) or len(got) != 2:
        return Problem("wrong type", "the function should return the pair (A3, cache)")
    A3, cache = got
    options = {"rtol": rtol, "atol": atol, "show_values": not hidden, "values": values}
    problem = mismatch_array(A3, expected[0], "A3", **options)
    if problem:
        return problem
    if not isinstance(cache, tuple) or len(cache) != len(CACHE_NAMES):
        return Problem("wrong type", "cache should be the 14-tuple (" + ", ".join(CACHE_NAMES) + ")")
    for name in COMPARED:
        position = CACHE_NAMES.index(name)
        problem = mismatch_array(cache[position], expected[1][position], f"cache {name}", **options)
        if problem:
            return problem
    return None


def _dropout_forward_variant(scaled=True, keep_below=True, draw=None):
    """The forward pass with a known dropout mistake (same seed and draws as the exercise;
    ``draw(*shape)`` replaces ``np.random.rand`` for the masks' numbers)."""
    def variant(call):
        X, parameters, keep_prob = call.args
        np.random.seed(1)
        activation, cache = X, []
        for l in (1, 2):
            Z = parameters[f"W{l}"] @ activation + parameters[f"b{l}"]
            D = (draw or np.random.rand)(*Z.shape)
            D = (D < keep_prob if keep_below else D > keep_prob).astype(int)
            activation = relu(Z) * D / (keep_prob if scaled else 1.0)
            cache += [Z, D, activation, parameters[f"W{l}"], parameters[f"b{l}"]]
        Z3 = parameters["W3"] @ activation + parameters["b3"]
        A3 = sigmoid(Z3)
        return A3, tuple(cache + [Z3, A3, parameters["W3"], parameters["b3"]])
    return variant


def _dropout_properties(X, parameters, keep_prob):
    """The forward pass end to end, from the call's own inputs: ``Z1 = W1 X + b1``, masks of
    0/1 keeping about ``keep_prob`` of the units, ``A = relu(Z) * D / keep_prob``, ``Z2`` and
    ``Z3`` from the rescaled activations, ``A3 = sigmoid(Z3)`` returned."""
    return lambda student, reference: _mask_problem(student[0], reference[0], X, parameters,
                                                    keep_prob)


#: Products of the student's own arrays, compared with the same products computed here: np.dot,
#: @ and np.matmul, or a different order of the mask and the rescaling, differ by a few units
#: of the last place.
CHAIN_RTOL, CHAIN_ATOL = 1e-9, 1e-12


def _mask_problem(got, expected, X, parameters, keep_prob):
    problem = _forward_output([got], [expected], hidden=True, values=False)
    if problem:
        return problem
    A3, cache = got
    previous = X
    for l, (z, d, a) in ((1, cache[0:3]), (2, cache[5:8])):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if not np.allclose(z, W @ previous + b, rtol=CHAIN_RTOL, atol=CHAIN_ATOL):
            source = "X" if l == 1 else "A1 (after dropout)"
            return Problem("wrong value", f"Z{l} in the cache is not W{l} {source} + b{l} for the "
                                          "inputs given")
        if not np.isin(d, (0, 1)).all():
            return Problem("wrong value", f"D{l} should hold only 0s and 1s (or False/True)")
        kept = float(np.mean(d))
        if abs(kept - keep_prob) > 5 * np.sqrt(keep_prob * (1 - keep_prob) / d.size):  # 5 std errors
            return Problem("wrong value", f"D{l} keeps {kept:.0%} of the units; keep_prob is {keep_prob}")
        if not np.allclose(a, relu(z) * d / keep_prob, rtol=1e-7, atol=1e-10):
            return Problem("wrong value", f"A{l} should be relu(Z{l}) * D{l} / keep_prob "
                                          "(shut the dropped units, rescale the kept ones)")
        previous = a
    Z3 = cache[10]
    if not np.allclose(Z3, parameters["W3"] @ previous + parameters["b3"], rtol=CHAIN_RTOL,
                       atol=CHAIN_ATOL):
        return Problem("wrong value", "Z3 in the cache is not W3 A2 + b3 (A2 after dropout)")
    if not (np.allclose(A3, sigmoid(Z3), rtol=CHAIN_RTOL, atol=CHAIN_ATOL)
            and np.array_equal(A3, cache[11])):
        return Problem("wrong value", "the A3 returned should be sigmoid(Z3), the A3 of the cache")
    return None


def dropout_forward_checks(assignment, rng):
    mistakes = catalogued(DROPOUT_FORWARD, variants={
        "dropout-forward-no-rescale": _dropout_forward_variant(scaled=False),
        "dropout-forward-mask-flipped": _dropout_forward_variant(keep_below=False),
        "dropout-forward-randn": _dropout_forward_variant(draw=lambda *shape: np.random.randn(*shape)),
    })
    forward = assignment.reference("forward_propagation_with_dropout")
    X, parameters = fixtures.forward_propagation_with_dropout_test_case()
    checks = [Check("published case", (Call((X, parameters, 0.7)),),
                    lambda s, r: _forward_output(s, r, hidden=False),
                    describe="the notebook's test case, keep_prob = 0.7", mistakes=mistakes)]
    for index in (1, 2):
        X, _, parameters, keep_prob, _ = _dropout_case(rng, forward)
        checks.append(Check(f"hidden case {index}", (Call((X, parameters, keep_prob)),),
                            lambda s, r: _forward_output(s, r, hidden=True),
                            describe=_describe(X, parameters), mistakes=mistakes))
    X, _, parameters = _network(rng, m=50, n1=40, n2=30)
    # Between 0.55 and 0.65, masks kept above keep_prob (a share of 1 - keep_prob, at most 0.45)
    # and masks from normal draws (randn < keep_prob: a share of 0.71 or more) are both more
    # than 7 standard errors of 1500 units away from keep_prob.
    keep_prob = float(rng.uniform(0.55, 0.65))
    checks.append(Check("keeps about keep_prob of the units and rescales them",
                        (Call((X, parameters, keep_prob)),), _dropout_properties(X, parameters, keep_prob),
                        describe="40 and 30 hidden units, 50 examples", weight=2.0,
                        mistakes=mistakes))
    return checks


# backward_propagation_with_dropout ----------------------------------------------------


def _masks_respected(cache, keep_prob):
    """dA is 0 for dropped units; kept units carry the reference gradient (already / keep_prob)."""
    def evaluate(student, reference):
        problem = same_dict("gradients", ("dA1", "dA2"), values=False)(student, reference)
        if problem:
            return problem
        for name, mask in (("dA1", cache[1]), ("dA2", cache[6])):
            got, expected = student[0][name], reference[0][name]
            if np.any(got[mask == 0] != 0):
                return Problem("wrong value", f"{name} should be 0 for the units dropped in the "
                                              "forward pass")
            if not np.allclose(got[mask != 0], expected[mask != 0], rtol=1e-7, atol=1e-12):
                return Problem("wrong value", f"{name} of the kept units should be scaled by "
                                              f"1/keep_prob (keep_prob = {keep_prob})")
        return None
    return evaluate


def dropout_backward_checks(assignment, rng):
    reference = assignment.reference("backward_propagation_with_dropout")
    forward = assignment.reference("forward_propagation_with_dropout")
    mistakes = catalogued(dropout_backward_mistakes(reference))
    X, Y, cache = fixtures.backward_propagation_with_dropout_test_case()
    checks = [Check("published case", (Call((X, Y, cache, 0.8)),), same_dict("gradients", hidden=False),
                    describe="the notebook's test case, keep_prob = 0.8", mistakes=mistakes)]
    for index, equal_layers in ((1, False), (2, True)):
        n1 = int(rng.integers(2, 6))
        X, Y, parameters, keep_prob, cache = _dropout_case(rng, forward, n1=n1,
                                                           n2=n1 if equal_layers else None)
        checks.append(Check(f"hidden case {index}", (Call((X, Y, cache, keep_prob)),),
                            same_dict("gradients"), describe=_describe(X, parameters), mistakes=mistakes))
    X, Y, parameters = _network(rng, m=30, n1=20, n2=10)
    _, cache = forward(X, parameters, 0.7)
    checks.append(Check("dropped units get no gradient, kept ones are rescaled",
                        (Call((X, Y, cache, 0.7)),), _masks_respected(cache, 0.7),
                        describe="20 and 10 hidden units", mistakes=mistakes))
    return checks


BUILDERS = {
    "compute_cost_with_regularization": cost_checks,
    "backward_propagation_with_regularization": backward_l2_checks,
    "forward_propagation_with_dropout": dropout_forward_checks,
    "backward_propagation_with_dropout": dropout_backward_checks,
}
