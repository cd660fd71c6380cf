"""Do the sandbox's default per-job limits leave room for honest heavy work, and still stop a job
that never ends? Behaviour under ``Limits()`` as a grading run gets it, not the numbers."""

import time

import pytest

from autograder.sandbox import Limits, Sandbox, detect_layer, wire
from autograder.sandbox import host as sandbox_module

HEAVY = """
import time
def heavy():
    block = np.ones(256 * 2 ** 20 // 8)  # a quarter of a GiB
    started, total = time.process_time(), 0
    while time.process_time() - started < 1.5:  # a second and a half of CPU
        total += 1
    print("x" * 16 * 1024)
    return float(block.sum())
"""


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(sandbox_module.LIMITS_ENV, raising=False)
        sandbox = Sandbox(tmp_path_factory.mktemp("assignment"), preload=("numpy",), layer=detect_layer())
    yield sandbox
    sandbox.close()


def _job(cell, function):
    return {"setup": "import numpy as np", "cells": [cell], "stand_ins": "",
            "calls": [{"function": function, "args": [], "kwargs": {}}]}


def test_does_a_job_of_honest_heavy_work_finish_within_the_default_limits(box, monkeypatch):
    monkeypatch.delenv(sandbox_module.LIMITS_ENV, raising=False)
    reply = box.run(_job(HEAVY, "heavy"), Limits())
    assert reply["status"] == "ok", reply
    assert wire.decode(reply["results"][0]["value"]) == 256 * 2 ** 20 // 8
    assert reply["output"].strip() == "x" * 16 * 1024


def test_does_a_job_that_never_ends_stop_within_a_minute_under_the_default_limits(box, monkeypatch):
    monkeypatch.delenv(sandbox_module.LIMITS_ENV, raising=False)
    started = time.monotonic()
    reply = box.run(_job("def spin():\n    while True:\n        pass\n", "spin"), Limits())
    assert reply["status"] == "timeout", reply
    assert time.monotonic() - started < 60
