"""The sample class: who the students are and what they wrote.

Each answer fills the ``# YOUR CODE HERE`` regions of a graded cell of the
release notebook, in order (one snippet per region). ``"reference"`` copies
the instructor's solution regions. A function left out keeps its stub. The
expected per-function scores live in ``expected_scores.json``, written down
from what each answer does, not from a run of the grader.
"""

REFERENCE = "reference"

STUDENTS = {
    "ada": {
        "about": "the reference solution in every assignment",
        "initialization": REFERENCE,
        "regularization": REFERENCE,
        "gradient_checking": REFERENCE,
    },
    "ben": {
        "about": "correct, written differently from the reference",
        "initialization": {
            "initialize_parameters_zeros": ["""
shape = (layers_dims[l], layers_dims[l - 1])
parameters['W%d' % l] = np.zeros(shape, dtype=float)
parameters['b%d' % l] = np.zeros((shape[0], 1))
"""],
            "initialize_parameters_random": ["""
W = 10.0 * np.random.standard_normal((layers_dims[l], layers_dims[l - 1]))
parameters[f"W{l}"] = W
parameters[f"b{l}"] = np.zeros((W.shape[0], 1))
"""],
            "initialize_parameters_he": ["""
n_prev = layers_dims[l - 1]
parameters[f"W{l}"] = np.random.randn(layers_dims[l], n_prev) / np.sqrt(n_prev / 2.0)
parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
"""],
        },
        "regularization": {
            "compute_cost_with_regularization": ["""
squares = sum(np.linalg.norm(W) ** 2 for W in (W1, W2, W3))
L2_regularization_cost = lambd * squares / (2 * m)
"""],
            "backward_propagation_with_regularization": [
                "dW3 = (np.dot(dZ3, A2.T) + lambd * W3) / m",
                "dW2 = (dZ2 @ A1.T + lambd * W2) / m",
                "dW1 = (dZ1 @ X.T + lambd * W1) / m",
            ],
            "forward_propagation_with_dropout": ["""
D1 = np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob
A1 = np.where(D1, A1, 0) / keep_prob
""", """
D2 = np.random.rand(*A2.shape) < keep_prob
A2 = np.where(D2, A2, 0) / keep_prob
"""],
            "backward_propagation_with_dropout": ["""
dA2 = np.where(D2, dA2, 0) / keep_prob
""", """
dA1 = np.where(D1, dA1, 0) / keep_prob
"""],
        },
        "gradient_checking": {
            "forward_propagation": ["J = x * theta"],
            "backward_propagation": ["dtheta = x"],
            "gradient_check": ["""
J_plus = forward_propagation(x, theta + epsilon)
J_minus = forward_propagation(x, theta - epsilon)
gradapprox = (J_plus - J_minus) / 2 / epsilon
""", "grad = backward_propagation(x, theta)", """
difference = abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))
"""],
            "gradient_check_n": ["""
theta_plus = parameters_values.copy()
theta_plus[i][0] += epsilon
J_plus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))[0]
theta_minus = parameters_values.copy()
theta_minus[i][0] -= epsilon
J_minus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))[0]
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
""", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
        },
    },
    "cleo": {
        "about": "one catalogued mistake per assignment: Xavier scaling for He, the L2 cost "
                 "without 1/m, grad = gradapprox",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_random": REFERENCE,
            "initialize_parameters_he": ["""
parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(1 / layers_dims[l - 1])
parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
"""],
        },
        "regularization": {
            "compute_cost_with_regularization": ["""
L2_regularization_cost = (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
"""],
            "backward_propagation_with_regularization": REFERENCE,
            "forward_propagation_with_dropout": REFERENCE,
            "backward_propagation_with_dropout": REFERENCE,
        },
        "gradient_checking": {
            "forward_propagation": REFERENCE,
            "backward_propagation": REFERENCE,
            "gradient_check": ["""
theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (2 * epsilon)
""", "grad = gradapprox", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
            "gradient_check_n": REFERENCE,
        },
    },
    "dev": {
        "about": "catalogued mistakes: unscaled large-random weights, lambd*W without /m, dropout "
                 "without /keep_prob, theta not copied in gradient_check_n",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_random": ["""
parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1])
parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
"""],
            "initialize_parameters_he": REFERENCE,
        },
        "regularization": {
            "compute_cost_with_regularization": REFERENCE,
            "backward_propagation_with_regularization": [
                "dW3 = 1. / m * np.dot(dZ3, A2.T) + lambd * W3",
                "dW2 = 1. / m * np.dot(dZ2, A1.T) + lambd * W2",
                "dW1 = 1. / m * np.dot(dZ1, X.T) + lambd * W1",
            ],
            "forward_propagation_with_dropout": ["""
D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = (D1 < keep_prob).astype(int)
A1 = A1 * D1
""", """
D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = (D2 < keep_prob).astype(int)
A2 = A2 * D2
"""],
            "backward_propagation_with_dropout": REFERENCE,
        },
        "gradient_checking": {
            "forward_propagation": REFERENCE,
            "backward_propagation": REFERENCE,
            "gradient_check": REFERENCE,
            "gradient_check_n": ["""
theta_plus = parameters_values
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = parameters_values
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
""", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
        },
    },
    "eve": {
        "about": "catalogued mistakes: zeros right, He with the current layer's size, dropout "
                 "backward without /keep_prob, backward_propagation returning theta",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_random": REFERENCE,
            "initialize_parameters_he": ["""
parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2 / layers_dims[l])
parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))
"""],
        },
        "regularization": {
            "compute_cost_with_regularization": REFERENCE,
            "backward_propagation_with_regularization": REFERENCE,
            "forward_propagation_with_dropout": REFERENCE,
            "backward_propagation_with_dropout": ["dA2 = dA2 * D2", "dA1 = dA1 * D1"],
        },
        "gradient_checking": {
            "forward_propagation": REFERENCE,
            "backward_propagation": ["dtheta = theta"],
            "gradient_check": REFERENCE,
            "gradient_check_n": REFERENCE,
        },
    },
    "finn": {
        "about": "unfinished work: stubs left, a syntax error, an exception; the rest correct",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_he": REFERENCE,
        },
        "regularization": {
            "compute_cost_with_regularization": ["""
L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2))
"""],
            "backward_propagation_with_regularization": REFERENCE,
            "forward_propagation_with_dropout": REFERENCE,
        },
        "gradient_checking": {
            "forward_propagation": REFERENCE,
            "backward_propagation": ["dtheta = x_value"],
            "gradient_check": REFERENCE,
            "gradient_check_n": REFERENCE,
        },
    },
    "hana": {
        "about": "correct answers written as students of the original courses write them: J "
                 "computed inline in gradient_check (full marks and a recommendation), a (1, 1) "
                 "array returned by gradient_check_n, backward_propagation through "
                 "forward_propagation, boolean dropout masks, He scaling as a power, the step "
                 "actually taken as the divisor",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_random": ["""
parameters['W' + str(l)] = np.random.normal(0, 10, (layers_dims[l], layers_dims[l-1]))
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
"""],
            "initialize_parameters_he": ["""
parameters[f"W{l}"] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * (2 / layers_dims[l - 1]) ** 0.5
parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
"""],
        },
        "regularization": {
            "compute_cost_with_regularization": ["""
squares = 0
for W in (W1, W2, W3):
    squares += np.sum(W * W)
L2_regularization_cost = squares * lambd / (2 * m)
"""],
            "backward_propagation_with_regularization": [
                "dW3 = 1./m * np.dot(dZ3, A2.T) + np.multiply(lambd / m, W3)",
                "dW2 = 1./m * np.dot(dZ2, A1.T) + np.multiply(lambd / m, W2)",
                "dW1 = 1./m * np.dot(dZ1, X.T) + np.multiply(lambd / m, W1)",
            ],
            "forward_propagation_with_dropout": ["""
D1 = np.random.rand(A1.shape[0], A1.shape[1])
D1 = D1 < keep_prob
A1 = A1 * D1
A1 = A1 / keep_prob
""", """
D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = D2 < keep_prob
A2 = A2 * D2
A2 = A2 / keep_prob
"""],
            "backward_propagation_with_dropout": ["dA2 *= D2\ndA2 /= keep_prob",
                                                  "dA1 *= D1\ndA1 /= keep_prob"],
        },
        "gradient_checking": {
            "forward_propagation": ["J = np.multiply(theta, x)"],
            "backward_propagation": ["dtheta = forward_propagation(x, 1)"],
            "gradient_check": ["""
thetaplus = theta + epsilon
thetaminus = theta - epsilon
J_plus = np.dot(thetaplus, x)
J_minus = np.dot(thetaminus, x)
gradapprox = (J_plus - J_minus) / (thetaplus - thetaminus)
""", "grad = backward_propagation(x, theta)", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
            "gradient_check_n": ["""
thetaplus = np.copy(parameters_values)
thetaplus[i][0] = thetaplus[i][0] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
thetaminus = np.copy(parameters_values)
thetaminus[i][0] = thetaminus[i][0] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (thetaplus[i] - thetaminus[i])
""", """
numerator = np.linalg.norm(grad - gradapprox, keepdims=True)
denominator = np.linalg.norm(grad, keepdims=True) + np.linalg.norm(gradapprox, keepdims=True)
difference = numerator / denominator
"""],
        },
    },
    "ivan": {
        "about": "mistakes that look right on the published cases: grad = x in gradient_check "
                 "(backward_propagation never called), dtheta = J / theta (wrong at theta = 0), "
                 "theta_minus copied from the shifted theta_plus, dropout masks from randn, He "
                 "weights scaled by the variance instead of the standard deviation, W3 left out "
                 "of the L2 cost",
        "initialization": {
            "initialize_parameters_zeros": REFERENCE,
            "initialize_parameters_random": REFERENCE,
            "initialize_parameters_he": ["""
parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l-1]) * 2 / layers_dims[l-1]
parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))
"""],
        },
        "regularization": {
            "compute_cost_with_regularization": [
                "L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)))"],
            "backward_propagation_with_regularization": REFERENCE,
            "forward_propagation_with_dropout": ["""
D1 = (np.random.randn(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
A1 = A1 * D1 / keep_prob
""", """
D2 = (np.random.randn(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
A2 = A2 * D2 / keep_prob
"""],
            "backward_propagation_with_dropout": REFERENCE,
        },
        "gradient_checking": {
            "forward_propagation": REFERENCE,
            "backward_propagation": ["J = forward_propagation(x, theta)\ndtheta = J / theta"],
            "gradient_check": ["""
theta_plus = theta + epsilon
theta_minus = theta - epsilon
J_plus = forward_propagation(x, theta_plus)
J_minus = forward_propagation(x, theta_minus)
gradapprox = (J_plus - J_minus) / (2 * epsilon)
""", "grad = x", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
            "gradient_check_n": ["""
theta_plus = np.copy(parameters_values)
theta_plus[i] = theta_plus[i] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(theta_plus)
theta_minus[i] = theta_minus[i] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
""", """
numerator = np.linalg.norm(grad - gradapprox)
denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
difference = numerator / denominator
"""],
        },
    },
    "gia": {
        "about": "the blank release, submitted unchanged",
        "initialization": {},
        "regularization": {},
        "gradient_checking": {},
    },
}
