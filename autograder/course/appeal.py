"""An appeal answered from the record: what the grader saw and decided for one student and
assignment, for the instructor (``python -m autograder appeal OUT STUDENT``).

It reads the stored result (``OUT/results/<student>.json``), checks its seal when given the
course secret, lays ``OUT/overrides.csv`` over it as ``grade-class`` does, and says: the
row's status and notes, each graded function's score and status, each check (passed or not,
its points, its category and message, and the role of each hidden case: what kind of input
it is, the same for every student), the hint, the adjustments, the student's lines of
``overrides.csv`` that were not applied (and why), and the provenance (kit,
Python and numpy versions, the hidden-input seed, the sandbox layer, the draw scheme and
code keys, a sha256 of each graded function's source). Instructor-side only: it shows the
seed.
"""

import functools
import json
from pathlib import Path

import numpy as np

from autograder import assignments
from autograder.course import overrides
from autograder.course.batch import is_sealed
from autograder.course.exports import _in_notebook_order
from autograder.grading import reference


class AppealError(ValueError):
    """No record to answer from; the message says why."""


@functools.cache
def roles(assignment, function):
    """``{check name: what it tests}`` of one graded function: for a hidden case, its role
    (the same for every student, never a drawn value)."""
    spec = reference.load(assignment)
    return {check.name: check.describe
            for check in assignments.build_checks(spec, function, np.random.default_rng(0))}


def stored_row(out, student):
    """The stored row of ``student`` in ``out``; :class:`AppealError` when there is none. The id
    may be given as ``grades.csv`` shows it: with the ``'`` the CSV writer puts before an id that
    begins like a formula (``'-dan`` is ``-dan``), when no student has the id as written."""
    results = Path(out) / "results"
    # only a stored student is read: no path is ever built from the id given
    stored = {p.stem: p for p in results.glob("*.json")}
    path = stored.get(student) or stored.get(overrides.unquoted(student))
    if path is None:
        known = sorted(stored)[:10]
        raise AppealError(f"no stored result for {student!r} in {results} (students there: "
                          f"{', '.join(known) or 'none'}{' ...' if len(known) == 10 else ''})")
    try:
        row = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise AppealError(f"cannot read {path}: {error}") from None
    if not isinstance(row, dict) or "results" not in row:
        raise AppealError(f"{path} is not a stored result")
    return row


def record(out, student, assignment=None, secret=None):
    """The text of the record of ``student`` in ``out``, for ``assignment`` (default: every
    assignment of the row). ``secret``: the course secret, to check the row's seal (None: not
    checked, and the text says so)."""
    row = stored_row(out, student)
    found, problems = overrides.load(out)
    adjuster = overrides.Adjuster(found, problems, source=overrides.digest(out))
    adjusted = adjuster.apply(row)
    if secret is None:
        seal = "seal: not checked (give --secret-file to check it)"
    elif is_sealed(row, secret):
        seal = "seal: holds (the result is as the grader stored it)"
    else:
        seal = "seal: DOES NOT HOLD under this secret: the file was edited since grading, or another secret"
    lines = [f"student: {row['student']}", f"status: {row['status']}", seal]
    lines += [f"note: {note}" for note in adjusted["notes"]]
    results = [r for r in adjusted["results"] if assignment in (None, r["assignment"])]
    if not results:
        graded = ", ".join(r["assignment"] for r in row["results"]) or "none"
        asked = f"{assignment} " if assignment else ""
        lines.append(f"no graded {asked}notebook in this record (graded: {graded})")
    graded_as = {r["assignment"]: r for r in row["results"]}
    for result in results:
        lines += ["", *_result(result, graded_as[result["assignment"]])]
    unread = [problem for problem in adjuster.problems if problem.line]
    if unread:
        lines += ["", f"{overrides.FILE}: lines not applied to anyone (the class summary lists all):"]
        lines += [f"  {problem}" for problem in unread]
    theirs = {override.line for override in found
              if override.student == row["student"] and assignment in (None, override.assignment)}
    refused = [problem for problem in adjuster.not_applied() if problem.line in theirs]
    if refused:
        lines += ["", f"{overrides.FILE}: lines for {row['student']} not applied:"]
        lines += [f"  {problem}" for problem in refused]
    return "\n".join(lines)


def _result(result, graded):
    """The lines of one adjusted ``result`` (``graded``: the same as the grader scored it)."""
    assignment = result["assignment"]
    score = f"{result['score']:g}/{result['max_score']:g}"
    if result["score"] != graded["score"]:
        score += f" (graded {graded['score']:g}, adjusted)"
    lines = [f"== {assignment}: {score}"]
    if result["error"]:
        lines.append(f"not graded: {result['error']}")
    known = reference.load(assignment).names if assignment in reference.NOTEBOOKS else ()
    for name, function in _in_notebook_order(result["functions"], assignment).items():
        was = graded["functions"].get(name, {}).get("score")
        adjusted = f" (graded {was:g}, adjusted)" if was is not None and was != function["score"] else ""
        lines.append(f"-- {name}: {function['score']:g}/{function['max_score']:g}, {function['status']}"
                     f"{adjusted}")
        described = roles(assignment, name) if name in known else {}
        for check in function["checks"]:
            mark = "passed" if check["passed"] else "FAILED"
            lines.append(f"   {mark} {check['name']} ({check['points']:g}/{check['max_points']:g} pt)"
                         + (f" [{check['category']}]" if not check["passed"] else ""))
            if described.get(check["name"]):
                lines.append(f"      tests: {described[check['name']]}")
            if not check["passed"]:
                lines.append(f"      said: {check['message']}")
        if function.get("hint"):
            lines.append(f"   hint: {function['hint']}")
    for adjustment in result.get("adjustments", ()):
        where = f"{overrides.FILE} line {adjustment['line']}" if adjustment["line"] else "late rule"
        lines.append(f"adjusted ({where}): {adjustment['target']} {adjustment['said']}: "
                     f"{adjustment['reason']}")
    provenance = {key: value for key, value in result.get("provenance", {}).items() if key != "adjustments"}
    lines.append("provenance:")
    lines += [f"  {key}: {json.dumps(value, sort_keys=True)}" for key, value in sorted(provenance.items())]
    return lines
