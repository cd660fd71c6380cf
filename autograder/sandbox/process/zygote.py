"""The warm parent: it preloads, confines itself once, then forks one child per job and
collects what each answers.
"""

import binascii
import collections
import ctypes
import json
import marshal
import os
import signal
import sys
import time

from autograder.sandbox.process.arrays import _Buffer, _Shared
from autograder.sandbox.process.child import _Child, _describe, _describe_text, _loaded
from autograder.sandbox.process.collector import _Collector
from autograder.sandbox.process.confine import (
    _build_filter,
    _Compiled,
    _landlock,
    _process_filter,
    landlock_abi,
)
from autograder.sandbox.process.system import (
    CHUNK,
    FRAME,
    MAX_GROWTH_BYTES,
    MAX_MESSAGE,
    PR_SET_DUMPABLE,
    PR_SET_NO_NEW_PRIVS,
    SLOT,
    WIPE_SECONDS,
    _address_space,
    _drop_privileges,
    _empty_dir,
    _first_blocked_ancestor,
    _libc,
    _prctl,
    _read_exact,
    _receive,
    _relocate,
    _resident_bytes,
    _send,
    _write_all,
)


class _Preloaded:
    """The zygote before it serves: it takes its configuration, preloads the modules, runs the
    assignment's setup once, confines itself (privileges, seccomp, Landlock) and says it is ready."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.chan_in, self.chan_out = cfg["chan"]
        self.tmp = cfg["tmp"]
        self.keep_fds = set()
        self.devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        self.wire = None
        self.filter = None
        self.fork = os.fork
        self.spares = collections.deque()  # forked children waiting for a job, oldest first

    def start(self):
        cfg = self.cfg
        os.dup2(self.devnull, 0)
        os.dup2(2, 1)  # stray prints of preloaded modules must not reach any pipe we read
        for fd in (self.chan_in, self.chan_out):
            os.set_inheritable(fd, False)
        os.chdir(self.tmp)
        os.umask(0o077)
        # what every job child starts with, whatever this process inherited
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGALRM):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        landlock_fds = None
        if cfg.get("landlock"):  # opened before dropping privileges
            landlock_fds = [[os.open(p, os.O_PATH | os.O_CLOEXEC) for p in cfg["landlock"][key]
                             if os.path.exists(p)] for key in ("read", "write", "devices")]
        if cfg.get("view"):
            self._populate_view(cfg["view"], cfg["entries"], cfg.get("drop"))
        sys.path[:] = self._reachable_path(cfg["sys_path"], cfg.get("drop"))
        sys.argv[:] = [""]
        os.environ.pop("PWD", None)  # bwrap --chdir adds it; keep every layer's env identical
        if cfg.get("drop"):
            _drop_privileges(*cfg["drop"])
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_DUMPABLE, 0)
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        wire = type(sys)("_sandbox_wire")
        exec(compile(cfg["wire"], "<wire>", "exec"), wire.__dict__)
        self.wire = wire
        import site

        site.setquit()
        preload_errors = {}
        for name in cfg["preload"]:
            try:
                __import__(name)
            except BaseException as exc:
                preload_errors[name] = f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE]
        self.setup = self._run_setup(cfg.get("setup"))
        _warm_up(wire)
        common = _Compiled(_build_filter())
        self.filter = _Compiled(_process_filter())
        self.scoped = landlock_abi() >= 6
        self.streams = _child_streams()
        # This process writes nothing (but a line of its own on a failure), so its sys streams
        # can already be the children's: on fds 1 and 2 they reach this process's stderr here,
        # and a child's capture pipe there.
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = self.streams
        vm_bytes = _address_space()
        abi = _landlock(*landlock_fds) if landlock_fds else 0
        for fds in landlock_fds or ():
            for fd in fds:
                os.close(fd)
        self._wipe()
        common.load()  # from here on, for this process and every job child
        self.fork = _fork if _single_threaded() else os.fork
        import gc

        gc.collect()
        gc.freeze()
        _send(self.chan_out, {
            "ready": True, "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
            "pid": os.getpid(), "landlock": abi, "preload_errors": preload_errors,
            "vm_bytes": vm_bytes, "scoped_jobs": self.scoped,
        })

    @staticmethod
    def _run_setup(source):
        """``(source, namespace, error)``: the assignment's setup, run here once. A job whose
        setup is this same text starts from the namespace (its child's own copy of it) instead
        of running the imports again: each job child's memory is its own, so what one job does
        to the namespace or the modules in it, no other job sees."""
        if source is None:
            return None, None, None
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        try:
            exec(compile(source, "<setup>", "exec"), namespace)
        except BaseException as exc:
            return source, None, "setup failed: " + _describe_text(exc)
        return source, namespace, None

    def _populate_view(self, view, entries, drop):
        """rlimits layer: a folder of symlinks standing for the assignment folder.

        Entries the dropped uid cannot reach (e.g. a vendored package symlinked
        from under a 0700 directory) point at ``/proc/self/fd/N`` of a
        directory opened now, while still privileged.
        """
        for name, real in entries:
            target = real
            if drop and _first_blocked_ancestor(real, *drop) is not None:
                fd = os.open(real, os.O_PATH | os.O_CLOEXEC)
                self.keep_fds.add(fd)
                target = f"/proc/self/fd/{fd}"
            os.symlink(target, os.path.join(view, name))

    def _reachable_path(self, entries, drop):
        """sys.path, with entries the dropped uid cannot reach replaced by open fds.

        A root grader's interpreter may live under a 0700 home: the zygote opens
        those directories before dropping privileges and imports through
        ``/proc/self/fd/N`` (which skips the ancestors' permission checks).
        Packages already imported get the same treatment for their ``__path__``.
        """
        if not drop:
            return list(entries)
        result, moved = [], {}
        for entry in entries:
            if not os.path.exists(entry):
                continue
            if _first_blocked_ancestor(entry, *drop) is None:
                result.append(entry)
                continue
            fd = os.open(entry, os.O_PATH | os.O_DIRECTORY)
            self.keep_fds.add(fd)
            moved[entry] = f"/proc/self/fd/{fd}"
            result.append(moved[entry])
        for module in list(sys.modules.values()):
            paths = getattr(module, "__path__", None)
            if type(paths) is list:
                paths[:] = [_relocate(p, moved) for p in paths]
        sys.path_importer_cache.clear()
        return result

    def _wipe(self):
        """Empty the private temp dir (cwd and HOME of every job); False if it is not empty."""
        return _empty_dir(self.tmp, WIPE_SECONDS)


class _Zygote(_Preloaded):
    """The warm parent: for each job from the grader it hands the job to a child forked in
    advance, sends the hidden calls once the open ones answered, and replies once the child is
    dead and its temp dir emptied."""

    def serve(self):
        self._refill()
        baseline = _resident_bytes()
        try:
            while True:
                try:
                    header = _receive(self.chan_in)
                except EOFError:  # the grader closed the channel: leave nothing behind
                    return
                shared = _Shared()
                job = sealed = reply = None
                try:
                    shared.read(0, self.chan_in, int(header.get("arrays", 0)))
                    job = self._hand_over(header, self.spares.popleft(), shared)
                    # The next jobs' children are forked while this one runs, when none is left
                    # waiting: this job's bytes are only ever in mappings a fork does not copy
                    # (MADV_DONTFORK), and nothing of them is parsed here (the header a child
                    # may find holds nothing of the hidden calls, not even their size), so no
                    # later child inherits anything of this job.
                    self._refill()
                    sealed = self._read_sealed(header, shared)
                    reply = _Collector(header, job, sealed, shared, time.monotonic()).collect()
                    # Nothing of a job may outlive its reply: the child is reaped and the temp
                    # dir emptied first, so what the job left costs its own time, never the
                    # next job's. What cannot be emptied quickly, or a worker grown by a job,
                    # asks for a fresh sandbox. Its arrays are compared once it is dead: no
                    # code of the job runs after that, nor between that and the reply.
                    job.kill()
                    job.reap()
                    reply.head["changed"] = shared.changed(job.memfd)
                    job.finish()
                    clean = self._wipe()
                    grown = _resident_bytes() - baseline > MAX_GROWTH_BYTES
                    reply.head["id"] = header.get("id")
                    reply.head["restart"] = not clean or grown
                    usage = job.usage
                    reply.head["cpu"] = round(usage.ru_utime + usage.ru_stime, 6) if usage else None
                    reply.head["faults"] = usage.ru_minflt if usage else None
                    reply.send(self.chan_out)
                    if not clean or grown:
                        return
                finally:
                    if job is not None:
                        job.finish()
                    for buffer in (sealed, reply, shared):
                        if buffer is not None:
                            buffer.close()
        finally:
            while self.spares:
                self.spares.popleft().finish()
            self._wipe()

    def _refill(self):
        """Fork ``SPARES`` waiting children in a row when none is left.

        After a fork, each page this process writes is copied for it (its children keep the
        old one); forked in a row, its children cost it that copy once per burst rather than
        once per job. Each child still serves one job only.
        """
        if not self.spares:
            self.spares.extend(self._spawn() for _ in range(SPARES))

    def _spawn(self):
        """Fork the next job child; it prepares itself and waits for its job. Its memfd (for
        its job's arrays) is made first, so the child shares it; later children close it."""
        r_job, w_job = os.pipe()
        r_res, w_res = os.pipe()
        r_out, w_out = os.pipe()
        memfd = os.memfd_create("job-arrays", os.MFD_CLOEXEC)
        zygote = os.getpid()
        pid = self.fork()
        if pid == 0:
            try:
                for fd in (w_job, r_res, r_out):
                    os.close(fd)
                _Child(self, r_job, w_res, w_out, zygote, memfd).main()
            except BaseException:
                try:
                    import traceback

                    traceback.print_exc()
                    sys.stderr.flush()
                except BaseException:
                    pass
            finally:
                os._exit(70)
        for fd in (r_job, w_res, w_out):
            os.close(fd)
        return _Job(pid, w_job, r_res, r_out, memfd)

    def _hand_over(self, header, job, shared):
        """Give the job to the waiting child: its open arrays (in its memfd), its header, then
        the spliced body. The child's header holds what it needs and nothing of the hidden
        calls (whether there are any, not their size)."""
        mine = {"limits": header["limits"], "max_reply": header["max_reply"], "body": header["body"],
                "arrays": shared.size(0), "sealed": 1 if header.get("sealed") else 0}
        frame = json.dumps(mine, separators=(",", ":")).encode()
        try:
            shared.place(0, job.memfd)
            _write_all(job.w_job, FRAME.pack(len(frame)) + frame)
        except BrokenPipeError:  # the waiting child died (killed from outside): use a new one
            job.finish()
            job = self._spawn()
            shared.place(0, job.memfd)
            _write_all(job.w_job, FRAME.pack(len(frame)) + frame)
        self._forward_job(header["body"], job.w_job)
        return job

    def _read_sealed(self, header, shared):
        """The sealed part, as the child will read it: the size of the hidden calls' JSON and
        of their arrays' data, then that JSON (its arrays kept in ``shared``)."""
        if not header.get("sealed"):
            return _Buffer(0)
        text, arrays = SLOT.unpack(_read_exact(self.chan_in, SLOT.size))  # two sizes, framed alike
        sealed = _Buffer(SLOT.size + text)
        sealed.used = SLOT.size
        sealed.fill_from(self.chan_in)
        shared.read(1, self.chan_in, arrays)
        sealed.view[:SLOT.size] = SLOT.pack(text, shared.size(1))
        return sealed

    def _forward_job(self, size, w_job):
        """Move ``size`` job bytes from the grader pipe to the child without reading them."""
        target = w_job
        while size:
            try:
                moved = os.splice(self.chan_in, target, min(size, CHUNK))
            except BrokenPipeError:  # the child died: discard the rest
                target = self.devnull
                continue
            if moved == 0:
                raise EOFError
            size -= moved




WARM_UP_ROUNDS = 40
SPARES = 4  # job children forked in a row (a notebook has three or four graded functions)


def _warm_up(wire):
    """Take the paths every job takes (JSON, the wire format, numpy's common functions,
    loading a cell's code, describing an exception) a few dozen times here, with made-up values.

    The interpreter specialises code as it runs it, writing into the code objects: run here
    first, the job children find it done and copy fewer of the zygote's pages. Numpy's
    random state is left as it was; should any of it fail, the jobs only run a little slower.
    """
    import numpy as np

    state = np.random.get_state()
    cell = binascii.b2a_base64(marshal.dumps(compile("def f(x):\n    return x[0]\n", "<cell 0>",
                                                     "exec")), newline=False).decode("ascii")
    try:
        W, b, X = np.linspace(-1, 1, 12).reshape(3, 4), np.full((3, 1), 0.1), np.ones((4, 5))
        values = [{"W1": W, "b1": b, "mask": W > 0, "n": np.arange(6).reshape(2, 3)},
                  (np.float64(0.5), np.int64(3)), [True, None, "text", 2, 1.5], float("nan")]
        region = bytearray(W.tobytes() + X.tobytes())
        shared = {"__tuple__": [{"__shared__": ["float64", [3, 4], 0, 0]},
                                {"__shared__": ["float64", [4, 5], 0, 96]}]}
        for _ in range(WARM_UP_ROUNDS):
            wire.fingerprint(wire.decode(shared, regions=[region]))
            for value in values:
                text = json.dumps({"value": wire.encode(value), "error": None,
                                   "args_after": [wire.fingerprint(value)], "kwargs_after": {}},
                                  separators=(",", ":"), allow_nan=False)
                wire.decode(json.loads(text)["value"])
            Z = np.dot(W, X) + b
            A = np.maximum(0, Z) * (np.random.rand(*Z.shape) < 0.5) / 0.5
            cost = -np.sum(np.multiply(np.log(1 / (1 + np.exp(-Z))), A), axis=1, keepdims=True)
            float(np.sum(cost) + np.sum(np.square(W)) + np.linalg.norm(W - 1) / np.sqrt(2))
            np.zeros((3, 4)), np.random.randn(3, 4) * 0.01, np.mean(A), np.abs(Z).max()
            np.random.seed(3)
            exec(_loaded(cell), {})
            try:
                raise ValueError("made up")
            except ValueError as exc:
                _describe(exc)
    except Exception:
        pass
    finally:
        np.random.set_state(state)


def _single_threaded():
    """Whether this process runs one thread only (Python's, and native ones such as BLAS's)."""
    import threading

    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc (Landlock): Python's own count, BLAS being limited to one thread
        return threading.active_count() == 1


def _fork():
    """fork(2) without Python's after-fork bookkeeping, for a single-threaded zygote.

    With one thread, no lock is held across the fork and the thread list, signal flags and
    thread identity are already right in the child; what ``os.fork`` adds is the after-fork
    hooks of ``threading`` and ``random``, run in every job child, which touch (and so make the
    kernel copy) about 90 pages of the zygote's memory per job. Python's ``random`` is not
    reseeded: every job starts with the zygote's state, as numpy's generator already does.
    """
    pid = _libc.fork()
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork failed")
    return pid


def _child_streams():
    """``(stdin, stdout, stderr)`` of every job child, made once here: fds 0, 1 and 2 of a
    child are /dev/null and its capture pipe, so the same objects serve each child (its own
    copy of them, with empty buffers at the fork)."""
    import io

    def stream(fd):
        raw = io.FileIO(fd, "w", closefd=False)
        return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace",
                                line_buffering=True)

    return open(0, encoding="utf-8", closefd=False), stream(1), stream(2)


class _Job:
    """A forked job child and the zygote's ends of its pipes."""

    def __init__(self, pid, w_job, r_res, r_out, memfd):
        self.pid, self.w_job, self.r_res, self.r_out = pid, w_job, r_res, r_out
        self.memfd = memfd  # the child's arrays (see _Shared)
        self.status = self.usage = None

    def kill(self):
        if self.status is not None:  # reaped: the pid may belong to another process now
            return
        for kill in (os.killpg, os.kill):  # the group, and the child if not yet a leader
            try:
                kill(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self):
        if self.status is None:
            _, self.status, self.usage = os.wait4(self.pid, 0)

    def finish(self):
        """Kill, reap and close; safe to call again (a closed fd number may be reused)."""
        self.kill()
        self.reap()
        for name in ("w_job", "r_res", "r_out", "memfd"):
            fd = getattr(self, name)
            if fd is not None:
                setattr(self, name, None)
                try:
                    os.close(fd)
                except OSError:
                    pass


def _zygote(cfg):
    try:
        zygote = _Zygote(cfg)
        zygote.start()
    except BaseException as exc:
        print(f"sandbox worker failed to start: {type(exc).__name__}: {exc}", file=sys.stderr,
              flush=True)
        os._exit(3)
    zygote.serve()
