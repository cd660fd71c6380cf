"""Hostile cases on the closed vocabulary: code that shapes what the grader writes about a hidden case.

Each case makes its function's output, or its failure, carry what it knows of its inputs
through something the grader used to print about a failed check: a dict key, a dtype named
with its key, an empty array's shape, the expected shape of an honest transposed ``W``, the
built-in exception class, the size of an error, the index and size of the largest error, a
NaN's index, which argument was changed, which key is missing, the returned value's type, the
share of units a dropout mask keeps, and a property check's standard deviation that carries
what an earlier hidden case of the same job received. On a published case the grader still
says it all (the student's own business: the notebook's inputs); on any other check it says an
entry of :mod:`autograder.grading.vocabulary` and nothing else (``tests/hostile/test_hostile_vocabulary.py``).

:data:`PUBLISHED_SAYS` is a phrase of each case's published-case line: the specific message
that still reaches the student there.
"""

import functools
import json

from autograder.grading.reference import NOTEBOOKS, ROOT
from tests.hostile.corpus import Case, Cell
from tests.sample_class.build import _reference_regions, fill, graded_cells

GROUP = "closed vocabulary"
GC = {"forward_propagation": 10, "backward_propagation": 10, "gradient_check": 10, "gradient_check_n": 20}
INIT = {"initialize_parameters_zeros": 10, "initialize_parameters_random": 10, "initialize_parameters_he": 10}
REG = {"compute_cost_with_regularization": 10, "backward_propagation_with_regularization": 10,
       "forward_propagation_with_dropout": 20, "backward_propagation_with_dropout": 10}
FULL = {"gradient_checking": GC, "initialization": INIT, "regularization": REG}


@functools.cache
def right(assignment, name):
    """The instructor's solution of ``name`` as a function ``_right`` (its cell without the header)."""
    data = json.loads((ROOT / "release" / assignment / NOTEBOOKS[assignment]).read_text())
    text = next(text for found, _, text in graded_cells(data) if found == name)
    body = fill(text, _reference_regions(assignment)[name]).split("\n", 1)[1]
    return body.replace(f"def {name}(", "def _right(", 1)


def wrapped(assignment, name, signature, body, prelude=""):
    """A graded cell whose ``name`` calls the solution (``_right``) and then runs ``body``."""
    return Cell(f"{right(assignment, name)}\n{prelude}\ndef {name}{signature}:\n{body}\n")


def case(name, tries, assignment, function, answer, score=0, status="failed", says=""):
    """``function`` of ``assignment`` answered by ``answer`` (a :class:`Cell` or snippets): it
    scores ``score``, every other function full marks."""
    return Case(name, GROUP, tries, assignment, {**FULL[assignment], function: score},
                answers={function: answer}, status={function: status},
                says={function: says} if says else {})


DIMS_KEY = "'dims_' + '_'.join(str(n) for n in layers_dims)"
#: The empty array's shape: 0, then 10**8 plus a millionth-precise X[0, 0] and lambd.
SHAPED = ("    gradients = _right(X, Y, cache, lambd)\n"
          "    gradients['dZ3'] = np.empty((0, 10**8 + int(round(X[0, 0] * 1e6)),\n"
          "                                 10**8 + int(round(lambd * 1e6))))\n"
          "    return gradients")
#: Remembers each layers_dims; on the property check's wide network, scales W1 by a factor whose
#: digits are the first two sizes of the last network seen (a standard deviation of 3 digits).
STASH = "_seen = []"
STASHED = ("    parameters = _right(layers_dims)\n"
           "    if list(layers_dims) == [80, 40, 80, 1] and _seen:\n"
           "        n0, n1 = _seen[-1][:2]\n"
           "        parameters['W1'] = parameters['W1'] * (2 + (10 * n0 + n1) / 100)\n"
           "    else:\n"
           "        _seen.append(list(layers_dims))\n"
           "    return parameters")
KEEP_SHARE = ["D1 = np.random.rand(A1.shape[0], A1.shape[1])\nD1 = (D1 < keep_prob / 3).astype(int)\n"
              "A1 = A1 * D1\nA1 = A1 / keep_prob\n",
              "D2 = np.random.rand(A2.shape[0], A2.shape[1])\nD2 = (D2 < keep_prob / 3).astype(int)\n"
              "A2 = A2 * D2\nA2 = A2 / keep_prob\n"]

CASES = [
    case("vocab_extra_key_spells_inputs", "initialize_parameters_he returns the right dict plus a key "
         "spelling layers_dims (dims_5_6_4_1)", "initialization", "initialize_parameters_he",
         wrapped("initialization", "initialize_parameters_he", "(layers_dims)",
                 f"    parameters = _right(layers_dims)\n    parameters[{DIMS_KEY}] = np.zeros((1, 1))\n"
                 "    return parameters"), says="has a key it should not have"),
    case("vocab_dtype_names_a_key", "initialize_parameters_zeros adds an integer array under a key "
         "spelling layers_dims, for the dtype check to name", "initialization",
         "initialize_parameters_zeros",
         wrapped("initialization", "initialize_parameters_zeros", "(layers_dims)",
                 f"    parameters = _right(layers_dims)\n"
                 f"    parameters[{DIMS_KEY}] = np.zeros((1, 1), dtype=np.int64)\n    return parameters")),
    case("vocab_empty_array_shape", "backward_propagation_with_regularization returns dZ3 as an empty "
         "array whose shape carries X[0, 0] and lambd to six digits", "regularization",
         "backward_propagation_with_regularization",
         wrapped("regularization", "backward_propagation_with_regularization", "(X, Y, cache, lambd)",
                 SHAPED), score=2.5, status="partial", says="wrong shape"),
    case("vocab_transposed_weights", "an honest mistake: initialize_parameters_he returns W1 "
         "transposed (the expected shape would be the hidden layer sizes)", "initialization",
         "initialize_parameters_he",
         wrapped("initialization", "initialize_parameters_he", "(layers_dims)",
                 "    parameters = _right(layers_dims)\n    parameters['W1'] = parameters['W1'].T\n"
                 "    return parameters")),
    case("vocab_exception_class_by_input", "forward_propagation raises one of eight built-in "
         "exception classes, chosen by the first digit of abs(x)", "gradient_checking",
         "forward_propagation",
         Cell("def forward_propagation(x, theta):\n"
              "    kinds = [ValueError, KeyError, OverflowError, ZeroDivisionError, IndexError,\n"
              "             TypeError, LookupError, ArithmeticError]\n"
              "    raise kinds[int(abs(x) * 10) % 8]('x')\n"), status="error", says="raised an exception"),
    case("vocab_error_size_encodes_input", "compute_cost_with_regularization is off by lambd * 1e-3 "
         "relative (the error's size would say lambd's first digit)", "regularization",
         "compute_cost_with_regularization",
         wrapped("regularization", "compute_cost_with_regularization", "(A3, Y, parameters, lambd)",
                 "    return _right(A3, Y, parameters, lambd) * (1 + lambd * 1e-3)")),
    case("vocab_wrong_by_index", "backward_propagation_with_dropout is right but for one entry of dW2, "
         "its index chosen by X[0, 0] and its error 10**(10 keep_prob)", "regularization",
         "backward_propagation_with_dropout",
         wrapped("regularization", "backward_propagation_with_dropout", "(X, Y, cache, keep_prob)",
                 "    gradients = _right(X, Y, cache, keep_prob)\n"
                 "    dW2 = gradients['dW2'].copy()\n"
                 "    i = int(abs(X[0, 0]) * 100) % dW2.shape[0]\n"
                 "    j = int(abs(X[0, 0]) * 1000) % dW2.shape[1]\n"
                 "    dW2[i, j] += 10.0 ** int(keep_prob * 10)\n"
                 "    gradients['dW2'] = dW2\n"
                 "    return gradients"), score=2.5, status="partial"),
    case("vocab_keep_share_encodes_keep_prob", "forward_propagation_with_dropout keeps keep_prob / 3 of "
         "the units (the share kept would say keep_prob)", "regularization",
         "forward_propagation_with_dropout", KEEP_SHARE),
    case("vocab_property_check_carries_a_stash", "initialize_parameters_he is right, but on the property "
         "check's wide network scales W1 by a factor made of the sizes an earlier hidden case of the same "
         "job received", "initialization", "initialize_parameters_he",
         wrapped("initialization", "initialize_parameters_he", "(layers_dims)", STASHED, prelude=STASH),
         score=7.5, status="partial", says="standard deviation"),
    case("vocab_nan_at_chosen_index", "initialize_parameters_random puts a NaN in W1 at the index "
         "[n_1 - 1, n_0 - 1]", "initialization", "initialize_parameters_random",
         wrapped("initialization", "initialize_parameters_random", "(layers_dims)",
                 "    parameters = _right(layers_dims)\n"
                 "    W1 = parameters['W1'].copy()\n"
                 "    W1[layers_dims[1] - 1, layers_dims[0] - 1] = np.nan\n"
                 "    parameters['W1'] = W1\n"
                 "    return parameters"), says="NaN or infinity"),
    case("vocab_changed_argument_by_input", "backward_propagation_with_regularization is right but "
         "changes X or the cache in place, which one chosen by the sign of X[0, 0]", "regularization",
         "backward_propagation_with_regularization",
         wrapped("regularization", "backward_propagation_with_regularization", "(X, Y, cache, lambd)",
                 "    gradients = _right(X, Y, cache, lambd)\n"
                 "    if X[0, 0] > 0:\n"
                 "        X[0, 0] += 1.0\n"
                 "    else:\n"
                 "        cache[0][0, 0] += 1.0\n"
                 "    return gradients"), says="changed an argument"),
    case("vocab_missing_key_by_input", "initialize_parameters_random leaves out the weights of a layer "
         "chosen by n_0", "initialization", "initialize_parameters_random",
         wrapped("initialization", "initialize_parameters_random", "(layers_dims)",
                 "    parameters = _right(layers_dims)\n"
                 "    del parameters['W' + str(layers_dims[0] % (len(layers_dims) - 1) + 1)]\n"
                 "    return parameters"), says="lacks a key"),
    case("vocab_type_by_input", "backward_propagation returns a list, tuple, dict, string, None or "
         "bool, chosen by the first digit of abs(x)", "gradient_checking", "backward_propagation",
         Cell("def backward_propagation(x, theta):\n"
              "    kinds = [[x], (x,), {'x': x}, str(x), None, True]\n"
              "    return kinds[int(abs(x) * 10) % 6]\n"), says="not of the type expected"),
    case("vocab_not_written_for_negative_x", "forward_propagation is right for x >= 0 and raises "
         "NotImplementedError otherwise (every hidden case has a negative x)", "gradient_checking",
         "forward_propagation",
         Cell("def forward_propagation(x, theta):\n"
              "    if x < 0:\n"
              "        raise NotImplementedError()\n"
              "    return theta * x\n"), says="only the published cases pass"),
]

#: A phrase of each case's published-case line: the specific message the student still reads there.
PUBLISHED_SAYS = {
    "vocab_extra_key_spells_inputs": "unexpected key(s) dims_2_4_1",
    "vocab_dtype_names_a_key": "unexpected key(s) dims_3_2_1",
    "vocab_empty_array_shape": "gradients['dZ3'] has shape (0, 10",
    "vocab_transposed_weights": "parameters['W1'] has shape (2, 4); expected (4, 2)",
    "vocab_exception_class_by_input": "raised IndexError: x (line",
    "vocab_error_size_encodes_input": "; expected ",
    "vocab_wrong_by_index": "gradients['dW2'] has wrong values: largest error",
    "vocab_keep_share_encodes_keep_prob": "A3 has wrong values: largest error",
    "vocab_nan_at_chosen_index": "contains nan at index [1, 2]",
    "vocab_changed_argument_by_input": "changed its argument number",
    "vocab_missing_key_by_input": "lacks the key(s)",
    "vocab_type_by_input": "should be a real number, got list",
}
