"""The README's quick start on the interpreters that stock systems ship, not on the kit's own.

A copy of the checkout (the files git tracks or would track, as a fresh clone has them) runs ``make demo
PYTHON=<interpreter>`` in an environment that holds nothing but ``PATH``: the pinned lock must
install there (``constraints.txt`` is resolved for every Python from 3.11.0 up), and the sample
class must get its written-down scores. Then the deployment tests run in that copy with that
copy's venv: the installed kit on a Dask cluster, Gradescope, Coursera and nbgrader.

The interpreters: the system's own ``python3.11`` (Debian 12 ships 3.11.2, below the floor of
some packages' newest releases), and the newest supported Python, called by its real path
(a version manager's shim for it may not run). ``KIT_FLOOR_PYTHON`` and ``KIT_NEWEST_PYTHON``
name others.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from autograder.grading import reference
from tests.deploy.conftest import EXPECTED, ROOT, csv_rows, run

NEWEST = (3, 13)
INSTALL_TIMEOUT = 900  # seconds: a first install downloads well over 100 MB of wheels


def version_of(python):
    """``(major, minor, micro)`` of an interpreter that runs, else None."""
    try:
        done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"],
                              capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return tuple(int(part) for part in done.stdout.split())


def newest_candidates():
    """Places a Python 3.13 may be: on ``PATH``, then in pyenv's versions (real paths, no shims)."""
    found = [shutil.which(f"python{NEWEST[0]}.{NEWEST[1]}")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        if root:
            versions = sorted(Path(root, "versions").glob(f"{NEWEST[0]}.{NEWEST[1]}.*"), reverse=True)
            found += [str(v / "bin" / f"python{NEWEST[0]}.{NEWEST[1]}") for v in versions]
    return [f for f in found if f]


def interpreter(kind):
    """The path of the floor's system interpreter or of the newest supported one; skip if absent."""
    if kind == "floor":
        candidates = [os.environ.get("KIT_FLOOR_PYTHON") or "/usr/bin/python3.11"]
        wanted, what = (3, 11), "the system's python3.11"
    else:
        candidates = [os.environ["KIT_NEWEST_PYTHON"]] if os.environ.get("KIT_NEWEST_PYTHON") else \
            newest_candidates()
        wanted, what = NEWEST, f"Python {NEWEST[0]}.{NEWEST[1]}"
    for candidate in candidates:
        version = version_of(candidate)
        if version and version[:2] == wanted:
            return candidate, version
    pytest.skip(f"stock interpreter: {what} is not installed here (tried {', '.join(candidates)})")


def fresh_copy(folder):
    """The checkout's files as they are now, as a fresh clone would have them once committed:
    the tracked ones and the new ones git does not ignore (no venv, no build output)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source, target = ROOT / name, folder / name
        if not source.exists() and not source.is_symlink():  # deleted in the work tree
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return folder


def stock_env():
    """Nothing but ``PATH`` (and ``HOME``, for pip's cache), as in a fresh shell."""
    env = {"PATH": f"/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin"}
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


@pytest.fixture(scope="module", params=["floor", "newest"])
def demo(request, tmp_path_factory):
    """``make demo PYTHON=<interpreter>`` in a fresh copy: (copy, interpreter, version, output)."""
    python, version = interpreter(request.param)
    kit = fresh_copy(tmp_path_factory.mktemp(f"kit-{request.param}") / "kit")
    done = run(["make", "demo", f"PYTHON={python}"], cwd=kit, env=stock_env(), timeout=INSTALL_TIMEOUT)
    return kit, python, version, done.stdout + done.stderr


def test_does_make_demo_install_and_grade_the_sample_class(demo):
    kit, python, version, output = demo
    assert version_of(kit / ".venv" / "bin" / "python") == version, f"the venv is not {python}'s"
    assert "graded 9/9 students" in output
    rows = csv_rows(kit / "build" / "demo" / "grades.csv")
    for student, assignments in EXPECTED.items():
        if student not in rows:
            continue
        for assignment in reference.NOTEBOOKS:
            for function, points in assignments.get(assignment, {}).items():
                assert float(rows[student][f"{assignment}:{function}"]) == points, (student, function)


def test_do_the_deployment_tests_pass_in_that_environment(demo):
    kit, _, _, _ = demo
    this = Path(__file__).relative_to(ROOT)
    done = run([kit / ".venv" / "bin" / "python", "-m", "pytest", "tests/deploy", "-q", "-p",
                "no:cacheprovider", "--ignore", this], cwd=kit, env=stock_env(), check=False,
               timeout=INSTALL_TIMEOUT)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:]
    assert done.returncode == 0, done.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
