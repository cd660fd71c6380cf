"""The process side's ground floor: constants, the C library, frames on pipes, the temp dir.
"""

import ctypes
import json
import mmap
import os
import signal
import struct
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_THREAD = 0x00010000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
SIGKILL = int(signal.SIGKILL)
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
AF_UNIX = 1
EPERM = 1
ENOSYS = 38
FRAME = struct.Struct(">I")
SLOT = struct.Struct(">II")  # a part of shared arrays: (count, 0), then (offset, size) per array
PAGE = mmap.ALLOCATIONGRANULARITY  # the hidden calls' arrays start on a page of their own
MAX_HEADER_BYTES = 1 << 20
CHUNK = 1 << 16
RESERVE_BYTES = 8 << 20  # address space given back on MemoryError so the child can report
MAX_MESSAGE = 2000
NOFILE = 64
WIPE_SECONDS = 2.0  # emptying the temp dir after a job; longer means a fresh sandbox
CHILD_STATUSES = ("ok", "memory", "error")  # what a job child may report as "done"
MAX_GROWTH_BYTES = 48 << 20  # a zygote that grew more than this while serving is replaced
_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                        ctypes.c_ulong]
_libc.syscall.restype = ctypes.c_long


def _check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _b(path):
    return None if path is None else os.fsencode(path)


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)),
           f"mount {source} on {target}")


def _prctl(option, value):
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl({option})")


def _drop_privileges(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgroups():
        raise OSError("could not drop privileges")


def _set_pdeathsig(expected_parent):
    _prctl(PR_SET_PDEATHSIG, SIGKILL)
    if os.getppid() != expected_parent:  # the parent died before the prctl
        os._exit(1)


def _read_exact(fd, n):
    parts = []
    while n:
        data = os.read(fd, min(n, CHUNK))
        if not data:
            raise EOFError
        parts.append(data)
        n -= len(data)
    return b"".join(parts)


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send(fd, obj):
    data = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()
    _write_all(fd, FRAME.pack(len(data)) + data)


def _receive(fd, limit=MAX_HEADER_BYTES):
    (size,) = FRAME.unpack(_read_exact(fd, FRAME.size))
    if size > limit:
        raise ValueError("frame too large")
    return json.loads(_read_exact(fd, size))


def _can_traverse(path, uid, gid):
    st = os.stat(path)
    if uid == st.st_uid:
        return bool(st.st_mode & 0o100)
    if gid == st.st_gid:
        return bool(st.st_mode & 0o010)
    return bool(st.st_mode & 0o001)


def _first_blocked_ancestor(path, uid, gid):
    """The highest directory above ``path`` that ``uid`` cannot traverse, or None."""
    current = "/"
    for part in [p for p in path.split("/") if p][:-1]:
        if not _can_traverse(current, uid, gid):
            return current
        current = os.path.join(current, part)
    return None if _can_traverse(current, uid, gid) else current


def _address_space():
    """This process's virtual size: every job child starts with it under RLIMIT_AS."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def _resident_bytes():
    """This process's peak resident set size (from getrusage: no /proc needed, so it reads the
    same in every layer, Landlock's included)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _relocate(path, moved):
    for entry in sorted(moved, key=len, reverse=True):
        if path == entry or path.startswith(entry + "/"):
            return moved[entry] + path[len(entry):]
    return path


def _empty_dir(top, budget):
    """Delete everything below the directory ``top``; True if it is empty afterwards.

    Iterative and one directory descriptor at a time (``*at`` calls, ``..`` to go
    back up), so neither the nesting depth nor the length of the paths a job
    made matters; symbolic links are removed, never followed. Gives up (False)
    after ``budget`` seconds or on an entry that cannot be removed.
    """
    deadline = time.monotonic() + budget
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        os.chmod(top, 0o700, follow_symlinks=False)
        fd = os.open(top, flags)
    except OSError:
        return False
    path = []  # names of the directories between ``top`` and ``fd``
    try:
        while True:
            below = None
            with os.scandir(fd) as entries:
                for count, entry in enumerate(entries):
                    if count % 1024 == 0 and time.monotonic() > deadline:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        below = below or entry.name
                    else:
                        os.unlink(entry.name, dir_fd=fd)
            if below is not None:
                os.chmod(below, 0o700, dir_fd=fd)  # a directory, and the job is gone
                inner = os.open(below, flags, dir_fd=fd)
                os.close(fd)
                fd = inner
                path.append(below)
                continue
            if not path:
                return True
            name = path.pop()
            outer = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = outer
            os.rmdir(name, dir_fd=fd)
    except OSError:  # something the job left cannot be removed
        return False
    finally:
        os.close(fd)
