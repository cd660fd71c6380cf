"""What does ``python -m autograder grade`` print, and with which exit status?"""

import json
import os
import subprocess
import sys

import pytest

from autograder.grading.reference import ROOT

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


def _secret_new(path, umask=0):
    return subprocess.run([sys.executable, "-m", "autograder", "secret", "new", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          preexec_fn=lambda: os.umask(umask))


def test_does_secret_new_write_a_strong_secret_only_its_owner_can_read(tmp_path):
    import stat

    made = []
    for name in ("first.secret", "second.secret"):
        run = _secret_new(tmp_path / name)  # a umask of 0 takes nothing away
        assert run.returncode == 0 and run.stderr == "", run.stderr
        assert run.stdout.count("\n") == 1 and str(tmp_path / name) in run.stdout
        assert "--secret-file" in run.stdout and "keep it from students" in run.stdout
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
        made.append((tmp_path / name).read_text())
    for text in made:
        assert text.endswith("\n") and text.count("\n") == 1
        digits = text.strip()
        assert len(digits) == 64 and int(digits, 16) >= 0  # 256 random bits, as hexadecimal
        assert len(set(digits)) >= 8
    assert made[0] != made[1]


def test_is_the_secret_file_created_owner_only_and_never_over_anything(tmp_path, monkeypatch):
    from autograder.course import course_secret

    opened = []
    real_open = os.open
    monkeypatch.setattr(course_secret.os, "open", lambda *args: opened.append(args) or real_open(*args))
    course_secret.new_secret_file(tmp_path / "course.secret")
    ((path, flags, mode),) = opened
    assert flags & os.O_CREAT and flags & os.O_EXCL and mode == 0o600  # no moment it is readable
    monkeypatch.setattr(course_secret.secrets, "token_hex", lambda n: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        course_secret.new_secret_file(tmp_path / "broken.secret")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.secret"]  # nothing left on error


def test_does_secret_new_refuse_to_overwrite_anything_in_one_line(tmp_path):
    existing = tmp_path / "course.secret"
    existing.write_text("the course's secret\n")
    link = tmp_path / "link.secret"
    link.symlink_to(tmp_path / "elsewhere.secret")
    for path in (existing, link, tmp_path):
        run = _secret_new(path)
        assert run.returncode == 2 and run.stdout == ""
        assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"error: {path} exists"), run.stderr
    assert existing.read_text() == "the course's secret\n"
    assert not (tmp_path / "elsewhere.secret").exists()
    run = _secret_new(tmp_path / "no" / "such" / "folder.secret")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "does not exist" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.secret", "link.secret"]


def test_does_every_command_that_misses_a_secret_say_how_to_make_one(tmp_path, capsys):
    import importlib.util

    from autograder.platforms import nbgrader_autograde

    how = "make one with: python -m autograder secret new FILE"
    notebook = CLASS / "ada/initialization/Initialization.ipynb"
    assert how in _grade(notebook, "--json").stderr  # the warning without --secret-file
    run = _grade(notebook, "--secret-file", tmp_path / "missing.secret")
    assert run.returncode == 2 and f"no such secret file: {tmp_path / 'missing.secret'} ({how})" in run.stderr
    with pytest.raises(FileNotFoundError, match="secret new FILE"):
        nbgrader_autograde.read_secret(tmp_path / "missing.secret")
    with pytest.raises(nbgrader_autograde.CourseError, match="secret new FILE"):
        nbgrader_autograde.create_course(tmp_path / "course", secret_file=tmp_path / "missing.secret")
    assert not (tmp_path / "course").exists()
    bundle = [sys.executable, ROOT / "deploy" / "bundle.py", "coursera", tmp_path / "image"]
    run = subprocess.run([*bundle, "--secret-file", tmp_path / "missing.secret"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and how in run.stderr  # `make coursera SECRET_FILE=...`, file missing
    spec = importlib.util.spec_from_file_location("bundle_under_test", ROOT / "deploy" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._secret_bytes(None) == b""  # `make gradescope` without SECRET_FILE
    assert how in capsys.readouterr().err


def _grade_class(*args, cwd):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASK_")}  # no TLS config
    return subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(CLASS), "--out", "out",
                           *map(str, args)], capture_output=True, text=True, cwd=cwd, env=environment,
                          timeout=120)


@pytest.mark.parametrize(("args", "says"), [
    (["--tls-ca-file", "ca.pem"], "error: --tls-ca-file goes with --scheduler tls://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--tls-cert", "c.pem", "--tls-key", "c.key"],
     "error: --tls-cert, --tls-key go with a tls:// scheduler address, not tcp://127.0.0.1:8786"),
    (["--scheduler", "tls://127.0.0.1:8786"], "error: a tls:// scheduler needs --tls-ca-file, --tls-cert and "
                                              "--tls-key (or Dask's distributed.comm.tls.ca-file"),
    (["--scheduler", "tls://127.0.0.1:8786", "--tls-ca-file", "ca.pem", "--tls-cert", "nowhere.pem"],
     "error: no such file: --tls-cert nowhere.pem"),
    (["--scheduler", "tls://127.0.0.1:8786", "--tls-ca-file", "notes.txt", "--tls-cert", "ca.pem"],
     "error: no CA certificate in --tls-ca-file notes.txt"),
])
def test_are_tls_flags_that_cannot_work_refused_in_one_line_before_anything_is_written(tmp_path, args, says):
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----\n")
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    run = _grade_class(*args, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [run.stderr.strip()] and run.stderr.startswith(says), run.stderr
    assert run.stdout == ""
    assert not (tmp_path / "out").exists()


def test_does_the_table_say_a_corrupt_notebooks_reason_once_and_whole(tmp_path):
    path = tmp_path / "Regularization.ipynb"
    path.write_bytes(b'{"cells": [')
    run = _grade(path)
    assert run.returncode == 0, run.stderr
    reason = ("Regularization.ipynb is not valid notebook JSON: it stops at line 1, column 12, before the "
              "notebook ends (was the file cut short?)")
    assert run.stdout.count(reason) == 1 and f"error: {reason}\n" in run.stdout
    assert run.stdout.count("not graded: see the error below") == 4
    assert "..." not in run.stdout


def _grade_a_class(*args):
    return subprocess.run([sys.executable, "-m", "autograder", "grade-class", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_is_an_unknown_assignment_for_grade_class_a_usage_error(tmp_path):
    run = _grade_a_class(CLASS, "--out", tmp_path / "out", "--assignment", "nonsense")
    assert run.returncode == 2
    assert "--assignment" in run.stderr and "regularization" in run.stderr
    assert not (tmp_path / "out").exists()


def test_does_grade_class_grade_a_zip_of_a_mixed_class_as_the_assignment_asked(tmp_path):
    import csv
    import zipfile

    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for student in ("ada", "eve"):
            for notebook in sorted((CLASS / student).glob("*/*.ipynb")):
                zipped.write(notebook, f"submitted/{notebook.relative_to(CLASS)}")
    run = _grade_a_class(archive, "--out", tmp_path / "out", "--jobs", "1", "--assignment", "initialization")
    assert run.returncode == 0, run.stderr
    assert "assignment: initialization (as --assignment asked" in run.stdout
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["student"], row["initialization:total"], row["max_total"]) for row in rows] == \
        [("ada", "30", "30"), ("eve", "20", "30")]
    assert not any(column.startswith(("regularization:", "gradient_checking:")) for column in rows[0])
