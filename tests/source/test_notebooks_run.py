"""Do the instructor notebooks run headless, print what they promise, and carry valid nbgrader metadata?

Each source notebook is executed once per test module with nbclient (kernel ``python3``, the
notebook's folder as working directory, the project root on ``PYTHONPATH`` so the hidden tests
can import ``autograder``, and the non-interactive ``Agg`` matplotlib backend). Execution goes on
after an error, so one broken cell does not hide the others.
"""

import copy
import os
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.nbgraderformat import MetadataValidator

from tests.notebook_code import ROOT

NOTEBOOKS = {
    "initialization": ROOT / "source" / "initialization" / "Initialization.ipynb",
    "regularization": ROOT / "source" / "regularization" / "Regularization.ipynb",
    "gradient_checking": ROOT / "source" / "gradient_checking" / "Gradient_Checking.ipynb",
}

#: The graded functions of each notebook, in notebook order, with the points of their test cell.
GRADED = {
    "initialization": [
        ("initialize_parameters_zeros", 10),
        ("initialize_parameters_random", 10),
        ("initialize_parameters_he", 10),
    ],
    "regularization": [
        ("compute_cost_with_regularization", 10),
        ("backward_propagation_with_regularization", 10),
        ("forward_propagation_with_dropout", 20),
        ("backward_propagation_with_dropout", 10),
    ],
    "gradient_checking": [
        ("forward_propagation", 10),
        ("backward_propagation", 10),
        ("gradient_check", 10),
        ("gradient_check_n", 20),
    ],
}

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FENCE = re.compile(r"^\s*```")
CELL_TIMEOUT = 600  # seconds; the longest cell (a 30 000-iteration training run) takes a few


def read(assignment):
    return nbformat.read(NOTEBOOKS[assignment], as_version=4)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def kernel_env():
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env.pop("NBGRADER_EXECUTION", None)  # run as a student would, not under autograde
    return env


@pytest.fixture(scope="module")
def executed():
    """``executed(assignment)``: the notebook after one headless run (run on first request)."""
    runs = {}

    def run(assignment):
        if assignment not in runs:
            notebook = read(assignment)
            client = NotebookClient(
                notebook,
                kernel_name="python3",
                timeout=CELL_TIMEOUT,
                allow_errors=True,
                resources={"metadata": {"path": str(NOTEBOOKS[assignment].parent)}},
            )
            client.execute(env=kernel_env())
            runs[assignment] = notebook
        return runs[assignment]

    return run


def printed_text(cells):
    """What ``cells`` printed to stdout or returned as a result, without ANSI colour codes."""
    parts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                parts.append(output.text)
            elif output.output_type == "execute_result":
                parts.append(output.get("data", {}).get("text/plain", "") + "\n")
    return ANSI.sub("", "".join(parts))


def expected_output_cells():
    """``(assignment, index)`` of every markdown cell whose first line is ``**Expected output**``."""
    found = []
    for assignment in NOTEBOOKS:
        for index, cell in enumerate(read(assignment).cells):
            lines = cell.source.splitlines()
            if cell.cell_type == "markdown" and lines and lines[0].strip() == "**Expected output**":
                found.append((assignment, index))
    return found


def fenced_blocks(markdown):
    """The contents of the fenced code blocks of ``markdown``, as lists of lines."""
    blocks, current = [], None
    for line in markdown.splitlines():
        if FENCE.match(line):
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line)
    assert current is None, "a fenced code block is not closed"
    return blocks


# ----------------------------------------------------------------------- headless execution


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_without_an_error(executed, assignment):
    notebook = executed(assignment)
    errors = [
        f"cell {index}: {output.ename}: {output.evalue}"
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []
    # Every code cell really ran (a kernel death would leave cells without an execution count).
    assert all(cell.execution_count for cell in notebook.cells
               if cell.cell_type == "code" and cell.source.strip())


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_graded_cells_write_nothing_to_stderr(executed, assignment):
    # nbgrader autograde gives no points to a graded cell that writes to stderr.
    notebook = executed(assignment)
    graded = [(i, c) for i, c in enumerate(notebook.cells) if nbgrader_meta(c).get("grade")]
    assert graded
    written = {
        index: output.text
        for index, cell in graded
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stderr"
    }
    assert written == {}


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_each_graded_cell_passes_its_visible_test_and_earns_full_points(executed, assignment):
    # The test cell's last expression is the hidden tests' score, shown as the cell's result.
    notebook = executed(assignment)
    for name, points in GRADED[assignment]:
        cell = next(c for c in notebook.cells if nbgrader_meta(c).get("grade_id") == "test_" + name)
        text = printed_text([cell])
        assert f"All tests passed for {name}." in text, text
        assert "✗" not in text, text
        results = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(results) == 1, name
        assert float(results[0].data["text/plain"]) == points, name


# ----------------------------------------------------------------------- "Expected output"


@pytest.mark.parametrize(("assignment", "index"), expected_output_cells(),
                         ids=lambda value: value if isinstance(value, str) else f"cell{value}")
def test_expected_output_block_is_printed_by_the_code_cells_above_it(executed, assignment, index):
    notebook = executed(assignment)
    blocks = fenced_blocks(notebook.cells[index].source)
    assert len(blocks) == 1, f"cell {index} has {len(blocks)} fenced code blocks; expected one"
    expected = [line.rstrip() for line in blocks[0] if line.strip()]
    assert expected, f"cell {index}: the expected-output block is empty"

    # The code cells between the previous markdown cell and this one.
    start = index
    while start > 0 and notebook.cells[start - 1].cell_type == "code":
        start -= 1
    above = notebook.cells[start:index]
    assert above, f"cell {index}: no code cell right above the expected output"

    printed = {line.rstrip() for line in printed_text(above).splitlines()}
    missing = [line for line in expected if line not in printed]
    assert missing == [], f"cells {start}-{index - 1} did not print these lines"


# ----------------------------------------------------------------------- nbgrader metadata


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_each_graded_function_cell_is_followed_by_its_test_cell_with_the_right_points(assignment):
    cells = read(assignment).cells
    headed = [
        (index, cell.source.splitlines()[0].removeprefix("# GRADED FUNCTION:").strip())
        for index, cell in enumerate(cells)
        if cell.cell_type == "code" and cell.source.startswith("# GRADED FUNCTION:")
    ]
    assert [name for _, name in headed] == [name for name, _ in GRADED[assignment]]

    for (index, name), (_, points) in zip(headed, GRADED[assignment], strict=True):
        solution = nbgrader_meta(cells[index])
        assert solution.get("solution") is True and solution.get("grade") is False, name
        assert solution.get("grade_id") == name
        assert "### BEGIN SOLUTION" in cells[index].source, name
        assert "### END SOLUTION" in cells[index].source, name

        test = cells[index + 1]
        meta = nbgrader_meta(test)
        assert test.cell_type == "code", name
        assert meta.get("grade") is True and meta.get("locked") is True, name
        assert meta.get("solution") is False, name
        assert meta.get("points") == points, name
        assert test.source.startswith(f"{name}_test({name}"), name
        _, begin, hidden = test.source.partition("### BEGIN HIDDEN TESTS")
        assert begin and "### END HIDDEN TESTS" in hidden, name
        assert f'hidden_tests("{name}", globals())' in hidden, name

    graded = [nbgrader_meta(c)["grade_id"] for c in cells if nbgrader_meta(c).get("grade")]
    assert graded == ["test_" + name for name, _ in GRADED[assignment]], "unexpected graded cells"


def test_the_three_notebooks_grade_eleven_functions_for_130_points():
    names = [name for functions in GRADED.values() for name, _ in functions]
    assert len(set(names)) == 11
    total = sum(
        nbgrader_meta(cell).get("points", 0)
        for assignment in NOTEBOOKS
        for cell in read(assignment).cells
        if nbgrader_meta(cell).get("grade")
    )
    assert total == 130


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_every_nbgrader_cell_has_schema_version_3_and_a_unique_grade_id(assignment):
    metas = [nbgrader_meta(c) for c in read(assignment).cells if "nbgrader" in c.metadata]
    assert metas
    assert [m.get("schema_version") for m in metas] == [3] * len(metas)
    ids = [m.get("grade_id") for m in metas]
    assert all(ids), "an nbgrader cell has no grade_id"
    assert len(ids) == len(set(ids)), f"duplicate grade_id in {ids}"


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_first_code_cell_is_the_locked_imports_cell(assignment):
    first = next(c for c in read(assignment).cells if c.cell_type == "code")
    meta = nbgrader_meta(first)
    assert meta.get("grade_id") == "imports"
    assert meta.get("locked") is True
    assert meta.get("grade") is False and meta.get("solution") is False
    assert "import" in first.source


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_nbgrader_validates_the_metadata_and_has_nothing_to_upgrade(assignment):
    notebook = read(assignment)
    validator = MetadataValidator()
    validator.validate_nb(notebook)  # raises on an invalid cell or a duplicate grade_id
    upgraded = validator.upgrade_notebook_metadata(copy.deepcopy(notebook))
    assert upgraded == notebook, "nbgrader would rewrite some cell metadata"
