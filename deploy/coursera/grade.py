"""Entry script of the Coursera custom grader: grade one learner's upload, write the verdict.

Coursera (custom graders, version 2) runs the image once per submission with the
learner's upload in ``/shared/submission/`` and the part id and the learner's id in the
environment variables ``partId`` and ``userId``; what the learner gets is
:func:`autograder.platforms.coursera.verdict`'s (``/shared/feedback.json`` and
``/shared/htmlFeedback.html``).

The part id picks the assignment through ``config.json`` beside this script
(``{"parts": {"<partId>": "<assignment>"}}``, written by ``make coursera
PARTS=...``); an unknown part id grades the notebook as what it is. The learner is who
``userId`` says; without it, they are graded with the course's default hidden inputs. The
course secret is ``course.secret`` beside this script. Whatever happens, ``feedback.json``
and ``htmlFeedback.html`` are written and the exit status is 0: the page that blames the grader
is the adapter's, or, when the kit itself cannot be imported, this script's own
(:func:`_last_resort`, which needs nothing of the kit).

``COURSERA_SHARED`` replaces ``/shared`` (for running it outside Coursera, e.g. in
the kit's tests).
"""

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


def main():
    shared = Path(os.environ.get("COURSERA_SHARED", "/shared"))
    part = os.environ.get("partId", "")
    assignment = _config().get(part)
    try:
        from autograder import cli
        from autograder.platforms import coursera

        learner = os.environ.get("userId", "").strip()
        secret = HERE / "course.secret"
        coursera.verdict(shared, assignment, learner, secret if secret.is_file() else None, cli.main)
    except Exception:  # the learner still gets a verdict; the log is for the course staff
        traceback.print_exc()
        _last_resort(shared)
    return 0


FAILED = "The grader failed on this submission; please tell the course staff."


def _last_resort(shared):
    """The verdict that blames the grader: the adapter's page, or when the kit does not even
    import, a page of this script's own (a fixed sentence, nothing of the learner's in it)."""
    try:
        from autograder.platforms.coursera import write_plain
    except Exception:
        traceback.print_exc()
        shared.mkdir(parents=True, exist_ok=True)
        (shared / "feedback.json").write_text(json.dumps(
            {"fractionalScore": 0.0, "feedback": FAILED, "feedbackType": "HTML"}))
        (shared / "htmlFeedback.html").write_text(
            f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not graded</title>"
            f"</head><body><p>{FAILED}</p></body></html>\n", encoding="utf-8")
        return
    write_plain(shared, FAILED)


if __name__ == "__main__":
    sys.exit(main())
