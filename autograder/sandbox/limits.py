"""The per-job limits a sandbox enforces: wall clock, CPU, memory, output, files, temp space.

Their defaults are the values below, or what :data:`LIMITS_ENV` says for this run.
"""

import functools
import math
import os
from dataclasses import dataclass, field

LIMITS_ENV = "AUTOGRADER_JOB_LIMITS"  # e.g. "wall_seconds=30,cpu_seconds=30": this run's defaults
_LIMIT_DEFAULTS = {"wall_seconds": 10.0, "cpu_seconds": 10, "memory_bytes": 1 << 30,
                   "output_bytes": 64 << 10, "file_bytes": 16 << 20, "tmp_bytes": 64 << 20}


def _limit_default(name):
    """The default of one limit: :data:`LIMITS_ENV` if it names it, else the built-in value.

    Read when a :class:`Limits` is made, so a grading run (and the worker processes it
    spawns) can be given other per-job limits without a code change.
    """
    builtin = _LIMIT_DEFAULTS[name]
    for item in os.environ.get(LIMITS_ENV, "").split(","):
        key, _, text = item.partition("=")
        if key.strip() != name:
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or type(builtin)(value) <= 0:
            raise ValueError(f"{LIMITS_ENV}: {item.strip()!r} is not a positive number")
        return type(builtin)(value)
    return builtin


def _limit(name):
    return field(default_factory=functools.partial(_limit_default, name))


@dataclass(frozen=True)
class Limits:
    """Per-job limits (defaults: the values below, or :data:`LIMITS_ENV`)."""

    wall_seconds: float = _limit("wall_seconds")  # per job, wall clock (default 10)
    cpu_seconds: int = _limit("cpu_seconds")  # RLIMIT_CPU soft; the hard limit is one second more (10)
    memory_bytes: int = _limit("memory_bytes")  # RLIMIT_AS, covers what the child inherits (1 GiB)
    output_bytes: int = _limit("output_bytes")  # stdout+stderr kept per job, rest dropped (64 KiB)
    file_bytes: int = _limit("file_bytes")  # RLIMIT_FSIZE (16 MiB)
    tmp_bytes: int = _limit("tmp_bytes")  # size of the private tmpfs, bwrap and namespaces (64 MiB)
