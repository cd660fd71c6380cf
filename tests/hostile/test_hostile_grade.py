"""Does ``grade`` survive every hostile or broken submission, and give none of them unearned credit?

Each case of :mod:`tests.hostile.cases` goes through
:func:`autograder.grading.grade.grade_notebook` with one shared :class:`Graders` (as the
class grader uses it: a case that kills or litters its sandbox must not touch
the next one), with short per-job limits so the slow cases stay fast. A few go
through the real command line too.
"""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from autograder.course import exports
from autograder.sandbox import host as sandbox
from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import ROOT, load
from autograder.grading.result import STATUSES
from autograder.sandbox import Limits, available_layers
from tests.capabilities import layer_params
from tests.hostile.cases import CASES, default_context
from tests.hostile.corpus import Case, Cell, placeholders, write_case
from tests.hostile.conftest import grader_snapshot, leaks, site_packages

LIMITS = Limits(wall_seconds=3, cpu_seconds=3)
#: The longest one case may take: its functions' jobs at the wall limit, plus slack for a busy machine.
CASE_SECONDS = 60
#: What the "write_outside_temp" and "fake_result_files" cases try to create outside the sandbox.
PLANTED = ["autograder/hostile_planted.py", "source/hostile_planted.txt", "build/hostile_planted.txt",
           "build/results.json"]


@pytest.fixture(scope="module")
def graders():
    """One Graders for the whole corpus; the zygote backstop shortened for the SIGSTOP case."""
    saved = sandbox.BACKSTOP_SECONDS
    sandbox.BACKSTOP_SECONDS = 3.0
    with Graders(limits=LIMITS) as shared:
        yield shared
    sandbox.BACKSTOP_SECONDS = saved


@pytest.fixture(scope="module")
def graded(corpus, graders, canary):
    """``{case name: (Result, seconds)}``, filled as the cases are graded."""
    return {}


def _grade(graded, corpus, graders, canary, case):
    if case.name not in graded:
        _, paths = corpus
        started = time.monotonic()
        result = grade_notebook(paths[case.name], assignment=case.assignment, student=case.name,
                                secret=canary, graders=graders)
        graded[case.name] = (result, time.monotonic() - started)
    return graded[case.name]


def _messages(function):
    return " ".join([c.message for c in function.checks] + [function.hint or ""])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_does_each_case_get_the_scores_its_honest_work_earns_and_no_more(graded, corpus, graders,
                                                                         canary, case):
    result, seconds = _grade(graded, corpus, graders, canary, case)
    spec = load(case.assignment)
    assert seconds < CASE_SECONDS, f"grading took {seconds:.1f} s"
    assert result.assignment == case.assignment and result.student == case.name
    assert list(result.functions) == list(spec.names), "every graded function has a row"
    scores = {name: function.score for name, function in result.functions.items()}
    assert scores == pytest.approx(case.expect), {n: (f.status, _messages(f)[:300])
                                                  for n, f in result.functions.items()}
    assert result.score == pytest.approx(sum(case.expect.values()))
    for name, function in result.functions.items():
        assert function.status in STATUSES
        assert function.score <= function.max_score
        for check in function.checks:
            assert check.passed or (check.category and check.message), (name, check)
        if function.score < function.max_score:
            assert function.status != "passed"
            assert any(not c.passed for c in function.checks), name
    for name, status in case.status.items():
        assert result.functions[name].status == status, (name, _messages(result.functions[name]))
    for name, phrase in case.says.items():
        assert phrase in _messages(result.functions[name]), (name, _messages(result.functions[name]))
    if case.error:
        assert case.error in (result.error or ""), result.error
        assert all(f.status == "error" for f in result.functions.values())


def test_does_no_student_visible_output_hold_the_canary_or_student_made_lines(graded, corpus, graders,
                                                                              canary):
    for case in CASES:
        result, _ = _grade(graded, corpus, graders, canary, case)
        data = result.to_dict()
        shown = [json.dumps(data), exports.feedback_html(data), json.dumps(exports.gradescope_result(data))]
        for text in shown:
            assert not leaks(text, canary), case.name
        for function in result.functions.values():
            for check in function.checks:
                assert "\n" not in check.message and "\r" not in check.message, (case.name, check)
                assert "All tests passed" not in check.message, (case.name, check)
    html = exports.feedback_html(graded["html_in_messages"][0].to_dict())
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_do_the_attacks_leave_nothing_behind_on_the_grading_machine(graded, corpus, graders, canary,
                                                                    listener):
    for case in CASES:  # every case graded before looking
        _grade(graded, corpus, graders, canary, case)
    root, _ = corpus
    planted = [ROOT / p for p in PLANTED] + [root / "results.json", root.parent / "results.json"]
    planted += [os.path.join(p, "hostile_planted.pth") for p in site_packages()]
    planted += [os.path.join(sys.prefix, "hostile_planted.txt"), "/var/tmp/hostile_planted",
                "/dev/shm/hostile_planted", "/hostile_planted", "/tmp/hostile-pwned",
                "/autograder/results/results.json", "/shared/feedback.json"]
    assert [str(p) for p in planted if os.path.lexists(p)] == []
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected


#: Attacks that only read: run without a sandbox (here, as the grader), each must find its target.
READERS = ["read_source_notebooks", "import_grader_package", "read_other_students", "read_system_files",
           "search_for_canary"]


@pytest.mark.parametrize("name", READERS)
def test_would_the_reading_attacks_succeed_where_nothing_stopped_them(corpus, corpus_context, name):
    """A positive control: a 0 in the sandbox means something stopped the attack, not a broken one."""
    case = next(c for c in CASES if c.name == name)
    namespace = {"__name__": "attack"}
    exec(placeholders(case.prelude["backward_propagation"], corpus_context), namespace)
    assert namespace["_breach"]() is True


def _layers():
    return layer_params(available_layers())  # an unusable layer's tests are skipped, and counted


ESCAPES = [c for c in CASES if c.group in ("reaching outside", "checker tampering")
           and c.expect.get("backward_propagation") == 0 and c.name != "forged_json_dumps"
           and c.name != "forged_events_on_every_fd"]


@pytest.mark.parametrize("layer", _layers())
def test_do_the_escape_attempts_fail_in_every_sandbox_layer(corpus, canary, layer):
    _, paths = corpus
    with Graders(layer=layer, limits=LIMITS) as graders:
        for case in ESCAPES:
            result = grade_notebook(paths[case.name], assignment=case.assignment, student=case.name,
                                    secret=canary, graders=graders)
            assert result.provenance["isolation"] == layer
            scores = {name: function.score for name, function in result.functions.items()}
            assert scores == pytest.approx(case.expect), (case.name, layer)


CLI_CASES = ["patch_allclose", "search_for_canary", "kill_the_worker", "hard_exit", "not_json",
             "html_in_messages"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_does_the_command_line_print_one_result_with_the_same_scores(corpus, secret_file, canary,
                                                                     canary_env, name):
    case = next(c for c in CASES if c.name == name)
    _, paths = corpus
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(paths[name]), "--assignment",
                          case.assignment, "--student", name, "--json", "--secret-file", str(secret_file)],
                         capture_output=True, text=True, cwd=ROOT, env=canary_env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert not leaks(run.stdout + run.stderr, canary)
    result = json.loads(run.stdout)  # one JSON object and nothing else
    assert {n: f["score"] for n, f in result["functions"].items()} == pytest.approx(case.expect)
    if case.error:
        assert case.error in result["error"]


def test_are_the_graders_files_and_source_unchanged_after_the_corpus(graded, corpus, graders, canary,
                                                                     snapshot):
    for case in CASES:
        _grade(graded, corpus, graders, canary, case)
    assert grader_snapshot() == snapshot


def test_does_the_readme_table_list_every_case_with_its_verdict():
    readme = (ROOT / "tests" / "hostile" / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "| `" in line
            and line.split("|")[1].strip().isdigit()]
    listed = [(line.split("|")[2].strip().strip("`"), line.split("|")[5].strip()) for line in rows]
    assert listed == [(case.name, case.verdict) for case in CASES]
    assert len(CASES) >= 40


LEAK = """
def forward_propagation(x, theta):
    raise ValueError(f"inputs {x!r} {theta!r}")
"""
LOOKUP = """
def forward_propagation(x, theta):
    # no computation: answers worked out elsewhere for the inputs an earlier submission showed
    return {table!r}.get((x, theta), 0.0)
"""
SHOWN = re.compile(r"inputs (\S+) (\S+)")


def test_can_a_resubmission_reuse_the_hidden_inputs_an_earlier_submission_revealed(graders, canary,
                                                                                    tmp_path):
    """A hidden case's inputs can be read back through the function's own exception message
    (and hidden expected values narrowed down through "how far off" feedback). If they stay the
    same from one submission to the next, a table of answers worked out offline passes them."""
    def submit(round_, source):
        case = Case(f"resubmit_{round_}", "gaming the checks", "", "gradient_checking", {},
                    answers={"forward_propagation": Cell(source)})
        path = write_case(case, tmp_path, default_context(tmp_path))
        result = grade_notebook(path, assignment="gradient_checking", student="mallory", secret=canary,
                                graders=graders)
        return result.functions["forward_propagation"].checks

    table = {}
    for check in submit(1, LEAK):
        shown = SHOWN.search(check.message)
        if shown:
            x, theta = float(shown.group(1)), float(shown.group(2))
            table[(x, theta)] = x * theta  # the right answer, however the student came by it
    checks = submit(2, LOOKUP.format(table=table))
    assert not any(c.passed for c in checks if c.name.startswith("hidden")), table
