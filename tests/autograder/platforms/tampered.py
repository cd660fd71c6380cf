"""Notebooks whose students changed more than their graded cells: nbgrader metadata, copies and
deletions of cells, cells moved, and payloads for a browser in every field a student controls.

Each :class:`Tampered` notebook has the per-function scores every grading path must give it:
``grade-class`` (which reads the file as it is) and the sealed ``nbgrader autograde`` (which reads
it after nbgrader's sanitizing, see :mod:`autograder.platforms.nbgrader_sanitize`). They are graded in the
nbgrader course of ``test_nbgrader_autograde``, beside honest classmates.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from autograder.grading.reference import NOTEBOOKS
from tests.autograder.grading.test_context import HE_MATH, init_notebook
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

INIT, REG = "initialization", "regularization"
FULL = {INIT: {"initialize_parameters_zeros": 10, "initialize_parameters_random": 10,
               "initialize_parameters_he": 10},
        REG: {"compute_cost_with_regularization": 10, "backward_propagation_with_regularization": 10,
              "forward_propagation_with_dropout": 20, "backward_propagation_with_dropout": 10}}
#: What a script in a page logs or says when it runs (every payload below says it).
MARKER = "XSS-RAN"


@dataclass(frozen=True)
class Tampered:
    student: str
    assignment: str
    what: str
    make: Callable[[], dict]
    expect: dict = field(default_factory=dict)

    def write(self, root):
        """Write the notebook in nbgrader's layout under ``root``; returns its path."""
        path = root / self.student / self.assignment / NOTEBOOKS[self.assignment]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.make(), indent=1, ensure_ascii=False) + "\n")
        return path


def honest(assignment):
    """The release notebook filled with the reference answers (full marks)."""
    return student_notebook(assignment, {assignment: REFERENCE})


def index_of(notebook, grade_id):
    """The index of the cell whose nbgrader metadata has ``grade_id``."""
    for index, cell in enumerate(notebook["cells"]):
        nbgrader = cell.get("metadata", {}).get("nbgrader")
        if isinstance(nbgrader, dict) and nbgrader.get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def meta(notebook, grade_id):
    """The nbgrader metadata of the cell ``grade_id`` (to change it in place)."""
    return notebook["cells"][index_of(notebook, grade_id)]["metadata"]["nbgrader"]


def a_copy(cell, suffix="copy"):
    """A copy of ``cell`` as Jupyter pastes it: the same metadata, a new id."""
    pasted = copy.deepcopy(cell)
    if "id" in pasted:
        pasted["id"] = f"{pasted['id'][:55]}-{suffix}"
    return pasted


def code(source, metadata=None, outputs=(), cell_id=None):
    cell = {"cell_type": "code", "execution_count": None, "metadata": metadata or {},
            "outputs": list(outputs), "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def markdown(source, metadata=None, cell_id=None, attachments=None):
    cell = {"cell_type": "markdown", "metadata": metadata or {}, "source": source}
    if cell_id:
        cell["id"] = cell_id
    if attachments:
        cell["attachments"] = attachments
    return cell


# ------------------------------------------------------------------------- the same verdict

def copied_test_cell():
    nb = honest(REG)
    at = index_of(nb, "test_compute_cost_with_regularization")
    nb["cells"].insert(at + 1, a_copy(nb["cells"][at]))
    return nb


def deleted_exercise():
    nb = honest(REG)
    for grade_id in ("test_compute_cost_with_regularization", "compute_cost_with_regularization"):
        del nb["cells"][index_of(nb, grade_id)]
    return nb


def moved_cells():
    """A solution cell moved to the end, a test cell moved above its solution, a locked cell last."""
    nb = honest(REG)
    nb["cells"].append(nb["cells"].pop(index_of(nb, "backward_propagation_with_dropout")))
    test = nb["cells"].pop(index_of(nb, "test_forward_propagation_with_dropout"))
    nb["cells"].insert(index_of(nb, "forward_propagation_with_dropout"), test)
    nb["cells"].append(nb["cells"].pop(index_of(nb, "model")))
    return nb


def copied_solution_cell():
    nb = honest(REG)
    at = index_of(nb, "backward_propagation_with_regularization")
    nb["cells"].insert(at + 1, a_copy(nb["cells"][at]))
    return nb


def deleted_test_cells():
    nb = honest(REG)
    for grade_id in FULL[REG]:
        del nb["cells"][index_of(nb, f"test_{grade_id}")]
    return nb


def copied_locked_cell_with_an_import():
    """The locked imports cell pasted again with ``import math`` added, which the He initialiser
    uses: an edit of a locked cell, ignored by grade-class (the copy carries the locked id too)."""
    nb = init_notebook(HE_MATH)
    at = index_of(nb, "imports")
    pasted = a_copy(nb["cells"][at])
    pasted["source"] = ["import math\n", *pasted["source"]]
    nb["cells"].insert(at + 1, pasted)
    return nb


SAME_VERDICT = [
    Tampered("copied_test_cell", REG, "a test cell copy-pasted (two cells with one grade_id)",
             copied_test_cell, FULL[REG]),
    Tampered("deleted_exercise", REG, "an exercise deleted: its solution and its test cell", deleted_exercise,
             {**FULL[REG], "compute_cost_with_regularization": 0}),
    Tampered("moved_cells", REG, "a solution cell moved last, a test cell above its solution, a locked "
             "cell last", moved_cells, FULL[REG]),
    Tampered("copied_solution_cell", REG, "a solution cell copy-pasted", copied_solution_cell, FULL[REG]),
    Tampered("deleted_test_cells", REG, "every test cell deleted", deleted_test_cells, FULL[REG]),
    Tampered("copied_locked_cell", INIT, "the locked imports cell pasted again with an import the He "
             "initialiser needs", copied_locked_cell_with_an_import,
             {**FULL[INIT], "initialize_parameters_he": 0}),
]


# ------------------------------------------------------------------------- nbgrader's metadata

def _changed(change):
    def make():
        nb = honest(INIT)
        change(nb)
        return nb
    make.__name__ = change.__name__
    return make


@_changed
def schema_version_4(nb):
    meta(nb, "test_initialize_parameters_he")["schema_version"] = 4


@_changed
def schema_version_2(nb):
    meta(nb, "initialize_parameters_random")["schema_version"] = 2


@_changed
def schema_versions_odd(nb):
    del meta(nb, "imports")["schema_version"]
    meta(nb, "test_initialize_parameters_zeros")["schema_version"] = "3"
    meta(nb, "initialize_parameters_zeros")["schema_version"] = None
    meta(nb, "model")["schema_version"] = 3.5


@_changed
def nbgrader_metadata_empty(nb):
    nb["cells"].insert(3, code("x = 1\n", {"nbgrader": {}}, cell_id="mine-empty"))
    nb["cells"][0]["metadata"]["nbgrader"] = {}
    meta(nb, "test_initialize_parameters_random").clear()


@_changed
def nbgrader_metadata_not_a_mapping(nb):
    nb["cells"][0]["metadata"]["nbgrader"] = ["grade", True]
    nb["cells"][index_of(nb, "test_initialize_parameters_he")]["metadata"]["nbgrader"] = None
    nb["cells"][index_of(nb, "initialize_parameters_random")]["metadata"]["nbgrader"] = "solution"
    nb["cells"].insert(4, code("y = 2\n", {"nbgrader": 7}, cell_id="mine-seven"))


@_changed
def grade_ids_changed(nb):
    meta(nb, "initialize_parameters_he")["grade_id"] = "my_he"
    meta(nb, "test_initialize_parameters_zeros")["grade_id"] = ""
    meta(nb, "test_initialize_parameters_random")["grade_id"] = 12
    nb["cells"].append(code("assert True\n", {"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 1000, "grade_id": "test_bonus",
        "schema_version": 3}}, cell_id="bonus"))
    nb["cells"].append(code("pass\n", {"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 5, "grade_id": "bad id!",
        "schema_version": 3}}, cell_id="bad-id"))


@_changed
def points_changed(nb):
    meta(nb, "test_initialize_parameters_zeros")["points"] = 1000
    meta(nb, "test_initialize_parameters_random")["points"] = "ten"
    meta(nb, "test_initialize_parameters_he")["points"] = -5


@_changed
def flags_flipped(nb):
    meta(nb, "test_initialize_parameters_zeros").update(locked=False, grade=False, solution=True)
    meta(nb, "initialize_parameters_random").update(grade=True, points=10)
    meta(nb, "model").update(task=True, locked=False)
    meta(nb, "test_initialize_parameters_he").update(grade="yes")


@_changed
def cell_types_changed(nb):
    for grade_id, cell_type in (("test_initialize_parameters_he", "markdown"), ("model", "raw")):
        cell = nb["cells"][index_of(nb, grade_id)]
        cell["cell_type"] = cell_type
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        cell["attachments"] = {}


@_changed
def checksums_and_extra_keys(nb):
    meta(nb, "test_initialize_parameters_zeros").update(checksum="forged", evil=1, cell_type="raw")
    meta(nb, "initialize_parameters_zeros").update(checksum=None, comment="<b>10/10</b>")


METADATA = [
    Tampered("schema_version_4", INIT, "schema_version 4 in a test cell", schema_version_4, FULL[INIT]),
    Tampered("schema_version_2", INIT, "schema_version 2 in a solution cell", schema_version_2, FULL[INIT]),
    Tampered("schema_versions_odd", INIT, "schema_version missing, text, null and 3.5", schema_versions_odd,
             FULL[INIT]),
    Tampered("nbgrader_metadata_empty", INIT, "empty nbgrader metadata on a test cell and added cells",
             nbgrader_metadata_empty, FULL[INIT]),
    Tampered("nbgrader_metadata_not_a_mapping", INIT, "nbgrader metadata a list, null, text, a number",
             nbgrader_metadata_not_a_mapping, FULL[INIT]),
    Tampered("grade_ids_changed", INIT, "grade ids renamed, empty, a number; a bonus test cell of 1000 "
             "points; an id nbgrader's schema refuses", grade_ids_changed, FULL[INIT]),
    Tampered("points_changed", INIT, "points 1000, text and negative", points_changed, FULL[INIT]),
    Tampered("flags_flipped", INIT, "grade, solution, locked and task flags flipped", flags_flipped,
             FULL[INIT]),
    Tampered("cell_types_changed", INIT, "a test cell made markdown, a locked cell raw", cell_types_changed,
             FULL[INIT]),
    Tampered("checksums_and_extra_keys", INIT, "checksums forged or null, extra keys, a wrong cell_type",
             checksums_and_extra_keys, FULL[INIT]),
]


# ------------------------------------------------------------------------- payloads for a browser

def _log(tag):
    return f"console.log('{MARKER}-{tag}')"


#: Markdown a student may write, each of which runs a script where HTML is rendered as written.
MARKDOWN_PAYLOADS = [
    f"<img src=x onerror=\"{_log('img')}\">",
    f"<script>{_log('script')}</script>",
    f"<svg onload=\"{_log('svg')}\"><circle r=1></circle></svg>",
    f"<iframe srcdoc=\"<script>parent.{_log('iframe')}</script>\"></iframe>",
    f"<details open ontoggle=\"{_log('details')}\"><summary>s</summary></details>",
    f"<body onload=\"{_log('body')}\">",
    f"<input autofocus onfocus=\"{_log('input')}\">",
    f"<video><source onerror=\"{_log('video')}\"></video>",
    f"<object data=\"javascript:{_log('object')}\"></object>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"{_log('mxss')}\"></style></mglyph>"
    "</table></mtext></math>",
    f"<style>@import 'data:,*%7Bx:expression({_log('style')})%7D';</style>",
    f"[a markdown link](javascript:{_log('link')})",
    f"[an entity link](&#106;avascript:{_log('entity-link')})",
    f"[a reference link][r]\n\n[r]: javascript:{_log('reference-link')}",
    f"<a href=\"javascript:{_log('anchor')}\">an anchor</a>",
    f"![an image](x\" onerror=\"{_log('md-img')})",
    "![an attachment](attachment:page.html) ![another](attachment:drawing.svg)",
    f"# A heading <img src=x onerror=\"{_log('heading')}\">",
    f"`<img src=x onerror=\"{_log('code-span')}\">` and $x<img src=x onerror=\"{_log('math')}\">$",
]
#: Outputs a kernel (or a student editing the JSON) may leave in a code cell.
OUTPUT_PAYLOADS = [
    {"output_type": "display_data", "metadata": {},
     "data": {"text/html": f"<img src=x onerror=\"{_log('out-html')}\">", "text/plain": "html"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"application/javascript": _log("out-js"), "text/plain": "js"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"image/svg+xml": f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{_log('out-svg')}\">"
                               f"<script>{_log('out-svg-script')}</script></svg>"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"text/markdown": f"<img src=x onerror=\"{_log('out-md')}\"> "
                               f"[l](javascript:{_log('out-md-link')})"}},
    {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="},
     "metadata": {"image/png": {"width": f"1 onerror={_log('out-png-width')}", "height": 2}}},
    {"output_type": "execute_result", "execution_count": 1, "metadata": {"text/html": {"isolated": True}},
     "data": {"text/html": f"<script>{_log('out-isolated')}</script>", "text/plain": "x"}},
    {"output_type": "display_data", "metadata": {},
     "data": {"application/vnd.jupyter.widget-view+json": {"model_id": f"</script><script>{_log('widget')}"
                                                                       "</script>", "version_major": 2}}},
    {"output_type": "display_data", "metadata": {},
     "data": {"text/latex": f"$<img src=x onerror=\"{_log('latex')}\">$"}},
    {"output_type": "error", "ename": f"<img src=x onerror=\"{_log('ename')}\">",
     "evalue": f"<script>{_log('evalue')}</script>", "traceback": [f"<script>{_log('traceback')}</script>"]},
    {"output_type": "stream", "name": "stdout", "text": f"<script>{_log('stream')}</script>"},
]
_SVG = f"<svg xmlns='http://www.w3.org/2000/svg' onload=\"{_log('attachment-svg')}\"></svg>"
ATTACHMENTS = {"page.html": {"text/html": f"<script>{_log('attachment-html')}</script>"},
               "drawing.svg": {"image/svg+xml": _SVG}}
#: A graded function whose error message is HTML (the kit quotes it in the test cell's output).
HE_RAISES = [f"raise ValueError(\"<img src=x onerror=\\\"{_log('exception')}\\\">\")"]


def with_payloads():
    """The Initialization notebook (He initialiser raising an error of HTML) with a payload in
    every field a student controls: markdown, raw cells, code, outputs, attachments, cell and
    notebook metadata, nbgrader metadata."""
    nb = init_notebook(HE_RAISES)
    cells = [markdown(payload, cell_id=f"payload-{n}", attachments=ATTACHMENTS if "attachment:" in payload
                      else None) for n, payload in enumerate(MARKDOWN_PAYLOADS)]
    cells.append({"cell_type": "raw", "id": "payload-raw", "metadata": {"raw_mimetype": "text/html",
                  "format": "text/html"}, "source": f"<script>{_log('raw')}</script>"})
    forged = {"grade": True, "grade_id": f"\"><img src=x onerror=\"{_log('id')}\">", "points": 5,
              "locked": True, "solution": False, "schema_version": 3}
    cells.append(code(f"# </script><script>{_log('code')}</script>\nprint('<b>')\n",
                      {"tags": [f"<img src=x onerror=\"{_log('tag')}\">"],
                       "alt": f"\"><script>{_log('alt')}</script>", "nbgrader": forged},
                      outputs=OUTPUT_PAYLOADS, cell_id="payload-code"))
    nb["cells"][2:2] = cells
    nb["metadata"]["title"] = f"</title><script>{_log('title')}</script>"
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0,
        "x": f"</script><script>{_log('state')}</script>"}}
    nb["metadata"]["language_info"]["pygments_lexer"] = f"<script>{_log('lexer')}</script>"
    return nb


#: Both student folders start with "xss": ``nbgrader generate_feedback --student='xss*'`` makes
#: their pages. The first one's name is itself a payload.
PAYLOAD_STUDENT = f"xss<img src=x onerror=\"{_log('name')}\">"
PLANTED_STUDENT = "xss_planted_outputs"  # after autograde, OUTPUT_PAYLOADS are put back in its cells
PAYLOADS = [
    Tampered(PAYLOAD_STUDENT, INIT, "a payload in every field a student controls", with_payloads,
             {**FULL[INIT], "initialize_parameters_he": 0}),
    Tampered(PLANTED_STUDENT, INIT, "outputs planted in the autograded notebook", with_payloads,
             {**FULL[INIT], "initialize_parameters_he": 0}),
]

ALL = SAME_VERDICT + METADATA + PAYLOADS
