"""Step 2 of grading: run student code in a sandbox, one forked process per job.

A :class:`Sandbox` starts one long-lived worker (the "zygote") inside an
isolation layer; the zygote imports the heavy modules once and forks a fresh
child for every job, so a job costs a few milliseconds instead of a new
interpreter. Only two sources enter the sandbox: ``sandbox_worker.py`` (the
worker) and ``wire.py`` (the data format). The ``autograder`` package itself,
with its checks and reference access, is never reachable from inside.

Layers, strongest first (see :data:`LAYERS`):

``bwrap``
    bubblewrap as an unprivileged user (a root grader first drops to
    uid/gid 65534; paths under directories that user cannot traverse are
    re-exposed at the same place in a private mount namespace): all
    namespaces, a read-only root made of ``/usr``, the interpreter and venv,
    ``ld.so.cache``/``localtime`` and the assignment's files, a size-limited
    tmpfs at ``/sandbox`` (cwd, HOME, TMPDIR), a private ``/proc`` and a read-only minimal ``/dev``.
``namespaces``
    The same view built directly (root grader without usable bwrap): new mount,
    network, IPC, UTS, cgroup and pid namespaces, ``pivot_root`` into a
    read-only tmpfs root, then uid/gid 65534.
``rlimits``
    Last resort: a plain process in its own session. When the kernel offers
    Landlock (Linux >= 5.13) the worker confines itself to the same read-only
    trees plus its temp dir, cannot connect/bind TCP, and cannot signal or
    trace processes outside the sandbox; without Landlock there is NO
    file-system isolation beyond Unix permissions (``worker_info["landlock"]``
    is 0). A root grader still runs it as uid 65534.

Every layer, per job: the job runs only in a forked child with its own
session; rlimits (AS, CPU soft < hard, FSIZE, NOFILE, CORE=0); no-new-privs; a
seccomp filter (no sockets but AF_UNIX, no exec, no ptrace/mount/namespaces/bpf/
keyctl, ...; the zygote loads it on itself once started, so every child inherits
it) plus the child's own against process creation; signals to itself only (so it
cannot kill or freeze the zygote holding the job's results): where the kernel
has Landlock ABI 6 (Linux >= 6.12) by a scope, else by a third seccomp filter;
a clean environment with one BLAS thread; a
private temp dir (cwd and HOME) emptied before the reply (a job that leaves
more than can be emptied in a few seconds gets the next job a fresh sandbox);
captured, capped output; a wall-clock limit enforced by the zygote with a
whole-group kill, and a backstop here that kills the whole sandbox if the
zygote itself does not answer.

The reply from the sandbox is untrusted: it is size-capped, parsed as plain
JSON and its shape is checked here; values stay JSON trees for
:func:`autograder.sandbox.wire.decode`. Nothing is ever pickled.

A job (inputs only)::

    {"setup": str, "cells": [str, ...], "stand_ins": str,
     "context": [{"source": str, "module": str, "name": str | None, "bind": str | None,
                  "top": bool}, ...] (optional),
     "calls": [{"function": str, "args": [wire tree, ...], "kwargs": {str: wire tree},
                "stand_ins": str (optional), "digest_args": bool (optional)}],
     "sealed_calls": [...] (optional, as calls)}

A call's own ``stand_ins`` are executed just before it; with ``digest_args`` its
``args_after`` holds :func:`autograder.sandbox.wire.fingerprint` digests (computed by the job, so only
as trustworthy as the job) instead of the arguments. ``context`` is the notebook's own imports and constants
(:mod:`autograder.grading.context`), one statement each; ``module`` (with ``name``,
``bind`` and ``top``) only for an import.

The child runs ``setup``, then the ``context`` statements one at a time (a failing
one is skipped; an import of a module the worker does not hold binds a stand-in
that imports it on first use), then each cell in one namespace (file name ``<cell K>``,
K the 0-based index in ``cells``; an exception is recorded and the next cell
runs), then ``stand_ins``, then each call in order. The reply::

    {"status": "ok" | "timeout" | "memory" | "crashed" | "output_limit" | "error",
     "detail": str, "cell_errors": [{"cell", "type", "message", "line"}],
     "results": [{"value", "error", "args_after", "kwargs_after", "args_changed",
                  "kwargs_changed"}, ...],
     "output": str, "seconds": float}

``results`` holds one entry per completed call (also after a timeout or crash);
``args_changed`` (positions) and ``kwargs_changed`` (names) are the arguments holding an
array whose bytes the zygote, not the job, found changed when the job had ended (see
"Array arguments" below);
``error`` is None or ``{"type", "message", "line", "cell"}`` with the line of the
innermost student frame. "error" means setup or stand-ins failed, or the worker
misbehaved; "output_limit" means the job printed more than
``max(16 * output_bytes, 8 MiB)`` and was stopped (below that, output is capped
and the truncation noted in ``detail``); a failed MemoryError job stops at that
cell or call with "memory".

Array arguments: every non-empty array of a call's arguments (also inside lists, tuples
and dicts) travels as raw bytes beside the job (:func:`autograder.sandbox.wire.share`), and the
zygote writes them into a memfd it made for the job child before forking it; the child maps
it (``MAP_SHARED``) and the arrays the student's function receives are views on that memory.
The zygote keeps its own copy of the bytes (in a mapping no child inherits) and, once the
child is dead, compares each array's bytes with it; which arrays differ goes into the
reply's head, which the zygote writes and frames itself (the job's own event lines follow
it as raw bytes of a size the head gives), so nothing the job's code patches (the wire
module, the digests, the reply writer) reaches that verdict. A hidden call's arrays are
written only when its sealed part is sent, and the layout of that part (sizes) travels with
it, never in the header a child can read before.

Per-layer caveats: ``Limits.tmp_bytes`` is a tmpfs size only in bwrap and
namespaces (rlimits bounds single files by ``file_bytes``); RLIMIT_AS also
counts what the child inherits from the zygote (``worker_info["vm_bytes"]``,
about 0.4 GB with numpy, matplotlib and scikit-learn preloaded); in the
rlimits layer with Landlock, ``/proc`` is not readable by jobs.
"""

import binascii
import fcntl
import functools
import importlib.util
import json
import marshal
import math
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.sandbox.wire import json_items, share

LIMITS_ENV = "AUTOGRADER_JOB_LIMITS"  # e.g. "wall_seconds=30,cpu_seconds=30": this run's defaults
_LIMIT_DEFAULTS = {"wall_seconds": 10.0, "cpu_seconds": 10, "memory_bytes": 1 << 30,
                   "output_bytes": 64 << 10, "file_bytes": 16 << 20, "tmp_bytes": 64 << 20}


def _limit_default(name):
    """The default of one limit: :data:`LIMITS_ENV` if it names it, else the built-in value.

    Read when a :class:`Limits` is made, so a grading run (and the worker processes it
    spawns) can be given other per-job limits without a code change.
    """
    builtin = _LIMIT_DEFAULTS[name]
    for item in os.environ.get(LIMITS_ENV, "").split(","):
        key, _, text = item.partition("=")
        if key.strip() != name:
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or type(builtin)(value) <= 0:
            raise ValueError(f"{LIMITS_ENV}: {item.strip()!r} is not a positive number")
        return type(builtin)(value)
    return builtin


def _limit(name):
    return field(default_factory=functools.partial(_limit_default, name))


@dataclass(frozen=True)
class Limits:
    """Per-job limits (defaults: the values below, or :data:`LIMITS_ENV`)."""

    wall_seconds: float = _limit("wall_seconds")  # per job, wall clock (default 10)
    cpu_seconds: int = _limit("cpu_seconds")  # RLIMIT_CPU soft; the hard limit is one second more (10)
    memory_bytes: int = _limit("memory_bytes")  # RLIMIT_AS, covers what the child inherits (1 GiB)
    output_bytes: int = _limit("output_bytes")  # stdout+stderr kept per job, rest dropped (64 KiB)
    file_bytes: int = _limit("file_bytes")  # RLIMIT_FSIZE (16 MiB)
    tmp_bytes: int = _limit("tmp_bytes")  # size of the private tmpfs, bwrap and namespaces (64 MiB)


LAYERS = ("bwrap", "namespaces", "rlimits")  # strongest first
STATUSES = frozenset({"ok", "timeout", "memory", "crashed", "output_limit", "error"})

SANDBOX_UID = SANDBOX_GID = 65534  # "nobody": what a root grader runs student code as
ASSIGNMENT_MOUNT = "/assignment"  # where assignment_dir appears (bwrap, namespaces)
# The private tmpfs (bwrap, namespaces): cwd, HOME and TMPDIR of every job. Not /tmp, where
# the interpreter, the venv or the assignment may live (e.g. a checkout under /tmp).
SANDBOX_TMP = "/sandbox"
MAX_REPLY_BYTES = 8 << 20  # events of one job (values, errors) the worker may send
MAX_JSON_NODES = 50_000  # containers and items of one event line, counted before parsing
MAX_JSON_DEPTH = 64  # bracket nesting of one event line (values nest at most wire.MAX_DEPTH)
STARTUP_SECONDS = 120.0  # zygote start-up, preload included
BACKSTOP_SECONDS = 10.0  # extra time given to the zygote beyond the job's wall limit
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("null", "zero", "full", "random", "urandom")
MAX_TEXT = 4000
# The worker's command line after the interpreter's options: ``-c BOOTSTRAP MODE``. Its stdin is
# a sealed in-memory file holding the worker's source and configuration as JSON (see
# :func:`_payload_file`), which the bootstrap reads, so no source and no configuration show in
# the process list, and neither is bound by the kernel's limit on one argument's length.
BOOTSTRAP = ("import json,os;exec(compile(json.loads(os.pread(0,os.fstat(0).st_size,0))['worker'],"
             "'<sandbox worker>','exec'))")

_FRAME = struct.Struct(">I")
_HERE = Path(__file__).resolve().parent


class SandboxError(RuntimeError):
    """The sandbox could not be started or used; the message says why."""


class _Dead(Exception):
    """The zygote went away."""


class _NoAnswer(Exception):
    """The zygote did not answer in time."""


# ---------------------------------------------------------------- layer detection
def _precheck(layer):
    if layer not in LAYERS:
        raise ValueError(f"unknown sandbox layer {layer!r}; choose from {LAYERS}")
    if not sys.platform.startswith("linux"):
        return "needs Linux"
    if importlib.util.find_spec("pyseccomp") is None:
        return "pyseccomp is not installed (needed for the seccomp filter)"
    if layer == "bwrap" and _bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed"
    if layer == "namespaces" and os.geteuid() != 0:
        return "needs a root grader (it creates namespaces without a user namespace)"
    return None


def _bwrap_path():
    return shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/bin")


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


# ---------------------------------------------------------------- what the sandbox sees
@functools.cache
def _sources():
    worker = (_HERE / "worker.py").read_text(encoding="utf-8")
    wire = (_HERE / "wire.py").read_text(encoding="utf-8")
    return worker, wire


def _payload_file(payload):
    """A descriptor of an in-memory file holding ``payload`` as JSON, read from its start (not
    inherited unless passed on): what the worker reads rather than take it as arguments."""
    data = json.dumps(payload).encode()
    try:
        fd = os.memfd_create("sandbox-worker", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        sealed = True
    except (AttributeError, OSError):  # no memfd here (an old kernel, a strict seccomp profile)
        fd, name = tempfile.mkstemp(prefix="sandbox-worker-")
        os.unlink(name)
        sealed = False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sealed:  # nothing can change it once written
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK
                        | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _environment(home):
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
    }


def _under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


def _interpreter_trees():
    """(real source, path seen inside) for the interpreter prefix and the venv."""
    trees = {}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        real = os.path.realpath(prefix)
        for dest in (os.path.abspath(prefix), real):
            if not _under(dest, "/usr"):
                trees[dest] = real
    return sorted(trees.items(), key=lambda item: len(item[0]))


def _python_path():
    """The grader interpreter's own library entries (stdlib, lib-dynload, site-packages)."""
    tops = [dest for dest, _ in _interpreter_trees()] + ["/usr"]
    return [p for p in sys.path
            if p and os.path.isabs(p) and os.path.exists(p) and any(_under(p, t) for t in tops)]


def _assignment_entries(folder):
    """Top-level entries of the assignment folder with symlinks resolved."""
    entries = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        real = os.path.realpath(entry.path)
        if os.path.exists(real) and entry.name != "__pycache__":
            entries.append([entry.name, real])
    return entries


def _system_trees():
    """Ops for /usr and the merged-usr compatibility links or dirs."""
    ops = [["ro", "/usr", "/usr"]]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + name
        if os.path.islink(path):
            ops.append(["symlink", path, os.readlink(path)])
        elif os.path.isdir(path):
            ops.append(["ro", path, path])
    return ops


def _layout(assignment_dir, tmp_bytes):
    """The file system of the bwrap and namespaces layers, as a list of ops."""
    ops = [["tmpfs", SANDBOX_TMP, int(tmp_bytes)], ["proc", "/proc"], ["devdir", "/dev"]]
    ops += [["dev", f"/dev/{name}", f"/dev/{name}"] for name in DEVICES
            if os.path.exists(f"/dev/{name}")]
    ops += _system_trees()
    ops += [["ro", path, os.path.realpath(path)] for path in ETC_FILES if os.path.exists(path)]
    ops += [["ro", dest, real] for dest, real in _interpreter_trees()]
    ops.append(["dir", ASSIGNMENT_MOUNT])
    ops += [["ro", f"{ASSIGNMENT_MOUNT}/{name}", real]
            for name, real in _assignment_entries(assignment_dir)]
    return ops


def _bwrap_argv(ops, env, command):
    argv = [_bwrap_path(), "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
            "--hostname", "sandbox"]
    for op in ops:
        kind = op[0]
        if kind == "tmpfs":
            argv += ["--size", str(op[2]), "--perms", "0700", "--tmpfs", op[1]]
        elif kind == "proc":
            argv += ["--proc", op[1]]
        elif kind == "devdir":
            argv += ["--dev", op[1]]
        elif kind == "ro":
            argv += ["--ro-bind", op[2], op[1]]
        elif kind == "symlink":
            argv += ["--symlink", op[2], op[1]]
        elif kind == "dir":
            argv += ["--dir", op[1]]
        # "dev" binds: bwrap's --dev already provides the device nodes
    argv += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", SANDBOX_TMP]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return argv + ["--", *command]


# ---------------------------------------------------------------- the process
class _Worker:
    """One zygote process and the pipes to it (no reference to the Sandbox)."""

    def __init__(self, proc, req_w, rep_r, diag_r):
        self.proc, self.req_w, self.rep_r, self.diag_r = proc, req_w, rep_r, diag_r
        self.diag = bytearray()
        self.info = {}
        self.pending = bytearray()  # queued job frames not yet written to the zygote
        self.inbox = bytearray()  # reply bytes read from the zygote and not yet used

    def alive(self):
        return self.proc.poll() is None

    def drain_diag(self):
        if self.diag_r is None:
            return
        try:
            while True:
                data = os.read(self.diag_r, 65536)
                if not data:  # every writer is gone: stop watching it
                    os.close(self.diag_r)
                    self.diag_r = None
                    return
                self.diag += data
                del self.diag[:-16384]
        except OSError:  # BlockingIOError: nothing more for now
            pass


    def diag_text(self):
        self.drain_diag()
        return self.diag.decode("utf-8", "replace").strip()[-2000:]

    def kill(self):
        proc = self.proc
        for kill in () if proc.returncode is not None else (os.killpg, os.kill):
            try:
                kill(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.close_fds()

    def close_fds(self):
        for name in ("req_w", "rep_r", "diag_r"):
            fd = getattr(self, name)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, name, None)

    def stop(self):
        """Ask politely (EOF on its input), then kill."""
        if self.req_w is not None:
            os.close(self.req_w)
            self.req_w = None
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    # -- frames
    def _wait(self, deadline):
        """Wait until the zygote's reply pipe is readable (draining stderr, and writing queued
        job frames, meanwhile); False on timeout."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            poller = select.poll()
            poller.register(self.rep_r, select.POLLIN)
            if self.diag_r is not None:
                poller.register(self.diag_r, select.POLLIN)
            if self.pending:
                poller.register(self.req_w, select.POLLOUT)
            ready = dict(poller.poll(min(left, 1.0) * 1000))
            if self.diag_r is not None and self.diag_r in ready:
                self.drain_diag()
            if self.rep_r in ready:
                return True
            if self.pending and ready.get(self.req_w, 0) & (select.POLLOUT | select.POLLERR):
                self._pump()
            if self.proc.poll() is not None and self.pending:
                raise _Dead("the worker exited")

    def queue(self, data):
        """Add a job frame to write: what the pipe takes goes out now, the rest as the zygote
        reads, while replies are read."""
        self.pending += data
        try:
            self._pump()
        except _Dead:  # noticed, and answered for, while its reply is awaited
            pass

    def _pump(self):
        try:
            sent = os.write(self.req_w, memoryview(self.pending)[:1 << 20])
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _Dead("the worker closed its input") from exc
        del self.pending[:sent]

    def read_frame(self, deadline, limit):
        head = self._read(_FRAME.size, deadline)
        (size,) = _FRAME.unpack(head)
        if size > limit:
            raise ValueError(f"the sandbox sent a frame of {size} bytes (limit {limit})")
        return self._read(size, deadline)

    def read_exact(self, size, deadline):
        return self._read(size, deadline) if size else b""

    def _read(self, n, deadline):
        """``n`` bytes of the zygote's replies. What the pipe holds is read before waiting:
        a reply's parts arrive together, and each wait gives up the GIL, which a thread of a
        busy grader may then wait milliseconds to take back."""
        inbox = self.inbox
        while len(inbox) < n:
            try:
                data = os.read(self.rep_r, min(max(n - len(inbox), 1 << 16), 1 << 20))
            except BlockingIOError:
                data = None
            if data is None:
                if not self._wait(deadline):
                    raise _NoAnswer
                continue
            if not data:
                raise _Dead("the worker closed its output")
            inbox += data
        data = bytes(inbox[:n])
        del inbox[:n]
        return data


def _remove_tree(path):
    """Remove a host temp dir a job wrote into, however deep it nested its directories.

    ``shutil.rmtree`` recurses once per level (RecursionError past about a
    thousand); ``rm -rf`` walks any depth with directory descriptors.
    """
    try:
        shutil.rmtree(path, ignore_errors=True)
    except RecursionError:
        pass
    if os.path.lexists(path):
        rm = shutil.which("rm", path="/usr/bin:/bin")
        if rm:
            subprocess.run([rm, "-rf", "--one-file-system", "--", path], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _cleanup(state):
    """Finalizer: kill a worker left running and remove the host temp dir."""
    worker = state.get("worker")
    if worker is not None:
        worker.kill()
    if state.get("tmp"):
        _remove_tree(state["tmp"])


# ---------------------------------------------------------------- the sandbox
class Sandbox:
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

    # -- start-up
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
        frames = [self._frame(_check_job(job)) for job in jobs]  # (stream, counts, owners) each
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

    @staticmethod
    def _frame(job):
        """``((open arrays, body, sealed part), counts, owners)`` of a checked job, encoded once.

        Cells and stand-ins travel compiled as well (the same interpreter runs both sides), so
        a job child loads code instead of compiling it; a hidden call's stand-ins stay in the
        sealed part with it. The calls' arrays travel as raw bytes in a part of their own
        (:func:`_shared_calls`); ``owners[k]`` is ``(call number, argument position or name)``
        of the k-th array, open calls' first. The sealed part is framed by its own sizes
        (JSON, then arrays), so the header says only whether there is one.
        """
        owners = []
        calls, arrays = _shared_calls(job.get("calls", []), 0, 0, owners)
        n_open = len(calls)
        sealed_calls, sealed_arrays = _shared_calls(job.get("sealed_calls", []), 1, n_open, owners)
        opened = {k: v for k, v in job.items() if k != "sealed_calls"}
        opened["calls"] = calls
        opened["compiled_cells"] = [_compiled(source, f"<cell {k}>")
                                    for k, source in enumerate(job.get("cells", []))]
        body = _dumps(opened)
        sealed = b""
        if sealed_calls:
            text = _dumps(sealed_calls)
            sealed = _FRAME.pack(len(text)) + _FRAME.pack(len(sealed_arrays)) + text + sealed_arrays
        return (arrays, body, sealed), {"n_cells": len(job.get("cells", ())),
                                        "n_calls": n_open + len(sealed_calls), "n_open": n_open}, owners

    def _reply(self, worker, seq, counts, limits, owners=()):
        """The checked reply to job ``seq`` and whether the worker may serve the next job (a
        worker that failed, or asked to be replaced, is killed here). ``owners``: whose
        argument each shared array is (see :meth:`_frame`)."""
        n_cells, n_calls = counts["n_cells"], counts["n_calls"]
        started = time.monotonic()  # the job starts once the one before it has answered
        deadline = started + limits.wall_seconds + BACKSTOP_SECONDS
        try:
            raw_head = worker.read_frame(deadline, 1 << 16)
            reply_head = _checked_head(raw_head, seq, limits, len(owners))
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


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def _compiled(source, filename):
    """``source`` compiled as a job child compiles it, marshalled and in base64; None when it does
    not compile (the child then compiles it and reports the error itself)."""
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except Exception:  # whatever it is, the child meets it again and reports it for this cell
        return None
    return binascii.b2a_base64(marshal.dumps(code), newline=False).decode("ascii")


_compiled_stand_ins = functools.lru_cache(maxsize=256)(_compiled)  # the grader's own sources


def _with_code(call):
    stand_ins = call.get("stand_ins")
    return {**call, "stand_ins_code": _compiled_stand_ins(stand_ins, "<stand-ins>")} if stand_ins else call


_SLOT = struct.Struct(">II")  # a part's count of arrays, then each one's (offset, size) in its data


def _shared_calls(calls, part, first, owners):
    """``(calls, part bytes)``: ``calls`` with their arrays moved to region part ``part``
    (:func:`autograder.sandbox.wire.share`), and that part as the zygote reads it: the count of arrays
    and each one's ``(offset, size)`` (:data:`_SLOT`), then their bytes; ``b""`` without arrays.
    Appends each array's ``(call number, argument)`` to ``owners`` (calls numbered from ``first``)."""
    data, slots, shared = bytearray(), [], []
    for number, call in enumerate(calls, start=first):
        args, kwargs = [], {}
        for position, tree in enumerate(call.get("args", [])):
            before = len(slots)
            args.append(share(tree, data, part, slots))
            owners.extend([(number, position)] * (len(slots) - before))
        for key, tree in call.get("kwargs", {}).items():
            before = len(slots)
            kwargs[key] = share(tree, data, part, slots)
            owners.extend([(number, key)] * (len(slots) - before))
        shared.append(_with_code({**call, "args": args, "kwargs": kwargs}))
    if not slots:
        return shared, b""
    table = b"".join(_SLOT.pack(*slot) for slot in [(len(slots), 0), *slots])
    return shared, table + bytes(data)


def _mark_changed(results, changed, owners):
    """Give each result the arguments whose arrays the zygote found changed (``changed``: indices
    into ``owners``)."""
    for result in results:
        result["args_changed"], result["kwargs_changed"] = [], []
    for index in changed:
        number, where = owners[index]
        if number < len(results):
            key = "args_changed" if type(where) is int else "kwargs_changed"
            if where not in results[number][key]:
                results[number][key].append(where)


# ---------------------------------------------------------------- checking
def _check_calls(calls, what):
    if not isinstance(calls, list | tuple):
        raise TypeError(f"{what} is a list")
    for call in calls:
        if (type(call) is not dict or not isinstance(call.get("function"), str)
                or not isinstance(call.get("args", []), list | tuple)
                or not isinstance(call.get("kwargs", {}), dict)
                or not isinstance(call.get("stand_ins", ""), str)):
            raise TypeError("each call is {'function': str, 'args': [...], 'kwargs': {...}}")


def _check_job(job):
    if type(job) is not dict:
        raise TypeError("a job is a dict")
    unknown = set(job) - {"setup", "cells", "stand_ins", "calls", "sealed_calls", "context"}
    if unknown:
        raise ValueError(f"unknown job keys {sorted(unknown)}")
    if not isinstance(job.get("setup", ""), str) or not isinstance(job.get("stand_ins", ""), str):
        raise TypeError("setup and stand_ins are source strings")
    cells = job.get("cells", [])
    if not isinstance(cells, list | tuple) or not all(isinstance(c, str) for c in cells):
        raise TypeError("cells is a list of source strings")
    _check_calls(job.get("calls", []), "calls")
    _check_calls(job.get("sealed_calls", []), "sealed_calls")
    _check_context(job.get("context", []))
    return job


def _check_context(context):
    if not isinstance(context, list | tuple):
        raise TypeError("context is a list")
    for item in context:
        if (type(item) is not dict or not set(item) <= {"source", "module", "name", "bind", "top"}
                or not isinstance(item.get("source"), str)
                or not all(isinstance(item.get(key), str | None) for key in ("module", "name", "bind"))
                or not isinstance(item.get("top", False), bool)):
            raise TypeError("each context statement is {'source': str} or, for an import, "
                            "{'source', 'module', 'name', 'bind', 'top'}")


def _failure(status, detail, seconds):
    return {"status": status, "detail": detail, "cell_errors": [], "results": [], "output": "",
            "seconds": round(float(seconds), 6)}


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


_EVENTS = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder for every event line


def _optional_int(value):
    return value is None or type(value) is int


def _text(value, what, limit=MAX_TEXT):
    if type(value) is not str:
        raise ValueError(f"{what} is not a string")
    return value[:limit]


def _checked_head(raw, seq, limits, n_arrays=0):
    """The zygote's own head of a reply: status, detail, sizes of the raw parts that follow, and
    which of the job's ``n_arrays`` shared arrays it found changed."""
    try:
        head = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if type(head) is not dict:
        raise ValueError("not an object")
    if head.get("id") != seq:
        raise ValueError("answer to another request")
    if head.get("status") not in STATUSES:
        raise ValueError(f"unknown status {head.get('status')!r:.50}")
    for key, limit in (("events", MAX_REPLY_BYTES), ("output", limits.output_bytes),
                       ("open_events", MAX_REPLY_BYTES)):
        if type(head.get(key)) is not int or not 0 <= head[key] <= limit:
            raise ValueError(f"malformed {key} size")
    seconds = head.get("seconds")
    if type(seconds) not in (int, float) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError("malformed seconds")
    usage = {key: head[key] for key in ("cpu", "faults")
             if type(head.get(key)) in (int, float) and 0 <= head[key] < 1e9}
    changed = head.get("changed", [])
    if type(changed) is not list or not all(type(k) is int and 0 <= k < n_arrays for k in changed):
        raise ValueError("malformed changed arrays")
    return {"status": head["status"], "detail": _text(head.get("detail"), "detail"),
            "events": head["events"], "output": head["output"],
            "open_events": head["open_events"], "seconds": float(seconds),
            "restart": head.get("restart") is True, "usage": usage, "changed": changed}


def too_complex(raw):
    """Whether a JSON text holds more than :data:`MAX_JSON_NODES` containers and items (counted
    on the bytes, before anything is parsed), or nests deeper than :data:`MAX_JSON_DEPTH` would
    allow; such a value is refused without turning it into objects."""
    if json_items(raw) > MAX_JSON_NODES:
        return True
    return _depth(raw, raw.count(b"[") + raw.count(b"{")) > MAX_JSON_DEPTH


def _depth(raw, opened):
    """Nesting depth of brackets in ``raw`` (strings included: an upper bound)."""
    if opened <= MAX_JSON_DEPTH:
        return opened
    depth = deepest = 0
    for byte in raw.translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_TOO_COMPLEX = {"type": "UnsupportedValue", "message": "the value is too large or too deeply "
                "nested to grade", "line": None, "cell": None}


def _checked_error(error, n_cells):
    if error is None:
        return None
    if type(error) is not dict or set(error) != {"type", "message", "line", "cell"}:
        raise ValueError("malformed error")
    if not _optional_int(error["line"]) or not _optional_int(error["cell"]):
        raise ValueError("malformed error location")
    if error["cell"] is not None and not 0 <= error["cell"] < max(n_cells, 1):
        raise ValueError("error in an unknown cell")
    return {"type": _text(error["type"], "error type", 200),
            "message": _text(error["message"], "error message"),
            "line": error["line"], "cell": error["cell"]}


def _checked_events(head, raw, n_cells, n_calls):
    """The reply dict from the zygote's head and the job's raw event lines.

    Each line is bounded (:func:`too_complex`) before it is parsed; a result too large or too
    deeply nested becomes an error of that kind for its call alone. Every result and cell error
    says whether it arrived before the job's hidden inputs were sent (``open``).
    """
    cell_errors, results, position = [], [], 0
    for line in raw.split(b"\n"):
        end = position + len(line)
        is_open = end < head["open_events"]
        position = end + 1
        if not line:
            continue
        if too_complex(line):
            if not line.startswith(b'{"result":'):
                raise ValueError("an event too large to parse")
            results.append({"value": None, "error": dict(_TOO_COMPLEX), "args_after": [],
                            "kwargs_after": {}, "open": is_open})
            continue
        try:
            event = _EVENTS.decode(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"an event is not JSON: {exc}") from None
        if type(event) is not dict or len(event) != 1:
            raise ValueError("malformed event")
        (kind, item), = event.items()
        if kind == "done":
            continue
        if kind == "cell_error":
            checked = _checked_error(item, n_cells)
            if checked is None or checked["cell"] is None or checked["cell"] >= n_cells:
                raise ValueError("cell error in an unknown cell")
            cell_errors.append({**checked, "open": is_open})
        elif kind == "result":
            if type(item) is not dict or set(item) != {"value", "error", "args_after",
                                                       "kwargs_after"}:
                raise ValueError("malformed result")
            if type(item["args_after"]) is not list or type(item["kwargs_after"]) is not dict:
                raise ValueError("malformed arguments after the call")
            results.append({"value": item["value"],
                            "error": _checked_error(item["error"], n_cells),
                            "args_after": item["args_after"],
                            "kwargs_after": item["kwargs_after"], "open": is_open})
        else:
            raise ValueError("unknown event")
    if len(cell_errors) > n_cells or len(results) > n_calls:
        raise ValueError("more events than the job asked for")
    return {"status": head["status"], "detail": head["detail"], "cell_errors": cell_errors,
            "results": results, "output": "", "seconds": head["seconds"],
            "usage": head.get("usage", {})}
