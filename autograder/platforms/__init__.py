"""Course platforms: nbgrader, Gradescope and Coursera, each a thin adapter over the kit's grading.

:mod:`nbgrader_autograde` grades for ``nbgrader autograde`` with the kit's sealed grader,
:mod:`nbgrader_sanitize` keeps nbgrader's metadata and feedback pages honest,
:mod:`nbgrader_bridge` is what the hidden test cells of the source notebooks call.
:mod:`gradescope` gives a submission's ``results.json`` and :mod:`coursera` a learner's
verdict; the entry scripts in ``deploy/`` only read what the platform hands over and call them.

:func:`grade_upload` is the one call that grades what a platform hands over: one student's
notebooks, on one assignment or on every assignment they show (Gradescope's adapter grades
through it). Two paths grade one notebook *as* an assignment named from outside, which it
cannot do (it files a notebook under the assignment its content shows): nbgrader's
``SealedGrade`` grades the notebook nbgrader's gradebook names, and writes each test cell
from the result itself, with :func:`autograder.grading.grade.grade_notebooks`; Coursera's
adapter asks the command line's ``grade --coursera`` for the part's assignment, through the
entry script (the command line sits above this room).

May import: :mod:`autograder.course`, :mod:`autograder.grading`, :mod:`autograder.assignments`,
:mod:`autograder.sandbox`. In: what the platform hands over. Out: what the platform stores.
"""


def grade_upload(student, notebooks, secret, assignment=None):
    """Grade one student's upload; returns the row :func:`autograder.course.batch.grade_submission`
    gives (``{"student", "status", "notes", "results", ...}``, each result a JSON-able dict).

    ``notebooks`` is ``[(folder or None, path or NotebookFile)]``, all from one upload (so two
    notebooks of one assignment: the higher score counts). With ``assignment``, the upload is
    graded as that one assignment: only its result is given, and a notebook of another one is
    noted as misfiled; without, each notebook is graded as the assignment it shows. The sandboxes
    are started for this upload and stopped after it.
    """
    from autograder.course import batch
    from autograder.grading.grade import Graders

    submission = batch.Submission(student, tuple(notebooks), assignment=assignment)
    with Graders() as graders:
        return batch.grade_submission(submission, secret, graders)
