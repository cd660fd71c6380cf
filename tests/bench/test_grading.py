"""The measuring helpers of ``make bench`` (bench/grading.py and the table of bench/__main__.py)."""

import json
from types import SimpleNamespace

import pytest

from bench import __main__ as bench_main
from bench.grading import SLOW_KIND, UsageSampler, generate_class, steady_rate


def test_the_rate_at_the_margin_leaves_out_the_start_up_and_the_tail():
    # 2 s of start-up before the first result, then one result every 0.1 s, then a slow last one
    times = [2.0 + 0.1 * k for k in range(100)] + [30.0]
    assert steady_rate(times) == pytest.approx(10.0)


def test_a_rate_needs_results_written_at_different_times():
    assert steady_rate([5.0]) is None
    assert steady_rate([5.0, 5.0, 5.0, 5.0]) is None


class _Process(SimpleNamespace):
    def cmdline(self):
        return self.command

    def ppid(self):
        return self.parent


def _roles(processes, me=1):
    sampler = UsageSampler()
    return [sampler._role(process, me) for process in processes]


def test_processes_are_told_apart_by_their_command_lines_and_parents():
    worker = _Process(pid=10, parent=1, command=["python", "-c", "from multiprocessing.spawn import "
                                                 "spawn_main; spawn_main()", "--multiprocessing-fork"])
    tracker = _Process(pid=11, parent=1, command=["python", "-c", "from multiprocessing."
                                                  "resource_tracker import main;main(5)"])
    bwrap = _Process(pid=20, parent=10, command=["/usr/bin/bwrap", "--", "python", "-c", "...", "zygote"])
    zygote = _Process(pid=22, parent=20, command=["python", "-I", "-c", "...", "zygote"])
    job = _Process(pid=30, parent=22, command=["python", "-I", "-c", "...", "zygote"])
    other = _Process(pid=40, parent=10, command=["sh", "-c", "true"])
    assert _roles([worker, tracker, bwrap, zygote, job, other]) == [
        "worker", "other", "other", "sandbox", "job", "other"]


def test_cpu_by_role_counts_a_sandbox_workers_reaped_children_as_jobs():
    sampler = UsageSampler()
    sampler.roles = {10: "worker", 22: "sandbox", 23: "sandbox"}
    sampler.times = {10: (3.0, 9.0), 22: (1.0, 4.0), 23: (0.5, 2.0)}
    # a worker's reaped children are its sandboxes, already counted on their own
    assert sampler.cpu() == {"graders": 3.0, "sandboxes": 1.5, "jobs": 6.0}


def test_a_steady_class_has_no_endless_loop(tmp_path):
    kinds = generate_class(tmp_path / "class", 6, slow=False)
    assert SLOW_KIND not in kinds.values()
    assert SLOW_KIND in generate_class(tmp_path / "slow", 6).values()
    notebooks = sorted((tmp_path / "class").rglob("*.ipynb"))
    assert len(notebooks) == 18 and all(json.loads(p.read_text())["cells"] for p in notebooks)


def _run(rate, load=1.0, median=0.07):
    cpu = {"command": 1.0, "graders": 20.0, "sandboxes": 10.0, "jobs": 30.0}
    return {"steady_rate": rate, "students": 500, "total_seconds": 100.0, "cpu_seconds": cpu,
            "load": load, "median_seconds": median, "dask": False}


def test_each_scale_row_is_judged_against_500_times_nbgrader():
    nbgrader = {"seconds": {"a": 19.0, "b": 20.0, "c": 23.0}}  # 20 s: 25 students a second
    rows = bench_main.scale_rows([("2 local workers", _run(26.0)), ("1 local worker", _run(12.0))],
                                 nbgrader)
    rates = [row for row in rows if row[0].startswith("students per second")]
    assert [(row[1], row[2], row[3]) for row in rates] == [
        ("26.0 (5.0)", "≥ 25.0", "pass"), ("12.0 (5.0)", "≥ 25.0", "**FAIL**")]
    speedups = [row for row in rows if row[0].startswith("speed-up at the margin")]
    assert [(row[1], row[3]) for row in speedups] == [("520×", "pass"), ("240×", "**FAIL**")]
    cpu = [row for row in rows if row[0].startswith("CPU per student, 2 local workers")]
    assert cpu[0][1] == "2 ms / 40 ms / 20 ms / 60 ms = 122 ms"


def test_does_each_scale_run_say_how_long_one_student_waits_for_its_grade():
    # Grading two students at once gives more students a second, each one slower: both are shown.
    rows = bench_main.scale_rows([("2 local workers, 1 grading", _run(14.0, median=0.072)),
                                  ("3 local workers, 2 grading", _run(17.0, median=0.125))], None)
    medians = [(row[0], row[1]) for row in rows if row[0].startswith("seconds per student, median")]
    assert medians == [("seconds per student, median, 2 local workers, 1 grading", "72 ms"),
                       ("seconds per student, median, 3 local workers, 2 grading", "125 ms")]


def test_without_nbgrader_the_scale_rows_have_no_target():
    rows = bench_main.scale_rows([("2 local workers", _run(26.0))], None)
    assert rows[0][2:] == ("", "")
    assert not any(row[0].startswith("speed-up") for row in rows)


def test_are_class_sizes_extrapolated_from_the_default_configuration_not_the_fastest_run():
    runs = [("1 local worker", _run(12.0)), (bench_main.DEFAULT_SCALE, _run(10.0)),
            ("3 local workers, 2 grading", _run(20.0))]
    note = bench_main.extrapolation(runs)
    assert note.startswith(f"Extrapolated from the rate at the margin of {bench_main.DEFAULT_SCALE}")
    assert "10,000 students (×3 notebooks) in 17 min" in note
    assert bench_main.extrapolation([(bench_main.DEFAULT_SCALE, _run(None))]) is None


def test_is_the_per_student_target_judged_on_the_grading_wall_time_not_on_a_rows_own_seconds():
    # a worker grades two students at once: a row's seconds also count the other student's turns
    large = {"students": 400, "median_seconds": 0.130, "p95_seconds": 0.2, "grading_seconds": 32.0,
             "max_seconds": 10.1, "timeouts": [("s1", "f")], "total_seconds": 40.0, "jobs": 2,
             "grader_peak_rss": 100 << 20, "worker_peak_rss": 50 << 20, "worker_tree_peak_rss": 400 << 20}
    small = {"students": 100, "grader_peak_rss": 100 << 20}
    lines = bench_main.table(small, large, None, {}).splitlines()
    cost = next(line for line in lines if "grading wall time / students" in line)
    assert "| 80 ms " in cost and "≤ 100 ms" in cost and "| pass" in cost
    median = next(line for line in lines if "start to its row (a worker grades two at once), median" in line)
    assert "| 130 ms " in median and "pass" not in median


def test_is_the_isolation_floor_set_beside_the_cpu_the_margin_target_allows():
    nbgrader = {"seconds": {"a": 24.0, "b": 25.0, "c": 30.0}}  # 25 s: 20 students a second
    floor = [(1, {"jobs_per_student": 11, "rate": 30.8, "cpu_per_student": 0.060, "load": 1.1}),
             (2, {"jobs_per_student": 11, "rate": 31.5, "cpu_per_student": 0.062, "load": 2.0})]
    rows = bench_main.floor_rows(floor, nbgrader)
    assert [(row[0].split(":")[0], row[1]) for row in rows[:2]] == [
        ("isolation floor, 1 local worker", "30.8 / 60 ms"),
        ("isolation floor, 2 local workers", "31.5 / 62 ms")]
    cores = bench_main.os.cpu_count()
    budget = cores / 20.0
    assert rows[2][1] == f"{1000 * budget:.0f} ms, {100 * 0.060 / budget:.0f} %"
    assert all(row[2:] == ("", "") for row in rows)  # measured, not judged
    assert bench_main.floor_rows(floor, None) == rows[:2]
