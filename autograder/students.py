"""Student ids from folder and file names: one function for ``grade`` and ``grade-class``.

The id is also what seeds a student's hidden inputs (:func:`autograder.checks.seed_for`),
so both commands must derive it the same way from the same name, whatever the name is.

:func:`student_id` turns any raw name into an id that is safe as a file name: a name made
only of ``A-Z a-z 0-9 _ . @ + -`` (at most 120 characters, not starting with a dot) is kept
as it is; any other name is spelled with those characters (accents dropped, the rest
``_``) and gets ``-`` and 8 hex digits of a hash of the raw name, so that ``ann marie`` and
``ann_marie`` stay two students, and the id never depends on who else is in the class.

:func:`raw_student_of_file` reads the raw name out of a notebook's file name, for files as
learning platforms name them in their downloads (the patterns are in :data:`PATTERNS`; an
unknown pattern falls back to the file's stem).
"""

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from autograder import reference

SAFE = re.compile(r"[A-Za-z0-9_.@+-]{1,120}")
UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9_.@+-]+")
MAX_ID = 120

#: ``(platform, pattern)``: the named group ``student`` of the first pattern that matches a
#: notebook's file stem (the name without ``.ipynb``) is the student's raw name. Copies made
#: by a browser (``name (1)``, ``name-1``) are stripped first.
PATTERNS = (
    # nbgrader zip_collect, in the file names of its documented example (Blackboard):
    # <assignment>_<student>_attempt_<timestamp>_<file>
    ("nbgrader zip_collect / Blackboard",
     re.compile(r"^.+?_(?P<student>[^_]+)_attempt_\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d(?:_.*)?$")),
    # Canvas "Download submissions": <name>_[LATE_]<user id>_<submission id>_<file>; the name is
    # lowercase letters only, the user id is stable across assignments: both are kept.
    ("Canvas", re.compile(r"^(?P<name>[a-z]+)_(?:late_)?(?P<user>\d+)_\d+_.*$", re.IGNORECASE)),
    # Moodle "Download all submissions": <Full Name>_<participant id>_assignsubmission_file_<file>
    # (the participant id changes from one assignment to the next: only the name is kept).
    ("Moodle", re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_(?:file|onlinetext)_.*$")),
    # Coursera and hand-made downloads: "<student> - <assignment title>"
    ("Coursera", re.compile(r"^(?P<student>.+?) - .+$")),
)
#: A browser's copy suffix, "name (1)"; and Canvas's resubmission suffix, "Regularization-1"
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


def raw_student_of_file(file_name):
    """The raw student name in a notebook's file name ("" when the name is only the notebook's)."""
    stem = file_name[:-6] if file_name.lower().endswith(".ipynb") else Path(file_name).stem
    stem = COPY_SUFFIX.sub("", stem.strip())
    if RESUBMISSION.search(stem) and _notebook_suffix(RESUBMISSION.sub("", stem)) is not None:
        stem = RESUBMISSION.sub("", stem)
    for _, pattern in PATTERNS:
        match = pattern.match(stem)
        if match:
            groups = match.groupdict()
            if "user" in groups:
                return f"{groups['name']}_{groups['user']}"
            return groups["student"].strip()
    without = _notebook_suffix(stem)
    return stem if without is None else without.strip(" _-.")


def raw_student_of_folder(folder_name):
    """The raw student name of a student's folder: the name itself, or the name in a Moodle
    folder (``<Full Name>_<participant id>_assignsubmission_file_``)."""
    match = PATTERNS[2][1].match(folder_name)
    return match.group("student").strip() if match else folder_name


def student_of_path(path):
    """The student id of the notebook at ``path`` as ``grade`` sees it, the same as ``grade-class``
    gives it: ``<class>/<student>/<assignment>/X.ipynb`` gives the student's folder, a file named
    after its student gives that name, a file named only after its notebook gives its folder."""
    path = Path(path)
    if reference.NOTEBOOKS.get(path.parent.name) or _assignment_folder(path.parent.name):
        if path.parent.parent.name:
            return student_id(raw_student_of_folder(path.parent.parent.name))
    raw = raw_student_of_file(path.name)
    if not raw and path.parent.name:
        raw = raw_student_of_folder(path.parent.name)
    return student_id(raw or path.stem)


def _assignment_folder(name):
    key = name.lower().replace("-", "_").replace(" ", "_")
    return key if key in reference.NOTEBOOKS else None


assignment_of_folder = _assignment_folder
