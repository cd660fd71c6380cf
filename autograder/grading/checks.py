"""Step 3 of grading: checks, run in the grader against the reference.

A :class:`Check` names one or more :class:`Call` s of the student's function
(made in the sandbox) and an ``evaluate`` function that judges the student's
outputs against the reference outputs (computed here, in the grader, from the
instructor's solution). Checks carry a weight: a function's points are shared
among its checks in proportion to their weights.

The per-assignment modules in :mod:`autograder.assignments` build the checks
of each graded function from a random generator seeded per student, so hidden
inputs differ between students and are reproducible for each.
"""

import functools
import hashlib
import io
import math
import numbers
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autograder.grading import vocabulary
from autograder.sandbox.wire import encode
from utils.checks import Problem, finite_and_close, mismatch_dict, mismatch_scalar


@dataclass(frozen=True)
class Call:
    """Arguments of one call of the graded function (inputs only)."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def encoded(self):
        return {"args": [encode(a) for a in self.args],
                "kwargs": {k: encode(v) for k, v in self.kwargs.items()}}


def _always(source):
    return True


@dataclass(frozen=True)
class Mistake:
    """A known mistake: ``variant(call)`` computes what the mistaken code returns.

    ``fits(code)`` says whether the student's code (comments and strings left out, see
    :func:`code_of`) could hold the mistake: a hint whose advice the code already follows
    (e.g. "copy the vector" to a student who copies it) is not given. ``close(got, produced)``
    replaces the default comparison for mistakes whose outputs are rounding noise.
    """

    key: str
    hint: str
    variant: Callable
    fits: Callable = _always
    close: Callable | None = None
    #: The ids of the mistakes it names (two for mistakes made together), for the instructor.
    keys: tuple = ()


def _both_fit(first, second):
    if first is _always:
        return second
    if second is _always:
        return first
    return lambda code: first(code) and second(code)


def catalogued(entries, fits=None, variants=None):
    """:class:`Mistake` s from the catalogue's entries (:mod:`utils.mistakes`: key, hint,
    variant, comparison), with the grader's own ``fits`` per key (an entry of two mistakes fits
    code that both fit) and, for entries the catalogue gives no variant, ``variants`` per key."""
    fits, variants = fits or {}, variants or {}
    mistakes = []
    for entry in entries:
        fit = fits.get(entry.key, _always)
        for part in entry.parts:
            fit = _both_fit(fit, fits.get(part, _always))
        mistakes.append(Mistake(entry.key, entry.hint, entry.variant or variants[entry.key], fit,
                                entry.close, entry.keys))
    return tuple(mistakes)


@dataclass(frozen=True)
class Check:
    """One graded check of a function.

    ``evaluate(student_values, reference_values)`` returns ``None`` when the
    student's outputs are right, else a :class:`utils.checks.Problem`: a published case's
    student reads it as it is, any other check's only as an entry of the closed vocabulary
    (:func:`autograder.grading.feedback.said`). ``describe`` tells the student what was tested: for a
    check that is not a published case it is the same for every student (a role, never a
    drawn value). ``stand_ins`` is Python source defining test doubles for other graded
    functions the function calls.
    """

    name: str
    calls: tuple[Call, ...]
    evaluate: Callable
    describe: str = ""
    weight: float = 1.0
    stand_ins: str = ""
    mistakes: tuple[Mistake, ...] = ()
    #: Advice only: its result never costs points; when it fails, its message (or the hint of
    #: a mistake it recognises) is given as a recommendation.
    advisory: bool = False
    #: The calls hand the function a wrong gradient: a working gradient checker reports a
    #: large difference on at least one such call (see :func:`unearned`).
    planted: bool = False

    @property
    def fixed_inputs(self):
        """Published cases use the notebook's inputs, the same for every student."""
        return self.name.startswith("published case")


def seed_for(student, assignment, secret=""):
    """A 64-bit seed from the course secret, the assignment and the student id."""
    digest = hashlib.sha256("\0".join((secret, assignment, student)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


#: How hidden inputs are drawn, recorded with every result. 2: each hidden case has a fixed role
#: and only values within it are drawn, from (course secret, assignment, student, the code that
#: runs in the function's job). A kit that draws differently gets a new number. 3: gradient_check_n's
#: hidden case 1 is drawn until its last parameter's gradient stands apart from the others'.
DRAW_SCHEME = 3


def code_key(source, context=""):
    """The fingerprint of the code a function's job runs: the context statements the notebook
    gives it (:mod:`autograder.grading.context`), then its cell. Line ends and trailing blanks do not
    count (a notebook saved on another system keeps its draw); any other change does."""
    text = f"{context}\n\0\n{source}".replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return hashlib.sha256("\n".join(lines).strip("\n").encode()).hexdigest()


def rng_for(seed, function, code=None):
    """The generator of one function's hidden inputs: the same whenever the same code of a
    student is graded, new whenever that code changes (``code``, a :func:`code_key`), so what one
    submission learns about its hidden inputs says nothing about the next one's. Feedback on
    hidden cases never shows their inputs or expected values."""
    salt = int.from_bytes(hashlib.sha256(function.encode()).digest()[:4], "little")
    return np.random.default_rng([seed, salt] + ([int(code, 16)] if code else []))


# Comparators: build ``evaluate`` functions -------------------------------------------


def _shown(hidden):
    return {"show_values": not hidden}


def number(value):
    """``value`` as a float when it is one real number: a Python or numpy scalar, or a numpy
    array holding exactly one real number (shape ``()``, ``(1,)``, ``(1, 1)``, ...); else ``None``.

    Where the course expects "a number", a one-element array is the same answer written
    another way (e.g. ``np.linalg.norm(..., keepdims=True)``).
    """
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "iuf":
            return None
        value = value.reshape(())[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def as_scalar(value):
    """A one-element array as its number (for the comparisons); anything else unchanged."""
    converted = number(value) if isinstance(value, np.ndarray) else None
    return value if converted is None else converted


def same_scalar(what, *, rtol=1e-9, atol=0.0, hidden=True):
    def evaluate(student, reference):
        got, expected = as_scalar(student[0]), float(reference[0])
        return mismatch_scalar(got, expected, what, rtol=rtol, atol=atol, **_shown(hidden))
    return evaluate


def same_dict(what, keys=None, *, rtol=1e-7, atol=1e-10, hidden=True, exact_keys=False, values=True):
    """The output dict matches the reference on ``keys`` (default: all reference keys).

    With ``values=False`` only the structure is compared: keys, types, shapes, finiteness.
    A missing key and (with ``exact_keys``) an unexpected one have categories of their own.
    """
    def evaluate(student, reference):
        got, expected = student[0], reference[0]
        wanted = {k: expected[k] for k in (keys or expected)}
        if isinstance(got, dict):
            missing = [key for key in wanted if key not in got]
            if missing:
                return Problem("missing key", f"{what} lacks the key(s) {', '.join(map(str, missing))}")
            extra = sorted(map(str, set(got) - set(expected))) if exact_keys else []
            if extra:
                return Problem("extra key", f"{what} has unexpected key(s) {', '.join(extra)}")
        return mismatch_dict(got, wanted, what, rtol=rtol, atol=atol, values=values, **_shown(hidden))
    return evaluate


def matches(value, expected, rtol=1e-7, atol=1e-10):
    """Whether ``value`` equals ``expected`` within tolerance (any nesting of tuples/dicts/arrays)."""
    if isinstance(expected, dict):
        return isinstance(value, dict) and set(value) >= set(expected) and all(
            matches(value[k], expected[k], rtol, atol) for k in expected)
    if isinstance(expected, tuple | list):
        return isinstance(value, tuple | list) and len(value) == len(expected) and all(
            matches(v, e, rtol, atol) for v, e in zip(value, expected, strict=True))
    if isinstance(expected, np.ndarray):
        return (isinstance(value, np.ndarray) and value.shape == expected.shape
                and value.dtype.kind in "biuf" and _allclose(value, expected, rtol, atol))
    got = number(value)
    try:
        wanted = float(expected)
    except (TypeError, ValueError, OverflowError):  # e.g. an int too large for a float
        return False
    if got is None:
        return False
    if math.isfinite(got) and math.isfinite(wanted):  # as np.isclose, without its overhead
        return abs(got - wanted) <= atol + rtol * abs(wanted)
    return got == wanted  # infinities of one sign; never NaN


def _allclose(value, expected, rtol, atol):
    """``np.allclose(value, expected, rtol, atol, equal_nan=True)``; close finite float arrays
    (the usual case) in a few operations."""
    if value.dtype.kind == "f" and expected.dtype.kind == "f" and finite_and_close(value, expected,
                                                                                   rtol, atol):
        return True
    return bool(np.allclose(value, expected, rtol=rtol, atol=atol, equal_nan=True))


def unchanged(before, after):
    """Whether an input came back from the call exactly as it was sent."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and after.shape == before.shape
                and bool(np.array_equal(after, before, equal_nan=True)))
    if isinstance(before, dict):
        return isinstance(after, dict) and set(after) == set(before) and all(
            unchanged(before[k], after[k]) for k in before)
    if isinstance(before, tuple | list):
        return isinstance(after, tuple | list) and len(after) == len(before) and all(
            unchanged(b, a) for b, a in zip(before, after, strict=True))
    if before is None or isinstance(before, numbers.Number | str | bytes):  # a leaf: 3, 0.8, "relu"
        if isinstance(after, np.ndarray | dict | tuple | list):
            return False
        return bool(before == after) or (before != before and after != after)  # NaN as NaN
    return True  # any other object: not compared


# Judging: from the student's outcomes to a verdict ---------------------------------------


@dataclass
class Outcome:
    """What one call of the student's function gave: a value, or why there is none."""

    value: object = None
    failure: Problem | None = None  # exception, timeout, memory, crash, unreadable value
    modified: str | None = None  # the argument the call changed in place, if any


def judge(check, outcomes, reference_values):
    """``None`` if the student passes ``check``, else the :class:`Problem` to report."""
    for outcome in outcomes:
        if outcome.failure is not None:
            return outcome.failure
    for outcome in outcomes:
        if outcome.modified:
            return Problem("modified input", f"the function changed its argument {outcome.modified} "
                                             "in place; work on a copy (np.copy) instead")
    try:
        return check.evaluate([o.value for o in outcomes], reference_values)
    except Exception as error:  # a malformed student value that slipped past the comparators
        return Problem("wrong type", f"the returned value has an unexpected structure "
                                     f"({error.__class__.__name__})")


CACHED_CHARS = 16 * 1024  # cells up to this size are cached by their text


def code_of(source):
    """The code of a cell without its comments and string literals (docstrings included), so
    that what the code *does* can be looked for without matching what its text *says*
    (cached by the cell's text: the cells many students share are read once)."""
    return _cached_code_of(source) if len(source) <= CACHED_CHARS else _code_of(source)


def _code_of(source):
    kept = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.STRING):
                continue
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                kept.append("\n")
            elif token.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING):
                kept.append(token.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return " ".join(kept)


_cached_code_of = functools.lru_cache(maxsize=1024)(_code_of)


# Earning the points: credit that passed checks alone do not prove -------------------------


def _same(values):
    """Whether plain values (as :func:`autograder.sandbox.wire.decode` returns them) are all identical."""
    from autograder.sandbox.wire import fingerprint

    try:
        return len({fingerprint(v) for v in values}) == 1
    except Exception:  # a value fingerprint cannot digest
        return False


#: A relative difference above this means the checker reported the planted wrong gradient
#: (the planted gradients give differences of 0.05 to 1; rounding noise stays below 1e-6).
FLAGGED = 1e-3


def unearned(judged):
    """Why a function has not earned the checks it passed, as a :class:`Problem`, or ``None``.

    ``judged`` lists ``(check, outcomes, reference_values, problem)`` for every
    check of one function, ``problem`` being what :func:`judge` said. Three ways
    to pass checks without doing the work are refused:

    - the same value whatever the inputs, where the reference's values differ
      (a constant that happens to satisfy a property check, or one output
      returned for every call);
    - a gradient checker that never reports a large difference, not even for the
      wrong gradients planted in some checks (``Check.planted``): a tiny number
      made up from the inputs passes the checks of correct gradients, and checks
      nothing;
    - the published cases right, their expected values being shown in the
      notebook, while every hidden case of the same kind (the same call on other
      inputs) fails: hard-coded outputs, or a lookup of the published inputs.
    """
    if not any(problem is None for check, _, _, problem in judged if not check.advisory):
        return None
    values = [o.value for _, outcomes, _, _ in judged for o in outcomes if o.failure is None]
    references = [r for _, _, reference, _ in judged for r in reference]
    if len(values) >= 2 and _same(values) and any(
            not matches(r, references[0], rtol=1e-9, atol=0.0) for r in references[1:]):
        return vocabulary.problem("constant-output")
    planted = [number(o.value) for check, outcomes, _, _ in judged if check.planted
               for o in outcomes if o.failure is None]
    if planted and not any(v is not None and abs(v) > FLAGGED for v in planted):
        return vocabulary.problem("never-flags")
    published = [problem is None for check, _, _, problem in judged if check.fixed_inputs]
    cases = [problem is None for check, _, _, problem in judged
             if check.name.startswith("hidden case")]
    if published and cases and all(published) and not any(cases):
        return vocabulary.problem("published-only")
    return None
