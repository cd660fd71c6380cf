"""Do the checks pass the reference, catch every catalogued mistake, and name it?

These run the checks in-process with outcomes made from the reference and
from the mistaken variants, so they test the judging logic without a sandbox.
"""

import copy
import warnings

import numpy as np
import pytest

from autograder import assignments, reference
from autograder.checks import Outcome, judge, rng_for, seed_for, unearned
from autograder.feedback import find_hint

CASES = [(a, f.name) for a in reference.NOTEBOOKS for f in reference.load(a).functions]


def _checks(assignment, function, student="alice"):
    spec = reference.load(assignment)
    rng = rng_for(seed_for(student, assignment), function)
    return spec, assignments.build_checks(spec, function, rng)


def _expected(spec, function, check):
    ref = spec.reference(function, check.stand_ins)
    return [ref(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_the_reference_passes_every_check_of_its_function(assignment, function):
    spec, checks = _checks(assignment, function)
    for check in checks:
        expected = _expected(spec, function, check)
        outcomes = [Outcome(value=copy.deepcopy(v)) for v in expected]
        assert judge(check, outcomes, expected) is None, check.name


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_every_function_has_a_published_case_and_two_hidden_cases(assignment, function):
    _, checks = _checks(assignment, function)
    names = [c.name for c in checks]
    assert names[0].startswith("published case")
    assert {"hidden case 1", "hidden case 2"} <= set(names)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_hidden_inputs_differ_between_students_and_repeat_for_one(assignment, function):
    def hidden_inputs(student):
        _, checks = _checks(assignment, function, student)
        return [c.calls[0] for c in checks if c.name.startswith("hidden")]

    def same(a, b):
        return _equal(a.args, b.args)

    alice, alice_again, bob = hidden_inputs("alice"), hidden_inputs("alice"), hidden_inputs("bob")
    assert all(same(a, b) for a, b in zip(alice, alice_again, strict=True))
    assert not all(same(a, b) for a, b in zip(alice, bob, strict=True))


def _equal(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(_equal, a, b))
    return a == b


def _mistakes():
    seen = {}
    for assignment, function in CASES:
        _, checks = _checks(assignment, function)
        for check in checks:
            for mistake in check.mistakes:
                seen.setdefault((assignment, function, mistake.key), mistake)
    return seen


def _judged(spec, function, checks, mistake_key):
    """``(check, outcomes, problem)`` for each check that lists the mistake; ``outcomes`` is None
    when the mistaken code raises on the check's inputs (e.g. masks of other shapes)."""
    for check in checks:
        mistake = next((m for m in check.mistakes if m.key == mistake_key), None)
        if mistake is None:
            continue
        try:
            outcomes = [Outcome(value=mistake.variant(copy.deepcopy(call))) for call in check.calls]
        except ValueError:
            yield check, None, None
            continue
        yield check, outcomes, judge(check, outcomes, _expected(spec, function, check))


def test_the_catalog_holds_at_least_ten_known_mistakes():
    assert len(_mistakes()) >= 10


def _reference_variant(spec, function, check):
    ref = spec.reference(function, check.stand_ins)
    return lambda call: ref(*call.args, **call.kwargs)


def _lost_points(spec, function, checks, mistake):
    """Whether the mistaken code loses points on hidden checks: it fails one, or every check is
    refused as unearned (e.g. grad = gradapprox: 0 whatever the inputs)."""
    judged = []
    for check in checks:
        variant = next((m.variant for m in check.mistakes if m.key == mistake), None)
        if variant is None:  # the check does not know the mistake: the reference answers it
            variant = _reference_variant(spec, function, check)
        try:
            outcomes = [Outcome(value=variant(copy.deepcopy(call))) for call in check.calls]
        except ValueError:
            return True  # raises on these inputs: loses the points
        expected = _expected(spec, function, check)
        judged.append((check, outcomes, expected, judge(check, outcomes, expected)))
    if unearned(judged) is not None:
        return True
    return any(problem is not None and check.name.startswith("hidden") and not check.advisory
               for check, _, _, problem in judged)


@pytest.mark.parametrize("key", sorted(_mistakes()), ids=lambda k: k[2])
@pytest.mark.parametrize("student", ["alice", "bob", "chen", "dara", "emeka", "fatima"])
def test_each_catalogued_mistake_loses_points_on_its_hidden_cases_and_is_named(key, student):
    # Hidden inputs differ per student: the mistake must be caught whatever they are. A mistake
    # listed only by advisory checks (right on the assignment's own cost, e.g. a one-sided
    # difference of the linear J = theta * x) costs nothing but must be named as advice.
    assignment, function, mistake_key = key
    spec, checks = _checks(assignment, function, student)
    scored = [c for c in checks if not c.advisory and any(m.key == mistake_key for m in c.mistakes)]
    hints = set()
    for check, outcomes, problem in _judged(spec, function, checks, mistake_key):
        if outcomes is not None and problem is not None:
            hints.add(find_hint(check, outcomes))
    if scored:
        assert _lost_points(spec, function, checks, mistake_key), f"{mistake_key} keeps its points"
    assert hints - {None}, f"no check named the mistake {mistake_key}"


@pytest.mark.parametrize("function", ["forward_propagation_with_dropout",
                                      "backward_propagation_with_dropout"])
def test_do_hidden_dropout_cases_drop_and_keep_units_in_both_layers_for_every_student(function):
    # A case whose masks keep every unit cannot tell dropout from a plain forward pass.
    spec = reference.load("regularization")
    forward = spec.reference("forward_propagation_with_dropout")
    for student in (f"student-{i}" for i in range(60)):
        _, checks = _checks("regularization", function, student)
        for check in (c for c in checks if c.name.startswith("hidden")):
            args = check.calls[0].args
            cache = args[2] if function.startswith("backward") else forward(*args)[1]
            for mask in (cache[1], cache[6]):
                assert 0 < np.count_nonzero(mask) < mask.size, (student, check.name)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_do_the_reference_outputs_of_every_students_cases_come_without_a_warning(assignment, function):
    # An overflow in the reference (e.g. a saturated sigmoid) would hint at inputs that test little.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for student in (f"student-{i}" for i in range(40)):
            spec, checks = _checks(assignment, function, student)
            for check in checks:
                _expected(spec, function, check)


@pytest.mark.parametrize("key", sorted(_mistakes()), ids=lambda k: k[2])
def test_does_each_catalogued_mistake_pass_the_same_checks_whatever_the_hidden_inputs(key):
    # Fairness: two students who make the same mistake get the same marks for it.
    assignment, function, mistake_key = key
    passed = set()
    for student in (f"student-{i}" for i in range(25)):
        spec, checks = _checks(assignment, function, student)
        passed.add(tuple(check.name for check, outcomes, problem in
                         _judged(spec, function, checks, mistake_key)
                         if outcomes is not None and problem is None))  # raising code fails
    assert len(passed) == 1, f"{mistake_key} passes different checks for different students: {passed}"
