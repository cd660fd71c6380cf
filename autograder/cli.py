"""Command line: a thin layer over :mod:`autograder.grade`.

``python -m autograder grade NOTEBOOK [--assignment NAME] [--student ID] [--json] [--coursera DIR]``

Exit status: 0 whenever a result was produced (also for an empty or corrupt
notebook, whose result says why), 2 for usage errors (no such file, unknown
assignment).
"""

import argparse
import json
import sys
from pathlib import Path

from autograder import reference
from autograder.grade import grade_notebook


def _parser():
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade Week 1 notebooks function by function.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade one notebook")
    grade.add_argument("notebook", type=Path)
    grade.add_argument("--assignment", choices=sorted(reference.NOTEBOOKS),
                       help="assignment name (default: inferred from the notebook)")
    grade.add_argument("--student", help="student id (default: the file name)")
    grade.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    grade.add_argument("--coursera", type=Path, metavar="DIR",
                       help="also write Coursera's feedback.json and htmlFeedback.html into DIR")
    grade.add_argument("--secret-file", type=Path,
                       help="file holding the course secret mixed into the hidden inputs' seed")
    grade.add_argument("--layer", choices=("bwrap", "namespaces", "rlimits"),
                       help="force a sandbox layer (default: the strongest that works here)")

    group = commands.add_parser("grade-class", help="grade a whole class (resumable)")
    group.add_argument("path", type=Path,
                       help="an nbgrader submitted/ folder, a folder of notebooks, or a zip of either")
    group.add_argument("--out", type=Path, required=True, help="folder for results and exports")
    group.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    group.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tls://host:8786")
    group.add_argument("--secret-file", type=Path,
                       help="file holding the course secret mixed into the hidden inputs' seed")
    group.add_argument("--nbgrader-db", type=Path, help="also write the scores into this gradebook")
    group.add_argument("--layer", choices=("bwrap", "namespaces", "rlimits"),
                       help="force a sandbox layer (default: the strongest that works here)")
    return parser


def _secret(path):
    if path is None:
        return ""
    if not path.is_file():
        raise FileNotFoundError(f"no such secret file: {path}")
    return path.read_text().strip()


def _table(result):
    rows = [("function", "points", "status", "reason")]
    for name, function in result.functions.items():
        failed = [c for c in function.checks if not c.passed]
        reason = function.hint or (failed[0].message if failed else "all checks passed")
        rows.append((name, f"{function.score:g}/{function.max_score:g}", function.status,
                     reason if len(reason) <= 90 else reason[:87] + "..."))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[3]
             for row in rows]
    lines.insert(1, "-" * min(120, max(len(line) for line in lines)))
    if result.error:
        lines.append(f"error: {result.error}")
    lines.append(f"total: {result.score:g}/{result.max_score:g}  ({result.assignment}, student "
                 f"{result.student}, sandbox: {result.provenance.get('isolation')})")
    return "\n".join(lines)


def _grade_class(args):
    from autograder import exports
    from autograder.archive import ArchiveError
    from autograder.batch import results_of
    from autograder.runner import OutputError, grade_class

    try:
        secret = _secret(args.secret_file)
        if args.nbgrader_db:
            exports.check_gradebook(args.nbgrader_db)  # before grading, not after
        submissions = grade_class(args.path, args.out, jobs=args.jobs, scheduler=args.scheduler,
                                  secret=secret, layer=args.layer)
    except (FileNotFoundError, ArchiveError, OutputError, ValueError, exports.GradebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a Dask scheduler that cannot be reached
        print(f"error: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 2
    current = {s.student for s in submissions}

    def rows():
        return (row for row in results_of(args.out) if row["student"] in current)

    for row in rows():
        exports.write_student_exports(row, args.out)
    exports.write_csv(rows(), args.out / "grades.csv")
    if args.nbgrader_db:
        try:
            graded = {result["assignment"] for row in rows() for result in row["results"]}
            exports.check_gradebook(args.nbgrader_db, graded)
            count = exports.write_gradebook(rows(), args.nbgrader_db)
        except exports.GradebookError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"wrote {count} graded notebooks into {args.nbgrader_db}")
    print(exports.format_summary(exports.summary(rows())))
    print(f"\ngrades:   {args.out / 'grades.csv'}\nfeedback: {args.out / 'feedback'}/<student>/"
          f"<assignment>.html\ngradescope: {args.out / 'gradescope'}/<student>/<assignment>/results.json")
    return 0


def _cannot_write_coursera(folder, error):
    print(f"error: cannot write the Coursera feedback into {folder}: {error.strerror or error}",
          file=sys.stderr)
    return 2


def main(argv=None):
    if not sys.platform.startswith("linux"):  # the sandbox is built on Linux namespaces and seccomp
        print(f"error: the grader runs only on Linux (its sandbox needs Linux namespaces, seccomp and "
              f"rlimits); this is {sys.platform}. Grade on a Linux machine or in a Linux container.",
              file=sys.stderr)
        return 2
    args = _parser().parse_args(argv)
    if args.command == "grade-class":
        return _grade_class(args)
    if args.coursera:  # refused before grading, not after
        try:
            args.coursera.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _cannot_write_coursera(args.coursera, error)
    try:
        from autograder.grade import Graders

        with Graders(layer=args.layer) as graders:
            result = grade_notebook(args.notebook, assignment=args.assignment, student=args.student,
                                    secret=_secret(args.secret_file), graders=graders)
    except (FileNotFoundError, reference.UnknownAssignment) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.coursera:
        from autograder import exports

        try:
            exports.write_coursera(result.to_dict(), args.coursera)
        except OSError as error:
            return _cannot_write_coursera(args.coursera, error)
    if args.json:
        print(json.dumps(result.to_dict(), sort_keys=False))
    else:
        print(_table(result))
    return 0
