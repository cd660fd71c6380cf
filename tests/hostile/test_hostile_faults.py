"""Does the class grader survive being killed, losing a worker, or an output folder it cannot write?

- ``grade-class`` killed with SIGKILL at several moments (before any result,
  after 1, 2, 3 and 4 results, and after a random delay), each time rerun in
  the same ``--out``: the final ``grades.csv`` is byte-identical to an
  uninterrupted run.
- A grading worker of the local pool killed from outside while it holds a
  student: the student is retried; killed again, the student gets an error row
  and the rest of the class is graded.
- ``--out`` that cannot be written even by root (a file where a folder is
  expected, a path under ``/proc``, a read-only bind mount over earlier
  results): a clear error before anything is graded, earlier results untouched.

The tests start the grader as a subprocess in its own session; after a test
kills it, the processes it left (its workers) are ended by their group id.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.reference import NOTEBOOKS, ROOT

#: Students of the fault class: corpus cases that grade quickly, gradient checking only.
FAULT_CLASS = ["nbformat_3", "patch_allclose", "hard_exit", "kill_the_worker", "not_json", "fork_bomb",
               "syntax_error_in_one_cell", "sys_exit", "utf8_bom", "read_system_files"]
RUN_TIMEOUT = 300


def _command(path, out, *options):
    return [sys.executable, "-m", "autograder", "grade-class", str(path), "--out", str(out), *options]


def _start(path, out, env, *options):
    return subprocess.Popen(_command(path, out, "--jobs", "2", *options), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _run(path, out, env, *options):
    run = subprocess.run(_command(path, out, "--jobs", "2", *options), cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _end_group(proc):
    """Kill what is left of a grader we started (its session), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=60)


def _children(pid):
    """Pids whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pool_workers(pid):
    """The local pool's worker processes of the grader ``pid`` (multiprocessing spawn children)."""
    return [child for child in _children(pid)
            if "spawn_main" in _cmdline(child) and "resource_tracker" not in _cmdline(child)]


def _results(out):
    folder = Path(out) / "results"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _wait_for(condition, proc, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc.poll() is not None:
            return None
        time.sleep(0.01)
    raise AssertionError("the grader neither got there nor finished")


def _tree(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fault_class(corpus, tmp_path_factory):
    root, paths = corpus
    folder = tmp_path_factory.mktemp("fault-class") / "submitted"
    for name in FAULT_CLASS:
        target = folder / name / "gradient_checking" / NOTEBOOKS["gradient_checking"]
        target.parent.mkdir(parents=True)
        shutil.copyfile(paths[name], target)
    return folder


@pytest.fixture(scope="module")
def baseline(fault_class, canary_env, secret_file, tmp_path_factory):
    """An uninterrupted run: its ``--out``."""
    out = tmp_path_factory.mktemp("baseline")
    _run(fault_class, out, canary_env, "--secret-file", str(secret_file))
    return out


def _rows(out):
    """Stored rows without what differs between identical runs (timings, fingerprints, seals)."""
    rows = {}
    for path in _results(out):
        row = json.loads(path.read_text())
        row.pop("seconds", None)
        row.pop("fingerprint", None)
        row.pop("seal", None)
        for result in row["results"]:
            result["provenance"].pop("seconds", None)
        rows[path.name] = row
    return rows


def test_does_a_class_grader_killed_at_any_moment_finish_with_the_same_grades_when_rerun(
        fault_class, baseline, canary_env, secret_file, tmp_path):
    out = tmp_path / "out"
    options = ("--secret-file", str(secret_file))
    killed_at = []
    for k in (0, 1, 2, 3, 4, "timed"):
        before = len(_results(out))
        proc = _start(fault_class, out, canary_env, *options)
        try:
            if k == "timed":
                time.sleep(random.uniform(0.2, 1.5))
                reached = proc.poll() is None
            elif k == 0:  # workers started, nothing graded yet
                reached = _wait_for(lambda: _pool_workers(proc.pid) and not _results(out), proc)
            else:
                target = max(k, before + 1)
                reached = _wait_for(lambda: len(_results(out)) >= target, proc)
            if reached and proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at.append((k, len(_results(out))))
        finally:
            _end_group(proc)
    assert len(killed_at) >= 5, killed_at  # the grader was really killed mid-run, at least five times
    final = _run(fault_class, out, canary_env, *options)
    assert "already graded" in final.stderr
    assert (out / "grades.csv").read_bytes() == (baseline / "grades.csv").read_bytes()
    assert _rows(out) == _rows(baseline)
    for path in _results(out):  # a write cut short never stands as a result (leftover .tmp files may)
        json.loads(path.read_text())


def _kill_worker_holding_a_student(proc):
    """SIGKILL the pool worker once it grades (its sandbox is up); returns the worker's pid."""
    def busy_worker():
        for worker in _pool_workers(proc.pid):
            if _children(worker):
                return worker
        return None

    worker = _wait_for(busy_worker, proc)
    assert worker, "the grader finished before a worker could be caught grading"
    os.kill(worker, signal.SIGKILL)
    return worker


@pytest.mark.parametrize("deaths", [1, 2])
def test_is_a_student_whose_worker_is_killed_retried_then_given_an_error_row(
        corpus, canary_env, secret_file, tmp_path, deaths):
    _, paths = corpus
    folder = tmp_path / "submitted"
    for student, case in (("a_victim", "nbformat_3"), ("b_bystander", "utf8_bom")):
        target = folder / student / "gradient_checking" / NOTEBOOKS["gradient_checking"]
        target.parent.mkdir(parents=True)
        shutil.copyfile(paths[case], target)
    out = tmp_path / "out"
    proc = subprocess.Popen(_command(folder, out, "--jobs", "1", "--secret-file", str(secret_file)),
                            cwd=ROOT, env=canary_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        killed = []
        for _ in range(deaths):
            killed.append(_kill_worker_holding_a_student(proc))
            _wait_for(lambda: killed[-1] not in _pool_workers(proc.pid), proc)
        stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT)
    finally:
        _end_group(proc)
    assert proc.returncode == 0, stderr[-3000:]
    assert len(set(killed)) == deaths
    victim = json.loads((out / "results" / "a_victim.json").read_text())
    bystander = json.loads((out / "results" / "b_bystander.json").read_text())
    assert bystander["status"] == "graded" and bystander["results"][0]["score"] == 50
    if deaths == 1:  # retried on a fresh worker, graded as if nothing happened
        assert victim["status"] == "graded" and victim["results"][0]["score"] == 50
    else:
        assert victim["status"] == "error" and victim["results"] == []
        assert "died twice" in " ".join(victim["notes"])
    assert {row.split(",")[0] for row in (out / "grades.csv").read_text().splitlines()[1:]} == {
        "a_victim", "b_bystander"}


def _read_only_mount_command(out, command):
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(out), *command]


@pytest.mark.parametrize("where", ["a file", "under /proc", "read-only mount"])
def test_is_an_unwritable_out_refused_before_grading_and_nothing_lost(where, fault_class, baseline,
                                                                     canary_env, tmp_path):
    if where == "a file":
        out = tmp_path / "grades-folder"
        out.write_text("not a folder\n")
        command = _command(fault_class, out, "--jobs", "1")
    elif where == "under /proc":
        out = Path("/proc/self/hostile-out")
        command = _command(fault_class, out, "--jobs", "1")
    else:
        if os.geteuid() != 0 or not shutil.which("unshare"):
            pytest.skip("a read-only bind mount needs root and unshare")
        out = tmp_path / "out"
        shutil.copytree(baseline, out)
        command = _read_only_mount_command(out, _command(fault_class, out, "--jobs", "1"))
    before = _tree(out) if out.is_dir() else (out.read_bytes() if out.is_file() else None)
    started = time.monotonic()
    run = subprocess.run(command, cwd=ROOT, env=canary_env, capture_output=True, text=True,
                         timeout=RUN_TIMEOUT)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("error: cannot write results under"), run.stderr
    assert "to grade" not in run.stderr  # refused before the class was even read
    assert time.monotonic() - started < 30
    after = _tree(out) if out.is_dir() else (out.read_bytes() if out.is_file() else None)
    assert after == before
