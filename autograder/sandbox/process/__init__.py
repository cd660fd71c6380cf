"""The process side of :mod:`autograder.sandbox`: a warm parent forks one job per function; the
job runs, answers, dies.

Its modules are SOURCE for the sandbox, never run in the grader: :func:`source` joins them, in
the order of :data:`PARTS`, into one text (the imports of one part from another dropped, since
there they are one namespace), and :mod:`autograder.sandbox.host` starts ``python -I -S -B -c
<bootstrap> <mode>`` with stdin an in-memory file holding that source and each mode's JSON
config: the bootstrap runs the source, :func:`main.main` reads the config of ``<mode>`` (so
``ps`` shows neither); the only other source that reaches the sandbox is ``wire.py`` (as text in
the config). The parts must therefore stay self-contained: standard library, ctypes and (in the
zygote) ``pyseccomp``, and each other.

The parts: :mod:`system` (constants, the C library, framed pipes, the temp dir), :mod:`launch`
(entering a layer as root), :mod:`confine` (seccomp, Landlock), :mod:`arrays` (a job's bytes in
the zygote), :mod:`collector` (the zygote's side of one running job), :mod:`child` (the job
child), :mod:`zygote` (the warm parent), :mod:`main` (the modes).

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

import re
from pathlib import Path

#: The parts of the worker, in the order they are joined: each defines what the next ones use.
PARTS = ("system", "launch", "confine", "arrays", "collector", "child", "zygote", "main")
_SIBLING_IMPORT = re.compile(r"^from autograder\.sandbox\.process\.\w+ import (?:\([^)]*\)|[^\n]*)\n", re.M)


def source():
    """The worker as the sandbox runs it: the parts joined into one text, without the imports of
    one part from another."""
    here = Path(__file__).resolve().parent
    return "\n\n".join(_SIBLING_IMPORT.sub("", (here / f"{part}.py").read_text(encoding="utf-8"))
                         for part in PARTS)
