"""The local pool's schedule: how many workers grade at once, and who takes over from a slow student.

The rest of the runner (resuming, a worker killed mid-student, exports) is exercised through
``grade-class`` in ``test_class_grading.py``.
"""

import json
import multiprocessing
import pickle
import shutil
import threading
from pathlib import Path

import pytest

from autograder.course import batch, runner
from autograder.grading import reference
from autograder.sandbox import LIMITS_ENV
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
NOW = 1000.0


class Pipe:
    """What a worker was sent, in order."""

    def __init__(self):
        self.sent = []

    def send_bytes(self, message):
        self.sent.append(pickle.loads(message)[0])


class Process:
    @staticmethod
    def is_alive():
        return True


def pool(jobs, active=None):
    local = runner.LocalPool(jobs, "", active=active)
    local.workers = [{"process": Process(), "pipe": Pipe(), "tasks": [], "since": None}
                     for _ in range(jobs)]
    return local


def students(count):
    """The pending queue as ``LocalPool.run`` keeps it: the next student last."""
    return [(index, f"s{index}") for index in range(count)][::-1]


def given(local):
    return [[index for index, _ in worker["tasks"]] for worker in local.workers]


def finish(worker, now):
    """The worker's current student is done (its row came back at ``now``)."""
    worker["tasks"].pop(0)
    worker["since"] = now


@pytest.mark.parametrize(("jobs", "active"), [(1, 1), (2, 1), (3, 2), (4, 2), (8, 4)])
def test_do_about_half_of_the_workers_grade_at_once_by_default(jobs, active):
    # A worker keeps about two cores busy: its grader and its sandboxes' jobs side by side.
    assert runner.LocalPool(jobs, "").active == active


def test_while_students_are_quick_does_one_of_two_workers_grade_and_the_other_stand_by():
    local, pending = pool(2), students(6)
    wake = local._dispatch(pending, NOW)
    # the one grading grades two at once and is sent the next one ahead
    assert given(local) == [[0, 1, 2], []]
    assert local.workers[0]["pipe"].sent == [0, 1, 2]
    # woken when its student would turn slow, so that the other may then take one
    assert wake == pytest.approx(runner.SLOW_SECONDS)
    finish(local.workers[0], NOW + 0.05)
    local._dispatch(pending, NOW + 0.05)
    assert given(local) == [[1, 2, 3], []]


def test_does_a_worker_standing_by_take_the_next_student_once_the_current_one_is_slow():
    local, pending = pool(2), students(6)
    local._dispatch(pending, NOW)
    assert local._dispatch(pending, NOW + runner.SLOW_SECONDS / 2) == pytest.approx(
        runner.SLOW_SECONDS / 2)
    assert given(local) == [[0, 1, 2], []]
    wake = local._dispatch(pending, NOW + runner.SLOW_SECONDS + 0.01)
    assert given(local) == [[0, 1, 2], [3, 4, 5]]
    assert wake is None  # no worker is left standing by


def test_after_a_slow_student_do_two_grading_workers_get_no_more_until_one_of_them_is_free():
    local, pending = pool(2), students(10)
    local._dispatch(pending, NOW)
    later = NOW + runner.SLOW_SECONDS + 0.01
    local._dispatch(pending, later)
    finish(local.workers[0], later + 0.1)  # the slow student is done: both workers grade now
    local._dispatch(pending, later + 0.1)
    assert given(local) == [[1, 2], [3, 4, 5]]
    finish(local.workers[1], later + 0.15)
    local._dispatch(pending, later + 0.15)
    assert given(local) == [[1, 2], [4, 5]]
    finish(local.workers[0], later + 0.2)
    finish(local.workers[0], later + 0.2)  # one is free: the other alone grades, and is sent ahead
    local._dispatch(pending, later + 0.2)
    assert given(local) == [[], [4, 5, 6]]
    assert pending == students(10)[:3]


def test_when_every_worker_may_grade_at_once_is_each_given_students_at_once():
    local, pending = pool(3, active=3), students(9)
    assert local._dispatch(pending, NOW) is None
    assert given(local) == [[0, 3, 4], [1, 5, 6], [2, 7, 8]]


def test_is_a_large_student_sent_to_a_worker_only_when_it_is_free():
    local = pool(2)
    pending = [(1, "x" * (2 * runner.AHEAD_BYTES)), (0, "s0")]
    local._dispatch(pending, NOW)
    assert given(local) == [[0], []]
    finish(local.workers[0], NOW + 0.05)
    local._dispatch(pending, NOW + 0.05)
    assert given(local) == [[1], []]


def test_does_a_student_looping_until_the_time_limit_leave_the_rest_of_the_class_to_another_worker(
        tmp_path, monkeypatch):
    """Two workers, one grading at a time: the first student's function loops until its 2 s
    limit, and the students after those given to the same worker (one graded beside it, one sent
    ahead) are graded meanwhile by the worker standing by (whose sandboxes are already started)."""
    monkeypatch.setenv(LIMITS_ENV, "wall_seconds=2,cpu_seconds=3")
    looping = {"initialization": {"initialize_parameters_zeros": ["while True:\n    pass"],
                                  "initialize_parameters_random": REFERENCE,
                                  "initialize_parameters_he": REFERENCE}}
    notebook = tmp_path / "slow" / reference.NOTEBOOKS["initialization"]
    notebook.parent.mkdir()
    notebook.write_text(json.dumps(student_notebook("initialization", looping)))
    quick = CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]
    submissions = [batch.Submission("slow", (("initialization", str(notebook)),))]
    for index in range(5):
        copy = tmp_path / f"quick{index}" / quick.name
        copy.parent.mkdir()
        shutil.copy(quick, copy)
        submissions.append(batch.Submission(f"quick{index}", (("initialization", str(copy)),)))
    order, rows = [], {}

    def on_result(submission, row):
        order.append(submission.student)
        rows[submission.student] = row

    runner.LocalPool(2, "", active=1).run(submissions, on_result)
    # quick0 and quick1 went to the worker grading the looping student; the rest to the other
    assert order.index("slow") > max(order.index(f"quick{i}") for i in range(2, 5))
    assert order[-3:] == ["slow", "quick0", "quick1"]  # a worker sends its rows in the order it got them
    slow = rows["slow"]["results"][0]["functions"]
    assert slow["initialize_parameters_zeros"]["status"] == "timeout"
    assert slow["initialize_parameters_he"]["status"] == "passed"
    scores = {s: row["results"][0]["score"] for s, row in rows.items() if s != "slow"}
    assert len(set(scores.values())) == 1 and min(scores.values()) > 0


def test_is_a_worker_that_died_standing_by_replaced_before_it_is_given_a_student(tmp_path,
                                                                                  monkeypatch):
    """A worker standing by is watched by nobody until it is given a student: dead by then (the
    out-of-memory killer, say), it is replaced, and the student it was meant for costs no try."""
    started, start = [], runner.LocalPool._start

    def start_then_kill_the_second(self):
        worker = start(self)
        started.append(worker)
        if len(started) == 2:
            worker["process"].kill()
            worker["process"].join()
        return worker

    monkeypatch.setattr(runner.LocalPool, "_start", start_then_kill_the_second)
    quick = CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]
    submissions = []
    for index in range(4):
        copy = tmp_path / f"quick{index}" / quick.name
        copy.parent.mkdir()
        shutil.copy(quick, copy)
        submissions.append(batch.Submission(f"quick{index}", (("initialization", str(copy)),)))
    rows = {}
    local = runner.LocalPool(2, "", active=1)
    # the first student's time includes its worker's start-up: the other is given one meanwhile
    local.run(submissions, lambda submission, row: rows.update({submission.student: row}))
    assert len(started) == 3  # the dead one was replaced
    assert all(row["status"] == "graded" and row["results"][0]["score"] > 0 for row in rows.values())
    assert sorted(rows) == [f"quick{i}" for i in range(4)]


# A course keeps its grades --------------------------------------------------------------------

def grade_two(tmp_path, out, **options):
    """grade-class (in this process, one worker) of ada and dev's Initialization into ``out``."""
    import io

    for student in ("ada", "dev"):
        target = tmp_path / "class" / student / "initialization"
        if not target.exists():
            shutil.copytree(CLASS / student / "initialization", target)
    said = io.StringIO()
    runner.grade_class(tmp_path / "class", out, jobs=1, secret="course", stream=said, **options)
    return said.getvalue()


def stored(out, student):
    return json.loads((out / "results" / f"{student}.json").read_text())


def test_does_a_course_keep_its_grades_when_the_kit_changes_until_told_to_rescore(tmp_path, monkeypatch):
    out = tmp_path / "out"
    grade_two(tmp_path, out)
    first = {s: stored(out, s) for s in ("ada", "dev")}
    assert {r["provenance"]["draw_scheme"] for row in first.values() for r in row["results"]} == {
        runner.DRAW_SCHEME}

    monkeypatch.setattr(batch, "_code_digest", lambda: "another version of the kit")
    said = grade_two(tmp_path, out)
    assert "2 students keep the grades an earlier version of the kit gave them" in said
    assert "--rescore" in said and "0 to grade" in said
    assert {s: stored(out, s) for s in ("ada", "dev")} == first  # not regraded, not rewritten

    # an earlier version had given ada another score (her row sealed as the kit seals rows)
    row = first["ada"]
    row["results"][0]["score"] = 12.5
    row["seal"] = batch.seal(row, "course")
    (out / "results" / "ada.json").write_text(json.dumps(row))
    said = grade_two(tmp_path, out, rescore=True)
    assert "rescored 2 students graded by an earlier version of the kit: 1 got another score: " \
           "ada (initialization 12.5 → initialization 30)" in said
    assert stored(out, "ada")["fingerprint"] != first["ada"]["fingerprint"]
    assert stored(out, "dev")["results"][0]["score"] == first["dev"]["results"][0]["score"]


def test_is_a_changed_submission_graded_again_whatever_the_kit(tmp_path, monkeypatch):
    out = tmp_path / "out"
    grade_two(tmp_path, out)
    monkeypatch.setattr(batch, "_code_digest", lambda: "another version of the kit")
    notebook = tmp_path / "class" / "dev" / "initialization" / reference.NOTEBOOKS["initialization"]
    notebook.write_text(notebook.read_text().replace("\n", "\n ", 1))  # new work
    said = grade_two(tmp_path, out)
    assert "1 student keeps the grades" in said and "1 to grade" in said


def test_does_a_worker_grade_two_students_at_once_and_send_their_rows_in_the_order_it_got_them(
        monkeypatch):
    together = threading.Barrier(2, timeout=5)  # broken unless two are graded at once
    monkeypatch.setattr(runner, "start_graders", lambda layer: None)

    def work(submission, secret, layer):
        together.wait()
        if submission.student == "s1":
            raise RuntimeError("a grader bug")
        return {"student": submission.student}

    monkeypatch.setattr(runner, "work", work)
    ours, theirs = multiprocessing.Pipe()
    worker = threading.Thread(target=runner._worker_loop, args=(theirs, "", None))
    worker.start()
    for index in range(4):
        ours.send((index, batch.Submission(f"s{index}", ())))
    ours.send(None)
    worker.join(timeout=30)
    rows = [ours.recv() for _ in range(4)]
    assert [index for index, _ in rows] == [0, 1, 2, 3]
    assert rows[0][1] == {"student": "s0"} and rows[2][1] == {"student": "s2"}
    assert rows[1][1]["status"] == "error"  # one student's grader bug costs only that student
    assert rows[1][1]["notes"] == ["grading failed: RuntimeError: a grader bug"]
