"""Can an appeal be answered from the record: does ``python -m autograder appeal OUT STUDENT``
print what the grader saw and decided (each check, the role of each hidden case, the hint,
the adjustments, the provenance) and whether the stored result is as the grader sealed it?

cleo's Regularization (the L2 cost without 1/m: 40 of 50) is graded once by ``grade-class``
in this process, with dev's under the id ``-dev`` (which ``grades.csv`` shows as ``'-dev``, so
no spreadsheet reads it as a formula); the record is then read as an instructor would.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import appeal, batch

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
REG = "regularization"
COST = "compute_cost_with_regularization"
DEV = "-dev"  # an id that begins like a formula


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("appeal")
    shutil.copytree(CLASS / "cleo" / REG, folder / "class" / "cleo" / REG)
    shutil.copytree(CLASS / "dev" / REG, folder / "class" / DEV / REG)
    (folder / "course.secret").write_text("an appeal secret\n")
    (folder / "out").mkdir()
    (folder / "out" / "overrides.csv").write_text(
        f"student,assignment,function,points,reason\ncleo,{REG},{COST},+5,half credit after the appeal\n")
    assert main(["grade-class", str(folder / "class"), "--out", str(folder / "out"), "--jobs", "1",
                 "--secret-file", str(folder / "course.secret")]) == 0
    return folder


def appeal_of(graded, capsys, *options):
    status = main(["appeal", str(graded / "out"), *options])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_does_the_record_show_each_check_its_role_the_hint_and_the_adjustment(graded, capsys):
    status, said, _ = appeal_of(graded, capsys, "cleo", "--assignment", REG,
                                "--secret-file", str(graded / "course.secret"))
    assert status == 0
    lines = said.splitlines()
    assert lines[:3] == ["student: cleo", "status: graded",
                         "seal: holds (the result is as the grader stored it)"]
    assert f"== {REG}: 45/50 (graded 40, adjusted)" in lines
    functions = [line.split(":")[0][3:] for line in lines if line.startswith("-- ")]
    assert functions == [COST, "backward_propagation_with_regularization", "forward_propagation_with_dropout",
                         "backward_propagation_with_dropout"]  # in the notebook's order
    heading = f"-- {COST}: 5/10, failed (graded 0, adjusted)"
    cost = lines[lines.index(heading) + 1:]
    hidden = next(i for i, line in enumerate(cost) if line.strip().startswith("FAILED hidden case"))
    assert cost[hidden + 1].strip().startswith("tests: ")  # the case's role, the same for every student
    assert cost[hidden + 2].strip().startswith("said: ")  # what the student was told
    name = cost[hidden].strip().removeprefix("FAILED ").rsplit(" (", 1)[0]
    assert cost[hidden + 1].strip() == f"tests: {appeal.roles(REG, COST)[name]}"
    assert any(line.strip().startswith("hint: ") and "divided by m" in line for line in cost)
    assert f"adjusted (overrides.csv line 2): {REG}:{COST} 0 → 5: half credit after the appeal" in lines
    provenance = lines[lines.index("provenance:") + 1:]
    assert any(line.startswith("  seed: ") for line in provenance)
    assert any(line.startswith("  source_sha256: ") and COST in line for line in provenance)


def test_does_the_record_say_when_the_stored_result_is_not_as_the_grader_sealed_it(graded, capsys):
    path = graded / "out" / "results" / "cleo.json"
    kept = path.read_text()
    try:
        _, said, _ = appeal_of(graded, capsys, "cleo", "--secret-file", str(graded / "course.secret"))
        assert "seal: holds" in said
        row = json.loads(kept)
        row["results"][0]["functions"][COST]["score"] = 10.0
        path.write_text(json.dumps(row))
        _, said, _ = appeal_of(graded, capsys, "cleo", "--secret-file", str(graded / "course.secret"))
        assert "seal: DOES NOT HOLD under this secret" in said
        _, said, _ = appeal_of(graded, capsys, "cleo")
        assert "seal: not checked" in said
    finally:
        path.write_text(kept)
    assert batch.is_sealed(json.loads(kept), "an appeal secret")


def test_is_a_student_without_a_record_a_usage_error_naming_those_with_one(graded, capsys):
    status, said, err = appeal_of(graded, capsys, "zoe")
    assert status == 2 and said == ""
    assert "no stored result for 'zoe'" in err and f"students there: {DEV}, cleo" in err


def test_is_an_id_that_reads_as_a_path_never_a_file_outside_the_stored_results(graded, capsys):
    outside = graded / "out" / "outside.json"  # OUT/results/../outside.json
    outside.write_text((graded / "out" / "results" / "cleo.json").read_text())
    try:
        status, said, err = appeal_of(graded, capsys, "../outside")
    finally:
        outside.unlink()
    assert status == 2 and said == "" and "no stored result for '../outside'" in err


def test_does_the_record_say_when_the_assignment_asked_for_was_not_graded(graded, capsys):
    status, said, _ = appeal_of(graded, capsys, "cleo", "--assignment", "initialization")
    assert status == 0
    assert "no graded initialization notebook in this record (graded: regularization)" in said


def test_is_a_student_id_given_as_grades_csv_shows_it_read_as_the_id(graded, capsys):
    with open(graded / "out" / "grades.csv", newline="", encoding="utf-8") as handle:
        shown = [row["student"] for row in csv.DictReader(handle)]
    assert f"'{DEV}" in shown  # as the CSV writer quoted it
    status, said, _ = appeal_of(graded, capsys, f"'{DEV}")
    assert status == 0 and said.splitlines()[0] == f"student: {DEV}"
    assert appeal_of(graded, capsys, "--", DEV)[1] == said  # the same record as by its id
    status, _, err = appeal_of(graded, capsys, "'cleo")  # a quote before a letter is part of the id
    assert status == 2 and "no stored result for \"'cleo\"" in err


def test_does_the_record_list_the_students_lines_that_were_not_applied_and_why(graded, capsys):
    path = graded / "out" / "overrides.csv"
    kept = path.read_text()
    try:
        path.write_text(kept + f"cleo,{REG},,70,beyond the points\n"  # line 3: refused, out of range
                               "cleo,initialization,,+1,no such notebook\n"  # line 4: nothing to adjust
                               f"'{DEV},{REG},,+1,as grades.csv shows the id\n"  # line 5: dev's, applied
                               f"zoe,{REG},,+1,not in the class\n"  # line 6: someone else's
                               f"cleo,{REG},,lots,a typo\n")  # line 7: unreadable, no one's
        _, said, _ = appeal_of(graded, capsys, "cleo")
        lines = said.splitlines()
        unread = lines.index("overrides.csv: lines not applied to anyone (the class summary lists all):")
        assert lines[unread + 1].startswith("  line 7: points 'lots' are not a number")
        mine = lines[lines.index("overrides.csv: lines for cleo not applied:") + 1:]
        assert mine == [f"  line 3: cleo {REG}: 70 is not between 0 and 50; not applied",
                        "  line 4: cleo has no graded initialization notebook; not applied"]
        assert f"adjusted (overrides.csv line 2): {REG}:{COST} 0 → 5: half credit after the appeal" in lines
        _, said, _ = appeal_of(graded, capsys, "cleo", "--assignment", "initialization")
        assert said.splitlines()[-1] == "  line 4: cleo has no graded initialization notebook; not applied"
        _, said, _ = appeal_of(graded, capsys, f"'{DEV}")
        assert f"adjusted (overrides.csv line 5): {REG} 20 → 21: as grades.csv shows the id" in said
        assert "lines for -dev not applied" not in said
    finally:
        path.write_text(kept)
