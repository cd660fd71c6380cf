"""Does `make mutants` mutate the whole grading core with each module's own tests, and count right?

These tests never run the mutation tool: they read the driver's map of modules to tests, its
table and kill-rate arithmetic, and its parsing of mutmut's results and of the equivalent list.
"""

import re
import tomllib
from pathlib import Path

import pytest

from tools import mutants

ROOT = Path(__file__).resolve().parents[2]
#: The grading core as the kit's layout names it: what grades, what it may say, who is graded
#: with which seed, what is exported, and the platforms' entry points.
CORE_MODULES = {"autograder/grading/checks.py", "autograder/grading/feedback.py",
                "autograder/grading/vocabulary.py", "autograder/grading/result.py",
                "autograder/grading/students.py", "autograder/course/course_secret.py",
                "autograder/course/exports.py", "autograder/course/spreadsheet.py",
                "autograder/course/lms.py",
                "autograder/course/overrides.py", "autograder/platforms/nbgrader_bridge.py",
                "autograder/platforms/__init__.py", "autograder/platforms/gradescope.py",
                "autograder/platforms/coursera.py", "deploy/gradescope/grade.py", "deploy/coursera/grade.py"}


def test_does_the_map_cover_every_module_of_the_grading_core_and_every_assignment():
    assignments = {str(p.relative_to(ROOT)) for p in (ROOT / "autograder" / "assignments").glob("*.py")}
    assert CORE_MODULES | assignments <= set(mutants.CORE)
    assert all((ROOT / module).is_file() for module in mutants.CORE)


def test_does_each_module_point_at_test_files_and_test_functions_that_exist():
    for module, selections in [*mutants.CORE.items(), ("left out", mutants.DESELECTED)]:
        assert selections, module
        for selection in selections:
            path, _, name = selection.partition("::")
            assert path.startswith("tests/") and Path(path).name.startswith("test_"), selection
            assert (ROOT / path).is_file(), selection
            if name:
                source = (ROOT / path).read_text(encoding="utf-8")
                assert re.search(rf"^def {re.escape(name)}\(", source, re.M), selection


def test_is_a_mutation_run_out_of_reach_of_pytest_and_ruff():
    """The copies under build/mutants hold test files; neither pytest nor ruff may look there."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    assert config["pytest"]["ini_options"]["testpaths"] == ["tests"]
    assert "build" in config["ruff"]["extend-exclude"]
    assert {mutants.WORK.relative_to(ROOT).parts[0], mutants.TOOL.relative_to(ROOT).parts[0]} == {"build"}


def test_does_each_copy_mutate_only_its_module_and_select_only_its_tests():
    for module, selections in mutants.CORE.items():
        config = tomllib.loads(mutants.config(module))["tool"]["mutmut"]
        assert config["only_mutate"] == [module]
        assert config["pytest_add_cli_args_test_selection"] == list(selections)
        assert Path(module).parts[0] in config["source_paths"]
        assert config["pytest_add_cli_args"][-2:] == ["--deselect", mutants.DESELECTED[-1]]
        # more time than mutmut's default for collecting the tests, less for a mutant that loops
        assert config["timeout_constant"] > 1 and config["timeout_multiplier"] < 15
    assert mutants.slug("autograder/assignments/__init__.py") == "autograder-assignments-__init__"
    assert len({mutants.slug(m) for m in mutants.CORE}) == len(mutants.CORE)


RESULTS = """\
    autograder.course.spreadsheet.x_cell__mutmut_1: killed
    autograder.course.spreadsheet.x_cell__mutmut_2: survived
    autograder.course.spreadsheet.x_write_csv__mutmut_9: survived
    autograder.course.spreadsheet.x_write_csv__mutmut_10: timeout
    autograder.course.spreadsheet.x_write_csv__mutmut_11: no tests
    autograder.course.spreadsheet.x_write_csv__mutmut_12: not checked
    autograder.grading.checks.xǁCheckǁfixed_inputs__mutmut_1: killed
"""


def test_are_mutmuts_results_read_name_by_name():
    statuses = mutants.parse_results("Generating mutants\n" + RESULTS)
    assert len(statuses) == 7
    assert statuses["autograder.course.spreadsheet.x_write_csv__mutmut_11"] == "no tests"
    assert statuses["autograder.grading.checks.xǁCheckǁfixed_inputs__mutmut_1"] == "killed"


def test_is_the_kill_rate_killed_over_the_mutants_that_could_be_killed():
    statuses = mutants.parse_results(RESULTS)
    equivalent = {"autograder.course.spreadsheet.x_write_csv__mutmut_9": "newline is not translated on Linux"}
    row = mutants.tally("autograder/course/spreadsheet.py", statuses, equivalent)
    # killed: killed and timeout (a test stopped it); not run: not checked; survived: survived and no tests
    assert (row.mutants, row.killed, row.equivalent, row.survived, row.not_run) == (7, 3, 1, 2, 1)
    assert row.rate == pytest.approx(3 / 5)
    assert mutants.survivors(statuses, equivalent) == ["autograder.course.spreadsheet.x_cell__mutmut_2"]
    assert mutants.untested(statuses, equivalent) == {"write_csv": 1}  # no test calls it: named once


def test_is_each_function_no_test_calls_named_once_with_its_number_of_mutants():
    statuses = {"m.x_f__mutmut_1": "no tests", "m.x_f__mutmut_2": "no tests", "m.x_g__mutmut_1": "no tests",
                "m.xǁRosterǁresolve__mutmut_4": "no tests", "m.x_h__mutmut_1": "survived"}
    assert mutants.untested(statuses, {"m.x_g__mutmut_1": "same output"}) == {"f": 2, "Roster.resolve": 1}


def test_is_the_function_of_a_mutant_read_from_its_name():
    assert mutants.function_of("autograder.grading.students.x_student_id__mutmut_38") == "student_id"
    assert mutants.function_of("autograder.grading.students.x__by_hand__mutmut_2") == "_by_hand"
    assert (mutants.function_of("autograder.grading.vocabulary.xǁCatalogueǁlines__mutmut_3")
            == "Catalogue.lines")


def test_does_a_mutant_listed_as_equivalent_count_as_equivalent_even_when_a_test_killed_it():
    statuses = {"m.x_f__mutmut_1": "killed", "m.x_f__mutmut_2": "killed"}
    row = mutants.tally("m.py", statuses, {"m.x_f__mutmut_1": "same output"})
    assert (row.killed, row.equivalent, row.rate) == (1, 1, 1.0)


def test_is_a_listed_mutant_that_a_test_killed_named_so_that_a_shifted_entry_is_seen():
    # new mutants earlier in a function shift the numbers: an entry may then name a killable mutant
    statuses = {"m.x_f__mutmut_1": "killed", "m.x_f__mutmut_2": "survived", "m.x_f__mutmut_3": "timeout"}
    listed = {"m.x_f__mutmut_1": "same output", "m.x_f__mutmut_2": "same output"}
    assert mutants.listed_yet_killed(statuses, listed) == ["m.x_f__mutmut_1"]


def test_has_a_module_whose_mutants_were_all_equivalent_or_not_run_no_rate():
    row = mutants.tally("m.py", {"m.x_f__mutmut_1": "not checked"}, {})
    assert row.rate is None


def test_does_the_table_give_each_module_and_the_total_of_all_of_them():
    rows = [mutants.Tally("autograder/grading/checks.py", 200, 180, 5, 15, 0),
            mutants.Tally("autograder/course/spreadsheet.py", 60, 50, 5, 0, 0, unreachable=5)]
    lines = mutants.table(rows).splitlines()
    assert lines[0].split()[:2] == ["module", "mutants"] and lines[0].endswith("kill rate")
    assert lines[2].split() == ["autograder/grading/checks.py", *"200 180 5 0 15 0 92.3 %".split()]
    assert lines[3].split() == ["autograder/course/spreadsheet.py", *"60 50 5 5 0 0 100.0 %".split()]
    assert lines[4].split()[-8:] == ["260", "230", "10", "5", "15", "0", "93.9", "%"]
    assert len(lines) == 5


def test_is_a_listed_mutant_that_no_test_can_run_counted_apart_from_the_equivalent_ones():
    statuses = {"m.x_f__mutmut_1": "survived", "m.x_f__mutmut_2": "survived", "m.x_f__mutmut_3": "killed"}
    listed = {"m.x_f__mutmut_1": "unreachable: runs only at import",
              "m.x_f__mutmut_2": "a codec name is case-insensitive"}
    row = mutants.tally("m.py", statuses, listed)
    assert (row.killed, row.equivalent, row.unreachable, row.survived, row.rate) == (1, 1, 1, 0, 1.0)


def test_is_the_equivalent_list_read_with_its_reasons_and_comments():
    text = ("# why each of these cannot change what anyone sees\n\n"
            "autograder.a.x_f__mutmut_1: a codec name is case-insensitive  # UTF-8 and utf-8\n"
            "autograder.a.x_f__mutmut_2:   Linux writes no other line end\n")
    assert mutants.parse_equivalent(text) == {
        "autograder.a.x_f__mutmut_1": "a codec name is case-insensitive",
        "autograder.a.x_f__mutmut_2": "Linux writes no other line end"}


@pytest.mark.parametrize("text", ["autograder.a.x_f__mutmut_1\n", "autograder.a.x_f__mutmut_1:   \n",
                                  "two words: reason\n",
                                  "autograder.a.x_f__mutmut_1: one\nautograder.a.x_f__mutmut_1: two\n"],
                         ids=["no reason", "blank reason", "not a name", "twice"])
def test_is_an_entry_without_a_reason_or_listed_twice_refused_with_its_line(text):
    with pytest.raises(ValueError, match=r"line \d"):
        mutants.parse_equivalent(text)


def test_does_every_entry_of_the_committed_equivalent_list_name_a_mutant_of_a_core_module():
    listed = mutants.parse_equivalent(mutants.EQUIVALENT.read_text(encoding="utf-8"))
    modules = {mutants.dotted(m) for m in mutants.CORE}
    for name in listed:
        assert name.rsplit(".", 1)[0] in modules and "__mutmut_" in name, name


def test_is_a_module_named_by_the_prefix_of_its_mutants():
    assert mutants.dotted("autograder/grading/checks.py") == "autograder.grading.checks"
    assert mutants.dotted("autograder/assignments/__init__.py") == "autograder.assignments"
    assert mutants.dotted("deploy/gradescope/grade.py") == "deploy.gradescope.grade"


def test_does_a_survivor_show_the_line_it_changed():
    diff = ("--- autograder/course/spreadsheet.py\n+++ autograder/course/spreadsheet.py\n@@ -1,3 +1,3 @@\n"
            " def cell(value):\n-    return format(value, \"g\")\n+    return format(value, \"G\")\n")
    assert mutants.changed_line(diff) == ['- return format(value, "g")', '+ return format(value, "G")']


def test_is_a_module_outside_the_map_refused_before_anything_is_installed(capsys):
    with pytest.raises(SystemExit) as stop:
        mutants.main(["autograder/sandbox/host.py"])
    assert stop.value.code == 2
    assert "no fast tests are mapped for autograder/sandbox/host.py" in capsys.readouterr().err


def test_does_a_modules_copy_depend_on_its_own_tests_and_the_kit_but_not_on_other_modules_tests():
    files = ["autograder/grading/checks.py", "utils/checks.py", "tests/conftest.py",
             "tests/autograder/platforms/tampered.py",
             "tests/autograder/grading/test_checks.py", "tests/autograder/grading/test_students.py",
             "tests/deploy/test_gradescope.py", "tools/mutants.py", "README.md", "source/init/notebook.ipynb"]
    assert mutants.inputs(files, "autograder/grading/students.py") == [
        "autograder/grading/checks.py", "utils/checks.py", "tests/conftest.py",
        "tests/autograder/platforms/tampered.py",
        "tests/autograder/grading/test_students.py", "source/init/notebook.ipynb"]
    assert "tests/deploy/test_gradescope.py" in mutants.inputs(files, "deploy/gradescope/grade.py")


def test_is_a_platform_folder_that_a_mutant_created_removed_and_one_that_was_there_kept(tmp_path, capsys):
    created, kept = tmp_path / "shared", tmp_path / "autograder"
    kept.mkdir()
    absent = [path for path in (created, kept) if not path.exists()]
    (created / "submission").mkdir(parents=True)  # what a mutant's run leaves
    (created / "feedback.json").write_text("{}")
    mutants.remove_created(absent)
    assert not created.exists() and kept.is_dir()
    assert f"a mutant wrote into {created}" in capsys.readouterr().out


def test_are_the_platforms_default_folders_guarded():
    assert {str(path) for path in mutants.PLATFORM_FOLDERS} == {"/shared", "/autograder"}


def test_is_a_copy_without_its_fingerprint_reported_as_older_and_part_not_a_crash(tmp_path, monkeypatch):
    # A copy whose making stopped before its fingerprint was written (or one an older driver
    # made) still has mutmut's results: --no-run reports them, marked as not current.
    monkeypatch.setattr(mutants, "WORK", tmp_path)
    module = "autograder/course/spreadsheet.py"
    (tmp_path / mutants.slug(module) / "mutants").mkdir(parents=True)
    results = ("    autograder.course.spreadsheet.x_cell__mutmut_1: killed\n"
               "    autograder.course.spreadsheet.x_cell__mutmut_2: not checked\n")
    monkeypatch.setattr(mutants, "mutmut", lambda folder, env, *args, log=None: results)
    row, left, statuses = mutants.mutate(module, 1, {}, [], {}, run=False)
    assert row.module == f"{module} (part) (older tests)"
    assert (row.mutants, row.killed, row.not_run) == (2, 1, 1)
    assert left == {} and len(statuses) == 2


def test_is_a_copy_taken_as_current_only_with_the_fingerprint_of_its_inputs(tmp_path):
    assert mutants.stamped(tmp_path) is None
    (tmp_path / ".inputs").write_text("abc")
    assert mutants.stamped(tmp_path) == "abc"
