"""Mutation testing of the grading core: plant one small bug at a time, and see whether a test fails.

    python -m tools.mutants [--jobs N] [MODULE ...]   # make mutants [MODULES="autograder/grading/checks.py"]
    python -m tools.mutants --no-run [MODULE ...]     # the last runs' results as they stand

Without modules it mutates every module of :data:`CORE` (checks, feedback and its vocabulary,
the result model, the assignments, student ids and seeds, the exports and the platform adapters);
before resolving an issue that touches the core, mutate the modules it changed.

mutmut (:data:`MUTMUT_VERSION`, installed with pip under ``build/mutmut`` on first use, pinned by
``constraints.txt`` where it shares a package with the kit, and never into the kit's ``.venv``)
mutates one module at a time in a copy of the checkout under ``build/mutants/<module>/``. Each
mutant runs only the module's own fast tests (:data:`CORE`) that reach the mutated function:
a failing test (or one stopped by mutmut's time limit) kills it, all of them passing lets it
survive. A copy whose inputs (the checkout less ``tools/``, the README and the test files of
other modules' selections) have not changed since the last run resumes where that run stopped,
and reports a finished run at once; any change starts the module again.

The tests run in mutmut's own process, forked once per mutant, and mutmut runs for a mutant
only the tests it saw call the mutated function in that process: a test that reaches a function
only through a subprocess (``python -m autograder ...``) is never run for its mutants, so each
module's selection holds tests that call it in-process, where every module of the core runs.
(mutmut's package is copied beside the mutated modules, so when such a test does run, its
``python -m autograder`` from the copy runs the active mutant too.) The sandbox's job
children are out of its reach by design: they start with ``python -I`` and a clean environment
and run the worker from source sent over a pipe, never importing the mutated copy. That is why
the sandbox is not part of the core here (its tests are behavioural, in ``tests/autograder/sandbox/``).

The table gives for each module the mutants made, killed, listed in :data:`EQUIVALENT` (one
mutant a line with its reason: equivalent, it cannot change what anyone sees; or unreachable,
it runs only at import or behind a cache filled before mutmut forks, so no test can run it)
and surviving, and the kill rate: killed / (mutants - equivalent - unreachable - not run).
The surviving mutants follow, each with the line it changed, then the functions that no test of the module's
selection calls (their mutants survive too: mutmut's "no tests"), each once with its count, then
the listed mutants that a test killed and the listed names that are no mutant any more: a change
to a function shifts its mutants' numbers, so an entry may come to name another mutant.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The mutation tool `make mutants` installs under build/mutmut (its results depend on its version).
MUTMUT_VERSION = "3.8.1"
TOOL = ROOT / "build" / "mutmut"
WORK = ROOT / "build" / "mutants"
EQUIVALENT = ROOT / "tools" / "equivalent_mutants.txt"
#: A mutant's time limit: (its tests' measured time + TIMEOUT_CONSTANT seconds) *
#: TIMEOUT_MULTIPLIER (mutmut's defaults: 1 and 15). A mutant's process also collects its tests
#: and builds their module fixtures, which the measured time leaves out: on two cores shared with
#: other work, at nice 19, that alone took over 15 seconds, and a mutant stopped by the limit
#: counts as killed. A mutant that loops forever (a case drawn "until it tells", that never
#: does) waits out the whole limit: with mutmut's factor of 15 that was four minutes each.
TIMEOUT_CONSTANT = 6.0
TIMEOUT_MULTIPLIER = 4.0

_GRADESCOPE = "tests/deploy/test_gradescope.py::"
_COURSERA = "tests/deploy/test_coursera.py::"
_CLI = "tests/autograder/test_cli.py::"
_GROUP_ORDER = "test_does_a_group_get_the_same_hidden_inputs_whatever_the_order_gradescope_lists_it_in"
_GRADING = "tests/autograder/grading/"
_COURSE = "tests/autograder/course/"
#: The Gradescope tests that grade a submission in this process (through the entry script, its
#: adapter and the shared call of the platforms).
_GRADESCOPE_GRADING = (
    "test_does_the_script_grade_its_assignments_notebook_and_name_any_other_it_finds",
    "test_does_a_submission_without_its_assignments_notebook_get_one_sentence_and_no_tests",
    "test_does_a_zip_of_several_assignments_say_each_ones_fate_and_add_up_its_tests",
    "test_is_the_submission_graded_for_its_gradescope_ids_and_the_zips_secret",
    "test_does_a_zip_of_several_assignments_grade_each_in_its_order_whatever_comes_before")
#: The Coursera tests that run the entry script, or its adapter, in this process.
_COURSERA_TESTS = (
    "test_does_renaming_the_upload_leave_the_learners_hidden_inputs_unchanged",
    "test_does_the_script_ask_the_grader_for_the_parts_assignment_and_the_learner",
    "test_is_a_learner_without_userid_graded_anonymously_and_an_unknown_part_as_what_it_is",
    "test_is_the_notebook_of_the_part_chosen_among_several_its_own_name_first",
    "test_does_an_upload_of_another_parts_notebook_get_zero_and_one_plain_sentence",
    "test_does_a_learner_get_a_verdict_whatever_happens_to_the_grading",
    "test_does_an_empty_upload_to_an_unknown_part_say_to_upload_a_notebook",
    "test_is_the_graders_verdict_kept_when_it_wrote_one_and_replaced_when_it_failed",
    "test_is_a_learner_coursera_names_not_graded_as_anyone_else_without_userid",
    "test_is_a_notebook_showing_the_parts_assignment_chosen_before_an_unreadable_one",
    "test_are_hidden_notebooks_never_graded_and_a_missing_shared_folder_made",
    "test_does_a_learner_get_a_verdict_when_the_kit_itself_cannot_be_imported",
    "test_does_the_last_resort_page_make_a_missing_shared_folder_and_overwrite_an_old_verdict",
    "test_does_a_plain_verdict_page_show_its_title_and_the_sentence_and_nothing_else",
    "test_is_a_plain_page_written_in_utf8_on_a_machine_whose_locale_is_latin1",
    "test_does_the_script_read_coursera_s_own_folder_when_no_other_is_named")
_ASSIGNMENT_TESTS = (_GRADING + "test_checks.py", _GRADING + "test_hidden_roles.py",
                     _GRADING + "test_vocabulary.py")
#: Each module of the grading core and its own fast tests (files or test ids) that call it in their
#: own process: mutmut runs for a mutant only the tests it saw calling the mutated function there.
CORE = {
    "autograder/grading/checks.py": (_GRADING + "test_checks.py", _GRADING + "test_hidden_roles.py",
                                     _GRADING + "test_draw.py", _GRADING + "test_grade.py"),
    "autograder/grading/feedback.py": (_GRADING + "test_feedback.py", _GRADING + "test_checks.py",
                                       _GRADING + "test_vocabulary.py", _GRADING + "test_grade.py"),
    "autograder/grading/vocabulary.py": (_GRADING + "test_vocabulary.py",),
    "autograder/grading/result.py": (_GRADING + "test_result.py", _GRADING + "test_grade.py"),
    "autograder/assignments/__init__.py": ("tests/autograder/test_assignments.py", *_ASSIGNMENT_TESTS),
    "autograder/assignments/initialization.py": ("tests/autograder/assignments/test_initialization.py",
                                                 *_ASSIGNMENT_TESTS),
    "autograder/assignments/regularization.py": ("tests/autograder/assignments/test_regularization.py",
                                                 *_ASSIGNMENT_TESTS),
    "autograder/assignments/gradient_checking.py": ("tests/autograder/assignments/test_gradient_checking.py",
                                                    *_ASSIGNMENT_TESTS),
    "autograder/grading/students.py": (_GRADING + "test_students.py",),
    "autograder/course/course_secret.py": (_COURSE + "test_course_secret.py", *(_CLI + name for name in (
        "test_does_secret_new_write_a_strong_secret_only_its_owner_can_read",
        "test_is_the_secret_file_created_owner_only_and_never_over_anything",
        "test_does_secret_new_refuse_to_overwrite_anything_in_one_line"))),
    "autograder/course/exports.py": (_COURSE + "test_exports.py", _COURSE + "test_spreadsheet.py"),
    "autograder/course/spreadsheet.py": (_COURSE + "test_spreadsheet.py",),
    "autograder/course/lms.py": (_COURSE + "test_lms.py",),
    "autograder/course/overrides.py": (_COURSE + "test_overrides.py",),
    "autograder/platforms/nbgrader_bridge.py": ("tests/autograder/platforms/test_nbgrader_bridge.py",
                                                _GRADING + "test_draw.py"),
    "autograder/platforms/__init__.py": ("tests/autograder/test_platforms.py",
                                         *(_GRADESCOPE + name for name in _GRADESCOPE_GRADING)),
    "autograder/platforms/gradescope.py": ("tests/autograder/platforms/test_gradescope.py", *(
        _GRADESCOPE + name for name in (
            *_GRADESCOPE_GRADING,
            "test_are_the_notebooks_of_an_upload_found_in_its_folders_hidden_ones_left_out"))),
    "autograder/platforms/coursera.py": tuple(_COURSERA + name for name in _COURSERA_TESTS),
    "deploy/gradescope/grade.py": tuple(_GRADESCOPE + name for name in (
        _GROUP_ORDER, "test_does_the_script_grade_its_assignments_notebook_and_name_any_other_it_finds",
        "test_does_a_submission_without_its_assignments_notebook_get_one_sentence_and_no_tests",
        "test_does_a_zip_of_several_assignments_say_each_ones_fate_and_add_up_its_tests",
        "test_does_a_student_get_a_results_json_that_blames_the_grader_when_the_zip_is_broken",
        "test_is_the_student_the_sorted_gradescope_ids_of_the_submission",
        "test_is_the_submission_graded_for_its_gradescope_ids_and_the_zips_secret",
        "test_does_a_zip_of_several_assignments_grade_each_in_its_order_whatever_comes_before",
        "test_does_the_script_say_what_it_is_when_asked")),
    "deploy/coursera/grade.py": tuple(_COURSERA + name for name in _COURSERA_TESTS),
}

#: Tests left out of every mutation run (``make test`` runs them): the invariant that each
#: catalogued mistake scores alike for 200 students takes 15 of test_checks.py's 20 seconds, which
#: each surviving mutant of the checks and the assignments would pay again; the LMS and override
#: tests that grade sample classes in sandboxes (10 to 20 seconds a mutant; the writers' and the
#: adjuster's own tests call them with rows made in process); and the test that reads the
#: findings in an assignment module's source text, which in mutmut's copy holds every mutant's.
_LMS = _COURSE + "test_lms.py::"
_OVERRIDES = _COURSE + "test_overrides.py::"
DESELECTED = (_GRADING + "test_checks.py::"
              "test_does_each_catalogued_mistake_pass_the_same_checks_whatever_the_hidden_inputs",
              *(_LMS + name for name in (
                  "test_is_the_canvas_file_the_gradebook_import_with_the_exports_ids_and_names",
                  "test_is_the_moodle_file_the_grading_worksheet_with_its_participants_and_times",
                  "test_is_the_blackboard_file_the_grade_center_upload_in_utf16_tabs",
                  "test_does_the_summary_say_where_the_file_is_and_who_handed_nothing_in",
                  "test_does_lms_refuse_a_class_of_several_assignments")),
              *(_OVERRIDES + name for name in (
                  "test_are_the_adjustments_in_every_export_the_page_the_summary_and_the_report",
                  "test_do_the_adjustments_survive_two_reruns_and_a_rescore",
                  "test_is_a_malformed_line_reported_with_its_number_and_nothing_else_changed",
                  "test_does_the_late_rule_read_the_platforms_time_of_each_attempt")),
              _GRADING + "test_vocabulary.py::"
              "test_does_every_finding_an_assignment_gives_belong_to_one_of_its_functions")

#: mutmut's statuses, grouped: a test failed or hung (killed); every test passed, or none reached
#: the mutant (survived); the run stopped before the mutant was tried (not run).
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
NOT_RUN = {"not checked", "skipped", "check was interrupted by user"}


@dataclass(frozen=True)
class Tally:
    """One module's row of the table."""

    module: str
    mutants: int
    killed: int
    equivalent: int
    survived: int
    not_run: int
    unreachable: int = 0

    @property
    def rate(self):
        """Killed mutants per mutant that could be killed (in [0, 1]; None when there is none)."""
        judged = self.mutants - self.equivalent - self.unreachable - self.not_run
        return self.killed / judged if judged else None


def parse_results(text):
    """``{mutant: status}`` from the lines ``    name: status`` of ``mutmut results --all true``."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(r"\s*(\S+): (.+?)\s*", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def parse_equivalent(text):
    """``{mutant: reason}`` from the equivalent list: one ``name: reason`` a line, ``#`` comments.

    A line without a reason, or a mutant named twice, is an error (``ValueError``): an entry
    says why the mutant cannot change behaviour, once.
    """
    listed = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, reason = (part.strip() for part in line.partition(":"))
        if not name or " " in name or not reason:
            raise ValueError(f"{EQUIVALENT.name}, line {number}: write 'mutant name: why it is equivalent'")
        if name in listed:
            raise ValueError(f"{EQUIVALENT.name}, line {number}: {name} is listed twice")
        listed[name] = reason
    return listed


def tally(module, statuses, equivalent):
    """The row of ``module`` from its mutants' ``statuses`` and the ``equivalent`` list.

    A listed mutant counts as equivalent whatever its status (killed ones too: the list says it
    cannot change behaviour, so a test that fails on it fails for another reason), or as
    unreachable when its reason says so (code that runs only at import or behind a cache, before
    mutmut forks the mutant's process: no test can run it).
    """
    counts = {"killed": 0, "equivalent": 0, "survived": 0, "not_run": 0, "unreachable": 0}
    for name, status in statuses.items():
        if name in equivalent:
            counts["unreachable" if unreachable(equivalent[name]) else "equivalent"] += 1
        elif status in KILLED:
            counts["killed"] += 1
        elif status in NOT_RUN:
            counts["not_run"] += 1
        else:
            counts["survived"] += 1
    return Tally(module, len(statuses), **counts)


def unreachable(reason):
    """Whether an entry of the equivalent list is a mutant no test can run rather than one that
    changes nothing: its reason starts with ``unreachable``."""
    return reason.startswith("unreachable")


def survivors(statuses, equivalent):
    """The mutants that survived the tests that reach them (not killed, run, not listed as
    equivalent, and some test calls their function), sorted by name."""
    return sorted(name for name, status in statuses.items()
                  if name not in equivalent and status not in KILLED | NOT_RUN | {"no tests"})


def listed_yet_killed(statuses, equivalent):
    """The mutants listed as equivalent that a test killed, sorted by name: most often an entry
    whose number now names another mutant, as its function changed (new mutants before it shift
    the numbers); else a test that fails on an equivalent mutant for another reason."""
    return sorted(name for name, status in statuses.items() if name in equivalent and status in KILLED)


def table(rows):
    """The kill-rate table: one line per module and a total line for all of them."""
    fields = ("mutants", "killed", "equivalent", "survived", "not_run", "unreachable")
    total = Tally("all modules above", **{f: sum(getattr(r, f) for r in rows) for f in fields})
    width = max(len(r.module) for r in [*rows, total])
    head = f"{'module':<{width}}  mutants  killed  equivalent  unreachable  survived  not run  kill rate"
    lines = [head, "-" * len(head)]
    for row in [*rows, total]:
        rate = "-" if row.rate is None else f"{100 * row.rate:.1f} %"
        lines.append(f"{row.module:<{width}}  {row.mutants:7d}  {row.killed:6d}  {row.equivalent:10d}  "
                     f"{row.unreachable:11d}  {row.survived:8d}  {row.not_run:7d}  {rate:>9}")
    return "\n".join(lines)


def slug(module):
    """The folder name of a module's copy: ``autograder/grading/checks.py`` gives ``autograder-checks``."""
    return module.removesuffix(".py").replace("/", "-")


def config(module):
    """The ``[tool.mutmut]`` table of a module's copy: mutate only ``module``, select its tests."""
    tests = ", ".join(f'"{t}"' for t in CORE[module])
    deselect = [arg for test in DESELECTED for arg in ("--deselect", test)]
    return (f'\n[tool.mutmut]\nsource_paths = ["autograder", "utils", "deploy"]\n'
            f'only_mutate = ["{module}"]\n'
            f'also_copy = ["source", "release", "bench", "tools", "Makefile", "constraints.txt", '
            f'"README.md", "mutmut", "mutmut-{MUTMUT_VERSION}.dist-info"]\n'
            f"pytest_add_cli_args_test_selection = [{tests}]\n"
            f"pytest_add_cli_args = {json.dumps(['-p', 'no:cacheprovider', *deselect])}\n"
            f"use_git_change_detection = false\n"
            f"timeout_constant = {TIMEOUT_CONSTANT}\ntimeout_multiplier = {TIMEOUT_MULTIPLIER}\n")


def checkout_files():
    """The checkout's files as git sees them (tracked, or new and not ignored), relative paths."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return sorted({p for p in listed.split("\0") if p and os.path.lexists(ROOT / p)})


def inputs(files, module):
    """The files a module's results depend on: the checkout less tools/, the README and the test
    files of other modules' selections (a test file counts only for the modules it is run for)."""
    own = {selection.partition("::")[0] for selection in CORE[module]}
    return [name for name in files
            if not name.startswith("tools/") and name != "README.md"
            and (not re.fullmatch(r"tests/(.+/)?test_[^/]*\.py", name) or name in own)]


def fingerprint(files, module):
    """What a module's results depend on: its :func:`inputs`, the tool and the config."""
    digest = hashlib.sha256(f"{MUTMUT_VERSION}\0{config(module)}".encode())
    for name in inputs(files, module):
        path = ROOT / name
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def stamped(folder):
    """The fingerprint a module's copy was made for, or None when it has none (a copy whose
    making was stopped, or made by an older driver): such a copy is never taken as current."""
    stamp = folder / ".inputs"
    return stamp.read_text() if stamp.is_file() else None


def prepare(module, files):
    """The module's copy under build/mutants, fresh unless its inputs are those of the last run."""
    folder = WORK / slug(module)
    stamp = fingerprint(files, module)
    if stamped(folder) == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for name in files:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    for name in ("mutmut", f"mutmut-{MUTMUT_VERSION}.dist-info"):  # for the tests' subprocesses
        shutil.copytree(TOOL / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "pyproject.toml", "a") as handle:
        handle.write(config(module))
    (folder / ".inputs").write_text(stamp)
    return folder


def tool():
    """The environment that runs mutmut: this interpreter with build/mutmut first on its path."""
    if not (TOOL / f"mutmut-{MUTMUT_VERSION}.dist-info").is_dir():
        shutil.rmtree(TOOL, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(TOOL),
                        "-c", str(ROOT / "constraints.txt"), f"mutmut=={MUTMUT_VERSION}"], check=True)
    return {**os.environ, "PYTHONPATH": str(TOOL), "PYTHONDONTWRITEBYTECODE": "1"}


#: Prints each mutant's diff (``mutmut show``'s) as a JSON line, for the names read from stdin:
#: one process for all the survivors of a module instead of one ``mutmut show`` each.
_SHOW = ("import json, sys\n"
         "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
         "for name in json.load(sys.stdin):\n"
         "    print(json.dumps([name, get_diff_for_mutant(name)]))\n")


def function_of(name):
    """The function a mutant changes: ``pkg.mod.x_f__mutmut_3`` gives ``f``, a method's
    ``pkg.mod.xǁClassǁmethod__mutmut_1`` gives ``Class.method``."""
    mangled = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    return mangled.removeprefix("x_") if mangled.startswith("x_") else ".".join(mangled.split("ǁ")[1:])


def untested(statuses, equivalent):
    """``{function: number of mutants}`` of the functions no selected test calls (mutmut's "no
    tests"), which the report names once each instead of listing their mutants."""
    counts = {}
    for name, status in sorted(statuses.items()):
        if status == "no tests" and name not in equivalent:
            counts[function_of(name)] = counts.get(function_of(name), 0) + 1
    return counts


#: The platforms' default folders. The entry scripts' tests point them elsewhere (an environment
#: variable, an argument), but a mutant that misspells that variable writes into the default.
PLATFORM_FOLDERS = (Path("/shared"), Path("/autograder"))


def mutmut(folder, env, *args, log=None):
    """Run ``mutmut ARGS`` in a module's copy: its output, or with ``log`` its exit status (the
    output goes to the file ``log``). A platform folder the run created is removed afterwards."""
    command = [sys.executable, "-m", "mutmut", *args]
    absent = [path for path in PLATFORM_FOLDERS if not path.exists()]
    try:
        if log is None:
            return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                                  check=True).stdout
        with open(log, "w") as out:
            return subprocess.run(command, cwd=folder, env=env, stdout=out,
                                  stderr=subprocess.STDOUT).returncode
    finally:
        remove_created(absent)


def remove_created(absent):
    """Remove each folder of ``absent`` (folders that did not exist before a run) that exists now."""
    for path in absent:
        if path.exists():
            print(f"note: a mutant wrote into {path}, the platform's default folder; removed it", flush=True)
            shutil.rmtree(path, ignore_errors=True)


def changed_line(diff):
    """The lines a mutant changed, from ``mutmut show``'s diff: ``- old`` / ``+ new``, stripped."""
    return [f"{line[0]} {line[1:].strip()}" for line in diff.splitlines()
            if line[:1] in "-+" and not line.startswith(("---", "+++"))]


def mutate(module, jobs, env, files, equivalent, run=True):
    """Run mutmut over one module; its row, its survivors (with the lines they change). Without
    ``run``, the results of the last run as they stand (None if the module was never mutated)."""
    if not run:
        folder = WORK / slug(module)
        if not (folder / "mutants").is_dir():
            print(f"{module}: never mutated")
            return None
        current = stamped(folder) == fingerprint(files, module)
        done = (folder / ".done").exists()
        print(f"{module}: the last run ({'finished' if done else 'stopped before its end'}"
              f"{'' if current else ', on inputs that have changed since'})")
        label = module + ("" if done else " (part)") + ("" if current else " (older tests)")
    else:
        folder = prepare(module, files)
    log = folder / "mutmut.log"
    if run:
        print(f"mutating {module} with {len(CORE[module])} test selections (log: {log.relative_to(ROOT)})",
              flush=True)
    if run and not (folder / ".done").exists():  # a finished run of the same inputs is only reported
        code = mutmut(folder, env, "run", "--max-children", str(jobs), log=log)
        if code != 0:
            tail = log.read_text(errors="replace").splitlines()[-15:]
            raise RuntimeError(f"mutmut stopped on {module} (exit status {code}):\n  " + "\n  ".join(tail))
        (folder / ".done").touch()
    statuses = parse_results(mutmut(folder, env, "results", "--all", "true"))
    names = survivors(statuses, equivalent)
    row = tally(module if run else label, statuses, equivalent)
    shown = subprocess.run([sys.executable, "-c", _SHOW], input=json.dumps(names), cwd=folder, env=env,
                           capture_output=True, text=True, check=True).stdout if names else ""
    left = {name: changed_line(diff) for name, diff in map(json.loads, shown.splitlines())}
    return row, left, statuses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths of core modules (default: all of them)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument("--no-run", action="store_true",
                        help="report the last runs' results as they stand, without running mutmut")
    options = parser.parse_args(argv)
    modules = options.modules or list(CORE)
    unknown = [m for m in modules if m not in CORE]
    if unknown:
        parser.error(f"no fast tests are mapped for {', '.join(unknown)}: add the module to CORE in "
                     f"tools/mutants.py (the core: {', '.join(CORE)})")
    equivalent = parse_equivalent(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
    env, files = tool(), checkout_files()
    rows, left, unreached, killed_listed, seen, failed = [], {}, {}, {}, set(), []
    for module in modules:
        try:
            found = mutate(module, options.jobs, env, files, equivalent, run=not options.no_run)
        except RuntimeError as error:  # said now; the other modules still run
            print(f"error: {error}", file=sys.stderr)
            failed.append(module)
            continue
        if found is None:
            continue
        row, module_left, statuses = found
        rows.append(row)
        left[module], unreached[module] = module_left, untested(statuses, equivalent)
        killed_listed[module] = listed_yet_killed(statuses, equivalent)
        seen |= set(statuses)
    if not rows:
        return 1 if failed else 0
    print()
    print(table(rows))
    for module, names in left.items():
        for name in names:
            print(f"\nsurvived: {name} ({module})")
            for line in names[name]:
                print(f"    {line}")
    for module, counts in unreached.items():
        for function, count in counts.items():
            print(f"\nsurvived, as no test of its selection calls {function} ({module}): {count} mutants")
    for module, names in killed_listed.items():
        for name in names:
            print(f"\n{EQUIVALENT.name}: {name} is listed, yet a test killed it ({module}): check that "
                  "the entry still names the mutant it was written for (`mutmut show`)")
    mutated = {dotted(m) for m in modules}
    stale = sorted(n for n in equivalent if n not in seen and n.rsplit(".", 1)[0] in mutated)
    for name in stale:
        print(f"\n{EQUIVALENT.name}: {name} is not a mutant any more (its function changed): "
              "check the entry and remove it")
    if failed:
        print(f"\nnot mutated, as mutmut stopped: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def dotted(module):
    """The module part of its mutants' names: ``autograder/grading/checks.py`` gives
    ``autograder.grading.checks``."""
    return module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


if __name__ == "__main__":
    sys.exit(main())
