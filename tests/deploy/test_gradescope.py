"""Gradescope: ``make gradescope`` builds ``build/gradescope/<assignment>/autograder.zip``, one per
assignment (Gradescope takes one assignment at a time), as Gradescope's autograder specification
asks (``setup.sh`` and ``run_autograder`` at the root of the zip; the zip unpacked in
``/autograder/source``, the submission in ``/autograder/submission``, the verdict in
``/autograder/results/results.json``). Here a zip is unpacked into a temporary tree laid out like
``/autograder``; ``setup.sh`` runs all but its system-package step (it would change this machine)
and takes the Python packages from this environment instead of downloading them. The zips differ
in ``config.json`` alone (checked), so ``setup.sh`` runs once and each zip is then unpacked over
the same tree; ``run_autograder`` grades correct, wrong, corrupt and misdirected submissions.
"""

import importlib.util
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

from autograder.course import exports
from autograder.course.exports import TITLES
from autograder.grading import reference
from autograder.grading.checks import seed_for
from autograder.platforms.gradescope import notebooks_in
from tests.autograder.course.test_class_grading import GRADESCOPE_SCHEMA
from tests.deploy.conftest import CLASS, EXPECTED, ROOT, VENV_BIN, clean_env, run

ASSIGNMENTS = list(reference.NOTEBOOKS)
USER_ID = 4242  # the Gradescope user id in submission_metadata.json: it seeds the hidden inputs
BUNDLE = [VENV_BIN / "python", ROOT / "deploy" / "bundle.py", "gradescope"]


def build(out, secret_file, *options):
    run([*BUNDLE, out, "--secret-file", secret_file, *options], cwd=out.parent, env=clean_env())
    return out


@pytest.fixture(scope="module")
def bundles(tmp_path_factory, secret_file):
    """``{assignment: its autograder.zip}``, built as ``make gradescope`` builds them."""
    folder = build(tmp_path_factory.mktemp("bundle") / "gradescope", secret_file)
    return {assignment: folder / assignment / "autograder.zip" for assignment in ASSIGNMENTS}


def unpack(archive, folder):
    """Extract as Gradescope does (unzip): files with their permission bits."""
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            target = folder / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zipped.read(info))
            target.chmod((info.external_attr >> 16) & 0o777 or 0o644)


def install(root, archive):
    """``root`` as Gradescope lays it out from ``archive``: the zip in source/, run_autograder beside."""
    unpack(archive, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")  # what Gradescope does
    return root


@pytest.fixture(scope="module")
def autograder_root(tmp_path_factory, bundles):
    """A tree laid out like /autograder after Gradescope built the image from a zip (setup.sh run)."""
    root = install(tmp_path_factory.mktemp("gradescope") / "autograder", bundles[ASSIGNMENTS[0]])
    base_python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    env = clean_env(AUTOGRADER_ROOT=str(root), SKIP_SYSTEM_PACKAGES="1", PYTHON=str(base_python),
                    KIT_SITE_PACKAGES=sysconfig.get_paths()["purelib"])
    run(["bash", root / "source" / "setup.sh"], cwd=root, env=env)
    return root


def grade(root, notebooks=(), corrupt=None):
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


def notebook_of(student, assignment):
    return CLASS / student / assignment / reference.NOTEBOOKS[assignment]


def check_student_facing(data, text, secret_file, names):
    """What every results.json must satisfy: the schema, consistent scores, the tests ``names``,
    nothing hidden."""
    jsonschema.Draft202012Validator(GRADESCOPE_SCHEMA).validate(data)
    assert [t["name"] for t in data["tests"]] == names
    for test in data["tests"]:
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] == "visible" and test["output"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert data["output"] and data["stdout_visibility"] == "hidden"  # the grader's log is for the instructor
    secret = secret_file.read_text().strip()
    assert secret not in text
    for assignment in ASSIGNMENTS:  # no seed, under any name or form
        assert str(seed_for(str(USER_ID), assignment, secret)) not in text
    assert "seed" not in text.lower() and "provenance" not in text
    assert re.findall(r"(?<![\d.])\d{12,}(?![\d.])", text) == []  # a 64-bit integer, not a decimal
    for line in (line for test in data["tests"] for line in test["output"].splitlines()):
        if "hidden case" in line:  # how far off, never what was expected
            assert not re.search(r"expected\W{0,3}[-+]?\d", line), line


def check_one_message(data, text, secret_file):
    """Nothing graded: 0, no tests, one line for the student that names no command or option."""
    check_student_facing(data, text, secret_file, [])
    assert data["score"] == 0 and data["tests"] == []
    assert "\n" not in data["output"] and "--" not in data["output"] and "Traceback" not in text


def test_does_make_gradescope_build_one_zip_per_assignment():
    done = run(["make", "-n", "gradescope"], cwd=ROOT, env=clean_env())
    expected = f"deploy/bundle.py gradescope build/gradescope --assignments {' '.join(ASSIGNMENTS)}"
    assert expected in done.stdout


def test_does_each_zip_have_what_the_specification_asks_at_its_root(bundles, secret_file, tmp_path):
    contents = {}
    for assignment, bundle in bundles.items():
        with zipfile.ZipFile(bundle) as zipped:
            infos = {info.filename: info for info in zipped.infolist()}
            assert zipped.read("course.secret") == secret_file.read_bytes()
            assert json.loads(zipped.read("config.json")) == {"assignments": [assignment]}
            contents[assignment] = {name: zipped.read(name) for name in infos if name != "config.json"}
        for script in ("setup.sh", "run_autograder"):
            assert script in infos, script
            assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
        assert stat.S_IMODE(infos["course.secret"].external_attr >> 16) == 0o600
        tops = {name.split("/")[0] for name in infos}
        assert tops == {"setup.sh", "run_autograder", "grade.py", "config.json", "course.secret", "kit"}
        kit = {name.split("/")[1] for name in infos if name.startswith("kit/")}
        assert kit == {"autograder", "utils", "source", "release", "pyproject.toml", "constraints.txt",
                       "README.md"}
        for other in ASSIGNMENTS:  # the links of source/ to utils/ became files
            assert f"kit/source/{other}/utils/checks.py" in infos
            assert f"kit/release/{other}/utils/checks.py" in infos
        assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc")]
    first = contents[ASSIGNMENTS[0]]
    assert all(content == first for content in contents.values())  # config.json apart, one zip
    # the same checkout gives the same bytes
    again = build(tmp_path / "again", secret_file, "--assignments", ASSIGNMENTS[0])
    assert (again / ASSIGNMENTS[0] / "autograder.zip").read_bytes() == bundles[ASSIGNMENTS[0]].read_bytes()


def test_does_setup_install_the_kit_from_the_zip_into_the_autograder_venv(autograder_root):
    done = run([autograder_root / "venv" / "bin" / "python", "-c",
                "import autograder, utils; print(autograder.__file__); print(utils.__file__)"],
               cwd=autograder_root, env=clean_env())
    for line in done.stdout.split():
        assert Path(line).is_relative_to(autograder_root / "source" / "kit"), line
    assert stat.S_IMODE((autograder_root / "source" / "course.secret").stat().st_mode) == 0o600


def shims(folder, broken=("python3.13", "python3.12"), links=None):
    """A folder of interpreters for ``PATH``: each of ``broken`` a version manager's shim for a
    version that is not selected (it prints why and exits 127), each of ``links`` a link to a
    real interpreter."""
    folder.mkdir()
    for name in broken:
        shim = folder / name
        shim.write_text(f"#!/bin/sh\necho \"pyenv: {name}: command not found\" >&2\nexit 127\n")
        shim.chmod(0o755)
    for name, target in (links or {}).items():
        (folder / name).symlink_to(target)
    return folder


def test_does_setup_pass_over_shims_that_do_not_run_and_say_which_python_it_took(tmp_path, bundles):
    # Gradescope's image may have shims (or a python3.1x without its venv module) first on PATH;
    # the zip's setup.sh takes the newest Python that runs, is 3.11 or newer and can make a venv.
    root = install(tmp_path / "autograder", bundles[ASSIGNMENTS[0]])
    base_python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    found = shims(tmp_path / "shims", links={"python3.11": base_python})
    env = clean_env(AUTOGRADER_ROOT=str(root), SKIP_SYSTEM_PACKAGES="1",
                    KIT_SITE_PACKAGES=sysconfig.get_paths()["purelib"])
    env["PATH"] = f"{found}:{env['PATH']}"
    done = run(["bash", root / "source" / "setup.sh"], cwd=root, env=env)
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"setup.sh: building the kit's venv with python3.11 (Python {version}, " in done.stdout
    probe = "import autograder, sys; print(*sys.version_info[:3])"
    made = run([root / "venv" / "bin" / "python", "-c", probe], cwd=root, env=clean_env())
    assert made.stdout.split() == version.split(".")


@pytest.mark.parametrize("python", [None, "python3.13"])
def test_does_setup_stop_with_one_plain_line_when_no_python_will_do(tmp_path, python):
    # Only shims that do not run and a python3 that is too old (Ubuntu 22.04's is 3.10); with
    # PYTHON set, that interpreter alone is tried.
    too_old = tmp_path / "old"
    too_old.mkdir()
    (too_old / "python3").write_text("#!/bin/sh\nexit 1\n")  # 3.10 fails the version assertion
    (too_old / "python3").chmod(0o755)
    source = tmp_path / "autograder" / "source"
    source.mkdir(parents=True)
    shutil.copy2(ROOT / "deploy" / "gradescope" / "setup.sh", source / "setup.sh")
    env = {"PATH": f"{shims(tmp_path / 'shims', ('python3.13', 'python3.12', 'python3.11'))}:{too_old}",
           "AUTOGRADER_ROOT": str(tmp_path / "autograder"), "SKIP_SYSTEM_PACKAGES": "1",
           **({"PYTHON": python} if python else {})}
    done = run([shutil.which("bash"), source / "setup.sh"], cwd=tmp_path, env=env, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("setup.sh: found no Python 3.11 or newer that runs and can make a venv")
    assert (python or "python3.13 python3.12 python3.11 python3") in done.stderr
    assert not (tmp_path / "autograder" / "venv").exists()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_does_each_assignments_zip_grade_its_own_notebook_function_by_function(
        autograder_root, bundles, secret_file, assignment):
    root = install(autograder_root, bundles[assignment])
    names = list(reference.load(assignment).names)
    data, text, _ = grade(root, [notebook_of("ada", assignment)])
    check_student_facing(data, text, secret_file, names)
    assert data["score"] == reference.load(assignment).max_score
    assert all(t["status"] == "passed" for t in data["tests"])
    assert data["output"] == f"{TITLES[assignment]}: {data['score']:g}/{data['score']:g}"

    data, text, log = grade(root, [notebook_of("cleo", assignment)])
    check_student_facing(data, text, secret_file, names)
    assert {t["name"]: t["score"] for t in data["tests"]} == EXPECTED["cleo"][assignment]
    outputs = {t["name"]: t["output"] for t in data["tests"]}
    for name, phrase in EXPECTED["cleo"]["hint_contains"].items():
        if name in outputs:
            assert "Hint: " in outputs[name] and phrase in outputs[name], (name, outputs[name])
    assert all(name in log for name in names)  # the instructor's log names what was graded


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_does_each_assignments_zip_give_another_assignments_notebook_one_message_and_zero(
        autograder_root, bundles, secret_file, assignment):
    other = ASSIGNMENTS[(ASSIGNMENTS.index(assignment) + 1) % len(ASSIGNMENTS)]
    root = install(autograder_root, bundles[assignment])
    data, text, _ = grade(root, [notebook_of("ada", other)])  # full marks, in its own assignment
    check_one_message(data, text, secret_file)
    assert data["output"] == (
        f"This assignment grades the {TITLES[assignment]} notebook, but you uploaded the {TITLES[other]} "
        f"notebook ({reference.NOTEBOOKS[other]}), so nothing was graded: upload "
        f"{reference.NOTEBOOKS[assignment]}, your {TITLES[assignment]} notebook, to this assignment.")


def test_does_a_submission_with_both_notebooks_get_its_own_graded_and_the_other_named(
        autograder_root, bundles, secret_file):
    root = install(autograder_root, bundles["regularization"])
    data, text, _ = grade(root, [notebook_of("ada", "initialization"), notebook_of("ada", "regularization")])
    check_student_facing(data, text, secret_file, list(reference.load("regularization").names))
    assert data["score"] == 50
    assert data["output"].splitlines() == [
        "Regularization: 50/50",
        "Initialization.ipynb is the Initialization notebook: this assignment does not grade it."]


def test_does_a_corrupt_submission_get_zero_and_say_why_once(autograder_root, bundles, secret_file):
    root = install(autograder_root, bundles["regularization"])
    data, text, _ = grade(root, corrupt="Regularization.ipynb")
    check_one_message(data, text, secret_file)
    assert data["output"] == "Regularization.ipynb is not UTF-8 text (byte 0)"
    assert text.count("not UTF-8") == 1


def test_does_an_empty_submission_get_zero_and_say_what_to_upload(autograder_root, bundles, secret_file):
    root = install(autograder_root, bundles["initialization"])
    data, text, _ = grade(root)
    check_one_message(data, text, secret_file)
    assert "upload Initialization.ipynb, your Initialization notebook" in data["output"]


def test_does_a_zip_of_several_assignments_grade_each_of_them(
        autograder_root, tmp_path, secret_file):
    bundle = build(tmp_path / "autograder.zip", secret_file, "--assignments", *ASSIGNMENTS)
    with zipfile.ZipFile(bundle) as zipped:
        assert json.loads(zipped.read("config.json")) == {"assignments": ASSIGNMENTS}
    root = install(autograder_root, bundle)
    data, text, _ = grade(root, [notebook_of("cleo", a) for a in ASSIGNMENTS[:2]],
                          corrupt=reference.NOTEBOOKS[ASSIGNMENTS[2]])
    names = [f"{TITLES[a]}: {name}" for a in ASSIGNMENTS[:2] for name in reference.load(a).names]
    check_student_facing(data, text, secret_file, names)
    scores = {t["name"].split(": ", 1)[1]: t["score"] for t in data["tests"]}
    assert scores == {name: points for a in ASSIGNMENTS[:2] for name, points in EXPECTED["cleo"][a].items()}
    last = TITLES[ASSIGNMENTS[2]]
    assert data["output"].splitlines()[2] == \
        f"{last}: 0/50, not graded: {reference.NOTEBOOKS[ASSIGNMENTS[2]]} is not UTF-8 text (byte 0)"
    assert text.count("not UTF-8") == 1


def _entry_script():
    path = ROOT / "deploy" / "gradescope" / "grade.py"
    spec = importlib.util.spec_from_file_location("gradescope_entry_script", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def _seed_drawn_for(users, tmp_path, monkeypatch):
    """The seed of the hidden inputs run_autograder's script draws for a submission whose metadata
    lists ``users`` (Gradescope user ids), the script run in this process on an empty submission."""
    script = _entry_script()
    drawn = []

    def verdict(submission, assignments, student, secret):
        drawn.append(seed_for(student, assignments[0], secret))
        return {"score": 0.0, "output": "", "tests": []}

    monkeypatch.setattr(script, "verdict", verdict)
    here = tmp_path / "source"  # what the zip holds beside the script
    here.mkdir(exist_ok=True)
    (here / "config.json").write_text(json.dumps({"assignments": ["gradient_checking"]}))
    (here / "course.secret").write_text("a course secret\n")
    monkeypatch.setattr(script, "HERE", here)
    root = tmp_path / "-".join(map(str, users))
    (root / "submission").mkdir(parents=True)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": u} for u in users]}))
    assert script.main(["--root", str(root)]) == 0
    return drawn[0]


def test_does_a_group_get_the_same_hidden_inputs_whatever_the_order_gradescope_lists_it_in(
        tmp_path, monkeypatch):
    group = _seed_drawn_for([USER_ID, 17, 3003], tmp_path, monkeypatch)
    assert _seed_drawn_for([3003, USER_ID, 17], tmp_path, monkeypatch) == group
    assert _seed_drawn_for([17, 3003, USER_ID], tmp_path, monkeypatch) == group
    assert _seed_drawn_for([USER_ID], tmp_path, monkeypatch) != group  # a member alone draws anew


# The entry script in this process: what each submission gets, without building a zip ---------------

GC = "gradient_checking"


def _script():
    """deploy/gradescope/grade.py imported under its own dotted name (as a mutation run finds it)."""
    return importlib.import_module("deploy.gradescope.grade")


def _results_here(tmp_path, monkeypatch, assignments, uploads, config=True):
    """The results.json that grade.py writes, run in this process as run_autograder runs it, for a
    submission of ``uploads`` (``{path in the submission: notebook file or bytes}``) to a zip
    configured for ``assignments`` (no config.json when ``config`` is false)."""
    script = _script()
    here = tmp_path / "source"
    here.mkdir()
    if config:
        (here / "config.json").write_text(json.dumps({"assignments": assignments}))
    (here / "course.secret").write_text("a course secret\n")
    monkeypatch.setattr(script, "HERE", here)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    for name, content in uploads.items():
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.read_bytes())
    assert script.main(["--root", str(root)]) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    assert data.pop("execution_time") >= 0
    return data


def _notebook(student, assignment):
    return CLASS / student / assignment / reference.NOTEBOOKS[assignment]


def test_does_the_script_grade_its_assignments_notebook_and_name_any_other_it_finds(tmp_path, monkeypatch):
    data = _results_here(tmp_path, monkeypatch, [GC], {
        "work/my gradient checking.ipynb": _notebook("ada", GC),
        "Regularization.ipynb": _notebook("ada", "regularization")})
    assert data["score"] == sum(EXPECTED["ada"][GC].values())
    assert data["output"].splitlines() == [
        f"Gradient Checking: {data['score']:g}/{data['score']:g}",
        "Regularization.ipynb is the Regularization notebook: this assignment does not grade it."]
    assert [t["name"] for t in data["tests"]] == list(reference.load(GC).names)
    assert {t["name"]: t["score"] for t in data["tests"]} == EXPECTED["ada"][GC]


def test_does_a_submission_without_its_assignments_notebook_get_one_sentence_and_no_tests(
        tmp_path, monkeypatch):
    data = _results_here(tmp_path, monkeypatch, [GC], {
        "Regularization.ipynb": _notebook("ada", "regularization"), ".hidden.ipynb": b"{}",
        "__MACOSX/Gradient_Checking.ipynb": b"{}"})
    assert data == {"score": 0.0, "tests": [], "visibility": "visible", "stdout_visibility": "hidden",
                    "output": exports.not_this_assignment(GC, [("Regularization.ipynb", "regularization")])}


def test_does_a_zip_of_several_assignments_say_each_ones_fate_and_add_up_its_tests(tmp_path, monkeypatch):
    data = _results_here(tmp_path, monkeypatch, ASSIGNMENTS, {
        "Regularization.ipynb": _notebook("ada", "regularization"), "Gradient_Checking.ipynb": b"\xff"})
    points = sum(EXPECTED["ada"]["regularization"].values())
    assert data["score"] == points
    assert data["output"].splitlines() == [
        "Initialization: no notebook submitted (upload Initialization.ipynb) - 0 points",
        f"Regularization: {points:g}/{points:g}",
        "Gradient Checking: 0/50, not graded: Gradient_Checking.ipynb is not UTF-8 text (byte 0)"]
    assert [t["name"] for t in data["tests"]] == [f"Regularization: {name}"
                                                  for name in reference.load("regularization").names]


def test_does_a_student_get_a_results_json_that_blames_the_grader_when_the_zip_is_broken(
        tmp_path, monkeypatch):
    data = _results_here(tmp_path, monkeypatch, [GC], {"Gradient_Checking.ipynb": _notebook("ada", GC)},
                         config=False)
    assert data == {"score": 0.0, "tests": [], "visibility": "visible", "stdout_visibility": "hidden",
                    "output": "The autograder could not grade this submission: FileNotFoundError. "
                              "Please tell your instructor."}


@pytest.mark.parametrize(("metadata", "student"), [
    (None, "student"),  # no metadata file
    ('{"users": [{"id": 3003}, {"id": 17}]}', "17+3003"),
    ('{"users": [{"id": null}, {"id": 17}, {"name": "x"}]}', "17"),
    ('{"users": null}', "student"),
    ('{"users": [17]}', "student"),
    ("not json", "student"),
])
def test_is_the_student_the_sorted_gradescope_ids_of_the_submission(metadata, student, tmp_path):
    path = tmp_path / "submission_metadata.json"
    if metadata is not None:
        path.write_text(metadata)
    assert _script().student_id(path) == student


def test_are_the_notebooks_of_an_upload_found_in_its_folders_hidden_ones_left_out(tmp_path):
    for name in ("b/z.ipynb", "a.ipynb", ".hidden.ipynb", ".git/x.ipynb", "__MACOSX/a.ipynb", "notes.txt",
                 "b/.c/y.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = notebooks_in(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.ipynb", "b/z.ipynb"]


def test_is_the_submission_graded_for_its_gradescope_ids_and_the_zips_secret(tmp_path, monkeypatch, capsys):
    from autograder.course import batch

    asked = []
    real = batch.grade_submission

    def spy(submission, secret, graders=None):
        asked.append((submission.student, secret))
        return real(submission, secret, graders)

    monkeypatch.setattr(batch, "grade_submission", spy)
    script = _script()
    here = tmp_path / "source"
    here.mkdir()
    (here / "config.json").write_text(json.dumps({"assignments": [GC]}))
    (here / "course.secret").write_text("  a course secret \n")
    monkeypatch.setattr(script, "HERE", here)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()  # Gradescope makes it beforehand
    (root / "submission" / "Gradient_Checking.ipynb").write_bytes(_notebook("ada", GC).read_bytes())
    (root / "submission_metadata.json").write_text('{"users": [{"id": 3003}, {"id": 17}]}')
    assert script.main(["--root", str(root)]) == 0
    (here / "config.json").write_text(json.dumps({"assignments": [GC, "regularization"]}))
    (here / "course.secret").unlink()
    assert script.main(["--root", str(root)]) == 0
    assert asked == [("17+3003", "a course secret"), ("17+3003", "")]
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text.startswith('{\n "score"') and "✓" in text  # one space a level; ✓ as it is
    seconds = data["execution_time"]
    assert isinstance(seconds, float) and 0 < seconds < 600 and round(seconds, 3) == seconds
    log = capsys.readouterr().out.splitlines()
    assert log[0] == "   10/10  passed  forward_propagation"  # the first run's, one assignment
    assert log[-1] == f"total {data['score']:g}; {data['output']!r}"


def test_does_a_zip_of_several_assignments_grade_each_in_its_order_whatever_comes_before(
        tmp_path, monkeypatch):
    data = _results_here(tmp_path, monkeypatch, [GC, "regularization", "initialization"], {
        "Gradient_Checking.ipynb": b"\xff", "Regularization.ipynb": _notebook("ada", "regularization"),
        "Initialization.ipynb": _notebook("ada", "initialization")})
    points = {a: sum(EXPECTED["ada"][a].values()) for a in ("regularization", "initialization")}
    assert data["output"].splitlines() == [
        "Gradient Checking: 0/50, not graded: Gradient_Checking.ipynb is not UTF-8 text (byte 0)",
        f"Regularization: {points['regularization']:g}/{points['regularization']:g}",
        f"Initialization: {points['initialization']:g}/{points['initialization']:g}"]
    assert len(data["tests"]) == sum(len(EXPECTED["ada"][a]) for a in points)
    assert data["score"] == sum(points.values()) and isinstance(data["score"], float)
    assert (data["visibility"], data["stdout_visibility"]) == ("visible", "hidden")


def test_does_the_script_say_what_it_is_when_asked(capsys):
    with pytest.raises(SystemExit) as done:
        _script().main(["--help"])
    assert done.value.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "Grade one Gradescope submission" in said
    assert "--root ROOT the folder Gradescope grades in (default: /autograder)" in said
