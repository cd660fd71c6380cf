"""Benchmark of class grading: ``python -m bench [--students 1000] [--jobs N] [--sample 5]``.

1. Generates a class of N students in build/bench/ from the sample class's kinds of work
   (reference, alternative correct, catalogued mistakes, unfinished, blank) plus one student
   whose forward_propagation never returns, and a class of N/4 the same way.
2. Grades each with ``grade-class`` (default jobs) in a fresh process, measuring the seconds of
   grading per student (the grading's wall time over the students), each student's seconds from
   its start to its row (the ``seconds`` of each result row), students per second, and peak
   memory of the grader process and of one worker; the N/4 run shows whether grader memory grows
   with N.
3. Runs ``nbgrader autograde`` on a few of the same students in a throwaway course, twice:
   nbgrader's default (the notebook executed in a kernel) and the sealed grader in place of the
   kernel (a course made by ``python -m autograder nbgrader-course``).
4. Times the similarity check (:mod:`bench.similarity`): fingerprints per student, the
   class-wide step for N and N/4 students of varied code with planted copies, and the pair
   view's marks of one long cell.
5. Scale: grades a class of N students without the endless loop (``--throughput-students``) with
   1, 2 and 3 local workers (1, 1 and 2 grading at once) and on a Dask ``LocalCluster`` of 2
   worker processes of one thread, each in a fresh process: students per second at the margin
   (between the 10th and the 90th percentile of the times the results were written, so start-up
   and exports are left out) and for the whole command, against the target of grading 500 times
   faster than executing the notebooks (nbgrader's median seconds per student, measured in step
   3, / 500); each run's median seconds per student; and the CPU time of each kind of process
   per student (the command, the graders, the sandbox workers, the jobs), the machine's load
   average beside it.
6. The isolation floor (:mod:`bench.floor`): the same sealed jobs, one per graded function, with a
   one-line function in each and nothing to grade, on 1 and 2 workers: students per second and the
   machine's CPU per student, beside the CPU per student that the 500× target allows.

Prints a Markdown table (also written to build/bench/results.md) with pass/fail against the
targets, and the raw numbers in build/bench/results.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

from autograder.grading.reference import ROOT
from bench import similarity as similarity_bench
from bench.floor import WARM_UP
from bench.grading import MIX, generate_class

BENCH = ROOT / "build" / "bench"
#: Seconds of grading per student (three notebooks): the class's grading wall time over its
#: students. (A row's own seconds, from its start to its row, count the turns of the student
#: graded beside it: a worker grades two at once.)
TARGET_PER_STUDENT = 0.100
TARGET_SPEEDUP = 100  # times faster per student than nbgrader autograde
TARGET_CLASS = (1000, 120.0)  # students, seconds
FLAT = 0.10  # grader peak RSS may grow by at most this fraction from N/4 to N students
TARGET_SIMILARITY = 10.0  # seconds for the class-wide similarity step of 1000 students
TARGET_LONG_CELL = 2.0  # seconds for the pair view's marks of one cell of 75,000 characters
TARGET_MARGIN = 500  # times faster at the margin than executing the notebooks (nbgrader autograde)
#: The scale runs: (label, ``bench.grading grade`` options).
#: ``--jobs 2`` is grade-class's default on two cores: one worker grades while the other stands by
#: for slow students; ``--jobs 3`` grades two students at once (more students a second, each one
#: slower: see the median rows).
#: The run the class-size figures are extrapolated from: grade-class's default on two cores.
DEFAULT_SCALE = "2 local workers, 1 grading"
FLOOR_WORKERS = (1, 2)  # the isolation floor's runs
SCALE = (("1 local worker", ("--jobs", 1)), (DEFAULT_SCALE, ("--jobs", 2)),
         ("3 local workers, 2 grading", ("--jobs", 3)), ("Dask, 2 worker processes", ("--dask", 2)))


def _child(*args, log=None, module="bench.grading"):
    """Run ``python -m MODULE ARGS`` (stderr to ``log`` if given); returns its measurements."""
    out = BENCH / f"measured-{os.getpid()}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "w") if log else open(os.devnull) as sink:
        done = subprocess.run([sys.executable, "-m", module, *map(str, args), "--json", str(out)],
                              cwd=ROOT, env=env, stderr=sink if log else None)
    if done.returncode != 0:
        where = f" (see {log.relative_to(ROOT)})" if log else ""
        command = " ".join(map(str, args))
        raise SystemExit(f"{module} {command} failed with exit status {done.returncode}{where}")
    data = json.loads(out.read_text())
    out.unlink()
    return data


def _mb(size):
    return f"{size / (1 << 20):.0f} MB"


def _ms(seconds):
    return f"{1000 * seconds:.0f} ms"


def _duration(seconds):
    return f"{seconds / 3600:.1f} h" if seconds >= 5400 else f"{seconds / 60:.0f} min"


def _verdict(ok):
    return "pass" if ok else "**FAIL**"


def grade(students, jobs):
    class_dir = BENCH / f"class-{students}"
    print(f"generating {students} students in {class_dir.relative_to(ROOT)} ...", flush=True)
    kinds = generate_class(class_dir, students)
    print(f"grading {students} students ...", flush=True)
    measured = _child("grade", class_dir, BENCH / f"out-{students}", *(["--jobs", jobs] if jobs else []))
    measured["kinds"] = kinds
    return class_dir, measured


def scale(students):
    """``[(label, measurements)]`` of the :data:`SCALE` runs on one class of ``students`` students
    of ordinary work (no endless loop: it would hold a lone worker for its whole time limit)."""
    class_dir = BENCH / f"class-{students}-steady"
    print(f"generating {students} students without the endless loop in {class_dir.relative_to(ROOT)} ...",
          flush=True)
    generate_class(class_dir, students, slow=False)
    runs = []
    for label, options in SCALE:
        print(f"grading {students} students, {label} ...", flush=True)
        runs.append((label, _child("grade", class_dir, BENCH / f"out-{students}-steady", *options)))
    return runs


def floors(students):
    """``[(workers, measurements)]`` of :mod:`bench.floor` on 1 and 2 workers, each in a fresh process."""
    runs = []
    for workers in FLOOR_WORKERS:
        print(f"isolation floor: {students} students' sealed jobs with nothing to grade, "
              f"{_workers(workers)} ...", flush=True)
        runs.append((workers, _child("--students", students, "--workers", workers, module="bench.floor")))
    return runs


def _workers(count):
    return f"{count} local worker{'s' if count > 1 else ''}"


def floor_rows(runs, nbgrader):
    """The table's rows of the isolation floor: students per second and CPU per student of the
    sealed jobs alone, and the CPU per student the margin target leaves on this machine's cores."""
    rows = []
    for workers, run in runs:
        rows.append((f"isolation floor, {_workers(workers)}: the {run['jobs_per_student']} sealed jobs "
                     "of a student alone (a one-line function each): students per second / machine CPU "
                     f"per student (load {run['load']:.1f})",
                     f"{run['rate']:.1f} / {_ms(run['cpu_per_student'])}", "", ""))
    target = margin_target(nbgrader)
    if target and runs:
        cores = os.cpu_count() or 1
        budget = cores / target
        lowest = min(run["cpu_per_student"] for _, run in runs)
        rows.append((f"CPU per student the margin target allows ({cores} cores / {target:.1f} students "
                     f"a second), of it the isolation floor",
                     f"{_ms(budget)}, {100 * lowest / budget:.0f} %", "", ""))
    return rows


def margin_target(nbgrader):
    """Students per second that grade :data:`TARGET_MARGIN` times faster than nbgrader executed
    the notebooks (its median seconds per student); None without nbgrader's figure."""
    if not nbgrader or not nbgrader["seconds"]:
        return None
    return TARGET_MARGIN / statistics.median(nbgrader["seconds"].values())


def scale_rows(runs, nbgrader):
    """The table's rows of the scale runs: students per second, the speed-up at the margin, each
    student's median seconds (how long one waits for its grade) and the CPU per student."""
    rows, target = [], margin_target(nbgrader)
    theirs = statistics.median(nbgrader["seconds"].values()) if target else None
    for label, run in runs:
        rate, whole = run["steady_rate"], run["students"] / run["total_seconds"]
        ok = rate is not None and target is not None and rate >= target
        rows.append((f"students per second, {label}: at the margin (whole command)",
                     f"{rate or 0:.1f} ({whole:.1f})", f"≥ {target:.1f}" if target else "",
                     _verdict(ok) if target else ""))
        if theirs and rate:
            rows.append((f"speed-up at the margin, {label} (nbgrader's seconds per student × rate)",
                         f"{theirs * rate:.0f}×", f"≥ {TARGET_MARGIN}×",
                         _verdict(theirs * rate >= TARGET_MARGIN)))
    for label, run in runs:
        rows.append((f"seconds per student, median, {label}", _ms(run["median_seconds"]), "", ""))
    for label, run in runs:
        cpu, n = run["cpu_seconds"], run["students"]
        rows.append((f"CPU per student, {label}: command / graders / sandbox workers / jobs "
                     f"(load {run['load']:.1f})",
                     " / ".join(_ms(cpu[k] / n) for k in ("command", "graders", "sandboxes", "jobs"))
                     + f" = {_ms(sum(cpu.values()) / n)}", "", ""))
    return rows


#: The order in which kinds of work are sampled for nbgrader: the most different first.
SAMPLE_ORDER = ("ada", "ben", "cleo", "finn", "gia", "dev", "eve")


def sample_students(kinds, size):
    """One student of each kind, most different kinds first (never the endless loop)."""
    by_who = {who: kind for kind, who, _ in MIX}
    chosen = []
    for who in SAMPLE_ORDER:
        chosen += [s for s, k in sorted(kinds.items()) if k == by_who[who]][:1]
    return chosen[:size]


def table(small, large, nbgrader, ours_by_student, similar=None, sealed=None, runs=(), floor=()):
    n = large["students"]
    rows = [("measure", "measured", "target", "verdict")]
    median = large["median_seconds"]
    cost = large["grading_seconds"] / n
    rows.append(("seconds of grading per student (3 notebooks): the class's grading wall time / students",
                 _ms(cost), f"≤ {_ms(TARGET_PER_STUDENT)}", _verdict(cost <= TARGET_PER_STUDENT)))
    rows.append(("seconds per student from its start to its row (a worker grades two at once), median",
                 _ms(median), "", ""))
    rows.append(("seconds per student from its start to its row, p95", _ms(large["p95_seconds"]), "", ""))
    rows.append(("slowest student (the endless loop)", f"{large['max_seconds']:.1f} s",
                 "one function times out", _verdict(bool(large["timeouts"]))))
    per_class = large["total_seconds"] * TARGET_CLASS[0] / n
    label = f"{TARGET_CLASS[0]} students × 3 notebooks, wall" + ("" if n == TARGET_CLASS[0] else
                                                               f" (scaled from {n})")
    rows.append((label, f"{per_class:.0f} s", f"≤ {TARGET_CLASS[1]:.0f} s",
                 _verdict(per_class <= TARGET_CLASS[1])))
    at_once = large.get("grading_at_once", large["jobs"])
    rows.append((f"students per second ({large['jobs']} workers, {at_once} grading at once; "
                 "exports included)",
                 f"{n / large['total_seconds']:.1f}", "", ""))
    growth = large["grader_peak_rss"] / small["grader_peak_rss"] - 1
    rows.append((f"grader peak RSS, {small['students']} → {n} students",
                 f"{_mb(small['grader_peak_rss'])} → {_mb(large['grader_peak_rss'])} ({100 * growth:+.0f} %)",
                 f"flat (≤ {100 * FLAT:+.0f} %)", _verdict(growth <= FLAT)))
    rows.append(("one worker, peak RSS (its sandboxes' RSS summed in)",
                 f"{_mb(large['worker_peak_rss'])} ({_mb(large['worker_tree_peak_rss'])})", "", ""))
    if nbgrader:
        theirs = statistics.median(nbgrader["seconds"].values())
        ours = statistics.median(ours_by_student[s] for s in nbgrader["seconds"])
        rows.append((f"nbgrader autograde, seconds per student (median of {len(nbgrader['seconds'])}, "
                     "in-process API)", f"{theirs:.1f} s", "", ""))
        rows.append(("same students with grade-class, start to row, median", _ms(ours), "", ""))
        speedup = theirs / median
        rows.append(("**speed-up per student** (nbgrader median / ours, start to row, median)",
                     f"**{speedup:.0f}×**",
                     f"≥ {TARGET_SPEEDUP}×", _verdict(speedup >= TARGET_SPEEDUP)))
        throughput = theirs / (large["total_seconds"] / n)
        rows.append(("speed-up in class wall time (nbgrader serial / ours with workers)",
                     f"{throughput:.0f}×", "", ""))
    if sealed:
        seconds = statistics.median(sealed["seconds"].values())
        grading = statistics.median(sealed["sealed_seconds"].values())
        rows.append((f"nbgrader autograde, sealed grader, per student (median of "
                     f"{len(sealed['seconds'])}, API)", _ms(seconds), "", ""))
        rows.append(("of which in the sealed grader (the rest is nbgrader's own work)", _ms(grading), "", ""))
        ours = statistics.median(ours_by_student[s] for s in sealed["seconds"])
        rows.append(("same students with grade-class, start to row, median", _ms(ours), "", ""))
    if similar:
        few, many = similar
        rows.append(("similarity: fingerprinting one student's 3 notebooks (no cache), median",
                     _ms(many["fingerprint_seconds_per_student"]), "", ""))
        rows.append((f"similarity: class-wide step, {few['students']} → {many['students']} students",
                     f"{few['class_seconds']:.2f} s → {many['class_seconds']:.2f} s",
                     f"≤ {TARGET_SIMILARITY:.0f} s", _verdict(many["class_seconds"] <= TARGET_SIMILARITY)))
        rows.append((f"similarity: a pair view's marks of one cell of {many['long_cell_chars']:,} characters",
                     f"{many['long_cell_marks_seconds']:.2f} s", f"≤ {TARGET_LONG_CELL:.0f} s",
                     _verdict(many["long_cell_marks_seconds"] <= TARGET_LONG_CELL)))
        rows.append(("similarity: planted copies found, other pairs reported",
                     f"{many['planted_found']}/{many['planted_copies']}, {many['other_pairs']}",
                     "all, 0", _verdict(many["planted_found"] == many["planted_copies"]
                                        and many["other_pairs"] == 0)))
    rows += scale_rows(runs, nbgrader)
    rows += floor_rows(floor, nbgrader)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def extrapolation(runs):
    """The note on 10,000 and 100,000 students, from the default configuration's rate at the margin.

    ``runs`` is a list of ``(label, run)``; the note is extrapolated (said so), from the run labelled
    ``DEFAULT_SCALE`` (the last run when it is missing); None when that run has no rate.
    """
    chosen, run = next(((label, run) for label, run in runs if label == DEFAULT_SCALE), runs[-1])
    rate = run["steady_rate"]
    if not rate:
        return None
    return (f"Extrapolated from the rate at the margin of {chosen} (not measured): "
            + "; ".join(f"{count:,} students (×3 notebooks) in {_duration(count / rate)}"
                        for count in (10_000, 100_000))
            + " on this machine; Dask workers on more machines add their rates.")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None, help="grading workers (default: grade-class's)")
    parser.add_argument("--sample", type=int, default=5, help="students also graded by nbgrader (0: none)")
    parser.add_argument("--throughput-students", type=int, default=None,
                        help="students of the scale runs (default: --students; 0: none)")
    args = parser.parse_args(argv)
    BENCH.mkdir(parents=True, exist_ok=True)

    load_before = os.getloadavg()[0]
    _, small = grade(max(1, args.students // 4), args.jobs)
    class_dir, large = grade(args.students, args.jobs)
    ours_by_student = {row: seconds for row, seconds in _seconds_by_student(BENCH / f"out-{args.students}")}
    nbgrader = sealed = None
    if args.sample:
        students = sample_students(large["kinds"], args.sample)
        print(f"nbgrader autograde of {', '.join(students)} ...", flush=True)
        nbgrader = _child("nbgrader", class_dir, ",".join(students), log=BENCH / "nbgrader.log")
        nbgrader["agrees"] = _agreement(BENCH / f"out-{args.students}", nbgrader["scores"])
        print("nbgrader autograde with the sealed grader, same students ...", flush=True)
        sealed = _child("nbgrader-sealed", class_dir, ",".join(students), log=BENCH / "nbgrader-sealed.log")
        sealed["agrees"] = _agreement(BENCH / f"out-{args.students}", sealed["scores"])

    print("similarity check ...", flush=True)
    similar = (similarity_bench.measure(max(1, args.students // 4)), similarity_bench.measure(args.students))
    steady = args.students if args.throughput_students is None else args.throughput_students
    runs = scale(steady) if steady else []
    floor = floors(steady) if steady else []
    text = table(small, large, nbgrader, ours_by_student, similar, sealed, runs, floor)
    counts = {}
    for kind in large["kinds"].values():
        counts[kind] = counts.get(kind, 0) + 1
    notes = [
        f"Measured on {os.cpu_count()} cores, Python {platform.python_version()}, sandbox layer "
        f"{', '.join(large['isolation'])}, load average {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after; `python -m bench --students {args.students}`.",
        "Class: " + ", ".join(f"{count} {kind}"
                              for kind, count in sorted(counts.items(), key=lambda kv: -kv[1])) + ".",
        f"Per-student seconds are the `seconds` of each result row (three notebooks; each worker starts "
        f"its sandboxes before its first student); wall time is the whole `grade-class` command with "
        f"its exports and those start-ups (grading alone: {large['grading_seconds']:.0f} s).",
    ]
    if large["timeouts"]:
        notes.append("Timed out: " + ", ".join(f"{s} {f}" for s, f in large["timeouts"]) + ".")
    if nbgrader:
        notes.append(f"nbgrader: `NbGraderAPI.autograde` per assignment in a throwaway course (no 6 s CLI "
                     f"start-up; generate_assignment {nbgrader['generate_seconds']:.0f} s, not counted); "
                     f"students {', '.join(nbgrader['seconds'])}; scores "
                     + ("agree with grade-class." if nbgrader["agrees"] is True else
                        f"differ from grade-class: {nbgrader['agrees']}."))
        if nbgrader["failures"]:
            notes.append("nbgrader failures: " + "; ".join(nbgrader["failures"]))
    if sealed:
        first = next(iter(sealed["seconds"]))
        notes.append("nbgrader with the sealed grader: the same API on the same students, in a course "
                     "made by `python -m autograder nbgrader-course` (its `nbgrader_config.py`: "
                     f"`SealedGrade` in place of `Execute`); the first student, {first}, also starts "
                     f"the sandboxes ({sealed['seconds'][first]:.1f} s); scores "
                     + ("agree with grade-class." if sealed["agrees"] is True else
                        f"differ from grade-class: {sealed['agrees']}."))
        if sealed["failures"]:
            notes.append("nbgrader (sealed) failures: " + "; ".join(sealed["failures"]))
    if runs:
        notes.append(f"Scale runs: {steady} students of ordinary work (no endless loop) in a fresh process "
                     "each; the rate at the margin is taken between the 10th and the 90th percentile of "
                     "the times the results were written; CPU per student is each kind of process's "
                     "CPU time over the whole run (the command's includes its exports and, on Dask, "
                     "the scheduler) divided by the students.")
        if extrapolated := extrapolation(runs):
            notes.append(extrapolated)
        for label, run in runs:
            if run["errors"] or run["status"]:
                notes.append(f"{label}: grade-class exit status {run['status']}, {run['errors']} error rows.")
    if floor:
        notes.append("Isolation floor: each graded function's sealed job (an open call, then its sealed "
                     "part) with a one-line function on one small array and nothing drawn, computed or "
                     f"judged, three notebooks side by side as grade-class runs them, after {WARM_UP} "
                     "students of warm-up a worker; its CPU is the whole machine's busy time over the "
                     "timed window (other work on the machine included), divided by the students. What "
                     "a class costs above it is the grading itself.")
    if large["errors"] or large["status"]:
        notes.append(f"grade-class exit status {large['status']}, {large['errors']} error rows.")
    report = text + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"
    print("\n" + report)
    (BENCH / "results.md").write_text(report)
    (BENCH / "results.json").write_text(json.dumps(
        {"small": {k: v for k, v in small.items() if k != "kinds"},
         "large": {k: v for k, v in large.items() if k != "kinds"}, "nbgrader": nbgrader,
         "nbgrader_sealed": sealed,
         "similarity": similar, "scale": [{"run": label, **run} for label, run in runs],
         "floor": [run for _, run in floor]}, indent=1))
    print(f"written: {(BENCH / 'results.md').relative_to(ROOT)}")
    return 0


def _seconds_by_student(out):
    for path in sorted((out / "results").glob("*.json")):
        row = json.loads(path.read_text())
        yield row["student"], row["seconds"]


def _agreement(out, scores):
    """True if nbgrader's score of every sampled student and assignment equals ours, else the differences."""
    differences = []
    for student, by_assignment in scores.items():
        ours = {r["assignment"]: r["score"]
                for r in json.loads((out / "results" / f"{student}.json").read_text())["results"]}
        for assignment, score in by_assignment.items():
            if abs((score or 0) - ours.get(assignment, 0)) > 1e-6:
                differences.append(f"{student}/{assignment} nbgrader {score} vs {ours.get(assignment)}")
    return True if not differences else "; ".join(differences)


if __name__ == "__main__":
    sys.exit(main())
