"""What an instructor reads in grades.csv when a student handed in only some notebooks."""

import csv

import pytest

from autograder import exports, reference


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
