"""What an instructor reads in grades.csv when a student handed in only some notebooks."""

import csv
import html
import io
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

import pytest

from autograder.course import exports
from autograder.grading import reference


def _row(student, scores):
    """A stored row of grade-class: ``scores`` maps an assignment the student handed in to the
    score of each of its functions."""
    results = [{"assignment": name, "score": sum(functions.values()),
                "functions": {f: {"score": s} for f, s in functions.items()}}
               for name, functions in scores.items()]
    return {"student": student, "status": "graded", "notes": [], "results": results}


def _full_marks(assignment):
    return {f.name: f.points for f in reference.load(assignment).functions}


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_does_a_student_missing_a_notebook_keep_the_classs_max_total_and_score_zero_on_it(tmp_path):
    everything = {name: _full_marks(name) for name in reference.NOTEBOOKS}
    partial = {"regularization": everything["regularization"]}
    path = tmp_path / "grades.csv"
    exports.write_csv([_row("all", everything), _row("some", partial)], path)
    rows = _read(path)
    assert float(rows["some"]["max_total"]) == float(rows["all"]["max_total"])
    assert float(rows["all"]["total"]) == pytest.approx(float(rows["all"]["max_total"]))
    assert float(rows["some"]["total"]) == pytest.approx(sum(everything["regularization"].values()))
    for name in reference.NOTEBOOKS:
        if name != "regularization":
            assert float(rows["some"][f"{name}:total"]) == 0.0
            assert all(float(rows["some"][f"{name}:{f}"]) == 0.0 for f in everything[name])
    # graded as one assignment, the maximum is that assignment's, handed in or not
    exports.write_csv([_row("some", partial)], path, assignments=["gradient_checking"])
    assert float(_read(path)["some"]["max_total"]) == float(sum(everything["gradient_checking"].values()))


# One graded notebook in every export: Gradescope, the feedback page, Coursera, nbgrader ----------

REG = "regularization"
ERROR = "Regularization.ipynb is not UTF-8 text (byte 0)"
RAISED = "published case: raised ZeroDivisionError (line 3 of your backward_propagation_with_dropout cell)"


def _check(name, points, max_points, message=""):
    return {"name": name, "points": points, "max_points": max_points, "passed": not message,
            "category": "exception" if "raised" in message else ("wrong value" if message else ""),
            "message": message}


def _graded():
    """A stored result of Regularization, its functions in sorted order (as stored rows hold them)."""
    wrong = "hidden case 1 [deeper network]: the values are wrong"
    functions = {
        "backward_propagation_with_dropout": {
            "score": 0.0, "max_score": 10.0, "status": "error", "hint": None,
            "checks": [_check("published case", 0.0, 5.0, RAISED),
                       _check("hidden case 1", 0.0, 5.0, RAISED)]},
        "backward_propagation_with_regularization": {
            "score": 10.0, "max_score": 10.0, "status": "passed", "hint": None,
            "checks": [_check("published case", 10.0, 10.0)]},
        "compute_cost_with_regularization": {
            "score": 5.0, "max_score": 10.0, "status": "partial", "hint": "Divide the L2 term by m.",
            "checks": [_check("published case", 5.0, 5.0), _check("hidden case 1", 0.0, 5.0, wrong)]},
        "forward_propagation_with_dropout": {
            "score": 20.0, "max_score": 20.0, "status": "passed", "hint": None,
            "checks": [_check("hidden case 1", 10.0, 10.0), _check("hidden case 1", 10.0, 10.0)]},
    }
    return {"assignment": REG, "student": "ada", "score": 35.0, "max_score": 50.0, "functions": functions,
            "error": None, "provenance": {}}


def _unreadable():
    result = _graded()
    result.update(score=0.0, error=ERROR)
    for function in result["functions"].values():
        function.update(score=0.0, status="error", hint=None, checks=[])
    result["functions"]["compute_cost_with_regularization"]["checks"] = [
        _check("published case", 0.0, 10.0, ERROR)]  # said as the notebook's reason: not again
    return result


def test_does_gradescope_get_each_function_in_notebook_order_with_its_lines_and_hint():
    assert exports.gradescope_result(_graded()) == {
        "score": 35.0, "output": "regularization: 35/50", "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {"name": "compute_cost_with_regularization", "score": 5.0, "max_score": 10.0, "status": "failed",
             "output": "✓ published case\n✗ hidden case 1 [deeper network]: the values are wrong\n"
                       "Hint: Divide the L2 term by m.", "visibility": "visible"},
            {"name": "backward_propagation_with_regularization", "score": 10.0, "max_score": 10.0,
             "status": "passed", "output": "✓ published case", "visibility": "visible"},
            {"name": "forward_propagation_with_dropout", "score": 20.0, "max_score": 20.0, "status": "passed",
             "output": "✓ hidden case 1 (× 2)", "visibility": "visible"},
            {"name": "backward_propagation_with_dropout", "score": 0.0, "max_score": 10.0, "status": "failed",
             "output": f"✗ {RAISED} (× 2)", "visibility": "visible"},
        ]}


def test_does_gradescope_get_the_reason_a_notebook_could_not_be_graded_once_and_no_tests():
    assert exports.gradescope_result(_unreadable()) == {
        "score": 0.0, "output": ERROR, "tests": [], "visibility": "visible", "stdout_visibility": "hidden"}


def test_does_the_feedback_page_show_each_function_its_points_lines_and_hint_in_notebook_order():
    page = exports.feedback_html(_graded())
    assert "<title>Regularization — feedback for ada</title>" in page
    assert "score <strong>35 / 50</strong>" in page
    order = [page.index(f'<section id="{name}">') for name in reference.load(REG).names]
    assert order == sorted(order) and len(order) == 4
    assert '<span class="name">compute_<wbr>cost_<wbr>with_<wbr>regularization</span>' in page
    assert '<span class="points partial">5 / 10</span>' in page
    assert '<li class="passed">✓ published case (5 pt)</li>' in page
    assert ('<li class="passed">✓ hidden case 1 (10 pt) <span class="count">× 2</span></li>') in page
    assert ("✗ <em>wrong value</em> — hidden case 1 [deeper network]: the values are wrong</li>") in page
    assert '<span class="count">(× 2 checks)</span>' in page
    assert '<p class="hint"><strong>Hint:</strong> Divide the L2 term by m.</p>' in page
    assert "Hidden checks use inputs drawn for you alone" in page and exports.ANONYMOUS_NOTICE not in page
    assert "not graded: see" not in page and '<p class="error-box">' not in page


def test_does_the_page_of_a_notebook_that_could_not_be_graded_say_why_once_at_the_top():
    page = exports.feedback_html(_unreadable())
    assert page.count(ERROR) == 1 and f'<p class="error-box">{ERROR}</p>' in page
    assert page.count("not graded: see the reason above") == 4


def test_does_an_anonymous_learners_page_say_whose_inputs_the_hidden_checks_used():
    page = exports.feedback_html(_graded(), anonymous=True)
    assert f'<p class="hint">{exports.ANONYMOUS_NOTICE}</p>' in html.unescape(page)
    assert "Hidden checks used the course's default inputs" in page and "drawn for you alone" not in page


def test_does_coursera_get_the_fraction_of_the_points_and_a_line_per_function():
    summary = ("compute_cost_with_regularization 5/10; backward_propagation_with_regularization 10/10; "
               "forward_propagation_with_dropout 20/20; backward_propagation_with_dropout 0/10")
    assert exports.coursera_feedback(_graded()) == {"fractionalScore": 0.7, "feedback": summary,
                                                    "feedbackType": "HTML"}
    anonymous = exports.coursera_feedback(_graded(), anonymous=True)["feedback"]
    assert anonymous == summary + (" (hidden checks: the course's default inputs, as Coursera did not "
                                   "say who you are)")
    assert exports.coursera_feedback(_unreadable())["feedback"] == ERROR


@pytest.mark.parametrize(("score", "max_score", "fraction"), [
    (10.0, 30.0, 0.333333), (60.0, 50.0, 1.0), (-5.0, 50.0, 0.0), (0.0, 0.0, 0.0)])
def test_is_courseras_fraction_rounded_and_kept_between_zero_and_one(score, max_score, fraction):
    result = {**_graded(), "score": score, "max_score": max_score}
    assert exports.coursera_feedback(result)["fractionalScore"] == fraction


def test_are_courseras_two_files_written_into_the_shared_folder(tmp_path):
    folder = tmp_path / "shared" / "out"
    exports.write_coursera(_graded(), folder, anonymous=True)
    assert sorted(p.name for p in folder.iterdir()) == ["feedback.json", "htmlFeedback.html"]
    assert json.loads((folder / "feedback.json").read_text()) == exports.coursera_feedback(_graded(), True)
    page = (folder / "htmlFeedback.html").read_text(encoding="utf-8")
    assert page == exports.feedback_html(_graded(), True)


@pytest.mark.parametrize(("others", "says"), [
    ([], "No Regularization notebook was found in your submission, so nothing was graded: upload "
         "Regularization.ipynb, your Regularization notebook, to this part."),
    ([("Initialization.ipynb", "initialization"), ("notes.ipynb", None)],
     "This part grades the Regularization notebook, but you uploaded the Initialization notebook "
     "(Initialization.ipynb), so nothing was graded: upload Regularization.ipynb, your Regularization "
     "notebook, to this part."),
    ([("a.ipynb", "initialization"), ("b.ipynb", "gradient_checking"), ("c.ipynb", "initialization")],
     "This part grades the Regularization notebook, but you uploaded the Initialization notebook (a.ipynb), "
     "the Gradient Checking notebook (b.ipynb) and the Initialization notebook (c.ipynb), so nothing was "
     "graded: upload Regularization.ipynb, your Regularization notebook, to this part."),
])
def test_does_an_upload_without_the_assignments_notebook_get_one_plain_sentence(others, says):
    assert exports.not_this_assignment(REG, others, place="part") == says


def test_does_a_students_folder_hold_the_exports_of_the_assignments_graded_now_only(tmp_path):
    stale = tmp_path / "gradescope" / "ada" / "initialization"
    stale.mkdir(parents=True)
    (stale / "results.json").write_text("{}")
    (tmp_path / "feedback" / "ada").mkdir(parents=True)
    (tmp_path / "feedback" / "ada" / "initialization.html").write_text("old")
    kept = tmp_path / "gradescope" / "ada" / "gradient_checking"
    kept.mkdir()
    (kept / "results.json").write_text("{}")
    (kept / "instructor.txt").write_text("not the kit's")  # a folder holding more is not removed
    exports.write_student_exports({"student": "ada", "results": [_graded()]}, tmp_path)
    assert json.loads((tmp_path / "gradescope" / "ada" / REG / "results.json").read_text()) == \
        exports.gradescope_result(_graded())
    assert (tmp_path / "feedback" / "ada" / f"{REG}.html").read_text(encoding="utf-8") == \
        exports.feedback_html(_graded())
    assert not stale.exists() and not (tmp_path / "feedback" / "ada" / "initialization.html").exists()
    assert sorted(p.name for p in kept.iterdir()) == ["instructor.txt"]
    assert sorted(p.name for p in (tmp_path / "feedback" / "ada").iterdir()) == [f"{REG}.html"]


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """An nbgrader gradebook holding Regularization and its grade cells (nbgrader makes its tables
    with alembic, which it runs from the PATH: the venv's)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        with Gradebook(f"sqlite:///{path}") as book:
            book.add_assignment(REG)
            book.update_or_create_notebook("Regularization", REG)
            for spec in reference.load(REG).functions:
                book.update_or_create_grade_cell(f"test_{spec.name}", "Regularization", REG,
                                                 max_score=spec.points, cell_type="code")
    return path


def test_is_a_gradebook_checked_for_the_assignments_before_anything_is_written(gradebook, tmp_path):
    exports.check_gradebook(gradebook, [REG])
    missing = r"^no such gradebook: .*nothing\.db \(`nbgrader generate_assignment` creates it in the course"
    with pytest.raises(exports.GradebookError, match=missing + r" folder\)$"):
        exports.check_gradebook(tmp_path / "nothing.db", [REG])
    (tmp_path / "text.db").write_text("not a database, but long enough to be read as one " * 20)
    with pytest.raises(exports.GradebookError, match=r"text\.db is not an nbgrader gradebook \("):
        exports.check_gradebook(tmp_path / "text.db")
    with pytest.raises(exports.GradebookError) as refused:
        exports.check_gradebook(gradebook, ["initialization", REG, "gradient_checking"])
    assert str(refused.value) == (f"the gradebook {gradebook} has no assignment 'gradient_checking', "
                                  "'initialization'; run `nbgrader generate_assignment gradient_checking "
                                  "initialization` in that course")


def test_does_the_gradebook_get_each_functions_score_as_its_grade_cells_auto_score(gradebook, tmp_path):
    from nbgrader.api import Gradebook

    db = tmp_path / "gradebook.db"
    shutil.copy(gradebook, db)
    rows = [{"student": "ada", "results": [_graded()]}, {"student": "bo", "results": []}]
    assert exports.write_gradebook(rows, db) == 1
    assert exports.write_gradebook(rows, db) == 1  # again: the same submission, updated
    with Gradebook(f"sqlite:///{db}") as book:
        scores = {f"test_{name}": book.find_grade(f"test_{name}", "Regularization", REG, "ada").auto_score
                  for name in _graded()["functions"]}
        assert [s.student.id for s in book.assignment_submissions(REG)] == ["ada"]
    assert scores == {f"test_{name}": f["score"] for name, f in _graded()["functions"].items()}
    other = {"student": "ada", "results": [{**_graded(), "assignment": "initialization"}]}
    with pytest.raises(exports.GradebookError, match="has no assignment 'initialization'; run `nbgrader "
                                                     "generate_assignment initialization` in that course"):
        exports.write_gradebook([other], db)


def test_are_a_students_exports_written_into_a_new_output_folder_and_again_over_themselves(tmp_path):
    out = tmp_path / "new" / "out"
    row = {"student": "ada", "results": [_graded()]}
    exports.write_student_exports(row, out)
    exports.write_student_exports(row, out)  # a second run into the same folder
    assert (out / "gradescope" / "ada" / REG / "results.json").is_file()
    assert (out / "feedback" / "ada" / f"{REG}.html").is_file()
    stale = out / "gradescope" / "ada" / "initialization"
    stale.mkdir()  # an earlier run's folder whose results.json is already gone
    exports.write_student_exports(row, out)
    assert not stale.exists()


def test_are_a_students_exports_written_whole_without_waiting_for_the_disk(tmp_path, monkeypatch):
    # They are made again from the stored results by every run; waiting for the disk thrice per
    # student was most of their time.
    def no_fsync(fd):
        raise AssertionError("an export waited for the disk")

    monkeypatch.setattr(os, "fsync", no_fsync)
    result = _graded()
    exports.write_student_exports({"student": "ada", "results": [result]}, tmp_path)
    written = tmp_path / "gradescope" / "ada" / REG / "results.json"
    assert json.loads(written.read_text()) == exports.gradescope_result(result)
    assert sorted(p.name for p in written.parent.iterdir()) == ["results.json"]  # no temporary left


def test_does_a_page_keep_a_name_that_is_not_valid_unicode_escaped(tmp_path):
    student = os.fsdecode(b"caf\xe9")
    row = {"student": student, "results": [{**_graded(), "student": student}]}
    exports.write_student_exports(row, tmp_path)
    page = (tmp_path / "feedback" / student / f"{REG}.html").read_text(encoding="utf-8")
    assert "caf\\udce9" in page


def test_is_a_function_outside_the_notebook_listed_after_its_functions_and_an_unknown_title_kept():
    result = _graded()
    result["functions"]["a_helper_of_the_student"] = {"score": 0.0, "max_score": 0.0, "status": "passed",
                                                      "hint": None, "checks": []}
    names = [t["name"] for t in exports.gradescope_result(result)["tests"]]
    assert names == [*reference.load(REG).names, "a_helper_of_the_student"]
    page = exports.feedback_html({**result, "assignment": "homework", "functions": {}})
    assert "<title>homework — feedback for ada</title>" in page


def test_does_a_function_that_failed_for_its_own_reason_show_it_on_the_page_of_an_unreadable_notebook():
    result = _unreadable()
    result["functions"]["forward_propagation_with_dropout"]["checks"] = [
        _check("published case", 0.0, 20.0, "published case: raised KeyError: 'keep_prob'")]
    page = exports.feedback_html(result)
    assert page.count("not graded: see the reason above") == 3
    assert "raised KeyError: &#39;keep_prob&#39;" in page


def test_are_the_defaults_an_assignment_and_a_learner_coursera_named(tmp_path):
    assert exports.not_this_assignment(REG, []).endswith("to this assignment.")
    exports.write_coursera(_graded(), tmp_path)
    exports.write_coursera(_graded(), tmp_path)  # again, into the folder it made
    assert exports.ANONYMOUS_NOTICE not in html.unescape((tmp_path / "htmlFeedback.html").read_text())


# An instructor's adjustments (overrides.csv, the late rule), as the grader lays them over a result --

def _adjusted():
    """Regularization with two adjustments: one function's score raised, then the total cut."""
    result = _graded()
    adjustments = [
        {"line": 2, "kind": "override", "target": f"{REG}:compute_cost_with_regularization", "points": "+5",
         "before": 5.0, "after": 10.0, "reason": "the hidden case had a typo", "said": "5 → 10"},
        {"line": 3, "kind": "late", "target": REG, "points": "-4", "before": 40.0, "after": 36.0,
         "reason": "handed in a day late", "said": "40 → 36"},
    ]
    result["functions"]["compute_cost_with_regularization"]["score"] = 10.0
    result["score"] = 36.0
    result["adjustments"] = adjustments
    result["provenance"]["adjustments"] = {"file": "overrides.csv", "sha256": "0" * 64,
                                           "applied": adjustments}
    return result


def test_does_a_students_gradescope_result_say_who_adjusted_the_score_and_why():
    said = exports.gradescope_result(_adjusted())
    assert said["score"] == 36.0
    assert said["output"] == ("regularization: 36/50\n"
                              "adjusted by your instructor: the hidden case had a typo "
                              "(regularization:compute_cost_with_regularization: 5 → 10)\n"
                              "adjusted by your instructor: handed in a day late (regularization: 40 → 36)")
    tests = {test["name"]: test for test in said["tests"]}
    assert tests["compute_cost_with_regularization"]["score"] == 10.0
    assert tests["compute_cost_with_regularization"]["output"].splitlines() == [
        "✓ published case", "✗ hidden case 1 [deeper network]: the values are wrong",
        "Hint: Divide the L2 term by m.", "adjusted by your instructor: the hidden case had a typo (5 → 10)"]
    # the other functions were not adjusted, and the total's adjustment is said once, in the output
    for name in ("backward_propagation_with_regularization", "forward_propagation_with_dropout",
                 "backward_propagation_with_dropout"):
        assert "instructor" not in tests[name]["output"]
    assert tests["forward_propagation_with_dropout"]["output"] == "✓ hidden case 1 (× 2)"


def test_do_an_adjusted_students_exports_say_so_and_the_gradebook_hold_the_new_score(gradebook, tmp_path):
    from nbgrader.api import Gradebook

    row = {"student": "ada", "status": "graded", "notes": [], "results": [_adjusted()]}
    exports.write_student_exports(row, tmp_path)
    written = json.loads((tmp_path / "gradescope" / "ada" / REG / "results.json").read_text(encoding="utf-8"))
    assert written["score"] == 36.0
    assert "handed in a day late (regularization: 40 → 36)" in written["output"]
    db = tmp_path / "gradebook.db"
    shutil.copy(gradebook, db)
    assert exports.write_gradebook([row], db) == 1
    with Gradebook(f"sqlite:///{db}") as book:
        grade = book.find_grade("test_compute_cost_with_regularization", "Regularization", REG, "ada")
        assert grade.auto_score == 10.0


def test_is_a_students_gradescope_file_written_with_its_keys_in_order(tmp_path):
    # the same result gives the same file, whatever order its parts were made in: a rerun changes no byte
    exports.write_student_exports({"student": "ada", "results": [_adjusted()]}, tmp_path)
    text = (tmp_path / "gradescope" / "ada" / REG / "results.json").read_text(encoding="utf-8")
    keys = list(json.loads(text))
    assert keys == sorted(keys)
    assert all(list(test) == sorted(test) for test in json.loads(text)["tests"])


def test_does_the_gradebook_count_every_student_it_wrote(gradebook, tmp_path):
    db = tmp_path / "gradebook.db"
    shutil.copy(gradebook, db)
    rows = [{"student": student, "results": [{**_graded(), "student": student}]}
            for student in ("ada", "bo", "cy")]
    assert exports.write_gradebook(rows, db) == 3


def test_does_writing_the_gradebook_leave_warnings_other_than_sqlalchemys_to_be_seen(gradebook, tmp_path):
    db = tmp_path / "gradebook.db"
    shutil.copy(gradebook, db)

    def rows():
        warnings.warn("a row was read from an old results file", UserWarning, stacklevel=1)
        yield {"student": "ada", "results": [_graded()]}

    with pytest.warns(UserWarning, match="old results file"):
        assert exports.write_gradebook(rows(), db) == 1


def test_does_a_stale_export_that_cannot_be_removed_leave_the_others_written(tmp_path):
    (tmp_path / "feedback" / "ada" / "initialization.html").mkdir(parents=True)  # not a file: not removed
    exports.write_student_exports({"student": "ada", "results": [_graded()]}, tmp_path)
    assert (tmp_path / "gradescope" / "ada" / REG / "results.json").is_file()
    assert (tmp_path / "feedback" / "ada" / "initialization.html").is_dir()


def test_are_pages_written_in_utf8_on_a_machine_whose_locale_is_latin1(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: encoding or "latin-1")
    student = "Αλεξάνδρα"
    row = {"student": student, "results": [{**_graded(), "student": student}]}
    exports.write_student_exports(row, tmp_path)
    page = (tmp_path / "feedback" / student / f"{REG}.html").read_text(encoding="utf-8")
    assert student in page
    exports.write_coursera({**_graded(), "student": student}, tmp_path / "shared")
    assert student in (tmp_path / "shared" / "htmlFeedback.html").read_text(encoding="utf-8")
