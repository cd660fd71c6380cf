"""Grading one notebook: extract -> reference -> run -> checks -> feedback -> result.

:mod:`students` says whose notebook it is (the id that seeds its hidden inputs),
:mod:`extract` finds the graded functions (and :mod:`context` the imports and constants above
them), :mod:`reference` reads the instructor's notebooks, :mod:`grade` runs the student's code
in the sandbox and scores each function with the checks of :mod:`autograder.assignments`
(built on :mod:`checks`), :mod:`feedback` names what went wrong (a hidden case says only what
:mod:`vocabulary`'s closed catalogue holds) and :mod:`result` is what comes out.

May import: :mod:`autograder.sandbox`, :mod:`autograder.assignments` (which import
:mod:`checks` and :mod:`vocabulary` back) and ``utils``. In: a notebook file. Out: a
:class:`result.Result` per notebook.
"""
