"""Step 1 of grading: find the graded functions in a notebook.

A graded function lives in a code cell whose first non-blank line is
``# GRADED FUNCTION: <name>`` and that holds ``def <name>(...)``. Cells may be
in any order, with or without nbgrader metadata, outputs, extra cells or
prints. Nothing is executed here: the cell text is parsed with :mod:`ast`
only, so this step is safe on any input.

The same code extracts the instructor's solutions from ``source/`` (the one
reference) and the student's answers from a submission.
"""

import ast
import errno
import functools
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.wire import json_items

HEADER = re.compile(r"^[ \t]*#[ \t]*GRADED FUNCTION:[ \t]*([A-Za-z_]\w*)[ \t]*$", re.MULTILINE)
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_NOTEBOOK_ITEMS = 1_000_000  # JSON containers and items, counted before parsing
MAX_CELL_CHARS = 100_000  # a graded cell longer than this is reported, not parsed
MAX_INT_DIGITS = 4000  # longer integers in the notebook JSON are read as floats
_KIT_SOURCE = Path(__file__).resolve().parents[2] / "source"  # the instructor's notebooks


class NotebookError(ValueError):
    """The file is not a notebook this grader can read; the message says why."""


@dataclass(frozen=True)
class Signature:
    """Parameter names and default values (as source text) of a ``def``."""

    names: tuple[str, ...]
    defaults: tuple[tuple[str, str], ...]

    def __str__(self):
        defaults = dict(self.defaults)
        return "(" + ", ".join(n + ("=" + defaults[n] if n in defaults else "") for n in self.names) + ")"


@dataclass(frozen=True)
class GradedCell:
    """One graded function as found in a notebook."""

    name: str
    source: str  # the whole cell, magics commented out
    cell_index: int
    signature: Signature | None  # None when the cell does not define ``name``
    syntax_error: str | None = None


@dataclass
class Extraction:
    """Every graded function found, plus plain-language structure problems."""

    cells: dict[str, GradedCell] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def note(self, name, problem):
        self.problems.setdefault(name, []).append(problem)


def read_notebook(path):
    """Parse the notebook file at ``path`` into a dict; :class:`NotebookError` if unreadable.

    Accepts nbformat 3 and 4, cell sources given as a string or a list of
    lines, and a UTF-8 byte-order mark. Only the code cells matter to the
    grader. A submission is read as the file it is: a symbolic link is refused
    (it could stand for another student's notebook or the instructor's), and
    so is any path that leads into this kit's ``source/`` notebooks through a
    link.
    """
    return parse_notebook(read_notebook_bytes(path), Path(path).name)


def read_notebook_bytes(path):
    """The bytes of the notebook file at ``path``, after every check on the file itself
    (not a link, a regular file, not reached through a link into ``source/``, not empty,
    not over :data:`MAX_NOTEBOOK_BYTES`); :class:`NotebookError` otherwise."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotebookError(f"{path.name} is a symbolic link, not a notebook file") from None
        raise NotebookError(f"{path.name} cannot be read ({error.strerror})") from None
    with open(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{path.name} is not a regular file")
        if _through_link_into_source(path):
            raise NotebookError(f"{path.name} is reached through a link into the instructor's "
                                "source notebooks")
        size = info.st_size
        if size == 0:
            raise NotebookError(f"{path.name} is empty")
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(
                f"{path.name} is {size / 2**20:.0f} MB; notebooks over {MAX_NOTEBOOK_BYTES // 2**20} MB "
                "are not graded (clear large outputs and resubmit)"
            )
        # What fstat saw, and then whatever the file grew by (a read as long as the limit would
        # allocate, map and unmap a buffer of that size for every notebook).
        raw = handle.read(size + 1)
        if len(raw) > size:
            raw += handle.read(MAX_NOTEBOOK_BYTES + 1 - len(raw))
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} grew beyond {MAX_NOTEBOOK_BYTES // 2**20} MB while read")
    return raw


def parse_notebook(raw, name):
    """The notebook dict in ``raw`` (the bytes of the file called ``name``); :class:`NotebookError`
    if it is not UTF-8 notebook JSON."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NotebookError(f"{name} is not UTF-8 text (byte {error.start})") from None
    items = json_items(raw)  # an upper bound, counted at C speed; exact (strings skipped) if needed
    if items > MAX_NOTEBOOK_ITEMS:
        items = json_items(raw, strings=False)
    if items > MAX_NOTEBOOK_ITEMS:
        raise NotebookError(f"{name} holds about {items:,} JSON items (limit {MAX_NOTEBOOK_ITEMS:,}); "
                            "notebooks this large are not graded (clear the outputs and resubmit)")
    try:
        notebook = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as error:
        raise NotebookError(f"{name} is not valid notebook JSON: {_json_problem(error, text)}") from None
    except RecursionError:
        raise NotebookError(f"{name} is not a notebook (its JSON is nested too deeply)") from None
    if not isinstance(notebook, dict):
        raise NotebookError(f"{name} is JSON but not a notebook (top level is not an object)")
    if not isinstance(notebook.get("cells"), list) and not isinstance(notebook.get("worksheets"), list):
        raise NotebookError(f"{name} is JSON but not a notebook (it has no cells)")
    return notebook


#: :mod:`json`'s messages in plain words (some of its own end in "at" and lean on a position).
_JSON_WORDS = {
    "Expecting value": "a value was expected",
    "Expecting property name enclosed in double quotes": "a name in double quotes was expected",
    "Expecting ',' delimiter": "a comma was expected",
    "Expecting ':' delimiter": "a colon was expected",
    "Invalid control character at": "a string holds a control character (a raw line break or tab?)",
    "Invalid \\escape": "a string holds a backslash escape JSON does not know",
    "Invalid \\uXXXX escape": "a string holds a broken \\u escape",
    "Extra data": "more text follows the end of the notebook",
}


def _json_problem(error, text):
    """Where and why ``text`` is not JSON, as one whole sentence: a file cut short (an
    interrupted save, upload or download) is said to be so."""
    where = f"line {error.lineno}, column {error.colno}"
    if error.msg.startswith("Unterminated string"):  # only raised at the end of the text
        return f"the string that starts at {where} is never closed (was the file cut short?)"
    if error.pos >= len(text.rstrip()):
        return f"it stops at {where}, before the notebook ends (was the file cut short?)"
    words = _JSON_WORDS.get(error.msg, error.msg.removesuffix(" at"))
    return f"at {where}, {words}"


def _integer(text):
    """A JSON integer; one too long for Python's int-from-text limit becomes a float."""
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)


@dataclass(frozen=True)
class NotebookFile:
    """A submitted notebook read once: its file name and its bytes, or why it could not be read.

    What a grading worker without access to the class's files receives instead of a path;
    reading it here applies the same checks as :func:`read_notebook`, so either way a
    notebook gets the same result.
    """

    name: str
    raw: bytes | None = None
    error: str | None = None

    @classmethod
    def read(cls, path):
        try:
            return cls(Path(path).name, raw=read_notebook_bytes(path))
        except NotebookError as error:
            return cls(Path(path).name, error=str(error))

    def notebook(self):
        """The parsed notebook; :class:`NotebookError` if it could not be read or parsed."""
        if self.raw is None:
            raise NotebookError(self.error or f"{self.name} cannot be read")
        return parse_notebook(self.raw, self.name)


def _through_link_into_source(path):
    """Whether ``path`` resolves into ``source/`` of this kit although it is not spelled that way."""
    real = os.path.realpath(path)
    spelled = os.path.abspath(path)
    return real != spelled and Path(real).is_relative_to(_KIT_SOURCE)


def _cells(notebook):
    """Every cell of ``notebook`` in order, for nbformat 3 (worksheets) and 4."""
    if isinstance(notebook.get("cells"), list):
        return notebook["cells"]
    if isinstance(notebook.get("worksheets"), list):
        return [c for ws in notebook["worksheets"] if isinstance(ws, dict)
                for c in ws.get("cells", []) if isinstance(ws.get("cells"), list)]
    raise NotebookError("the notebook has no cells")


def grade_ids(notebook):
    """``{index: grade_id}`` of the code cells that carry an nbgrader ``grade_id`` (the indices
    of :func:`code_cells`)."""
    found = {}
    for index, cell in enumerate(_cells(notebook)):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            meta = cell.get("metadata")
            nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
            grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
            if isinstance(grade_id, str):
                found[index] = grade_id
    return found


def code_cells(notebook):
    """``[(index, source)]`` of the code cells, for nbformat 3 (worksheets) and 4."""
    found = []
    for index, cell in enumerate(_cells(notebook)):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", cell.get("input", ""))
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if isinstance(source, str):
            found.append((index, _plain_text(source)))
    return found


def _plain_text(source):
    """``source`` with lone surrogates (which JSON can spell, but UTF-8 cannot hold) replaced."""
    try:
        source.encode("utf-8")
        return source
    except UnicodeEncodeError:
        return source.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _comment_magics(source):
    """Turn IPython magics and shell escapes into comments so :mod:`ast` can parse the cell."""
    lines = source.split("\n")
    return "\n".join(
        line.replace(line.lstrip(), "# " + line.lstrip(), 1) if line.lstrip()[:1] in ("%", "!")
        else line
        for line in lines
    )


def _signature(node):
    args = node.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    names = tuple(positional + [a.arg for a in args.kwonlyargs])
    defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults, strict=True))
    defaults += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return Signature(names, tuple((name, _expression(value)) for name, value in defaults))


def _expression(node):
    """Source text of a default value; a placeholder for one too deeply nested to rebuild."""
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError, MemoryError):
        return "<expression>"


CACHED_CELL_CHARS = 64 * 1024


def _defs(source):
    """``({name: Signature}, syntax error or None)`` of a cell's top-level ``def`` s (read only).

    Cached by cell text up to :data:`CACHED_CELL_CHARS`: the given cells, the untouched
    stubs and common answers are the same for many students of a class.
    """
    return _cached_defs(source) if len(source) <= CACHED_CELL_CHARS else _parse_defs(source)


def _parse_defs(source):
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return {}, f"syntax error at line {error.lineno} of the cell: {error.msg}"
    except (RecursionError, MemoryError, ValueError) as error:
        return {}, f"the cell cannot be parsed ({error.__class__.__name__})"
    return {n.name: _signature(n) for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}, None


_cached_defs = functools.lru_cache(maxsize=1024)(_parse_defs)


def extract(notebook, names):
    """Find the graded functions ``names`` in a parsed ``notebook``.

    Returns an :class:`Extraction`. Rules, each reported in plain words:

    - the function is taken from the cell headed ``# GRADED FUNCTION: <name>``;
    - a header whose cell defines a different function is "renamed";
    - without a header, a top-level ``def <name>`` in any code cell is used;
    - when several cells define it, the last one wins (as when the notebook
      runs top to bottom) and "defined twice" is reported.
    """
    result = Extraction()
    headed, plain = {}, {}
    for index, raw in code_cells(notebook):
        source = _comment_magics(raw)
        header = HEADER.search(source)
        if header is None and "def" not in source:
            continue  # defines no function ("def" cannot be spelled another way): not parsed
        if len(source) > MAX_CELL_CHARS:  # too large to be a function: reported, not parsed
            if header and header.group(1) in names:
                name = header.group(1)
                headed.setdefault(name, []).append(GradedCell(
                    name, "", index, None, f"the cell holds {len(source):,} characters, more than "
                    f"a graded function may ({MAX_CELL_CHARS:,}); it was not read"))
            continue
        defs, error = _defs(source)
        if header and header.group(1) in names:
            name = header.group(1)
            signature = defs.get(name)
            cell = GradedCell(name, source, index, signature, error)
            headed.setdefault(name, []).append(cell)
            if not signature and not error:
                others = ", ".join(sorted(defs)) or "no function"
                result.note(name, f"the cell headed '# GRADED FUNCTION: {name}' defines {others} "
                                  f"instead of {name} (renamed?)")
            continue
        for name in names:
            if name in defs:
                plain.setdefault(name, []).append(GradedCell(name, source, index, defs[name]))
    for name in names:
        candidates = headed.get(name) or plain.get(name) or []
        if not candidates:
            if name not in result.problems:
                result.note(name, f"no cell defines {name} (the '# GRADED FUNCTION: {name}' cell "
                                  "is missing)")
            continue
        if len(candidates) > 1:
            result.note(name, f"{name} is defined in {len(candidates)} cells; the last one is graded")
        if name not in headed:
            result.note(name, f"{name} was found without its '# GRADED FUNCTION: {name}' header")
        result.cells[name] = candidates[-1]
    return result
