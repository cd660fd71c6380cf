"""Does each LMS writer give the file its platform imports, field by field, so that a round trip
(download, grade, upload) needs no hand editing?

Each platform's download is built from the sample class's Regularization notebooks (ada 50,
cleo 40, gia 0) under the names that platform gives uploads, one student with a non-ASCII
name; its own export (the sheet) also lists a student who handed nothing in. The class is
graded by ``python -m autograder grade-class --lms ...`` in this process, and the file
written is read back with the :mod:`csv` module and the platform's encoding. The formats:

- Canvas gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section``, one column per
  assignment (``Name (assignment id)``), a ``Points Possible`` row; rows matched by ``ID``;
  UTF-8 (Canvas's export carries a byte-order mark).
- Moodle offline grading worksheet: ``Identifier`` (``Participant <id>``), ``Full name``,
  ``Email address``, ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``,
  ``Last modified (submission)``, ``Last modified (grade)``, feedback columns; its upload reads
  ``Identifier``, ``Grade`` and ``Last modified (grade)`` and skips blank grades; UTF-8, commas.
- Blackboard Grade Center upload: ``Last Name, First Name, Username, Student ID``, columns named
  ``Name [Total Pts: N Score] |<column id>``; rows matched by ``Username``; tab-delimited
  (Blackboard's recommendation), UTF-16 as its own download.
"""

import csv
import io
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import lms
from autograder.course.batch import discover
from autograder.grading import students

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "tests" / "sample_class" / "submitted"
REG = "regularization"
NOTEBOOK = "Regularization.ipynb"
SCORES = {"ada": 50, "cleo": 40, "gia": 0}  # tests/sample_class/expected_scores.json

CANVAS_SHEET = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Regularization (98765),Initialization (98764),"
    "Current Score\n"
    "    Points Possible,,,,,50.00,30.00,(read only)\n"
    '"Lovelace, Ada",12345,s1001,ada@uni.example,Week 1 A,,30,\n'
    '"Ångström, Zoë",12346,s1002,zoe@uni.example,Week 1 A,,,\n'
    '"Ngata, Gia",12347,s1003,gia@uni.example,Week 1 B,,,\n'
    '"Öberg, Åsa",12348,s1004,asa@uni.example,Week 1 B,7,,\n')
MOODLE_SHEET = (
    'Identifier,"Full name","Email address",Status,Grade,"Maximum Grade","Grade can be changed",'
    '"Last modified (submission)","Last modified (grade)","Feedback comments"\n'
    '"Participant 4320","Ada Lovelace",ada@uni.example,"Submitted for grading",,50.00,Yes,'
    '"Sunday, 1 March 2026, 9:00 PM",-,\n'
    '"Participant 4321","Zoë Ångström",zoe@uni.example,"Submitted for grading",,50.00,Yes,'
    '"Sunday, 1 March 2026, 9:10 PM","Monday, 2 March 2026, 8:00 AM","Seen, thanks"\n'
    '"Participant 4322","Gia Ngata",gia@uni.example,"Submitted for grading",,50.00,Yes,'
    '"Sunday, 1 March 2026, 9:20 PM",-,\n'
    '"Participant 4323","Åsa Öberg",asa@uni.example,"No submission",,50.00,Yes,-,-,\n')
BLACKBOARD_SHEET = (
    '"Last Name"\t"First Name"\t"Username"\t"Student ID"\t"Last Access"\t"Availability"\t'
    '"Regularization [Total Pts: 50 Score] |112233"\t'
    '"Weighted Total [Total Pts: up to 0 Percentage] |112230"\n'
    '"Lovelace"\t"Ada"\t"alovelace"\t"s1001"\t"2026-03-01 21:00:00"\t"Available"\t""\t""\n'
    '"Ångström"\t"Zoë"\t"zangstrom"\t"s1002"\t"2026-03-01 21:00:00"\t"Available"\t""\t""\n'
    '"Ngata"\t"Gia"\t"gngata"\t"s1003"\t"2026-03-01 21:00:00"\t"Available"\t""\t""\n'
    '"Öberg"\t"Åsa"\t"aoberg"\t"s1004"\t"2026-02-20 10:00:00"\t"Available"\t""\t""\n')

#: Where each sample student's notebook goes in each platform's download (path in the class).
DOWNLOADS = {
    "canvas": {"ada": f"lovelaceada_12345_678901_{NOTEBOOK}", "cleo": f"ångströmzoë_12346_678902_{NOTEBOOK}",
               "gia": f"ngatagia_LATE_12347_678903_{NOTEBOOK}"},
    "moodle": {"ada": f"Ada Lovelace_4320_assignsubmission_file/{NOTEBOOK}",
               "cleo": f"Zoë Ångström_4321_assignsubmission_file_/{NOTEBOOK}",
               "gia": f"Gia Ngata_4322_assignsubmission_file_{NOTEBOOK}"},
    "blackboard": {"ada": f"Week 1_alovelace_attempt_2026-03-01-21-00-00_{NOTEBOOK}",
                   "cleo": f"Week 1_zangstrom_attempt_2026-03-01-21-10-00_{NOTEBOOK}",
                   "gia": f"Week 1_gngata_attempt_2026-03-01-21-20-00_{NOTEBOOK}"},
}
SHEETS = {"canvas": ("gradebook.csv", CANVAS_SHEET.encode("utf-8-sig")),
          "moodle": ("worksheet.csv", MOODLE_SHEET.encode("utf-8")),
          "blackboard": ("gc_download.xls", BLACKBOARD_SHEET.encode("utf-16"))}


def download(folder, platform):
    for student, where in DOWNLOADS[platform].items():
        target = folder / "class" / where
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CLASS / student / REG / NOTEBOOK, target)


@pytest.fixture(scope="module")
def round_trips(tmp_path_factory):
    """``{platform: (status, folder)}``: each download graded with its platform's sheet."""
    done = {}
    for platform in lms.PLATFORMS:
        folder = tmp_path_factory.mktemp(platform)
        download(folder, platform)
        name, data = SHEETS[platform]
        (folder / name).write_bytes(data)
        status = main(["grade-class", str(folder / "class"), "--out", str(folder / "out"), "--jobs", "1",
                       "--lms", platform, "--lms-sheet", str(folder / name)])
        done[platform] = (status, folder)
    return done


def read(path, encoding, delimiter=","):
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_is_the_canvas_file_the_gradebook_import_with_the_exports_ids_and_names(round_trips):
    status, folder = round_trips["canvas"]
    assert status == 0
    path = folder / "out" / "lms" / f"canvas-{REG}.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as Canvas's export
    header, points, *rows = read(path, "utf-8-sig")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Regularization (98765)"]
    assert points == ["    Points Possible", "", "", "", "", "50"]
    assert rows == [["Lovelace, Ada", "12345", "s1001", "ada@uni.example", "Week 1 A", "50"],
                    ["Ångström, Zoë", "12346", "s1002", "zoe@uni.example", "Week 1 A", "40"],
                    ["Ngata, Gia", "12347", "s1003", "gia@uni.example", "Week 1 B", "0"],
                    ["Öberg, Åsa", "12348", "s1004", "asa@uni.example", "Week 1 B", "7"]]  # as Canvas had it


def test_is_the_moodle_file_the_grading_worksheet_with_its_participants_and_times(round_trips):
    status, folder = round_trips["moodle"]
    assert status == 0
    path = folder / "out" / "lms" / f"moodle-{REG}.csv"
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = list(csv.reader(io.StringIO(MOODLE_SHEET)))
    header, *rows = read(path, "utf-8")
    assert header == sheet[0]
    grade, changed = header.index("Grade"), header.index("Last modified (grade)")
    identifiers = [row[header.index("Identifier")] for row in rows]
    assert identifiers == [f"Participant {n}" for n in range(4320, 4324)]
    assert [row[grade] for row in rows] == ["50.00", "40.00", "0.00", ""]  # a blank grade: Moodle skips it
    assert [row[header.index("Full name")] for row in rows] == ["Ada Lovelace", "Zoë Ångström", "Gia Ngata",
                                                                 "Åsa Öberg"]
    # every other cell as the worksheet had it: Moodle's "-" for none comes back as "-"
    for written, downloaded in zip(rows, sheet[1:], strict=True):
        others = [i for i in range(len(header)) if i != grade]
        assert [written[i] for i in others] == [downloaded[i] for i in others]
    assert [row[changed] for row in rows].count("-") == 3
    assert rows[1][changed] == "Monday, 2 March 2026, 8:00 AM"


def test_is_the_blackboard_file_the_grade_center_upload_in_utf16_tabs(round_trips):
    status, folder = round_trips["blackboard"]
    assert status == 0
    path = folder / "out" / "lms" / f"blackboard-{REG}.xls"
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with its byte-order mark
    header, *rows = read(path, "utf-16", "\t")
    assert header == ["Last Name", "First Name", "Username", "Student ID",
                      "Regularization [Total Pts: 50 Score] |112233"]
    assert rows == [["Lovelace", "Ada", "alovelace", "s1001", "50"],
                    ["Ångström", "Zoë", "zangstrom", "s1002", "40"],
                    ["Ngata", "Gia", "gngata", "s1003", "0"], ["Öberg", "Åsa", "aoberg", "s1004", ""]]


def test_does_the_summary_say_where_the_file_is_and_who_handed_nothing_in(round_trips, capsys):
    status, folder = round_trips["moodle"]
    main(["grade-class", str(folder / "class"), "--out", str(folder / "out"), "--jobs", "1",
          "--lms", "moodle", "--lms-sheet", str(folder / SHEETS["moodle"][0]), "--no-submission", "zero"])
    said = capsys.readouterr().out
    assert f"Moodle grading worksheet: {folder / 'out' / 'lms' / f'moodle-{REG}.csv'}" in said
    assert "3 graded, 1 without a notebook of it, zero" in said
    header, *rows = read(folder / "out" / "lms" / f"moodle-{REG}.csv", "utf-8")
    assert rows[3][header.index("Grade")] == "0.00"


# The writers without a sheet: ids and names from the download and the roster -------------------

def rows_of(scores, undecided=()):
    rows = [{"student": s, "status": "graded", "notes": [], "results": [] if score is None else [
        {"assignment": REG, "score": score, "max_score": 50.0, "functions": {}, "error": None}]}
        for s, score in scores.items()]
    return rows + [{"student": s, "status": "error", "notes": [], "results": []} for s in undecided]


def test_do_the_download_and_the_roster_give_the_names_and_the_students_who_handed_nothing_in(tmp_path):
    download(tmp_path, "moodle")
    (tmp_path / "roster.csv").write_text("id,name,email\n4323,Åsa Öberg,asa@uni.example\n", encoding="utf-8")
    submissions = discover(tmp_path / "class", tmp_path / "out")
    people = lms.people_of(submissions, students.load_roster(tmp_path / "roster.csv"))
    assert people == {"4320": ("Ada Lovelace", ""), "4321": ("Zoë Ångström", ""), "4322": ("Gia Ngata", ""),
                      "4323": ("Åsa Öberg", "asa@uni.example")}
    written = lms.write("moodle", rows_of({"4320": 50.0, "4321": 40.0, "4322": 0.0}), tmp_path / "out", REG,
                        people=people, now=datetime(2026, 3, 2, 13, 5))
    header, *rows = read(written.path, "utf-8")
    assert header == list(lms.MOODLE_COLUMNS)
    assert rows[1] == ["Participant 4321", "Zoë Ångström", "", "Submitted for grading", "40.00", "50.00",
                       "Yes", "", "Monday, 2 March 2026, 1:05 PM"]
    assert rows[3][:5] == ["Participant 4323", "Åsa Öberg", "asa@uni.example", "No submission", ""]
    assert (written.graded, written.no_submission) == (3, 1)


@pytest.mark.parametrize(("platform", "encoding", "delimiter"), [("canvas", "utf-8-sig", ","),
                                                                  ("blackboard", "utf-16", "\t")])
def test_without_a_sheet_is_every_student_a_row_with_the_conventions_cell(tmp_path, platform, encoding,
                                                                          delimiter):
    people = {"u1": ("=HYPERLINK(\"x\")", ""), "u4": ("Åsa Öberg", "")}
    written = lms.write(platform, rows_of({"u1": 50.0, "u2": None}, undecided=["u3"]), tmp_path, REG,
                        people=people, convention="zero")
    header, *rows = read(written.path, encoding, delimiter)
    if platform == "canvas":
        assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Regularization"]
        assert rows.pop(0) == ["    Points Possible", "", "", "", "", "50"]
        assert rows == [["'=HYPERLINK(\"x\")", "u1", "", "", "", "50"], ["", "u2", "", "", "", "0"],
                        ["", "u3", "", "", "", ""], ["Åsa Öberg", "u4", "", "", "", "0"]]
    else:
        assert header == ["Last Name", "First Name", "Username", "Student ID",
                          "Regularization [Total Pts: 50 Score]"]
        assert rows == [["'=HYPERLINK(\"x\")", "", "u1", "", "50"], ["", "", "u2", "", "0"],
                        ["", "", "u3", "", ""], ["Öberg", "Åsa", "u4", "", "0"]]
    assert written.undecided == ["u3"] and written.no_submission == 2


def test_are_the_platforms_own_cells_written_back_as_they_came_unless_they_could_be_a_formula(
        tmp_path):
    # Moodle's "-" for no grade comes back as "-"; a display name a student set on the platform
    # that reads like a formula is neutralised like any text, never handed to a spreadsheet
    sheet = (MOODLE_SHEET.replace('"Åsa Öberg"', '"-Åsa Öberg"')
             .replace('"Seen, thanks"', '"=1+1 is what the platform wrote"'))
    (tmp_path / "worksheet.csv").write_text(sheet, encoding="utf-8")
    written = lms.write("moodle", rows_of({"4320": 50.0}), tmp_path, REG,
                        sheet=lms.read_sheet("moodle", tmp_path / "worksheet.csv"))
    kept = {text: "'" + text for text in ("-Åsa Öberg", "=1+1 is what the platform wrote")}
    expected = [[kept.get(cell, cell)
                 for cell in row[:4] + ["50.00" if row[0] == "Participant 4320" else row[4]] + row[5:]]
                for row in csv.reader(io.StringIO(sheet))]
    assert read(written.path, "utf-8") == expected
    assert any("-" in row for row in expected[1:])  # the sheet's own "none" is among the kept cells
    # without a sheet, a name taken from a file name of the download is neutralised
    where = f"=SUM(1+1)_4324_assignsubmission_file/{NOTEBOOK}"
    (tmp_path / "class" / where).parent.mkdir(parents=True)
    shutil.copy(CLASS / "ada" / REG / NOTEBOOK, tmp_path / "class" / where)
    people = lms.people_of(discover(tmp_path / "class", tmp_path / "out"))
    assert people == {"4324": ("=SUM(1+1)", "")}
    written = lms.write("moodle", rows_of({"4324": 50.0}), tmp_path / "out", REG, people=people)
    assert read(written.path, "utf-8")[1][:2] == ["Participant 4324", "'=SUM(1+1)"]


def test_is_a_graded_student_the_sheet_does_not_list_named_never_dropped_silently(tmp_path):
    (tmp_path / "gradebook.csv").write_bytes(SHEETS["canvas"][1])
    sheet = lms.read_sheet("canvas", tmp_path / "gradebook.csv")
    written = lms.write("canvas", rows_of({"12345": 50.0, "12399": 40.0}), tmp_path, REG, sheet=sheet)
    assert written.not_in_sheet == ["12399"]
    assert written.line("blank").endswith("; not in the sheet, so not in the file: 1 graded student (12399)")
    assert [row[1] for row in read(written.path, "utf-8-sig")[2:]] == ["12345", "12346", "12347", "12348"]


def test_is_the_assignments_column_found_in_the_sheet_by_its_title():
    sheet = lms.Sheet(["Student", "ID", "Initialization (1)", "regularization (98765)"])
    assert lms.choose_column("canvas", REG, sheet) == "regularization (98765)"
    assert lms.choose_column("canvas", REG, sheet, "Week 1: L2 (5)") == "Week 1: L2 (5)"
    assert lms.choose_column("canvas", REG) == "Regularization"
    board = lms.Sheet(["Username", "Regularization [Total Pts: 50 Score] |7"])
    assert lms.choose_column("blackboard", REG, board) == "Regularization [Total Pts: 50 Score] |7"
    assert lms.choose_column("moodle", REG, board) == "Grade"


def test_is_a_sheet_of_another_platform_refused_before_grading(tmp_path, capsys):
    download(tmp_path, "canvas")
    (tmp_path / "sheet.csv").write_text(CANVAS_SHEET, encoding="utf-8")
    status = main(["grade-class", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                   "--lms", "moodle", "--lms-sheet", str(tmp_path / "sheet.csv")])
    assert status == 2
    assert "has no column 'Identifier' in its first row" in capsys.readouterr().err
    assert not (tmp_path / "out" / "results").exists() or not any((tmp_path / "out" / "results").iterdir())


def test_does_lms_refuse_a_class_of_several_assignments(tmp_path, capsys):
    for assignment in (REG, "initialization"):
        shutil.copytree(CLASS / "ada" / assignment, tmp_path / "class" / "ada" / assignment)
    status = main(["grade-class", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs", "1",
                   "--lms", "canvas"])
    assert status == 2
    assert "--lms writes one assignment's column" in capsys.readouterr().err
    assert not (tmp_path / "out" / "lms").exists()
