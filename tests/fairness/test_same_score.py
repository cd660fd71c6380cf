"""Same code, same score: does a notebook get the same per-function scores whoever hands it in?

Every student's hidden inputs are drawn for them, but within fixed roles (the regimes that tell
right from wrong), so a mistake shows for every student or for none. Each notebook of the
fairness corpus (:mod:`tests.fairness.variations`: correct answers written another way and
catalogued mistakes) and of the half-right corpus (:mod:`tests.fairness.half_right`: answers
right on some inputs only) is handed in by ``IDS`` students of one course and graded with
``grade-class``; each function must get one score across them all, and each half-right answer
its verdict.
"""

import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from autograder.grading.reference import ROOT
from tests.fairness.build import plan, write
from tests.fairness.half_right import HALF_RIGHT
from tests.fairness.variations import ASSIGNMENT_OF, FULL, VARIATIONS
from tests.fairness.verdicts import verdict_of
from tests.figures import record

IDS = 50  # students per notebook
SECRET = "same code same score"
#: While working on one assignment: SAME_SCORE_ASSIGNMENT=regularization grades only its notebooks.
ONLY = os.environ.get("SAME_SCORE_ASSIGNMENT")


def _students(notebook):
    return [f"{notebook.student}-id{index:02d}" for index in range(IDS)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``{student: result row}`` of the whole corpus, each notebook handed in by ``IDS`` students."""
    work = tmp_path_factory.mktemp("same-score")
    notebooks = plan(VARIATIONS) + [
        n.__class__(n.student.replace("s", "h", 1), n.assignment, n.style, n.layout, n.answers)
        for n in plan(HALF_RIGHT)]
    notebooks = [n for n in notebooks if ONLY in (None, n.assignment)]
    written = write(work / "corpus", notebooks)
    root = work / "submitted"
    for notebook, path in written.values():
        data = path.read_bytes()
        for student in _students(notebook):
            target = root / student / notebook.assignment / path.name
            target.parent.mkdir(parents=True)
            target.write_bytes(data)
    secret = work / "course.secret"
    secret.write_text(SECRET + "\n")
    out = work / "grades"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root), "--out", str(out),
                           "--jobs", "2", "--secret-file", str(secret)],
                          capture_output=True, text=True, env=env, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    rows = {}
    for file in (out / "results").glob("*.json"):
        row = json.loads(file.read_text())
        rows[row["student"]] = row
    return notebooks, rows


def test_the_half_right_corpus_has_three_answers_per_function_and_none_is_full():
    per_function = defaultdict(list)
    for variation in HALF_RIGHT:
        per_function[variation.function].append(variation)
        assert variation.verdict != FULL, variation.name
    assert set(per_function) == set(ASSIGNMENT_OF)
    assert min(len(found) for found in per_function.values()) >= 3


def test_does_every_function_get_one_score_whoever_hands_it_in(graded, request):
    notebooks, rows = graded
    differing, gradings = {}, 0
    for notebook in notebooks:
        scores = defaultdict(set)
        for student in _students(notebook):
            (result,) = rows[student]["results"]
            for name, function in result["functions"].items():
                scores[name].add(function["score"])
                gradings += 1
        for name, seen in scores.items():
            if len(seen) > 1:
                differing[notebook.answers[name].name] = sorted(seen)
    assert differing == {}, f"scores differ between students: {differing}"
    record(request.config, f"same code, same score: {len(notebooks)} notebooks each handed in by {IDS} "
                           f"students, {gradings} graded functions: one score per function and notebook")


def test_does_each_half_right_answer_get_its_verdict_for_every_student(graded):
    notebooks, rows = graded
    wrong = {}
    half_right = {v.name for v in HALF_RIGHT}
    for notebook in notebooks:
        for student in _students(notebook):
            (result,) = rows[student]["results"]
            for name, variation in notebook.answers.items():
                if variation.name in half_right:
                    got = verdict_of(result["functions"][name])
                    if got != variation.verdict:
                        wrong[variation.name] = f"{got}, expected {variation.verdict} ({student})"
    assert wrong == {}
