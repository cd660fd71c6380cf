"""Grades back into a learning platform, in the platform's own import format, one assignment at
a time: the file an instructor uploads after ``grade-class`` with no hand editing.

- **Canvas**, the gradebook import CSV: the columns ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column named as the assignment is in the course (``Regularization
  (123456)`` matches that assignment; a name without an id makes a new one), a ``Points
  Possible`` row under the header, then one row per student. Canvas matches a row by ``ID``,
  the Canvas user id, which is the id a Canvas download gives each student. UTF-8 with a
  byte-order mark (as Canvas's own export; Canvas reads it with or without one).
- **Moodle**, the assignment's offline grading worksheet: ``Identifier`` (``Participant
  <id>``, the participant id Moodle puts in each downloaded file's name), ``Full name``,
  ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``,
  ``Last modified (submission)``, ``Last modified (grade)``. Moodle reads ``Identifier``,
  ``Grade`` and ``Last modified (grade)``: it skips a blank grade, a grade out of range, and a
  grade changed in Moodle after the ``Last modified (grade)`` time (unless told to ignore it).
  UTF-8 without a byte-order mark, commas (Moodle's own worksheet and its upload defaults).
- **Blackboard**, the Grade Center upload: ``Last Name, First Name, Username, Student ID``,
  then one column, ``<name> [Total Pts: <points> Score] |<column id>`` (with the id it updates
  that column; without one Blackboard makes a new text column); Blackboard matches a row by
  ``Username``, the one its download gives each student. Tab-delimited, UTF-16 with its
  byte-order mark, ``.xls``: what Blackboard's own download is and the delimiter its help
  recommends for upload (no quoting needed).

The ids and names come from the download the class was read from (the platform's prefix of
each file or folder name, :mod:`autograder.grading.students`), the roster (``--roster``: its names and
emails, and the students who handed nothing in) and, best, the platform's own export given as
``sheet`` (a Canvas gradebook export, a Moodle grading worksheet, a Blackboard Grade Center
download): then every row, column and id of it is kept as the platform wrote it, only the
assignment's column is filled in, and the assignment's column is found in it by name.

A student the platform knows who handed nothing in gets the platform's own convention by
default, ``blank``: the cell the platform's export had (empty when it had none, or without a
sheet), which every one of the three imports reads as "no change"; ``zero`` writes 0. A
student whose grade is undecided (several notebooks and no time to tell the newest) gets an
empty cell and is counted apart. Every cell goes through :mod:`autograder.course.spreadsheet`: the
cells of the platform's own export are written back as they came
(:class:`~autograder.course.spreadsheet.Verbatim`: Moodle's ``-`` for "none" stays ``-``), while every
name and id the kit took from the download's file names, the roster or the options is
neutralised as any text (``'=...``).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from autograder.course import spreadsheet
from autograder.grading import reference
from autograder.grading.students import identify_file, identify_folder, platform_name, student_id

PLATFORMS = ("canvas", "moodle", "blackboard")
NO_SUBMISSION = ("blank", "zero")
TITLES = reference.TITLES
NAMES = {"canvas": "Canvas gradebook import", "moodle": "Moodle grading worksheet",
         "blackboard": "Blackboard Grade Center upload"}

CANVAS_PEOPLE = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section")
CANVAS_POINTS = "    Points Possible"  # as Canvas's export spells it, spaces included
MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)")
MOODLE_PARTICIPANT = "Participant "
BLACKBOARD_PEOPLE = ("Last Name", "First Name", "Username", "Student ID")
#: The column each platform matches a row by.
KEYS = {"canvas": "ID", "moodle": "Identifier", "blackboard": "Username"}
#: A column's name less the id the platform appends: Canvas "Name (123)", Blackboard
#: "Name [Total Pts: 50 Score] |123".
CANVAS_COLUMN = re.compile(r"^(?P<name>.*?)\s*\(\d+\)$")
BLACKBOARD_COLUMN = re.compile(r"^(?P<name>.*?)\s*(\[[^\]]*\])?\s*(\|\s*\d+)?$")


class SheetError(ValueError):
    """The platform's export given as a sheet cannot be used; the message says why."""


@dataclass
class Sheet:
    """A platform's export: its ``header`` and ``rows`` (lists of text cells as the platform wrote
    them, each a :class:`~autograder.course.spreadsheet.Verbatim`, written back as it came)."""

    header: list
    rows: list = field(default_factory=list)

    def column(self, name):
        return self.header.index(name) if name in self.header else None


def read_sheet(platform, path):
    """The platform's own export at ``path`` as a :class:`Sheet` (UTF-8 with or without a
    byte-order mark, or UTF-16 with one; commas or tabs); :class:`SheetError` when it is not
    one (its key column, :data:`KEYS`, missing)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SheetError(f"cannot read the {platform} sheet {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(f"the {platform} sheet {path} is neither UTF-8 nor UTF-16 text") from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        lines = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
                 if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise SheetError(f"the {platform} sheet {path} is not CSV ({error})") from None
    if not lines or KEYS[platform] not in [cell.strip() for cell in lines[0]]:
        raise SheetError(f"the {platform} sheet {path} has no column {KEYS[platform]!r} in its first row "
                         f"(expected the platform's own export: {NAMES[platform]})")
    header = [spreadsheet.Verbatim(cell.strip()) for cell in lines[0]]
    rows = [[spreadsheet.Verbatim(cell) for cell in row + [""] * (len(header) - len(row))]
            for row in lines[1:]]
    return Sheet(header, rows)


def people_of(submissions, roster=None):
    """``{student: (name, email)}`` as the download's names (the platform's prefix of each file
    or folder) and the roster (``roster.people``) give them; a roster's students included."""
    people = {}
    if roster is not None:
        people.update(roster.people)
    for submission in submissions:
        if submission.student in people:
            continue
        for origin in submission.origins:
            first = origin.where.split("/", 1)[0]
            identity = identify_folder(first) if "/" in origin.where else identify_file(first)
            name = platform_name(first)
            if name and student_id(identity.raw) == submission.student:
                people[submission.student] = (name, "")
                break
    return people


@dataclass
class Written:
    """What :func:`write` wrote: ``path``, and how many rows were ``graded``, had ``no_submission``
    (the convention's cell) or were ``undecided`` (an empty cell)."""

    path: Path
    platform: str
    column: str
    graded: int = 0
    no_submission: int = 0
    undecided: list = field(default_factory=list)
    not_in_sheet: list = field(default_factory=list)

    def line(self, convention):
        undecided = (f", {len(self.undecided)} undecided (empty: {', '.join(self.undecided[:5])})"
                     if self.undecided else "")
        missing = (f"; not in the sheet, so not in the file: {len(self.not_in_sheet)} graded "
                   f"student{'s' if len(self.not_in_sheet) > 1 else ''} "
                   f"({', '.join(self.not_in_sheet[:5])}{' ...' if len(self.not_in_sheet) > 5 else ''})"
                   if self.not_in_sheet else "")
        return (f"{NAMES[self.platform]}: {self.path} (column {self.column!r}: {self.graded} graded, "
                f"{self.no_submission} without a notebook of it, {convention}{undecided}){missing}")


def _title_of(name, pattern):
    match = pattern.match(name.strip())
    return (match["name"] if match else name).strip().casefold()


def choose_column(platform, assignment, sheet=None, column=None):
    """The name of the assignment's column: ``column`` as given, else the sheet's column named
    as the assignment (its title or its name, less the platform's id), else the title
    (Blackboard: with its points). Moodle's worksheet has one grade column: ``Grade``."""
    if platform == "moodle":
        return "Grade"
    if column:
        return column
    spec = reference.load(assignment)
    wanted = {TITLES[assignment].casefold(), assignment.casefold()}
    pattern = CANVAS_COLUMN if platform == "canvas" else BLACKBOARD_COLUMN
    if sheet is not None:
        for name in sheet.header:
            if name not in CANVAS_PEOPLE + BLACKBOARD_PEOPLE and _title_of(name, pattern) in wanted:
                return name
    if platform == "blackboard":
        return f"{TITLES[assignment]} [Total Pts: {spec.max_score:g} Score]"
    return TITLES[assignment]


def moodle_time(moment):
    """A time as Moodle writes one in its worksheet (``Monday, 7 December 2026, 1:05 AM``)."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%A}, {moment.day} {moment:%B %Y}, {hour}:{moment:%M} {half}"


def write(platform, rows, out, assignment, *, people=None, sheet=None, column=None, convention="blank",
          now=None):
    """Write the import file of ``platform`` for ``assignment`` into ``out/lms/`` from the class's
    (adjusted) ``rows``; returns a :class:`Written`. ``people``: :func:`people_of`; ``sheet``: the
    platform's export (:func:`read_sheet`); ``convention``: ``blank`` or ``zero`` for students
    who handed nothing in; ``now``: the time written as Moodle's ``Last modified (grade)``
    without a sheet (default: this moment, UTC)."""
    if platform not in PLATFORMS:
        raise ValueError(f"no platform {platform!r} (one of {', '.join(PLATFORMS)})")
    people = people or {}
    spec = reference.load(assignment)
    column = choose_column(platform, assignment, sheet, column)
    scores, undecided = {}, set()
    for row in rows:
        result = next((r for r in row["results"] if r["assignment"] == assignment), None)
        if result is not None:
            scores[row["student"]] = result["score"]
        elif row["status"] == "error":
            undecided.add(row["student"])
        else:
            scores.setdefault(row["student"], None)  # in the class, but no notebook of this assignment
    folder = Path(out) / "lms"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "xls" if platform == "blackboard" else "csv"
    written = Written(folder / f"{platform}-{assignment}.{suffix}", platform, column)

    seen = set()

    def score_cell(student, kept=""):
        """The cell of ``student``'s score; ``kept``: the sheet's own cell for them."""
        seen.add(student)
        if student in undecided:
            written.undecided.append(student)
            return ""
        score = scores.get(student)
        if score is None:
            written.no_submission += 1
            return 0.0 if convention == "zero" else kept
        written.graded += 1
        return score

    if platform == "canvas":
        header, body = _canvas(sheet, people, scores, undecided, column, score_cell)
        body.insert(0, [CANVAS_POINTS, *[""] * (len(header) - 2), spec.max_score])
        spreadsheet.write_csv(written.path, header, body, encoding="utf-8-sig")
    elif platform == "moodle":
        moment = moodle_time(now or datetime.now(UTC))
        header, body = _moodle(sheet, people, scores, undecided, spec, score_cell, moment)
        spreadsheet.write_csv(written.path, header, body, encoding="utf-8")
    else:
        header, body = _blackboard(sheet, people, scores, undecided, column, score_cell)
        spreadsheet.write_csv(written.path, header, body, encoding="utf-16", delimiter="\t")
    written.not_in_sheet = sorted((set(scores) | undecided) - seen)  # said, never dropped silently
    return written


def _everyone(people, scores, undecided):
    return sorted(set(scores) | set(undecided) | set(people))


def _canvas(sheet, people, scores, undecided, column, score_cell):
    if sheet is None:
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column]
        body = [[people.get(student, ("", ""))[0], student, "", "", "", score_cell(student)]
                for student in _everyone(people, scores, undecided)]
        return header, body
    kept = [i for i, name in enumerate(sheet.header) if name in CANVAS_PEOPLE]
    key, own = sheet.column("ID"), sheet.column(column)
    header = [sheet.header[i] for i in kept] + [column]
    body = []
    for cells in sheet.rows:
        student = cells[key].strip()
        if not student or not student.isdigit():  # "Points Possible", "Manual Posting", ...
            continue
        body.append([cells[i] for i in kept] + [score_cell(student, cells[own] if own is not None else "")])
    return header, body


def _participant(identifier):
    identifier = identifier.strip()
    return identifier[len(MOODLE_PARTICIPANT):].strip() if identifier.startswith(MOODLE_PARTICIPANT) else None


def _moodle(sheet, people, scores, undecided, spec, score_cell, moment):
    def grade(value):
        return f"{value:.2f}" if isinstance(value, float | int) else value

    if sheet is None:
        body = []
        for student in _everyone(people, scores, undecided):
            name, email = people.get(student, ("", ""))
            handed = student in scores and scores[student] is not None or student in undecided
            body.append([f"{MOODLE_PARTICIPANT}{student}", name, email,
                         "Submitted for grading" if handed else "No submission",
                         grade(score_cell(student)), f"{spec.max_score:.2f}", "Yes", "", moment])
        return list(MOODLE_COLUMNS), body
    key, own = sheet.column("Identifier"), sheet.column("Grade")
    if own is None or sheet.column("Last modified (grade)") is None:
        raise SheetError("the Moodle worksheet has no Grade or Last modified (grade) column: download it "
                         "again from the assignment (Grading action: Download grading worksheet)")
    body = []
    for cells in sheet.rows:
        student = _participant(cells[key])
        if student is None:
            continue
        cells = list(cells)
        cells[own] = grade(score_cell(student, cells[own]))
        body.append(cells)
    return sheet.header, body


def _blackboard(sheet, people, scores, undecided, column, score_cell):
    if sheet is None:
        body = []
        for student in _everyone(people, scores, undecided):
            name = people.get(student, ("", ""))[0]
            first, _, last = name.rpartition(" ")
            body.append([last, first, student, "", score_cell(student)])
        return [*BLACKBOARD_PEOPLE, column], body
    kept = [i for i, name in enumerate(sheet.header) if name in BLACKBOARD_PEOPLE]
    key, own = sheet.column("Username"), sheet.column(column)
    body = [[cells[i] for i in kept] + [score_cell(cells[key].strip(), cells[own] if own is not None else "")]
            for cells in sheet.rows if cells[key].strip()]
    return [sheet.header[i] for i in kept] + [column], body
