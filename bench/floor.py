"""The isolation floor: what the sealed jobs cost by themselves, with nothing to grade in them.

    python -m bench.floor --students 300 --workers 1 --json FILE

Each worker process starts the class's sandboxes as a ``grade-class`` worker does
(:func:`autograder.course.batch.start_graders`: one sandbox per assignment), then, for
each student, runs one job per graded function of every assignment (11 a student), a notebook's
jobs queued together and the three notebooks side by side, as :func:`grade_notebooks` runs them.
Each job runs a one-line function on one small array, once before and once after its sealed part,
so it has the shape of a real job (an open call, a sealed call, arrays in shared memory) and none
of its work: no hidden inputs are drawn, no reference computed, nothing judged.

What it measures, after each worker's first ``WARM_UP`` students: students per second, and the
CPU of the whole machine per student (its busy share over the timed window, from ``psutil``,
times its cores, over the students), which counts other work on the machine too (the load average
is given beside it). The grading's own CPU a student is whatever the class costs above this floor.
"""

import argparse
import json
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Students each worker runs before the clock starts (its sandboxes' first children, caches).
WARM_UP = 10
CELL = "def f(x):\n    return x.sum()\n"


def _machine_seconds():
    """``(busy, total)`` CPU seconds of every core since boot (other work on the machine too)."""
    import psutil

    times = psutil.cpu_times()
    busy = times.user + times.nice + times.system + times.irq + times.softirq
    return busy, busy + times.idle + times.iowait + times.steal


def _jobs(spec, argument, cell):
    """The jobs of one notebook: one per graded function, each an open and a sealed call."""
    call = {"function": "f", "args": [argument], "kwargs": {}, "stand_ins": "", "digest_args": True}
    return [{"setup": spec.sandbox_setup, "cells": [cell], "stand_ins": "", "calls": [call],
             "sealed_calls": [call]} for _ in spec.functions]


def _worker(students, cell, ready, start, report):
    try:
        report.put(("seconds", _timed(students, cell, ready, start)))
    except BaseException as exc:  # said to the parent, which would otherwise wait at the barriers
        report.put(("error", f"{type(exc).__name__}: {exc}"))
        ready.abort()
        start.abort()


def _timed(students, cell, ready, start):
    """Start the sandboxes, warm them up, then time ``students`` students' jobs (seconds)."""
    import numpy as np

    from autograder.course.batch import start_graders
    from autograder.grading import reference
    from autograder.sandbox import wire

    with start_graders() as graders:  # as a class worker starts them
        argument = wire.encode(np.arange(12.0).reshape(3, 4))
        specs = [reference.load(name) for name in reference.NOTEBOOKS]
        work = [(graders.sandbox(spec), _jobs(spec, argument, cell)) for spec in specs]

        def notebook(part):
            sandbox, jobs = part
            for reply in sandbox.run_many(jobs):
                errors = [result["error"] for result in reply["results"] if result.get("error")]
                if reply["status"] != "ok" or errors:
                    raise RuntimeError(f"a floor job ended {reply['status']}: "
                                       f"{errors[0] if errors else reply.get('detail')}")

        with ThreadPoolExecutor(len(work)) as threads:
            for _ in range(WARM_UP):
                list(threads.map(notebook, work))
            ready.wait()
            start.wait()
            began = time.perf_counter()
            for _ in range(students):
                list(threads.map(notebook, work))
            return time.perf_counter() - began


def measure_floor(students, workers, cell=CELL):
    """Run ``students`` students' worth of trivial sealed jobs (each calls ``f`` of ``cell``) on
    ``workers`` worker processes (the students shared between them); returns the measurements
    (see the module's text)."""
    context = multiprocessing.get_context("spawn")
    ready, start = context.Barrier(workers + 1), context.Barrier(workers + 1)
    report = context.Queue()
    share = [students // workers + (k < students % workers) for k in range(workers)]
    processes = [context.Process(target=_worker, args=(n, cell, ready, start, report)) for n in share]
    for process in processes:
        process.start()
    try:
        try:
            ready.wait(timeout=120)
            before = _machine_seconds()
            start.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        said = [report.get(timeout=600) for _ in processes]
        after = _machine_seconds()
        errors = [text for kind, text in said if kind == "error"]
        if errors:
            raise RuntimeError(f"the isolation floor could not be measured: {errors[0]}")
        walls = [seconds for _, seconds in said]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    wall = max(walls)
    busy = (after[0] - before[0]) / max(1e-9, after[1] - before[1])
    cores = os.cpu_count() or 1
    return {"students": students, "workers": workers, "jobs_per_student": jobs_per_student(),
            "seconds": wall, "rate": students / wall, "busy": busy,
            "cpu_per_student": busy * cores * wall / students, "load": os.getloadavg()[0]}


def jobs_per_student():
    """The course's graded functions: one sealed job each, for every student."""
    from autograder.grading import reference

    return sum(len(reference.load(name).functions) for name in reference.NOTEBOOKS)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the measurements here (default: print them)")
    args = parser.parse_args(argv)
    text = json.dumps(measure_floor(args.students, args.workers), indent=1)
    if args.json:
        args.json.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
