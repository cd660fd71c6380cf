"""Run the class: local worker processes or a Dask cluster, resumable, with progress.

The local pool is a few lines on ``multiprocessing`` rather than
``concurrent.futures`` because a dead worker must cost one retry of the
student it held, not the whole pool (``ProcessPoolExecutor`` breaks on the
first death). On Dask, each worker process runs the same grading function,
and student code still runs only in that worker's sandbox subprocesses.
"""

import collections
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

from autograder.course.batch import (
    discover,
    error_row,
    is_sealed,
    scoped,
    seal,
    start_graders,
    work,
    write_atomically,
)
from autograder.course.cluster import connect, dask_security, run_dask
from autograder.grading import reference
from autograder.grading.checks import DRAW_SCHEME

MAX_ATTEMPTS = 2  # a student whose worker dies is retried once, then gets an error row
AHEAD_BYTES = 16 << 10  # a task sent ahead of the one being graded is at most this big
#: Students a class worker grades at once: one is read or scored while the other's jobs run.
OVERLAP = 2
SLOW_SECONDS = 0.3  # a worker with no row back for this long frees a place for one standing by


class OutputError(OSError):
    """The output folder cannot be written; raised before any grading starts."""


def prepare_output(out):
    """Create ``out/results`` and prove it is writable, or raise :class:`OutputError`."""
    results = Path(out) / "results"
    try:
        results.mkdir(parents=True, exist_ok=True)
        probe = results / f".probe-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise OutputError(f"cannot write results under {out}: {error.strerror or error}") from None
    return results


def grading_at_once(workers):
    """How many of ``workers`` local workers grade at once while no student is slow: half,
    rounded up (each keeps about two cores busy)."""
    return max(1, (workers + 1) // 2)


def _worker_loop(connection, secret, layer):
    """A class worker: grade the students ``connection`` sends (``(index, submission)``, then None
    to stop) and send back ``(index, row)`` for each, in the order they came.

    It grades :data:`OVERLAP` students at once, each in a thread of its own: while one student's
    jobs run in the sandboxes, the grader draws the next one's checks or scores the previous one
    (those steps take turns: :data:`autograder.grading.grade.SCORING`), so that the two cores are
    not left idle while a student is read or scored. A student waits for the students before it.
    """
    try:  # the sandboxes start now, so that a worker standing by is ready when it is needed
        start_graders(layer)
    except Exception:  # noqa: BLE001 - said again, as each student's error, by ``work``
        pass

    def row_of(submission):
        try:
            return work(submission, secret, layer)
        except Exception as error:  # a grader bug must not lose the student: record it
            return error_row(submission, f"grading failed: {error.__class__.__name__}: {error}")

    grading = collections.deque()  # (index, future of its row), oldest first
    with ThreadPoolExecutor(max_workers=OVERLAP, thread_name_prefix="student") as threads:
        while True:
            if len(grading) < OVERLAP and (not grading or connection.poll()):
                task = connection.recv()
                if task is None:
                    break
                index, submission = task
                grading.append((index, threads.submit(row_of, submission)))
                continue
            index, future = grading.popleft()
            connection.send((index, future.result()))
        for index, future in grading:  # told to stop: the students it holds still get their rows
            connection.send((index, future.result()))


class LocalPool:
    """``jobs`` worker processes, each grading :data:`OVERLAP` students at a time, ``active`` of
    them at once unless a student is slow.

    A worker keeps about two cores busy (its grader, and its three sandboxes' jobs side by
    side; with two students at once, the grader's work on one while the other's jobs run), so
    by default half of the workers grade at once. The others stand by, sandboxes started: a
    worker that has sent back no row for ``SLOW_SECONDS`` (a function looping until its time
    limit, say) gives up its place to one of them, so a slow student never holds up the class.

    A worker that grades is sent students ahead (``AHEAD`` in all: those it grades and the next
    one), so it never waits for this process to store a row before it can go on.
    """

    AHEAD = OVERLAP + 1

    def __init__(self, jobs, secret, layer=None, active=None):
        self.jobs, self.secret, self.layer, self.chosen = jobs, secret, layer, active
        self.context = multiprocessing.get_context("spawn")
        self.workers = []

    @property
    def active(self):
        """How many workers grade at once while no student is slow (of those started, once
        they are)."""
        return self.chosen or grading_at_once(len(self.workers) or self.jobs)

    def _start(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_loop, args=(child, self.secret, self.layer),
                                       daemon=True)
        process.start()
        child.close()
        return {"process": process, "pipe": parent, "tasks": [], "since": None}

    def run(self, submissions, on_result):
        pending = list(enumerate(submissions))[::-1]
        attempts = {}
        self.workers = [self._start() for _ in range(min(self.jobs, max(1, len(pending))))]
        try:
            while pending or any(w["tasks"] for w in self.workers):
                timeout = self._dispatch(pending, time.monotonic())
                busy = [w for w in self.workers if w["tasks"]]
                ready = wait([w["pipe"] for w in busy] + [w["process"].sentinel for w in busy],
                             timeout)
                for worker in busy:
                    if worker["pipe"] in ready or worker["pipe"].poll():
                        try:
                            index, row = worker["pipe"].recv()
                        except (EOFError, OSError):
                            pass
                        else:
                            worker["tasks"] = [t for t in worker["tasks"] if t[0] != index]
                            worker["since"] = time.monotonic()  # its next student starts now
                            on_result(submissions[index], row)
                            continue
                    if worker["process"].sentinel in ready and not worker["process"].is_alive():
                        # The first task is the oldest it was grading: it costs that student a
                        # try; the others (graded beside it, or sent ahead) go back as they were.
                        (index, submission), *waiting = worker["tasks"]
                        pending.extend(reversed(waiting))
                        attempts[index] = attempts.get(index, 0) + 1
                        if attempts[index] < MAX_ATTEMPTS:
                            pending.append((index, submission))
                        else:
                            on_result(submission, error_row(
                                submission, f"the grading worker died twice "
                                            f"(exit code {worker['process'].exitcode})"))
                        self._replace(worker)
        finally:
            self.close()

    def _dispatch(self, pending, now):
        """Send students to workers; returns the seconds until a grading worker's student turns
        slow when that would let a worker standing by take the next one, else None.

        A worker counts as grading while its current student has taken less than
        ``SLOW_SECONDS``. A free worker is given a student while fewer than ``active`` grade;
        a grading one is sent students ahead while no more than ``active`` grade (after a slow
        student, two may, until one of them runs out of students).
        """
        def grading(worker):
            return bool(worker["tasks"]) and now - worker["since"] < SLOW_SECONDS

        count = sum(map(grading, self.workers))
        for worker in self.workers:
            if pending and not worker["tasks"] and count < self.active:
                if not worker["process"].is_alive():  # died standing by, watched by nobody
                    self._replace(worker)
                task = pending.pop()
                self._give(worker, task, _message(task))
                worker["since"] = now
                count += 1
        for worker in self.workers:
            while (pending and grading(worker) and count <= self.active
                   and len(worker["tasks"]) < self.AHEAD):
                message = _message(pending[-1])
                if len(message) > AHEAD_BYTES:  # sent when the worker is free instead
                    break
                self._give(worker, pending.pop(), message)
        if pending and not all(w["tasks"] for w in self.workers):
            turns = [w["since"] + SLOW_SECONDS - now for w in self.workers if grading(w)]
            return max(0.0, min(turns)) if turns else None
        return None

    def _replace(self, worker):
        worker["pipe"].close()
        worker.update(self._start())

    @staticmethod
    def _give(worker, task, message):
        worker["tasks"].append(task)
        try:
            worker["pipe"].send_bytes(message)  # what ``send(task)`` writes, pickled once
        except OSError:  # it died just now: its death is seen, and answered for, in ``run``
            pass

    def close(self):
        for worker in self.workers:
            try:
                worker["pipe"].send(None)
            except OSError:
                pass
        for worker in self.workers:
            worker["process"].join(timeout=5)
            if worker["process"].is_alive():
                worker["process"].kill()
        self.workers = []


def _message(task):
    """``task`` as the worker's ``recv`` reads it. A task sent ahead of the one being graded must
    fit the pipe's buffer (``AHEAD_BYTES``), so that this process never blocks on sending while
    its worker blocks on sending it a row."""
    return ForkingPickler.dumps(task)


class Progress:
    """A tqdm bar on a terminal; plain log lines (at most one per 5 s, and the last) otherwise.

    The rate and the ETA are measured from the first student graded on: before it, the
    workers start their sandboxes, which says nothing about how long a student takes.
    """

    def __init__(self, total, stream=None, clock=time.perf_counter):
        stream = stream or sys.stderr  # looked up now: sys.stderr may have been replaced since import
        self.total, self.done, self.stream, self.clock = total, 0, stream, clock
        self.first = self.last = None
        self.bar = None
        if stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="student", file=stream, smoothing=0.1)

    def eta(self):
        """Seconds left, from the pace since the first student; None until two are done."""
        if self.done < 2:
            return None
        pace = (self.clock() - self.first) / (self.done - 1)
        return pace * (self.total - self.done)

    def step(self):
        self.done += 1
        now = self.clock()
        if self.first is None:
            self.first = now
            if self.bar is not None:
                self.bar.reset(total=self.total)  # the start-up does not count in tqdm's rate either
        if self.bar is not None:
            self.bar.update()
            return
        if self.last is None or now - self.last >= 5 or self.done == self.total:
            self.last = now
            eta = self.eta()
            if self.done == self.total:
                tail = "done"
            elif eta is None:
                tail = "ETA after the next student"
            else:
                tail = f"{(self.done - 1) / max(now - self.first, 1e-9):.1f}/s, ETA {eta:.0f} s"
            print(f"graded {self.done}/{self.total} students ({tail})", file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def grade_class(path, out, *, jobs=None, scheduler=None, secret="", layer=None, stream=None, tls=None,
                assignment=None, roster=None, rescore=False):
    """Grade every student of the class at ``path`` into ``out``; returns the class's submissions.

    With ``assignment``, or when every notebook of the class is of one assignment, the class
    is graded as that one assignment (:func:`autograder.course.batch.scoped`; each submission's
    ``assignment`` says it).

    Already graded students (same files, same grader, same secret, and a stored result whose
    seal holds) are skipped. A course keeps its grades: a student whose stored result is of the
    same work but another version of the kit (another grader, another draw scheme) keeps it, and
    a line says how many; with ``rescore`` they are graded again and a line says whose score
    changed. Progress goes to ``stream`` (default: the current ``sys.stderr``).
    ``roster`` (a :class:`~autograder.grading.students.Roster`) maps names given by hand to ids and
    notes the students it does not hold (:func:`autograder.course.batch.discover`).
    With ``scheduler``, the Dask address, the client connects (with ``tls``, a
    :class:`~autograder.course.cluster.TLSFiles`, if given) before anything is written: if it cannot,
    :class:`~autograder.course.cluster.ClusterError` says why.
    """
    security = dask_security(scheduler, tls)
    if scheduler:
        with connect(scheduler, security) as client:
            return _grade_class(path, out, jobs, client, secret, layer, stream, assignment, roster,
                                rescore)
    return _grade_class(path, out, jobs, None, secret, layer, stream, assignment, roster, rescore)


def _grade_class(path, out, jobs, client, secret, layer, stream, assignment=None, roster=None,
                 rescore=False):
    stream = stream or sys.stderr
    results = prepare_output(out)
    skipped = []
    submissions = scoped(discover(path, out, skipped, roster), assignment)
    for note in skipped:
        print(note, file=stream, flush=True)
    todo, fingerprints, broken, earlier, before = [], {}, [], {}, {}
    for submission in submissions:
        stored = _stored_row(results / f"{submission.student}.json")
        fingerprint = submission.fingerprint(secret)
        work = submission.work_fingerprint(secret)
        if stored is not None and stored.get("fingerprint") == fingerprint:
            if is_sealed(stored, secret):
                continue
            broken.append(submission.student)
        elif stored is not None and stored.get("work") == work and is_sealed(stored, secret):
            if not rescore:  # the same work, graded by another version of the kit: kept
                earlier[submission.student] = _draw_scheme(stored)
                continue
            before[submission.student] = _totals(stored)
        todo.append(submission)
        fingerprints[submission.student] = (fingerprint, work)  # taken before grading
    if broken:
        print(f"{len(broken)} stored results do not match their seal (edited since grading?) and are "
              f"graded again: {', '.join(broken[:10])}{' ...' if len(broken) > 10 else ''}",
              file=stream, flush=True)
    if earlier:
        schemes = ", ".join(str(s) for s in sorted(set(earlier.values()), key=str))
        who = "1 student keeps" if len(earlier) == 1 else f"{len(earlier)} students keep"
        print(f"{who} the grades an earlier version of the kit gave them (draw "
              f"scheme {schemes}; this one draws with {DRAW_SCHEME}): --rescore grades them again with "
              f"this version", file=stream, flush=True)
    print(f"{len(submissions)} students, {len(submissions) - len(todo)} already graded, "
          f"{len(todo)} to grade", file=stream, flush=True)
    if todo:
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        chosen = f"sandbox layer {layer}" if layer else "the strongest sandbox layer that works here"
        if client:
            print(f"starting: each Dask worker at {client.scheduler.address} starts "
                  f"{len(reference.NOTEBOOKS)} sandboxes ({chosen}) before its first student ...",
                  file=stream, flush=True)
        else:
            standby = workers - grading_at_once(workers)
            print(f"starting {workers * len(reference.NOTEBOOKS)} sandboxes ({workers} worker"
                  f"{'s' if workers > 1 else ''} × {len(reference.NOTEBOOKS)}, {chosen}"
                  f"{f'; {standby} standing by for slow students' if standby else ''}); "
                  "the first results come once they are up ...", file=stream, flush=True)
    progress = Progress(len(todo), stream)

    def on_result(submission, row):
        row["fingerprint"], row["work"] = fingerprints[submission.student]
        row["seal"] = seal(row, secret)
        write_atomically(results / f"{submission.student}.json", row)
        progress.step()

    try:
        if todo and client:
            run_dask(client, todo, secret, on_result, layer)
        elif todo:
            LocalPool(jobs or os.cpu_count() or 1, secret, layer).run(todo, on_result)
    finally:
        progress.close()
    if before:
        changed = []
        for student, totals in sorted(before.items()):
            now = _totals(_stored_row(results / f"{student}.json") or {})
            if now != totals:
                changed.append(f"{student} ({_said(totals)} → {_said(now)})")
        print(f"rescored {len(before)} students graded by an earlier version of the kit: "
              f"{len(changed)} got another score{': ' if changed else ''}{', '.join(changed[:20])}"
              f"{' ...' if len(changed) > 20 else ''}", file=stream, flush=True)
    return submissions


def _draw_scheme(row):
    """The draw scheme a stored row's results were drawn with (1: before schemes were recorded)."""
    schemes = {r.get("provenance", {}).get("draw_scheme", 1) for r in row.get("results", [])
               if isinstance(r, dict)}
    return max(schemes, default=1)


def _totals(row):
    """``{assignment: score}`` of a stored row."""
    return {r.get("assignment"): r.get("score") for r in row.get("results", []) if isinstance(r, dict)}


def _said(totals):
    return ", ".join(f"{assignment} {score:g}" for assignment, score in sorted(totals.items())
                     if isinstance(score, int | float)) or "nothing graded"


def _stored_row(path):
    """The result row stored at ``path``, or None when there is none or it is not a JSON object."""
    try:
        row = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return row if isinstance(row, dict) else None
