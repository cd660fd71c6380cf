"""The catalogue of known mistakes: each one's hint and what the mistaken code returns.

One definition serves both the notebooks' visible tests (:mod:`utils.public_tests`, on the
published inputs only) and the grader (``autograder.assignments``, which adds what only it
needs, such as whether the student's code could hold the mistake).

Each ``<function>_mistakes(...)`` returns a tuple of :class:`Known`. ``variant(call)``
computes what code with that mistake returns for ``call`` (anything with ``args`` and
``kwargs``, such as :class:`Call`), from ``reference(*args)``, the right answer, which the
caller supplies: the grader from the instructor's solution, a visible test from the published
expected values. A mistake whose outputs would need the exercise's own solution to compute
has no variant here (``variant=None``; the grader computes it): its hint is still defined
here, once, with its output on the published case where a visible test can use it.

A variant raises :class:`Raises` for a call on which code with the mistake raises (``J / theta``
at ``theta = 0``): the mistake is matched on the other calls and on that one by the exception.
:func:`pair` makes one entry of two mistakes made together, where both can be computed at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace

import numpy as np


@dataclass(frozen=True)
class Call:
    """The arguments of one call."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


class Raises(Exception):
    """Raised by a variant for a call on which code with the mistake raises an exception."""


@dataclass(frozen=True)
class Known:
    """A known mistake: its ``key``, the ``hint`` a student reads, and ``variant(call)``,
    what code with the mistake returns (``None``: computed by the grader only).
    ``close(got, produced)`` replaces the default comparison for outputs that are rounding noise.
    ``published``: for a mistake without a variant here, its output on the notebook's test case
    (what a visible test compares with; the grader never uses it)."""

    key: str
    hint: str
    variant: Callable | None = None
    close: Callable | None = None
    published: object = None
    #: The keys of the mistakes an entry of two mistakes made together is made of (:func:`pair`).
    parts: tuple = ()

    @property
    def keys(self):
        """The mistake ids this entry names: its parts, or its own key."""
        return self.parts or (self.key,)


def pair(first, second, variant=None, *, close=None, published=None):
    """The entry of ``first`` and ``second`` made together: both hints, ``variant`` computing
    what code with both mistakes returns (``None``: computed by the grader)."""
    return Known(f"{first.key}+{second.key}", f"Two known mistakes at once. 1. {first.hint} "
                 f"2. {second.hint}", variant, close=close, published=published,
                 parts=(first.key, second.key))


def pairs(firsts, seconds, combined):
    """Every pair of an entry of ``firsts`` with one of ``seconds``; ``combined(a, b)`` is the
    pair's variant (``None``: computed by the grader)."""
    return tuple(pair(a, b, combined(a, b)) for a in firsts for b in seconds)


def matches(value, expected, rtol=1e-6, atol=1e-12):
    """Whether ``value`` equals ``expected`` within tolerance (dicts compared on ``expected``'s keys)."""
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(
            key in value and matches(value[key], item, rtol, atol) for key, item in expected.items())
    if isinstance(expected, tuple | list):
        return isinstance(value, tuple | list) and len(value) == len(expected) and all(
            matches(v, e, rtol, atol) for v, e in zip(value, expected, strict=True))
    if isinstance(expected, np.ndarray) or isinstance(value, np.ndarray):
        value, expected = np.asarray(value), np.asarray(expected)
        return (value.shape == expected.shape and value.dtype.kind in "biuf"
                and bool(np.allclose(value, expected, rtol=rtol, atol=atol, equal_nan=True)))
    try:
        return bool(np.isclose(float(value), float(expected), rtol=rtol, atol=atol))
    except (TypeError, ValueError, OverflowError):
        return False


def hints_for(got, call, catalogue, *, rtol=1e-6, atol=1e-12):
    """The hints of the mistakes in ``catalogue`` whose output for ``call`` (a published case:
    only visible tests call this) is ``got``, each once; an entry of two mistakes made together
    only when no single mistake gives ``got``."""
    found = []
    together = []
    for known in catalogue:
        if known.variant is None and known.published is None:
            continue
        try:
            produced = known.variant(call) if known.variant else known.published
            close = known.close or (lambda a, b: matches(a, b, rtol, atol))
            if close(got, produced) and known.hint not in found + together:
                (together if known.parts else found).append(known.hint)
        except Exception:  # a variant that does not apply to this call (or raises on it)
            continue
    return found or together


# Initialization ------------------------------------------------------------------------


def _scaled_by(reference, factor):
    """The reference weights times ``factor(n_l, n_prev)``; biases unchanged."""
    def variant(call):
        dims = call.args[0]
        result = dict(reference(*call.args))
        for l in range(1, len(dims)):
            result[f"W{l}"] = result[f"W{l}"] * factor(dims[l], dims[l - 1])
        return result
    return variant


def _uniform_draws(scale):
    """``np.random.rand`` (seed 3, layer by layer) times ``scale``, zero biases."""
    def variant(call):
        dims = call.args[0]
        state = np.random.get_state()
        try:
            np.random.seed(3)
            result = {}
            for l in range(1, len(dims)):
                result[f"W{l}"] = np.random.rand(dims[l], dims[l - 1]) * scale
                result[f"b{l}"] = np.zeros((dims[l], 1))
            return result
        finally:
            np.random.set_state(state)
    return variant


BIAS_HINT = ("Each bias b{l} is a column of zeros, np.zeros((layers_dims[l], 1)): not the number "
             "0, nor an array of another shape.")


def _bias_not_column(parameters, dims):
    """``parameters`` with every bias the number 0 (what a variant of the bias mistake gives)."""
    return {key: (0 if key.startswith("b") else value) for key, value in parameters.items()}


def bias_close(got, produced):
    """The weights are the ones ``produced`` holds, and every bias is zeros but not the column
    ``(n_l, 1)``: the number 0, a row, a flat vector or a matrix."""
    if not isinstance(got, dict) or set(got) != set(produced):
        return False
    wrong_shape = False
    for key, value in produced.items():
        if key.startswith("W"):
            if not matches(got[key], value):
                return False
            continue
        array = np.asarray(got[key])
        if array.dtype.kind not in "biuf" or np.any(array != 0):
            return False
        rows = produced["W" + key[1:]].shape[0]
        wrong_shape = wrong_shape or array.shape != (rows, 1)
    return wrong_shape


def _bias_variant(weights):
    def variant(call):
        return _bias_not_column(weights(call), call.args[0])
    return variant


def bias_mistake(reference):
    """The biases not a column of zeros, with the weights ``reference`` gives."""
    return Known("bias-not-column", BIAS_HINT, _bias_variant(lambda call: reference(*call.args)),
                 close=bias_close)


def zeros_mistakes(reference):
    return (bias_mistake(reference),)


def _with_biases(weight_mistakes, reference):
    bias = bias_mistake(reference)
    return weight_mistakes + (bias,) + tuple(
        dataclass_replace(pair(known, bias), variant=_bias_variant(known.variant), close=bias_close)
        for known in weight_mistakes)


def random_mistakes(reference):
    return _with_biases(_random_weight_mistakes(reference), reference)


def he_mistakes(reference):
    return _with_biases(_he_weight_mistakes(reference), reference)


def _random_weight_mistakes(reference):
    return (
        Known("random-unscaled", "The weights look like plain np.random.randn draws: multiply "
              "them by 10 for this (deliberately bad) large initialisation.",
              _scaled_by(reference, lambda n, p: 0.1)),
        Known("random-small", "The weights are 0.01 times the draws; this exercise scales them "
              "by 10 to show what too large weights do.", _scaled_by(reference, lambda n, p: 0.001)),
        Known("random-uniform", "np.random.rand draws uniformly from [0, 1); the weights are "
              "normal draws: np.random.randn(layers_dims[l], layers_dims[l-1]) * 10.",
              _uniform_draws(10.0)),
    )


def _he_weight_mistakes(reference):
    return (
        Known("he-xavier", "Your weights are scaled by sqrt(1/n_prev) (Xavier); He uses "
              "sqrt(2/n_prev), with n_prev the size of the previous layer.",
              _scaled_by(reference, lambda n, p: np.sqrt(0.5))),
        Known("he-current-layer", "Scale by the size of the previous layer, layers_dims[l-1], "
              "not of the current one.", _scaled_by(reference, lambda n, p: np.sqrt(p / n))),
        Known("he-unscaled", "The weights are not scaled: multiply randn by "
              "sqrt(2 / layers_dims[l-1]).", _scaled_by(reference, lambda n, p: np.sqrt(p / 2))),
        Known("he-variance", "2 / layers_dims[l-1] is the variance of the weights; multiply randn "
              "by its square root, np.sqrt(2 / layers_dims[l-1]).",
              _scaled_by(reference, lambda n, p: np.sqrt(2 / p))),
    )


# Regularization ------------------------------------------------------------------------


def _with_lambd(call, lambd):
    return Call(tuple(call.args[:3]) + (lambd,))


def cost_mistakes(reference):
    """``reference(A3, Y, parameters, lambd)``; with ``lambd = 0`` it is the plain cost."""
    def l2_variant(scale):
        def variant(call):
            full, plain = reference(*call.args), reference(*_with_lambd(call, 0.0).args)
            return plain + scale(call) * (full - plain)
        return variant

    def unsquared(call):
        A3, Y, parameters, lambd = call.args
        total = sum(np.sum(parameters[f"W{l}"]) for l in (1, 2, 3))
        return reference(*_with_lambd(call, 0.0).args) + lambd / (2 * Y.shape[1]) * total

    def partial_sum(square, layers=(1, 2, 3)):
        def variant(call):
            A3, Y, parameters, lambd = call.args
            total = sum(np.sum(square(parameters[f"W{l}"])) for l in layers)
            return reference(*_with_lambd(call, 0.0).args) + lambd / (2 * Y.shape[1]) * total
        return variant

    def twice(variant):
        """The cross-entropy part counted twice, on top of ``variant`` (the L2 term's own)."""
        return lambda call: variant(call) + reference(*_with_lambd(call, 0.0).args)

    l2 = _l2_term_mistakes(reference, l2_variant, unsquared, partial_sum)
    doubled = Known("cross-entropy-twice", "The cross-entropy cost is counted twice: "
                    "L2_regularization_cost is the L2 term only, and cost = cross_entropy_cost + "
                    "L2_regularization_cost adds it once.", twice(lambda call: reference(*call.args)))
    return l2 + (doubled,) + pairs(l2, (doubled,), lambda a, b: twice(a.variant))


def _l2_term_mistakes(reference, l2_variant, unsquared, partial_sum):
    return (
        Known("l2-missing-1/m", "The L2 term must be divided by m, the number of examples: "
              "(1/m) * (lambd/2) * sum of squared weights.",
              l2_variant(lambda call: call.args[1].shape[1])),
        Known("l2-missing-1/2", "The L2 term carries a factor 1/2: (1/m) * (lambd/2) * ...",
              l2_variant(lambda call: 2.0)),
        Known("l2-not-squared", "Square the weights before summing (np.sum(np.square(W))).",
              unsquared),
        Known("l2-square-of-sum", "Square each weight, then sum: np.sum(np.square(W)), not the "
              "square of the sum np.sum(W) ** 2.", partial_sum(lambda W: np.sum(W) ** 2)),
        Known("l2-missing-layer", "The L2 term sums the squared weights of all three layers: "
              "W1, W2 and W3.", partial_sum(np.square, layers=(1, 2))),
    )


GRADIENT_WEIGHTS = ("dW1", "dW2", "dW3")


def backward_l2_mistakes(reference):
    """``reference(X, Y, cache, lambd)``; with ``lambd = 0`` it is the plain backward pass."""
    def variant(scale):
        def build(call):
            full = reference(*call.args)
            plain = reference(*call.args[:3], 0.0)
            m = call.args[0].shape[1]
            return {k: (plain[k] + scale(m) * (full[k] - plain[k]) if k in GRADIENT_WEIGHTS
                        else full[k]) for k in full}
        return build

    return (
        Known("l2-grad-missing-1/m", "The gradient of the L2 term is (lambd / m) * W: divide by m.",
              variant(lambda m: m)),
        Known("l2-grad-half", "The gradient of (lambd/(2m)) * W**2 is (lambd/m) * W: the 1/2 "
              "cancels with the 2 of the square.", variant(lambda m: 0.5)),
        Known("l2-grad-sign", "Add the L2 term (lambd/m) * W to dW; do not subtract it.",
              variant(lambda m: -1.0)),
    )


#: The forward dropout mistakes' outputs are a whole forward pass with the mistake: the grader
#: computes them (a visible test cannot without giving the exercise away). ``published`` is the
#: A3 each gives on the notebook's test case (keep_prob = 0.7), what a visible test compares with.
DROPOUT_FORWARD = (
    Known("dropout-forward-no-rescale", "After shutting units down, divide A by keep_prob so "
          "the expected value of the activations does not change (inverted dropout).",
          published=np.array([[0.4068240227829598, 0.04962351597654332, 0.1672289837891084,
                               0.4968338925883705, 0.4068240227829598]])),
    Known("dropout-forward-mask-flipped", "Keep a unit when its random number is BELOW "
          "keep_prob: D = (D < keep_prob).",
          published=np.array([[0.4968338925883705, 0.4968338925883705, 0.4968338925883705,
                               0.36974720617815354, 0.4968338925883705]])),
    Known("dropout-forward-randn", "Draw the masks' numbers uniformly in [0, 1) with "
          "np.random.rand (randn draws normal numbers, so the share kept is not keep_prob).",
          published=np.array([[0.4968338925883705, 0.05332326994706385, 0.0456509933734419,
                               0.01446892814785783, 0.4968338925883705]])),
    Known("dropout-forward-int-activations", "Only the mask is made of integers "
          "((D < keep_prob).astype(int)): the activations stay floats. A = (A * D).astype(int) "
          "cuts every activation below 1 to 0.",
          published=np.array([[0.4968338925883705, 0.00723875455760521, 0.2700557218886157,
                               0.4968338925883705, 0.4968338925883705]])),
)
DROPOUT_FORWARD = DROPOUT_FORWARD + (
    Known("dropout-forward-int-a2", DROPOUT_FORWARD[-1].hint,
          published=np.array([[0.4968338925883705, 0.00723875455760521, 0.04937429516042781,
                               0.4968338925883705, 0.4968338925883705]])),
)
#: Two forward dropout mistakes made together (computed by the grader). Not a flipped mask of
#: randn draws: it keeps 1 - Phi(keep_prob) of the units, which the grader's share check tells
#: from keep_prob for some keep_prob only, so it would not score alike for every student.
DROPOUT_FORWARD_PAIRS = tuple(
    pair(a, b) for i, a in enumerate(DROPOUT_FORWARD) for b in DROPOUT_FORWARD[i + 1:]
    if {a.key, b.key} not in ({"dropout-forward-mask-flipped", "dropout-forward-randn"},
                              {"dropout-forward-int-activations", "dropout-forward-int-a2"}))


def _raising(variant, *errors):
    """``variant``, which raises :class:`Raises` where it raises one of ``errors``: where the
    mistaken code cannot run (another layer's mask of another shape), it raises for the student
    too."""
    def raising(call):
        try:
            return variant(call)
        except errors as error:
            raise Raises(type(error).__name__) from error
    return raising


def _swap_masks(cache):
    cache = list(cache)
    cache[1], cache[6] = cache[6], cache[1]
    return tuple(cache)


def dropout_backward_mistakes(reference):
    """``reference(X, Y, cache, keep_prob)``."""
    return (
        Known("dropout-backward-no-rescale", "Divide dA1 and dA2 by keep_prob too, as in the "
              "forward pass.", lambda call: reference(*call.args[:3], 1.0)),
        Known("dropout-backward-times-keep-prob", "Divide dA1 and dA2 by keep_prob (do not "
              "multiply by it), as in the forward pass.",
              lambda call: reference(*call.args[:3], 1.0 / call.args[3])),
        Known("dropout-backward-wrong-mask", "Use each layer's own mask: D2 for dA2, D1 for dA1.",
              _raising(lambda call: reference(call.args[0], call.args[1], _swap_masks(call.args[2]),
                                              call.args[3]), ValueError)),
        Known("dropout-backward-layer-2-skipped", "dA2 is left as it comes from layer 3: shut "
              "down the same units as in the forward pass and rescale, dA2 = dA2 * D2 / keep_prob, "
              "before computing dZ2.", lambda call: reference(*call.args[:2],
                                                              _unit_mask(call.args[2], 6, call.args[3]),
                                                              call.args[3])),
        Known("dropout-backward-layer-1-skipped", "dA1 is left as it comes from layer 2: shut "
              "down the same units as in the forward pass and rescale, dA1 = dA1 * D1 / keep_prob, "
              "before computing dZ1.", lambda call: reference(*call.args[:2],
                                                              _unit_mask(call.args[2], 1, call.args[3]),
                                                              call.args[3])),
    )


def _unit_mask(cache, position, keep_prob):
    """``cache`` with the mask at ``position`` keeping every unit and times ``keep_prob``: the
    backward step of that layer then neither masks nor rescales."""
    cache = list(cache)
    cache[position] = np.full(np.shape(cache[position]), float(keep_prob))
    return tuple(cache)


# Gradient Checking ---------------------------------------------------------------------


def forward_mistakes():
    return (Known("forward-adds", "J is the product theta * x, not a sum.",
                  lambda call: call.args[0] + call.args[1]),)


def backward_mistakes():
    return (Known("backward-theta", "The derivative of J = theta * x with respect to theta "
                  "is x, not theta.", lambda call: call.args[1]),
            Known("backward-returns-J", "dtheta is the derivative of J with respect to theta "
                  "(x), not J itself (theta * x).", lambda call: call.args[0] * call.args[1]),
            Known("backward-j-over-theta", "dtheta is x, the derivative of J = theta * x with "
                  "respect to theta: return x itself. J / theta gives x only where theta is not "
                  "0; at theta = 0 it divides by zero.", _j_over_theta))


def _j_over_theta(call):
    """What ``J / theta`` returns: x, except at theta = 0, where it raises."""
    x, theta = call.args[:2]
    if theta == 0:
        raise Raises("division by zero")
    return x * theta / theta


def relative_difference(grad, gradapprox):
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 where both are 0: NaN
        return float(np.float64(np.linalg.norm(grad - gradapprox))
                     / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))


def _real(value):
    """``value`` as a float when it is one real number (a one-element array too), else ``None``."""
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "iuf":
            return None
        value = value.reshape(())[()]
    if isinstance(value, bool | np.bool_):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def tiny_close(got, produced):
    """Both values rounding noise: how mistakes that keep the difference tiny are recognised."""
    value, made = _real(got), _real(produced)
    return value is not None and made is not None and 0 <= value < 1e-6 and 0 <= made < 1e-6


def same_or_blown_up(got, produced):
    """Equal, or both blown up by a denominator that cancels to rounding noise (or to 0)."""
    value, made = _real(got), _real(produced)
    if value is None or made is None:
        return False
    if not np.isfinite(made) or abs(made) > 1e6:
        return not np.isfinite(value) or abs(value) > 1e6
    return bool(np.isclose(value, made, rtol=1e-6, atol=1e-12))


#: How a gradient checker's gradapprox can be computed wrongly, from J at theta + epsilon
#: (``plus``), at theta - epsilon (``minus``), at theta (``centre``) and epsilon.
APPROXIMATIONS = {
    "centred": lambda plus, minus, centre, epsilon: (plus - minus) / (2 * epsilon),
    "one-sided": lambda plus, minus, centre, epsilon: (plus - centre) / epsilon,
    "swapped": lambda plus, minus, centre, epsilon: (minus - plus) / (2 * epsilon),
    "j-minus-at-plus": lambda plus, minus, centre, epsilon: (plus - plus) / (2 * epsilon),
}


def _squared_difference(grad, gradapprox):
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(np.sum((grad - gradapprox) ** 2))
                     / (np.sum(grad ** 2) + np.sum(gradapprox ** 2)))


def _norm_of_sum(grad, gradapprox):
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(np.linalg.norm(grad - gradapprox)) / np.linalg.norm(grad + gradapprox))


#: How the difference of the two gradients can be computed wrongly.
DIFFERENCES = {
    "relative": relative_difference,
    "no-denominator": lambda grad, gradapprox: float(np.linalg.norm(np.subtract(grad, gradapprox))),
    "norm-of-sum": _norm_of_sum,
    "squared": _squared_difference,
}

_APPROXIMATION_MISTAKES = {
    "one-sided": ("one-sided-difference", "Use the centred difference (J(theta + eps) - "
                  "J(theta - eps)) / (2 eps), not a one-sided one."),
    "swapped": ("plus-minus-swapped", "gradapprox is (J_plus - J_minus) / (2 * epsilon): J_plus, "
                "at theta + epsilon, comes first; swapped, gradapprox has the wrong sign."),
    "j-minus-at-plus": ("j-minus-at-theta-plus", "J_minus is the cost at theta_minus = theta - "
                        "epsilon: computed at theta_plus, it equals J_plus, gradapprox is 0 and "
                        "the difference is always 1."),
}
_DIFFERENCE_MISTAKES = {
    "no-denominator": ("difference-no-denominator", "Divide the norm of the difference by "
                       "norm(grad) + norm(gradapprox) to get a relative difference."),
    "norm-of-sum": ("denominator-norm-of-sum", "The denominator is norm(grad) + norm(gradapprox), not "
                    "norm(grad + gradapprox): the two differ when the gradients point different ways."),
    "squared": ("difference-squared", "Take norms, not squares: numerator = "
                "np.linalg.norm(grad - gradapprox) and denominator = np.linalg.norm(grad) + "
                "np.linalg.norm(gradapprox), without squaring either."),
}


def gradient_check_mistakes(forward, backward, *, linear=True):
    """The mistakes of ``gradient_check`` with the notebook's ``forward(x, theta)`` and
    ``backward(x, theta)`` (``linear``: J = theta * x, where a one-sided difference is exact),
    then each wrong gradapprox paired with each wrong difference."""
    def approximation(call, kind="centred"):
        x, theta = call.args[:2]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        return APPROXIMATIONS[kind](forward(x, theta + epsilon), forward(x, theta - epsilon),
                                    forward(x, theta), epsilon)

    def checker(approximate="centred", difference="relative"):
        compare = DIFFERENCES[difference]

        def variant(call):
            x, theta = call.args[:2]
            return compare(backward(x, theta), approximation(call, approximate))
        return variant

    def close_of(difference):
        return same_or_blown_up if difference == "norm-of-sum" else None

    approximations = [Known(key, hint, checker(approximate=kind))
                      for kind, (key, hint) in _APPROXIMATION_MISTAKES.items()
                      if not (linear and kind == "one-sided")]  # exact for the linear J = theta * x
    kinds = {known.key: kind for kind, (key, _) in _APPROXIMATION_MISTAKES.items()
             for known in approximations if known.key == key}
    differences = [Known(key, hint, checker(difference=kind), close=close_of(kind))
                   for kind, (key, hint) in _DIFFERENCE_MISTAKES.items()]
    difference_kinds = {key: kind for kind, (key, _) in _DIFFERENCE_MISTAKES.items()}
    together = tuple(
        pair(a, d, checker(kinds[a.key], difference_kinds[d.key]),
             close=close_of(difference_kinds[d.key]))
        for a in approximations for d in differences)
    return (
        Known("grad-equals-gradapprox", "grad must come from backward_propagation(x, theta); "
              "comparing gradapprox with itself always gives 0.", lambda call: 0.0),
        Known("grad-not-from-backward", "grad must be backward_propagation(x, theta), the gradient "
              "being checked; written by hand (e.g. grad = x), the check cannot notice a wrong "
              "backward pass.", lambda call: relative_difference(call.args[0], approximation(call)),
              close=tiny_close),
        Known("backward-at-gradapprox", "Call backward_propagation(x, theta): the gradient at "
              "theta, not at gradapprox.",
              lambda call: relative_difference(backward(call.args[0], approximation(call)),
                                               approximation(call)),
              close=tiny_close),
    ) + tuple(approximations) + tuple(differences) + together


def gradapprox_not_from_j(backward):
    """A ``gradient_check`` whose gradapprox follows no evaluation of J at theta - epsilon: a
    one-sided difference, or the derivative written down (gradapprox = x). Both are exact for
    J = theta * x, so only the grader names it, on a cost whose gradient is not x: there such a
    checker returns the difference between ``backward(x, theta)`` and x."""
    return Known("gradapprox-not-from-j", "gradapprox must be the centred difference of J: "
                 "(J_plus - J_minus) / (2 * epsilon), with J_plus = J(theta + epsilon) and J_minus "
                 "= J(theta - epsilon) from forward_propagation. A one-sided difference, or the "
                 "derivative written down (gradapprox = x), is exact for J = theta * x only, so "
                 "the check would miss a wrong backward pass of any other cost.",
                 lambda call: relative_difference(backward(*call.args[:2]), call.args[0]))


#: The mistakes of ``gradient_check_n``. Their outputs come from a whole centred-difference
#: loop, which would give the exercise away: the grader computes them (``variants``), and a
#: visible test compares with their outputs on the notebook's test case (``published``, for
#: the provided backward_propagation_n; the grader's tests check them against its variants).
GRADIENT_CHECK_N = (
    Known("theta-not-copied", "Copy the parameter vector (np.copy) before shifting one "
          "element; otherwise theta_plus and theta_minus are the same array.",
          published=0.5177906384974295),
    Known("theta-minus-from-theta-plus", "J_minus[i] comes out as the cost at the unshifted "
          "parameters: make theta_minus a fresh copy of parameters_values (not of theta_plus) "
          "and subtract epsilon from element i.", published=0.5177906384974295),
    Known("one-sided-difference-n", "Use the centred difference (J_plus[i] - J_minus[i]) "
          "/ (2 epsilon).", published=0.2850931152783628),
    Known("difference-no-denominator-n", "Divide the norm of the difference by "
          "norm(grad) + norm(gradapprox).", published=2.3225406048733928),
    Known("grad-equals-gradapprox-n", "grad comes from the gradients argument; comparing "
          "gradapprox with itself always gives 0.", lambda call: 0.0),
    Known("plus-minus-swapped-n", "gradapprox[i] is (J_plus[i] - J_minus[i]) / (2 * epsilon): "
          "J_plus[i], at theta_plus, comes first; swapped, gradapprox has the wrong sign.",
          published=0.9732732389249682),
    Known("j-minus-at-theta-plus-n", "J_minus[i] is the cost at theta_minus: computed from "
          "theta_plus, it equals J_plus[i], gradapprox is 0 and the difference is always 1.",
          lambda call: 1.0),
    Known("difference-squared-n", "Take norms, not squares: numerator = np.linalg.norm(grad - "
          "gradapprox) and denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox).",
          published=0.1580457629638873),
    Known("difference-last-element-n", "The difference compares the whole vectors: "
          "np.linalg.norm(grad - gradapprox), not grad[i] - gradapprox[i] after the loop, which "
          "compares the last parameter only.", published=2.4577112074727173e-07),
)

#: The gradapprox mistakes of ``gradient_check_n``, and the mistakes of its difference: each
#: pair of one of each is an entry of its own (computed by the grader).
GRADIENT_CHECK_N_APPROXIMATIONS = ("theta-not-copied", "theta-minus-from-theta-plus",
                                   "one-sided-difference-n", "plus-minus-swapped-n",
                                   "j-minus-at-theta-plus-n")
GRADIENT_CHECK_N_DIFFERENCES = ("difference-no-denominator-n", "difference-squared-n",
                                "difference-last-element-n")
GRADIENT_CHECK_N_PAIRS = pairs(
    [known for key in GRADIENT_CHECK_N_APPROXIMATIONS for known in GRADIENT_CHECK_N if known.key == key],
    [known for key in GRADIENT_CHECK_N_DIFFERENCES for known in GRADIENT_CHECK_N if known.key == key],
    lambda a, b: None)
