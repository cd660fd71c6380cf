# ruff: noqa: E501  (student code is kept as students write it: long lines included)
"""Half-right answers: each right on some inputs and wrong on others.

Hidden inputs differ per student; these answers are where that could make the same code score
differently for different students (a mistake that shows only for negative ``x``, only for a
deeper network, only for a non-square layer...). :mod:`tests.fairness.test_same_score` grades
each as many students and asserts one score per function. The verdict is what a careful
instructor gives (as in :mod:`tests.fairness.variations`): these are wrong, so never full.
"""

from tests.fairness.variations import PARTIAL, ZERO, v

ZEROS = "initialize_parameters_zeros"
RANDOM = "initialize_parameters_random"
HE = "initialize_parameters_he"
COST = "compute_cost_with_regularization"
BACKWARD_L2 = "backward_propagation_with_regularization"
FORWARD_DROPOUT = "forward_propagation_with_dropout"
BACKWARD_DROPOUT = "backward_propagation_with_dropout"
FORWARD = "forward_propagation"
BACKWARD = "backward_propagation"
CHECK = "gradient_check"
CHECK_N = "gradient_check_n"

# Initialization ---------------------------------------------------------------------------
# Hidden case 1 is a deeper network (no square layer, a layer wider than its neighbours, one
# output unit), hidden case 2 a two-layer network of other sizes with several output units; the
# property checks use one fixed wide network of three weight layers.
INITIALIZATION = [
    v("zeros_two_layers_only", ZEROS, PARTIAL, "builds W1, b1, W2, b2 whatever the depth",
      """if l <= 2:
    parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))
    parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("zeros_transposed_w", ZEROS, ZERO, "W of shape (n_{l-1}, n_l): right only for square layers",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l-1], layers_dims[l]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("zeros_bias_previous_layer", ZEROS, ZERO, "b sized by the previous layer: right only where n_{l-1} = n_l",
      """parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((layers_dims[l-1], 1))"""),
    v("zeros_single_output_unit", ZEROS, PARTIAL, "the last layer given one unit, as for a binary classifier",
      """n = 1 if l == len(layers_dims) - 1 else layers_dims[l]
parameters['W' + str(l)] = np.zeros((n, layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((n, 1))"""),

    v("random_two_layers_only", RANDOM, PARTIAL, "draws W1 and W2 only, whatever the depth",
      """if l <= 2:
    parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10
    parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("random_transposed_draws", RANDOM, PARTIAL, "draws (n_{l-1}, n_l) and transposes: the right spread, "
      "other weights wherever both sizes exceed 1",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l-1], layers_dims[l]).T * 10
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("random_single_output_unit", RANDOM, PARTIAL, "the last layer given one unit",
      """n = 1 if l == len(layers_dims) - 1 else layers_dims[l]
parameters['W' + str(l)] = np.random.randn(n, layers_dims[l-1]) * 10
parameters['b' + str(l)] = np.zeros((n, 1))"""),

    v("he_two_layers_only", HE, PARTIAL, "W1 and W2 only, whatever the depth",
      """if l <= 2:
    parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l-1])
    parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_input_size", HE, ZERO, "every layer scaled by the input's size: right where n_{l-1} = n_0",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[0])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_integer_division", HE, ZERO, "2 // n_prev: right only where n_prev is 1 or 2",
      """parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 // layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"""),
    v("he_single_output_unit", HE, PARTIAL, "the last layer given one unit",
      """n = 1 if l == len(layers_dims) - 1 else layers_dims[l]
parameters['W' + str(l)] = np.random.randn(n, layers_dims[l-1]) * np.sqrt(2 / layers_dims[l-1])
parameters['b' + str(l)] = np.zeros((n, 1))"""),
]

# Regularization ---------------------------------------------------------------------------
# Hidden networks have three different layer sizes, m from 6..12 unlike any of them (never 1 nor
# the notebook's 5) and biases that are not zero; lambd below 1 in hidden case 1 and above it in
# hidden case 2; keep_prob low in hidden case 1 and high in hidden case 2, drawn so that the
# masks tell the usual mistakes apart; the dropout property check uses keep_prob 0.2 to 0.3.
_L2_SUM = "(np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))"

REGULARIZATION = [
    v("cost_hard_coded_m", COST, ZERO, "1/5, the notebook's m: right for five examples only",
      f"L2_regularization_cost = (1 / 5) * (lambd / 2) * {_L2_SUM}"),
    v("cost_squares_biases_too", COST, ZERO, "every parameter squared: right only while the biases are zero",
      "L2_regularization_cost = lambd / (2 * m) * sum(np.sum(np.square(p)) for p in parameters.values())"),
    v("cost_precedence", COST, ZERO, "lambd / 2 * m: right for a single example only",
      f"L2_regularization_cost = lambd / 2 * m * {_L2_SUM}"),
    v("cost_spectral_norm", COST, ZERO, "np.linalg.norm(W, 2): the largest singular value, right for one-row W3 only",
      "L2_regularization_cost = lambd / (2 * m) * (np.linalg.norm(W1, 2) ** 2 + np.linalg.norm(W2, 2) ** 2 + np.linalg.norm(W3, 2) ** 2)"),

    v("l2_hard_coded_m", BACKWARD_L2, ZERO, "lambd / 5: the notebook's m",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + (lambd / 5) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + (lambd / 5) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + (lambd / 5) * W1"),
    v("l2_hard_coded_lambd", BACKWARD_L2, ZERO, "0.7, the notebook's lambd",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + (0.7 / m) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + (0.7 / m) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + (0.7 / m) * W1"),
    v("l2_divides_by_features", BACKWARD_L2, ZERO, "lambd / X.shape[0]: right only where n_0 = m",
      "dW3 = 1./m * np.dot(dZ3, A2.T) + (lambd / X.shape[0]) * W3",
      "dW2 = 1./m * np.dot(dZ2, A1.T) + (lambd / X.shape[0]) * W2",
      "dW1 = 1./m * np.dot(dZ1, X.T) + (lambd / X.shape[0]) * W1"),

    v("dropout_first_layer_only", FORWARD_DROPOUT, ZERO, "the second layer keeps every unit",
      """D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = (D1 < keep_prob).astype(int)
A1 = A1 * D1
A1 = A1 / keep_prob""",
      "D2 = np.ones((A2.shape[0], A2.shape[1]))"),
    v("dropout_hard_coded_keep_prob", FORWARD_DROPOUT, ZERO, "0.7, the notebook's keep_prob, in both steps",
      """D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < 0.7).astype(int)
A1 = A1 * D1 / 0.7""",
      """D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < 0.7).astype(int)
A2 = A2 * D2 / 0.7"""),
    v("dropout_threshold_one_half", FORWARD_DROPOUT, ZERO, "masks compared with 0.5 (the default), rescaled by keep_prob",
      """D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < 0.5).astype(int)
A1 = A1 * D1 / keep_prob""",
      """D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < 0.5).astype(int)
A2 = A2 * D2 / keep_prob"""),
    v("dropout_mask_per_unit", FORWARD_DROPOUT, ZERO, "one mask column shared by all examples: right for m = 1",
      """D1 = (np.random.rand(A1.shape[0], 1) < keep_prob).astype(int)
A1 = A1 * D1 / keep_prob""",
      """D2 = (np.random.rand(A2.shape[0], 1) < keep_prob).astype(int)
A2 = A2 * D2 / keep_prob"""),
    v("dropout_generator_api", FORWARD_DROPOUT, PARTIAL, "numpy's Generator seeded with 1: masks of the right "
      "share, not the exercise's draws",
      """rng = np.random.default_rng(1)
D1 = (rng.random(A1.shape) < keep_prob).astype(int)
A1 = A1 * D1 / keep_prob""",
      """D2 = (rng.random(A2.shape) < keep_prob).astype(int)
A2 = A2 * D2 / keep_prob"""),

    v("dropout_back_activation_mask", BACKWARD_DROPOUT, ZERO, "masked with A > 0 instead of D: right where every "
      "kept unit is active",
      "dA2 = dA2 * (A2 > 0) / keep_prob", "dA1 = dA1 * (A1 > 0) / keep_prob"),
    v("dropout_back_first_layer_unmasked", BACKWARD_DROPOUT, ZERO, "dA1 rescaled but not masked",
      "dA2 = dA2 * D2 / keep_prob", "dA1 = dA1 / keep_prob"),
    v("dropout_back_hard_coded_keep_prob", BACKWARD_DROPOUT, ZERO, "0.8, the notebook's keep_prob",
      "dA2 = dA2 * D2 / 0.8", "dA1 = dA1 * D1 / 0.8"),
]

# Gradient checking ------------------------------------------------------------------------
_LOOP = """theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(parameters_values)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)"""
_NORMS = """numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator"""
_CENTRED = """theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (2 * epsilon)"""
_BACKWARD = "grad = backward_propagation(x, theta)"

GRADIENT_CHECKING = [
    v("forward_abs_x", FORWARD, PARTIAL, "theta * |x|: right for x >= 0 only",
      "J = theta * abs(x)"),
    v("forward_abs_theta", FORWARD, ZERO, "|theta| * x: right for theta >= 0 only",
      "J = abs(theta) * x"),
    v("forward_abs_product", FORWARD, ZERO, "|theta * x|: right where theta and x share a sign",
      "J = np.abs(theta * x)"),
    v("forward_relu_product", FORWARD, ZERO, "max(theta * x, 0): right where the product is >= 0",
      "J = np.maximum(theta * x, 0)"),

    v("backward_abs_x", BACKWARD, ZERO, "|x|: right for x >= 0 only",
      "dtheta = abs(x)"),
    v("backward_max_zero", BACKWARD, ZERO, "max(x, 0): right for x >= 0 only",
      "dtheta = max(x, 0)"),
    v("backward_positive_theta_only", BACKWARD, ZERO, "x where theta > 0, else 0 (a ReLU's derivative)",
      "dtheta = x * (theta > 0)"),

    v("check_one_sided", CHECK, ZERO, "one-sided difference through forward_propagation: exact for J = theta * x only",
      """theta_plus = theta + epsilon
J_plus = forward_propagation(x, theta_plus)
J = forward_propagation(x, theta)
gradapprox = (J_plus - J) / epsilon""", _BACKWARD, _NORMS),
    v("check_one_sided_inline", CHECK, ZERO, "one-sided difference of J = theta * x computed inline",
      """thetaplus = theta + epsilon
J_plus = thetaplus * x
J = theta * x
gradapprox = (J_plus - J) / epsilon""", _BACKWARD, _NORMS),
    v("check_derivative_written_down", CHECK, ZERO, "gradapprox = x: no J evaluated, no epsilon",
      "gradapprox = x", _BACKWARD, _NORMS),
    v("check_over_grad_only", CHECK, PARTIAL, "divides by |grad| only: right when the gradient is",
      _CENTRED, _BACKWARD, "difference = abs(grad - gradapprox) / abs(grad)"),
    v("check_numerator_without_norm", CHECK, PARTIAL, "grad - gradapprox without its norm: right while grad >= gradapprox",
      _CENTRED, _BACKWARD, "difference = (grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))"),
    v("check_published_table", CHECK, ZERO, "the published differences from a table, 1e-12 elsewhere",
      "pass", "pass",
      "difference = {(2, 4): 2.919335883291695e-10, (3, 4): 7.814075313343006e-11}.get((x, theta), 1e-12)"),

    v("check_n_last_parameter_only", CHECK_N, ZERO, "compares only the last parameter (i after the loop)",
      _LOOP, """numerator = np.linalg.norm(grad[i] - gradapprox[i])
denominator = np.linalg.norm(grad[i]) + np.linalg.norm(gradapprox[i])
difference = numerator / denominator"""),
    v("check_n_epsilon_typed_in", CHECK_N, PARTIAL, "shifts by 1e-7 typed in: right for the default epsilon only",
      _LOOP.replace("epsilon", "1e-7"), _NORMS),
    v("check_n_published_table", CHECK_N, ZERO, "the two published differences from a table, 1e-12 elsewhere",
      "pass", """key = round(float(np.sum(grad)), 6)
difference = {5.235205: 0.2850931567761623, 1.410242: 1.1890913024229996e-07}.get(key, 1e-12)"""),
]

HALF_RIGHT = INITIALIZATION + REGULARIZATION + GRADIENT_CHECKING
