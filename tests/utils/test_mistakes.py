"""One catalogue of mistakes: the grader's hints are the ones the notebooks' visible tests show.

``utils.mistakes`` defines each mistake once (key, hint, what the mistaken code returns); the
grader's checks (``autograder.assignments``) build their ``Mistake`` objects from it and the
visible tests (``utils.public_tests``) match the same entries on the published inputs.
"""

import numpy as np
import pytest

from autograder import assignments
from autograder.grading import reference
from autograder.grading.checks import rng_for
from utils import mistakes

BY_FUNCTION = (mistakes.zeros_mistakes(None), mistakes.random_mistakes(None),
               mistakes.he_mistakes(None), mistakes.cost_mistakes(None),
               mistakes.backward_l2_mistakes(None),
               mistakes.DROPOUT_FORWARD + mistakes.DROPOUT_FORWARD_PAIRS,
               mistakes.dropout_backward_mistakes(None), mistakes.forward_mistakes(),
               mistakes.backward_mistakes(),
               mistakes.gradient_check_mistakes(None, None, linear=False)
               + (mistakes.gradapprox_not_from_j(None),),
               mistakes.GRADIENT_CHECK_N + mistakes.GRADIENT_CHECK_N_PAIRS)
CATALOGUE = tuple(known for entries in BY_FUNCTION for known in entries)
CASES = [(a, f.name) for a in reference.NOTEBOOKS for f in reference.load(a).functions]


def test_each_key_is_defined_once():
    # once per function; a mistake several functions share (the biases' shape) is one entry
    for entries in BY_FUNCTION:
        keys = [known.key for known in entries]
        assert len(keys) == len(set(keys))
    hint_of = {}
    for known in CATALOGUE:
        assert hint_of.setdefault(known.key, known.hint) == known.hint, known.key
        assert known.hint.strip()


def test_an_entry_of_two_mistakes_names_both_with_both_hints():
    by_key = {known.key: known for known in CATALOGUE if not known.parts}
    together = [known for known in CATALOGUE if known.parts]
    assert together
    for known in together:
        first, second = (by_key[key] for key in known.parts)
        assert known.keys == known.parts and known.key == f"{first.key}+{second.key}"
        assert first.hint in known.hint and second.hint in known.hint
        assert known.hint.index(first.hint) < known.hint.index(second.hint)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_every_mistake_the_grader_names_is_the_catalogues_entry(assignment, function):
    spec = reference.load(assignment)
    checks = assignments.build_checks(spec, function, rng_for(7, function))
    by_key = {known.key: known for known in CATALOGUE}
    for check in checks:
        for mistake in check.mistakes:
            entry = by_key[mistake.key]
            assert mistake.hint == entry.hint
            assert mistake.close is entry.close
            if entry.variant is not None:
                # the same function object the catalogue built, not a copy written elsewhere
                assert mistake.variant.__module__ == "utils.mistakes"


def test_the_forward_dropout_mistakes_keep_their_outputs_in_the_grader():
    # their outputs are a whole forward pass: shipping them to students would give the exercise
    # away; the visible test compares with their A3 on the published case
    spec = reference.load("regularization")
    published = assignments.build_checks(spec, "forward_propagation_with_dropout",
                                         rng_for(7, "f"))[0]
    assert published.name == "published case"
    assert {m.key for m in published.mistakes} == {
        k.key for k in mistakes.DROPOUT_FORWARD + mistakes.DROPOUT_FORWARD_PAIRS}
    by_key = {known.key: known for known in mistakes.DROPOUT_FORWARD}
    for mistake in published.mistakes:
        if mistake.key not in by_key:  # two mistakes together: named by the grader only
            continue
        assert by_key[mistake.key].variant is None
        assert mistake.variant.__module__ == "autograder.assignments.regularization"
        A3, _ = mistake.variant(published.calls[0])
        np.testing.assert_allclose(by_key[mistake.key].published, A3, rtol=1e-12)


def test_the_published_outputs_are_what_the_graders_variants_give_on_the_published_case():
    # gradient_check_n's mistakes keep their outputs in the grader (they would need a working
    # centred-difference loop); the visible test compares with their published-case outputs
    spec = reference.load("gradient_checking")
    published = assignments.build_checks(spec, "gradient_check_n", rng_for(7, "g"))[0]
    assert published.name == "published case"
    by_key = {known.key: known for known in mistakes.GRADIENT_CHECK_N + mistakes.GRADIENT_CHECK_N_PAIRS}
    for mistake in published.mistakes:
        entry = by_key[mistake.key]
        if entry.variant is None and not entry.parts:
            produced = mistake.variant(published.calls[0])
            assert produced == pytest.approx(entry.published, rel=1e-9), mistake.key
            assert mistake.variant.__module__ == "autograder.assignments.gradient_checking"
    assert {m.key for m in published.mistakes} <= set(by_key)
    assert sum(k.published is not None for k in mistakes.GRADIENT_CHECK_N) == 7


def test_hints_for_names_only_the_mistakes_whose_output_is_the_students():
    known = (mistakes.Known("a", "hint a", lambda call: call.args[0] * 2),
             mistakes.Known("b", "hint b", lambda call: 1 / 0),  # does not apply: skipped
             mistakes.Known("c", "hint c"),  # no variant: never named here
             mistakes.Known("d", "hint d", lambda call: {"W": np.ones(2) * call.args[0]}))
    assert mistakes.hints_for(6.0, mistakes.Call((3,)), known) == ["hint a"]
    assert mistakes.hints_for({"W": np.full(2, 3.0)}, mistakes.Call((3,)), known) == ["hint d"]
    assert mistakes.hints_for(7.0, mistakes.Call((3,)), known) == []


def test_hints_for_names_two_mistakes_made_together_only_when_no_single_one_fits():
    single = mistakes.Known("a", "hint a", lambda call: 1.0)
    other = mistakes.Known("b", "hint b", lambda call: 2.0)
    both = mistakes.pair(single, other, lambda call: 1.0)
    only_both = mistakes.pair(single, other, lambda call: 3.0)
    assert mistakes.hints_for(1.0, mistakes.Call((0,)), (single, other, both)) == ["hint a"]
    assert mistakes.hints_for(3.0, mistakes.Call((0,)), (single, other, only_both)) == [only_both.hint]
