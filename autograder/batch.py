"""Grade a whole class: find the submissions, grade each student once, keep every result.

The class is a folder in nbgrader's ``submitted/<student>/<assignment>/*.ipynb``
layout, a folder of loose notebooks (the student id is the file name, less a
trailing notebook name such as ``_Regularization``), or a zip of either.

Each student is one unit of work. Their result is written atomically to
``DIR/results/<student>.json`` as soon as it is known, together with a
fingerprint of their files, the kit version and the secret, and sealed with an
HMAC under the secret; a rerun skips students whose fingerprint is unchanged and
whose seal holds, so killing the grader at any moment and running the same
command again finishes the class with the same results, and a stored result
edited by hand is graded again rather than exported.
"""

import functools
import hashlib
import hmac
import json
import os
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder import reference
from autograder.archive import safe_extract
from autograder.extract import NotebookFile
from autograder.grade import Graders, grade_notebooks

SAFE_ID = re.compile(r"[^A-Za-z0-9_.@+-]")


@dataclass(frozen=True)
class Submission:
    """One student's notebooks: ``(assignment or None, path)`` pairs.

    :meth:`packed` gives the same submission with each path replaced by the notebook
    read from it (a :class:`NotebookFile`), for workers that do not share the class's
    file system.
    """

    student: str
    notebooks: tuple[tuple[str | None, str | NotebookFile], ...]

    def packed(self):
        return Submission(self.student, tuple(
            (assignment, NotebookFile.read(path)) for assignment, path in self.notebooks))

    def fingerprint(self, secret):
        digest = hashlib.sha256(f"{autograder.__version__}\0{_code_digest()}\0"
                                f"{hashlib.sha256(secret.encode()).hexdigest()}".encode())
        for assignment, path in self.notebooks:
            digest.update(f"\0{assignment}\0{Path(path).name}\0".encode())
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


def safe_id(text):
    """A student id usable as a file name."""
    return SAFE_ID.sub("_", text)[:120] or "_"


def _assignment_of_folder(name):
    key = name.lower().replace("-", "_").replace(" ", "_")
    return key if key in reference.NOTEBOOKS else None


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
            and not any(_assignment_of_folder(p.name) for p in entries[0].iterdir() if p.is_dir()):
        return entries[0]  # a zip of one top folder, e.g. submitted/ (not of one student's folder)
    return target


def discover(path, workspace):
    """The class at ``path`` as a sorted list of :class:`Submission` s (a zip is extracted first)."""
    path = Path(path).absolute()
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise ValueError(f"{path} is neither a folder nor a .zip archive")
        path = _extract(path, workspace)
    if not path.is_dir():
        raise FileNotFoundError(f"no such class folder or archive: {path}")
    students = {}
    loose = sorted(p for p in path.glob("*.ipynb") if p.is_file() and not _ignored(p.name))
    for notebook in loose:
        students.setdefault(_student_of_file(notebook), []).append((None, str(notebook)))
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and not _ignored(p.name)):
        student = folder.name
        found = students.setdefault(student, [])
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            assignment = _assignment_of_folder(sub.name)
            for notebook in sorted(sub.glob("*.ipynb")):
                found.append((assignment or f"unknown:{sub.name}", str(notebook)))
        for notebook in sorted(folder.glob("*.ipynb")):
            found.append((None, str(notebook)))
    found = sorted(students.items())
    ids = _unique_ids([raw for raw, _ in found])
    return [Submission(student, tuple(n)) for student, (_, n) in zip(ids, found, strict=True)]


def _unique_ids(raw_ids):
    """A safe id for each raw id, distinct even when two raw ids sanitize alike ("a b", "a_b")."""
    safe = [safe_id(raw) for raw in raw_ids]
    counts = Counter(safe)
    return [f"{s[:111]}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}" if counts[s] > 1 and s != raw
            else s for s, raw in zip(safe, raw_ids, strict=True)]


def _student_of_file(path):
    stem = path.stem
    for notebook in reference.NOTEBOOKS.values():
        suffix = Path(notebook).stem
        for separator in ("_", "-", " ", "."):
            if stem.lower().endswith((separator + suffix).lower()):
                return stem[: -len(suffix) - 1]
    return stem


def grade_submission(submission, secret="", graders=None):
    """Grade one student's notebooks; returns the JSON-able row written to the results folder."""
    started = time.perf_counter()
    results, notes, known = [], [], []
    for assignment, path in submission.notebooks:
        if assignment and assignment.startswith("unknown:"):
            notes.append(f"{_file_name(path)}: unknown assignment folder {assignment[8:]!r}")
        else:
            known.append((path, assignment))
    graded = grade_notebooks(known, student=submission.student, secret=secret, graders=graders)
    for (path, _), result in zip(known, graded, strict=True):
        if result.assignment not in reference.NOTEBOOKS:
            notes.append(f"{_file_name(path)}: not graded ({result.error})")
            continue
        results.append(result.to_dict())
    by_assignment = {}
    for result in results:
        previous = by_assignment.get(result["assignment"])
        if previous is not None:
            notes.append(f"two notebooks for {result['assignment']}; the higher score counts")
            if previous["score"] >= result["score"]:
                continue
        by_assignment[result["assignment"]] = result
    for name in reference.NOTEBOOKS:
        if name not in by_assignment:
            notes.append(f"no notebook for {name}")
    return {"student": submission.student, "status": "graded", "notes": notes,
            "results": [by_assignment[n] for n in reference.NOTEBOOKS if n in by_assignment],
            "seconds": round(time.perf_counter() - started, 3)}


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
    return {"student": submission.student, "status": "error", "notes": [message], "results": [],
            "seconds": 0.0}


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


def work(submission, secret, layer=None):
    """Grade ``submission`` in a pool or Dask worker process (sandboxes stay warm between students)."""
    global _GRADERS
    if _GRADERS is None:
        _GRADERS = Graders(layer=layer)
        _GRADERS.start_all()
    return grade_submission(submission, secret, _GRADERS)
