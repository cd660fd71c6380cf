"""Gradescope: ``make gradescope`` builds ``build/gradescope/autograder.zip`` as Gradescope's
autograder specification asks (``setup.sh`` and ``run_autograder`` at the root of the zip; the
zip unpacked in ``/autograder/source``, the submission in ``/autograder/submission``, the verdict
in ``/autograder/results/results.json``). Here the zip is unpacked into a temporary tree laid
out like ``/autograder``; ``setup.sh`` runs all but its system-package step (it would change
this machine) and takes the Python packages from this environment instead of downloading them;
``run_autograder`` grades a correct, a wrong and a corrupt submission.
"""

import json
import re
import shutil
import stat
import sys
import sysconfig
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder import reference
from autograder.checks import seed_for
from tests.autograder.test_class_grading import GRADESCOPE_SCHEMA
from tests.deploy.conftest import CLASS, EXPECTED, ROOT, VENV_BIN, clean_env, run

ASSIGNMENTS = list(reference.NOTEBOOKS)
USER_ID = 4242  # the Gradescope user id in submission_metadata.json: it seeds the hidden inputs
BUNDLE = [VENV_BIN / "python", ROOT / "deploy" / "bundle.py", "gradescope"]


def build(out, secret_file):
    run([*BUNDLE, out, "--secret-file", secret_file], cwd=out.parent, env=clean_env())
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, secret_file):
    return build(tmp_path_factory.mktemp("bundle") / "autograder.zip", secret_file)


def unpack(archive, folder):
    """Extract as Gradescope does (unzip): files with their permission bits."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            target = folder / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zipped.read(info))
            target.chmod((info.external_attr >> 16) & 0o777 or 0o644)


@pytest.fixture(scope="module")
def autograder_root(tmp_path_factory, bundle):
    """A tree laid out like /autograder after Gradescope built the image from the zip."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    unpack(bundle, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")  # what Gradescope does
    base_python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    env = clean_env(AUTOGRADER_ROOT=str(root), SKIP_SYSTEM_PACKAGES="1", PYTHON=str(base_python),
                    KIT_SITE_PACKAGES=sysconfig.get_paths()["purelib"])
    run(["bash", root / "source" / "setup.sh"], cwd=root, env=env)
    return root


def grade(root, notebooks, corrupt=None):
    """Gradescope's harness for one submission: fresh submission/ and results/, then run_autograder."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for notebook in notebooks:
        shutil.copy(notebook, root / "submission" / notebook.name)
    if corrupt:
        (root / "submission" / corrupt).write_bytes(b"\x89PNG\r\n\x1a\n not a notebook {\"cells\": [")
    (root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "users": [{"id": USER_ID, "email": "student@example.com", "name": "A Student"}]}))
    done = run([root / "run_autograder"], cwd=root, env=clean_env(AUTOGRADER_ROOT=str(root)))
    results = root / "results" / "results.json"
    return json.loads(results.read_text()), results.read_text(), done.stdout


def notebooks_of(student):
    return [CLASS / student / a / reference.NOTEBOOKS[a] for a in ASSIGNMENTS]


def check_student_facing(data, text, secret_file):
    """What every results.json must satisfy: the schema, consistent scores, nothing hidden."""
    jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(data)
    assert [t["name"] for t in data["tests"]] == [
        f"{reference.load(a).notebook.removesuffix('.ipynb').replace('_', ' ')}: {name}"
        for a in ASSIGNMENTS for name in reference.load(a).names]
    for test in data["tests"]:
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] == "visible" and test["output"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert data["stdout_visibility"] == "hidden"  # the grader's log is for the instructor
    secret = secret_file.read_text().strip()
    assert secret not in text
    for assignment in ASSIGNMENTS:  # no seed, under any name or form
        assert str(seed_for(str(USER_ID), assignment, secret)) not in text
    assert "seed" not in text.lower() and "provenance" not in text
    assert re.findall(r"(?<![\d.])\d{12,}(?![\d.])", text) == []  # a 64-bit integer, not a decimal
    for line in (line for test in data["tests"] for line in test["output"].splitlines()):
        if "hidden case" in line:  # how far off, never what was expected
            assert not re.search(r"expected\W{0,3}[-+]?\d", line), line


def test_does_make_gradescope_build_the_zip_with_the_bundle_script():
    done = run(["make", "-n", "gradescope"], cwd=ROOT, env=clean_env())
    assert "deploy/bundle.py gradescope build/gradescope/autograder.zip" in done.stdout


def test_does_the_zip_have_what_the_specification_asks_at_its_root(bundle, secret_file, tmp_path):
    with zipfile.ZipFile(bundle) as zipped:
        infos = {info.filename: info for info in zipped.infolist()}
        assert zipped.read("course.secret") == secret_file.read_bytes()
        assert json.loads(zipped.read("config.json")) == {"assignments": ASSIGNMENTS}
    for script in ("setup.sh", "run_autograder"):
        assert script in infos, script
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    assert stat.S_IMODE(infos["course.secret"].external_attr >> 16) == 0o600
    tops = {name.split("/")[0] for name in infos}
    assert tops == {"setup.sh", "run_autograder", "grade.py", "config.json", "course.secret", "kit"}
    kit = {name.split("/")[1] for name in infos if name.startswith("kit/")}
    assert kit == {"autograder", "utils", "source", "release", "pyproject.toml", "constraints.txt",
                   "README.md"}
    for assignment in ASSIGNMENTS:  # the links of source/ to utils/ became files
        assert f"kit/source/{assignment}/utils/checks.py" in infos
        assert f"kit/release/{assignment}/utils/checks.py" in infos
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc")]
    # the same checkout gives the same bytes
    assert build(tmp_path / "again.zip", secret_file).read_bytes() == bundle.read_bytes()


def test_does_setup_install_the_kit_from_the_zip_into_the_autograder_venv(autograder_root):
    done = run([autograder_root / "venv" / "bin" / "python", "-c",
                "import autograder, utils; print(autograder.__file__); print(utils.__file__)"],
               cwd=autograder_root, env=clean_env())
    for line in done.stdout.split():
        assert Path(line).is_relative_to(autograder_root / "source" / "kit"), line
    assert stat.S_IMODE((autograder_root / "source" / "course.secret").stat().st_mode) == 0o600


def test_does_a_correct_submission_get_every_point(autograder_root, secret_file):
    data, text, _ = grade(autograder_root, notebooks_of("ada"))
    check_student_facing(data, text, secret_file)
    total = sum(reference.load(a).max_score for a in ASSIGNMENTS)
    assert data["score"] == total == sum(sum(EXPECTED["ada"][a].values()) for a in ASSIGNMENTS)
    assert all(t["status"] == "passed" for t in data["tests"])


def test_does_a_wrong_submission_get_its_written_down_scores_and_hints(autograder_root, secret_file):
    data, text, log = grade(autograder_root, notebooks_of("cleo"))
    check_student_facing(data, text, secret_file)
    scores = {t["name"].split(": ", 1)[1]: t["score"] for t in data["tests"]}
    expected = {name: points for a in ASSIGNMENTS for name, points in EXPECTED["cleo"][a].items()}
    assert scores == expected
    outputs = {t["name"].split(": ", 1)[1]: t["output"] for t in data["tests"]}
    for name, phrase in EXPECTED["cleo"]["hint_contains"].items():
        assert "Hint: " in outputs[name] and phrase in outputs[name], (name, outputs[name])
    assert "initialize_parameters_he" in log  # the instructor's log names what was graded


def test_does_a_corrupt_submission_get_zero_and_say_why(autograder_root, secret_file):
    data, text, _ = grade(autograder_root, [], corrupt="Regularization.ipynb")
    check_student_facing(data, text, secret_file)
    assert data["score"] == 0
    regularization = [t for t in data["tests"] if t["name"].startswith("Regularization: ")]
    others = [t for t in data["tests"] if not t["name"].startswith("Regularization: ")]
    assert regularization and all("not" in t["output"].lower() for t in regularization)
    assert all("No Initialization notebook" in t["output"] or "No Gradient Checking notebook" in t["output"]
               for t in others)
    assert "upload Initialization.ipynb" in data["output"]
