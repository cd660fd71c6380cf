"""The similarity check at class scale: ``python -m bench.similarity [--students 1000]``.

1. Fingerprints the three notebooks of each kind of work of the sample class (what a grading
   worker does once per student) and reports the median time per student.
2. Builds the stored fingerprints of a class of N students: each starts from one kind of work,
   and most make part of each function their own (a share of their fingerprints replaced by
   ones nobody else has, as a student's own lines would); 2 % hand in a copy of a classmate's
   code. Then times the class-wide step (:class:`autograder.course.similarity.Collector`) and counts
   how many planted copies it finds, and how many other pairs it reports.

3. Times the pair view's marks (:func:`autograder.course.similarity.marked_lines`) of one long cell: a
   graded function of about :data:`LONG_CELL_CHARS` characters, one statement a line, as a
   student may hand in (the marks' work once grew with the square of the cell's length).

Prints one JSON object (also used by ``python -m bench``).
"""

import argparse
import json
import random
import statistics
import sys
import time

from autograder.course import similarity
from autograder.grading.reference import NOTEBOOKS
from tests.sample_class.build import student_notebook
from tests.sample_class.students import STUDENTS

LONG_CELL_CHARS = 75_000
OWN_SHARE = 0.4  # share of a function's fingerprints a student makes their own
COPIERS = 0.02


def fingerprint_seconds():
    """Median seconds to fingerprint one student's three notebooks, over the sample class's kinds."""
    similarity.template.cache_clear()
    for assignment in NOTEBOOKS:
        similarity.template(assignment)  # once per process, as in a grading worker
    times, base = [], {}
    for who, work in STUDENTS.items():
        notebooks = {assignment: student_notebook(assignment, work) for assignment in NOTEBOOKS}
        similarity._cached_fingerprint.cache_clear()  # a student's own cells: nothing cached
        started = time.perf_counter()
        base[who] = {a: similarity.fingerprint_notebook(nb, a) for a, nb in notebooks.items()}
        times.append(time.perf_counter() - started)
    return statistics.median(times), base


def synthetic_class(base, students, seed=0):
    """``[(row, copied from or None)]`` of a class built as the module docstring says."""
    rng = random.Random(seed)
    rows, kinds = [], sorted(base)
    for index in range(students):
        student = f"s{index:05d}"
        if rows and rng.random() < COPIERS:
            source = rng.choice(rows)[0]
            rows.append(({"student": student, "code": source["code"]}, source["student"]))
            continue
        code = {}
        for assignment, functions in base[rng.choice(kinds)].items():
            code[assignment] = {}
            for function, values in functions.items():
                values = list(values)
                if rng.random() < 0.8:  # most students write part of a function their own way
                    for position in rng.sample(range(len(values)), int(OWN_SHARE * len(values))):
                        values[position] = rng.getrandbits(32)
                code[assignment][function] = sorted(set(values))
        rows.append(({"student": student, "code": code}, None))
    return rows


def long_cell(chars=LONG_CELL_CHARS):
    """A graded function (``gradient_check_n``'s name) of about ``chars`` characters: one
    assignment a line, each with its own names and numbers."""
    lines = ["def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):"]
    number = 0
    while sum(len(line) + 1 for line in lines) < chars:
        lines.append(f"    theta_{number} = np.copy(parameters['W1'][{number % 5}]) + epsilon * {number}")
        number += 1
    lines.append("    return theta_0")
    return "\n".join(lines) + "\n"


def long_cell_seconds(chars=LONG_CELL_CHARS):
    """``(characters, seconds)``: the pair view's marks of :func:`long_cell`, all its lines shared."""
    source = long_cell(chars)
    shared = set(similarity.winnow(similarity.normalise(source, "gradient_check_n")))
    started = time.perf_counter()
    similarity.marked_lines(source, "gradient_check_n", shared)
    return len(source), time.perf_counter() - started


def measure(students=1000):
    per_student, base = fingerprint_seconds()
    rows = synthetic_class(base, students)
    started = time.perf_counter()
    collector = similarity.Collector()
    for row, _ in rows:
        collector.add(row)
    pairs = collector.pairs()
    seconds = time.perf_counter() - started
    planted = {tuple(sorted((row["student"], source))) for row, source in rows if source}
    found = {(p.student_a, p.student_b) for p in pairs}
    chars, marks = long_cell_seconds()
    return {"students": students, "fingerprint_seconds_per_student": per_student, "class_seconds": seconds,
            "long_cell_chars": chars, "long_cell_marks_seconds": marks,
            "pairs": len(pairs), "planted_copies": len(planted),
            "planted_found": len(planted & found),
            "other_pairs": len({(p.student_a, p.student_b) for p in pairs} - planted)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.similarity", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.students), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
