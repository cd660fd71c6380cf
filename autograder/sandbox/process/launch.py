"""Entering a layer as root: ``launch`` (drop to the sandbox user, then exec bwrap) and ``ns``
(the namespaces layer built by hand: mounts, ``pivot_root``, a small init).
"""

import os
import signal
import sys

from autograder.sandbox.process.system import (
    CLONE_NEWCGROUP,
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUTS,
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    PR_SET_DUMPABLE,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    SYS_PIVOT_ROOT,
    _check,
    _drop_privileges,
    _first_blocked_ancestor,
    _libc,
    _mount,
    _prctl,
)
from autograder.sandbox.process.zygote import _zygote


def _under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


def _expose(paths, uid, gid):
    """Make ``paths`` reachable by ``uid`` at the same place (private mount namespace)."""
    groups = {}
    for path in sorted(set(paths), key=len):
        blocked = _first_blocked_ancestor(path, uid, gid)
        if blocked is None:
            continue
        top = next((t for t in groups if _under(blocked, t)), blocked)
        if not any(_under(path, p) for p in groups.get(top, [])):
            groups.setdefault(top, []).append(path)
    for top, wanted in groups.items():
        fds = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in wanted]
        _mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=65536")
        for path, fd in fds:
            _make_mount_point(path, os.path.isdir(f"/proc/self/fd/{fd}"))
            _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            os.close(fd)


def _make_mount_point(path, is_dir):
    if is_dir:
        os.makedirs(path, 0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        if not os.path.lexists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))


def _launch(cfg):
    os.umask(0o022)
    uid, gid = cfg["ids"]
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _expose(cfg["expose"], uid, gid)
    _drop_privileges(uid, gid)
    os.execv(cfg["bwrap"], cfg["argv"])


def _build_root(root, plan, uid, gid):
    """Populate a new tmpfs at ``root`` following ``plan`` (see ``sandbox._layout``).

    Every op is ``[kind, dest, ...]``: ``ro``/``dev`` (a read-only / device bind
    of a source), ``symlink`` (a target), ``tmpfs`` (the private temp dir, a
    size), ``dir``, ``proc`` and ``devdir`` (a minimal /dev).
    """
    sources = {}
    for i, op in enumerate(plan):  # open every source before anything is covered
        if op[0] in ("ro", "dev"):
            sources[i] = os.open(op[2], os.O_PATH | os.O_CLOEXEC)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1048576")
    for i, op in enumerate(plan):
        kind, dest = op[0], root + op[1]
        if kind in ("ro", "dev"):
            fd = sources[i]
            _make_mount_point(dest, os.path.isdir(f"/proc/self/fd/{fd}"))
            _mount(f"/proc/self/fd/{fd}", dest, None, MS_BIND)
            flags = MS_REMOUNT | MS_BIND | MS_NOSUID
            flags |= MS_NOEXEC if kind == "dev" else MS_RDONLY | MS_NODEV
            _mount(None, dest, None, flags)
            os.close(fd)
        elif kind == "symlink":
            os.makedirs(os.path.dirname(dest), 0o755, exist_ok=True)
            os.symlink(op[2], dest)
        elif kind == "tmpfs":
            os.makedirs(dest, 0o755, exist_ok=True)
            _mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV,
                   f"mode=0700,uid={uid},gid={gid},size={int(op[2])}")
        elif kind == "dir":
            os.makedirs(dest, 0o755, exist_ok=True)
        elif kind == "proc":
            os.makedirs(dest, 0o755, exist_ok=True)
            _mount("proc", dest, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        elif kind == "devdir":
            os.makedirs(dest, 0o755, exist_ok=True)
            _mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=65536")
            for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                                 ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
                os.symlink(target, os.path.join(dest, name))
    for op in plan:  # the /dev tmpfs itself becomes read-only once populated
        if op[0] == "devdir":
            _mount(None, root + op[1], None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _pivot(root):
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError(f"pivot_root: unknown syscall number on {os.uname().machine}")
    os.chdir(root)
    _check(_libc.syscall(number, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _namespaces(cfg):
    os.umask(0o022)
    uid, gid = cfg["ids"]
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                         | CLONE_NEWCGROUP | CLONE_NEWPID), "unshare")
    init = os.fork()
    if init:  # the outer process (host side) only mirrors the sandbox's fate
        for fd in cfg["chan"]:
            os.close(fd)
        _, status = os.waitpid(init, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    try:  # pid 1 of the new pid namespace (its parent, outside, reads as pid 0)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _build_root("/tmp", cfg["plan"], uid, gid)
        _pivot("/tmp")
        _libc.sethostname(b"sandbox", 7)
        _drop_privileges(uid, gid)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # cleared by the credential change
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_DUMPABLE, 0)
    except BaseException as exc:
        print(f"sandbox setup failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(3)
    zygote = os.fork()
    if zygote == 0:
        _zygote(cfg)
        os._exit(0)
    for fd in cfg["chan"]:
        os.close(fd)
    while True:  # init: reap everything, leave with the zygote
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == zygote:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
