"""Checks of the Regularization assignment: L2 cost and gradients, inverted dropout.

Shapes follow the 3-layer network of the course: ``X`` ``(n_0, m)``, ``Y``
``(1, m)``, ``W1 (n_1, n_0)``, ``W2 (n_2, n_1)``, ``W3 (1, n_2)``.

Each hidden case has a fixed role, the same for every student; only the values within it
(sizes, weights, ``lambd``, ``keep_prob``) are drawn per student, so a mistake shows for every
student or for none. Every network of a hidden case or a property check has (:func:`network`):

- ``n_0, n_1, n_2`` all different, from 2..9 (unless a role says otherwise): no weight matrix is
  square, so a transposed one never fits, and none is one row or one column, where ``W W^T``,
  ``W^T W`` or a spectral norm would give the sum of squares;
- ``m`` from 6..12 and unlike every layer size: never 1, where a missing ``1/m``,
  ``lambd / 2 * m`` or a mask shared by all examples is right, nor the notebook's 5 (a hard-coded
  ``m``), nor a size that ``X.shape[0]`` or ``W.shape`` could stand in for;
- biases that are not zero (a sum of squares that takes them in shows), inputs and weights of
  both signs.

``compute_cost_with_regularization`` and ``backward_propagation_with_regularization``:
hidden case 1 has ``lambd`` in :data:`SMALL_LAMBD` (below 1, unlike the notebooks' 0.1 and
0.7: a hard-coded ``lambd`` shows), hidden case 2 in :data:`LARGE_LAMBD` (above 1: ``lambd**2``
or ``sqrt(lambd)`` show on both sides of 1); the property check calls one such network with
``lambd = 0`` and two more values (the L2 term must be the reference's and vanish at 0).
Nothing in these functions is random: the chance of a wrong verdict is 0.

``forward_propagation_with_dropout``: hidden case 1 has ``keep_prob`` in :data:`LOW_KEEP`
(below the notebooks' 0.7, 0.8 and the model's 0.86, away from 0.5) and a first hidden layer
wider than the second; hidden case 2 ``keep_prob`` in :data:`HIGH_KEEP` and the second layer
the wider. The exercise seeds numpy with 1, so masks depend on the shapes and ``keep_prob``
only; each case is drawn until its masks tell (:func:`tells_dropout_forward`): in each layer a
unit dropped and one kept, an active unit (``Z > 0``) kept and one dropped (a missing rescaling
or a mask not applied shows in ``A``), and masks unlike those of hard-coded thresholds
(:data:`OTHER_THRESHOLDS`, ``1 - keep_prob``), of transposed draws and of ``randn`` draws. The
property check (40 and 30 hidden units, 50 examples, ``keep_prob`` in :data:`PROPERTY_KEEP`)
accepts masks keeping a share within :data:`KEEP_RATE_TOLERANCE` of ``keep_prob``: code
seeded with 1 gets one verdict for every ``keep_prob`` of the range (a test checks its draws),
and masks drawn another way get a wrong verdict with a chance below 1e-12
(:func:`keep_rate_error_chance`).

``backward_propagation_with_dropout``: hidden case 1 has ``keep_prob`` in :data:`LOW_KEEP`
and hidden layers of different sizes, hidden case 2 ``keep_prob`` in :data:`HIGH_KEEP` and
hidden layers of one size (a layer given the other layer's mask is then told by its values,
not by a shape error); each is drawn until, in each layer, a dropped unit and a kept unit
carry a gradient and a kept unit that is inactive carries one (masking with ``A > 0`` instead
of ``D`` shows), and, in case 2, the two layers' masks differ. The property check (20 and 10
hidden units, 30 examples, ``keep_prob`` in :data:`LOW_KEEP`) is deterministic: chance 0.

Dropout masks are judged by their numbers: a mask returned as nested lists of booleans (or
another array-like numpy reads as the mask's shape, which the course's ``dA1 * D1 / keep_prob``
works on unchanged) counts as the array it stands for; an advice-only check recommends a numpy
array.
"""

import functools
import math

import numpy as np

from autograder.grading import vocabulary
from autograder.grading.checks import Call, Check, as_scalar, catalogued, number, same_dict, same_scalar
from utils import fixtures
from utils.activations import relu, sigmoid
from utils.checks import Problem, as_numeric_array, mismatch_array, mismatch_scalar
from utils.mistakes import (
    DROPOUT_FORWARD,
    DROPOUT_FORWARD_PAIRS,
    GRADIENT_WEIGHTS,
    backward_l2_mistakes,
    cost_mistakes,
    dropout_backward_mistakes,
)
from utils.network import forward_three_layer

SIZES = np.arange(2, 10)
EXAMPLES = range(6, 13)
SMALL_LAMBD, LARGE_LAMBD = (0.2, 0.6), (1.5, 3.0)
LOW_KEEP, HIGH_KEEP = (0.55, 0.65), (0.88, 0.95)
#: keep_prob values a student could hard-code in the masks' comparison (the notebooks' 0.5
#: default, 0.7 and 0.8): a hidden case's masks differ from theirs.
OTHER_THRESHOLDS = (0.5, 0.7, 0.8)


def _sizes(rng, order=None):
    """``(n_0, n_1, n_2)``, three different sizes; ``order``: ``"first wider"`` (``n_1 > n_2``),
    ``"second wider"`` or ``"equal"`` (``n_2 = n_1``, still unlike ``n_0``)."""
    n0, a, b = (int(n) for n in rng.choice(SIZES, size=3, replace=False))
    if order == "first wider":
        a, b = max(a, b), min(a, b)
    elif order == "second wider":
        a, b = min(a, b), max(a, b)
    elif order == "equal":
        b = a
    return n0, a, b


def network(rng, sizes=None, m=None):
    """Random ``(X, Y, parameters)`` of a 3-layer network: ``sizes`` ``(n_0, n_1, n_2)`` (default
    :func:`_sizes`), ``m`` examples (default from :data:`EXAMPLES`, unlike every size)."""
    n0, n1, n2 = sizes or _sizes(rng)
    if m is None:
        m = int(rng.choice([k for k in EXAMPLES if k not in (n0, n1, n2)]))
    layers = (n0, n1, n2, 1)
    parameters = {}
    for l in range(1, 4):
        # scaled by 1/sqrt(n_prev): wide layers keep Z3 moderate, so A3 is no saturated 0 or 1
        parameters[f"W{l}"] = rng.normal(size=(layers[l], layers[l - 1])) / np.sqrt(layers[l - 1])
        parameters[f"b{l}"] = rng.normal(size=(layers[l], 1))
    X = rng.normal(size=(n0, m))
    Y = rng.integers(0, 2, size=(1, m))
    return X, Y, parameters


def _uniform(rng, bounds):
    return float(rng.uniform(*bounds))


@functools.lru_cache(maxsize=1024)
def _seeded_draws(shapes, draw="rand"):
    """What ``np.random.seed(1)`` then one ``np.random.<draw>(*shape)`` per shape give (a
    generator of its own: numpy's global state is left alone; read-only, cached by shapes)."""
    state = np.random.RandomState(1)
    arrays = tuple(getattr(state, draw)(*shape) for shape in shapes)
    for array in arrays:
        array.setflags(write=False)
    return arrays


def tells_dropout_forward(cache, keep_prob):
    """Whether the masks of a forward case tell a dropout pass from the known ways of getting it
    wrong (see the module's docstring)."""
    layers = ((cache[0], cache[1]), (cache[5], cache[6]))
    for z, d in layers:
        kept, active = np.asarray(d) != 0, z > 0
        if kept.all() or not kept.any() or not (kept & active).any() or not (~kept & active).any():
            return False
    shapes = tuple(z.shape for z, _ in layers)
    uniform, normal = _seeded_draws(shapes), _seeded_draws(shapes, "randn")
    for (_, d), u, g in zip(layers, uniform, normal, strict=True):
        kept = np.asarray(d) != 0
        transposed = u.reshape(u.shape[::-1]).T  # np.random.rand(m, n).T: the same numbers
        others = [u < q for q in OTHER_THRESHOLDS + (1 - keep_prob,)]
        if any(np.array_equal(kept, other) for other in others + [transposed < keep_prob,
                                                                     g < keep_prob]):
            return False
    return True


def _dropout_case(rng, forward, keep, order):
    """A hidden ``(X, Y, parameters, keep_prob, cache)`` of the forward pass's roles."""
    while True:
        X, Y, parameters = network(rng, _sizes(rng, order))
        keep_prob = _uniform(rng, keep)
        _, cache = forward(X, parameters, keep_prob)
        if tells_dropout_forward(cache, keep_prob):
            return X, Y, parameters, keep_prob, cache


def _upstream(X, Y, cache, keep_prob):
    """The gradients reaching ``A1`` and ``A2`` before their masks: what dropout's backward
    step masks and rescales."""
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
    into_a2 = W3.T @ (A3 - Y)
    into_a1 = W2.T @ (into_a2 * D2 / keep_prob * (A2 > 0))
    return into_a1, into_a2


def tells_dropout_backward(X, Y, cache, keep_prob, equal_layers):
    """Whether a backward case tells dropout's backward step from the known ways of getting it
    wrong (see the module's docstring)."""
    upstream = _upstream(X, Y, cache, keep_prob)
    for gradient, mask, activation in zip(upstream, (cache[1], cache[6]), (cache[2], cache[7]),
                                          strict=True):
        kept, flowing = mask != 0, gradient != 0
        if not ((kept & flowing).any() and (~kept & flowing).any()
                and (kept & (activation == 0) & flowing).any()):
            return False
    return not equal_layers or not np.array_equal(cache[1] != 0, cache[6] != 0)


def _backward_case(rng, forward, keep, equal_layers):
    while True:
        X, Y, parameters = network(rng, _sizes(rng, "equal" if equal_layers else None))
        keep_prob = _uniform(rng, keep)
        _, cache = forward(X, parameters, keep_prob)
        if tells_dropout_backward(X, Y, cache, keep_prob, equal_layers):
            return X, Y, parameters, keep_prob, cache


#: The roles of the hidden cases of the L2 cost and gradients: a range of lambd, and what the
#: student reads about the case (no hidden value).
LAMBD_ROLES = ((SMALL_LAMBD, "a small lambd, unlike the notebook's; layers of different sizes"),
               (LARGE_LAMBD, "a large lambd; layers of different sizes"))


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
        return vocabulary.problem("l2-not-growing")
    for c, r in zip(student[1:], reference[1:], strict=True):
        if abs((c - c0) - (r - r0)) > 1e-9 * abs(r - r0):
            return vocabulary.problem("l2-term")
    return None


def cost_checks(assignment, rng):
    reference = assignment.reference("compute_cost_with_regularization")
    mistakes = catalogued(cost_mistakes(reference))
    A3, Y, parameters = fixtures.compute_cost_with_regularization_test_case()
    checks = [Check("published case", (Call((A3, Y, parameters, 0.1)),),
                    same_scalar("cost", rtol=1e-9, hidden=False),
                    describe="the notebook's test case, lambd = 0.1", mistakes=mistakes)]
    for index, (bounds, role) in enumerate(LAMBD_ROLES, start=1):
        X, Y, parameters = network(rng)
        A3 = rng.uniform(0.05, 0.95, size=Y.shape)
        checks.append(Check(f"hidden case {index}", (Call((A3, Y, parameters, _uniform(rng, bounds))),),
                            same_scalar("cost", rtol=1e-9), describe=role, mistakes=mistakes))
    X, Y, parameters = network(rng)
    A3 = rng.uniform(0.05, 0.95, size=Y.shape)
    calls = tuple(Call((A3, Y, parameters, lambd)) for lambd in (0.0, 0.4, 0.8))
    checks.append(Check("L2 term grows with lambd as (1/m)(lambd/2) sum W^2", calls,
                        _l2_term_grows_with_lambd, describe="lambd = 0, 0.4, 0.8", mistakes=mistakes))
    return checks


# backward_propagation_with_regularization -----------------------------------------------


#: The weights' gradients in the order the backward pass computes them: where several are wrong,
#: the first one computed is the one blamed.
COMPUTED_ORDER = tuple(reversed(GRADIENT_WEIGHTS))


def _l2_gradient_term(student, reference):
    """dW(lambd) - dW(0) is the reference's (lambd/m) W, and lambd = 0 gives the plain gradients
    (each judged in the order computed: dW3, dW2, dW1)."""
    for value in student:
        problem = same_dict("gradients", COMPUTED_ORDER, values=False)([value], reference[:1])
        if problem:
            return problem
    g0, r0 = student[0], reference[0]
    for g, r in zip(student[1:], reference[1:], strict=True):
        for key in COMPUTED_ORDER:
            if not np.allclose(g[key] - g0[key], r[key] - r0[key], rtol=1e-7, atol=1e-12):
                return vocabulary.problem("l2-gradient-term")
    return same_dict("gradients for lambd = 0", COMPUTED_ORDER)(student[:1], reference[:1])


def backward_l2_checks(assignment, rng):
    reference = assignment.reference("backward_propagation_with_regularization")
    mistakes = catalogued(backward_l2_mistakes(reference))
    X, Y, cache = fixtures.backward_propagation_with_regularization_test_case()
    checks = [Check("published case", (Call((X, Y, cache, 0.7)),),
                    same_dict("gradients", hidden=False), describe="the notebook's test case, lambd = 0.7",
                    mistakes=mistakes)]
    for index, (bounds, role) in enumerate(LAMBD_ROLES, start=1):
        X, Y, parameters = network(rng)
        _, cache = forward_three_layer(X, parameters)
        checks.append(Check(f"hidden case {index}", (Call((X, Y, cache, _uniform(rng, bounds))),),
                            same_dict("gradients"), describe=role, mistakes=mistakes))
    X, Y, parameters = network(rng)
    _, cache = forward_three_layer(X, parameters)
    calls = tuple(Call((X, Y, cache, lambd)) for lambd in (0.0, 0.5, 1.0))
    checks.append(Check("L2 term of dW is (lambd/m) W and vanishes at lambd = 0", calls,
                        _l2_gradient_term, describe="lambd = 0, 0.5, 1", mistakes=mistakes))
    return checks


# forward_propagation_with_dropout -----------------------------------------------------

CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
COMPARED = ("D1", "A1", "Z2", "D2", "A2", "Z3")


MASKS = (CACHE_NAMES.index("D1"), CACHE_NAMES.index("D2"))


def _read_masks(cache):
    """``cache`` with ``D1`` and ``D2`` as numpy arrays where they are array-likes that numpy reads
    as numbers (e.g. nested lists of booleans): the course's backward pass, ``dA1 * D1 /
    keep_prob``, works on them unchanged, so they are judged by their numbers (their shape and
    values are compared as for an array)."""
    if not isinstance(cache, tuple) or len(cache) != len(CACHE_NAMES):
        return cache
    read = list(cache)
    for position in MASKS:
        if not isinstance(read[position], np.ndarray):
            array = as_numeric_array(read[position])
            read[position] = read[position] if array is None else array
    return tuple(read)


def _forward_output(student, reference, *, hidden, values=True, rtol=1e-7, atol=1e-10):
    got, expected = student[0], reference[0]
    if not isinstance(got, tuple) or len(got) != 2:
        return Problem("wrong type", "the function should return the pair (A3, cache)")
    A3, cache = got[0], _read_masks(got[1])
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


def _dropout_forward_variant(scaled=True, keep_below=True, draw=None, truncated=()):
    """The forward pass with known dropout mistakes (same seed and draws as the exercise;
    ``draw(*shape)`` replaces ``np.random.rand`` for the masks' numbers; ``truncated``: the
    layers whose masked activations are cast to integers before the rescaling)."""
    def variant(call):
        X, parameters, keep_prob = call.args
        np.random.seed(1)
        activation, cache = X, []
        for l in (1, 2):
            Z = parameters[f"W{l}"] @ activation + parameters[f"b{l}"]
            D = (draw or np.random.rand)(*Z.shape)
            D = (D < keep_prob if keep_below else D > keep_prob).astype(int)
            masked = relu(Z) * D
            if l in truncated:
                masked = masked.astype(int)
            activation = masked / (keep_prob if scaled else 1.0)
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
    A3, cache = got[0], _read_masks(got[1])
    previous = X
    for l, (z, d, a) in ((1, cache[0:3]), (2, cache[5:8])):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if not np.allclose(z, W @ previous + b, rtol=CHAIN_RTOL, atol=CHAIN_ATOL):
            return vocabulary.problem("z-not-chained")
        if not np.isin(d, (0, 1)).all():
            return vocabulary.problem("mask-not-binary")
        if abs(float(np.mean(d)) - keep_prob) > KEEP_RATE_TOLERANCE:
            return vocabulary.problem("keep-share")
        if not np.allclose(a, relu(z) * d / keep_prob, rtol=1e-7, atol=1e-10):
            return vocabulary.problem("not-rescaled")
        previous = a
    Z3 = cache[10]
    if not np.allclose(Z3, parameters["W3"] @ previous + parameters["b3"], rtol=CHAIN_RTOL,
                       atol=CHAIN_ATOL):
        return vocabulary.problem("z-not-chained")
    if not (np.allclose(A3, sigmoid(Z3), rtol=CHAIN_RTOL, atol=CHAIN_ATOL)
            and np.array_equal(A3, cache[11])):
        return vocabulary.problem("a3-not-sigmoid")
    return None


#: The property check of the forward pass: masks keeping a share of the units within
#: KEEP_RATE_TOLERANCE of keep_prob pass (see :func:`keep_rate_error_chance`).
PROPERTY_UNITS, PROPERTY_EXAMPLES = (40, 30), 50
PROPERTY_KEEP = (0.2, 0.3)
KEEP_RATE_TOLERANCE = 0.1


def wrong_keep_shares(keep_prob):
    """The share of units that masks made a known wrong way keep, for ``keep_prob``: a
    hard-coded threshold (0.5, the notebooks' 0.7 and 0.8, the model's 0.86), the units above
    ``keep_prob`` (or below ``1 - keep_prob``), and ``randn < keep_prob``."""
    normal_cdf = 0.5 * math.erfc(-keep_prob / math.sqrt(2))
    return {"threshold 0.5": 0.5, "threshold 0.7": 0.7, "threshold 0.8": 0.8, "threshold 0.86": 0.86,
            "flipped": 1 - keep_prob, "randn": normal_cdf}


def keep_rate_error_chance():
    """``(right fails, wrong passes)``: bounds of the chance that masks drawn right (each unit
    kept with probability ``keep_prob``, independently) fail the property check for some
    ``keep_prob`` of :data:`PROPERTY_KEEP`, and that masks made one of the known wrong ways
    (:func:`wrong_keep_shares`) pass it for some.

    The share a mask of ``N`` units keeps is its draws' empirical distribution function at
    ``keep_prob``; by the Dvoretzky-Kiefer-Wolfowitz inequality (Massart's constant) it strays
    more than ``t`` from the true one, anywhere, with a chance of at most ``2 exp(-2 N t^2)``:
    ``t`` is the tolerance for right masks, and the gap between a wrong share and
    ``keep_prob`` less the tolerance for wrong ones (the gaps shrink as ``keep_prob`` grows, so
    the range's top is the worst case). The right masks fail if any mask does; wrong ones pass
    only if every mask does (at most the chance of one).
    """
    sizes = [units * PROPERTY_EXAMPLES for units in PROPERTY_UNITS]
    worst = PROPERTY_KEEP[1]
    margin = min(abs(share - worst) for share in wrong_keep_shares(worst).values()) - KEEP_RATE_TOLERANCE
    right = sum(2 * math.exp(-2 * n * KEEP_RATE_TOLERANCE ** 2) for n in sizes)
    wrong = min(2 * math.exp(-2 * n * margin ** 2) for n in sizes) if margin > 0 else 1.0
    return right, wrong


def _mask_types(student, reference):
    """Advice only: masks the course's code works on, of a type it does not expect (run after
    the hidden inputs reached the job: the advice names neither the mask nor its type)."""
    got = student[0]
    if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], tuple)
            and len(got[1]) == len(CACHE_NAMES)):
        return None
    if any(not isinstance(got[1][p], np.ndarray) and as_numeric_array(got[1][p]) is not None
           for p in MASKS):
        return vocabulary.problem("masks-not-arrays")
    return None


def _randn(*shape):
    return np.random.randn(*shape)


#: What each forward dropout mistake changes in the pass (see _dropout_forward_variant).
DROPOUT_FORWARD_OPTIONS = {
    "dropout-forward-no-rescale": {"scaled": False},
    "dropout-forward-mask-flipped": {"keep_below": False},
    "dropout-forward-randn": {"draw": _randn},
    "dropout-forward-int-activations": {"truncated": (1, 2)},
    "dropout-forward-int-a2": {"truncated": (2,)},
}


def dropout_forward_mistakes():
    """The catalogued forward dropout mistakes, alone and two at a time."""
    variants = {key: _dropout_forward_variant(**options)
                for key, options in DROPOUT_FORWARD_OPTIONS.items()}
    for entry in DROPOUT_FORWARD_PAIRS:
        first, second = entry.parts
        variants[entry.key] = _dropout_forward_variant(**DROPOUT_FORWARD_OPTIONS[first],
                                                       **DROPOUT_FORWARD_OPTIONS[second])
    return catalogued(DROPOUT_FORWARD + DROPOUT_FORWARD_PAIRS, variants=variants)


def dropout_forward_checks(assignment, rng):
    mistakes = dropout_forward_mistakes()
    forward = assignment.reference("forward_propagation_with_dropout")
    published = fixtures.forward_propagation_with_dropout_test_case() + (0.7,)
    checks = [Check("published case", (Call(published),),
                    lambda s, r: _forward_output(s, r, hidden=False),
                    describe="the notebook's test case, keep_prob = 0.7", mistakes=mistakes)]
    roles = ((LOW_KEEP, "first wider", "keep_prob below the notebook's; the first hidden layer "
                                       "the wider"),
             (HIGH_KEEP, "second wider", "keep_prob above the notebook's; the second hidden layer "
                                         "the wider"))
    for index, (keep, order, role) in enumerate(roles, start=1):
        X, _, parameters, keep_prob, _ = _dropout_case(rng, forward, keep, order)
        checks.append(Check(f"hidden case {index}", (Call((X, parameters, keep_prob)),),
                            lambda s, r: _forward_output(s, r, hidden=True),
                            describe=role, mistakes=mistakes))
    n0 = int(rng.choice(SIZES))
    X, _, parameters = network(rng, (n0,) + PROPERTY_UNITS, PROPERTY_EXAMPLES)
    keep_prob = _uniform(rng, PROPERTY_KEEP)
    checks.append(Check("keeps about keep_prob of the units and rescales them",
                        (Call((X, parameters, keep_prob)),), _dropout_properties(X, parameters, keep_prob),
                        describe="40 and 30 hidden units, 50 examples", weight=2.0,
                        mistakes=mistakes))
    checks.append(Check("masks are numpy arrays (advice only)", (Call(published),), _mask_types,
                        describe="the notebook's test case", weight=0.0, advisory=True))
    return checks


# backward_propagation_with_dropout ----------------------------------------------------


def _masks_respected(cache):
    """dA is 0 for dropped units; kept units carry the reference gradient (already / keep_prob).
    Judged in the order the backward pass computes them, dA2 then dA1: the first place where
    the student's values leave the reference's is the one named (a wrong dA2 makes dA1 wrong
    too)."""
    def evaluate(student, reference):
        problem = same_dict("gradients", ("dA2", "dA1"), values=False)(student, reference)
        if problem:
            return problem
        for name, mask in (("dA2", cache[6]), ("dA1", cache[1])):  # in the order computed
            got, expected = student[0][name], reference[0][name]
            if np.any(got[mask == 0] != 0):
                return vocabulary.problem("dropped-get-gradient")
            if not np.allclose(got[mask != 0], expected[mask != 0], rtol=1e-7, atol=1e-12):
                return vocabulary.problem("kept-not-rescaled")
        return None
    return evaluate


def dropout_backward_checks(assignment, rng):
    reference = assignment.reference("backward_propagation_with_dropout")
    forward = assignment.reference("forward_propagation_with_dropout")
    mistakes = catalogued(dropout_backward_mistakes(reference))
    X, Y, cache = fixtures.backward_propagation_with_dropout_test_case()
    checks = [Check("published case", (Call((X, Y, cache, 0.8)),), same_dict("gradients", hidden=False),
                    describe="the notebook's test case, keep_prob = 0.8", mistakes=mistakes)]
    roles = ((LOW_KEEP, False, "keep_prob below the notebook's; hidden layers of different sizes"),
             (HIGH_KEEP, True, "keep_prob above the notebook's; hidden layers of one size"))
    for index, (keep, equal_layers, role) in enumerate(roles, start=1):
        X, Y, _, keep_prob, cache = _backward_case(rng, forward, keep, equal_layers)
        checks.append(Check(f"hidden case {index}", (Call((X, Y, cache, keep_prob)),),
                            same_dict("gradients"), describe=role, mistakes=mistakes))
    while True:  # 600 and 300 units: masks that drop none or keep none would take 1e-20 odds
        X, Y, parameters = network(rng, (int(rng.choice(SIZES)), 20, 10), 30)
        keep_prob = _uniform(rng, LOW_KEEP)
        _, cache = forward(X, parameters, keep_prob)
        if all(0 < np.count_nonzero(mask) < mask.size for mask in (cache[1], cache[6])):
            break
    checks.append(Check("dropped units get no gradient, kept ones are rescaled",
                        (Call((X, Y, cache, keep_prob)),), _masks_respected(cache),
                        describe="20 and 10 hidden units", mistakes=mistakes))
    return checks


BUILDERS = {
    "compute_cost_with_regularization": cost_checks,
    "backward_propagation_with_regularization": backward_l2_checks,
    "forward_propagation_with_dropout": dropout_forward_checks,
    "backward_propagation_with_dropout": dropout_backward_checks,
}
