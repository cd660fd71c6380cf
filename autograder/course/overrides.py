"""Instructor adjustments that survive reruns: ``OUT/overrides.csv`` and the late-penalty rule.

The grader's own scores stay as they were graded (``OUT/results/<student>.json``, sealed);
on every ``grade-class`` run, after grading and before every export, an :class:`Adjuster`
lays the instructor's adjustments over them, so the same file gives the same grades after
any number of reruns and after ``--rescore``.

``overrides.csv`` is the instructor's, in the class's output folder: a UTF-8 CSV file (a
spreadsheet's byte-order mark is fine) whose first row names the columns ``student,
assignment, function, points, reason``, in this order; more columns may follow (who, when) and
are not read. One line per adjustment:

- ``student``: the id as ``grades.csv`` shows it (a leading ``'`` that the CSV writer put
  before a ``+``, ``-``, ``=`` or ``@`` is read as not there);
- ``assignment``: its name (``regularization``) or its title (``Regularization``);
- ``function``: a graded function of that assignment, or empty for the assignment's total;
- ``points``: a new score (``8``), or a change when it starts with ``+`` or ``-`` (``+2``,
  ``-1.5``); a new score must lie between 0 and the points of what it adjusts, a change
  that would leave them is cut at 0 or at the maximum (and the listing says so);
- ``reason``: what the student reads on their feedback page, after "adjusted by your
  instructor: " (required).

Lines apply in the file's order, each to the scores the line above left. A line that cannot
be read (too few cells, an unknown assignment or function, points that are not a number, no
reason) is reported with its line number and is not applied; every other line is. A line
whose student is not in the class, or has no graded notebook of that assignment, is
reported as not applied: never dropped silently.

The late-penalty rule (:class:`LateRule`) is the same mechanism with a computed line: a
notebook handed in after the due date, by the platform's time of the upload (Blackboard
attempts, nbgrader exchange submissions: the only downloads that carry one), loses a share
of the assignment's points per day started, up to a cap. It applies before the lines of
the file, so that an instructor's line can still set any score.
"""

import copy
import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.course import spreadsheet
from autograder.course.batch import is_sealed, seal, write_atomically
from autograder.grading import reference
from autograder.grading.result import rounded

#: The file's name in the class's output folder.
FILE = "overrides.csv"
#: The columns the file's first row names, in this order.
HEADER = ("student", "assignment", "function", "points", "reason")
#: What the student reads before the reason.
SAID = "adjusted by your instructor"
TITLES = reference.TITLES
POINTS = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Override:
    """One line of ``overrides.csv``: ``points`` is a new score, or a change when ``relative``;
    ``function`` is None for the assignment's total."""

    line: int
    student: str
    assignment: str
    function: str | None
    points: float
    relative: bool
    reason: str
    kind: str = "override"

    def target(self):
        """What it adjusts, as the summary names it: ``assignment`` or ``assignment:function``."""
        return f"{self.assignment}:{self.function}" if self.function else self.assignment

    def spelled(self):
        """The points as the file gives them: ``8``, ``+2``, ``-1.5``."""
        return f"{self.points:+g}" if self.relative else f"{self.points:g}"


@dataclass(frozen=True)
class Problem:
    """A line of ``overrides.csv`` that was not applied, and why."""

    line: int
    text: str

    def __str__(self):
        return f"line {self.line}: {self.text}" if self.line else self.text


def _assignment(text):
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    return key if key in reference.NOTEBOOKS else None


def unquoted(text):
    """``text`` less the ``'`` the kit's CSV writer puts before a formula's first character (and
    the spaces around it): a student id as ``grades.csv`` shows it, read as the id."""
    text = text.strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(spreadsheet.FORMULA_START) else text


def parse(text):
    """``(overrides, problems)`` of the text of an ``overrides.csv`` (see the module's docstring)."""
    try:
        lines = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(lines, None)
    except csv.Error as error:
        return [], [Problem(1, f"not CSV ({error}); nothing in the file was applied")]
    if header is None:
        return [], []
    names = tuple(cell.strip().lower() for cell in header[:len(HEADER)])
    if names != HEADER:
        return [], [Problem(1, f"the first row must begin with {','.join(HEADER)} (it is "
                               f"{','.join(header)[:120]!r}); nothing in the file was applied")]
    overrides, problems = [], []
    while True:
        try:
            cells = next(lines)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(lines.line_num, f"not CSV ({error}); the lines after it were not read"))
            break
        number = lines.line_num
        if not any(cell.strip() for cell in cells):
            continue
        found = _line(number, cells)
        (overrides if isinstance(found, Override) else problems).append(found)
    return overrides, problems


def _line(number, cells):
    """The :class:`Override` of one line, or the :class:`Problem` that keeps it out."""
    if len(cells) < len(HEADER):
        return Problem(number, f"{len(cells)} cells, {len(HEADER)} expected ({','.join(HEADER)})")
    student, assignment_text, function, points, reason = (unquoted(cell) for cell in cells[:len(HEADER)])
    if not student:
        return Problem(number, "no student")
    assignment = _assignment(assignment_text)
    if assignment is None:
        return Problem(number, f"no assignment {assignment_text!r} (one of {', '.join(reference.NOTEBOOKS)})")
    names = reference.load(assignment).names
    if function and function not in names:
        return Problem(number, f"{assignment} has no graded function {function!r} (its functions: "
                               f"{', '.join(names)}; leave it empty for the total)")
    if not POINTS.fullmatch(points):
        return Problem(number, f"points {points!r} are not a number (a new score such as 8, or a change "
                               "such as +2 or -1.5)")
    if not reason:
        return Problem(number, "no reason (the student reads it on their feedback page)")
    return Override(number, student, assignment, function or None, float(points),
                    points.startswith(("+", "-")), reason)


def load(out):
    """``(overrides, problems)`` of ``out/overrides.csv``; no file: nothing, and nothing wrong."""
    path = Path(out) / FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [Problem(0, f"cannot read {path} ({error.strerror or error}); nothing in it was applied")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, f"{path} is not UTF-8 text; nothing in it was applied")]
    return parse(text)


def digest(out):
    """The sha256 of ``out/overrides.csv`` (None without one), kept in each adjusted result's
    provenance."""
    try:
        return hashlib.sha256((Path(out) / FILE).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class LateRule:
    """A late penalty: ``per_day`` percent of an assignment's points for each day started after
    ``due`` (text ``YYYY-MM-DDTHH:MM[:SS]``, in the platform's clock), at most ``cap`` percent."""

    due: str
    per_day: float
    cap: float = 100.0

    def __post_init__(self):
        due = parse_time(self.due)
        if due is None:
            raise ValueError(f"the due date {self.due!r} is not a time YYYY-MM-DDTHH:MM[:SS]")
        if not 0 <= self.per_day <= 100 or not 0 <= self.cap <= 100:
            raise ValueError("the late penalty and its cap are percentages from 0 to 100")

    def override(self, student, assignment, handed_in, max_score):
        """The computed :class:`Override` (line 0) of a notebook handed in at ``handed_in``, or
        None when it was on time, its time is unknown or the rule takes nothing (a penalty or
        a cap of 0 %: no adjustment of 0 points is listed)."""
        when, due = parse_time(handed_in or ""), parse_time(self.due)
        if when is None or when <= due:
            return None
        days = math.ceil((when - due).total_seconds() / 86400)
        share = min(self.cap, self.per_day * days)
        if share == 0:
            return None
        late = f"{days} day{'s' if days > 1 else ''}"
        capped = f", capped at {self.cap:g}%" if share < self.per_day * days else ""
        return Override(0, student, assignment, None, -rounded(max_score * share / 100), True,
                        f"handed in {late} after the due date ({handed_in} for {self.due}): "
                        f"{share:g}% of the points off ({self.per_day:g}% a day{capped})", kind="late")


def parse_time(text):
    """A platform's time as a :class:`datetime` (naive), or None."""
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        return None


class Adjuster:
    """Lays ``overrides`` (and the ``late`` rule, if any) over stored student rows.

    :meth:`apply` may see a row any number of times (each export reads the rows again); what
    was applied and what could not be is gathered once per line and student."""

    def __init__(self, overrides=(), problems=(), late=None, source=None):
        self.overrides, self.problems, self.late, self.source = list(overrides), list(problems), late, source
        self.by_target = {}
        for override in self.overrides:
            self.by_target.setdefault((override.student, override.assignment), []).append(override)
        self.applied = {}  # (student, assignment, line) -> adjustment dict
        self.refused = {}  # line -> Problem (an absolute score out of range)
        self.students, self.graded = set(), set()

    def __bool__(self):
        return bool(self.overrides or self.problems or self.late)

    def apply(self, row):
        """``row`` with the adjustments laid over its results (a copy; ``row`` is unchanged, and
        returned as it is when nothing applies to it).
        Each adjusted result carries ``adjustments`` (``[{"line", "kind", "target", "points",
        "before", "after", "reason", "said"}]``, also in its provenance with the file's digest)
        and the row a note per adjustment."""
        self.students.add(row["student"])
        self.graded.update((row["student"], result["assignment"]) for result in row["results"])
        if not self.late and not any((row["student"], result["assignment"]) in self.by_target
                                     or "adjustments" in result.get("provenance", {})
                                     for result in row["results"]):
            return row  # nothing to lay over it (the usual case: the exports read every row)
        adjusted = {**row, "results": copy.deepcopy(row["results"]), "notes": list(row["notes"])}
        for result in adjusted["results"]:
            lines = list(self.by_target.get((row["student"], result["assignment"]), []))
            late = self.late and self.late.override(row["student"], result["assignment"],
                                                    row.get("times", {}).get(result["assignment"]),
                                                    result["max_score"])
            adjustments = [a for a in (self._one(result, o) for o in ([late] if late else []) + lines) if a]
            result.setdefault("provenance", {})
            result["provenance"].pop("adjustments", None)
            result.pop("adjustments", None)
            if adjustments:
                result["adjustments"] = adjustments
                result["provenance"]["adjustments"] = {"file": FILE, "sha256": self.source,
                                                       "applied": adjustments}
                adjusted["notes"] = [*adjusted["notes"], *(
                    f"{a['target']}: {SAID}: {a['reason']} ({a['said']})" for a in adjustments)]
                for adjustment in adjustments:
                    self.applied[(row["student"], result["assignment"], adjustment["line"])] = adjustment
        return adjusted

    def _one(self, result, override):
        """Apply ``override`` to ``result`` in place; the adjustment made, or None if refused."""
        if override.function:
            holder = result["functions"][override.function]
        else:
            holder = result
        before, top = holder["score"], holder["max_score"]
        after = before + override.points if override.relative else override.points
        if not override.relative and not 0 <= after <= top:
            self.refused[override.line] = Problem(override.line, f"{override.student} {override.target()}: "
                                                                 f"{override.spelled()} is not between 0 and "
                                                                 f"{top:g}; not applied")
            return None
        cut = min(max(after, 0.0), top)
        after = rounded(cut)
        holder["score"] = after
        if override.function:
            result["score"] = rounded(min(max(result["score"] + after - before, 0.0), result["max_score"]))
        said = f"{before:g} → {after:g}"
        if override.relative and cut != before + override.points:
            said += f" ({override.spelled()}, cut at {after:g})"
        return {"line": override.line, "kind": override.kind, "target": override.target(),
                "points": override.spelled(), "before": before, "after": after,
                "reason": override.reason, "said": said}

    def not_applied(self):
        """Every line that was not applied, and why, in the file's order (after :meth:`apply`
        has seen every row of the class)."""
        problems = list(self.problems) + list(self.refused.values())
        for override in self.overrides:
            if override.line in self.refused:
                continue
            if override.student not in self.students:
                problems.append(Problem(override.line, f"no student {override.student!r} in this class's "
                                                       "grades; not applied"))
            elif (override.student, override.assignment) not in self.graded:
                problems.append(Problem(override.line, f"{override.student} has no graded "
                                                       f"{override.assignment} notebook; not applied"))
        return sorted(problems, key=lambda problem: problem.line)

    def summary(self):
        """The summary's lines on adjustments (none without any)."""
        applied = sorted(self.applied.items(), key=lambda item: (item[1]["line"], item[0]))
        problems = self.not_applied()
        if not applied and not problems:
            return []
        lines = [f"instructor adjustments ({FILE}{' and the late rule' if self.late else ''}): "
                 f"{len(applied)} applied, {len(problems)} not applied"]
        for (student, _, _), adjustment in applied:
            where = f"line {adjustment['line']}" if adjustment["line"] else "late rule"
            lines.append(f"  {where}: {student} {adjustment['target']} {adjustment['said']} "
                         f"({adjustment['reason']})")
        lines += [f"  not applied: {problem}" for problem in problems]
        return lines

    def listing(self):
        """``[(student, adjustment)]`` of every applied adjustment, for the report."""
        return [(student, adjustment) for (student, _, _), adjustment in
                sorted(self.applied.items(), key=lambda item: (item[0][0], item[1]["line"]))]


def keep_in_provenance(out, stored, adjusted, secret):
    """Record the adjustments of ``adjusted`` in the provenance of the stored row ``stored``
    (its scores stay the grader's), sealed again under ``secret``; written only when they
    changed. Returns whether the row was written."""
    if not is_sealed(stored, secret):  # never seal again what was edited since grading
        return False
    changed = False
    by_assignment = {result["assignment"]: result for result in adjusted["results"]}
    for result in stored["results"]:
        wanted = by_assignment.get(result["assignment"], {}).get("provenance", {}).get("adjustments")
        provenance = result.setdefault("provenance", {})
        if provenance.get("adjustments") != wanted:
            changed = True
            if wanted is None:
                provenance.pop("adjustments", None)
            else:
                provenance["adjustments"] = wanted
    if changed:
        stored["seal"] = seal(stored, secret)
        write_atomically(Path(out) / "results" / f"{stored['student']}.json", stored)
    return changed
