"""Whose is a notebook? Ids from the platform's own prefix, never from a name the student chose.

Mirrors :mod:`autograder.grading.students`: each platform's prefix read where the platform puts it
(Moodle, Canvas, Blackboard, nbgrader's exchange) whatever the student called their file; a
name given by hand read as before and counted in the summary; the roster (``--roster``)
that maps such names to ids and notes ids it does not hold; and what happens when two
notebooks of one assignment map to one student (:func:`autograder.course.batch.grade_submission`):
the newest by the platform's time is graded, and without one none is.
"""

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import batch
from autograder.course.batch import Submission, discover, grade_submission, identity_summary
from autograder.grading import reference, students
from autograder.grading.grade import Graders
from autograder.grading.students import (
    BLACKBOARD,
    CANVAS,
    EXCHANGE,
    FOLDER,
    HAND,
    MOODLE,
    Identity,
    RosterError,
    identify_file,
    identify_folder,
    load_roster,
    student_id,
    student_of_path,
)

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
GC = "gradient_checking"
GC_NOTEBOOK = reference.NOTEBOOKS[GC]
RIGHT = CLASS / "ada" / GC / GC_NOTEBOOK  # every function right: 50 points
BLANK = ROOT / "release" / GC / GC_NOTEBOOK  # the release: 0 points
TIME = "2016-01-30-15-30-10"

@pytest.mark.parametrize(("name", "said"), [
    ("Ana María_4321_assignsubmission_file_Regularization.ipynb", "Ana María"),  # Moodle, a file
    ("Ana María_4321_assignsubmission_file", "Ana María"),  # Moodle 4, a folder
    ("Ana María_4321_assignsubmission_file_", "Ana María"),  # Moodle 3, a folder
    ("smithjohn_LATE_12345_678902_Regularization.ipynb", "smithjohn"),  # Canvas
    (f"Week 1_jd42_attempt_{TIME}_Regularization.ipynb", None),  # Blackboard writes no name
    ("alice_Regularization.ipynb", None),  # by hand: no platform's name
    ("Ana María_4321_assignsubmission_filex", None),  # only begins like a Moodle folder: a folder by hand
])
def test_does_the_platforms_name_of_a_student_come_from_its_prefix_only(name, said):
    assert students.platform_name(name) == said


#: ``(file name, who the platform says handed it in)``: each platform's own prefix.
PLATFORM_NAMES = [
    ("Ana Maria_4321_assignsubmission_file_Regularization.ipynb", Identity("4321", MOODLE)),
    ("Participant_4321_assignsubmission_file_notes.ipynb", Identity("4321", MOODLE)),  # blind marking
    ("smithjohn_12345_678901_Regularization.ipynb", Identity("12345", CANVAS)),
    ("smithjohn_LATE_12345_678902_Regularization-1.ipynb", Identity("12345", CANVAS)),
    ("smithjohn_late_12345_678902_Regularization.ipynb", Identity("12345", CANVAS)),
    (f"ps1_bitdiddle_attempt_{TIME}_Regularization.ipynb",
     Identity("bitdiddle", BLACKBOARD, "2016-01-30T15:30:10")),
    (f"Homework 1_jd42_attempt_{TIME}_my file.ipynb", Identity("jd42", BLACKBOARD, "2016-01-30T15:30:10")),
    # A Blackboard assignment named like a Canvas prefix ("hw_1"), and numeric usernames: read as
    # Canvas's, so that no Canvas upload named "attempt_<time>_..." is ever read as Blackboard's.
    (f"hw_1_20231234_attempt_{TIME}_Regularization.ipynb", Identity("1", CANVAS)),
]

#: File names a student may give their upload: each a whole other platform's name, or a name
#: given by hand, so that a reader matching anywhere in the name would take someone else's id.
FORGED_TAILS = [
    f"x_Ana Maria_attempt_{TIME}_Regularization.ipynb",
    f"attempt_{TIME}_Regularization.ipynb",
    "Ana Maria_4321_assignsubmission_file_Regularization.ipynb",
    "victim_999_888_Regularization.ipynb",
    "victim_LATE_999_888_x.ipynb",
    f"ps1_victim_attempt_{TIME}_Regularization.ipynb",
    "victim - Regularization.ipynb",
    "victim_Regularization.ipynb",
]

#: ``(prefix a platform writes before the student's file name, the id it gives)``.
PREFIXES = [
    ("Bob Smith_5501_assignsubmission_file_", "5501"),
    ("smithbob_6601_9001_", "6601"),
    ("smithbob_late_6601_9001_", "6601"),
    (f"Week 1_bobs_attempt_{TIME}_", "bobs"),
    (f"w1_bobs_attempt_{TIME}_", "bobs"),
]


def copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def roster_file(tmp_path, text, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graders():
    with Graders() as warm:
        yield warm


# Reading the platform's prefix ------------------------------------------------------------------


@pytest.mark.parametrize(("file_name", "identity"), PLATFORM_NAMES, ids=[n for n, _ in PLATFORM_NAMES])
def test_does_each_platforms_prefix_give_the_platforms_id(file_name, identity):
    assert identify_file(file_name) == identity


@pytest.mark.parametrize(("prefix", "student"), PREFIXES, ids=[p for p, _ in PREFIXES])
@pytest.mark.parametrize("tail", FORGED_TAILS)
def test_does_the_file_name_a_student_chose_never_decide_whose_upload_it_is(prefix, student, tail):
    identity = identify_file(prefix + tail)
    assert identity.raw == student, (prefix + tail, identity)
    assert identity.source != HAND


@pytest.mark.parametrize(("file_name", "raw"), [
    ("alice_Regularization.ipynb", "alice"),
    ("alice-Gradient_Checking.ipynb", "alice"),
    ("carol - Gradient Checking (1).ipynb", "carol"),
    ("jd-12.ipynb", "jd-12"),
    ("mystery-file.ipynb", "mystery-file"),
    ("Regularization.ipynb", ""),
    (f"bob_attempt_{TIME}.ipynb", f"bob_attempt_{TIME}"),  # no assignment before it: not Blackboard's
    ("Ana_Maria_4321_assignsubmission_file_x.ipynb", "Ana_Maria_4321_assignsubmission_file_x"),  # Moodle
    # writes a name with spaces for underscores: this is no Moodle prefix
])
def test_is_a_name_without_a_platforms_prefix_read_as_given_by_hand(file_name, raw):
    assert identify_file(file_name) == Identity(raw, HAND)


@pytest.mark.parametrize(("folder", "identity"), [
    ("Ana Maria_4321_assignsubmission_file", Identity("4321", MOODLE)),  # Moodle 4.x
    ("Ana Maria_4321_assignsubmission_file_", Identity("4321", MOODLE)),  # Moodle 3.x
    ("alice+regularization+2024-03-01 10:00:00.123 UTC", Identity("alice", EXCHANGE,
                                                                   "2024-03-01T10:00:00.123000")),
    ("alice+regularization+2024-03-01 10:00:00.123456 UTC+k3j5", Identity("alice", EXCHANGE,
                                                                          "2024-03-01T10:00:00.123456")),
    ("a+b+c", Identity("a+b+c", FOLDER)),  # no timestamp: a folder named by hand
    ("ada", Identity("ada", FOLDER)),
])
def test_does_a_platforms_folder_give_the_platforms_id_and_any_other_folder_its_name(folder, identity):
    assert identify_folder(folder) == identity


def test_do_grade_and_grade_class_read_a_notebook_in_a_platforms_folder_as_the_folders(tmp_path):
    forged = FORGED_TAILS[0]
    moodle = copy(BLANK, tmp_path / "class" / "Bob Smith_5501_assignsubmission_file" / forged)
    exchange = copy(BLANK, tmp_path / "class" / "bobs+gradient_checking+2024-03-01 10:00:00.0 UTC" / forged)

    found = {s.student: s for s in discover(tmp_path / "class", tmp_path / "work")}

    assert set(found) == {"5501", "bobs"}
    assert student_of_path(moodle) == "5501"
    assert student_of_path(exchange) == "bobs"


# The hostile case of the issue: Bob's upload named after Ana Maria's Blackboard attempt ----------


def test_is_bobs_moodle_upload_named_after_ana_marias_attempt_graded_as_bob(graders, tmp_path):
    bob = copy(RIGHT, tmp_path / "class" / f"Bob Smith_5501_assignsubmission_file_{FORGED_TAILS[0]}")
    copy(BLANK, tmp_path / "class" / f"Ana Maria_5502_assignsubmission_file_{GC_NOTEBOOK}")

    submissions = discover(tmp_path / "class", tmp_path / "work")
    rows = {s.student: grade_submission(s, "s", graders) for s in submissions}

    assert set(rows) == {"5501", "5502"}  # no row for "Ana Maria", spelled any way
    assert [r["score"] for r in rows["5501"]["results"]] == [50]  # Bob's work, in Bob's row
    assert [r["score"] for r in rows["5502"]["results"]] == [0]  # Ana Maria's blank notebook
    assert rows["5501"]["results"][0]["student"] == "5501"  # Bob's hidden inputs, not hers
    assert student_of_path(bob) == "5501"


# Two notebooks of one assignment for one student ------------------------------------------------


def _row(graders, folder, tmp_path):
    (submission,) = discover(folder, tmp_path / "work")
    return submission, grade_submission(submission, "s", graders)


def test_is_the_newest_blackboard_attempt_graded_and_the_older_one_named(graders, tmp_path):
    older = copy(RIGHT, tmp_path / "class" / f"W1_bobs_attempt_2024-03-01-10-00-00_{GC_NOTEBOOK}")
    copy(BLANK, tmp_path / "class" / f"W1_bobs_attempt_2024-03-02-09-00-00_{GC_NOTEBOOK}")

    _, row = _row(graders, tmp_path / "class", tmp_path)

    assert row["status"] == "graded"
    assert [r["score"] for r in row["results"]] == [0]  # the newer, blank one: not the better one
    (note,) = [n for n in row["notes"] if batch.SEVERAL in n]
    assert "the newest by the platform's time is graded" in note and "2024-03-02T09:00:00" in note
    assert f"not graded: {older.name} (2024-03-01T10:00:00)" in note


def test_is_the_newest_exchange_submission_graded(graders, tmp_path):
    copy(BLANK, tmp_path / "class" / "bobs+gradient_checking+2024-03-01 10:00:00.5 UTC" / GC_NOTEBOOK)
    copy(RIGHT, tmp_path / "class" / "bobs+gradient_checking+2024-03-01 10:00:00.25 UTC+x1" / GC_NOTEBOOK)

    _, row = _row(graders, tmp_path / "class", tmp_path)

    assert [r["score"] for r in row["results"]] == [0]  # .5 s is later than .25 s
    assert any("not graded: bobs+gradient_checking+2024-03-01 10:00:00.25 UTC+x1/" in n for n in row["notes"])


@pytest.mark.parametrize("layout", ["hand-named files", "Moodle, one submission", "Canvas, one submission",
                                    "nbgrader folder", "Blackboard, one attempt time"])
def test_are_two_notebooks_without_a_platform_time_both_named_and_neither_graded(layout, graders,
                                                                                 tmp_path):
    folder = tmp_path / "class"
    names = {
        "hand-named files": [f"bob_{GC_NOTEBOOK}", "bob - Gradient Checking.ipynb"],
        "Moodle, one submission": [f"Bob_77_assignsubmission_file_{GC_NOTEBOOK}",
                                   "Bob_77_assignsubmission_file_final.ipynb"],
        "Canvas, one submission": [f"smithbob_77_1001_{GC_NOTEBOOK}", "smithbob_77_1002_final.ipynb"],
        "nbgrader folder": [f"bob/{GC}/{GC_NOTEBOOK}", f"bob/{GC}/final.ipynb"],
        "Blackboard, one attempt time": [f"W1_bob_attempt_{TIME}_{GC_NOTEBOOK}",
                                         f"W1_bob_attempt_{TIME}_final.ipynb"],
    }[layout]
    copy(RIGHT, folder / names[0])
    copy(BLANK, folder / names[1])

    submission, row = _row(graders, folder, tmp_path)

    assert row["status"] == "error" and row["results"] == []  # neither, not the better one
    (note,) = [n for n in row["notes"] if batch.SEVERAL in n]
    assert all(name in note for name in names), note
    assert "none of them is graded" in note and f"no notebook for {GC}" not in row["notes"]
    one_upload = Submission(submission.student, submission.notebooks)  # as a platform's grader builds it
    assert [r["score"] for r in grade_submission(one_upload, "s", graders)["results"]] == [50]


def test_does_a_class_graded_as_one_assignment_name_both_uploads_and_count_no_misfiled_one(graders, tmp_path):
    folder = tmp_path / "class"
    copy(RIGHT, folder / f"bob_{GC_NOTEBOOK}")
    copy(RIGHT, folder / "bob - Gradient Checking.ipynb")
    init = reference.NOTEBOOKS["initialization"]
    copy(CLASS / "ada" / "initialization" / init, folder / f"bob_{init}")

    (submission,) = batch.scoped(discover(folder, tmp_path / "work"), GC)
    row = grade_submission(submission, "s", graders)

    assert row["status"] == "error" and row["results"] == []
    assert [m["file"] for m in row["misfiled"]] == ["bob_Initialization.ipynb"]
    assert sum(batch.SEVERAL in n for n in row["notes"]) == 1


# The roster -------------------------------------------------------------------------------------


ROSTER = "id,name,email\ns1001,Ana María Pérez,ana@uni.example\ns1002,Bob Smith,bob@uni.example\n" \
         "s1003,Chris Lee,chris@uni.example\ns1004,Chris Lee,chris.l@uni.example\n5501,Moodle Bob,\n"


@pytest.mark.parametrize(("identity", "student", "known"), [
    (Identity("s1001", HAND), "s1001", True),  # an id of the roster, given by hand
    (Identity("S1001", HAND), "s1001", True),  # case aside
    (Identity("ana maría pérez", HAND), "s1001", True),  # a name, case aside
    (Identity("Ana_María_Pérez", HAND), "s1001", True),  # underscores for spaces
    (Identity("Bob Smith", FOLDER), "s1002", True),  # a folder named by hand
    (Identity("BOB@uni.example", HAND), "s1002", True),  # an email
    (Identity("5501", MOODLE), "5501", True),  # a platform's id that the roster holds
    (Identity("zed", HAND), "zed", False),
    (Identity("Chris Lee", HAND), student_id("Chris Lee"), False),  # two rows share the name
    (Identity("9999", CANVAS), "9999", False),
    (Identity("Bob Smith", MOODLE), student_id("Bob Smith"), False),  # a platform's id: never by name
])
def test_does_the_roster_map_names_given_by_hand_and_note_ids_it_lacks(identity, student, known, tmp_path):
    roster = load_roster(roster_file(tmp_path, ROSTER))
    found, note = roster.resolve(identity)
    assert found == student
    assert (note is None) == known
    if not known:
        assert note.startswith(students.NOT_IN_ROSTER) and student in note
    if identity.raw == "Chris Lee":
        assert "more than one" in note


def test_does_the_roster_give_each_id_its_name_and_email(tmp_path):
    roster = load_roster(roster_file(tmp_path, ROSTER))
    assert roster.people["s1001"] == ("Ana María Pérez", "ana@uni.example")
    assert roster.people["5501"] == ("Moodle Bob", "")
    assert set(roster.people) == roster.ids == {"s1001", "s1002", "s1003", "s1004", "5501"}


def test_does_grade_class_map_names_to_roster_ids_note_the_others_and_count_them(tmp_path, capsys):
    folder = tmp_path / "class"
    copy(RIGHT, folder / "Ana María Pérez - Gradient Checking.ipynb")
    copy(RIGHT, folder / f"zed_{GC_NOTEBOOK}")
    copy(RIGHT, folder / f"kim_{GC_NOTEBOOK}")
    copy(RIGHT, folder / f"W1_s1002_attempt_{TIME}_{GC_NOTEBOOK}")
    roster = roster_file(tmp_path, ROSTER)

    status = main(["grade-class", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1",
                   "--roster", str(roster)])
    printed = capsys.readouterr().out

    assert status == 0
    with open(tmp_path / "out" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"s1001", "s1002", "zed", "kim"}
    assert all(float(row["total"]) == 50 for row in rows.values())
    assert rows["s1001"]["notes"] == rows["s1002"]["notes"] == ""
    assert rows["zed"]["notes"] == "not in the roster: zed"
    assert "ids from hand-given file names: 2 students" in printed
    assert "ids from the roster: 1 student" in printed
    assert "not in the roster: 2 students" in printed
    assert "not in the roster 2" in printed  # needs attention, and why


def test_does_the_summary_count_hand_given_names_and_say_nothing_of_platform_ids():
    def one(source):
        return Submission("x", ((None, "x.ipynb"),), origins=(batch.Origin(source, None, "x.ipynb"),))

    assert identity_summary([one(MOODLE), one(CANVAS), one(FOLDER)]) == []
    assert identity_summary([one(HAND), one(HAND), one(MOODLE)]) == [
        "ids from hand-given file names: 2 students (no platform's prefix in the name: the id is the name "
        "the file was given)"]


@pytest.mark.parametrize(("text", "says"), [
    ("", "it is empty"),
    ("s1001,Ana,ana@uni.example\n", "no column id, name, email in its first row"),  # no header
    ("id,name\ns1001,Ana\n", "no column email"),
    ("id,name,email,id\ns1,a,b,c\n", "names a column twice"),
    ("id,name,email\n", "lists no student"),
    ("id,name,email\ns1001,Ana\n", "line 2 has 2 fields"),
    ("id,name,email\n,Ana,a@x\n", "line 2 has no id"),
    ("id,name,email\nAna Maria,Ana,a@x\n", "'Ana Maria' on line 2 is not one grades.csv can show"),
    ("id,name,email\ns1,Ana,a@x\n\ns1,Bob,b@x\n", "'s1' is on lines 2 and 4"),
    ('id,name,email\ns1,"Ana,a@x\n', "not CSV"),
])
def test_is_a_malformed_roster_refused_saying_why_and_what_is_expected(text, says, tmp_path):
    with pytest.raises(RosterError) as refused:
        load_roster(roster_file(tmp_path, text))
    assert says in str(refused.value)
    assert "columns id, name and email" in str(refused.value)


def test_does_a_roster_with_a_byte_order_mark_other_columns_and_blank_lines_load(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("\ufeffEmail, ID ,Name,section\r\na@x,s1,Ana,A\r\n,,,\r\nb@x,s2,Bob,B\r\n".encode())
    roster = load_roster(path)
    assert roster.ids == {"s1", "s2"}
    assert roster.resolve(Identity("bob", HAND)) == ("s2", None)


def test_is_a_roster_that_cannot_be_used_a_usage_error_before_grading(tmp_path, capsys):
    (tmp_path / "class").mkdir()
    copy(BLANK, tmp_path / "class" / f"bob_{GC_NOTEBOOK}")
    for roster, says in [(tmp_path / "missing.csv", "no such roster file"),
                         (roster_file(tmp_path, "name,email\nAna,a@x\n"), "no column id")]:
        status = main(["grade-class", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                       "--roster", str(roster)])
        err = capsys.readouterr().err
        assert status == 2 and err.startswith("error: ") and says in err, err
        assert "id, name and email" in err
        results = tmp_path / "out" / "results"
        assert not results.exists() or not any(results.iterdir())


def test_is_grade_anonymous_with_a_student_id_a_usage_error(capsys):
    with pytest.raises(SystemExit) as usage:
        main(["grade", str(BLANK), "--anonymous", "--student", "alice"])
    assert usage.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


# Names read by hand, spelled as ids, and printed: each rule on its own ----------------------------


@pytest.mark.parametrize(("file_name", "raw"), [
    ("alice_Regularization (1).ipynb", "alice"),  # a browser's copy
    ("alice_Regularization-1.ipynb", "alice"),  # a resubmission, after the notebook's name
    ("alice_Gradient_Checking-12.ipynb", "alice"),
    ("alice GradientChecking.ipynb", "alice"),  # the notebook's title spelled three ways ...
    ("alice_Gradient Checking.ipynb", "alice"),
    ("alice.Initialization.ipynb", "alice"),  # ... after any of four separators
    ("alice Initialization.ipynb", "alice"),
    ("alice__Regularization.ipynb", "alice"),
    ("Xavier_Regularization.ipynb", "Xavier"),
    ("carol - week 1.ipynb", "carol"),  # "<student> - <anything>"
    ("alice_Regularization.IPYNB", "alice"),
    ("notes.txt", "notes"),
])
def test_is_each_part_of_a_name_given_by_hand_read_as_its_rule_says(file_name, raw):
    assert identify_file(file_name) == Identity(raw, HAND)


def test_is_the_username_of_a_blackboard_upload_the_part_just_before_the_attempt():
    found = identify_file(f"Week_1_Part_2_jd42_attempt_{TIME}_Regularization.ipynb")
    assert found == Identity("jd42", BLACKBOARD, "2016-01-30T15:30:10")


def test_does_an_exchange_folder_without_a_fraction_of_a_second_get_one_of_zeros():
    assert identify_folder("alice+regularization+2024-03-01 10:00:00 UTC") == Identity(
        "alice", EXCHANGE, "2024-03-01T10:00:00.000000")


@pytest.mark.parametrize(("path", "student"), [
    ("class/bob/Regularization/x.ipynb", "bob"),  # an assignment's folder, however it is spelled
    ("class/bob/gradient-checking/x.ipynb", "bob"),
    ("class/bob/Gradient Checking/x.ipynb", "bob"),
    ("class/dave/Regularization.ipynb", "dave"),  # named only after its notebook: its folder's
    ("class/erin/.ipynb", "erin"),  # no name at all before .ipynb: its folder's
])
def test_is_a_notebook_whose_name_says_no_student_its_folders(path, student):
    assert student_of_path(path) == student


def test_is_a_folder_named_after_no_assignment_not_taken_for_one():
    assert [students.assignment_of_folder(n) for n in ("Regularization", "gradient-checking",
                                                       "Gradient Checking", "homework", "")] == [
        "regularization", "gradient_checking", "gradient_checking", None, None]


@pytest.mark.parametrize(("raw", "expected"), [
    ("Zoë Ångström!", "Zoe_Angstrom"),  # accents dropped, the rest "_", none at either end
    ("Xavier Núñez", "Xavier_Nunez"),
    ("日本", "_"),  # nothing left to spell: "_"
    (".hidden", "hidden"),  # a dot first would hide the student's folder
])
def test_is_an_unsafe_name_spelled_safely_with_a_hash_of_the_raw_name(raw, expected):
    found = student_id(raw)
    spelled, _, digest = found.rpartition("-")
    assert spelled == expected and re.fullmatch(r"[0-9a-f]{8}", digest), found
    assert students.SAFE.fullmatch(found)


def test_is_a_long_unsafe_name_cut_so_that_its_id_is_at_most_120_characters():
    found = student_id("é" * 300)
    assert len(found) == students.MAX_ID and found.startswith("e" * 111 + "-")


def test_does_a_name_that_is_not_utf_8_get_an_id_and_a_printable_spelling():
    raw = os.fsdecode(b"caf\xe9")  # as the file system gives a Latin-1 name
    assert students.SAFE.fullmatch(student_id(raw)) and student_id(raw).startswith("caf-")
    assert student_id(raw) != student_id(os.fsdecode(b"caf\xe8"))
    assert students.printable(raw) == "caf\\xe9"
    assert students.name_problem(raw) == "the name 'caf\\xe9' is not valid UTF-8"


def test_is_a_name_printed_with_its_control_characters_escaped_and_cut_at_200():
    assert students.printable("a\nb\tc") == "a\\nb\\tc"
    assert students.name_problem("a\nb") == "the name 'a\\nb' holds control characters (a line break?)"
    assert students.printable("x" * 200) == "x" * 200
    assert students.printable("x" * 201) == "x" * 197 + "..."
    assert students.name_problem("x" * 200) is None
    assert students.name_problem("x" * 201) == f"the name '{'x' * 197}...' is very long (201 bytes)"


def test_does_a_name_two_roster_rows_share_say_so_in_its_note(tmp_path):
    roster = load_roster(roster_file(tmp_path, "id,name,email\ns1,Ann Lee,a@x\ns2,Ann Lee,b@x\n"))
    assert roster.resolve(Identity("ann_lee", HAND)) == (
        "ann_lee", "not in the roster: ann_lee (the name 'ann_lee' matches more than one of its rows)")


@pytest.mark.parametrize(("text", "says"), [
    ("", "cannot be used: no column id, name, email in its first row (it is empty) (expected"),
    ("student,mail\n", "no column id, name, email in its first row (its first row is 'student,mail') "
                       "(expected"),
    ("id,name,email,id\ns1,a,b,c\n", "cannot be used: its first row names a column twice (expected"),
    ("id,name,email\n", "cannot be used: it lists no student (expected"),
])
def test_does_a_refused_roster_say_exactly_why(text, says, tmp_path):
    with pytest.raises(RosterError) as refused:
        load_roster(roster_file(tmp_path, text))
    assert says in str(refused.value)


def test_is_a_roster_that_cannot_be_read_refused_saying_why(tmp_path):
    with pytest.raises(RosterError) as refused:
        load_roster(tmp_path)  # a folder
    assert str(refused.value) == f"cannot read the roster {tmp_path}: Is a directory"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name,email\ns1,Zoë,z@x\n".encode("latin-1"))
    with pytest.raises(RosterError) as refused:
        load_roster(latin)
    assert str(refused.value) == f"the roster {latin} is not UTF-8 text (expected {students.ROSTER_FORMAT})"
