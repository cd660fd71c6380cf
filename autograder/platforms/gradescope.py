"""Gradescope: the ``results.json`` of one submission, over :func:`autograder.platforms.grade_upload`.

``config.json`` of a zip names the assignments it grades: one (what ``make gradescope`` builds,
a zip per assignment), or several.

With one, the notebook of that assignment in the submission is graded (a notebook is told by
its content, else by its file name; one that shows no assignment at all, e.g. an unreadable
file, is taken as this assignment's, so that the student reads why it earned nothing). The
verdict has one test per graded function, with its points, its status and what the student may
see (what passed, what failed and why, hints; never a hidden input, an expected value of a
hidden case or the seed). A submission with no notebook of the assignment (none at all, or
another assignment's), or whose notebook cannot be read, gets 0 and one message saying why, and
no tests.

With several, each notebook is graded as the assignment it shows, and each assignment of the
zip gets its tests, or a line saying its notebook is missing or unreadable.

The entry script ``deploy/gradescope/grade.py`` reads what Gradescope hands over (the
submission folder, its metadata, the zip's configuration and course secret) and writes what
:func:`verdict` gives.
"""

import os
from pathlib import Path

from autograder.course.batch import split_notebooks
from autograder.course.exports import TITLES, gradescope_result, not_this_assignment
from autograder.grading import reference
from autograder.platforms import grade_upload


def notebooks_in(folder):
    """Every notebook under ``folder`` (an upload may keep its folders), hidden files left out."""
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        found += [Path(top, f) for f in sorted(files) if f.endswith(".ipynb") and not f.startswith(".")]
    return found


def verdict(submission, assignments, student, secret):
    """The results.json of the notebooks under ``submission``, graded on ``assignments``."""
    if len(assignments) == 1:
        return _one_assignment(submission, assignments[0], student, secret)
    return _several(submission, assignments, student, secret)


def _plain(message):
    """A results.json of 0 that says ``message``, with no tests (nothing was graded)."""
    return {"score": 0.0, "output": message, "tests": [], "visibility": "visible",
            "stdout_visibility": "hidden"}


def _one_assignment(submission, assignment, student, secret):
    # What is uploaded to this assignment is filed under it: a notebook that shows no
    # assignment is graded as this one (and says why it earned nothing).
    kept, others = split_notebooks([(assignment, str(p)) for p in notebooks_in(submission)], assignment)
    if not kept:
        return _plain(not_this_assignment(assignment, [(file.name, shown) for _, file, shown in others]))
    row = grade_upload(student, kept, secret, assignment)
    (result,) = row["results"]
    data = gradescope_result(result)
    if result["error"]:
        return data  # its reason, once, and no tests
    lines = [f"{TITLES[assignment]}: {result['score']:g}/{result['max_score']:g}"]
    lines += [note for note in row["notes"] if not note.startswith(f"{assignment}: ")]
    lines += [f"{file.name} is the {TITLES[shown]} notebook: this assignment does not grade it."
              for _, file, shown in others]
    return {**data, "output": "\n".join(lines)}


def _several(submission, assignments, student, secret):
    row = grade_upload(student, [(None, str(p)) for p in notebooks_in(submission)], secret)
    graded = {result["assignment"]: result for result in row["results"]}
    tests, lines, said = [], [], set()
    for assignment in assignments:
        title = TITLES[assignment]
        result = graded.get(assignment)
        if result is None:
            lines.append(f"{title}: no notebook submitted (upload {reference.NOTEBOOKS[assignment]}) "
                         "- 0 points")
            continue
        if result["error"]:  # its reason, once, here
            lines.append(f"{title}: 0/{result['max_score']:g}, not graded: {result['error']}")
            said.add(f"{assignment}: {result['error']}")
            continue
        tests += [{**test, "name": f"{title}: {test['name']}"} for test in gradescope_result(result)["tests"]]
        lines.append(f"{title}: {result['score']:g}/{result['max_score']:g}")
    lines += [note for note in row["notes"]  # said above, per configured assignment
              if not note.startswith("no notebook for ") and note not in said]
    return {"score": round(sum(t["score"] for t in tests), 6), "output": "\n".join(lines),
            "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}
