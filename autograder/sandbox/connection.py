"""The grader's end of the pipes to one zygote: framed job bytes out, reply bytes in.

The zygote is started with :data:`BOOTSTRAP` and an in-memory file on its stdin
(:func:`_payload_file`); :class:`_Worker` writes the queued job frames while it reads the
replies, and kills the whole process group when asked.
"""

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time

from autograder.sandbox.messages import _FRAME

# The worker's command line after the interpreter's options: ``-c BOOTSTRAP MODE``. Its stdin is
# a sealed in-memory file holding the worker's source and configuration as JSON (see
# :func:`_payload_file`), which the bootstrap reads, so no source and no configuration show in
# the process list, and neither is bound by the kernel's limit on one argument's length.
BOOTSTRAP = ("import json,os;exec(compile(json.loads(os.pread(0,os.fstat(0).st_size,0))['worker'],"
             "'<sandbox worker>','exec'))")


class _Dead(Exception):
    """The zygote went away."""


class _NoAnswer(Exception):
    """The zygote did not answer in time."""


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
