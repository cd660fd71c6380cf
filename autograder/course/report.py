"""The instructor's view of a class: ``OUT/report.html``, one self-contained page, and the summary.

:class:`ClassStats` reads the stored result rows one at a time (``add``) and keeps only
what the page and the summary need: totals per assignment, the status of every graded
function, the catalogued mistakes found, the seconds of each student, who needs attention
and why, and each student's code fingerprints for :mod:`autograder.course.similarity`.

:func:`write_report` draws the pictures with matplotlib (PNG, embedded as base64 ``data:``
URIs, so the page is one file that can be mailed or put on a course site; each wide chart has a
narrow variant that a phone shows instead, its text as legible as on a desktop) and fills the
jinja2 template ``templates/report.html.j2``; beside it, ``pairs/`` holds a pair view
(``templates/pair.html.j2``) for each two students with similar code: the output folder is
self-contained, with no server and nothing fetched.
"""

import base64
import functools
import hashlib
import io
import json
import logging
import statistics
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import assignments
from autograder.course import similarity
from autograder.course.batch import MISFILED, SEVERAL
from autograder.course.exports import TEMPLATES
from autograder.grading import reference
from autograder.grading.result import STATUSES
from autograder.grading.students import NOT_IN_ROSTER

TITLES = reference.TITLES
STATUS_COLOURS = {"passed": "#1a7f37", "partial": "#d4a72c", "failed": "#cf222e", "missing": "#8c959f",
                  "error": "#8250df", "timeout": "#bc4c00"}
STUB_TEXT = "is not written yet"


@functools.cache
def _mistakes(assignment, function):
    """``((key, hint), ...)`` of the catalogued mistakes of one graded function, in its checks'
    order (the checks built once per process)."""
    spec = reference.load(assignment)
    return tuple((mistake.key, mistake.hint)
                 for check in assignments.build_checks(spec, function, np.random.default_rng(0))
                 for mistake in check.mistakes)


@functools.cache
def catalogue(assignment, function):
    """``{hint text: mistake key}`` of the catalogued mistakes of one graded function (a hint
    that two mistakes share names the first)."""
    found = {}
    for key, hint in _mistakes(assignment, function):
        found.setdefault(hint, key)
    return found


def hint_of(assignment, function, key):
    """The hint of the catalogued mistake ``key`` of one graded function (``None`` if unknown),
    read from the catalogue's own list of mistakes."""
    return next((hint for known, hint in _mistakes(assignment, function) if known == key), None)


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def similar_anchor(student):
    """The id of the report's list of ``student``'s similar pairs."""
    return f"similar-{student}"


def pair_page(student_a, student_b):
    """The pair view of two students, relative to the output folder: ``pairs/<a>~<b>.html`` (a
    student id never holds ``~``, so the name is one pair's only)."""
    return f"pairs/{student_a}~{student_b}.html"


def pair_link(pair):
    """The link to one similar pair (a :class:`autograder.course.similarity.Pair`) in its pair view."""
    return f"{pair_page(pair.student_a, pair.student_b)}#{pair_section(pair)}"


def pair_section(pair):
    return f"{pair.assignment}-{pair.function}"


@dataclass
class Attention:
    """One student who needs a look, and why (each reason with the page that shows it)."""

    student: str
    reasons: list = field(default_factory=list)  # [(kind, text, link or None)]

    def add(self, kind, text, link=None):
        if (kind, text, link) not in self.reasons:
            self.reasons.append((kind, text, link))


class ClassStats:
    """What the report and the summary say about a class, gathered one row at a time.

    ``assignment``: the one assignment the class was graded as (None: every assignment);
    ``detected``: whether it was found so (every notebook of the class is of it) rather than
    asked for."""

    def __init__(self, assignment=None, detected=False):
        self.assignment, self.detected = assignment, detected
        self.misfiled = Counter()  # assignment -> notebooks of it, not graded (of another assignment)
        self.students = 0
        self.errors = 0
        self.totals = defaultdict(list)  # assignment -> [score of each student who handed it in]
        self.statuses = defaultdict(Counter)  # (assignment, function) -> Counter of statuses
        self.mistakes = defaultdict(Counter)  # (assignment, function) -> Counter of mistake keys
        self.mistake_hints = {}  # (assignment, function, key) -> hint text
        self.score_sums = defaultdict(float)  # "assignment:function" -> sum of scores
        self.score_counts = Counter()
        self.seconds = []  # (seconds, student)
        self.layers = Counter()
        self.attention = {}  # student -> Attention
        self.code = similarity.Collector()
        self.pairs = []
        self.identity = []  # summary lines on where ids came from (autograder.course.batch.identity_summary)
        self.adjustments = []  # summary lines on instructor adjustments (overrides.Adjuster)
        self.adjusted = []  # [(student, adjustment)] applied, for the page
        self.not_adjusted = []  # lines of overrides.csv not applied (autograder.course.overrides.Problem)
        self.lms = None  # the summary's line on the LMS import file (autograder.course.lms.Written.line)

    def _flag(self, student, kind, text, link=None):
        self.attention.setdefault(student, Attention(student)).add(kind, text, link)

    def add(self, row):
        student = row["student"]
        self.students += 1
        self.seconds.append((row.get("seconds", 0.0), student))
        if row["status"] == "error":
            self.errors += 1
            self._flag(student, "grading error", "; ".join(row["notes"]) or "grading failed")
        for note in row["notes"]:
            if note.endswith(MISFILED):
                self._flag(student, "misfiled notebook", note)
            elif note.startswith("no notebook for "):
                self._flag(student, "missing notebook", note)
            elif " was found in " in note:
                graded_as = note.rsplit("graded as ", 1)[-1]
                link = f"feedback/{student}/{graded_as}.html" if graded_as in reference.NOTEBOOKS else None
                self._flag(student, "misfiled notebook", note, link)
            elif ": not graded (" in note:
                self._flag(student, "unreadable notebook", note)
            elif "not valid UTF-8" in note or "control characters" in note or "very long" in note:
                self._flag(student, "odd file name", note)
            elif SEVERAL in note:
                self._flag(student, "several notebooks for one assignment", note)
            elif note.startswith(NOT_IN_ROSTER):
                self._flag(student, "not in the roster", note)
        self.misfiled.update(item["assignment"] for item in row.get("misfiled", []))
        for result in row["results"]:
            assignment = result["assignment"]
            link = f"feedback/{student}/{assignment}.html"
            self.totals[assignment].append(result["score"])
            layer = result.get("provenance", {}).get("isolation")
            if layer:
                self.layers[layer] += 1
            if result["error"]:
                self._flag(student, "unreadable notebook", f"{TITLES.get(assignment, assignment)}: "
                                                           f"{result['error']}", link)
            stubs = []
            for name, function in result["functions"].items():
                key = (assignment, name)
                self.statuses[key][function["status"]] += 1
                self.score_sums[f"{assignment}:{name}"] += function["score"]
                self.score_counts[f"{assignment}:{name}"] += 1
                hint = function.get("hint")
                # the ids the grader recorded (two for mistakes made together); a result stored
                # by an earlier kit has none, and its hint's text says which mistake it named
                known = function.get("mistakes") or (
                    [catalogue(assignment, name).get(hint)] if hint else [])
                for mistake in filter(None, known):
                    self.mistakes[key][mistake] += 1
                    self.mistake_hints[(assignment, name, mistake)] = hint_of(
                        assignment, name, mistake) or hint
                if function["status"] == "timeout":
                    self._flag(student, "timeout", f"{name} did not finish in time", f"{link}#{name}")
                if function["status"] == "missing" and not result["error"] and any(
                        STUB_TEXT in check["message"] for check in function["checks"]):
                    stubs.append(name)
            if stubs and not result["error"]:
                self._flag(student, "untouched stub", f"{TITLES.get(assignment, assignment)}: "
                                                      f"{', '.join(stubs)}", link)
        self.code.add(row)

    def find_similar(self, threshold=similarity.THRESHOLD):
        """The class's similar pairs; each student in one gets one reason ("similar to 2
        classmates in 3 functions") linked to the list of their pairs in the report."""
        self.pairs = self.code.pairs(threshold)
        for student, pairs in sorted(self.pairs_of().items()):
            classmates = {other for other, _ in pairs}
            functions = {(pair.assignment, pair.function) for _, pair in pairs}
            self._flag(student, "similar code",
                       f"similar to {_count(len(classmates), 'classmate')} in "
                       f"{_count(len(functions), 'function')}",
                       f"#{similar_anchor(student)}")
        return self.pairs

    def pairs_of(self):
        """``{student: [(classmate, pair)]}`` of the similar pairs, each student's in the pairs' order."""
        found = defaultdict(list)
        for pair in self.pairs:
            found[pair.student_a].append((pair.student_b, pair))
            found[pair.student_b].append((pair.student_a, pair))
        return found

    # What the summary and the page show ------------------------------------------------------

    def specs(self):
        """The assignments the class was graded on."""
        return [reference.load(self.assignment)] if self.assignment else reference.all_assignments()

    def scope(self):
        """What the class was graded as, in a line (None for every assignment)."""
        if not self.assignment:
            return None
        if self.detected:
            return f"{self.assignment} (every notebook found is of this assignment; --assignment to choose)"
        return f"{self.assignment} (as --assignment asked; notebooks of other assignments are not graded)"

    def by_assignment(self):
        """``[(assignment, handed in, mean, median, max score)]``."""
        rows = []
        for spec in self.specs():
            scores = self.totals.get(spec.name, [])
            rows.append((spec.name, len(scores), statistics.fmean(scores) if scores else 0.0,
                         statistics.median(scores) if scores else 0.0, spec.max_score))
        return rows

    def function_statuses(self):
        """Counter of the status of every graded function of every notebook handed in."""
        total = Counter()
        for counts in self.statuses.values():
            total.update(counts)
        return total

    def means(self):
        return {key: self.score_sums[key] / self.score_counts[key] for key in self.score_sums}

    def slowest(self, count=5):
        return sorted(self.seconds, key=lambda pair: (-pair[0], pair[1]))[:count]

    def attention_list(self):
        return [self.attention[s] for s in sorted(self.attention)]


def format_summary(stats, out=None):
    """The text printed at the end of ``grade-class``; with ``out``, where its outputs are."""
    errors = f" ({stats.errors} could not be graded)" if stats.errors else ""
    lines = [f"students: {stats.students}{errors}"]
    if stats.scope():
        lines.append(f"assignment: {stats.scope()}")
    if stats.misfiled:
        count = sum(stats.misfiled.values())
        of = ", ".join(f"{name} {number}" for name, number in sorted(stats.misfiled.items()))
        lines.append(f"misfiled, not graded: {count} notebook{'s' if count > 1 else ''} of other "
                     f"assignments ({of}; the students' notes in grades.csv name them)")
    lines += stats.identity
    if stats.layers:
        lines.append("sandbox layer: " + ", ".join(f"{layer}" for layer, _ in stats.layers.most_common()))
    lines += ["", "scores per assignment (of the notebooks handed in):",
              f"  {'assignment':<18} {'handed in':>9} {'mean':>6} {'median':>6} {'max':>5}"]
    for name, count, mean, median, top in stats.by_assignment():
        lines.append(f"  {name:<18} {count:>9} {mean:>6.2f} {median:>6.2f} {top:>5g}")
    statuses = stats.function_statuses()
    lines += ["", "graded functions by status: " + ", ".join(f"{status} {statuses.get(status, 0)}"
                                                              for status in STATUSES)]
    lines += ["", "mean score per function:"]
    means = stats.means()
    width = max((len(k) for k in means), default=10)
    for key, mean in means.items():
        lines.append(f"  {key.ljust(width)}  {mean:6.2f}")
    lines += ["", "slowest students:"]
    lines += [f"  {student}: {seconds:.2f} s" for seconds, student in stats.slowest()]
    attention = stats.attention_list()
    kinds = Counter(kind for entry in attention for kind in {k for k, _, _ in entry.reasons})
    why = ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
    lines += ["", f"needs attention: {len(attention)} students" + (f" ({why})" if why else "")]
    lines.append(f"similar code: {len(stats.pairs)} pairs at or above {similarity.THRESHOLD:.0%}")
    if stats.pairs:
        lines.append("  each: two students with near-identical code for one graded function (a reason to "
                     "look, not proof; a class built from a few texts, like the sample class, has many)")
    if stats.adjustments:
        lines += ["", *stats.adjustments]
    if stats.lms:
        lines += ["", stats.lms]
    if out is not None:
        out = Path(out)
        lines += ["", f"grades:     {out / 'grades.csv'}",
                  f"feedback:   {out / 'feedback'}/<student>/<assignment>.html",
                  f"gradescope: {out / 'gradescope'}/<student>/<assignment>/results.json",
                  f"similarity: {out / 'similarity.csv'}",
                  f"report:     {out / 'report.html'}"]
    return "\n".join(lines)


# The page ---------------------------------------------------------------------------------------

DPI = 110  # pixels per inch of the pictures: at 1:1, matplotlib's 9-point text is 13.75 pixels tall
NARROW = 3.5  # inches: a narrow variant is 385 pixels wide, about a phone's 390 CSS pixels less margins
WIDE_FROM = "58rem"  # the wide variant of a chart is shown from this viewport width on (it then fits 1:1)


@dataclass(frozen=True)
class Picture:
    """A chart as the page embeds it: ``src`` (a ``data:image/png`` URI), its size in pixels, and
    ``text_px``, the height in the picture's pixels of its smallest text (points × DPI / 72): a
    browser that shows the picture at ``w`` CSS pixels shows that text at ``text_px × w / width``."""

    src: str
    width: int
    height: int
    text_px: float


def _png(figure):
    from matplotlib.text import Text
    from PIL import Image

    sizes = [text.get_fontsize() for text in figure.findobj(Text) if text.get_visible() and text.get_text()]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    data = buffer.getvalue()
    width, height = Image.open(io.BytesIO(data)).size
    return Picture("data:image/png;base64," + base64.b64encode(data).decode(), width, height,
                   round(min(sizes, default=0.0) * DPI / 72, 2))


def _pyplot():
    import matplotlib

    # matplotlib logs a line per font it looks for while it builds its font cache: not news
    # for an instructor reading the summary.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False})
    return plt


def histograms_of_totals(stats):
    """``[(assignment, picture)]``: one histogram of the totals per assignment (narrow enough for
    a phone as it is)."""
    plt = _pyplot()
    pictures = []
    for spec in stats.specs():
        figure, axis = plt.subplots(figsize=(3.4, 2.5))
        scores = stats.totals.get(spec.name, [])
        axis.hist(scores, bins=np.linspace(0, spec.max_score, 11), color="#0969da", edgecolor="white")
        axis.set_title(TITLES[spec.name])
        axis.set_xlabel(f"total (of {spec.max_score:g})")
        axis.set_ylabel("students")
        axis.set_xlim(0, spec.max_score)
        axis.yaxis.get_major_locator().set_params(integer=True)
        figure.tight_layout()
        pictures.append((spec.name, _png(figure)))
    return pictures


def _bars(labels, narrow, extra=0.9):
    """A figure and axis for one horizontal bar per label: wide, the labels beside the bars; narrow,
    each label above its bar, so the bars keep the whole width of a phone."""
    plt = _pyplot()
    if narrow:
        figure, axis = plt.subplots(figsize=(NARROW, 0.62 * len(labels) + extra))
        axis.set_yticks([])
        axis.spines["left"].set_visible(False)
        for row, label in enumerate(labels):
            axis.text(0, row - 0.36, textwrap.fill(label, 46), va="bottom", ha="left", fontsize=9)
        axis.set_ylim(len(labels) - 0.5, -1.1)
    else:
        figure, axis = plt.subplots(figsize=(8, 0.32 * len(labels) + extra))
        axis.set_yticks(range(len(labels)), labels)
        axis.invert_yaxis()
    return plt, figure, axis


def chart_of_statuses(stats, narrow=False):
    keys = [(spec.name, name) for spec in stats.specs() for name in spec.names]
    plt, figure, axis = _bars([name for _, name in keys], narrow, 1.1 if narrow else 0.9)
    left = np.zeros(len(keys))
    handed = np.array([max(1, sum(stats.statuses[key].values())) for key in keys], dtype=float)
    for status in STATUSES:
        shares = np.array([stats.statuses[key].get(status, 0) for key in keys]) / handed
        axis.barh(range(len(keys)), shares, left=left, height=0.45 if narrow else 0.8,
                  color=STATUS_COLOURS[status], label=status)
        left += shares
    axis.set_xlim(0, 1)
    axis.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    axis.legend(ncol=3 if narrow else len(STATUSES), loc="lower center",
                bbox_to_anchor=(0.5 if narrow else 0.4, 1.0), frameon=False, fontsize=8)
    figure.tight_layout()
    return _png(figure)


def chart_of_mistakes(stats, narrow=False):
    items = [((assignment, function, key), count)
             for (assignment, function), counter in stats.mistakes.items() for key, count in counter.items()]
    if not items:
        return None
    items.sort(key=lambda item: -item[1])
    _, figure, axis = _bars([f"{function}: {key}" for (_, function, key), _ in items], narrow, 0.6)
    axis.barh(range(len(items)), [count for _, count in items], height=0.45 if narrow else 0.8,
              color="#bc4c00")
    axis.set_xlabel("students")
    axis.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    return _png(figure)


def histogram_of_seconds(stats, narrow=False):
    plt = _pyplot()
    seconds = [s for s, _ in stats.seconds]
    figure, axis = plt.subplots(figsize=(NARROW if narrow else 8, 2.4))
    top = max(seconds, default=1.0)
    bins = np.geomspace(max(min([s for s in seconds if s > 0], default=0.01), 0.005), max(top, 0.01) * 1.05,
                        30) if top > 0 else 10
    axis.hist(seconds, bins=bins, color="#6e7781", edgecolor="white")
    axis.set_xscale("log")
    axis.set_xlabel("seconds to grade a student (log scale)")
    axis.set_ylabel("students")
    figure.tight_layout()
    return _png(figure)


def _variants(chart, stats):
    """``{"wide", "narrow"}`` pictures of one chart (None when the chart has nothing to draw)."""
    wide = chart(stats)
    return None if wide is None else {"wide": wide, "narrow": chart(stats, narrow=True)}



def _source_of(notebooks, assignment, function, digest):
    """The cell of ``function`` in whichever of the student's notebooks has it with ``digest``."""
    for _, path in notebooks:
        source = similarity.source_of(path, assignment, function)
        if source is not None and (digest is None or hashlib.sha256(source.encode()).hexdigest() == digest):
            return source
    return None


def _digest(row, assignment, function):
    """The sha256 of ``function``'s cell in the notebook of ``assignment`` that counted in ``row``."""
    result = next((r for r in (row or {}).get("results", []) if r["assignment"] == assignment), {})
    return result.get("provenance", {}).get("source_sha256", {}).get(function)


GONE = "(the notebook is no longer where it was graded)"


def render(stats):
    """The report page's HTML."""
    mistakes = [(assignment, function, key, count, stats.mistake_hints[(assignment, function, key)])
                for (assignment, function), counter in sorted(stats.mistakes.items())
                for key, count in counter.most_common()]
    functions = [(spec.name, name, stats.statuses[(spec.name, name)],
                  sum(stats.statuses[(spec.name, name)].values()))
                 for spec in stats.specs() for name in spec.names]
    similar = []  # (student, [(classmate, page, [pair])])
    for student, pairs in sorted(stats.pairs_of().items()):
        classmates = defaultdict(list)
        for other, pair in pairs:
            classmates[other].append(pair)
        similar.append((student, [(other, pair_page(*sorted((student, other))), found)
                                  for other, found in classmates.items()]))
    return TEMPLATES.get_template("report.html.j2").render(
        stats=stats, titles=TITLES, by_assignment=stats.by_assignment(), statuses=STATUSES,
        colours=STATUS_COLOURS, functions=functions, mistakes=mistakes, pairs=stats.pairs, similar=similar,
        attention=stats.attention_list(), slowest=stats.slowest(10), threshold=similarity.THRESHOLD,
        layers=", ".join(stats.layers) or "none used", wide_from=WIDE_FROM, anchor=similar_anchor,
        pictures={"totals": histograms_of_totals(stats), "statuses": _variants(chart_of_statuses, stats),
                  "mistakes": _variants(chart_of_mistakes, stats),
                  "seconds": _variants(histogram_of_seconds, stats)})


def render_pair(stats, student_a, student_b, pairs, source_of):
    """The pair view of two students (``pairs``: their similar pairs, one per function):
    for each function, the score, how many fingerprints they share and how many counted for
    nothing, and the two cells side by side, every line marked as
    :func:`autograder.course.similarity.marked_lines` marks it. ``source_of(student, pair)`` gives a
    student's cell of the pair's function, or None."""
    sections = []
    for pair in pairs:
        evidence = stats.code.evidence(pair)
        sides = []
        for student, own in ((student_a, evidence["a"]), (student_b, evidence["b"])):
            source = source_of(student, pair)
            lines = (similarity.marked_lines(source, pair.function, evidence["shared"], evidence["stub"],
                                             evidence["common"]) if source is not None else None)
            sides.append({"student": student, "lines": lines, "fingerprints": len(own),
                          "discounted": len(own & (evidence["stub"] | evidence["common"]))})
        sections.append({"pair": pair, "id": pair_section(pair), "sides": sides,
                         "shared": len(evidence["shared"])})
    return TEMPLATES.get_template("pair.html.j2").render(
        student_a=student_a, student_b=student_b, sections=sections, titles=TITLES,
        threshold=similarity.THRESHOLD, anchor=similar_anchor, gone=GONE)


def _write(path, text):
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", errors="backslashreplace")
    temporary.replace(path)


def write_report(stats, out, notebooks_of):
    """Write ``out/report.html`` and a pair view ``out/pairs/<a>~<b>.html`` for each two students
    with similar code (each file atomically; pair views of an earlier run that this one has not
    found are removed); returns the report's path. The code shown side by side is read again
    from the students' notebooks and stored results; ``notebooks_of(student)`` gives a student's
    ``[(folder, path)]``."""
    out = Path(out)
    rows = {}

    def row_of(student):
        if student not in rows:
            try:
                rows[student] = json.loads((out / "results" / f"{student}.json").read_text())
            except (OSError, ValueError):
                rows[student] = None
        return rows[student]

    def source_of(student, pair):
        digest = _digest(row_of(student), pair.assignment, pair.function)
        return _source_of(notebooks_of(student), pair.assignment, pair.function, digest)

    by_students = defaultdict(list)
    for pair in stats.pairs:
        by_students[(pair.student_a, pair.student_b)].append(pair)
    folder = out / "pairs"
    written = set()
    if by_students:
        folder.mkdir(exist_ok=True)
    for (student_a, student_b), pairs in sorted(by_students.items()):
        path = out / pair_page(student_a, student_b)
        _write(path, render_pair(stats, student_a, student_b, pairs, source_of))
        written.add(path.name)
    if folder.is_dir():
        for stale in folder.glob("*.html"):
            if stale.name not in written:
                stale.unlink()
    path = out / "report.html"
    _write(path, render(stats))
    return path
