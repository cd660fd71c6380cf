"""Entry script of the Coursera custom grader: grade one learner's upload, write the verdict.

Coursera (custom graders, version 2) runs the image once per submission with the
learner's upload in ``/shared/submission/`` and the part id in the environment
variable ``partId``; it reads ``/shared/feedback.json`` (``fractionalScore``
between 0 and 1, a one-line ``feedback``, ``feedbackType`` ``HTML``) and shows
``/shared/htmlFeedback.html`` to the learner.

The part id picks the assignment through ``config.json`` beside this script
(``{"parts": {"<partId>": "<assignment>"}}``, written by ``make coursera
PARTS=...``); an unknown part id grades the notebook as what it is. A learner id,
when the platform gives one in ``userId``, seeds that learner's hidden inputs;
the course secret is ``course.secret`` beside this script. Whatever happens,
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
    """The notebook to grade under ``folder``: the assignment's own file name when there are several."""
    from autograder import reference

    found = sorted(p for p in Path(folder).rglob("*.ipynb")
                   if not any(part.startswith(".") or part == "__MACOSX" for part in p.parts))
    if assignment:
        named = [p for p in found if p.name.lower() == reference.NOTEBOOKS[assignment].lower()]
        found = named or found
    return found[0] if found else None


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
        from autograder import reference
        from autograder.cli import main as autograder

        notebook = _notebook(shared / "submission", assignment)
        if notebook is None:
            expected = reference.NOTEBOOKS[assignment] if assignment else "your notebook (.ipynb)"
            _write_plain(shared, f"No notebook was found in your submission: upload {expected}.")
            return 0
        argv = ["grade", str(notebook), "--coursera", str(shared)]
        if assignment:
            argv += ["--assignment", assignment]
        if os.environ.get("userId"):
            argv += ["--student", os.environ["userId"]]
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
