"""Checks of the Gradient Checking assignment.

``gradient_check`` and ``gradient_check_n`` call other functions of the
notebook; here those are stand-ins (test doubles, written below as source so
the same text runs in the worker and, for the reference, in the grader). The
published cases use stand-ins that behave like the course's functions; hidden
cases use other costs, with a correct or a deliberately planted wrong
gradient, so a student's checker must tell them apart.
"""

import functools

import numpy as np

from autograder.checks import Call, Check, Mistake, same_scalar
from utils import fixtures
from utils.checks import Problem, mismatch_scalar
from utils.gradcheck import dictionary_to_vector, gradients_to_vector, parameter_shapes
from utils.network import backward_three_layer

# Stand-ins for gradient_check ----------------------------------------------------------

LINEAR = '''
def forward_propagation(x, theta):
    return theta * x

def backward_propagation(x, theta):
    return x
'''

# A cubic cost: for small theta a one-sided difference is off by about epsilon / theta,
# far more than the rounding error of the centred difference.
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


# 1-D functions ------------------------------------------------------------------------


def forward_checks(assignment, rng):
    mistakes = (Mistake("forward-adds", "J is the product theta * x, not a sum.",
                        lambda call: call.args[0] + call.args[1]),)
    checks = [Check("published case", (Call((2, 4)),), same_scalar("J", rtol=1e-12, hidden=False),
                    describe="x = 2, theta = 4", mistakes=mistakes)]
    for index in (1, 2):
        x, theta = (float(v) for v in rng.uniform(-5, 5, size=2))
        checks.append(Check(f"hidden case {index}", (Call((x, theta)),), same_scalar("J", rtol=1e-12),
                            describe="other real x and theta", mistakes=mistakes))
    return checks


def backward_checks(assignment, rng):
    mistakes = (Mistake("backward-theta", "The derivative of J = theta * x with respect to theta "
                        "is x, not theta.", lambda call: call.args[1]),)
    checks = [Check("published case", (Call((3, 4)),), same_scalar("dtheta", rtol=1e-12, hidden=False),
                    describe="x = 3, theta = 4", mistakes=mistakes)]
    for index in (1, 2):
        x, theta = (float(v) for v in rng.uniform(-5, 5, size=2))
        checks.append(Check(f"hidden case {index}", (Call((x, theta)),),
                            same_scalar("dtheta", rtol=1e-12), describe="other real x and theta",
                            mistakes=mistakes))
    return checks


def _difference(grad, gradapprox):
    grad, gradapprox = np.asarray(grad, dtype=float), np.asarray(gradapprox, dtype=float)
    return float(np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox)))


def _gradient_check_mistakes(stand_ins):
    functions = _stand_in_functions(stand_ins)
    forward, backward = functions["forward_propagation"], functions["backward_propagation"]

    def one_sided(call):
        x, theta = call.args[:2]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        return _difference(backward(x, theta), (forward(x, theta + epsilon) - forward(x, theta)) / epsilon)

    def no_denominator(call):
        x, theta = call.args[:2]
        epsilon = call.kwargs.get("epsilon", 1e-7)
        approx = (forward(x, theta + epsilon) - forward(x, theta - epsilon)) / (2 * epsilon)
        return float(np.linalg.norm(backward(x, theta) - approx))

    return (
        Mistake("one-sided-difference", "Use the centred difference (J(theta + eps) - J(theta - eps)) "
                "/ (2 eps), not a one-sided one.", one_sided),
        Mistake("grad-equals-gradapprox", "grad must come from backward_propagation(x, theta); "
                "comparing gradapprox with itself always gives 0.", lambda call: 0.0),
        Mistake("difference-no-denominator", "Divide the norm of the difference by "
                "norm(grad) + norm(gradapprox) to get a relative difference.", no_denominator),
    )


def _is_tiny(student, reference):
    """Relative, so tiny for any scale of the cost; exactly 0 means grad was not computed."""
    for value in student:
        problem = mismatch_scalar(value, 1.0, "difference", rtol=np.inf)
        if problem:
            return problem
        if not 0 < value < 1e-7:
            return Problem("wrong value", "with a correct backward pass the relative difference should "
                                          "be tiny (below 1e-7) but not exactly 0, whatever the scale "
                                          "of the cost")
    return None


def gradient_check_checks(assignment, rng):
    checks = [Check("published case", (Call((3, 4)),), same_scalar("difference", rtol=1e-6, hidden=False),
                    describe="x = 3, theta = 4, the notebook's forward and backward passes",
                    stand_ins=LINEAR, mistakes=_gradient_check_mistakes(LINEAR))]
    for index in (1, 2):
        x, theta = float(rng.uniform(0.5, 3)), float(rng.uniform(0.05, 0.3))
        checks.append(Check(f"hidden case {index}", (Call((x, theta)),),
                            same_scalar("difference", rtol=1e-4), stand_ins=CUBIC,
                            describe="a cubic cost with a correct gradient",
                            mistakes=_gradient_check_mistakes(CUBIC)))
    x, theta = float(rng.uniform(0.5, 3)), float(rng.uniform(0.05, 0.3))
    checks.append(Check("tiny difference for a correct backward pass",
                        (Call((x, theta)), Call((x * 1e9, theta))), _is_tiny,
                        stand_ins=CUBIC, describe="a cubic cost with a correct gradient",
                        mistakes=_gradient_check_mistakes(CUBIC)))
    checks.append(Check("large difference for a wrong backward pass", (Call((x, theta)),),
                        same_scalar("difference", rtol=1e-7), stand_ins=CUBIC_WRONG,
                        describe="a cubic cost with a planted wrong gradient",
                        mistakes=_gradient_check_mistakes(CUBIC_WRONG)))
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


def _gradient_check_n_mistakes(forward_n, layer_dims):
    from utils.gradcheck import vector_to_dictionary

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

    return (
        Mistake("theta-not-copied", "Copy the parameter vector (np.copy) before shifting one "
                "element; otherwise theta_plus and theta_minus are the same array.",
                lambda call: _difference(*approximate(call, aliased=True))),
        Mistake("one-sided-difference-n", "Use the centred difference (J_plus[i] - J_minus[i]) "
                "/ (2 epsilon).", lambda call: _difference(*approximate(call, one_sided=True))),
        Mistake("difference-no-denominator-n", "Divide the norm of the difference by "
                "norm(grad) + norm(gradapprox).",
                lambda call: float(np.linalg.norm(np.subtract(*approximate(call))))),
        Mistake("grad-equals-gradapprox-n", "grad comes from the gradients argument; comparing "
                "gradapprox with itself always gives 0.", lambda call: 0.0),
    )


def gradient_check_n_checks(assignment, rng):
    forward_n_source = dict(assignment.given)["forward_propagation_n"]
    published_stand_ins = forward_n_source + "\n" + _vector_to_dictionary_for((4, 5, 3, 1))
    forward_n = _stand_in_functions("from utils.network import forward_three_layer\n"
                                    + forward_n_source)["forward_propagation_n"]
    X, Y, parameters = fixtures.gradient_check_n_test_case()
    _, cache = forward_n(X, Y, parameters)
    buggy = assignment.given_function("backward_propagation_n")(X, Y, cache)
    correct = backward_three_layer(X, Y, cache)
    published_mistakes = _gradient_check_n_mistakes(forward_n, (4, 5, 3, 1))
    checks = [
        Check("published case", (Call((parameters, buggy, X, Y)),),
              same_scalar("difference", rtol=1e-7, hidden=False),
              describe="the notebook's test case with the provided backward_propagation_n",
              stand_ins=published_stand_ins, mistakes=published_mistakes),
        Check("published case, corrected backward pass", (Call((parameters, correct, X, Y)),),
              same_scalar("difference", rtol=1e-4, hidden=False),
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
        checks.append(Check(f"hidden case {index}", (Call((params, grads, X, Y)),),
                            same_scalar("difference", rtol=1e-5 if wrong else 1e-3),
                            describe=f"a smooth cost of {sum(np.size(v) for v in params.values())} "
                                     f"parameters with {kind}",
                            stand_ins=POLYNOMIAL_N + "\n" + _vector_to_dictionary_for(dims),
                            mistakes=_gradient_check_n_mistakes(polynomial, dims), weight=1.5))
    return checks


BUILDERS = {
    "forward_propagation": forward_checks,
    "backward_propagation": backward_checks,
    "gradient_check": gradient_check_checks,
    "gradient_check_n": gradient_check_n_checks,
}
