"""Does a course made before the grader moved into rooms still grade as it did?

Such a course's ``nbgrader_config.py`` names the sealed grader and the kit's nbgrader steps by
their old dotted paths (``autograder.nbgrader_autograde.SealedGrade``,
``autograder.nbgrader_sanitize.RestoreMetadata``, ...), and its gradebook keeps the hidden test
cells that import ``autograder.nbgrader_bridge``: :data:`autograder.MOVED` imports each old path
as the module of :mod:`autograder.platforms` itself.
"""

import importlib
import json
import secrets
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.grading.reference import NOTEBOOKS, ROOT
from tests.deploy.conftest import VENV_BIN, clean_env, run

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
INIT = "initialization"


@pytest.mark.parametrize("name", ["nbgrader_autograde", "nbgrader_bridge", "nbgrader_sanitize"])
def test_is_each_old_module_path_the_platforms_module_itself_with_its_own_spec(name):
    old = importlib.import_module(f"autograder.{name}")
    new = importlib.import_module(f"autograder.platforms.{name}")
    assert old is new and new.__spec__.name == new.__name__ == f"autograder.platforms.{name}"
    assert not (ROOT / "autograder" / f"{name}.py").exists()


def test_is_a_path_that_never_moved_still_not_found():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("autograder.nbgrader_nothing")


def test_does_the_hidden_cells_import_line_give_the_bridge_in_a_fresh_interpreter(tmp_path):
    source = (ROOT / "source" / INIT / NOTEBOOKS[INIT]).read_text(encoding="utf-8")
    assert "from autograder.nbgrader_bridge import hidden_tests" in source  # as gradebooks keep it
    done = run([VENV_BIN / "python", "-c",
                "from autograder.nbgrader_bridge import hidden_tests\n"
                "import autograder.platforms.nbgrader_bridge as new\n"
                "print(hidden_tests is new.hidden_tests)"], cwd=tmp_path, env=clean_env(HOME=str(tmp_path)))
    assert done.stdout.strip() == "True"


def test_does_a_course_made_before_the_move_autograde_with_the_sealed_grader(tmp_path):
    from nbgrader.api import Gradebook

    env = clean_env(HOME=str(tmp_path), MPLBACKEND="Agg",
                    **{name: str(tmp_path / "jupyter" / name.lower())
                       for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                                    "IPYTHONDIR")})
    course, secret_file = tmp_path / "course", tmp_path / "course.secret"
    secret_file.write_text("OLD-COURSE-" + secrets.token_hex(12) + "\n")
    run([VENV_BIN / "python", "-m", "autograder", "nbgrader-course", course, "--secret-file", secret_file],
        cwd=tmp_path, env=env)
    config = course / "nbgrader_config.py"
    made = config.read_text()
    old = made.replace("autograder.platforms.", "autograder.")  # what the kit wrote before the move
    assert old != made and "autograder.platforms" not in old
    assert "'autograder.nbgrader_autograde.SealedGrade'" in old
    config.write_text(old)
    marker = tmp_path / "a-cell-ran.txt"
    for student in ("ada", "eve"):
        shutil.copytree(CLASS / student / INIT, course / "submitted" / student / INIT)
    tripwire = course / "submitted" / "eve" / INIT / NOTEBOOKS[INIT]  # a cell only a kernel would run
    notebook = nbformat.read(tripwire, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('ran')"))
    nbformat.write(notebook, tripwire)

    nbgrader = VENV_BIN / "nbgrader"
    run([nbgrader, "generate_assignment", INIT], cwd=course, env=env)
    run([nbgrader, "autograde", INIT], cwd=course, env=env)
    run([nbgrader, "generate_feedback", INIT], cwd=course, env=env)

    assert not marker.exists(), "a cell ran in a kernel: the old config's sealed grader was not used"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("ada", "eve"):
            notebook = gradebook.find_submission_notebook(Path(NOTEBOOKS[INIT]).stem, INIT, student)
            assert not any(grade.needs_manual_grade for grade in notebook.grades)
            scores = {grade.name.removeprefix("test_"): grade.auto_score for grade in notebook.grades}
            assert scores == pytest.approx(EXPECTED[student][INIT]), student
    page = course / "feedback" / "ada" / INIT / NOTEBOOKS[INIT].replace(".ipynb", ".html")
    text = page.read_text(encoding="utf-8")
    assert "Score:" in text and "BEGIN HIDDEN TESTS" not in text and "nbgrader_bridge" not in text
