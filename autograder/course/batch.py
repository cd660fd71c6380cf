"""Grade a whole class: find the submissions, grade each student once, keep every result.

The class is a folder in nbgrader's ``submitted/<student>/<assignment>/*.ipynb``
layout, a learning platform's download (the student id is the one the platform put at
the start of each name, never the file name the student chose, see
:mod:`autograder.grading.students`), a folder of loose notebooks named by hand (the id is the
name: ``alice_Regularization.ipynb``), or a zip of any of them. A notebook is graded as
the assignment its content shows, whichever folder it was filed in. Two notebooks of one
assignment for one student: the newest by the platform's time counts, or, without one,
neither (:func:`grade_submission`).

A class may be graded as one assignment (:func:`scoped`): the one asked for, or the one
every notebook of the class shows. Then only that assignment's notebooks are graded and
only it can be missing; a notebook of another assignment is noted as misfiled and counts
nowhere.

Each student is one unit of work. Their result is written atomically to
``DIR/results/<student>.json`` as soon as it is known, together with a
fingerprint of their files, the kit version and the secret, and sealed with an
HMAC under the secret; a rerun skips students whose fingerprint is unchanged and
whose seal holds, so killing the grader at any moment and running the same
command again finishes the class with the same results, and a stored result
edited by hand is graded again rather than exported.
"""

import functools
import gc
import hashlib
import hmac
import json
import os
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import autograder
from autograder.course import similarity
from autograder.course.archive import safe_extract
from autograder.grading import reference
from autograder.grading.extract import NotebookFile
from autograder.grading.grade import Graders, assignment_of_file_name, grade_notebooks
from autograder.grading.students import (
    HAND,
    NOT_IN_ROSTER,
    TIMED,
    assignment_of_folder,
    identify_file,
    identify_folder,
    name_problem,
    printable,
    student_id,
)

#: The source of an id that a roster gave to a name given by hand (``grade-class --roster``).
ROSTER = "roster"
#: What the note on several notebooks of one assignment from one student says, whichever is graded.
SEVERAL = "handed in for one assignment"


class Origin(NamedTuple):
    """Where one notebook of a class came from, as :func:`discover` found it: ``source`` (how
    its student's id was read: a platform's prefix, a folder, a name given by hand, the roster;
    see :mod:`autograder.grading.students`), ``time`` (the platform's time of the upload, or None) and
    ``where`` (its path in the class, to name it in a note)."""

    source: str
    time: str | None
    where: str


@dataclass(frozen=True)
class Submission:
    """One student's notebooks: ``(folder or None, path)`` pairs, where ``folder`` is the name of
    the folder inside the student's folder that holds the notebook (None for a notebook found
    beside the others); and what was odd about their files (``notes``).

    :meth:`packed` gives the same submission with each path replaced by the notebook
    read from it (a :class:`NotebookFile`), for workers that do not share the class's
    file system.

    ``assignment`` is the one assignment the class is graded as (None: every assignment);
    the fingerprint covers it, so a stored result is never reused across the two.

    ``origins`` (one :class:`Origin` per notebook) are given by :func:`discover`: the notebooks
    of a class may come from several uploads, so two of one assignment are never both graded
    nor the better one taken; the newest by the platform's time is graded when the platform
    gives one, and none of them otherwise (:func:`grade_submission`). Without origins (one
    upload, as a platform's grader builds it), the higher score of the two counts.
    """

    student: str
    notebooks: tuple[tuple[str | None, str | NotebookFile], ...]
    notes: tuple[str, ...] = ()
    assignment: str | None = None
    origins: tuple[Origin, ...] = ()

    def packed(self):
        return replace(self, notebooks=tuple(
            (folder, NotebookFile.read(path)) for folder, path in self.notebooks))

    def fingerprint(self, secret):
        """What decides whether a stored result is still this submission's: the grader (the kit's
        version and sources) and :meth:`work_fingerprint`."""
        kit = f"{autograder.__version__}\0{_code_digest()}\0{self.work_fingerprint(secret)}"
        return hashlib.sha256(kit.encode()).hexdigest()

    def work_fingerprint(self, secret):
        """The submission without the grader: the secret, the scope, the notes, the files. A stored
        result of the same work graded by another version of the kit is kept unless the instructor
        asks to grade it again (``grade-class --rescore``)."""
        digest = hashlib.sha256(hashlib.sha256(secret.encode()).hexdigest().encode())
        if self.assignment:
            digest.update(f"\0graded as {self.assignment}\0".encode())
        for text in [*self.notes, *(f"{o.source}\0{o.time}\0{o.where}" for o in self.origins)]:
            digest.update(b"\0" + os.fsencode(text) + b"\0")  # the row's notes; the times it picks by
        for folder, path in self.notebooks:
            digest.update(b"\0" + os.fsencode(f"{folder}\0{Path(path).name}") + b"\0")
            digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
        return digest.hexdigest()


@functools.cache
def _code_digest():
    """A digest of the grader's own sources and the reference notebooks: a new grader regrades.

    Computed once per process, like the references themselves (:func:`reference.load`).
    """
    digest = hashlib.sha256()
    root = reference.ROOT
    for path in sorted([*(root / "autograder").rglob("*.py"), *(root / "utils").rglob("*.py"),
                        *(root / "source").glob("*/*.ipynb")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _ignored(name):
    return name.startswith((".", "__MACOSX"))


def _extract(archive, workspace):
    """The folder holding ``archive`` extracted under ``workspace`` (extracted once per content)."""
    with open(archive, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    target = Path(workspace) / "extracted" / digest
    if not target.exists():
        # Extract beside the target and rename: a killed run never leaves a partial class behind.
        partial = target.with_name(f".{digest}.{os.getpid()}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        safe_extract(archive, partial)
        try:
            partial.rename(target)
        except OSError:  # another run extracted the same archive meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    entries = [p for p in target.iterdir() if not _ignored(p.name)]
    if len(entries) == 1 and entries[0].is_dir() and not any(entries[0].glob("*.ipynb")) \
            and not any(assignment_of_folder(p.name) for p in entries[0].iterdir() if p.is_dir()):
        return entries[0]  # a zip of one top folder, e.g. submitted/ (not of one student's folder)
    return target


def discover(path, workspace, skipped=None, roster=None):
    """The class at ``path`` as a sorted list of :class:`Submission` s (a zip is extracted first).

    Whose each notebook is comes from the prefix its platform put in the name of its file or
    folder, never from the rest of the name (:func:`autograder.grading.students.identify_file`); a name
    given by hand gives the id it says. With ``roster`` (a :class:`autograder.grading.students.Roster`),
    a name given by hand may be mapped to a roster id, and a student whose id is not in the
    roster gets a note.

    ``workspace`` is the output folder: it is never read as part of the class, and neither is
    any folder that holds a previous run's output; each folder so skipped is described in
    ``skipped`` (a list) when one is given. A file or folder whose name is odd (not UTF-8, a
    line break, very long) is graded under an id spelled safely, with a note in that student's
    row; it never stops the class.
    """
    path = Path(path).absolute()
    workspace = Path(workspace).absolute()
    skipped = [] if skipped is None else skipped
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise ValueError(f"{path} is neither a folder nor a .zip archive")
        path = _extract(path, workspace)
    elif path.is_dir() and (path == workspace or path.is_relative_to(workspace)):
        raise ValueError(f"the class folder {path} is inside the output folder {workspace}; "
                         "choose another --out")
    if not path.is_dir():
        raise FileNotFoundError(f"no such class folder or archive: {path}")
    students = {}  # id -> ([(folder, path)], [Origin], [note])

    def student_of(identity):
        """The id ``identity`` gives (with the roster's say), its entry made, and its source."""
        student, source, note = student_id(identity.raw), identity.source, None
        if roster is not None:
            student, note = roster.resolve(identity)
            source = ROSTER if student != student_id(identity.raw) else source
        notes = students.setdefault(student, ([], [], []))[2]
        if note and note not in notes:
            notes.append(note)
        return student, source

    def add(identity, folder, notebook, odd_names, where):
        student, source = student_of(identity)
        notebooks, origins, notes = students[student]
        notebooks.append((folder, str(notebook)))
        origins.append(Origin(source, identity.time, where))
        notes.extend(problem for problem in odd_names if problem and problem not in notes)

    for entry in sorted(path.iterdir()):
        if _ignored(entry.name):
            continue
        if entry.is_dir() and _is_output_folder(entry, workspace):
            skipped.append(f"skipped {printable(entry.name)}/: it holds the grader's output, not "
                           "students' work")
            continue
        if entry.is_file() and entry.suffix.lower() == ".ipynb":
            identity = identify_file(entry.name)
            identity = identity if identity.raw else identity._replace(raw=entry.stem)
            add(identity, None, entry, [_odd(entry.name)], entry.name)
        elif entry.is_dir():
            identity = identify_folder(entry.name)
            student, _ = student_of(identity)
            try:
                for sub in sorted(p for p in entry.iterdir() if p.is_dir() and not _ignored(p.name)):
                    for notebook in sorted(_notebooks_in(sub)):
                        add(identity, sub.name, notebook, [_odd(entry.name), _odd(sub.name),
                                                           _odd(notebook.name)],
                            f"{entry.name}/{sub.name}/{notebook.name}")
                for notebook in sorted(_notebooks_in(entry)):
                    add(identity, None, notebook, [_odd(entry.name), _odd(notebook.name)],
                        f"{entry.name}/{notebook.name}")
            except OSError as error:  # one unreadable folder costs its student, not the class
                students[student][2].append(f"cannot read the folder {printable(entry.name)}/ "
                                            f"({error.strerror or error})")
            if not students[student][0] and _odd(entry.name):
                students[student][2].append(_odd(entry.name))
    return [Submission(student, tuple(notebooks), tuple(notes), origins=tuple(origins))
            for student, (notebooks, origins, notes) in sorted(students.items())]


def identity_summary(submissions):
    """Lines of the class summary on where students' ids came from: names given by hand (no
    platform's prefix), the roster; and the students the roster does not hold (none: no line)."""
    hand = sum(any(o.source == HAND for o in s.origins) for s in submissions)
    mapped = sum(any(o.source == ROSTER for o in s.origins) for s in submissions)
    unknown = sum(any(note.startswith(NOT_IN_ROSTER) for note in s.notes) for s in submissions)
    lines = []
    if hand:
        lines.append(f"ids from hand-given file names: {hand} student{'s' if hand > 1 else ''} (no "
                     "platform's prefix in the name: the id is the name the file was given)")
    if mapped:
        lines.append(f"ids from the roster: {mapped} student{'s' if mapped > 1 else ''} (a name or "
                     "email given by hand, matched to a roster row)")
    if unknown:
        lines.append(f"not in the roster: {unknown} student{'s' if unknown > 1 else ''} (their rows "
                     "say so)")
    return lines


def _notebooks_in(folder):
    return [p for p in folder.iterdir() if p.suffix.lower() == ".ipynb" and not _ignored(p.name)
            and (p.is_file() or p.is_symlink())]


def _odd(name):
    problem = name_problem(name)
    return f"{problem}; graded under a safe spelling" if problem else None


def _is_output_folder(folder, workspace):
    """Whether ``folder`` is the output folder of this run, or of an earlier one (its results
    beside a grades.csv, feedback or gradescope folder)."""
    try:
        if folder.resolve() == workspace.resolve():
            return True
    except OSError:
        return False
    return (folder / "results").is_dir() and any(
        (folder / name).exists() for name in ("grades.csv", "feedback", "gradescope", "report.html"))


# One assignment at a time -----------------------------------------------------------------------

#: The end of the note on a notebook of another assignment than the one a class is graded as.
MISFILED = "misfiled, not graded"


def _read(path):
    return path if isinstance(path, NotebookFile) else NotebookFile.read(path)


def shown_assignment(path, folder=None):
    """The assignment the notebook at ``path`` (or a :class:`NotebookFile`) is of, as grading
    tells it: its content's, else its file name's, else its folder's; None when nothing shows one."""
    file = _read(path)
    try:
        shown = reference.infer_assignment(file.notebook())
    except Exception:  # noqa: BLE001 - unreadable: its name or folder may still tell
        shown = None
    return shown or assignment_of_file_name(file.name) or assignment_of_folder(folder or "")


def split_notebooks(notebooks, assignment):
    """``(kept, others)`` of ``[(folder, path)]`` for a class graded as ``assignment``: ``kept``
    the ``[(folder, NotebookFile)]`` that show it or no assignment at all, ``others``
    the ``[(folder, NotebookFile, assignment shown)]`` of another assignment. Each file is read once."""
    kept, others = [], []
    for folder, path in notebooks:
        file = _read(path)
        shown = shown_assignment(file, folder)
        if shown in (None, assignment):
            kept.append((folder, file))
        else:
            others.append((folder, file, shown))
    return kept, others


def one_assignment(submissions):
    """The assignment every notebook of the class shows, when they all show the same one (a
    notebook that shows none has no say); None for a class of several, or of none."""
    seen = None
    for submission in submissions:
        for folder, path in submission.notebooks:
            shown = shown_assignment(path, folder)
            if shown is not None and seen not in (None, shown):
                return None  # a second assignment: the class is mixed, no need to read on
            seen = shown or seen
    return seen


def scoped(submissions, assignment=None):
    """``submissions`` to be graded as ``assignment``; without one, as the one assignment all
    their notebooks show, if they show one; else as they are (every assignment)."""
    assignment = assignment or one_assignment(submissions)
    if assignment is None:
        return list(submissions)
    return [replace(submission, assignment=assignment) for submission in submissions]


def _misfiled(folder, file, shown, assignment):
    where = f"{printable(folder)}/" if folder else ""
    return f"{where}{printable(file.name)} is of the {shown} assignment, not {assignment}: {MISFILED}"


def grade_submission(submission, secret="", graders=None):
    """Grade one student's notebooks; returns the JSON-able row written to the results folder.

    Each notebook is graded as the assignment its content shows, wherever it was filed; when
    that is not the assignment of the folder it was found in, a note says so. A notebook
    whose content shows no assignment (unreadable, or no graded function in it) is graded as
    its file name or, failing that, its folder says.

    A submission graded as one assignment (``submission.assignment``) gets that assignment's
    result only, and a note for each notebook of another one, which is not graded (the row's
    ``misfiled`` lists them: ``[{"file", "assignment"}]``).

    Several notebooks of one assignment in a class (``submission.origins`` given): the newest
    by the platform's time counts and the others are named in a note; when the platform gives
    no time to tell, none of them counts, the note names them all, and the row's status is
    ``error`` (the instructor keeps the one to grade and grades the class again).

    Where the platform gives the time of an upload, the row's ``times`` holds it for each
    assignment whose notebook counts (``{assignment: "YYYY-MM-DDTHH:MM:SS[.ffffff]"}``).
    """
    started = time.perf_counter()
    results, notes = [], list(submission.notes)
    scope = submission.assignment
    entries, others = submission.notebooks, []
    origins = submission.origins or (None,) * len(entries)
    if scope:
        entries, others, kept_origins = [], [], []
        for entry, origin in zip(submission.notebooks, origins, strict=True):
            kept, other = split_notebooks([entry], scope)
            entries += kept
            others += other
            kept_origins += [origin] * len(kept)
        origins = kept_origins
        notes += [_misfiled(folder, file, shown, scope) for folder, file, shown in others]
    paths = [path for _, path in entries]
    graded = grade_notebooks([(path, None) for path in paths], student=submission.student, secret=secret,
                             graders=graders)
    again = [i for i, (result, (folder, _)) in enumerate(zip(graded, entries, strict=True))
             if result.assignment not in reference.NOTEBOOKS and assignment_of_folder(folder or "")]
    if again:
        regraded = grade_notebooks([(paths[i], assignment_of_folder(entries[i][0]))
                                    for i in again], student=submission.student, secret=secret,
                                   graders=graders)
        for i, result in zip(again, regraded, strict=True):
            graded[i] = result
    for index, ((folder, path), result) in enumerate(zip(entries, graded, strict=True)):
        name = printable(_file_name(path))
        if result.assignment not in reference.NOTEBOOKS:
            where = (f" (in {printable(folder)}/, not an assignment folder)"
                     if folder and not assignment_of_folder(folder) else "")
            notes.append(f"{name}{where}: not graded ({result.error})")
            continue
        if folder and assignment_of_folder(folder) != result.assignment:
            kind = "" if assignment_of_folder(folder) else ", not an assignment folder"
            notes.append(f"{name} was found in {printable(folder)}/{kind}: it is a {result.assignment} "
                         f"notebook and is graded as {result.assignment}")
        results.append((index, result.to_dict()))
    by_assignment, undecided = {}, set()
    for index, result in results:
        by_assignment.setdefault(result["assignment"], []).append((index, result))
    for assignment, found in list(by_assignment.items()):
        if len(found) == 1 or not submission.origins:
            if len(found) > 1:  # one upload, as a platform's grader gives it
                notes.append(f"two notebooks for {assignment}; the higher score counts")
            by_assignment[assignment] = max(found, key=lambda item: item[1]["score"])  # the first of equals
            continue
        newest, note = _newest(assignment, [origins[index] for index, _ in found])
        notes.append(note)
        if newest is None:
            undecided.add(assignment)
            del by_assignment[assignment]
        else:
            by_assignment[assignment] = found[newest]
    assignments = (scope,) if scope else tuple(reference.NOTEBOOKS)
    for name in assignments:
        if name in undecided:
            continue
        if name not in by_assignment:
            notes.append(f"no notebook for {name}")
        elif by_assignment[name][1]["error"]:
            notes.append(f"{name}: {by_assignment[name][1]['error']}")
    chosen = [by_assignment[n] for n in assignments if n in by_assignment]
    row = {"student": submission.student, "status": "error" if undecided else "graded", "notes": notes,
           "results": [result for _, result in chosen],
           "code": _code_fingerprints(chosen, graded),
           "seconds": round(time.perf_counter() - started, 3)}
    times = {result["assignment"]: origins[index].time for index, result in chosen
             if origins[index] is not None and origins[index].time}
    if times:  # the platform's time of each notebook that counts (a late penalty reads it)
        row["times"] = times
    if scope:
        row["assignment"] = scope
        row["misfiled"] = [{"file": printable(file.name), "assignment": shown} for _, file, shown in others]
    return row


def _newest(assignment, origins):
    """``(index of the newest, note)`` of the notebooks of ``assignment`` that come from
    ``origins``: the newest by the platform's time when each has one from one platform and one
    is the newest; else ``(None, note)``: none is graded."""
    names = [printable(origin.where) for origin in origins]
    times = [origin.time for origin in origins]
    head = f"{len(origins)} notebooks {SEVERAL} ({assignment})"
    sources = {origin.source for origin in origins}
    if len(sources) == 1 and sources <= set(TIMED) and None not in times and times.count(max(times)) == 1:
        newest = times.index(max(times))
        older = ", ".join(f"{name} ({when})" for name, when in zip(names, times, strict=True)
                          if when != times[newest])
        return newest, (f"{head}: the newest by the platform's time is graded, {names[newest]} "
                        f"({times[newest]}); not graded: {older}")
    return None, (f"{head}: {', '.join(names)}; the platform gives no time that tells the newest, so "
                  "none of them is graded (keep the one to grade and grade the class again)")


def _code_fingerprints(chosen, graded):
    """``{assignment: {function: [fingerprint, ...]}}`` of the notebooks that count, for the
    class's similarity report (:mod:`autograder.course.similarity`), from the cells grading found."""
    code = {}
    for index, result in chosen:
        if result["error"]:
            continue
        cells = getattr(graded[index], "cells", None)  # None: nothing was extracted
        if cells is None:
            continue
        try:
            assignment = result["assignment"]
            code[assignment] = similarity.fingerprint_cells(cells, reference.load(assignment).names)
        except Exception:  # no fingerprints is the worst that can come of it: the grade stands
            continue
    return code


def _file_name(path):
    return path.name if isinstance(path, NotebookFile) else Path(path).name


def seal(row, secret):
    """HMAC-SHA256 under the course ``secret`` of ``row`` without its own ``"seal"`` (hex).

    A row is JSON: it reads back equal, so its seal can be checked after a round trip.
    With an empty secret the seal still catches edits, but anyone can forge it.
    """
    body = json.dumps({k: v for k, v in row.items() if k != "seal"}, sort_keys=True,
                      separators=(",", ":"))
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def is_sealed(row, secret):
    """Whether ``row`` carries the seal :func:`seal` gives it under ``secret``."""
    return (isinstance(row, dict) and isinstance(row.get("seal"), str)
            and hmac.compare_digest(row["seal"], seal(row, secret)))


def error_row(submission, message):
    return {"student": submission.student, "status": "error", "notes": [*submission.notes, message],
            "results": [], "code": {}, "seconds": 0.0}


def write_atomically(path, data):
    """Write JSON to ``path`` so that a reader sees the old file or the new one, never a part."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as handle:
        json.dump(data, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def results_of(out):
    """Every stored student row, in student order, one at a time (the class is never all in memory)."""
    for path in sorted((Path(out) / "results").glob("*.json")):
        with open(path) as handle:
            yield json.load(handle)


# The worker side: one Graders per process, reused for every student it grades --------------

_GRADERS = None


def start_graders(layer=None):
    """This process's sandboxes, one per assignment, started on first use and kept warm.

    What the start-up made (modules, reference functions, the sandboxes' state) lives as long
    as the worker: it is moved out of the garbage collector's generations once, so that the
    collections each student's grading triggers no longer walk it.
    """
    global _GRADERS
    if _GRADERS is None:
        _GRADERS = Graders(layer=layer)
        _GRADERS.start_all()
        gc.collect()
        gc.freeze()
    return _GRADERS


def work(submission, secret, layer=None):
    """Grade ``submission`` in a pool or Dask worker process (sandboxes stay warm between students)."""
    return grade_submission(submission, secret, start_graders(layer))
