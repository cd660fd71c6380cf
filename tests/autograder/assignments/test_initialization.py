"""What does a student see from the Initialization checks, judged in process with plain functions?

Each test builds one student's checks and judges outcomes made here (no sandbox, no notebook):
the names and roles a student reads, the values and keys each check asks for, and the finding
a wrong answer gets.
"""

import copy
import math

import numpy as np
import pytest

from autograder import assignments
from autograder.assignments import initialization
from autograder.grading import reference
from autograder.grading.checks import Outcome, judge, rng_for, seed_for

FUNCTIONS = ("initialize_parameters_zeros", "initialize_parameters_random", "initialize_parameters_he")
STUDENTS = [f"student-{i}" for i in range(40)]
DEEPER = ("a deeper network than the notebook's: no two neighbouring layers of one size, a hidden "
          "layer wider than its neighbours")
SHALLOW = "as shallow as the notebook's case, other sizes, several output units"


def _checks(function, student="alice"):
    spec = reference.load("initialization")
    return spec, assignments.build_checks(spec, function, rng_for(seed_for(student, "initialization"),
                                                                   function))


def _verdict(spec, function, check, answer):
    """What :func:`judge` says of ``answer`` (a plain function of ``layers_dims``) on ``check``."""
    ref = spec.reference(function, check.stand_ins)
    expected = [ref(*copy.deepcopy(c.args)) for c in check.calls]
    outcomes = [Outcome(value=answer(*copy.deepcopy(c.args))) for c in check.calls]
    return judge(check, outcomes, expected)


def _reference(spec, function):
    return spec.reference(function)


def _entry(found):
    """The vocabulary's entry a finding is said as (None for a problem without one)."""
    return getattr(found, "entry", None)


def _layers(weights, biases=None):
    """An initialiser returning ``weights(n, n_prev)`` (n, n_prev) and ``biases(n)`` (n, 1)."""
    def answer(layers_dims):
        parameters = {}
        for l in range(1, len(layers_dims)):
            n, n_prev = layers_dims[l], layers_dims[l - 1]
            parameters[f"W{l}"] = weights(n, n_prev)
            parameters[f"b{l}"] = np.zeros((n, 1)) if biases is None else biases(n)
        return parameters
    return answer


# What the student reads about each check ------------------------------------------------------


@pytest.mark.parametrize(("function", "published", "last"), [
    ("initialize_parameters_zeros", [3, 2, 1], ("weights are floating-point zeros", "dtype of every array")),
    ("initialize_parameters_random", [3, 2, 1], ("weights have standard deviation 10", "a wide network")),
    ("initialize_parameters_he", [2, 4, 1], ("weights have variance 2/n_prev", "a wide network"))])
def test_does_each_initialiser_show_its_published_case_two_roles_and_one_more_check(function, published,
                                                                                     last):
    _, checks = _checks(function)
    assert [(c.name, c.describe) for c in checks] == [
        ("published case", f"layers_dims = {published}"), ("hidden case 1", DEEPER),
        ("hidden case 2", SHALLOW), last]
    assert [c.calls[0].args[0] for c in checks[:1]] == [published]
    assert all(c.weight == 1.0 and not c.advisory and not c.planted and not c.stand_ins for c in checks)
    assert [len(c.calls) for c in checks] == [1, 1, 1, 1]


def test_is_the_dtype_check_on_four_weight_layers_and_the_spread_check_on_the_wide_network():
    for student in STUDENTS:
        _, (*_, dtype) = _checks("initialize_parameters_zeros", student)
        dims = dtype.calls[0].args[0]
        assert len(dims) == 5 and dims[-1] == 1 and len(set(dims[:-1])) == 4 and dims[2] == max(dims[:-1])
    for function in FUNCTIONS[1:]:
        _, (*_, spread) = _checks(function)
        assert spread.calls[0].args == ([80, 40, 80, 1],)
        assert spread.calls[0].args[0] is not initialization.WIDE  # a student's change stays in its call


@pytest.mark.parametrize("function", FUNCTIONS)
def test_does_every_value_check_know_the_functions_catalogued_mistakes(function):
    spec, checks = _checks(function)
    keys = [tuple(m.key for m in c.mistakes) for c in checks]
    assert keys[0] and len(set(keys[:3])) == 1
    if function == "initialize_parameters_zeros":
        assert keys[3] == ()  # the dtype check names no catalogued mistake
    else:
        assert keys[3] == keys[0]


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("student", STUDENTS[:10])
def test_does_the_reference_pass_every_check_for_every_student(function, student):
    spec, checks = _checks(function, student)
    answer = _reference(spec, function)
    assert [_verdict(spec, function, c, answer) for c in checks] == [None] * len(checks)


# Keys: an extra one, a missing one -------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS)
def test_is_an_extra_key_reported_by_name_on_the_published_case_and_by_category_on_hidden_ones(function):
    spec, checks = _checks(function)
    right = _reference(spec, function)

    def with_w0(layers_dims):
        return {**right(layers_dims), "W0": np.zeros((1, 1))}

    found = [_verdict(spec, function, c, with_w0) for c in checks]
    assert found[0] == "parameters has unexpected key(s) W0" and found[0].category == "extra key"
    assert all(f is not None and f.category == "extra key" for f in found[1:3])
    assert found[3] is not None


@pytest.mark.parametrize("function", FUNCTIONS)
def test_is_a_missing_bias_reported_on_every_check(function):
    spec, checks = _checks(function)
    right = _reference(spec, function)

    def no_b1(layers_dims):
        parameters = right(layers_dims)
        del parameters["b1"]
        return parameters

    found = [_verdict(spec, function, c, no_b1) for c in checks]
    assert found[0] == "parameters lacks the key(s) b1"
    assert all(f is not None and f.category == "missing key" for f in found)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_does_a_published_case_show_the_wrong_value_and_a_hidden_case_hide_it(function):
    spec, checks = _checks(function)
    right = _reference(spec, function)

    def off(layers_dims):
        parameters = right(layers_dims)
        parameters["b1"] = parameters["b1"] + 0.5
        return parameters

    published, hidden_1, hidden_2 = (_verdict(spec, function, c, off) for c in checks[:3])
    assert "0.5" in published and published.category == "wrong value"
    assert all(h.category == "wrong value" and "0.5" not in h for h in (hidden_1, hidden_2))


# The dtype check of initialize_parameters_zeros -------------------------------------------------


def test_are_integer_zeros_told_apart_from_float_zeros_without_a_key():
    spec, (*_, dtype) = _checks("initialize_parameters_zeros")
    integers = _layers(lambda n, p: np.zeros((n, p), dtype=int))
    found = _verdict(spec, "initialize_parameters_zeros", dtype, integers)
    assert _entry(found) == "not-float"
    floats32 = _layers(lambda n, p: np.zeros((n, p), dtype=np.float32))
    assert _verdict(spec, "initialize_parameters_zeros", dtype, floats32) is None
    int_biases = _layers(lambda n, p: np.zeros((n, p)), lambda n: np.zeros((n, 1), dtype=np.int64))
    assert _entry(_verdict(spec, "initialize_parameters_zeros", dtype, int_biases)) == "not-float"
    ones = _layers(lambda n, p: np.ones((n, p)))
    assert _verdict(spec, "initialize_parameters_zeros", dtype, ones).category == "wrong value"
    assert _verdict(spec, "initialize_parameters_zeros", dtype, lambda dims: [0.0]).category == "wrong type"


# The spread checks of initialize_parameters_random and initialize_parameters_he -----------------


def _drawn(std, mean=0.0, seed=7, biases=None):
    generator = np.random.default_rng(seed)
    return _layers(lambda n, p: mean + generator.normal(size=(n, p)) * std(n, p), biases)


@pytest.mark.parametrize(("function", "std", "finding"), [
    ("initialize_parameters_random", lambda n, p: 10.0, "spread-random"),
    ("initialize_parameters_he", lambda n, p: math.sqrt(2 / p), "spread-he")])
def test_does_the_spread_check_pass_the_right_distribution_drawn_another_way_and_name_a_wrong_one(
        function, std, finding):
    spec, (*_, spread) = _checks(function)

    def verdict(answer):
        return _verdict(spec, function, spread, answer)

    assert verdict(_drawn(std)) is None
    for factor in (0.85, 1.15):  # a standard deviation 15 % off either way
        assert _entry(verdict(_drawn(lambda n, p, factor=factor: factor * std(n, p)))) == finding
    for factor in (0.95, 1.05):  # within the tolerance
        assert verdict(_drawn(lambda n, p, factor=factor: factor * std(n, p))) is None
    for shift in (0.25, -0.25):  # a mean a quarter of the standard deviation off, either sign
        scaled = _drawn(std)

        def shifted(layers_dims, scaled=scaled, shift=shift):
            parameters = scaled(layers_dims)
            for key in ("W1", "W2"):
                parameters[key] = parameters[key] + shift * std(*parameters[key].shape)
            return parameters
        assert _entry(verdict(shifted)) == finding
    assert _entry(verdict(_drawn(std, biases=lambda n: np.full((n, 1), 0.1)))) == \
        "biases-not-zero"
    assert _entry(verdict(_drawn(std, biases=lambda n: -np.ones((n, 1))))) == "biases-not-zero"


@pytest.mark.parametrize(("function", "std"), [("initialize_parameters_random", lambda n, p: 10.0),
                                               ("initialize_parameters_he", lambda n, p: math.sqrt(2 / p))])
def test_is_a_matrix_too_small_for_its_spread_judged_by_its_shape_only(function, std):
    spec, (*_, spread) = _checks(function)

    def small_last_layer_off(layers_dims):
        parameters = _drawn(std)(layers_dims)
        parameters["W3"] = parameters["W3"] * 100  # 80 weights: below SPREAD_MIN_WEIGHTS
        return parameters

    assert _verdict(spec, function, spread, small_last_layer_off) is None

    def transposed_last_layer(layers_dims):
        parameters = _drawn(std)(layers_dims)
        parameters["W3"] = parameters["W3"].T
        return parameters

    assert _verdict(spec, function, spread, transposed_last_layer).category == "wrong shape"


def _alternating(value_a, value_b):
    """An initialiser whose weights alternate ``value_a`` and ``value_b`` (exact mean and spread)."""
    def weights(n, n_prev):
        flat = np.where(np.arange(n * n_prev) % 2 == 0, value_a, value_b)
        return flat.reshape(n, n_prev).astype(float)
    return _layers(weights)


def test_is_a_spread_exactly_at_the_tolerances_accepted_and_one_just_beyond_refused():
    spec, (*_, spread) = _checks("initialize_parameters_random")

    def verdict(answer):
        return _entry(_verdict(spec, "initialize_parameters_random", spread, answer))

    # target 10: the standard deviation may be 1 off (STD_TOLERANCE), the mean 2 (MEAN_TOLERANCE)
    assert verdict(_alternating(9.0, -9.0)) is None and verdict(_alternating(11.0, -11.0)) is None
    assert verdict(_alternating(12.0, -8.0)) is None and verdict(_alternating(8.0, -12.0)) is None
    assert verdict(_alternating(8.99, -8.99)) == "spread-random"
    assert verdict(_alternating(11.01, -11.01)) == "spread-random"
    assert verdict(_alternating(12.01, -7.99)) == "spread-random"


def test_does_the_spread_check_judge_each_wide_matrix_by_its_own_previous_layer():
    # WIDE = [80, 40, 80, 1]: W1 (40, 80) and W2 (80, 40); He's sqrt(2 / n_prev) differs between them.
    spec, (*_, spread) = _checks("initialize_parameters_he")
    by_current = _drawn(lambda n, p: math.sqrt(2 / n))
    assert _entry(_verdict(spec, "initialize_parameters_he", spread, by_current)) == "spread-he"
    only_w2_off = _drawn(lambda n, p: math.sqrt(2 / p) * (1.3 if n == 80 else 1.0))
    assert _entry(_verdict(spec, "initialize_parameters_he", spread, only_w2_off)) == "spread-he"


# The stated chances --------------------------------------------------------------------------


def test_are_the_stated_chances_of_a_wrong_spread_verdict_those_of_the_wide_network():
    right, off = initialization.spread_error_chances()
    assert right < 1e-13 and off < 1e-20
    assert initialization.spread_error_chances([3200, 3200]) == (right, off)
    one_right, one_off = initialization.spread_error_chances([3200])
    assert math.isclose(right, 2 * one_right, rel_tol=1e-12) and off == one_off  # any fails; all must pass
    small_right, small_off = initialization.spread_error_chances([400])
    assert small_right > right and small_off > off  # fewer weights, weaker verdicts
    assert initialization.spread_error_chances([]) == (0.0, 1.0)  # nothing judged: nothing told apart


def _exact_chances(n):
    """The exact chances the bounds stand for, for one matrix of ``n`` weights: the right
    distribution fails (either chi-square tail, or the mean's normal tail), and a distribution
    ``OFF_BY`` too wide or too narrow passes (the larger of the two)."""
    from scipy import stats

    t, u = initialization.STD_TOLERANCE, initialization.MEAN_TOLERANCE
    off_by, k = initialization.OFF_BY, n - 1
    right = (stats.chi2.cdf(n * (1 - t) ** 2, k) + stats.chi2.sf(n * (1 + t) ** 2, k)
             + 2 * stats.norm.sf(u * math.sqrt(n)))
    off = max(stats.chi2.cdf(n * ((1 + t) / off_by) ** 2, k), stats.chi2.sf(n * ((1 - t) * off_by) ** 2, k))
    return right, off


@pytest.mark.parametrize("n", [400, 3200])
def test_are_the_stated_chances_bounds_of_the_exact_ones_within_a_chernoff_bounds_slack(n):
    # A Chernoff bound of a chi-square tail is above the tail, and within a factor of order
    # sqrt(k) of it: a bound far above says less than it could, one below is no bound.
    right, off = initialization.spread_error_chances([n])
    exact_right, exact_off = _exact_chances(n)
    slack = 0.5 * math.sqrt(n - 1)
    assert exact_right <= right <= slack * exact_right
    assert exact_off <= off <= slack * exact_off


def test_is_the_means_share_of_the_stated_chance_the_normal_tail_of_the_sample_mean(monkeypatch):
    # With a standard deviation tolerance near 1, only the mean's term is left: the chance that
    # the mean of 25 right weights strays beyond MEAN_TOLERANCE times their standard deviation.
    from scipy import stats

    monkeypatch.setattr(initialization, "STD_TOLERANCE", 0.99)
    right, _ = initialization.spread_error_chances([25])
    expected = 2 * stats.norm.sf(initialization.MEAN_TOLERANCE * 5)
    assert math.isclose(right, expected, rel_tol=1e-6)


@pytest.mark.parametrize(("k", "c"), [(99, 0.5), (99, 2.0), (3199, 0.8), (3199, 1.25)])
def test_is_the_chi_square_tail_bound_above_the_exact_tail_and_within_a_small_factor_of_it(k, c):
    from scipy import stats

    exact = stats.chi2.cdf(c * k, k) if c < 1 else stats.chi2.sf(c * k, k)
    bound = initialization._chi2_tail(k, c)
    assert exact <= bound <= 20 * math.sqrt(k) * exact
    assert initialization._chi2_tail(k, 1.0) == 1.0


def test_does_the_zeros_double_build_what_the_reference_builds():
    spec = reference.load("initialization")
    namespace = {"np": np}
    exec(initialization.DOUBLES["initialize_parameters_zeros"], namespace)
    double, right = namespace["initialize_parameters_zeros"], spec.reference("initialize_parameters_zeros")
    for dims in ([3, 2, 1], [5, 4, 9, 2, 1]):
        got, expected = double(dims), right(dims)
        assert got.keys() == expected.keys()
        assert all(got[k].shape == expected[k].shape and not got[k].any() for k in got)


def test_does_each_stated_chance_ask_the_chi_square_bound_for_its_own_tail(monkeypatch):
    # N s^2 / sigma^2 is chi-square with N - 1 degrees of freedom: the right spread fails below
    # (1 - t)^2 N or above (1 + t)^2 N; one OFF_BY too wide passes below ((1 + t) / OFF_BY)^2 N,
    # one too narrow above ((1 - t) OFF_BY)^2 N (each threshold over k, as _chi2_tail takes it).
    asked = []
    monkeypatch.setattr(initialization, "_chi2_tail", lambda k, c: asked.append((k, c)) or 0.0)
    initialization.spread_error_chances([3200])
    t, off_by, n, k = initialization.STD_TOLERANCE, initialization.OFF_BY, 3200, 3199
    expected = [(k, n * (1 - t) ** 2 / k), (k, n * (1 + t) ** 2 / k),
                (k, n * ((1 + t) / off_by) ** 2 / k), (k, n * ((1 - t) * off_by) ** 2 / k)]
    assert len(asked) == len(expected)
    for (got_k, got_c), (want_k, want_c) in zip(asked, expected, strict=True):
        assert got_k == want_k and math.isclose(got_c, want_c, rel_tol=1e-12)
