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
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Call:
    """The arguments of one call."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


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
    only visible tests call this) is ``got``."""
    found = []
    for known in catalogue:
        if known.variant is None and known.published is None:
            continue
        try:
            produced = known.variant(call) if known.variant else known.published
            close = known.close or (lambda a, b: matches(a, b, rtol, atol))
            if close(got, produced):
                found.append(known.hint)
        except Exception:  # a variant that does not apply to this call
            continue
    return found


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


def random_mistakes(reference):
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


def he_mistakes(reference):
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
)


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
              lambda call: reference(call.args[0], call.args[1], _swap_masks(call.args[2]),
                                     call.args[3])),
    )


# Gradient Checking ---------------------------------------------------------------------


def forward_mistakes():
    return (Known("forward-adds", "J is the product theta * x, not a sum.",
                  lambda call: call.args[0] + call.args[1]),)


def backward_mistakes():
    return (Known("backward-theta", "The derivative of J = theta * x with respect to theta "
                  "is x, not theta.", lambda call: call.args[1]),
            Known("backward-returns-J", "dtheta is the derivative of J with respect to theta "
                  "(x), not J itself (theta * x).", lambda call: call.args[0] * call.args[1]))


def relative_difference(grad, gradapprox):
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    return float(np.linalg.norm(grad - gradapprox)
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


def gradient_check_mistakes(forward, backward, *, linear=True):
    """The mistakes of ``gradient_check`` with the notebook's ``forward(x, theta)`` and
    ``backward(x, theta)`` (``linear``: J = theta * x, where a one-sided difference is exact)."""
    def centred(call):
        x, theta = call.args[:2]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        return (forward(x, theta + epsilon) - forward(x, theta - epsilon)) / (2 * epsilon)

    def one_sided(call):
        x, theta = call.args[:2]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        return relative_difference(backward(x, theta),
                                   (forward(x, theta + epsilon) - forward(x, theta)) / epsilon)

    def no_denominator(call):
        x, theta = call.args[:2]
        return float(np.linalg.norm(backward(x, theta) - centred(call)))

    def norm_of_sum(call):
        x, theta = call.args[:2]
        grad, approx = backward(x, theta), centred(call)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(np.linalg.norm(grad - approx)) / np.linalg.norm(grad + approx))

    return (
        Known("grad-equals-gradapprox", "grad must come from backward_propagation(x, theta); "
              "comparing gradapprox with itself always gives 0.", lambda call: 0.0),
        Known("grad-not-from-backward", "grad must be backward_propagation(x, theta), the gradient "
              "being checked; written by hand (e.g. grad = x), the check cannot notice a wrong "
              "backward pass.", lambda call: relative_difference(call.args[0], centred(call)),
              close=tiny_close),
        Known("backward-at-gradapprox", "Call backward_propagation(x, theta): the gradient at "
              "theta, not at gradapprox.",
              lambda call: relative_difference(backward(call.args[0], centred(call)), centred(call)),
              close=tiny_close),
    ) + (() if linear else (
        # Exact for the linear J = theta * x: named only where the cost is not linear.
        Known("one-sided-difference", "Use the centred difference (J(theta + eps) - "
              "J(theta - eps)) / (2 eps), not a one-sided one.", one_sided),
    )) + (
        Known("difference-no-denominator", "Divide the norm of the difference by "
              "norm(grad) + norm(gradapprox) to get a relative difference.", no_denominator),
        Known("denominator-norm-of-sum", "The denominator is norm(grad) + norm(gradapprox), not "
              "norm(grad + gradapprox): the two differ when the gradients point different ways.",
              norm_of_sum, close=same_or_blown_up),
    )


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
)
