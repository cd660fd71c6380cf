"""Step 2 of grading: run student code in a sandbox, one forked process per job.

A :class:`Sandbox` starts one long-lived worker (the "zygote") inside an
isolation layer; the zygote imports the heavy modules once and forks a fresh
child for every job, so a job costs a few milliseconds instead of a new
interpreter. Only two sources enter the sandbox: the worker (the modules of
:mod:`autograder.sandbox.process`, joined) and ``wire.py`` (the data format). The
``autograder`` package itself, with its checks and reference access, is never reachable from
inside.

The parts: :mod:`limits` (per job), :mod:`layers` (what each layer shows the worker),
:mod:`connection` (the pipes to the zygote), :mod:`messages` (a job framed, a reply checked),
and the process side in :mod:`autograder.sandbox.process`, sent to the sandbox as source.
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict
from pathlib import Path

from autograder.sandbox import process
from autograder.sandbox.connection import (
    BOOTSTRAP,
    _cleanup,
    _Dead,
    _NoAnswer,
    _payload_file,
    _remove_tree,
    _Worker,
)
from autograder.sandbox.layers import (
    ASSIGNMENT_MOUNT,
    DEVICES,
    ETC_FILES,
    LAYERS,
    SANDBOX_GID,
    SANDBOX_TMP,
    SANDBOX_UID,
    _assignment_entries,
    _bwrap_argv,
    _environment,
    _interpreter_trees,
    _layout,
    _precheck,
    _python_path,
)
from autograder.sandbox.limits import LIMITS_ENV, Limits
from autograder.sandbox.messages import (
    _FRAME,
    MAX_REPLY_BYTES,
    STATUSES,
    _check_job,
    _checked_events,
    _checked_head,
    _failure,
    _framed,
    _mark_changed,
)

__all__ = ["LAYERS", "LIMITS_ENV", "STATUSES", "Limits", "Sandbox", "SandboxError", "available_layers",
           "detect_layer", "open_sandbox"]

STARTUP_SECONDS = 120.0  # zygote start-up, preload included
BACKSTOP_SECONDS = 10.0  # extra time given to the zygote beyond the job's wall limit
_HERE = Path(__file__).resolve().parent


class SandboxError(RuntimeError):
    """The sandbox could not be started or used; the message says why."""


PROBE_JOB = {
    "setup": "import numpy",
    "cells": ["import os\ndef probe():\n    return [int(numpy.ones(3).sum()), os.getuid()]"],
    "stand_ins": "",
    "calls": [{"function": "probe", "args": [], "kwargs": {}}],
}


@functools.cache
def _probe(layer):
    reason = _precheck(layer)
    if reason:
        return reason
    folder = tempfile.mkdtemp(prefix="sandbox-probe-")
    try:
        os.chmod(folder, 0o755)
        limits = Limits(wall_seconds=60.0, cpu_seconds=60)
        with Sandbox(folder, preload=("numpy",), layer=layer, limits=limits) as box:
            return _probe_reply(box.run(PROBE_JOB))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_FOUND = []  # the layer open_sandbox found usable in this process


def open_sandbox(assignment_dir, preload=("numpy",), layer=None, limits=None, setup=None):
    """A started :class:`Sandbox` in ``layer``, or in the strongest layer that works here.

    Without a layer, each candidate is started for real and given the probe job (a layer
    that starts but cannot run a numpy job as the sandbox user is passed over), so no
    separate probe sandbox is started; the layer found is kept for the next call.
    """
    if layer is not None:
        return Sandbox(assignment_dir, preload=preload, layer=layer, limits=limits, setup=setup)
    reasons = {}
    for candidate in _FOUND or LAYERS:
        reason = _precheck(candidate)
        if reason is None:
            try:
                box = Sandbox(assignment_dir, preload=preload, layer=candidate, limits=limits,
                              setup=setup)
            except SandboxError as exc:
                reason = str(exc)
            else:
                reason = _probe_reply(box.run(PROBE_JOB))
                if reason is None:
                    _FOUND[:] = [candidate]
                    return box
                box.close()
        reasons[candidate] = reason
    raise SandboxError("no usable sandbox layer: "
                       + "; ".join(f"{k}: {v}" for k, v in reasons.items()))


def _probe_reply(reply):
    """None if the probe job's reply is right, else what was wrong."""
    results = reply["results"]
    if reply["status"] != "ok" or not results or results[0]["error"]:
        error = results[0]["error"] if results else None
        return f"a trivial numpy job failed: {reply['status']} {reply['detail']} {error}".strip()
    if results[0]["value"] != [3, SANDBOX_UID if os.geteuid() == 0 else os.getuid()]:
        return f"the probe job returned {results[0]['value']!r}"
    return None


def available_layers():
    """Each layer -> None if usable here, else the reason (probed once, cached)."""
    return {layer: _probe(layer) for layer in LAYERS}


def detect_layer():
    """The strongest usable layer; :class:`SandboxError` if there is none."""
    reasons = {}
    for layer in LAYERS:
        reasons[layer] = _probe(layer)
        if reasons[layer] is None:
            return layer
    raise SandboxError("no usable sandbox layer: "
                       + "; ".join(f"{k}: {v}" for k, v in reasons.items()))


@functools.cache
def _sources():
    """``(worker, wire)``: the two sources the sandbox runs (:func:`process.source`, ``wire.py``)."""
    worker = process.source()
    wire = (_HERE / "wire.py").read_text(encoding="utf-8")
    return worker, wire


class _Started:
    """Starting, restarting and stopping a :class:`Sandbox`'s zygote: what the process is given
    (its source, configuration, pipes and view of the files) and its first answer."""

    def close(self):
        """Stop the zygote and remove everything it left."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            worker = self._state["worker"]
            self._state["worker"] = None
            if worker is not None:
                worker.stop()
            self._finalizer()

    def _start(self, tmp_bytes):
        root = os.geteuid() == 0
        worker_src, wire_src = _sources()
        python = sys.executable
        if not python:
            raise SandboxError("sys.executable is unknown")
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        diag_r, diag_w = os.pipe()
        cfg = {"chan": [req_r, rep_w], "preload": list(self.preload), "setup": self.setup,
               "wire": wire_src, "drop": None, "landlock": None}
        cwd = "/"
        if self.layer == "rlimits":
            home, view = self._host_dirs(root)
            cwd = home
            entries = _assignment_entries(self.assignment_dir)
            cfg.update(tmp=home, view=view, entries=entries, sys_path=[view] + _python_path())
            if root:
                cfg["drop"] = [SANDBOX_UID, SANDBOX_GID]
            cfg["landlock"] = self._landlock_rules(home, view, entries)
        else:
            home = SANDBOX_TMP
            cfg.update(tmp=home, sys_path=[ASSIGNMENT_MOUNT] + _python_path())
        env = _environment(home)
        base = [python, "-I", "-S", "-B", "-c", BOOTSTRAP]
        payload = {"worker": worker_src}  # the worker's stdin: read by BOOTSTRAP and by main()
        if self.layer == "rlimits":
            argv = base + ["zygote"]
            payload["zygote"] = cfg
        elif self.layer == "namespaces":
            ops = _layout(self.assignment_dir, tmp_bytes)
            cfg.update(ids=[SANDBOX_UID, SANDBOX_GID], plan=ops)
            argv = base + ["ns"]
            payload["ns"] = cfg
        else:
            ops = _layout(self.assignment_dir, tmp_bytes)
            argv = _bwrap_argv(ops, env, base + ["zygote"])  # bwrap hands its stdin on
            payload["zygote"] = cfg
            if root:  # never run bwrap as root: drop first, re-exposing what 65534 must reach
                expose = sorted({op[2] for op in ops if op[0] == "ro"} | {python})
                payload["launch"] = {"ids": [SANDBOX_UID, SANDBOX_GID], "expose": expose,
                                     "bwrap": argv[0], "argv": argv}
                argv = base + ["launch"]
        given = None
        try:
            given = _payload_file(payload)
            proc = subprocess.Popen(
                argv, stdin=given, stdout=diag_w, stderr=diag_w,
                pass_fds=(req_r, rep_w), start_new_session=True, env=env, cwd=cwd,
            )
        except OSError as exc:
            for fd in (req_r, req_w, rep_r, rep_w, diag_r, diag_w, given):
                if fd is not None:
                    os.close(fd)
            raise SandboxError(f"could not start the {self.layer} sandbox: {exc}") from exc
        for fd in (req_r, rep_w, diag_w, given):
            os.close(fd)
        for fd in (req_w, rep_r, diag_r):
            os.set_blocking(fd, False)
        worker = _Worker(proc, req_w, rep_r, diag_r)
        self._state["worker"] = worker
        self._tmp_bytes = tmp_bytes
        try:
            ready = json.loads(worker.read_frame(time.monotonic() + STARTUP_SECONDS, 1 << 20))
            if type(ready) is not dict or ready.get("ready") is not True:
                raise ValueError(f"unexpected first message {ready!r:.200}")
        except Exception as exc:
            why = "no answer" if isinstance(exc, _NoAnswer) else f"{type(exc).__name__}: {exc}"
            diag = worker.diag_text()
            worker.kill()
            self._state["worker"] = None
            raise SandboxError(f"the {self.layer} sandbox failed to start ({why})"
                               + (f"; it said: {diag}" if diag else "")) from exc
        self.worker_info = {k: ready.get(k)
                            for k in ("uid", "gid", "groups", "landlock", "vm_bytes", "scoped_jobs")}
        self.preload_errors = ready.get("preload_errors") or {}

    def _host_dirs(self, root):
        """rlimits layer: a fresh home (cwd, HOME, wiped after each job) and assignment view."""
        if self._state["tmp"] is not None:
            _remove_tree(self._state["tmp"])
        state = tempfile.mkdtemp(prefix="sandbox-")
        self._state["tmp"] = state
        os.chmod(state, 0o711)  # traversable, not listable
        home, view = os.path.join(state, "home"), os.path.join(state, "assignment")
        os.mkdir(home, 0o700)
        os.mkdir(view, 0o755)
        os.chmod(view, 0o755)
        if root:
            os.chown(home, SANDBOX_UID, SANDBOX_GID)
        return home, view

    def _landlock_rules(self, home, view, entries):
        read = ["/usr"] + [os.path.realpath("/" + n) for n in ("bin", "sbin", "lib", "lib64")]
        read += [os.path.realpath(p) for p in ETC_FILES]
        read += [real for _, real in _interpreter_trees()]
        read += [view] + [real for _, real in entries]
        devices = [f"/dev/{name}" for name in DEVICES]
        return {"read": sorted(set(read)), "write": [home], "devices": devices}

    def _restart(self, tmp_bytes):
        worker = self._state["worker"]
        self._state["worker"] = None
        if worker is not None:
            worker.kill()
        self.restarts += 1
        self._start(tmp_bytes)


class Sandbox(_Started):
    """A zygote worker in one isolation layer that forks a child per job.

    ``worker_info`` says what the zygote runs as (``uid``, ``gid``, ``groups``),
    the Landlock ABI it confined itself with (``landlock``, rlimits layer; 0 =
    none), its address-space size (``vm_bytes``) and whether each job child is
    Landlock-scoped so it cannot signal the zygote or anything else outside
    itself (``scoped_jobs``, Linux >= 6.12); ``preload_errors`` maps a
    preload module that failed to import to the error. A worker that dies is
    restarted for the next job (``restarts`` counts them; ``last_worker_message``
    keeps what it wrote on stderr).

    ``setup`` (Python source, optional) runs once in the zygote, after the
    preload: a job whose ``setup`` is this same text starts from the namespace
    it made (each job child has its own copy) instead of running it again.

    Create it in a thread that outlives it (bubblewrap's --die-with-parent ties
    the sandbox to the creating thread). ``run`` is serialised by a lock.
    """

    def __init__(self, assignment_dir, preload=("numpy",), layer=None, limits=None, setup=None):
        folder = Path(assignment_dir).resolve()
        if not folder.is_dir():
            raise NotADirectoryError(f"assignment_dir {assignment_dir!s} is not a directory")
        self.assignment_dir = folder
        self.preload = tuple(preload)
        self.setup = setup
        self.limits = limits = limits or Limits()
        if layer is None:
            layer = detect_layer()
        elif layer not in LAYERS:
            raise ValueError(f"unknown sandbox layer {layer!r}; choose from {LAYERS}")
        else:
            reason = _precheck(layer)
            if reason:
                raise SandboxError(f"the {layer} layer is unusable: {reason}")
        self.layer = layer
        self.worker_info = {}
        self.preload_errors = {}
        self.restarts = 0
        self.last_worker_message = ""  # what a worker that died last wrote on stderr
        self._lock = threading.Lock()
        self._seq = 0
        self._closed = False
        self._tmp_bytes = None
        self._state = {"worker": None, "tmp": None}
        self._finalizer = weakref.finalize(self, _cleanup, self._state)
        self._start(limits.tmp_bytes)

    # -- context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- jobs
    def run(self, job, limits=None):
        """Run one job (see the module docs) and return the checked reply dict."""
        return self.run_many([job], limits)[0]

    def run_many(self, jobs, limits=None, on_reply=None):
        """Run ``jobs`` one after another, each in a child of its own, and return their replies
        in order (``on_reply(index, reply)`` is called as each arrives).

        The jobs are queued to the zygote together, so each is there to start as soon as the
        one before has finished: no round trip to this process between two jobs. A job still
        runs alone, with the whole of its limits, and only once the previous job's child is
        gone. Should the worker die or be replaced, the jobs it had not answered go to a fresh
        one, as if sent one at a time.
        """
        limits = limits or self.limits
        frames = [_framed(_check_job(job)) for job in jobs]  # (stream, counts, owners) each
        replies = []
        with self._lock:
            while len(replies) < len(frames):
                if self._closed:
                    raise SandboxError("the sandbox is closed")
                worker = self._state["worker"]
                if worker is None or not worker.alive() or limits.tmp_bytes != self._tmp_bytes:
                    self._restart(limits.tmp_bytes)
                    worker = self._state["worker"]
                queued, limit_values = [], asdict(limits)
                for (arrays, body, sealed), counts, owners in frames[len(replies):]:
                    self._seq += 1
                    header = {"id": self._seq, "limits": limit_values, **counts, "arrays": len(arrays),
                              "body": len(body), "sealed": int(bool(sealed)), "max_reply": MAX_REPLY_BYTES}
                    head = json.dumps(header).encode()
                    worker.queue(_FRAME.pack(len(head)) + head + arrays + body + sealed)
                    queued.append((self._seq, counts, owners))
                for seq, counts, owners in queued:
                    reply, alive = self._reply(worker, seq, counts, limits, owners)
                    replies.append(reply)
                    if on_reply is not None:
                        on_reply(len(replies) - 1, reply)
                    if not alive:  # what was queued behind it never started: send it again
                        break
        return replies

    def _reply(self, worker, seq, counts, limits, owners=()):
        """The checked reply to job ``seq`` and whether the worker may serve the next job (a
        worker that failed, or asked to be replaced, is killed here). ``owners``: whose
        argument each shared array is (see :func:`messages._framed`)."""
        n_cells, n_calls = counts["n_cells"], counts["n_calls"]
        started = time.monotonic()  # the job starts once the one before it has answered
        deadline = started + limits.wall_seconds + BACKSTOP_SECONDS
        try:
            raw_head = worker.read_frame(deadline, 1 << 16)
            reply_head = _checked_head(raw_head, seq, limits, len(owners), MAX_REPLY_BYTES)
            events = worker.read_exact(reply_head["events"], deadline)
            output = worker.read_exact(reply_head["output"], deadline)
        except _Dead:
            said = worker.diag_text()
            worker.kill()  # the exit status is racy (the launcher may still be going down):
            code = worker.proc.returncode  # it goes to the log, not into the student's reply
            self.last_worker_message = (said + f"\n[exit status {code}]").strip()
            return _failure("crashed", "the sandbox worker died during the job; it will be "
                            "restarted", time.monotonic() - started), False
        except _NoAnswer:
            worker.kill()
            return _failure("timeout", f"the sandbox did not answer within "
                            f"{limits.wall_seconds + BACKSTOP_SECONDS:g} s and was "
                            "killed; it will be restarted", time.monotonic() - started), False
        except ValueError as exc:
            worker.kill()
            return _failure("error", f"malformed reply from the sandbox ({exc}); the sandbox "
                            "will be restarted", time.monotonic() - started), False
        except BaseException:
            worker.kill()  # never leave a reply pending for the next job
            raise
        try:
            reply = _checked_events(reply_head, events, n_cells, n_calls)
        except ValueError as exc:
            worker.kill()
            return _failure("error", f"malformed reply from the sandbox ({exc}); "
                            "the sandbox will be restarted", time.monotonic() - started), False
        reply["output"] = output.decode("utf-8", "replace")
        _mark_changed(reply["results"], reply_head["changed"], owners)
        if reply_head["restart"]:  # the job left what its temp dir cannot shed: start afresh
            self.last_worker_message = worker.diag_text()
            worker.kill()
            return reply, False
        return reply, True
