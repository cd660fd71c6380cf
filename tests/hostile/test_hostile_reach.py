"""Is what decides a check out of the reach of the student's code?

The cases of :mod:`tests.hostile.reach_cases` patch what a job child runs of the grader (its
wire module, digests, reply writer, its copy of the zygote's comparison) and then change their
array arguments in place, or forge the value a result reports. Each is graded (``grade``'s
path) and must get what its honest work earns: exactly the plain mutation's verdict, check by
check, and nothing for a forged value. Then, on a sandbox of every layer: the forgery does work
inside the job (the job's own digests say "unchanged", the positive control) while the zygote's
finding says "changed"; a hidden call's arrays are compared too; a job that shrinks its shared
memory loses only its own arrays; and nothing a job can read before its hidden calls are sent
depends on them (not even their size).
"""

import ast
import json

import numpy as np
import pytest

from autograder.sandbox import wire
from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import load
from autograder.sandbox import LAYERS, Limits, Sandbox, available_layers
from tests.capabilities import skip_layer
from tests.hostile.corpus import write_case
from tests.hostile.reach_cases import CASES, CONTAINER_LIMIT, FORGE_DIGESTS, FORGE_REPLY, PLAIN

LIMITS = Limits(wall_seconds=3, cpu_seconds=3)
FAST = Limits(wall_seconds=3, cpu_seconds=2, memory_bytes=1 << 30, output_bytes=4096,
              file_bytes=1 << 20, tmp_bytes=8 << 20)


@pytest.fixture(scope="module")
def graded(corpus_context, canary, tmp_path_factory):
    """``{case name: Result}`` of every case and of the documented limit, in one Graders."""
    root = tmp_path_factory.mktemp("reach") / "submitted"
    context = {**corpus_context, "CLASS": str(root)}
    found = {}
    with Graders(limits=LIMITS) as graders:
        for case in CASES + [CONTAINER_LIMIT]:
            path = write_case(case, root, context)
            found[case.name] = grade_notebook(path, assignment=case.assignment, student=case.name,
                                              secret=canary, graders=graders)
    return found


def _messages(function):
    return " ".join([c.message for c in function.checks] + [function.hint or ""])


@pytest.mark.parametrize("case", CASES + [CONTAINER_LIMIT], ids=lambda c: c.name)
def test_does_each_case_get_what_its_honest_work_earns(graded, case):
    result = graded[case.name]
    assert list(result.functions) == list(load(case.assignment).names)
    scores = {name: function.score for name, function in result.functions.items()}
    assert scores == pytest.approx(case.expect), {n: (f.status, _messages(f)[:300])
                                                  for n, f in result.functions.items()}
    for name, status in case.status.items():
        assert result.functions[name].status == status, (name, _messages(result.functions[name]))
    for name, phrase in case.says.items():
        assert phrase in _messages(result.functions[name]), (name, _messages(result.functions[name]))


@pytest.mark.parametrize("name", ["reach_patch_digests_then_mutate", "reach_patch_reply_writer_then_mutate"])
def test_does_a_patched_digest_or_reply_writer_change_nothing_of_the_plain_mutations_verdict(graded, name):
    """Every check fails as the plain mutation's does ("changed its input"), none passes."""
    function = "backward_propagation_with_regularization"

    def verdicts(result):
        return [(c.name, c.passed, c.category) for c in result.functions[function].checks]

    plain, forged = verdicts(graded[PLAIN.name]), verdicts(graded[name])
    assert forged == plain
    assert all(not passed and category == "modified input" for _, passed, category in forged)


# ---------------------------------------------------------------- on the sandbox itself
@pytest.fixture(scope="module", params=LAYERS)
def box(request, tmp_path_factory):
    layer = request.param
    reason = available_layers()[layer]
    if reason is not None:
        skip_layer(layer, reason)
    folder = tmp_path_factory.mktemp("reach-assignment")
    folder.chmod(0o755)
    with Sandbox(folder, preload=("numpy",), layer=layer, limits=FAST) as sandbox:
        yield sandbox


def call(function, *args, **kwargs):
    return {"function": function, "args": [wire.encode(a) for a in args],
            "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}, "digest_args": True}


def job(cell, calls, sealed_calls=()):
    return {"setup": "import numpy as np", "cells": [cell], "stand_ins": "", "calls": list(calls),
            "sealed_calls": list(sealed_calls)}


def inputs():
    X = np.arange(12.0).reshape(3, 4)
    cache = (np.ones((2, 4)), np.full((1, 2), 0.5), 3)
    return X, cache, 0.7


MUTATE = """
def mutate(X, cache, lambd):
    {forge}
    X += 1
    cache[1][...] = 0
    return 1.0

def keep(X, cache, lambd):
    return float(X.sum())
"""


@pytest.mark.parametrize("forge, prelude", [("_forge_digests(X, cache, lambd)", FORGE_DIGESTS),
                                            ("_forge_reply(X, cache, lambd)", FORGE_REPLY)],
                         ids=["digests", "reply writer"])
def test_does_the_worker_see_the_change_the_job_forged_its_own_digests_to_hide(box, forge, prelude):
    sent = inputs()
    digests = [wire.tree_fingerprint(wire.encode(value)) for value in sent]
    cell = prelude + MUTATE.format(forge=forge)
    reply = box.run(job(cell, [call("mutate", *sent), call("keep", *sent)], [call("mutate", *sent)]))
    assert reply["status"] == "ok", reply
    mutated, kept, hidden = reply["results"]
    assert mutated["error"] is None and hidden["error"] is None, reply
    # the positive control: inside the job, the forgery worked (its digests say "as sent")...
    assert mutated["args_after"] == digests and hidden["args_after"] == digests
    # ...and the zygote, which compared the memory the arrays lived in, says which changed
    assert mutated["args_changed"] == [0, 1] and hidden["args_changed"] == [0, 1]
    assert kept["args_changed"] == [] and kept["kwargs_changed"] == []


def test_does_the_worker_name_changed_arrays_in_keyword_arguments_and_containers(box):
    cell = ("def f(a, box, n, w=None):\n"
            "    box['inner'][0][1] += 1\n"
            "    w[:] = 0\n"
            "    return 0\n")
    sent = (np.zeros(3), {"inner": [np.ones(2), np.ones(2)], "name": "x"}, 2)
    reply = box.run(job(cell, [call("f", *sent, w=np.ones(4))], [call("f", *sent, w=np.ones(4))]))
    for result in reply["results"]:
        assert result["args_changed"] == [1] and result["kwargs_changed"] == ["w"], reply


SHRINK = """
import os, stat

def total(X):
    return float(X.sum())

def shrink(n):
    for fd in range(3, 64):
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.ftruncate(fd, 0)
        except OSError:
            pass
    return 1
"""


def test_does_a_job_that_shrinks_its_shared_memory_lose_only_its_own_arrays(box):
    """A hidden call cuts the job's shared memory to nothing once the other calls are done: the
    arrays it no longer holds count as changed, and the worker (which reads it back with
    ``preadv``, never through a mapping that could fault) serves the next job."""
    restarts = box.restarts
    reply = box.run(job(SHRINK, [call("total", np.ones(3))], [call("total", np.ones(2)), call("shrink", 7)]))
    assert reply["status"] == "ok", reply
    assert [r["args_changed"] for r in reply["results"]] == [[0], [0], []], reply
    still = box.run(job("def f(X):\n    return float(X.sum())\n", [call("f", np.ones(4))]))
    assert still["status"] == "ok" and wire.decode(still["results"][0]["value"]) == 4.0
    assert still["results"][0]["args_changed"] == [] and box.restarts == restarts


PEEK = """
import os, stat, sys

def peek(X):
    # What this job can know before its hidden calls are sent: its header and the size of
    # every regular file (its shared memory) it holds.
    frame, header = sys._getframe(1), None
    while frame is not None and header is None:
        header = getattr(frame.f_locals.get("self"), "header", None)
        frame = frame.f_back
    sizes = []
    for fd in range(3, 64):
        try:
            info = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            sizes.append(info.st_size)
    return repr((sorted(header.items()), sizes))
"""


def test_does_a_job_know_nothing_of_its_hidden_calls_before_they_are_sent(box):
    seen = []
    for hidden in (np.ones(3), np.ones((40, 50))):
        reply = box.run(job(PEEK, [call("peek", np.ones(2))], [call("peek", hidden)]))
        published, sealed = reply["results"]
        seen.append(wire.decode(published["value"]))
        assert sealed["error"] is None, reply
    assert seen[0] == seen[1]  # the same whatever the hidden calls hold
    keys = [key for key, _ in ast.literal_eval(seen[0])[0]]
    assert keys == ["arrays", "body", "limits", "max_reply", "sealed"]


def test_is_a_shared_array_a_view_in_the_job_and_refused_by_the_graders_decoder():
    data, slots = bytearray(), []
    tree = wire.share(wire.encode((np.arange(6.0).reshape(2, 3), [np.ones(2, np.int8)], 5)), data, 0, slots)
    assert [size for _, size in slots] == [48, 2] and all(offset % wire.SHARED_ALIGN == 0 for offset, _ in slots)
    with pytest.raises(wire.WireError):
        wire.decode(tree)
    region = bytearray(data)
    value = wire.decode(json.loads(json.dumps(tree)), regions=[region])
    value[0][1, 2] = -1.0
    assert value[1][0].base is not None and value[2] == 5
    assert np.frombuffer(region, np.float64, 6)[5] == -1.0  # written through to the region
