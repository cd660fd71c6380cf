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


def what_it_says(reason):
    """The reason without the name and description of the check it comes from ("hidden case 1
    [...]: "), so that a phrase is found in what the reason says, not in which check it names."""
    head, _, rest = reason.partition("]: ")
    return rest if rest and " [" in head and "\n" not in head else reason


def misjudged(notebook, result):
    """``[(variation name, what is wrong)]`` for the functions of ``notebook`` in ``result``."""
    wrong = []
    for name, variation in notebook.answers.items():
        function = result["functions"][name]
        got, reason = verdict_of(function), reason_of(function)
        said = what_it_says(reason or "").lower()
        if got != variation.verdict:
            wrong.append((variation.name, f"verdict {got}, expected {variation.verdict}: {reason}"))
        elif variation.says and not any(p.lower() in said for p in variation.says):
            wrong.append((variation.name, f"reason does not say any of {variation.says}: {reason}"))
        elif got != FULL and said.startswith("recommendation"):
            wrong.append((variation.name, f"a failing function's reason is advice: {reason}"))
    return wrong
