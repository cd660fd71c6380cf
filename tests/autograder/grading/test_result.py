"""Are points shown and stored as the result model says, and is a result's JSON form its own copy?"""

import copy
import math

from autograder.grading.result import CheckResult, FunctionResult, Result, rounded


def test_are_points_kept_to_four_decimals():
    assert rounded(20 / 3) == 6.6667
    assert rounded(1 / 3) + rounded(1 / 3) + rounded(1 / 3) == 0.9999  # what the sums are made of
    assert rounded(7) == 7.0 and isinstance(rounded(7), float)


def test_is_a_score_of_minus_zero_shown_as_zero():
    """-0.0 (0 points times a negative factor) would read "-0" in a CSV and "-0.0" in JSON."""
    for points in (-0.0, -0.00001, -0.00004999):  # nothing, or less than the fourth decimal shows
        score = rounded(points)
        assert math.copysign(1.0, score) == 1.0, points
        assert str(score) == "0.0" and format(score, "g") == "0"
    assert rounded(-0.00005) == -0.0001  # a real deduction keeps its sign


PROVENANCE = {"draw": {"scheme": 2, "keys": {"compute_cost_with_regularization": "abc"}}}


def _result():
    check = CheckResult("hidden case 1", 5.0, 10.0, False, "wrong value", "the values are wrong")
    return Result("regularization", "ada", 5.0, 10.0,
                  {"compute_cost_with_regularization": FunctionResult(5.0, 10.0, "partial", [check])},
                  provenance=copy.deepcopy(PROVENANCE))


def test_is_the_json_form_every_field_of_the_result():
    assert _result().to_dict() == {
        "assignment": "regularization", "student": "ada", "score": 5.0, "max_score": 10.0,
        "functions": {"compute_cost_with_regularization": {
            "score": 5.0, "max_score": 10.0, "status": "partial", "hint": None, "mistakes": [],
            "checks": [{"name": "hidden case 1", "points": 5.0, "max_points": 10.0, "passed": False,
                        "category": "wrong value", "message": "the values are wrong"}]}},
        "error": None, "provenance": PROVENANCE}


def test_does_changing_the_json_form_leave_the_result_as_it_was():
    result = _result()
    data = result.to_dict()
    data["provenance"]["draw"]["keys"]["compute_cost_with_regularization"] = "edited"
    data["provenance"]["draw"]["scheme"] = 1
    assert result.provenance == PROVENANCE
