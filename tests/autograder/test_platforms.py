"""Does the one call the platforms grade through, ``grade_upload``, grade one student's upload on
one assignment or on every assignment it shows, with sandboxes of its own that it stops after?"""

import json
from pathlib import Path

import pytest

from autograder import platforms
from autograder.grading import grade, reference

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
REG, GC = "regularization", "gradient_checking"


def _upload(student, *assignments):
    return [(None, str(CLASS / student / a / reference.NOTEBOOKS[a])) for a in assignments]


@pytest.fixture
def closed(monkeypatch):
    """How many sandbox sets were stopped while the test ran."""
    stops = []

    class Counted(grade.Graders):
        def close(self):
            stops.append(self)
            super().close()

    monkeypatch.setattr(grade, "Graders", Counted)
    return stops


def _scores(result):
    return {name: function["score"] for name, function in result["functions"].items()}


def test_is_an_upload_graded_on_one_assignment_given_that_ones_result_and_the_others_noted(closed):
    row = platforms.grade_upload("ada", _upload("ada", GC, REG), "a course secret", REG)
    assert [result["assignment"] for result in row["results"]] == [REG]
    assert _scores(row["results"][0]) == EXPECTED["ada"][REG]
    assert row["misfiled"] == [{"file": reference.NOTEBOOKS[GC], "assignment": GC}]
    assert row["student"] == "ada" and row["assignment"] == REG
    assert closed  # its sandboxes do not outlive the upload


def test_is_an_upload_graded_on_every_assignment_its_notebooks_show(closed):
    row = platforms.grade_upload("cleo", _upload("cleo", GC, REG), "a course secret")
    assert [result["assignment"] for result in row["results"]] == [REG, GC]  # the course's order
    assert [_scores(result) for result in row["results"]] == [EXPECTED["cleo"][REG], EXPECTED["cleo"][GC]]
    assert "no notebook for initialization" in row["notes"] and "assignment" not in row
    assert closed
