"""Grade one Gradescope submission: ``/autograder/submission`` -> ``/autograder/results/results.json``.

Run by ``run_autograder`` with the kit's venv. ``config.json`` names the assignments
the zip grades: one (what ``make gradescope`` builds, a zip per assignment), or several;
what each submission gets is :func:`autograder.platforms.gradescope.verdict`'s. Whatever
happens, a ``results.json`` is written.

The student id that seeds the hidden inputs is the Gradescope user id (or the
sorted ids of a group) from ``submission_metadata.json``; the course secret is
``course.secret`` beside this script.
"""

import argparse
import json
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


def verdict(submission, assignments, student, secret):
    """The results.json of the notebooks under ``submission``, graded on ``assignments``: the kit's
    Gradescope adapter, imported here so that even a kit that cannot be imported ends in one."""
    from autograder.platforms import gradescope

    return gradescope.verdict(submission, assignments, student, secret)


def failure(message):
    """A results.json that gives no points and says the grader failed (not the student)."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission: {message}. "
                                    "Please tell your instructor.",
            "tests": [], "visibility": "visible", "stdout_visibility": "hidden"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"),
                        help="the folder Gradescope grades in (default: %(default)s)")
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
