"""Does ``nbgrader autograde`` give the same per-function scores as this grader?

The hidden regions of the source notebooks call autograder.nbgrader_bridge,
which runs the same checks on the same per-student hidden inputs inside the
student's kernel. On honest submissions the two must agree function by
function. A throwaway nbgrader course is built in a temporary folder.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from autograder.grading.grade import Graders, grade_notebook
from autograder.grading.reference import NOTEBOOKS, ROOT

CLASS = ROOT / "tests" / "sample_class" / "submitted"
# The reference, and a student with catalogued mistakes whose wrong backward_propagation must
# not cost gradient_check anything (stand-ins in both graders).
STUDENTS = ("ada", "eve")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for assignment in NOTEBOOKS:
        shutil.copytree(ROOT / "source" / assignment, root / "source" / assignment, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__"))
        for student in STUDENTS:
            shutil.copytree(CLASS / student / assignment, root / "submitted" / student / assignment)
    saved = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        os.environ[name] = str(root / "jupyter" / name.lower())
        Path(os.environ[name]).mkdir(parents=True)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ["PYTHONPATH"] = str(ROOT)  # the kernels import autograder for the hidden tests
    os.environ["MPLBACKEND"] = "Agg"
    try:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config

        config = Config()
        config.CourseDirectory.root = str(root)
        config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
        config.Execute.timeout = 120
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        for assignment in NOTEBOOKS:
            assert api.generate_assignment(assignment)["success"]
            for student in STUDENTS:
                outcome = api.autograde(assignment, student)
                assert outcome["success"], outcome.get("error")
        yield root
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _nbgrader_scores(course, student, assignment):
    from nbgrader.api import Gradebook

    notebook = Path(NOTEBOOKS[assignment]).stem
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(notebook, assignment, student)
        return {grade.name[len("test_"):]: grade.auto_score for grade in submission.grades
                if grade.name.startswith("test_")}


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("student", STUDENTS)
def test_nbgrader_and_the_sandboxed_grader_agree_function_by_function(course, student):
    with Graders() as graders:
        for assignment, notebook in NOTEBOOKS.items():
            ours = grade_notebook(CLASS / student / assignment / notebook, graders=graders)
            theirs = _nbgrader_scores(course, student, assignment)
            assert theirs == pytest.approx({n: f.score for n, f in ours.functions.items()}), assignment
