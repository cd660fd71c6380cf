"""Command line: a thin layer over :mod:`autograder.grading.grade`.

``python -m autograder grade NOTEBOOK [--assignment NAME] [--student ID | --anonymous] [--json]
[--coursera DIR]``

``python -m autograder grade-class PATH --out DIR [--jobs N] [--secret-file FILE] [--roster FILE] ...``

``python -m autograder grade-class PATH --out DIR --lms {canvas,moodle,blackboard} [--lms-sheet FILE]
[--lms-column NAME] [--no-submission {blank,zero}] [--due TIME --late-penalty PERCENT [--late-cap PERCENT]]``

``python -m autograder appeal DIR STUDENT [--assignment NAME] [--secret-file FILE]``

``python -m autograder nbgrader-course DIR [--secret-file FILE] [--course-id ID]``

``python -m autograder secret new FILE``

Exit status: 0 whenever a result was produced (also for an empty or corrupt
notebook, whose result says why), 2 for usage errors (no such file, unknown
assignment, ``--jobs`` below 1, an output folder that cannot be written, a secret file
that ``secret new`` would overwrite, a roster that cannot be read, TLS flags
without a ``tls://`` scheduler, a Dask scheduler that cannot be reached or refuses the
certificate, an LMS sheet that cannot be read, ``--lms`` on a class of several assignments,
``appeal`` of a student with no stored result), and 1 for a class in which no notebook (of the
``--assignment`` asked for) was found.
"""

import argparse
import json
import sys
from pathlib import Path

from autograder.course import lms
from autograder.course.course_secret import HOW_TO_MAKE_ONE, new_secret_file
from autograder.grading import reference
from autograder.grading.grade import grade_notebook


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser():
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade Week 1 notebooks function by function.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade one notebook")
    grade.add_argument("notebook", type=Path)
    grade.add_argument("--assignment", choices=sorted(reference.NOTEBOOKS),
                       help="assignment name (default: inferred from the notebook)")
    who = grade.add_mutually_exclusive_group()
    who.add_argument("--student", help="student id (default: the file name)")
    who.add_argument("--anonymous", action="store_true",
                     help="the platform did not say who the student is: grade with the course's default "
                          "hidden inputs (the fixed id 'anonymous', never the file name), and say so on the "
                          "--coursera page")
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
    group.add_argument("--assignment", choices=sorted(reference.NOTEBOOKS),
                       help="grade only this assignment's notebooks; other notebooks are noted as "
                            "misfiled (default: the one assignment of the class when all its notebooks "
                            "are of one, else every assignment)")
    group.add_argument("--jobs", type=_positive, default=None,
                       help="worker processes, at least 1 (default: the number of cores); half of "
                            "them grade at once, the others take over from slow students")
    group.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tls://host:8786")
    group.add_argument("--tls-ca-file", type=Path, metavar="CA",
                       help="with a tls:// scheduler: the CA certificate its certificate is signed by "
                            "(PEM; flags named as dask scheduler and dask worker name them)")
    group.add_argument("--tls-cert", type=Path, metavar="CERT",
                       help="with a tls:// scheduler: this client's certificate, signed by a CA the "
                            "scheduler trusts (PEM)")
    group.add_argument("--tls-key", type=Path, metavar="KEY",
                       help="the private key of --tls-cert (PEM; not needed if the --tls-cert file holds it)")
    group.add_argument("--secret-file", type=Path,
                       help="file holding the course secret mixed into the hidden inputs' seed")
    group.add_argument("--roster", type=Path, metavar="FILE",
                       help="CSV of the class (columns id, name, email; header row required): maps names "
                            "given by hand in file names to ids, and notes ids it does not hold")
    group.add_argument("--nbgrader-db", type=Path, help="also write the scores into this gradebook")
    group.add_argument("--rescore", action="store_true",
                       help="grade again the students whose stored results an earlier version of the "
                            "kit gave (by default a course keeps them; the summary says whose score "
                            "changed)")
    group.add_argument("--layer", choices=("bwrap", "namespaces", "rlimits"),
                       help="force a sandbox layer (default: the strongest that works here)")
    group.add_argument("--lms", choices=lms.PLATFORMS,
                       help="also write the assignment's grades in this platform's import format into "
                            "OUT/lms/ (the class graded as one assignment)")
    group.add_argument("--lms-sheet", type=Path, metavar="FILE",
                       help="with --lms: the platform's own export (Canvas gradebook export, Moodle "
                            "grading worksheet, Blackboard Grade Center download): its rows, ids and "
                            "columns are kept")
    group.add_argument("--lms-column", metavar="NAME",
                       help="with --lms: the assignment's column as named in the course, e.g. "
                            "'Regularization (123456)' (default: the sheet's column of that title, "
                            "else the title)")
    group.add_argument("--no-submission", choices=lms.NO_SUBMISSION, default="blank",
                       help="with --lms: what a student who handed nothing in gets: blank (the "
                            "platform's own cell, no change on import; default) or zero")
    group.add_argument("--due", metavar="TIME",
                       help="late penalty: the due date, YYYY-MM-DDTHH:MM[:SS] in the platform's clock "
                            "(only downloads that give upload times: Blackboard, nbgrader exchange)")
    group.add_argument("--late-penalty", type=float, default=None, metavar="PERCENT",
                       help="with --due: percent of the assignment's points off per day started")
    group.add_argument("--late-cap", type=float, default=None, metavar="PERCENT",
                       help="with --due: at most this percent off (default 100)")

    appeal = commands.add_parser("appeal", help="what the grader saw and decided for one student "
                                                "(instructor-side: shows the seed)")
    appeal.add_argument("out", type=Path, help="the output folder of grade-class")
    appeal.add_argument("student", help="the student id, as grades.csv shows it")
    appeal.add_argument("--assignment", choices=sorted(reference.NOTEBOOKS),
                        help="only this assignment (default: every one graded)")
    appeal.add_argument("--secret-file", type=Path, help="the course secret, to check the result's seal")

    course = commands.add_parser("nbgrader-course",
                                 help="create an nbgrader course whose autograde is the sealed grader")
    course.add_argument("directory", type=Path, help="the course folder to create")
    course.add_argument("--secret-file", type=Path,
                        help="the course secret (default: a new random one in DIR/course.secret)")
    course.add_argument("--course-id", help="nbgrader's course id (default: the folder's name)")

    secret = commands.add_parser("secret", help="the course secret: make a new one")
    secret_commands = secret.add_subparsers(dest="secret_command", required=True, metavar="new")
    new = secret_commands.add_parser("new", help="write a new random course secret to FILE (readable "
                                                 "by you only; an existing file is never overwritten)")
    new.add_argument("file", type=Path, metavar="FILE")
    return parser


def _secret(path):
    if path is None:
        secret = ""
    elif not path.is_file():
        raise FileNotFoundError(f"no such secret file: {path} ({HOW_TO_MAKE_ONE})")
    else:
        secret = path.read_text().strip()
    return secret


def _warn_without_secret(path, secret):
    """Say on stderr that the run had no course secret (once something was graded)."""
    if not secret:
        why = "no --secret-file" if path is None else f"the secret file {path} is empty"
        print(f"warning: {why}: every student's hidden inputs can be rebuilt from their id with this "
              "kit's code, and stored results can be forged; use the same non-empty secret file for "
              f"every run of a course ({HOW_TO_MAKE_ONE})", file=sys.stderr)


def _other_assignment(path, asked):
    """The assignment the notebook at ``path`` shows by its content, when it is not ``asked``."""
    from autograder.grading.extract import NotebookError, NotebookFile

    try:
        shown = reference.infer_assignment(NotebookFile.read(path).notebook())
    except (NotebookError, OSError):
        return None
    return shown if shown and shown != asked else None


def _table(result):
    rows = [("function", "points", "status", "reason")]
    for name, function in result.functions.items():
        failed = [c for c in function.checks if not c.passed]
        reason = function.hint or (failed[0].message if failed else "all checks passed")
        if result.error and reason == result.error:  # said once, whole, below the table
            reason = "not graded: see the error below"
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
    from autograder.course import exports, overrides, report, similarity
    from autograder.course.archive import ArchiveError
    from autograder.course.batch import identity_summary, results_of
    from autograder.course.cluster import ClusterError, TLSFiles
    from autograder.course.runner import OutputError, grade_class
    from autograder.grading.students import load_roster

    try:
        secret = _secret(args.secret_file)
        roster = load_roster(args.roster) if args.roster else None  # a RosterError is a ValueError
        if args.nbgrader_db:
            exports.check_gradebook(args.nbgrader_db)  # before grading, not after
        given = [flag for flag, value in (("--late-penalty", args.late_penalty),
                                          ("--late-cap", args.late_cap)) if value is not None]
        if given and not args.due:  # before grading: the rule would be dropped without a word
            raise ValueError(f"{' and '.join(given)} without --due: a late penalty counts from a due "
                             "date; give it as --due YYYY-MM-DDTHH:MM[:SS] (the platform's clock)")
        cap = {} if args.late_cap is None else {"cap": args.late_cap}  # else LateRule's default
        late = overrides.LateRule(args.due, args.late_penalty or 0.0, **cap) if args.due else None
        if late is not None and not args.late_penalty:
            print("note: --due without --late-penalty: the late rule is off (no penalty, none listed)",
                  file=sys.stderr)
            late = None
        sheet = lms.read_sheet(args.lms, args.lms_sheet) if args.lms and args.lms_sheet else None
        submissions = grade_class(args.path, args.out, jobs=args.jobs, scheduler=args.scheduler,
                                  secret=secret, layer=args.layer, assignment=args.assignment,
                                  tls=TLSFiles(args.tls_ca_file, args.tls_cert, args.tls_key),
                                  roster=roster, rescore=args.rescore)
    except (FileNotFoundError, ArchiveError, OutputError, ValueError, exports.GradebookError,
            ClusterError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. a Dask scheduler that cannot be reached
        print(f"error: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 2
    _warn_without_secret(args.secret_file, secret)
    if not any(submission.notebooks for submission in submissions):
        print(f"warning: no notebook was found in {args.path}: nothing was graded (an nbgrader "
              "submitted/ folder, a folder of .ipynb files or a zip of either is expected)", file=sys.stderr)
        return 1
    current = {s.student: s for s in submissions}
    scope = submissions[0].assignment  # the one assignment the class is graded as, or None
    found, problems = overrides.load(args.out)
    adjuster = overrides.Adjuster(found, problems, late, overrides.digest(args.out))

    def stored_rows():
        return (row for row in results_of(args.out) if row["student"] in current)

    def rows():  # the instructor's adjustments over the grader's scores, before every export
        return (adjuster.apply(row) for row in stored_rows())

    if scope and not any(row["results"] for row in rows()):
        print(f"warning: no {scope} notebook was found in {args.path}: nothing was graded (leave "
              "--assignment out to grade the notebooks it holds)", file=sys.stderr)
        return 1
    stats = report.ClassStats(scope, detected=args.assignment is None)
    stats.identity = identity_summary(submissions)
    for stored in stored_rows():
        row = adjuster.apply(stored)
        overrides.keep_in_provenance(args.out, stored, row, secret)
        exports.write_student_exports(row, args.out)
        stats.add(row)
    stats.adjustments, stats.adjusted = adjuster.summary(), adjuster.listing()
    stats.not_adjusted = [str(problem) for problem in adjuster.not_applied()]
    exports.write_csv(rows(), args.out / "grades.csv", [scope] if scope else None)
    if args.nbgrader_db:
        try:
            graded = {result["assignment"] for row in rows() for result in row["results"]}
            exports.check_gradebook(args.nbgrader_db, graded)
            count = exports.write_gradebook(rows(), args.nbgrader_db)
        except exports.GradebookError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"wrote {count} graded notebooks into {args.nbgrader_db}")
        totals = sum(1 for _, adjustment in adjuster.listing() if ":" not in adjustment["target"])
        if totals:
            print(f"note: nbgrader's gradebook holds each function's score: {totals} adjustment"
                  f"{'s' if totals > 1 else ''} of an assignment's total {'are' if totals > 1 else 'is'} "
                  "not in it (grades.csv and the LMS files have them)")
    status = 0
    if args.lms and scope is None:
        print("error: --lms writes one assignment's column, and this class holds several assignments: "
              "grade it with --assignment NAME", file=sys.stderr)
        status = 2
    elif args.lms:
        try:
            written = lms.write(args.lms, rows(), args.out, scope, sheet=sheet, column=args.lms_column,
                                people=lms.people_of(submissions, roster), convention=args.no_submission)
        except (lms.SheetError, OSError) as error:  # said; the class's report is still written
            print(f"error: {error}", file=sys.stderr)
            status = 2
        else:
            stats.lms = written.line(args.no_submission)
    similarity.write_csv(stats.find_similar(), args.out / "similarity.csv", report.pair_link)
    report.write_report(stats, args.out, lambda student: current[student].notebooks)
    print(report.format_summary(stats, args.out))
    return status


def _appeal(args):
    from autograder.course.appeal import AppealError, record

    try:
        secret = _secret(args.secret_file) if args.secret_file else None
        print(record(args.out, args.student, args.assignment, secret))
    except (AppealError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _nbgrader_course(args):
    from autograder.platforms.nbgrader_autograde import CourseError, create_course

    try:
        made = create_course(args.directory, secret_file=args.secret_file, course_id=args.course_id)
    except (CourseError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    secret = ("a new course secret (keep it from students; give it to grade-class with --secret-file)"
              if made["new_secret"] else "the course secret")
    print(f"wrote {made['config']}: nbgrader autograde grades with the sealed grader\n"
          f"secret:  {made['secret_file']}, {secret}\n"
          f"source:  {', '.join(made['assignments'])}\n"
          f"next, in that folder with the kit's nbgrader: nbgrader generate_assignment <assignment>, "
          f"then collect, autograde, generate_feedback and export as usual")
    return 0


def _new_secret(args):
    try:
        new_secret_file(args.file)
    except FileExistsError:
        print(f"error: {args.file} exists: a course secret is never overwritten (give the existing "
              "one with --secret-file, or name a new file)", file=sys.stderr)
        return 2
    except FileNotFoundError:
        print(f"error: cannot write {args.file}: the folder {args.file.parent} does not exist",
              file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote a new course secret to {args.file} (readable by you only): give this same file to "
          "every run of the course with --secret-file, and keep it from students")
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
    if args.command == "appeal":
        return _appeal(args)
    if args.command == "nbgrader-course":
        return _nbgrader_course(args)
    if args.command == "secret":
        return _new_secret(args)
    if args.coursera:  # refused before grading, not after
        try:
            args.coursera.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _cannot_write_coursera(args.coursera, error)
    try:
        from autograder.grading.grade import Graders
        from autograder.grading.students import ANONYMOUS

        secret = _secret(args.secret_file)
        student = ANONYMOUS if args.anonymous else args.student
        with Graders(layer=args.layer) as graders:
            result = grade_notebook(args.notebook, assignment=args.assignment, student=student,
                                    secret=secret, graders=graders)
    except (FileNotFoundError, reference.UnknownAssignment) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    _warn_without_secret(args.secret_file, secret)
    other = _other_assignment(args.notebook, args.assignment) if args.assignment else None
    if other:
        said = (f"this notebook is of the {other} assignment, not {args.assignment}: it was graded as "
                f"{args.assignment} because --assignment says so (leave --assignment out to grade it "
                f"as {other})")
        result.error = f"{said}; {result.error}" if result.error else said
        print(f"warning: {said}", file=sys.stderr)
    if args.coursera:
        from autograder.course import exports

        try:
            exports.write_coursera(result.to_dict(), args.coursera, anonymous=args.anonymous)
        except OSError as error:
            return _cannot_write_coursera(args.coursera, error)
    if args.json:
        print(json.dumps(result.to_dict(), sort_keys=False))
    else:
        print(_table(result))
    return 0
