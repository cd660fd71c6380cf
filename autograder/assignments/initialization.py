"""Checks of the Initialization assignment: zeros, large random and He initialisers.

The initialisers take ``layers_dims`` ``[n_0, ..., n_L]`` and return
``{"W<l>": (n_l, n_{l-1}), "b<l>": (n_l, 1)}``. The random ones seed numpy
with 3 in their given first line, so a correct answer reproduces the
reference weights exactly; property checks also accept the right
distribution drawn another way.

Each hidden case has a fixed role, the same for every student; only the sizes within it are
drawn per student (input and hidden layers from 2..9: no layer of one unit before the output,
where ``randn(n_{l-1}, n_l).T`` would draw the same weights as ``randn(n_l, n_{l-1})``):

- **hidden case 1, a deeper network**: five weight layers, the sizes of ``n_0..n_4`` all
  different, ``n_2`` wider than both its neighbours, one output unit. It tells a loop over a
  fixed number of layers (two, three or four), a transposed ``W`` (no layer is square), ``b``
  sized by the previous layer, and scaling by the wrong layer's size (the current one, the
  input's, the larger or the smaller of the two: the network both widens and narrows).
- **hidden case 2, a shallow network of other sizes**: two weight layers as in the notebook's
  case, three different sizes, the hidden layer the widest, several output units. It tells a
  general answer from one that only reproduces the published output, and an answer that
  assumes a single output unit; it tells the scaling mistakes hidden case 1 tells, too.
- ``initialize_parameters_zeros`` also checks the dtype on a network of four weight layers
  drawn as in hidden case 1.

Every comparison of the published and hidden cases is exact (the given seed): a mistake shows
for every student or for none. Per function, the chance of a wrong verdict:

- ``initialize_parameters_zeros``: 0 (no randomness; the dtype check is exact too).
- ``initialize_parameters_random`` (standard deviation 10) and ``initialize_parameters_he``
  (``sqrt(2 / n_prev)``): the property check runs on one fixed network, :data:`WIDE`, so code
  seeded with 3 gets the same verdict for every student. Weights drawn another way (another
  generator, no seed) are judged by the sample standard deviation and mean of each matrix of
  at least :data:`SPREAD_MIN_WEIGHTS` weights; with the tolerances below, the right
  distribution fails with a chance below 1e-13, and one whose standard deviation is off by
  :data:`OFF_BY` or more either way (Xavier's, scaling by the current layer on :data:`WIDE`,
  plain ``randn``, ``0.01 * randn``, ``10 * rand``) passes with a chance below 1e-20
  (:func:`spread_error_chances`, tested against the exact chi-square tails).
"""

import math

import numpy as np

from autograder.grading import vocabulary
from autograder.grading.checks import Call, Check, catalogued, same_dict
from utils.mistakes import he_mistakes, random_mistakes, zeros_mistakes

#: The network of the property checks: its first two weight matrices (3200 weights each) are
#: judged by their spread, the last one (80 weights) only by its shape. Layers of 80, 40, 80
#: units make scaling by the current layer instead of the previous one a factor sqrt(2) off.
WIDE = [80, 40, 80, 1]
SPREAD_MIN_WEIGHTS = 2400
STD_TOLERANCE, MEAN_TOLERANCE = 0.1, 0.2  # relative to the expected standard deviation
#: A distribution whose standard deviation is this factor off (either way), or more, is told
#: from the right one with a chance of error below 1e-20 (:func:`spread_error_chances`).
OFF_BY = 1.25
SIZES = np.arange(2, 10)


def _chi2_tail(k, c):
    """A Chernoff bound of ``P(X <= c k)`` (for ``c < 1``) or ``P(X >= c k)`` (``c > 1``), ``X``
    chi-square with ``k`` degrees of freedom."""
    return math.exp(-k / 2 * (c - 1 - math.log(c)))


def spread_error_chances(n_weights=None):
    """``(right fails, off passes)``: bounds of the chance that weights drawn from the right
    normal distribution fail the spread check of :data:`WIDE`, and that weights whose standard
    deviation is :data:`OFF_BY` (or more) off, either way, pass it.

    For ``N`` normal weights, ``N s^2 / sigma^2`` is chi-square with ``N - 1`` degrees of
    freedom (``s`` is ``np.std``) and the mean is normal with standard deviation
    ``sigma / sqrt(N)``. The right distribution fails when any judged matrix does (a sum of
    tails); an off one passes only if every judged matrix does (at most the chance of one).
    """
    if n_weights is None:
        n_weights = [a * b for a, b in zip(WIDE[1:], WIDE[:-1], strict=True)
                     if a * b >= SPREAD_MIN_WEIGHTS]
    t, u = STD_TOLERANCE, MEAN_TOLERANCE
    right, off = 0.0, 1.0
    for n in n_weights:
        k = n - 1
        right += (_chi2_tail(k, n * (1 - t) ** 2 / k) + _chi2_tail(k, n * (1 + t) ** 2 / k)
                  + math.erfc(u * math.sqrt(n) / math.sqrt(2)))
        too_wide = _chi2_tail(k, n * ((1 + t) / OFF_BY) ** 2 / k)  # must come out this narrow
        too_narrow = _chi2_tail(k, n * ((1 - t) * OFF_BY) ** 2 / k)  # or this wide
        off = min(off, max(too_wide, too_narrow))
    return right, off


def deeper(rng, weight_layers=5):
    """Hidden case 1's ``layers_dims``: ``weight_layers`` layers, the sizes before the output
    all different, the third (``n_2``) the widest of them, one output unit."""
    sizes = [int(n) for n in rng.choice(SIZES, size=weight_layers, replace=False)]
    widest = sizes.index(max(sizes))
    sizes[2], sizes[widest] = sizes[widest], sizes[2]
    return sizes + [1]


def shallow(rng):
    """Hidden case 2's ``layers_dims``: two weight layers, three different sizes (so several
    output units), the hidden layer the widest (the network widens, then narrows)."""
    sizes = [int(n) for n in rng.choice(SIZES, size=3, replace=False)]
    widest = sizes.index(max(sizes))
    sizes[1], sizes[widest] = sizes[widest], sizes[1]
    return sizes


def _value_checks(rng, published, mistakes=()):
    """The published case and the two hidden cases of fixed roles (see the module's docstring)."""
    roles = ((deeper(rng), "a deeper network than the notebook's: no two neighbouring layers of "
                           "one size, a hidden layer wider than its neighbours"),
             (shallow(rng), "as shallow as the notebook's case, other sizes, several output "
                            "units"))
    checks = [Check("published case", (Call((list(published),)),),
                    same_dict("parameters", hidden=False, exact_keys=True),
                    describe=f"layers_dims = {list(published)}", mistakes=mistakes)]
    for index, (dims, role) in enumerate(roles, start=1):
        checks.append(Check(f"hidden case {index}", (Call((dims,)),),
                            same_dict("parameters", exact_keys=True), describe=role,
                            mistakes=mistakes))
    return checks


def _float_zeros(student, reference):
    """Every array of the dict holds floats (a check of the hidden phase: it names no key)."""
    parameters = student[0]
    for value in parameters.values() if isinstance(parameters, dict) else ():
        if isinstance(value, np.ndarray) and value.dtype.kind != "f":
            return vocabulary.problem("not-float")
    return same_dict("parameters", exact_keys=True)(student, reference)


def _spread(expected_std, finding):
    """Each ``W<l>`` has mean about 0 and the given standard deviation; biases are zero.
    ``finding``: the vocabulary's entry of a wrong spread (no number of it is said)."""
    def evaluate(student, reference):
        parameters = student[0]
        problem = same_dict("parameters", exact_keys=True, values=False)(student, reference)
        if problem:
            return problem
        for key, value in sorted(parameters.items()):
            if key.startswith("b") and np.any(value != 0):
                return vocabulary.problem("biases-not-zero")
            if key.startswith("W") and value.size >= SPREAD_MIN_WEIGHTS:
                target = expected_std(value.shape[1])
                std = float(np.std(value))
                mean = float(np.mean(value))
                if abs(std - target) > STD_TOLERANCE * target or abs(mean) > MEAN_TOLERANCE * target:
                    return vocabulary.problem(finding)
        return None
    return evaluate


def zeros_checks(assignment, rng):
    reference = assignment.reference("initialize_parameters_zeros")
    checks = _value_checks(rng, [3, 2, 1], catalogued(zeros_mistakes(reference)))
    checks.append(Check("weights are floating-point zeros", (Call((deeper(rng, 4),)),), _float_zeros,
                        describe="dtype of every array"))
    return checks


def random_checks(assignment, rng):
    reference = assignment.reference("initialize_parameters_random")
    mistakes = catalogued(random_mistakes(reference))
    checks = _value_checks(rng, [3, 2, 1], mistakes)
    checks.append(Check("weights have standard deviation 10", (Call((list(WIDE),)),),
                        _spread(lambda n_prev: 10.0, "spread-random"),
                        describe="a wide network", mistakes=mistakes))
    return checks


def he_checks(assignment, rng):
    reference = assignment.reference("initialize_parameters_he")
    mistakes = catalogued(he_mistakes(reference))
    checks = _value_checks(rng, [2, 4, 1], mistakes)
    checks.append(Check("weights have variance 2/n_prev", (Call((list(WIDE),)),),
                        _spread(lambda n_prev: np.sqrt(2.0 / n_prev), "spread-he"),
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
