"""The process side of :mod:`autograder.sandbox`; its SOURCE runs in the sandbox.

Nothing here is imported by the grader. :mod:`autograder.sandbox` reads this
file and starts ``python -I -S -B -c <bootstrap> <mode>`` with stdin an
in-memory file holding this source and each mode's JSON config: the bootstrap
runs the source, :func:`main` reads the config of ``<mode>`` (so ``ps`` shows
neither); the only other source that reaches the sandbox is ``wire.py`` (as
text in the config). It must therefore stay self-contained: standard library,
ctypes and (in the zygote) ``pyseccomp``.

Modes:

``launch``
    Root only, before ``bwrap``. In a private mount namespace, covers every
    directory the sandbox user cannot traverse (e.g. a 0700 home holding the
    interpreter) with a fresh 0755 tmpfs, binds the needed paths back at the
    same place, drops to the sandbox uid/gid (no supplementary groups) and
    execs ``bwrap``.
``ns``
    Root only, the "namespaces" layer without bwrap: new mount, network, IPC,
    UTS, cgroup and pid namespaces; a read-only root built on a tmpfs from a
    few binds; ``pivot_root``; drop to the sandbox uid; a small init (pid 1)
    that runs the zygote as pid 2.
``zygote``
    The long-lived worker: imports the preload modules and runs the setup once,
    confines itself with the seccomp filter every job shares (no exec, ptrace,
    mounts, network, ...), then serves jobs (one forked child per job) over two
    pipe file descriptors. Frames are a 4-byte big-endian length plus JSON.

A job child: new session, parent-death signal, fds 0/1/2 replaced (stdin is
/dev/null, stdout and stderr a capture pipe), every other fd closed,
rlimits, a Landlock scope where the kernel has one (ABI 6), and, on top of
the zygote's filter, its own against starting processes (and, without the
scope, one for signals to itself only); only then does it read the job (the
zygote splices the job bytes from the grader's pipe into the child's pipe, so
submitted source never passes through the zygote's memory) and run it,
streaming one JSON line per event (cell error, call result, done).

The arrays of a job's calls: each job child is forked with a memfd of its own. The grader
sends the arrays' bytes beside the job (a part for the open calls, one for the hidden calls,
each a table of ``(offset, size)`` then the bytes); the zygote keeps them in a mapping no
child inherits, writes them into the memfd (the hidden calls' part only when it sends the
sealed part), and the child maps the memfd and decodes each array as a view on it. Once the
child is dead, the zygote compares the memfd with its copy and names the arrays that differ
in the reply's head, which it alone writes.
"""

import binascii
import collections
import ctypes
import json
import marshal
import mmap
import os
import select
import signal
import struct
import sys
import time

# ---------------------------------------------------------------- constants
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


# ---------------------------------------------------------------- framing
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


# ---------------------------------------------------------------- permissions
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


def _under(path, top):
    return path == top or path.startswith(top.rstrip("/") + "/")


# ---------------------------------------------------------------- mode: launch
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


# ---------------------------------------------------------------- mode: ns
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


# ---------------------------------------------------------------- seccomp
def _build_filter():
    """What neither the zygote (once started) nor any job may do: loaded by the zygote, so each
    job child inherits it and adds only :func:`_process_filter`."""
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    deny = sc.ERRNO(EPERM)
    f.add_rule(deny, "socket", sc.Arg(0, sc.NE, AF_UNIX))
    f.add_rule(sc.ERRNO(ENOSYS), "clone3")  # glibc falls back to clone for threads
    for name in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        _try_rule(f, sc.ERRNO(ENOSYS), name)
    for name in ("execve", "execveat", "ptrace", "process_vm_readv",
                 "process_vm_writev", "mount", "umount2", "pivot_root", "chroot", "unshare",
                 "setns", "bpf", "keyctl", "add_key", "request_key", "perf_event_open",
                 "userfaultfd", "kexec_load", "kexec_file_load", "init_module",
                 "finit_module", "delete_module", "open_by_handle_at", "name_to_handle_at",
                 "fsopen", "fsmount", "fsconfig", "move_mount", "open_tree", "mount_setattr",
                 "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "acct",
                 "quotactl", "syslog", "iopl", "ioperm", "settimeofday", "clock_settime",
                 "clock_adjtime", "adjtimex", "lookup_dcookie", "fanotify_init",
                 # System V IPC and POSIX message queues outlive a job: no channel between jobs
                 "shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl",
                 "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink",
                 "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr"):
        _try_rule(f, deny, name)
    return f


def _process_filter():
    """What the zygote does and a job child may not: start processes (threads are allowed)."""
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    deny = sc.ERRNO(EPERM)
    f.add_rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    for name in ("fork", "vfork"):
        _try_rule(f, deny, name)
    return f


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


class _Compiled:
    """A seccomp filter compiled by libseccomp once, in the zygote: each job child loads the
    same BPF program with one ``prctl`` instead of compiling it again (libseccomp's
    ``seccomp_load`` does the same after compiling; no-new-privs is already set)."""

    def __init__(self, syscall_filter):
        self.filter = syscall_filter
        self.program = None
        try:
            read, write = os.pipe()
            try:
                with os.fdopen(write, "wb", closefd=True) as sink:
                    syscall_filter.export_bpf(sink)
                code = _read_all(read)
            finally:
                os.close(read)
            count = len(code) // ctypes.sizeof(_SockFilter)
            if not count or len(code) % ctypes.sizeof(_SockFilter) or count > 4096:
                return
            self.instructions = (_SockFilter * count).from_buffer_copy(code)
            self.program = _SockFprog(count, self.instructions)
        except Exception:  # fall back to libseccomp's own load in every child
            self.program = None

    def load(self):
        if self.program is None:
            self.filter.load()
            return
        _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(self.program),
                           0, 0), "prctl(PR_SET_SECCOMP)")


def _read_all(fd):
    parts = []
    while True:
        data = os.read(fd, CHUNK)
        if not data:
            return b"".join(parts)
        parts.append(data)


def _signal_filter(me):
    """A second seccomp filter for a job child ``me``: signals only to itself.

    ``kill``, ``tgkill`` and ``rt_(tg)sigqueueinfo`` are refused (EPERM) for any
    target but ``me``; ``tkill`` and ``pidfd_send_signal`` always. A job can still
    ``raise`` or stop itself, but no longer kill or freeze the zygote that holds
    the results of the job so far (it runs as the same uid), on any kernel.
    """
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    deny = sc.ERRNO(EPERM)
    for name in ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
        f.add_rule(deny, name, sc.Arg(0, sc.NE, me))
    for name in ("tkill", "pidfd_send_signal"):
        _try_rule(f, deny, name)
    return f


def _try_rule(f, action, name):
    try:
        f.add_rule(action, name)
    except Exception:  # a syscall this architecture does not have
        pass


# ---------------------------------------------------------------- landlock
LL_FS_EXECUTE, LL_FS_WRITE_FILE, LL_FS_READ_FILE, LL_FS_READ_DIR = 1, 2, 4, 8
LL_FILE_RIGHTS = {1: 0b111, 2: 0b111, 3: 0b111 | 1 << 14, 5: 0b111 | 1 << 14 | 1 << 15}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]


def landlock_abi():
    abi = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, 1)
    return abi if abi > 0 else 0


LL_SCOPE_ABSTRACT_UNIX_SOCKET, LL_SCOPE_SIGNAL = 1, 2
_SCOPE = _RulesetAttr(0, 0, LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL)


def _scope_to_itself():
    """Landlock scoping (ABI >= 6, which the caller checked): this process may no longer
    signal, or connect to the abstract Unix sockets of, any process outside itself and what
    it starts; True once applied.

    A job child confines itself so: killing or stopping the zygote (its parent, same uid)
    would lose the results of every unit already run in the job and freeze the time limit.
    """
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(_SCOPE), 24, 0),
                     "landlock_create_ruleset (scope)")
    try:
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self (scope)")
    finally:
        os.close(ruleset)
    return True


def _landlock(read_fds, write_fds, device_fds):
    """Restrict this process (and its future children) to the given trees."""
    abi = landlock_abi()
    if not abi:
        return 0
    fs_all = (1 << 13) - 1
    if abi >= 2:
        fs_all |= 1 << 13  # REFER
    if abi >= 3:
        fs_all |= 1 << 14  # TRUNCATE
    if abi >= 5:
        fs_all |= 1 << 15  # IOCTL_DEV
    attr = _RulesetAttr(fs_all, 0b11 if abi >= 4 else 0, 0b11 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0),
                     "landlock_create_ruleset")
    file_rights = LL_FILE_RIGHTS[max(k for k in LL_FILE_RIGHTS if k <= abi)]
    read = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR
    for fds, rights in ((read_fds, read), (write_fds, fs_all),
                        (device_fds, LL_FS_READ_FILE | LL_FS_WRITE_FILE)):
        for fd in fds:
            allowed = rights
            if not os.path.isdir(f"/proc/self/fd/{fd}"):
                allowed &= file_rights
            rule = _PathBeneath(allowed, fd)
            _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, ctypes.byref(rule), 0),
                   "landlock_add_rule")
    _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    os.close(ruleset)
    return abi


# ---------------------------------------------------------------- mode: zygote
class _Zygote:
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

    # -- start-up
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

    # -- the job loop
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

    def _wipe(self):
        """Empty the private temp dir (cwd and HOME of every job); False if it is not empty."""
        return _empty_dir(self.tmp, WIPE_SECONDS)


def _sealed_start(open_size):
    """Where the hidden calls' arrays start in a job's memfd (the open calls' fill the start)."""
    return -open_size % PAGE + open_size


class _Shared:
    """The arrays of one job's calls, as the grader sent them: part 0 (the open calls') and
    part 1 (the hidden calls'), each ``(count, 0)``, ``(offset, size)`` per array, then the
    bytes. Kept in :class:`_Buffer` mappings (no child inherits them); :meth:`place` writes a
    part's bytes into the job's memfd, where the child's arrays are views on them, and
    :meth:`changed`, once the child is dead, compares the memfd with these bytes."""

    def __init__(self):
        self.parts = [None, None]  # (buffer, [(offset, size)], data start, data size)
        self.placed = [False, False]

    def read(self, k, fd, size):
        if not size:
            return
        buffer = _Buffer(size)
        self.parts[k] = (buffer, [], 0, 0)  # closed with the others, whatever happens next
        buffer.fill_from(fd)
        (count, _) = SLOT.unpack_from(buffer.view, 0)
        start = SLOT.size * (count + 1)
        if start > size:
            raise ValueError("malformed shared arrays")
        slots = list(SLOT.iter_unpack(buffer.view[SLOT.size:start]))
        if any(offset + length > size - start for offset, length in slots):
            raise ValueError("malformed shared arrays")
        self.parts[k] = (buffer, slots, start, size - start)

    def size(self, k):
        return self.parts[k][3] if self.parts[k] else 0

    def _base(self, k):
        return 0 if k == 0 else _sealed_start(self.size(0))

    def place(self, k, memfd):
        """Write part ``k`` into ``memfd`` (sized to end with it)."""
        if self.parts[k] is None:
            return
        buffer, _, start, size = self.parts[k]
        base = self._base(k)
        os.ftruncate(memfd, base + size)
        written = 0
        while written < size:
            written += os.pwrite(memfd, buffer.view[start + written:start + size], base + written)
        self.placed[k] = True

    def changed(self, memfd):
        """Indices (part 0's arrays first) of the placed arrays whose bytes in ``memfd`` are not
        the bytes sent; an array the memfd no longer reaches (the job shrank it) counts as changed."""
        changed, index = [], 0
        for k, part in enumerate(self.parts):
            if part is None:
                continue
            buffer, slots, start, size = part
            if self.placed[k]:
                now = _Buffer(size)
                try:
                    got = _read_at(memfd, now, self._base(k))
                    if got < size or not _same(now.view, 0, buffer.view, start, size):  # else none
                        changed += [index + n for n, (offset, length) in enumerate(slots)
                                    if offset + length > got
                                    or not _same(now.view, offset, buffer.view, start + offset, length)]
                finally:
                    now.close()
            index += len(slots)
        return changed

    def close(self):
        for part in self.parts:
            if part is not None:
                part[0].close()


def _read_at(fd, buffer, offset):
    """Fill ``buffer`` from ``fd`` at ``offset`` (up to its end); the count of bytes read."""
    while buffer.used < buffer.capacity:
        got = os.preadv(fd, [buffer.view[buffer.used:buffer.capacity]], offset + buffer.used)
        if not got:
            break
        buffer.used += got
    return buffer.used


def _same(a, i, b, j, n):
    """Whether ``a[i:i + n]`` and ``b[j:j + n]`` (memoryviews) hold the same bytes, compared in
    place (8 bytes at a time, then the rest)."""
    whole = n - n % 8
    if whole and a[i:i + whole].cast("Q") != b[j:j + whole].cast("Q"):
        return False
    return a[i + whole:i + n] == b[j + whole:j + n]


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


class _Buffer:
    """Bytes of one job kept in an anonymous mapping, unmapped (so gone) when closed: no
    job's inputs, results or output linger in the zygote's heap for a later child to find."""

    def __init__(self, capacity):
        import mmap

        self.capacity, self.used = capacity, 0
        # private: a shared anonymous mapping would be a shmem file made and freed per job
        self.map = mmap.mmap(-1, max(capacity, 1), flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self.map.madvise(mmap.MADV_DONTFORK)  # never in a child forked while it is mapped
        self.view = memoryview(self.map)

    def fill_from(self, fd):
        """Read exactly ``capacity`` bytes from ``fd`` (blocking)."""
        while self.used < self.capacity:
            got = os.readv(fd, [self.view[self.used:min(self.capacity, self.used + CHUNK)]])
            if not got:
                raise EOFError
            self.used += got

    def read_from(self, fd):
        """One read from ``fd`` into the free space; the count (0 at EOF), or None when full."""
        if self.used >= self.capacity:
            return None
        got = os.readv(fd, [self.view[self.used:min(self.capacity, self.used + CHUNK)]])
        self.used += got
        return got

    def close(self):
        if self.map is not None:
            self.view.release()
            self.map.close()
            self.map = None


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


class _Collector:
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

    # -- the sealed part
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

    # -- events and output
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


# ---------------------------------------------------------------- the job child
class _Child:
    def __init__(self, zygote, r_job, w_res, w_out, zygote_pid, memfd):
        self.zygote = zygote
        self.r_job, self.w_res, self.w_out, self.zygote_pid = r_job, w_res, w_out, zygote_pid
        self.memfd = memfd
        self.regions = []  # the job's arrays: its memfd mapped, part by part (see _Shared)
        self.wire = zygote.wire
        self.stand_in_code = {}  # source -> code object, for the calls of this job

    def main(self):
        # Prepared while idle, before any job arrives, touching as little of the zygote's
        # memory as it can: every page this child writes to is a page the kernel copies.
        # (The cwd, umask, no-new-privs and signal dispositions come from the zygote.)
        os.setsid()
        _set_pdeathsig(self.zygote_pid)
        self._fds()
        zygote = self.zygote
        scoped = zygote.scoped and _scope_to_itself()
        zygote.filter.load()
        if not scoped:  # the Landlock scope already keeps this child's signals to itself
            _signal_filter(os.getpid()).load()
        # the job
        self.header = _receive(self.r_job)
        self.budget = self.header["max_reply"] - 4096
        self._limits()
        self.regions.append(self._region(0, self.header.get("arrays", 0)))
        if not self.header.get("sealed"):
            self._close_memfd()
        body = _read_exact(self.r_job, self.header["body"])
        job = json.loads(body)
        del body
        self.reserve = mmap.mmap(-1, RESERVE_BYTES)  # never touched: costs address space only
        try:
            status, detail = self._run(job)
        except MemoryError:
            self._release()
            status, detail = "memory", "out of memory"
        self._finish(status, detail)

    def _release(self):
        if self.reserve is not None:
            self.reserve.close()
            self.reserve = None

    def _region(self, offset, size):
        """``size`` bytes of the memfd from ``offset``, mapped shared (None for none, or when the
        memfd is gone: then the arrays in it cannot be decoded, and their calls say so)."""
        if not size:
            return None
        try:
            return mmap.mmap(self.memfd, size, flags=mmap.MAP_SHARED,
                             prot=mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
        except (OSError, ValueError, TypeError):
            return None

    def _close_memfd(self):
        if self.memfd is not None:
            try:
                os.close(self.memfd)
            except OSError:
                pass
            self.memfd = None

    def _fds(self):
        devnull = self.zygote.devnull
        os.dup2(devnull, 0)
        os.dup2(self.w_out, 1)
        os.dup2(self.w_out, 2)
        keep = sorted({0, 1, 2, self.r_job, self.w_res, self.memfd} | self.zygote.keep_fds)
        low = 3
        for fd in keep + [1 << 20]:
            if fd >= low:
                os.closerange(low, fd)
                low = fd + 1
        _, self.stdout, self.stderr = self.zygote.streams  # sys's streams already (see start)

    def _limits(self):
        import resource

        lim = self.header["limits"]
        cpu = max(1, int(lim["cpu_seconds"]))
        memory, size = int(lim["memory_bytes"]), int(lim["file_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))

    # -- events
    def _emit(self, kind, body):
        self._emit_encoded(kind, json.dumps(body, separators=(",", ":"), allow_nan=False))

    def _emit_encoded(self, kind, encoded):
        """Send one event line whose body is already compact JSON text (encoded once)."""
        line = f'{{"{kind}":{encoded}}}\n'.encode()
        self.budget -= len(line)
        _write_all(self.w_res, line)

    def _finish(self, status, detail):
        for stream in (self.stdout, self.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        if detail:  # for the instructor's log: the reply's output, never its status line
            try:
                self.stderr.write(f"\n[sandbox] {detail}\n")
                self.stderr.flush()
            except BaseException:
                pass
        self._emit("done", {"status": status, "detail": ""})
        os._exit(0)

    # -- running the job
    def _run(self, job):
        """The setup, then the cell, the stand-ins and the open calls; then, once the zygote
        sends it (after the open calls' results), the sealed part: the hidden calls."""
        import linecache

        source, template, setup_error = self.zygote.setup
        if source is not None and job.get("setup", "") == source:
            if setup_error:
                return "error", setup_error
            ns = template  # this child's own copy of the namespace the zygote's setup made
        else:
            ns = {"__name__": "__main__", "__builtins__": __builtins__}
            failed = _run_part(job.get("setup", ""), "<setup>", ns, "setup")
            if failed:
                return failed
        _run_context(job.get("context") or (), ns)
        compiled = job.get("compiled_cells") or []
        for k, source in enumerate(job.get("cells", [])):
            name = f"<cell {k}>"
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            try:
                code = _loaded(compiled[k] if k < len(compiled) else None)
                exec(code or compile(source, name, "exec"), ns)
            except BaseException as exc:
                if isinstance(exc, MemoryError):
                    self._release()
                error = _describe(exc, only_cell=k)
                self._emit("cell_error", {"cell": k, "type": error["type"],
                                          "message": error["message"], "line": error["line"]})
                if isinstance(exc, MemoryError):
                    return "memory", f"cell {k}"
        failed = _run_part(job.get("stand_ins", ""), "<stand-ins>", ns, "stand-ins")
        if failed:
            return failed
        calls = job.get("calls", [])
        for i, call in enumerate(calls):
            result, memory = self._call(ns, call)
            self._emit_encoded("result", result)
            if memory:
                return "memory", f"call {i}"
        if self.header.get("sealed"):
            os.set_blocking(self.r_job, True)  # whatever the open calls did to it
            size, arrays = SLOT.unpack(_read_exact(self.r_job, SLOT.size))
            self.regions.append(self._region(_sealed_start(self.header.get("arrays", 0)), arrays))
            self._close_memfd()
            sealed = json.loads(_read_exact(self.r_job, size))
            for i, call in enumerate(sealed, start=len(calls)):
                result, memory = self._call(ns, call)
                self._emit_encoded("result", result)
                if memory:
                    return "memory", f"call {i}"
        return "ok", ""

    def _call(self, ns, call):
        """Run one call; returns ``(result as compact JSON text, memory error text or None)``."""
        wire = self.wire
        name = call.get("function", "")
        value, error, memory = None, None, None
        try:
            regions = self.regions
            args = [wire.decode(a, regions=regions) for a in call.get("args", [])]
            kwargs = {k: wire.decode(v, regions=regions) for k, v in call.get("kwargs", {}).items()}
        except Exception as exc:
            return _invalid_input(exc), None
        stand_ins = call.get("stand_ins")
        if stand_ins:
            try:
                exec(self._compiled(stand_ins, call.get("stand_ins_code")), ns)
            except MemoryError:
                raise
            except BaseException as exc:
                return _invalid_input(exc), None
        function = ns.get(name)
        try:
            if function is None:
                raise NameError(f"name {name!r} is not defined")
            value = function(*args, **kwargs)
        except BaseException as exc:
            if isinstance(exc, MemoryError):
                self._release()
                memory = "out of memory"
            error = _describe(exc)
        value_tree = None
        if error is None:
            value_tree, error = self._encode(value, "the return value")
        if call.get("digest_args"):
            # Fingerprints of the arguments after the call, to detect in-place changes cheaply.
            args_after = [self._digest(arg) for arg in args]
            kwargs_after = {key: self._digest(arg) for key, arg in kwargs.items()}
        else:
            args_after = []
            for j, arg in enumerate(args):
                tree, problem = self._encode(arg, f"argument {j} after the call")
                args_after.append(tree)
                error = error or problem
            kwargs_after = {}
            for key, arg in kwargs.items():
                tree, problem = self._encode(arg, f"argument {key!r} after the call")
                kwargs_after[key] = tree
                error = error or problem
        result = {"value": value_tree, "error": error, "args_after": args_after,
                  "kwargs_after": kwargs_after}
        text = json.dumps(result, separators=(",", ":"), allow_nan=False)
        if len(text) > self.budget:
            message = f"the result is too large to return ({len(text)} bytes)"
            text = json.dumps({"value": None, "error": _unsupported(message),
                               "args_after": [None] * len(args_after),
                               "kwargs_after": dict.fromkeys(kwargs_after)},
                              separators=(",", ":"), allow_nan=False)
        return text, memory

    def _compiled(self, stand_ins, code):
        """Stand-in code loaded (or compiled) once per job (the calls of a check share theirs)."""
        if stand_ins not in self.stand_in_code:
            self.stand_in_code[stand_ins] = _loaded(code) or compile(stand_ins, "<stand-ins>", "exec")
        return self.stand_in_code[stand_ins]

    def _digest(self, value):
        try:
            return self.wire.fingerprint(value)
        except MemoryError:
            raise
        except BaseException:
            return None

    def _encode(self, value, what):
        try:
            return self.wire.encode(value), None
        except MemoryError:
            raise
        except BaseException as exc:
            return None, _unsupported(f"{what}: {_safe_str(exc)}")


def _run_context(statements, ns):
    """The notebook's own imports and constants (``context``), one statement at a time.

    A statement that fails (a module the sandbox lacks, a name from a cell that was not run) is
    skipped: it costs the student nothing unless the function uses what it would have bound. An
    import of a module this worker already holds runs as written (it costs a lookup); any other
    binds a :class:`_Deferred` stand-in, imported when first used.
    """
    for k, statement in enumerate(statements):
        module = statement.get("module")
        try:
            if module is None or module in sys.modules:
                exec(compile(statement["source"], f"<context {k}>", "exec"), ns)
            elif statement.get("name") != "*":  # the names of a star import are not known
                ns[statement["bind"]] = _Deferred(module, statement.get("name"), statement.get("top"))
        except Exception:
            continue


class _Deferred:
    """A module the notebook imports (or a name from it) that this worker does not hold:
    imported the first time the student's code uses it (an attribute, or a call)."""

    __slots__ = ("_module", "_name", "_top", "_value")

    def __init__(self, module, name, top):
        self._module, self._name, self._top, self._value = module, name, top, None

    def _resolve(self):
        if self._value is None:
            module = self._module
            __import__(module)
            if self._name is None:
                self._value = sys.modules[module.partition(".")[0] if self._top else module]
            else:
                try:
                    self._value = getattr(sys.modules[module], self._name)
                except AttributeError:  # a submodule not imported by its package
                    __import__(f"{module}.{self._name}")
                    self._value = sys.modules[f"{module}.{self._name}"]
        return self._value

    def __getattr__(self, attribute):
        if attribute in _Deferred.__slots__:  # a copy made without __init__
            raise AttributeError(attribute)
        return getattr(self._resolve(), attribute)

    def __call__(self, *args, **kwargs):
        return self._resolve()(*args, **kwargs)

    def __repr__(self):
        what = self._module + (f".{self._name}" if self._name else "")
        return f"<{what}, imported when first used>"


def _run_part(source, filename, ns, what):
    """Run the job's ``what`` (setup, stand-ins) in ``ns``: None, or ``(status, detail)`` if it
    failed (a memory error propagates, as for the rest of the job)."""
    try:
        exec(compile(source, filename, "exec"), ns)
    except MemoryError:
        raise
    except BaseException as exc:
        return "error", f"{what} failed: " + _describe_text(exc)
    return None


def _loaded(code):
    """The code object the grader compiled and sent (marshalled, base64), or None."""
    if not isinstance(code, str):
        return None
    try:
        return marshal.loads(binascii.a2b_base64(code))
    except Exception:
        return None


def _invalid_input(exc):
    return json.dumps({"value": None, "error": {**_describe(exc), "type": "InvalidInput"},
                       "args_after": [], "kwargs_after": {}}, separators=(",", ":"))


def _unsupported(message):
    return {"type": "UnsupportedValue", "message": message[:MAX_MESSAGE], "line": None,
            "cell": None}


def _safe_str(exc):
    try:
        text = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    except BaseException:
        text = "<unprintable message>"
    if not isinstance(text, str):
        text = "<unprintable message>"
    return text[:MAX_MESSAGE]


def _type_name(exc):
    name = getattr(type(exc), "__name__", "Exception")
    return name if isinstance(name, str) else "Exception"


def _describe_text(exc):
    return f"{_type_name(exc)}: {_safe_str(exc)}"


def _cell_of(filename):
    if isinstance(filename, str) and filename.startswith("<cell ") and filename.endswith(">"):
        try:
            return int(filename[6:-1])
        except ValueError:
            return None
    return None


def _describe(exc, only_cell=None):
    """type, message and the innermost student (cell) line of an exception."""
    cell = line = None
    if isinstance(exc, SyntaxError):
        k = _cell_of(exc.filename)
        if k is not None and (only_cell is None or k == only_cell):
            cell, line = k, exc.lineno
    if cell is None:
        tb = exc.__traceback__
        while tb is not None:
            k = _cell_of(tb.tb_frame.f_code.co_filename)
            if k is not None and (only_cell is None or k == only_cell):
                cell, line = k, tb.tb_lineno
            tb = tb.tb_next
    return {"type": _type_name(exc), "message": _safe_str(exc),
            "line": line if isinstance(line, int) else None, "cell": cell}


def _zygote(cfg):
    try:
        zygote = _Zygote(cfg)
        zygote.start()
    except BaseException as exc:
        print(f"sandbox worker failed to start: {type(exc).__name__}: {exc}", file=sys.stderr,
              flush=True)
        os._exit(3)
    zygote.serve()


def _payload():
    """What the grader gave on stdin: the worker's source and each mode's configuration, as
    JSON (an in-memory file, read from its start whoever read it before)."""
    return json.loads(os.pread(0, os.fstat(0).st_size, 0))


def main(argv):
    mode = argv[1]
    cfg = _payload().get(mode)
    if mode == "launch":  # stdin stays: bwrap hands it on to the zygote, which reads its config
        _launch(cfg)
    null = os.open("/dev/null", os.O_RDONLY)  # nothing further reads the config
    os.dup2(null, 0)
    os.close(null)
    if mode == "ns":
        _namespaces(cfg)
    elif mode == "zygote":
        _zygote(cfg)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv)
