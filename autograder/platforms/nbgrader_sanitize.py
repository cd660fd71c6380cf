"""What a student hands in stays data in nbgrader's path: their nbgrader metadata as the gradebook
records it, and the feedback pages sanitised.

**The metadata** (:class:`RestoreMetadata`, first of ``c.Autograde.sanitize_preprocessors`` in a
course made by ``python -m autograder nbgrader-course``). nbgrader trusts the nbgrader metadata
of a submitted notebook's cells more than it should: a ``schema_version`` other than 3 in one cell
raises ``SchemaTooNewError``/``SchemaTooOldError``, which ends ``nbgrader autograde`` for the
whole course; a copy-pasted test cell (two cells with one ``grade_id``: ``DeduplicateIds`` blanks
one copy) or a deleted exercise makes ``OverwriteCells.add_missing_*_cells`` fail with a
``KeyError`` and leaves the notebook ungraded; a ``grade_id`` the gradebook does not know fails
validation. Before any of nbgrader's steps, each cell's nbgrader metadata is rebuilt from the
gradebook's record of the source notebook (:func:`recorded_cells`) or dropped:

- a cell whose ``grade_id`` the gradebook records gets that cell's metadata as recorded (grade,
  solution, locked and task flags, points, checksum, nbgrader's schema version) and its cell type; a
  locked cell, its recorded source (as ``OverwriteCells`` would);
- of several cells with one ``grade_id`` the last keeps it (nbgrader's rule) and the others
  become plain cells, marked for the kit's grader as copies (:data:`COPY_KEY`): ``grade-class``
  reads the submitted file, where every copy carries the id, and the sealed grader must read
  the notebook the same way (:func:`grading_view`);
- any other nbgrader metadata (no ``grade_id``, one the gradebook does not know, not a mapping,
  empty) is dropped: that cell is a plain cell;
- a grade or task cell that is missing is put back, as recorded, after the nearest recorded cell
  above it that is there (nbgrader's ``add_missing_cells`` then finds none missing). Only test
  cells come back, never a solution: a deleted exercise costs its points, as in ``grade-class``.

Whatever nbgrader still cannot handle in one notebook raises an ordinary exception there, which
nbgrader reports as that submission's error: the course's autograde goes on for everyone else,
and nbgrader's summary names who was not graded (exit status 1).

**The feedback pages** (``nbgrader generate_feedback``). nbgrader renders a notebook's markdown
and outputs as they are: a markdown cell ``<img src=x onerror=...>`` runs its script in the
feedback page, a page the instructor opens too. Two steps, one cleaner (:func:`clean_html`, an
allow-list of tags, attributes, classes and URL schemes through ``bleach``, the library nbconvert's
own sanitizer uses): :class:`SanitizeFeedback`, nbconvert's ``SanitizeHTML`` preprocessor enabled
with the kit's allow-list, last of ``c.GenerateFeedback.preprocessors`` (raw cells, HTML and
markdown outputs cleaned; script, SVG and widget outputs dropped; output metadata reduced to
numeric image sizes, as nbconvert's template writes those into a tag unquoted); and
:class:`FeedbackExporter` (``c.GenerateFeedback.exporter_class``), nbconvert's HTML exporter
with its own ``sanitize_html`` always on and each markdown cell cleaned once it is HTML, since a
markdown link ``[x](javascript:...)`` only becomes a tag when rendered.

**The feedback reads like the kit's.** :class:`KitVerdict` (before ``SanitizeFeedback``) makes each
graded test cell show the kit's verdict as plain text: ``Score: 6 / 10``, each check's line and
the hint, with no bare ``Out[n]: 6`` (the points nbgrader read) and no checksum; the exporter
lays the page out at the reader's screen width and wraps long lines (:data:`READABLE`).
"""

import copy
import functools
import re
from dataclasses import dataclass

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import NbGraderPreprocessor
from pygments.token import STANDARD_TYPES
from traitlets import Bool, default

#: The key of cell metadata where :class:`RestoreMetadata` marks a copy of a recorded cell (with
#: the recorded cell's ``grade_id``); any the student wrote is dropped first.
COPY_KEY = "autograder"
#: The nbgrader metadata schema this nbgrader reads and writes (3 in nbgrader 0.9).
SCHEMA_VERSION = MetadataValidator.schema_version
#: Changes of one notebook logged one by one; the rest are counted.
MAX_LOGGED = 50


# --------------------------------------------------------------------------- the metadata

@dataclass(frozen=True)
class RecordedCell:
    """One cell of the source notebook as the gradebook records it."""

    name: str
    cell_type: str
    source: str
    locked: bool
    solution: bool = False
    grade: bool = False
    task: bool = False
    points: float | None = None
    checksum: str | None = None

    def metadata(self):
        """The cell's nbgrader metadata, as ``nbgrader generate_assignment`` released it."""
        meta = {"grade": self.grade, "grade_id": self.name, "locked": self.locked,
                "schema_version": SCHEMA_VERSION, "solution": self.solution, "task": self.task,
                "cell_type": self.cell_type}
        if self.grade or self.task:
            meta["points"] = float(self.points or 0.0)
        if isinstance(self.checksum, str) and len(self.checksum) == 32:
            meta["checksum"] = self.checksum
        return meta


def recorded_cells(gradebook, notebook_id, assignment_id):
    """``[RecordedCell]`` of a notebook of an assignment, in the gradebook's order (the order
    ``generate_assignment`` recorded them in, which nbgrader's own ``add_missing_cells`` uses)."""
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    grades = {cell.name: cell.max_score for cell in notebook.grade_cells}
    tasks = {cell.name: cell.max_score for cell in notebook.task_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    return [RecordedCell(cell.name, cell.cell_type, cell.source or "", bool(cell.locked),
                         solution=cell.name in solutions, grade=cell.name in grades, task=cell.name in tasks,
                         points=grades.get(cell.name, tasks.get(cell.name)), checksum=cell.checksum)
            for cell in notebook.source_cells]


def _text(source):
    if isinstance(source, list):
        return "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def _of_type(cell, cell_type, nbformat_minor):
    """``cell`` as a cell of ``cell_type`` (its source, metadata and id kept), valid as nbformat has it."""
    new = NotebookNode(cell_type=cell_type, metadata=cell.get("metadata", NotebookNode()),
                       source=_text(cell.get("source", "")))
    if cell_type == "code":
        new["outputs"], new["execution_count"] = [], None
    elif isinstance(cell.get("attachments"), dict) and cell.get("cell_type") in ("markdown", "raw"):
        new["attachments"] = cell["attachments"]
    if nbformat_minor >= 5 and isinstance(cell.get("id"), str):
        new["id"] = cell["id"]
    return new


def _new_cell(record, nbformat_minor, taken_ids):
    cell = NotebookNode(cell_type=record.cell_type, metadata=NotebookNode(nbgrader=record.metadata()),
                        source=record.source)
    if record.cell_type == "code":
        cell["outputs"], cell["execution_count"] = [], None
    if nbformat_minor >= 5:  # a cell id: unique, at most 64 of these characters
        stem = re.sub(r"[^A-Za-z0-9_-]", "-", f"restored-{record.name}")[:54]
        cell_id, number = stem, 0
        while cell_id in taken_ids:
            number += 1
            cell_id = f"{stem}-{number}"
        taken_ids.add(cell_id)
        cell["id"] = cell_id
    return cell


def _changed_fields(found, recorded):
    """The fields of nbgrader metadata ``found`` that differ from ``recorded`` (numbers compared as
    numbers; the checksum left out: nbgrader recomputes it), and any field nbgrader has none of."""
    changed = []
    for key in sorted(set(found) | set(recorded)):
        if key == "checksum":
            continue
        mine, theirs = found.get(key), recorded.get(key)
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (mine, theirs))
        # numbers compare exactly across int and float (1 == 1.0) and never overflow as float() can
        if (mine != theirs) if numbers else (mine != theirs or type(mine) is not type(theirs)):
            changed.append(key)
    return changed


def _grade_id(cell):
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def restore_metadata(nb, recorded):
    """Rebuild the nbgrader metadata of ``nb``'s cells from ``recorded`` (``[RecordedCell]``), in
    place, as the module's docstring says. Returns what was changed, a sentence each (the cells
    numbered from 1 as the student's notebook had them; nothing for an untouched notebook)."""
    if not isinstance(nb.get("cells"), list):
        raise ValueError("the notebook has no list of cells")
    changes = []
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = NotebookNode()
        changes.append("the notebook's metadata was not a mapping: dropped")
    by_name = {record.name: record for record in recorded}
    claimed = {}  # grade id -> indices of the cells that carry it
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict):
            raise ValueError(f"cell {index + 1} is not a cell")
        meta = cell.get("metadata")
        if not isinstance(meta, dict):
            cell["metadata"] = meta = NotebookNode()
            changes.append(f"cell {index + 1}: its metadata was not a mapping: dropped")
        if meta.pop(COPY_KEY, None) is not None:
            changes.append(f"cell {index + 1}: the kit's own metadata key {COPY_KEY!r}: dropped")
        if "nbgrader" not in meta:
            continue
        grade_id = _grade_id(cell)
        nbgrader = meta.pop("nbgrader")
        if grade_id in by_name:
            claimed.setdefault(grade_id, []).append(index)
            changed = _changed_fields(nbgrader, by_name[grade_id].metadata())
            if changed:
                changes.append(f"cell {index + 1} ({grade_id!r}): {', '.join(changed)} as recorded again")
        else:
            what = f"grade_id {grade_id!r} is not a cell of the source notebook" if grade_id else (
                "no grade_id" if isinstance(nbgrader, dict) else f"not a mapping ({type(nbgrader).__name__})")
            changes.append(f"cell {index + 1}: nbgrader metadata with {what}: dropped")
    minor = nb.get("nbformat_minor", 0) if isinstance(nb.get("nbformat_minor"), int) else 0
    cells = nb["cells"]
    for grade_id, indices in claimed.items():
        record = by_name[grade_id]
        *copies, keeper = indices  # the last copy keeps the id, as nbgrader's DeduplicateIds has it
        for index in copies:
            cells[index]["metadata"][COPY_KEY] = NotebookNode(copy_of=grade_id)
            changes.append(f"cell {index + 1}: a copy of {grade_id!r}: a plain cell")
        cell = cells[keeper]
        if cell.get("cell_type") != record.cell_type:
            changes.append(f"cell {keeper + 1} ({grade_id!r}): a {cell.get('cell_type')} cell again "
                           f"a {record.cell_type} cell")
            cell = cells[keeper] = _of_type(cell, record.cell_type, minor)
        if record.locked and _text(cell.get("source")) != record.source:
            cell["source"] = record.source  # as OverwriteCells would: a locked cell as recorded
        cell["metadata"]["nbgrader"] = NotebookNode(record.metadata())
    changes += _put_back_missing(cells, recorded, set(claimed), minor)
    return changes


def _put_back_missing(cells, recorded, present, minor):
    """Insert each grade or task cell of ``recorded`` that ``cells`` lack after the nearest recorded
    cell above it that is there (else before the nearest below, else at the end)."""
    changes = []
    taken_ids = {cell.get("id") for cell in cells if isinstance(cell.get("id"), str)}
    for position, record in enumerate(recorded):
        if not (record.grade or record.task) or record.name in present:
            continue
        where = {grade_id: index for index, cell in enumerate(cells) if (grade_id := _grade_id(cell))}
        above = [where[r.name] for r in recorded[:position] if r.name in where]
        below = [where[r.name] for r in recorded[position + 1:] if r.name in where]
        index = max(above) + 1 if above else (min(below) if below else len(cells))
        cells.insert(index, _new_cell(record, minor, taken_ids))
        present.add(record.name)
        changes.append(f"{record.name!r} was missing: put back as recorded")
    return changes


def grading_view(nb):
    """A copy of ``nb`` as the kit's grader reads it: the copies :func:`restore_metadata` marked
    carry their ``grade_id`` again, as in the submitted file ``grade-class`` reads (so a copy of
    a locked cell is graded as one, not as the student's own cell)."""
    view = copy.deepcopy(nb)
    for cell in view.get("cells", []):
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        mark = meta.pop(COPY_KEY, None) if isinstance(meta, dict) else None
        if isinstance(mark, dict) and isinstance(mark.get("copy_of"), str):
            meta["nbgrader"] = {"grade_id": mark["copy_of"]}
    return view


class RestoreMetadata(NbGraderPreprocessor):
    """First of ``c.Autograde.sanitize_preprocessors``: each cell's nbgrader metadata as the
    gradebook records it (see :func:`restore_metadata`)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            recorded = recorded_cells(gradebook, info["notebook"], info["assignment"])
        changes = restore_metadata(nb, recorded)
        for change in changes[:MAX_LOGGED]:
            self.log.warning("RestoreMetadata: %s of %s: %s", info["notebook"], info["student"], change)
        if len(changes) > MAX_LOGGED:
            self.log.warning("RestoreMetadata: %s of %s: and %d other changes", info["notebook"],
                             info["student"], len(changes) - MAX_LOGGED)
        return nb, resources


# --------------------------------------------------------------------------- the feedback pages

#: The tags a feedback page may show of what a student wrote: markdown's own (as nbconvert renders
#: it) and plain formatting; any other is shown as text.
TAGS = frozenset({
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul"})
#: Attributes per tag (and ``title`` on every one; ``class`` as :data:`CLASSES` allows): no event
#: handler, no style but a table cell's alignment, an ``id`` on a heading only (its anchor).
ATTRIBUTES = {"a": {"href", "name"}, "img": {"src", "alt", "width", "height"},
              "input": {"type", "checked", "disabled"}, "ol": {"start"},
              "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style"},
              **{f"h{level}": {"id"} for level in range(1, 7)}}
#: The classes a tag may carry: only those nbconvert's own rendering of markdown writes (a heading's
#: anchor link, a highlighted code block and its tokens, a task list's items and boxes). Any other
#: class attribute goes whole, so a student's HTML cannot take the page's own classes (nbgrader's
#: ``panel`` and ``nbgrader_cell``, ``pull-right``) and pass for a verdict the grader gave.
CLASSES = {"a": frozenset({"anchor-link"}), "div": frozenset({"highlight"}),
           "span": frozenset(STANDARD_TYPES.values()) - {""}, "li": frozenset({"task-list-item"}),
           "input": frozenset({"task-list-item-checkbox"})}
#: URL schemes a link or an image may use (a relative URL has none); ``data:`` for images only.
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})
_DATA_IMAGE = re.compile(r"\s*data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)


def _allowed(tag, name, value):
    if name == "title":
        return True
    if name == "class":
        return set(value.split()) <= CLASSES.get(tag, frozenset())
    if name not in ATTRIBUTES.get(tag, ()):
        return False
    if tag == "input" and name == "type":
        return value == "checkbox"  # a task list's box, never a field to type into
    if name in ("href", "src") and value.strip().lower().startswith("data:"):
        return tag == "img" and bool(_DATA_IMAGE.match(value))
    return True


def clean_html(html):
    """``html`` with only :data:`TAGS`, the attributes :data:`ATTRIBUTES` allows, the classes of
    :data:`CLASSES` and URLs of :data:`PROTOCOLS`; any other tag escaped (shown as text), comments
    dropped."""
    return _cleaner().clean(str(html))


@functools.cache
def _cleaner():
    styles = CSSSanitizer(allowed_css_properties=["text-align"])
    return bleach.Cleaner(tags=TAGS, attributes=_allowed, protocols=PROTOCOLS, strip=False,
                          strip_comments=True, css_sanitizer=styles)


def _image_sizes(metadata):
    """Of an output's metadata, only the numeric ``width`` and ``height`` of each image type."""
    kept = {}
    for mime, values in (metadata.items() if isinstance(metadata, dict) else ()):
        if mime.startswith("image/") and isinstance(values, dict):
            sizes = {key: value for key, value in values.items() if key in ("width", "height")
                     and isinstance(value, int | float) and not isinstance(value, bool)}
            if sizes:
                kept[mime] = sizes
    return kept


class SanitizeFeedback(SanitizeHTML):
    """nbconvert's ``SanitizeHTML``, on by default and with the kit's allow-list
    (:func:`clean_html`), for raw cells and outputs; each output's metadata reduced to numeric
    image sizes. Markdown cells are left to :class:`FeedbackExporter`, which cleans them once
    rendered: cleaned as HTML while still markdown, a code span's ``<name>`` or ``->`` would show
    as ``&lt;name&gt;`` and ``-&gt;``, and a markdown link would keep its ``javascript:``."""

    enabled = Bool(True, help="Whether to sanitize the feedback pages (always, in a kit course)").tag(
        config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.get("cell_type") == "markdown":
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)

    def sanitize_html_tags(self, html_str):
        return clean_html(html_str)

    def sanitize_code_outputs(self, outputs):
        outputs = super().sanitize_code_outputs(outputs)
        for output in outputs:
            if "metadata" in output:
                output["metadata"] = NotebookNode(_image_sizes(output["metadata"]))
        return outputs


def _number(value):
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "?"


def kit_verdict(cell):
    """Make a graded test cell's outputs (in place) the kit's verdict as plain text: one stdout
    stream, ``Score: 6 / 10`` (the gradebook's score and points, as ``GetGrades`` put them in the
    cell's metadata) and then the kit's lines for the function (each check, then the hint), as
    :class:`autograder.platforms.nbgrader_autograde.SealedGrade` wrote them. The ``execute_result`` that told
    nbgrader the points (a bare ``Out[n]: 6``) and any other output go; so does the cell's
    checksum, which only nbgrader's bookkeeping reads. Other cells are left as they are."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not isinstance(meta, dict) or not meta.get("grade") \
            or meta.get("solution"):
        return cell
    lines = "".join(_text(output.get("text", "")) for output in cell.get("outputs", [])
                    if output.get("output_type") == "stream" and output.get("name") == "stdout")
    score = f"Score: {_number(meta.get('score'))} / {_number(meta.get('points'))}\n"
    cell["outputs"] = [NotebookNode(output_type="stream", name="stdout", text=score + lines)]
    cell["execution_count"] = None
    meta.pop("checksum", None)
    return cell


class KitVerdict(NbGraderPreprocessor):
    """A step of ``c.GenerateFeedback.preprocessors`` (after ``GetGrades``, before
    :class:`SanitizeFeedback`): each graded test cell shows the kit's verdict as plain text
    (:func:`kit_verdict`)."""

    def preprocess_cell(self, cell, resources, cell_index):
        return kit_verdict(cell), resources


#: Put into the head of every feedback page: the page is laid out at the phone's width (nbgrader's
#: own page has no viewport, so a phone shows it 980 pixels wide, shrunk), long output and code
#: lines wrap, and the headings and prompts give way on a narrow screen.
READABLE = """<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { padding-left: .5rem; padding-right: .5rem; }
  a, a:visited { color: #0550ae; text-decoration: underline; }
  div.nbgrader_cell .panel-heading a, div.nbgrader_cell .panel-heading a:visited { color: #fff; }
  div.output_area pre, div.output_text pre, div.input_area pre {
    white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; }
  div.nbgrader_cell .panel-heading { height: auto; min-height: 37px; overflow-wrap: anywhere; }
  div.nbgrader_cell .panel-heading::after { content: ""; display: table; clear: both; }
  div.rendered_html, div.text_cell_render { overflow-wrap: anywhere; }
  div.rendered_html table { display: block; overflow-x: auto; max-width: 100%; }
  div.rendered_html pre, div.output_subarea { max-width: 100%; overflow-x: auto; }
  img { max-width: 100%; height: auto; }
  .highlight .c, .highlight .c1, .highlight .ch, .highlight .cm, .highlight .cs,
  .highlight .cp { color: #37595a; }
  .highlight .o, .highlight .m, .highlight .mi, .highlight .mf, .highlight .mh { color: #4a4a4a; }
  .highlight .ow { color: #7a1fbf; } .highlight .ne, .highlight .nd { color: #9c2a25; }
  .highlight .nb, .highlight .k, .highlight .kn, .highlight .kc, .highlight .bp { color: #006000; }
  .highlight .se, .highlight .si { color: #7d4a14; } .highlight .nn, .highlight .nc { color: #0000c8; }
  @media (max-width: 40rem) {
    div.prompt { min-width: 0; display: none; }
    div.inner_cell, div.output_subarea { max-width: 100%; }
    .container { padding-left: 0; padding-right: 0; }
  }
</style>
"""


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter as nbgrader's feedback uses it, with its ``sanitize_html`` always
    on (HTML and markdown outputs cleaned, no script or widget output), each markdown cell
    cleaned once rendered (:func:`clean_html`), and :data:`READABLE` in the page's head."""

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        html = re.sub(r"<html>", '<html lang="en">', html, count=1)  # the page's language, for a reader
        end = html.find("</head>")  # last in the head: over nbgrader's and bootstrap's own styles
        if end >= 0:
            html = html[:end] + READABLE + html[end:]
        return html, resources

    @default("sanitize_html")
    def _sanitize_html_default(self):
        return True

    def _init_resources(self, resources):
        resources = super()._init_resources(resources)
        resources["should_sanitize_html"] = True
        return resources

    @pass_context
    def markdown2html(self, context, source):
        return clean_html(super().markdown2html(context, source))
