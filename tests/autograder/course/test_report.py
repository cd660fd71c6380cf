"""The instructor's report (``OUT/report.html``) and the feedback pages, as a browser shows them.

One class is graded once by ``python -m autograder grade-class``: the sample class plus
students who need attention for each reason the report knows: a notebook filed under
another assignment's folder, a notebook that is not JSON, a function that never returns
(with short job limits), a student who handed in a classmate's notebook, and a planted renamed
copy (``rex`` took ``jon``'s ``gradient_check_n``, renamed its variables, added comments, blank
lines, a print and a docstring). The pages are checked as HTML (self-contained, numbers equal to
the stored results, every link leads to a page and an anchor that exist) and in headless
Chromium (driven by Playwright) at a desktop's 1280 and a phone's 390 CSS pixels: no sideways
scroll, no text under 10 pixels, charts not shrunk past legibility, every link reachable by
keyboard, no accessibility violation of any impact (axe-core), and the pair view's marks. Screenshots
of every page are saved in the test's temporary folder.
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
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder.course import report
from autograder.grading import reference
from tests import capabilities
from tests.autograder.course import browser
from tests.autograder.course.test_similarity import COPY_OF_JON, INDEPENDENT, NOT_LOGIC
from tests.autograder.course.test_similarity import _logic as logic
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
GC = "gradient_checking"
LOOP = {GC: {"forward_propagation": ["while True:\n    pass"], "backward_propagation": REFERENCE,
             "gradient_check": REFERENCE, "gradient_check_n": REFERENCE}}
needs_chromium = pytest.mark.skipif(browser.CHROMIUM is None, reason=capabilities.reason(
    capabilities.CHROMIUM, browser.MISSING or ""))
WIDTHS = [1280, 390]
SMALLEST_TEXT = 10  # CSS pixels: no text of a page may be shown smaller


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
    for student, snippets in (("jon", INDEPENDENT["jon"]), ("rex", COPY_OF_JON)):
        planted = submitted / student / GC / gc_name
        planted.parent.mkdir(parents=True)
        planted.write_text(json.dumps(student_notebook(GC, {GC: {"gradient_check_n": snippets}})))
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
        self.images, self.links, self.external, self.ids = [], [], [], set()
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
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "source":
            self.images.append(attrs.get("srcset", ""))
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


def parse(out, name="report.html"):
    page = ReportPage()
    page.feed((out / name).read_text(encoding="utf-8"))
    page.close()
    return page


def pages(out):
    """Every page of the output folder: the report, the pair views and the feedback pages."""
    return [out / "report.html", *sorted((out / "pairs").glob("*.html")),
            *sorted((out / "feedback").rglob("*.html"))]


def test_is_the_report_one_self_contained_page_with_real_pictures(graded):
    from PIL import Image

    out, _, run = graded
    page = parse(out)
    assert page.external == []
    # three histograms of totals, and the functions, the mistakes and the seconds, each twice (wide, narrow)
    assert len(page.images) == 3 + 3 * 2
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        picture = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        assert picture.width > 200 and picture.height > 100
    assert f"report:     {out / 'report.html'}" in run.stdout
    for view in (out / "pairs").glob("*.html"):  # the pair views need nothing from outside either
        assert parse(out, view.relative_to(out)).external == [], view


def test_is_each_narrow_chart_drawn_for_a_phone_and_its_text_as_tall_as_on_a_desktop(graded):
    out, _, _ = graded
    html = (out / "report.html").read_text(encoding="utf-8")
    pictures = re.findall(r'<source media="\(min-width: ([\d.]+)rem\)" srcset="[^"]+" '
                          r'data-text-px="([\d.]+)" width="(\d+)"[^>]*>\s*<img class="chart" src="[^"]+" '
                          r'data-text-px="([\d.]+)" width="(\d+)"', html)
    assert len(pictures) == 3, pictures
    for wide_from, wide_text, wide_width, narrow_text, narrow_width in pictures:
        # the wide variant is shown only where the page has room for it at its own size
        assert float(wide_from) * 16 - 32 >= int(wide_width)
        # the narrow one fits a phone's 390 pixels at about its own size (more than 90 %)
        assert 300 <= int(narrow_width) <= 390 / 0.9
        assert float(narrow_text) >= max(SMALLEST_TEXT, 0.8 * float(wide_text))
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


def test_does_every_link_of_the_report_and_the_pair_views_lead_to_a_page_and_anchor_that_exist(graded):
    out, _, _ = graded
    checked = 0
    for origin in [out / "report.html", *(out / "pairs").glob("*.html")]:
        links = [link for link in parse(out, origin.relative_to(out)).links if link]
        assert links, origin
        for link in links:
            path, _, anchor = link.partition("#")
            target = (origin.parent / path).resolve() if path else origin
            assert target.is_file(), (origin, link)
            if anchor and target.parent.parent.name != "feedback":  # the kit's own feedback ids
                assert anchor in parse(out, target.relative_to(out)).ids, (origin, link)
            checked += 1
    assert checked > 50
def test_does_the_attention_list_name_each_student_who_needs_a_look_and_why(graded):
    out, rows, _ = graded
    attention = parse(out).attention
    assert "misfiled notebook" in attention["hal"]
    assert "unreadable notebook" in attention["ivy"]
    assert "timeout" in attention["lou"]
    assert "untouched stub" in attention["gia"] and "untouched stub" in attention["finn"]
    assert "similar code" in attention["zed"] and "similar code" in attention["ben"]
    assert "similar code" in attention["jon"] and "similar code" in attention["rex"]
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


def similar_pairs(out):
    with open(out / "similarity.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_does_the_attention_list_say_once_per_student_how_many_classmates_and_functions(graded):
    out, _, _ = graded
    pairs = similar_pairs(out)
    html = (out / "report.html").read_text(encoding="utf-8")
    students = {p["student_a"] for p in pairs} | {p["student_b"] for p in pairs}
    for student in students:
        mine = [p for p in pairs if student in (p["student_a"], p["student_b"])]
        classmates = {p["student_a"] if p["student_b"] == student else p["student_b"] for p in mine}
        functions = {(p["assignment"], p["function"]) for p in mine}
        line = (f'<a href="#similar-{student}">similar to {len(classmates)} classmate'
                f'{"s" if len(classmates) > 1 else ""} in {len(functions)} function'
                f'{"s" if len(functions) > 1 else ""}</a>')
        assert html.count(line) == 1, (student, line)
        assert html.count(f'<a href="#similar-{student}">') == 1  # one line, not one per classmate
    assert len(students) > 5 and any(len({p["student_a"] for p in pairs if p["student_b"] == s} |
                                         {p["student_b"] for p in pairs if p["student_a"] == s}) > 2
                                     for s in students)  # some have several classmates: said once


def test_does_similarity_csv_link_each_pair_to_its_pair_view(graded):
    out, rows, _ = graded
    pairs = similar_pairs(out)
    assert list(pairs[0]) == ["assignment", "function", "student_a", "student_b", "score", "view"]
    copied = [p for p in pairs if (p["student_a"], p["student_b"]) == ("ben", "zed")]
    assert {p["function"] for p in copied} >= {"forward_propagation_with_dropout"}
    assert all(float(p["score"]) == 1 for p in copied)
    for pair in pairs:
        path, anchor = pair["view"].split("#")
        assert path == f"pairs/{pair['student_a']}~{pair['student_b']}.html"
        assert anchor == f"{pair['assignment']}-{pair['function']}" in parse(out, path).ids
    assert {p.name for p in (out / "pairs").glob("*.html")} == {p["view"].split("#")[0][6:] for p in pairs}


def view_sides(out, view):
    """``[(student, [(line number, text, mark)])]`` of each side of one section of a pair view."""
    path, anchor = view.split("#")
    html = (out / path).read_text(encoding="utf-8")
    section = html.split(f'<section id="{anchor}"')[1].split("</section>")[0]
    sides = []
    for side in section.split('<div class="side">')[1:]:
        student = re.search(r'<h3><a href="[^"]+">([^<]+)</a>', side).group(1)
        lines = [(int(number), unescape(text), mark) for mark, number, text in re.findall(
            r'<div class="line ?([a-z]*)" data-line="(\d+)"><span class="no">\d+</span>'
            r'<span class="mark">[^<]*</span><span class="text">(.*?)</span></div>', side)]
        sides.append((student, lines))
    return sides


def test_does_a_pair_view_show_the_copied_cells_side_by_side_every_line_shared(graded):
    out, _, _ = graded
    view = next(p["view"] for p in similar_pairs(out) if (p["student_a"], p["student_b"], p["function"])
                == ("ben", "zed", "forward_propagation_with_dropout"))
    (_, ben), (_, zed) = view_sides(out, view)
    assert ben == zed and len(ben) > 10  # the same cell, line for line
    assert "def forward_propagation_with_dropout(" in "\n".join(text for _, text, _ in ben)
    # what ben wrote (the lines that are neither template nor blank) is all marked shared
    assert sum(mark == "shared" for _, _, mark in ben) >= 5


def test_does_the_pair_view_of_a_renamed_copy_mark_the_same_logic_on_both_sides(graded):
    out, _, _ = graded
    (pair,) = [p for p in similar_pairs(out) if (p["student_a"], p["student_b"]) == ("jon", "rex")]
    assert pair["function"] == "gradient_check_n" and float(pair["score"]) >= 0.9
    (jon_name, jon), (rex_name, rex) = view_sides(out, pair["view"])
    assert (jon_name, rex_name) == ("jon", "rex")
    for lines, snippets in ((jon, INDEPENDENT["jon"]), (rex, COPY_OF_JON)):
        own = {logic(text) for text in "".join(snippets).splitlines()} - {""}
        written = [mark for _, text, mark in lines if logic(text) in own]
        assert len(written) >= 10 and set(written) == {"shared"}, lines
    added = [mark for _, text, mark in rex if text.strip().startswith(("#", *NOT_LOGIC)) or not text.strip()]
    assert "shared" not in added
    shown = (out / pair["view"].split("#")[0]).read_text(encoding="utf-8")
    assert re.search(r"\d+ fingerprints in common that count;\s+jon: \d+, of which \d+ discounted as "
                     r"template or common code; rex: \d+", shown)


def test_does_a_later_run_remove_the_pair_views_it_did_not_find(graded, tmp_path):
    out, _, _ = graded
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    assert list((copy / "pairs").glob("*.html"))
    report.write_report(report.ClassStats(), copy, lambda student: [])  # a run with no similar pair
    assert list((copy / "pairs").glob("*.html")) == []
    assert "No pair of students wrote the same code." in (copy / "report.html").read_text(encoding="utf-8")


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


def measure(chromium, path, width, shots):
    """The layout of the page at ``path`` at ``width`` pixels (:data:`browser.LAYOUT`); a
    screenshot of it is saved in ``shots``."""
    name = "-".join(path.parts[-3:]).replace(".html", "")
    png, layout = chromium.render(path, width, browser.LAYOUT, screenshot=shots / f"{name}-{width}.png")
    return png, layout


def assert_readable(layout, width, path):
    """No sideways scroll, nothing wider than the screen outside a box that scrolls on its own,
    no text under :data:`SMALLEST_TEXT` pixels, every chart's text at least as tall."""
    assert layout["width"] == width, (path, layout["width"])  # laid out at the screen's width
    assert layout["scroll"] <= width and layout["wide"] == [], (path, layout)
    assert layout["smallest"]["px"] >= SMALLEST_TEXT, (path, layout["smallest"])
    for chart in layout["charts"]:
        assert chart["textPx"] >= SMALLEST_TEXT, (path, chart)
        assert chart["right"] <= width + 1, (path, chart)


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_does_the_report_show_in_a_browser_without_overflowing_or_shrinking_its_charts(graded, chromium,
                                                                                        width, tmp_path):
    out, _, _ = graded
    png, layout = measure(chromium, out / "report.html", width, tmp_path)
    assert list(tmp_path.glob(f"*report-{width}.png"))  # the screenshot, kept for a look
    painted, colours = browser.ink(png)
    assert painted > 0.02 and colours > 50, (painted, colours)  # text and pictures, not a blank page
    assert_readable(layout, width, "report.html")
    charts = layout["charts"]
    assert len(charts) == 6 and all(chart["natural"] > 200 for chart in charts)
    # the phone is shown the narrow variants, at about their own size; the desktop the wide ones
    wide = [chart["variant"] for chart in charts[3:]]
    assert wide == (["narrow"] * 3 if width == 390 else ["wide"] * 3), charts
    assert all(chart["shown"] >= 0.9 * chart["natural"] for chart in charts), charts


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_is_every_pair_view_readable_at_this_width(graded, chromium, width, tmp_path):
    out, _, _ = graded
    views = sorted((out / "pairs").glob("*.html"))
    assert len(views) > 5
    for view in views:
        png, layout = measure(chromium, view, width, tmp_path)
        assert browser.ink(png)[0] > 0.02, view
        assert_readable(layout, width, view)


#: For each side of each section of a pair view: the student and each line's mark and the
#: background the browser paints it with.
MARKS = """[...document.querySelectorAll("section .side")].map(side => ({
  student: side.querySelector("h3 a").textContent,
  section: side.closest("section").id,
  lines: [...side.querySelectorAll(".line")].map(line => ({
    mark: line.className.replace("line", "").trim(), text: line.querySelector(".text").textContent,
    background: getComputedStyle(line).backgroundColor,
    top: line.getBoundingClientRect().top, left: line.getBoundingClientRect().left}))}))"""


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_does_the_pair_view_of_a_renamed_copy_highlight_the_same_logic_on_both_sides(graded, chromium, width,
                                                                                      tmp_path):
    out, _, _ = graded
    page = chromium.open(out / "pairs" / "jon~rex.html", width)
    try:
        page.screenshot(full_page=True, path=tmp_path / f"jon~rex-{width}.png")
        jon, rex = page.evaluate(MARKS)
    finally:
        page.context.close()
    assert (jon["student"], rex["student"]) == ("jon", "rex")
    backgrounds = {}
    for side, snippets in ((jon, INDEPENDENT["jon"]), (rex, COPY_OF_JON)):
        own = {logic(text) for text in "".join(snippets).splitlines()} - {""}
        written = [line for line in side["lines"] if logic(line["text"]) in own]
        assert len(written) >= 10 and {line["mark"] for line in written} == {"shared"}
        for line in side["lines"]:
            backgrounds.setdefault(line["mark"], set()).add(line["background"])
    # a shared line is painted, and otherwise than an unmarked one
    assert len(backgrounds["shared"]) == 1 and backgrounds["shared"] != backgrounds[""]
    assert backgrounds["shared"] != {"rgba(0, 0, 0, 0)"}
    added = [line for line in rex["lines"] if not line["text"].strip() or line["text"].strip().startswith(
        ("#", *NOT_LOGIC))]
    assert added and all(line["mark"] != "shared" for line in added)
    # side by side on a desktop, one above the other on a phone
    if width == 1280:
        first = jon["lines"][0], rex["lines"][0]
        assert first[0]["top"] == first[1]["top"] and first[0]["left"] < first[1]["left"]
    else:
        assert jon["lines"][-1]["top"] < rex["lines"][0]["top"]


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_is_every_feedback_page_of_the_class_readable_at_this_width(graded, chromium, width, tmp_path):
    out, _, _ = graded
    feedback = sorted((out / "feedback").rglob("*.html"))
    assert len(feedback) >= 3 * 9  # the sample class's nine students, three notebooks each
    for path in feedback:
        png, layout = measure(chromium, path, width, tmp_path)
        painted, colours = browser.ink(png)
        assert painted > 0.02 and colours > 20, (path, painted, colours)
        assert_readable(layout, width, path)


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_are_feedback_headings_readable_on_a_phone(graded, chromium, width, tmp_path):
    out, _, _ = graded
    _, layout = measure(chromium, out / "feedback" / "finn" / "regularization.html", width, tmp_path)
    headings = layout["headings"]
    assert [h["name"] for h in headings] == list(reference.load("regularization").names)
    for heading in headings:
        assert not heading["overlap"], heading  # the score never runs into the name
        assert heading["broken"] == 0, heading  # a name wraps between its words only
    if width == 390:  # the long names do wrap on a phone: the checks above had something to check
        assert any(h["rows"] > 1 for h in headings), headings


@needs_chromium
def test_can_every_link_be_reached_with_the_keyboard(graded, chromium):
    out, _, _ = graded
    for path in pages(out)[:12]:  # the report, the pair views, a few feedback pages
        page = chromium.open(path, 390)
        try:
            links = [link["href"] for link in page.evaluate(browser.LINKS)]
            reached = browser.tab_order(page)
        finally:
            page.context.close()
        assert [href for href in reached if href in links] == links, path  # each, in reading order


@needs_chromium
def test_do_the_pages_have_no_accessibility_violation(graded, chromium):
    out, _, _ = graded
    checked = [out / "report.html", *sorted((out / "pairs").glob("*.html"))[:3],
               *sorted((out / "feedback").glob("*/regularization.html"))[:3]]
    for width in WIDTHS:
        for path in checked:
            page = chromium.open(path, width)
            try:
                violations = browser.axe_violations(page)
            finally:
                page.context.close()
            assert violations == [], (path, width, violations)


@needs_chromium
def test_do_the_measurements_see_a_page_that_overflows_shrinks_its_text_or_its_charts(chromium, tmp_path):
    page = tmp_path / "bad.html"
    picture = report._png(report._pyplot().subplots(figsize=(8, 2))[0])
    page.write_text('<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
                    '<h2 style="position:relative"><span class="name" style="overflow-wrap:anywhere">'
                    'backward_propagation_with_regularization</span><span class="points" '
                    'style="position:absolute;left:0">10 / 10</span></h2><div style="width:900px">wide</div>'
                    '<p style="font-size:8px">small print</p>'
                    f'<img class="chart" style="width:100%" src="{picture.src}" '
                    f'data-text-px="{picture.text_px}">')
    png, layout = chromium.render(page, 390, browser.LAYOUT)
    assert layout["scroll"] > 390  # (a phone widens its layout to the widest element)
    (heading,) = layout["headings"]
    assert heading["overlap"]
    assert layout["smallest"]["px"] == 8
    (chart,) = layout["charts"]
    assert chart["textPx"] < SMALLEST_TEXT  # an 8-inch chart shrunk onto a phone
    no_viewport = tmp_path / "desktop.html"  # a page with no viewport: a phone lays it out 980 wide
    no_viewport.write_text("<!DOCTYPE html><p>text</p>")
    assert chromium.render(no_viewport, 390, browser.LAYOUT)[1]["width"] > 390
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><body></body>")
    assert browser.ink(chromium.render(blank, 390)[0])[0] < 0.001
    scrolls = tmp_path / "scrolls.html"  # a wide table in a box that scrolls on its own is fine
    scrolls.write_text('<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
                       '<div style="overflow-x:auto"><table style="width:900px"><tr><td>x</td></tr>'
                       '</table></div>')
    layout = chromium.render(scrolls, 390, browser.LAYOUT)[1]
    assert layout["scroll"] == 390 and layout["wide"] == []


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


def test_are_the_kits_pages_made_by_one_template_environment():
    # the feedback pages, the report and the pair views: one place for escaping and filters
    from autograder.course import exports

    assert report.TEMPLATES is exports.TEMPLATES
    for name in ("feedback.html.j2", "report.html.j2", "pair.html.j2"):
        assert exports.TEMPLATES.get_template(name).environment is exports.TEMPLATES
    makers = [str(path.relative_to(ROOT)) for path in (ROOT / "autograder").rglob("*.py")
              if re.search(r"\bEnvironment\(", path.read_text(encoding="utf-8"))]
    assert makers == ["autograder/course/exports.py"]


def test_is_each_catalogued_mistakes_hint_the_catalogues_and_the_checks_built_once(monkeypatch):
    from autograder import assignments

    built = Counter()
    build = assignments.build_checks

    def counted(spec, function, rng):
        built[(spec.name, function)] += 1
        return build(spec, function, rng)

    monkeypatch.setattr(assignments, "build_checks", counted)
    report._mistakes.cache_clear()
    report.catalogue.cache_clear()
    try:
        for assignment in reference.NOTEBOOKS:
            for function in reference.load(assignment).names:
                for hint, key in report.catalogue(assignment, function).items():
                    assert report.hint_of(assignment, function, key) == hint
                assert report.hint_of(assignment, function, "no-such-mistake") is None
        assert built and set(built.values()) == {1}
        assert report.hint_of("initialization", "initialize_parameters_he", "he-xavier")
    finally:
        report._mistakes.cache_clear()
        report.catalogue.cache_clear()
