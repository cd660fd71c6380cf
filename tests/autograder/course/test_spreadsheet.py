"""Is what a student hands in data in the kit's outputs: no cell of a CSV file that a spreadsheet
reads as a formula, no script of theirs run by a page the kit writes?

One class is graded once by ``python -m autograder grade-class``: honest classmates from the
sample class, and students whose folder or file names a spreadsheet would compute (``+1+1``,
``-2+3``, ``@SUM(1+1)``, a tab or a carriage return first, ``=1+2.ipynb``) or a browser would
run (``<img src=x onerror=...>``). Pairs of them hand in one text, so that they are in
``similarity.csv`` too. Both CSV files are read back with the :mod:`csv` module.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import exports, report, similarity, spreadsheet
from autograder.grading.students import student_id
from tests import capabilities
from tests.autograder.course import browser
from tests.autograder.platforms.tampered import MARKER

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
EXPECTED = json.loads((ROOT / "tests" / "sample_class" / "expected_scores.json").read_text())
REG = "regularization"
HONEST = ["ada", "ben", "cleo", "dev", "eve"]
#: Folder name -> the honest classmate whose notebook it holds (two copies each: three holders
#: of one text in a class of thirteen is not "common", so the pairs are reported).
TRICKY = {"+1+1": "cleo", "-2+3": "cleo", "@SUM(1+1)": "dev", "\t=1+1": "dev", "\r-2+3": "ben", "=1+2": "ben",
          f"<img src=x onerror=\"console.log('{MARKER}-folder')\">": "ada"}
NOTES = "notes"  # a student whose folder also holds files named as formulas and as a payload
ODD_FILES = ["=1+2.ipynb", f"@x<img src=x onerror=\"console.log('{MARKER}-file')\">.ipynb"]
needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=capabilities.reason(
    capabilities.CHROMIUM, "chromium is not installed; Debian: apt-get install chromium"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("spreadsheet")
    submitted = root / "submitted"
    for student in HONEST:
        shutil.copytree(CLASS / student / REG, submitted / student / REG)
    for name, source in TRICKY.items():
        shutil.copytree(CLASS / source / REG, submitted / name / REG)
    shutil.copytree(CLASS / "ada" / REG, submitted / NOTES / REG)
    for name in ODD_FILES:
        (submitted / NOTES / name).write_text("{}" if name.startswith("=") else "x")
    out = root / "out"
    command = [sys.executable, "-m", "autograder", "grade-class", str(submitted), "--out", str(out),
               "--jobs", "2"]
    run = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(path.read_text()) for path in (out / "results").glob("*.json")]
    return out, {row["student"]: row for row in rows}


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


# ------------------------------------------------------------------------------ the one writer

def test_is_a_text_cell_that_begins_as_a_formula_written_as_text():
    for text in ["=1+2", "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r-1", "-", "=HYPERLINK(\"x\")", "-2"]:
        assert spreadsheet.cell(text) == "'" + text
    for text in ["ada", "1+1", "a=b", " =1", "", "'quoted", "José Núñez", "2-1"]:
        assert spreadsheet.cell(text) == text
    assert spreadsheet.cell(None) == ""


def test_is_a_platforms_own_none_or_number_written_as_it_came_and_a_formula_never():
    assert [spreadsheet.cell(spreadsheet.Verbatim(text)) for text in ("-", "-3.5", "+2", "", "Ada")] == [
        "-", "-3.5", "+2", "", "Ada"]
    assert [spreadsheet.cell(spreadsheet.Verbatim(text)) for text in ("=1+1", "-1+A1", "@SUM(A1)", "--")] == [
        "'=1+1", "'-1+A1", "'@SUM(A1)", "'--"]
    assert spreadsheet.cell("-") == "'-" and spreadsheet.cell(spreadsheet.Verbatim("-") + "x") == "'-x"


def test_is_a_number_written_as_a_number_even_when_negative():
    assert [spreadsheet.cell(v) for v in (-2, -2.5, 0.0, 6.666666, 21.6667, 10)] == [
        "-2", "-2.5", "0", "6.66667", "21.6667", "10"]
    assert spreadsheet.cell(-0.6, ".3f") == "-0.600"
    assert spreadsheet.cell(True) == "True"  # a truth value is not a number to a spreadsheet


@pytest.mark.parametrize(("encoding", "delimiter", "quote_all", "starts"), [
    ("utf-8", ",", False, b'name,"a, b"'), ("utf-8-sig", ",", False, b'\xef\xbb\xbfname,"a, b"'),
    ("utf-8", ",", True, b'"name","a, b"'), ("utf-16", "\t", False, b"\xff\xfen\x00")])
def test_does_the_writer_write_each_platforms_encoding_and_delimiter_with_the_same_cells(
        tmp_path, encoding, delimiter, quote_all, starts):
    path = tmp_path / "out.csv"
    spreadsheet.write_csv(path, ["name", "a, b"], [["Zoë Ångström", "=1+2"], ["ada", -2.5]],
                          encoding=encoding, delimiter=delimiter, quote_all=quote_all)
    data = path.read_bytes()
    if encoding == "utf-16":
        assert data.startswith(starts) and "\t".encode("utf-16-le") in data
    else:
        assert data.startswith(starts)
    with open(path, newline="", encoding="utf-16" if encoding == "utf-16" else "utf-8-sig") as handle:
        assert list(csv.reader(handle, delimiter=delimiter)) == [
            ["name", "a, b"], ["Zoë Ångström", "'=1+2"], ["ada", "-2.5"]]


def test_does_grades_csv_keep_a_negative_score_a_number_and_neutralise_the_text(tmp_path):
    result = {"assignment": REG, "score": -2.5, "max_score": 50.0, "functions": {
        name: {"score": -2.5 if name == "compute_cost_with_regularization" else 0.0}
        for name in ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                     "forward_propagation_with_dropout", "backward_propagation_with_dropout")}}
    rows = [{"student": "-2+3", "status": "graded", "notes": ["=1+2.ipynb: not graded (x)", "@y"],
             "results": [result]}]
    exports.write_csv(rows, tmp_path / "grades.csv", [REG])
    (header, row), = [_read(tmp_path / "grades.csv")]
    values = dict(zip(header, row, strict=True))
    assert values["student"] == "'-2+3" and values["notes"] == "'=1+2.ipynb: not graded (x); @y"
    assert values[f"{REG}:compute_cost_with_regularization"] == "-2.5"
    assert values[f"{REG}:total"] == values["total"] == "-2.5" and values["max_total"] == "50"


def test_does_similarity_csv_neutralise_the_ids_and_keep_the_score_a_number(tmp_path):
    pairs = [similarity.Pair(REG, "compute_cost_with_regularization", "+1+1", "@SUM", 0.875, 9),
             similarity.Pair(REG, "compute_cost_with_regularization", "ada", "bob", 1.0, 12)]
    similarity.write_csv(pairs, tmp_path / "similarity.csv", report.pair_link)
    assert _read(tmp_path / "similarity.csv")[1:] == [  # the link to the pair view starts with its folder
        [REG, "compute_cost_with_regularization", "'+1+1", "'@SUM", "0.875",
         f"pairs/+1+1~@SUM.html#{REG}-compute_cost_with_regularization"],
        [REG, "compute_cost_with_regularization", "ada", "bob", "1.000",
         f"pairs/ada~bob.html#{REG}-compute_cost_with_regularization"]]


def test_is_the_spreadsheet_module_the_only_csv_writer_of_the_kit():
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\.writerows?\(")
    found = [str(path.relative_to(ROOT)) for folder in ("autograder", "deploy")
             for path in (ROOT / folder).rglob("*.py") if writers.search(path.read_text(encoding="utf-8"))]
    assert found == ["autograder/course/spreadsheet.py"]


# ------------------------------------------------------------------------------ a class

def test_does_no_cell_of_either_csv_read_as_a_formula(graded):
    out, _ = graded
    for name in ("grades.csv", "similarity.csv"):
        rows = _read(out / name)
        assert len(rows) > 1, name
        formulas = [cell for row in rows for cell in row if cell.startswith(spreadsheet.FORMULA_START)]
        assert formulas == [], name


def test_is_each_tricky_name_in_the_csvs_as_the_text_it_is(graded):
    out, rows = graded
    ids = {student_id(name) for name in TRICKY}
    shown = {row[0] for row in _read(out / "grades.csv")[1:]}
    for student in ids:
        assert (("'" + student) if student.startswith(spreadsheet.FORMULA_START) else student) in shown
    assert {"'+1+1", "'-2+3", f"'{student_id('@SUM(1+1)')}", f"'{student_id(chr(13) + '-2+3')}"} <= shown
    pairs = {cell for row in _read(out / "similarity.csv")[1:] for cell in row[2:4]}
    assert {"'+1+1", "'-2+3", f"'{student_id('@SUM(1+1)')}", student_id("\t=1+1"),
            f"'{student_id(chr(13) + '-2+3')}", student_id("=1+2")} <= pairs
    notes = next(row[-1] for row in _read(out / "grades.csv")[1:] if row[0] == NOTES)
    assert notes.startswith("'=1+2.ipynb: not graded") and "@x<img src=x onerror=" in notes
    assert rows[NOTES]["notes"][0].startswith("=1+2.ipynb: not graded")  # the stored row as it is


def test_do_honest_classmates_keep_their_rows(graded):
    out, _ = graded
    header, *lines = _read(out / "grades.csv")
    table = {row[0]: dict(zip(header, row, strict=True)) for row in lines}
    for student in HONEST:
        row = table[student]
        expected = EXPECTED[student][REG]
        assert {name: row[f"{REG}:{name}"] for name in expected} == {n: f"{s:g}" for n, s in expected.items()}
        assert row["total"] == f"{sum(expected.values()):g}" and row["max_total"] == "50"
        assert (row["status"], row["notes"]) == ("graded", "")


def test_do_the_json_results_and_pages_keep_the_readable_ids(graded):
    out, rows = graded
    for student in ("+1+1", "-2+3", student_id("@SUM(1+1)")):
        assert rows[student]["student"] == student
        assert (out / "feedback" / student / f"{REG}.html").is_file()
        assert json.loads((out / "gradescope" / student / REG / "results.json").read_text())["score"] > 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "+1+1" in report and "'+1+1" not in report


@needs_chromium
def test_does_no_script_of_a_student_run_in_the_kits_own_pages(graded):
    out, _ = graded
    views = sorted((out / "pairs").glob("*.html"))  # the pair views show the students' code
    pages = [out / "report.html", *views, *sorted((out / "feedback").rglob("*.html"))]
    assert views and len(pages) == len(HONEST) + len(TRICKY) + 2 + len(views)
    assert f"{MARKER}-file" in (out / "report.html").read_text(encoding="utf-8")  # shown, as text
    with browser.Browser() as chromium:
        for page in pages:
            seen = chromium.scripts_run(page)
            assert not [m for m in seen["console"] + seen["dialogs"] if MARKER in m], page
            assert browser.unsafe_links(seen["links"]) == [], page


# ------------------------------------------------------------------------------ the file itself

def test_is_a_csv_utf_8_whatever_the_locale_of_the_grading_machine(tmp_path):
    """A server in the C locale would write a non-ASCII name in its own encoding (or not at all):
    the file is UTF-8 there too, which is what every spreadsheet is told to read."""
    script = ("import sys; from autograder.course import spreadsheet; "  # escapes: a C-locale command line
              "spreadsheet.write_csv(sys.argv[1], ['student'], [['Zo\\u00eb \\u00c5ngstr\\u00f6m']])")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "grades.csv")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "grades.csv").read_bytes() == "student\r\nZoë Ångström\r\n".encode()
    spreadsheet.write_csv(tmp_path / "here.csv", ["student"], [["Zoë Ångström"]])  # this process's locale
    assert (tmp_path / "here.csv").read_bytes() == (tmp_path / "grades.csv").read_bytes()


def test_does_a_name_that_is_not_valid_unicode_reach_the_csv_escaped_instead_of_stopping_it(tmp_path):
    """A folder name in another encoding comes back from the file system with surrogates: the
    row is written (the bytes escaped as text), and the file stays readable UTF-8."""
    spreadsheet.write_csv(tmp_path / "grades.csv", ["student"], [["caf\udce9"], ["ada"]])
    assert _read(tmp_path / "grades.csv") == [["student"], ["caf\\udce9"], ["ada"]]


def test_are_the_header_and_the_rows_written_in_the_number_format_asked(tmp_path):
    spreadsheet.write_csv(tmp_path / "x.csv", [0.25, "name"], [[0.125, "=1"]], number_format=".1f")
    assert _read(tmp_path / "x.csv") == [["0.2", "name"], ["0.1", "'=1"]]
    spreadsheet.write_csv(tmp_path / "y.csv", [2.5e-07], [[1e-20]])
    assert _read(tmp_path / "y.csv") == [["2.5e-07"], ["1e-20"]]  # Python's own spelling by default
    assert spreadsheet.cell(2.5e-07) == "2.5e-07"
