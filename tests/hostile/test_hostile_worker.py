"""Does nothing of one job reach the next, whatever the job did to its temp dir?

The zygote empties the job's temp dir before it replies (so the cost falls on
the job that made the mess), without recursion or long paths and without
following links; what it cannot empty within its budget, it hands back as a
request for a fresh sandbox. The corpus case ``litter_and_linger`` shows it
end to end; these tests pin the pieces.
"""

import os

import pytest

from autograder.sandbox import host as sandbox_module
from autograder.sandbox import wire
from autograder.sandbox.process import zygote as sandbox_worker
from autograder.sandbox import Limits, Sandbox, available_layers
from tests.capabilities import layer_params

FAST = Limits(wall_seconds=3, cpu_seconds=3)


def test_does_the_wipe_empty_any_depth_and_modes_without_following_links(tmp_path):
    top = tmp_path / "tmp"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the job's")
    top.mkdir()
    here = os.getcwd()
    os.chdir(top)
    try:
        for _ in range(3000):  # deeper than PATH_MAX can spell
            os.mkdir("d")
            os.chdir("d")
        open("bottom", "w").close()
    finally:
        os.chdir(here)
    (top / "locked").mkdir()
    (top / "locked" / "inside").write_text("x")
    (top / "locked").chmod(0)
    (top / "link").symlink_to(outside, target_is_directory=True)
    (top / "fifo").parent.mkdir(exist_ok=True)
    os.mkfifo(top / "fifo")
    assert sandbox_worker._empty_dir(str(top), 30) is True
    assert os.listdir(top) == []
    assert (outside / "keep.txt").read_text() == "not the job's"


def test_does_the_wipe_give_up_rather_than_overrun_its_budget(tmp_path):
    for index in range(3000):
        (tmp_path / f"f{index}").touch()
    assert sandbox_worker._empty_dir(str(tmp_path), 0.0) is False
    assert sandbox_worker._empty_dir(str(tmp_path), 30) is True


@pytest.mark.parametrize("layer", layer_params(available_layers()))
def test_does_a_job_that_leaves_what_cannot_be_wiped_get_the_next_job_a_fresh_sandbox(
        layer, tmp_path, monkeypatch):
    worker, wire_source = sandbox_module._sources()
    assert "WIPE_SECONDS = " in worker
    hurried = worker.replace("WIPE_SECONDS = ", "WIPE_SECONDS = 0.0 and ", 1)  # nothing can be wiped
    monkeypatch.setattr(sandbox_module, "_sources", lambda: (hurried, wire_source))
    tmp_path.chmod(0o755)

    def job(cell):
        return {"setup": "", "cells": [cell], "stand_ins": "",
                "calls": [{"function": "f", "args": [], "kwargs": {}}]}

    with Sandbox(tmp_path, preload=(), layer=layer, limits=FAST) as box:
        clean = box.run(job("import os\ndef f():\n    return sorted(os.listdir('.'))\n"))
        assert clean["status"] == "ok" and wire.decode(clean["results"][0]["value"]) == []
        assert box.restarts == 0  # an empty temp dir costs nothing
        messy = box.run(job("def f():\n    open('mess', 'w').close()\n    return 1\n"))
        assert messy["status"] == "ok" and "restart" not in messy
        after = box.run(job("import os\ndef f():\n    return sorted(os.listdir('.'))\n"))
        assert after["status"] == "ok" and wire.decode(after["results"][0]["value"]) == []
        assert box.restarts == 1


def test_can_a_grading_run_set_its_per_job_limits_from_the_environment(monkeypatch):
    monkeypatch.delenv(sandbox_module.LIMITS_ENV, raising=False)
    default = Limits()  # what the defaults are is tested by behaviour (test_sandbox_limits.py)
    monkeypatch.setenv(sandbox_module.LIMITS_ENV, "wall_seconds=2.5, cpu_seconds=3")
    limits = Limits()
    assert (limits.wall_seconds, limits.cpu_seconds) == (2.5, 3)
    assert limits.memory_bytes == default.memory_bytes and Limits(wall_seconds=7).wall_seconds == 7
    for bad in ("wall_seconds=soon", "cpu_seconds=0", "wall_seconds=inf", "cpu_seconds=-1"):
        monkeypatch.setenv(sandbox_module.LIMITS_ENV, bad)
        with pytest.raises(ValueError, match=sandbox_module.LIMITS_ENV):
            Limits()
    monkeypatch.delenv(sandbox_module.LIMITS_ENV)
    assert Limits().wall_seconds == default.wall_seconds


SIGNALLERS = {
    "kill the zygote": "os.kill(os.getppid(), signal.SIGKILL)",
    "stop the zygote": "os.kill(os.getppid(), signal.SIGSTOP)",
    "kill every process it may": "os.kill(-1, signal.SIGKILL)",
    "queue a signal to the zygote": "signal.pthread_kill(threading.main_thread().ident, 0) or "
                                    "os.kill(os.getppid(), signal.SIGTERM)",
}


@pytest.mark.parametrize("guard", ["seccomp only", "landlock scope only", "as shipped"])
def test_can_no_job_signal_the_zygote_whichever_guard_holds(guard, tmp_path, monkeypatch):
    """As shipped, a child loads the signal filter only where the Landlock scope is missing."""
    worker, wire_source = sandbox_module._sources()
    if guard == "seccomp only":
        worker = worker.replace("        scoped = zygote.scoped and _scope_to_itself()\n",
                                "        scoped = False\n", 1)
    elif guard == "landlock scope only":
        if sandbox_worker.landlock_abi() < 6:
            pytest.skip("Landlock scoping needs Linux 6.12 or later")
        worker = worker.replace("            _signal_filter(os.getpid()).load()\n",
                                "            raise RuntimeError('no scope')\n", 1)
    assert worker != sandbox_module._sources()[0] or guard == "as shipped"
    monkeypatch.setattr(sandbox_module, "_sources", lambda: (worker, wire_source))
    tmp_path.chmod(0o755)
    cells = "import os, signal, threading\n" + "".join(
        f"def attack_{n}():\n    {code}\n    return 'survived'\n" for n, code in enumerate(SIGNALLERS.values()))
    calls = [{"function": f"attack_{n}", "args": [], "kwargs": {}} for n in range(len(SIGNALLERS))]
    calls.append({"function": "attack_0", "args": [], "kwargs": {}})
    with Sandbox(tmp_path, preload=(), layer=None, limits=FAST) as box:
        reply = box.run({"setup": "", "cells": [cells], "stand_ins": "", "calls": calls})
        assert reply["status"] == "ok", reply
        errors = [r["error"]["type"] if r["error"] else None for r in reply["results"]]
        del errors[2]  # kill(-1): refused, or "sent" to the only process in reach, itself excepted
        assert errors == ["PermissionError"] * (len(calls) - 1), reply
        assert box.restarts == 0


def test_is_a_worker_that_grew_while_serving_a_job_replaced_before_the_next(tmp_path, monkeypatch):
    """The zygote never parses a reply, so jobs cannot grow it; should anything, it asks for a
    fresh sandbox rather than fork the next children from a bloated process."""
    worker, wire_source = sandbox_module._sources()
    assert "MAX_GROWTH_BYTES = " in worker
    strict = worker.replace("MAX_GROWTH_BYTES = ", "MAX_GROWTH_BYTES = -(1 << 40) or ", 1)  # always
    monkeypatch.setattr(sandbox_module, "_sources", lambda: (strict, wire_source))
    tmp_path.chmod(0o755)
    job = {"setup": "", "cells": ["def f():\n    return 1\n"], "stand_ins": "",
           "calls": [{"function": "f", "args": [], "kwargs": {}}]}
    with Sandbox(tmp_path, preload=(), layer=None, limits=FAST) as box:
        assert box.run(job)["status"] == "ok" and box.restarts == 0
        assert box.run(job)["status"] == "ok" and box.restarts == 1  # the grown worker was replaced
        # queued together, each job after the first waits for a fresh worker all the same
        assert [reply["status"] for reply in box.run_many([job] * 3)] == ["ok"] * 3
        assert box.restarts == 4
    monkeypatch.setattr(sandbox_module, "_sources", lambda: (worker, wire_source))
    with Sandbox(tmp_path, preload=(), layer=None, limits=FAST) as box:
        for _ in range(3):
            assert box.run(job)["status"] == "ok"
        assert box.restarts == 0  # as shipped: jobs do not grow the worker
