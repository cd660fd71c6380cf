"""How does extraction find graded functions, and how does it report structure problems?"""

import json
import os

import pytest

from autograder.grading import extract as extract_module
from autograder.grading.extract import NotebookError, code_cells, extract, read_notebook, read_notebook_bytes


def _nb(*sources, key="cells"):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s in sources]
    return {key: cells} if key == "cells" else {"worksheets": [{"cells": cells}]}


GOOD = "# GRADED FUNCTION: f\ndef f(x, y=2):\n    return x + y\n"


def test_a_headed_cell_is_found_in_any_position_among_other_cells():
    notebook = _nb("print('hello')", "import numpy as np", GOOD, "f(1)")
    found = extract(notebook, ["f"])
    assert found.cells["f"].source == GOOD
    assert str(found.cells["f"].signature) == "(x, y=2)"
    assert found.problems == {}


def test_sources_as_lists_and_nbformat_3_worksheets_are_read():
    as_list = _nb(GOOD.splitlines(keepends=True))
    v3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": GOOD}]}]}
    assert extract(as_list, ["f"]).cells["f"].source == GOOD
    assert extract(v3, ["f"]).cells["f"].source == GOOD


def test_a_missing_function_is_reported_by_name():
    found = extract(_nb("x = 1"), ["f"])
    assert "f" not in found.cells
    assert "missing" in found.problems["f"][0]


def test_a_renamed_function_is_reported_as_renamed():
    found = extract(_nb("# GRADED FUNCTION: f\ndef g(x):\n    return x\n"), ["f"])
    assert "renamed" in found.problems["f"][0]
    assert found.cells["f"].signature is None


def test_a_function_defined_twice_uses_the_last_definition_and_says_so():
    second = GOOD.replace("x + y", "x * y")
    found = extract(_nb(GOOD, second), ["f"])
    assert found.cells["f"].source == second
    assert "2 cells" in found.problems["f"][0]


def test_a_function_without_its_header_is_still_found_with_a_note():
    found = extract(_nb("def f(x, y=2):\n    return x\n"), ["f"])
    assert "f" in found.cells
    assert "header" in found.problems["f"][0]


def test_a_syntax_error_is_reported_with_its_line():
    found = extract(_nb("# GRADED FUNCTION: f\ndef f(x):\n    return (x\n"), ["f"])
    assert "syntax error at line" in found.cells["f"].syntax_error


def test_magics_do_not_stop_parsing():
    found = extract(_nb("# GRADED FUNCTION: f\n%time x = 1\ndef f(x):\n    !ls\n    return x\n"), ["f"])
    assert found.cells["f"].syntax_error is None
    assert str(found.cells["f"].signature) == "(x)"


@pytest.mark.parametrize(("content", "says"), [
    (b"", "empty"),
    (b"{not json", "not valid notebook JSON"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"[1, 2]", "not a notebook"),
])
def test_unreadable_files_raise_a_notebook_error_saying_why(tmp_path, content, says):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=says):
        read_notebook(path)


def test_a_notebook_without_cells_is_an_error(tmp_path):
    path = tmp_path / "nocells.ipynb"
    path.write_text(json.dumps({"metadata": {}}))
    with pytest.raises(NotebookError, match="no cells"):
        code_cells(read_notebook(path))


def _stat_saying(size, real_fstat):
    def fstat(fd):
        info = real_fstat(fd)
        return os.stat_result((*info[:6], size, *info[7:10]))
    return fstat


def test_is_a_notebook_that_grew_after_it_was_measured_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "grown.ipynb"
    path.write_text(json.dumps(_nb(GOOD)))
    monkeypatch.setattr(extract_module.os, "fstat", _stat_saying(10, os.fstat))
    assert read_notebook_bytes(path) == path.read_bytes()


def test_is_a_notebook_that_grew_past_the_limit_while_read_refused(tmp_path, monkeypatch):
    path = tmp_path / "grown.ipynb"
    path.write_text(json.dumps(_nb(GOOD)) + " " * 4000)
    monkeypatch.setattr(extract_module, "MAX_NOTEBOOK_BYTES", 1000)
    monkeypatch.setattr(extract_module.os, "fstat", _stat_saying(10, os.fstat))
    with pytest.raises(NotebookError, match="grew beyond"):
        read_notebook_bytes(path)
