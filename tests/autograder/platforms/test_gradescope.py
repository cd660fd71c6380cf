"""Does Gradescope's adapter keep what grading noted about a submission of one assignment in the
output the student reads? (The whole results.json, run as Gradescope runs it, is asked in
tests/deploy/test_gradescope.py.)"""

import json
import shutil
from pathlib import Path

from autograder.grading import reference
from autograder.platforms import gradescope

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
GC = "gradient_checking"


def test_are_two_notebooks_of_the_assignment_graded_the_better_counting_and_said_so(tmp_path):
    (tmp_path / "work").mkdir()
    shutil.copy(CLASS / "cleo" / GC / reference.NOTEBOOKS[GC], tmp_path / "work" / "my copy.ipynb")
    shutil.copy(CLASS / "ada" / GC / reference.NOTEBOOKS[GC], tmp_path / reference.NOTEBOOKS[GC])
    data = gradescope.verdict(tmp_path, [GC], "student", "a course secret")
    best = sum(EXPECTED["ada"][GC].values())
    assert best > sum(EXPECTED["cleo"][GC].values())
    assert data["output"].splitlines() == [f"Gradient Checking: {best:g}/{best:g}",
                                           "two notebooks for gradient_checking; the higher score counts"]
    assert {t["name"]: t["score"] for t in data["tests"]} == EXPECTED["ada"][GC]
