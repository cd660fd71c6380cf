"""The kit as an installed package: ``make install`` puts ``autograder`` and ``utils`` (this
checkout, editable) into the venv with the pinned versions, so the command line, Jupyter kernels
and nbgrader find them from any folder without ``PYTHONPATH``; a release folder still runs on its
own in a student's Python, where nothing of the kit is installed; the grader refuses to run
anywhere but on Linux.

Why a release folder is tried in a "student's Python": in the kit's venv an installed ``utils``
would stand in for a release folder's missing copy, and the folder would seem self-contained
when it is not (the last test shows it). A student has no kit installed; the test's student
Python is the venv's interpreter started with ``-S`` (no site hooks, so no editable install)
and the venv's site-packages on ``PYTHONPATH`` (numpy, scipy, scikit-learn, matplotlib).
"""

import importlib.metadata
import json
import shutil
import sysconfig
from pathlib import Path

import nbformat
import pytest

from autograder.grading import reference
from tests.deploy.conftest import CLASS, EXPECTED, ROOT, VENV_BIN, clean_env, only_venv_path, run
from tools import requirements


def test_does_the_command_line_grade_from_any_folder_without_pythonpath(tmp_path):
    notebook = CLASS / "cleo" / "initialization" / reference.NOTEBOOKS["initialization"]
    done = run([VENV_BIN / "python", "-m", "autograder", "grade", notebook, "--json"], cwd=tmp_path,
               env=only_venv_path())
    result = json.loads(done.stdout)
    assert {n: f["score"] for n, f in result["functions"].items()} == EXPECTED["cleo"]["initialization"]


def test_are_only_the_kits_two_packages_installed_and_from_this_checkout(tmp_path):
    probe = ("import importlib.util as u, json, autograder, utils\n"
             "strays = [n for n in ('tools', 'tests', 'bench', 'source', 'deploy') if u.find_spec(n)]\n"
             "print(json.dumps([autograder.__file__, utils.__file__, strays]))")
    done = run([VENV_BIN / "python", "-c", probe], cwd=tmp_path, env=only_venv_path())
    package, helpers, strays = json.loads(done.stdout)
    assert Path(package) == ROOT / "autograder" / "__init__.py"
    assert Path(helpers) == ROOT / "utils" / "__init__.py"
    assert strays == []


BUILD_EDITABLE = """
import json, sys, warnings
from setuptools import build_meta
wheel_folder, said_file = sys.argv[1:]  # the build rewrites sys.argv
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    build_meta.build_editable(wheel_folder)
said = [f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}" for w in caught]
with open(said_file, "w") as handle:
    json.dump(said, handle)
"""


def test_does_building_the_editable_install_warn_of_nothing_but_its_being_editable(tmp_path):
    """pip shows the build backend's warnings at `make install`: a data folder the packaging
    configuration leaves ambiguous (autograder/course/templates/) printed about forty lines of them.
    The build is setuptools' own editable build (the venv's setuptools, offline) of a copy of the
    packaged part of the checkout."""
    copy = tmp_path / "kit"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, copy / name)
    for folder in ("autograder", "utils"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tmp_path / "wheel").mkdir()
    run([VENV_BIN / "python", "-c", BUILD_EDITABLE, tmp_path / "wheel", tmp_path / "said.json"], cwd=copy,
        env=only_venv_path())
    said = json.loads((tmp_path / "said.json").read_text())
    assert list(tmp_path.joinpath("wheel").glob("dls_w1_kit-*.editable-*.whl")), said
    # what every editable install of a flat layout says (its meta path finder keeps tools/, tests/
    # and the rest unimportable), and nothing else
    assert [line for line in said if not line.startswith("InformationOnly: Editable installation")] == []


def test_does_a_jupyter_kernel_started_outside_the_repository_import_the_kit(tmp_path):
    # What the source notebooks' hidden tests need (and nbgrader autograde, whose kernels these are).
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import autograder.platforms.nbgrader_bridge, utils.checks\nprint(autograder.__file__)")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    jupyter = {name: str(tmp_path / name.lower()) for name in
               ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")}
    run([VENV_BIN / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", path],
        cwd=tmp_path, env=only_venv_path(HOME=str(tmp_path), **jupyter))
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [o.get("output_type") for o in outputs] == ["stream"], outputs
    assert Path(outputs[0]["text"].strip()) == ROOT / "autograder" / "__init__.py"


def test_does_every_installed_package_have_its_pinned_version():
    assert requirements.missing() == [], "a dependency of pyproject.toml is not pinned in constraints.txt"
    pins = requirements.pins(requirements.CONSTRAINTS.read_text())
    # what the venv has installed: its site-packages only (setuptools, once imported, puts its
    # own vendored copies of packaging, zipp ... on sys.path)
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {requirements._name(d.metadata["Name"]): d.version
                 for d in importlib.metadata.distributions(path=site)}
    wrong = {name: (version, installed.get(name)) for name, version in pins.items()
             if name in installed and installed[name] != version}
    assert wrong == {}, "installed versions differ from constraints.txt: run `make install`"
    for requirement in requirements.requirements():  # every direct dependency is installed
        assert requirements._name(requirement.split("[", 1)[0]) in installed, requirement


def test_is_an_interpreter_other_than_3_11_to_3_13_refused_plainly(tmp_path):
    done = run(["make", "install", "PYTHON=no-such-python3.12", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
               env=clean_env(), check=False)
    assert done.returncode != 0
    assert "cannot run 'no-such-python3.12'" in done.stderr and "PYTHON=" in done.stderr
    assert not (tmp_path / "venv").exists()


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_does_the_grader_refuse_to_run_anywhere_but_on_linux(platform, tmp_path):
    notebook = CLASS / "ada" / "initialization" / reference.NOTEBOOKS["initialization"]
    # The platform is faked once the modules are loaded: the standard library itself picks
    # Windows-only modules at import time when it believes it is on Windows.
    simulate = ("import sys\n"
                "from autograder.cli import main\n"
                f"sys.platform = {platform!r}\n"
                f"sys.exit(main(sys.argv[1:]))")
    for argv in (["grade", notebook], ["grade-class", CLASS, "--out", tmp_path / "out"]):
        done = run([VENV_BIN / "python", "-c", simulate, *argv], cwd=tmp_path, env=only_venv_path(),
                   check=False)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.startswith("error: the grader runs only on Linux") and platform in done.stderr
    assert not (tmp_path / "out").exists()


# A release folder in a student's Python -------------------------------------------------------

RUN_UNTIL_FIRST_TEST = """
import json, sys
import nbformat
cells = [c for c in nbformat.read(sys.argv[1], as_version=4).cells if c.cell_type == "code"]
namespace = {"__name__": "__main__"}
outcome = "no test cell"
for cell in cells:
    try:
        exec(compile(cell.source, "<cell>", "exec"), namespace)
    except BaseException as error:
        outcome = f"{type(error).__name__}: {error}"
        break
    if cell.metadata.get("nbgrader", {}).get("grade"):
        outcome = "test cell passed"
        break
import utils
print("RESULT " + json.dumps([outcome, utils.__file__]))
"""


def run_alone(folder, student_python=True):
    """Run the folder's notebook up to its first test cell; ``(outcome, file utils came from)``."""
    site = sysconfig.get_paths()["purelib"]
    if student_python:
        command = [VENV_BIN / "python", "-S", "-c", RUN_UNTIL_FIRST_TEST]
        env = only_venv_path(PYTHONPATH=site, MPLBACKEND="Agg")
    else:  # the kit's own interpreter
        command = [VENV_BIN / "python", "-c", RUN_UNTIL_FIRST_TEST]
        env = only_venv_path(MPLBACKEND="Agg")
    notebook = next(folder.glob("*.ipynb"))
    done = run([*command, notebook], cwd=folder, env=env, check=False, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return done.stderr.strip().splitlines()[-1], None
    outcome, utils_file = json.loads(lines[-1].removeprefix("RESULT "))
    return outcome, utils_file


def lone_copy(assignment, tmp_path):
    folder = tmp_path / "student" / assignment
    shutil.copytree(ROOT / "release" / assignment, folder, symlinks=True)
    return folder


def test_does_a_release_folder_run_alone_in_a_python_without_the_kit(tmp_path):
    # One folder (the quickest to reach its first test); tests/release runs all three in a kernel.
    folder = lone_copy("gradient_checking", tmp_path)
    outcome, utils_file = run_alone(folder)
    # the first stub, reached with no error; its test cell says it is not written yet
    assert outcome.startswith("NotWrittenYet: `forward_propagation` is not written yet"), outcome
    assert Path(utils_file).resolve() == (folder / "utils" / "__init__.py").resolve()


def test_is_a_release_folder_without_its_utils_caught_by_the_students_python_only(tmp_path):
    folder = lone_copy("gradient_checking", tmp_path)
    shutil.rmtree(folder / "utils")
    outcome, _ = run_alone(folder)
    assert outcome == "No module named 'utils'" or "No module named 'utils'" in outcome, outcome
    # the kit's own interpreter hides the missing copy: why the test above uses a student's Python
    outcome, utils_file = run_alone(folder, student_python=False)
    assert outcome.startswith("NotWrittenYet"), outcome
    assert Path(utils_file) == ROOT / "utils" / "__init__.py"
