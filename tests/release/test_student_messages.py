"""What a student reads under a failing test cell of a release notebook, run headless.

Each release notebook runs in one kernel (in a copy of its folder): its imports cell and the
given cells a test needs, then, for each planted answer, the graded function's cell with that
answer, the release's own test cell, and the right answer again (so later functions find
working helpers). The planted answers are the catalogued mistakes the visible tests can name,
an untouched stub, and an exception in the student's code. Each test cell must fail visibly with
a few plain lines: the function, the problem, the hint, no frames of the kit's helpers.

Some catalogued mistakes give the right answer on the published case (a denominator
norm(grad + gradapprox) when both gradients have one sign): only the grader, on its own cases,
can name those."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from utils import mistakes

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {
    "initialization": "Initialization.ipynb",
    "regularization": "Regularization.ipynb",
    "gradient_checking": "Gradient_Checking.ipynb",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_LINES = 10
#: Text of the kit's helpers that must never reach a student's failing test cell.
KIT_FRAMES = ("utils/checks.py", "public_tests.py", "visible_test", "under_autograde",
              "raise CheckFailed", "Traceback (most recent call last)", 'File "')


def hint(key):
    """The catalogue's hint for ``key`` (the visible tests' and the grader's one definition)."""
    every = (mistakes.random_mistakes(None) + mistakes.he_mistakes(None)
             + mistakes.cost_mistakes(None) + mistakes.backward_l2_mistakes(None)
             + mistakes.DROPOUT_FORWARD + mistakes.dropout_backward_mistakes(None)
             + mistakes.forward_mistakes() + mistakes.backward_mistakes()
             + mistakes.gradient_check_mistakes(None, None)
             + mistakes.GRADIENT_CHECK_N)
    return next(known.hint for known in every if known.key == key)


# (case id, function, edits of the instructor's cell, catalogued key or None, words expected)
PLANTED = {
    "initialization": [
        ("zeros-stub", "initialize_parameters_zeros", None, None,
         ["`initialize_parameters_zeros` is not written yet"]),
        ("zeros-ones", "initialize_parameters_zeros", [("np.zeros((layers_dims[l], layers_dims",
                                                       "np.ones((layers_dims[l], layers_dims")],
         None, ["parameters['W1'] has wrong values", "parameters['W2'] has wrong values"]),
        ("zeros-raises", "initialize_parameters_zeros",
         [("np.zeros((layers_dims[l], 1))", "np.zeros((layers_dims[l], 1)) @ np.ones((3, 3))")],
         None, ["`initialize_parameters_zeros` raised ValueError",
                "in initialize_parameters_zeros, line"]),
        ("random-unscaled", "initialize_parameters_random", [(" * 10\n", "\n")], "random-unscaled",
         []),
        ("random-small", "initialize_parameters_random", [(" * 10\n", " * 0.01\n")],
         "random-small", []),
        ("random-uniform", "initialize_parameters_random",
         [("np.random.randn(layers_dims[l]", "np.random.rand(layers_dims[l]")], "random-uniform",
         []),
        ("he-xavier", "initialize_parameters_he", [("np.sqrt(2 / layers_dims[l - 1])",
                                                   "np.sqrt(1 / layers_dims[l - 1])")],
         "he-xavier", ["parameters for [2, 4, 1]['W1']", "parameters for [3, 1, 2]['W2']"]),
        ("he-current-layer", "initialize_parameters_he",
         [("np.sqrt(2 / layers_dims[l - 1])", "np.sqrt(2 / layers_dims[l])")], "he-current-layer",
         []),
        ("he-unscaled", "initialize_parameters_he", [(" * np.sqrt(2 / layers_dims[l - 1])", "")],
         "he-unscaled", []),
        ("he-variance", "initialize_parameters_he",
         [("np.sqrt(2 / layers_dims[l - 1])", "(2 / layers_dims[l - 1])")], "he-variance", []),
    ],
    "regularization": [
        ("cost-stub", "compute_cost_with_regularization", None, None,
         ["`compute_cost_with_regularization` is not written yet"]),
        ("l2-missing-1/m", "compute_cost_with_regularization", [("(1 / m) * (lambd / 2)",
                                                                "(lambd / 2)")],
         "l2-missing-1/m", ["cost is "]),
        ("l2-missing-1/2", "compute_cost_with_regularization", [("(1 / m) * (lambd / 2)",
                                                                "(1 / m) * lambd")],
         "l2-missing-1/2", []),
        ("l2-not-squared", "compute_cost_with_regularization",
         [("np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3))",
           "np.sum(W1) + np.sum(W2) + np.sum(W3)")], "l2-not-squared", []),
        ("l2-square-of-sum", "compute_cost_with_regularization",
         [("np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3))",
           "np.sum(W1) ** 2 + np.sum(W2) ** 2 + np.sum(W3) ** 2")], "l2-square-of-sum", []),
        ("l2-missing-layer", "compute_cost_with_regularization",
         [(" + np.sum(np.square(W3))", "")], "l2-missing-layer", []),
        ("l2-grad-missing-1/m", "backward_propagation_with_regularization",
         [("(lambd / m) * W3", "lambd * W3"), ("(lambd / m) * W2", "lambd * W2"),
          ("(lambd / m) * W1", "lambd * W1")], "l2-grad-missing-1/m",
         ["3 problem(s)", "gradients['dW1']", "gradients['dW2']", "gradients['dW3']"]),
        ("l2-grad-half", "backward_propagation_with_regularization",
         [("(lambd / m) * W3", "(lambd / (2 * m)) * W3"), ("(lambd / m) * W2", "(lambd / (2 * m)) * W2"),
          ("(lambd / m) * W1", "(lambd / (2 * m)) * W1")], "l2-grad-half", []),
        ("l2-grad-sign", "backward_propagation_with_regularization",
         [("+ (lambd / m) * W3", "- (lambd / m) * W3"), ("+ (lambd / m) * W2", "- (lambd / m) * W2"),
          ("+ (lambd / m) * W1", "- (lambd / m) * W1")], "l2-grad-sign", []),
        ("dropout-forward-no-rescale", "forward_propagation_with_dropout",
         [("A1 = A1 / keep_prob", "A1 = A1"), ("A2 = A2 / keep_prob", "A2 = A2")],
         "dropout-forward-no-rescale",
         ["A3 has wrong values", "cache A1 has wrong values", "cache A2 has wrong values"]),
        ("dropout-forward-mask-flipped", "forward_propagation_with_dropout",
         [("(D1 < keep_prob)", "(D1 > keep_prob)"), ("(D2 < keep_prob)", "(D2 > keep_prob)")],
         "dropout-forward-mask-flipped", ["cache D1 has wrong values", "cache D2 has wrong values"]),
        ("dropout-forward-randn", "forward_propagation_with_dropout",
         [("np.random.rand(", "np.random.randn(")], "dropout-forward-randn", []),
        ("dropout-forward-unknown", "forward_propagation_with_dropout",
         [("A2 = A2 / keep_prob", "A2 = A2 / keep_prob / keep_prob")], None,
         ["A3 has wrong values", "cache A2 has wrong values"]),
        ("dropout-backward-no-rescale", "backward_propagation_with_dropout",
         [("dA2 = dA2 / keep_prob", "dA2 = dA2"), ("dA1 = dA1 / keep_prob", "dA1 = dA1")],
         "dropout-backward-no-rescale", ["gradients['dA1']", "gradients['dA2']"]),
        ("dropout-backward-times-keep-prob", "backward_propagation_with_dropout",
         [("dA2 = dA2 / keep_prob", "dA2 = dA2 * keep_prob"),
          ("dA1 = dA1 / keep_prob", "dA1 = dA1 * keep_prob")],
         "dropout-backward-times-keep-prob", []),
    ],
    "gradient_checking": [
        ("forward-stub", "forward_propagation", None, None,
         ["`forward_propagation` is not written yet"]),
        ("forward-adds", "forward_propagation", [("J = np.dot(theta, x)", "J = theta + x")],
         "forward-adds", ["J for x = 2, theta = 4 is 6"]),
        ("backward-theta", "backward_propagation", [("dtheta = x", "dtheta = theta")],
         "backward-theta", []),
        ("backward-returns-J", "backward_propagation", [("dtheta = x", "dtheta = theta * x")],
         "backward-returns-J", []),
        ("grad-equals-gradapprox", "gradient_check",
         [("grad = backward_propagation(x, theta)", "grad = gradapprox")],
         "grad-equals-gradapprox", []),
        ("difference-no-denominator", "gradient_check",
         [("difference = numerator / denominator", "difference = numerator")],
         "difference-no-denominator", []),
        ("grad-equals-gradapprox-n", "gradient_check_n",
         [("numerator = np.linalg.norm(grad - gradapprox)",
           "grad = gradapprox\n    numerator = np.linalg.norm(grad - gradapprox)")],
         "grad-equals-gradapprox-n", []),
        ("one-sided-difference-n", "gradient_check_n",
         [("theta_minus[i] = theta_minus[i] - epsilon", "theta_minus[i] = theta_minus[i]"),
          ("(J_plus[i] - J_minus[i]) / (2 * epsilon)", "(J_plus[i] - J_minus[i]) / epsilon")],
         "one-sided-difference-n", []),
        ("difference-no-denominator-n", "gradient_check_n",
         [("difference = numerator / denominator", "difference = numerator")],
         "difference-no-denominator-n", []),
        ("theta-not-copied", "gradient_check_n",
         [("theta_plus = np.copy(parameters_values)", "theta_plus = parameters_values"),
          ("theta_minus = np.copy(parameters_values)", "theta_minus = parameters_values")],
         "theta-not-copied", []),
    ],
}

#: The fix of the optional exercise: the two lines of backward_propagation_n with a wrong factor.
FIX_BACKWARD_N = [("dW2 = 2.0 / m * np.dot(dZ2, A1.T)", "dW2 = 1.0 / m * np.dot(dZ2, A1.T)"),
                  ("db1 = 4.0 / m * np.sum(dZ1", "db1 = 1.0 / m * np.sum(dZ1")]


def graded_cell(notebook, function):
    return next(i for i, cell in enumerate(notebook.cells)
                if cell.source.startswith(f"# GRADED FUNCTION: {function}\n"))


def edited(source, edits):
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    return source


def code(source):
    return nbformat.v4.new_code_cell(source)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``{assignment: (notebook run, {case id: index of its test cell})}``, one kernel each."""
    results = {}
    for assignment, name in NOTEBOOKS.items():
        folder = tmp_path_factory.mktemp(assignment) / assignment
        shutil.copytree(ROOT / "release" / assignment, folder)
        release = nbformat.read(folder / name, as_version=4)
        source = nbformat.read(ROOT / "source" / assignment / name, as_version=4)
        cells = [code(release.cells[next(i for i, c in enumerate(release.cells)
                                         if c.cell_type == "code")].source)]
        right = {}
        for cell in source.cells:
            if cell.source.startswith("# GRADED FUNCTION: "):
                right[cell.source.split("\n")[0].split(": ")[1]] = cell.source
        # every function right first, and the given cells the tests need
        cells += [code(text) for text in right.values()]
        if assignment == "gradient_checking":
            for prefix in ("def forward_propagation_n", "def backward_propagation_n",
                           "X, Y, parameters = gradient_check_n_test_case()"):
                cells.append(code(next(c.source for c in release.cells if c.source.startswith(prefix))))
        where = {}
        for case, function, edits, _, _ in PLANTED[assignment]:
            test = release.cells[graded_cell(release, function) + 1].source
            if edits is None:
                planted = release.cells[graded_cell(release, function)].source
            else:
                planted = edited(right[function], edits)
            cells.append(code(planted))
            where[case] = len(cells)
            cells.append(code(test))
            cells.append(code(right[function]))
        if assignment == "gradient_checking":
            # the optional exercise: fix backward_propagation_n, then run the release's cell
            backward_n = next(c.source for c in release.cells
                              if c.source.startswith("def backward_propagation_n"))
            cells.append(code(edited(backward_n, FIX_BACKWARD_N)))
            optional = next(c.source for c in release.cells
                            if c.source.startswith("# Optional: run after fixing"))
            where["optional"] = len(cells)
            cells.append(code(optional))
        notebook = nbformat.v4.new_notebook(cells=cells)
        NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        results[assignment] = (notebook, where)
    return results


def shown(cell):
    """What the student sees under the cell: printed text and the error's drawn lines."""
    lines = []
    for output in cell.outputs:
        if output.output_type == "stream":
            lines += output.text.splitlines()
        elif output.output_type == "error":
            lines += "\n".join(output.traceback).splitlines()
    return [ANSI.sub("", line) for line in lines]


CASES = [(assignment, *case) for assignment, cases in PLANTED.items() for case in cases]


@pytest.mark.parametrize(("assignment", "case", "function", "edits", "key", "words"), CASES,
                         ids=[case[1] for case in CASES])
def test_a_failing_test_cell_says_what_is_wrong_in_a_few_plain_lines(runs, assignment, case,
                                                                     function, edits, key, words):
    notebook, where = runs[assignment]
    cell = notebook.cells[where[case]]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1, shown(cell)  # the cell fails, so "Run all" stops there
    lines = shown(cell)
    text = "\n".join(lines)
    assert len(lines) <= MAX_LINES, text
    assert not [frame for frame in KIT_FRAMES if frame in text], text
    report = "\n".join(ANSI.sub("", line) for line in errors[0].traceback)
    assert report.startswith((f"{function}: ", f"`{function}` ")), text
    for word in words:
        assert word in text
    if key:  # its hint, alone or with those the notebook's one case cannot tell from it
        assert any(line.startswith("Hint: ") and hint(key) in line for line in lines), text
    else:
        assert "Hint:" not in text


def test_an_untouched_stub_is_named_as_not_written_yet(runs):
    notebook, where = runs["initialization"]
    errors = [o for o in notebook.cells[where["zeros-stub"]].outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["NotWrittenYet"]
    assert ANSI.sub("", errors[0].traceback[0]).startswith(
        "`initialize_parameters_zeros` is not written yet: replace `raise NotImplementedError()`")


def test_every_planted_and_restored_function_cell_runs_without_an_error(runs):
    # so each test cell's failure comes from its own planted answer, not from a broken cell
    for notebook, _ in runs.values():
        restores = [c for c in notebook.cells if c.source.startswith("# GRADED FUNCTION")]
        assert all(not [o for o in c.outputs if o.output_type == "error"] for c in restores)


def test_the_optional_exercise_fixed_gives_about_1_19e_07(runs):
    notebook, where = runs["gradient_checking"]
    lines = shown(notebook.cells[where["optional"]])
    assert lines[0].startswith("Your backward propagation works perfectly fine! difference = ")
    value = float(lines[-1].removeprefix("difference = "))
    assert value == pytest.approx(1.1890913024229996e-07, rel=1e-3)


def test_the_release_says_the_backward_pass_has_deliberate_bugs_and_shows_the_fixed_output():
    notebook = nbformat.read(ROOT / "release" / "gradient_checking" / NOTEBOOKS["gradient_checking"],
                             as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "`backward_propagation_n()` has deliberate bugs" in text
    assert "yellow message is the expected result of Exercise 4" in text
    assert "### Optional exercise (not graded) - fix backward_propagation_n" in text
    assert "Your backward propagation works perfectly fine! difference = 1.1890913024229996e-07" in text
