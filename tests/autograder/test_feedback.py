"""What a student reads about an exception, a job that did not finish, a line numpy 2 refuses,
and what status each function gets (mirrors :mod:`autograder.feedback`; which checks say the
vocabulary's entries is asked in ``test_vocabulary.py``)."""

import numpy as np
import pytest

from autograder import feedback, vocabulary
from autograder.checks import Check
from utils.checks import Problem

F = "compute_cost_with_regularization"


def _said(problem):
    return problem.category, str(problem)


def _entry(problem, key):
    entry = vocabulary.ENTRIES[key]
    return (problem.category, str(problem), problem.entry) == (entry.category, entry.text, key)


@pytest.mark.parametrize(("name", "kind"), [
    ("ValueError", "ValueError"), ("KeyboardInterrupt", "KeyboardInterrupt"), ("LinAlgError", "LinAlgError"),
    ("AxisError", "AxisError"), ("_UFuncNoLoopError", "UFuncTypeError"),
    ("ShapeError", "an exception of a class defined in your code"), ("", "an exception of a class defined "
                                                                       "in your code")])
def test_is_an_exception_named_as_python_or_numpy_names_it_and_any_other_class_alike(name, kind):
    assert feedback.exception_kind(name) == kind


def test_does_a_published_case_quote_the_students_exception_its_message_and_its_line():
    error = {"type": "ValueError", "message": "shapes (3,2) and (3,) not aligned", "line": 4}
    assert _said(feedback.failure_from_error(error, F, quote=True)) == (
        "exception", f"raised ValueError: shapes (3,2) and (3,) not aligned (line 4 of your {F} cell)")
    assert _said(feedback.failure_from_error({"type": "KeyError"}, F, quote=True)) == (
        "exception", "raised KeyError")
    assert _said(feedback.failure_from_error({"type": 12, "message": "m"}, F, quote=True)) == (
        "exception", "raised an exception: m")
    assert _said(feedback.failure_from_error({"type": "OSError", "message": None}, F, quote=True)) == (
        "exception", "raised OSError")


def test_is_a_quoted_message_one_line_and_cut_at_300_characters_before_its_line():
    error = {"type": "ValueError", "message": "a\nb\t\x1bc  " + "x" * 500, "line": 2}
    text = str(feedback.failure_from_error(error, F, quote=True))
    assert text.startswith("raised ValueError: a b c xxx") and "\n" not in text
    assert text == ("raised ValueError: a b c " + "x" * 500)[:297] + f"... (line 2 of your {F} cell)"
    assert len(feedback._quoted("y" * 5000)) == 2000


def test_do_the_special_exceptions_say_their_own_words_on_a_published_case():
    assert _said(feedback.failure_from_error({"type": "NotImplementedError"}, F, quote=True)) == (
        "missing", f"{F} is not written yet: it still raises NotImplementedError")
    assert _said(feedback.failure_from_error({"type": "MemoryError"}, F, quote=True)) == (
        "memory", "ran out of memory")
    assert _said(feedback.failure_from_error({"type": "UnsupportedValue", "message": "a generator"}, F,
                                             quote=True)) == (
        "wrong type", "returned a value the grader cannot read: a generator")


@pytest.mark.parametrize(("kind", "key"), [
    ("NotImplementedError", "not-written"), ("MemoryError", "out-of-memory"),
    ("UnsupportedValue", "wrong-type"), ("ValueError", "exception"), ("MyOwnError", "exception")])
def test_does_an_exception_after_hidden_inputs_say_only_its_entry(kind, key):
    found = feedback.failure_from_error({"type": kind, "message": "LEAK 0.123", "line": 9}, F, quote=False)
    assert _entry(found, key) and "LEAK" not in found


@pytest.mark.parametrize("status", sorted(feedback.STATUS_TEXT))
def test_does_a_job_that_did_not_finish_say_its_fixed_sentence(status):
    assert _said(feedback.failure_from_status(status)) == feedback.STATUS_TEXT[status]


def test_does_a_job_stopped_for_another_reason_say_it_could_not_be_run():
    assert _said(feedback.failure_from_status("vanished")) == ("exception", "could not be run")


def test_is_a_published_cases_line_its_name_what_it_tested_and_the_problem():
    check = Check("published case", (), lambda got, expected: None, describe="the notebook's inputs")
    assert feedback.message_for(check, "cost is 0.9, expected 0.7") == (
        "published case [the notebook's inputs]: cost is 0.9, expected 0.7")


@pytest.mark.parametrize(("score", "categories", "missing", "status"), [
    (10.0, [], False, "passed"), (9.9999999999, [], False, "passed"),
    (5.0, ["wrong value"], False, "partial"),
    (0.0, ["wrong value"], False, "failed"), (0.0, ["timeout", "wrong value"], False, "timeout"),
    (0.0, ["exception"], False, "error"), (0.0, ["memory"], False, "error"), (0.0, ["crash"], False, "error"),
    (0.0, ["structure"], False, "error"), (0.0, ["missing"], False, "missing"), (0.0, [], True, "missing"),
    (5.0, ["missing"], False, "partial"), (0.0, ["missing", "exception"], False, "error")])
def test_is_a_functions_status_what_its_score_and_failed_checks_say(score, categories, missing, status):
    problems = [Problem(c, "x") for c in categories]
    assert feedback.status_for(score, 10.0, problems, missing) == status


@pytest.mark.parametrize(("line", "kind", "says"), [
    ("    x = np.float_(3)", "AttributeError",
     "numpy 2 no longer has np.float_ (it was removed after numpy 1.x, which the course was written for); "
     "write np.float64 instead, in: x = np.float_(3)"),
    ("J = np.sum(f(x) for x in xs)", "TypeError",
     "numpy 2 no longer accepts a generator in np.sum (np.sum(f(x) for x in ...)); write sum(...) or "
     "np.sum([...]) with a list instead, in: J = np.sum(f(x) for x in xs)"),
    ("for x in numpy.sum(a for a in b):", "TypeError", "numpy 2 no longer accepts a generator in np.sum"),
    ("J_plus[i] = forward_propagation(x, thetaplus)", "ValueError",
     "numpy 2 no longer puts a one-element array into a single element of an array"),
    ("y = float(J_plus[i])", "TypeError", "numpy 2 converts only arrays of no dimension (shape ()) with "
                                          "float() or int()"),
])
def test_does_a_line_numpy_2_refuses_get_advice_that_quotes_it(line, kind, says):
    advice = feedback.numpy2_advice(line, kind)
    assert advice.startswith(says) and advice.endswith(f"in: {line.strip()}")


@pytest.mark.parametrize(("line", "kind"), [
    ("x = np.float64(3)", "AttributeError"),  # still in numpy 2
    ("x = np.float_(3)", "TypeError"),  # another exception: not this advice
    ("# np.float_(3)", "AttributeError"),  # a comment runs nothing
    ("", "TypeError"), ("J = sum(f(x) for x in xs)", "TypeError"), ("J_plus = forward(x)", "ValueError"),
])
def test_does_any_other_line_get_no_advice(line, kind):
    assert feedback.numpy2_advice(line, kind) is None


def test_is_a_long_line_quoted_cut_and_the_line_read_from_its_cell():
    line = "y = float(J_plus[i]) + " + "a" * 200
    assert feedback.numpy2_advice(line, "TypeError").endswith("in: " + line[:117] + "...")
    cell = "import numpy as np\ny = float(J_plus[i])\n"
    assert feedback.numpy2_advice_in(cell, 2, "TypeError") == feedback.numpy2_advice("y = float(J_plus[i])",
                                                                                      "TypeError")
    assert [feedback.numpy2_advice_in(c, n, "TypeError") for c, n in
            ((cell, 0), (cell, 3), (None, 2), (cell, "2"))] == [None, None, None, None]


def test_is_an_unparsable_line_that_sums_a_generator_still_recognised():
    assert feedback._sums_a_generator("J = np.sum(f(x) for x in xs") is True
    assert feedback._sums_a_generator("J = np.sum(f(x) + 1") is False
    assert feedback._sums_a_generator("J = np.sum([f(x) for x in xs])") is False
    assert feedback._sums_a_generator("J = xp.sum(f(x) for x in xs)") is False
    assert feedback._sums_a_generator("J = np.mean(f(x) for x in xs)") is False


def test_is_a_quoted_exception_of_exactly_300_characters_kept_whole():
    message = "m" * (300 - len("raised ValueError: "))
    assert str(feedback.failure_from_error({"type": "ValueError", "message": message}, F, quote=True)) == (
        "raised ValueError: " + message)
    assert str(feedback.failure_from_error({"type": "UnsupportedValue"}, F, quote=True)) == (
        "returned a value the grader cannot read: ")


def test_is_a_checks_line_its_name_its_role_and_what_it_says():
    from autograder import assignments, reference
    from autograder.checks import rng_for

    spec = reference.load("regularization")
    checks = assignments.build_checks(spec, F, rng_for(0, F))
    published = next(c for c in checks if c.fixed_inputs)
    found = Problem("wrong value", "cost is 0.9, expected 0.7")
    assert feedback.shown("regularization", F, published, found) == (
        "wrong value", f"{published.name} [{published.describe}]: cost is 0.9, expected 0.7")
    hidden = next(c for c in checks if c.name.startswith("hidden case"))
    role = vocabulary.catalogue("regularization", F).checks[hidden.name]
    said = vocabulary.GENERAL["wrong-values"]
    assert feedback.shown("regularization", F, hidden, found) == (said.category,
                                                                  f"{hidden.name} [{role}]: {said.text}")
    unknown = Check("a check of no catalogue", (), lambda got, expected: None)
    assert feedback.shown("regularization", F, unknown, found) == (said.category,
                                                                   f"a check of no catalogue: {said.text}")


@pytest.mark.parametrize(("score", "status"), [(9.5, "partial"), (0.5, "partial"), (0.0, "failed")])
def test_is_a_function_with_some_points_partial_and_only_full_points_passed(score, status):
    assert feedback.status_for(score, 10.0, [Problem("wrong value", "x")], False) == status


def test_is_a_line_of_120_characters_quoted_whole_and_a_longer_one_cut():
    for length, shown in ((120, None), (121, 117)):
        line = "y = float(J_plus[i]) + " + "c" * (length - 23)
        assert len(line) == length
        advice = feedback.numpy2_advice(line, "TypeError")
        assert advice.endswith("in: " + (line if shown is None else line[:shown] + "..."))


def test_does_a_numpy_name_that_never_existed_or_still_exists_get_no_removal_advice():
    assert feedback.numpy2_advice("x = np.not_a_numpy_name(3)", "AttributeError") is None
    assert hasattr(np, "long")  # numpy 2 has np.long again (as the C long)
    assert feedback.numpy2_advice("x = np.long(3)", "AttributeError") is None


def test_are_numpy_2s_element_and_scalar_advice_said_in_full():
    assert feedback.numpy2_advice("J_plus[i] = forward_propagation(x, thetaplus)", "ValueError") == (
        "numpy 2 no longer puts a one-element array into a single element of an array (numpy 1.x did); "
        "if the right-hand side is such an array (e.g. J_plus[i], of shape (1,)), take its number with "
        ".item() or [0], or assign to the whole row (J_plus[i] = ...), in: "
        "J_plus[i] = forward_propagation(x, thetaplus)")
    assert feedback.numpy2_advice("y = float(J_plus[i])", "TypeError") == (
        "numpy 2 converts only arrays of no dimension (shape ()) with float() or int(); if the value is "
        "a one-element array such as J_plus[i], use .item() or [0] instead, in: y = float(J_plus[i])")


def test_is_the_first_line_of_a_cell_read_for_advice():
    assert feedback.numpy2_advice_in("y = float(J_plus[i])\nz = 1\n", 1, "TypeError") == \
        feedback.numpy2_advice("y = float(J_plus[i])", "TypeError")


def test_does_numpy_spelled_out_count_as_np():
    assert feedback._sums_a_generator("J = numpy.sum(f(x) for x in xs)") is True
