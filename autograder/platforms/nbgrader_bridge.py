"""The hidden tests of the source notebooks, for ``nbgrader autograde``.

The hidden region of each graded test cell calls :func:`hidden_tests`, which
runs the same checks as ``python -m autograder grade`` with the same hidden
inputs (seeded by the student id nbgrader grades under) and returns the
points earned, which nbgrader records as the cell's partial credit.

Unlike the sandboxed grader, this runs the checks inside the student's own
kernel, as nbgrader always does: it is the compatibility path, not the
secure one (see the README's security model).
"""

import contextlib
import copy
import io
import os
import warnings
from pathlib import Path

import numpy as np

from autograder import assignments
from autograder.grading import reference
from autograder.grading.checks import Outcome, code_key, rng_for, seed_for, unchanged
from autograder.grading.feedback import failure_from_error
from autograder.grading.grade import score_function
from autograder.sandbox import wire


def _assignment_of(function):
    for name in reference.NOTEBOOKS:
        if function in reference.load(name).names:
            return reference.load(name)
    raise KeyError(f"{function} is not a graded function of any assignment")


def _student():
    """The student id: nbgrader grades in ``autograded/<student>/<assignment>/``."""
    cwd = Path.cwd()
    if cwd.parent.parent.name == "autograded":
        return cwd.parent.name
    return os.environ.get("AUTOGRADER_STUDENT", "student")


def _secret():
    path = os.environ.get("AUTOGRADER_SECRET_FILE")
    return Path(path).read_text().strip() if path else ""


def _call(function, call, name, quote):
    args, kwargs = copy.deepcopy(call.args), copy.deepcopy(call.kwargs)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = function(*args, **kwargs)
        value = wire.decode(wire.encode(value))
    except wire.WireError as error:
        return Outcome(failure=failure_from_error({"type": "UnsupportedValue", "message": str(error)},
                                                  name, quote))
    except Exception as error:
        return Outcome(failure=failure_from_error({"type": type(error).__name__, "message": str(error)},
                                                  name, quote))
    for position, before in enumerate(call.args):
        if not unchanged(before, args[position]):
            return Outcome(value=value, modified=f"number {position + 1}")
    return Outcome(value=value)


def _draw_key(spec, name, namespace):
    """The :func:`autograder.grading.checks.code_key` of ``name`` as the sealed grader computes it from
    the notebook file, here from the cells the kernel ran (IPython keeps them in order in ``In``:
    nbgrader runs the notebook top to bottom, its locked cells as released); None without them."""
    import nbformat

    from autograder.grading.context import NotebookContext
    from autograder.grading.extract import extract

    history = namespace.get("In")
    if not isinstance(history, list):
        return None
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in history[1:]
                                               if isinstance(source, str)])
    cell = extract(notebook, spec.names).cells.get(name)
    if cell is None or cell.syntax_error:
        return None
    context = NotebookContext(notebook, spec, until=cell.cell_index + 1).for_cell(cell)
    return code_key(cell.source, context.text)


def hidden_tests(name, namespace):
    """Run the hidden checks of ``name`` on the function in ``namespace``; return the points."""
    spec = _assignment_of(name)
    seed = seed_for(_student(), spec.name, _secret())
    checks = assignments.build_checks(spec, name, rng_for(seed, name, _draw_key(spec, name, namespace)))
    outcomes = {}
    for check in checks:
        saved = dict(namespace)
        try:
            if check.stand_ins:
                exec(compile(check.stand_ins, "<stand-ins>", "exec"), namespace)
            with contextlib.redirect_stdout(io.StringIO()):
                for call in check.calls:
                    outcomes[id(call)] = _call(namespace[name], call, name, check.fixed_inputs)
        finally:
            namespace.clear()
            namespace.update(saved)
    result = score_function(spec, spec.function(name), checks, outcomes, [])
    for check in result.checks:
        print(("✓ " if check.passed else "✗ ") + (check.name if check.passed else check.message))
    if result.hint:
        print("Hint:", result.hint)
    return result.score
