"""Coursera (custom graders, version 2): one learner's upload to a part -> ``feedback.json`` and
``htmlFeedback.html``.

Coursera runs the grader's image once per submission with the learner's upload in
``shared/submission/``; it reads ``shared/feedback.json`` (``fractionalScore`` between 0 and 1, a
one-line ``feedback``, ``feedbackType`` ``HTML``) and shows ``shared/htmlFeedback.html`` to the
learner.

The part picks the assignment; an unknown part grades the notebook as what it is. An upload
with no notebook of the part's assignment (none at all, or another assignment's) gets 0 and one
plain sentence saying which notebook to upload. The notebook chosen is graded by the kit's
``grade`` command with ``--coursera``, which writes both files: the learner is the id Coursera
gives, which seeds their hidden inputs (the name of the uploaded file never does); without one,
the course's default hidden inputs (``--anonymous``), and their feedback says so. The command
is handed in by the entry script ``deploy/coursera/grade.py`` (the command line sits above the
platforms), which reads what Coursera hands over and calls :func:`verdict`.
"""

import html
import json
from pathlib import Path

from autograder.course.batch import shown_assignment
from autograder.course.exports import not_this_assignment
from autograder.grading import reference

#: What an upload with no notebook at all, to a part of no known assignment, is told.
NO_NOTEBOOK = "No notebook was found in your submission: upload your notebook (.ipynb)."
#: What a learner is told when the grader gave no verdict of its own.
NOT_GRADED = ("Your notebook could not be graded: it does not look like one of this course's Week 1 "
              "notebooks.")


def chosen_notebook(folder, assignment):
    """``(notebook to grade or None, [(file name, assignment) of the others]``) under ``folder``.

    For a part's ``assignment``: a notebook that shows it (told by its content, else its file
    name), the one with its own file name first; else one that shows no assignment (e.g. an
    unreadable file: the learner then reads why); never another assignment's, which are
    returned instead."""
    found = sorted(p for p in Path(folder).rglob("*.ipynb")
                   if not any(part.startswith(".") or part == "__MACOSX" for part in p.parts))
    if not assignment:
        return (found[0] if found else None), []
    shown = {path: shown_assignment(path) for path in found}
    others = [(path.name, of) for path, of in shown.items() if of not in (None, assignment)]
    own = reference.NOTEBOOKS[assignment].lower()
    kept = sorted((path for path, of in shown.items() if of in (None, assignment)),
                  key=lambda path: (shown[path] != assignment, path.name.lower() != own))
    return (kept[0] if kept else None), others


def write_plain(shared, message):
    """A verdict of 0 that says ``message`` (a page without a graded notebook behind it)."""
    shared = Path(shared)
    shared.mkdir(parents=True, exist_ok=True)
    (shared / "feedback.json").write_text(json.dumps(
        {"fractionalScore": 0.0, "feedback": message, "feedbackType": "HTML"}))
    (shared / "htmlFeedback.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Not graded</title></head><body><p>{html.escape(message)}</p></body></html>\n",
        encoding="utf-8")


def grade_command(notebook, shared, assignment, learner, secret_file):
    """The kit's command line (``python -m autograder`` less its name) that grades ``notebook``
    for Coursera into ``shared``: as ``assignment`` (None: as what it is), for ``learner`` ("":
    anonymously), with the course secret in ``secret_file`` (None: none)."""
    argv = ["grade", str(notebook), "--coursera", str(shared)]
    if assignment:
        argv += ["--assignment", assignment]
    argv += ["--student", learner] if learner else ["--anonymous"]
    if secret_file is not None:
        argv += ["--secret-file", str(secret_file)]
    return argv


def verdict(shared, assignment, learner, secret_file, grade):
    """Write the verdict on the upload in ``shared/submission`` to a part of ``assignment`` (None:
    an unknown part) into ``shared``: a plain page when there is nothing of the part's to grade,
    else what ``grade`` (the kit's command line: ``argv -> exit status``) writes, replaced by a
    plain page when it wrote none or refused the notebook."""
    shared = Path(shared)
    notebook, others = chosen_notebook(shared / "submission", assignment)
    if notebook is None and assignment:
        write_plain(shared, not_this_assignment(assignment, others, place="part"))
        return
    if notebook is None:
        write_plain(shared, NO_NOTEBOOK)
        return
    status = grade(grade_command(notebook, shared, assignment, learner, secret_file))
    if status != 0 or not (shared / "feedback.json").is_file():
        write_plain(shared, NOT_GRADED)
