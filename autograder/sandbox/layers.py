"""The isolation layers and what each shows the worker: the file system, the environment.

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

Per-layer caveats: ``Limits.tmp_bytes`` is a tmpfs size only in bwrap and
namespaces (rlimits bounds single files by ``file_bytes``); RLIMIT_AS also
counts what the child inherits from the zygote (``worker_info["vm_bytes"]``,
about 0.4 GB with numpy, matplotlib and scikit-learn preloaded); in the
rlimits layer with Landlock, ``/proc`` is not readable by jobs.
"""

import importlib.util
import os
import shutil
import sys

LAYERS = ("bwrap", "namespaces", "rlimits")  # strongest first
SANDBOX_UID = SANDBOX_GID = 65534  # "nobody": what a root grader runs student code as
ASSIGNMENT_MOUNT = "/assignment"  # where assignment_dir appears (bwrap, namespaces)
# The private tmpfs (bwrap, namespaces): cwd, HOME and TMPDIR of every job. Not /tmp, where
# the interpreter, the venv or the assignment may live (e.g. a checkout under /tmp).
SANDBOX_TMP = "/sandbox"
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("null", "zero", "full", "random", "urandom")


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
