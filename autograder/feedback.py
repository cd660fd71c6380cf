"""Step 4 of grading: turn verdicts into feedback that teaches without leaking.

Messages say the category (missing, exception with the student's own line,
timeout, memory, crash, wrong type, wrong shape, wrong value with the largest
error and where, NaN/inf, modified input) and, when the student's output
matches a known mistake computed by the grader, a hint. Hidden inputs and
expected values never appear: hidden checks are described by shapes only and
their comparisons never print expected numbers.
"""

from autograder.checks import matches
from utils.checks import Problem


def failure_from_error(error, function):
    """A :class:`Problem` for an exception the student's code raised in the worker."""
    kind, message = _one_line(error.get("type", "Exception")), _one_line(error.get("message", ""))
    if kind == "NotImplementedError":
        return Problem("missing", f"{function} is not written yet: it still raises NotImplementedError")
    if kind == "MemoryError":
        return Problem("memory", f"ran out of memory ({message})" if message else "ran out of memory")
    if kind == "UnsupportedValue":
        return Problem("wrong type", f"returned a value the grader cannot read: {message}")
    where = f" (line {error['line']} of your {function} cell)" if error.get("line") else ""
    text = f"raised {kind}: {message}" if message else f"raised {kind}"
    if len(text) > 300:
        text = text[:297] + "..."
    problem = Problem("exception", text + where)
    # On hidden inputs the message is left out: the student's own code chooses it and could
    # put the hidden inputs in it. The exception type and the line stay.
    problem.hidden_form = Problem("exception", f"raised {kind}{where}")
    return problem


def for_check(check, problem):
    """``problem`` as the student may see it for ``check`` (hidden checks get the hidden form)."""
    if check.fixed_inputs:
        return problem
    return getattr(problem, "hidden_form", problem)


def _one_line(text):
    """Student-made text on one line: no line breaks or control characters that could pass for
    lines of the grader's own report (e.g. a forged "✓ hidden case 1")."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def failure_from_status(status, detail, seconds=None):
    """A :class:`Problem` for a job the worker could not finish."""
    if status == "timeout":
        return Problem("timeout", f"did not finish in time ({detail}); look for an endless loop "
                                  "or a very slow computation")
    if status == "memory":
        return Problem("memory", f"used too much memory ({detail})")
    if status in ("crashed", "output_limit"):
        return Problem("crash", f"the process running your code stopped ({detail}); do not call "
                                "exit functions or send signals in graded code")
    return Problem("exception", f"could not be run ({detail})")


def message_for(check, problem):
    """One line for the student: which check, what was tested, what went wrong."""
    about = f" [{check.describe}]" if check.describe else ""
    return f"{check.name}{about}: {problem}"


def find_hint(check, outcomes):
    """The hint of the first known mistake whose output equals the student's, if any."""
    if any(o.failure is not None for o in outcomes) or not check.mistakes:
        return None
    for mistake in check.mistakes:
        try:
            produced = [mistake.variant(call) for call in check.calls]
            if all(matches(o.value, p, rtol=1e-6, atol=1e-12)
                   for o, p in zip(outcomes, produced, strict=True)):
                return mistake.hint
        except Exception:  # a variant that does not apply, or a student value it cannot compare
            continue
    return None


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
