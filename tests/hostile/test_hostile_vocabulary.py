"""Does a hidden case speak only the closed vocabulary, in everything a student reads?

The cases are :mod:`tests.hostile.vocabulary_cases` (each shapes a key, a shape, an exception
class, an error's size or index, a type, a mask's share... by its inputs) and the ``sealed:
leak`` cases of :mod:`tests.hostile.sealed_cases` (text, exit statuses, signals, time). Each is
graded, and every line of every student-facing output about a check that is not a published
case (the feedback page, Gradescope's ``results.json``, Coursera's ``feedback.json`` and
``htmlFeedback.html``, nbgrader's feedback lines, the ``grade`` table) must be, exactly, one of
the lines :mod:`autograder.grading.vocabulary` renders for that check, and every hint one of the
catalogue's. The published cases still say what is wrong in full. Two channels of the issue's
findings (a key spelling the hidden layer sizes, an empty array's shape carrying ``X[0, 0]``
and ``lambd``) give back the published case's inputs and none of the hidden ones, and the
resubmission built from what they gave back (right only on its table) passes no hidden case.
"""

import copy
import html
import json
import re

import numpy as np
import pytest

from autograder.course import exports
from autograder.grading import feedback, vocabulary
from autograder.assignments import build_checks
from autograder.grading.checks import rng_for
from autograder.cli import _table
from autograder.grading.grade import Graders, grade_notebook
from autograder.platforms.nbgrader_autograde import feedback_lines
from autograder.grading.reference import load
from autograder.sandbox import Limits
from tests.hostile.cases import default_context
from tests.hostile.corpus import Case, write_case
from tests.hostile.sealed_cases import CASES as SEALED, LEAKS
from tests.hostile.vocabulary_cases import CASES, GROUP, PUBLISHED_SAYS, wrapped

LIMITS = Limits(wall_seconds=3, cpu_seconds=3)
GRADED = CASES + [c for c in SEALED if c.group == LEAKS]
STUDENT = "mallory"


@pytest.fixture(scope="module")
def graders():
    with Graders(limits=LIMITS) as shared:
        yield shared


@pytest.fixture(scope="module")
def results(corpus, canary, graders):
    _, paths = corpus
    return {case.name: grade_notebook(paths[case.name], assignment=case.assignment, student=case.name,
                                      secret=canary, graders=graders) for case in GRADED}


# What a student reads, output by output: {function: ([failed-check lines], [hints])} ------------

FAILED_ITEM = re.compile(r'<li class="failed">✗ <em>(.*?)</em> — (.*?)(?: <span class="count">'
                         r'\(× \d+ checks\)</span>)?</li>', re.S)
HINT_ITEM = re.compile(r'<p class="hint"><strong>Hint:</strong> (.*?)</p>', re.S)
COUNT = re.compile(r" \(× \d+\)$")


def from_page(page):
    said = {}
    for name, section in re.findall(r'<section id="(.*?)">(.*?)</section>', page, re.S):
        lines = [(html.unescape(c), html.unescape(m)) for c, m in FAILED_ITEM.findall(section)]
        said[html.unescape(name)] = (lines, [html.unescape(h) for h in HINT_ITEM.findall(section)])
    return said


def from_lines(lines_of):
    """``{function: [line, ...]}`` of Gradescope's test outputs or nbgrader's feedback lines."""
    said = {}
    for name, lines in lines_of.items():
        lines = [COUNT.sub("", line) for line in lines]
        said[name] = ([(None, line[2:]) for line in lines if line.startswith("✗ ")],
                      [line[len("Hint: "):] for line in lines if line.startswith("Hint: ")])
    return said


def from_table(result):
    """The ``grade`` table's reason per function, as ``(lines, hints)``: the reason is the hint
    when there is one, else the first failed check's line (both cut to 90 characters)."""
    said = {}
    for row in _table(result).splitlines()[2:]:
        name = row.split("  ", 1)[0]
        if name in result.functions:
            reason = re.split(r"\s{2,}", row, maxsplit=3)[3]
            hinted = result.functions[name].hint is not None
            failed = [] if hinted or reason == "all checks passed" else [(None, reason)]
            said[name] = (failed, [reason] if hinted else [])
    return said


def outputs(result, folder):
    """``{output: {function: (lines, hints)}}`` of everything a student reads of ``result``."""
    data = result.to_dict()
    gradescope = exports.gradescope_result(data)
    exports.write_coursera(data, folder)
    coursera = json.loads((folder / "feedback.json").read_text())
    assert coursera["feedback"] == exports.coursera_feedback(data)["feedback"]  # scores only
    return {"feedback page": from_page(exports.feedback_html(data)),
            "gradescope": from_lines({t["name"]: t["output"].splitlines() for t in gradescope["tests"]}),
            "coursera page": from_page((folder / "htmlFeedback.html").read_text()),
            "nbgrader": from_lines(feedback_lines(result)),
            "grade table": from_table(result),
            "result": {n: ([(c.category, c.message) for c in f.checks if not c.passed],
                           [f.hint] if f.hint else []) for n, f in result.functions.items()}}


def _allowed(found, text, options):
    """Whether ``text`` is one of ``options``, or (the table cuts at 90 characters) the start of one."""
    if text in options:
        return True
    return text.endswith("...") and any(o.startswith(text[:-3]) for o in options if len(o) > len(text))


def published_findings(result):
    """``{function: {hint}}``: the hint a function gets when no catalogued mistake explains it,
    made of a failed published case's own words (the published case's line says them too)."""
    found = {}
    for name, function in result.functions.items():
        for check in function.checks:
            if check.name.startswith("published case") and not check.passed:
                text = (check.message.split("]: ", 1)[1] if "]: " in check.message
                        else check.message.split(": ", 1)[-1])
                found.setdefault(name, set()).add(feedback.no_match(check.name, text))
    return found


def off_vocabulary(assignment, said, published=None):
    """Every line about a check that is not a published case, and every hint, that is not the
    catalogue's (or, in ``published``, a failed published case's own words): ``[(function,
    text)]``."""
    published = published or {}
    wrong = []
    for function, (lines, hints) in said.items():
        found = vocabulary.catalogue(assignment, function)
        entries = {e.text: e.category for e in found.entries + found.refusals}
        for category, line in lines:
            if line.startswith("published case"):
                continue
            name = next((n for n in found.checks if line.startswith(n + " [") or line.startswith(n + ":")),
                        None)
            options = found.lines(name) if name else set()
            if not _allowed(found, line, options):
                wrong.append((function, line))
            elif category is not None and entries.get(line.split("]: ", 1)[-1]) != category:
                wrong.append((function, f"category {category}: {line}"))
        options = set(found.hints) | {e.text for e in found.refusals} | published.get(function, set())
        wrong += [(function, hint) for hint in hints if not _allowed(found, hint, options)]
    return wrong


@pytest.mark.parametrize("case", GRADED, ids=lambda c: c.name)
def test_does_every_line_about_a_hidden_case_in_every_output_come_from_the_catalogue(results, case,
                                                                                      tmp_path):
    result = results[case.name]
    said = outputs(result, tmp_path)
    for output, functions in said.items():
        assert off_vocabulary(case.assignment, functions, published_findings(result)) == [], output
    hostile = [name for name, score in case.expect.items() if score < load(case.assignment).max_score
               and result.functions[name].score < result.functions[name].max_score]
    for name in hostile:  # the hostile function did fail a check that is not a published case
        assert any(not c.passed and not c.name.startswith("published case")
                   for c in result.functions[name].checks), name


@pytest.mark.parametrize("case", [c for c in CASES if c.name in PUBLISHED_SAYS], ids=lambda c: c.name)
def test_does_the_published_case_still_say_what_is_wrong(results, case):
    (function,) = case.status
    published = [c for c in results[case.name].functions[function].checks
                 if c.name.startswith("published case") and not c.passed]
    assert published and PUBLISHED_SAYS[case.name] in published[0].message, published


def test_is_every_vocabulary_case_in_its_group():
    assert CASES and all(c.group == GROUP for c in CASES)


# Read back, resubmit --------------------------------------------------------------------------
#
# As the findings did it: read the hidden inputs back from what a leaking notebook's
# student reads, then hand in a notebook that is right only on the inputs read back (a table),
# for the same student and secret. Hidden inputs are also drawn anew for new code, so the
# resubmission would fail for that reason alone: what the closed vocabulary must show on its own
# is that nothing of the leaking notebook's own hidden inputs (rebuilt from its result's
# provenance, as an instructor reproduces a grade) can be read back, while the same channel
# gives the published case's inputs (the positive control).


def _everything_read(result, folder):
    """All a student reads of ``result``, as one text."""
    data = result.to_dict()
    exports.write_coursera(data, folder)
    return "\n".join([exports.feedback_html(data), json.dumps(exports.gradescope_result(data)),
                      (folder / "feedback.json").read_text(), (folder / "htmlFeedback.html").read_text(),
                      json.dumps(feedback_lines(result)), _table(result)])


def _grade(graders, canary, tmp_path, name, assignment, function, cell):
    case = Case(name, GROUP, "", assignment, {}, answers={function: cell})
    path = write_case(case, tmp_path, default_context(tmp_path))
    return grade_notebook(path, assignment=assignment, student=STUDENT, secret=canary, graders=graders)


def _hidden_calls(result, function):
    """The calls of ``function``'s checks that are not published cases, as the grader drew them
    for ``result`` (from its provenance: the seed and the draw's key of the code graded)."""
    keys = result.provenance.get("draw_keys") or {}
    rng = rng_for(result.provenance["seed"], function, *([keys[function]] if function in keys else []))
    checks = build_checks(load(result.assignment), function, rng)
    return [call for check in checks if not check.fixed_inputs for call in check.calls]


def _hidden_passed(result, function):
    return [c.name for c in result.functions[function].checks
            if c.passed and not c.name.startswith("published case")]


def _lookup(assignment, function, signature, body):
    """The resubmission's cell, and its function run here (to show it is right on its table)."""
    cell = wrapped(assignment, function, signature, body)
    namespace = {"np": np}
    exec(cell.source, namespace)
    return cell, namespace[function]


LOOKUP_HE = ("    parameters = _right(layers_dims)\n"
             "    if tuple(layers_dims) not in {table!r}:  # right only where the table says\n"
             "        parameters = {{k: v * 0.5 for k, v in parameters.items()}}\n"
             "    return parameters")


def test_can_a_resubmission_right_only_on_the_layer_sizes_a_key_spelled_pass_a_hidden_case(
        corpus, graders, canary, tmp_path):
    """The finding: a dict key spells ``layers_dims`` ("parameters has unexpected key(s)
    dims_5_6_4_1"); a notebook right only for the sizes read back passed every hidden case."""
    leak = next(c for c in CASES if c.name == "vocab_extra_key_spells_inputs")
    function = "initialize_parameters_he"
    shown = _grade(graders, canary, tmp_path / "leak", "leak", "initialization", function,
                   leak.answers[function])
    read = {tuple(int(n) for n in found.split("_"))
            for found in re.findall(r"dims_(\d+(?:_\d+)*)", _everything_read(shown, tmp_path))}
    assert read == {(2, 4, 1)}  # the channel works where it may: the published case's sizes
    hidden = {tuple(call.args[0]) for call in _hidden_calls(shown, function)}
    assert len(hidden) == 3 and not read & hidden
    cell, looked_up = _lookup("initialization", function, "(layers_dims)", LOOKUP_HE.format(table=read))
    solution = load("initialization").reference(function)
    assert all(np.array_equal(looked_up([2, 4, 1])[k], v) for k, v in solution([2, 4, 1]).items())
    resubmitted = _grade(graders, canary, tmp_path / "again", "again", "initialization", function, cell)
    assert _hidden_passed(resubmitted, function) == []
    assert resubmitted.functions[function].score == 0


LOOKUP_L2 = ("    gradients = _right(X, Y, cache, lambd)\n"
             "    if (int(round(X[0, 0] * 1e6)), int(round(lambd * 1e6))) not in {table!r}:\n"
             "        gradients = {{k: v * 1.5 for k, v in gradients.items()}}\n"
             "    return gradients")


def test_can_a_resubmission_right_only_on_the_inputs_an_empty_arrays_shape_carried_pass_a_hidden_case(
        corpus, graders, canary, tmp_path):
    """The finding: an empty array's shape carries hidden inputs to many digits
    ("gradients['dZ3'] has shape (0, ...); expected (1, 7)")."""
    leak = next(c for c in CASES if c.name == "vocab_empty_array_shape")
    function = "backward_propagation_with_regularization"
    shown = _grade(graders, canary, tmp_path / "leak", "leak", "regularization", function,
                   leak.answers[function])
    read = {(int(a) - 10**8, int(b) - 10**8)
            for a, b in re.findall(r"has shape \(0, (\d+), (\d+)\)", _everything_read(shown, tmp_path))}
    assert read == {(1624345, 700000)}  # the published case: X[0, 0] = 1.624345..., lambd = 0.7
    hidden = {(int(round(call.args[0][0, 0] * 1e6)), int(round(call.args[3] * 1e6)))
              for call in _hidden_calls(shown, function)}
    assert len(hidden) == 5 and not read & hidden
    cell, looked_up = _lookup("regularization", function, "(X, Y, cache, lambd)",
                              LOOKUP_L2.format(table=read))
    spec = load("regularization")
    (published,) = [c for c in build_checks(spec, function, rng_for(0, function)) if c.fixed_inputs]
    call = published.calls[0]
    expected = spec.reference(function)(*copy.deepcopy(call.args))
    assert all(np.allclose(looked_up(*copy.deepcopy(call.args))[k], v) for k, v in expected.items())
    resubmitted = _grade(graders, canary, tmp_path / "again", "again", "regularization", function, cell)
    assert _hidden_passed(resubmitted, function) == []
    assert resubmitted.functions[function].score == 0
