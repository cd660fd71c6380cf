"""Grade one Gradescope submission: ``/autograder/submission`` -> ``/autograder/results/results.json``.

Run by ``run_autograder`` with the kit's venv. Every notebook in the submission
is graded (its assignment is told from the notebook itself, or from its file
name when it cannot be read); the verdict has one test per graded function of
each assignment in ``config.json``, with its points, its status and what the
student may see (what passed, what failed and why, hints; never a hidden input,
an expected value of a hidden case or the seed). An assignment without a
notebook scores 0 on each of its functions, with a note saying which file was
expected. Whatever happens, a ``results.json`` is written.

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
    from autograder import reference
    from autograder.batch import Submission, grade_submission
    from autograder.exports import TITLES, gradescope_result
    from autograder.grade import Graders

    notebooks = notebooks_in(submission)
    with Graders() as graders:
        row = grade_submission(Submission(student, tuple((None, str(p)) for p in notebooks)),
                               secret, graders)
    graded = {result["assignment"]: result for result in row["results"]}
    several = len(assignments) > 1
    tests, lines = [], []
    for assignment in assignments:
        title = TITLES[assignment]
        prefix = f"{title}: " if several else ""
        result = graded.get(assignment)
        if result is None:
            expected = reference.NOTEBOOKS[assignment]
            lines.append(f"{title}: no notebook submitted (upload {expected}) - 0 points")
            for function in reference.load(assignment).functions:
                tests.append({"name": prefix + function.name, "score": 0.0,
                              "max_score": function.points, "status": "failed",
                              "output": f"No {title} notebook was found in your submission: "
                                        f"upload {expected}.", "visibility": "visible"})
            continue
        for test in gradescope_result(result)["tests"]:
            tests.append({**test, "name": prefix + test["name"]})
        line = f"{title}: {result['score']:g}/{result['max_score']:g}"
        lines.append(f"{line} ({result['error']})" if result["error"] else line)
    lines += [note for note in row["notes"]
              if not note.startswith("no notebook for ")]  # said above, per configured assignment
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
