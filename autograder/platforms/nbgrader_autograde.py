"""``nbgrader autograde`` with the kit's sealed grader in place of a kernel.

nbgrader's ``Autograde`` converter sanitizes each submitted notebook (outputs cleared, locked and
test cells restored from the gradebook), then runs ``c.Autograde.autograde_preprocessors`` on it:
by default ``Execute`` (every cell in a Jupyter kernel, student code included, with the checks
in the same kernel), then ``SaveAutoGrades``, which reads each test cell's outputs with
``nbgrader.utils.determine_grade``. :class:`SealedGrade` takes ``Execute``'s place. It runs no
cell: it grades the sanitized notebook with :func:`autograder.grading.grade.grade_notebooks` (the path
``grade-class`` takes: each graded function in its own sandbox job, checked in this process
against the instructor's reference, with the same seeds and course secret) and writes each test
cell ``test_<function>``'s outcome as nbgrader reads it: a stdout stream with the kit's
feedback lines for that function and an ``execute_result`` holding its points (partial credit
included, ``0`` for none). Nothing the student wrote runs in nbgrader's process or in a kernel,
so nothing they write can reach the checks.

:func:`create_course` writes an nbgrader course folder configured this way
(``python -m autograder nbgrader-course DIR``), with :mod:`autograder.platforms.nbgrader_sanitize`'s steps:
each cell's nbgrader metadata rebuilt from the gradebook before nbgrader's own sanitizing (so no
student's metadata stops the course or leaves their notebook ungraded), and the feedback pages
sanitised.
"""

import atexit
import json
import os
import queue
import shutil
import threading
from concurrent.futures import Future
from importlib import import_module
from pathlib import Path

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from autograder.course.course_secret import HOW_TO_MAKE_ONE, new_secret_file
from autograder.grading import reference
from autograder.grading.extract import MAX_NOTEBOOK_BYTES, NotebookFile
from autograder.grading.result import rounded
from autograder.grading.students import assignment_of_folder, raw_student_of_folder, student_id
from autograder.platforms.nbgrader_sanitize import grading_view

#: Written into a course's ``nbgrader_config.py`` in place of nbgrader's ``Execute``.
PREPROCESSOR = "autograder.platforms.nbgrader_autograde.SealedGrade"
#: Written first into a course's ``c.Autograde.sanitize_preprocessors``.
RESTORE_METADATA = "autograder.platforms.nbgrader_sanitize.RestoreMetadata"
#: Written last into a course's ``c.GenerateFeedback.preprocessors``.
SANITIZE_FEEDBACK = "autograder.platforms.nbgrader_sanitize.SanitizeFeedback"
#: Written just before it: each graded test cell shows the kit's verdict as plain text.
KIT_VERDICT = "autograder.platforms.nbgrader_sanitize.KitVerdict"
#: A course's ``c.GenerateFeedback.exporter_class``.
FEEDBACK_EXPORTER = "autograder.platforms.nbgrader_sanitize.FeedbackExporter"


class SealedGrade(NbGraderPreprocessor):
    """Grade the notebook with the kit's sealed grader and write each test cell's outcome.

    Configure it in ``nbgrader_config.py`` in place of ``Execute`` (see
    :data:`SEALED_PREPROCESSORS`), with ``c.SealedGrade.secret_file``.
    """

    secret_file = Unicode(
        "", help="File holding the course secret mixed into the seed of each student's hidden "
                 "inputs (the file grade-class's --secret-file names; a relative path is taken from "
                 "the folder nbgrader runs in); empty: no secret"
    ).tag(config=True)
    layer = Unicode(
        "", help="Sandbox layer: bwrap, namespaces or rlimits; empty: the strongest that works here"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment = kit_assignment(info["assignment"], info["notebook"])
        student = student_of(info["student"])
        secret = read_secret(self.secret_file)
        if not secret:
            self.log.warning("SealedGrade: no course secret (c.SealedGrade.secret_file): every "
                             "student's hidden inputs can be rebuilt from their id (%s)", HOW_TO_MAKE_ONE)
        file = notebook_file(grading_view(nb), f"{info['notebook']}.ipynb")
        result = _GRADER.grade(file, assignment, student, secret, self.layer or None)
        self.log.info("SealedGrade: %s of %s: %g/%g (sandbox %s)", assignment, student, result.score,
                      result.max_score, result.provenance.get("isolation"))
        written = write_outcomes(nb, result)
        for grade_id in written["scaled"]:
            self.log.warning("SealedGrade: %s has other points than the kit's notebook gives it: it "
                             "gets the same share of its own points", grade_id)
        for grade_id in written["unknown"]:
            self.log.warning("SealedGrade: %s is not the test cell of a graded function of %s: it "
                             "gets 0", grade_id, assignment)
        return nb, resources


def kit_assignment(assignment_id, notebook_id):
    """The kit's assignment whose notebook nbgrader grades as ``notebook_id`` of ``assignment_id``.

    The assignment folder's name decides when it is one of the kit's (``regularization``);
    otherwise the notebook's name (``Regularization``). Raises ``ValueError`` for a notebook
    that is not one of the kit's: the sealed grader cannot grade it, and it runs no kernel.
    """
    named = assignment_of_folder(assignment_id)
    if named and Path(reference.NOTEBOOKS[named]).stem == notebook_id:
        return named
    for name, notebook in reference.NOTEBOOKS.items():
        if Path(notebook).stem == notebook_id:
            return name
    raise ValueError(f"SealedGrade grades the kit's notebooks only "
                     f"({', '.join(sorted(reference.NOTEBOOKS.values()))}); {notebook_id}.ipynb of "
                     f"{assignment_id} is not one of them")


def student_of(nbgrader_student):
    """The kit's student id of nbgrader's ``submitted/<student>/`` folder name: what
    ``grade-class`` derives from the same folder (:mod:`autograder.grading.students`), so both give
    the student the same hidden inputs."""
    return student_id(raw_student_of_folder(nbgrader_student))


def read_secret(path):
    """The course secret in the file ``path`` as ``grade-class --secret-file`` reads it ("" for
    no file); ``FileNotFoundError`` if the file is named but missing (grading then stops, rather
    than seeding everyone's hidden inputs without the secret)."""
    if not path:
        return ""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such secret file: {path} (c.SealedGrade.secret_file; "
                                f"{HOW_TO_MAKE_ONE})")
    return path.read_text().strip()


def notebook_file(nb, name):
    """The sanitized notebook as the kit's grader reads a file: its JSON bytes, with the same
    size limit as a notebook read from disk."""
    raw = json.dumps(nb).encode()
    if len(raw) > MAX_NOTEBOOK_BYTES:
        return NotebookFile(name, error=f"{name} is {len(raw) / 2**20:.0f} MB; notebooks over "
                                        f"{MAX_NOTEBOOK_BYTES // 2**20} MB are not graded")
    return NotebookFile(name, raw=raw)


def points_text(score):
    """A score as an ``execute_result``'s text: ``10``, ``6.6667``, ``0``."""
    return str(int(score)) if float(score).is_integer() else repr(float(score))


def feedback_lines(result):
    """``{function: [line, ...]}``: the lines the kit's feedback shows for each graded function
    (the same as Gradescope's test output; no hidden input or expected value is in them)."""
    from autograder.course.exports import gradescope_result

    if result.error:  # Gradescope says it once, with no tests; here each test cell says it
        return {name: [f"✗ {result.error}"] for name in result.functions}
    return {test["name"]: test["output"].splitlines() for test in
            gradescope_result(result.to_dict())["tests"]}


def _test_cells(nb):
    """The autograded test cells: code cells with ``grade`` and without ``solution`` metadata."""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            yield cell, str(meta.get("grade_id", ""))


def _points(cell):
    try:
        return float(cell.metadata["nbgrader"]["points"])
    except (KeyError, TypeError, ValueError):
        return None


def write_outcomes(nb, result):
    """Give each test cell of ``nb`` the outcome of its function in ``result`` (in place).

    ``test_<function>`` gets the function's feedback lines on stdout and its score as an
    ``execute_result``; a test cell of no graded function gets 0 and says why (no output at
    all would be full marks to nbgrader). A cell whose points differ from the kit's for its
    function gets the same share of its own points. Returns ``{"graded": [...], "unknown":
    [...], "scaled": [...]}`` (grade ids).
    """
    lines = feedback_lines(result)
    written = {"graded": [], "unknown": [], "scaled": []}
    for count, (cell, grade_id) in enumerate(_test_cells(nb), start=1):
        name = grade_id[len("test_"):] if grade_id.startswith("test_") else None
        if name in result.functions:
            function = result.functions[name]
            text, score = lines.get(name, []), function.score
            written["graded"].append(grade_id)
            points = _points(cell)
            if points is not None and abs(points - function.max_score) > 1e-9:
                # the course gave this cell other points than the kit's notebook: the same share
                score = rounded(function.score / function.max_score * points) if function.max_score else 0.0
                written["scaled"].append(grade_id)
        else:
            text = [f"✗ {grade_id} tests no graded function of {result.assignment}: the sealed "
                    "grader runs no other test, so it gives this cell no points"]
            score = 0.0
            written["unknown"].append(grade_id)
        cell.execution_count = count
        cell.outputs = [new_output("stream", name="stdout", text="".join(f"{line}\n" for line in text)),
                        new_output("execute_result", data={"text/plain": points_text(score)},
                                   execution_count=count)]
    return written


class _SealedGrader:
    """This process's sealed grader: one :class:`autograder.grading.grade.Graders` (per sandbox layer),
    started on first use, kept warm for every notebook nbgrader autogrades, closed at exit.

    All grading happens in one thread that lives as long as the process: a sandbox belongs to
    the thread that starts it (bubblewrap's ``--die-with-parent``), and nbgrader's own calls
    may come from other threads (formgrader).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._jobs = queue.SimpleQueue()
        self._thread = None
        self._graders = {}

    def grade(self, file, assignment, student, secret, layer=None):
        return self._call(self._grade, file, assignment, student, secret, layer)

    def _grade(self, file, assignment, student, secret, layer):
        from autograder.grading.grade import Graders, grade_notebooks

        if layer not in self._graders:
            self._graders[layer] = Graders(layer=layer)
        return grade_notebooks([(file, assignment)], student=student, secret=secret,
                               graders=self._graders[layer])[0]

    def _call(self, function, *args):
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="sealed-grade", daemon=True)
                self._thread.start()
                atexit.register(self.close)
        done = Future()
        self._jobs.put((done, function, args))
        return done.result()

    def _serve(self):
        while True:
            done, function, args = self._jobs.get()
            try:
                done.set_result(function(*args))
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                done.set_exception(error)

    def _close(self):
        for graders in self._graders.values():
            graders.close()
        self._graders.clear()

    def close(self):
        """Stop every sandbox (at exit, or when a caller is done with the grader)."""
        if self._thread is not None and self._thread.is_alive():
            self._call(self._close)


_GRADER = _SealedGrader()


# --------------------------------------------------------------------------- the course folder

def _public_name(cls):
    for package in ("nbgrader.preprocessors", "nbconvert.preprocessors"):
        if getattr(import_module(package), cls.__name__, None) is cls:
            return f"{package}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def sealed_preprocessors():
    """nbgrader's default ``Autograde.autograde_preprocessors``, by name, with ``Execute``
    replaced by :class:`SealedGrade` (everything after it, ``SaveAutoGrades`` included, as
    nbgrader has it)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    default = list(Autograde.class_traits()["autograde_preprocessors"].default())
    if Execute not in default:
        raise RuntimeError("this nbgrader's autograde has no Execute step to replace")
    return [PREPROCESSOR if step is Execute else _public_name(step) for step in default]


SEALED_PREPROCESSORS = sealed_preprocessors()


def sanitize_preprocessors():
    """nbgrader's default ``Autograde.sanitize_preprocessors``, by name, with
    :class:`autograder.platforms.nbgrader_sanitize.RestoreMetadata` first."""
    from nbgrader.converters import Autograde

    default = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    return [RESTORE_METADATA, *(_public_name(step) for step in default)]


SANITIZE_PREPROCESSORS = sanitize_preprocessors()


def feedback_preprocessors():
    """nbgrader's default ``GenerateFeedback.preprocessors``, by name, with ``ClearHiddenTests``
    after ``GetGrades`` (the autograded notebooks hold the test cells as the gradebook has them,
    hidden regions included, and a feedback page shows each test cell's source), then
    :class:`autograder.platforms.nbgrader_sanitize.KitVerdict` (the kit's verdict as plain text in each
    graded test cell) and :class:`autograder.platforms.nbgrader_sanitize.SanitizeFeedback` last."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades

    steps = list(GenerateFeedback.class_traits()["preprocessors"].default())
    if ClearHiddenTests not in steps:
        steps.insert(steps.index(GetGrades) + 1 if GetGrades in steps else 0, ClearHiddenTests)
    return [*(_public_name(step) for step in steps), KIT_VERDICT, SANITIZE_FEEDBACK]


FEEDBACK_PREPROCESSORS = feedback_preprocessors()

_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class CourseError(RuntimeError):
    """The course folder cannot be made as asked; the message says why."""


def config_text(secret_file, course_id):
    """The ``nbgrader_config.py`` of a course graded by the sealed grader."""
    steps = "".join(f"    {name!r},\n" for name in SEALED_PREPROCESSORS)
    sanitize = "".join(f"    {name!r},\n" for name in SANITIZE_PREPROCESSORS)
    feedback = "".join(f"    {name!r},\n" for name in FEEDBACK_PREPROCESSORS)
    return (
        "# nbgrader configuration written by `python -m autograder nbgrader-course`.\n"
        "# Run nbgrader's commands from this folder with the kit's environment (its nbgrader\n"
        "# command), which can import the kit's grader.\n"
        "c = get_config()\n\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "# c.Exchange.root = ...  # the exchange folder, if students fetch and submit through nbgrader\n\n"
        "# `nbgrader autograde` grades with the kit's sealed grader: no cell runs in a kernel;\n"
        "# each graded function runs in a sandbox job and is checked outside it (the same grading,\n"
        "# seeds and secret as `python -m autograder grade-class`). nbgrader's default list has\n"
        "# Execute where SealedGrade is.\n"
        "c.Autograde.autograde_preprocessors = [\n"
        f"{steps}"
        "]\n"
        "# The course secret (keep it from students; grade-class needs the same file).\n"
        f"c.SealedGrade.secret_file = {str(secret_file)!r}\n"
        "# Before nbgrader's own sanitizing, each cell's nbgrader metadata is rebuilt from the\n"
        "# gradebook (copies of a cell, unknown ids, other schema versions, points, cell types), and\n"
        "# a test cell a student deleted is put back: no student's metadata stops the course or\n"
        "# leaves their notebook ungraded.\n"
        "c.Autograde.sanitize_preprocessors = [\n"
        f"{sanitize}"
        "]\n"
        "c.OverwriteCells.add_missing_cells = True\n"
        "# Feedback pages show the test cells without their hidden regions, each graded test\n"
        "# cell's verdict as the kit words it (score, checks, hint), and what students wrote\n"
        "# (markdown, outputs, metadata) sanitised: no script of theirs runs in the page.\n"
        "c.GenerateFeedback.preprocessors = [\n"
        f"{feedback}"
        "]\n"
        f"c.GenerateFeedback.exporter_class = {FEEDBACK_EXPORTER!r}\n"
    )


def create_course(directory, secret_file=None, course_id=None):
    """Make ``directory`` an nbgrader course graded by the sealed grader.

    Writes ``nbgrader_config.py`` (see :func:`config_text`) and ``source/<assignment>/`` for
    each of the kit's assignments (notebook, face modules, data files and a real copy of
    ``utils/``). Without ``secret_file``, a new random secret is written to
    ``directory/course.secret`` (readable by its owner only). Raises :class:`CourseError` if
    the folder already holds a configuration or one of these assignments, or if the secret file
    is missing. Returns ``{"config", "secret_file", "new_secret", "assignments"}``.
    """
    directory = Path(directory).absolute()
    if directory.exists() and not directory.is_dir():
        raise CourseError(f"{directory} is not a folder")
    config = directory / "nbgrader_config.py"
    taken = [p for p in [config, *(directory / "source" / a for a in reference.NOTEBOOKS)]
             if os.path.lexists(p)]
    if taken:
        names = ", ".join(str(p.relative_to(directory)) for p in taken)
        raise CourseError(f"{directory} is already a course ({names} exists); to switch an existing "
                          "course to the sealed grader, set c.Autograde.autograde_preprocessors and "
                          "c.SealedGrade.secret_file in its nbgrader_config.py (see the README)")
    if secret_file is not None:
        secret_file = Path(secret_file).absolute()
        if not secret_file.is_file():
            raise CourseError(f"no such secret file: {secret_file} ({HOW_TO_MAKE_ONE})")
    course_id = course_id or directory.name
    directory.mkdir(parents=True, exist_ok=True)
    new_secret = secret_file is None
    if new_secret:
        secret_file = directory / "course.secret"
        if os.path.lexists(secret_file):
            raise CourseError(f"{secret_file} exists: pass it with --secret-file")
        new_secret_file(secret_file)
    for assignment in reference.NOTEBOOKS:
        # symlinks=False: the source folders' link to utils/ becomes a real copy, as nbgrader
        # copies a source folder's files into release/ and autograded/
        shutil.copytree(reference.ROOT / "source" / assignment, directory / "source" / assignment,
                        symlinks=False, ignore=_SKIP)
    config.write_text(config_text(secret_file, course_id))
    return {"config": config, "secret_file": secret_file, "new_secret": new_secret,
            "assignments": list(reference.NOTEBOOKS)}
