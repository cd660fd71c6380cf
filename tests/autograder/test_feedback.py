"""Does the hint name the student's real mistake, and only then?

Each wrong function of :mod:`tests.feedback_corpus` (written the way students write these
functions) is graded in-process as several students: its hint must name its catalogued
mistake(s), a right function must get no catalogued hint, and a wrong function whose mistake
the catalogue does not hold must get none either, but the plain words of its failed published
case. Then the pieces: mistakes matched call by call, two mistakes made together, no refusal as a
hint, and numpy 2 advice that is true and built from the student's own line.
"""

import pytest

from autograder import feedback, vocabulary
from autograder.checks import Call, Check, Mistake, Outcome
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
])
def test_is_a_lines_comment_cut_outside_its_strings_only(line, without):
    assert feedback.without_comment(line) == without
