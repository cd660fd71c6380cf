"""Shared helpers of the deployment tests: the kit as an installed package, run as a course
platform or an instructor would run it, from folders that are not the repository and with an
environment that holds nothing but ``PATH``.
"""

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The bin folder of the environment running the tests (``.venv/bin`` under ``make test``).
VENV_BIN = Path(sys.executable).parent
CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
STUDENTS = sorted(p.name for p in CLASS.iterdir() if p.is_dir())
TIMEOUT = 300  # seconds for one command


def clean_env(**extra):
    """An environment with only ``PATH`` (the venv's bin first), as in a fresh shell on a grader.

    No ``PYTHONPATH``: the kit must be found because it is installed.
    """
    return {"PATH": f"{VENV_BIN}{os.pathsep}/usr/bin{os.pathsep}/bin", **extra}


def only_venv_path(**extra):
    """An environment with ``PATH`` holding only the venv's bin folder, and nothing else."""
    return {"PATH": str(VENV_BIN), **extra}


def run(command, cwd, env, timeout=TIMEOUT, check=True):
    """Run ``command``; on failure show its output. Returns the CompletedProcess (text)."""
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, \
            f"{command}\nstdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    return done


def csv_rows(path):
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


class Processes:
    """Long-running processes started by a test, each in its own session; :meth:`stop_all` ends
    them and every process they started (sandboxes included), whatever state the test left."""

    def __init__(self):
        self.started = []

    def start(self, command, **kwargs):
        process = subprocess.Popen([str(c) for c in command], start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    def stop_all(self):
        family = []
        for process in self.started:
            try:
                family += [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        for process in self.started:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        gone, alive = psutil.wait_procs(family, timeout=10)
        for leftover in alive:
            try:
                leftover.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture(scope="module")
def processes():
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "course.secret"
    path.write_text("deployment tests' course secret\n")
    return path


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, secret_file):
    """The sample class graded by local worker processes, from a folder outside the repository."""
    work = tmp_path_factory.mktemp("local")
    out = work / "out"
    run([VENV_BIN / "python", "-m", "autograder", "grade-class", CLASS, "--out", out, "--jobs", "2",
         "--secret-file", secret_file], cwd=work, env=clean_env())
    return out
