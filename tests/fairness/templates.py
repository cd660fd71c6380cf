# ruff: noqa: E501  (student code is kept as students write it: long lines included)
"""Graded cells as students of the two course generations hand them in, written for these tests.

Each template is a whole graded cell with ``{1}``, ``{2}``, ... where the student's lines go
(the same regions, in the same order, as the kit's release notebook, so one answer fits every
style). The 2017 style frames them with ``### START CODE HERE ###`` / ``### END CODE HERE ###``;
the 2021 style with ``# YOUR CODE STARTS HERE`` / ``# YOUR CODE ENDS HERE`` and adds
``print_msg`` to the two gradient checkers. The docstrings are short paraphrases, not the course's.
"""

import re

TEMPLATES = {
    "initialize_parameters_zeros": '''
def initialize_parameters_zeros(layers_dims):
    """
    layers_dims -- list with the size of each layer
    Returns parameters -- dict of W1, b1, ..., WL, bL, all zeros
    """
    parameters = {}
    L = len(layers_dims)            # number of layers in the network

    for l in range(1, L):
        <<2 lines>>
        {1}
        <<end>>
    return parameters
''',
    "initialize_parameters_random": '''
def initialize_parameters_random(layers_dims):
    """
    layers_dims -- list with the size of each layer
    Returns parameters -- dict of W1, b1, ..., WL, bL (large random weights)
    """
    np.random.seed(3)               # so that the random numbers match the expected ones
    parameters = {}
    L = len(layers_dims)            # integer representing the number of layers

    for l in range(1, L):
        <<2 lines>>
        {1}
        <<end>>
    return parameters
''',
    "initialize_parameters_he": '''
def initialize_parameters_he(layers_dims):
    """
    layers_dims -- list with the size of each layer
    Returns parameters -- dict of W1, b1, ..., WL, bL (He initialization)
    """
    np.random.seed(3)
    parameters = {}
    L = len(layers_dims) - 1 # integer representing the number of layers

    for l in range(1, L + 1):
        <<2 lines>>
        {1}
        <<end>>
    return parameters
''',
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """
    Cost with L2 regularization.
    A3 -- post-activation, output of forward propagation, shape (1, m)
    Y -- labels, shape (1, m)
    parameters -- dict with the model's parameters
    Returns cost -- value of the regularized loss
    """
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]

    cross_entropy_cost = compute_cost(A3, Y) # This gives you the cross-entropy part of the cost

    <<1 line>>
    {1}
    <<end>>

    cost = cross_entropy_cost + L2_regularization_cost

    return cost
''',
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    """
    Backward propagation of the baseline model with L2 regularization.
    Returns gradients -- dict with the gradients of every parameter and activation
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y

    <<1 line>>
    {1}
    <<end>>
    db3 = 1./m * np.sum(dZ3, axis=1, keepdims = True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    <<1 line>>
    {2}
    <<end>>
    db2 = 1./m * np.sum(dZ2, axis=1, keepdims = True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    <<1 line>>
    {3}
    <<end>>
    db1 = 1./m * np.sum(dZ1, axis=1, keepdims = True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,"dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients
''',
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob = 0.5):
    """
    LINEAR -> RELU + DROPOUT -> LINEAR -> RELU + DROPOUT -> LINEAR -> SIGMOID.
    Returns A3 -- output of the forward pass, shape (1, m); cache -- tuple for the backward pass
    """
    np.random.seed(1)

    # retrieve parameters
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    # LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    <<4 lines>>         # Steps 1-4 below correspond to the Steps 1-4 described above.
    {1}
    <<end>>
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    <<4 lines>>
    {2}
    <<end>>
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)

    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)

    return A3, cache
''',
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """
    Backward propagation of the baseline model with dropout.
    Returns gradients -- dict with the gradients of every parameter and activation
    """
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1./m * np.dot(dZ3, A2.T)
    db3 = 1./m * np.sum(dZ3, axis=1, keepdims = True)
    dA2 = np.dot(W3.T, dZ3)
    <<2 lines>>          # Step 1: shut down the same neurons, Step 2: scale
    {1}
    <<end>>
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1./m * np.dot(dZ2, A1.T)
    db2 = 1./m * np.sum(dZ2, axis=1, keepdims = True)

    dA1 = np.dot(W2.T, dZ2)
    <<2 lines>>
    {2}
    <<end>>
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1./m * np.dot(dZ1, X.T)
    db1 = 1./m * np.sum(dZ1, axis=1, keepdims = True)

    gradients = {"dZ3": dZ3, "dW3": dW3, "db3": db3,"dA2": dA2,
                 "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
                 "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return gradients
''',
    "forward_propagation": '''
def forward_propagation(x, theta):
    """
    Linear forward propagation J(theta) = theta * x
    Returns J -- the value of J
    """
    <<1 line>>
    {1}
    <<end>>

    return J
''',
    "backward_propagation": '''
def backward_propagation(x, theta):
    """
    Derivative of J with respect to theta.
    Returns dtheta -- the gradient
    """
    <<1 line>>
    {1}
    <<end>>

    return dtheta
''',
    "gradient_check": '''
def gradient_check(x, theta, epsilon = 1e-7{print_msg}):
    """
    Gradient checking of backward_propagation against forward_propagation.
    Returns difference -- relative difference between the approximated and the backward gradient
    """
    # Compute gradapprox using the left side of formula (1). epsilon is small enough.
    <<5 lines>>
    {1}
    <<end>>

    # Check if gradapprox is close enough to the output of backward_propagation()
    <<1 line>>
    {2}
    <<end>>
    <<3 lines>>
    {3}
    <<end>>
{message}
    return difference
''',
    "gradient_check_n": '''
def gradient_check_n(parameters, gradients, X, Y, epsilon = 1e-7{print_msg}):
    """
    Checks backward_propagation_n against the cost of forward_propagation_n.
    Returns difference -- relative difference between the approximated and the backward gradient
    """
    # Set-up variables
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))

    # Compute gradapprox
    for i in range(num_parameters):
        <<7 lines>>
        {1}
        <<end>>

    # Compare gradapprox to backward propagation gradients by computing difference.
    <<3 lines>>
    {2}
    <<end>>
{message}
    return difference
''',
}

MESSAGES = {
    "2017": '''
    if difference < 1e-7:
        print("The gradient is correct!")
    else:
        print("The gradient is wrong!")
''',
    "2021": '''
    if print_msg:
        if difference > 2e-7:
            print("\\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\\033[0m")
        else:
            print("\\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\\033[0m")
''',
}

_REGION = re.compile(r"^([ \t]*)\{(\d)\}[ \t]*$", re.MULTILINE)
_OPEN = re.compile(r"<<(\d) lines?>>")


def render(function, style, snippets):
    """The graded cell of ``function`` in ``style`` ("2017" or "2021") with ``snippets`` filled in."""
    text = TEMPLATES[function].strip("\n") + "\n"
    if style == "2017":
        text = _OPEN.sub(lambda m: f"### START CODE HERE ### (≈ {m.group(1)} line"
                                   f"{'s' if m.group(1) != '1' else ''} of code)", text)
        text = text.replace("<<end>>", "### END CODE HERE ###")
        text = text.replace("{print_msg}", "").replace("{message}", MESSAGES["2017"].strip("\n"))
    else:
        text = _OPEN.sub(lambda m: f"#(≈ {m.group(1)} line{'s' if m.group(1) != '1' else ''})\n"
                                   "    # YOUR CODE STARTS HERE", text)
        text = re.sub(r"^([ \t]*)(#\(≈[^\n]*)\n    # YOUR CODE STARTS HERE",
                      lambda m: f"{m.group(1)}{m.group(2)}\n{m.group(1)}# YOUR CODE STARTS HERE",
                      text, flags=re.MULTILINE)
        text = text.replace("<<end>>", "# YOUR CODE ENDS HERE")
        text = text.replace("{print_msg}", ", print_msg=False")
        text = text.replace("{message}", MESSAGES["2021"].strip("\n"))
    snippets = list(snippets)

    def fill(match):
        indent, number = match.group(1), int(match.group(2))
        lines = _dedent(snippets[number - 1]).splitlines()
        return "\n".join(indent + line if line.strip() else "" for line in lines)

    return f"# GRADED FUNCTION: {function}\n\n" + _REGION.sub(fill, text)


def _dedent(text):
    import textwrap

    return textwrap.dedent(text).strip("\n")
