"""Entry script of the Coursera custom grader: grade one learner's upload, write the verdict.

Coursera (custom graders, version 2) runs the image once per submission with the
learner's upload in ``/shared/submission/`` and the part id and the learner's id in the
environment variables ``partId`` and ``userId``; it reads ``/shared/feedback.json`` (``fractionalScore``
between 0 and 1, a one-line ``feedback``, ``feedbackType`` ``HTML``) and shows
``/shared/htmlFeedback.html`` to the learner.

The part id picks the assignment through ``config.json`` beside this script
(``{"parts": {"<partId>": "<assignment>"}}``, written by ``make coursera
PARTS=...``); an unknown part id grades the notebook as what it is. An upload with
no notebook of the part's assignment (none at all, or another assignment's) gets 0
and one plain sentence saying which notebook to upload. The learner is who ``userId``
says, and that id seeds their hidden inputs; the name of the uploaded file never does
(renaming it changes nothing). Without ``userId`` the learner is graded with the course's
default hidden inputs (the fixed id ``anonymous``), and their feedback says so. The course
secret is ``course.secret`` beside this script. Whatever happens,
``feedback.json`` and ``htmlFeedback.html`` are written and the exit status is 0.

``COURSERA_SHARED`` replaces ``/shared`` (for running it outside Coursera, e.g. in
the kit's tests).
"""

import html
import json
import os
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _config():
    try:
        return json.loads((HERE / "config.json").read_text()).get("parts", {})
    except (OSError, ValueError, AttributeError):
        return {}


def _notebook(folder, assignment):
    """``(notebook to grade or None, [(file name, assignment) of the others]``) under ``folder``.

    For a part's ``assignment``: a notebook that shows it (told by its content, else its file
    name), the one with its own file name first; else one that shows no assignment (e.g. an
    unreadable file: the learner then reads why); never another assignment's, which are
    returned instead."""
    from autograder.course.batch import shown_assignment
    from autograder.grading import reference

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


def _write_plain(shared, message):
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


def main():
    shared = Path(os.environ.get("COURSERA_SHARED", "/shared"))
    part = os.environ.get("partId", "")
    assignment = _config().get(part)
    try:
        from autograder.cli import main as autograder
        from autograder.course.exports import not_this_assignment

        notebook, others = _notebook(shared / "submission", assignment)
        if notebook is None and assignment:
            _write_plain(shared, not_this_assignment(assignment, others, place="part"))
            return 0
        if notebook is None:
            _write_plain(shared, "No notebook was found in your submission: upload your notebook (.ipynb).")
            return 0
        argv = ["grade", str(notebook), "--coursera", str(shared)]
        if assignment:
            argv += ["--assignment", assignment]
        learner = os.environ.get("userId", "").strip()
        argv += ["--student", learner] if learner else ["--anonymous"]
        secret = HERE / "course.secret"
        if secret.is_file():
            argv += ["--secret-file", str(secret)]
        status = autograder(argv)
        if status != 0 or not (shared / "feedback.json").is_file():
            _write_plain(shared, "Your notebook could not be graded: it does not look like one of "
                                 "this course's Week 1 notebooks.")
    except Exception:  # the learner still gets a verdict; the log is for the course staff
        traceback.print_exc()
        _write_plain(shared, "The grader failed on this submission; please tell the course staff.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
