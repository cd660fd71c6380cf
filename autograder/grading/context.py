"""The notebook's own context of a graded function: the imports and constants its notebook gives it.

A course notebook is run top to bottom: when a graded function's test cell calls it, every cell
above has run, so a function may use ``math`` imported in the first cell or a constant set in
an earlier one. This module decides, per graded function, which of those statements its sandbox
job runs. It only reads the cells (:mod:`ast`, :mod:`symtable`); nothing is run here.

Which statements count:

- The release's locked cells count as released, whatever the student's copy says: nbgrader puts
  them back before it grades, and the grader does the same. The imports cell is the job's setup
  (as it was before); the locked given functions reach a graded function that calls them as the
  checks' stand-ins; the test cells are calls.
- From every other code cell above the graded cell (cells the student added, the original
  course's cells, the other graded cells), the top-level statements that are
    * an import: ``import m``, ``import m.n as x``, ``from m import a, b as c`` (each name a
      statement of its own), ``from m import *``;
    * a constant: ``NAME = value`` (also ``A, B = value`` and ``NAME: type = value``) whose value
      is made of literals, names, attributes (``np.pi``), operators, subscripts and tuples,
      lists, sets and dicts of these: no call, comprehension, lambda or f-string.
  Nothing else: calls (training a model, loading data, plotting, writing a file), loops,
  ``if``/``with``/``try`` blocks, ``def`` and ``class``, assignments to attributes or items
  (``plt.rcParams[...] = ...``), ``%magic`` and ``!shell`` lines. A cell that does not parse gives
  nothing (the notebook could not run it either).
- Of these, only what the graded cell uses: the names its code reads without binding them itself
  (its globals, as :mod:`symtable` finds them), then what each kept constant reads in turn. An
  import the setup already makes (the same module under the same name) is left out. A star
  import is kept only when the cell reads a name that nothing else binds.

How they run (in the sandbox job only, like the graded cell; see :mod:`autograder.sandbox`):
after the setup and before the graded cell, one statement at a time, a failing one skipped; an
import of a module the worker does not already hold binds a stand-in that imports it when the
student's code first uses it. So an import of a module the sandbox lacks, or of a heavy one
(``matplotlib.pyplot``), costs nothing unless the function uses it.

What is read of a notebook is bounded (:data:`MAX_CONTEXT_CHARS`, :data:`MAX_CONTEXT_STATEMENTS`),
so that a hostile notebook costs the grader little.

:class:`Context` is that list of statements: the explicit value a job carries with its cell.
"""

import ast
import builtins
import functools
import symtable
from dataclasses import dataclass

from autograder.grading.extract import MAX_CELL_CHARS, _comment_magics, code_cells, grade_ids

#: Cells longer than this are read every time instead of being kept in the cache.
CACHED_CELL_CHARS = 64 * 1024
#: Bounds on what is read of one notebook, so that a hostile one costs the grader little: a cell
#: longer than MAX_CELL_CHARS gives nothing; once MAX_CONTEXT_CHARS of cells have been read, or
#: MAX_CONTEXT_STATEMENTS statements found, the cells further down give nothing. (A course
#: notebook's cells hold a few dozen imports and constants in a few thousand characters.)
MAX_CONTEXT_CHARS = 200_000
MAX_CONTEXT_STATEMENTS = 1000
#: A constant's value may hold at most this many syntax nodes.
MAX_VALUE_NODES = 1000
_BUILTINS = frozenset(dir(builtins))
#: The syntax a constant's value may use (with the contexts and operators inside these).
_VALUE_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.UnaryOp, ast.BinOp, ast.BoolOp,
                ast.Compare, ast.IfExp, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Subscript,
                ast.Slice, ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


@dataclass(frozen=True)
class Statement:
    """One top-level import or constant of a notebook cell.

    ``source`` is the statement as :func:`ast.unparse` writes it (comments and spacing do not
    change it). An import has its ``module``, the ``name`` it takes from it (``from`` imports;
    ``"*"`` for all) and whether it binds the top package (``import a.b`` binds ``a``).
    """

    source: str
    binds: tuple[str, ...]
    reads: frozenset[str] = frozenset()
    module: str | None = None
    name: str | None = None
    top: bool = False

    @property
    def key(self):
        """What the statement does, spelling aside: equal for two imports of the same thing."""
        return (self.module, self.name, self.binds, self.top) if self.module else self.source

    def item(self):
        """The statement as a job carries it (:mod:`autograder.sandbox`)."""
        if self.module is None:
            return {"source": self.source}
        return {"source": self.source, "module": self.module, "name": self.name,
                "bind": self.binds[0] if self.binds else None, "top": self.top}


@dataclass(frozen=True)
class Context:
    """The statements a graded function's job runs before its cell, in the notebook's order.

    ``note`` (never run, never part of :attr:`text`) tells the student when the cell reads a
    name that only their own edit of a locked cell binds: that edit is not graded.
    """

    statements: tuple[Statement, ...] = ()
    note: str | None = None

    def __bool__(self):
        return bool(self.statements)

    @property
    def text(self):
        """The context as one source text, a statement a line: the code that runs."""
        return "\n".join(s.source for s in self.statements)

    def items(self):
        return [s.item() for s in self.statements]


EMPTY = Context()


class NotebookContext:
    """The imports and constants of one notebook's cells, read once, for each of its graded cells.

    ``assignment`` is the :class:`autograder.grading.reference.Assignment` the notebook is graded as: its
    locked cells and its setup decide what is left out. Cells from index ``until`` on are not read
    (no graded cell is below them).
    """

    def __init__(self, notebook, assignment, until=None):
        ids = grade_ids(notebook)
        self._setup = _setup_keys(assignment.imports)
        # what a job has without the notebook's help: the setup's names, and the graded and given
        # functions (their test doubles and the checks' stand-ins)
        self._setup_names = (assignment.setup_names | set(assignment.names)
                             | {name for name, _ in assignment.given})
        self._cells, self._locked = [], []  # (index, statements); (index, names, grade id)
        chars, count = MAX_CONTEXT_CHARS, MAX_CONTEXT_STATEMENTS
        for index, source in code_cells(notebook):
            if until is not None and index >= until:
                break
            if len(source) > MAX_CELL_CHARS or not _read(source):
                continue
            chars -= len(source)
            if chars < 0 or count <= 0:
                break
            statements = cell_statements(source)[:count]
            count -= len(statements)
            if ids.get(index) not in assignment.locked:
                self._cells.append((index, statements))
                continue
            added = {n for s in statements for n in s.binds} - self._setup_names
            if added:  # a student's own change to a locked cell: it does not count
                self._locked.append((index, added, ids[index]))

    def for_cell(self, cell):
        """The :class:`Context` of the graded cell ``cell`` (an
        :class:`autograder.grading.extract.GradedCell`)."""
        index = cell.cell_index
        above = [s for i, statements in self._cells if i < index for s in statements]
        names = {n for s in above for n in s.binds} | {n for i, a, _ in self._locked if i < index for n in a}
        if not any(s.name == "*" for s in above) and not any(n in cell.source for n in names):
            return EMPTY  # the cell does not even spell a name they bind
        reads = globals_read(cell.source)
        if not reads:
            return EMPTY
        statements, unbound = _needed(above, reads, self._setup, self._setup_names)
        return Context(tuple(statements), self._note(unbound, index) if unbound else None)

    def _note(self, unbound, before):
        """What to tell a student whose cell reads ``unbound`` names that only their edit of a
        locked cell above binds."""
        for index, added, grade_id in self._locked:
            names = sorted(added & unbound)
            if index < before and names:
                one = len(names) == 1
                return (f"{', '.join(names)} {'is' if one else 'are'} defined only by your change to "
                        f"the locked cell '{grade_id}': a locked cell is graded as released (nbgrader "
                        f"puts it back too), so {'it is' if one else 'they are'} not defined here. "
                        f"Import or set {'it' if one else 'them'} in a cell of your own, or in this one")
        return None


def _needed(above, reads, setup, setup_names):
    """``(statements, unbound)``: of the statements ``above`` (in order), those the names
    ``reads`` need, in order; and the names needed that nothing binds (not even a star import's
    module, as far as can be told)."""
    needed, keep = set(reads), [False] * len(above)
    for position in range(len(above) - 1, -1, -1):  # the last statements first: they bind last
        statement = above[position]
        if statement.name != "*" and needed.intersection(statement.binds):
            keep[position] = True
            needed |= statement.reads
    unbound = needed - _BUILTINS - setup_names - {n for s in above if s.name != "*" for n in s.binds}
    if unbound:  # a name nothing else binds: perhaps one of the star imports does
        keep = [k or s.name == "*" for k, s in zip(keep, above, strict=True)]
    return list(_without_setup(above, keep, setup)), unbound


def _without_setup(above, keep, setup):
    """The kept statements, less the imports that repeat the setup's."""
    rebound = set()
    for statement, kept in zip(above, keep, strict=True):
        if not kept:
            continue
        if statement.module and statement.key in setup and not rebound.intersection(statement.binds):
            continue  # what the setup already did, to a name nothing has changed since
        rebound.update(statement.binds)
        yield statement


@functools.cache
def _setup_keys(imports):
    """What the imports of the setup (the released imports cell ``imports``) do."""
    return frozenset(s.key for s in cell_statements(imports) if s.module)


def cell_statements(source):
    """The imports and constants at the top level of a cell, in order (see the module's docs);
    ``()`` when the cell does not parse. Cached by cell text up to :data:`CACHED_CELL_CHARS`."""
    if not _read(source):
        return ()
    return _cached_statements(source) if len(source) <= CACHED_CELL_CHARS else _statements(source)


def _read(source):
    """Whether the cell may hold an import or a constant at its top level (else it is not parsed)."""
    return ("import" in source or "=" in source) and not _only_definitions(source)


def _only_definitions(source):
    """Whether every line of ``source`` that starts at its first column is blank, a comment, a
    decorator or the start of a ``def``/``class`` (a graded cell, mostly): then nothing at its top
    level can be an import or a constant, and it need not be parsed. (A top-level statement
    starts a line at the first column; a line that only looks so, in a string, just means a parse.)"""
    for line in source.split("\n"):
        if line[:1] not in ("", " ", "\t", "#", "@") and not line.startswith(_DEFINITIONS):
            return False
    return True


_DEFINITIONS = ("def ", "class ", "async def ")


def _statements(source):
    try:
        tree = ast.parse(_comment_magics(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    found = []
    try:
        for node in tree.body:
            found.extend(_of_node(node))
    except (RecursionError, MemoryError, ValueError):
        return ()
    return tuple(found)


_cached_statements = functools.lru_cache(maxsize=2048)(_statements)


def _of_node(node):
    if isinstance(node, ast.Import):
        for alias in node.names:
            top = alias.asname is None
            bind = alias.name.partition(".")[0] if top else alias.asname
            yield Statement(ast.unparse(ast.Import([alias])), (bind,), module=alias.name, top=top)
    elif isinstance(node, ast.ImportFrom):
        if node.level or not node.module or node.module == "__future__":
            return  # a relative import has no package here; a future import is the compiler's
        for alias in node.names:
            binds = () if alias.name == "*" else (alias.asname or alias.name,)
            yield Statement(ast.unparse(ast.ImportFrom(node.module, [alias], 0)), binds,
                            module=node.module, name=alias.name)
    elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = _target_names(targets)
        if names and _constant(node.value):
            reads = frozenset(n.id for n in ast.walk(node.value) if isinstance(n, ast.Name))
            # an annotation is left out: at the top level it is evaluated, and it may be a call
            yield Statement(ast.unparse(ast.Assign(targets, node.value, lineno=0)), tuple(names), reads)


def _target_names(targets):
    """The names a constant's targets bind, in order, or None when one is not a plain name."""
    names = []
    for target in targets:
        if isinstance(target, ast.Starred):
            target = target.value
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List) and (inner := _target_names(target.elts)):
            names.extend(inner)
        else:
            return None
    return names


def _constant(value):
    """Whether ``value`` is made only of the syntax of :data:`_VALUE_NODES` (and not too big)."""
    for count, node in enumerate(ast.walk(value)):
        if count > MAX_VALUE_NODES or not isinstance(node, _VALUE_NODES):
            return False
        if isinstance(node, ast.Dict) and None in node.keys:  # {**other}
            return False
    return True


def globals_read(source):
    """The names a cell's code reads from outside itself: read at its top level or as globals
    of its functions and classes, and not bound at its top level. Empty when the cell cannot be
    read. Cached by cell text up to :data:`CACHED_CELL_CHARS`."""
    return _cached_globals(source) if len(source) <= CACHED_CELL_CHARS else _globals(source)


def _globals(source):
    try:
        table = symtable.symtable(_comment_magics(source), "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    top = table.get_symbols()
    bound = {s.get_name() for s in top if s.is_assigned() or s.is_imported() or s.is_namespace()}
    reads = {s.get_name() for s in top if s.is_referenced()}
    stack = list(table.get_children())
    while stack:
        scope = stack.pop()
        stack.extend(scope.get_children())
        reads.update(s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced())
    return frozenset(reads - bound)


_cached_globals = functools.lru_cache(maxsize=1024)(_globals)
