"""Grading a whole class: resumable, safe with archives, the same on every backend, valid exports.

Most tests share one reference run of ``python -m autograder grade-class`` over the
sample class (tests/sample_class) with two local workers, and compare other runs
with it: a second run, a run killed with SIGKILL and resumed, a run on a Dask
cluster, the class as loose notebooks or as a zip. Runs that grade nobody, and
runs rejected before grading, call the command line in this process.
"""

import contextlib
import copy
import csv
import gc
import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import numpy as np
import pytest

from autograder import assignments
from autograder.cli import main
from autograder.course import archive, batch, runner
from autograder.course.batch import discover, grade_submission, is_sealed, seal
from autograder.course.runner import Progress
from autograder.grading import reference, students
from autograder.grading.checks import rng_for, seed_for
from autograder.grading.grade import Graders, grade_notebook

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
STUDENTS = sorted(p.name for p in CLASS.iterdir() if p.is_dir())
ASSIGNMENTS = list(reference.NOTEBOOKS)
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RUN_TIMEOUT = 300  # seconds for one grade-class subprocess


# Helpers ----------------------------------------------------------------------------------------


def grade_class_command(path, out, *options):
    return [sys.executable, "-m", "autograder", "grade-class", str(path), "--out", str(out), *options]


def run_grade_class(path, out, *options):
    """``grade-class`` in a subprocess; returns the CompletedProcess (text output)."""
    return subprocess.run(grade_class_command(path, out, *options), cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)


def run_in_process(capsys, *argv):
    """``grade-class`` through :func:`autograder.cli.main` here; returns ``(status, out, err)``
    (``err`` without the warning that no course secret was given, which the tests check apart)."""
    status = main(["grade-class", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, without_secret_warning(captured.err)


def without_secret_warning(err):
    lines = err.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("warning: no --secret"))


def csv_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def stored_rows(out):
    return {p.stem: json.loads(p.read_text()) for p in sorted((Path(out) / "results").glob("*.json"))}


def comparable(value):
    """A result row or notebook result without what differs between identical runs (timings)."""
    value = copy.deepcopy(value)
    if "results" in value:
        value.pop("seconds", None)
        value.pop("fingerprint", None)
        value.pop("work", None)
        value.pop("seal", None)
        value["results"] = [comparable(r) for r in value["results"]]
    else:
        value["provenance"].pop("seconds", None)
    return value


def tree(folder):
    """``{relative path: bytes digest or "dir"}`` of everything under ``folder``."""
    listing = {}
    for path in sorted(Path(folder).rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink() or not path.is_file():
            listing[key] = "dir" if path.is_dir() else "other"
        else:
            listing[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


def zip_folder(folder, archive_path, prefix=""):
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(Path(folder).rglob("*.ipynb")):
            zipped.write(path, prefix + str(path.relative_to(folder)))
    return archive_path


# The reference run ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """The sample class graded once with two local workers, uninterrupted."""
    out = tmp_path_factory.mktemp("reference") / "out"
    done = run_grade_class(CLASS, out, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return SimpleNamespace(out=out, stdout=done.stdout, stderr=done.stderr,
                           csv=(out / "grades.csv").read_text(), rows=stored_rows(out))


def copy_of(run, tmp_path):
    """A copy of the reference run's output folder, to run again into."""
    out = tmp_path / "out"
    shutil.copytree(run.out, out)
    return out


# Resuming ---------------------------------------------------------------------------------------


def test_does_a_class_graded_twice_grade_nobody_the_second_time_and_keep_its_grades(
        reference_run, tmp_path, capsys):
    out = copy_of(reference_run, tmp_path)
    before = {name: (out / "results" / f"{name}.json").read_bytes() for name in STUDENTS}
    status, _, err = run_in_process(capsys, CLASS, "--out", out, "--jobs", "2")
    assert status == 0, err
    assert f"{len(STUDENTS)} students, {len(STUDENTS)} already graded, 0 to grade" in err
    assert (out / "grades.csv").read_text() == reference_run.csv
    assert {name: (out / "results" / f"{name}.json").read_bytes() for name in STUDENTS} == before


def test_does_changing_one_students_notebook_regrade_that_student_only(reference_run, tmp_path):
    submitted = tmp_path / "submitted"
    shutil.copytree(CLASS, submitted)
    notebook = reference.NOTEBOOKS["regularization"]
    shutil.copy(CLASS / "ada" / "regularization" / notebook, submitted / "dev" / "regularization" / notebook)
    out = copy_of(reference_run, tmp_path)
    before = {name: (out / "results" / f"{name}.json").read_bytes() for name in STUDENTS}

    done = run_grade_class(submitted, out, "--jobs", "2")

    assert done.returncode == 0, done.stderr
    assert f"{len(STUDENTS)} students, {len(STUDENTS) - 1} already graded, 1 to grade" in done.stderr
    changed = [n for n in STUDENTS if (out / "results" / f"{n}.json").read_bytes() != before[n]]
    assert changed == ["dev"]
    old = {row["student"]: row for row in csv.DictReader(io.StringIO(reference_run.csv))}
    new = {row["student"]: row for row in csv_rows(out / "grades.csv")}
    assert {name for name in STUDENTS if new[name] != old[name]} == {"dev"}
    # dev's regularization is now the reference solution's; the rest of dev's work is untouched.
    for column, value in new["dev"].items():
        if column.startswith("regularization:"):
            assert value == new["ada"][column], column
        elif column.split(":")[0] in ("initialization", "gradient_checking"):
            assert value == old["dev"][column], column


def test_is_a_stored_result_edited_by_hand_graded_again_instead_of_exported(reference_run, tmp_path,
                                                                             capsys):
    out = copy_of(reference_run, tmp_path)
    stored = out / "results" / "cleo.json"
    row = json.loads(stored.read_text())
    row["results"][0]["score"] = row["results"][0]["max_score"]  # full marks, fingerprint kept
    stored.write_text(json.dumps(row, sort_keys=True))

    status, _, err = run_in_process(capsys, CLASS, "--out", out, "--jobs", "1")

    assert status == 0, err
    assert ("1 stored results do not match their seal (edited since grading?) and are graded again: "
            "cleo") in err
    assert f"{len(STUDENTS)} students, {len(STUDENTS) - 1} already graded, 1 to grade" in err
    assert (out / "grades.csv").read_text() == reference_run.csv
    assert comparable(json.loads(stored.read_text())) == comparable(reference_run.rows["cleo"])


def test_is_a_row_sealed_under_the_secret_and_broken_by_any_change():
    row = {"student": "ada", "status": "graded", "notes": [], "results": [], "seconds": 0.1}
    row["seal"] = seal(row, "course secret")
    assert is_sealed(json.loads(json.dumps(row)), "course secret")
    assert not is_sealed(row, "another secret")
    assert not is_sealed({**row, "seconds": 0.2}, "course secret")
    assert not is_sealed({k: v for k, v in row.items() if k != "seal"}, "course secret")


def test_does_a_grader_killed_mid_batch_finish_with_the_same_grades_when_rerun(reference_run, tmp_path):
    out = tmp_path / "out"
    with open(tmp_path / "killed.log", "w") as log:
        grader = subprocess.Popen(grade_class_command(CLASS, out, "--jobs", "2"), cwd=ROOT, env=ENV,
                                  stdout=log, stderr=log, start_new_session=True)
        try:
            deadline = time.monotonic() + RUN_TIMEOUT
            while not list((out / "results").glob("*.json")):
                assert grader.poll() is None, "the grader ended before writing any result"
                assert time.monotonic() < deadline, "no result appeared in time"
                time.sleep(0.01)
            os.killpg(grader.pid, signal.SIGKILL)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(grader.pid, signal.SIGKILL)
            grader.wait(timeout=30)
    assert grader.returncode == -signal.SIGKILL
    graded_before_kill = len(list((out / "results").glob("*.json")))
    assert 1 <= graded_before_kill < len(STUDENTS), "the kill came after the whole class was graded"

    done = run_grade_class(CLASS, out, "--jobs", "2")

    assert done.returncode == 0, done.stderr
    assert f"{len(STUDENTS)} students, {graded_before_kill} already graded" in done.stderr
    assert (out / "grades.csv").read_text() == reference_run.csv
    assert {n: comparable(r) for n, r in stored_rows(out).items()} == \
        {n: comparable(r) for n, r in reference_run.rows.items()}


# Discovery --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graders():
    with Graders() as warm:
        yield warm


def loose_class(folder):
    """The sample class as loose notebooks: ``<student>_<Notebook>.ipynb``, and finn's lone
    Regularization notebook as ``finn.ipynb`` (student id and assignment from the file alone)."""
    folder.mkdir(parents=True)
    for student in STUDENTS:
        for assignment, notebook in reference.NOTEBOOKS.items():
            source = CLASS / student / assignment / notebook
            if student == "finn":
                if assignment == "regularization":
                    shutil.copy(source, folder / "finn.ipynb")
            else:
                shutil.copy(source, folder / f"{student}_{notebook}")
    return folder


@pytest.mark.parametrize("layout", ["loose notebooks", "zip of the nbgrader folder",
                                    "zip of loose notebooks"])
def test_do_loose_notebooks_and_zips_give_the_same_results_as_the_nbgrader_folder(
        layout, reference_run, graders, tmp_path):
    if layout == "loose notebooks":
        path = loose_class(tmp_path / "loose")
    elif layout == "zip of the nbgrader folder":
        path = zip_folder(CLASS, tmp_path / "class.zip", prefix="submitted/")
    else:
        path = zip_folder(loose_class(tmp_path / "loose"), tmp_path / "class.zip")

    submissions = discover(path, tmp_path / "work")

    assert [s.student for s in submissions] == STUDENTS
    for submission in submissions:
        row = grade_submission(submission, "", graders)
        expected = reference_run.rows[submission.student]
        if "loose" in layout and submission.student == "finn":
            assert [r["assignment"] for r in row["results"]] == ["regularization"]
            assert comparable(row["results"][0]) == comparable(
                next(r for r in expected["results"] if r["assignment"] == "regularization"))
        else:
            assert comparable(row) == comparable(expected), submission.student


def test_are_student_ids_sanitized_and_kept_apart(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    notebook = CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]
    raw = ["Zoë Ångström", "ann marie", "ann_marie", "x;rm -rf ~", "q" * 200, ".hidden"]
    for name in raw[:-1]:
        shutil.copy(notebook, folder / f"{name}_Initialization.ipynb")
    shutil.copy(notebook, folder / f"{raw[-1]}.ipynb")  # a hidden file, e.g. macOS' ._ copies
    (folder / "bob's folder" / "initialization").mkdir(parents=True)
    shutil.copy(notebook, folder / "bob's folder" / "initialization" / notebook.name)
    (folder / "__MACOSX").mkdir()
    shutil.copy(notebook, folder / "__MACOSX" / notebook.name)

    ids = [s.student for s in discover(folder, tmp_path / "work")]

    assert len(ids) == len(set(ids)) == 6, ids
    assert all(re.fullmatch(r"[A-Za-z0-9_.@+-]{1,120}", i) for i in ids), ids
    assert "ann_marie" in ids  # a safe name is kept as it is; the others are spelled safely + a hash
    assert {i.rsplit("-", 1)[0] for i in ids} >= {"ann_marie", "x_rm_-rf", "bob_s_folder", "Zoe_Angstrom",
                                                  "q" * 111}
    assert not any("MACOSX" in i or "hidden" in i for i in ids), ids


# Odd names, layouts and folders that must not mislead -------------------------------------------


def test_do_grade_and_grade_class_give_one_student_the_same_id_and_hidden_inputs(graders, tmp_path):
    submitted = tmp_path / "submitted"
    notebook = reference.NOTEBOOKS["regularization"]
    for folder in ("Ana Maria", "ana_maria"):
        (submitted / folder / "regularization").mkdir(parents=True)
        target = submitted / folder / "regularization" / notebook
        shutil.copy(CLASS / "dev" / "regularization" / notebook, target)

    submissions = discover(submitted, tmp_path / "work")

    assert len({s.student for s in submissions}) == 2
    for submission in submissions:
        (_, path), = submission.notebooks
        alone = grade_notebook(path, secret="s", graders=graders).to_dict()
        in_class = grade_submission(submission, "s", graders)["results"][0]
        assert alone["student"] == in_class["student"] == submission.student
        assert alone["provenance"]["seed"] == in_class["provenance"]["seed"]
        assert comparable(alone) == comparable(in_class)


def test_are_odd_file_names_named_in_the_students_row_without_stopping_the_class(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    notebook = CLASS / "ada" / "gradient_checking" / reference.NOTEBOOKS["gradient_checking"]
    names = {b"caf\xe9_Gradient_Checking.ipynb": "caf\\xe9", b"line\nbreak_Gradient_Checking.ipynb": "\\n",
             (b"l" * 220) + b"_Gradient_Checking.ipynb": "very long"}
    for name in names:
        shutil.copy(notebook, os.path.join(os.fsencode(folder), name))
    shutil.copy(notebook, folder / "plain_Gradient_Checking.ipynb")
    (folder / "extra").mkdir()
    (folder / "extra" / os.fsdecode(b"notes\xff.txt")).write_text("not a notebook")

    status, stdout, err = run_in_process(capsys, folder, "--out", tmp_path / "out", "--jobs", "1")

    assert status == 0, err
    rows = {row["student"]: row for row in csv_rows(tmp_path / "out" / "grades.csv")}
    assert len(rows) == 5, rows
    assert all(re.fullmatch(r"[A-Za-z0-9_.@+-]{1,120}", student) for student in rows)
    for name, shown in names.items():
        row = rows[students.student_id(students.raw_student_of_file(os.fsdecode(name)))]
        assert float(row["gradient_checking:total"]) == 50, row
        assert shown in row["notes"], row["notes"]
    assert float(rows["plain"]["gradient_checking:total"]) == 50
    assert (tmp_path / "out" / "report.html").is_file()


@pytest.mark.parametrize(("file_name", "student"), [
    ("alice_Regularization.ipynb", "alice"),
    ("alice-Gradient_Checking.ipynb", "alice"),
    ("carol - Gradient Checking (1).ipynb", "carol"),  # Coursera / a browser's copy
    ("Assignment1_bitdiddle_attempt_2016-01-30-15-30-10_Regularization.ipynb", "bitdiddle"),  # zip_collect
    ("smithjohn_12345_678901_Regularization.ipynb", "12345"),  # Canvas: the user id
    ("smithjohn_LATE_12345_678902_Regularization-1.ipynb", "12345"),  # Canvas, late, resubmitted
    ("Ana Maria_4321_assignsubmission_file_Regularization.ipynb", "4321"),  # Moodle: the participant id
    ("jd-12.ipynb", "jd-12"),  # an id that ends in digits keeps them
    ("mystery-file.ipynb", "mystery-file"),  # an unknown pattern: the stem
])
def test_do_lms_file_names_map_to_the_students_id(file_name, student, tmp_path):
    assert students.student_id(students.raw_student_of_file(file_name)) == student
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(CLASS / "ada" / "regularization" / reference.NOTEBOOKS["regularization"], folder / file_name)
    assert [s.student for s in discover(folder, tmp_path / "work")] == [student]
    assert students.student_of_path(folder / file_name) == student


@pytest.mark.parametrize("folder_name", ["Ana Maria_4321_assignsubmission_file",  # Moodle 4
                                         "Ana Maria_4321_assignsubmission_file_"])  # Moodle 3
def test_is_a_moodle_folder_per_student_read_as_that_student(folder_name, tmp_path):
    folder = tmp_path / "class" / folder_name
    folder.mkdir(parents=True)
    shutil.copy(CLASS / "ada" / "regularization" / reference.NOTEBOOKS["regularization"], folder)
    assert [s.student for s in discover(tmp_path / "class", tmp_path / "work")] == ["4321"]


def test_is_a_notebook_in_another_assignments_folder_graded_as_what_it_is(graders, tmp_path):
    submitted = tmp_path / "submitted"
    gc = reference.NOTEBOOKS["gradient_checking"]
    (submitted / "ada" / "initialization").mkdir(parents=True)
    (submitted / "ada" / "homework_9").mkdir(parents=True)
    shutil.copy(CLASS / "ada" / "gradient_checking" / gc, submitted / "ada" / "initialization" / gc)
    shutil.copy(CLASS / "ada" / "regularization" / reference.NOTEBOOKS["regularization"],
                submitted / "ada" / "homework_9" / "Homework.ipynb")

    (submission,) = discover(submitted, tmp_path / "work")
    row = grade_submission(submission, "", graders)

    scores = {r["assignment"]: r["score"] for r in row["results"]}
    assert scores == {"gradient_checking": 50, "regularization": 50}
    notes = " | ".join(row["notes"])
    assert "found in initialization/: it is a gradient_checking notebook" in notes, notes
    assert "found in homework_9/, not an assignment folder: it is a regularization notebook" in notes, notes
    assert "no notebook for initialization" in notes


def test_is_the_output_folder_inside_the_class_never_read_as_students(reference_run, tmp_path, capsys):
    submitted = tmp_path / "submitted"
    shutil.copytree(CLASS, submitted)
    shutil.copytree(reference_run.out, submitted / "old-grades")  # an earlier run's output, left there
    out = submitted / "grades"
    shutil.copytree(reference_run.out, out)

    status, _, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "1")

    assert status == 0, err
    assert "skipped grades/: it holds the grader's output" in err
    assert "skipped old-grades/: it holds the grader's output" in err
    assert f"{len(STUDENTS)} students, {len(STUDENTS)} already graded, 0 to grade" in err
    assert [row["student"] for row in csv_rows(out / "grades.csv")] == STUDENTS


def test_is_a_class_inside_the_output_folder_refused(tmp_path, capsys):
    shutil.copytree(CLASS / "ada", tmp_path / "out" / "class" / "ada")
    status, _, err = run_in_process(capsys, tmp_path / "out" / "class", "--out", tmp_path / "out")
    assert status == 2
    assert "inside the output folder" in err


def test_is_an_empty_class_a_warning_and_a_failure(tmp_path, capsys):
    (tmp_path / "class" / "someone").mkdir(parents=True)
    (tmp_path / "class" / "notes.txt").write_text("no notebooks here")
    status, _, err = run_in_process(capsys, tmp_path / "class", "--out", tmp_path / "out")
    assert status == 1
    assert "warning: no notebook was found" in err


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_is_a_number_of_jobs_below_one_a_usage_error(jobs, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["grade-class", str(CLASS), "--out", str(tmp_path / "out"), "--jobs", jobs])
    assert stopped.value.code == 2
    assert "--jobs" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("secret", [None, "", "  \n"])
def test_is_a_missing_or_empty_secret_a_printed_warning(secret, tmp_path, capsys):
    options = []
    if secret is not None:
        (tmp_path / "secret").write_text(secret)
        options = ["--secret-file", tmp_path / "secret"]
    (tmp_path / "empty").mkdir()
    main(["grade-class", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), *map(str, options)])
    err = capsys.readouterr().err
    assert "warning: " in err and ("no --secret-file" in err if secret is None else "is empty" in err)
    (tmp_path / "secret").write_text("a course secret")
    _, _, err = run_in_process(capsys, tmp_path / "empty", "--out", tmp_path / "out",
                               "--secret-file", tmp_path / "secret")
    assert "secret" not in err


# Unsafe archives --------------------------------------------------------------------------------


def rejected(capsys, tmp_path, archive_path):
    """Run grade-class on ``archive_path``; check it wrote nothing outside DIR; return stderr."""
    out = tmp_path / "out"
    before = tree(tmp_path)
    status, stdout, err = run_in_process(capsys, archive_path, "--out", out)
    assert status == 2, (stdout, err)
    assert err.startswith("error: ") and "to grade" not in err, err
    after = {k: v for k, v in tree(tmp_path).items() if not (k == "out" or k.startswith("out/"))}
    assert after == before
    assert not [p for p in out.rglob("*") if p.is_file()], "a rejected archive left files in DIR"
    return err


def test_is_a_zip_with_traversal_absolute_or_link_entries_rejected_naming_them(tmp_path, capsys):
    absolute = tmp_path / "elsewhere" / "evil.ipynb"
    notebook = (CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]).read_text()
    archive_path = tmp_path / "class.zip"
    with zipfile.ZipFile(archive_path, "w") as zipped:
        zipped.writestr("submitted/ada/initialization/Initialization.ipynb", notebook)
        zipped.writestr(zipfile.ZipInfo("../evil.ipynb"), notebook)
        zipped.writestr(zipfile.ZipInfo(str(absolute)), notebook)
        link = zipfile.ZipInfo("submitted/ben/initialization/Initialization.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")

    err = rejected(capsys, tmp_path, archive_path)

    for entry in ("../evil.ipynb", str(absolute), "submitted/ben/initialization/Initialization.ipynb"):
        assert entry in err, entry
    assert "symbolic link" in err and ".." in err and "absolute" in err
    assert not absolute.exists() and not (tmp_path / "evil.ipynb").exists()
    assert not list(tmp_path.rglob("evil.ipynb"))


def _patch_sizes(archive_path, declared):
    """Rewrite the uncompressed size of the archive's single entry, local and central headers."""
    data = bytearray(archive_path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 22:local + 26] = declared.to_bytes(4, "little")
    data[central + 24:central + 28] = declared.to_bytes(4, "little")
    archive_path.write_bytes(bytes(data))


@pytest.mark.parametrize("bomb", ["huge actual size", "huge declared size", "size understated"])
def test_is_a_zip_bomb_rejected(bomb, tmp_path, capsys):
    archive_path = tmp_path / "class.zip"
    size = archive.MAX_FILE_BYTES + (1 << 20)
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        with zipped.open("submitted/ada/initialization/Initialization.ipynb", "w") as entry:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                entry.write(chunk)
    assert archive_path.stat().st_size < size // 500  # highly compressed
    if bomb == "huge declared size":
        _patch_sizes(archive_path, 3_000_000_000)
    elif bomb == "size understated":
        _patch_sizes(archive_path, 1000)

    err = rejected(capsys, tmp_path, archive_path)

    assert "class.zip" in err
    if bomb != "size understated":
        assert "submitted/ada/initialization/Initialization.ipynb" in err and "more than" in err


def test_is_a_zip_whose_files_add_up_to_too_much_rejected(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1 << 20)
    archive_path = tmp_path / "class.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for student in ("a", "b", "c"):
            zipped.writestr(f"{student}/initialization/Initialization.ipynb", b" " * 400_000)
    err = rejected(capsys, tmp_path, archive_path)
    assert "1200000 bytes in all" in err


# The Dask backend (a real cluster of `dask scheduler` and `dask worker` processes: tests/deploy) --


def test_does_a_packed_submission_grade_as_its_files_did_once_they_are_gone(graders, tmp_path):
    # What a Dask worker without the class's files receives: the notebooks, read on this side.
    submitted = tmp_path / "submitted"
    shutil.copytree(CLASS, submitted)
    source_notebook = ROOT / "source" / "regularization" / reference.NOTEBOOKS["regularization"]
    linked = submitted / "mallory" / "regularization"
    linked.mkdir(parents=True)
    (linked / reference.NOTEBOOKS["regularization"]).symlink_to(source_notebook)
    (submitted / "trudy").symlink_to(ROOT / "source", target_is_directory=True)
    submissions = discover(submitted, tmp_path / "work")
    assert {"mallory", "trudy"} <= {s.student for s in submissions}

    on_disk = {s.student: grade_submission(s, "secret", graders) for s in submissions}
    packed = [s.packed() for s in submissions]
    shutil.rmtree(submitted)
    from_packed = {s.student: grade_submission(s, "secret", graders) for s in packed}

    assert {n: comparable(r) for n, r in from_packed.items()} == \
        {n: comparable(r) for n, r in on_disk.items()}
    assert from_packed["mallory"]["results"][0]["score"] == 0
    assert "is a symbolic link" in from_packed["mallory"]["results"][0]["error"]
    assert all(r["score"] == 0 and "link into the instructor's source" in r["error"]
               for r in from_packed["trudy"]["results"])


def test_does_a_worker_start_every_sandbox_before_its_first_student(monkeypatch):
    # So that no student's time (and place among the slowest) includes a sandbox start-up.
    monkeypatch.setattr(batch, "_GRADERS", None)
    notebook = CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]
    try:
        row = batch.work(batch.Submission("ada", (("initialization", str(notebook)),)), "")
        assert [r["assignment"] for r in row["results"]] == ["initialization"]
        assert set(batch._GRADERS._sandboxes) == set(reference.NOTEBOOKS)
    finally:
        if batch._GRADERS is not None:
            batch._GRADERS.close()


def test_does_a_worker_keep_what_its_start_up_made_out_of_the_collectors_walks(monkeypatch):
    # Each student's collections would otherwise walk every module and reference loaded once.
    class Started:
        def start_all(self):
            self.made = [{"loaded": n} for n in range(100)]

    monkeypatch.setattr(batch, "_GRADERS", None)
    monkeypatch.setattr(batch, "Graders", lambda layer=None: Started())
    gc.unfreeze()
    try:
        graders = batch.start_graders()
        walked = {id(o) for o in gc.get_objects()}
        assert gc.get_freeze_count() > 0
        assert not any(id(o) in walked for o in [graders.made, *graders.made])
    finally:
        gc.unfreeze()


def test_does_one_worker_given_each_next_student_ahead_grade_the_class_as_two_workers_do(
        reference_run, tmp_path):
    out = tmp_path / "out"
    done = run_grade_class(CLASS, out, "--jobs", "1")
    assert done.returncode == 0, done.stderr
    rows = stored_rows(out)
    assert {n: comparable(r) for n, r in rows.items()} == \
        {n: comparable(r) for n, r in reference_run.rows.items()}
    assert (out / "grades.csv").read_text() == reference_run.csv


def test_is_a_student_sent_ahead_only_when_the_pipe_holds_them_whole(tmp_path):
    """A worker is sent its next student while it grades one only if that message fits the
    pipe's buffer: else this process could block on sending it while the worker blocks on
    sending back its row, each waiting for the other."""
    typical = batch.Submission("ada", tuple((name, str(CLASS / "ada" / name / notebook))
                                            for name, notebook in reference.NOTEBOOKS.items()))
    assert len(runner._message((0, typical))) <= runner.AHEAD_BYTES
    crowded = batch.Submission("crowd", tuple(("folder", str(tmp_path / f"{'x' * 200}{i}.ipynb"))
                                              for i in range(200)))
    assert len(runner._message((1, crowded))) > runner.AHEAD_BYTES


def test_does_one_worker_grade_students_of_a_thousand_files_each_one_after_the_other(tmp_path):
    """Two students whose tasks and rows are each larger than the pipe's buffers (a socket's
    hold about 200 KB): the second is sent only once the worker is free, or this process would
    block on sending it while the worker blocks on sending the first one's row."""
    folder = tmp_path / "class"
    for student in ("a_crowd", "b_crowd"):
        (folder / student).mkdir(parents=True)
        for i in range(1200):
            (folder / student / f"{'x' * 240}{i}.ipynb").write_text("not a notebook")
    shutil.copytree(CLASS / "ada" / "initialization", folder / "c_after" / "initialization")
    out = tmp_path / "out"
    done = run_grade_class(folder, out, "--jobs", "1")
    assert done.returncode == 0, done.stderr
    rows = stored_rows(out)
    assert sorted(rows) == ["a_crowd", "b_crowd", "c_after"]
    assert rows["c_after"]["results"][0]["score"] > 0
    assert all(len(" ".join(rows[s]["notes"])) > 300_000 for s in ("a_crowd", "b_crowd"))


# Exports ----------------------------------------------------------------------------------------


def test_does_grades_csv_have_the_documented_columns_and_the_per_function_scores(reference_run):
    rows = csv_rows(reference_run.out / "grades.csv")
    columns = ["student", "status"]
    for assignment in ASSIGNMENTS:
        columns += [f"{assignment}:{f}" for f in reference.load(assignment).names] + [f"{assignment}:total"]
    columns += ["total", "max_total", "notes"]
    assert list(rows[0]) == columns
    assert [row["student"] for row in rows] == STUDENTS
    for row in rows:
        stored = {r["assignment"]: r for r in reference_run.rows[row["student"]]["results"]}
        assert row["status"] == "graded" and row["notes"] == ""
        total = 0.0
        for assignment in ASSIGNMENTS:
            expected = EXPECTED[row["student"]][assignment]
            for name, function in stored[assignment]["functions"].items():
                assert float(row[f"{assignment}:{name}"]) == pytest.approx(function["score"])
                assert float(row[f"{assignment}:{name}"]) == pytest.approx(expected[name])
            assert float(row[f"{assignment}:total"]) == pytest.approx(sum(expected.values()))
            total += sum(expected.values())
        assert float(row["total"]) == pytest.approx(total)
        assert float(row["max_total"]) == sum(reference.load(a).max_score for a in ASSIGNMENTS)


#: The Gradescope autograder's results.json, as its specification describes it.
GRADESCOPE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["tests"],
    "anyOf": [{"required": ["score"]},
              {"properties": {"tests": {"items": {"required": ["score"]}}}}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"$ref": "#/$defs/format"},
        "test_output_format": {"$ref": "#/$defs/format"},
        "test_name_format": {"$ref": "#/$defs/format"},
        "visibility": {"$ref": "#/$defs/visibility"},
        "stdout_visibility": {"$ref": "#/$defs/visibility"},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": {"$ref": "#/$defs/test"}},
        "leaderboard": {"type": "array"},
    },
    "additionalProperties": False,
    "$defs": {
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test": {
            "type": "object",
            "required": ["name", "score", "max_score", "status", "output", "visibility"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "name_format": {"$ref": "#/$defs/format"},
                "number": {"type": "string"},
                "score": {"type": "number", "minimum": 0},
                "max_score": {"type": "number", "minimum": 0},
                "status": {"enum": ["passed", "failed"]},
                "output": {"type": "string"},
                "output_format": {"$ref": "#/$defs/format"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": {"$ref": "#/$defs/visibility"},
                "extra_data": {"type": "object"},
            },
            "additionalProperties": False,
        },
    },
}


def test_does_every_gradescope_results_json_validate_against_the_gradescope_schema(reference_run):
    jsonschema.Draft202012Validator.check_schema(GRADESCOPE_SCHEMA)
    validator = jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA)
    for student in STUDENTS:
        for assignment in ASSIGNMENTS:
            path = reference_run.out / "gradescope" / student / assignment / "results.json"
            data = json.loads(path.read_text())
            errors = [e.message for e in validator.iter_errors(data)]
            assert errors == [], (path, errors)
            functions = reference.load(assignment).names
            assert [t["name"] for t in data["tests"]] == list(functions)
            for test in data["tests"]:
                assert test["score"] <= test["max_score"]
                assert test["score"] == pytest.approx(EXPECTED[student][assignment][test["name"]])
                assert (test["status"] == "passed") == (test["score"] == test["max_score"])
            assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


class Page(HTMLParser):
    """What the feedback tests need from a page, plus a check that its tags nest properly."""

    VOID = {"meta", "link", "br", "hr", "img", "input", "area", "base", "col", "embed", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.problems = [], []
        self.html = 0
        self.meta = []
        self.sections = {}  # id -> text of its h2
        self.items = []  # text of every <li>
        self._h2 = self._li = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.open.append(tag)
        self.html += tag == "html"
        if tag == "meta":
            self.meta.append(attrs)
        if tag == "section":
            self.sections[attrs.get("id")] = ""
        if tag == "h2":
            self._h2 = ""
        if tag == "li":
            self._li = ""

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        self.open.pop()
        if tag == "h2":
            section = list(self.sections)[-1]
            self.sections[section] = self._h2
            self._h2 = None
        if tag == "li":
            self.items.append(self._li)
            self._li = None

    def handle_data(self, data):
        if self._h2 is not None:
            self._h2 += data
        if self._li is not None:
            self._li += data


def parse_page(path):
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_does_every_feedback_page_parse_with_one_section_per_graded_function(reference_run):
    for student in STUDENTS:
        for assignment in ASSIGNMENTS:
            page = parse_page(reference_run.out / "feedback" / student / f"{assignment}.html")
            assert page.problems == [] and page.open == [], (student, assignment, page.problems)
            assert page.html == 1
            assert any(m.get("name") == "viewport" and "width=device-width" in m.get("content", "")
                       for m in page.meta)
            names = reference.load(assignment).names
            assert list(page.sections) == list(names)
            for name in names:
                assert name in page.sections[name]


def hidden_failures(student, row):
    """``(function, check name, expected outputs)`` of every hidden case the student failed."""
    for result in row["results"]:
        spec = reference.load(result["assignment"])
        seed = seed_for(student, spec.name, "")
        for name, function in result["functions"].items():
            key = result["provenance"]["draw_keys"].get(name)
            checks = {c.name: c for c in assignments.build_checks(spec, name, rng_for(seed, name, key))}
            for check_result in function["checks"]:
                check = checks[check_result["name"]]
                if check_result["passed"] or not check.name.startswith("hidden case"):
                    continue
                solution = spec.reference(name, check.stand_ins)
                outputs = [solution(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]
                yield result["assignment"], name, check_result["message"], outputs


WRONG = [s for s in STUDENTS if sum(sum(EXPECTED[s][a].values()) for a in ASSIGNMENTS) < 130
         and s != "gia"]
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@pytest.mark.parametrize("student", WRONG)
def test_does_feedback_never_show_an_expected_value_of_a_hidden_case(reference_run, student):
    messages = [m for _, _, m, _ in hidden_failures(student, reference_run.rows[student])]
    assert messages, "this student fails no hidden case: the test proves nothing"
    shown = []
    for assignment in ASSIGNMENTS:
        page = parse_page(reference_run.out / "feedback" / student / f"{assignment}.html")
        shown += page.items
        results = json.loads((reference_run.out / "gradescope" / student / assignment / "results.json")
                             .read_text())
        shown += [line for test in results["tests"] for line in test["output"].splitlines()]
    for message in messages:  # each failed hidden case is reported, in the page and in results.json
        assert sum(message in text for text in shown) >= 2, message
    for text in (text for text in shown if "hidden case" in text):
        assert not re.search(rf"expected\W{{0,3}}(?:np\.float64\()?{NUMBER}", text), text
        assert "got np." not in text and "expected np." not in text, text


def _significant(value):
    return float(f"{abs(value):.3g}")


def test_can_no_number_in_a_hidden_scalar_message_give_away_the_expected_value(reference_run):
    leaks = []
    failures = [f for student in WRONG for f in hidden_failures(student, reference_run.rows[student])]
    for _, name, message, outputs in failures:
        scalars = [o for o in outputs if not isinstance(o, dict | tuple | list) and np.ndim(o) == 0]
        if not scalars:
            continue
        secret = {_significant(float(v)) for v in scalars if float(v) != 0}
        numbers = [float(n) for n in re.findall(NUMBER, message.split("]: ", 1)[-1])]
        ratios = [a / b for a in numbers for b in numbers if b not in (0.0, 1.0) and a != b]
        if secret & ({_significant(n) for n in numbers} | {_significant(r) for r in ratios}):
            leaks.append(f"{name}: {message}")
    assert leaks == []


# The nbgrader gradebook -------------------------------------------------------------------------

COURSE_SCRIPT = """
import shutil, sys
from pathlib import Path
from tools import release
course = Path(sys.argv[1])
for assignment in release.ASSIGNMENTS:
    shutil.copytree(release.ROOT / "source" / assignment, course / "source" / assignment,
                    symlinks=False, ignore=release._IGNORE)
release._isolated_jupyter(course)
release._generate(course, release.ASSIGNMENTS)
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A throwaway nbgrader course with the three assignments generated (Jupyter dirs inside it)."""
    root = tmp_path_factory.mktemp("course")
    done = subprocess.run([sys.executable, "-c", COURSE_SCRIPT, str(root)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")  # nbgrader's own, silenced by the export
def test_does_the_gradebook_hold_the_same_scores_as_grades_csv(reference_run, course, tmp_path, capsys):
    from nbgrader.api import Gradebook

    db = tmp_path / "gradebook.db"
    shutil.copy(course / "gradebook.db", db)
    out = copy_of(reference_run, tmp_path)
    status, stdout, err = run_in_process(capsys, CLASS, "--out", out, "--nbgrader-db", db)
    assert status == 0, err
    assert f"wrote {len(STUDENTS) * len(ASSIGNMENTS)} graded notebooks" in stdout
    assert "Warning" not in err and "Traceback" not in err, err

    rows = csv_rows(out / "grades.csv")
    with Gradebook(f"sqlite:///{db}") as gradebook:
        for row in rows:
            for assignment in ASSIGNMENTS:
                submission = gradebook.find_submission(assignment, row["student"])
                assert submission.score == pytest.approx(float(row[f"{assignment}:total"]))
                grades = {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}
                assert grades == pytest.approx(
                    {f"test_{name}": float(row[f"{assignment}:{name}"])
                     for name in reference.load(assignment).names}), (row["student"], assignment)


def test_is_a_gradebook_without_the_assignment_refused_untouched(reference_run, course, tmp_path, capsys):
    db = tmp_path / "gradebook.db"
    shutil.copy(course / "gradebook.db", db)
    with contextlib.closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("UPDATE assignment SET name = 'other' WHERE name = 'gradient_checking'")
    before = db.read_bytes()
    out = copy_of(reference_run, tmp_path)
    status, _, err = run_in_process(capsys, CLASS, "--out", out, "--nbgrader-db", db)
    assert status == 2
    assert "no assignment 'gradient_checking'" in err and "nbgrader generate_assignment" in err
    assert db.read_bytes() == before


def test_is_a_missing_gradebook_refused_before_grading(tmp_path, capsys):
    status, _, err = run_in_process(capsys, CLASS, "--out", tmp_path / "out",
                                    "--nbgrader-db", tmp_path / "gradebook.db")
    assert status == 2
    assert "no such gradebook" in err and "to grade" not in err
    assert list(tmp_path.iterdir()) == []


# Output folder, progress, summary ---------------------------------------------------------------


@pytest.mark.parametrize("where", ["a regular file", "under /proc"])
def test_is_an_unwritable_output_path_refused_before_grading(where, tmp_path, capsys):
    if where == "a regular file":
        out = tmp_path / "out"
        out.write_text("not a folder")
    else:
        out = Path("/proc/autograder-test/out")
    before = tree(tmp_path)
    status, stdout, err = run_in_process(capsys, CLASS, "--out", out)
    assert status == 2
    assert err.startswith(f"error: cannot write results under {out}"), err
    assert "to grade" not in err and stdout == ""
    assert tree(tmp_path) == before


def test_is_progress_plain_log_lines_when_stderr_is_not_a_terminal(reference_run):
    lines = without_secret_warning(reference_run.stderr).splitlines()
    assert lines[0] == f"{len(STUDENTS)} students, 0 already graded, {len(STUDENTS)} to grade"
    assert re.fullmatch(r"starting 6 sandboxes \(2 workers × 3, .*\); .* \.\.\.", lines[1]), lines[1]
    progress = lines[2:]
    tail = r"(done|ETA after the next student|[\d.]+/s, ETA \d+ s)"
    pattern = rf"graded \d+/{len(STUDENTS)} students \({tail}\)"
    assert progress and all(re.fullmatch(pattern, line) for line in progress), lines
    assert progress[-1] == f"graded {len(STUDENTS)}/{len(STUDENTS)} students (done)"
    assert "\r" not in reference_run.stderr and "\x1b" not in reference_run.stderr


def test_is_the_eta_measured_from_the_first_student_not_from_the_start_up():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(101, stream, clock=lambda: now[0])
    now[0] = 15.0  # the sandboxes took 15 s to start
    progress.step()
    assert progress.eta() is None
    for _ in range(10):
        now[0] += 0.1  # then a student every 0.1 s
        progress.step()
    assert progress.eta() == pytest.approx(90 * 0.1)
    assert "ETA after the next student" in stream.getvalue().splitlines()[0]


def test_is_progress_a_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(3, stream)
    for _ in range(3):
        progress.step()
    progress.close()
    assert "\r" in stream.getvalue() and "3/3" in stream.getvalue()


def test_does_the_summary_count_functions_give_means_medians_attention_and_the_report(reference_run):
    text = reference_run.stdout
    assert f"students: {len(STUDENTS)}" in text
    assert re.search(r"^sandbox layer: (bwrap|namespaces|rlimits)", text, re.MULTILINE)
    rows = csv_rows(reference_run.out / "grades.csv")
    means = dict(re.findall(r"^  (\w+:\w+)\s+([\d.]+)$", text, re.MULTILINE))
    for assignment in ASSIGNMENTS:
        totals = [float(r[f"{assignment}:total"]) for r in rows]
        line = re.search(rf"^  {assignment}\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", text, re.MULTILINE)
        assert line, text
        assert int(line[1]) == len(STUDENTS)
        assert float(line[2]) == pytest.approx(np.mean(totals), abs=0.005)
        assert float(line[3]) == pytest.approx(np.median(totals), abs=0.005)
        for name in reference.load(assignment).names:
            key = f"{assignment}:{name}"
            assert float(means[key]) == pytest.approx(np.mean([float(r[key]) for r in rows]), abs=0.005)
    statuses = {}
    for row in reference_run.rows.values():
        for result in row["results"]:
            for function in result["functions"].values():
                statuses[function["status"]] = statuses.get(function["status"], 0) + 1
    counted = dict(re.findall(r"(\w+) (\d+)", text.split("graded functions by status: ")[1].splitlines()[0]))
    assert {k: int(v) for k, v in counted.items() if int(v)} == statuses
    assert sum(int(v) for v in counted.values()) == len(STUDENTS) * sum(
        len(reference.load(a).names) for a in ASSIGNMENTS)  # functions, not checks
    slowest = re.findall(r"^  (\w+): [\d.]+ s$", text.split("slowest students:")[1], re.MULTILINE)
    by_time = sorted(reference_run.rows.values(), key=lambda r: (-r["seconds"], r["student"]))
    assert slowest == [r["student"] for r in by_time[:5]]
    attention = re.search(r"^needs attention: (\d+) students", text, re.MULTILINE)
    assert attention and int(attention[1]) >= 2  # finn's and gia's untouched stubs at least
    assert f"report:     {reference_run.out / 'report.html'}" in text


# One assignment at a time -----------------------------------------------------------------------


def one_assignment_class(folder, assignment, layout, students=STUDENTS):
    """The sample class's notebooks of ``assignment`` alone: as nbgrader's folder, as loose
    ``<student>_<Notebook>.ipynb`` files, or as a zip of nbgrader's folder."""
    notebook = reference.NOTEBOOKS[assignment]
    submitted = folder / "submitted"
    for student in students:
        target = submitted / student / assignment if layout != "loose notebooks" else submitted
        target.mkdir(parents=True, exist_ok=True)
        name = notebook if layout != "loose notebooks" else f"{student}_{notebook}"
        shutil.copy(CLASS / student / assignment / notebook, target / name)
    if layout == "zip":
        return zip_folder(submitted, folder / "class.zip", prefix="submitted/")
    return submitted


def columns_of(assignments):
    columns = ["student", "status"]
    for assignment in assignments:
        columns += [f"{assignment}:{f}" for f in reference.load(assignment).names] + [f"{assignment}:total"]
    return columns + ["total", "max_total", "notes"]


def exported(out, kind):
    """``{student: [assignment, ...]}`` of the feedback pages or the Gradescope results written."""
    if kind == "feedback":
        found = (p.relative_to(out / kind) for p in (out / kind).glob("*/*.html"))
        pairs = ((p.parent.name, p.stem) for p in found)
    else:
        pairs = ((p.parent.parent.name, p.parent.name) for p in (out / kind).glob("*/*/results.json"))
    listing = {}
    for student, assignment in sorted(pairs):
        listing.setdefault(student, []).append(assignment)
    return listing


@pytest.mark.parametrize("layout", ["nbgrader folder", "loose notebooks", "zip"])
def test_is_a_class_whose_notebooks_are_all_of_one_assignment_graded_as_that_assignment(
        layout, tmp_path, capsys):
    path = one_assignment_class(tmp_path, "regularization", layout)
    out = tmp_path / "out"

    status, stdout, err = run_in_process(capsys, path, "--out", out, "--jobs", "2")

    assert status == 0, err
    assert ("assignment: regularization (every notebook found is of this assignment; --assignment to "
            "choose)") in stdout.splitlines()
    rows = csv_rows(out / "grades.csv")
    assert list(rows[0]) == columns_of(["regularization"])
    assert [row["student"] for row in rows] == STUDENTS
    for row in rows:
        total = sum(EXPECTED[row["student"]]["regularization"].values())
        assert float(row["regularization:total"]) == pytest.approx(total)
        assert float(row["total"]) == pytest.approx(total) and row["max_total"] == "50"
        assert "no notebook for" not in row["notes"], row["notes"]  # the other two are not missing
    only = {student: ["regularization"] for student in STUDENTS}
    assert exported(out, "feedback") == exported(out, "gradescope") == only
    assert "missing notebook" not in stdout and "misfiled" not in stdout
    assert re.findall(r"^  (\w+) +\d+ ", stdout.split("scores per assignment")[1], re.MULTILINE) == \
        ["regularization"]
    means = re.findall(r"^  (\w+):\w+ ", stdout, re.MULTILINE)
    assert means and set(means) == {"regularization"}


def test_does_the_assignment_flag_grade_that_assignment_alone_and_list_the_others_as_misfiled(
        tmp_path, capsys):
    submitted = tmp_path / "submitted"
    for student in ("ada", "cleo"):  # all three notebooks each
        shutil.copytree(CLASS / student, submitted / student)
    # hal handed in no initialization notebook
    shutil.copytree(CLASS / "dev" / "regularization", submitted / "hal" / "regularization")
    out = tmp_path / "out"

    status, stdout, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "2",
                                         "--assignment", "initialization")

    assert status == 0, err
    assert ("assignment: initialization (as --assignment asked; notebooks of other assignments are not "
            "graded)") in stdout.splitlines()
    assert ("misfiled, not graded: 5 notebooks of other assignments (gradient_checking 2, regularization 3; "
            "the students' notes in grades.csv name them)") in stdout.splitlines()
    rows = {row["student"]: row for row in csv_rows(out / "grades.csv")}
    assert list(rows["ada"]) == columns_of(["initialization"])
    assert {s: float(row["total"]) for s, row in rows.items()} == {"ada": 30, "cleo": 20, "hal": 0}
    assert {row["max_total"] for row in rows.values()} == {"30"}
    assert "no notebook for initialization" in rows["hal"]["notes"]
    assert "no notebook for regularization" not in rows["hal"]["notes"]
    assert ("regularization/Regularization.ipynb is of the regularization assignment, not initialization: "
            "misfiled, not graded") in rows["hal"]["notes"]
    for student in ("ada", "cleo"):
        assert "no notebook for" not in rows[student]["notes"]
        assert rows[student]["notes"].count("misfiled, not graded") == 2
    stored = stored_rows(out)
    assert {s: [r["assignment"] for r in row["results"]] for s, row in stored.items()} == \
        {"ada": ["initialization"], "cleo": ["initialization"], "hal": []}
    assert stored["hal"]["misfiled"] == [{"file": "Regularization.ipynb", "assignment": "regularization"}]
    assert list(stored["ada"]["code"]) == ["initialization"]  # nor in the similarity report
    assert exported(out, "feedback") == exported(out, "gradescope") == \
        {"ada": ["initialization"], "cleo": ["initialization"]}
    assert set(re.findall(r"^  (\w+):\w+ ", stdout, re.MULTILINE)) == {"initialization"}
    page = (out / "report.html").read_text()
    assert "Graded as one assignment: initialization" in page
    assert "compute_cost_with_regularization" not in page and "gradient_check_n" not in page


def test_is_an_assignment_the_class_does_not_hold_a_warning_and_a_failure(tmp_path, capsys):
    path = one_assignment_class(tmp_path, "regularization", "nbgrader folder", ["ada"])
    status, _, err = run_in_process(capsys, path, "--out", tmp_path / "out", "--jobs", "1",
                                    "--assignment", "gradient_checking")
    assert status == 1
    assert f"warning: no gradient_checking notebook was found in {path}: nothing was graded" in err


def test_do_runs_with_and_without_the_assignment_flag_into_one_folder_never_mix(tmp_path, capsys):
    submitted = tmp_path / "submitted"
    for student in ("ada", "eve"):
        shutil.copytree(CLASS / student, submitted / student)
    out = tmp_path / "out"
    mixed = ["student", "status"] + columns_of(ASSIGNMENTS)[2:]

    status, _, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "2")
    assert status == 0, err
    assert list(csv_rows(out / "grades.csv")[0]) == mixed
    assert exported(out, "feedback") == {"ada": sorted(ASSIGNMENTS), "eve": sorted(ASSIGNMENTS)}

    status, stdout, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "2",
                                         "--assignment", "regularization")
    assert status == 0, err
    assert "2 students, 0 already graded, 2 to grade" in err  # the stored rows were of all three
    rows = csv_rows(out / "grades.csv")
    assert list(rows[0]) == columns_of(["regularization"])
    assert [float(row["total"]) for row in rows] == [50, 40]
    assert exported(out, "feedback") == exported(out, "gradescope") == \
        {"ada": ["regularization"], "eve": ["regularization"]}
    assert all(row.get("assignment") == "regularization" for row in stored_rows(out).values())

    status, _, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "2",
                                    "--assignment", "regularization")
    assert "2 students, 2 already graded, 0 to grade" in err

    status, _, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "2")
    assert "2 students, 0 already graded, 2 to grade" in err
    assert list(csv_rows(out / "grades.csv")[0]) == mixed
    assert all("assignment" not in row for row in stored_rows(out).values())


def test_is_a_class_of_several_assignments_still_graded_on_all_three(reference_run):
    assert not re.search(r"^assignment: |^misfiled", reference_run.stdout, re.MULTILINE)
    assert all("assignment" not in row and "misfiled" not in row for row in reference_run.rows.values())
    assert exported(reference_run.out, "feedback") == {s: sorted(ASSIGNMENTS) for s in STUDENTS}


def test_does_a_packed_submission_keep_the_assignment_it_is_graded_as(tmp_path):
    path = one_assignment_class(tmp_path, "initialization", "nbgrader folder", ["ada"])
    (submission,) = batch.scoped(discover(path, tmp_path / "work"), "initialization")
    assert submission.packed().assignment == "initialization"  # what a Dask worker is given
    every = batch.Submission(submission.student, submission.notebooks, submission.notes)
    assert submission.fingerprint("s") != every.fingerprint("s")  # a stored row is never reused across


# A notebook that cannot be read: one whole message -----------------------------------------------


def test_is_a_corrupt_notebooks_reason_said_once_and_whole_in_every_export(tmp_path, capsys):
    submitted = tmp_path / "submitted"
    shutil.copytree(CLASS / "ada", submitted / "ada")
    (submitted / "ivy" / "regularization").mkdir(parents=True)
    (submitted / "ivy" / "regularization" / "Regularization.ipynb").write_text('{"cells": [')
    (submitted / "jo" / "initialization").mkdir(parents=True)
    complete = (CLASS / "ada" / "initialization" / "Initialization.ipynb").read_bytes()
    (submitted / "jo" / "initialization" / "Initialization.ipynb").write_bytes(complete[:len(complete) // 2])
    out = tmp_path / "out"

    status, _, err = run_in_process(capsys, submitted, "--out", out, "--jobs", "1")

    assert status == 0, err
    rows = {row["student"]: row for row in csv_rows(out / "grades.csv")}
    for student, assignment in (("ivy", "regularization"), ("jo", "initialization")):
        (result,) = stored_rows(out)[student]["results"]
        message = result["error"]
        whole = (rf"{reference.NOTEBOOKS[assignment]} is not valid notebook JSON: (it stops at line \d+, "
                 r"column \d+, before the notebook ends|the string that starts at line \d+, column \d+ is "
                 r"never closed) \(was the file cut short\?\)")
        assert re.fullmatch(whole, message), message
        assert rows[student]["notes"].count(message) == 1
        page = (out / "feedback" / student / f"{assignment}.html").read_text()
        assert page.count(message) == 1
        assert page.count("not graded: see the reason above") == len(reference.load(assignment).names)
        gradescope = json.loads((out / "gradescope" / student / assignment / "results.json").read_text())
        assert gradescope == {"score": 0.0, "output": message, "tests": [], "visibility": "visible",
                              "stdout_visibility": "hidden"}
        jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(gradescope)
        assert (out / "report.html").read_text().count(message) == 1
