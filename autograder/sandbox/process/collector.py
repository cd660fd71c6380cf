"""The zygote's side of one running job: the wall clock, the output cap, the event lines
counted (never parsed), the hidden calls sent once the open ones answered, the reply.
"""

import os
import select
import signal
import time

from autograder.sandbox.process.arrays import _Buffer
from autograder.sandbox.process.system import CHILD_STATUSES, CHUNK, _send, _write_all


class _Reply:
    """What the zygote sends back: a JSON head it wrote itself, then the job's event lines and
    its output as raw bytes (their sizes are in the head). The zygote never parses a result,
    so a reply cannot grow the zygote (and with it every child forked later)."""

    def __init__(self, head, events, n_events, output):
        self.head, self.events, self.n_events, self.output = head, events, n_events, output

    def send(self, fd):
        self.head["events"] = self.n_events
        self.head["output"] = self.output.used
        _send(fd, self.head)
        _write_all(fd, self.events.view[:self.n_events])
        _write_all(fd, self.output.view[:self.output.used])

    def close(self):
        self.events.close()
        self.output.close()


RESULT, CELL_ERROR = b'{"result":', b'{"cell_error":'
DONE_LINES = {f'{{"done":{{"status":"{status}","detail":""}}}}'.encode(): status
              for status in CHILD_STATUSES}


class _JobPipes:
    """Reading a job child's two pipes: its event lines, counted by their first bytes (never
    parsed), and its output, capped (see :class:`_Collector`, whose state this reads)."""

    def _read(self, fd, open_fds):
        buffer = self.output if fd == self.job.r_out else self.events
        if fd == self.job.r_out and buffer.used >= buffer.capacity:
            data = os.read(fd, CHUNK)  # beyond the cap: counted, then dropped
            got = len(data)
        else:
            got = buffer.read_from(fd)
            if got is None:
                self.problem = self.problem or ("error", "the job's reply exceeded the size limit")
                open_fds.discard(fd)
                return
        if not got:
            open_fds.discard(fd)
        elif fd == self.job.r_out:
            self._count_output(got)
        else:
            self._scan()

    def _drain(self, open_fds):
        """Read what is already in the pipes (everything written before "done")."""
        for fd in list(open_fds):
            os.set_blocking(fd, False)
            try:
                while fd in open_fds:
                    self._read(fd, open_fds)
            except BlockingIOError:
                pass

    def _count_output(self, got):
        self.output_total += got
        flood = max(16 * int(self.limits["output_bytes"]), 8 << 20)
        if self.output_total > flood and self.problem is None:
            self.problem = ("output_limit",
                            f"the job printed more than {flood} bytes and was stopped")

    def _scan(self):
        """Classify the complete event lines received so far by their first bytes only."""
        events = self.events
        while self.problem is None:
            end = events.map.find(b"\n", self.scanned, events.used)
            if end < 0:
                return
            line = events.view[self.scanned:end]
            if not self._event(line):
                self.problem = ("error", "the job sent a malformed reply")
                return
            self.scanned = end + 1
            self._maybe_unseal()

    def _event(self, line):
        """Classify one event line by comparing its bytes in place (nothing the job wrote is
        copied into, or parsed in, this process)."""
        if self.done is not None:
            return False
        if line[:len(RESULT)] == RESULT:
            self.n_results += 1
            return self.n_results <= self.n_calls
        if line[:len(CELL_ERROR)] == CELL_ERROR:
            self.n_cell_errors += 1
            return self.n_cell_errors <= self.n_cells and self.n_results == 0
        for known, status in DONE_LINES.items():
            if line == known:
                self.done = status
                return True
        return False


class _Collector(_JobPipes):
    """Zygote side of one job: wall clock, output cap, event framing, sealed inputs, exit status.

    The job's open part (setup, cell, published calls) reached the child at hand-over; its
    sealed part (hidden calls) is written to the child only once the results of all the open
    calls are here. The head says how many event bytes arrived before that moment
    (``open_events``): text in those was written before any hidden input was in the child.
    """

    def __init__(self, header, job, sealed, shared, started):
        self.shared = shared
        self.limits = header["limits"]
        self.n_cells, self.n_calls = header["n_cells"], header["n_calls"]
        self.n_open = header.get("n_open", self.n_calls)
        self.job, self.sealed, self.started = job, sealed, started
        self.sealed_sent = 0 if sealed.capacity else None  # None: nothing (more) to send
        self.open_events = None  # event bytes received before the sealed part was sent
        self.events = _Buffer(int(header["max_reply"]))
        self.output = _Buffer(int(self.limits["output_bytes"]))
        self.output_total = 0
        self.scanned = 0  # event bytes classified so far (whole lines only)
        self.n_results = self.n_cell_errors = 0
        self.done = None  # the status of the job's own "done" line
        self.problem = None  # (status, detail) decided by the zygote
        self.killed = False

    def kill(self):
        if not self.killed:
            self.killed = True
            self.job.kill()

    def collect(self):
        job = self.job
        deadline = self.started + float(self.limits["wall_seconds"])
        try:
            pidfd = os.pidfd_open(job.pid)
        except (AttributeError, OSError):
            pidfd = None
        open_fds = {job.r_res, job.r_out}
        exited = timed_out = False
        grace = None  # after a kill: how long to wait for the pipes to close
        try:
            self._maybe_unseal()
            while open_fds or not exited:
                now = time.monotonic()
                if self.done is not None:
                    self.kill()  # no thread may outlive the job; the output is already here
                    self._drain(open_fds)
                    break
                if not self.killed and (now >= deadline or self.problem is not None):
                    timed_out = self.problem is None
                    self.kill()
                if self.killed:
                    grace = grace or now + 2.0
                    if now >= grace:
                        break
                wait = max(0.0, (grace or deadline) - now)
                watch = list(open_fds)
                if not exited:
                    if pidfd is None:
                        wait = min(wait, 0.02)
                    else:
                        watch.append(pidfd)
                sending = [job.w_job] if self._sending() else []
                ready, writable, _ = select.select(watch, sending, [], wait)
                if not exited and (pidfd is None or pidfd in ready):
                    exited = os.waitid(os.P_PID, job.pid,
                                       os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
                for fd in ready:
                    if fd != pidfd:
                        self._read(fd, open_fds)
                if writable:
                    self._send_sealed()
        finally:
            if pidfd is not None:
                os.close(pidfd)
        seconds = time.monotonic() - self.started
        if self.done is None or self.problem is not None:
            job.kill()
            job.reap()
        return self._reply(timed_out, seconds)

    def _maybe_unseal(self):
        if self.open_events is None and self.n_results >= self.n_open and self.problem is None:
            self.open_events = self.scanned
            if self.sealed_sent is not None:
                self.shared.place(1, self.job.memfd)  # the hidden calls' arrays, only now
                os.set_blocking(self.job.w_job, False)

    def _sending(self):
        return (self.open_events is not None and self.sealed_sent is not None
                and not self.killed and self.done is None)

    def _send_sealed(self):
        try:
            self.sealed_sent += os.write(
                self.job.w_job, self.sealed.view[self.sealed_sent:self.sealed.capacity])
        except BlockingIOError:
            return
        except OSError:  # the child is gone
            self.sealed_sent = None
            return
        if self.sealed_sent >= self.sealed.capacity:
            self.sealed_sent = None

    def _reply(self, timed_out, seconds):
        limits = self.limits
        if self.problem is not None:
            state, detail = self.problem
        elif self.done is not None:
            state, detail = self.done, ""
        elif timed_out:
            state, detail = "timeout", f"wall-clock limit of {limits['wall_seconds']} s exceeded"
        else:
            usage, code = self.job.usage, os.waitstatus_to_exitcode(self.job.status)
            cpu = usage.ru_utime + usage.ru_stime
            # SIGXCPU comes at the soft CPU limit (the kernel's count may read a few
            # hundredths below it in the usage), SIGKILL at the hard one, a second later
            if code == -signal.SIGXCPU or (code == -signal.SIGKILL
                                           and cpu >= limits["cpu_seconds"] - 0.05):
                state, detail = "timeout", f"CPU time limit of {limits['cpu_seconds']} s exceeded"
            elif code == -signal.SIGKILL:
                state = "crashed"
                detail = "the job process was killed by SIGKILL (perhaps out of memory)"
            elif code < 0:
                state = "crashed"
                detail = f"the job process was killed by signal {_signal_name(-code)}"
            else:
                state = "crashed"
                detail = f"the job process exited with status {code} before finishing"
        dropped = self.output_total - self.output.used
        if dropped > 0:
            note = f"output truncated: {dropped} of {self.output_total} bytes dropped"
            detail = f"{detail}; {note}" if detail else note
        head = {"status": state, "detail": detail, "seconds": round(seconds, 6),
                "open_events": self.scanned if self.open_events is None else self.open_events}
        return _Reply(head, self.events, self.scanned, self.output)


def _signal_name(number):
    try:
        return f"{signal.Signals(number).name} ({number})"
    except ValueError:
        return str(number)
