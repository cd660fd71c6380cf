# ruff: noqa: E501  (student code is kept as students write it: long lines included)
"""Wrong functions as students write them, each with the catalogued mistake(s) it makes, and
right ones written other ways: what the hints are measured on.

Written for these tests from the mistakes that recur in students' notebooks of these
assignments (no student's code is copied). ``snippets`` fill the function's code regions of the
kit's release cell in order (:mod:`tests.fairness.templates`). ``makes`` lists the ids of the
catalogued mistakes the code makes (``utils.mistakes``; two for two mistakes made together);
empty for a right function.

:func:`graded` grades one entry in-process, as the grader does but without a sandbox: the
student's checks as drawn for them, fitted to the code, each call run on the check's stand-ins,
an exception becoming the failure the grader makes of it. :func:`tally` counts, over the corpus,
the wrong functions whose hint names their mistake(s), those whose hint names another one, and
the right functions that get a catalogued hint; wrong functions whose mistake the catalogue
does not hold must get no catalogued hint either (``python -m bench.hints`` prints it).
"""

import copy
import warnings
from dataclasses import dataclass

import numpy as np

from autograder import assignments
from autograder.grading import feedback, reference
from autograder.grading.checks import Outcome, rng_for, seed_for
from autograder.grading.grade import score_function
from autograder.grading.reference import _base_namespace
from autograder.sandbox.wire import decode, encode
from tests.fairness.templates import render
from tests.fairness.variations import ASSIGNMENT_OF


@dataclass(frozen=True)
class Entry:
    name: str
    function: str
    makes: tuple
    snippets: tuple

    @property
    def assignment(self):
        return ASSIGNMENT_OF[self.function]

    @property
    def source(self):
        return render(self.function, "kit", self.snippets)


def e(name, function, makes, *snippets):
    return Entry(name, function, (makes,) if isinstance(makes, str) else tuple(makes), snippets)


ZEROS, RANDOM, HE = "initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he"
COST, BACK_L2 = "compute_cost_with_regularization", "backward_propagation_with_regularization"
DROP_F, DROP_B = "forward_propagation_with_dropout", "backward_propagation_with_dropout"
FORWARD, BACKWARD = "forward_propagation", "backward_propagation"
CHECK, CHECK_N = "gradient_check", "gradient_check_n"

_W = "parameters['W' + str(l)] = "
_B = "parameters['b' + str(l)] = "
CENTRED = """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (2 * epsilon)"""
GRAD = "grad = backward_propagation(x, theta)"
NORMS = """numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator"""
_NO_DENOMINATOR = """numerator = np.linalg.norm(grad - gradapprox)
difference = numerator"""
_LOOP_N = """thetaplus = np.copy(parameters_values)
thetaplus[i][0] = thetaplus[i][0] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
thetaminus = np.copy(parameters_values)
thetaminus[i][0] = thetaminus[i][0] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)"""
_LAYER_1 = """D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = (D1 < keep_prob).astype(int)
A1 = A1 * D1
A1 = A1 / keep_prob"""
_LAYER_2 = """D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = (D2 < keep_prob).astype(int)
A2 = A2 * D2
A2 = A2 / keep_prob"""


WRONG = [
    # Initialization: biases that are not a column of zeros, weights scaled wrongly
    e("zeros_bias_scalar", ZEROS, "bias-not-column",
      f"{_W}np.zeros((layers_dims[l], layers_dims[l-1]))\n{_B}0"),
    e("zeros_bias_row", ZEROS, "bias-not-column",
      f"{_W}np.zeros((layers_dims[l], layers_dims[l-1]))\n{_B}np.zeros((1, layers_dims[l]))"),
    e("zeros_bias_flat", ZEROS, "bias-not-column",
      f"{_W}np.zeros((layers_dims[l], layers_dims[l-1]))\n{_B}np.zeros(layers_dims[l])"),
    e("zeros_bias_matrix", ZEROS, "bias-not-column",
      f"{_W}np.zeros((layers_dims[l], layers_dims[l-1]))\n{_B}np.zeros((layers_dims[l], layers_dims[l-1]))"),
    e("random_unscaled", RANDOM, "random-unscaled",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1])\n{_B}np.zeros((layers_dims[l], 1))"),
    e("random_small", RANDOM, "random-small",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * 0.01\n{_B}np.zeros((layers_dims[l], 1))"),
    e("random_uniform", RANDOM, "random-uniform",
      f"{_W}np.random.rand(layers_dims[l], layers_dims[l-1]) * 10\n{_B}np.zeros((layers_dims[l], 1))"),
    e("random_bias_scalar", RANDOM, "bias-not-column",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * 10\n{_B}0"),
    e("random_small_bias_row", RANDOM, ("random-small", "bias-not-column"),
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * 0.01\n{_B}np.zeros((1, layers_dims[l]))"),
    e("random_unscaled_bias_flat", RANDOM, ("random-unscaled", "bias-not-column"),
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1])\n{_B}np.zeros(layers_dims[l])"),
    e("he_xavier", HE, "he-xavier",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(1 / layers_dims[l-1])\n{_B}np.zeros((layers_dims[l], 1))"),
    e("he_current_layer", HE, "he-current-layer",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l])\n{_B}np.zeros((layers_dims[l], 1))"),
    e("he_variance", HE, "he-variance",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * 2 / layers_dims[l-1]\n{_B}np.zeros((layers_dims[l], 1))"),
    e("he_unscaled", HE, "he-unscaled",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1])\n{_B}np.zeros((layers_dims[l], 1))"),
    e("he_xavier_bias_scalar", HE, ("he-xavier", "bias-not-column"),
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) / np.sqrt(layers_dims[l-1])\n{_B}0"),
    e("he_bias_row", HE, "bias-not-column",
      f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2. / layers_dims[l-1])\n{_B}np.zeros((1, layers_dims[l]))"),
    # Regularization: the L2 cost
    e("cost_missing_m", COST, "l2-missing-1/m",
      "L2_regularization_cost = lambd / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"),
    e("cost_missing_half", COST, "l2-missing-1/2",
      "L2_regularization_cost = (lambd / m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"),
    e("cost_not_squared", COST, "l2-not-squared",
      "L2_regularization_cost = lambd / (2 * m) * (np.sum(W1) + np.sum(W2) + np.sum(W3))"),
    e("cost_square_of_sum", COST, "l2-square-of-sum",
      "L2_regularization_cost = lambd / (2 * m) * (np.sum(W1) ** 2 + np.sum(W2) ** 2 + np.sum(W3) ** 2)"),
    e("cost_missing_layer", COST, "l2-missing-layer",
      "L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)))"),
    e("cost_cross_entropy_twice", COST, "cross-entropy-twice",
      "L2_regularization_cost = cross_entropy_cost + (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"),
    e("cost_twice_missing_m", COST, ("l2-missing-1/m", "cross-entropy-twice"),
      "L2_regularization_cost = compute_cost(A3, Y) + lambd / 2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))"),
    # Regularization: the L2 gradients
    e("back_l2_missing_m", BACK_L2, "l2-grad-missing-1/m",
      "dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd * W3", "dW2 = 1. / m * np.dot(dZ2, A1.T) + lambd * W2",
      "dW1 = 1. / m * np.dot(dZ1, X.T) + lambd * W1"),
    e("back_l2_half", BACK_L2, "l2-grad-half",
      "dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd / (2 * m) * W3", "dW2 = 1. / m * np.dot(dZ2, A1.T) + lambd / (2 * m) * W2",
      "dW1 = 1. / m * np.dot(dZ1, X.T) + lambd / (2 * m) * W1"),
    e("back_l2_sign", BACK_L2, "l2-grad-sign",
      "dW3 = 1. / m * np.dot(dZ3, A2.T) - (lambd / m) * W3", "dW2 = 1. / m * np.dot(dZ2, A1.T) - (lambd / m) * W2",
      "dW1 = 1. / m * np.dot(dZ1, X.T) - (lambd / m) * W1"),
    # Regularization: dropout forward
    e("drop_no_rescale", DROP_F, "dropout-forward-no-rescale",
      _LAYER_1.replace("A1 = A1 / keep_prob", ""), _LAYER_2.replace("A2 = A2 / keep_prob", "")),
    e("drop_mask_flipped", DROP_F, "dropout-forward-mask-flipped",
      _LAYER_1.replace("D1 < keep_prob", "D1 > keep_prob"), _LAYER_2.replace("D2 < keep_prob", "D2 > keep_prob")),
    e("drop_randn", DROP_F, "dropout-forward-randn",
      _LAYER_1.replace("np.random.rand(", "np.random.randn("), _LAYER_2.replace("np.random.rand(", "np.random.randn(")),
    e("drop_int_activations", DROP_F, "dropout-forward-int-activations",
      _LAYER_1.replace("A1 = A1 * D1", "A1 = (A1 * D1).astype(int)"),
      _LAYER_2.replace("A2 = A2 * D2", "A2 = (A2 * D2).astype(int)")),
    e("drop_randn_int_a2", DROP_F, ("dropout-forward-randn", "dropout-forward-int-a2"),
      _LAYER_1.replace("np.random.rand(", "np.random.randn("),
      _LAYER_2.replace("np.random.rand(", "np.random.randn(").replace("A2 = A2 * D2", "A2 = (A2 * D2).astype(int)")),
    e("drop_no_rescale_flipped", DROP_F, ("dropout-forward-no-rescale", "dropout-forward-mask-flipped"),
      "D1 = np.random.rand(*A1.shape)\nD1 = D1 > keep_prob\nA1 = A1 * D1",
      "D2 = np.random.rand(*A2.shape)\nD2 = D2 > keep_prob\nA2 = A2 * D2"),
    # Regularization: dropout backward
    e("drop_back_no_rescale", DROP_B, "dropout-backward-no-rescale", "dA2 = dA2 * D2", "dA1 = dA1 * D1"),
    e("drop_back_times_keep", DROP_B, "dropout-backward-times-keep-prob",
      "dA2 = dA2 * D2\ndA2 = dA2 * keep_prob", "dA1 = dA1 * D1\ndA1 = dA1 * keep_prob"),
    e("drop_back_masks_swapped", DROP_B, "dropout-backward-wrong-mask",
      "dA2 = dA2 * D1\ndA2 = dA2 / keep_prob", "dA1 = dA1 * D2\ndA1 = dA1 / keep_prob"),
    e("drop_back_layer_2_left", DROP_B, "dropout-backward-layer-2-skipped",
      "pass", "dA1 = dA1 * D1\ndA1 = dA1 / keep_prob"),
    e("drop_back_layer_1_left", DROP_B, "dropout-backward-layer-1-skipped",
      "dA2 = np.multiply(dA2, D2) / keep_prob", "pass"),
    # Gradient Checking: the 1-D functions
    e("forward_adds", FORWARD, "forward-adds", "J = theta + x"),
    e("backward_theta", BACKWARD, "backward-theta", "dtheta = theta"),
    e("backward_returns_j", BACKWARD, "backward-returns-J", "dtheta = theta * x"),
    e("backward_j_over_theta", BACKWARD, "backward-j-over-theta",
      "J = forward_propagation(x, theta)\ndtheta = J / theta"),
    e("backward_j_over_theta_inline", BACKWARD, "backward-j-over-theta", "dtheta = (theta * x) / theta"),
    # Gradient Checking: gradient_check
    e("check_j_minus_at_plus", CHECK, "j-minus-at-theta-plus",
      CENTRED.replace("forward_propagation(x, theta_minus)", "forward_propagation(x, theta_plus)"), GRAD, NORMS),
    e("check_swapped", CHECK, "plus-minus-swapped",
      CENTRED.replace("(J_plus - J_minus)", "(J_minus - J_plus)"), GRAD, NORMS),
    e("check_squares", CHECK, "difference-squared", CENTRED, GRAD,
      "numerator = (grad - gradapprox) ** 2\ndenominator = grad ** 2 + gradapprox ** 2\ndifference = numerator / denominator"),
    e("check_no_denominator", CHECK, "difference-no-denominator", CENTRED, GRAD, _NO_DENOMINATOR),
    e("check_norm_of_sum", CHECK, "denominator-norm-of-sum", CENTRED, GRAD,
      "numerator = np.linalg.norm(grad - gradapprox)\ndenominator = np.linalg.norm(grad + gradapprox)\ndifference = numerator / denominator"),
    e("check_one_sided", CHECK, "one-sided-difference",
      "theta_plus = theta + epsilon\nJ_plus = forward_propagation(x, theta_plus)\nJ = forward_propagation(x, theta)\ngradapprox = (J_plus - J) / epsilon",
      GRAD, NORMS),
    e("check_grad_is_gradapprox", CHECK, "grad-equals-gradapprox", CENTRED, "grad = gradapprox", NORMS),
    e("check_swapped_no_denominator", CHECK, ("plus-minus-swapped", "difference-no-denominator"),
      CENTRED.replace("(J_plus - J_minus)", "(J_minus - J_plus)"), GRAD, _NO_DENOMINATOR),
    e("check_swapped_squares", CHECK, ("plus-minus-swapped", "difference-squared"),
      CENTRED.replace("(J_plus - J_minus)", "(J_minus - J_plus)"), GRAD,
      "difference = (grad - gradapprox) ** 2 / (grad ** 2 + gradapprox ** 2)"),
    # Gradient Checking: gradient_check_n
    e("check_n_not_copied", CHECK_N, "theta-not-copied",
      _LOOP_N.replace("np.copy(parameters_values)", "parameters_values"), NORMS),
    e("check_n_minus_from_plus", CHECK_N, "theta-minus-from-theta-plus",
      _LOOP_N.replace("thetaminus = np.copy(parameters_values)", "thetaminus = np.copy(thetaplus)"), NORMS),
    e("check_n_one_sided", CHECK_N, "one-sided-difference-n",
      _LOOP_N.replace("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))[0]) / epsilon"),
      NORMS),
    e("check_n_no_denominator", CHECK_N, "difference-no-denominator-n", _LOOP_N, _NO_DENOMINATOR),
    e("check_n_j_minus_at_plus", CHECK_N, "j-minus-at-theta-plus-n",
      _LOOP_N.replace("J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))",
                      "J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))"), NORMS),
    e("check_n_swapped", CHECK_N, "plus-minus-swapped-n",
      _LOOP_N.replace("(J_plus[i] - J_minus[i])", "(J_minus[i] - J_plus[i])"), NORMS),
    e("check_n_squares", CHECK_N, "difference-squared-n", _LOOP_N,
      "numerator = np.sum((grad - gradapprox) ** 2)\ndenominator = np.sum(grad ** 2) + np.sum(gradapprox ** 2)\ndifference = numerator / denominator"),
    e("check_n_last_element", CHECK_N, "difference-last-element-n", _LOOP_N,
      "numerator = np.linalg.norm(grad[i] - gradapprox[i])\ndenominator = np.linalg.norm(grad[i]) + np.linalg.norm(gradapprox[i])\ndifference = numerator / denominator"),
    e("check_n_one_sided_last_element", CHECK_N, ("one-sided-difference-n", "difference-last-element-n"),
      _LOOP_N.replace("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))[0]) / epsilon"),
      "numerator = np.linalg.norm(grad[i] - gradapprox[i])\ndenominator = np.linalg.norm(grad[i]) + np.linalg.norm(gradapprox[i])\ndifference = numerator / denominator"),
    e("check_n_one_sided_no_denominator", CHECK_N, ("one-sided-difference-n", "difference-no-denominator-n"),
      _LOOP_N.replace("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))[0]) / epsilon"),
      _NO_DENOMINATOR),
]

#: Wrong functions whose mistake the catalogue does not hold: no catalogued hint may name one.
UNCATALOGUED = [
    e("zeros_weights_ones", ZEROS, (), f"{_W}np.ones((layers_dims[l], layers_dims[l-1]))\n{_B}np.zeros((layers_dims[l], 1))"),
    e("random_transposed", RANDOM, (), f"{_W}np.random.randn(layers_dims[l-1], layers_dims[l]).T * 10\n{_B}np.zeros((layers_dims[l], 1))"),
    e("cost_norm_not_squared", COST, (), "L2_regularization_cost = lambd / (2 * m) * (np.linalg.norm(W1) + np.linalg.norm(W2) + np.linalg.norm(W3))"),
    e("back_l2_only_last_layer", BACK_L2, (), "dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3",
      "dW2 = 1. / m * np.dot(dZ2, A1.T)", "dW1 = 1. / m * np.dot(dZ1, X.T)"),
    e("drop_mask_per_unit", DROP_F, (), "D1 = (np.random.rand(A1.shape[0], 1) < keep_prob).astype(int)\nA1 = A1 * D1 / keep_prob",
      "D2 = (np.random.rand(A2.shape[0], 1) < keep_prob).astype(int)\nA2 = A2 * D2 / keep_prob"),
    e("drop_back_active_units", DROP_B, (), "dA2 = dA2 * (A2 > 0) / keep_prob", "dA1 = dA1 * (A1 > 0) / keep_prob"),
    e("forward_squares", FORWARD, (), "J = theta ** 2 * x"),
    e("backward_two_x", BACKWARD, (), "dtheta = 2 * x"),
    e("check_epsilon_doubled", CHECK, (), CENTRED.replace("(2 * epsilon)", "(4 * epsilon)"), GRAD, NORMS),
    e("check_n_without_abs_norm", CHECK_N, (), _LOOP_N, "difference = np.sum(grad - gradapprox) / (np.sum(grad) + np.sum(gradapprox))"),
]

RIGHT = [
    e("zeros_shape_keyword", ZEROS, (), f"{_W}np.zeros(shape=(layers_dims[l], layers_dims[l - 1]))\n{_B}np.zeros(shape=(layers_dims[l], 1))"),
    e("random_f_strings", RANDOM, (), "parameters[f'W{l}'] = 10 * np.random.randn(layers_dims[l], layers_dims[l-1])\nparameters[f'b{l}'] = np.zeros((layers_dims[l], 1))"),
    e("he_sqrt_of_ratio", HE, (), f"{_W}np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2. / layers_dims[l-1])\n{_B}np.zeros((layers_dims[l], 1))"),
    e("cost_square_sums", COST, (), "L2_regularization_cost = lambd / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))"),
    e("back_l2_multiply", BACK_L2, (), "dW3 = (np.dot(dZ3, A2.T) + lambd * W3) / m", "dW2 = (np.dot(dZ2, A1.T) + lambd * W2) / m",
      "dW1 = (np.dot(dZ1, X.T) + lambd * W1) / m"),
    e("drop_star_shape", DROP_F, (), "D1 = np.random.rand(*A1.shape) < keep_prob\nA1 = A1 * D1 / keep_prob",
      "D2 = np.random.rand(*A2.shape) < keep_prob\nA2 = A2 * D2 / keep_prob"),
    e("drop_back_multiply", DROP_B, (), "dA2 = np.multiply(dA2, D2) / keep_prob", "dA1 = np.multiply(dA1, D1) / keep_prob"),
    e("forward_multiply", FORWARD, (), "J = theta * x"),
    e("backward_x", BACKWARD, (), "dtheta = x"),
    e("check_reference", CHECK, (), CENTRED, GRAD, NORMS),
    e("check_inline_j", CHECK, (), "thetaplus = theta + epsilon\nthetaminus = theta - epsilon\nJ_plus = thetaplus * x\nJ_minus = thetaminus * x\ngradapprox = (J_plus - J_minus) / (2 * epsilon)",
      GRAD, NORMS),
    e("check_arguments_swapped", CHECK, (), CENTRED.replace("forward_propagation(x, theta_plus)", "forward_propagation(theta_plus, x)")
      .replace("forward_propagation(x, theta_minus)", "forward_propagation(theta_minus, x)"), GRAD, NORMS),
    e("check_n_reference", CHECK_N, (), _LOOP_N, NORMS),
    e("check_n_divided_by_step", CHECK_N, (), _LOOP_N.replace("(2 * epsilon)", "(thetaplus[i][0] - thetaminus[i][0])"), NORMS),
]


def graded(entry, student="student-0"):
    """The :class:`autograder.grading.result.FunctionResult` of ``entry`` for ``student``, graded in-process."""
    spec = reference.load(entry.assignment)
    function, source = entry.function, entry.source
    checks = assignments.build_checks(spec, function, rng_for(seed_for(student, spec.name), function))
    checks = assignments.fit_to_code(spec, function, checks, source)
    outcomes = {}
    for check in checks:
        namespace = dict(_base_namespace(spec.name))
        exec(compile(source, "<cell>", "exec"), namespace)
        exec(compile(check.stand_ins, "<stand-ins>", "exec"), namespace)
        for call in check.calls:
            outcomes[id(call)] = _run(namespace[function], function, call, check)
    return score_function(spec, spec.function(function), checks, outcomes, [])


def _run(function, name, call, check):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = function(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))
        except Exception as error:  # what the sandbox reports of it
            failure = feedback.failure_from_error({"type": type(error).__name__, "message": str(error)},
                                                  name, check.fixed_inputs)
            return Outcome(failure=failure)
    return Outcome(value=decode(encode(value)))


@dataclass(frozen=True)
class Tally:
    wrong: int
    named: int  # wrong functions whose hint names exactly their mistake(s)
    misnamed: list  # (entry name, ids named) of wrong functions whose hint names another mistake
    unnamed: list  # wrong functions with no catalogued hint
    uncatalogued: int
    misled: list  # (entry name, ids named) of uncatalogued mistakes given a catalogued hint
    right: int
    hinted_right: list  # (entry name, ids or hint) of right functions given a catalogued hint

    def line(self):
        share = 100 * self.named / self.wrong if self.wrong else 0.0
        wrong = len(self.misnamed) + len(self.misled)
        return (f"hints on {self.wrong} realistic wrong functions of catalogued mistakes: "
                f"{self.named} name their mistake ({share:.0f} %), {len(self.unnamed)} none; "
                f"wrong hints: {wrong} (of these {self.wrong} and {self.uncatalogued} wrong "
                f"functions of other mistakes); catalogued hints on {self.right} right functions: "
                f"{len(self.hinted_right)}")


def tally(student="student-0", wrong=WRONG, uncatalogued=UNCATALOGUED, right=RIGHT):
    """How the hints fare on the corpus (see the module's docstring)."""
    named, misnamed, unnamed, misled, hinted = 0, [], [], [], []
    for entry in wrong:
        ids = tuple(graded(entry, student).mistakes)
        if set(ids) == set(entry.makes):
            named += 1
        elif ids:
            misnamed.append((entry.name, ids))
        else:
            unnamed.append(entry.name)
    for entry in uncatalogued:
        ids = tuple(graded(entry, student).mistakes)
        if ids:
            misled.append((entry.name, ids))
    for entry in right:
        result = graded(entry, student)
        if result.mistakes or result.status != "passed":
            hinted.append((entry.name, tuple(result.mistakes) or result.hint))
    return Tally(len(wrong), named, misnamed, unnamed, len(uncatalogued), misled, len(right), hinted)
