"""Coursera: ``make coursera`` writes the build context of the custom-grader image (Dockerfile,
entry script, part map, secret, the kit). Its entry script runs here as the image would run it
(not in Docker): Coursera mounts the learner's upload in ``/shared/submission/`` and names the
part in the environment variable ``partId``; the script writes ``/shared/feedback.json`` and
``/shared/htmlFeedback.html``. The tree laid out like ``/shared`` is a temporary folder.
"""

import html
import importlib.util
import io
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder import cli
from autograder.course.exports import ANONYMOUS_NOTICE, TITLES, not_this_assignment
from autograder.grading import reference
from autograder.grading.checks import seed_for
from autograder.grading.students import ANONYMOUS
from autograder.platforms import coursera
from autograder.platforms.coursera import chosen_notebook
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


# Who the learner is: userId, never the name of the uploaded file ---------------------------------

#: Names a learner may give their upload: another learner's id, a platform's download name,
#: the notebook's own name. None of them may change whose hidden inputs are drawn.
UPLOAD_NAMES = ["Gradient_Checking.ipynb", "learner-99 - Gradient Checking.ipynb",
                "ps1_learner-99_attempt_2016-01-30-15-30-10_Gradient_Checking.ipynb", "anything.ipynb"]


def graded_here(context, shared, part, upload, name, learner, monkeypatch, capsys):
    """The entry script run in this process as Coursera runs it, with ``grade --json`` added to
    the grading it asks for: ``(feedback.json, page, the result with its provenance)``."""
    shutil.rmtree(shared, ignore_errors=True)
    (shared / "submission").mkdir(parents=True)
    shutil.copy(upload, shared / "submission" / name)
    monkeypatch.setenv("COURSERA_SHARED", str(shared))
    monkeypatch.setenv("partId", part)
    if learner:
        monkeypatch.setenv("userId", learner)
    else:
        monkeypatch.delenv("userId", raising=False)
    real = cli.main
    monkeypatch.setattr(cli, "main", lambda argv: real([*argv, "--json"]))
    spec = importlib.util.spec_from_file_location("coursera_entry_script", context / "grade.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main() == 0
    result = json.loads(capsys.readouterr().out)
    result["provenance"].pop("seconds")
    return (json.loads((shared / "feedback.json").read_text()),
            (shared / "htmlFeedback.html").read_text(encoding="utf-8"), result)


@pytest.mark.parametrize("learner", [LEARNER, None], ids=["userId", "no userId"])
def test_does_renaming_the_upload_leave_the_learners_hidden_inputs_unchanged(context, tmp_path, learner,
                                                                            monkeypatch, capsys):
    upload = CLASS / "cleo" / "gradient_checking" / reference.NOTEBOOKS["gradient_checking"]
    graded = [graded_here(context, tmp_path / "shared", "Lw2nC", upload, name, learner, monkeypatch, capsys)
              for name in UPLOAD_NAMES]

    feedback, page, result = graded[0]
    assert result["student"] == (learner or ANONYMOUS)  # never the file's name
    for other in graded[1:]:
        assert other == graded[0]  # the same draw (seed, provenance), score and pages whatever the name
    secret = (context / "course.secret").read_text().strip()
    if "seed" in result["provenance"]:
        assert result["provenance"]["seed"] == seed_for(learner or ANONYMOUS, "gradient_checking", secret)
    assert (ANONYMOUS_NOTICE in html.unescape(page)) == (learner is None)
    assert ("Coursera did not say who you are" in feedback["feedback"]) == (learner is None)


def test_does_a_learner_coursera_did_not_name_read_why_their_hidden_inputs_are_the_defaults(
        context, tmp_path, secret_file):
    upload = CLASS / "cleo" / "regularization" / reference.NOTEBOOKS["regularization"]
    feedback, page, done = grade(context, tmp_path / "shared", "Zt8mB", upload, name="cleo.ipynb",
                                 learner=None)
    check_learner_facing(feedback, page, secret_file, "regularization")
    assert feedback["fractionalScore"] == pytest.approx(40 / 50)
    assert feedback["feedback"].endswith(
        "(hidden checks: the course's default inputs, as Coursera did not say who you are)")
    assert html.unescape(page).count(ANONYMOUS_NOTICE) == 1 and "drawn for you alone" not in page
    assert "cleo" not in page and "Traceback" not in done.stderr


# The entry script in this process, from the checkout: what each upload gets --------------------------

REG = "regularization"
GC_NOTEBOOK = CLASS / "cleo" / "gradient_checking" / reference.NOTEBOOKS["gradient_checking"]


def _script_here(tmp_path, monkeypatch, parts=None, learner=LEARNER, part="Zt8mB"):
    """deploy/coursera/grade.py imported in this process under its own dotted name, its folder
    (config.json, course.secret) in ``tmp_path / "image"`` (no config.json when ``parts`` is
    None), Coursera's variables set."""
    script = importlib.import_module("deploy.coursera.grade")
    here = tmp_path / "image"
    here.mkdir()
    if parts is not None:
        (here / "config.json").write_text(json.dumps({"parts": parts}))
    (here / "course.secret").write_text("a course secret\n")
    monkeypatch.setattr(script, "HERE", here)
    monkeypatch.setenv("COURSERA_SHARED", str(tmp_path / "shared"))
    monkeypatch.setenv("partId", part)
    if learner is None:
        monkeypatch.delenv("userId", raising=False)
    else:
        monkeypatch.setenv("userId", learner)
    (tmp_path / "shared" / "submission").mkdir(parents=True)
    return script


def _upload(tmp_path, name, source):
    target = tmp_path / "shared" / "submission" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source if isinstance(source, bytes) else source.read_bytes())


def _verdict(tmp_path):
    shared = tmp_path / "shared"
    return (json.loads((shared / "feedback.json").read_text()),
            (shared / "htmlFeedback.html").read_text(encoding="utf-8"))


def _asked(script, monkeypatch):
    """The command lines the script gives the grader (it writes nothing itself)."""
    asked = []
    monkeypatch.setattr(cli, "main", lambda argv: asked.append(argv) or 0)
    return asked


def test_does_the_script_ask_the_grader_for_the_parts_assignment_and_the_learner(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    asked = _asked(script, monkeypatch)
    assert script.main() == 0
    shared = tmp_path / "shared"
    assert asked == [["grade", str(shared / "submission" / "Regularization.ipynb"), "--coursera", str(shared),
                      "--assignment", REG, "--student", LEARNER,
                      "--secret-file", str(tmp_path / "image" / "course.secret")]]


def test_is_a_learner_without_userid_graded_anonymously_and_an_unknown_part_as_what_it_is(
        tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=None, learner="  ", part="unknown")
    _upload(tmp_path, "a/Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    (tmp_path / "image" / "course.secret").unlink()
    asked = _asked(script, monkeypatch)
    assert script.main() == 0
    shared = tmp_path / "shared"
    assert asked == [["grade", str(shared / "submission" / "a" / "Regularization.ipynb"), "--coursera",
                      str(shared), "--anonymous"]]


def test_is_the_notebook_of_the_part_chosen_among_several_its_own_name_first(tmp_path, monkeypatch):
    _script_here(tmp_path, monkeypatch, parts=PARTS)
    notebook = CLASS / "cleo" / REG / reference.NOTEBOOKS[REG]
    for name in ("a copy.ipynb", "b/Regularization.ipynb", "__MACOSX/Regularization.ipynb",
                 ".Regularization.ipynb"):
        _upload(tmp_path, name, notebook)
    _upload(tmp_path, "Gradient_Checking.ipynb", GC_NOTEBOOK)
    chosen, others = chosen_notebook(tmp_path / "shared" / "submission", REG)
    assert chosen == tmp_path / "shared" / "submission" / "b" / "Regularization.ipynb"
    assert others == [("Gradient_Checking.ipynb", "gradient_checking")]


def test_does_an_upload_of_another_parts_notebook_get_zero_and_one_plain_sentence(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Gradient_Checking.ipynb", GC_NOTEBOOK)
    asked = _asked(script, monkeypatch)
    assert script.main() == 0 and asked == []  # nothing to grade
    says = not_this_assignment(REG, [("Gradient_Checking.ipynb", "gradient_checking")], place="part")
    feedback, page = _verdict(tmp_path)
    assert feedback == {"fractionalScore": 0.0, "feedback": says, "feedbackType": "HTML"}
    assert f"<p>{html.escape(says)}</p>" in page and page.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(("grader", "says"), [
    (lambda argv: 2, "Your notebook could not be graded: it does not look like one of this course's Week 1 "
                     "notebooks."),
    (lambda argv: 1 / 0, "The grader failed on this submission; please tell the course staff."),
], ids=["refused", "failed"])
def test_does_a_learner_get_a_verdict_whatever_happens_to_the_grading(grader, says, tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    monkeypatch.setattr(cli, "main", grader)
    assert script.main() == 0
    assert _verdict(tmp_path)[0] == {"fractionalScore": 0.0, "feedback": says, "feedbackType": "HTML"}


def test_does_a_learner_get_a_verdict_when_the_kit_itself_cannot_be_imported(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    for name in ("autograder.platforms.coursera", "autograder.platforms", "autograder.cli"):
        monkeypatch.setitem(sys.modules, name, None)  # an import of it raises ImportError
    assert script.main() == 0
    feedback, page = _verdict(tmp_path)
    assert feedback == {"fractionalScore": 0.0, "feedback": script.FAILED, "feedbackType": "HTML"}
    assert f"<p>{script.FAILED}</p>" in page and page.startswith("<!DOCTYPE html>")


def test_does_an_empty_upload_to_an_unknown_part_say_to_upload_a_notebook(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS, part="unknown")
    (tmp_path / "image" / "config.json").write_text("not json")
    assert script.main() == 0
    assert _verdict(tmp_path)[0]["feedback"] == ("No notebook was found in your submission: upload your "
                                                 "notebook (.ipynb).")


def test_is_the_graders_verdict_kept_when_it_wrote_one_and_replaced_when_it_failed(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    shared = tmp_path / "shared"
    written = {"fractionalScore": 0.8, "feedback": "graded", "feedbackType": "HTML"}
    for status, kept in ((0, True), (1, False), (2, False)):
        def grader(argv, status=status):
            (shared / "feedback.json").write_text(json.dumps(written))
            return status
        monkeypatch.setattr(cli, "main", grader)
        assert script.main() == 0
        assert (json.loads((shared / "feedback.json").read_text()) == written) == kept, status


def test_is_a_learner_coursera_names_not_graded_as_anyone_else_without_userid(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts={}, learner=None)
    (tmp_path / "image" / "config.json").write_text("{}")  # no parts at all: graded as what it is
    monkeypatch.delenv("partId")
    _upload(tmp_path, "Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    asked = _asked(script, monkeypatch)
    assert script.main() == 0
    assert "--anonymous" in asked[0] and "--student" not in asked[0] and "--assignment" not in asked[0]


def test_is_a_notebook_showing_the_parts_assignment_chosen_before_an_unreadable_one(tmp_path, monkeypatch):
    _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "a copy.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    _upload(tmp_path, "aaa.ipynb", b"\xff")
    chosen, _ = chosen_notebook(tmp_path / "shared" / "submission", REG)
    assert chosen.name == "a copy.ipynb"


def test_are_hidden_notebooks_never_graded_and_a_missing_shared_folder_made(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, ".hidden/Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    _upload(tmp_path, ".Regularization.ipynb", CLASS / "cleo" / REG / reference.NOTEBOOKS[REG])
    asked = _asked(script, monkeypatch)
    assert script.main() == 0 and asked == []
    page = _verdict(tmp_path)[1]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page  # for phones
    elsewhere = tmp_path / "not" / "yet" / "shared"
    monkeypatch.setenv("COURSERA_SHARED", str(elsewhere))
    assert script.main() == 0
    assert json.loads((elsewhere / "feedback.json").read_text())["fractionalScore"] == 0.0


def test_does_the_last_resort_page_make_a_missing_shared_folder_and_overwrite_an_old_verdict(
        tmp_path, monkeypatch):
    script = importlib.import_module("deploy.coursera.grade")
    monkeypatch.setitem(sys.modules, "autograder.platforms.coursera", None)  # the kit does not import
    shared = tmp_path / "not" / "yet" / "shared"
    script._last_resort(shared)
    first = {path.name: path.read_bytes() for path in shared.iterdir()}
    assert json.loads(first["feedback.json"]) == {"fractionalScore": 0.0, "feedback": script.FAILED,
                                                 "feedbackType": "HTML"}
    assert set(first) == {"feedback.json", "htmlFeedback.html"}
    script._last_resort(shared)  # the folder is there now: the verdict is written again, the same
    assert {path.name: path.read_bytes() for path in shared.iterdir()} == first


def _page_text(page):
    """The text a reader of ``page`` sees (its title, then its body), as (tag, text) pairs."""
    seen = []

    class Reader(HTMLParser):
        def handle_data(self, data):
            if data.strip():
                seen.append((self.lasttag, data))

    Reader().feed(page)
    return seen


def test_does_a_plain_verdict_page_show_its_title_and_the_sentence_and_nothing_else(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Gradient_Checking.ipynb", GC_NOTEBOOK)
    assert script.main() == 0
    feedback, page = _verdict(tmp_path)
    assert _page_text(page) == [("title", "Not graded"), ("p", feedback["feedback"])]


def test_is_a_plain_page_written_in_utf8_on_a_machine_whose_locale_is_latin1(tmp_path, monkeypatch):
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: encoding or "latin-1")
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    _upload(tmp_path, "Градиент.ipynb", GC_NOTEBOOK)  # another part's notebook, named in Cyrillic
    assert script.main() == 0
    feedback, page = _verdict(tmp_path)
    assert "Градиент.ipynb" in feedback["feedback"]
    assert _page_text(page)[1] == ("p", feedback["feedback"])


def test_does_the_script_read_coursera_s_own_folder_when_no_other_is_named(tmp_path, monkeypatch):
    script = _script_here(tmp_path, monkeypatch, parts=PARTS)
    monkeypatch.delenv("COURSERA_SHARED")
    folders = []
    monkeypatch.setattr(coursera, "verdict", lambda shared, *rest: folders.append(shared))
    assert script.main() == 0
    assert folders == [Path("/shared")]  # where Coursera mounts the upload and reads the verdict
