"""The isolation floor of ``make bench`` (bench/floor.py): the sealed jobs alone."""

import pytest

from bench import floor


def test_does_the_floor_run_one_sealed_job_per_graded_function_and_time_it():
    measured = floor.measure_floor(students=3, workers=1)
    assert measured["jobs_per_student"] == 11  # 3 initialization, 4 regularization, 4 gradient checking
    assert measured["students"] == 3 and measured["seconds"] > 0
    assert measured["rate"] == pytest.approx(3 / measured["seconds"])
    assert 0 < measured["busy"] <= 1 and measured["cpu_per_student"] > 0


def test_does_a_job_that_fails_stop_the_floor_with_what_it_said():
    with pytest.raises(RuntimeError, match="could not be measured: RuntimeError: .*ValueError"):
        floor.measure_floor(students=1, workers=1, cell="def f(x):\n    raise ValueError('planted')\n")
