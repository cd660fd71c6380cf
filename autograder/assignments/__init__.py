"""The checks of each assignment, one module per assignment.

Each module maps a graded function's name to a builder
``builder(assignment, rng) -> list[Check]``; ``rng`` draws that student's
hidden inputs. Expected values are never written here: every check compares
with the reference outputs the grader computes from the source notebook.
"""

import ast
import dataclasses
import functools

from autograder.assignments import gradient_checking, initialization, regularization
from autograder.grading.checks import CACHED_CHARS, _always, code_of

BUILDERS = {
    "initialization": initialization.BUILDERS,
    "regularization": regularization.BUILDERS,
    "gradient_checking": gradient_checking.BUILDERS,
}


def build_checks(assignment, function, rng):
    """The checks of ``function`` in ``assignment`` for one student's generator ``rng``."""
    return BUILDERS[assignment.name][function](assignment, rng)



#: Test doubles of graded functions, given to another graded function that calls them (as in
#: the notebook, where every function is defined): written here, never the instructor's code.
DOUBLES = {
    "initialization": initialization.DOUBLES,
    "regularization": {},
    "gradient_checking": gradient_checking.DOUBLES,
}


def calls_to_graded(assignment, function, source):
    """The other graded functions of ``assignment`` that ``source`` uses without defining them."""
    named = tuple(name for name in assignment.names if name != function and name in source)
    if not named:
        return []
    find = _cached_calls if len(source) <= CACHED_CHARS else _calls_to_graded
    return list(find(named, source))


def _calls_to_graded(named, source):
    """Of the names ``named`` (all spelled somewhere in ``source``), those it uses as names
    without defining them as functions; one walk of the tree, cached by the cell's text."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    defined, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.Name):
            used.add(node.id)
    return tuple(name for name in named if name in used and name not in defined)


_cached_calls = functools.lru_cache(maxsize=1024)(_calls_to_graded)


#: Per assignment and graded function, ``fit(checks, source)``: checks adapted to what only the
#: code can tell (e.g. a gradient checker's gradapprox that evaluates no J, see gradient_checking).
FITS = {
    "initialization": {},
    "regularization": {},
    "gradient_checking": gradient_checking.FIT_TO_CODE,
}


def fit_to_code(assignment, function, checks, source):
    """``checks`` adapted to the student's code of ``function``.

    - The assignment's own fit of the function, if any (:data:`FITS`).
    - A graded function that calls another one gets a test double of it (without one it would
      stop on a NameError that the notebook never shows).
    - A catalogued mistake whose hint the code contradicts is dropped (e.g. "copy the vector"
      for code that copies it): a hint is given only when the output matches the mistake and
      the code does not say otherwise.
    """
    fit = FITS[assignment.name].get(function)
    if fit is not None:
        checks = fit(checks, source)
    doubles = "".join(DOUBLES[assignment.name].get(name, "")
                      for name in calls_to_graded(assignment, function, source))
    code = None
    fitted = []
    for check in checks:
        if code is None and any(m.fits is not _always for m in check.mistakes):
            code = code_of(source)  # only when a mistake's hint depends on the code
        mistakes = tuple(m for m in check.mistakes if m.fits is _always or m.fits(code))
        stand_ins = doubles + "\n" + check.stand_ins if doubles else check.stand_ins
        fitted.append(dataclasses.replace(check, mistakes=mistakes, stand_ins=stand_ins))
    return fitted


def signature_serves(signature, checks):
    """Whether a ``def`` with ``signature`` answers every call of ``checks``.

    A signature that differs from the instructor's only where no check needs it (the
    original course's ``gradient_check(x, theta, epsilon=1e-7)``, without ``print_msg``) is
    no problem to report.
    """
    names, defaults = signature.names, dict(signature.defaults)
    for check in checks:
        for call in check.calls:
            given = set(names[:len(call.args)]) | set(call.kwargs)
            if len(call.args) > len(names) or not set(call.kwargs) <= set(names):
                return False
            if any(name not in given and name not in defaults for name in names):
                return False
    return True
