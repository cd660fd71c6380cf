"""Does the grader give every sample submission the scores written down for it?

The sample class (tests/sample_class) holds the reference, the blank release,
alternative correct answers and catalogued mistakes; expected_scores.json says
what each function must score, from what each answer does.
"""

import json
import re
from pathlib import Path

import pytest

from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import NOTEBOOKS
from tests.sample_class.students import STUDENTS

CLASS = Path(__file__).resolve().parents[2] / "sample_class"
EXPECTED = json.loads((CLASS / "expected_scores.json").read_text())
SUBMISSIONS = [(student, assignment) for student in STUDENTS for assignment in NOTEBOOKS]


@pytest.fixture(scope="module", params=["", "another course's secret"], ids=["no secret", "a secret"])
def graded(request):
    """The class graded under a course secret: the written-down scores hold whatever the hidden
    inputs it gives each student."""
    with Graders() as graders:
        yield {
            (student, assignment): grade_notebook(
                CLASS / "submitted" / student / assignment / NOTEBOOKS[assignment],
                secret=request.param, graders=graders)
            for student, assignment in SUBMISSIONS
        }


@pytest.mark.parametrize(("student", "assignment"), SUBMISSIONS)
def test_each_function_gets_its_written_down_score(graded, student, assignment):
    result = graded[(student, assignment)]
    assert result.student == student and result.assignment == assignment
    scores = {name: f.score for name, f in result.functions.items()}
    assert scores == pytest.approx(EXPECTED[student][assignment])
    assert result.score == pytest.approx(sum(EXPECTED[student][assignment].values()))


@pytest.mark.parametrize("student", [s for s in STUDENTS if "hint_contains" in EXPECTED[s]])
def test_catalogued_mistakes_are_named_in_the_hint(graded, student):
    for assignment in NOTEBOOKS:
        for name, function in graded[(student, assignment)].functions.items():
            phrase = EXPECTED[student]["hint_contains"].get(name)
            if phrase:
                assert phrase in (function.hint or ""), (name, function.hint)


@pytest.mark.parametrize("student", [s for s in STUDENTS if "status" in EXPECTED[s]])
def test_unfinished_work_has_the_expected_status(graded, student):
    statuses = {name: f.status for a in NOTEBOOKS for name, f in graded[(student, a)].functions.items()}
    for name, status in EXPECTED[student]["status"].items():
        assert statuses[name] == status, name


def test_the_blank_release_scores_zero_with_clear_messages(graded):
    for assignment in NOTEBOOKS:
        result = graded[("gia", assignment)]
        assert result.score == 0
        for function in result.functions.values():
            assert function.status == "missing"
            assert all("not written yet" in c.message for c in function.checks)


def test_the_reference_gets_full_marks_and_a_passing_status(graded):
    for assignment in NOTEBOOKS:
        result = graded[("ada", assignment)]
        assert result.score == result.max_score
        assert {f.status for f in result.functions.values()} == {"passed"}


def test_hidden_expected_values_never_appear_in_hidden_check_messages(graded):
    for result in graded.values():
        for function in result.functions.values():
            for check in function.checks:
                if check.name.startswith("hidden") and not check.passed:
                    assert not re.search(r"expected\W{0,3}-?\d", check.message), check.message


def test_the_sample_notebooks_are_what_the_builder_writes(tmp_path):
    from tests.sample_class.build import build

    fresh = build(tmp_path / "submitted")
    for path in sorted(fresh.rglob("*.ipynb")):
        committed = CLASS / "submitted" / path.relative_to(fresh)
        assert committed.read_text() == path.read_text(), committed
