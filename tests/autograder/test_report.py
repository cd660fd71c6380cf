"""The instructor's report (``OUT/report.html``) and the feedback pages, as a browser shows them.

One class is graded once by ``python -m autograder grade-class``: the sample class plus
students who need attention for each reason the report knows: a notebook filed under
another assignment's folder, a notebook that is not JSON, a function that never returns
(with short job limits), and a student who handed in a classmate's notebook. The page is
checked as HTML (self-contained, numbers equal to the stored results, every link leads to a
page) and in headless Chromium at a desktop width and a phone's 390 CSS pixels.
"""

import base64
import csv
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder import reference, report
from tests import capabilities
from tests.autograder import browser
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
GC = "gradient_checking"
LOOP = {GC: {"forward_propagation": ["while True:\n    pass"], "backward_propagation": REFERENCE,
             "gradient_check": REFERENCE, "gradient_check_n": REFERENCE}}
needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=capabilities.reason(
    capabilities.CHROMIUM, "chromium is not installed; Debian: apt-get install chromium"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    submitted = root / "submitted"
    shutil.copytree(CLASS, submitted)
    gc_name = reference.NOTEBOOKS[GC]
    misfiled = submitted / "hal" / "initialization" / gc_name
    misfiled.parent.mkdir(parents=True)
    shutil.copy(CLASS / "ada" / GC / gc_name, misfiled)
    broken = submitted / "ivy" / "regularization" / reference.NOTEBOOKS["regularization"]
    broken.parent.mkdir(parents=True)
    broken.write_text('{"cells": [')
    looping = submitted / "lou" / GC / gc_name
    looping.parent.mkdir(parents=True)
    looping.write_text(json.dumps(student_notebook(GC, LOOP)))
    shutil.copytree(CLASS / "ben" / "regularization", submitted / "zed" / "regularization")
    out = root / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTOGRADER_JOB_LIMITS": "wall_seconds=3,cpu_seconds=30"}
    command = [sys.executable, "-m", "autograder", "grade-class", str(submitted), "--out", str(out),
               "--jobs", "2"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    rows = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    return out, rows, run


class ReportPage(HTMLParser):
    """Images, links, the attention table and every table's cells of the report."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images, self.links, self.external = [], [], []
        self.attention = {}  # student -> [kinds]
        self.tables, self.pre = [], []
        self._cell = self._row = self._pre = self._kind = None
        self._kinds = []
        self._in_attention = False
        self._classes = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._classes.append(classes)
        for name in ("src", "href"):
            if re.match(r"(https?:)?//", attrs.get(name) or ""):
                self.external.append(attrs[name])
        if tag in ("link", "script", "iframe", "object"):
            self.external.append(tag)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "a":
            self.links.append(attrs.get("href", ""))
        if tag == "table":
            self.tables.append([])
            self._in_attention = "attention" in classes
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = ""
        if tag == "span" and "kind" in classes and self._in_attention:
            self._kind = ""
        if tag == "pre":
            self._pre = ""
        if tag == "br" and self._cell is not None:
            self._cell += " "

    def handle_endtag(self, tag):
        if self._classes:
            self._classes.pop()
        if tag == "span" and self._kind is not None:
            self._kinds.append(self._kind)
            self._kind = None
        if tag in ("td", "th") and self._row is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            if self._in_attention and len(self._row) == 2 and self._row[0] != "student":
                self.attention[self._row[0]] = self._kinds
            self._row, self._kinds = None, []
        if tag == "table":
            self._in_attention = False
        if tag == "pre":
            self.pre.append(self._pre)
            self._pre = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._kind is not None:
            self._kind += data
        if self._pre is not None:
            self._pre += data


def parse(out):
    page = ReportPage()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    page.close()
    return page


def test_is_the_report_one_self_contained_page_with_real_pictures(graded):
    from PIL import Image

    out, _, run = graded
    page = parse(out)
    assert page.external == []
    assert len(page.images) >= 5  # three histograms of totals, the functions, the mistakes, the seconds
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        picture = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert picture.width > 200 and picture.height > 100
    assert f"report:     {out / 'report.html'}" in run.stdout


def test_does_the_summary_say_each_thing_once_and_what_a_similar_pair_is(graded):
    out, _, run = graded
    lines = run.stdout.splitlines()
    labels = [line.split(":")[0] for line in lines if line and not line.startswith(" ") and ":" in line]
    assert len(labels) == len(set(labels)), labels
    for label, path in [("grades", out / "grades.csv"), ("similarity", out / "similarity.csv"),
                        ("report", out / "report.html")]:
        assert [line for line in lines if line.startswith(f"{label}:")] == [f"{label + ':':<11} {path}"]
    pairs = lines.index(next(line for line in lines if line.startswith("similar code: ")))
    assert int(lines[pairs].split()[2]) > 0  # zed handed in ben's notebook
    assert "near-identical code" in lines[pairs + 1] and lines[pairs + 1].startswith("  ")


def test_does_every_link_of_the_report_lead_to_a_page_that_exists(graded):
    out, _, _ = graded
    links = [link for link in parse(out).links if link]
    assert links
    for link in links:
        assert (out / link.split("#")[0]).is_file(), link


def test_does_the_attention_list_name_each_student_who_needs_a_look_and_why(graded):
    out, rows, _ = graded
    attention = parse(out).attention
    assert "misfiled notebook" in attention["hal"]
    assert "unreadable notebook" in attention["ivy"]
    assert "timeout" in attention["lou"]
    assert "untouched stub" in attention["gia"] and "untouched stub" in attention["finn"]
    assert "similar code" in attention["zed"] and "similar code" in attention["ben"]
    assert "missing notebook" in attention["zed"]  # zed handed in one assignment of three
    for student in ("ada", "ben", "cleo", "dev", "eve"):  # complete work, nothing to look at but similarity
        assert set(attention.get(student, [])) <= {"similar code"}, (student, attention.get(student))
    text = graded[2].stdout
    assert re.search(rf"^needs attention: {len(attention)} students", text, re.MULTILINE)


def test_do_the_reports_tables_agree_with_the_stored_results(graded):
    out, rows, _ = graded
    page = parse(out)
    statuses = Counter()
    mistakes = Counter()
    for row in rows.values():
        for result in row["results"]:
            for name, function in result["functions"].items():
                statuses[(name, function["status"])] += 1
                for key in function["mistakes"]:  # the ids the grader recorded
                    mistakes[(name, key)] += 1
    functions = next(t for t in page.tables if t[0][0] == "function" and "passed" in t[0])
    header = functions[0]
    for cells in functions[1:]:
        name = cells[0].split(" (")[0].replace("_ ", "_")
        for status, value in zip(header[1:-1], cells[1:-1], strict=True):
            assert int(value) == statuses[(name, status)], (name, status)
    table = next(t for t in page.tables if t[0][:2] == ["function", "mistake"])
    shown = {(cells[0], cells[1].split(" ")[0]): int(cells[2].split()[-1]) for cells in table[1:]}
    assert shown == dict(mistakes) and shown, (shown, mistakes)
    table = next(t for t in page.tables if t[0][:2] == ["assignment", "handed in"])
    for cells, name in zip(table[1:], reference.NOTEBOOKS, strict=True):
        totals = [r["score"] for row in rows.values() for r in row["results"] if r["assignment"] == name]
        assert cells[0] == report.TITLES[name]
        assert int(cells[1]) == len(totals)
        assert float(cells[2]) == pytest.approx(statistics.fmean(totals), abs=0.005)
        assert float(cells[3]) == pytest.approx(statistics.median(totals))


def test_are_the_most_similar_pairs_shown_side_by_side_and_listed_in_similarity_csv(graded):
    out, rows, _ = graded
    with open(out / "similarity.csv", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    assert list(pairs[0]) == ["assignment", "function", "student_a", "student_b", "score"]
    copied = [p for p in pairs if (p["student_a"], p["student_b"]) == ("ben", "zed")]
    assert {p["function"] for p in copied} >= {"forward_propagation_with_dropout"}
    assert all(float(p["score"]) == 1 for p in copied)
    first = pairs[0]
    side_by_side = parse(out).pre[:2]  # the most similar pair first, each student's cell in full
    assert len(side_by_side) == 2 and all(f"def {first['function']}(" in cell for cell in side_by_side)
    assert float(first["score"]) == 1 and side_by_side[0] == side_by_side[1]


def test_are_identical_lines_of_one_function_shown_once_with_their_count(graded):
    out, _, _ = graded
    page = (out / "feedback" / "finn" / "regularization.html").read_text()
    section = page.split('id="compute_cost_with_regularization"')[1].split("</section>")[0]
    assert section.count("<li") == 1 and "× 4 checks" in section  # a syntax error, once
    for path in (out / "feedback").rglob("*.html"):
        for part in path.read_text().split("<section")[1:]:
            items = re.findall(r"<li[^>]*>(.*?)</li>", part, re.DOTALL)
            assert len(items) == len(set(items)), path


# In a browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    with browser.Browser() as opened:
        yield opened


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_does_the_report_show_in_a_browser_without_overflowing_the_screen(graded, chromium, width, tmp_path):
    out, _, _ = graded
    png, layout = chromium.render(out / "report.html", width, browser.LAYOUT)
    (tmp_path / f"report-{width}.png").write_bytes(png)
    painted, colours = browser.ink(png)
    assert painted > 0.02 and colours > 50, (painted, colours)  # text and pictures, not a blank page
    assert layout["width"] == width
    assert layout["scroll"] <= width and layout["wide"] == [], layout


@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_are_feedback_pages_readable_on_a_phone(graded, chromium, width):
    out, _, _ = graded
    png, layout = chromium.render(out / "feedback" / "finn" / "regularization.html", width, browser.LAYOUT)
    painted, colours = browser.ink(png)
    assert painted > 0.02 and colours > 20, (painted, colours)
    assert layout["width"] == width and layout["scroll"] <= width and layout["wide"] == [], layout
    headings = layout["headings"]
    assert [h["name"] for h in headings] == list(reference.load("regularization").names)
    for heading in headings:
        assert not heading["overlap"], heading  # the score never runs into the name
        assert heading["broken"] == 0, heading  # a name wraps between its words only
    if width == 390:  # the long names do wrap on a phone: the checks above had something to check
        assert any(h["rows"] > 1 for h in headings), headings


@needs_chromium
def test_does_the_layout_check_see_a_page_that_overflows_or_squeezes_its_score(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
                    '<h2 style="position:relative"><span class="name" style="overflow-wrap:anywhere">'
                    'backward_propagation_with_regularization</span><span class="points" '
                    'style="position:absolute;left:0">10 / 10</span></h2><div style="width:900px">wide</div>')
    png, layout = chromium.render(page, 390, browser.LAYOUT)
    assert layout["scroll"] > 390  # (a phone widens its layout to the widest element)
    (heading,) = layout["headings"]
    assert heading["overlap"]
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><body></body>")
    assert browser.ink(chromium.render(blank, 390)[0])[0] < 0.001


def test_are_grading_errors_and_odd_file_names_on_the_attention_list(graded):
    _, rows, _ = graded
    stats = report.ClassStats()
    stats.add({"student": "kai", "status": "error", "results": [], "code": {}, "seconds": 0.0,
               "notes": ["the grading worker died twice (exit code -9)"]})
    note = "the name 'caf\\xe9_Gradient_Checking.ipynb' is not valid UTF-8; graded under a safe spelling"
    odd = dict(rows["ada"], student="caf-dafd66c0", notes=[note])
    stats.add(odd)
    kinds = {entry.student: [kind for kind, _, _ in entry.reasons] for entry in stats.attention_list()}
    assert kinds == {"kai": ["grading error"], "caf-dafd66c0": ["odd file name"]}
    assert "students: 2 (1 could not be graded)" in report.format_summary(stats)


def _with_mistakes(row, function, ids, hint):
    row = json.loads(json.dumps(row))
    for result in row["results"]:
        if function in result["functions"]:
            result["functions"][function].update(mistakes=ids, hint=hint, status="failed")
    return row


def test_does_the_misconception_chart_count_every_mistake_id_the_grader_recorded(graded):
    # two mistakes made together count for both; a result stored by an earlier kit, which has
    # no ids, counts by the text of its hint
    _, rows, _ = graded
    function = "initialize_parameters_he"
    hints = {key: hint for hint, key in report.catalogue("initialization", function).items()}
    stats = report.ClassStats()
    stats.add(_with_mistakes(rows["ada"], function, ["he-xavier", "bias-not-column"], "both hints"))
    stats.add(_with_mistakes(dict(rows["ben"]), function, ["he-xavier"], hints["he-xavier"]))
    older = _with_mistakes(rows["cleo"], function, [], hints["he-unscaled"])
    for result in older["results"]:
        result["functions"].get(function, {}).pop("mistakes", None)
    stats.add(older)
    counted = stats.mistakes[("initialization", function)]
    assert counted == {"he-xavier": 2, "bias-not-column": 1, "he-unscaled": 1}
    # each bar says the mistake's own hint, not the pair's
    assert stats.mistake_hints[("initialization", function, "bias-not-column")] == hints["bias-not-column"]
