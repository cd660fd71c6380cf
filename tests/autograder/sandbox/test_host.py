"""Behaviour of the sandbox, in every layer this machine can run.

Each test runs against one long-lived Sandbox per layer (as the grader uses
it); a layer is skipped only when ``available_layers()`` says it is unusable.
Limits are short so the whole file stays fast.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import host as sandbox_module
from autograder.sandbox import wire
from autograder.sandbox.host import LAYERS, Limits, Sandbox, available_layers, detect_layer
from autograder.sandbox.messages import _checked_events, _checked_head, too_complex
from autograder.sandbox.process.zygote import SPARES
from tests.capabilities import skip_layer

ROOT = Path(__file__).resolve().parents[3]
FAST = Limits(wall_seconds=1.5, cpu_seconds=1, memory_bytes=1 << 30, output_bytes=4096,
              file_bytes=1 << 20, tmp_bytes=8 << 20)
CANARY = "SANDBOX_TEST_CANARY"
IS_ROOT = os.geteuid() == 0


# ---------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    """Helper modules as an assignment ships them: a face module and a vendored package
    that is a symlink to a folder elsewhere."""
    folder = tmp_path_factory.mktemp("assignment")
    (folder / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    vendored = tmp_path_factory.mktemp("vendored") / "vendpkg"
    vendored.mkdir()
    (vendored / "__init__.py").write_text("VALUE = 42\n")
    (folder / "vendpkg").symlink_to(vendored, target_is_directory=True)
    for path in (folder, vendored, vendored.parent):
        path.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def marker():
    """A world-readable file outside the sandbox: only isolation can hide it."""
    folder = tempfile.mkdtemp(prefix="sandbox-marker-")
    os.chmod(folder, 0o755)
    path = os.path.join(folder, "marker.txt")
    with open(path, "w") as f:
        f.write("grader secret")
    os.chmod(path, 0o644)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=LAYERS)
def box(request, assignment):
    layer = request.param
    reason = available_layers()[layer]
    if reason is not None:
        skip_layer(layer, reason)
    os.environ[CANARY] = "must not leak"
    try:
        sandbox = Sandbox(assignment, preload=("numpy", "helpers"), layer=layer, limits=FAST)
    finally:
        del os.environ[CANARY]
    yield sandbox
    sandbox.close()


def call(function, *args, **kwargs):
    return {"function": function, "args": [wire.encode(a) for a in args],
            "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}}


def job(*cells, calls=(), setup="import numpy as np", stand_ins=""):
    return {"setup": setup, "cells": list(cells), "stand_ins": stand_ins, "calls": list(calls)}


def value(reply, index=0):
    result = reply["results"][index]
    assert result["error"] is None, (result["error"], reply)
    return wire.decode(result["value"])


def probe(box, source, limits=None):
    """Run ``source`` as the body of ``def probe():`` in a job; return its value."""
    body = "\n".join("    " + line for line in source.strip("\n").splitlines())
    reply = box.run(job("import os, sys\n\ndef probe():\n" + body + "\n", calls=[call("probe")]),
                    limits)
    assert reply["status"] == "ok", reply
    return value(reply)


def still_works(box):
    reply = box.run(job("def f(x):\n    return x + 1\n", calls=[call("f", 41)]))
    assert reply["status"] == "ok", reply
    assert value(reply) == 42


def fs_isolated(box):
    return box.layer != "rlimits" or bool(box.worker_info.get("landlock"))


TRY = """
def attempt(action):
    try:
        action()
    except BaseException as exc:
        return type(exc).__name__
    return "allowed"
"""


# ---------------------------------------------------------------- layers
def test_every_layer_is_reported_usable_or_with_a_reason():
    layers = available_layers()
    assert tuple(layers) == LAYERS
    assert all(reason is None or (isinstance(reason, str) and reason) for reason in layers.values())
    assert detect_layer() == next(layer for layer in LAYERS if layers[layer] is None)


# ---------------------------------------------------------------- normal jobs
def test_a_normal_job_returns_exact_values_and_the_arguments_after_each_call(box):
    cell = (
        "def scale(a, log, factor=2):\n"
        "    a *= factor\n"
        "    log.append(float(a.sum()))\n"
        "    return a.astype(np.float32), (np.int64(7), None, 'x'), {'n': np.nan}\n"
    )
    reply = box.run(job(cell, calls=[call("scale", np.arange(4), [], factor=3),
                                     call("scale", np.ones((2, 2)), [1.0])]))
    assert reply["status"] == "ok" and reply["cell_errors"] == [] and reply["detail"] == ""
    assert len(reply["results"]) == 2
    first = value(reply, 0)
    np.testing.assert_array_equal(first[0], np.array([0, 3, 6, 9], dtype=np.float32))
    assert first[0].dtype == np.float32
    assert first[1] == (7, None, "x") and np.isnan(first[2]["n"])
    args = [wire.decode(t) for t in reply["results"][0]["args_after"]]
    np.testing.assert_array_equal(args[0], [0, 3, 6, 9])
    assert args[0].dtype == np.arange(4).dtype and args[1] == [18.0]
    assert wire.decode(reply["results"][0]["kwargs_after"]["factor"]) == 3
    second = [wire.decode(t) for t in reply["results"][1]["args_after"]]
    np.testing.assert_array_equal(second[0], np.full((2, 2), 2.0))
    assert second[1] == [1.0, 8.0]
    assert reply["seconds"] > 0


def test_large_arrays_cross_the_boundary_both_ways(box):
    data = np.random.default_rng(0).standard_normal((500, 500))  # 2 MB each way
    reply = box.run(job("def twice(a):\n    return a * 2\n", calls=[call("twice", data)]))
    np.testing.assert_array_equal(value(reply), data * 2)
    np.testing.assert_array_equal(wire.decode(reply["results"][0]["args_after"][0]), data)


def test_a_result_larger_than_the_reply_budget_is_an_unsupported_value(box, monkeypatch):
    monkeypatch.setattr(sandbox_module, "MAX_REPLY_BYTES", 1 << 20)
    reply = box.run(job("def big():\n    return np.ones(200_000)\n",
                        "def small():\n    return 1\n", calls=[call("big"), call("small")]))
    assert reply["status"] == "ok"
    error = reply["results"][0]["error"]
    assert error["type"] == "UnsupportedValue" and "too large" in error["message"]
    assert value(reply, 1) == 1


def test_assignment_helpers_and_a_symlinked_vendored_package_can_be_imported(box):
    reply = box.run(job("def f():\n    return double(21), vendpkg.VALUE\n",
                        setup="from helpers import double\nimport vendpkg", calls=[call("f")]))
    assert value(reply) == (42, 42)


SETUP = "import os\nimport numpy as np\nfrom helpers import double\nSETUP_PID = os.getpid()\nSEEN = []\n"


def test_a_job_with_the_sandbox_setup_starts_from_its_namespace_and_changes_it_for_itself_only(
        assignment):
    """The setup runs once, in the worker; each job gets its own copy of what it made."""
    with Sandbox(assignment, preload=("numpy",), limits=FAST, setup=SETUP) as box:
        meddler = ("def f():\n    SEEN.append(1)\n    np.pi = 3\n    global double\n"
                   "    double = None\n    return SETUP_PID != os.getpid(), len(SEEN)\n")
        assert value(box.run(job(meddler, setup=SETUP, calls=[call("f")]))) == (True, 1)
        reader = "def f():\n    return len(SEEN), double(2), float(np.pi)\n"
        assert value(box.run(job(reader, setup=SETUP, calls=[call("f")]))) == (0, 4, np.pi)
        own = box.run(job("def f():\n    return 'SEEN' in globals(), X\n", setup="X = 5",
                          calls=[call("f")]))
        assert value(own) == (False, 5)


def test_a_setup_that_fails_in_the_worker_fails_each_job_that_asks_for_it(assignment):
    broken = "import os\nraise ValueError('no data file')\n"
    with Sandbox(assignment, preload=(), limits=FAST, setup=broken) as box:
        reply = box.run(job("def f():\n    return 1\n", setup=broken, calls=[call("f")]))
        assert (reply["status"], reply["results"]) == ("error", [])
        assert "setup failed: ValueError: no data file" in reply["output"]
        still_works(box)


def test_stand_ins_run_after_the_cells_and_may_override_names(box):
    reply = box.run(job("def helper():\n    return 'student'\n\ndef f():\n    return helper()\n",
                        stand_ins="def helper():\n    return 'reference'\n", calls=[call("f")]))
    assert value(reply) == "reference"


def test_printed_output_from_stdout_and_stderr_is_captured(box):
    reply = box.run(job("import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)\n"
                        "def f():\n    print('in call')\n    return 1\n", calls=[call("f")]))
    assert reply["status"] == "ok"
    assert "to stdout" in reply["output"] and "to stderr" in reply["output"]
    assert "in call" in reply["output"]


# ---------------------------------------------------------------- errors
def test_a_syntax_error_in_a_cell_is_reported_with_its_line_and_later_cells_still_run(box):
    reply = box.run(job("x = 1", "y = 2\ndef broken(:\n    pass\n", "def f():\n    return x\n",
                        calls=[call("f")]))
    assert reply["status"] == "ok"
    assert [(e["cell"], e["type"], e["line"]) for e in reply["cell_errors"]] == [
        (1, "SyntaxError", 2)]
    assert value(reply) == 1


def test_a_runtime_error_in_a_cell_is_reported_with_its_line(box):
    reply = box.run(job("a = 1\nb = [][3]\n", "c = 3\n"))
    [error] = reply["cell_errors"]
    assert (error["cell"], error["type"], error["line"]) == (0, "IndexError", 2)
    assert "out of range" in error["message"]


def test_an_exception_inside_a_call_gives_type_message_and_the_students_line(box):
    cells = [
        "def inner(v):\n    w = v + 1\n    return np.dot(np.ones(3), np.ones(4))\n",
        "def outer(v):\n    return inner(v)\n",
    ]
    reply = box.run(job(*cells, calls=[call("outer", 1), call("outer", 2)]))
    assert reply["status"] == "ok" and len(reply["results"]) == 2
    error = reply["results"][0]["error"]
    assert error["type"] == "ValueError" and "not aligned" in error["message"]
    assert (error["cell"], error["line"]) == (0, 3)
    assert reply["results"][0]["value"] is None


def test_system_exit_and_keyboard_interrupt_are_recorded_not_fatal(box):
    cells = [
        "import sys\nsys.exit(3)",
        "raise KeyboardInterrupt",
        "def quits():\n    raise SystemExit('bye')\n",
        "def interrupts():\n    raise KeyboardInterrupt\n",
        "def base():\n    raise BaseException('odd')\n",
        "def builtin_exit():\n    exit()\n",
    ]
    reply = box.run(job(*cells, calls=[call("quits"), call("interrupts"), call("base"),
                                       call("builtin_exit")]))
    assert reply["status"] == "ok"
    assert [e["type"] for e in reply["cell_errors"]] == ["SystemExit", "KeyboardInterrupt"]
    assert [r["error"]["type"] for r in reply["results"]] == [
        "SystemExit", "KeyboardInterrupt", "BaseException", "SystemExit"]
    assert [r["error"]["cell"] for r in reply["results"][:3]] == [2, 3, 4]


def test_values_the_wire_format_rejects_are_unsupported_value_errors(box):
    reply = box.run(job("def obj():\n    return object()\n", "def keys():\n    return {1: 2}\n",
                        "def mutate(x):\n    x.append(object())\n    return 1\n",
                        calls=[call("obj"), call("keys"), call("mutate", [])]))
    assert [r["error"]["type"] for r in reply["results"]] == ["UnsupportedValue"] * 3
    assert "argument 0" in reply["results"][2]["error"]["message"]


def test_a_missing_function_is_an_error_of_that_call_only(box):
    reply = box.run(job("def f():\n    return 1\n", calls=[call("nope"), call("f")]))
    assert reply["results"][0]["error"]["type"] == "NameError"
    assert value(reply, 1) == 1


def test_deep_recursion_is_an_error_not_a_crash(box):
    reply = box.run(job("def down(n):\n    return down(n + 1)\n", calls=[call("down", 0)]))
    assert reply["status"] == "ok"
    assert reply["results"][0]["error"]["type"] == "RecursionError"
    assert reply["results"][0]["error"]["line"] == 2
    still_works(box)


# ---------------------------------------------------------------- isolation
def test_the_network_is_unreachable(box):
    result = probe(box, TRY + """
import socket
def connect(address):
    return lambda: socket.create_connection(address, timeout=1).close()
attempts = [attempt(connect(("127.0.0.1", 80))), attempt(connect(("1.1.1.1", 443))),
            attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM)),
            attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW))]
a, b = socket.socketpair()  # local AF_UNIX pairs are harmless and allowed
a.sendall(b"ok")
return attempts + [b.recv(2).decode()]
""")
    assert "allowed" not in result[:4]
    assert all(name in ("PermissionError", "OSError", "ConnectionRefusedError",
                        "TimeoutError", "socket.gaierror") for name in result[:4]), result
    assert result[4] == "ok"


def test_files_outside_the_sandbox_cannot_be_read(box, marker):
    if not fs_isolated(box):
        pytest.skip("this rlimits sandbox has no Landlock: only Unix permissions apply")
    autograder_dir = ROOT / "autograder"
    result = probe(box, TRY + f"""
return [attempt(lambda: open({marker!r}).read()),
        attempt(lambda: open({str(autograder_dir / "sandbox.py")!r}).read()),
        attempt(lambda: os.listdir({str(autograder_dir)!r})),
        attempt(lambda: os.listdir({str(ROOT / "source")!r})),
        attempt(lambda: os.listdir({str(ROOT / "tests")!r})),
        attempt(lambda: open("/etc/shadow").read()),
        attempt(lambda: os.listdir("/root")),
        attempt(lambda: os.listdir({os.path.dirname(marker)!r}))]
""")
    assert "allowed" not in result[:6], result
    if result[6] == "allowed":  # /root may exist as a bare path to the interpreter
        assert box.layer != "rlimits"
    assert result[7] != "allowed"


def test_only_the_minimal_tree_is_visible(box):
    if box.layer == "rlimits":  # same tree as the host, but Landlock hides what is not needed
        if not fs_isolated(box):
            pytest.skip("this rlimits sandbox has no Landlock: only Unix permissions apply")
        listed = probe(box, TRY + "return [attempt(lambda: os.listdir(p)) for p in "
                                  "('/', '/etc', '/home', '/proc', '/var', '/dev/shm')]")
        assert listed == ["PermissionError"] * 6
        assert probe(box, "return sorted(os.listdir(sys.path[0]))") == ["helpers.py", "vendpkg"]
        return
    top = probe(box, "return sorted(os.listdir('/'))")
    allowed = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev",
               "assignment", Path(sandbox_module.SANDBOX_TMP).parts[1]}
    allowed |= {Path(p).parts[1] for p in (sys.prefix, sys.base_prefix)}
    assert set(top) <= allowed, top
    etc = probe(box, "return sorted(os.listdir('/etc'))")
    assert set(etc) <= {"ld.so.cache", "localtime"}
    assert probe(box, "return sorted(os.listdir('/assignment'))") == ["helpers.py", "vendpkg"]
    assert not probe(box, f"return os.path.exists({str(ROOT / 'autograder')!r})")
    pids = probe(box, "return sorted(int(p) for p in os.listdir('/proc') if p.isdigit())")
    # init, the zygote, this job and the next jobs' waiting children: a private pid namespace
    assert len(pids) <= 3 + SPARES


def test_nothing_outside_the_temp_dir_can_be_written(box, assignment):
    result = probe(box, TRY + f"""
def write(path):
    return lambda: open(path, "w").write("x")
home = os.environ["HOME"]
here = os.getcwd()
open("mine.txt", "w").write("fine")
return [here == home, open(os.path.join(home, "mine.txt")).read(),
        attempt(write("/etc/planted")), attempt(write("/usr/planted")),
        attempt(write("/planted")), attempt(write("/dev/shm/planted")),
        attempt(write(os.path.join(os.path.dirname(here), "planted"))),
        attempt(write({str(assignment / "planted.py")!r})),
        attempt(write("/assignment/planted.py")),
        attempt(write({str(ROOT / "planted")!r})),
        attempt(lambda: os.mkdir("/var/tmp/planted"))]
""")
    assert result[:2] == [True, "fine"]
    assert "allowed" not in result[2:], result
    assert not (assignment / "planted.py").exists() and not (ROOT / "planted").exists()


def test_the_temp_dir_is_wiped_between_jobs_and_size_limited(box):
    probe(box, "open('left.txt', 'w').write('x')\nos.mkdir('d')\nos.chmod('d', 0)\nreturn 0")
    assert probe(box, "return sorted(os.listdir('.'))") == []
    too_big = probe(box, """
try:
    open('big', 'wb').write(b'x' * (2 << 20))
except OSError as exc:
    return exc.errno
""")
    assert too_big == 27  # EFBIG: RLIMIT_FSIZE (1 MB here)
    if box.layer == "rlimits":
        return  # no private tmpfs: only RLIMIT_FSIZE bounds a file
    full = probe(box, """
try:
    for i in range(20):
        open(f'part{i}', 'wb').write(b'x' * ((1 << 20) - 4096))
except OSError as exc:
    return exc.errno
""")
    assert full == 28  # ENOSPC: the 8 MB tmpfs is full


def test_the_job_runs_as_nobody_without_supplementary_groups(box):
    if not IS_ROOT:
        pytest.skip("the grader is not root: the job keeps the grader's uid (or a mapped one)")
    ids = probe(box, "return [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), "
                     "os.getgroups()]")
    assert ids == [65534, 65534, 65534, 65534, []]
    assert box.worker_info["uid"] == 65534 and box.worker_info["groups"] == []


def test_the_environment_is_clean_and_blas_is_single_threaded(box):
    env = probe(box, "return dict(os.environ)")
    assert CANARY not in env
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "1" and env["MPLBACKEND"] == "Agg"
    assert env["PATH"] == "/usr/bin:/bin"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "OPENBLAS_NUM_THREADS",
                        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "MPLCONFIGDIR",
                        "LD_LIBRARY_PATH"}, sorted(env)


def test_a_job_has_no_file_descriptor_to_the_worker_channel(box):
    fds = probe(box, """
import fcntl, stat
fds = {}
for fd in range(1024):
    try:
        st = os.fstat(fd)
    except OSError:
        continue
    if stat.S_ISFIFO(st.st_mode):
        kind = "pipe"
    elif fcntl.fcntl(fd, fcntl.F_GETFL) & 0o10000000:
        kind = "path-only"
    else:
        kind = "other"
    fds[str(fd)] = [kind, st.st_ino]
try:
    parent = os.listdir(f'/proc/{os.getppid()}/fd')
except OSError as exc:
    parent = type(exc).__name__
return [fds, parent]
""")
    fds, parent = {int(fd): tuple(info) for fd, info in fds[0].items()}, fds[1]
    pipes = {fd: info for fd, info in fds.items() if info[0] == "pipe"}
    # stdout and stderr (one capture pipe), the result pipe and the job pipe (its sealed part)
    assert len(pipes) == 4, fds
    assert fds[1] == fds[2] and len(set(pipes.values())) == 3
    assert fds[0][0] == "other"  # /dev/null
    # anything else may only be O_PATH handles the rlimits layer imports through (no I/O)
    assert all(info[0] == "path-only" for fd, info in fds.items() if fd not in pipes and fd)
    assert parent == "PermissionError"  # nor can it reopen the zygote's


def test_process_creation_and_dangerous_syscalls_are_blocked(box):
    result = probe(box, TRY + """
import ctypes, subprocess, threading
libc = ctypes.CDLL(None, use_errno=True)
def bomb():
    while True:
        os.fork()
def raw(number, *args):
    def go():
        if libc.syscall(number, *args) == -1:
            raise OSError(ctypes.get_errno(), "denied")
    return go
seen = []
worker = threading.Thread(target=lambda: seen.append(sum(range(10))))
worker.start()
worker.join()
return [attempt(os.fork), attempt(bomb), attempt(lambda: subprocess.run(["true"])),
        attempt(lambda: os.execv("/bin/true", ["true"])), os.system("true"),
        attempt(raw(272, 0x10000000)),  # unshare(CLONE_NEWUSER)
        attempt(raw(101, 0, 0, 0, 0)),  # ptrace(PTRACE_TRACEME)
        attempt(raw(165, 0, 0, 0, 0, 0)),  # mount
        attempt(raw(321, 0, 0, 0)),  # bpf
        ctypes.get_errno() if libc.syscall(435, 0, 0) == -1 else "allowed",  # clone3
        seen]
""")
    assert result[:4] == ["PermissionError"] * 4, result
    assert result[4] != 0
    assert result[5:9] == ["PermissionError"] * 4  # EPERM
    assert result[9] == 38  # ENOSYS: glibc falls back to clone, where threads are allowed
    assert result[10] == [45]


def test_a_job_runs_in_the_main_thread_of_an_ordinary_interpreter(box):
    """Job children are forked without Python's after-fork hooks: still its main thread, able to
    set signal handlers, start and join threads, and import what it needs."""
    result = probe(box, """
import signal, threading
signal.signal(signal.SIGALRM, lambda *args: None)
done = []
worker = threading.Thread(target=lambda: done.append(threading.current_thread().name))
worker.start()
worker.join()
import fractions
return [threading.current_thread() is threading.main_thread(), threading.active_count(), done,
        str(fractions.Fraction(1, 3))]
""")
    main, threads, done, third = result
    assert (main, threads, len(done), third) == (True, 1, 1, "1/3"), result


def test_is_the_worker_itself_under_the_seccomp_filter_every_job_shares(box):
    """The zygote confines itself once started; its job children add their own filters (before
    they read a job: a spare forked a moment ago may still be loading them, so it is given a
    few seconds to settle)."""
    still_works(box)
    for _ in range(50):
        status = {}
        for pid in _sandbox_processes(box):
            try:
                with open(f"/proc/{pid}/status") as handle:
                    status[pid] = dict(line.split(":\t", 1) for line in handle.read().splitlines()
                                       if ":\t" in line)
            except OSError:
                continue
        spares = [pid for pid, fields in status.items()  # the waiting children: leaves of the tree
                  if not any(other["PPid"] == str(pid) for other in status.values())]
        counts = {pid: int(fields["Seccomp_filters"]) for pid, fields in status.items()}
        parents = {pid: int(status[pid]["PPid"]) for pid in spares}
        if spares and all(counts[pid] > counts.get(parent, 0) for pid, parent in parents.items()):
            break
        time.sleep(0.1)
    assert 1 <= len(spares) <= SPARES, status
    (zygote,) = {int(status[pid]["PPid"]) for pid in spares}
    for spare in spares:
        filters = {name: (status[pid]["Seccomp"], int(status[pid]["Seccomp_filters"]))
                   for name, pid in (("zygote", zygote), ("spare", spare))}
        assert filters["zygote"][0] == filters["spare"][0] == "2", filters
        assert filters["spare"][1] > filters["zygote"][1] >= 1, filters


def test_does_the_process_list_show_neither_the_worker_source_nor_its_config(box):
    """The worker's source and configuration come on its stdin, which it lets go of once read."""
    still_works(box)
    worker_source, wire_source = sandbox_module._sources()
    shown = {}
    for pid in _sandbox_processes(box):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                shown[pid] = handle.read().split(b"\0")
        except OSError:
            continue
    pythons = [pid for pid, args in shown.items() if args[0] == sys.executable.encode()]
    assert pythons, shown
    for pid, args in shown.items():
        assert max(map(len, args)) <= len(sandbox_module.BOOTSTRAP), args
        line = b" ".join(args)
        for text in ("def main(", "def encode(", '"preload"', '"sys_path"'):
            assert text.encode() not in line, (text, args)
        if pid in pythons:
            assert args[-2:] == [b"zygote" if box.layer != "namespaces" else b"ns", b""] or \
                args[-2:] == [b"launch", b""], args
            try:
                stdin = os.readlink(f"/proc/{pid}/fd/0")
            except OSError:  # another user's process
                continue
            assert "memfd" not in stdin and "sandbox-worker" not in stdin, (pid, args, stdin)
    assert "def main(" in worker_source and "def encode(" in wire_source


def test_does_the_worker_start_where_no_in_memory_file_can_be_made(assignment, monkeypatch):
    def refused(*args):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(sandbox_module.os, "memfd_create", refused)
    with Sandbox(assignment, preload=(), layer=detect_layer(), limits=FAST) as box:
        still_works(box)


def test_does_each_job_get_a_child_of_its_own_though_they_are_forked_in_a_row(box):
    """The worker forks its job children a few at a time; each still serves one job only, and
    no more than that few wait at any time."""
    reply = box.run_many([job("import os\n\ndef f():\n    return [os.getpid(), os.getppid()]\n",
                              calls=[call("f")]) for _ in range(2 * SPARES + 1)])
    assert all(r["status"] == "ok" for r in reply), reply
    pids = [value(r) for r in reply]
    assert len({pid for pid, _ in pids}) == len(pids), pids
    assert len({parent for _, parent in pids}) == 1, pids
    family = _sandbox_processes(box)
    parents = {_parent(pid) for pid in family}
    waiting = [pid for pid in family if pid not in parents]
    assert 1 <= len(waiting) <= SPARES, waiting


def _parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


# ---------------------------------------------------------------- runaway jobs
def test_an_infinite_loop_times_out_and_the_next_job_still_runs(box):
    reply = box.run(job("def spin():\n    while True:\n        pass\n", calls=[call("spin")]))
    assert reply["status"] == "timeout", reply
    assert reply["seconds"] < FAST.wall_seconds + 1
    still_works(box)


def test_sleeping_forever_times_out_on_the_wall_clock(box):
    reply = box.run(job("import time\ndef nap():\n    time.sleep(10 ** 6)\n", calls=[call("nap")]))
    assert reply["status"] == "timeout" and "wall-clock" in reply["detail"]
    still_works(box)


def test_a_cpu_hog_that_ignores_sigxcpu_is_still_stopped(box):
    cell = ("import signal\ndef hog():\n    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n"
            "    while True:\n        pass\n")
    limits = Limits(wall_seconds=6, cpu_seconds=1, output_bytes=4096, tmp_bytes=FAST.tmp_bytes)
    reply = box.run(job(cell, calls=[call("hog")]), limits)
    assert reply["status"] == "timeout" and "CPU" in reply["detail"], reply
    assert reply["seconds"] < 4


def test_a_job_ignoring_sigterm_is_still_killed(box):
    cell = ("import signal, time\ndef stubborn():\n"
            "    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
            "        signal.signal(sig, signal.SIG_IGN)\n"
            "    while True:\n        time.sleep(0.01)\n")
    reply = box.run(job(cell, calls=[call("stubborn")]))
    assert reply["status"] == "timeout"
    still_works(box)


def test_calls_completed_before_a_timeout_are_returned(box):
    cells = ["def quick(x):\n    return x * 10\n", "def spin():\n    while True:\n        pass\n"]
    reply = box.run(job(*cells, calls=[call("quick", 1), call("quick", 2), call("spin"),
                                       call("quick", 3)]))
    assert reply["status"] == "timeout"
    assert [wire.decode(r["value"]) for r in reply["results"]] == [10, 20]


def test_exiting_the_process_ends_only_that_job(box):
    cells = ["import os, sys\ndef done(x):\n    return x\n",
             "def hard_exit():\n    os._exit(0)\n"]
    reply = box.run(job(*cells, calls=[call("done", 5), call("hard_exit"), call("done", 6)]))
    assert reply["status"] == "crashed" and "exited with status 0" in reply["detail"]
    assert [wire.decode(r["value"]) for r in reply["results"]] == [5]
    reply = box.run(job("import os\nos.abort()\n"))
    assert reply["status"] == "crashed" and "SIGABRT" in reply["detail"]
    still_works(box)


def _sandbox_processes(box):
    """Host pids of the sandbox's processes: the launched one and all its descendants."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents.setdefault(int(handle.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                pass
    family, frontier = [], [box._state["worker"].proc.pid]
    while frontier:
        pid = frontier.pop()
        family.append(pid)
        frontier += parents.get(pid, [])
    return family


def _signal_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def test_a_job_cannot_kill_its_worker_and_a_worker_killed_from_outside_is_replaced(box):
    reply = box.run(job("import os\ndef kill():\n    os.kill(os.getppid(), 9)\n    return 1\n",
                        calls=[call("kill")]))
    assert reply["status"] == "ok" and reply["results"][0]["error"]["type"] == "PermissionError", reply
    restarts = box.restarts
    import signal
    import threading

    killer = threading.Timer(0.3, lambda: _signal_all(_sandbox_processes(box), signal.SIGKILL))
    killer.start()
    reply = box.run(job("import time\ndef nap():\n    time.sleep(1)\n    return 1\n", calls=[call("nap")]))
    killer.join()
    assert reply["status"] == "crashed", reply
    still_works(box)
    assert box.restarts == restarts + 1
    ids = probe(box, "return os.getuid()")
    assert ids == (65534 if IS_ROOT else os.getuid()) or box.layer == "bwrap"


def test_jobs_queued_behind_one_whose_worker_died_run_on_a_fresh_worker(box):
    import signal
    import threading

    restarts = box.restarts
    nap = job("import time\ndef nap():\n    time.sleep(1)\n    return 1\n", calls=[call("nap")])
    add = job("def f(x):\n    return x + 1\n", calls=[call("f", 41)])
    killer = threading.Timer(0.3, lambda: _signal_all(_sandbox_processes(box), signal.SIGKILL))
    killer.start()
    replies = box.run_many([nap, add, add])
    killer.join()
    assert [reply["status"] for reply in replies] == ["crashed", "ok", "ok"], replies
    assert value(replies[1]) == value(replies[2]) == 42
    assert box.restarts == restarts + 1


def test_queued_jobs_each_run_alone_in_a_child_of_their_own(box):
    """Queued together, jobs still get one fresh child each, one after another."""
    source = ("import os, time\ndef f():\n    t = time.monotonic()\n    time.sleep(0.05)\n"
              "    return os.getpid(), t, time.monotonic()\n")
    replies = box.run_many([job(source, calls=[call("f")])] * 4)
    runs = [value(reply) for reply in replies]
    assert len({pid for pid, _, _ in runs}) == 4
    assert all(end <= start for (_, _, end), (_, start, _) in zip(runs, runs[1:], strict=False))


def test_a_job_cannot_freeze_its_worker_and_a_frozen_worker_is_caught_by_the_backstop(box, monkeypatch):
    import signal

    reply = box.run(job("import os, signal\ndef freeze():\n"
                        "    os.kill(os.getppid(), signal.SIGSTOP)\n    return 1\n",
                        calls=[call("freeze")]))
    assert reply["status"] == "ok" and reply["results"][0]["error"]["type"] == "PermissionError", reply
    monkeypatch.setattr(sandbox_module, "BACKSTOP_SECONDS", 0.5)
    restarts = box.restarts
    frozen = _sandbox_processes(box)
    _signal_all(frozen, signal.SIGSTOP)
    try:
        reply = box.run(job("def f():\n    return 1\n", calls=[call("f")]))
    finally:  # a child stopped before it set its parent-death signal would outlive the sandbox
        _signal_all(frozen, signal.SIGKILL)
    assert reply["status"] == "timeout" and "did not answer" in reply["detail"], reply
    assert reply["seconds"] < FAST.wall_seconds + 1.5
    still_works(box)
    assert box.restarts == restarts + 1


def test_a_thread_left_running_does_not_outlive_the_job(box):
    cell = ("import threading, time\n"
            "def leave_a_thread():\n"
            "    def beacon():\n"
            "        while True:\n"
            "            with open('beacon.txt', 'a') as f:\n"
            "                f.write('x')\n"
            "            print('still here')\n"
            "            time.sleep(0.01)\n"
            "    threading.Thread(target=beacon).start()\n"
            "    time.sleep(0.05)\n"
            "    return 'returned'\n")
    reply = box.run(job(cell, calls=[call("leave_a_thread")]))
    assert reply["status"] == "ok" and value(reply) == "returned"
    assert reply["seconds"] < 1
    later = probe(box, "import time\ntime.sleep(0.3)\nreturn os.path.exists('beacon.txt')")
    assert later is False


def test_allocating_50_gb_is_reported_as_memory(box):
    reply = box.run(job("def hog():\n    return np.ones(50 * 2 ** 30 // 8)\n",
                        calls=[call("hog")]))
    assert reply["status"] == "memory", reply
    assert "MemoryError" in reply["results"][0]["error"]["type"]
    reply = box.run(job("blob = bytearray(50 * 2 ** 30)\n"))
    assert reply["status"] == "memory"
    assert reply["cell_errors"][0]["type"] == "MemoryError"
    still_works(box)


def test_printing_gigabytes_is_capped_and_the_job_ends(box):
    cell = "def flood():\n    line = 'x' * (1 << 20)\n    while True:\n        print(line)\n"
    reply = box.run(job(cell, calls=[call("flood")]))
    assert reply["status"] == "output_limit", reply
    assert len(reply["output"]) <= FAST.output_bytes and "dropped" in reply["detail"]
    assert reply["seconds"] < FAST.wall_seconds
    reply = box.run(job("print('y' * 10000)\ndef f():\n    return 1\n", calls=[call("f")]))
    assert reply["status"] == "ok" and value(reply) == 1
    assert reply["output"] == "y" * FAST.output_bytes
    assert "output truncated" in reply["detail"]
    still_works(box)


# ---------------------------------------------------------------- the untrusted reply
def test_malformed_or_forged_replies_are_rejected():
    head = {"id": 1, "status": "ok", "detail": "", "seconds": 0.1, "events": 10, "output": 0,
            "open_events": 0}
    result = {"value": 1, "error": None, "args_after": [], "kwargs_after": {}}

    def events(*items):
        return b"".join(json.dumps(item).encode() + b"\n" for item in items)

    checked = _checked_head(json.dumps(head).encode(), 1, FAST)
    assert _checked_events(checked, events({"result": result}), 1, 1)["results"][0]["value"] == 1
    for bad_head in ({**head, "id": 2}, {**head, "status": "fine"}, {**head, "seconds": "soon"},
                     {**head, "events": -1}, {**head, "output": FAST.output_bytes + 1}):
        with pytest.raises(ValueError):
            _checked_head(json.dumps(bad_head).encode(), 1, FAST)
    for raw in (b"NaN", b"[1]", b"{" * 100000, b'{"id": 1, "seconds": Infinity}'):
        with pytest.raises(ValueError):
            _checked_head(raw, 1, FAST)
    bad_events = [
        events({"result": result}, {"result": result}),
        events({"result": {"value": 1}}),
        events({"cell_error": {"cell": 5, "type": "X", "message": "", "line": None}}),
        events({"cell_error": {"cell": 0, "type": "X", "message": "", "line": True}}),
        events({"other": 1}),
        b"not json\n",
        b'{"result": NaN}\n',
    ]
    for raw in bad_events:
        with pytest.raises(ValueError):
            _checked_events(checked, raw, 1, 1)


def test_is_a_result_too_large_to_parse_refused_before_it_becomes_objects():
    flood = b'{"result":{"value":[' + b"[]," * 300_000 + b'[]],"error":null}}'
    deep = b'{"result":{"value":' + b"[" * 5000 + b"]" * 5000 + b',"error":null}}'
    assert too_complex(flood) and too_complex(deep)
    assert not too_complex(json.dumps({"result": {"value": list(range(1000))}}).encode())
    head = _checked_head(json.dumps({"id": 1, "status": "ok", "detail": "", "seconds": 0.1,
                                     "events": 0, "output": 0, "open_events": 0}).encode(), 1, FAST)
    reply = _checked_events(head, flood + b"\n", 1, 1)
    assert reply["results"][0]["error"]["type"] == "UnsupportedValue"


# ---------------------------------------------------------------- sealed inputs
SEEKER = """
import gc, os, sys

def _holds(o, t, depth=0):
    if isinstance(o, float):
        return o == t
    if depth > 4:
        return False
    if isinstance(o, dict):
        return any(_holds(v, t, depth + 1) for v in list(o.values()))
    if isinstance(o, list):
        return any(_holds(v, t, depth + 1) for v in list(o))
    return False

def seek(x):
    # Look for the hidden call's input (987654.125 + 1) everywhere this process can:
    # every object, every frame, every pipe.
    t = 987654.125 + 1.0
    mine = globals()
    hits = sum(1 for o in gc.get_objects()
               if isinstance(o, (dict, list)) and o is not mine and _holds(o, t))
    frame = sys._getframe().f_back
    while frame is not None:
        hits += _holds(dict(frame.f_locals), t)
        frame = frame.f_back
    piped = 0
    for fd in range(3, 64):
        try:
            os.set_blocking(fd, False)
            piped += repr(t).encode() in os.read(fd, 1 << 16)
        except OSError:
            pass
    raise ValueError(f"{hits} {piped} {x!r}")
"""


def test_a_published_call_cannot_see_the_inputs_of_the_hidden_calls(box):
    reply = box.run({**job(SEEKER, calls=[call("seek", 1.0)]),
                     "sealed_calls": [call("seek", 987654.125 + 1)]})
    published, hidden = reply["results"]
    assert published["open"] and not hidden["open"]
    assert published["error"]["message"] == "0 0 1.0", published["error"]
    assert hidden["error"]["message"].endswith(" 987655.125")  # its own input, sealed


def test_events_a_hidden_call_forges_are_marked_sealed(box):
    forger = """
import json, os

def forge(x):
    if x > 1:  # a hidden call: write a cell error and a done event of its own, then die
        for fd in range(3, 64):
            try:
                os.write(fd, (json.dumps({"cell_error": {"cell": 0, "type": "X", "message":
                              f"input {x}", "line": 1}}) + "\\n").encode())
            except OSError:
                pass
        os._exit(3)
    return x
"""
    reply = box.run({**job(forger, calls=[call("forge", 1.0)]),
                     "sealed_calls": [call("forge", 5.5), call("forge", 6.5)]})
    assert reply["results"][0]["open"] and reply["results"][0]["value"] == 1.0
    assert all(not error["open"] for error in reply["cell_errors"])


def test_a_job_without_hidden_calls_needs_no_sealed_part(box):
    reply = box.run(job("def f(x):\n    return x\n", calls=[call("f", 2)]))
    assert reply["status"] == "ok" and value(reply) == 2 and reply["results"][0]["open"]


def test_a_huge_reply_of_nested_lists_harms_neither_the_worker_nor_the_next_job(box):
    flood = "def flood():\n    return [[] for _ in range(400_000)]\n"
    reply = box.run(job(flood, calls=[call("flood")]))
    error = reply["results"][0]["error"] if reply["results"] else None
    assert error is not None and error["type"] == "UnsupportedValue", reply
    for _ in range(3):  # the next jobs' children were forked from a worker the reply never grew
        still_works(box)


SCANNER = """
import base64, ctypes

def scan(data):
    # Count, in every readable mapping of this process, the copies of a 64-character run of
    # the base64 text a job carrying ``data`` (a repeating pattern) would receive, and of a
    # 96-byte run of its raw bytes (how its arrays reach it: in shared memory).
    unit = base64.b64encode(bytes(range(48)) * 1).decode()
    needles = [unit.encode(), bytes(range(48)) * 2]
    count = 0
    with open('/proc/self/maps') as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        start, end = (int(x, 16) for x in fields[0].split('-'))
        if fields[1][0] != 'r' or (len(fields) > 5 and fields[5].startswith('[v')):
            continue
        try:
            memory = ctypes.string_at(start, end - start)
            count += sum(memory.count(needle) for needle in needles)
        except Exception:
            pass
    return count
"""


def test_does_no_job_find_the_inputs_of_the_job_before_it_in_its_memory(box):
    if box.layer == "rlimits":
        pytest.skip("jobs of the rlimits layer cannot read /proc/self/maps")
    pattern = np.frombuffer(bytes(range(48)) * 20_000, dtype=np.uint8).copy()  # about 1 MB
    first = box.run({**job(SCANNER, calls=[call("scan", np.zeros(1, np.uint8))]),
                     "sealed_calls": [call("scan", pattern)]})
    assert first["status"] == "ok", first
    assert value(first, 1) > 1000  # the positive control: the job holding them finds them
    second = box.run(job(SCANNER, calls=[call("scan", np.zeros(1, np.uint8))]))
    assert second["status"] == "ok", second
    assert value(second) < 5  # the next job's child (forked while the first ran) finds none


def test_does_the_grader_read_the_parts_of_a_reply_already_in_the_pipe_without_waiting():
    """Each wait gives up the GIL, which a thread of a busy grader may wait milliseconds to take
    back: a reply's parts, already written, are read at once; only an empty pipe is waited on."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    worker = sandbox_module._Worker(None, None, read_end, None)
    waits = []

    def wait(deadline):
        waits.append(deadline)
        os.write(write_end, b"late")
        return True

    worker._wait = wait
    try:
        os.write(write_end, b"headbody+the start of the next reply")
        deadline = 1e12
        assert worker._read(4, deadline) == b"head"
        assert worker._read(4, deadline) == b"body"
        assert worker._read(28, deadline) == b"+the start of the next reply"
        assert waits == []
        assert worker._read(4, deadline) == b"late"
        assert waits == [deadline]
    finally:
        os.close(read_end)
        os.close(write_end)


def test_is_a_queued_job_frame_written_at_once_when_the_pipe_has_room():
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    worker = sandbox_module._Worker(None, write_end, None, None)
    try:
        worker.queue(b"frame")
        assert os.read(read_end, 100) == b"frame" and not worker.pending
        worker.queue(b"x" * (1 << 20))  # more than the pipe holds: the rest waits in the queue
        assert 0 < len(worker.pending) < 1 << 20
    finally:
        os.close(read_end)
        os.close(write_end)
