"""Build the fairness corpus as a class: notebooks of both course generations and of the kit.

Each variation of :mod:`tests.fairness.variations` lands in one notebook, in one of three
styles: a 2017-era notebook (``### START CODE HERE ###`` stubs, prints, the original cell
layout), a 2021 "W1A1-W1A3" notebook (``# YOUR CODE STARTS HERE``, nbgrader metadata, the
public-test cells, ``print_msg``) or the kit's own release notebook. A notebook holds at most
one variation per graded function; the others get a correct filler answer. Notebooks also
vary the way students hand them in: graded cells in another order, extra cells with prints
and leftover debug code, a first draft of each function left in an earlier cell.

``python -m tests.fairness.build DIR`` writes the class (``DIR/<student>/<assignment>/<notebook>``).
"""

import hashlib
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.reference import NOTEBOOKS, ROOT
from tests.fairness.templates import render
from tests.fairness.variations import ASSIGNMENT_OF, FILLERS, VARIATIONS
from tests.sample_class.build import fill, graded_cells

STYLES = ("2017", "2021", "kit")
LAYOUTS = ("plain", "reordered", "debug", "drafts")
ORDER = {a: [f for f, owner in ASSIGNMENT_OF.items() if owner == a] for a in NOTEBOOKS}

#: The 2017 notebooks' file names (the 2021 ones are the kit's).
NAMES_2017 = {"initialization": "Initialization.ipynb", "regularization": "Regularization.ipynb",
              "gradient_checking": "Gradient Checking.ipynb"}

IMPORTS = {
    "initialization": "import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn\n"
                      "import sklearn.datasets\nfrom init_utils import sigmoid, relu, compute_loss, "
                      "forward_propagation, backward_propagation\nfrom init_utils import "
                      "update_parameters, predict, load_dataset, plot_decision_boundary, predict_dec\n\n"
                      "%matplotlib inline\nplt.rcParams['figure.figsize'] = (7.0, 4.0)\n",
    "regularization": "import numpy as np\nimport matplotlib.pyplot as plt\nfrom reg_utils import "
                      "sigmoid, relu, plot_decision_boundary, initialize_parameters, "
                      "load_2D_dataset, predict_dec\nfrom reg_utils import compute_cost, predict, "
                      "forward_propagation, backward_propagation, update_parameters\nimport sklearn\n"
                      "import sklearn.datasets\nimport scipy.io\nfrom testCases import *\n\n"
                      "%matplotlib inline\n",
    "gradient_checking": "import numpy as np\nfrom testCases import *\nfrom gc_utils import sigmoid, "
                         "relu, dictionary_to_vector, vector_to_dictionary, gradients_to_vector\n",
}

#: Calls of each function a student runs after its cell (the 2017 notebooks print results).
TRIES = {
    "initialize_parameters_zeros": 'parameters = initialize_parameters_zeros([3,2,1])\n'
                                   'print("W1 = " + str(parameters["W1"]))',
    "initialize_parameters_random": 'parameters = initialize_parameters_random([3, 2, 1])\n'
                                    'print("W1 = " + str(parameters["W1"]))',
    "initialize_parameters_he": 'parameters = initialize_parameters_he([2, 4, 1])\n'
                                'print("W1 = " + str(parameters["W1"]))',
    "compute_cost_with_regularization": 'A3, Y_assess, parameters = '
                                        'compute_cost_with_regularization_test_case()\n'
                                        'print("cost = " + str(compute_cost_with_regularization('
                                        'A3, Y_assess, parameters, lambd = 0.1)))',
    "backward_propagation_with_regularization": 'X_assess, Y_assess, cache = '
                                                'backward_propagation_with_regularization_test_case()\n'
                                                'grads = backward_propagation_with_regularization('
                                                'X_assess, Y_assess, cache, lambd = 0.7)\n'
                                                'print ("dW1 = "+ str(grads["dW1"]))',
    "forward_propagation_with_dropout": 'X_assess, parameters = '
                                        'forward_propagation_with_dropout_test_case()\n'
                                        'A3, cache = forward_propagation_with_dropout(X_assess, '
                                        'parameters, keep_prob = 0.7)\nprint ("A3 = " + str(A3))',
    "backward_propagation_with_dropout": 'X_assess, Y_assess, cache = '
                                         'backward_propagation_with_dropout_test_case()\n'
                                         'gradients = backward_propagation_with_dropout(X_assess, '
                                         'Y_assess, cache, keep_prob = 0.8)\n'
                                         'print ("dA1 = " + str(gradients["dA1"]))',
    "forward_propagation": 'x, theta = 2, 4\nJ = forward_propagation(x, theta)\nprint ("J = " + str(J))',
    "backward_propagation": 'x, theta = 2, 4\ndtheta = backward_propagation(x, theta)\n'
                            'print ("dtheta = " + str(dtheta))',
    "gradient_check": 'x, theta = 2, 4\ndifference = gradient_check(x, theta)\n'
                      'print("difference = " + str(difference))',
    "gradient_check_n": 'X, Y, parameters = gradient_check_n_test_case()\n\n'
                        'cost, cache = forward_propagation_n(X, Y, parameters)\n'
                        'gradients = backward_propagation_n(X, Y, cache)\n'
                        'difference = gradient_check_n(parameters, gradients, X, Y)',
}
TESTS_2021 = {name: f"{name}_test({name})" for name in ASSIGNMENT_OF}
TESTS_2021["gradient_check_n"] = (TRIES["gradient_check_n"].replace(
    "gradient_check_n(parameters, gradients, X, Y)", "gradient_check_n(parameters, gradients, X, Y, "
    "1e-7, True)") + "\nexpected_values = [0.2850931567761623, 1.1890913024229996e-07]\n"
    "assert np.any(np.isclose(difference, expected_values)), 'Wrong value'")

#: A given cell of the Gradient Checking notebook: the student never grades it, only calls it.
GIVEN_N = '''def forward_propagation_n(X, Y, parameters):
    """Three-layer forward pass and its cost (given, not graded)."""
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1. / X.shape[1] * np.sum(logprobs)
    return cost, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
'''

#: An unfinished first attempt, left in an earlier cell (the later cell is the one graded).
DRAFT = "# GRADED FUNCTION: {name}\n\ndef {name}({params}):\n    ### START CODE HERE ###\n" \
        "    result = None\n    ### END CODE HERE ###\n    return result\n"


@dataclass(frozen=True)
class Notebook:
    """One student's notebook of the corpus: which variation each graded function gets."""

    student: str
    assignment: str
    style: str
    layout: str
    answers: dict  # function -> Variation

    @property
    def file_name(self):
        return NAMES_2017[self.assignment] if self.style == "2017" else NOTEBOOKS[self.assignment]


def plan(variations=VARIATIONS):
    """The corpus's notebooks: variations dealt to styles in turn, then packed one per function."""
    columns = {}
    for function in ASSIGNMENT_OF:
        own = [x for x in variations if x.function == function]
        for index, variation in enumerate(own):
            style = STYLES[index % len(STYLES)]
            columns.setdefault((variation.assignment, style), {}).setdefault(function, []).append(variation)
    notebooks = []
    for (assignment, style), by_function in sorted(columns.items()):
        depth = max(len(x) for x in by_function.values())
        for k in range(depth):
            answers = {f: by_function.get(f, [])[k] if k < len(by_function.get(f, [])) else FILLERS[f]
                       for f in ORDER[assignment]}
            short = {"initialization": "init", "regularization": "reg", "gradient_checking": "gc"}
            notebooks.append(Notebook(f"s{style}-{short[assignment]}-{k + 1}", assignment, style,
                                      LAYOUTS[(k + len(notebooks)) % len(LAYOUTS)], answers))
    return notebooks


def _cell(kind, source, metadata=None):
    cell = {"cell_type": kind, "metadata": metadata or {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _graded_source(variation, style):
    if variation.cell is not None:
        body = textwrap.dedent(variation.cell).strip("\n")
        return f"# GRADED FUNCTION: {variation.function}\n\n{body}\n"
    return render(variation.function, style, variation.snippets)


def _signature(function):
    from autograder.grading.reference import load

    return str(load(ASSIGNMENT_OF[function]).function(function).signature)[1:-1]


def course_notebook(notebook):
    """A notebook of the 2017 or 2021 generation, as a student hands it in."""
    assignment, style = notebook.assignment, notebook.style
    cells = []
    if style == "2021":
        cells.append(_cell("markdown", "### v1.1"))
        cells.append(_cell("markdown", "# Important Note on Submission to the AutoGrader\n\nDo not add "
                                       "extra print statements or cells."))
    cells.append(_cell("markdown", f"# {notebook.file_name[:-6]}\n\nWelcome to this week's assignment."))
    imports = IMPORTS[assignment] + ("from public_tests import *\n" if style == "2021" else "")
    cells.append(_cell("code", imports))
    if assignment == "gradient_checking":
        cells.append(_cell("code", GIVEN_N))
    functions = list(ORDER[assignment])
    if notebook.layout == "reordered":
        functions = functions[1:] + functions[:1]
    for number, function in enumerate(functions, start=1):
        variation = notebook.answers[function]
        if notebook.layout == "drafts":
            cells.append(_cell("code", DRAFT.format(name=function, params=_signature(function))))
        cells.append(_cell("markdown", f"## {number} - {function.replace('_', ' ')}\n\n"
                                       "**Exercise**: implement the function below."))
        metadata = {}
        if style == "2021":
            metadata = {"deletable": False, "nbgrader": {
                "cell_type": "code", "checksum": "0" * 32, "grade": False,
                "grade_id": "cell-" + hashlib.sha256(function.encode()).hexdigest()[:16], "locked": False,
                "schema_version": 3, "solution": True, "task": False}}
        source = _graded_source(variation, "2021" if style == "2021" else "2017")
        if notebook.layout == "debug":
            source += "\n# quick check while writing it\n" + TRIES[function].split("\n")[0] + "\n"
        cells.append(_cell("code", source, metadata))
        cells.append(_cell("code", TESTS_2021[function] if style == "2021" else TRIES[function]))
        if notebook.layout == "debug":
            cells.append(_cell("code", f"print({function})\n{function}.__doc__"))
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 2 if style == "2017" else 4}


def kit_notebook(notebook):
    """The kit's release notebook with the notebook's answers in it."""
    data = json.loads((ROOT / "release" / notebook.assignment / NOTEBOOKS[notebook.assignment]).read_text())
    for name, cell, text in graded_cells(data):
        variation = notebook.answers[name]
        if variation.cell is not None:
            text = _graded_source(variation, "2021")
        else:
            text = fill(text, variation.snippets)
        if notebook.layout == "debug":
            text += "\n" + TRIES[name].split("\n")[0] + "\n"
        cell["source"] = text.splitlines(keepends=True)
    if notebook.layout == "reordered":
        graded = [c for c in data["cells"] if c["cell_type"] == "code"
                  and "".join(c["source"]).lstrip().startswith("# GRADED FUNCTION")]
        rest = [c for c in data["cells"] if c not in graded]
        data["cells"] = rest + graded[::-1]
    return data


def write(root, notebooks=None):
    """Write the corpus under ``root``; returns ``{student: (Notebook, path)}``."""
    written = {}
    for notebook in notebooks or plan():
        data = kit_notebook(notebook) if notebook.style == "kit" else course_notebook(notebook)
        path = Path(root) / notebook.student / notebook.assignment / notebook.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        written[notebook.student] = (notebook, path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/fairness-corpus").resolve()
    print(f"wrote {len(write(target))} notebooks under {target}")
