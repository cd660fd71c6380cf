"""Course platforms: nbgrader (the sealed autograde step and the bridge its hidden tests call).

:mod:`nbgrader_autograde` grades for ``nbgrader autograde`` with the kit's sealed grader,
:mod:`nbgrader_sanitize` keeps nbgrader's metadata and feedback pages honest,
:mod:`nbgrader_bridge` is what the hidden test cells of the source notebooks call. Gradescope's
and Coursera's adapters are the scripts in ``deploy/``, over :mod:`autograder.course.batch`.

May import: :mod:`autograder.course`, :mod:`autograder.grading`, :mod:`autograder.assignments`,
:mod:`autograder.sandbox`. In: what the platform hands over. Out: what the platform stores.
"""
