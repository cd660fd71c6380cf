"""Does ``grade-class`` survive the whole corpus and broken batches, with a clear row for everyone?

The corpus folder (one student per case) gets a few more students that are
broken as a batch: notebooks and a student folder that are symbolic links
(into the instructor's ``source/``, or to a classmate), an empty folder, two
notebooks for one assignment, an unknown assignment folder, a loose notebook of
no known assignment; and uploads whose names try to decide whose they are: a
Moodle and a Canvas upload named after another student's Blackboard attempt, two
Blackboard attempts of one student, two hand-named uploads of one student. The
class is graded once by ``python -m autograder
grade-class`` in a subprocess, two workers, the canary as the course secret
and in the environment. Archives that are broken as archives (zip bombs, ``..``
and absolute entries, links) must be refused before anything is graded.
"""

import csv
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from autograder.course.batch import SEVERAL
from autograder.grading.reference import NOTEBOOKS, ROOT, load
from autograder.grading.students import student_id
from tests.hostile.cases import CASES
from tests.hostile.conftest import grader_snapshot, leaks

RUN_TIMEOUT = 600
GC = "gradient_checking"


def _csv(path):
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _copy_reference(case_paths, target):
    """A notebook with every gradient-checking function answered by the solution."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case_paths["nbformat_3"], target)  # any correct gradient-checking notebook


def add_batch_students(root, paths):
    """Students broken as a batch, next to the corpus; returns ``{student: what to expect}``."""
    gc_name = NOTEBOOKS[GC]
    expected = {}

    linked = root / "zz_link_into_source" / GC / gc_name
    linked.parent.mkdir(parents=True)
    linked.symlink_to(ROOT / "source" / GC / gc_name)
    expected["zz_link_into_source"] = {"total": 0, "error": "symbolic link"}

    (root / "zz_folder_into_source").symlink_to(ROOT / "source", target_is_directory=True)
    expected["zz_folder_into_source"] = {"total": 0, "error": "source notebooks"}

    classmate = root / "zz_link_to_classmate" / GC / gc_name
    classmate.parent.mkdir(parents=True)
    classmate.symlink_to(paths["nbformat_3"])
    expected["zz_link_to_classmate"] = {"total": 0, "error": "symbolic link"}

    (root / "zz_empty_folder").mkdir()
    expected["zz_empty_folder"] = {"total": 0, "note": "no notebook for gradient_checking"}

    # Two notebooks of one assignment, nothing from the platform to tell the newest: neither counts
    # (not the better one: two tries on the same hidden inputs), and both are named.
    two = root / "zz_two_notebooks" / GC
    two.mkdir(parents=True)
    shutil.copyfile(ROOT / "release" / GC / gc_name, two / gc_name)
    _copy_reference(paths, two / "Gradient_Checking_final.ipynb")
    expected["zz_two_notebooks"] = {"total": 0, "status": "error", "note": SEVERAL,
                                    "names": [gc_name, "Gradient_Checking_final.ipynb"]}

    # A notebook is graded as the assignment its content shows, with a note naming its folder.
    _copy_reference(paths, root / "zz_unknown_assignment" / "homework_9" / "Homework.ipynb")
    expected["zz_unknown_assignment"] = {"total": 50, "note": "found in homework_9/"}

    _copy_reference(paths, root / "zz_wrong_folder" / "initialization" / gc_name)
    expected["zz_wrong_folder"] = {"total": 50, "note": "found in initialization/"}

    (root / "zz_stranger.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "1 + 1"}],
                                                        "metadata": {}, "nbformat": 4}))
    expected["zz_stranger"] = {"total": 0, "note": "zz_stranger.ipynb"}
    expected.update(add_identity_students(root, paths))
    return expected


#: Names that rows must not have: those the students' own file names try to give their uploads.
FORGED_IDS = {student_id("zz Ana Maria"), "zz_victim", "7001", "9001"}


def add_identity_students(root, paths):
    """Uploads named to pass for someone else's, as platforms' downloads hold them (loose files
    at the top of the class); returns ``{student: what to expect}``."""
    gc_name, blank = NOTEBOOKS[GC], ROOT / "release" / GC / NOTEBOOKS[GC]
    expected = {}
    # Moodle: Bob's upload named after Ana Maria's Blackboard attempt; hers is the blank release.
    _copy_reference(paths, root / f"Bob Smith_5501_assignsubmission_file_x_zz Ana Maria_attempt_"
                                  f"2016-01-30-15-30-10_{gc_name}")
    shutil.copyfile(blank, root / f"zz Ana Maria_5502_assignsubmission_file_{gc_name}")
    expected["5501"] = {"total": 50}
    expected["5502"] = {"total": 0}
    # Canvas: uploads named as a Blackboard attempt, a hand-named file and a Moodle download.
    _copy_reference(paths, root / f"smithbob_6601_9001_attempt_2016-01-30-15-30-10_{gc_name}")
    expected["6601"] = {"total": 50}
    _copy_reference(paths, root / f"smithcat_6602_9002_zz_victim_{gc_name}")
    expected["6602"] = {"total": 50}
    _copy_reference(paths, root / f"smithdan_6603_9003_zz_Ana_7001_assignsubmission_file_{gc_name}")
    expected["6603"] = {"total": 50}
    # Blackboard: two attempts; the newer (blank) counts, not the better, and the older is named.
    older = f"W1_zzbb_attempt_2024-03-01-10-00-00_{gc_name}"
    _copy_reference(paths, root / older)
    shutil.copyfile(blank, root / f"W1_zzbb_attempt_2024-03-02-10-00-00_{gc_name}")
    expected["zzbb"] = {"total": 0, "note": f"not graded: {older} (2024-03-01T10:00:00)"}
    # Two uploads named by hand for one student: neither counts, both are named.
    _copy_reference(paths, root / f"zz_twice_{gc_name}")
    shutil.copyfile(blank, root / "zz_twice - Gradient Checking.ipynb")
    expected["zz_twice"] = {"total": 0, "status": "error", "note": SEVERAL,
                            "names": [f"zz_twice_{gc_name}", "zz_twice - Gradient Checking.ipynb"]}
    return expected


@pytest.fixture(scope="module")
def class_run(corpus, secret_file, canary_env, tmp_path_factory):
    """The corpus graded by the command line: ``(out, completed process, batch expectations)``."""
    root, paths = corpus
    expected = add_batch_students(root, paths)
    out = tmp_path_factory.mktemp("class-out")
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root), "--out", str(out),
                          "--jobs", "2", "--secret-file", str(secret_file)],
                         cwd=ROOT, env=canary_env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    return out, run, expected


def test_does_grade_class_finish_the_corpus_with_a_row_for_every_student(class_run, corpus):
    out, run, expected = class_run
    assert run.returncode == 0, run.stderr[-3000:]
    rows = _csv(out / "grades.csv")
    assert set(rows) == {c.name for c in CASES} | set(expected)
    for student, row in rows.items():
        assert row["status"] in ("graded", "error"), student
        stored = json.loads((out / "results" / f"{student}.json").read_text())
        assert stored["status"] == row["status"]
        if row["status"] == "error":
            assert stored["notes"], student


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_does_grade_class_give_each_case_its_scores_and_no_more(class_run, case):
    out, _, _ = class_run
    row = _csv(out / "grades.csv")[case.name]
    assert row["status"] == "graded"
    scores = {name: float(row[f"{case.assignment}:{name}"]) for name in load(case.assignment).names}
    assert scores == pytest.approx(case.expect)
    assert float(row["total"]) == pytest.approx(sum(case.expect.values()))
    stored = json.loads((out / "results" / f"{case.name}.json").read_text())
    (result,) = stored["results"]
    assert result["assignment"] == case.assignment
    if case.error:
        assert case.error in result["error"]
    for name, status in case.status.items():
        assert result["functions"][name]["status"] == status, name


def test_are_batch_breakages_graded_as_what_they_are_with_a_clear_reason(class_run):
    out, _, expected = class_run
    rows = _csv(out / "grades.csv")
    for student, want in expected.items():
        row = rows[student]
        stored = json.loads((out / "results" / f"{student}.json").read_text())
        said = " ".join(stored["notes"] + [r["error"] or "" for r in stored["results"]])
        assert float(row["total"]) == want["total"], (student, said)
        if "error" in want:
            assert stored["results"], student
            assert all(want["error"] in (r["error"] or "") for r in stored["results"]), (student, said)
        if "note" in want:
            assert want["note"] in said, (student, said)
        assert row["status"] == want.get("status", "graded"), (student, said)
        assert all(name in said for name in want.get("names", ())), (student, said)
    assert not FORGED_IDS & set(rows), FORGED_IDS & set(rows)  # no row a file name chose


def test_does_no_file_a_student_can_see_hold_the_canary(class_run, canary):
    out, run, _ = class_run
    assert not leaks(run.stdout + run.stderr, canary)
    seen = 0
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".csv"):
            assert not leaks(path.read_bytes(), canary), path
            seen += 1
    assert seen > len(CASES)
    page = (out / "feedback" / "html_in_messages" / f"{GC}.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_are_the_graders_files_and_source_unchanged_after_the_class(class_run, snapshot):
    assert grader_snapshot() == snapshot


# ---------------------------------------------------------------- archives broken as archives
def _deflated_zeros(size):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(size >> 20)) + compressor.flush()
    return data, zlib.crc32(b"\0" * size)


def _zip_of(entries, path):
    """A zip written by hand: ``entries`` is ``[(name, deflated bytes, crc, declared size)]``."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in entries:
        raw = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0)
        local += raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def bomb_many_entries(path):
    """Twenty 60 MB entries of zeros, each within the per-file limit: 1.2 GB from about 1 MB."""
    data, crc = _deflated_zeros(60 << 20)
    return _zip_of([(f"s{i:02d}/{GC}/{NOTEBOOKS[GC]}", data, crc, 60 << 20) for i in range(20)], path)


def bomb_understated(path):
    """One entry that says 1000 bytes and inflates to 60 MB."""
    data, crc = _deflated_zeros(60 << 20)
    return _zip_of([(f"mallory/{GC}/{NOTEBOOKS[GC]}", data, crc, 1000)], path)


def bomb_overstated(path):
    """One entry that declares 3 GB."""
    data, crc = _deflated_zeros(1 << 20)
    return _zip_of([(f"mallory/{GC}/{NOTEBOOKS[GC]}", data, crc, 3_000_000_000)], path)


def _notebook_zip(path, name, link=False):
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr(f"ada/{GC}/{NOTEBOOKS[GC]}", (ROOT / "release" / GC / NOTEBOOKS[GC]).read_text())
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(info, str(ROOT / "source" / GC / NOTEBOOKS[GC]) if link else "{}")
    return path


ARCHIVES = {
    "zip bomb, many entries": (bomb_many_entries, "zip bomb"),
    "zip bomb, size understated": (bomb_understated, "class.zip"),
    "zip bomb, size overstated": (bomb_overstated, "more than"),
    "dot-dot entry": (lambda p: _notebook_zip(p, f"../../escaped/{GC}/x.ipynb"), "(..)"),
    "absolute entry": (lambda p: _notebook_zip(p, "/tmp/hostile-escaped/x.ipynb"), "absolute"),
    "link entry": (lambda p: _notebook_zip(p, f"mallory/{GC}/{NOTEBOOKS[GC]}", link=True), "symbolic link"),
}


@pytest.mark.parametrize("kind", list(ARCHIVES))
def test_is_a_broken_archive_refused_before_grading_with_nothing_written_outside(kind, tmp_path,
                                                                                canary_env):
    make, says = ARCHIVES[kind]
    work = tmp_path / "work"
    work.mkdir()
    archive = make(work / "class.zip")
    out = work / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(archive), "--out", str(out),
                          "--jobs", "1"], cwd=ROOT, env=canary_env, capture_output=True, text=True,
                         timeout=RUN_TIMEOUT)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("error:") and says in run.stderr, run.stderr
    assert sorted(p.name for p in work.iterdir()) == ["class.zip", "out"]
    assert not [p for p in out.rglob("*") if p.is_file()]
    assert not (tmp_path / "escaped").exists() and not os.path.exists("/tmp/hostile-escaped")
    assert "graded" not in run.stdout
