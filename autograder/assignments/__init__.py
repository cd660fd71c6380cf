"""The checks of each assignment, one module per assignment.

Each module maps a graded function's name to a builder
``builder(assignment, rng) -> list[Check]``; ``rng`` draws that student's
hidden inputs. Expected values are never written here: every check compares
with the reference outputs the grader computes from the source notebook.
"""

from autograder.assignments import gradient_checking, initialization, regularization

BUILDERS = {
    "initialization": initialization.BUILDERS,
    "regularization": regularization.BUILDERS,
    "gradient_checking": gradient_checking.BUILDERS,
}


def build_checks(assignment, function, rng):
    """The checks of ``function`` in ``assignment`` for one student's generator ``rng``."""
    return BUILDERS[assignment.name][function](assignment, rng)


def mistake_catalog():
    """Every known mistake, as ``(assignment, function, key, hint)`` rows."""
    rows = {}
    from autograder.reference import load

    for name, builders in BUILDERS.items():
        assignment = load(name)
        for function, builder in builders.items():
            for check in builder(assignment, __import__("numpy").random.default_rng(0)):
                for mistake in check.mistakes:
                    rows[(name, function, mistake.key)] = mistake.hint
    return [(a, f, k, h) for (a, f, k), h in sorted(rows.items())]
