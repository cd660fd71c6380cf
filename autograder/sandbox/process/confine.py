"""Confinement a process puts on itself: seccomp filters and Landlock (rules and scope).
"""

import ctypes
import os

from autograder.sandbox.process.system import (
    AF_UNIX,
    CHUNK,
    CLONE_THREAD,
    ENOSYS,
    EPERM,
    SYS_LANDLOCK_ADD_RULE,
    SYS_LANDLOCK_CREATE_RULESET,
    SYS_LANDLOCK_RESTRICT_SELF,
    _check,
    _libc,
)


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
