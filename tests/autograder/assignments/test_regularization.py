"""What does a student see from the Regularization checks, judged in process with plain functions?

Each test builds one student's checks and judges outcomes made here from the reference and from
answers changed one way at a time (no sandbox, no notebook): the names and roles a student
reads, and the finding each wrong answer gets.
"""

import copy
import math

import numpy as np
import pytest

from autograder import assignments
from autograder.assignments import regularization as reg
from autograder.grading import feedback, reference
from autograder.grading.checks import Call, Outcome, judge, matches, rng_for, seed_for
from utils.activations import relu, sigmoid

SPEC = reference.load("regularization")
STUDENTS = [f"student-{i}" for i in range(30)]


def _checks(function, student="alice"):
    return assignments.build_checks(SPEC, function, rng_for(seed_for(student, "regularization"), function))


def _expected(function, check):
    ref = SPEC.reference(function, check.stand_ins)
    return [ref(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]


def _verdict(function, check, answer):
    """What :func:`judge` says of ``answer`` (a plain function of the call's arguments)."""
    outcomes = [Outcome(value=answer(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs))) for c in check.calls]
    return judge(check, outcomes, _expected(function, check))


def _entry(found):
    return getattr(found, "entry", None)


def _right(function):
    return SPEC.reference(function)


# What the student reads about each check ------------------------------------------------------


SMALL = "a small lambd, unlike the notebook's; layers of different sizes"
LARGE = "a large lambd; layers of different sizes"


@pytest.mark.parametrize(("function", "shown"), [
    ("compute_cost_with_regularization", [
        ("published case", "the notebook's test case, lambd = 0.1", 1.0), ("hidden case 1", SMALL, 1.0),
        ("hidden case 2", LARGE, 1.0),
        ("L2 term grows with lambd as (1/m)(lambd/2) sum W^2", "lambd = 0, 0.4, 0.8", 1.0)]),
    ("backward_propagation_with_regularization", [
        ("published case", "the notebook's test case, lambd = 0.7", 1.0), ("hidden case 1", SMALL, 1.0),
        ("hidden case 2", LARGE, 1.0),
        ("L2 term of dW is (lambd/m) W and vanishes at lambd = 0", "lambd = 0, 0.5, 1", 1.0)]),
    ("forward_propagation_with_dropout", [
        ("published case", "the notebook's test case, keep_prob = 0.7", 1.0),
        ("hidden case 1", "keep_prob below the notebook's; the first hidden layer the wider", 1.0),
        ("hidden case 2", "keep_prob above the notebook's; the second hidden layer the wider", 1.0),
        ("keeps about keep_prob of the units and rescales them", "40 and 30 hidden units, 50 examples", 2.0),
        ("masks are numpy arrays (advice only)", "the notebook's test case", 0.0)]),
    ("backward_propagation_with_dropout", [
        ("published case", "the notebook's test case, keep_prob = 0.8", 1.0),
        ("hidden case 1", "keep_prob below the notebook's; hidden layers of different sizes", 1.0),
        ("hidden case 2", "keep_prob above the notebook's; hidden layers of one size", 1.0),
        ("dropped units get no gradient, kept ones are rescaled", "20 and 10 hidden units", 1.0)]),
])
def test_does_each_function_show_its_checks_roles_and_weights(function, shown):
    checks = _checks(function)
    assert [(c.name, c.describe, c.weight) for c in checks] == shown
    assert [c.advisory for c in checks] == [c.name.endswith("(advice only)") for c in checks]
    mistakes = [tuple(m.key for m in c.mistakes) for c in checks if not c.advisory]
    assert mistakes[0] and len(set(mistakes)) == 1  # every scored check knows the catalogued mistakes


@pytest.mark.parametrize("function", list(reg.BUILDERS))
@pytest.mark.parametrize("student", STUDENTS[:6])
def test_does_the_reference_pass_every_check_for_every_student(function, student):
    checks = _checks(function, student)
    right = _right(function)
    assert [_verdict(function, c, right) for c in checks] == [None] * len(checks)


def test_are_the_published_cases_the_notebooks_inputs():
    cost, backward, forward, dropout_back = (_checks(f)[0].calls[0].args for f in reg.BUILDERS)
    assert cost[3] == 0.1 and backward[3] == 0.7 and forward[2] == 0.7 and dropout_back[3] == 0.8
    from utils import fixtures

    published = fixtures.forward_propagation_with_dropout_test_case()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a.keys() == b.keys()
               for a, b in zip(forward[:2], published, strict=True))


# L2: the cost and its gradients ----------------------------------------------------------------


def test_is_every_lambd_the_property_checks_use_the_one_they_say():
    (*_, cost) = _checks("compute_cost_with_regularization")
    assert [c.args[3] for c in cost.calls] == [0.0, 0.4, 0.8]
    (*_, grads) = _checks("backward_propagation_with_regularization")
    assert [c.args[3] for c in grads.calls] == [0.0, 0.5, 1.0]
    for function in ("compute_cost_with_regularization", "backward_propagation_with_regularization"):
        for student in STUDENTS:
            _, small, large, _ = _checks(function, student)
            assert reg.SMALL_LAMBD[0] <= small.calls[0].args[3] <= reg.SMALL_LAMBD[1]
            assert reg.LARGE_LAMBD[0] <= large.calls[0].args[3] <= reg.LARGE_LAMBD[1]


def _cost_with(term):
    """A cost: the reference's cross-entropy plus ``term(parameters, m, lambd)``."""
    right = _right("compute_cost_with_regularization")

    def answer(A3, Y, parameters, lambd):
        return right(A3, Y, parameters, 0.0) + term(parameters, Y.shape[1], lambd)
    return answer


def _l2(parameters, m, lambd):
    return lambd / (2 * m) * sum(np.sum(np.square(parameters[k])) for k in ("W1", "W2", "W3"))


@pytest.mark.parametrize(("name", "term", "finding"), [
    ("no L2 term", lambda p, m, lambd: 0.0, "l2-not-growing"),
    ("a shrinking term", lambda p, m, lambd: -_l2(p, m, lambd), "l2-not-growing"),
    ("twice the term", lambda p, m, lambd: 2 * _l2(p, m, lambd), "l2-term"),
    ("the term without 1/m", lambda p, m, lambd: m * _l2(p, m, lambd), "l2-term"),
    ("the term off by a part in a million", lambda p, m, lambd: (1 + 1e-6) * _l2(p, m, lambd), "l2-term"),
])
def test_is_a_wrong_l2_term_of_the_cost_named_by_the_property_check(name, term, finding):
    (*_, check) = _checks("compute_cost_with_regularization")
    assert _entry(_verdict("compute_cost_with_regularization", check, _cost_with(term))) == finding, name
    close = _cost_with(lambda p, m, lambd: (1 + 1e-11) * _l2(p, m, lambd))  # rounding noise
    assert _verdict("compute_cost_with_regularization", check, close) is None


def test_is_a_cost_that_is_no_number_refused_before_its_growth_is_judged():
    (*_, check) = _checks("compute_cost_with_regularization")
    found = _verdict("compute_cost_with_regularization", check, lambda *args: "cost")
    assert found is not None and found.category == "wrong type"
    nan = _verdict("compute_cost_with_regularization", check, lambda *args: float("nan"))
    assert nan is not None and nan.category == "NaN/inf"


def test_must_the_cost_grow_from_lambd_0_to_the_first_lambd_not_only_to_the_last():
    (*_, check) = _checks("compute_cost_with_regularization")
    late = _cost_with(lambda p, m, lambd: _l2(p, m, lambd) if lambd > 0.5 else 0.0)
    assert _entry(_verdict("compute_cost_with_regularization", check, late)) == "l2-not-growing"


@pytest.mark.parametrize("part", [1e-8, -1e-8])
def test_is_an_l2_term_off_by_a_part_in_a_hundred_million_named(part):
    (*_, check) = _checks("compute_cost_with_regularization")
    off = _cost_with(lambda p, m, lambd: (1 + part) * _l2(p, m, lambd))
    assert _entry(_verdict("compute_cost_with_regularization", check, off)) == "l2-term"


def test_does_the_published_cost_show_its_name_and_value_to_nine_digits():
    published, hidden, *_ = _checks("compute_cost_with_regularization")
    right = _right("compute_cost_with_regularization")
    (expected,) = _expected("compute_cost_with_regularization", published)
    for factor in (1 + 1e-8, 1.5):
        found = _verdict("compute_cost_with_regularization", published,
                         lambda *args, factor=factor: right(*args) * factor)
        assert found is not None and found.startswith("cost is ") and found.endswith(f"; expected {expected}")
    assert _verdict("compute_cost_with_regularization", published, lambda *args: right(*args) * (1 + 1e-10)) \
        is None
    hidden_found = _verdict("compute_cost_with_regularization", hidden, lambda *args: right(*args) * 1.5)
    assert hidden_found is not None and hidden_found.category == "wrong value"


def test_are_the_hidden_costs_a3_of_ys_shape_and_away_from_0_and_1():
    for student in STUDENTS:
        for check in _checks("compute_cost_with_regularization", student)[1:]:
            for call in check.calls:
                A3, Y, _, _ = call.args
                assert isinstance(A3, np.ndarray) and A3.shape == Y.shape
                assert 0.05 <= A3.min() and A3.max() <= 0.95 and A3.max() - A3.min() > 0.05


def _gradients_with(scale, keys=("dW1", "dW2", "dW3")):
    """The reference's gradients with the L2 term of ``keys`` multiplied by ``scale``."""
    right = _right("backward_propagation_with_regularization")

    def answer(X, Y, cache, lambd):
        plain, full = right(X, Y, cache, 0.0), right(X, Y, cache, lambd)
        return {k: plain[k] + scale * (full[k] - plain[k]) if k in keys else full[k] for k in full}
    return answer


def test_is_a_wrong_l2_gradient_term_named_and_the_plain_gradients_still_judged():
    function = "backward_propagation_with_regularization"
    (*_, check) = _checks(function)
    for keys in (("dW1",), ("dW2",), ("dW3",)):
        assert _entry(_verdict(function, check, _gradients_with(2.0, keys))) == "l2-gradient-term", keys
    assert _entry(_verdict(function, check, _gradients_with(1 + 1e-5))) == "l2-gradient-term"
    assert _verdict(function, check, _gradients_with(1 + 1e-10)) is None
    right = _right(function)

    def plain_off(X, Y, cache, lambd):
        gradients = right(X, Y, cache, lambd)
        return {**gradients, "dW1": gradients["dW1"] + 1.0}  # the same L2 term, a wrong dW1

    found = _verdict(function, check, plain_off)
    assert found is not None and found.category == "wrong value" and _entry(found) != "l2-gradient-term"

    def missing(X, Y, cache, lambd):
        gradients = right(X, Y, cache, lambd)
        del gradients["dW2"]
        return gradients

    assert _verdict(function, check, missing).category == "missing key"


def test_does_the_l2_property_check_judge_the_weights_gradients_only_to_their_tolerance():
    function = "backward_propagation_with_regularization"
    (*_, check) = _checks(function)
    right = _right(function)

    def other_gradients_off(X, Y, cache, lambd):  # the hidden cases judge them
        gradients = right(X, Y, cache, lambd)
        gradients["db1"] = gradients["db1"] + 1.0
        del gradients["dA1"]
        return gradients

    assert _verdict(function, check, other_gradients_off) is None

    def term_off(X, Y, cache, lambd):  # an L2 term 5e-9 off: beyond rounding, within np.allclose's default
        gradients = right(X, Y, cache, lambd)
        return {**gradients, "dW2": gradients["dW2"] + (5e-9 if lambd else 0.0)}

    assert _entry(_verdict(function, check, term_off)) == "l2-gradient-term"


def test_does_the_published_gradient_case_show_the_values_and_a_hidden_case_hide_them():
    function = "backward_propagation_with_regularization"
    published, hidden, *_ = _checks(function)
    right = _right(function)

    def off(X, Y, cache, lambd):
        gradients = right(X, Y, cache, lambd)
        return {**gradients, "dW3": gradients["dW3"] + 0.25}

    shown, hidden_found = _verdict(function, published, off), _verdict(function, hidden, off)
    assert shown.startswith("gradients") and "0.25" in shown
    assert hidden_found.category == "wrong value" and "0.25" not in hidden_found


def test_are_the_weights_gradients_judged_in_the_order_computed():
    assert reg.COMPUTED_ORDER == ("dW3", "dW2", "dW1")


# Dropout, forward ------------------------------------------------------------------------------


def _forward_changed(change):
    """The reference's forward pass, its ``(A3, cache)`` given to ``change`` to alter."""
    right = _right("forward_propagation_with_dropout")

    def answer(X, parameters, keep_prob=0.5):
        A3, cache = right(X, parameters, keep_prob)
        return change(A3, list(cache), X, parameters, keep_prob)
    return answer


def _forward_verdicts(answer):
    checks = _checks("forward_propagation_with_dropout")
    return [_verdict("forward_propagation_with_dropout", c, answer) for c in checks]


def test_is_a_forward_pass_that_returns_no_pair_or_a_short_cache_told_so_on_every_check():
    def only_a3(A3, cache, X, parameters, keep_prob):
        return A3

    published, *others = _forward_verdicts(_forward_changed(only_a3))
    assert published == "the function should return the pair (A3, cache)"
    assert published.category == "wrong type"
    assert all(v is not None and v.category == "wrong type" for v in others[:-1])
    assert others[-1] is None  # the advice says nothing of what it cannot read

    def short(A3, cache, X, parameters, keep_prob):
        return A3, tuple(cache[:13])

    published, *others = _forward_verdicts(_forward_changed(short))
    assert published == ("cache should be the 14-tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, "
                         "b3)")
    assert all(v is not None and v.category == "wrong type" for v in others[:-1])

    def as_list(A3, cache, X, parameters, keep_prob):
        return A3, cache

    assert _forward_verdicts(_forward_changed(as_list))[0].category == "wrong type"


@pytest.mark.parametrize("name", reg.COMPARED)
def test_is_each_compared_entry_of_the_cache_named_on_the_published_case(name):
    position = reg.CACHE_NAMES.index(name)

    def off(A3, cache, X, parameters, keep_prob):
        cache[position] = cache[position] + 1.0
        return A3, tuple(cache)

    published, hidden_1, hidden_2, *_ = _forward_verdicts(_forward_changed(off))
    assert published.startswith(f"cache {name} has wrong values")
    assert hidden_1.category == hidden_2.category == "wrong value"


def test_does_the_published_case_show_a3s_values_and_a_hidden_case_hide_them():
    def off(A3, cache, X, parameters, keep_prob):
        return A3 + 0.25, tuple(cache)

    published, hidden, *_ = _forward_verdicts(_forward_changed(off))
    assert published.startswith("A3 has wrong values") and "0.25" in published
    assert hidden.startswith("A3 has wrong values") and "0.25" not in hidden


def _property(change):
    (*_, check, _) = _checks("forward_propagation_with_dropout")
    return _entry(_verdict("forward_propagation_with_dropout", check, _forward_changed(change)))


def _redo(cache, parameters, keep_prob, layer, D):
    """The cache of the pass from ``layer`` on, with the mask ``D`` there."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    if layer == 1:
        cache[1] = D
        cache[2] = relu(cache[0]) * D / keep_prob
        cache[5] = W2 @ cache[2] + b2
    else:
        cache[6] = D
    cache[7] = relu(cache[5]) * cache[6] / keep_prob
    cache[10] = W3 @ cache[7] + b3
    cache[11] = sigmoid(cache[10])
    return cache[11], tuple(cache)


def test_does_the_property_check_accept_masks_drawn_another_way_keeping_keep_prob_of_the_units():
    def drawn(A3, cache, X, parameters, keep_prob):
        generator = np.random.default_rng(3)
        for layer in (1, 2):
            shape = cache[0].shape if layer == 1 else cache[5].shape
            D = (generator.random(shape) < keep_prob).astype(int)
            A3, cache = _redo(list(cache), parameters, keep_prob, layer, D)
            cache = list(cache)
        return A3, tuple(cache)

    assert _property(drawn) is None


@pytest.mark.parametrize(("layer", "share", "finding"), [(1, 0.55, "keep-share"), (2, 0.55, "keep-share"),
                                                       (1, 0.0, "keep-share"), (2, 1.0, "keep-share")])
def test_is_a_mask_keeping_a_share_far_from_keep_prob_named(layer, share, finding):
    def wrong(A3, cache, X, parameters, keep_prob):
        shape = cache[1].shape if layer == 1 else cache[6].shape
        D = (np.random.default_rng(1).random(shape) < share).astype(int)
        return _redo(cache, parameters, keep_prob, layer, D)

    assert _property(wrong) == finding


def test_is_a_keep_share_within_the_tolerance_accepted_and_just_beyond_it_refused():
    # the property check's keep_prob is drawn per student; the share is judged against it
    def exactly(offset):
        def masks(A3, cache, X, parameters, keep_prob):
            for layer in (1, 2):
                shape = cache[1].shape if layer == 1 else cache[6].shape
                kept = int(round((keep_prob + offset) * shape[0] * shape[1]))
                D = np.zeros(shape[0] * shape[1], dtype=int)
                D[:kept] = 1
                A3, cache = _redo(list(cache), parameters, keep_prob, layer, D.reshape(shape))
                cache = list(cache)
            return A3, tuple(cache)
        return masks

    assert _property(exactly(0.09)) is None and _property(exactly(-0.09)) is None
    assert _property(exactly(0.11)) == "keep-share" and _property(exactly(-0.11)) == "keep-share"


@pytest.mark.parametrize("layer", [1, 2])
def test_is_a_mask_of_other_numbers_than_0_and_1_named(layer):
    def scaled_mask(A3, cache, X, parameters, keep_prob):
        position = 1 if layer == 1 else 6
        return _redo(cache, parameters, keep_prob, layer, cache[position] * 2)

    assert _property(scaled_mask) == "mask-not-binary"


@pytest.mark.parametrize(("position", "finding"), [(0, "z-not-chained"), (5, "z-not-chained"),
                                                   (10, "z-not-chained"), (2, "not-rescaled"),
                                                   (7, "not-rescaled")])
def test_is_a_cache_entry_not_computed_from_the_previous_ones_named(position, finding):
    def off(A3, cache, X, parameters, keep_prob):
        cache[position] = cache[position] * 1.5 + 0.1
        return A3, tuple(cache)

    assert _property(off) == finding


def test_is_a_z_off_by_rounding_noise_still_chained():
    def noise(A3, cache, X, parameters, keep_prob):
        cache[5] = cache[5] * (1 + 1e-12)
        return A3, tuple(cache)

    assert _property(noise) is None


def test_is_an_a3_that_is_not_the_sigmoid_of_z3_or_not_the_caches_named():
    def not_sigmoid(A3, cache, X, parameters, keep_prob):
        cache[11] = relu(cache[10])
        return cache[11], tuple(cache)

    def other_a3(A3, cache, X, parameters, keep_prob):
        return A3.copy() * (1 + 1e-15) + 1e-13, tuple(cache)

    assert _property(not_sigmoid) == "a3-not-sigmoid"
    assert _property(other_a3) == "a3-not-sigmoid"


def test_are_masks_given_as_lists_judged_by_their_numbers_and_advised_against():
    def listed(A3, cache, X, parameters, keep_prob):
        cache[1], cache[6] = cache[1].tolist(), cache[6].astype(bool).tolist()
        return A3, tuple(cache)

    *scored, advice = _forward_verdicts(_forward_changed(listed))
    assert scored == [None] * len(scored)
    assert _entry(advice) == "masks-not-arrays"

    def one_listed(A3, cache, X, parameters, keep_prob):
        cache[6] = cache[6].tolist()
        return A3, tuple(cache)

    assert _entry(_forward_verdicts(_forward_changed(one_listed))[-1]) == "masks-not-arrays"

    def text_mask(A3, cache, X, parameters, keep_prob):
        cache[1] = "D1"
        return A3, tuple(cache)

    *scored, advice = _forward_verdicts(_forward_changed(text_mask))
    assert scored[0] is not None and scored[0].startswith("cache D1") and advice is None


def test_are_masks_read_as_arrays_only_inside_a_cache_of_fourteen():
    cache = tuple([np.zeros(1)] + [[[1, 0]]] + [np.zeros(1)] * 12)
    read = reg._read_masks(cache)
    assert isinstance(read[1], np.ndarray) and read[1].tolist() == [[1, 0]]
    assert reg._read_masks(cache[:13]) is cache[:13] or reg._read_masks(cache[:13]) == cache[:13]
    assert reg._read_masks(list(cache)) == list(cache)
    unreadable = tuple([np.zeros(1), "D1"] + [np.zeros(1)] * 12)
    assert reg._read_masks(unreadable)[1] == "D1"


# Dropout, backward -----------------------------------------------------------------------------


def _backward_changed(change):
    right = _right("backward_propagation_with_dropout")

    def answer(X, Y, cache, keep_prob):
        return change(right(X, Y, cache, keep_prob), cache, keep_prob)
    return answer


@pytest.mark.parametrize("name", ["dA2", "dA1"])
def test_is_a_gradient_reaching_a_dropped_unit_named_and_an_unscaled_kept_one_named(name):
    (*_, check) = _checks("backward_propagation_with_dropout")
    mask = 1 if name == "dA1" else 6

    def leaks(gradients, cache, keep_prob):
        dropped = cache[mask] == 0
        gradients[name] = np.where(dropped, 1.0, gradients[name])
        return gradients

    def unscaled(gradients, cache, keep_prob):
        gradients[name] = gradients[name] * keep_prob
        return gradients

    assert _entry(_verdict("backward_propagation_with_dropout", check, _backward_changed(leaks))) == \
        "dropped-get-gradient"
    assert _entry(_verdict("backward_propagation_with_dropout", check, _backward_changed(unscaled))) == \
        "kept-not-rescaled"


def test_is_a_backward_pass_wrong_in_both_layers_blamed_on_da2_first():
    (*_, check) = _checks("backward_propagation_with_dropout")

    def both(gradients, cache, keep_prob):
        gradients["dA2"] = gradients["dA2"] * 2
        gradients["dA1"] = np.where(cache[1] == 0, 1.0, gradients["dA1"])
        return gradients

    assert _entry(_verdict("backward_propagation_with_dropout", check, _backward_changed(both))) == \
        "kept-not-rescaled"

    def missing(gradients, cache, keep_prob):
        del gradients["dA1"]
        return gradients

    assert _verdict("backward_propagation_with_dropout", check, _backward_changed(missing)).category == \
        "missing key"


def test_does_every_students_backward_case_carry_gradients_to_dropped_kept_and_inactive_units():
    # What reaches A2 and A1 before their masks, computed here: W3^T (A3 - Y), then through
    # the second layer's mask, rescaling and relu.
    for student in STUDENTS:
        _, first, second, _ = _checks("backward_propagation_with_dropout", student)
        for check, equal_layers in ((first, False), (second, True)):
            X, Y, cache, keep_prob = check.calls[0].args
            Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
            into_a2 = W3.T @ (A3 - Y)
            into_a1 = W2.T @ (into_a2 * D2 / keep_prob * (Z2 > 0))
            for gradient, mask, activation in ((into_a1, D1, A1), (into_a2, D2, A2)):
                flowing, kept = gradient != 0, mask == 1
                assert (kept & flowing).any() and (~kept & flowing).any(), student
                assert (kept & (activation == 0) & flowing).any(), student
            assert (W1.shape[0] == W2.shape[0]) is equal_layers
            if equal_layers:
                assert not np.array_equal(D1, D2)


def test_does_every_students_backward_property_case_drop_and_keep_units_in_both_layers():
    for student in STUDENTS:
        (*_, check) = _checks("backward_propagation_with_dropout", student)
        X, Y, cache, keep_prob = check.calls[0].args
        assert X.shape[1] == 30 and cache[0].shape[0] == 20 and cache[5].shape[0] == 10
        assert reg.LOW_KEEP[0] <= keep_prob <= reg.LOW_KEEP[1]
        for mask in (cache[1], cache[6]):
            assert 0 < np.count_nonzero(mask) < mask.size


def test_does_every_students_forward_property_case_have_its_sizes_and_keep_prob():
    for student in STUDENTS:
        (*_, check, advice) = _checks("forward_propagation_with_dropout", student)
        X, parameters, keep_prob = check.calls[0].args
        assert X.shape[1] == 50 and parameters["W1"].shape == (40, X.shape[0])
        assert parameters["W2"].shape == (30, 40) and parameters["W3"].shape == (1, 30)
        assert reg.PROPERTY_KEEP[0] <= keep_prob <= reg.PROPERTY_KEEP[1]
        assert 2 <= X.shape[0] <= 9
        assert advice.calls[0].args[2] == 0.7


# The stated chances ----------------------------------------------------------------------------


def test_are_the_wrong_shares_those_of_the_usual_mistakes():
    shares = reg.wrong_keep_shares(0.3)
    assert shares == pytest.approx({"threshold 0.5": 0.5, "threshold 0.7": 0.7, "threshold 0.8": 0.8,
                                    "threshold 0.86": 0.86, "flipped": 0.7,
                                    "randn": 0.5 * math.erfc(-0.3 / math.sqrt(2))}, rel=1e-12, abs=0)
    assert shares["randn"] == pytest.approx(0.6179114, rel=1e-6, abs=0)  # P(N(0, 1) < 0.3)


def test_are_the_keep_rate_chances_the_dkw_bounds_of_the_property_checks_masks():
    right, wrong = reg.keep_rate_error_chance()
    sizes = (40 * 50, 30 * 50)
    assert math.isclose(right, sum(2 * math.exp(-2 * n * 0.1 ** 2) for n in sizes), rel_tol=1e-12)
    closest = min(abs(s - 0.3) for s in reg.wrong_keep_shares(0.3).values())
    expected = 2 * math.exp(-2 * 2000 * (closest - 0.1) ** 2)  # wrong masks pass only if both do
    assert math.isclose(wrong, expected, rel_tol=1e-12)
    assert right < 1e-12 and wrong < 1e-12


@pytest.mark.parametrize("tolerance", [0.2, 0.5])
def test_does_a_tolerance_as_wide_as_a_wrong_share_tell_nothing(monkeypatch, tolerance):
    # 0.2 is the gap between keep_prob = 0.3 and a threshold of 0.5: no margin left
    monkeypatch.setattr(reg, "KEEP_RATE_TOLERANCE", tolerance)
    assert reg.keep_rate_error_chance()[1] == 1.0


# The backward cases' roles, by construction ------------------------------------------------------


def _backward_case(student="alice", which=2):
    """A hidden case of backward_propagation_with_dropout: ``(X, Y, cache, keep_prob)``."""
    return _checks("backward_propagation_with_dropout", student)[which].calls[0].args


def test_are_the_gradients_reaching_the_masks_those_the_reference_masks_and_rescales():
    backward = _right("backward_propagation_with_dropout")
    for student in STUDENTS[:10]:
        for which in (1, 2):
            X, Y, cache, keep_prob = _backward_case(student, which)
            into_a1, into_a2 = reg._upstream(X, Y, cache, keep_prob)
            gradients = backward(X, Y, cache, keep_prob)
            for into, name, mask in ((into_a1, "dA1", cache[1]), (into_a2, "dA2", cache[6])):
                assert np.allclose(into * mask / keep_prob, gradients[name], rtol=1e-12, atol=1e-15)


def test_is_each_backward_case_the_forward_pass_of_its_own_keep_prob():
    forward = _right("forward_propagation_with_dropout")
    for student in STUDENTS[:10]:
        for which in (1, 2, 3):
            X, Y, cache, keep_prob = _backward_case(student, which)
            names, places = ("W1", "b1", "W2", "b2", "W3", "b3"), (3, 4, 8, 9, 12, 13)
            parameters = {name: cache[i] for name, i in zip(names, places, strict=True)}
            _, again = forward(X, parameters, keep_prob)
            assert all(np.array_equal(a, b) for a, b in zip(cache, again, strict=True))


def test_does_a_backward_case_that_cannot_tell_the_mistakes_apart_get_drawn_again():
    X, Y, cache, keep_prob = _backward_case()
    assert reg.tells_dropout_backward(X, Y, cache, keep_prob, equal_layers=True)
    same_masks = list(cache)
    same_masks[6] = cache[1].copy()  # both layers one mask: a layer given the other's is not told
    assert not reg.tells_dropout_backward(X, Y, tuple(same_masks), keep_prob, equal_layers=True)
    no_gradient = list(cache)
    no_gradient[12] = np.zeros_like(cache[12])  # W3 = 0: no gradient reaches any unit
    assert not reg.tells_dropout_backward(X, Y, tuple(no_gradient), keep_prob, equal_layers=True)
    all_kept = list(cache)
    all_kept[1] = np.ones_like(cache[1])  # no dropped unit in the first layer
    assert not reg.tells_dropout_backward(X, Y, tuple(all_kept), keep_prob, equal_layers=True)
    X, Y, cache, keep_prob = _backward_case(which=1)
    assert reg.tells_dropout_backward(X, Y, cache, keep_prob, equal_layers=False)


def test_does_the_backward_property_check_judge_the_masked_gradients_only_to_their_tolerance():
    function = "backward_propagation_with_dropout"
    (*_, check) = _checks(function)
    right = _right(function)

    def others_missing(X, Y, cache, keep_prob):  # the hidden cases judge them
        gradients = right(X, Y, cache, keep_prob)
        return {"dA1": gradients["dA1"], "dA2": gradients["dA2"]}

    assert _verdict(function, check, others_missing) is None
    for scale, shift in ((1 + 1e-6, 0.0), (1 + 1e-7, 5e-9)):
        def off(X, Y, cache, keep_prob, scale=scale, shift=shift):
            gradients = right(X, Y, cache, keep_prob)
            kept = cache[6] != 0
            gradients["dA2"] = np.where(kept, gradients["dA2"] * scale + np.sign(gradients["dA2"]) * shift,
                                        gradients["dA2"])
            return gradients
        assert _entry(_verdict(function, check, off)) == "kept-not-rescaled", (scale, shift)


def test_does_the_published_backward_dropout_case_show_the_values():
    function = "backward_propagation_with_dropout"
    published, hidden, *_ = _checks(function)
    right = _right(function)

    def off(X, Y, cache, keep_prob):
        gradients = right(X, Y, cache, keep_prob)
        return {**gradients, "dZ3": gradients["dZ3"] + 0.25}

    shown, hidden_found = _verdict(function, published, off), _verdict(function, hidden, off)
    assert shown.startswith("gradients") and "0.25" in shown
    assert hidden_found.category == "wrong value" and "0.25" not in hidden_found


# The forward cases' roles, by construction ---------------------------------------------------------


def _forward_case(which=1):
    """A hidden case of forward_propagation_with_dropout and its reference cache."""
    X, parameters, keep_prob = _checks("forward_propagation_with_dropout")[which].calls[0].args
    _, cache = _right("forward_propagation_with_dropout")(X, parameters, keep_prob)
    return list(cache), keep_prob


def test_does_a_forward_case_whose_masks_cannot_tell_the_mistakes_apart_get_drawn_again():
    cache, keep_prob = _forward_case()
    assert reg.tells_dropout_forward(tuple(cache), keep_prob)
    small = list(cache)
    small[0], small[5] = cache[0] * 1e-3, cache[5] * 1e-3  # activity is a sign, not a size
    assert reg.tells_dropout_forward(tuple(small), keep_prob)
    inactive_kept = list(cache)
    inactive_kept[1] = (cache[0] <= 0).astype(int)  # only inactive units kept: no rescaling shows
    assert not reg.tells_dropout_forward(tuple(inactive_kept), keep_prob)
    uniform = reg._seeded_draws((cache[0].shape, cache[5].shape))
    for threshold in (0.5, 1 - keep_prob):
        hard_coded = list(cache)
        hard_coded[1] = (uniform[0] < threshold).astype(int)  # the masks of a hard-coded threshold
        assert not reg.tells_dropout_forward(tuple(hard_coded), keep_prob), threshold
        second = list(cache)
        second[6] = (uniform[1] < threshold).astype(int)
        assert not reg.tells_dropout_forward(tuple(second), keep_prob), threshold
    above = list(cache)
    above[1] = (uniform[0] >= 0.5).astype(int)  # the units a threshold of 0.5 drops: not its mask
    assert reg.tells_dropout_forward(tuple(above), keep_prob)


def test_is_a_pair_returned_as_a_list_or_a_cache_as_a_list_no_pair_and_no_advice():
    def as_list_pair(A3, cache, X, parameters, keep_prob):
        return [A3, tuple(cache)]

    published, *_ = _forward_verdicts(_forward_changed(as_list_pair))
    assert published == "the function should return the pair (A3, cache)"

    def list_cache_of_lists(A3, cache, X, parameters, keep_prob):
        cache[1], cache[6] = cache[1].tolist(), cache[6].tolist()
        return A3, cache

    *scored, advice = _forward_verdicts(_forward_changed(list_cache_of_lists))
    assert scored[0].category == "wrong type" and advice is None


def _chain_off(position, change):
    def off(A3, cache, X, parameters, keep_prob):
        cache[position] = change(cache[position])
        if position == 10:
            cache[11] = sigmoid(cache[10])
            return cache[11], tuple(cache)
        return A3, tuple(cache)
    return off


@pytest.mark.parametrize("position", [0, 5, 10])
def test_is_a_z_off_beyond_rounding_named_relatively_and_absolutely(position):
    assert _property(_chain_off(position, lambda z: z * (1 + 1e-7))) == "z-not-chained"
    assert _property(_chain_off(position, lambda z: z + 5e-9)) == "z-not-chained"  # within np's default atol


def test_is_an_a3_off_beyond_rounding_named_relatively_and_absolutely():
    for change in (lambda a: a * (1 + 1e-7), lambda a: a + 3e-9 + 2e-9 * np.abs(a)):
        def off(A3, cache, X, parameters, keep_prob, change=change):
            cache[11] = change(cache[11])
            return cache[11], tuple(cache)
        assert _property(off) == "a3-not-sigmoid"


def test_is_an_activation_off_by_a_millionth_or_a_dropped_unit_not_quite_zero_named():
    def relative(A3, cache, X, parameters, keep_prob):
        cache[2] = cache[2] * (1 + 1e-6)
        return A3, tuple(cache)

    def not_quite_zero(A3, cache, X, parameters, keep_prob):
        cache[2] = np.where(cache[1] == 0, 5e-9, cache[2])
        return A3, tuple(cache)

    assert _property(relative) == "not-rescaled"
    assert _property(not_quite_zero) == "not-rescaled"


# The forward mistakes a hidden case names ------------------------------------------------------


def _mistaken_forward(parts):
    """A forward pass with the catalogued mistakes ``parts`` made in it, written as a student
    would: ``np.random.seed(1)`` then one draw per hidden layer."""
    def answer(X, parameters, keep_prob=0.5):
        np.random.seed(1)
        A, cache = X, []
        for l in (1, 2):
            W, b = parameters[f"W{l}"], parameters[f"b{l}"]
            Z = np.dot(W, A) + b
            draw = np.random.randn if "dropout-forward-randn" in parts else np.random.rand
            numbers = draw(*Z.shape)
            flipped = "dropout-forward-mask-flipped" in parts
            D = (numbers > keep_prob if flipped else numbers < keep_prob).astype(int)
            A = np.maximum(0, Z) * D
            if "dropout-forward-int-activations" in parts or ("dropout-forward-int-a2" in parts and l == 2):
                A = A.astype(int)
            if "dropout-forward-no-rescale" not in parts:
                A = A / keep_prob
            cache += [Z, D, A, W, b]
        Z3 = np.dot(parameters["W3"], A) + parameters["b3"]
        A3 = 1 / (1 + np.exp(-Z3))
        return A3, tuple(cache + [Z3, A3, parameters["W3"], parameters["b3"]])
    return answer


FORWARD_MISTAKES = [m.key for m in reg.dropout_forward_mistakes()]


@pytest.mark.parametrize("key", FORWARD_MISTAKES)
def test_is_each_catalogued_forward_mistake_named_by_its_own_key_on_both_hidden_cases(key):
    answer = _mistaken_forward(set(key.split("+")))
    for student in STUDENTS[:3]:
        _, first, second, *_ = _checks("forward_propagation_with_dropout", student)
        for check in (first, second):
            assert _verdict("forward_propagation_with_dropout", check, answer) is not None
            outcomes = [Outcome(value=answer(*copy.deepcopy(c.args))) for c in check.calls]
            found = feedback.matching_mistakes(check, outcomes)
            assert key in [m.key for m in found], (student, check.name)


def test_does_a_forward_pass_without_mistakes_written_here_pass_every_check():
    checks = _checks("forward_propagation_with_dropout")
    assert [_verdict("forward_propagation_with_dropout", c, _mistaken_forward(set())) for c in checks] == \
        [None] * len(checks)


@pytest.mark.parametrize("options", [{}, {"keep_below": False}])
def test_does_a_number_equal_to_keep_prob_drop_its_unit_in_the_mistakes_as_in_the_course(options):
    # the course keeps a unit when its number is below keep_prob, and the flipped mistake when
    # it is above: a number equal to keep_prob is dropped either way
    X, parameters, keep_prob = _checks("forward_propagation_with_dropout")[1].calls[0].args
    variant = reg._dropout_forward_variant(draw=lambda *shape: np.full(shape, keep_prob), **options)
    _, cache = variant(Call((X, parameters, keep_prob)))
    assert not np.asarray(cache[1]).any() and not np.asarray(cache[6]).any()
    assert not np.asarray(cache[7]).any()


# The forward cases' masks, by construction ---------------------------------------------------------


def _with_mask(cache, layer, mask):
    changed = list(cache)
    changed[1 if layer == 1 else 6] = np.asarray(mask).astype(int)
    return tuple(changed)


def test_is_a_case_whose_dropped_units_are_all_inactive_drawn_again():
    cache, keep_prob = _forward_case()
    for z, d in ((0, 1), (5, 6)):
        negative = list(cache)  # no dropped unit was active: a mask not applied does not show
        negative[z] = np.where(cache[d] == 0, -np.abs(cache[z]) - 0.1, cache[z])
        assert not reg.tells_dropout_forward(tuple(negative), keep_prob), z
        at_zero = list(cache)  # Z = 0 is no activity: relu gives 0 whether or not the unit is kept
        at_zero[z] = np.where(cache[d] == 0, 0.0, cache[z])
        assert not reg.tells_dropout_forward(tuple(at_zero), keep_prob), z


def test_is_a_case_whose_masks_are_those_of_transposed_draws_drawn_again():
    for which in (1, 2):
        cache, keep_prob = _forward_case(which)
        uniform = reg._seeded_draws((cache[0].shape, cache[5].shape))
        for layer, u in ((1, uniform[0]), (2, uniform[1])):
            n, m = u.shape
            transposed = u.reshape(m, n).T  # np.random.rand(m, n).T
            assert not reg.tells_dropout_forward(_with_mask(cache, layer, transposed < keep_prob), keep_prob)


def test_are_the_hard_coded_and_randn_masks_told_by_a_strict_comparison():
    # a keep_prob equal to one of the numbers drawn: the mistake's mask keeps the units strictly
    # below it, and a case with that mask cannot tell the mistake apart
    cache, keep_prob = _forward_case(1)
    shapes = (cache[0].shape, cache[5].shape)
    uniform, normal = reg._seeded_draws(shapes), reg._seeded_draws(shapes, "randn")
    u = uniform[0]
    for value in u[u >= 0.5]:  # 1 - (1 - value) is value exactly for value >= 0.5
        assert not reg.tells_dropout_forward(_with_mask(cache, 1, u < value), 1 - value), value
    n, m = u.shape
    transposed = u.reshape(m, n).T
    middle = np.sort(transposed.ravel())[transposed.size // 2]
    assert not reg.tells_dropout_forward(_with_mask(cache, 1, transposed < middle), middle)
    g = normal[0]
    middle = np.sort(g.ravel())[g.size // 2]
    assert not reg.tells_dropout_forward(_with_mask(cache, 1, g < middle), middle)


# Drawing again the backward cases that cannot tell ------------------------------------------------


class _Doctored:
    """The assignment, whose forward pass gives ``change(cache)`` the first time it is called on
    inputs of ``examples`` examples (every call's cache is kept in ``made``)."""

    def __init__(self, examples, change):
        self.examples, self.change, self.made = examples, change, []

    def reference(self, name, stand_ins=""):
        right = SPEC.reference(name, stand_ins)
        if name != "forward_propagation_with_dropout":
            return right

        def forward(X, parameters, keep_prob=0.5):
            A3, cache = right(X, parameters, keep_prob)
            if X.shape[1] == self.examples and not any(c[0].shape == cache[0].shape for c in self.made):
                cache = self.change(list(cache))
            self.made.append(cache)
            return A3, cache
        return forward


def _masks_set(layer, mask):
    def change(cache):
        position = 1 if layer == 1 else 6
        cache[position] = mask(cache[position])
        return tuple(cache)
    return change


def _one_kept(mask):
    kept = np.zeros_like(mask)
    kept.flat[0] = 1
    return kept


@pytest.mark.parametrize(("layer", "mask", "drawn_again"), [
    (1, np.ones_like, True), (2, np.ones_like, True), (1, np.zeros_like, True), (2, np.zeros_like, True),
    (1, _one_kept, False), (2, _one_kept, False)])
def test_is_a_backward_property_case_drawn_again_only_when_a_mask_keeps_every_unit_or_none(layer, mask,
                                                                                         drawn_again):
    # the activations are left as they were: only the masks are judged
    assignment = _Doctored(30, _masks_set(layer, mask))
    (*_, check) = reg.dropout_backward_checks(assignment, np.random.default_rng(5))
    X, Y, cache, keep_prob = check.calls[0].args
    doctored = next(c for c in assignment.made if c[0].shape[1] == 30)
    assert (cache is not doctored) is drawn_again
    for D in (cache[1], cache[6]):
        assert 0 < np.count_nonzero(D) < D.size


def test_is_a_backward_case_of_one_layer_size_whose_two_masks_are_one_drawn_again():
    right, first = _right("forward_propagation_with_dropout"), []

    def forward(X, parameters, keep_prob):  # the first draw: the second layer given the first's mask
        A3, cache = right(X, parameters, keep_prob)
        if not first:
            first.append(cache[:6] + (cache[1].copy(),) + cache[7:])
            return A3, first[0]
        return A3, cache

    # with this generator the first draw tells every other mistake: its one fault is the shared mask
    X, Y, _, keep_prob, cache = reg._backward_case(np.random.default_rng(0), forward, reg.HIGH_KEEP, True)
    assert cache is not first[0] and not np.array_equal(cache[1], cache[6])


# The networks drawn -------------------------------------------------------------------------------


def test_is_every_network_three_layers_of_weights_and_biases_and_labels_of_both_kinds():
    labels = set()
    for seed in range(200):
        X, Y, parameters = reg.network(np.random.default_rng(seed))
        assert sorted(parameters) == ["W1", "W2", "W3", "b1", "b2", "b3"]
        sizes = (X.shape[0], parameters["W1"].shape[0], parameters["W2"].shape[0], 1)
        for l in (1, 2, 3):
            assert parameters[f"W{l}"].shape == (sizes[l], sizes[l - 1])
            assert parameters[f"b{l}"].shape == (sizes[l], 1)
        assert Y.shape == (1, X.shape[1]) and set(np.unique(Y)) <= {0, 1}
        labels |= set(np.unique(Y).tolist())
    assert labels == {0, 1}


def test_are_the_weights_scaled_so_each_units_input_has_unit_variance():
    # W_l of standard normal numbers divided by sqrt(n_{l-1}): W_l * sqrt(n_{l-1}) has variance 1
    scaled = {1: [], 2: [], 3: []}
    for seed in range(200):
        _, _, parameters = reg.network(np.random.default_rng(seed))
        for l in (1, 2, 3):
            W = parameters[f"W{l}"]
            scaled[l].append((W * np.sqrt(W.shape[1])).ravel())
    for l, values in scaled.items():
        assert np.var(np.concatenate(values)) == pytest.approx(1.0, abs=0.1), l


def test_is_an_l2_term_off_by_exactly_its_tolerance_accepted_and_beyond_it_refused():
    # (c - c0) - (r - r0) against 1e-9 |r - r0|: with r - r0 = 1e9, exactly 1 is within
    assert 1e-9 * 1e9 == 1.0
    assert reg._l2_term_grows_with_lambd([0.0, 1e9 + 1.0], [0.0, 1e9]) is None
    assert _entry(reg._l2_term_grows_with_lambd([0.0, 1e9 + 2.0], [0.0, 1e9])) == "l2-term"


def test_does_every_drawn_dropout_case_tell_each_catalogued_mistake_from_the_right_pass():
    forward = _right("forward_propagation_with_dropout")
    mistakes = reg.dropout_forward_mistakes()
    roles = ((reg.LOW_KEEP, "first wider"), (reg.HIGH_KEEP, "second wider"))
    for seed in range(200):
        rng = np.random.default_rng(seed)
        for keep, order in roles:
            X, _, parameters, keep_prob, cache = reg._dropout_case(rng, forward, keep, order)
            n1, n2 = parameters["W1"].shape[0], parameters["W2"].shape[0]
            assert (n1 > n2) if order == "first wider" else (n2 > n1)
            assert keep[0] <= keep_prob <= keep[1]
            right = forward(X, parameters, keep_prob)
            call = Call((X, parameters, keep_prob))
            made = [mistake.variant(call) for mistake in mistakes]
            for mistake, output in zip(mistakes, made, strict=True):  # A3 and cache, as matched
                assert not matches(output, right, rtol=1e-6, atol=1e-12), (seed, mistake.key)
