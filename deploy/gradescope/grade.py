"""Grade one Gradescope submission: ``/autograder/submission`` -> ``/autograder/results/results.json``.

Run by ``run_autograder`` with the kit's venv. ``config.json`` names the assignments
the zip grades: one (what ``make gradescope`` builds, a zip per assignment), or several.

With one, the notebook of that assignment in the submission is graded (a notebook is
told by its content, else by its file name; one that shows no assignment at all, e.g.
an unreadable file, is taken as this assignment's, so that the student reads why it
earned nothing). The verdict has one test per graded function, with its points, its
status and what the student may see (what passed, what failed and why, hints; never a
hidden input, an expected value of a hidden case or the seed). A submission with no
notebook of the assignment (none at all, or another assignment's), or whose notebook
cannot be read, gets 0 and one message saying why, and no tests.

With several, each notebook is graded as the assignment it shows, and each assignment
of the zip gets its tests, or a line saying its notebook is missing or unreadable.
Whatever happens, a ``results.json`` is written.

The student id that seeds the hidden inputs is the Gradescope user id (or the
sorted ids of a group) from ``submission_metadata.json``; the course secret is
``course.secret`` beside this script.
"""

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def student_id(metadata_path):
    """The Gradescope user id(s) of the submission, or "student" when there is no metadata."""
    try:
        users = json.loads(Path(metadata_path).read_text()).get("users") or []
        ids = sorted(str(user["id"]) for user in users if user.get("id") is not None)
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        ids = []
    return "+".join(ids) or "student"


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
    from autograder.course.batch import Submission, grade_submission, split_notebooks
    from autograder.course.exports import TITLES, gradescope_result, not_this_assignment
    from autograder.grading.grade import Graders

    # What is uploaded to this assignment is filed under it: a notebook that shows no
    # assignment is graded as this one (and says why it earned nothing).
    kept, others = split_notebooks([(assignment, str(p)) for p in notebooks_in(submission)], assignment)
    if not kept:
        return _plain(not_this_assignment(assignment, [(file.name, shown) for _, file, shown in others]))
    with Graders() as graders:
        row = grade_submission(Submission(student, tuple(kept), assignment=assignment), secret, graders)
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
    from autograder.course.batch import Submission, grade_submission
    from autograder.course.exports import TITLES, gradescope_result
    from autograder.grading import reference
    from autograder.grading.grade import Graders

    notebooks = notebooks_in(submission)
    with Graders() as graders:
        row = grade_submission(Submission(student, tuple((None, str(p)) for p in notebooks)),
                               secret, graders)
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


def failure(message):
    """A results.json that gives no points and says the grader failed (not the student)."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {message}. "
                                    "Please tell your instructor.",
            "tests": [], "visibility": "visible", "stdout_visibility": "hidden"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    root = args.root
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        config = json.loads((HERE / "config.json").read_text())
        secret_path = HERE / "course.secret"
        secret = secret_path.read_text().strip() if secret_path.is_file() else ""
        student = student_id(root / "submission_metadata.json")
        data = verdict(root / "submission", config["assignments"], student, secret)
    except Exception as error:  # the student must still get a results.json
        traceback.print_exc()  # stdout/stderr are for the instructor only (stdout_visibility hidden)
        data = failure(f"{error.__class__.__name__}")
    data["execution_time"] = round(time.perf_counter() - started, 3)
    temporary = results.with_name(".results.json.tmp")
    temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False))
    temporary.replace(results)
    for test in data["tests"]:  # instructor's log
        print(f"{test['score']:>5g}/{test['max_score']:<3g} {test['status']:<7} {test['name']}")
    print(f"total {data['score']:g}; {data['output']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
