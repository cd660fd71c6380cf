"""The trust boundary: student code runs here, in a process the grader does not trust.

The host side (:mod:`host`: choosing a layer, the limits, starting the warm worker and reading
its checked replies) runs in the grader; the process side (:mod:`worker`) runs in the sandbox
from source sent over a pipe; :mod:`wire` is the data format both sides share.

May import: the standard library and numpy, nothing else of the kit (the process side: the
standard library only). In: a job (cells, calls, their arguments). Out: a checked reply.
"""

from autograder.sandbox.host import (
    LAYERS,
    LIMITS_ENV,
    STATUSES,
    Limits,
    Sandbox,
    SandboxError,
    available_layers,
    detect_layer,
    open_sandbox,
)

__all__ = ["LAYERS", "LIMITS_ENV", "STATUSES", "Limits", "Sandbox", "SandboxError", "available_layers",
           "detect_layer", "open_sandbox"]
