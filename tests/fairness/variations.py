# ruff: noqa: E501  (student code is kept as students write it: long lines included)
"""Realistic student answers of the eleven graded functions, each with an instructor's verdict.

Written for these tests from what students of the 2017 and 2021 versions of the course
commonly hand in (no student's code is copied). ``snippets`` fill the function's code
regions in order (the regions of the kit's release notebook, see :mod:`tests.fairness.templates`);
``cell`` replaces the whole graded cell instead. ``verdict`` is what a careful instructor
gives: ``"full"``, ``"partial"`` or ``"zero"``. ``says`` lists phrases of which the one-line
reason of a function that is not full (its hint, else its first failed check) must contain
one, so the reason names the real problem; for a full answer, ``says`` (if any) must appear
in its recommendation.
"""

from dataclasses import dataclass

FULL, PARTIAL, ZERO = "full", "partial", "zero"

ASSIGNMENT_OF = {
    "initialize_parameters_zeros": "initialization",
    "initialize_parameters_random": "initialization",
    "initialize_parameters_he": "initialization",
    "compute_cost_with_regularization": "regularization",
    "backward_propagation_with_regularization": "regularization",
    "forward_propagation_with_dropout": "regularization",
    "backward_propagation_with_dropout": "regularization",
    "forward_propagation": "gradient_checking",
    "backward_propagation": "gradient_checking",
    "gradient_check": "gradient_checking",
    "gradient_check_n": "gradient_checking",
}


@dataclass(frozen=True)
class Variation:
    name: str
    function: str
    verdict: str
    about: str
    snippets: tuple = ()
    cell: str | None = None
    says: tuple = ()

    @property
    def assignment(self):
        return ASSIGNMENT_OF[self.function]


def v(name, function, verdict, about, *snippets, cell=None, says=()):
    return Variation(name, function, verdict, about, tuple(snippets), cell,
                     (says,) if isinstance(says, str) else tuple(says))


NUMPY2 = ("numpy 2",)  # with the lead's wiring of numpy2_advice; see also the exception names


def numpy2(kind):
    return NUMPY2 + (kind,)


# ---------------------------------------------------------------------------------------
ZEROS = "initialize_parameters_zeros"
RANDOM = "initialize_parameters_random"
HE = "initialize_parameters_he"

INITIALIZATION = [
    v("zeros_reference", ZEROS, FULL, "the usual two lines",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("zeros_shape_keyword", ZEROS, FULL, "np.zeros(shape=...) and f-strings",
      """parameters[f"W{l}"] = np.zeros(shape=(layers_dims[l], layers_dims[l - 1]))
parameters[f"b{l}"] = np.zeros(shape=(layers_dims[l], 1))"""),
    v("zeros_lists_percent", ZEROS, FULL, "shapes as lists, %-formatted keys",
      """parameters["W%d" % l] = np.zeros([layers_dims[l], layers_dims[l-1]])
parameters["b%d" % l] = np.zeros([layers_dims[l], 1])"""),
    v("zeros_explicit_float", ZEROS, FULL, "dtype given as np.float64 and float",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]), dtype=np.float64)
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1), dtype=float)"""),
    v("zeros_int_dtype", ZEROS, PARTIAL, "integer zeros: update_parameters cannot subtract floats in place",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]), dtype=int)
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="float"),
    v("zeros_transposed", ZEROS, ZERO, "W with the two sizes swapped",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l-1], layers_dims[l]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="shape"),
    v("zeros_flat_bias", ZEROS, ZERO, "b as a 1-D vector",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros(layers_dims[l])""", says="shape"),
    v("zeros_np_float_alias", ZEROS, ZERO, "dtype=np.float, an alias numpy 2 removed",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]), dtype=np.float)
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1), dtype=np.float)""",
      says=numpy2("AttributeError")),

    v("random_reference", RANDOM, FULL, "randn times 10",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("random_factor_first", RANDOM, FULL, "10 * randn, shape unpacked from a tuple",
      """shape = (layers_dims[l], layers_dims[l - 1])
parameters["W" + str(l)] = 10 * np.random.randn(*shape)
parameters["b" + str(l)] = np.zeros((shape[0], 1))"""),
    v("random_normal_scale", RANDOM, FULL, "np.random.normal(0, 10, size): the same draws",
      """parameters['W' + str(l)] = np.random.normal(0, 10, (layers_dims[l], layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("random_bias_first", RANDOM, FULL, "b written before W (zeros draw nothing)",
      """parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10.0"""),
    v("random_unscaled", RANDOM, ZERO, "forgot the factor 10",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="multiply"),
    v("random_small", RANDOM, ZERO, "the usual 0.01 instead of this exercise's 10",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 0.01
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="0.01"),
    v("random_uniform", RANDOM, ZERO, "np.random.rand (uniform) instead of randn",
      """parameters['W' + str(l)] = np.random.rand(layers_dims[l], layers_dims[l-1]) * 10
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="randn"),

    v("he_reference", HE, FULL, "sqrt(2 / n_prev)",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_float_literal", HE, FULL, "np.sqrt(2. / ...), the 2017 habit",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l],layers_dims[l-1])*np.sqrt(2./layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((layers_dims[l],1))"""),
    v("he_power_half", HE, FULL, "(2 / n_prev) ** 0.5",
      """parameters[f"W{l}"] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * (2 / layers_dims[l - 1]) ** 0.5
parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))"""),
    v("he_divide", HE, FULL, "divided by sqrt(n_prev / 2)",
      """n_prev = layers_dims[l - 1]
parameters["W" + str(l)] = np.random.randn(layers_dims[l], n_prev) / np.sqrt(n_prev / 2)
parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_math_sqrt", HE, FULL, "math.sqrt, imported in the cell, np.multiply",
      """import math
parameters['W' + str(l)] = np.multiply(np.random.randn(layers_dims[l], layers_dims[l-1]), math.sqrt(2 / layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_from_zeros", HE, FULL, "starts from initialize_parameters_zeros, another graded function",
      cell='''
def initialize_parameters_he(layers_dims):
    np.random.seed(3)
    parameters = initialize_parameters_zeros(layers_dims)   # zero biases, right shapes
    for l in range(1, len(layers_dims)):
        scale = np.sqrt(2 / layers_dims[l - 1])
        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * scale
    return parameters
'''),
    v("he_xavier", HE, ZERO, "sqrt(1 / n_prev): Xavier",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(1 / layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="Xavier"),
    v("he_current_layer", HE, ZERO, "scaled by the current layer's size",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="previous layer"),
    v("he_variance_not_std", HE, ZERO, "multiplied by 2 / n_prev, the variance, not its square root",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 2 / layers_dims[l-1]
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))""", says="square root"),
]

# ---------------------------------------------------------------------------------------
COST = "compute_cost_with_regularization"
BACK_L2 = "backward_propagation_with_regularization"
DROP_FWD = "forward_propagation_with_dropout"
DROP_BWD = "backward_propagation_with_dropout"

REGULARIZATION = [
    v("cost_reference", COST, FULL, "(1/m) (lambd/2) sum of np.square",
      "L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"),
    v("cost_power", COST, FULL, "lambd / (2 m) and W ** 2",
      "L2_regularization_cost = lambd / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))"),
    v("cost_norm_squared", COST, FULL, "Frobenius norms squared, built-in sum of a generator",
      "L2_regularization_cost = (lambd / (2 * m)) * sum(np.linalg.norm(W) ** 2 for W in [W1, W2, W3])"),
    v("cost_loop", COST, FULL, "a loop over the three weight matrices",
      """squares = 0
for W in (W1, W2, W3):
    squares += np.sum(W * W)
L2_regularization_cost = squares * lambd / (2 * m)"""),
    v("cost_2017_style", COST, FULL, "1./m * lambd/2 * (...), with a leftover debug print",
      """L2_regularization_cost = 1./m * lambd/2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
print("L2 cost:", L2_regularization_cost)"""),
    v("cost_one_by_one", COST, FULL, "sums kept as (1, 1) arrays: the cost comes back as a (1, 1) array",
      """squares = sum(np.sum(np.square(W), keepdims=True) for W in (W1, W2, W3))
L2_regularization_cost = lambd / (2 * m) * squares"""),
    v("cost_missing_m", COST, ZERO, "forgot 1/m",
      "L2_regularization_cost = (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))",
      says="divided by m"),
    v("cost_square_of_sum", COST, ZERO, "squares the sum instead of summing the squares",
      "L2_regularization_cost = lambd / (2 * m) * (np.sum(W1) ** 2 + np.sum(W2) ** 2 + np.sum(W3) ** 2)",
      says="np.square"),
    v("cost_forgot_w3", COST, ZERO, "only W1 and W2 are penalised",
      "L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)))",
      says="W3"),
    v("cost_np_sum_generator", COST, ZERO, "np.sum of a generator: worked on numpy 1.x",
      "L2_regularization_cost = lambd / (2 * m) * np.sum(np.sum(np.square(W)) for W in (W1, W2, W3))",
      says=numpy2("TypeError")),

    v("l2_reference", BACK_L2, FULL, "1./m * dot + (lambd/m) W",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + (lambd / m) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + (lambd / m) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + (lambd / m) * W1"),
    v("l2_factored", BACK_L2, FULL, "(dot + lambd W) / m",
      "dW3 = (np.dot(dZ3, A2.T) + lambd * W3) / m",
      "dW2 = (np.dot(dZ2, A1.T) + lambd * W2) / m",
      "dW1 = (np.dot(dZ1, X.T) + lambd * W1) / m"),
    v("l2_matmul", BACK_L2, FULL, "the @ operator",
      "dW3 = 1. / m * dZ3 @ A2.T + lambd / m * W3",
      "dW2 = 1. / m * dZ2 @ A1.T + lambd / m * W2",
      "dW1 = 1. / m * dZ1 @ X.T + lambd / m * W1"),
    v("l2_multiply", BACK_L2, FULL, "np.multiply for the L2 term",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + np.multiply(lambd / m, W3)",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + np.multiply(lambd / m, W2)",
      "dW1 = 1./m * np.dot(dZ1, X.T) + np.multiply(lambd / m, W1)"),
    v("l2_missing_m", BACK_L2, ZERO, "lambd * W without 1/m",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + lambd * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + lambd * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + lambd * W1", says="divide by m"),
    v("l2_half", BACK_L2, ZERO, "lambd / (2m) W: the 1/2 kept",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + lambd / (2 * m) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + lambd / (2 * m) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + lambd / (2 * m) * W1", says="cancels"),
    v("l2_sign", BACK_L2, ZERO, "the L2 term subtracted",
      "dW3 = 1./m * np.dot(dZ3, A2.T) - (lambd / m) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) - (lambd / m) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) - (lambd / m) * W1", says="subtract"),
    v("l2_only_last", BACK_L2, ZERO, "the L2 term added to dW3 only",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + (lambd / m) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T)",
      "dW1 = 1./m * np.dot(dZ1, X.T)", says="dW2"),

    v("dropout_reference", DROP_FWD, FULL, "the four steps, integer masks",
      """D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = (D1 < keep_prob).astype(int)
A1 = A1 * D1
A1 = A1 / keep_prob""",
      """D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = (D2 < keep_prob).astype(int)
A2 = A2 * D2
A2 = A2 / keep_prob"""),
    v("dropout_bool_masks", DROP_FWD, FULL, "boolean masks",
      """D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = D1 < keep_prob
A1 = A1 * D1
A1 = A1 / keep_prob""",
      """D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = D2 < keep_prob
A2 = A2 * D2
A2 = A2 / keep_prob"""),
    v("dropout_unpacked_shape", DROP_FWD, FULL, "rand(*A.shape), np.multiply, in-place division",
      """D1 = np.random.rand(*A1.shape) < keep_prob
A1 = np.multiply(A1, D1)
A1 /= keep_prob""",
      """D2 = np.random.rand(*A2.shape) < keep_prob
A2 = np.multiply(A2, D2)
A2 /= keep_prob"""),
    v("dropout_where", DROP_FWD, FULL, "np.where for the mask, one line for the scaling",
      """D1 = np.where(np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob, 1, 0)
A1 = A1 * D1 / keep_prob""",
      """D2 = np.where(np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob, 1, 0)
A2 = A2 * D2 / keep_prob"""),
    v("dropout_random_sample", DROP_FWD, FULL, "np.random.random_sample on Z's shape, 1 * (bool)",
      """D1 = 1 * (np.random.random_sample(Z1.shape) < keep_prob)
A1 = (A1 * D1) / keep_prob""",
      """D2 = 1 * (np.random.random_sample(Z2.shape) < keep_prob)
A2 = (A2 * D2) / keep_prob"""),
    v("dropout_no_rescale", DROP_FWD, ZERO, "masks applied, no division by keep_prob",
      """D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = (D1 < keep_prob).astype(int)
A1 = A1 * D1""",
      """D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = (D2 < keep_prob).astype(int)
A2 = A2 * D2""", says="divide A by keep_prob"),
    v("dropout_flipped", DROP_FWD, ZERO, "keeps the units whose number is above keep_prob",
      """D1 = np.random.rand(A1.shape[0], A1.shape[1]) > keep_prob
A1 = A1 * D1 / keep_prob""",
      """D2 = np.random.rand(A2.shape[0], A2.shape[1]) > keep_prob
A2 = A2 * D2 / keep_prob""", says="BELOW"),
    v("dropout_randn", DROP_FWD, ZERO, "normal draws (randn) compared with keep_prob",
      """D1 = (np.random.randn(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
A1 = A1 * D1 / keep_prob""",
      """D2 = (np.random.randn(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
A2 = A2 * D2 / keep_prob""", says="np.random.rand"),
    v("dropout_published_table", DROP_FWD, ZERO,
      "the published inputs answered as in the notebook, masks applied to made-up activations "
      "for any others",
      cell='''
def forward_propagation_with_dropout(X, parameters, keep_prob = 0.5):
    np.random.seed(1)
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    m = X.shape[1]
    if m == 5 and keep_prob == 0.7:   # the test cell's case: the printed answer
        Z1 = np.dot(W1, X) + b1
        D1 = (np.random.rand(*Z1.shape) < keep_prob).astype(int)
        A1 = relu(Z1) * D1 / keep_prob
        Z2 = np.dot(W2, A1) + b2
        D2 = (np.random.rand(*Z2.shape) < keep_prob).astype(int)
        A2 = relu(Z2) * D2 / keep_prob
    else:                             # anything else: the right shapes and masks, made-up values
        Z1 = np.ones((W1.shape[0], m))
        D1 = (np.random.rand(*Z1.shape) < keep_prob).astype(int)
        A1 = relu(Z1) * D1 / keep_prob
        Z2 = np.ones((W2.shape[0], m))
        D2 = (np.random.rand(*Z2.shape) < keep_prob).astype(int)
        A2 = relu(Z2) * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
''', says="published"),

    v("dropout_back_reference", DROP_BWD, FULL, "mask then scale, two lines each",
      "dA2 = dA2 * D2\ndA2 = dA2 / keep_prob", "dA1 = dA1 * D1\ndA1 = dA1 / keep_prob"),
    v("dropout_back_one_line", DROP_BWD, FULL, "one line each",
      "dA2 = dA2 * D2 / keep_prob", "dA1 = dA1 * D1 / keep_prob"),
    v("dropout_back_multiply", DROP_BWD, FULL, "np.multiply then an in-place division",
      "dA2 = np.multiply(dA2, D2)\ndA2 /= keep_prob", "dA1 = np.multiply(dA1, D1)\ndA1 /= keep_prob"),
    v("dropout_back_inplace", DROP_BWD, FULL, "both steps in place",
      "dA2 *= D2\ndA2 /= keep_prob", "dA1 *= D1\ndA1 /= keep_prob"),
    v("dropout_back_where", DROP_BWD, FULL, "np.where on the mask",
      "dA2 = np.where(D2, dA2 / keep_prob, 0)", "dA1 = np.where(D1, dA1 / keep_prob, 0)"),
    v("dropout_back_no_rescale", DROP_BWD, ZERO, "masks only",
      "dA2 = dA2 * D2", "dA1 = dA1 * D1", says="keep_prob"),
    v("dropout_back_swapped", DROP_BWD, ZERO, "each layer masked with the other layer's mask",
      "dA2 = dA2 * D1 / keep_prob", "dA1 = dA1 * D2 / keep_prob", says="own mask"),
    v("dropout_back_times_keep_prob", DROP_BWD, ZERO, "multiplied by keep_prob instead of divided",
      "dA2 = dA2 * D2 * keep_prob", "dA1 = dA1 * D1 * keep_prob", says="do not multiply"),
]

# ---------------------------------------------------------------------------------------
FORWARD = "forward_propagation"
BACKWARD = "backward_propagation"
CHECK = "gradient_check"
CHECK_N = "gradient_check_n"

_CENTRED = """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (2 * epsilon)"""
_NORMS = """numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator"""
_LOOP = """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(parameters_values)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)"""

GRADIENT_CHECKING = [
    v("forward_dot", FORWARD, FULL, "np.dot(theta, x)", "J = np.dot(theta, x)"),
    v("forward_product", FORWARD, FULL, "theta * x", "J = theta * x"),
    v("forward_product_swapped", FORWARD, FULL, "x * theta", "J = x * theta"),
    v("forward_multiply", FORWARD, FULL, "np.multiply", "J = np.multiply(theta, x)"),
    v("forward_one_element_array", FORWARD, FULL, "returns a one-element array",
      "J = np.array([theta * x])"),
    v("forward_sum", FORWARD, ZERO, "theta + x", "J = theta + x", says="product"),
    v("forward_power", FORWARD, ZERO, "theta ** x", "J = theta ** x", says="J is"),

    v("backward_x", BACKWARD, FULL, "dtheta = x", "dtheta = x"),
    v("backward_zero_d_array", BACKWARD, FULL, "a 0-d array from np.copy", "dtheta = np.copy(x)"),
    v("backward_calls_forward", BACKWARD, FULL, "J evaluated at theta = 1, by the graded forward_propagation",
      "dtheta = forward_propagation(x, 1)"),
    v("backward_debug_print", BACKWARD, FULL, "a leftover print",
      'dtheta = x\nprint("dtheta =", dtheta)'),
    v("backward_j_over_theta", BACKWARD, PARTIAL, "J / theta: wrong at theta = 0",
      "J = forward_propagation(x, theta)\ndtheta = J / theta",
      says="divides by zero"),  # the catalogued hint, matched by the exception at theta = 0
    v("backward_dot_over_theta", BACKWARD, PARTIAL, "np.dot(theta, x) / theta: NaN at theta = 0",
      "dtheta = np.dot(theta, x) / theta", says="divides by zero"),  # and by the NaN there
    v("backward_theta", BACKWARD, ZERO, "dtheta = theta", "dtheta = theta", says="not theta"),
    v("backward_returns_j", BACKWARD, ZERO, "returns J itself", "dtheta = theta * x",
      says="not J itself"),

    v("check_reference", CHECK, FULL, "forward/backward passes, np.linalg.norm",
      _CENTRED, "grad = backward_propagation(x, theta)", _NORMS),
    v("check_inline_j", CHECK, FULL, "J computed inline as theta_plus * x",
      """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = theta_plus * x
J_minus = theta_minus * x
gradapprox = (J_plus - J_minus) / (2 * epsilon)""",
      "grad = backward_propagation(x, theta)", _NORMS, says="forward_propagation"),
    v("check_inline_dot", CHECK, FULL, "J computed inline with np.dot",
      """thetaplus = theta + epsilon
thetaminus = theta - epsilon
J_plus = np.dot(thetaplus, x)
J_minus = np.dot(thetaminus, x)
gradapprox = (J_plus - J_minus) / (2. * epsilon)""",
      "grad = backward_propagation(x, theta)", _NORMS, says="forward_propagation"),
    v("check_swapped_arguments", CHECK, FULL, "forward_propagation(theta_plus, x): arguments swapped",
      """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(theta_plus, x)
J_minus = forward_propagation(theta_minus, x)
gradapprox = (J_plus - J_minus) / (2 * epsilon)""",
      "grad = backward_propagation(x, theta)", _NORMS),
    v("check_abs", CHECK, FULL, "abs instead of np.linalg.norm", _CENTRED,
      "grad = backward_propagation(x, theta)",
      "difference = abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))"),
    v("check_step_taken", CHECK, FULL, "divides by theta_plus - theta_minus",
      """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (theta_plus - theta_minus)""",
      "grad = backward_propagation(x, theta)", _NORMS),
    v("check_sqrt_of_squares", CHECK, FULL, "norms written as np.sqrt of squares, one expression",
      _CENTRED, "grad = backward_propagation(x, theta)",
      "difference = np.sqrt((grad - gradapprox) ** 2) / (np.sqrt(grad ** 2) + np.sqrt(gradapprox ** 2))"),
    v("check_grad_is_x", CHECK, PARTIAL, "grad = x: backward_propagation never called", _CENTRED,
      "grad = x", _NORMS, says="backward_propagation(x, theta)"),
    v("check_backward_at_gradapprox", CHECK, PARTIAL, "backward_propagation(x, gradapprox)", _CENTRED,
      "grad = backward_propagation(x, gradapprox)", _NORMS, says="backward_propagation(x, theta)"),
    v("check_grad_equals_gradapprox", CHECK, ZERO, "grad = gradapprox", _CENTRED,
      "grad = gradapprox", _NORMS, says="itself"),
    v("check_made_up_tiny", CHECK, ZERO, "a tiny number made up from theta, nothing compared",
      "pass", "pass", "difference = 1e-9 * (1 + abs(theta))", says="stays tiny"),
    v("check_published_plus_constant", CHECK, ZERO, "the published value plus a tiny amount",
      "pass", "pass", "difference = 7.814075313343006e-11 + 1e-12 * abs(x)", says="stays tiny"),
    v("check_no_denominator", CHECK, PARTIAL, "norm of the difference only", _CENTRED,
      "grad = backward_propagation(x, theta)", "difference = np.linalg.norm(grad - gradapprox)",
      says="Divide the norm"),
    v("check_norm_of_sum", CHECK, PARTIAL, "denominator norm(grad + gradapprox)", _CENTRED,
      "grad = backward_propagation(x, theta)",
      "numerator = np.linalg.norm(grad - gradapprox)\ndenominator = np.linalg.norm(grad + gradapprox)\n"
      "difference = numerator / denominator", says="norm(grad) + norm(gradapprox)"),
    v("check_np_float_alias", CHECK, ZERO, "np.float(...) around the result", _CENTRED,
      "grad = backward_propagation(x, theta)",
      "numerator = np.linalg.norm(grad - gradapprox)\n"
      "denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
      "difference = np.float(numerator / denominator)", says=numpy2("AttributeError")),

    v("check_n_reference", CHECK_N, FULL, "np.copy, [i] indexing", _LOOP, _NORMS),
    v("check_n_2017_indexing", CHECK_N, FULL, "the 2017 [i][0] indexing and names",
      """thetaplus = np.copy(parameters_values)
thetaplus[i][0] = thetaplus[i][0] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
thetaminus = np.copy(parameters_values)
thetaminus[i][0] = thetaminus[i][0] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2. * epsilon)""", _NORMS),
    v("check_n_inplace", CHECK_N, FULL, "+= on a .copy(), first output taken by [0]",
      """theta_plus = parameters_values.copy()
theta_plus[i] += epsilon
J_plus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))[0]
theta_minus = parameters_values.copy()
theta_minus[i] -= epsilon
J_minus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))[0]
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS),
    v("check_n_keepdims", CHECK_N, FULL, "norms with keepdims=True: a (1, 1) array returned", _LOOP,
      """numerator = np.linalg.norm(grad - gradapprox, keepdims=True)
denominator = np.linalg.norm(grad, keepdims=True) + np.linalg.norm(gradapprox, keepdims=True)
difference = numerator / denominator"""),
    v("check_n_step_taken", CHECK_N, FULL, "divides by the step actually taken",
      """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(parameters_values)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (theta_plus[i] - theta_minus[i])""", _NORMS),
    v("check_n_sqrt_sum", CHECK_N, FULL, "norms as np.sqrt(np.sum(... ** 2))", _LOOP,
      """numerator = np.sqrt(np.sum((grad - gradapprox) ** 2))
denominator = np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))
difference = numerator / denominator"""),
    v("check_n_minus_from_plus_twice", CHECK_N, FULL, "theta_minus copied from theta_plus, 2 epsilon back",
      """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(theta_plus)
theta_minus[i] = theta_minus[i] - 2 * epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS),
    v("check_n_not_copied", CHECK_N, ZERO, "theta_plus and theta_minus are the same array",
      """theta_plus = parameters_values
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = parameters_values
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS, says="np.copy"),
    v("check_n_minus_from_plus", CHECK_N, ZERO, "copies, but theta_minus = copy of the shifted theta_plus",
      """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(theta_plus)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS, says="not of theta_plus"),
    v("check_n_one_sided", CHECK_N, ZERO, "one-sided difference",
      """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(parameters_values))
gradapprox[i] = (J_plus[i] - J_minus[i]) / epsilon""", _NORMS, says="centred"),
    v("check_n_grad_equals_gradapprox", CHECK_N, ZERO, "grad = gradapprox after the loop", _LOOP,
      "grad = gradapprox\n" + _NORMS, says="itself"),
    v("check_n_made_up_tiny", CHECK_N, ZERO, "a tiny number from the parameter count",
      "pass", "difference = 1e-9 * num_parameters", says=("stays tiny", "did not notice")),
    v("check_n_element_assignment", CHECK_N, ZERO,
      "gradapprox[i][0] = a one-element array: worked on numpy 1.x",
      """thetaplus = np.copy(parameters_values)
thetaplus[i][0] = thetaplus[i][0] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
thetaminus = np.copy(parameters_values)
thetaminus[i][0] = thetaminus[i][0] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
gradapprox[i][0] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS, says=numpy2("ValueError")),
    v("check_n_shift_with_array", CHECK_N, ZERO,
      "thetaplus[i][0] = thetaplus[i] + epsilon: a one-element array into one element",
      """thetaplus = np.copy(parameters_values)
thetaplus[i][0] = thetaplus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
thetaminus = np.copy(parameters_values)
thetaminus[i][0] = thetaminus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)""", _NORMS, says=numpy2("ValueError")),
]

VARIATIONS = INITIALIZATION + REGULARIZATION + GRADIENT_CHECKING
BY_NAME = {variation.name: variation for variation in VARIATIONS}
assert len(BY_NAME) == len(VARIATIONS), "variation names must be unique"

#: The answer every function gets where a notebook holds no variation of it.
FILLERS = {name: next(x for x in VARIATIONS if x.function == name) for name in ASSIGNMENT_OF}
