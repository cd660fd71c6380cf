"""Does the grader keep the layering written in pyproject.toml ([tool.importlinter]), and does
lint-imports notice an import that runs back up?

``make lint`` runs the same check; this test is how CI (``make test``) runs it.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def _lint_imports(tree):
    """lint-imports on the packages under ``tree`` with the kit's contracts (no cache written)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([LINT_IMPORTS, "--config", ROOT / "pyproject.toml", "--no-cache"], cwd=tree,
                          env=env, capture_output=True, text=True, timeout=300)


def test_does_the_kit_keep_every_layering_contract():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


@pytest.mark.parametrize("module, line", [
    ("autograder/sandbox/wire.py", "from autograder.grading import checks"),  # the sandbox reaching up
    ("autograder/grading/result.py", "from autograder.course import batch"),  # one notebook reaching a class
    ("autograder/course/report.py", "from autograder import cli"),  # anything reaching the CLI
    ("autograder/sandbox/process/system.py", "from autograder.sandbox import messages"),  # worker -> host
    ("utils/checks.py", "from autograder.grading import feedback"),  # what students get, the grader
])
def test_is_an_import_that_runs_back_up_a_broken_contract(tmp_path, module, line):
    for package in ("autograder", "utils"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / module
    planted.write_text(planted.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    assert "BROKEN" in done.stdout and "0 broken" not in done.stdout
    assert module.removesuffix(".py").replace("/", ".") in done.stdout
