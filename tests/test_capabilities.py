"""Does a test run end by saying what it could not test on this machine, and how many tests that was?"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = '''
import pytest

from tests import capabilities

LAYERS = {"bwrap": "bubblewrap (bwrap) is not installed", "namespaces": None, "rlimits": None}


@pytest.mark.parametrize("layer", capabilities.layer_params(LAYERS))
def test_layer(layer):
    pass


@pytest.mark.parametrize("n", range(3))
def test_more_of_the_layer(n):
    capabilities.skip_layer("bwrap", "bubblewrap (bwrap) is not installed")


@pytest.mark.skipif(True, reason=capabilities.reason(capabilities.CHROMIUM, "chromium is not installed"))
def test_page():
    pass


def test_data():
    pytest.skip(capabilities.reason(capabilities.ORIGINAL_DATA, "no ../shared/datasets/data.mat"))


def test_something_else():
    pytest.skip("not a capability")
'''


def test_does_the_run_end_with_a_line_per_missing_capability_above_pytests_own_last_line(tmp_path):
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-ra", "-p", "no:cacheprovider", "test_sample.py"],
                         cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert re.fullmatch(r"=+ 2 passed, 7 skipped in [\d.]+s =+", lines[-1]), lines[-1]
    assert lines[-4:-1] == [
        "not tested here: the bubblewrap sandbox layer (bubblewrap (bwrap) is not installed): 4 tests "
        "skipped",
        "not tested here: the pages as Chromium renders them (chromium is not installed): 1 test skipped",
        "not tested here: the course's original data file (no ../shared/datasets/data.mat): 1 test skipped",
    ]
    assert lines.index(next(line for line in lines if "short test summary info" in line)) < len(lines) - 4
    assert not any(line.startswith("not tested here: not a capability") for line in lines)
