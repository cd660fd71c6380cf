"""The entry point the bootstrap runs: the mode on the command line picks ``launch``, ``ns``
or ``zygote``, each reading its configuration from stdin.
"""

import json
import os
import sys

from autograder.sandbox.process.launch import _launch, _namespaces
from autograder.sandbox.process.zygote import _zygote


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
