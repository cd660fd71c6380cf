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


def test_does_each_unreadable_line_say_exactly_why():
    text = (f"{HEADER}\n"
            "cleo,regularization,,+1\n"
            "cleo,homework,,+1,why\n"
            f"cleo,regularization,{COST}x,+1,why\n"
            "cleo,regularization,,1e3,why\n"
            "cleo,regularization,,+1,  \n"
            " ,regularization,,+1,why\n")
    _, problems = parse(text)
    names = ", ".join(overrides.reference.load(REG).names)
    assert [str(p) for p in problems] == [
        "line 2: 4 cells, 5 expected (student,assignment,function,points,reason)",
        "line 3: no assignment 'homework' (one of initialization, regularization, gradient_checking)",
        f"line 4: regularization has no graded function '{COST}x' (its functions: {names}; leave it empty "
        "for the total)",
        "line 5: points '1e3' are not a number (a new score such as 8, or a change such as +2 or -1.5)",
        "line 6: no reason (the student reads it on their feedback page)",
        "line 7: no student"]


@pytest.mark.parametrize("spelled", ["gradient_checking", "Gradient Checking", "gradient-checking",
                                     " GRADIENT checking "])
def test_is_an_assignment_read_by_its_name_or_its_title_in_any_case(spelled):
    (found,), _ = parse(f"{HEADER}\ncleo,{spelled},,+1,why\n")
    assert found.assignment == "gradient_checking"


def test_is_only_the_quote_before_a_formula_start_taken_off_an_id():
    found, _ = parse(f"{HEADER}\n'ab,regularization,,+1,why\n'=x,regularization,,+1,why\n")
    assert [o.student for o in found] == ["'ab", "=x"]


def test_is_a_file_that_is_not_csv_reported_on_its_line_and_the_lines_before_applied():
    found, problems = parse(f'"student"x,{HEADER[8:]}\ncleo,regularization,,+1,why\n')
    assert found == [] and [str(p) for p in problems] == [
        "line 1: not CSV (',' expected after '\"'); nothing in the file was applied"]
    found, problems = parse(f"{HEADER}\ncleo,regularization,,+1,why\n\"dev\"x,regularization,,+1,why\n"
                            "ada,regularization,,+1,why\n")
    assert [o.student for o in found] == ["cleo"]
    assert [str(p) for p in problems] == [
        "line 3: not CSV (',' expected after '\"'); the lines after it were not read"]
    assert parse("") == ([], [])


def test_is_a_reason_kept_with_the_line_breaks_it_was_written_with():
    (found,), _ = parse(f'{HEADER}\r\ncleo,regularization,,+1,"first\r\nsecond"\r\n')
    assert found.reason == "first\r\nsecond" and found.line == 3  # a line's number: where it ends


def test_does_a_wrong_first_row_show_at_most_120_characters_of_it():
    header = "id," + "x" * 200
    (problem,) = parse(f"{header}\ncleo,regularization,,+1,why\n")[1]
    assert str(problem) == ("line 1: the first row must begin with student,assignment,function,points,reason "
                            f"(it is {header[:120]!r}); nothing in the file was applied")
    (problem,) = parse("id,name,x\n")[1]
    assert "(it is 'id,name,x')" in str(problem)


def test_is_a_file_that_cannot_be_read_or_is_not_utf8_reported_without_a_line(tmp_path):
    (tmp_path / overrides.FILE).mkdir()
    assert overrides.load(tmp_path) == ([], [overrides.Problem(
        0, f"cannot read {tmp_path / overrides.FILE} (Is a directory); nothing in it was applied")])
    (tmp_path / overrides.FILE).rmdir()
    (tmp_path / overrides.FILE).write_bytes(f"{HEADER}\ncl\xe9o,regularization,,+1,why\n".encode("latin-1"))
    found, (problem,) = overrides.load(tmp_path)
    assert found == [] and problem == overrides.Problem(
        0, f"{tmp_path / overrides.FILE} is not UTF-8 text; nothing in it was applied")
    assert str(problem) == problem.text  # no line to name


def test_is_the_files_digest_its_sha256_and_none_without_a_file(tmp_path):
    import hashlib

    assert overrides.digest(tmp_path) is None
    (tmp_path / overrides.FILE).write_bytes(b"student\n")
    assert overrides.digest(tmp_path) == hashlib.sha256(b"student\n").hexdigest()


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


@pytest.mark.parametrize("flags", [("--late-penalty", "10"), ("--late-cap", "30"),
                                   ("--late-penalty", "10", "--late-cap", "30")])
def test_is_a_late_penalty_without_a_due_date_refused_before_anything_is_graded(tmp_path, capsys, flags):
    (tmp_path / "class").mkdir()
    shutil.copy(CLASS / "ada" / REG / "Regularization.ipynb", tmp_path / "class")
    status = main(["grade-class", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs", "1",
                   *flags])
    said = capsys.readouterr()
    assert status == 2
    named = " and ".join(flag for flag in flags if flag.startswith("--"))
    assert said.err.startswith(f"error: {named} without --due: a late penalty counts from a due date")
    assert not (tmp_path / "out" / "results").exists()  # nothing graded, nothing written


def test_may_a_new_score_be_anything_from_0_to_the_points_of_what_it_sets():
    for points, total in (("0", 0.0), ("50", 50.0), ("0.5", 0.5)):
        _, new = adjusted(f"{HEADER}\ncleo,regularization,,{points},regrade\n")
        assert new["results"][0]["score"] == total
    adjuster, new = adjusted(f"{HEADER}\ncleo,regularization,,50.5,regrade\n")
    assert new["results"][0]["score"] == 40 and len(adjuster.not_applied()) == 1


def test_does_a_function_set_to_zero_take_its_points_off_the_total_down_to_zero():
    _, new = adjusted(f"{HEADER}\ncleo,regularization,{COST},0,copied\n", row_of(total=3.0, cost=3.0))
    result = new["results"][0]
    assert (result["functions"][COST]["score"], result["score"]) == (0.0, 0.0)
    _, new = adjusted(f"{HEADER}\ncleo,regularization,{COST},2,partly\n", row_of(total=30.0, cost=5.0))
    assert new["results"][0]["score"] == 27.0


def test_does_each_adjustment_record_what_the_student_and_the_instructor_read():
    _, new = adjusted(f"{HEADER}\ncleo,regularization,,+2,bonus\n")
    result = new["results"][0]
    assert result["adjustments"] == [{"line": 2, "kind": "override", "target": REG, "points": "+2",
                                      "before": 40.0, "after": 42.0, "reason": "bonus", "said": "40 → 42"}]
    assert result["provenance"] == {"seed": 1, "adjustments": {"file": "overrides.csv", "sha256": None,
                                                               "applied": result["adjustments"]}}
    assert new["notes"] == [f"{REG}: adjusted by your instructor: bonus (40 → 42)"]


def test_is_a_row_nothing_applies_to_returned_as_it_is():
    row = row_of()
    adjuster = Adjuster(*parse(f"{HEADER}\nzoe,regularization,,+1,why\n"))
    assert adjuster.apply(row) is row
    assert bool(adjuster) and not Adjuster() and bool(Adjuster(late=LateRule("2026-03-01T23:59", 10)))
    assert bool(Adjuster([], [overrides.Problem(1, "x")]))


def test_are_adjustments_of_a_line_since_removed_taken_off_the_row():
    # a stored row adjusted by an earlier file (its provenance says so), the file's line gone
    _, before = adjusted(f"{HEADER}\ncleo,regularization,,+2,bonus\n")
    stored = copy.deepcopy(before)
    stored["results"][0]["score"] = 40.0
    stored["notes"] = []
    _, after = adjusted(f"{HEADER}\n", stored)
    result = after["results"][0]
    assert "adjustments" not in result and "adjustments" not in result["provenance"]
    assert result["provenance"] == {"seed": 1} and after["notes"] == []


def test_does_a_result_without_provenance_get_one_with_its_adjustments():
    row = row_of()
    del row["results"][0]["provenance"]
    _, new = adjusted(f"{HEADER}\ncleo,regularization,,+1,why\n", row)
    assert new["results"][0]["provenance"]["adjustments"]["applied"][0]["after"] == 41.0


def test_does_the_late_rule_apply_to_a_student_without_lines_and_spare_one_without_a_time():
    rule = LateRule("2026-03-01T23:59", per_day=10)
    late = row_of()
    late["times"] = {REG: "2026-03-02T09:00:00"}
    adjuster, new = adjusted(f"{HEADER}\n", late, late=rule)
    (adjustment,) = new["results"][0]["adjustments"]
    assert (adjustment["line"], adjustment["kind"], adjustment["target"], adjustment["said"]) == (
        0, "late", REG, "40 → 35")
    assert adjuster.summary() == [
        "instructor adjustments (overrides.csv and the late rule): 1 applied, 0 not applied",
        f"  late rule: cleo {REG} 40 → 35 (handed in 1 day after the due date (2026-03-02T09:00:00 for "
        "2026-03-01T23:59): 10% of the points off (10% a day))"]
    _, untimed = adjusted(f"{HEADER}\n", row_of("dev"), late=rule)
    assert "adjustments" not in untimed["results"][0]


def test_is_every_refused_or_unmatched_line_reported_after_a_refused_one():
    adjuster, _ = adjusted(f"{HEADER}\ncleo,regularization,,70,typo\nzoe,regularization,,+1,why\n")
    assert [p.line for p in adjuster.not_applied()] == [2, 3]


def test_does_the_summary_list_adjustments_by_line_then_student_and_say_nothing_without_any():
    adjuster = Adjuster(*parse(f"{HEADER}\ncleo,regularization,,+1,a\nada,regularization,,+2,b\n"
                               "ada,regularization,,+1,c\n"))
    assert Adjuster().summary() == []
    for student in ("cleo", "ada"):
        adjuster.apply(row_of(student))
    assert adjuster.summary() == [
        "instructor adjustments (overrides.csv): 3 applied, 0 not applied",
        f"  line 2: cleo {REG} 40 → 41 (a)", f"  line 3: ada {REG} 40 → 42 (b)",
        f"  line 4: ada {REG} 42 → 43 (c)"]
    listed = [(student, a["line"]) for student, a in adjuster.listing()]
    assert listed == [("ada", 3), ("ada", 4), ("cleo", 2)]
    only_problems = Adjuster(*parse(f"{HEADER}\nzoe,regularization,,+1,why\n"))
    assert only_problems.summary() == [
        "instructor adjustments (overrides.csv): 0 applied, 1 not applied",
        "  not applied: line 2: no student 'zoe' in this class's grades; not applied"]


def test_do_two_students_adjusted_by_one_line_come_in_the_order_of_their_ids():
    adjuster = Adjuster(*parse(f"{HEADER}\ncleo,regularization,,+1,a\n"))
    adjuster.overrides.append(Override(2, "ada", REG, None, 1.0, True, "a"))
    adjuster.by_target[("ada", REG)] = [adjuster.overrides[-1]]
    for student in ("cleo", "ada"):
        adjuster.apply(row_of(student))
    assert adjuster.summary()[1:] == [f"  line 2: ada {REG} 40 → 41 (a)", f"  line 2: cleo {REG} 40 → 41 (a)"]


@pytest.mark.parametrize(("per_day", "cap"), [(0, 0), (100, 100), (0, 100), (100, 0)])
def test_is_a_late_rule_of_percentages_from_0_to_100_accepted(per_day, cap):
    assert LateRule("2026-03-01T23:59", per_day, cap).cap == cap


@pytest.mark.parametrize(("per_day", "cap"), [(-1, 50), (100.5, 50), (10, -0.5), (10, 100.5), (101, 101)])
def test_is_a_late_rule_outside_the_percentages_refused_with_why(per_day, cap):
    with pytest.raises(ValueError) as refused:
        LateRule("2026-03-01T23:59", per_day, cap)
    assert str(refused.value) == "the late penalty and its cap are percentages from 0 to 100"


def test_does_the_late_rule_count_every_day_started_and_say_it():
    rule = LateRule("2026-03-01 00:00:00", per_day=10, cap=100)
    one_second = rule.override("ada", REG, "2026-03-02T00:00:01", 50)  # a day and a second: two days
    assert one_second == Override(0, "ada", REG, None, -10.0, True,
                                  "handed in 2 days after the due date (2026-03-02T00:00:01 for "
                                  "2026-03-01 00:00:00): 20% of the points off (10% a day)", kind="late")
    exactly = rule.override("ada", REG, "2026-03-02 00:00:00", 50)
    assert exactly.points == -5.0 and "handed in 1 day after" in exactly.reason
    capped = LateRule("2026-03-01T00:00", per_day=10, cap=15).override("ada", REG, "2026-03-03T00:00", 40)
    assert capped.reason.endswith("15% of the points off (10% a day, capped at 15%)")
    assert capped.points == -6.0
    assert overrides.parse_time(" 2026-03-01 23:59 ") == overrides.parse_time("2026-03-01T23:59")


def test_is_a_provenance_of_adjustments_since_removed_taken_off_the_stored_row(tmp_path):
    (tmp_path / "results").mkdir()
    stored = row_of()
    _, adjusted_row = adjusted(f"{HEADER}\ncleo,regularization,,+1,why\n", stored)
    kept = adjusted_row["results"][0]["provenance"]["adjustments"]
    stored["results"][0]["provenance"]["adjustments"] = kept
    stored["seal"] = batch.seal(stored, "secret")
    assert overrides.keep_in_provenance(tmp_path, stored, row_of(), "secret") is True
    written = json.loads((tmp_path / "results" / "cleo.json").read_text())
    assert written["results"][0]["provenance"] == {"seed": 1} and batch.is_sealed(written, "secret")
    assert overrides.keep_in_provenance(tmp_path, written, row_of(), "secret") is False
    other = {**row_of(), "results": []}  # the adjusted row lacks the assignment: nothing to keep
    assert overrides.keep_in_provenance(tmp_path, written, other, "secret") is False
    plain = row_of()
    del plain["results"][0]["provenance"]  # nor does a result without provenance
    assert overrides.keep_in_provenance(tmp_path, written, plain, "secret") is False
    bare = row_of()
    del bare["results"][0]["provenance"]
    bare["seal"] = batch.seal(bare, "secret")
    assert overrides.keep_in_provenance(tmp_path, bare, adjusted_row, "secret") is True
    edited = {**written, "seal": "0" * 64}
    assert overrides.keep_in_provenance(tmp_path, edited, adjusted_row, "secret") is False


def test_is_a_row_without_provenance_or_lines_returned_as_it_is_and_an_adjusted_one_keeps_its_fields():
    row = row_of()
    del row["results"][0]["provenance"]
    adjuster = Adjuster(*parse(f"{HEADER}\nzoe,regularization,,+1,why\n"))
    assert adjuster.apply(row) is row
    _, new = adjusted(f"{HEADER}\ncleo,regularization,,+1,why\n")
    assert new.keys() == row_of().keys()


def test_does_the_listing_give_each_students_adjustments_in_the_files_order_across_assignments():
    row = row_of("ada")
    initialization = copy.deepcopy(row["results"][0])
    initialization.update(assignment="initialization", score=20.0, max_score=30.0, functions={})
    row["results"].append(initialization)
    adjuster = Adjuster(*parse(f"{HEADER}\nada,regularization,,+1,a\nada,initialization,,+1,b\n"))
    adjuster.apply(row)
    assert [(student, a["line"], a["target"]) for student, a in adjuster.listing()] == [
        ("ada", 2, "regularization"), ("ada", 3, "initialization")]
