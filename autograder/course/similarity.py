"""Similarity of students' code, graded function by graded function, across a class.

Each graded function is normalised, then fingerprinted by winnowing (Schleimer, Wilkerson
and Aiken, "Winnowing: local algorithms for document fingerprinting", SIGMOD 2003, the
method behind MOSS):

1. **Normalise** with :mod:`ast`: comments and formatting go (the function is parsed and
   printed back by ``ast.unparse``); so do docstrings, bare string and ``print(...)``
   statements; every local name (assigned names, loop and comprehension variables, nested
   functions and their parameters, ``except ... as`` names) becomes ``v1, v2, ...`` in order of
   first appearance. Parameters, globals, attributes and keywords keep their names: the
   signature and ``np.`` calls are the same for everyone and renaming them would only add noise.
2. **Fingerprint**: the hashes of all runs of :data:`K` tokens; of each window of :data:`W`
   consecutive hashes the smallest is kept. Any run of ``K + W - 1`` tokens two functions share
   gives them a fingerprint in common, whatever surrounds it.
3. **Discount what is not the student's**: fingerprints of the release notebook's own stub
   of the function (the template lines every student starts from) are removed, and so is any
   fingerprint found in more than :data:`COMMON_SHARE` of the class's submissions of that
   function, or in more than :data:`MAX_HOLDERS` of them (the code most of the class writes the
   same way counts for nothing; MOSS ignores a passage found in more than 10 programs by
   default, for the same reason). So a group of more than ten students who hand in one text
   is not found: it looks like a common way of writing the function.
4. **Score** a pair by the Jaccard index of what remains: shared fingerprints over all of the
   two students' fingerprints. Pairs at or above :data:`THRESHOLD` whose smaller side has at
   least :data:`MIN_FINGERPRINTS` fingerprints are reported.

The fingerprints of a student are computed while they are graded (in the grading worker)
and stored with their result; the class-wide step (:func:`similar_pairs`) reads them back.
It indexes fingerprints and compares only students that share one, after merging students
whose remaining fingerprints are identical (copies of one text are compared once). A
fingerprint is held by at most ten submissions, so its cost grows linearly with the class
(at most 45 pairs per distinct fingerprint), not with its square.

The pair view of the report shows where two students' code agrees: :func:`token_lines` maps
each normalised token back to the line of the cell it was printed from, and :func:`marked_lines`
marks every line a shared fingerprint covers (and the lines of template and common code, which
were discounted), so a renamed copy is highlighted on the same statements on both sides.

Written here rather than taken from ``copydetect``: that tool fingerprints whole files and
compares every pair of files, and knows nothing of graded functions, template code or Python
scoping; the few dozen lines below do the per-function part with the standard library.
"""

import ast
import bisect
import functools
import re
import zlib
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from autograder.grading import reference
from autograder.grading.extract import extract, read_notebook

K = 10  # tokens per fingerprinted run
W = 5  # window of the winnowing: a shared run of K + W - 1 = 14 tokens is always seen
THRESHOLD = 0.6  # Jaccard index of the remaining fingerprints at or above which a pair is reported
MIN_FINGERPRINTS = 5  # a pair whose smaller side keeps fewer is too little code to judge
COMMON_SHARE = 0.5  # a fingerprint in more than this share of a class's submissions counts for nothing
COMMON_MIN_STUDENTS = 3  # (once at least this many have it: in a class of 2 nothing is "common"),
MAX_HOLDERS = 10  # and so does one in more than 10 submissions, whatever the class's size (as in MOSS)
TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*(?:[eE][-+]?\d+)?|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\S")


def _is_dropped(statement):
    """A docstring, a string used as a comment, or a ``print(...)`` call: not the student's logic."""
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value
    return (isinstance(value, ast.Constant) and isinstance(value.value, str)) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print")


def _position(node):
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def normalise(source, name):
    """The tokens of function ``name`` of ``source`` once normalised (see the module docstring);
    None when ``source`` does not parse or does not define ``name`` at its top level."""
    return _normalise(source, name)


def _normalise(source, name):
    found = _normalised(source, name)
    return None if found is None else tuple(TOKEN.findall(found[0]))


def _normalised(source, name):
    """``(text, body)``: the normalised text of function ``name`` and its renamed body (an
    :class:`ast.Module` whose nodes keep their positions in ``source``), or None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    function = next((node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                     and node.name == name), None)
    if function is None:
        return None
    arguments = function.args
    parameters = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    parameters |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a}
    body = ast.Module(body=function.body, type_ignores=[])
    first_seen, names, arguments_seen = {}, [], []
    try:
        nodes = list(ast.walk(body))
    except RecursionError:
        return None
    for node in nodes:  # one pass: find the locals, drop what is not logic
        if isinstance(node, ast.Name):
            names.append(node)
            if isinstance(node.ctx, ast.Store | ast.Del):
                first_seen.setdefault(node.id, []).append(_position(node))
        elif isinstance(node, ast.arg):
            arguments_seen.append(node)
            node.annotation = None
            first_seen.setdefault(node.arg, []).append(_position(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first_seen.setdefault(node.name, []).append(_position(node))
            node.decorator_list = []
            if not isinstance(node, ast.ClassDef):
                node.returns = None
        elif isinstance(node, ast.ExceptHandler) and node.name:
            first_seen.setdefault(node.name, []).append(_position(node))
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                kept = [statement for statement in block if not _is_dropped(statement)]
                setattr(node, field, kept or ([ast.Pass()] if field == "body" else []))
    local = sorted((n for n in first_seen if n not in parameters), key=lambda n: (min(first_seen[n]), n))
    renamed = {old: f"v{number}" for number, old in enumerate(local, start=1)}
    for node in names:
        node.id = renamed.get(node.id, node.id)
    for node in arguments_seen:
        node.arg = renamed.get(node.arg, node.arg)
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.name = renamed.get(node.name, node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            node.name = renamed.get(node.name, node.name)
    try:
        return ast.unparse(body), body
    except (RecursionError, ValueError):
        return None


def token_lines(source, name):
    """``(tokens, lines)``: the normalised tokens of function ``name`` (as :func:`normalise` gives
    them) and, for each, the line of ``source`` it stands for (1-based; None for a token that no
    line wrote, e.g. the ``pass`` of a body whose statements were all dropped); None when
    :func:`normalise` gives None.

    The normalised text is parsed again: its tree has the shape of the renamed body, so walking
    both side by side pairs each node of the text with the node of ``source`` it was printed
    from. A token stands for the line where the smallest node around it starts in ``source``:
    a name or a number for its own line, an operator or a bracket for the line of its expression.
    The work grows with the function's length times a logarithm, never with its square
    (:func:`_innermost`): a student's very long cell cannot slow down the class report.
    """
    found = _normalised(source, name)
    if found is None:
        return None
    text, body = found
    matches = list(TOKEN.finditer(text))
    tokens = tuple(match.group() for match in matches)
    try:
        spans = _spans(text, body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tokens, [None] * len(tokens)
    return tokens, _innermost(_byte_offsets(text, matches), spans)


def _spans(text, body):
    """``[(start, end, line)]``: where each node of the normalised ``text`` lies in it (UTF-8 byte
    offsets, as :mod:`ast` counts columns) and the line of ``source`` its twin in ``body`` starts on."""
    starts = [0]
    for line in text.encode("utf-8", "surrogatepass").splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    for original, printed in zip(ast.walk(body), ast.walk(ast.parse(text)), strict=False):
        if type(original) is not type(printed):
            break  # the shapes part here (not seen in practice): later nodes stay unpaired
        line = getattr(original, "lineno", None)
        if line is not None and getattr(printed, "end_lineno", None) is not None:
            spans.append((starts[printed.lineno - 1] + printed.col_offset,
                          starts[printed.end_lineno - 1] + printed.end_col_offset, line))
    return spans


def _byte_offsets(text, matches):
    """``[(start, end)]`` of each token match of ``text`` in UTF-8 bytes, in one pass."""
    if text.isascii():
        return [match.span() for match in matches]
    offsets, char, byte = [], 0, 0
    for match in matches:
        start, end = match.span()
        byte += len(text[char:start].encode("utf-8", "surrogatepass"))
        first = byte
        byte += len(text[start:end].encode("utf-8", "surrogatepass"))
        offsets.append((first, byte))
        char = end
    return offsets


def _innermost(offsets, spans):
    """For each token of ``offsets`` (``[(start, end)]``, in order and not overlapping), the line of
    the smallest span of ``spans`` (``[(start, end, line)]``) around it, the smaller line on a tie
    (None when none is around it).

    Spans are taken smallest first; the tokens inside one are found by bisection on the tokens'
    sorted starts and ends, and each token is given a line once: a token that has one is skipped
    by following ``following``, the next token still without a line (a disjoint-set forest with
    path halving). So the work is ``O(s log s + t)`` for ``s`` spans and ``t`` tokens, however
    deeply the spans nest."""
    starts = [start for start, _ in offsets]
    ends = [end for _, end in offsets]
    lines = [None] * len(offsets)
    following = list(range(len(offsets) + 1))

    def without_line(index):
        while following[index] != index:
            following[index] = following[following[index]]
            index = following[index]
        return index

    for start, end, line in sorted(spans, key=lambda span: (span[1] - span[0], span[2])):
        last = bisect.bisect_right(ends, end)
        index = without_line(bisect.bisect_left(starts, start))
        while index < last:
            lines[index] = line
            following[index] = index + 1
            index = without_line(index + 1)
    return lines


#: How a line of a pair view is marked, strongest first: code the two students share, code of the
#: release notebook's stub, code many students of the class share (both discounted).
MARKS = ("shared", "template", "common")


def marked_lines(source, name, shared, stub=frozenset(), common=frozenset()):
    """``[(number, text, mark)]`` for each line of the cell ``source``: ``mark`` is the strongest of
    :data:`MARKS` whose fingerprints (sets of ints: ``shared``, ``stub``, ``common``) cover a
    token of that line, or ``""``. A fingerprint covers the :data:`K` tokens whose hash it is,
    wherever they occur in the function."""
    marks = {}
    found = token_lines(source, name)
    if found is not None:
        tokens, lines = found
        k = min(K, len(tokens))
        for start, value in enumerate(_hashes(tokens, k) if tokens else []):
            for rank, values in enumerate((shared, stub, common)):
                if value in values:
                    for line in lines[start:start + k]:
                        if line is not None:
                            marks[line] = min(marks.get(line, rank), rank)
                    break
    return [(number, text, MARKS[marks[number]] if number in marks else "")
            for number, text in enumerate(_ast_lines(source), start=1)]


def _ast_lines(source):
    """``source``'s lines as Python numbers them (``str.splitlines`` also splits at form feeds,
    ``\x1c``-``\x1e``, ``\x85`` and ``\u2028``, which would put every later mark a line off)."""
    text = source.replace("\r\n", "\n").replace("\r", "\n").removesuffix("\n")
    return text.split("\n") if text else []


CACHED_CHARS = 64 * 1024  # cells up to this size have their fingerprints cached by text


_BASE, _MASK = 1_000_003, (1 << 32) - 1


def _hashes(tokens, k):
    """A 32-bit hash of every run of ``k`` tokens (a polynomial rolling hash over the tokens'
    CRC-32s: the same in every process, unlike Python's salted ``hash``)."""
    values = [zlib.crc32(token.encode("utf-8", "surrogatepass")) for token in tokens]
    top = pow(_BASE, k - 1, 1 << 32)
    current = 0
    for value in values[:k]:
        current = (current * _BASE + value) & _MASK
    hashes = [current]
    for i in range(k, len(values)):
        current = ((current - values[i - k] * top) * _BASE + values[i]) & _MASK
        hashes.append(current)
    return hashes


def winnow(tokens, k=K, w=W):
    """The winnowed fingerprints of a token list: a sorted list of 32-bit ints."""
    if not tokens:
        return []
    hashes = _hashes(tokens, min(k, len(tokens)))
    if len(hashes) <= w:
        return [min(hashes)]
    return sorted({min(hashes[i:i + w]) for i in range(len(hashes) - w + 1)})


def fingerprint(source, name):
    """The winnowed fingerprints of function ``name`` in the cell ``source`` ([] if none)."""
    if len(source) > CACHED_CHARS:
        return _fingerprint(source, name)
    return list(_cached_fingerprint(source, name))


def _fingerprint(source, name):
    tokens = _normalise(source, name)
    return [] if tokens is None else winnow(tokens)


#: Cached by cell text: the untouched stubs and common answers are the same for many students.
@functools.lru_cache(maxsize=2048)
def _cached_fingerprint(source, name):
    return tuple(_fingerprint(source, name))


def fingerprint_notebook(notebook, assignment):
    """``{function: [fingerprint, ...]}`` of the graded functions of a parsed notebook (a
    function that is missing or does not parse has none)."""
    names = reference.load(assignment).names
    return fingerprint_cells(extract(notebook, names).cells, names)


def fingerprint_cells(cells, names):
    """``{function: [fingerprint, ...]}`` of the functions ``names`` in ``cells`` (``{name:
    cell}`` as :func:`autograder.grading.extract.extract` finds them, e.g. kept from grading)."""
    fingerprints = {}
    for name in names:
        cell = cells.get(name)
        if cell is not None and cell.signature is not None and not cell.syntax_error:
            fingerprints[name] = fingerprint(cell.source, name)
    return fingerprints


@functools.cache
def template(assignment):
    """``{function: frozenset of fingerprints}`` of the release notebook's stubs."""
    spec = reference.load(assignment)
    notebook = read_notebook(spec.release_dir / spec.notebook)
    return {name: frozenset(values) for name, values in fingerprint_notebook(notebook, assignment).items()}


@dataclass(frozen=True)
class Pair:
    assignment: str
    function: str
    student_a: str
    student_b: str
    score: float
    shared: int  # fingerprints in common, after discounting template and common code


class Collector:
    """Gathers the stored fingerprints of a class (``add`` one result row at a time), then
    :meth:`pairs`. Holds the fingerprints as arrays of 32-bit ints (4 bytes each: about 3 MB
    for 1,000 students), one per student and function."""

    def __init__(self):
        self.students = []
        self.by_function = defaultdict(list)  # (assignment, function) -> [(student index, fingerprints)]
        self.index = {}  # (assignment, function, student) -> the student's fingerprints of it

    def add(self, row):
        code = row.get("code") or {}
        if not code:
            return
        index = len(self.students)
        self.students.append(row["student"])
        for assignment, functions in code.items():
            for function, values in functions.items():
                if values:
                    stored = array("I", values)
                    self.by_function[(assignment, function)].append((index, stored))
                    self.index[(assignment, function, row["student"])] = stored

    def pairs(self, threshold=THRESHOLD):
        """Every pair at or above ``threshold``, most similar first (ties by function and names)."""
        found = []
        for (assignment, function), submissions in sorted(self.by_function.items()):
            stub = _stub(assignment, function)
            for a, b, score, shared in _function_pairs(submissions, stub, threshold):
                first, second = sorted((self.students[a], self.students[b]))
                found.append(Pair(assignment, function, first, second, round(score, 3), shared))
        found.sort(key=lambda p: (-p.score, p.assignment, p.function, p.student_a, p.student_b))
        return found


    def evidence(self, pair):
        """What a pair view shows of ``pair``: ``{"a", "b"}`` (each student's fingerprints of the
        function), ``"shared"`` (those the two have in common and that count), ``"stub"`` and
        ``"common"`` (those that count for nothing: the release stub's, and those held by too many
        submissions of the class); sets of ints."""
        key = (pair.assignment, pair.function)
        stub = _stub(*key)
        common = _common(self.by_function.get(key, []))
        a = frozenset(self.index.get((*key, pair.student_a), ()))
        b = frozenset(self.index.get((*key, pair.student_b), ()))
        return {"a": a, "b": b, "shared": (a & b) - stub - common, "stub": stub, "common": common}


def _stub(assignment, function):
    """The fingerprints of the release notebook's stub of ``function`` (none for another assignment)."""
    if assignment not in reference.NOTEBOOKS:
        return frozenset()
    return template(assignment).get(function, frozenset())


def _common(submissions):
    """The fingerprints of one function's submissions ``[(student, fps)]`` that too many of them hold."""
    frequency = Counter(value for _, values in submissions for value in set(values))
    limit = min(MAX_HOLDERS, max(COMMON_MIN_STUDENTS - 1, COMMON_SHARE * len(submissions)))
    return {value for value, count in frequency.items() if count > limit}


def _function_pairs(submissions, stub, threshold):
    """``(student a, student b, score, shared)`` of one function's submissions ``[(student, fps)]``."""
    common = _common(submissions)
    variants = defaultdict(list)  # the student's own fingerprints -> students who have exactly them
    for student, values in submissions:
        own = frozenset(values) - stub - common
        if len(own) >= MIN_FINGERPRINTS:
            variants[own].append(student)
    keys = list(variants)
    results = []
    for key in keys:  # students with the very same fingerprints
        for a, b in combinations(variants[key], 2):
            results.append((a, b, 1.0, len(key)))
    index = defaultdict(list)
    for number, key in enumerate(keys):
        for value in key:
            index[value].append(number)
    shared = Counter()
    for holders in index.values():
        if len(holders) > 1:
            shared.update(combinations(holders, 2))
    for (x, y), count in shared.items():
        first, second = keys[x], keys[y]
        if min(len(first), len(second)) < MIN_FINGERPRINTS:
            continue
        score = count / (len(first) + len(second) - count)
        if score >= threshold:
            for a in variants[first]:
                for b in variants[second]:
                    results.append((a, b, score, count))
    return results


def write_csv(pairs, path, view=None):
    """``assignment, function, student_a, student_b, score, view`` of each pair (written atomically,
    by :func:`autograder.course.spreadsheet.write_csv`: no student id reads as a formula). ``view(pair)``
    gives the pair view's link, relative to the file's folder (the column is empty without it)."""
    from autograder.course import spreadsheet

    spreadsheet.write_csv(path, ["assignment", "function", "student_a", "student_b", "score", "view"],
                          ([pair.assignment, pair.function, pair.student_a, pair.student_b, pair.score,
                            view(pair) if view else ""] for pair in pairs), number_format=".3f")


def source_of(notebook_path, assignment, function):
    """The text of ``function``'s cell in the notebook at ``notebook_path`` (for the report), or None."""
    try:
        found = extract(read_notebook(notebook_path), reference.load(assignment).names)
    except Exception:
        return None
    cell = found.cells.get(function)
    return cell.source if cell is not None else None
