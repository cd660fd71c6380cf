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
import re
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


# The writers with the platform's own sheet, in process (the round trips above grade a class) ----

def write_with_sheet(tmp_path, platform, scores, **options):
    name, data = SHEETS[platform]
    (tmp_path / name).write_bytes(data)
    sheet = lms.read_sheet(platform, tmp_path / name)
    return lms.write(platform, rows_of(scores), tmp_path / "out", REG, sheet=sheet, **options)


def test_does_the_canvas_sheet_come_back_with_only_the_assignments_cells_filled_in(tmp_path):
    written = write_with_sheet(tmp_path, "canvas", {"12345": 50.0, "12346": 40.0, "12347": 0.0})
    assert written.path == tmp_path / "out" / "lms" / f"canvas-{REG}.csv"
    assert written.path.read_bytes().startswith(b"\xef\xbb\xbf")
    header, points, *rows = read(written.path, "utf-8-sig")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Regularization (98765)"]
    assert points == ["    Points Possible", "", "", "", "", "50"]
    assert rows == [["Lovelace, Ada", "12345", "s1001", "ada@uni.example", "Week 1 A", "50"],
                    ["Ångström, Zoë", "12346", "s1002", "zoe@uni.example", "Week 1 A", "40"],
                    ["Ngata, Gia", "12347", "s1003", "gia@uni.example", "Week 1 B", "0"],
                    ["Öberg, Åsa", "12348", "s1004", "asa@uni.example", "Week 1 B", "7"]]
    assert (written.graded, written.no_submission, written.undecided, written.not_in_sheet) == (3, 1, [], [])
    assert written.line("blank") == (f"Canvas gradebook import: {written.path} (column "
                                     "'Regularization (98765)': 3 graded, 1 without a notebook of it, blank)")


def test_does_the_moodle_sheet_keep_every_cell_but_the_grade_and_a_zero_for_who_handed_nothing_in(tmp_path):
    written = write_with_sheet(tmp_path, "moodle", {"4320": 50.0, "4321": 40.0, "4322": 0.0},
                               convention="zero")
    assert not written.path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = list(csv.reader(io.StringIO(MOODLE_SHEET)))
    header, *rows = read(written.path, "utf-8")
    assert header == sheet[0]
    grade = header.index("Grade")
    assert [row[grade] for row in rows] == ["50.00", "40.00", "0.00", "0.00"]
    for row, downloaded in zip(rows, sheet[1:], strict=True):
        assert row[:grade] + row[grade + 1:] == downloaded[:grade] + downloaded[grade + 1:]
    assert (written.graded, written.no_submission) == (3, 1)


def test_does_the_blackboard_sheet_come_back_as_utf16_tabs_with_its_people_and_the_column(tmp_path):
    written = write_with_sheet(tmp_path, "blackboard", {"alovelace": 50.0, "zangstrom": 40.0, "gngata": 0.0})
    assert written.path == tmp_path / "out" / "lms" / f"blackboard-{REG}.xls"
    assert written.path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    header, *rows = read(written.path, "utf-16", "\t")
    assert header == ["Last Name", "First Name", "Username", "Student ID",
                      "Regularization [Total Pts: 50 Score] |112233"]
    assert rows == [["Lovelace", "Ada", "alovelace", "s1001", "50"],
                    ["Ångström", "Zoë", "zangstrom", "s1002", "40"],
                    ["Ngata", "Gia", "gngata", "s1003", "0"], ["Öberg", "Åsa", "aoberg", "s1004", ""]]


def test_are_a_sheets_rows_without_a_student_skipped_and_an_undecided_student_left_empty(tmp_path):
    canvas = lms.Sheet(["Student", "ID", "Section", "Regularization (5)", "Notes"],
                       [["    Points Possible", "", "", "50", ""], ["Test Student", " 77 ", "A", "9", "x"],
                        ["Manual Posting", "Manual", "", "", ""], ["Bo", "78", "B", "3", "y"],
                        ["", " ", "", "", ""]])
    rows = rows_of({"77": 20.0}, undecided=["78"])
    written = lms.write("canvas", rows, tmp_path, REG, sheet=canvas)
    _, _, *body = read(written.path, "utf-8-sig")
    assert body == [["Test Student", " 77 ", "A", "20"], ["Bo", "78", "B", ""]]
    assert written.undecided == ["78"] and written.not_in_sheet == []
    board = lms.Sheet(["Username", "Regularization [Total Pts: 50 Score] |7", "Last Name"],
                      [["  ", "1", "Nobody"], ["bo", "2", "Bo"], ["cy", "", "Cy"]])
    written = lms.write("blackboard", rows_of({"bo": 45.5}, undecided=["cy"]), tmp_path, REG, sheet=board)
    header, *body = read(written.path, "utf-16", "\t")
    assert header == ["Username", "Last Name", "Regularization [Total Pts: 50 Score] |7"]
    assert body == [["bo", "Bo", "45.5"], ["cy", "Cy", ""]]
    moodle = lms.Sheet(list(lms.MOODLE_COLUMNS),
                       [["Participant  61 ", "A", "", "", "9.00", "50.00", "Yes", "", "-"],
                        ["Guest", "B", "", "", "", "50.00", "Yes", "", "-"],
                        ["Participant 62", "C", "", "", "1.00", "50.00", "Yes", "", "-"]])
    written = lms.write("moodle", rows_of({"61": 12.5}, undecided=["62"]), tmp_path, REG, sheet=moodle)
    _, *body = read(written.path, "utf-8")
    assert [row[:5] for row in body] == [["Participant  61 ", "A", "", "", "12.50"],
                                         ["Participant 62", "C", "", "", ""]]


def test_is_a_moodle_worksheet_without_its_grade_or_time_column_refused_with_where_to_get_it(tmp_path):
    for missing in ("Grade", "Last modified (grade)"):
        sheet = lms.Sheet([c for c in lms.MOODLE_COLUMNS if c != missing], [])
        with pytest.raises(lms.SheetError, match=r"no Grade or Last modified \(grade\) column: download it"):
            lms.write("moodle", rows_of({"1": 1.0}), tmp_path, REG, sheet=sheet)


def test_is_an_unknown_platform_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match=r"^no platform 'd2l' \(one of canvas, moodle, blackboard\)$"):
        lms.write("d2l", rows_of({"1": 1.0}), tmp_path, REG)
    assert not (tmp_path / "lms").exists()


def test_are_students_without_the_assignment_counted_apart_from_the_graded(tmp_path):
    def result(assignment, score):
        return {"assignment": assignment, "score": score, "max_score": 50.0, "functions": {}, "error": None}

    rows = [{"student": "a", "status": "graded", "notes": [],
             "results": [result("initialization", 30.0), result(REG, 12.0)]},
            {"student": "b", "status": "graded", "notes": [], "results": [result("initialization", 30.0)]},
            {"student": "c", "status": "error", "notes": [], "results": [result(REG, 3.0)]}]
    written = lms.write("canvas", rows, tmp_path, REG)
    _, _, *body = read(written.path, "utf-8-sig")
    assert [row[1:] for row in body] == [["a", "", "", "", "12"], ["b", "", "", "", ""],
                                         ["c", "", "", "", "3"]]
    assert (written.graded, written.no_submission, written.undecided) == (2, 1, [])


def test_does_the_moodle_file_without_a_sheet_say_who_submitted_and_write_the_time_given(tmp_path):
    people = {"7": ("Ana Lima", "ana@uni.example")}
    written = lms.write("moodle", rows_of({"5": 10.0, "6": None}, undecided=["8"]), tmp_path, REG,
                        people=people, now=datetime(2026, 1, 4, 0, 7))
    _, *body = read(written.path, "utf-8")
    when = "Sunday, 4 January 2026, 12:07 AM"
    assert body == [
        ["Participant 5", "", "", "Submitted for grading", "10.00", "50.00", "Yes", "", when],
        ["Participant 6", "", "", "No submission", "", "50.00", "Yes", "", when],
        ["Participant 7", "Ana Lima", "ana@uni.example", "No submission", "", "50.00", "Yes", "", when],
        ["Participant 8", "", "", "Submitted for grading", "", "50.00", "Yes", "", when]]


@pytest.mark.parametrize(("moment", "said"), [
    (datetime(2026, 12, 7, 0, 5), "Monday, 7 December 2026, 12:05 AM"),
    (datetime(2026, 12, 7, 11, 59), "Monday, 7 December 2026, 11:59 AM"),
    (datetime(2026, 12, 7, 12, 0), "Monday, 7 December 2026, 12:00 PM"),
    (datetime(2026, 3, 2, 23, 30), "Monday, 2 March 2026, 11:30 PM")])
def test_is_a_time_written_as_moodle_writes_it(moment, said):
    assert lms.moodle_time(moment) == said


def test_does_the_summary_name_at_most_five_students_of_each_kind_and_count_them_all(tmp_path):
    written = lms.Written(tmp_path / "f.csv", "blackboard", "Reg", graded=4, no_submission=0,
                          undecided=[f"u{i}" for i in range(6)], not_in_sheet=[f"n{i}" for i in range(6)])
    assert written.line("zero") == (
        f"Blackboard Grade Center upload: {tmp_path / 'f.csv'} (column 'Reg': 4 graded, 0 without a "
        "notebook of it, zero, 6 undecided (empty: u0, u1, u2, u3, u4)); not in the sheet, so not in "
        "the file: 6 graded students (n0, n1, n2, n3, n4 ...)")
    one = lms.Written(tmp_path / "f.csv", "moodle", "Grade", not_in_sheet=["n0", "n1", "n2", "n3", "n4"])
    assert one.line("blank").endswith("0 graded, 0 without a notebook of it, blank); not in the sheet, so "
                                      "not in the file: 5 graded students (n0, n1, n2, n3, n4)")


def test_is_the_column_given_used_as_it_is_and_a_title_found_whatever_its_case_or_id():
    assert lms.choose_column("blackboard", REG, None, "Mine |3") == "Mine |3"
    assert lms.choose_column("blackboard", REG) == "Regularization [Total Pts: 50 Score]"
    assert lms.choose_column("moodle", REG, None, "Mine") == "Grade"
    board = lms.Sheet(["Username", "Student ID", " REGULARIZATION  [Total Pts: 50 Score] | 8 "])
    assert lms.choose_column("blackboard", REG, board) == " REGULARIZATION  [Total Pts: 50 Score] | 8 "
    named = lms.Sheet(["ID", "Student", "regularization (4)"])
    assert lms.choose_column("canvas", REG, named) == "regularization (4)"
    people = lms.Sheet(["ID", "Regularization"])  # a column of people is never the assignment's
    assert lms.choose_column("canvas", REG, lms.Sheet(["ID", "Section", "Other (3)"])) == "Regularization"
    assert lms.choose_column("canvas", REG, people) == "Regularization"


@pytest.mark.parametrize(("data", "said"), [
    (b"Student,Name\n1,2\n", "has no column 'ID' in its first row (expected the platform's own export: "
                             "Canvas gradebook import)"),
    (b"\n\n", "has no column 'ID' in its first row"),
    (b"ID,Name\n\xff\xfe\xfa\n", "is neither UTF-8 nor UTF-16 text"),
    (b'ID,Name\n"1,x\n', "is not CSV"),
])
def test_is_a_sheet_that_is_not_the_platforms_export_refused_with_why(tmp_path, data, said):
    (tmp_path / "sheet.csv").write_bytes(data)
    with pytest.raises(lms.SheetError, match=re.escape(said)):
        lms.read_sheet("canvas", tmp_path / "sheet.csv")


def test_is_a_sheet_that_cannot_be_read_refused_with_why(tmp_path):
    with pytest.raises(lms.SheetError, match=r"^cannot read the canvas sheet .*missing\.csv: No such file"):
        lms.read_sheet("canvas", tmp_path / "missing.csv")


def test_is_a_sheet_read_as_its_platform_wrote_it_padded_to_its_header(tmp_path):
    (tmp_path / "a.csv").write_bytes("\ufeff ID , Student,Section\n1,Zoë\n\n,,\n2,B,x\n".encode())
    sheet = lms.read_sheet("canvas", tmp_path / "a.csv")
    assert sheet.header == ["ID", "Student", "Section"]
    assert sheet.rows == [["1", "Zoë", ""], ["2", "B", "x"]]
    assert (sheet.column("Student"), sheet.column("Grade")) == (1, None)
    # UTF-16 big-endian with its byte-order mark; more tabs than commas in the first line: tabs
    text = "Username\tName\tFirst, middle\nbo\tB, o\n"
    (tmp_path / "b.xls").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    sheet = lms.read_sheet("blackboard", tmp_path / "b.xls")
    assert sheet.header == ["Username", "Name", "First, middle"] and sheet.rows == [["bo", "B, o", ""]]


def test_does_a_sheets_own_grade_stay_for_who_handed_nothing_in_and_a_missing_column_stay_empty(tmp_path):
    board = lms.Sheet(["Username", "Regularization [Total Pts: 50 Score] |7"], [["bo", "12"], ["cy", ""]])
    written = lms.write("blackboard", rows_of({"bo": None, "cy": None}), tmp_path, REG, sheet=board)
    assert [row[-1] for row in read(written.path, "utf-16", "\t")[1:]] == ["12", ""]
    columnless = lms.Sheet(["Username", "Last Name"], [["bo", "Bo"]])
    written = lms.write("blackboard", rows_of({"bo": None}), tmp_path, REG, sheet=columnless)
    assert read(written.path, "utf-16", "\t")[1:] == [["bo", "Bo", ""]]
    canvas = lms.Sheet(["Student", "ID"], [["Bo", "11"]])
    written = lms.write("canvas", rows_of({"11": None}), tmp_path, REG, sheet=canvas)
    assert read(written.path, "utf-8-sig")[2:] == [["Bo", "11", ""]]
    moodle = lms.Sheet(list(lms.MOODLE_COLUMNS),
                       [["Participant 5", "E", "", "", "7.00", "50.00", "Yes", "", "-"]])
    written = lms.write("moodle", rows_of({"5": None}), tmp_path, REG, sheet=moodle)
    assert read(written.path, "utf-8")[1][4] == "7.00"


def test_is_the_moodle_refusal_worded_for_the_instructor(tmp_path):
    sheet = lms.Sheet(["Identifier", "Grade"], [])
    with pytest.raises(lms.SheetError) as refused:
        lms.write("moodle", rows_of({"1": 1.0}), tmp_path, REG, sheet=sheet)
    assert str(refused.value) == ("the Moodle worksheet has no Grade or Last modified (grade) column: "
                                  "download it again from the assignment (Grading action: Download grading "
                                  "worksheet)")


def test_is_a_students_name_taken_from_their_own_file_and_every_student_named():
    from types import SimpleNamespace

    def submission(student, *wheres):
        return SimpleNamespace(student=student, origins=[SimpleNamespace(where=w) for w in wheres])

    roster = SimpleNamespace(people={"4320": ("Ada L.", "ada@uni.example")})
    found = lms.people_of([
        submission("4320", f"Ada Lovelace_4320_assignsubmission_file_{NOTEBOOK}"),
        submission("4321", f"Zed Zee_9999_assignsubmission_file_{NOTEBOOK}",
                   f"Zoë Ångström_4321_assignsubmission_file/week 1/{NOTEBOOK}")], roster)
    assert found == {"4320": ("Ada L.", "ada@uni.example"), "4321": ("Zoë Ångström", "")}


@pytest.mark.parametrize(("data", "header", "rows"), [
    ("Username\tName\nbo\tB, o, p, q\ncy\tC\n", ["Username", "Name"], [["bo", "B, o, p, q"], ["cy", "C"]]),
    ("ID\n12\tnote\n", ["ID"], [["12\tnote"]]),  # no tab and no comma in the first line: commas
    ("ID,Student,Notes\twide\n1,A,x\n", ["ID", "Student", "Notes\twide"], [["1", "A", "x"]]),
    ('ID,Note\r\n1,"a\r\nb"\r\n', ["ID", "Note"], [["1", "a\r\nb"]]),  # a cell's own line break kept
])
def test_is_a_sheets_delimiter_read_from_its_first_line_and_its_cells_as_written(tmp_path, data, header,
                                                                                  rows):
    (tmp_path / "s.csv").write_bytes(data.encode())
    platform = "blackboard" if header[0] == "Username" else "canvas"
    sheet = lms.read_sheet(platform, tmp_path / "s.csv")
    assert (sheet.header, sheet.rows) == (header, rows)


def test_is_the_column_asked_for_written_and_two_missing_students_said_in_the_plural(tmp_path):
    written = lms.write("canvas", rows_of({"1": 2.0}), tmp_path, REG, column="Week 1 (55)")
    assert read(written.path, "utf-8-sig")[0][-1] == "Week 1 (55)" and written.column == "Week 1 (55)"
    two = lms.Written(tmp_path / "f.csv", "canvas", "C", not_in_sheet=["a", "b"])
    assert two.line("blank").endswith("not in the file: 2 graded students (a, b)")
    one = lms.Written(tmp_path / "f.csv", "canvas", "C", not_in_sheet=["a"])
    assert one.line("blank").endswith("not in the file: 1 graded student (a)")


def test_is_moodles_time_of_grading_by_default_now_in_utc(tmp_path, monkeypatch):
    import time
    from datetime import UTC, timedelta

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local clock a day away from UTC
    time.tzset()
    try:
        written = lms.write("moodle", rows_of({"5": 10.0}), tmp_path, REG)
        said = read(written.path, "utf-8")[1][-1]
        now = datetime.now(UTC)
        assert said in {lms.moodle_time(now - timedelta(minutes=1)), lms.moodle_time(now)}
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.fixture
def ascii_locale():
    """The process's character type locale set to C (ASCII, where Python's UTF-8 mode is off), as on
    a server whose locale nobody set; restored afterwards."""
    import locale

    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, before)


def test_is_the_moodle_worksheet_utf8_whatever_the_machines_locale(tmp_path, ascii_locale):
    people = {"4321": ("Zoë Ångström", "")}
    written = lms.write("moodle", rows_of({"4321": 40.0}), tmp_path, REG, people=people,
                        now=datetime(2026, 3, 2, 13, 5))
    header, *rows = read(written.path, "utf-8")
    assert rows[0][:2] == ["Participant 4321", "Zoë Ångström"]
