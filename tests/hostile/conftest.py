"""Shared fixtures of the hostile tests: the canary, the corpus, the snapshot of the grader's files.

The canary is a fresh random string per run, planted where a leaky grader
would let a submission find it: the course secret (``--secret-file`` and the
``secret=`` argument), the grader's environment, and a world-readable file in
the kit's ``build/`` folder beside ``source/``. Student code never sees it, so
it must never appear in anything a student can read, and the corpus's
``search_for_canary`` case must not find it.
"""

import hashlib
import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

import pytest

from autograder.grading.reference import ROOT
from tests.hostile.cases import CASES, default_context
from tests.hostile.corpus import build

#: What the grader is made of: hashed before the hostile tests and compared after.
GRADER_TREES = ("autograder", "utils", "source", "release")
#: Per-job limits for the corpus (the slow cases run into them); exported for the subprocesses.
JOB_LIMITS = "wall_seconds=3,cpu_seconds=3"


def tree_digest(folder):
    """``{relative path: sha256}`` of the files under ``folder`` (caches skipped)."""
    listing = {}
    for path in sorted(Path(folder).rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        key = str(path.relative_to(folder))
        if path.is_symlink():
            listing[key] = "link:" + os.readlink(path)
        elif path.is_file():
            listing[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


def site_packages():
    return sorted({p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)})


def grader_snapshot():
    """Digests of the grader's trees and the names in the interpreter's site-packages."""
    return {
        "trees": {name: tree_digest(ROOT / name) for name in GRADER_TREES},
        "site": {p: sorted(os.listdir(p)) for p in site_packages()},
    }


@pytest.fixture(scope="session")
def snapshot():
    """The grader as it was before any hostile submission ran."""
    return grader_snapshot()


@pytest.fixture(scope="session")
def canary():
    return "HOSTILE-" + secrets.token_hex(16)


@pytest.fixture(scope="session")
def secret_file(canary, tmp_path_factory):
    """The course secret file (world-readable on purpose: only isolation may hide it)."""
    folder = tmp_path_factory.mktemp("secret")
    folder.chmod(0o755)
    path = folder / "course-secret.txt"
    path.write_text(canary + "\n")
    path.chmod(0o644)
    return path


@pytest.fixture(scope="session")
def canary_file(canary):
    """A world-readable canary inside the kit's folder, next to source/ (build/ is not tracked)."""
    folder = ROOT / "build" / f"hostile-canary-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    path = folder / "canary.txt"
    path.write_text(canary + "\n")
    path.chmod(0o644)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def canary_env(canary):
    """The canary in the grading process's environment, inherited by every subprocess it starts."""
    old = os.environ.get("HOSTILE_CANARY")
    os.environ["HOSTILE_CANARY"] = canary
    path = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    yield {**os.environ, "HOSTILE_CANARY": canary, "AUTOGRADER_JOB_LIMITS": JOB_LIMITS, "PYTHONPATH": path}
    if old is None:
        os.environ.pop("HOSTILE_CANARY", None)
    else:
        os.environ["HOSTILE_CANARY"] = old


@pytest.fixture(scope="session")
def listener():
    """A TCP port on the loopback the network case tries to reach; nothing may connect."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def corpus_context(tmp_path_factory, canary, secret_file, canary_file, listener):
    """The placeholders of the case code for this run (see :mod:`tests.hostile.corpus`)."""
    root = tmp_path_factory.mktemp("hostile") / "submitted"
    return default_context(root, canary=canary, port=listener.getsockname()[1],
                           places=(secret_file, canary_file))


@pytest.fixture(scope="session")
def corpus(corpus_context, canary_env, snapshot):
    """The corpus as a class folder (nbgrader layout, one student per case): ``(root, paths)``."""
    root = Path(corpus_context["CLASS"])
    return root, build(root, CASES, corpus_context)


def leaks(text, canary):
    """Whether ``text`` (str or bytes) holds the canary."""
    if isinstance(text, bytes):
        return canary.encode() in text
    return canary in text
