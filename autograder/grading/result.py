"""Step 5 of grading: the result model, and its JSON form (a contract other tools rely on).

``{"assignment", "student", "score", "max_score", "functions": {name: {"score",
"max_score", "status", "checks": [{"name", "points", "max_points", "passed",
"category", "message"}], "hint", "mistakes"}}, "error", "provenance"}``. Every graded
function of the assignment is present under ``functions``, whatever happened. ``mistakes`` lists
the ids of the catalogued mistake(s) the hint names (:mod:`utils.mistakes`): for the instructor
and the class report only, never shown to the student.
"""

import copy
from dataclasses import dataclass, field

STATUSES = ("passed", "partial", "failed", "missing", "error", "timeout")


@dataclass
class CheckResult:
    name: str
    points: float
    max_points: float
    passed: bool
    category: str
    message: str


@dataclass
class FunctionResult:
    score: float
    max_score: float
    status: str
    checks: list[CheckResult] = field(default_factory=list)
    hint: str | None = None
    mistakes: list[str] = field(default_factory=list)


@dataclass
class Result:
    assignment: str
    student: str
    score: float
    max_score: float
    functions: dict[str, FunctionResult]
    error: str | None = None
    provenance: dict = field(default_factory=dict)

    def to_dict(self):
        """The JSON form: what ``dataclasses.asdict`` gives, built directly (it runs for every
        notebook graded)."""
        return {"assignment": self.assignment, "student": self.student, "score": self.score,
                "max_score": self.max_score,
                "functions": {name: {"score": f.score, "max_score": f.max_score, "status": f.status,
                                     "checks": [{"name": c.name, "points": c.points,
                                                 "max_points": c.max_points, "passed": c.passed,
                                                 "category": c.category, "message": c.message}
                                                for c in f.checks],
                                     "hint": f.hint, "mistakes": list(f.mistakes)}
                              for name, f in self.functions.items()},
                "error": self.error, "provenance": copy.deepcopy(self.provenance)}


def rounded(points):
    """Points as shown and stored: 4 decimals, so that sums are stable across runs."""
    return round(float(points), 4) + 0.0  # + 0.0 after rounding: -0.00001 is 0, not -0
