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

