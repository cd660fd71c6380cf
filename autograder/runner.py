"""Run the class: local worker processes or a Dask cluster, resumable, with progress.

The local pool is a few lines on ``multiprocessing`` rather than
``concurrent.futures`` because a dead worker must cost one retry of the
student it held, not the whole pool (``ProcessPoolExecutor`` breaks on the
first death). On Dask, each worker process runs the same grading function,
and student code still runs only in that worker's sandbox subprocesses.
"""

import json
import multiprocessing
import os
import re
import ssl
import sys
import time
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import NamedTuple

from autograder import reference
from autograder.batch import (
    discover,
    error_row,
    is_sealed,
    scoped,
    seal,
    start_graders,
    work,
    write_atomically,
)

MAX_ATTEMPTS = 2  # a student whose worker dies is retried once, then gets an error row
AHEAD_BYTES = 16 << 10  # a task sent ahead of the one being graded is at most this big
SLOW_SECONDS = 0.3  # a student graded for longer than this frees a place for a worker standing by
CONNECT_SECONDS = 10  # a Dask scheduler that has not answered by then is reported (Dask waits 30 s)


class OutputError(OSError):
    """The output folder cannot be written; raised before any grading starts."""


class ClusterError(Exception):
    """The Dask scheduler cannot be used (TLS flags, certificate files, connection); raised before
    anything is written."""


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
    try:  # the sandboxes start now, so that a worker standing by is ready when it is needed
        start_graders(layer)
    except Exception:  # noqa: BLE001 - said again, as each student's error, by ``work``
        pass
    while True:
        task = connection.recv()
        if task is None:
            return
        index, submission = task
        try:
            row = work(submission, secret, layer)
        except Exception as error:  # a grader bug must not lose the student: record it
            row = error_row(submission, f"grading failed: {error.__class__.__name__}: {error}")
        connection.send((index, row))


class LocalPool:
    """``jobs`` worker processes, each grading one student at a time, ``active`` of them at once
    unless a student is slow.

    A worker keeps about two cores busy (its grader, and its three sandboxes' jobs side by
    side), so by default half of the workers grade at once: on two cores a student is graded
    in about half the time it takes with both workers busy, for about as many students per
    second. The others stand by, sandboxes started: a student graded for longer than
    ``SLOW_SECONDS`` (a function looping until its time limit, say) gives up its place to one
    of them, so a slow student never holds up the class.

    A worker that grades is sent its next student while it grades one (``AHEAD`` in all), so it
    never waits for this process to store a row before it can go on.
    """

    AHEAD = 2

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
                        # The first task is the one it was grading: it costs that student a try;
                        # those sent ahead never started and go back as they were.
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


class TLSFiles(NamedTuple):
    """``--tls-ca-file``, ``--tls-cert`` and ``--tls-key`` of ``grade-class``: Dask's own flags."""

    ca_file: str | Path | None = None
    cert: str | Path | None = None
    key: str | Path | None = None


#: Each file of :class:`TLSFiles`: its flag, its ``Security`` field, and Dask's config key for it.
_TLS_FIELDS = (("--tls-ca-file", "tls_ca_file", "distributed.comm.tls.ca-file"),
               ("--tls-cert", "tls_client_cert", "distributed.comm.tls.client.cert"),
               ("--tls-key", "tls_client_key", "distributed.comm.tls.client.key"))


def dask_security(address, tls=None):
    """The ``distributed.security.Security`` to connect to ``address`` with, its files checked.

    With TLS flags (a :class:`TLSFiles`), as ``dask scheduler`` and ``dask worker`` read them:
    encryption required, a file not given taken from Dask's config. Without, None: the client
    reads Dask's config (``DASK_DISTRIBUTED__COMM__TLS__*`` included) itself, as it always does;
    its files are checked here all the same. Raises :class:`ClusterError`.
    """
    given = {flag: str(path) for (flag, _, _), path in zip(_TLS_FIELDS, tls or (), strict=False)
             if path is not None}
    flags = f"{', '.join(given)} go{'es' if len(given) == 1 else ''}"
    if given and not address:
        raise ClusterError(f"{flags} with --scheduler tls://HOST:PORT")
    if given and not address.startswith("tls://"):
        raise ClusterError(f"{flags} with a tls:// scheduler address, not {address}")
    if not (address or "").startswith("tls://"):
        return None
    import dask
    from distributed.security import Security

    if not given and dask.config.get("distributed.client.security-loader", None):
        return None  # the loader configured gives the client its security
    security = Security(require_encryption=True, **{field: given[flag] for flag, field, _ in _TLS_FIELDS
                                                    if flag in given}) if given else Security()
    names = {field: f"{flag} {given[flag]}" if flag in given else f"{key} {getattr(security, field)}"
             for flag, field, key in _TLS_FIELDS}
    if not (security.tls_ca_file and security.tls_client_cert):
        raise ClusterError(f"a tls:// scheduler needs --tls-ca-file, --tls-cert and --tls-key (or Dask's "
                           f"{_TLS_FIELDS[0][2]}, {_TLS_FIELDS[1][2]} and {_TLS_FIELDS[2][2]})")
    for field, name in names.items():
        value = getattr(security, field)
        if value and "\n" in value:  # PEM text itself, as Dask's config may hold it
            names[field] = name.split()[0]
        elif value and not Path(value).is_file():
            raise ClusterError(f"no such file: {name}")
    ca = security.tls_ca_file
    try:  # loaded here to say which file is wrong; Dask loads them again to connect
        ssl.create_default_context(**{"cadata" if "\n" in ca else "cafile": ca})
    except (ssl.SSLError, OSError) as error:
        raise ClusterError(f"no CA certificate in {names['tls_ca_file']}: {_plain(error)}") from None
    try:
        security.get_connection_args("client")
    except (ssl.SSLError, OSError) as error:
        key = f" with the key {names['tls_client_key']}" if security.tls_client_key else ""
        raise ClusterError(f"cannot load the certificate {names['tls_client_cert']}{key}: "
                           f"{_plain(error)}") from None
    return security if given else None


def connect(address, security=None, timeout=CONNECT_SECONDS):
    """A ``distributed.Client`` of the scheduler at ``address``; :class:`ClusterError` saying why
    not when it does not answer within ``timeout`` seconds or the TLS handshake fails."""
    from distributed import Client

    try:
        return Client(address, security=security, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - Dask raises OSError, ValueError, TypeError ... here
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: "
                           f"{_why_not(error, address, timeout)}") from None


def _plain(error):
    """``error``'s message without OpenSSL's source line."""
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(error)).strip()
    return text or error.__class__.__name__


def _why_not(error, address, timeout):
    """Why connecting to ``address`` failed, in words, from ``error`` and the errors behind it."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    said = " ".join(f"{e.__class__.__name__}: {e}" for e in chain)
    openssl = re.search(r"\[(?:SSL|X509)[^\]]*\][^(<>]*", said)  # Dask may keep it only in a message
    detail = _plain(openssl.group()) if openssl else next(
        (f"{e.__class__.__name__}: {_plain(e)}" for e in reversed(chain) if str(e)),
        chain[0].__class__.__name__)
    tls = address.startswith("tls://")
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return f"its certificate is not signed by the CA of --tls-ca-file ({detail})"
    if "WRONG_VERSION_NUMBER" in said or "IOStream is not idle" in said:
        return f"it does not speak TLS: is it a tcp:// scheduler? ({detail})"
    if tls and ("_ALERT_" in said or "EOF occurred" in said
                or any(isinstance(e, ssl.SSLError | ConnectionResetError) for e in chain)):
        return (f"it refused the TLS handshake: is --tls-cert signed by the CA the scheduler trusts, "
                f"and still valid? ({detail})")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "Timed out" in said:
        refused = any(isinstance(e, ConnectionRefusedError) for e in chain)
        return (f"{'connection refused' if refused else 'no answer'} for {timeout:g} s: is the scheduler "
                f"running, at that address and port? ({detail})")
    if not tls and any(isinstance(e, ConnectionResetError) for e in chain):
        return f"it closed the connection at once: is it a tls:// scheduler? ({detail})"
    return detail


def run_dask(client, submissions, secret, on_result, layer=None):
    """Grade on an existing Dask cluster through ``client``; each student is retried once if its
    task fails.

    Tasks carry the notebooks themselves (read here, with the same checks as a local run),
    so the workers need the kit but not the class's files.
    """
    from distributed import as_completed

    window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
    queue = list(enumerate(submissions))[::-1]
    attempts, futures = {}, {}
    running = as_completed()

    def submit_next():
        """Send the next student that can be read; a student whose files cannot be gets an
        error row at once. False when the queue is empty."""
        while queue:
            index, submission = queue.pop()
            try:
                packed = submission.packed()
            except OSError as error:
                on_result(submission, error_row(submission, f"cannot read the notebooks: {error}"))
                continue
            submit(index, submission, packed)
            return True
        return False

    def submit(index, submission, packed):
        future = client.submit(work, packed, secret, layer, pure=False,
                               key=f"grade-{index}-{attempts.get(index, 0)}-{time.time_ns()}")
        futures[future.key] = (index, submission, packed)
        running.add(future)

    for _ in range(window):
        if not submit_next():
            break
    for future in running:
        index, submission, packed = futures.pop(future.key)
        try:
            row = future.result()
        except Exception as error:
            attempts[index] = attempts.get(index, 0) + 1
            if attempts[index] < MAX_ATTEMPTS:
                submit(index, submission, packed)
                continue
            row = error_row(submission, f"grading failed on the cluster twice: "
                                        f"{error.__class__.__name__}: {error}")
        on_result(submission, row)
        submit_next()


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
                assignment=None):
    """Grade every student of the class at ``path`` into ``out``; returns the class's submissions.

    With ``assignment``, or when every notebook of the class is of one assignment, the class
    is graded as that one assignment (:func:`autograder.batch.scoped`; each submission's
    ``assignment`` says it).

    Already graded students (same files, same grader, same secret, and a stored result whose
    seal holds) are skipped. Progress goes to ``stream`` (default: the current ``sys.stderr``).
    With ``scheduler``, the Dask address, the client connects (with :class:`TLSFiles` ``tls``, if
    given) before anything is written: if it cannot, :class:`ClusterError` says why.
    """
    security = dask_security(scheduler, tls)
    if scheduler:
        with connect(scheduler, security) as client:
            return _grade_class(path, out, jobs, client, secret, layer, stream, assignment)
    return _grade_class(path, out, jobs, None, secret, layer, stream, assignment)


def _grade_class(path, out, jobs, client, secret, layer, stream, assignment=None):
    stream = stream or sys.stderr
    results = prepare_output(out)
    skipped = []
    submissions = scoped(discover(path, out, skipped), assignment)
    for note in skipped:
        print(note, file=stream, flush=True)
    todo, fingerprints, broken = [], {}, []
    for submission in submissions:
        stored = _stored_row(results / f"{submission.student}.json")
        fingerprint = submission.fingerprint(secret)
        if stored is not None and stored.get("fingerprint") == fingerprint:
            if is_sealed(stored, secret):
                continue
            broken.append(submission.student)
        todo.append(submission)
        fingerprints[submission.student] = fingerprint  # taken before grading: a later edit regrades
    if broken:
        print(f"{len(broken)} stored results do not match their seal (edited since grading?) and are "
              f"graded again: {', '.join(broken[:10])}{' ...' if len(broken) > 10 else ''}",
              file=stream, flush=True)
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
        row["fingerprint"] = fingerprints[submission.student]
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
    return submissions


def _stored_row(path):
    """The result row stored at ``path``, or None when there is none or it is not a JSON object."""
    try:
        row = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return row if isinstance(row, dict) else None
