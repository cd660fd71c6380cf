"""Build ``release/<assignment>/`` from ``source/<assignment>/`` with nbgrader.

Usage: ``python -m tools.release [ASSIGNMENT ...]`` (default: all three).

nbgrader's ``generate_assignment`` does the work (solution regions become
stubs, hidden tests are stripped, cells are locked). It runs in a throwaway
course directory under ``build/`` inside the repository, with Jupyter's
config, data and runtime directories there too, so nothing is written outside
the repository and no server or exchange directory is involved. The
``utils`` symlink of each source folder is copied as real files, so each
release folder is self-contained, and gets a ``requirements.txt``: what a student
installs to run it (no nbgrader: its instructor menus are no use to a student). The
result then replaces ``release/<a>/``.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("initialization", "regularization", "gradient_checking")
LEAK_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                "### END HIDDEN TESTS")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
#: What a release folder needs, from a student's point of view: the numeric packages its
#: ``utils`` and notebook import, and JupyterLab to open it. nbgrader is left out on purpose.
STUDENT_REQUIREMENTS = """\
# What this folder needs, for Python 3.11 or newer:
#   python3 -m venv .venv && . .venv/bin/activate && pip install -r requirements.txt
#   jupyter lab
numpy>=2.0
scipy>=1.11
scikit-learn>=1.4
matplotlib>=3.8
jupyterlab>=4.2,<5
"""


class ReleaseError(RuntimeError):
    """nbgrader failed or its output would leak a solution; the message says which."""


def _isolated_jupyter(build):
    # nbgrader runs the `alembic` command of its own environment to create the gradebook.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        folder = build / "jupyter" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(folder)


def _generate(build, assignments):
    # Imported late: nbgrader reads the Jupyter environment variables at import time.
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(build)
    config.CourseDirectory.db_url = f"sqlite:///{build / 'gradebook.db'}"
    config.CourseDirectory.course_id = "dls-week1"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for assignment in assignments:
        outcome = api.generate_assignment(assignment, force=True)
        if not outcome["success"]:
            raise ReleaseError(f"nbgrader could not release {assignment}:\n{outcome.get('error')}")


def check_no_leaks(folder):
    """Raise :class:`ReleaseError` if a solution or hidden-test marker is in ``folder``."""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.suffix in (".ipynb", ".py"):
            text = path.read_text(encoding="utf-8")
            for marker in LEAK_MARKERS:
                if marker in text:
                    raise ReleaseError(f"{path.relative_to(ROOT)} contains {marker!r}")


def release(assignments=ASSIGNMENTS, root=ROOT):
    """Regenerate ``release/<a>/`` for each assignment; returns the written folders."""
    build = root / "build" / "course"
    shutil.rmtree(build, ignore_errors=True)
    for assignment in assignments:
        shutil.copytree(root / "source" / assignment, build / "source" / assignment,
                        symlinks=False, ignore=_IGNORE)
    _isolated_jupyter(build)
    _generate(build, assignments)
    written = []
    for assignment in assignments:
        generated = build / "release" / assignment
        check_no_leaks(generated)
        target = root / "release" / assignment
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(generated, target, ignore=_IGNORE)
        (target / "requirements.txt").write_text(STUDENT_REQUIREMENTS, encoding="utf-8")
        written.append(target)
    return written


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or list(ASSIGNMENTS)
    unknown = [name for name in names if name not in ASSIGNMENTS]
    if unknown:
        print(f"unknown assignment(s): {', '.join(unknown)}; expected {', '.join(ASSIGNMENTS)}",
              file=sys.stderr)
        return 2
    try:
        for folder in release(names):
            print(f"released {folder.relative_to(ROOT)}")
    except ReleaseError as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
