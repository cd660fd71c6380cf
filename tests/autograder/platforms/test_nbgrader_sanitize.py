"""The parts of :mod:`autograder.platforms.nbgrader_sanitize` without an nbgrader run: the metadata rebuilt
from a record of the release notebook, the grader's view of copies, the HTML cleaner, and the
feedback's verdict as text in a page laid out for any screen.
``test_nbgrader_autograde`` runs them through nbgrader's own commands."""

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.grading.extract import grade_ids
from autograder.grading.reference import NOTEBOOKS, ROOT
from autograder.platforms.nbgrader_sanitize import (
    COPY_KEY,
    FeedbackExporter,
    RecordedCell,
    SanitizeFeedback,
    clean_html,
    grading_view,
    kit_verdict,
    restore_metadata,
)
from tests.autograder.platforms import tampered
from tests.autograder.platforms.tampered import MARKER, OUTPUT_PAYLOADS, REG


def record_of(assignment):
    """The release notebook's cells as a gradebook records them (the release's sources)."""
    release = nbformat.read(ROOT / "release" / assignment / NOTEBOOKS[assignment], as_version=4)
    found = []
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader")
        if meta:
            found.append(RecordedCell(meta["grade_id"], cell.cell_type, cell.source, meta["locked"],
                                      solution=meta["solution"], grade=meta["grade"], task=meta["task"],
                                      points=meta.get("points"), checksum=meta.get("checksum")))
    return found


def restored(notebook, assignment):
    """``notebook`` read as nbgrader reads it, then restored: ``(notebook, changes)``."""
    nb = nbformat.reads(json.dumps(notebook), as_version=4)
    return nb, restore_metadata(nb, record_of(assignment))


def test_is_an_untouched_notebook_left_as_it_is():
    for assignment in NOTEBOOKS:
        honest = nbformat.reads(json.dumps(tampered.honest(assignment)), as_version=4)
        nb, changes = restored(honest, assignment)
        assert changes == [] and nb == honest, assignment


@pytest.mark.parametrize("case", tampered.ALL, ids=[case.student for case in tampered.ALL])
def test_does_every_tampered_notebook_come_out_as_nbgrader_reads_it(case):
    nb, changes = restored(case.make(), case.assignment)
    MetadataValidator().validate_nb(nb)  # no SchemaTooNew/Old, no duplicate or missing id
    nbformat.validate(nb)
    assert changes or case not in tampered.METADATA, "a change of the metadata is logged"
    recorded = {r.name: r for r in record_of(case.assignment)}
    ids = [cell.metadata.nbgrader["grade_id"] for cell in nb.cells if "nbgrader" in cell.metadata]
    assert len(ids) == len(set(ids)) and set(ids) <= set(recorded)
    assert {name for name, r in recorded.items() if r.grade} <= set(ids)  # every test cell is there
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            record = recorded[cell.metadata.nbgrader["grade_id"]]
            assert cell.metadata.nbgrader == record.metadata() and cell.cell_type == record.cell_type
            if record.locked:
                assert cell.source == record.source


def test_is_a_missing_test_cell_put_back_after_the_nearest_recorded_cell_above_it():
    nb, changes = restored(tampered.deleted_exercise(), REG)
    at = tampered.index_of(nb, "test_compute_cost_with_regularization")
    assert nb.cells[at - 1].metadata.nbgrader["grade_id"] == "model"  # its solution is gone too
    assert "'test_compute_cost_with_regularization' was missing: put back as recorded" in changes
    assert not any(cell.metadata.get("nbgrader", {}).get("grade_id") == "compute_cost_with_regularization"
                   for cell in nb.cells)  # a solution never comes back: its points are lost
    assert len({cell.get("id") for cell in nb.cells}) == len(nb.cells)  # ids stay unique
    notebook = tampered.deleted_test_cells()
    notebook["cells"][0]["id"] = "restored-test_compute_cost_with_regularization"  # taken already
    nb, _ = restored(notebook, REG)
    nbformat.validate(nb)
    assert len({cell.get("id") for cell in nb.cells}) == len(nb.cells)


@pytest.mark.parametrize("make", [tampered.copied_test_cell, tampered.copied_solution_cell,
                                  tampered.copied_locked_cell_with_an_import])
def test_does_the_grader_see_the_copies_of_a_cell_as_grade_class_does(make):
    original = make()
    assignment = tampered.INIT if make is tampered.copied_locked_cell_with_an_import else REG
    nb, changes = restored(original, assignment)
    copies = [cell for cell in nb.cells if COPY_KEY in cell.metadata]
    assert len(copies) == 1 and "nbgrader" not in copies[0].metadata
    assert any("a plain cell" in change for change in changes)
    assert grade_ids(grading_view(nb)) == grade_ids(original)  # grade-class reads the file as it is
    assert COPY_KEY not in str(grading_view(nb))


def test_is_a_copy_mark_a_student_wrote_dropped():
    notebook = tampered.honest(REG)
    notebook["cells"][0]["metadata"][COPY_KEY] = {"copy_of": "imports"}
    nb, changes = restored(notebook, REG)
    assert COPY_KEY not in nb.cells[0].metadata and any(COPY_KEY in change for change in changes)
    assert grade_ids(grading_view(nb)) == grade_ids(tampered.honest(REG))


def test_does_the_log_say_which_fields_were_restored():
    _, changes = restored(tampered.schema_version_4(), tampered.INIT)
    assert changes == ["cell 37 ('test_initialize_parameters_he'): schema_version as recorded again"]
    _, changes = restored(tampered.points_changed(), tampered.INIT)
    assert sum("points as recorded again" in change for change in changes) == 3


def test_does_a_notebook_without_a_list_of_cells_fail_alone():
    with pytest.raises(ValueError, match="no list of cells"):
        restore_metadata(nbformat.from_dict({"cells": {}, "metadata": {}}), record_of(REG))


# ------------------------------------------------------------------------------ the feedback pages

def test_does_the_cleaner_keep_formatting_and_drop_what_runs():
    html = clean_html(
        '<h1 id="T">T<a class="anchor-link" href="#T">¶</a></h1><a name="top"></a>'
        '<a href="javascript:alert(1)">j</a><a href="https://example.org">e</a>'
        '<img src="data:image/png;base64,AAAA" alt="p" width="3"><img src="data:text/html,x">'
        '<img src=x onerror="alert(1)"><script>alert(1)</script><input type="checkbox" checked disabled>'
        '<input type="text" onfocus="alert(1)"><table><tr><td style="text-align:left;background:url(x)">c'
        '</td></tr></table>'
        '<a href="data:text/html;base64,PHNjcmlwdD4=">d</a><!-- a comment --><span id="MathJax">m</span>')
    assert '<a class="anchor-link" href="#T">' in html and '<a name="top">' in html
    assert '<a href="https://example.org">' in html and "<a>j</a>" in html and "<a>d</a>" in html
    assert '<img src="data:image/png;base64,AAAA" alt="p" width="3">' in html
    assert "data:text/html" not in html and "onerror" not in html and "onfocus" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "comment" not in html
    assert '<input type="checkbox" checked disabled>' in html and 'type="text"' not in html
    assert 'style="text-align:left;"' in html and "url(" not in html
    assert "<span>m</span>" in html  # an id on a heading only: no element stands in for a global


def test_does_sanitize_feedback_clean_outputs_and_keep_only_numeric_image_sizes():
    outputs = [nbformat.from_dict(output) for output in copy.deepcopy(OUTPUT_PAYLOADS)]
    markdown = nbformat.v4.new_markdown_cell(f"`<name>` -> <img src=x onerror=\"{MARKER}\">")
    raw = nbformat.v4.new_raw_cell(f"<img src=x onerror=\"{MARKER}\">", metadata={"format": "text/html"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=outputs), markdown, raw])
    nb, _ = SanitizeFeedback().preprocess(nb, {})
    assert SanitizeFeedback().enabled
    outputs = nb.cells[0].outputs
    kinds = {kind for output in outputs for kind in output.get("data", {})}
    assert not kinds & {"application/javascript", "image/svg+xml", "application/vnd.jupyter.widget-view+json"}
    png = next(o for o in outputs if "image/png" in o.get("data", {}))
    assert png.metadata == {"image/png": {"height": 2}}
    assert all("onerror" not in str(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert nb.cells[2].source == '<img src="x">'
    assert nb.cells[1].source.startswith("`<name>` ->")  # markdown: cleaned once rendered (below)


def test_does_the_feedback_exporter_clean_markdown_once_it_is_html():
    from nbconvert import HTMLExporter

    source = (f"[a](javascript:{MARKER}) [b](&#106;avascript:{MARKER}) <b>bold</b> `<name>` ->\n\n"
              f"[d][r] and [e](https://example.org) <img src=x onerror=\"{MARKER}\"><script>x</script>\n\n"
              f"[r]: javascript:{MARKER}")
    context = {"cell": {}, "resources": {}}
    plain = HTMLExporter().markdown2html(context, source)
    assert len(re.findall(r"href=\"javascript:", plain)) == 3  # what nbconvert alone makes of it
    html = FeedbackExporter().markdown2html(context, source)
    assert "javascript" not in html and html.count("<a>") == 3  # the links, without where they led
    assert "<b>bold</b>" in html and '<a href="https://example.org">e</a>' in html
    assert "<code>&lt;name&gt;</code> -&gt;" in html  # what the student sees: <name> ->
    assert "onerror" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
    assert FeedbackExporter(template_name="classic").from_notebook_node(nb)[1]["should_sanitize_html"]


#: What a student may write to pass for the verdict panel of nbgrader's feedback page: its own
#: classes (a graded cell's panel, its heading, the score floated right) around a score.
FAKE_PANEL = ('<div class="panel panel-primary nbgrader_cell"><div class="panel-heading">'
              '<span class="nbgrader-label">Grade cell</span><span class="pull-right">Score: 10 / 10</span>'
              '</div></div>')


def _nbgrader_feedback_page(nb):
    """``nb``'s feedback page as ``nbgrader generate_feedback`` renders it in a kit course: the kit's
    cleaning of outputs, then its exporter with nbgrader's own feedback template."""
    import nbgrader

    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    nb, _ = SanitizeFeedback().preprocess(nb, {})
    styles = formgrader / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    exporter = FeedbackExporter(template_name="feedback", extra_template_paths=[str(styles)],
                                extra_template_basedirs=[str(formgrader / "templates")])
    resources = {"nbgrader": {"notebook": "Initialization", "score": 6, "max_score": 30, "late_penalty": 0}}
    return exporter.from_notebook_node(nb, resources=resources)[0]


def test_does_a_student_cell_imitating_the_verdict_panel_render_without_the_panels_classes():
    output = nbformat.v4.new_output("display_data", data={"text/html": FAKE_PANEL, "text/plain": "x"})
    imitated = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(FAKE_PANEL),
                                               nbformat.v4.new_code_cell("x", outputs=[output])])
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Score: 10 / 10"),
                                            nbformat.v4.new_code_cell("x")])
    page, own = _nbgrader_feedback_page(imitated), _nbgrader_feedback_page(plain)
    assert page.count("Score: 10 / 10") == 2  # the student's text is shown, twice ...
    assert page.count("<div><div><span>Grade cell</span><span>Score: 10 / 10</span></div></div>") == 2
    for name in ("panel", "panel-heading", "nbgrader_cell", "nbgrader-label", "pull-right"):
        # ... and each class of the panel is on the page only where nbgrader's template put it
        assert len(re.findall(rf'class="[^"]*\b{name}\b', page)) == \
            len(re.findall(rf'class="[^"]*\b{name}\b', own)), name


def test_does_rendered_markdown_keep_only_the_classes_nbconvert_itself_writes():
    from nbconvert import HTMLExporter

    source = ("# T\n\n```python\ndef f(x):\n    return x\n```\n\n- [x] done\n\n"
              '<span class="k pull-right">k</span> <code class="highlight">c</code> <p class="">p</p>')
    context = {"cell": {}, "resources": {}}
    rendered = HTMLExporter().markdown2html(context, source)
    html = FeedbackExporter().markdown2html(context, source)
    assert '<a class="anchor-link" href="#T">' in html
    assert '<div class="highlight"><pre><span></span><span class="k">def</span>' in html  # code coloured
    assert '<li class="task-list-item"><input class="task-list-item-checkbox" type="checkbox"' in html
    assert "<span>k</span> <code>c</code>" in html  # one class it may not have: the attribute goes whole
    assert html.count("class=") == rendered.count("class=") - 2


def _graded_cell(score=6.0, points=10.0):
    cell = nbformat.v4.new_code_cell("check(f)", outputs=[
        nbformat.v4.new_output("stream", name="stdout",
                               text="✓ published case: right\n✗ hidden case 1: wrong\n"
                                    "Hint: mind the shape.\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "6"}, execution_count=3)])
    cell.execution_count = 3
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_f", "points": points,
                                 "score": score, "checksum": "0" * 32}
    return cell


def test_does_a_graded_cell_show_the_kits_verdict_as_plain_text():
    cell = kit_verdict(_graded_cell())
    assert [output.output_type for output in cell.outputs] == ["stream"]  # no Out[n]: 6
    assert cell.outputs[0].text.splitlines() == ["Score: 6 / 10", "✓ published case: right",
                                                 "✗ hidden case 1: wrong", "Hint: mind the shape."]
    assert cell.execution_count is None and "checksum" not in cell.metadata["nbgrader"]
    partial = kit_verdict(_graded_cell(score=6.6667))
    assert partial.outputs[0].text.startswith("Score: 6.6667 / 10\n")


def test_are_other_cells_left_as_they_are_by_the_verdict():
    answer = _graded_cell()
    answer.metadata["nbgrader"]["solution"] = True  # a graded answer cell, not a test cell
    plain = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("execute_result",
                                                                           data={"text/plain": "1"})])
    markdown = nbformat.v4.new_markdown_cell("text")
    for cell in (answer, plain, markdown):
        before = copy.deepcopy(cell)
        assert kit_verdict(cell) == before


def test_is_the_feedback_page_laid_out_for_a_phone_with_long_lines_wrapped():
    nb = nbformat.v4.new_notebook(cells=[kit_verdict(_graded_cell())])
    html, _ = FeedbackExporter(template_name="classic").from_notebook_node(nb)
    head = html.split("</head>")[0]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in head
    assert head.rstrip().endswith("</style>") and "white-space: pre-wrap" in head  # last: over nbconvert's
    assert '<html lang="en">' in html
    assert "Score: 6 / 10" in html and "Out[" not in html


def test_is_a_points_value_too_large_for_a_float_put_back_not_a_crash():
    notebook = tampered.honest("regularization")
    cell = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("points"))
    cell["metadata"]["nbgrader"]["points"] = 10 ** 400  # float() of it overflows
    nb, changes = restored(notebook, "regularization")
    assert changes
    recorded = {r.name: r for r in record_of("regularization")}
    for restored_cell in nb.cells:
        if "nbgrader" in restored_cell.metadata:
            meta = restored_cell.metadata.nbgrader
            assert meta == recorded[meta["grade_id"]].metadata()
