"""Do hidden inputs stay sealed, does a function harm no sibling nor the next student, and does
the grader stay small on inputs that cost nothing to make?

The cases are :mod:`tests.hostile.sealed_cases` (part of the corpus, so their scores are
checked with every other case by ``test_hostile_grade.py`` and ``test_hostile_class.py``).
Here: what each leak case could learn of its hidden inputs never shows in anything a student
reads (feedback page, Gradescope and Coursera files, the CSV row), nor does the seed; the
student's own text shows only for published cases; a class graded with one worker gives the
student after a hostile one full marks; the grader's memory and time stay bounded.
"""

import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from autograder.course import exports
from autograder.assignments import build_checks
from autograder.grading.checks import rng_for, seed_for
from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import ROOT, load
from autograder.sandbox import Limits
from tests.hostile.sealed_cases import CASES, INPUTS, LEAKS, SIBLINGS
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

LIMITS = Limits(wall_seconds=3, cpu_seconds=3)
MARKER = "LEAK"


def hidden_numbers(case, secret, draw_keys):
    """Text forms of the numbers in the hidden inputs of every function of ``case``'s student
    (each scalar, and the first elements of each array), long enough not to occur by chance;
    ``draw_keys`` are the code keys of the draw, from the result's provenance."""
    spec = load(case.assignment)
    seed = seed_for(case.name, spec.name, secret)
    found = set()

    def walk(value):
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, float | int | np.floating | np.integer):
            number = float(value)
            if math.isfinite(number) and abs(number) > 1e-3 and number != round(number):
                found.update({repr(number)[:8], f"{number:.6g}"})
        elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
            for item in value.ravel()[:8]:
                walk(float(item))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for function in spec.functions:
        for check in build_checks(spec, function.name, rng_for(seed, function.name,
                                                               draw_keys.get(function.name))):
            if not check.fixed_inputs:
                for call in check.calls:
                    walk(call.args)
                    walk(call.kwargs)
    return {text for text in found if len(text) >= 6}, str(seed)


def student_facing(result):
    """Everything of a result a student may read, as text."""
    data = result.to_dict()
    row = {"student": result.student, "status": "graded", "notes": [], "results": [data]}
    return "\n".join([exports.feedback_html(data), json.dumps(exports.gradescope_result(data)),
                      json.dumps(exports.coursera_feedback(data)), json.dumps(exports.csv_row(row))])


@pytest.fixture(scope="module")
def sealed_results(corpus, canary):
    _, paths = corpus
    with Graders(limits=LIMITS) as graders:
        yield {case.name: grade_notebook(paths[case.name], assignment=case.assignment,
                                         student=case.name, secret=canary, graders=graders)
               for case in CASES if case.group in (LEAKS, SIBLINGS)}


@pytest.mark.parametrize("case", [c for c in CASES if c.group in (LEAKS, SIBLINGS)],
                         ids=lambda c: c.name)
def test_does_nothing_a_student_reads_hold_a_hidden_input_or_the_seed(sealed_results, canary, case):
    result = sealed_results[case.name]
    numbers, seed = hidden_numbers(case, canary, sealed_results[case.name].provenance["draw_keys"])
    assert numbers, "the case has hidden inputs to look for"
    shown = student_facing(result)
    assert [n for n in numbers if n in shown] == []
    assert seed not in shown
    for function in result.functions.values():
        for check in function.checks:
            if MARKER in check.message:  # the student's own text: published cases only
                assert check.name.startswith("published case"), (check.name, check.message)


def test_is_the_students_own_text_still_quoted_for_a_published_case(sealed_results):
    """The positive control of the test above: the channel works where it is allowed."""
    checks = sealed_results["leak_exception_message"].functions["forward_propagation"].checks
    published = [c for c in checks if c.name.startswith("published case")]
    assert published and all(MARKER in c.message for c in published)
    hidden = [c for c in checks if not c.name.startswith("published case")]
    assert hidden and all(c.message.endswith(": raised an exception") for c in hidden)  # the vocabulary


def test_does_a_stash_left_by_one_function_reach_no_other(sealed_results):
    for name in ("leak_stash_in_builtins", "leak_stash_in_temp_dir_and_environ"):
        backward = sealed_results[name].functions["backward_propagation"]
        published = [c for c in backward.checks if c.name.startswith("published case")]
        assert published and all(c.message.split("LEAK", 1)[1].split(" (line")[0].strip(" :") in
                                 ("[]", "") for c in published), [c.message for c in published]


def _csv(path):
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_does_a_hostile_student_cost_the_next_student_nothing_with_one_worker(corpus, tmp_path):
    _, paths = corpus
    root = tmp_path / "submitted"
    hostile = ["reply_of_nested_empty_lists", "reply_of_many_dict_keys", "reply_of_thirty_megabytes",
               "sibling_patches_numpy", "leak_signal_number"]
    order = []
    for index, name in enumerate(hostile):
        case = next(c for c in CASES if c.name == name)
        source = paths[name]
        target = root / f"s{2 * index}_{name}" / case.assignment / source.name
        target.parent.mkdir(parents=True)
        target.write_bytes(source.read_bytes())
        honest = root / f"s{2 * index + 1}_honest" / case.assignment / source.name
        honest.parent.mkdir(parents=True)
        honest.write_text(json.dumps(student_notebook(case.assignment, {case.assignment: REFERENCE})))
        order += [(target.parent.parent.name, case.assignment),
                  (honest.parent.parent.name, case.assignment)]
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root), "--out",
                          str(out), "--jobs", "1"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = _csv(out / "grades.csv")
    for student, assignment in order:
        if student.endswith("_honest"):
            assert rows[student]["status"] == "graded"
            assert float(rows[student][f"{assignment}:total"]) == load(assignment).max_score, \
                (student, rows[student])


BOUNDED = ["million_json_items", "reply_of_thirty_megabytes", "reply_of_nested_empty_lists",
           "big_cell_with_def", "big_graded_cell", "reply_of_many_dict_keys"]
MAX_RSS_BYTES = 500 << 20
MAX_SECONDS = 60


@pytest.mark.parametrize("name", BOUNDED)
def test_does_grading_a_costly_input_keep_the_grader_small_and_quick(corpus, name):
    """Peak RSS of the grading process and of every process it waited for, and wall time."""
    _, paths = corpus
    case = next(c for c in CASES if c.name == name)
    probe = ("import resource, subprocess, sys, time\n"
             "started = time.monotonic()\n"
             "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,"
             " time.monotonic() - started, done.returncode)\n"
             "sys.stdout.flush()\n"
             "sys.stdout.buffer.write(done.stdout)\n")
    run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "autograder", "grade",
                          str(paths[name]), "--assignment", case.assignment, "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    head, _, body = run.stdout.partition("\n")
    rss, seconds, code = head.split()
    assert int(code) == 0 and int(rss) < MAX_RSS_BYTES and float(seconds) < MAX_SECONDS, head
    result = json.loads(body)
    assert {n: f["score"] for n, f in result["functions"].items()} == pytest.approx(case.expect)


def test_are_there_at_least_25_sealed_grading_cases():
    assert len([c for c in CASES if c.group in (LEAKS, SIBLINGS, INPUTS)]) >= 25
