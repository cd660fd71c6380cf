"""The one writer of every CSV file the kit writes (``grades.csv``, ``similarity.csv``, the LMS
import files of :mod:`autograder.course.lms`).

An instructor opens these files in a spreadsheet, and a spreadsheet reads a text cell that
begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection):
a student folder named ``+1+1`` or ``@SUM(1+1)``, or a file named ``=1+2.ipynb`` quoted in a
note, would be computed, not shown. So every text cell that begins so is written with a
leading ``'`` (OWASP's rule for CSV injection), which keeps it text. Numbers (``int`` and
``float`` values, not their spelling as text) are written as numbers, in the file's number
format: a negative score stays ``-2``. Only the CSV files change: the same student id is shown
as it is in the HTML pages and JSON files.

One kind of text is written as it came when it cannot be a formula: a :class:`Verbatim` cell, the
data another program wrote in its own file that the kit reads and writes back (a learning
platform's export, whose ``-`` is that platform's "none" and must reach it again as ``-``, and
whose ``-3.5`` is a number). Such a cell that could start a formula (a display name a student set
on the platform, ``=HYPERLINK(...)``) is neutralised like any text. Nothing a student names or
writes is ever verbatim: a name or id taken from a file or folder name stays plain text.
"""

import csv
from pathlib import Path

#: What a text cell may not begin with (OWASP: equals, plus, minus, at, tab, carriage return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Verbatim(str):
    """A text cell another program wrote in its own file (a platform's export), written back
    exactly as it came when it is a lone ``-`` or a number (never given a leading ``'``); any
    other text that begins like a formula is neutralised all the same."""

    __slots__ = ()


def _inert(text):
    """Whether ``text`` beginning with ``-`` or ``+`` is a platform's "none" or a number, which no
    spreadsheet evaluates as a formula."""
    if text == "-":
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell(value, number_format="g"):
    """``value`` as the text of its CSV cell: a number in ``number_format``; a :class:`Verbatim`
    that is a lone ``-`` or a number as it is; any other value as text, with a leading ``'``
    when it begins with one of :data:`FORMULA_START`."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, number_format)
    if isinstance(value, Verbatim) and _inert(value):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path, header, rows, number_format="g", *, encoding="utf-8", delimiter=",",
              quote_all=False):
    """Write ``header`` and then each row of ``rows`` (sequences of values) to ``path`` as CSV,
    every cell through :func:`cell`; atomically (a reader never sees half a file).

    ``encoding`` is Python's name of it: ``"utf-8-sig"`` begins the file with a UTF-8
    byte-order mark, ``"utf-16"`` writes UTF-16 with its byte-order mark; ``delimiter`` (a
    comma, or a tab) separates the cells; ``quote_all`` puts every cell in double quotes (else
    only those that need them)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="", encoding=encoding, errors="backslashreplace") as handle:
        writer = csv.writer(handle, delimiter=delimiter,
                            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow([cell(value, number_format) for value in header])
        for row in rows:
            writer.writerow([cell(value, number_format) for value in row])
    temporary.replace(path)
