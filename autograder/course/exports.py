"""Exports from the one result model: CSV, Gradescope ``results.json``, HTML feedback, nbgrader
gradebook, and Coursera's custom-grader ``feedback.json`` for one notebook.

Every export reads the stored student rows one at a time (:func:`autograder.course.batch.results_of`),
so memory stays flat however large the class.
"""

import contextlib
import json
import sqlite3
import warnings
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from autograder.course import spreadsheet
from autograder.course.batch import write_atomically
from autograder.course.overrides import SAID
from autograder.grading import reference

TITLES = reference.TITLES
#: What a learner reads when the platform did not say who they are (``grade --anonymous``).
ANONYMOUS_NOTICE = ("Coursera did not tell the grader who you are, so the hidden checks used the course's "
                    "default inputs, the same for everyone graded this way, not inputs drawn for you.")


def _specs(assignments=None):
    """The assignments of a class: those named (e.g. the one a class is graded as), else all."""
    return [reference.load(name) for name in assignments] if assignments else reference.all_assignments()


def csv_columns(assignments=None):
    """The columns of grades.csv for a class graded on ``assignments`` (default: every one)."""
    columns = ["student", "status"]
    for assignment in _specs(assignments):
        columns += [f"{assignment.name}:{name}" for name in assignment.names]
        columns.append(f"{assignment.name}:total")
    return columns + ["total", "max_total", "notes"]


def csv_row(row, assignments=None):
    """One student's row of grades.csv: ``total`` and ``max_total`` are of ``assignments`` only.
    Scores are numbers (the CSV writer spells them), everything else text."""
    values = {"student": row["student"], "status": row["status"], "notes": "; ".join(row["notes"])}
    by_assignment = {r["assignment"]: r for r in row["results"]}
    total = max_total = 0.0
    for assignment in _specs(assignments):
        result = by_assignment.get(assignment.name)
        for name in assignment.names:
            score = result["functions"][name]["score"] if result else 0.0
            values[f"{assignment.name}:{name}"] = score
        score = result["score"] if result else 0.0
        values[f"{assignment.name}:total"] = score
        total += score
        max_total += assignment.max_score
    values["total"], values["max_total"] = round(total, 4), max_total
    return values


def write_csv(rows, path, assignments=None):
    """One row per student: per-function scores, per-assignment totals, total, status; the
    columns of ``assignments`` only, when the class is graded on them (default: every one).
    Written by :func:`autograder.course.spreadsheet.write_csv`: no text cell reads as a formula."""
    columns = csv_columns(assignments)
    spreadsheet.write_csv(path, columns, ([values[column] for column in columns]
                                          for values in (csv_row(row, assignments) for row in rows)))


def _in_notebook_order(functions, assignment):
    """``functions`` ordered as in the assignment's notebook (stored rows have sorted keys)."""
    order = reference.load(assignment).names if assignment in reference.NOTEBOOKS else ()
    ranks = {name: rank for rank, name in enumerate(order)}
    return dict(sorted(functions.items(), key=lambda item: ranks.get(item[0], len(ranks))))


def gradescope_result(result):
    """The Gradescope autograder ``results.json`` of one graded notebook (with an instructor's
    adjustments, when :class:`autograder.course.overrides.Adjuster` laid any over it, in its output).

    A notebook that could not be graded at all (unreadable, not a notebook) gets its reason
    once, as the output, and no tests: every one of them would only say it again."""
    if result["error"]:
        return {"score": 0.0, "output": result["error"], "tests": [], "visibility": "visible",
                "stdout_visibility": "hidden"}
    tests = []
    for name, function in _in_notebook_order(result["functions"], result["assignment"]).items():
        lines = [line + (f" (× {count})" if count > 1 else "") for line, count in _collapsed(
            (("✓ " if c["passed"] else "✗ ") + (c["name"] if c["passed"] else c["message"]),)
            for c in function["checks"])]
        if function["hint"]:
            lines.append("Hint: " + function["hint"])
        lines += [f"{SAID}: {a['reason']} ({a['said']})" for a in result.get("adjustments", ())
                  if a["target"] == f"{result['assignment']}:{name}"]
        tests.append({"name": name, "score": function["score"], "max_score": function["max_score"],
                      "status": "passed" if function["status"] == "passed" else "failed",
                      "output": "\n".join(lines), "visibility": "visible"})
    output = result["error"] or f"{result['assignment']}: {result['score']:g}/{result['max_score']:g}"
    output += "".join(f"\n{SAID}: {a['reason']} ({a['target']}: {a['said']})"
                      for a in result.get("adjustments", ()))
    return {"score": result["score"], "output": output, "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}


def breakable(name):
    """``name`` escaped, with a line-break opportunity after each ``_``: on a phone a long
    function name wraps between its words, never inside one."""
    return Markup("_<wbr>").join(escape(part) for part in str(name).split("_"))


#: The one jinja2 environment of the kit's pages (``templates/``: the feedback pages here, the class
#: report and its pair views in :mod:`autograder.course.report`): every value escaped, ``breakable`` a filter.
TEMPLATES = Environment(loader=PackageLoader("autograder.course", "templates"),
                        autoescape=select_autoescape(["html", "j2"]))
TEMPLATES.filters["breakable"] = breakable


def _collapsed(lines):
    """``[(line..., count)]``: identical lines once each, in order of first appearance."""
    counts = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [(*line, count) for line, count in counts.items()]


def feedback_html(result, anonymous=False):
    """A feedback page for one student and assignment (no hidden expected values in it).

    Identical lines of one function (the same failure of several checks, e.g. a syntax error)
    are shown once, with their count. The reason a notebook could not be graded is said once,
    at the top, not again under each function. ``anonymous``: the platform did not say who the
    learner is, and the page says so (:data:`ANONYMOUS_NOTICE`)."""
    functions = {}
    for name, function in _in_notebook_order(result["functions"], result["assignment"]).items():
        failed = [(c["category"], c["message"]) for c in function["checks"]
                  if not c["passed"] and c["message"] != result["error"]]
        passed = [(c["name"], c["points"]) for c in function["checks"] if c["passed"]]
        functions[name] = {
            **function,
            "passed_lines": _collapsed(passed),
            "failed_lines": _collapsed(failed),
            "not_graded": bool(result["error"]) and not failed and not passed,
        }
    template = TEMPLATES.get_template("feedback.html.j2")
    return template.render(title=TITLES.get(result["assignment"], result["assignment"]),
                           **{**result, "functions": functions},
                           anonymous_notice=ANONYMOUS_NOTICE if anonymous else None)


def _write_text_atomically(path, text):
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one. Not flushed to
    the disk first, unlike a stored result (:func:`autograder.course.batch.write_atomically`): an export
    is made again from the stored results by the next run, and waiting for the disk thrice per
    student was a good part of the exports' time."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", errors="backslashreplace")
    temporary.replace(path)


def write_student_exports(row, out):
    """Gradescope JSON and feedback pages of one student; those an earlier run into ``out``
    wrote for an assignment the row no longer holds (graded as another assignment since, or
    a notebook taken away) are removed, so that the folder says what grades.csv says."""
    out = Path(out)
    for result in row["results"]:
        folder = out / "gradescope" / row["student"] / result["assignment"]
        folder.mkdir(parents=True, exist_ok=True)
        _write_text_atomically(folder / "results.json", json.dumps(gradescope_result(result), sort_keys=True))
        page = out / "feedback" / row["student"] / f"{result['assignment']}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        _write_text_atomically(page, feedback_html(result))
    graded = {result["assignment"] for result in row["results"]}
    for assignment in set(reference.NOTEBOOKS) - graded:
        folder = out / "gradescope" / row["student"] / assignment
        with contextlib.suppress(OSError):
            (out / "feedback" / row["student"] / f"{assignment}.html").unlink(missing_ok=True)
            (folder / "results.json").unlink(missing_ok=True)
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def not_this_assignment(assignment, others, place="assignment"):
    """What a learner reads when their upload holds no notebook of ``assignment``: one plain
    sentence (no command, no option), saying which notebooks they did upload. ``others`` is
    ``[(file name, assignment it is of or None)]``; ``place`` is what the platform calls the
    thing they submitted to ("assignment", "part")."""
    title, expected = TITLES[assignment], reference.NOTEBOOKS[assignment]
    shown = [f"the {TITLES[of]} notebook ({name})" for name, of in others if of in TITLES]
    if not shown:
        return (f"No {title} notebook was found in your submission, so nothing was graded: upload "
                f"{expected}, your {title} notebook, to this {place}.")
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return (f"This {place} grades the {title} notebook, but you uploaded {listed}, so nothing was "
            f"graded: upload {expected}, your {title} notebook, to this {place}.")


def coursera_feedback(result, anonymous=False):
    """Coursera's custom-grader ``feedback.json`` of one graded notebook: the fraction of the
    points earned, a one-line summary, and ``feedbackType`` HTML (the page is
    ``htmlFeedback.html`` beside it). ``anonymous``: the summary ends with why the hidden
    checks were not drawn for the learner."""
    fraction = result["score"] / result["max_score"] if result["max_score"] else 0.0
    summary = result["error"] or "; ".join(
        f"{name} {function['score']:g}/{function['max_score']:g}"
        for name, function in _in_notebook_order(result["functions"], result["assignment"]).items())
    if anonymous:
        summary += " (hidden checks: the course's default inputs, as Coursera did not say who you are)"
    return {"fractionalScore": round(min(1.0, max(0.0, fraction)), 6), "feedback": summary,
            "feedbackType": "HTML"}


def write_coursera(result, folder, anonymous=False):
    """``feedback.json`` and ``htmlFeedback.html`` of one graded notebook into ``folder``
    (Coursera reads them from ``/shared``); ``anonymous``: Coursera did not say who the learner
    is (no ``userId``), and both say so."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / "feedback.json", coursera_feedback(result, anonymous))
    _write_text_atomically(folder / "htmlFeedback.html", feedback_html(result, anonymous))


class GradebookError(RuntimeError):
    """The nbgrader gradebook lacks what the scores need; the message says what to run."""


def check_gradebook(db_path, assignments=()):
    """Raise :class:`GradebookError` unless ``db_path`` is an nbgrader gradebook holding ``assignments``.

    Read only: nbgrader's own ``Gradebook`` would create a missing database or its tables.
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        raise GradebookError(f"no such gradebook: {db_path} (`nbgrader generate_assignment` creates it "
                             "in the course folder)")
    try:
        with contextlib.closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            known = {name for (name,) in db.execute("SELECT name FROM assignment")}
    except sqlite3.Error as error:
        raise GradebookError(f"{db_path} is not an nbgrader gradebook ({error})") from None
    missing = sorted(set(assignments) - known)
    if missing:
        raise GradebookError(f"the gradebook {db_path} has no assignment {', '.join(map(repr, missing))}; "
                             f"run `nbgrader generate_assignment {' '.join(missing)}` in that course")


def write_gradebook(rows, db_path):
    """Store each function's score as the auto score of its ``test_<function>`` grade cell.

    The gradebook must hold the assignments (``nbgrader generate_assignment``
    creates them); students and submissions are added as needed.
    """
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader's own add_submission makes SQLAlchemy warn about its autoflush; nothing is lost
        warnings.simplefilter("ignore", SAWarning)
        return _write_gradebook(rows, db_path, Gradebook, MissingEntry)


def _write_gradebook(rows, db_path, Gradebook, MissingEntry):
    written = 0
    with Gradebook(f"sqlite:///{Path(db_path).resolve()}") as gradebook:
        known = {a.name for a in gradebook.assignments}
        for row in rows:
            for result in row["results"]:
                assignment = result["assignment"]
                if assignment not in known:
                    raise GradebookError(f"the gradebook {db_path} has no assignment {assignment!r}; "
                                         f"run `nbgrader generate_assignment {assignment}` in that course")
                gradebook.update_or_create_student(row["student"])
                try:
                    gradebook.find_submission(assignment, row["student"])
                except MissingEntry:
                    gradebook.add_submission(assignment, row["student"])
                notebook = Path(reference.NOTEBOOKS[assignment]).stem
                for name, function in result["functions"].items():
                    grade = gradebook.find_grade(f"test_{name}", notebook, assignment, row["student"])
                    grade.auto_score = function["score"]
                gradebook.db.commit()
                written += 1
    return written
