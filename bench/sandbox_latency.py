"""Per-job latency of the sandbox, per layer (a micro-benchmark, not a test).

For every usable layer: start one Sandbox, run a small numpy job many times and
print the median and 95th percentile of ``Sandbox.run`` as the grader sees it,
both back to back and with a short pause between jobs (as when the grader
checks each reply before the next job), plus the time the job spent in the
sandbox and the start-up time.

    PYTHONPATH=. .venv/bin/python bench/sandbox_latency.py [--jobs 200]
        [--preload numpy,matplotlib.pyplot] [--assignment DIR] [--pause 0.02]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.sandbox import LAYERS, Limits, Sandbox, available_layers, wire

JOB = {
    "setup": "import numpy as np",
    "cells": ["def affine(W, x, b):\n    return W @ x + b\n"],
    "stand_ins": "",
    "calls": [{"function": "affine",
               "args": [wire.encode(a) for a in (np.eye(2), np.ones(2), 0.5)],
               "kwargs": {}}],
}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(box, jobs, pause):
    outer, inner = [], []
    for _ in range(jobs):
        if pause:
            time.sleep(pause)
        started = time.perf_counter()
        reply = box.run(JOB)
        outer.append(time.perf_counter() - started)
        inner.append(reply["seconds"])
        if reply["status"] != "ok" or reply["results"][0]["error"]:
            raise SystemExit(f"job failed in {box.layer}: {reply}")
    return outer, inner


def row(layer, mode, outer, inner):
    ms = [1000 * statistics.median(outer), 1000 * percentile(outer, 0.95),
          1000 * statistics.median(inner)]
    return f"{layer:<11} {mode:<13} {ms[0]:>9.2f} {ms[1]:>9.2f} {ms[2]:>14.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--pause", type=float, default=0.02,
                        help="seconds between jobs in the 'with pause' run")
    parser.add_argument("--preload", default="numpy")
    parser.add_argument("--assignment", type=Path, default=None)
    args = parser.parse_args()
    preload = tuple(p for p in args.preload.split(",") if p)
    folder = args.assignment
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-assignment-"))
        folder.chmod(0o755)

    usable = available_layers()
    print(f"{args.jobs} jobs per run; preload {preload}; latency of Sandbox.run in ms")
    print(f"{'layer':<11} {'mode':<13} {'median':>9} {'p95':>9} {'in-sandbox med':>14}")
    for layer in LAYERS:
        if usable[layer] is not None:
            print(f"{layer:<11} unusable: {usable[layer]}")
            continue
        started = time.perf_counter()
        with Sandbox(folder, preload=preload, layer=layer, limits=Limits()) as box:
            startup = time.perf_counter() - started
            measure(box, 10, 0)  # warm-up
            print(row(layer, "back-to-back", *measure(box, args.jobs, 0)))
            print(row(layer, f"pause {args.pause:g}s", *measure(box, args.jobs, args.pause)))
        print(f"{layer:<11} {'start-up':<13} {1000 * startup:>9.0f}")


if __name__ == "__main__":
    main()
