"""The instructor's path through nbgrader, with nbgrader's own commands and a real exchange
directory, all in a temporary folder: ``generate_assignment`` -> ``release_assignment`` -> a
student ``fetch_assignment``, fills in the notebook (the solutions of ``source/``), ``submit`` ->
``collect`` -> ``grade-class --nbgrader-db`` -> ``nbgrader export`` and ``nbgrader
generate_feedback`` read the scores back. One assignment (Regularization): each nbgrader command
costs seconds.
"""

import csv
import json
import re
import shutil

import nbformat
import pytest

from autograder.grading import reference
from tests.deploy.conftest import ROOT, VENV_BIN, clean_env, run

ASSIGNMENT = "regularization"
NOTEBOOK = reference.NOTEBOOKS[ASSIGNMENT]
COURSE_ID = "dls-week1"
STUDENT = "alice"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def nbgrader_cell(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def fill_in(fetched, source):
    """The student's work: each solution cell of the fetched notebook gets the instructor's answer."""
    answers = {}
    for cell in nbformat.read(source, as_version=4).cells:
        if nbgrader_cell(cell).get("solution"):
            lines = [line for line in cell.source.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
            answers[nbgrader_cell(cell)["grade_id"]] = "\n".join(lines)
    notebook = nbformat.read(fetched, as_version=4)
    filled = 0
    for cell in notebook.cells:
        grade_id = nbgrader_cell(cell).get("grade_id")
        if nbgrader_cell(cell).get("solution") and grade_id in answers:
            assert "raise NotImplementedError()" in cell.source, grade_id
            cell.source = answers[grade_id]
            filled += 1
    nbformat.write(notebook, fetched)
    return filled


@pytest.fixture(scope="module")
def course(tmp_path_factory, secret_file):
    """Run the whole path once; returns the folders and outputs the tests look at."""
    top = tmp_path_factory.mktemp("nbgrader")
    course, student_home, exchange = top / "course", top / "alice", top / "exchange"
    for folder in (course, student_home, exchange):
        folder.mkdir()
    exchange.chmod(0o777)
    jupyter = {name: str(top / "jupyter" / name.lower())
               for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")}
    instructor = clean_env(HOME=str(top), **jupyter)
    student = clean_env(HOME=str(student_home), **jupyter)
    exchange_flags = [f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE_ID}"]
    nbgrader = VENV_BIN / "nbgrader"

    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))

    run([nbgrader, "generate_assignment", ASSIGNMENT], cwd=course, env=instructor)
    run([nbgrader, "release_assignment", ASSIGNMENT], cwd=course, env=instructor)
    run([nbgrader, "fetch_assignment", ASSIGNMENT, *exchange_flags], cwd=student_home, env=student)
    fetched = student_home / ASSIGNMENT / NOTEBOOK
    filled = fill_in(fetched, ROOT / "source" / ASSIGNMENT / NOTEBOOK)
    # nbgrader takes the student id from the login name (root here): say whose work it is
    run([nbgrader, "submit", ASSIGNMENT, f"--student={STUDENT}", *exchange_flags], cwd=student_home,
        env=student)
    run([nbgrader, "collect", ASSIGNMENT], cwd=course, env=instructor)
    graded = run([VENV_BIN / "python", "-m", "autograder", "grade-class", course / "submitted",
                  "--out", course / "grades", "--secret-file", secret_file,
                  "--nbgrader-db", course / "gradebook.db"], cwd=course, env=instructor)
    run([nbgrader, "export", "--to=export.csv"], cwd=course, env=instructor)
    # nbgrader renders feedback from the notebooks of its autograded/ step; the kit grades
    # outside nbgrader, so the collected notebooks take that place.
    run([nbgrader, "generate_feedback", ASSIGNMENT, "--CourseDirectory.autograded_directory=submitted"],
        cwd=course, env=instructor)
    return {"course": course, "exchange": exchange, "filled": filled, "graded": graded}


def test_did_the_student_fetch_fill_and_submit_through_the_exchange(course):
    assert course["filled"] == len(reference.load(ASSIGNMENT).functions)
    inbound = list((course["exchange"] / COURSE_ID / "inbound").iterdir())
    assert [p.name.split("+")[:2] for p in inbound] == [[STUDENT, ASSIGNMENT]]
    collected = course["course"] / "submitted" / STUDENT / ASSIGNMENT / NOTEBOOK
    assert collected.is_file() and (collected.parent / "timestamp.txt").is_file()


def test_does_grade_class_give_the_collected_work_every_point(course):
    rows = list(csv.DictReader(open(course["course"] / "grades" / "grades.csv", newline="")))
    assert [row["student"] for row in rows] == [STUDENT]
    spec = reference.load(ASSIGNMENT)
    assert float(rows[0][f"{ASSIGNMENT}:total"]) == spec.max_score
    assert "wrote 1 graded notebooks" in course["graded"].stdout


def test_does_nbgrader_export_read_the_scores_back(course):
    rows = list(csv.DictReader(open(course["course"] / "export.csv", newline="")))
    mine = [row for row in rows if row["student_id"] == STUDENT and row["assignment"] == ASSIGNMENT]
    assert len(mine) == 1
    spec = reference.load(ASSIGNMENT)
    assert float(mine[0]["raw_score"]) == float(mine[0]["score"]) == spec.max_score
    assert float(mine[0]["max_score"]) == spec.max_score


def test_does_nbgrader_feedback_show_the_scores_of_every_graded_function(course):
    page = course["course"] / "feedback" / STUDENT / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")
    text = page.read_text(encoding="utf-8")
    spec = reference.load(ASSIGNMENT)
    assert re.search(rf"Score: {spec.max_score:.1f} / {spec.max_score:.1f}", text)
    for function in spec.functions:
        assert f"test_{function.name}" in text
        assert re.search(rf"test_{function.name}.{{0,400}}Score: {function.points:.1f} / "
                         rf"{function.points:.1f}", text, re.DOTALL), function.name
    assert "BEGIN HIDDEN TESTS" not in text
    stored = json.loads((course["course"] / "grades" / "results" / f"{STUDENT}.json").read_text())
    assert str(stored["results"][0]["provenance"]["seed"]) not in text
