"""What does ``python -m autograder grade`` print, and with which exit status?"""

import json
import subprocess
import sys

import pytest

from autograder.reference import ROOT

CLASS = ROOT / "tests" / "sample_class" / "submitted"


def _grade(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_the_blank_release_prints_json_with_score_zero_and_all_four_functions():
    run = _grade(ROOT / "release/regularization/Regularization.ipynb", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)  # stdout holds exactly one JSON object
    assert result["score"] == 0 and result["max_score"] == 50
    assert set(result["functions"]) == {
        "compute_cost_with_regularization", "backward_propagation_with_regularization",
        "forward_propagation_with_dropout", "backward_propagation_with_dropout"}
    for function in result["functions"].values():
        assert function["status"] == "missing"
        assert {"score", "max_score", "status", "checks", "hint"} <= set(function)
        for check in function["checks"]:
            assert set(check) == {"name", "points", "max_points", "passed", "category", "message"}


def test_the_table_shows_each_function_its_points_status_and_the_total():
    run = _grade(CLASS / "cleo/initialization/Initialization.ipynb")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("initialize_parameters_he") and "0/10" in line and "failed" in line
               for line in lines)
    assert "Xavier" in run.stdout
    assert lines[-1].startswith("total: 20/30")


@pytest.mark.parametrize(("content", "says"), [(b"", "empty"), (b'{"cells": [', "not valid notebook JSON")])
def test_a_broken_notebook_still_gets_a_result_with_exit_status_zero(tmp_path, content, says):
    path = tmp_path / "Gradient_Checking.ipynb"
    path.write_bytes(content)
    run = _grade(path, "--json")
    assert run.returncode == 0
    result = json.loads(run.stdout)
    assert result["assignment"] == "gradient_checking" and result["score"] == 0
    assert says in result["error"]
    assert len(result["functions"]) == 4


@pytest.mark.parametrize("args", [["no/such/notebook.ipynb"],
                                  [CLASS / "ada/initialization/Initialization.ipynb", "--assignment",
                                   "nonsense"]])
def test_usage_errors_exit_with_status_two(args):
    run = _grade(*args)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "error" in run.stderr.lower()


def test_grading_twice_gives_the_same_json_apart_from_timings():
    path = CLASS / "dev/regularization/Regularization.ipynb"
    first, second = (json.loads(_grade(path, "--json").stdout) for _ in range(2))
    for result in (first, second):
        result["provenance"].pop("seconds")
    assert first == second


def test_provenance_records_versions_seed_isolation_and_source_hashes(tmp_path):
    path = CLASS / "ada/gradient_checking/Gradient_Checking.ipynb"
    plain = json.loads(_grade(path, "--json").stdout)
    provenance = plain["provenance"]
    assert {"kit_version", "python", "numpy", "seed", "isolation", "source_sha256"} <= set(provenance)
    assert provenance["isolation"] in ("bwrap", "namespaces", "rlimits")
    assert set(provenance["source_sha256"]) == set(plain["functions"])
    secret = tmp_path / "secret"
    secret.write_text("course secret")
    salted = json.loads(_grade(path, "--json", "--secret-file", secret).stdout)
    assert salted["provenance"]["seed"] != provenance["seed"]
    assert salted["score"] == plain["score"] == 50


def test_does_coursera_get_the_fraction_of_the_points_and_the_feedback_page(tmp_path):
    from html.parser import HTMLParser

    shared = tmp_path / "shared"
    run = _grade(CLASS / "eve/regularization/Regularization.ipynb", "--json", "--coursera", shared)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    feedback = json.loads((shared / "feedback.json").read_text())
    assert set(feedback) == {"fractionalScore", "feedback", "feedbackType"}
    assert feedback["fractionalScore"] == pytest.approx(result["score"] / result["max_score"])
    assert 0 < feedback["fractionalScore"] < 1 and feedback["feedbackType"] == "HTML"
    assert "backward_propagation_with_dropout 0/10" in feedback["feedback"]
    page = (shared / "htmlFeedback.html").read_text()
    HTMLParser().feed(page)
    assert all(name in page for name in result["functions"])


def test_does_coursera_get_a_zero_and_the_reason_for_a_notebook_that_is_not_json(tmp_path):
    notebook = tmp_path / "Regularization.ipynb"
    notebook.write_text("{ this is not a notebook")
    run = _grade(notebook, "--coursera", tmp_path / "shared")
    assert run.returncode == 0, run.stderr
    feedback = json.loads((tmp_path / "shared" / "feedback.json").read_text())
    assert feedback["fractionalScore"] == 0
    assert "not valid notebook JSON" in feedback["feedback"]


def test_is_an_unwritable_coursera_folder_a_usage_error(tmp_path):
    blocker = tmp_path / "shared"
    blocker.write_text("a file, not a folder")
    run = _grade(CLASS / "ada/initialization/Initialization.ipynb", "--coursera", blocker)
    assert run.returncode == 2
    assert "cannot write the Coursera feedback" in run.stderr


def test_does_grade_say_so_when_the_notebook_is_of_another_assignment():
    initialization = CLASS / "ada/initialization/Initialization.ipynb"
    run = _grade(initialization, "--assignment", "regularization", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["assignment"] == "regularization" and result["score"] == 0
    assert "is of the initialization assignment, not regularization" in result["error"]
    assert "warning: this notebook is of the initialization assignment, not regularization" in run.stderr


def test_does_grade_warn_when_there_is_no_course_secret(tmp_path):
    run = _grade(CLASS / "ada/initialization/Initialization.ipynb", "--json")
    assert "warning: no --secret-file" in run.stderr
    json.loads(run.stdout)  # the warning is on stderr: stdout stays one JSON object
    empty = tmp_path / "secret"
    empty.write_text("\n")
    run = _grade(CLASS / "ada/initialization/Initialization.ipynb", "--secret-file", empty)
    assert "is empty" in run.stderr
