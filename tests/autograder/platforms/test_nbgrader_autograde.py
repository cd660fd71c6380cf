"""``nbgrader autograde`` in a course made by ``python -m autograder nbgrader-course``: the sealed
grader in place of nbgrader's kernel, with nbgrader's own commands, in a temporary course.

One course holds the sample class, a subset of the hostile corpus, a tripwire student and the
students of ``test_context`` whose functions lean on their notebook's own imports and constants
(one of them changed the locked imports cell: nbgrader puts it back, grade-class ignores it). The
real commands run once each, over every student and assignment (``'*'``), so nbgrader's start-up
is paid a few times, not per student: ``nbgrader-course``, ``nbgrader generate_assignment``,
``nbgrader autograde`` and ``nbgrader generate_feedback``; ``grade-class`` grades the same
``submitted/`` folder with the same secret meanwhile. The scores nbgrader stored are read with
its ``Gradebook`` API and must equal ``grade-class``'s function by function.

The hostile subset (:data:`HOSTILE`) has every case of the checker-tampering group, which is
what an in-kernel grader is exposed to (patched numpy and builtins, always-equal objects, fake
grader modules, forged outputs, and the fake ``autograder.nbgrader_bridge``), and one to three
cases of each other group: reaching outside, killing, gaming the checks, sealed leaks and
siblings, grader input (``million_json_items`` is the notebook the grader cannot read), and
broken notebooks that nbgrader itself can open. Left out: the cases that run into a time limit
(each costs its seconds, and ``test_hostile_*`` already run them through the same grading code),
and the broken files that nbgrader cannot open or sanitize (not JSON, empty, truncated, a BOM,
nbformat 3, no metadata, junk cells, a lone surrogate, a 5,000-digit integer, deep nesting): those
never reach a preprocessor, and ``not_json`` stands for them in
:func:`test_does_a_file_nbgrader_cannot_open_stay_ungraded_in_nbgrader_and_get_zero_from_grade_class`.
A markdown cell holding a graded function (``header_in_markdown``) is also left out: nbgrader's
sanitizing turns it back into code before the grader sees it, so there the function is graded.

A second, kernel-run autograde of two students (nbgrader's default ``Execute``, its own gradebook)
is the positive control: there the fake bridge earns full marks and the tripwire cell runs.

The course also holds the notebooks of :mod:`tests.autograder.platforms.tampered`: students who copied,
deleted or moved cells, or changed the nbgrader metadata of their cells (schema versions, ids,
points, flags, cell types), each of whom must get ``grade-class``'s scores, with no one's changes
stopping the course; a student whose ``timestamp.txt`` nbgrader cannot read (that one submission
fails, the course goes on); and two students with a payload in every field a student controls,
whose feedback pages (one with outputs put back into its autograded notebook) are opened in
headless Chromium: no script of theirs may run. The feedback pages of a sample student read like
the kit's (each graded test cell shows the score, the checks and the hint as text, no bare
``Out[n]`` and no checksum) and are measured in Chromium at 1280 and 390 CSS pixels: laid out at
the screen's width, no sideways scroll, no text under 10 pixels, long lines wrapped, every link
reachable by keyboard, no serious accessibility violation.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.course.batch import discover
from autograder.course.exports import gradescope_result
from autograder.grading.reference import NOTEBOOKS, ROOT
from autograder.grading.result import CheckResult, FunctionResult, Result
from autograder.platforms.nbgrader_autograde import (
    FEEDBACK_EXPORTER,
    KIT_VERDICT,
    PREPROCESSOR,
    RESTORE_METADATA,
    SANITIZE_FEEDBACK,
    SANITIZE_PREPROCESSORS,
    SEALED_PREPROCESSORS,
    kit_assignment,
    points_text,
    read_secret,
    student_of,
    write_outcomes,
)
from tests import capabilities
from tests.autograder.course import browser
from tests.autograder.grading.test_context import CONTEXT_STUDENTS, write_context_students
from tests.autograder.platforms.tampered import ALL as TAMPERED
from tests.autograder.platforms.tampered import (
    MARKER,
    OUTPUT_PAYLOADS,
    PAYLOAD_STUDENT,
    PAYLOADS,
    PLANTED_STUDENT,
)
from tests.deploy.conftest import VENV_BIN, clean_env, run
from tests.hostile.cases import BY_NAME, default_context
from tests.hostile.corpus import Case, write_case

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

CLASS = ROOT / "tests" / "sample_class" / "submitted"
SAMPLE = sorted(p.name for p in CLASS.iterdir() if p.is_dir())
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
HOSTILE = [
    # checker tampering: all of them
    "patch_allclose", "patch_numpy_testing", "patch_ndarray_eq", "patch_isinstance",
    "float_subclass_always_equal", "array_like_always_equal", "ndarray_subclass_always_equal",
    "fake_grader_modules", "forged_json_dumps", "fake_output", "fake_result_files",
    "forged_events_on_every_fd", "fake_nbgrader_bridge",
    # reaching outside: the instructor's notebooks, and the kit nbgrader's process imports
    "read_source_notebooks", "import_grader_package",
    # killing: the process that runs it (in a kernel: nbgrader's child, or nbgrader itself)
    "hard_exit", "kill_the_worker",
    # gaming the checks
    "hardcode_published_outputs", "mutate_inputs",
    # broken notebooks nbgrader can open
    "sources_as_strings", "duplicated_cell_last_wrong", "syntax_error_in_one_cell",
    # sealed grading: a leak, a sibling; grader input: odd values, a notebook too large to read
    "leak_exception_message", "sibling_patches_numpy", "big_endian_he_weights", "million_json_items",
]
UNOPENED = "not_json"  # a file nbgrader itself cannot open
INIT = "initialization"
#: A student whose notebook has an extra cell that writes a file: only a kernel would run it.
TRIPWIRE = Case("fake_nbgrader_tripwire", "tripwire", "an extra cell writes a file", "gradient_checking",
                {"forward_propagation": 10, "backward_propagation": 10, "gradient_check": 10,
                 "gradient_check_n": 20},
                extra_cells=("open({{MARKER}}, 'w').write('this cell ran')\n",))
KERNEL_STUDENTS = "fake_nbgrader_*"  # the fake bridge and the tripwire, for the kernel-run control
#: A student whose timestamp.txt nbgrader cannot parse: nbgrader fails that submission before any
#: preprocessor runs (the kit cannot help it), and goes on with the others.
BAD_TIMESTAMP = "zz_unreadable_timestamp"
needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=capabilities.reason(
    capabilities.CHROMIUM, browser.MISSING or ""))
JUPYTER_DIRS = ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR")


def _env(top):
    return clean_env(HOME=str(top), MPLBACKEND="Agg",
                     **{name: str(top / "jupyter" / name.lower()) for name in JUPYTER_DIRS})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Build the course, run every command once; returns what the tests look at."""
    top = tmp_path_factory.mktemp("nbgrader-sealed")
    course, env = top / "course", _env(top)
    secret = "SEALED-" + secrets.token_hex(12)
    secret_file = top / "course.secret"
    secret_file.write_text(secret + "\n")
    marker = top / "tripwire-ran.txt"

    made = run([VENV_BIN / "python", "-m", "autograder", "nbgrader-course", course,
                "--secret-file", secret_file], cwd=top, env=env)
    submitted = course / "submitted"
    for student in SAMPLE:
        shutil.copytree(CLASS / student, submitted / student)
    context = {**default_context(submitted, canary=secret), "MARKER": str(marker)}
    for case in [*(BY_NAME[name] for name in HOSTILE), BY_NAME[UNOPENED], TRIPWIRE]:
        write_case(case, submitted, context)
    write_context_students(submitted)
    for tampered in TAMPERED:
        tampered.write(submitted)
    shutil.copytree(CLASS / "ada" / "initialization", submitted / BAD_TIMESTAMP / "initialization")
    (submitted / BAD_TIMESTAMP / "initialization" / "timestamp.txt").write_text("the day before it was due\n")

    grading = subprocess.Popen(  # grade-class on the same folder, while nbgrader works
        [str(VENV_BIN / "python"), "-m", "autograder", "grade-class", str(submitted), "--out",
         str(top / "grades"), "--secret-file", str(secret_file), "--jobs", "1"],
        cwd=top, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        nbgrader = VENV_BIN / "nbgrader"
        run([nbgrader, "generate_assignment", "*"], cwd=course, env=env)
        kernel = top / "kernel"  # the kernel-run control's course, with this gradebook
        kernel.mkdir()
        shutil.copy(course / "gradebook.db", kernel / "gradebook.db")
        autograde = run([nbgrader, "autograde", "*"], cwd=course, env=env, check=False)
        marker_after_sealed = marker.exists()
        run([nbgrader, "generate_feedback", "*", "--student=ivan"], cwd=course, env=env)
        plant_outputs(course / "autograded" / PLANTED_STUDENT / "initialization" / NOTEBOOKS[INIT])
        run([nbgrader, "generate_feedback", "initialization", "--student=xss*"], cwd=course, env=env)

        # The control: nbgrader's default autograde (cells run in a kernel) in a course of its
        # own (nbgrader also reads the configuration of the course folder it grades in).
        shutil.copytree(course / "source" / "gradient_checking", kernel / "source" / "gradient_checking")
        for path in submitted.glob(KERNEL_STUDENTS):
            shutil.copytree(path, kernel / "submitted" / path.name)
        (kernel / "nbgrader_config.py").write_text("c = get_config()\nc.Execute.timeout = 120\n")
        run([nbgrader, "autograde", "gradient_checking", f"--student={KERNEL_STUDENTS}"], cwd=kernel,
            env=env)
        marker_after_kernel = marker.exists()
    finally:
        output, _ = grading.communicate(timeout=600)
    assert grading.returncode == 0, output[-4000:]
    return {"top": top, "course": course, "secret": secret, "secret_file": secret_file,
            "made": made, "autograde": autograde, "marker_after_sealed": marker_after_sealed,
            "marker_after_kernel": marker_after_kernel,
            "ours": {json.loads(p.read_text())["student"]: json.loads(p.read_text())
                     for p in (top / "grades" / "results").glob("*.json")}}


def plant_outputs(path):
    """Put :data:`OUTPUT_PAYLOADS` back into the payload code cell of the autograded notebook at
    ``path`` (as a kernel-run autograde, or an edit of the file, would leave them)."""
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [cell for cell in notebook.cells if cell.get("id") == "payload-code"]
    cell.outputs = [nbformat.from_dict(output) for output in json.loads(json.dumps(OUTPUT_PAYLOADS))]
    cell.execution_count = 1
    nbformat.write(notebook, path)


def _grades(db, student, assignment):
    """``{function: (auto_score, needs_manual_grade)}`` of one submitted notebook, from nbgrader's
    gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gradebook:
        notebook = gradebook.find_submission_notebook(Path(NOTEBOOKS[assignment]).stem, assignment,
                                                      student)
        return {grade.name[len("test_"):]: (grade.auto_score, grade.needs_manual_grade)
                for grade in notebook.grades}


def _theirs(course, student, assignment):
    grades = _grades(course["course"] / "gradebook.db", student, assignment)
    assert not any(manual for _, manual in grades.values()), grades
    return {name: score for name, (score, _) in grades.items()}


def _ours(course, student):
    return {result["assignment"]: result for result in course["ours"][student]["results"]}


def _scores(result):
    return {name: function["score"] for name, function in result["functions"].items()}


def _without_numbers(lines):
    return [re.sub(r"\d[\d,]*", "N", line) for line in lines]


def _autograded(course, student, assignment):
    path = course["course"] / "autograded" / student / assignment / NOTEBOOKS[assignment]
    return nbformat.read(path, as_version=4)


# ------------------------------------------------------------------------------ the course

def test_does_nbgrader_course_put_the_sealed_grader_in_place_of_execute(course):
    from nbgrader.converters import Autograde
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course["course"])).load_config()
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    expected = [PREPROCESSOR if step.__name__ == "Execute" else step.__name__ for step in default]
    configured = list(config.Autograde.autograde_preprocessors)
    assert [name if name == PREPROCESSOR else name.rsplit(".", 1)[1] for name in configured] == expected
    assert configured == SEALED_PREPROCESSORS
    assert config.SealedGrade.secret_file == str(course["secret_file"])
    assert config.OverwriteCells.add_missing_cells is True
    assert "nbgrader.preprocessors.ClearHiddenTests" in config.GenerateFeedback.preprocessors
    assert "nbgrader autograde grades with the sealed grader" in course["made"].stdout
    sanitize = list(config.Autograde.sanitize_preprocessors)
    default = [step.__name__ for step in Autograde.class_traits()["sanitize_preprocessors"].default()]
    assert sanitize == SANITIZE_PREPROCESSORS and sanitize[0] == RESTORE_METADATA
    assert [name.rsplit(".", 1)[1] for name in sanitize[1:]] == default
    assert config.GenerateFeedback.preprocessors[-2:] == [KIT_VERDICT, SANITIZE_FEEDBACK]
    assert config.GenerateFeedback.exporter_class == FEEDBACK_EXPORTER


def test_is_the_course_source_a_self_contained_copy_of_the_kits(course):
    for assignment in NOTEBOOKS:
        kit, copy = ROOT / "source" / assignment, course["course"] / "source" / assignment
        assert not (copy / "utils").is_symlink() and (copy / "utils").is_dir()
        kit_files = {(Path(folder) / name).relative_to(kit)  # through the link to utils/
                     for folder, _, names in os.walk(kit, followlinks=True) for name in names
                     if "__pycache__" not in Path(folder).parts}
        copied = {p.relative_to(copy) for p in copy.rglob("*") if p.is_file()}
        assert copied == kit_files and any(p.parts[0] == "utils" for p in copied)
        for relative in copied:
            assert (copy / relative).read_bytes() == (kit / relative).read_bytes(), relative


def test_does_nbgrader_course_refuse_to_overwrite_a_course(course, capsys):
    assert cli.main(["nbgrader-course", str(course["course"])]) == 2
    assert "already a course" in capsys.readouterr().err


def test_without_a_secret_file_does_nbgrader_course_write_a_new_private_one(tmp_path):
    assert cli.main(["nbgrader-course", str(tmp_path / "c"), "--course-id", "dl-week1"]) == 0
    secret_file = tmp_path / "c" / "course.secret"
    assert re.fullmatch(r"[0-9a-f]{64}\n", secret_file.read_text())
    assert secret_file.stat().st_mode & 0o777 == 0o600
    text = (tmp_path / "c" / "nbgrader_config.py").read_text()
    assert repr(str(secret_file)) in text and "course_id = 'dl-week1'" in text
    assert cli.main(["nbgrader-course", str(tmp_path / "d"), "--secret-file",
                     str(tmp_path / "missing")]) == 2


# ------------------------------------------------------------------------------ same verdicts

@pytest.mark.parametrize("student", SAMPLE)
def test_does_nbgrader_autograde_give_each_sample_student_grade_class_scores(course, student):
    ours = _ours(course, student)
    for assignment in NOTEBOOKS:
        theirs = _theirs(course, student, assignment)
        assert theirs == pytest.approx(_scores(ours[assignment])), assignment
        assert theirs == pytest.approx(EXPECTED[student][assignment]), assignment


@pytest.mark.parametrize("name", HOSTILE + [TRIPWIRE.name])
def test_does_nbgrader_autograde_give_each_hostile_case_grade_class_scores(course, name):
    case = BY_NAME.get(name, TRIPWIRE)
    ours = _ours(course, name)[case.assignment]
    theirs = _theirs(course, name, case.assignment)
    assert theirs == pytest.approx(_scores(ours))
    assert theirs == pytest.approx(case.expect)


@pytest.mark.parametrize("student", sorted(CONTEXT_STUDENTS))
def test_does_nbgrader_autograde_count_the_same_cells_above_a_function_as_grade_class(course, student):
    ours = _ours(course, student)["initialization"]
    theirs = _theirs(course, student, "initialization")
    assert theirs == pytest.approx(_scores(ours))
    assert sum(theirs.values()) == pytest.approx(CONTEXT_STUDENTS[student][1])


@pytest.mark.parametrize("tampered", TAMPERED, ids=[t.student for t in TAMPERED])
def test_does_nbgrader_autograde_give_each_tampered_notebook_grade_class_scores(course, tampered):
    ours = _ours(course, student_of(tampered.student))[tampered.assignment]
    theirs = _theirs(course, tampered.student, tampered.assignment)
    assert theirs == pytest.approx(_scores(ours)), tampered.what
    assert theirs == pytest.approx(tampered.expect), tampered.what


def test_did_nbgrader_fail_only_on_the_submissions_it_cannot_open_and_say_who_and_why(course):
    log = course["autograde"].stdout + course["autograde"].stderr
    summary = set(re.findall(r"There was an error processing assignment '([^']+)' for student '([^']+)'",
                             log))
    assert summary == {(BY_NAME[UNOPENED].assignment, UNOPENED), (INIT, BAD_TIMESTAMP)}
    assert course["autograde"].returncode == 1  # nbgrader's exit status when a submission failed
    reasons = {UNOPENED: "NotJSONError", BAD_TIMESTAMP: "Unknown string format"}
    for student, reason in reasons.items():
        block = log.split(f"error processing assignment: {course['course'] / 'submitted' / student}")[1]
        assert reason in block.split("error processing assignment:")[0], student
    graded = {path.parent.parent.name for path in (course["course"] / "autograded").glob("*/*/*.ipynb")}
    everyone = {path.name for path in (course["course"] / "submitted").iterdir()}
    assert graded == everyone - {UNOPENED, BAD_TIMESTAMP}  # everyone else, whatever they changed


def test_is_each_cells_nbgrader_metadata_as_released_after_autograde(course):
    from nbgrader.api import Gradebook

    def released(cell):  # the checksum is the gradebook's, below
        meta = {key: value for key, value in cell.metadata["nbgrader"].items() if key != "checksum"}
        return {**meta, "points": float(meta["points"])} if "points" in meta else meta

    with Gradebook(f"sqlite:///{course['course'] / 'gradebook.db'}") as gradebook:
        checksums = {(assignment, cell.name): cell.checksum for assignment in NOTEBOOKS
                     for cell in gradebook.find_notebook(Path(NOTEBOOKS[assignment]).stem,
                                                         assignment).source_cells}
    for tampered in TAMPERED:
        notebook = _autograded(course, tampered.student, tampered.assignment)
        release = nbformat.read(ROOT / "release" / tampered.assignment / NOTEBOOKS[tampered.assignment],
                                as_version=4)
        expected = {cell.metadata.nbgrader["grade_id"]: released(cell) for cell in release.cells
                    if "nbgrader" in cell.metadata}
        found = [cell for cell in notebook.cells if "nbgrader" in cell.metadata]
        ids = [cell.metadata.nbgrader["grade_id"] for cell in found]
        assert len(ids) == len(set(ids)), tampered.student  # no grade id twice
        assert {f"test_{name}" for name in tampered.expect} <= set(ids), tampered.student
        for cell in found:
            grade_id = cell.metadata.nbgrader["grade_id"]
            assert released(cell) == expected[grade_id], (tampered.student, grade_id)
            assert cell.metadata.nbgrader["checksum"] == checksums[(tampered.assignment, grade_id)]
            assert cell.cell_type == expected[grade_id]["cell_type"], (tampered.student, grade_id)


def test_does_a_file_nbgrader_cannot_open_stay_ungraded_in_nbgrader_and_get_zero_from_grade_class(course):
    case = BY_NAME[UNOPENED]
    grades = _grades(course["course"] / "gradebook.db", case.name, case.assignment)
    assert all(score is None and manual for score, manual in grades.values()), grades
    ours = _ours(course, case.name)[case.assignment]
    assert _scores(ours) == case.expect and case.error in ours["error"]


# ------------------------------------------------------------------------------ what the cells hold

def test_does_each_test_cell_hold_the_kits_feedback_lines_and_the_score(course):
    checked = 0
    for student in [*SAMPLE, *HOSTILE]:
        for assignment, result in _ours(course, student).items():
            lines = {test["name"]: test["output"].splitlines() for test in gradescope_result(result)["tests"]}
            if result["error"]:  # Gradescope says the reason once, with no tests; each cell says it
                assert lines == {}
                lines = {name: [f"✗ {result['error']}"] for name in result["functions"]}
            notebook = _autograded(course, student, assignment)
            for cell in notebook.cells:
                meta = cell.metadata.get("nbgrader", {})
                if not meta.get("grade"):
                    assert not cell.get("outputs"), "no cell but a test cell has an output"
                    continue
                name = meta["grade_id"][len("test_"):]
                kinds = [output.output_type for output in cell.outputs]
                assert kinds == ["stream", "execute_result"] and cell.outputs[0].name == "stdout"
                shown = cell.outputs[0].text.splitlines()
                if result["error"]:  # it names the size of the file it read: nbgrader's copy
                    shown, lines[name] = _without_numbers(shown), _without_numbers(lines[name])
                assert shown == lines[name], (student, name)
                assert cell.outputs[1].data["text/plain"] == points_text(result["functions"][name]["score"])
                checked += 1
    assert checked > 100


def test_does_a_notebook_the_grader_cannot_read_get_zero_in_every_test_cell_with_the_reason(course):
    case = BY_NAME["million_json_items"]
    notebook = _autograded(course, case.name, case.assignment)
    tests = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) == len(case.expect)
    for cell in tests:
        assert case.error in cell.outputs[0].text and "not graded" in cell.outputs[0].text
        assert cell.outputs[1].data["text/plain"] == "0"
    assert set(_theirs(course, case.name, case.assignment).values()) == {0.0}


def test_does_no_secret_or_seed_reach_the_autograded_notebooks_or_the_feedback(course):
    seeds = {str(result["provenance"]["seed"]) for row in course["ours"].values()
             for result in row["results"] if result["provenance"]["seed"] is not None}
    assert len(seeds) > 50
    pages = list((course["course"] / "feedback" / "ivan").rglob("*.html"))
    notebooks = list((course["course"] / "autograded").rglob("*.ipynb"))
    assert len(pages) == len(NOTEBOOKS) and len(notebooks) > 50
    for path in pages + notebooks:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert course["secret"] not in text, path
        assert not any(seed in text for seed in seeds), path


def test_does_nbgrader_feedback_show_the_kits_scores_and_lines(course):
    from autograder.grading.reference import load

    page = course["course"] / "feedback" / "ivan" / "gradient_checking" / "Gradient_Checking.html"
    text = page.read_text(encoding="utf-8")
    result = _ours(course, "ivan")["gradient_checking"]
    functions = [result["functions"][name] for name in load("gradient_checking").names]
    expected = [result["score"], result["max_score"]]
    expected += [points for f in functions for points in (f["score"], f["max_score"])]
    shown = [float(x) for pair in re.findall(r"Score: ([0-9.]+) / ([0-9.]+)", text) for x in pair]
    assert shown[:len(expected)] == pytest.approx(expected, abs=0.01)
    assert 0 < result["score"] < result["max_score"] and any(0 < f["score"] < 10 for f in functions)
    assert "BEGIN HIDDEN TESTS" not in text and "nbgrader_bridge" not in text
    assert "J_minus[i] comes out as the cost at the unshifted parameters" in text  # a kit hint


# ------------------------------------------------------------------------------ nothing runs outside

def test_does_no_cell_run_in_a_kernel_when_the_sealed_grader_grades(course):
    assert not course["marker_after_sealed"]
    assert course["marker_after_kernel"], "the kernel-run control must run the tripwire cell"


@needs_chromium
@pytest.mark.filterwarnings("ignore:No lexer found", "ignore:Your element with mimetype")
def test_does_no_script_of_a_student_run_in_any_nbgrader_feedback_page(course):
    from nbconvert import HTMLExporter

    pages = sorted((course["course"] / "feedback").rglob("*.html"))
    payload_pages = [page for page in pages if page.parts[-3].startswith("xss")]
    assert len(pages) == len(NOTEBOOKS) + len(PAYLOADS) and len(payload_pages) == len(PAYLOADS)
    # The control: the same autograded notebooks as nbconvert renders them unsanitised.
    controls = []
    for tampered in PAYLOADS:
        page = course["top"] / f"control-{len(controls)}.html"
        page.write_text(HTMLExporter(template_name="classic").from_notebook_node(
            _autograded(course, tampered.student, INIT))[0], encoding="utf-8")
        controls.append(page)
    with browser.Browser() as chromium:
        for page in pages:
            seen = chromium.scripts_run(page)
            assert [m for m in seen["console"] + seen["dialogs"] if MARKER in m] == [], page
            assert browser.unsafe_links(seen["links"]) == [], page
        ran = [chromium.scripts_run(page) for page in controls]
    markers = [{m for m in seen["console"] if MARKER in m} for seen in ran]
    assert {f"{MARKER}-img", f"{MARKER}-script", f"{MARKER}-svg", f"{MARKER}-details"} <= markers[0]
    assert {f"{MARKER}-out-html", f"{MARKER}-out-png-width"} <= markers[1]  # the planted outputs
    assert any(link.startswith("javascript:") for link in browser.unsafe_links(ran[0]["links"]))


def test_does_a_feedback_page_show_what_a_student_wrote_as_text_with_the_kits_scores(course):
    page = course["course"] / "feedback" / PAYLOAD_STUDENT / INIT / "Initialization.html"
    text = page.read_text(encoding="utf-8")
    assert f"&lt;script&gt;console.log('{MARKER}-script')&lt;/script&gt;" in text  # shown as text
    assert not re.search(r"<[^>]+\son\w+\s*=", text.split("<body")[1])  # no event handler in a tag
    assert not re.search(r"href=\"\s*javascript:", text, re.IGNORECASE)
    expected = _ours(course, student_of(PAYLOAD_STUDENT))[INIT]
    shown = [float(x) for x in re.findall(r"Score: ([0-9.]+) / [0-9.]+", text)]
    assert shown[0] == pytest.approx(expected["score"]) == pytest.approx(20.0)
    assert f"{MARKER}-exception" in text  # the error's message, in the test cell's output
    for honest in (course["course"] / "feedback" / "ivan").rglob("*.html"):  # text once escaped
        assert "&amp;lt;" not in honest.read_text(encoding="utf-8"), honest
    regularization = (course["course"] / "feedback" / "ivan" / "regularization" / "Regularization.html")
    assert "GRADED FUNCTION: &lt;name&gt;" in regularization.read_text(encoding="utf-8")


def test_does_the_fake_bridge_pass_in_a_kernel_and_earn_nothing_with_the_sealed_grader(course):
    case = BY_NAME["fake_nbgrader_bridge"]
    kernel = _grades(course["top"] / "kernel" / "gradebook.db", case.name, case.assignment)
    assert kernel["backward_propagation"][0] == 10.0, "the attack must work where the checks run in a kernel"
    assert _theirs(course, case.name, case.assignment)["backward_propagation"] == 0.0


# ------------------------------------------------------------------------------ the parts

def test_is_the_student_id_the_one_grade_class_derives(tmp_path):
    names = ["alice", "Ana Maria_4321_assignsubmission_file_", "José Núñez", "ann marie", "ann_marie",
             "x" * 130, "smithjohn_12345"]
    for name in names:
        folder = tmp_path / "class" / name / "regularization"
        folder.mkdir(parents=True)
        (folder / "Regularization.ipynb").write_text("{}")
    found = {Path(path).parents[1].name: submission.student
             for submission in discover(tmp_path / "class", tmp_path / "out")
             for _, path in submission.notebooks}
    assert found == {name: student_of(name) for name in names}
    assert len(set(found.values())) == len(names)


def test_is_the_kit_assignment_found_by_folder_or_notebook_name():
    assert kit_assignment("regularization", "Regularization") == "regularization"
    assert kit_assignment("week1-reg", "Regularization") == "regularization"
    assert kit_assignment("Gradient-Checking", "Gradient_Checking") == "gradient_checking"
    with pytest.raises(ValueError, match="kit's notebooks only"):
        kit_assignment("regularization", "Extra")


def test_is_the_secret_read_as_grade_class_reads_it(tmp_path):
    path = tmp_path / "s"
    path.write_text("  the secret \n")
    assert read_secret(str(path)) == cli._secret(path) == "the secret"
    assert read_secret("") == ""
    with pytest.raises(FileNotFoundError, match="secret_file"):
        read_secret(str(tmp_path / "missing"))


def test_does_a_test_cell_of_no_graded_function_get_zero_not_full_marks():
    from nbgrader.utils import determine_grade

    notebook = nbformat.read(ROOT / "source" / "initialization" / NOTEBOOKS["initialization"], as_version=4)
    extra = nbformat.v4.new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 5, "grade_id": "test_extra",
        "schema_version": 3}})
    notebook.cells.append(extra)
    functions = {name: FunctionResult(score, 10.0, "partial", [CheckResult("hidden case 1", score, 10.0,
                                                                           score == 10.0, "c", "m")])
                 for name, score in [("initialize_parameters_zeros", 10.0),
                                     ("initialize_parameters_random", 10 / 3),
                                     ("initialize_parameters_he", 0.0)]}
    written = write_outcomes(notebook, Result("initialization", "s", 13.3333, 30.0, functions))
    assert written["unknown"] == ["test_extra"] and len(written["graded"]) == 3
    scores = {cell.metadata.nbgrader["grade_id"]: determine_grade(cell)[0] for cell in notebook.cells
              if cell.metadata.get("nbgrader", {}).get("grade")}
    assert scores == pytest.approx({"test_initialize_parameters_zeros": 10.0,
                                    "test_initialize_parameters_random": 3.3333,
                                    "test_initialize_parameters_he": 0.0, "test_extra": 0.0}, abs=1e-4)
    assert "tests no graded function" in extra.outputs[0].text


def test_does_a_test_cell_with_other_points_get_the_same_share_of_them():
    from nbgrader.utils import determine_grade

    notebook = nbformat.read(ROOT / "source" / "initialization" / NOTEBOOKS["initialization"], as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_initialize_parameters_he":
            cell.metadata.nbgrader.points = 4
    functions = {name: FunctionResult(5.0, 10.0, "partial", []) for name in
                 ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")}
    written = write_outcomes(notebook, Result("initialization", "s", 15.0, 30.0, functions))
    assert written["scaled"] == ["test_initialize_parameters_he"]
    scores = {cell.metadata.nbgrader["grade_id"]: determine_grade(cell) for cell in notebook.cells
              if cell.metadata.get("nbgrader", {}).get("grade")}
    assert scores["test_initialize_parameters_he"] == (2.0, 4.0)
    assert scores["test_initialize_parameters_zeros"] == (5.0, 10.0)


def test_are_points_written_as_nbgrader_reads_partial_credit():
    assert [points_text(s) for s in (10.0, 0.0, 6.6667, 21.6667)] == ["10", "0", "6.6667", "21.6667"]



def test_do_the_readmes_lines_switch_an_existing_course_to_the_sealed_grader(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"To switch an existing course.*?```python\n(.*?)```", readme, re.DOTALL).group(1)
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'old'\n"
        + block.replace("/path/to/course.secret", str(tmp_path / "course.secret")))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.Autograde.autograde_preprocessors[0] == PREPROCESSOR
    assert list(config.Autograde.autograde_preprocessors) == SEALED_PREPROCESSORS
    assert config.SealedGrade.secret_file == str(tmp_path / "course.secret")
    assert "nbgrader.preprocessors.ClearHiddenTests" in config.GenerateFeedback.preprocessors
    assert config.OverwriteCells.add_missing_cells is True
    assert list(config.Autograde.sanitize_preprocessors) == SANITIZE_PREPROCESSORS
    assert config.GenerateFeedback.preprocessors[-2:] == [KIT_VERDICT, SANITIZE_FEEDBACK]
    assert config.GenerateFeedback.exporter_class == FEEDBACK_EXPORTER


# ------------------------------------------------------------------------------ the feedback pages as read



def _ivan_pages(course):
    pages = sorted((course["course"] / "feedback" / "ivan").rglob("*.html"))
    assert len(pages) == len(NOTEBOOKS)
    return pages


def test_does_each_graded_cell_of_nbgrader_feedback_show_the_kits_verdict_as_text(course):
    from html import unescape

    from autograder.grading.reference import load

    for page in _ivan_pages(course):
        assignment = page.parent.name
        text = page.read_text(encoding="utf-8")
        assert "Out[" not in text and "checksum" not in text.lower(), page
        result = _ours(course, "ivan")[assignment]
        lines = {test["name"]: test["output"].splitlines() for test in gradescope_result(result)["tests"]}
        outputs = [unescape(re.sub(r"<[^>]+>", "", block)) for block in
                   re.findall(r'<div class="output_subarea output_stream output_stdout output_text">'
                              r'\s*<pre>(.*?)</pre>', text, re.DOTALL)]
        verdicts = [block for block in outputs if block.startswith("Score: ")]
        assert len(verdicts) == len(result["functions"]), page
        for block, name in zip(verdicts, load(assignment).names, strict=True):  # in the notebook's order
            function, shown = result["functions"][name], block.splitlines()
            assert shown[0] == f"Score: {function['score']:g} / {function['max_score']:g}", (page, name)
            assert shown[1:] == lines[name], (page, name)


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_is_each_nbgrader_feedback_page_readable_at_this_width(course, width, tmp_path):
    with browser.Browser() as chromium:
        for page in _ivan_pages(course):
            _, layout = chromium.render(page, width, browser.LAYOUT,
                                        screenshot=tmp_path / f"{page.stem}-{width}.png")
            assert layout["width"] == width, page  # laid out at the screen's width, not shrunk from 980
            assert layout["scroll"] <= width and layout["wide"] == [], (page, layout)
            assert layout["smallest"]["px"] >= 10, (page, layout["smallest"])
            opened = chromium.open(page, width)
            try:
                wrapped = opened.evaluate("""[...document.querySelectorAll(".output_text pre")]
                    .every(pre => pre.scrollWidth <= pre.clientWidth + 1)""")
                serious = [v for v in browser.axe_violations(opened)
                           if v["impact"] in ("serious", "critical")]
                if width == 390:
                    links = [link["href"] for link in opened.evaluate(browser.LINKS)]
                    reached = browser.tab_order(opened)
                    assert [href for href in reached if href in links] == links, page
            finally:
                opened.context.close()
            assert wrapped, page  # long output lines wrap rather than run off the page
            assert serious == [], (page, serious)
