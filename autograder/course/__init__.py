"""A class: archives, rosters, the batch, the local pool and the Dask runner, exports, report.

:mod:`archive` unpacks what an LMS hands in, :mod:`batch` grades one student's notebooks (and
seals the result), :mod:`runner` grades the class on local processes or on Dask
(:mod:`cluster`), :mod:`exports`, :mod:`lms` and :mod:`spreadsheet` write what goes back (every
CSV through :mod:`spreadsheet`), :mod:`report` and :mod:`similarity` give the class report,
:mod:`overrides` and :mod:`appeal` change a grade by hand, :mod:`course_secret` makes a course's
secret; ``templates/`` holds the pages.

May import: :mod:`autograder.grading`, :mod:`autograder.assignments`, :mod:`autograder.sandbox`.
In: a folder or zip of notebooks. Out: a folder of grades, feedback pages and the report.
"""
