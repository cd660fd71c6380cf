"""Does every realistic student answer get the verdict a careful instructor gives, with the reason?

The corpus (:mod:`tests.fairness.variations`) holds over a hundred answers of the eleven graded
functions: correct ones written another way (they must get full marks), catalogued mistakes
(partial or zero, with the hint that names them) and answers that only look right (zero).
It is built into notebooks of the 2017 and 2021 course generations and of the kit
(:mod:`tests.fairness.build`), then graded as a grader would: ``grade --json`` in a process of
its own per notebook, and ``grade-class`` over the whole class, under a course secret.
"""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from autograder.grading.feedback import numpy2_advice, numpy2_advice_in
from autograder.grading.reference import ROOT
from tests.fairness.build import STYLES, plan, write
from tests.fairness.variations import ASSIGNMENT_OF, FULL, PARTIAL, VARIATIONS, ZERO
from tests.fairness.verdicts import misjudged

NOTEBOOKS = plan()
SECRET = "fairness corpus secret"


def _environment():
    path = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    return {**os.environ, "PYTHONPATH": path}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("fairness") / "submitted"
    secret = root.parent / "course-secret.txt"
    secret.write_text(SECRET + "\n")
    return root, write(root), secret


def test_the_corpus_covers_every_function_both_course_generations_and_every_verdict():
    assert len(VARIATIONS) >= 80
    per_function = Counter(v.function for v in VARIATIONS)
    assert set(per_function) == set(ASSIGNMENT_OF) and min(per_function.values()) >= 5
    assert {FULL, PARTIAL, ZERO} == {v.verdict for v in VARIATIONS}
    for function in ASSIGNMENT_OF:  # right answers written another way, and wrong ones
        verdicts = {v.verdict for v in VARIATIONS if v.function == function}
        assert FULL in verdicts and verdicts - {FULL}, function
    placed = Counter(n.answers[f].name for n in NOTEBOOKS for f in n.answers)
    assert all(placed[v.name] >= 1 for v in VARIATIONS), "every variation is in some notebook"
    assert {n.style for n in NOTEBOOKS} == set(STYLES)
    assert {n.layout for n in NOTEBOOKS} == {"plain", "reordered", "debug", "drafts"}
    for variation in VARIATIONS:  # what is not full says why
        assert variation.verdict == FULL or variation.says, variation.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.student for n in NOTEBOOKS])
def test_grade_json_gives_each_answer_its_verdict_and_names_the_problem(corpus, notebook):
    root, written, secret = corpus
    _, path = written[notebook.student]
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--json",
                          "--student", notebook.student, "--secret-file", str(secret)],
                         capture_output=True, text=True, env=_environment(), timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["assignment"] == notebook.assignment and result["error"] is None
    assert misjudged(notebook, result) == []


def test_grade_class_gives_the_same_verdicts_for_the_whole_class(corpus, tmp_path):
    root, written, secret = corpus
    out = tmp_path / "grades"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root), "--out",
                          str(out), "--jobs", "2", "--secret-file", str(secret)],
                         capture_output=True, text=True, env=_environment(), timeout=900)
    assert run.returncode == 0, run.stderr
    wrong = {}
    for notebook in NOTEBOOKS:
        stored = json.loads((out / "results" / f"{notebook.student}.json").read_text())
        (result,) = stored["results"]
        assert result["assignment"] == notebook.assignment
        wrong.update({name: what for name, what in misjudged(notebook, result)})
    assert wrong == {}
    rows = (out / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(NOTEBOOKS)


@pytest.mark.parametrize(("line", "kind", "says"), [
    ("    p = np.zeros((1, m), dtype=np.int)", "AttributeError", "write int (or np.int64)"),
    ("W = np.zeros(shape, dtype = np.float)", "AttributeError", "write float (or np.float64)"),
    ("if np.isnan(x).any(): return np.NaN", "AttributeError", "write np.nan"),
    ("L2 = lambd / (2 * m) * np.sum(np.sum(np.square(W)) for W in (W1, W2, W3))", "TypeError",
     "np.sum([...]) with a list"),
    ("total = np.sum(np.square(parameters[k]).sum() for k in keys if k[0] == 'W')", "TypeError",
     "sum(...)"),
    ("        gradapprox[i][0] = (J_plus[i] - J_minus[i]) / (2 * epsilon)", "ValueError", ".item()"),
    ("thetaplus[i][0] = thetaplus[i] + epsilon", "ValueError", "one-element array"),
    ("difference = float(numerator / denominator)", "TypeError", "shape ()"),
])
def test_numpy2_advice_names_the_breakage_and_quotes_the_students_line(line, kind, says):
    advice = numpy2_advice(line, kind)
    assert advice is not None and advice.startswith("numpy 2")
    assert says in advice and line.strip() in advice


@pytest.mark.parametrize(("line", "kind"), [
    ("p = np.zeros((1, m), dtype=np.int)", "TypeError"),  # another exception: not this breakage
    ("W = np.zeros(shape, dtype=np.int64)", "AttributeError"),  # a name numpy 2 still has
    ("flag = np.bool_(x > 0)", "AttributeError"),
    ("# np.int is gone", "AttributeError"),  # only a comment
    ("L2 = np.sum([np.sum(np.square(W)) for W in (W1, W2, W3)])", "TypeError"),  # a list, fine
    ("A3, cache = forward_propagation(X, parameters)", "ValueError"),  # unpacking, not an element
    ("", "ValueError"),
])
def test_numpy2_advice_stays_silent_where_numpy_2_is_not_the_cause(line, kind):
    assert numpy2_advice(line, kind) is None


def test_numpy2_advice_in_reads_the_line_of_the_cell():
    cell = "def f(m):\n    p = np.zeros((1, m), dtype=np.int)\n    return p\n"
    assert "np.int" in numpy2_advice_in(cell, 2, "AttributeError")
    assert numpy2_advice_in(cell, 9, "AttributeError") is None
    assert numpy2_advice_in(cell, None, "AttributeError") is None
