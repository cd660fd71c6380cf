"""Write the sample class's notebooks from the release notebooks and ``students.py``.

Usage: ``python -m tests.sample_class.build`` (rewrites ``submitted/``).
The layout is nbgrader's: ``submitted/<student>/<assignment>/<Notebook>.ipynb``.
"""

import functools
import json
import re
import shutil
import textwrap
from pathlib import Path

from autograder.grading.extract import HEADER
from autograder.grading.reference import NOTEBOOKS, ROOT
from tests.sample_class.students import REFERENCE, STUDENTS

HERE = Path(__file__).resolve().parent
STUB = re.compile(r"^([ \t]*)# YOUR CODE HERE\n[ \t]*raise NotImplementedError\(\)\n?", re.MULTILINE)
REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.MULTILINE | re.DOTALL)


def graded_cells(notebook):
    """``(name, cell, source)`` for each cell headed ``# GRADED FUNCTION: name``."""
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        match = HEADER.search(source) if cell["cell_type"] == "code" else None
        if match:
            yield match.group(1), cell, source


@functools.cache
def _reference_regions(assignment):
    source = json.loads((ROOT / "source" / assignment / NOTEBOOKS[assignment]).read_text())
    return {name: [textwrap.dedent(r) for r in REGION.findall(text)]
            for name, _, text in graded_cells(source)}


def fill(stub_source, snippets):
    """Replace each stub region of ``stub_source`` by the next snippet, indented like the stub."""
    snippets = iter(snippets)

    def replace(match):
        body = textwrap.dedent(next(snippets)).strip("\n")
        return textwrap.indent(body, match.group(1)) + "\n"

    return STUB.sub(replace, stub_source)


def student_notebook(assignment, work):
    """The release notebook of ``assignment`` filled with what a student wrote: ``work`` is
    ``{assignment: REFERENCE or {function: REFERENCE or snippets}}`` as in ``students.py``."""
    regions = _reference_regions(assignment)
    answers = work[assignment]
    data = json.loads((ROOT / "release" / assignment / NOTEBOOKS[assignment]).read_text())
    for name, cell, text in graded_cells(data):
        answer = REFERENCE if answers == REFERENCE else answers.get(name)
        if answer == REFERENCE:
            answer = regions[name]
        if answer:
            cell["source"] = fill(text, answer)
    return data


def build(root=HERE / "submitted"):
    """Write every student's notebooks under ``root``; returns ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    for assignment, notebook in NOTEBOOKS.items():
        for student, work in STUDENTS.items():
            data = student_notebook(assignment, work)
            target = root / student / assignment / notebook
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return root


if __name__ == "__main__":
    print(f"wrote {build().relative_to(ROOT)}")
