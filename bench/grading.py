"""The measured parts of ``python -m bench``: a generated class, one grading run, nbgrader's autograde.

Each measured run happens in a process of its own, so that its peak memory is its own and
nbgrader's Jupyter settings stay out of the grader:

    python -m bench.grading grade CLASS OUT --json FILE [--jobs N | --dask N]
    python -m bench.grading nbgrader CLASS STUDENT,STUDENT,... --json FILE
    python -m bench.grading nbgrader-sealed CLASS STUDENT,STUDENT,... --json FILE

Both write their measurements as JSON to FILE.
"""

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.grading.reference import NOTEBOOKS, ROOT
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE, STUDENTS

#: The kinds of work in a generated class: (kind, sample-class student who wrote it, weight).
MIX = (
    ("correct (reference)", "ada", 22),
    ("correct, written differently", "ben", 15),
    ("correct, written as the original courses' students do (hana)", "hana", 8),
    ("mistakes that look right on the published cases (ivan)", "ivan", 5),
    ("catalogued mistakes (cleo)", "cleo", 10),
    ("catalogued mistakes (dev)", "dev", 10),
    ("catalogued mistakes (eve)", "eve", 10),
    ("unfinished: stubs, syntax error, exception", "finn", 12),
    ("blank release", "gia", 8),
)
SLOW_KIND = "endless loop in forward_propagation"
SLOW_WORK = {
    "initialization": REFERENCE,
    "regularization": REFERENCE,
    "gradient_checking": {"forward_propagation": ["while True:\n    pass"],
                          "backward_propagation": REFERENCE, "gradient_check": REFERENCE,
                          "gradient_check_n": REFERENCE},
}


def kind_notebooks(work):
    """``{assignment: notebook}`` of a student who wrote ``work`` (as in tests/sample_class)."""
    return {assignment: student_notebook(assignment, work) for assignment in NOTEBOOKS}


def generate_class(root, students, seed=0, slow=True):
    """Write ``students`` students in nbgrader layout under ``root``; returns ``{student: kind}``.

    Kinds are drawn with the weights of :data:`MIX`; with ``slow``, the student in the middle has
    the endless loop. Each notebook carries its student id in its metadata, so no two files are
    equal.
    """
    root = Path(root)
    shutil.rmtree(root, ignore_errors=True)
    kinds = {kind: kind_notebooks(STUDENTS[who]) for kind, who, _ in MIX}
    kinds[SLOW_KIND] = kind_notebooks(SLOW_WORK)
    plan = random.Random(seed).choices([k for k, _, _ in MIX], [w for _, _, w in MIX], k=students)
    if slow:
        plan[students // 2] = SLOW_KIND
    who = {}
    for index, kind in enumerate(plan):
        student = f"s{index:05d}"
        who[student] = kind
        for assignment, data in kinds[kind].items():
            data["metadata"]["bench_student"] = student
            path = root / student / assignment / NOTEBOOKS[assignment]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    (root.parent / f"{root.name}.kinds.json").write_text(json.dumps(who, indent=0))
    return who


def percentile(values, q):
    """The nearest-rank percentile ``q`` (0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


#: The last argument of a sandbox worker's command line (see :mod:`autograder.sandbox`): its mode.
SANDBOX_MODES = ("zygote", "ns")


class UsageSampler(threading.Thread):
    """Peak RSS of this process, of each worker process and of a worker's whole tree (the worker
    and its sandboxes), and the CPU seconds of each kind of process, sampled every ``interval``
    seconds.

    CPU by role (:meth:`cpu`): ``graders`` the class's worker processes (a local pool's or a
    Dask cluster's: where each student is extracted, checked and scored), ``sandboxes`` the
    sandbox workers (the zygotes, which fork and watch the jobs), ``jobs`` the job children
    (one per graded function: what each sandbox worker has reaped, read from its children's
    times). A process's last ``interval`` before it exits is not seen; this process's own time
    is the caller's to read (``resource.getrusage``).
    """

    def __init__(self, interval=0.2):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.interval, self.halt = psutil, interval, threading.Event()
        self.grader = self.worker = self.tree = 0
        self.workers_seen = set()
        self.roles = {}  # pid -> role, decided when the process is first seen
        self.times = {}  # pid -> (own CPU seconds, CPU seconds of its reaped children)

    def _role(self, process, me):
        """``worker``, ``sandbox`` (a sandbox worker), ``job`` or ``other``; None if it is gone."""
        if process.pid in self.roles:
            return self.roles[process.pid]
        try:
            command = process.cmdline()
            parent = process.ppid()
        except self.psutil.Error:
            return None
        if command and command[-1] in SANDBOX_MODES and "bwrap" not in Path(command[0]).name:
            # a job child runs the same command line as the sandbox worker that forked it
            role = "job" if self.roles.get(parent) == "sandbox" else "sandbox"
        elif parent == me and "resource_tracker" not in " ".join(command) \
                and any("multiprocessing" in part for part in command):
            role = "worker"
        else:
            role = "other"
        self.roles[process.pid] = role
        return role

    def run(self):
        me = self.psutil.Process()
        while not self.halt.wait(self.interval):
            with contextlib.suppress(self.psutil.Error):
                self.grader = max(self.grader, me.memory_info().rss)
            try:
                everyone = me.children(recursive=True)
            except self.psutil.Error:
                continue
            # parents first, so that a job child is told from its sandbox worker
            for process in sorted(everyone, key=lambda p: p.pid):
                role = self._role(process, me.pid)
                if role in ("sandbox", "worker"):
                    with contextlib.suppress(self.psutil.Error):
                        times = process.cpu_times()
                        self.times[process.pid] = (times.user + times.system,
                                                   times.children_user + times.children_system)
                if role != "worker":
                    continue
                try:
                    rss = process.memory_info().rss
                    tree = rss + sum(d.memory_info().rss for d in process.children(recursive=True))
                except self.psutil.Error:
                    continue
                self.workers_seen.add(process.pid)
                self.worker, self.tree = max(self.worker, rss), max(self.tree, tree)

    def cpu(self):
        """CPU seconds by role: ``graders``, ``sandboxes``, ``jobs``."""
        spent = {"graders": 0.0, "sandboxes": 0.0, "jobs": 0.0}
        for pid, (own, reaped) in self.times.items():
            if self.roles[pid] == "worker":
                spent["graders"] += own
            else:
                spent["sandboxes"] += own
                spent["jobs"] += reaped
        return spent

    def stop(self):
        self.halt.set()
        self.join()


#: The share of a class's results left out at each end when its steady rate is measured: the first
#: ones include the workers' start-up, the last ones the pool running dry.
EDGE = 0.1


def steady_rate(times, edge=EDGE):
    """Students per second between the ``edge`` and the ``1 - edge`` quantiles of the times at
    which their results were written (``times``, seconds): the class's rate at the margin."""
    ordered = sorted(times)
    first, last = int(edge * (len(ordered) - 1)), int((1 - edge) * (len(ordered) - 1))
    if last <= first or ordered[last] <= ordered[first]:
        return None
    return (last - first) / (ordered[last] - ordered[first])


def measure_grading(class_dir, out, jobs=None, dask=None):
    """Run ``grade-class`` here on ``class_dir`` into a fresh ``out``; returns the measurements.

    With ``dask`` (a number of workers), on a Dask ``LocalCluster`` of that many worker processes
    of one thread each, started here before the clock starts (``grade-class --scheduler``); else
    on ``jobs`` local workers (default: ``grade-class``'s).
    """
    from autograder import cli
    from autograder.course.batch import results_of
    from autograder.course.runner import grading_at_once

    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    cluster, where = None, (["--jobs", str(jobs)] if jobs else [])
    if dask:
        import logging

        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=dask, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        where = ["--scheduler", cluster.scheduler_address]
    sampler = UsageSampler()
    sampler.start()
    before = resource.getrusage(resource.RUSAGE_SELF)
    started_at, started = time.time(), time.perf_counter()
    try:
        with open(out.with_name(out.name + ".log"), "w") as log, contextlib.redirect_stdout(log):
            status = cli.main(["grade-class", str(class_dir), "--out", str(out), *where])
        total = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        if cluster is not None:
            cluster.close()
        sampler.stop()
    # Peaks before this process reads the results back (one row at a time, as the exports do).
    grader_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    seconds, timeouts, layers, errors = [], [], set(), 0
    for row in results_of(out):
        seconds.append(row["seconds"])
        errors += row["status"] == "error"
        for result in row["results"]:
            if result["provenance"].get("isolation"):  # None when nothing had to run (blank work)
                layers.add(result["provenance"]["isolation"])
            timeouts += [(row["student"], name) for name, function in result["functions"].items()
                         if function["status"] == "timeout"]
    written = [p.stat().st_mtime for p in (out / "results").glob("*.json")]
    cpu = sampler.cpu()
    cpu["command"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    workers = dask or jobs or os.cpu_count()
    return {
        "status": status,
        "students": len(seconds),
        "jobs": workers,
        "dask": bool(dask),
        "grading_at_once": workers if dask else grading_at_once(workers),
        "errors": errors,
        "total_seconds": total,
        "grading_seconds": max(written) - started_at,
        "steady_rate": steady_rate(written),
        "cpu_seconds": cpu,
        "load": os.getloadavg()[0],
        "median_seconds": statistics.median(seconds),
        "p95_seconds": percentile(seconds, 0.95),
        "max_seconds": max(seconds),
        "timeouts": timeouts,
        "isolation": sorted(layers),
        "grader_peak_rss": grader_peak,
        "grader_sampled_rss": sampler.grader,
        "worker_peak_rss": sampler.worker,
        "worker_tree_peak_rss": sampler.tree,
        "largest_child_maxrss": children_peak,
        "workers_seen": len(sampler.workers_seen),
    }


def measure_nbgrader(class_dir, students):
    """``nbgrader autograde`` of ``students`` of ``class_dir`` in a throwaway course (in-process API).

    The API skips nbgrader's ~6 s command-line start-up, so this is nbgrader at its fastest.
    """
    from tools import release

    course = Path(tempfile.mkdtemp(prefix="bench-nbgrader-"))
    try:
        for assignment in release.ASSIGNMENTS:
            shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment,
                            symlinks=False, ignore=release._IGNORE)
            for student in students:
                shutil.copytree(Path(class_dir) / student / assignment,
                                course / "submitted" / student / assignment)
        # The hidden tests of the source notebooks import the autograder from the kernel.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        release._isolated_jupyter(course)
        started = time.perf_counter()
        release._generate(course, release.ASSIGNMENTS)
        generate_seconds = time.perf_counter() - started

        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config

        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.CourseDirectory.course_id = "dls-week1"
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        per_student, scores, failures = _autograde(api, config, students)
    finally:
        shutil.rmtree(course, ignore_errors=True)
    return {"seconds": per_student, "scores": scores, "failures": failures,
            "generate_seconds": generate_seconds}


def _autograde(api, config, students, before=None, after=None):
    """``nbgrader autograde`` of every assignment of each student through nbgrader's API:
    ``(seconds per student, {student: {assignment: score}}, failures)``."""
    from nbgrader.api import Gradebook

    from tools import release

    per_student, failures = {}, []
    for student in students:
        if before:
            before(student)
        started = time.perf_counter()
        for assignment in release.ASSIGNMENTS:
            outcome = api.autograde(assignment, student)
            if not outcome["success"]:
                failures.append(f"{student}/{assignment}: {outcome.get('error', '')[-300:]}")
        per_student[student] = time.perf_counter() - started
        if after:
            after(student)
    with Gradebook(config.CourseDirectory.db_url) as gradebook:
        scores = {s: {a: gradebook.find_submission(a, s).score for a in release.ASSIGNMENTS}
                  for s in students}
    return per_student, scores, failures


def measure_nbgrader_sealed(class_dir, students):
    """``nbgrader autograde`` of ``students`` with the sealed grader in place of the kernel: a
    course made by :func:`autograder.platforms.nbgrader_autograde.create_course`, its own
    ``nbgrader_config.py``, nbgrader's in-process API (as :func:`measure_nbgrader`).

    The secret is empty, as in the ``grade-class`` run it is compared with. Besides the time
    per student, the time spent in the sealed grader itself (``SealedGrade``'s grading) is
    summed per student; the rest is nbgrader's (sanitizing, the gradebook, copying the
    assignment's files). The first student also pays for starting the sandboxes.
    """
    from autograder.platforms import nbgrader_autograde
    from tools import release

    top = Path(tempfile.mkdtemp(prefix="bench-nbgrader-sealed-"))
    course = top / "course"
    try:
        (top / "empty.secret").write_text("")
        nbgrader_autograde.create_course(course, secret_file=top / "empty.secret", course_id="dls-week1")
        for assignment in release.ASSIGNMENTS:
            for student in students:
                shutil.copytree(Path(class_dir) / student / assignment,
                                course / "submitted" / student / assignment)
        release._isolated_jupyter(course)

        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        started = time.perf_counter()
        for assignment in release.ASSIGNMENTS:
            outcome = api.generate_assignment(assignment)
            if not outcome["success"]:
                raise RuntimeError(f"generate_assignment {assignment}: {outcome.get('error')}")
        generate_seconds = time.perf_counter() - started

        grading = {"seconds": 0.0}
        real_grade = nbgrader_autograde._GRADER.grade

        def timed_grade(*args, **kwargs):
            began = time.perf_counter()
            try:
                return real_grade(*args, **kwargs)
            finally:
                grading["seconds"] += time.perf_counter() - began

        nbgrader_autograde._GRADER.grade = timed_grade
        sealed = {}

        def before(student):
            grading["seconds"] = 0.0

        def after(student):
            sealed[student] = grading["seconds"]

        per_student, scores, failures = _autograde(api, config, students, before, after)
    finally:
        nbgrader_autograde._GRADER.close()
        shutil.rmtree(top, ignore_errors=True)
    return {"seconds": per_student, "sealed_seconds": sealed, "scores": scores, "failures": failures,
            "generate_seconds": generate_seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.grading")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade")
    grade.add_argument("class_dir", type=Path)
    grade.add_argument("out", type=Path)
    grade.add_argument("--jobs", type=int)
    grade.add_argument("--dask", type=int, help="on a Dask LocalCluster of this many worker processes")
    grade.add_argument("--json", type=Path, required=True)
    nbgrader = commands.add_parser("nbgrader")
    nbgrader.add_argument("class_dir", type=Path)
    nbgrader.add_argument("students")
    nbgrader.add_argument("--json", type=Path, required=True)
    sealed = commands.add_parser("nbgrader-sealed")
    sealed.add_argument("class_dir", type=Path)
    sealed.add_argument("students")
    sealed.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "grade":
        measured = measure_grading(args.class_dir, args.out, args.jobs, args.dask)
    elif args.command == "nbgrader-sealed":
        measured = measure_nbgrader_sealed(args.class_dir, args.students.split(","))
    else:
        measured = measure_nbgrader(args.class_dir, args.students.split(","))
    args.json.write_text(json.dumps(measured, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
