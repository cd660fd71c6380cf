"""Does the hint name the student's real mistake, and only then?

Each wrong function of :mod:`tests.feedback_corpus` (written the way students write these
functions) is graded in-process as several students: its hint must name its catalogued
mistake(s), a right function must get no catalogued hint, and a wrong function whose mistake
the catalogue does not hold must get none either, but the plain words of its failed published
case. Then the pieces: mistakes matched call by call, two mistakes made together, no refusal as a
hint, and numpy 2 advice that is true and built from the student's own line. Also: what a student
reads about an exception, a job that did not finish, a line numpy 2 refuses, and what status each
function gets (which checks say the vocabulary's entries is asked in ``test_vocabulary.py``).
"""

import numpy as np
import pytest

from autograder.grading import feedback, vocabulary
from autograder.grading.checks import Call, Check, Mistake, Outcome
from tests import feedback_corpus as corpus
from tests.figures import record
from utils import mistakes
from utils.checks import Problem

STUDENTS = ("student-0", "student-1", "student-2")
HINTS = {known.key: known.hint for known in (
    mistakes.zeros_mistakes(None) + mistakes.random_mistakes(None) + mistakes.he_mistakes(None)
    + mistakes.cost_mistakes(None) + mistakes.backward_l2_mistakes(None) + mistakes.DROPOUT_FORWARD
    + mistakes.dropout_backward_mistakes(None) + mistakes.forward_mistakes()
    + mistakes.backward_mistakes() + mistakes.gradient_check_mistakes(None, None, linear=False)
    + mistakes.GRADIENT_CHECK_N) if not known.parts}


@pytest.mark.parametrize("entry", corpus.WRONG, ids=lambda entry: entry.name)
def test_does_a_wrong_function_get_the_hint_that_names_its_mistake(entry):
    for student in STUDENTS:
        result = corpus.graded(entry, student)
        assert result.status != "passed", (student, result.checks)
        assert result.mistakes == list(entry.makes), (student, result.hint)
        for key in entry.makes:  # two mistakes made together: both hints, in their order
            assert HINTS[key] in result.hint, (student, key)


@pytest.mark.parametrize("entry", corpus.UNCATALOGUED, ids=lambda entry: entry.name)
def test_does_a_mistake_the_catalogue_does_not_hold_get_the_published_cases_plain_words(entry):
    for student in STUDENTS:
        result = corpus.graded(entry, student)
        assert result.status != "passed" and result.mistakes == [], (student, result.hint)
        published = next(c for c in result.checks if c.name == "published case")
        assert not published.passed
        assert result.hint.startswith("No known mistake matches your outputs; what the published "
                                      "case found: "), result.hint
        assert published.message.split(": ", 1)[1] in result.hint


@pytest.mark.parametrize("entry", corpus.RIGHT, ids=lambda entry: entry.name)
def test_does_a_right_function_written_another_way_get_no_catalogued_hint(entry):
    for student in STUDENTS:
        result = corpus.graded(entry, student)
        assert result.status == "passed" and result.mistakes == [], (student, result.hint)
        assert result.hint is None or result.hint.startswith(vocabulary.RECOMMENDATION)


def test_does_a_checker_calling_forward_propagation_with_swapped_arguments_hear_just_that():
    entry = next(e for e in corpus.RIGHT if e.name == "check_arguments_swapped")
    result = corpus.graded(entry)
    assert result.hint == vocabulary.RECOMMENDATION + vocabulary.ADVICE["forward-arguments-swapped"].text
    assert "centred difference" not in result.hint  # it uses one: no advice to


def test_how_many_wrong_functions_get_a_hint_naming_their_mistake(request):
    tallies = [corpus.tally(student) for student in STUDENTS]
    assert len({t.line() for t in tallies}) == 1  # the same for every student
    tally = tallies[0]
    assert tally.named >= 0.9 * tally.wrong, tally.unnamed
    assert tally.misnamed == [] and tally.misled == [] and tally.hinted_right == []
    record(request.config, tally.line())


# Matching call by call -----------------------------------------------------------------------


def _over_zero(call):
    x, theta = call.args
    if theta == 0:
        raise mistakes.Raises("division by zero")
    return x


CHECK = Check("hidden case 1", (Call((-2.0, 0.0)), Call((1.5, -0.5))), lambda s, r: None,
              mistakes=(Mistake("over-zero", "hint", _over_zero),))
RAISED = Outcome(failure=vocabulary.problem("exception"))


@pytest.mark.parametrize(("outcomes", "named"), [
    ((RAISED, Outcome(value=1.5)), True),  # raises where the mistake raises, right elsewhere
    ((Outcome(value=float("nan")), Outcome(value=1.5)), True),  # numpy's 0 / 0
    ((Outcome(value=-2.0), Outcome(value=1.5)), False),  # the right answer everywhere
    ((RAISED, Outcome(value=0.0)), False),  # raises there, but another value elsewhere
    ((RAISED, RAISED), False),  # raises where the mistaken code does not
    ((Outcome(failure=Problem("timeout", "did not finish")), Outcome(value=1.5)), False),
])
def test_is_a_mistake_that_raises_on_some_inputs_matched_call_by_call(outcomes, named):
    found = feedback.matching_mistakes(CHECK, list(outcomes))
    assert [m.key for m in found] == (["over-zero"] if named else [])


def test_is_an_entry_of_two_mistakes_tried_only_after_each_of_them_alone():
    for entries in (mistakes.cost_mistakes(None), mistakes.he_mistakes(None),
                    mistakes.gradient_check_mistakes(None, None, linear=False),
                    mistakes.GRADIENT_CHECK_N + mistakes.GRADIENT_CHECK_N_PAIRS,
                    mistakes.DROPOUT_FORWARD + mistakes.DROPOUT_FORWARD_PAIRS):
        keys = [known.key for known in entries]
        for position, known in enumerate(entries):
            for part in known.parts:
                assert keys.index(part) < position, known.key


# No refusal as a hint ------------------------------------------------------------------------


def test_is_a_checker_that_never_flags_told_what_its_published_case_saw_not_the_refusal():
    # the difference of the last parameter only: catalogued, so named
    named = corpus.graded(next(e for e in corpus.WRONG if e.name == "check_n_last_element"))
    refusal = vocabulary.REFUSALS["never-flags"].text
    assert named.mistakes == ["difference-last-element-n"] and refusal not in named.hint
    # a tiny number made up for every input: no catalogued mistake fits
    made_up = corpus.e("check_n_made_up", corpus.CHECK_N, (), "pass", "difference = 1e-12 * np.sum(grad)")
    result = corpus.graded(made_up)
    assert result.score == 0 and result.mistakes == []
    assert refusal not in result.hint
    assert result.hint.startswith("No known mistake matches your outputs; what the published case found: ")
    assert vocabulary.FINDINGS["planted-missed-n"].text in result.hint


# numpy 2 advice ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "when"), [
    ("int", "removed in numpy 1.24"), ("float", "removed in numpy 1.24"),
    ("object", "removed in numpy 1.24"), ("float_", "removed in numpy 2.0"),
    ("NaN", "removed in numpy 2.0"), ("product", "removed in numpy 2.0"),
    ("trapz", "deprecated in numpy 2.0 and removed in a later 2.x release"),
])
def test_does_numpy_2_advice_say_when_numpy_removed_the_name(name, when):
    advice = feedback.numpy2_advice(f"x = np.{name}", "AttributeError")
    assert when in advice and "after numpy 1.x" not in advice
    assert not feedback.numpy_has(name)


def test_does_every_removed_name_have_its_version():
    for name in feedback.REMOVED_NUMPY_NAMES:
        said = feedback.removed_when(name)
        assert ("1.24" in said) == (name in feedback.ALIASES_REMOVED)


@pytest.mark.parametrize(("line", "says", "not_said"), [
    ("        thetaplus[i][0] = thetaplus[i] + epsilon   # shift element i only",
     ("thetaplus[i][0] = (thetaplus[i] + epsilon).item()", "thetaplus[i] = thetaplus[i] + epsilon"),
     ("J_plus", "shift element i only", "#")),
    ("gradapprox[i, 0] = (J_plus[i] - J_minus[i]) / (2 * epsilon)  # centred",
     ("gradapprox[i, 0] = ((J_plus[i] - J_minus[i]) / (2 * epsilon)).item()", "gradapprox[i] = "),
     ("centred",)),
    ("J_minus[i] = J_cost", ("J_minus[i] = J_cost.item()",), ("whole row",)),
])
def test_is_the_element_assignment_advice_built_from_the_students_line_without_its_comment(
        line, says, not_said):
    advice = feedback.numpy2_advice(line, "ValueError")
    for text in says:
        assert text in advice, advice
    for text in not_said:
        assert text not in advice, advice
    assert advice.endswith("in: " + feedback.without_comment(line).strip())


def test_is_the_conversion_advice_built_from_the_students_call():
    advice = feedback.numpy2_advice("difference = float(numerator / denominator)  # a number",
                                    "TypeError")
    assert "(numerator / denominator).item() instead of float(numerator / denominator)" in advice
    assert "J_plus" not in advice and "a number" not in advice


@pytest.mark.parametrize(("line", "without"), [
    ("x = 1  # one", "x = 1"),
    ("s = '#' + t  # a hash", "s = '#' + t"),
    ('s = "a \\" # b"  # c', 's = "a \\" # b"'),
    ("no comment here   ", "no comment here"),
    ("# only a comment", ""),
    ("'#' + s  # starts with a string", "'#' + s"),
    ("X_norm = 1  # a name in capitals", "X_norm = 1"),
    ("t = 'a'#c", "t = 'a'"),
    ("s = 'a''#'  # two strings side by side", "s = 'a''#'"),
    ('p = "C:\\\\"  # a path ending in a backslash', 'p = "C:\\\\"'),
    ('s = "it\'s # here"  # an apostrophe inside', 's = "it\'s # here"'),
    ('s = """a "# b" c"""  # triple-quoted', 's = """a "# b" c"""'),
    ("s = '''it's # not'''  # triple-quoted", "s = '''it's # not'''"),
    ('s = """x"""  # d', 's = """x"""'),
])
def test_is_a_lines_comment_cut_outside_its_strings_only(line, without):
    # a hash inside any kind of string (apostrophes, triple quotes, a path's backslash) is no comment
    assert feedback.without_comment(line) == without


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
     "numpy 2 has no np.float_: it was removed in numpy 2.0, and the course's code was written for an "
     "earlier numpy; write np.float64 instead, in: x = np.float_(3)"),
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
    from autograder import assignments
    from autograder.grading import reference
    from autograder.grading.checks import rng_for

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
        "numpy 2 no longer puts a one-element array into a single element of an array (numpy 1.x did): "
        "if forward_propagation(x, thetaplus) is such an array (of shape (1,) or (1, 1)), take its number: "
        "J_plus[i] = (forward_propagation(x, thetaplus)).item(); "
        "in: J_plus[i] = forward_propagation(x, thetaplus)")
    assert feedback.numpy2_advice("y = float(J_plus[i])", "TypeError") == (
        "numpy 2 converts only arrays of no dimension (shape ()) with float() or int(): if J_plus[i] is a "
        "one-element array, write J_plus[i].item() instead of float(J_plus[i]), in: y = float(J_plus[i])")


def test_is_the_first_line_of_a_cell_read_for_advice():
    assert feedback.numpy2_advice_in("y = float(J_plus[i])\nz = 1\n", 1, "TypeError") == \
        feedback.numpy2_advice("y = float(J_plus[i])", "TypeError")


def test_does_numpy_spelled_out_count_as_np():
    assert feedback._sums_a_generator("J = numpy.sum(f(x) for x in xs)") is True


def test_does_the_advice_for_an_accumulated_element_keep_its_operator():
    advice = feedback.numpy2_advice("J_plus[i] += forward_propagation(x, t)", "ValueError")
    assert "take its number: J_plus[i] += (forward_propagation(x, t)).item()" in advice
    assert "whole row" not in advice


def test_is_a_call_written_inside_a_string_not_taken_for_a_conversion():
    assert feedback.numpy2_advice('s = "float(" + str(z[0])', "TypeError") is None


def test_is_a_comment_that_mentions_a_removed_name_not_taken_for_code_that_uses_it():
    assert feedback.numpy2_advice('s = """np.float_ # x"""  # not np.float_', "AttributeError") is None
    advice = feedback.numpy2_advice("X = np.float_(1)  # was np.float64", "AttributeError")
    assert advice.endswith("in: X = np.float_(1)")


@pytest.mark.parametrize(("name", "when"), [
    ("int", "it was removed in numpy 1.24 (deprecated since 1.20)"),
    ("trapz", "it was deprecated in numpy 2.0 and removed in a later 2.x release"),
])
def test_does_the_removal_advice_say_when_in_plain_words(name, when):
    advice = feedback.numpy2_advice(f"x = np.{name}", "AttributeError")
    assert advice.startswith(f"numpy 2 has no np.{name}: {when}, and the course's code"), advice


@pytest.mark.parametrize(("line", "argument"), [
    ("y = float(np.sum(J_plus))", "np.sum(J_plus)"),
    ("y = int(len(f(x)) / 2)", "len(f(x)) / 2"),
])
def test_is_the_converted_value_read_to_its_own_closing_parenthesis(line, argument):
    advice = feedback.numpy2_advice(line, "TypeError")
    assert f"if {argument} is a one-element array" in advice, advice


@pytest.mark.parametrize("line", ["y = float(J_plus[i]", "y = float()"])
def test_does_a_conversion_of_no_readable_value_get_the_general_advice(line):
    assert feedback.numpy2_advice(line, "TypeError") == (
        "numpy 2 converts only arrays of no dimension (shape ()) with float() or int(): for a "
        f"one-element array, use .item() or [0] instead, in: {line}")


def test_is_an_accumulated_element_of_a_row_not_told_to_assign_the_whole_row():
    advice = feedback.numpy2_advice("thetaplus[i][0] += epsilon", "ValueError")
    assert "take its number: thetaplus[i][0] += epsilon.item()" in advice
    assert "whole row" not in advice


@pytest.mark.parametrize("line", [
    "np.sum(np.square(W)) for W in weights",  # inside sum(...) written over lines
    "total := np.sum([f(x) for x in xs])",
    "not np.isfinite(np.sum(W)) for W in weights",  # inside any(...) written over lines
    'f"{np.sum(W):.3f}" for W in weights',  # inside join(...) written over lines
])
def test_is_a_line_that_parses_only_in_parentheses_read_as_code(line):
    assert feedback._sums_a_generator(line) is False
    assert feedback.numpy2_advice(line, "TypeError") is None


def _raises_on_zero(call):
    if call.args[1] == 0:
        raise mistakes.Raises("division by zero")
    return call.args[0]


def _does_not_apply(call):
    raise TypeError("this variant needs another signature")


@pytest.mark.parametrize(("value", "named"), [
    (np.array([1.0, float("nan")], dtype=object), True),  # NaN held as objects is still NaN
    (np.array([1.0, float("inf")], dtype=object), True),
    ("not a number", False),  # a value that is no number is not NaN
    ({"cost": 1.0}, False),
])
def test_is_a_not_finite_value_matched_to_a_mistake_that_raises_whatever_its_type(value, named):
    check = Check("hidden case 1", (Call((-2.0, 0.0)), Call((1.5, -0.5))), lambda s, r: None,
                  mistakes=(Mistake("over-zero", "hint", _raises_on_zero),))
    found = feedback.matching_mistakes(check, [Outcome(value=value), Outcome(value=1.5)])
    assert [m.key for m in found] == (["over-zero"] if named else [])


def test_is_a_mistake_tried_after_one_that_does_not_apply():
    check = Check("hidden case 1", (Call((-2.0, 0.0)), Call((1.5, -0.5))), lambda s, r: None,
                  mistakes=(Mistake("other", "hint", _does_not_apply),
                            Mistake("over-zero", "hint", _raises_on_zero)))
    found = feedback.matching_mistakes(check, [RAISED, Outcome(value=1.5)])
    assert [m.key for m in found] == ["over-zero"]


def test_are_outcomes_of_fewer_calls_than_the_check_made_matched_to_no_mistake():
    assert feedback.matching_mistakes(CHECK, [RAISED]) == []


@pytest.mark.parametrize(("got", "made", "named"), [
    (1.0 + 5e-7, 1.0, True),  # within a millionth of the mistake's output
    (1.0 + 5e-6, 1.0, False),
    (5e-11, 0.0, False),  # not zero, however small
    (1e-13, 0.0, True),
])
def test_is_a_value_matched_to_a_mistake_within_a_millionth_of_its_output(got, made, named):
    check = Check("hidden case 1", (Call((made,)),), lambda s, r: None,
                  mistakes=(Mistake("off", "hint", lambda call: call.args[0]),))
    found = feedback.matching_mistakes(check, [Outcome(value=got)])
    assert [m.key for m in found] == (["off"] if named else [])


@pytest.mark.parametrize(("line", "sums"), [
    ("if np.sum([w for w in ws]) > 0:", False),  # a list, as numpy 2 wants
    ("for row in np.sum([r for r in rows], axis=0):", False),
    ("while np.sum(g for g in gs) > 0:", True),
    ("with open(np.sum(n for n in ns)):", True),
])
def test_is_a_block_header_that_sums_a_list_not_told_it_sums_a_generator(line, sums):
    assert feedback._sums_a_generator(line) is sums
    assert (feedback.numpy2_advice(line, "TypeError") is not None) is sums
