"""Coursera: ``make coursera`` writes the build context of the custom-grader image (Dockerfile,
entry script, part map, secret, the kit). Its entry script runs here as the image would run it
(not in Docker): Coursera mounts the learner's upload in ``/shared/submission/`` and names the
part in the environment variable ``partId``; the script writes ``/shared/feedback.json`` and
``/shared/htmlFeedback.html``. The tree laid out like ``/shared`` is a temporary folder.
"""

import json
import re
import shutil

import pytest

from autograder import reference
from autograder.checks import seed_for
from autograder.exports import TITLES
from tests.deploy.conftest import CLASS, EXPECTED, ROOT, VENV_BIN, clean_env, run

PARTS = {"Kq3vA": "initialization", "Zt8mB": "regularization", "Lw2nC": "gradient_checking"}
LEARNER = "learner-17"


@pytest.fixture(scope="module")
def context(tmp_path_factory, secret_file):
    out = tmp_path_factory.mktemp("coursera") / "image"
    parts = [f"--part={part}={assignment}" for part, assignment in PARTS.items()]
    run([VENV_BIN / "python", ROOT / "deploy" / "bundle.py", "coursera", out, *parts,
         "--secret-file", secret_file], cwd=out.parent, env=clean_env())
    return out


def grade(context, shared, part, upload, name=None, learner=LEARNER, also=()):
    """One submission as Coursera runs it: the upload (and the files ``also``) in shared/submission,
    partId in the environment."""
    shutil.rmtree(shared, ignore_errors=True)
    (shared / "submission").mkdir(parents=True)
    target = shared / "submission" / (name or upload.name)
    if isinstance(upload, bytes):
        target.write_bytes(upload)
    else:
        shutil.copy(upload, target)
    for path in also:
        shutil.copy(path, shared / "submission" / path.name)
    env = clean_env(COURSERA_SHARED=str(shared), partId=part, **({"userId": learner} if learner else {}))
    done = run([VENV_BIN / "python", context / "grade.py"], cwd=context, env=env)
    feedback = json.loads((shared / "feedback.json").read_text())
    page = (shared / "htmlFeedback.html").read_text(encoding="utf-8")
    return feedback, page, done


def check_learner_facing(feedback, page, secret_file, assignment):
    assert set(feedback) == {"fractionalScore", "feedback", "feedbackType"}
    assert 0.0 <= feedback["fractionalScore"] <= 1.0
    assert feedback["feedbackType"] == "HTML" and feedback["feedback"]
    assert "\n" not in feedback["feedback"]
    assert page.lstrip().lower().startswith("<!doctype html>") and "</html>" in page
    secret = secret_file.read_text().strip()
    text = json.dumps(feedback) + page
    assert secret not in text
    assert str(seed_for(LEARNER, assignment, secret)) not in text
    assert "seed" not in text.lower()


def test_is_the_image_recipe_complete(context):
    assert sorted(p.name for p in context.iterdir()) == \
        ["Dockerfile", "config.json", "course.secret", "grade.py", "kit"]
    recipe = (context / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-3]", recipe, re.MULTILINE)
    assert "COPY kit /grader/kit" in recipe
    assert "-c /grader/kit/constraints.txt -e /grader/kit" in recipe
    assert 'ENTRYPOINT ["/grader/venv/bin/python", "/grader/grade.py"]' in recipe
    copied = re.search(r"^COPY grade\.py (.+) /grader/$", recipe, re.MULTILINE).group(1).split()
    assert sorted(copied) == ["config.json", "course.secret"]
    assert json.loads((context / "config.json").read_text()) == {"parts": PARTS}
    assert (context / "kit" / "source" / "regularization" / "utils" / "checks.py").is_file()


@pytest.mark.parametrize("part", list(PARTS))
def test_does_each_part_get_its_assignment_graded(context, tmp_path, secret_file, part):
    assignment = PARTS[part]
    upload = CLASS / "cleo" / assignment / reference.NOTEBOOKS[assignment]
    feedback, page, _ = grade(context, tmp_path / "shared", part, upload)
    check_learner_facing(feedback, page, secret_file, assignment)
    scores = EXPECTED["cleo"][assignment]
    fraction = sum(scores.values()) / reference.load(assignment).max_score
    assert feedback["fractionalScore"] == pytest.approx(fraction)
    assert fraction < 1  # cleo has one wrong function per assignment
    for name, points in scores.items():
        assert f"{name} {points:g}/" in feedback["feedback"]
        assert name in page


def test_is_the_part_id_what_picks_the_assignment(context, tmp_path, secret_file):
    # All three of cleo's notebooks, uploaded to the Regularization part: its notebook is graded.
    first, *others = (CLASS / "cleo" / a / reference.NOTEBOOKS[a] for a in reference.NOTEBOOKS)
    feedback, page, _ = grade(context, tmp_path / "shared", "Zt8mB", first, also=others)
    check_learner_facing(feedback, page, secret_file, "regularization")
    assert feedback["fractionalScore"] == pytest.approx(40 / 50)
    assert feedback["feedback"].startswith("compute_cost_with_regularization 0/10;")


@pytest.mark.parametrize("part", list(PARTS))
def test_does_another_assignments_notebook_get_one_plain_message_and_zero(context, tmp_path, secret_file,
                                                                          part):
    assignment = PARTS[part]
    other = list(PARTS.values())[(list(PARTS).index(part) + 1) % len(PARTS)]
    upload = CLASS / "ada" / other / reference.NOTEBOOKS[other]  # full marks, in its own part
    feedback, page, done = grade(context, tmp_path / "shared", part, upload)
    check_learner_facing(feedback, page, secret_file, assignment)
    assert feedback["fractionalScore"] == 0.0
    title, expected = TITLES[assignment], reference.NOTEBOOKS[assignment]
    assert feedback["feedback"] == (
        f"This part grades the {title} notebook, but you uploaded the {TITLES[other]} notebook "
        f"({reference.NOTEBOOKS[other]}), so nothing was graded: upload {expected}, your {title} "
        "notebook, to this part.")
    assert page.count(feedback["feedback"]) == 1 and "<section" not in page
    assert "--" not in feedback["feedback"] + page and "Traceback" not in done.stderr


def test_does_a_corrupt_upload_get_zero_and_a_readable_reason(context, tmp_path, secret_file):
    feedback, page, _ = grade(context, tmp_path / "shared", "Lw2nC", b"PK\x03\x04 half a zip, not json",
                              name="Gradient_Checking.ipynb")
    check_learner_facing(feedback, page, secret_file, "gradient_checking")
    assert feedback["fractionalScore"] == 0.0
    assert feedback["feedback"] == ("Gradient_Checking.ipynb is not valid notebook JSON: at line 1, "
                                    "column 1, a value was expected")
    assert page.count(feedback["feedback"]) == 1  # said once, whole, not again under each function
    assert page.count("not graded: see the reason above") == len(reference.load("gradient_checking").names)
    assert "Traceback" not in feedback["feedback"] + page


def test_does_an_empty_upload_get_zero_and_say_what_to_upload(context, tmp_path, secret_file):
    feedback, page, _ = grade(context, tmp_path / "shared", "Kq3vA", b"hello", name="notes.txt")
    check_learner_facing(feedback, page, secret_file, "initialization")
    assert feedback["fractionalScore"] == 0.0
    assert "upload Initialization.ipynb" in feedback["feedback"]
