"""The one reference: each assignment as its instructor notebook in ``source/`` defines it.

An :class:`Assignment` is read from ``source/<name>/<Notebook>.ipynb`` with the
same extraction as student notebooks: the graded functions (name, signature,
solution cell), their points (from the nbgrader metadata of the test cell
``test_<name>``), the imports cell (``grade_id`` ``imports``) and the given
functions. Reference callables are built here, in the grader process, from
trusted files; nothing in this module is ever sent to a worker.
"""

import ast
import contextlib
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.extract import HEADER, code_cells, extract, read_notebook

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {
    "initialization": "Initialization.ipynb",
    "regularization": "Regularization.ipynb",
    "gradient_checking": "Gradient_Checking.ipynb",
}
#: Each assignment's title, as the course and every page and export name it.
TITLES = {"initialization": "Initialization", "regularization": "Regularization",
          "gradient_checking": "Gradient Checking"}
#: Modules of an assignment folder; cached per assignment, so they are swapped in and out.
FACE_MODULES = ("init_utils", "reg_utils", "gc_utils", "testCases", "public_tests")


class UnknownAssignment(KeyError):
    """No assignment of that name; the message lists the known ones."""

    def __str__(self):
        return self.args[0]


@dataclass(frozen=True)
class GradedFunction:
    name: str
    points: float
    signature: object  # autograder.grading.extract.Signature
    source: str  # the instructor's solution cell: trusted, never sent to a worker


@dataclass(frozen=True)
class Assignment:
    name: str
    notebook: str
    source_dir: Path
    release_dir: Path
    imports: str
    functions: tuple[GradedFunction, ...]
    given: tuple[tuple[str, str], ...]  # (name, cell source) of given, non-graded function cells
    #: grade ids of the cells the release locks (imports, given functions, tests): nbgrader puts
    #: them back as released before grading, and so does the grader (:mod:`autograder.grading.context`)
    locked: frozenset[str] = frozenset()

    @property
    def max_score(self):
        return float(sum(f.points for f in self.functions))

    @property
    def names(self):
        return tuple(f.name for f in self.functions)

    def function(self, name):
        return next(f for f in self.functions if f.name == name)

    def reference(self, name, stand_ins=""):
        """The instructor's ``name`` as a callable, with ``stand_ins`` source defining its callees."""
        return _reference(self, name, stand_ins)

    @property
    def sandbox_setup(self):
        """The imports cell as a sandbox job runs it: ``matplotlib`` is not imported (the
        worker stays small, so each job forks faster), and ``plt`` is a stand-in that imports
        ``pyplot`` the first time a student's code uses it."""
        return _sandbox_setup(self.imports)

    @property
    def setup_names(self):
        """The names the job's setup binds (what the released imports cell gives every job)."""
        return _setup_names(self)

    def is_stub(self, name, source):
        """Whether ``source`` is the release notebook's untouched stub of ``name``."""
        return _stubs(self).get(name) == source

    def given_function(self, name):
        """A given (non-graded) function of the source notebook, e.g. ``backward_propagation_n``."""
        return _given(self, name)


@functools.cache
def _stubs(assignment):
    """The graded cells of the release notebook (empty when it has not been generated)."""
    path = assignment.release_dir / assignment.notebook
    if not path.is_file():
        return {}
    found = extract(read_notebook(path), assignment.names)
    return {name: cell.source for name, cell in found.cells.items()}


@functools.cache
def _setup_names(assignment):
    names = set(_base_namespace(assignment.name))
    for node in ast.parse(assignment.imports).body:  # the matplotlib imports the grader leaves out
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update(a.asname or a.name.partition(".")[0] for a in node.names if a.name != "*")
    return frozenset(names)


@functools.cache
def _given(assignment, name):
    namespace = dict(_base_namespace(assignment.name))
    exec(compile(dict(assignment.given)[name], f"<given {name}>", "exec"), namespace)
    return namespace[name]


@functools.cache
def _reference(assignment, name, stand_ins):
    namespace = dict(_base_namespace(assignment.name))
    if stand_ins:
        exec(compile(stand_ins, f"<stand-ins for {name}>", "exec"), namespace)
    exec(compile(assignment.function(name).source, f"<reference {name}>", "exec"), namespace)
    return namespace[name]


@contextlib.contextmanager
def assignment_modules(folder):
    """Import from ``folder`` first, with the assignment face modules swapped in, then restore."""
    saved = {name: sys.modules.pop(name) for name in FACE_MODULES if name in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in FACE_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


@functools.cache
def load(name, root=ROOT):
    """Read the assignment ``name`` from its source notebook (cached)."""
    if name not in NOTEBOOKS:
        raise UnknownAssignment(f"unknown assignment {name!r}; expected one of {', '.join(NOTEBOOKS)}")
    source_dir = Path(root) / "source" / name
    notebook = read_notebook(source_dir / NOTEBOOKS[name])
    cells = notebook["cells"]
    meta = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in cells}
    names = _graded_names(cells)
    found = extract(notebook, names)
    if found.problems:
        raise ValueError(f"source notebook of {name} is inconsistent: {found.problems}")
    functions = tuple(
        GradedFunction(n, float(meta[f"test_{n}"]["metadata"]["nbgrader"]["points"]),
                       found.cells[n].signature, found.cells[n].source)
        for n in names
    )
    imports = _text(meta["imports"])
    given = tuple(_given_functions(cells, set(names)))
    locked = frozenset(grade_id for grade_id, cell in meta.items()
                       if grade_id and cell.get("metadata", {}).get("nbgrader", {}).get("locked"))
    return Assignment(name, NOTEBOOKS[name], source_dir, Path(root) / "release" / name, imports,
                      functions, given, locked)


def all_assignments():
    return [load(name) for name in NOTEBOOKS]


@functools.cache
def _base_namespace(name):
    assignment = load(name)
    namespace = {"__name__": f"reference_{name}"}
    with assignment_modules(assignment.source_dir):
        exec(compile(_without_plotting(assignment.imports), f"<imports of {name}>", "exec"),
             namespace)
    return namespace


LAZY_PYPLOT = """
class _Pyplot:
    \"\"\"matplotlib.pyplot, imported when first used.\"\"\"
    def __getattr__(self, name):
        import matplotlib.pyplot
        return getattr(matplotlib.pyplot, name)
plt = _Pyplot()
del _Pyplot
"""


@functools.cache
def _sandbox_setup(imports):
    setup = _without_plotting(imports)
    return setup + "\n" + LAZY_PYPLOT if setup != ast.unparse(ast.parse(imports)) else imports


def _without_plotting(source):
    """The imports cell less its ``matplotlib`` imports: graded functions never plot, and the
    grader need not spend a second importing ``pyplot`` to load the reference."""
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if not (
        isinstance(node, ast.Import) and all(a.name.split(".")[0] == "matplotlib" for a in node.names)
        or isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "matplotlib")]
    return ast.unparse(tree)


def _text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _graded_names(cells):
    names = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            match = HEADER.search(_text(cell))
            if match:
                names.append(match.group(1))
    return names


def _given_functions(cells, graded):
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name not in graded:
                yield node.name, ast.get_source_segment(source, node)


def infer_assignment(notebook):
    """The assignment whose graded-function headers appear most in ``notebook``, or None."""
    headers = set()
    for _, source in code_cells(notebook):
        headers.update(m.group(1) for m in HEADER.finditer(source))
    best, hits = None, 0
    for name in NOTEBOOKS:
        count = len(headers & set(load(name).names))
        if count > hits:
            best, hits = name, count
    return best
