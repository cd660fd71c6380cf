"""Step 4 of grading: turn verdicts into feedback that teaches without leaking.

A published case says what is wrong in full: the category (missing, exception with the
student's own message and line, timeout, memory, crash, missing or extra key, wrong type,
shape or values with the expected and obtained numbers, NaN/inf, modified input). Any other
check (hidden cases, property checks, advice only: their inputs reached the job after the
published cases' results were back) says one entry of the closed vocabulary
(:mod:`autograder.grading.vocabulary`) and nothing else; :func:`said` is where that is decided. When the
student's output matches a known mistake computed by the grader, the function's hint names it.
"""

import ast
import builtins
import re
import warnings

import numpy as np

from autograder.grading import vocabulary
from autograder.grading.checks import code_of, matches
from utils.checks import Problem
from utils.mistakes import Raises

#: Exception names shown as they are: Python's built-in exceptions and numpy's public ones.
#: Any other name is the student's to choose, so it is never shown for a hidden case.
KNOWN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
) | {"AxisError", "LinAlgError", "UFuncTypeError", "DTypePromotionError"}
_OWN_CLASS = "an exception of a class defined in your code"
MAX_QUOTED = 300


def exception_kind(name):
    """A fixed description of an exception type: its name if built in (or numpy's), else
    the same words for every class the student's code defines."""
    if name in KNOWN_EXCEPTIONS:
        return name
    if name.startswith("_UFunc"):  # numpy's private subclasses of UFuncTypeError
        return "UFuncTypeError"
    return _OWN_CLASS


def failure_from_error(error, function, quote):
    """A :class:`Problem` for an exception the student's code raised in the sandbox.

    ``quote`` is true only when the job sent the error before any hidden input reached it
    (the published cases, the cell itself): then the message and the line are the student's
    own business and are quoted. Otherwise the student's code could have written the hidden
    inputs into any text it controls, or chosen the exception's class by them, so only the
    vocabulary's entry is said (:mod:`autograder.grading.vocabulary`).
    """
    name = error.get("type", "") if isinstance(error.get("type"), str) else ""
    if name == "NotImplementedError":
        if not quote:
            return vocabulary.problem("not-written")
        return Problem("missing", f"{function} is not written yet: it still raises NotImplementedError")
    if name == "MemoryError":
        return Problem("memory", "ran out of memory") if quote else vocabulary.problem("out-of-memory")
    if not quote:
        return vocabulary.problem("wrong-type" if name == "UnsupportedValue" else "exception")
    if name == "UnsupportedValue":
        return Problem("wrong type", "returned a value the grader cannot read: "
                                     + _quoted(error.get("message", "")))
    kind = _quoted(name) or "an exception"
    message = _quoted(error.get("message", ""))
    where = f" (line {error['line']} of your {function} cell)" if error.get("line") else ""
    text = f"raised {kind}: {message}" if message else f"raised {kind}"
    if len(text) > MAX_QUOTED:
        text = text[:MAX_QUOTED - 3] + "..."
    return Problem("exception", text + where)


def _quoted(text):
    """Student-made text on one line: no line breaks or control characters that could pass for
    lines of the grader's own report (e.g. a forged "✓ hidden case 1")."""
    if not isinstance(text, str):
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in text[:2000]).split())


#: What the student reads when a job did not finish; the sandbox's own details (signal
#: numbers, exit statuses) are left out: a student's code chooses them.
STATUS_TEXT = {
    "timeout": ("timeout", "did not finish in time; look for an endless loop or a very slow "
                           "computation"),
    "memory": ("memory", "used too much memory"),
    "crashed": ("crash", "the process running your code stopped; do not call exit functions or "
                         "send signals in graded code"),
    "output_limit": ("crash", "printed far too much output and was stopped"),
}


def failure_from_status(status):
    """A :class:`Problem` for a job the sandbox could not finish (a fixed text per status)."""
    category, text = STATUS_TEXT.get(status, ("exception", "could not be run"))
    return Problem(category, text)


def said(function, check, problem):
    """``(category, text)``: what the student reads of ``problem``, found by ``check`` of the
    graded function ``function``. The one place a check's problem becomes text a student reads:
    a published case says the problem itself; any other check, an entry of the closed
    vocabulary (:func:`autograder.grading.vocabulary.entry_for`), never the problem's own words."""
    if check.fixed_inputs:
        return problem.category, str(problem)
    entry = vocabulary.entry_for(function, problem)
    return entry.category, entry.text


def shown(assignment, function, check, problem):
    """``(category, message)`` of a failed check's line: which check, what was tested (for a
    check that is not a published case, as the vocabulary's catalogue describes it for every
    student), what went wrong (:func:`said`)."""
    category, text = said(function, check, problem)
    if check.fixed_inputs:
        return category, vocabulary.line(check.name, check.describe, text)
    described = vocabulary.catalogue(assignment, function).checks.get(check.name, "")
    return category, vocabulary.line(check.name, described, text)


def message_for(check, problem):
    """One line for the student about a published case: which check, what was tested, what
    went wrong (any other check's line is :func:`shown`)."""
    return vocabulary.line(check.name, check.describe, problem)


def no_match(check_name, text):
    """The hint of a function whose outputs no catalogued mistake explains: what its failed
    published case ``check_name`` found (``text``, that case's own words, shown on its line too)."""
    return f"No known mistake matches your outputs; what the {check_name} found: {text}"


def find_hint(check, outcomes):
    """The hint of the first known mistake whose output equals the student's, if any."""
    found = matching_mistakes(check, outcomes)
    return found[0].hint if found else None


def matching_mistakes(check, outcomes, among=None):
    """Every known mistake of ``check`` whose outputs are the student's, call by call, in
    catalogue order (only those whose key is in ``among``, when given).

    A call on which the mistaken code raises (its variant raises :class:`utils.mistakes.Raises`)
    matches a call of the student's that raised an exception or returned NaN or infinity; any
    other call matches a value equal to the mistake's output. A call that timed out, crashed or
    ran out of memory matches no mistake."""
    if not check.mistakes or any(o.failure is not None and o.failure.category != "exception"
                                 for o in outcomes):
        return []
    found = []
    for mistake in check.mistakes:
        if among is not None and mistake.key not in among:
            continue
        close = mistake.close or (lambda got, made: matches(got, made, rtol=1e-6, atol=1e-12))
        try:
            if all(_call_matches(mistake, call, outcome, close)
                   for call, outcome in zip(check.calls, outcomes, strict=True)):
                found.append(mistake)
        except Exception:  # a variant that does not apply, or a student value it cannot compare
            continue
    return found


def _call_matches(mistake, call, outcome, close):
    try:
        produced = mistake.variant(call)
    except Raises:
        return outcome.failure is not None or _not_finite(outcome.value)
    return outcome.failure is None and close(outcome.value, produced)


def _not_finite(value):
    try:
        return not bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError, OverflowError):
        return False


def status_for(score, max_score, problems, missing):
    """The function's status from its score and the categories of its failed checks."""
    categories = {p.category for p in problems}
    if missing or (problems and categories == {"missing"} and score == 0):
        return "missing"
    if score >= max_score - 1e-9:
        return "passed"
    if score > 0:
        return "partial"
    if "timeout" in categories:
        return "timeout"
    if categories & {"exception", "memory", "crash", "structure"}:
        return "error"
    return "failed"


# numpy 2: what worked on the course's numpy 1.x and stops now -----------------------------

#: Names numpy 2 removed that the course's generation of code used, and what to write instead.
REMOVED_NUMPY_NAMES = {
    "int": "int (or np.int64)", "float": "float (or np.float64)", "bool8": "np.bool_",
    "object": "object", "str": "str", "complex": "complex", "unicode": "str",
    "long": "int", "int0": "np.intp", "uint0": "np.uintp", "float_": "np.float64",
    "complex_": "np.complex128", "string_": "np.bytes_", "unicode_": "np.str_",
    "NaN": "np.nan", "NAN": "np.nan", "Inf": "np.inf", "Infinity": "np.inf", "infty": "np.inf",
    "PINF": "np.inf", "NINF": "-np.inf", "product": "np.prod", "cumproduct": "np.cumprod",
    "sometrue": "np.any", "alltrue": "np.all", "asfarray": "np.asarray(..., dtype=float)",
    "round_": "np.round", "mat": "np.asmatrix", "in1d": "np.isin", "trapz": "np.trapezoid",
}
_NUMPY_NAME = re.compile(r"\b(?:np|numpy)\s*\.\s*([A-Za-z_]\w*)\b(?!\s*\.)")
_ELEMENT_TARGET = re.compile(r"^(?P<element>[A-Za-z_]\w*\s*(?:\[[^\]=]*\]\s*){1,3})(?P<op>[-+*/]?=)(?!=)")
#: An element of a row, ``thetaplus[i][0]`` or ``J[i, 0]``: the row, ``thetaplus[i]`` or ``J[i]``.
_ROW_OF_ELEMENT = (re.compile(r"^(?P<name>[A-Za-z_]\w*\s*\[[^\]]*\])\s*\[\s*0\s*\]$"),
                   re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*\[(?P<index>[^\],]*),\s*0\s*\]$"))
_SIMPLE = re.compile(r"^[A-Za-z_][\w.]*(?:\[[^\]]*\])*$")


def _row_of(element):
    """The row an element ``x[i][0]`` or ``x[i, 0]`` belongs to (``x[i]``), else ``None``."""
    for pattern in _ROW_OF_ELEMENT:
        found = pattern.match(element)
        if found:
            index = found.groupdict().get("index")
            return found.group("name") + (f"[{index.strip()}]" if index is not None else "")
    return None


def _item_of(value):
    """``value.item()``, in parentheses unless ``value`` is a name or an element."""
    return f"{value}.item()" if _SIMPLE.match(value) else f"({value}).item()"
_SCALAR_CALL = re.compile(r"\b(float|int)\s*\(")


#: When numpy removed each name of :data:`REMOVED_NUMPY_NAMES`: the aliases of Python's own types
#: were deprecated in 1.20 and removed in 1.24; the others went in 2.0, except two that 2.0
#: deprecated and a later 2.x release removed.
ALIASES_REMOVED = frozenset({"int", "float", "bool", "object", "str", "complex", "long", "unicode"})
DEPRECATED_IN_2 = frozenset({"in1d", "trapz"})


def numpy_has(name):
    """Whether this numpy has ``np.<name>`` (asked without the warnings numpy gives for
    ``np.object`` and ``np.str``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hasattr(np, name)


def removed_when(name):
    """When numpy removed ``np.<name>`` (a name of :data:`REMOVED_NUMPY_NAMES`), in words."""
    if name in ALIASES_REMOVED:
        return "it was removed in numpy 1.24 (deprecated since 1.20)"
    if name in DEPRECATED_IN_2:
        return "it was deprecated in numpy 2.0 and removed in a later 2.x release"
    return "it was removed in numpy 2.0"


def without_comment(line):
    """``line`` without its trailing comment (a ``#`` outside string literals) and trailing blanks."""
    quote = None
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = None
        elif char in "\"'":
            quote = line[index:index + 3] if line[index:index + 3] in ('"""', "'''") else char
            index += len(quote) - 1
        elif char == "#":
            return line[:index].rstrip()
        index += 1
    return line.rstrip()


def _call_argument(text, start):
    """The text between the parenthesis at ``start - 1`` and its match, or ``None``."""
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index].strip()
    return None


def numpy2_advice(source_line, exception_kind):
    """Plain advice when a line that worked on numpy 1.x fails on numpy 2, else ``None``.

    ``source_line`` is the student's line where the exception was raised, as the grader has it
    in the cell (never the exception's message); ``exception_kind`` is the name of the
    exception's built-in type (``"AttributeError"``, ``"TypeError"``, ``"ValueError"``). The
    advice quotes the line without its comment, and its example is made of the line's own
    names (the element it assigns, the value it converts): both are the student's own text.
    """
    line = _quoted(without_comment(_quoted(source_line)))
    code = code_of(line).strip() if line else ""
    if not code:
        return None
    shown = line if len(line) <= 120 else line[:117] + "..."
    if exception_kind == "AttributeError":
        for name in _NUMPY_NAME.findall(code):
            if name in REMOVED_NUMPY_NAMES and not numpy_has(name):
                return (f"numpy 2 has no np.{name}: {removed_when(name)}, and the course's code was "
                        f"written for an earlier numpy; write {REMOVED_NUMPY_NAMES[name]} instead, "
                        f"in: {shown}")
    if exception_kind == "TypeError" and _sums_a_generator(line):
        return ("numpy 2 no longer accepts a generator in np.sum (np.sum(f(x) for x in ...)); "
                f"write sum(...) or np.sum([...]) with a list instead, in: {shown}")
    # found in the code (strings left out), its parts taken from the line as the student wrote it
    target = _ELEMENT_TARGET.match(code) and _ELEMENT_TARGET.match(line.strip())
    if exception_kind == "ValueError" and target:
        element, op = target.group("element").strip(), target.group("op")
        value = line.strip()[target.end():].strip()
        row = _row_of(element) if op == "=" else None  # J[i] += v is not J = v
        whole = f", or assign to the whole row: {row} = {value}" if row else ""
        return ("numpy 2 no longer puts a one-element array into a single element of an array "
                f"(numpy 1.x did): if {value} is such an array (of shape (1,) or (1, 1)), take its "
                f"number: {element} {op} {_item_of(value)}{whole}; in: {shown}")
    conversion = _SCALAR_CALL.search(code) and _SCALAR_CALL.search(line)
    if exception_kind == "TypeError" and conversion:
        argument = _call_argument(line, conversion.end())
        example = (f": if {argument} is a one-element array, write {_item_of(argument)} instead of "
                   f"{conversion.group(1)}({argument})" if argument else
                   ": for a one-element array, use .item() or [0] instead")
        return ("numpy 2 converts only arrays of no dimension (shape ()) with float() or int()"
                f"{example}, in: {shown}")
    return None


def numpy2_advice_in(cell_source, line_number, exception_kind):
    """:func:`numpy2_advice` for line ``line_number`` (1-based) of the cell ``cell_source``."""
    if not isinstance(cell_source, str) or not isinstance(line_number, int) or line_number < 1:
        return None
    lines = cell_source.splitlines()
    if line_number > len(lines):
        return None
    return numpy2_advice(lines[line_number - 1], exception_kind)


def _sums_a_generator(line):
    """Whether the line calls np.sum / numpy.sum on a generator expression."""
    text = line.strip()
    for candidate in (text, "(" + text + ")", text + "\n    ..."):  # a block's header
        try:
            tree = ast.parse(candidate)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "sum" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("np", "numpy")
                    and node.args and isinstance(node.args[0], ast.GeneratorExp)):
                return True
        return False
    return re.search(r"\b(?:np|numpy)\s*\.\s*sum\s*\(.*\bfor\b.*\bin\b", text) is not None
