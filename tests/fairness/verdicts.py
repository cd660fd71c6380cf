"""What a grading result says about each variation: its verdict and its one-line reason."""

from tests.fairness.variations import FULL, PARTIAL, ZERO


def verdict_of(function):
    """``"full"``, ``"partial"`` or ``"zero"`` from a function's entry of a result (dict form)."""
    score, top = function["score"], function["max_score"]
    if score >= top - 1e-9:
        return FULL
    return ZERO if score <= 1e-9 else PARTIAL


def reason_of(function):
    """The one-line reason ``grade`` prints for a function: its hint, else its first failed check."""
    failed = [c for c in function["checks"] if not c["passed"]]
    return function["hint"] or (failed[0]["message"] if failed else "all checks passed")


def misjudged(notebook, result):
    """``[(variation name, what is wrong)]`` for the functions of ``notebook`` in ``result``."""
    wrong = []
    for name, variation in notebook.answers.items():
        function = result["functions"][name]
        got, reason = verdict_of(function), reason_of(function)
        if got != variation.verdict:
            wrong.append((variation.name, f"verdict {got}, expected {variation.verdict}: {reason}"))
        elif variation.says and not any(p.lower() in (reason or "").lower() for p in variation.says):
            wrong.append((variation.name, f"reason does not say any of {variation.says}: {reason}"))
    return wrong
