"""Comparisons that explain themselves: wrong type, wrong shape, wrong value.

Used by the visible tests in the notebooks (:mod:`utils.public_tests`) and by
the autograder's feedback, so a student reads the same kind of message in
both places. Each ``mismatch_*`` function returns ``None`` when the value is
acceptable and otherwise one sentence saying what is wrong.

Tolerances are always explicit: ``rtol`` is relative to the expected value,
``atol`` absolute. For tiny quantities (a gradient-check difference of
``7.8e-11``) use ``atol=0`` so that ``0`` or ``1e-12`` is not accepted.
"""

import functools
import numbers
import os
import traceback
from pathlib import Path

import numpy as np

_KIT = Path(__file__).resolve().parent
#: A failing visible test shows at most this many problems (the rest are counted).
SHOWN_PROBLEMS = 6
#: Catalogued mistakes named at most when several give the student's output on the notebook's case.
SHOWN_HINTS = 3


class CheckFailed(AssertionError):
    """A visible test found a wrong answer; the message says what and where.

    In a notebook, IPython shows only the message (``_render_traceback_``, its hook for
    exceptions that draw themselves): no frames of the kit's helpers. The cell still fails,
    so "Run all" stops there.
    """

    def _render_traceback_(self):
        lines = str(self).splitlines() or [type(self).__name__]
        return [f"\033[91m{lines[0]}\033[0m"] + lines[1:]


class NotWrittenYet(CheckFailed, NotImplementedError):
    """The tested function is still the release's stub (it raises ``NotImplementedError``)."""


class RaisedError(CheckFailed):
    """The tested function raised an exception; the message shows its lines in the student's code."""


def _is_kit_frame(frame):
    try:
        return Path(frame.filename).resolve().is_relative_to(_KIT)
    except (OSError, ValueError):
        return False


def call_student(function_name, target, *args, **kwargs):
    """``target(*args, **kwargs)``; an exception it raises becomes a short :class:`CheckFailed`.

    A stub's ``NotImplementedError`` says the function is not written yet; any other exception
    is named with the last lines of the student's own code it passed through (never the kit's).
    """
    try:
        return target(*args, **kwargs)
    except NotImplementedError as error:
        message = f"`{function_name}` is not written yet"
        if str(error):
            message += f" ({error})"
        raise NotWrittenYet(message + ": replace `raise NotImplementedError()` with your code, "
                                      "run that cell, then this one again.") from None
    except Exception as error:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if not _is_kit_frame(f)][-3:]
        lines = [f"`{function_name}` raised {type(error).__name__}: {error}"[:300]]
        for frame in frames:
            code = (frame.line or "").strip()
            lines.append((f"  in {frame.name}, line {frame.lineno}" + (f": {code}" if code else ""))[:200])
        raise RaisedError("\n".join(lines)) from None


class Problem(str):
    """One sentence saying what is wrong, tagged with its ``category``.

    Categories: ``"wrong type"``, ``"wrong shape"``, ``"NaN/inf"``, ``"wrong value"``.
    """

    def __new__(cls, category, text):
        problem = super().__new__(cls, text)
        problem.category = category
        return problem


def _type_name(value):
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def finite_and_close(got, expected, rtol, atol):
    """Whether the float arrays ``got`` and ``expected`` (one shape) are finite and everywhere
    within ``atol + rtol * |expected|`` of each other, ``np.isclose``'s rule: the usual case of a
    comparison, in a few operations. False only says that the full comparison must decide (a NaN
    or an infinity in ``got`` compares False)."""
    return bool(np.isfinite(expected).all()
                and (np.abs(got - expected) <= atol + rtol * np.abs(expected)).all())


def mismatch_array(got, expected, what, *, rtol=1e-7, atol=1e-9, show_values=True, values=True):
    """Compare ``got`` with the array ``expected``: type, shape, finiteness, then (if ``values``) values."""
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray):
        return Problem("wrong type", f"{what} should be a numpy array of shape {expected.shape}, "
                                     f"got {_type_name(got)}")
    if got.shape != expected.shape:
        return Problem("wrong shape", f"{what} has shape {got.shape}; expected {expected.shape}")
    if got.dtype.kind not in "biuf":
        return Problem("wrong type", f"{what} has dtype {got.dtype}; expected numbers")
    got_f = got.astype(float)
    expected_f = expected.astype(float)
    if values and finite_and_close(got_f, expected_f, rtol, atol):
        return None
    bad = ~np.isfinite(got_f) & np.isfinite(expected_f)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return Problem("NaN/inf", f"{what} contains {float(got_f[where])} at index {list(where)}; "
                                  "expected finite values")
    if not values:
        return None
    with np.errstate(invalid="ignore"):  # inf - inf where both are infinite; masked just below
        error = np.abs(got_f - expected_f)
        error = np.where(np.isfinite(expected_f), error, np.where(got_f == expected_f, 0, np.inf))
        allowed = atol + rtol * np.abs(np.where(np.isfinite(expected_f), expected_f, 0))
        if np.all(error <= allowed):
            return None
        where = np.unravel_index(int(np.argmax(error - allowed)), error.shape)
    index = [int(i) for i in where]
    if show_values:
        return Problem("wrong value", f"{what} has wrong values: largest error "
                                      f"{float(error[where]):.3g} at index {index} (expected "
                                      f"{float(expected_f[where])!r}, got {float(got_f[where])!r})")
    scale = np.abs(expected_f[where]) if np.isfinite(expected_f[where]) else 0.0
    return Problem("wrong value", f"{what} has wrong values: the largest error is at index {index}, "
                                  f"{_order(float(error[where]), float(scale))}")


def as_numeric_array(value):
    """``value`` as a numpy array of numbers when numpy reads it as one: a numeric array itself,
    or nested lists or tuples of numbers or booleans of one rectangular shape (what numpy's
    arithmetic, e.g. ``dA * value``, works on unchanged); else ``None``."""
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind in "biuf" else None
    if not isinstance(value, list | tuple):
        return None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError):  # ragged, or not numbers
        return None
    return array if array.dtype.kind in "biuf" else None


def mismatch_scalar(got, expected, what, *, rtol=1e-7, atol=0.0, show_values=True):
    """Compare a real number ``got`` with ``expected`` (relative, then absolute tolerance)."""
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, bool | np.bool_) or not isinstance(got, numbers.Real):
        return Problem("wrong type", f"{what} should be a real number, got {_type_name(got)}")
    got = float(got)
    if not np.isfinite(got) and np.isfinite(expected):
        return Problem("NaN/inf", f"{what} is {got}; expected a finite number")
    if abs(got - expected) <= atol + rtol * abs(expected) or got == expected:
        return None
    if show_values:
        return Problem("wrong value", f"{what} is {got!r}; expected {expected!r}")
    return Problem("wrong value", f"{what} is wrong, {_order(abs(got - expected), abs(expected))}")


def _order(error, scale):
    """The relative size of an error as an order of magnitude only.

    Hidden checks must not give the expected value away: an exact error next to
    the student's own value would. ``"off by about 1e-02 of the expected value"``
    says how close the answer is, and nothing more.
    """
    if scale == 0:
        return "where the expected value is 0"
    exponent = int(np.floor(np.log10(error / scale) + 0.5))
    return f"off by about 1e{exponent:+03d} of the expected value"


def mismatch_dict(got, expected, what, **options):
    """Compare a dict of arrays key by key (``options`` as for :func:`mismatch_array`)."""
    if not isinstance(got, dict):
        return Problem("wrong type", f"{what} should be a dict with keys {sorted(expected)}, "
                                     f"got {_type_name(got)}")
    missing = [key for key in expected if key not in got]
    if missing:
        return Problem("wrong type", f"{what} lacks the key(s) {', '.join(missing)}")
    for key, value in expected.items():
        problem = mismatch_array(got[key], value, f"{what}[{key!r}]", **options)
        if problem:
            return problem
    return None


def under_autograde():
    """Whether the notebook runs under ``nbgrader autograde`` (its hidden tests decide the score)."""
    return os.environ.get("NBGRADER_EXECUTION") == "autograde"


def mismatches_dict(got, expected, what, **options):
    """Every problem of a dict of arrays, one per wrong key (``options`` as for
    :func:`mismatch_array`); an empty list when all is right."""
    if not isinstance(got, dict):
        return [mismatch_dict(got, expected, what, **options)]
    problems = []
    missing = [key for key in expected if key not in got]
    if missing:
        problems.append(Problem("wrong type", f"{what} lacks the key(s) {', '.join(missing)}"))
    for key, value in expected.items():
        if key in got:
            problems.append(mismatch_array(got[key], value, f"{what}[{key!r}]", **options))
    return [p for p in problems if p]


def visible_test(test):
    """Decorate a visible test: under ``nbgrader autograde`` its errors are printed, not raised.

    In a student's session the test raises, so the cell shows what is wrong.
    Under autograde the hidden tests that follow in the same cell grade each
    check on its own; an exception here must not stop them.
    """
    @functools.wraps(test)
    def run(*args, **kwargs):
        if not under_autograde():
            return test(*args, **kwargs)
        try:
            return test(*args, **kwargs)
        except CheckFailed as error:
            print(error)
            return None
        except Exception as error:
            print(f"{test.__name__}: {type(error).__name__}: {error}")
            return None
    return run


def report(test_name, problems, hints=(), note=None):
    """Print a pass line, or fail with every problem found, in a few plain lines.

    The message names the function, each problem (at most :data:`SHOWN_PROBLEMS`, the others
    counted) and ``hints`` (the catalogued mistakes the output matches: when several give it,
    each of them, at most :data:`SHOWN_HINTS`, since the one case cannot tell which); ``note`` is
    printed before the pass line. Raises
    :class:`CheckFailed` (so the notebook cell shows an error, without frames) unless the
    notebook runs under ``nbgrader autograde``, where the hidden tests that follow decide the
    score and the problems are printed instead.
    """
    problems = [p for p in problems if p]
    if not problems:
        if note:
            print(note)
        print(f"\033[92mAll tests passed for {test_name}.\033[0m")
        return
    lines = [f"{test_name}: {len(problems)} problem(s) on the notebook's test case"]
    lines += [f"  - {p}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"  ... and {len(problems) - SHOWN_PROBLEMS} more")
    hints = list(dict.fromkeys(h for h in hints if h))
    if len(hints) == 1:
        lines.append(f"Hint: {hints[0]}")
    elif hints:  # the notebook's one case cannot tell them apart: naming one could be wrong
        lines.append("Hint: on this case your output is what each of these known mistakes gives: "
                     + " ".join(f"{n}) {h}" for n, h in enumerate(hints[:SHOWN_HINTS], start=1)))
    message = "\n".join(lines)
    if under_autograde():
        print(message)
        return
    raise CheckFailed(message)
