"""Are hidden inputs drawn from (course secret, student, the code that runs), and only from them?

The same notebook always gets the same hidden inputs; any change to the code a function's job
runs (its cell, or an import or constant of the cells above that it reads) draws new ones, so
what one submission learns about its hidden inputs says nothing about the next one's. The
in-kernel ``nbgrader autograde`` path keys the draw as the sealed grader does.
"""

import json

import nbformat
import numpy as np
import pytest

from autograder import assignments
from autograder.grading import reference
from autograder.grading.checks import DRAW_SCHEME, code_key, rng_for, seed_for
from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import ROOT
from autograder.platforms.nbgrader_bridge import _draw_key

CLASS = ROOT / "tests" / "sample_class" / "submitted"
HE = "initialize_parameters_he"


def hidden_inputs(assignment, function, student, code):
    """The arguments of every hidden call of ``function`` for ``student`` and code key ``code``."""
    spec = reference.load(assignment)
    checks = assignments.build_checks(spec, function, rng_for(seed_for(student, assignment), function, code))
    return [call.args for check in checks if not check.fixed_inputs for call in check.calls]


def same(a, b):
    return json.dumps(a, default=lambda x: np.asarray(x).tolist()) == \
        json.dumps(b, default=lambda x: np.asarray(x).tolist())


def with_cells(path, tmp_path, change):
    """A copy of the notebook at ``path`` with ``change(cells)`` applied; returns its path."""
    notebook = nbformat.read(path, as_version=4)
    change(notebook.cells)
    target = tmp_path / path.parent.parent.name / path.parent.name / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    return target


def graded_cell(cells, function):
    return next(c for c in cells if c.cell_type == "code" and f"def {function}(" in c.source)


@pytest.fixture(scope="module")
def graders():
    with Graders() as running:
        yield running


def test_does_any_change_of_the_code_draw_new_hidden_inputs():
    source = "def f(x):\n    return 2 * x\n"
    base = hidden_inputs("initialization", HE, "ada", code_key(source))
    assert same(base, hidden_inputs("initialization", HE, "ada", code_key(source)))
    for changed in (source + "# a comment\n", source.replace("2 * x", "x * 2")):
        assert not same(base, hidden_inputs("initialization", HE, "ada", code_key(changed)))
    assert not same(base, hidden_inputs("initialization", HE, "ada", code_key(source, "TABLE = [1, 2]")))
    assert not same(base, hidden_inputs("initialization", HE, "bea", code_key(source)))


def test_do_line_ends_and_trailing_blanks_keep_the_draw():
    source = "def f(x):\n    return 2 * x\n"
    assert code_key(source) == code_key(source.replace("\n", "\r\n"))
    assert code_key(source) == code_key("def f(x):  \n    return 2 * x")


def test_does_the_same_notebook_keep_its_draw_and_record_how_it_was_drawn(graders):
    path = CLASS / "ada" / "initialization" / "Initialization.ipynb"
    first = grade_notebook(path, graders=graders).provenance
    again = grade_notebook(path, graders=graders).provenance
    assert first["draw_scheme"] == DRAW_SCHEME and again["draw_keys"] == first["draw_keys"]
    assert set(first["draw_keys"]) == set(reference.load("initialization").names)


def test_does_a_changed_cell_or_a_constant_it_reads_change_only_its_own_draw(graders, tmp_path):
    path = CLASS / "ada" / "initialization" / "Initialization.ipynb"
    keys = grade_notebook(path, graders=graders).provenance["draw_keys"]

    def comment(cells):
        graded_cell(cells, HE).source += "\n# checked twice\n"

    commented = grade_notebook(with_cells(path, tmp_path / "a", comment), graders=graders).provenance
    assert commented["draw_keys"][HE] != keys[HE]
    assert {n: k for n, k in commented["draw_keys"].items() if n != HE} == \
        {n: k for n, k in keys.items() if n != HE}

    def table(cells):  # a table of values in a cell of its own, read by the function
        cell = graded_cell(cells, HE)
        cells.insert(cells.index(cell), nbformat.v4.new_code_cell("SEEN = {(2, 4, 1): 0.5}"))
        cell.source = cell.source.replace("return parameters", "SEEN.get(0)\n    return parameters")

    tabled = grade_notebook(with_cells(path, tmp_path / "b", table), graders=graders)
    assert tabled.provenance["draw_keys"][HE] not in (keys[HE], commented["draw_keys"][HE])
    assert tabled.functions[HE].score == 10

    def unread(cells):  # a constant no graded function reads: no draw changes
        cells.insert(1, nbformat.v4.new_code_cell("UNUSED = 3"))

    assert grade_notebook(with_cells(path, tmp_path / "c", unread),
                          graders=graders).provenance["draw_keys"] == keys


@pytest.mark.parametrize("assignment", sorted(reference.NOTEBOOKS))
def test_does_the_in_kernel_path_key_the_draw_as_the_sealed_grader(graders, assignment):
    # nbgrader runs the notebook top to bottom: IPython's In holds the code cells in that order
    path = CLASS / "ada" / assignment / reference.NOTEBOOKS[assignment]
    sealed = grade_notebook(path, graders=graders).provenance["draw_keys"]
    notebook = nbformat.read(path, as_version=4)
    history = [""] + [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    spec = reference.load(assignment)
    assert {name: _draw_key(spec, name, {"In": history}) for name in spec.names} == sealed


def test_is_the_code_key_of_a_cell_the_same_for_every_line_end_and_new_for_every_other_change():
    source = "def f(x):\n    y = 2 * x\n    return y\n"
    assert code_key(source) == code_key(source, "") == code_key(source.replace("\n", "\r"))  # old Macs
    for changed in ("  " + source, source.replace("2 * x", "2 *\nx"), source.replace("y\n", "y  # X\n"),
                    source.replace("y\n", "y  # XX\n"), source.replace("    y", "\ty")):
        assert code_key(changed) != code_key(source), changed
    assert code_key(source, "N = 1") != code_key(source, "N = 1\nM = 2")
