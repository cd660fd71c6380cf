"""Student ids from what a platform wrote in a folder's or file's name: one module for ``grade``
and ``grade-class``, and the roster that maps names given by hand to ids.

The id is also what seeds a student's hidden inputs (:func:`autograder.grading.checks.seed_for`),
so both commands must derive it the same way from the same name, whatever the name is; and
only from what the platform wrote, never from a part of the name the student chose.

:func:`student_id` turns any raw name into an id that is safe as a file name: a name made
only of ``A-Z a-z 0-9 _ . @ + -`` (at most 120 characters, not starting with a dot) is kept
as it is; any other name is spelled with those characters (accents dropped, the rest
``_``) and gets ``-`` and 8 hex digits of a hash of the raw name, so that ``ann marie`` and
``ann_marie`` stay two students, and the id never depends on who else is in the class.

:func:`identify_file` and :func:`identify_folder` read who handed a notebook in from the
fixed prefix a platform puts at the start of the names in its downloads, anchored where the
platform puts it, so the rest of the name (the file name the student gave their upload)
never decides whose it is:

- Moodle: ``<Full Name>_<participant id>_assignsubmission_file_<the student's file name>``
  (Moodle writes the name with spaces for underscores, so the first ``_`` ends it), or a
  folder ``<Full Name>_<participant id>_assignsubmission_file``: the participant id;
- Canvas: ``<name>_[late_]<user id>_<attachment id>_<the student's file name>``: the user id;
- Blackboard (and nbgrader ``zip_collect``'s example):
  ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<the student's file name>``: the
  username, and the attempt's time;
- nbgrader's exchange (its inbound folders): ``<student>+<assignment>+<timestamp>[+<random>]``:
  the student, and the time of the submission.

A name with none of these prefixes was given by hand (:data:`HAND`): the raw name is read
from it as before (``alice_Regularization.ipynb``, ``carol - Gradient Checking.ipynb``), and
a :class:`Roster` may map it to an id.
"""

import csv
import hashlib
import io
import os
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from autograder.grading import reference

SAFE = re.compile(r"[A-Za-z0-9_.@+-]{1,120}")
UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9_.@+-]+")
MAX_ID = 120

#: The id of a learner the platform did not name (Coursera without ``userId``): the course's
#: default hidden inputs, the same for every such learner, whatever their upload is called.
ANONYMOUS = "anonymous"

# Where an id came from: a platform's prefix, a student's folder, or a name given by hand.
MOODLE, CANVAS, BLACKBOARD, EXCHANGE = "Moodle", "Canvas", "Blackboard", "nbgrader exchange"
FOLDER = "folder"
HAND = "file name"
#: The sources whose time of upload, when two uploads map to one student, tells the newest.
TIMED = (BLACKBOARD, EXCHANGE)


class Identity(NamedTuple):
    """Who handed a notebook in, as the name of its file or folder says: ``raw`` (the raw id:
    :func:`student_id` spells it safely), ``source`` (one of the sources above) and ``time``
    (the platform's time of the upload as sortable text, ``YYYY-MM-DDTHH:MM:SS[.ffffff]``, or
    None when the platform gives none)."""

    raw: str
    source: str
    time: str | None = None


MOODLE_FILE = re.compile(r"(?P<name>[^_]+)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?=.)", re.S)
MOODLE_FOLDER = re.compile(r"(?P<name>[^_]+)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_?", re.S)
CANVAS_FILE = re.compile(r"(?P<name>\w+?)_(?:late_)?(?P<id>\d+)_(?P<attachment>\d+)_(?=.)", re.S | re.I)
BLACKBOARD_TIME = r"(?P<time>(?P<date>\d{4}-\d\d-\d\d)-(?P<hh>\d\d)-(?P<mm>\d\d)-(?P<ss>\d\d))"
BLACKBOARD_MARK = re.compile(rf"_attempt_{BLACKBOARD_TIME}(?=[_.]|$)")
EXCHANGE_FOLDER = re.compile(r"(?P<id>[^+*]+)\+(?P<assignment>[^+]+)\+(?P<time>[^+]+)(?:\+[^+]*)?", re.S)
EXCHANGE_TIME = re.compile(r"(?P<date>\d{4}-\d\d-\d\d)[ T](?P<clock>\d\d:\d\d:\d\d)"
                           r"(?:\.(?P<fraction>\d{1,6}))?")
#: Names given by hand: "<student> - <assignment title>" (as Coursera's and hand-made downloads).
DASHED = re.compile(r"^(?P<student>.+?) - .+$")
#: A browser's copy suffix, "name (1)"; and a resubmission suffix, "Regularization-1"
#: (removed only after a notebook's name, as a student id may end in "-12").
COPY_SUFFIX = re.compile(r"\s*\(\d{1,3}\)$")
RESUBMISSION = re.compile(r"-\d{1,2}$")


def student_id(raw):
    """The id of the student whose folder or file is named ``raw`` (see the module docstring)."""
    if SAFE.fullmatch(raw) and not raw.startswith("."):
        return raw
    spelled = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    spelled = UNSAFE_CHAR.sub("_", spelled).strip("_.") or "_"
    digest = hashlib.sha256(os.fsencode(raw) if _has_surrogates(raw) else raw.encode()).hexdigest()[:8]
    return f"{spelled[:MAX_ID - 9]}-{digest}"


def _has_surrogates(text):
    return any("\ud800" <= c <= "\udfff" for c in text)


def printable(name):
    """A file name as text that can be printed and written anywhere: bytes that are not UTF-8
    as ``\\xNN``, control characters (newlines) as escapes, at most 200 characters."""
    if _has_surrogates(name):
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    name = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return name if len(name) <= 200 else name[:197] + "..."


def name_problem(name):
    """Why a file or folder name is odd (not UTF-8, control characters, very long), or None."""
    if _has_surrogates(name):
        return f"the name '{printable(name)}' is not valid UTF-8"
    if any(not c.isprintable() for c in name):
        return f"the name '{printable(name)}' holds control characters (a line break?)"
    if len(os.fsencode(name)) > 200:
        return f"the name '{printable(name)}' is very long ({len(os.fsencode(name))} bytes)"
    return None


def _notebook_suffix(stem):
    """``stem`` less a trailing notebook name (``alice_Regularization`` gives ``alice``), or None
    when there is none; a stem that is only a notebook name gives ``""``."""
    for notebook in reference.NOTEBOOKS.values():
        title = Path(notebook).stem
        for spelling in {title, title.replace("_", " "), title.replace("_", "")}:
            if stem.lower() == spelling.lower():
                return ""
            for separator in ("_", "-", " ", "."):
                if stem.lower().endswith((separator + spelling).lower()):
                    return stem[: -len(spelling) - 1]
    return None


def identify_file(file_name):
    """Who handed in the notebook called ``file_name`` (an :class:`Identity`): the platform's
    prefix when the name starts with one, else the raw name given by hand (:data:`HAND`, ""
    when the name is only the notebook's)."""
    return (_moodle(file_name) or _canvas(file_name) or _blackboard(file_name)
            or Identity(_by_hand(file_name), HAND))


def identify_folder(folder_name):
    """Who handed in the notebooks of the folder ``folder_name``: a Moodle folder
    (``<Full Name>_<participant id>_assignsubmission_file``) gives the participant id, an
    nbgrader exchange folder (``<student>+<assignment>+<timestamp>``) the student and the time;
    any other folder is the student's (``submitted/<student>/``: :data:`FOLDER`), and so is
    an exchange-like name whose timestamp is not in nbgrader's default format."""
    match = MOODLE_FOLDER.fullmatch(folder_name)
    if match:
        return Identity(match["id"], MOODLE)
    match = EXCHANGE_FOLDER.fullmatch(folder_name)
    clock = EXCHANGE_TIME.match(match["time"].strip()) if match else None
    if clock and match["id"].strip():  # nbgrader's default timestamp format: a time, not any text
        fraction = (clock["fraction"] or "").ljust(6, "0")
        return Identity(match["id"].strip(), EXCHANGE, f"{clock['date']}T{clock['clock']}.{fraction}")
    return Identity(folder_name, FOLDER)


def _moodle(name):
    match = MOODLE_FILE.match(name)
    return Identity(match["id"], MOODLE) if match else None


def _canvas(name):
    # Before Blackboard's: a Canvas upload named "attempt_<time>_..." stays Canvas's (the tail
    # is the student's). The price: a Blackboard assignment named like "hw_1" whose usernames
    # are numbers reads as Canvas, every student as "1": their notebooks collide, none graded.
    match = CANVAS_FILE.match(name)
    return Identity(match["id"], CANVAS) if match else None


def _blackboard(name):
    mark = BLACKBOARD_MARK.search(name)  # the first: the student's file name comes after it
    if mark is None:
        return None
    assignment, _, user = name[:mark.start()].rpartition("_")
    if not assignment or not user.strip():
        return None
    return Identity(user, BLACKBOARD, f"{mark['date']}T{mark['hh']}:{mark['mm']}:{mark['ss']}")


def _by_hand(file_name):
    stem = file_name[:-6] if file_name.lower().endswith(".ipynb") else Path(file_name).stem
    stem = COPY_SUFFIX.sub("", stem.strip())
    if RESUBMISSION.search(stem) and _notebook_suffix(RESUBMISSION.sub("", stem)) is not None:
        stem = RESUBMISSION.sub("", stem)
    match = DASHED.match(stem)
    if match:
        return match["student"].strip()
    without = _notebook_suffix(stem)
    return stem if without is None else without.strip(" _-.")


def platform_name(name):
    """The student's name as the platform wrote it before its id in the name of a file or folder
    of its download (Moodle: the full name; Canvas: its sortable name without spaces), or
    None when the platform writes none there (Blackboard, nbgrader) or the name has no
    platform's prefix. Never an id: :func:`identify_file` and :func:`identify_folder` say who."""
    for pattern in (MOODLE_FOLDER, MOODLE_FILE):
        match = pattern.fullmatch(name) if pattern is MOODLE_FOLDER else pattern.match(name)
        if match:
            return match["name"].strip() or None
    match = CANVAS_FILE.match(name)
    return match["name"] if match else None


def raw_student_of_file(file_name):
    """The raw student name in a notebook's file name ("" when the name is only the notebook's)."""
    return identify_file(file_name).raw


def raw_student_of_folder(folder_name):
    """The raw student name of a student's folder: the name itself, or the id in a Moodle or
    nbgrader exchange folder."""
    return identify_folder(folder_name).raw


def student_of_path(path):
    """The student id of the notebook at ``path`` as ``grade`` sees it, the same as ``grade-class``
    gives it: ``<class>/<student>/<assignment>/X.ipynb`` gives the student's folder, and so does
    a Moodle or nbgrader exchange folder holding the notebook; else a file named after its
    student gives that name, a file named only after its notebook gives its folder."""
    path = Path(path)
    if reference.NOTEBOOKS.get(path.parent.name) or _assignment_folder(path.parent.name):
        if path.parent.parent.name:
            return student_id(raw_student_of_folder(path.parent.parent.name))
    if path.parent.name and identify_folder(path.parent.name).source != FOLDER:
        return student_id(raw_student_of_folder(path.parent.name))
    raw = raw_student_of_file(path.name)
    if not raw and path.parent.name:
        raw = raw_student_of_folder(path.parent.name)
    return student_id(raw or path.stem)


def _assignment_folder(name):
    key = name.lower().replace("-", "_").replace(" ", "_")
    return key if key in reference.NOTEBOOKS else None


assignment_of_folder = _assignment_folder


# The roster ----------------------------------------------------------------------------------

#: What ``grade-class --roster`` expects, said whenever a roster cannot be read.
ROSTER_FORMAT = ("a UTF-8 CSV file whose first row names the columns id, name and email (other columns "
                 "are ignored), then one row per student; each id as grades.csv shows it (letters, "
                 "digits and _ . @ + - only), each one once")
#: The start of the note on a student whose id the roster does not hold.
NOT_IN_ROSTER = "not in the roster"


class RosterError(ValueError):
    """A roster that cannot be used; the message says why and what is expected."""


def _key(text):
    """A name or an email as the roster compares them: case, accents' composition, runs of
    spaces and underscores do not count."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("_", " ").split())


class Roster:
    """The class list of ``grade-class --roster``: ``ids`` (every student id), ``people`` (each
    id's name and email) and, for files named by hand, a way from a name or an email to an id
    (:meth:`resolve`)."""

    def __init__(self, rows):
        """``rows``: ``[(id, name, email)]``, each id at most once (:func:`load_roster` checks)."""
        self.ids = frozenset(student for student, _, _ in rows)
        self.people = {student: (name, email) for student, name, email in rows}  # id -> (name, email)
        self._names = {}  # key of a name, email or id -> id, or None when several rows share it
        for student, name, email in rows:
            for text in {student, name, email}:
                key = _key(text)
                if key:
                    self._names[key] = student if self._names.get(key, student) == student else None

    def resolve(self, identity):
        """``(id, note)`` of a notebook whose name or folder says ``identity``: an id of the
        roster is kept; a name given by hand (a loose file's, or a folder's) that is a roster
        name, email or id (case aside) gives that row's id; otherwise the id the name gives,
        and a note saying it is not in the roster (None when it is)."""
        student = student_id(identity.raw)
        if student in self.ids:
            return student, None
        if identity.source in (HAND, FOLDER):
            found = self._names.get(_key(identity.raw), False)
            if found:
                return found, None
            if found is None:
                return student, (f"{NOT_IN_ROSTER}: {student} (the name '{printable(identity.raw)}' "
                                 "matches more than one of its rows)")
        return student, f"{NOT_IN_ROSTER}: {student}"


def load_roster(path):
    """The :class:`Roster` in the CSV file at ``path``; :class:`RosterError` if it is not
    :data:`ROSTER_FORMAT`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"no such roster file: {path} (expected {ROSTER_FORMAT})") from None
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path} is not UTF-8 text (expected {ROSTER_FORMAT})") from None
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error.strerror or error}") from None

    def bad(why):
        return RosterError(f"the roster {path} cannot be used: {why} (expected {ROSTER_FORMAT})")

    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise bad(f"it is not CSV ({error})") from None
    header = [cell.strip().lower() for cell in lines[0]] if lines else []
    missing = [column for column in ("id", "name", "email") if column not in header]
    if missing:
        first = f"its first row is {printable(','.join(lines[0]))!r}" if lines else "it is empty"
        raise bad(f"no column {', '.join(missing)} in its first row ({first})")
    if len(set(header)) < len(header):
        raise bad("its first row names a column twice")
    where = {column: header.index(column) for column in ("id", "name", "email")}
    rows, seen = [], {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise bad(f"line {number} has {len(cells)} fields, its first row {len(header)}")
        student, name, email = (cells[where[column]].strip() for column in ("id", "name", "email"))
        if not student:
            raise bad(f"line {number} has no id")
        if student_id(student) != student:
            raise bad(f"the id {printable(student)!r} on line {number} is not one grades.csv can show")
        if student in seen:
            raise bad(f"the id {student!r} is on lines {seen[student]} and {number}")
        seen[student] = number
        rows.append((student, name, email))
    if not rows:
        raise bad("it lists no student")
    return Roster(rows)
