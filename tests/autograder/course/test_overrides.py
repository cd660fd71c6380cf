"""Do an instructor's adjustments in ``overrides.csv`` (and the late rule) reach every export, the
feedback page, the summary, the report and the provenance, and survive reruns and ``--rescore``?
Is a line that cannot be read reported with its number, and does nothing else change then?

The unit tests read the file and lay it over rows made here; the class tests grade three
students of the sample class (ada 50, cleo 40, dev 20 in Regularization) with
``python -m autograder grade-class`` in this process, once, then again after each change.
"""

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import batch, overrides
from autograder.course.overrides import Adjuster, LateRule, Override, parse

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
REG = "regularization"
COST = "compute_cost_with_regularization"
HEADER = "student,assignment,function,points,reason"


def row_of(student="cleo", total=40.0, cost=0.0):
    """A stored row of one Regularization result (the other functions' points make ``total``)."""
    functions = {COST: {"score": cost, "max_score": 10.0, "status": "failed" if cost < 10 else "passed",
                        "checks": [], "hint": None},
                 "forward_propagation_with_dropout": {"score": total - cost, "max_score": 40.0,
                                                      "status": "partial", "checks": [], "hint": None}}
    return {"student": student, "status": "graded", "notes": [],
            "results": [{"assignment": REG, "student": student, "score": total, "max_score": 50.0,
                         "functions": functions, "error": None, "provenance": {"seed": 1}}]}


def adjusted(text, row=None, **options):
    found, problems = parse(text)
    adjuster = Adjuster(found, problems, **options)
    return adjuster, adjuster.apply(row or row_of())


# Reading the file -------------------------------------------------------------------------------

def test_are_new_scores_and_changes_of_a_function_or_a_total_read_as_written():
    found, problems = parse(f"{HEADER},who\ncleo,regularization,{COST},+2.5,accepted,me\n"
                            "dev,Regularization,,45,regrade,me\nada,regularization,,-1,late by an hour,\n")
    assert problems == []
    assert found == [Override(2, "cleo", REG, COST, 2.5, True, "accepted"),
                     Override(3, "dev", REG, None, 45.0, False, "regrade"),
                     Override(4, "ada", REG, None, -1.0, True, "late by an hour")]


def test_is_each_malformed_line_reported_with_its_number_and_every_other_line_read():
    text = (f"{HEADER}\n"
            "cleo,regularization,,+1\n"  # 2: four cells
            "cleo,homework,,+1,why\n"  # 3: no such assignment
            f"cleo,regularization,{COST}x,+1,why\n"  # 4: no such function
            "cleo,regularization,,ten,why\n"  # 5: not a number
            "cleo,regularization,,+1,\n"  # 6: no reason
            '\n"dev",regularization,,+1,"a reason\non two lines"\n'  # 8-9: fine (a blank line 7)
            ",regularization,,+1,why\n")  # 10: no student
    found, problems = parse(text)
    assert [(o.line, o.student, o.reason) for o in found] == [(9, "dev", "a reason\non two lines")]
    assert [p.line for p in problems] == [2, 3, 4, 5, 6, 10]
    said = [str(p) for p in problems]
    assert said[0].startswith("line 2: 4 cells, 5 expected")
    assert "no assignment 'homework'" in said[1] and "has no graded function" in said[2]
    assert "are not a number" in said[3] and "no reason" in said[4] and "no student" in said[5]


def test_does_a_wrong_first_row_apply_nothing_and_say_so_on_line_one():
    found, problems = parse("id,assignment,function,points,reason\ncleo,regularization,,+1,why\n")
    assert found == [] and len(problems) == 1
    assert str(problems[0]).startswith("line 1: the first row must begin with student,assignment")


def test_is_an_id_read_as_grades_csv_spells_it_and_a_byte_order_mark_fine(tmp_path):
    (tmp_path / overrides.FILE).write_text(f"{HEADER}\n'+1+1,regularization,,'+2,why\n", encoding="utf-8-sig")
    found, problems = overrides.load(tmp_path)
    assert problems == [] and (found[0].student, found[0].points, found[0].relative) == ("+1+1", 2.0, True)
    assert overrides.load(tmp_path / "nowhere") == ([], [])


# Laying it over a row ---------------------------------------------------------------------------

def test_does_a_function_change_move_the_function_and_the_total_and_leave_the_stored_row_alone():
    row = row_of()
    kept = copy.deepcopy(row)
    adjuster, new = adjusted(f"{HEADER}\ncleo,regularization,{COST},+10,accepted the other form\n", row)
    assert row == kept
    result = new["results"][0]
    assert result["functions"][COST]["score"] == 10 and result["score"] == 50
    (adjustment,) = result["adjustments"]
    assert (adjustment["before"], adjustment["after"], adjustment["said"]) == (0.0, 10.0, "0 → 10")
    assert result["provenance"]["adjustments"]["applied"] == [adjustment]
    assert result["provenance"]["seed"] == 1
    assert new["notes"] == [f"{REG}:{COST}: adjusted by your instructor: accepted the other form (0 → 10)"]
    assert adjuster.apply(row) == new  # the same however often the exports read it


def test_do_lines_apply_in_order_a_change_cut_at_the_bounds_and_a_new_score_out_of_range_refused():
    adjuster, new = adjusted(f"{HEADER}\ncleo,regularization,,45,regrade\ncleo,regularization,,+20,bonus\n"
                             f"cleo,regularization,{COST},11,typo\ncleo,regularization,,-100,penalty\n")
    result = new["results"][0]
    assert [a["said"] for a in result["adjustments"]] == ["40 → 45", "45 → 50 (+20, cut at 50)",
                                                          "50 → 0 (-100, cut at 0)"]
    assert result["score"] == 0 and result["functions"][COST]["score"] == 0
    assert [str(p) for p in adjuster.not_applied()] == [
        f"line 4: cleo {REG}:{COST}: 11 is not between 0 and 10; not applied"]


def test_is_a_line_for_an_unknown_student_or_an_ungraded_assignment_reported_never_dropped():
    adjuster, _ = adjusted(f"{HEADER}\nzoe,regularization,,+1,why\ncleo,initialization,,+1,why\n"
                           "cleo,regularization,,+1,why\n")
    assert [str(p) for p in adjuster.not_applied()] == [
        "line 2: no student 'zoe' in this class's grades; not applied",
        "line 3: cleo has no graded initialization notebook; not applied"]
    summary = adjuster.summary()
    assert summary[0] == "instructor adjustments (overrides.csv): 1 applied, 2 not applied"
    assert summary[1] == "  line 4: cleo regularization 40 → 41 (why)"


def test_does_the_late_rule_take_its_share_per_day_started_up_to_its_cap():
    rule = LateRule("2026-03-01T23:59", per_day=10, cap=30)
    assert rule.override("ada", REG, "2026-03-01T23:59:00", 50) is None  # on time
    assert rule.override("ada", REG, None, 50) is None  # the platform gives no time
    one = rule.override("ada", REG, "2026-03-02T00:00:00", 50)
    assert (one.points, one.relative, one.kind) == (-5.0, True, "late")
    assert "1 day after the due date" in one.reason
    capped = rule.override("ada", REG, "2026-03-09T12:00:00", 50)
    assert capped.points == -15.0 and "capped at 30%" in capped.reason
    with pytest.raises(ValueError, match="not a time"):
        LateRule("next friday", 10)


def test_does_a_late_rule_that_takes_nothing_list_nothing():
    row = row_of()
    row["times"] = {REG: "2026-03-03T10:00:00"}  # two days late
    for rule in (LateRule("2026-03-01T23:59", per_day=0), LateRule("2026-03-01T23:59", per_day=10, cap=0)):
        assert rule.override("cleo", REG, "2026-03-03T10:00:00", 50) is None
        adjuster, new = adjusted(HEADER + "\n", row, late=rule)
        assert "adjustments" not in new["results"][0] and new["notes"] == []
        assert adjuster.listing() == [] and adjuster.summary() == []


def test_does_an_instructors_line_still_set_a_score_after_the_late_rule():
    row = row_of()
    row["times"] = {REG: "2026-03-03T10:00:00"}
    _, new = adjusted(f"{HEADER}\ncleo,regularization,,40,excused: ill\n", row,
                      late=LateRule("2026-03-01T23:59", per_day=10))
    result = new["results"][0]
    assert [(a["kind"], a["said"]) for a in result["adjustments"]] == [("late", "40 → 30"),
                                                                       ("override", "30 → 40")]
    assert result["score"] == 40


def test_is_the_provenance_kept_in_the_stored_row_sealed_again_but_never_over_an_edited_one(tmp_path):
    (tmp_path / "results").mkdir()
    row = row_of()
    row["seal"] = batch.seal(row, "secret")
    _, new = adjusted(f"{HEADER}\ncleo,regularization,,+1,why\n", row)
    assert overrides.keep_in_provenance(tmp_path, row, new, "secret")
    stored = json.loads((tmp_path / "results" / "cleo.json").read_text())
    assert batch.is_sealed(stored, "secret") and stored["results"][0]["score"] == 40  # the grader's
    assert stored["results"][0]["provenance"]["adjustments"]["applied"][0]["after"] == 41
    assert not overrides.keep_in_provenance(tmp_path, stored, new, "secret")  # unchanged: not written
    edited = {**stored, "status": "edited by hand"}
    assert not overrides.keep_in_provenance(tmp_path, edited, row_of(), "secret")


# A class graded again and again ------------------------------------------------------------------

def grade(folder, capsys, *options):
    """grade-class of ``folder/class`` into ``folder/out`` in this process; ``(status, summary)``."""
    secret = folder / "course.secret"
    if not secret.exists():
        secret.write_text("a course secret\n")
    status = main(["grade-class", str(folder / "class"), "--out", str(folder / "out"), "--jobs", "1",
                   "--assignment", REG, "--secret-file", str(secret), *options])
    return status, capsys.readouterr().out


def grades(folder):
    with open(folder / "out" / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    for student in ("ada", "cleo", "dev"):
        shutil.copytree(CLASS / student / REG, folder / "class" / student / REG)
    (folder / "out").mkdir()
    (folder / "out" / overrides.FILE).write_text(
        f"{HEADER},who,when\ncleo,regularization,{COST},+10,the L2 cost without 1/m was accepted in class,"
        "T. A.,2026-03-02\ndev,Regularization,,45,regrade request: <b>dropout</b> marked by hand,T. A.,\n"
        "zoe,regularization,,+5,not in this class,T. A.,\n", encoding="utf-8")
    return folder


def test_are_the_adjustments_in_every_export_the_page_the_summary_and_the_report(course, capsys):
    status, summary = grade(course, capsys)
    assert status == 0
    rows = grades(course)
    assert (rows["cleo"][f"{REG}:{COST}"], rows["cleo"][f"{REG}:total"]) == ("10", "50")
    assert (rows["dev"][f"{REG}:total"], rows["dev"]["total"], rows["ada"]["total"]) == ("45", "45", "50")
    assert "adjusted by your instructor: the L2 cost without 1/m was accepted" in rows["cleo"]["notes"]
    assert "instructor adjustments (overrides.csv): 2 applied, 1 not applied" in summary
    assert f"  line 2: cleo {REG}:{COST} 0 → 10 (the L2 cost without 1/m was accepted in class)" in summary
    assert "  not applied: line 4: no student 'zoe' in this class's grades; not applied" in summary

    page = (course / "out" / "feedback" / "dev" / f"{REG}.html").read_text()
    assert "adjusted by your instructor: regrade request: &lt;b&gt;dropout&lt;/b&gt; marked by hand" in page
    assert "<b>dropout</b>" not in page  # the reason is text on the page
    assert "<strong>45 / 50</strong>" in page
    gradescope = json.loads((course / "out" / "gradescope" / "cleo" / REG / "results.json").read_text())
    assert gradescope["score"] == 50
    cost = next(test for test in gradescope["tests"] if test["name"] == COST)
    assert cost["score"] == 10 and "adjusted by your instructor" in cost["output"]
    report = (course / "out" / "report.html").read_text()
    assert "Instructor adjustments (2 applied, 1 not applied)" in report
    assert "overrides.csv line 3" in report and "no student &#39;zoe&#39;" in report

    stored = json.loads((course / "out" / "results" / "cleo.json").read_text())
    assert stored["results"][0]["score"] == 40  # the grader's score stays as graded ...
    provenance = stored["results"][0]["provenance"]["adjustments"]  # ... and the adjustment beside it
    assert provenance["applied"][0]["line"] == 2 and len(provenance["sha256"]) == 64


def test_do_the_adjustments_survive_two_reruns_and_a_rescore(course, capsys, monkeypatch):
    first = grades(course)
    for _ in range(2):
        status, summary = grade(course, capsys)
        assert status == 0 and grades(course) == first
        assert "2 applied, 1 not applied" in summary
    monkeypatch.setattr(batch, "_code_digest", lambda: "another version of the kit")
    status, summary = grade(course, capsys, "--rescore")
    assert status == 0 and grades(course) == first
    assert "2 applied" in summary
    stored = json.loads((course / "out" / "results" / "dev.json").read_text())
    assert stored["results"][0]["provenance"]["adjustments"]["applied"][0]["after"] == 45


def test_is_a_malformed_line_reported_with_its_number_and_nothing_else_changed(course, capsys):
    before = grades(course)
    path = course / "out" / overrides.FILE
    text = path.read_text(encoding="utf-8")
    try:
        path.write_text(text + "ada,regularization,,fifty,typo,T. A.,\n", encoding="utf-8")
        status, summary = grade(course, capsys)
        assert status == 0
        assert "not applied: line 5: points 'fifty' are not a number" in summary
        assert grades(course) == before
    finally:
        path.write_text(text, encoding="utf-8")


def test_does_the_late_rule_read_the_platforms_time_of_each_attempt(tmp_path, capsys):
    notebook = CLASS / "ada" / REG / "Regularization.ipynb"
    (tmp_path / "class").mkdir()
    shutil.copy(notebook, tmp_path / "class" / f"Week 1_ana_attempt_2026-03-03-09-00-00_{notebook.name}")
    shutil.copy(notebook, tmp_path / "class" / f"Week 1_bo_attempt_2026-03-01-20-00-00_{notebook.name}")
    status, summary = grade(tmp_path, capsys, "--due", "2026-03-01T23:59", "--late-penalty", "10")
    assert status == 0
    rows = grades(tmp_path)
    assert (rows["ana"][f"{REG}:total"], rows["bo"][f"{REG}:total"]) == ("40", "50")
    assert "late rule: ana regularization 50 → 40 (handed in 2 days after the due date" in summary
    stored = json.loads((tmp_path / "out" / "results" / "ana.json").read_text())
    assert stored["times"] == {REG: "2026-03-03T09:00:00"}


def test_is_the_late_rule_off_and_said_so_with_a_due_date_and_no_penalty(tmp_path, capsys):
    notebook = CLASS / "ada" / REG / "Regularization.ipynb"
    (tmp_path / "class").mkdir()
    shutil.copy(notebook, tmp_path / "class" / f"Week 1_ana_attempt_2026-03-03-09-00-00_{notebook.name}")
    status = main(["grade-class", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs", "1",
                   "--due", "2026-03-01T23:59"])
    said = capsys.readouterr()
    assert status == 0
    assert "note: --due without --late-penalty: the late rule is off (no penalty, none listed)" in said.err
    assert "late rule" not in said.out and "instructor adjustments" not in said.out
    ana = grades(tmp_path)["ana"]
    assert ana[f"{REG}:total"] == "50" and "adjusted" not in ana["notes"]
    assert "Instructor adjustments" not in (tmp_path / "out" / "report.html").read_text()
