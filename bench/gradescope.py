"""Gradescope's defaults: ``python -m bench.gradescope [--runs 3] [--memory-mb 768] [--cpus 0.5]``.

Gradescope gives an autograder 768 MB of memory and half a CPU unless the course asks for
more. For each assignment this builds its zip (``deploy/bundle.py gradescope --assignments
NAME``), lays it out like ``/autograder`` under ``build/bench/gradescope/`` with the zip's own
``setup.sh`` (its system-package step left out; the Python packages linked from this
environment), then runs ``run_autograder`` on the sample class's correct notebook of that
assignment, ``--runs`` times, inside a cgroup (v1) limited to that memory and that share of a CPU,
as Gradescope's container would be. It reports the cgroup's peak memory (every process of the
run, each page once; the files it reads count too, as they do in a container) against the
limit, whether the limit was ever hit, and the wall time of one submission. Before each run the
page cache is dropped, so the files the run reads (the interpreter, numpy, the kit) are charged
to it, as in a container that has just started.

Needs root and a writable cgroup v1 hierarchy (``/sys/fs/cgroup/memory`` and ``cpu``); elsewhere
it says so and stops.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

from autograder.grading.reference import NOTEBOOKS, ROOT

CGROUP = Path("/sys/fs/cgroup")
OUT = ROOT / "build" / "bench" / "gradescope"
SAMPLE = ROOT / "tests" / "sample_class" / "submitted" / "ada"
HEADROOM = 0.5  # the peak should stay under half the limit


class Limits:
    """A cgroup v1 pair (memory, cpu) holding what runs in it to ``memory_mb`` and ``cpus``."""

    def __init__(self, name, memory_mb, cpus):
        self.memory = CGROUP / "memory" / name
        self.cpu = CGROUP / "cpu" / name
        for group in (self.memory, self.cpu):
            group.mkdir(exist_ok=True)
        (self.memory / "memory.limit_in_bytes").write_text(str(memory_mb << 20))
        period = int((self.cpu / "cpu.cfs_period_us").read_text())
        (self.cpu / "cpu.cfs_quota_us").write_text(str(int(period * cpus)))

    def reset(self):
        (self.memory / "memory.max_usage_in_bytes").write_text("0")
        (self.memory / "memory.failcnt").write_text("0")

    def peak(self):
        """(peak bytes, times the limit was hit) since the last :meth:`reset`."""
        return (int((self.memory / "memory.max_usage_in_bytes").read_text()),
                int((self.memory / "memory.failcnt").read_text()))

    def run(self, command, **kwargs):
        """Run ``command`` with itself and everything it starts inside the two groups."""
        enter = (f'echo $$ > {self.memory / "cgroup.procs"} && echo $$ > {self.cpu / "cgroup.procs"} '
                 '&& exec "$@"')
        return subprocess.run(["sh", "-c", enter, "sh", *map(str, command)], **kwargs)

    def remove(self):
        for group in (self.memory, self.cpu):
            try:
                group.rmdir()
            except OSError:
                pass


def usable():
    """Why the cgroup limits cannot be set here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root (it writes cgroup limits)"
    for controller in ("memory", "cpu"):
        if not os.access(CGROUP / controller, os.W_OK):
            return f"no writable cgroup v1 '{controller}' hierarchy at {CGROUP / controller}"
    return None


def drop_page_cache():
    """Write back and drop the page cache; False when the kernel does not let us."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("1")
    except OSError:
        return False
    return True


def install(assignment):
    """The zip of ``assignment`` set up like /autograder under build/; returns that root."""
    root = OUT / assignment / "autograder"
    shutil.rmtree(root.parent, ignore_errors=True)
    archive = root.parent / "autograder.zip"
    root.mkdir(parents=True)
    subprocess.run([sys.executable, ROOT / "deploy" / "bundle.py", "gradescope", archive,
                    "--assignments", assignment], check=True, capture_output=True)
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            target = root / "source" / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zipped.read(info))
            target.chmod((info.external_attr >> 16) & 0o777 or 0o644)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    env = {"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root), "SKIP_SYSTEM_PACKAGES": "1",
           "PYTHON": str(base), "KIT_SITE_PACKAGES": sysconfig.get_paths()["purelib"]}
    subprocess.run(["bash", root / "source" / "setup.sh"], env=env, check=True, capture_output=True)
    return root


def submit(root, notebook):
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    shutil.copy(notebook, root / "submission" / notebook.name)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 4242}]}))


def measure(assignment, runs, limits):
    root = install(assignment)
    notebook = SAMPLE / assignment / NOTEBOOKS[assignment]
    peaks, hits, seconds, scores, cold = [], 0, [], [], True
    for _ in range(runs):
        submit(root, notebook)
        cold = drop_page_cache() and cold
        limits.reset()
        started = time.perf_counter()
        done = limits.run([root / "run_autograder"], cwd=root, capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root)})
        seconds.append(time.perf_counter() - started)
        peak, failed = limits.peak()
        peaks.append(peak)
        hits += failed
        if done.returncode != 0:
            raise SystemExit(f"run_autograder failed for {assignment}:\n{done.stderr[-2000:]}")
        result = json.loads((root / "results" / "results.json").read_text())
        scores.append(result.get("score"))
    return {"assignment": assignment, "peak_mb": max(peaks) / (1 << 20), "limit_hits": hits,
            "seconds": statistics.median(seconds), "score": scores[-1], "cold": cold}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.gradescope", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory-mb", type=int, default=768)
    parser.add_argument("--cpus", type=float, default=0.5)
    args = parser.parse_args(argv)
    why = usable()
    if why:
        print(f"bench.gradescope: skipped: {why}", file=sys.stderr)
        return 0
    limits = Limits(f"kit-bench-{os.getpid()}", args.memory_mb, args.cpus)
    try:
        rows = [measure(assignment, args.runs, limits) for assignment in NOTEBOOKS]
    finally:
        limits.remove()
    budget = HEADROOM * args.memory_mb
    lines = [f"Gradescope's defaults: {args.memory_mb} MB, {args.cpus:g} CPU; one correct notebook, "
             f"median of {args.runs} runs"
             + ("" if all(r["cold"] for r in rows) else " (the page cache could not be dropped: files "
                "read from it are not counted)"),
             "", "| assignment | peak memory | limit hit | seconds per submission | score | verdict |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        ok = row["peak_mb"] <= budget and row["limit_hits"] == 0
        lines.append(f"| {row['assignment']} | {row['peak_mb']:.0f} MB | {row['limit_hits']} | "
                     f"{row['seconds']:.1f} | {row['score']:g} | "
                     f"{'ok' if ok else 'over'} (≤ {budget:.0f} MB) |")
    report = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.md").write_text(report + "\n")
    (OUT / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(report)
    return 0 if all(r["peak_mb"] <= budget and r["limit_hits"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
