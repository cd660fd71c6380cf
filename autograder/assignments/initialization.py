"""Checks of the Initialization assignment: zeros, large random and He initialisers.

The initialisers take ``layers_dims`` ``[n_0, ..., n_L]`` and return
``{"W<l>": (n_l, n_{l-1}), "b<l>": (n_l, 1)}``. The random ones seed numpy
with 3 in their given first line, so a correct answer reproduces the
reference weights exactly; property checks also accept the right
distribution drawn another way.
"""

import numpy as np

from autograder.checks import Call, Check, catalogued, same_dict
from utils.checks import Problem
from utils.mistakes import he_mistakes, random_mistakes

#: A network whose first two weight matrices (2400 and 1200 weights) give their spread to
#: about 2 % (one standard error); the last one (30 weights) is too small to judge and is only
#: checked for shape. The tolerances below are 5 standard errors or more for 1200 weights, so
#: weights drawn from the right distribution another way fail with odds below one in a million.
WIDE = [60, 40, 30, 1]
SPREAD_MIN_WEIGHTS = 1000
STD_TOLERANCE, MEAN_TOLERANCE = 0.1, 0.2  # relative to the expected standard deviation


def _dims(rng, low=2, high=4):
    """A random ``layers_dims`` with ``low``..``high`` layers of 1..9 units."""
    return [int(n) for n in rng.integers(1, 10, size=int(rng.integers(low, high + 1)))]


def _value_checks(rng, published, mistakes=(), telling=lambda dims: True):
    """The published case and two hidden ones; hidden ``layers_dims`` are drawn until ``telling``."""
    checks = [Check("published case", (Call((list(published),)),),
                    same_dict("parameters", hidden=False, exact_keys=True),
                    describe=f"layers_dims = {list(published)}", mistakes=mistakes)]
    for index in (1, 2):
        dims = _dims(rng, 3, 5)
        while not telling(dims):
            dims = _dims(rng, 3, 5)
        checks.append(Check(f"hidden case {index}", (Call((dims,)),),
                            same_dict("parameters", exact_keys=True),
                            describe=f"a network with {len(dims) - 1} layers", mistakes=mistakes))
    return checks


def _float_zeros(student, reference):
    parameters = student[0]
    for key, value in parameters.items() if isinstance(parameters, dict) else ():
        if isinstance(value, np.ndarray) and value.dtype.kind != "f":
            return Problem("wrong type", f"parameters[{key!r}] has dtype {value.dtype}; "
                                         "weights must be floats (np.zeros gives float64)")
    return same_dict("parameters", exact_keys=True)(student, reference)


def _spread(expected_std, what):
    """Each ``W<l>`` has mean about 0 and the given standard deviation; biases are zero."""
    def evaluate(student, reference):
        parameters = student[0]
        problem = same_dict("parameters", exact_keys=True, values=False)(student, reference)
        if problem:
            return problem
        for key, value in sorted(parameters.items()):
            if key.startswith("b") and np.any(value != 0):
                return Problem("wrong value", f"parameters[{key!r}] should be zeros")
            if key.startswith("W") and value.size >= SPREAD_MIN_WEIGHTS:
                target = expected_std(value.shape[1])
                std = float(np.std(value))
                mean = float(np.mean(value))
                if abs(std - target) > STD_TOLERANCE * target or abs(mean) > MEAN_TOLERANCE * target:
                    return Problem("wrong value", f"parameters[{key!r}] has standard deviation "
                                                  f"{std:.3g}; {what} gives {target:.3g}")
        return None
    return evaluate


def zeros_checks(assignment, rng):
    checks = _value_checks(rng, [3, 2, 1])
    dims = _dims(rng, 3, 4)
    checks.append(Check("weights are floating-point zeros", (Call((dims,)),), _float_zeros,
                        describe="dtype of every array"))
    return checks


def random_checks(assignment, rng):
    reference = assignment.reference("initialize_parameters_random")
    mistakes = catalogued(random_mistakes(reference))
    checks = _value_checks(rng, [3, 2, 1], mistakes)
    checks.append(Check("weights have standard deviation 10", (Call((WIDE,)),),
                        _spread(lambda n_prev: 10.0, "randn * 10"),
                        describe="a wide network", mistakes=mistakes))
    return checks


def _tells_he_scaling(dims):
    """Whether weights for ``dims`` tell He scaling from none (every n_prev = 2 gives a factor
    of 1) and from scaling by the current layer (every layer as large as the one before)."""
    previous, current = dims[:-1], dims[1:]
    return any(n != 2 for n in previous) and any(p != n for p, n in zip(previous, current, strict=True))


def he_checks(assignment, rng):
    reference = assignment.reference("initialize_parameters_he")
    mistakes = catalogued(he_mistakes(reference))
    checks = _value_checks(rng, [2, 4, 1], mistakes,
                           telling=_tells_he_scaling)
    checks.append(Check("weights have variance 2/n_prev", (Call((WIDE,)),),
                        _spread(lambda n_prev: np.sqrt(2.0 / n_prev), "He initialisation"),
                        describe="a wide network", mistakes=mistakes))
    return checks


BUILDERS = {
    "initialize_parameters_zeros": zeros_checks,
    "initialize_parameters_random": random_checks,
    "initialize_parameters_he": he_checks,
}

#: A test double for an initialiser that builds on initialize_parameters_zeros (e.g. the zero
#: biases and the dict from it, then its own random weights).
DOUBLES = {
    "initialize_parameters_zeros": '''
def initialize_parameters_zeros(layers_dims):
    shapes = zip(layers_dims[1:], layers_dims[:-1])
    parameters = {}
    for l, (n, n_prev) in enumerate(shapes, start=1):
        parameters["W" + str(l)] = np.zeros((n, n_prev))
        parameters["b" + str(l)] = np.zeros((n, 1))
    return parameters
''',
}
