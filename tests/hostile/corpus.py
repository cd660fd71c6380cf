"""Build the hostile corpus: real notebooks from the release notebooks plus each case's code.

A case (see :mod:`tests.hostile.cases`) fills the ``# YOUR CODE HERE`` regions
of graded cells like the sample class does, may put code at the top level of a
graded cell (``prelude``, right under the ``# GRADED FUNCTION`` line), may
replace a whole cell, or may write the file itself (broken notebooks). Every
graded function the case does not mention gets the instructor's solution, so
each notebook also shows that one hostile cell costs the other functions
nothing.

Case code may use placeholders, filled in when the corpus is built (they depend
on the machine and the run): ``{{ROOT}}`` the kit's folder, ``{{CLASS}}`` the
folder of the class being graded, ``{{CANARY_DIGEST}}`` the sha256 of the canary,
``{{CANARY_PLACES}}`` the files holding it, ``{{PORT}}`` a TCP port the tests
listen on. Each becomes a Python literal.

``python -m tests.hostile.corpus DIR`` writes the corpus as a class folder.
"""

import json
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.reference import NOTEBOOKS, ROOT, load
from tests.sample_class.build import _reference_regions, fill, graded_cells

REFERENCE = "reference"
PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


@dataclass(frozen=True)
class Cell:
    """A whole graded cell written by the case (its header line is added)."""

    source: str


@dataclass(frozen=True)
class Case:
    """One hostile or broken submission and the verdict it must get.

    ``expect`` gives the score of every graded function (what the honest work
    in the notebook earns, never more); ``status`` and ``says`` (a phrase that
    must appear in the function's check messages or hint) pin the reason;
    ``error`` a phrase of the notebook-level error. ``answers`` maps a function
    to :data:`REFERENCE`, a list of snippets (one per stub region) or a
    :class:`Cell`; functions not named get :data:`REFERENCE`, unless
    ``blank=True`` (the release stub stays). ``write(path, context)`` replaces
    the builder for notebooks that are broken as files.
    """

    name: str
    group: str
    tries: str
    assignment: str
    expect: dict
    answers: dict = field(default_factory=dict)
    prelude: dict = field(default_factory=dict)
    extra_cells: tuple = ()
    status: dict = field(default_factory=dict)
    says: dict = field(default_factory=dict)
    error: str | None = None
    write: object = None
    blank: bool = False
    slow: bool = False  # runs into a time limit: graded with short limits

    @property
    def verdict(self):
        """The verdict in words, for the README table."""
        if self.error:
            return f"all 0, error \"{self.error}\""
        full = max_points(self.assignment)
        parts = []
        for name, score in self.expect.items():
            if score != full[name] or name in self.status:
                status = f" ({self.status[name]})" if name in self.status else ""
                parts.append(f"{name} {score:g}{status}")
        rest = "the others full" if len(parts) < len(full) else ""
        return "; ".join(parts + [rest] if rest and parts else parts) or "full marks"


def placeholders(text, context):
    """Replace ``{{NAME}}`` by ``repr(context[NAME])``."""
    return PLACEHOLDER.sub(lambda m: repr(context[m.group(1)]), text)


def _source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _as_lines(text):
    return text.splitlines(keepends=True)


def notebook_for(case, context):
    """The notebook dict of ``case`` (release notebook + the case's code)."""
    assignment = case.assignment
    regions = _reference_regions(assignment)
    data = json.loads((ROOT / "release" / assignment / NOTEBOOKS[assignment]).read_text())
    for name, cell, text in list(graded_cells(data)):
        answer = case.answers.get(name, None if case.blank else REFERENCE)
        if isinstance(answer, Cell):
            text = f"# GRADED FUNCTION: {name}\n\n" + textwrap.dedent(answer.source).strip("\n") + "\n"
        elif answer == REFERENCE:
            text = fill(text, regions[name])
        elif answer:
            text = fill(text, answer)
        if name in case.prelude:
            header, rest = text.split("\n", 1)
            text = header + "\n" + textwrap.dedent(case.prelude[name]).strip("\n") + "\n" + rest
        cell["source"] = _as_lines(placeholders(text, context))
    for extra in case.extra_cells:
        data["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                              "outputs": [], "source": _as_lines(placeholders(extra, context))})
    return data


def notebook_path(root, case):
    """Where ``case`` lives in a class folder (nbgrader layout: student = case name)."""
    return Path(root) / case.name / case.assignment / NOTEBOOKS[case.assignment]


def write_case(case, root, context):
    """Write ``case`` under the class folder ``root``; returns the notebook's path."""
    path = notebook_path(root, case)
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.write is not None:
        case.write(path, case, context)
    else:
        path.write_text(json.dumps(notebook_for(case, context), indent=1, ensure_ascii=False) + "\n")
    return path


def build(root, cases, context):
    """Write every case under ``root``; returns ``{case name: notebook path}``."""
    return {case.name: write_case(case, root, context) for case in cases}


def max_points(assignment):
    return {f.name: f.points for f in load(assignment).functions}


if __name__ == "__main__":
    from tests.hostile.cases import CASES, default_context

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/hostile-corpus").resolve()
    build(target, [c for c in CASES if c.write is None or not getattr(c.write, "huge", False)],
          default_context(target))
    print(f"wrote {len(CASES)} cases under {target}")
