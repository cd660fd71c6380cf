"""Are a student's checks built, fitted to their code and matched to their signature as the grader
needs, for every assignment? In process: checks and cells made here, no sandbox."""

from types import SimpleNamespace

import pytest

from autograder import assignments
from autograder.assignments import gradient_checking, initialization
from autograder.grading import reference
from autograder.grading.checks import CACHED_CHARS, Call, Check, Mistake, rng_for, seed_for
from autograder.grading.extract import Signature

INIT = SimpleNamespace(name="initialization", names=reference.load("initialization").names)
GRAD = SimpleNamespace(name="gradient_checking", names=reference.load("gradient_checking").names)


ONE_CALL = (Call((1,)),)


def _check(name="hidden case 1", stand_ins="", mistakes=(), calls=ONE_CALL):
    return Check(name, calls, lambda student, ref: None, describe="a role", weight=2.0,
                 stand_ins=stand_ins, mistakes=mistakes)


def _mistake(key, fits=None):
    if fits is None:
        return Mistake(key, f"hint {key}", lambda call: None)
    return Mistake(key, f"hint {key}", lambda call: None, fits)


# build_checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("assignment", "function"),
                         [(a, f) for a in reference.NOTEBOOKS for f in reference.load(a).names])
def test_are_a_functions_checks_its_assignments_builders_for_the_students_draw(assignment, function):
    spec = reference.load(assignment)
    seed = seed_for("alice", assignment)
    built = assignments.build_checks(spec, function, rng_for(seed, function))
    own = assignments.BUILDERS[assignment][function](spec, rng_for(seed, function))
    assert [(c.name, c.describe, c.weight) for c in built] == [(c.name, c.describe, c.weight) for c in own]
    assert repr([c.calls for c in built]) == repr([c.calls for c in own])


def test_does_every_graded_function_have_builders_doubles_and_fits_of_its_assignment():
    assert set(assignments.BUILDERS) == set(assignments.DOUBLES) == set(assignments.FITS) \
        == set(reference.NOTEBOOKS)
    for name in reference.NOTEBOOKS:
        assert set(assignments.BUILDERS[name]) == set(reference.load(name).names)
        assert set(assignments.DOUBLES[name]) <= set(reference.load(name).names)


# calls_to_graded --------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "called"), [
    ("def initialize_parameters_he(layers_dims):\n    p = initialize_parameters_zeros(layers_dims)\n",
     ["initialize_parameters_zeros"]),
    ("def initialize_parameters_he(d):\n    f = initialize_parameters_random\n    return f(d)\n",
     ["initialize_parameters_random"]),
    ("def initialize_parameters_he(d):\n"
     "    return initialize_parameters_random(initialize_parameters_zeros(d))\n",
     ["initialize_parameters_zeros", "initialize_parameters_random"]),  # in the assignment's order
    ("def initialize_parameters_zeros(d):\n    return d\n"
     "def initialize_parameters_he(d):\n    return initialize_parameters_zeros(d)\n", []),  # defined here
    ("async def initialize_parameters_zeros(d):\n    return d\n"
     "def initialize_parameters_he(d):\n    return initialize_parameters_zeros(d)\n", []),
    ("def initialize_parameters_he(d):\n    # initialize_parameters_zeros(d) would do\n"
     "    return 'initialize_parameters_zeros'\n", []),  # named in a comment and a string only
    ("def initialize_parameters_he(d):\n    return np.initialize_parameters_zeros(d)\n", []),  # an attribute
    ("def initialize_parameters_he(d):\n    return initialize_parameters_he(d)\n", []),  # itself
    ("def initialize_parameters_he(d)\n    return initialize_parameters_zeros(d)\n", []),  # not Python
    ("def initialize_parameters_he(d):\n    return d\n", []),
    ("initialize_parameters_he = lambda d: initialize_parameters_zeros(d)\n",  # itself, bound by a name
     ["initialize_parameters_zeros"]),
])
def test_are_the_graded_functions_a_cell_uses_without_defining_them_found(source, called):
    assert assignments.calls_to_graded(INIT, "initialize_parameters_he", source) == called
    padded = source + "#" * CACHED_CHARS  # a long cell is read as a short one is, uncached
    assert assignments.calls_to_graded(INIT, "initialize_parameters_he", padded) == called


# fit_to_code ------------------------------------------------------------------------------------


def test_does_a_function_calling_another_graded_one_get_its_double_before_its_own_stand_ins():
    source = "def initialize_parameters_he(d):\n    return initialize_parameters_zeros(d)\n"
    checks = [_check(), _check("hidden case 2", stand_ins="def helper():\n    pass\n")]
    first, second = assignments.fit_to_code(INIT, "initialize_parameters_he", checks, source)
    double = initialization.DOUBLES["initialize_parameters_zeros"]
    assert first.stand_ins == double + "\n"
    assert second.stand_ins == double + "\ndef helper():\n    pass\n"
    assert [(c.name, c.calls, c.weight, c.describe) for c in (first, second)] == \
        [(c.name, c.calls, c.weight, c.describe) for c in checks]
    alone = assignments.fit_to_code(INIT, "initialize_parameters_he", checks, "def f(d):\n    return d\n")
    assert [c.stand_ins for c in alone] == ["", "def helper():\n    pass\n"]
    # a graded function without a double (it needs none: nothing calls it), and the function
    # itself bound by a name, add nothing
    no_double = "def f(d):\n    return initialize_parameters_random(d)"
    for function, source in (("initialize_parameters_he", no_double),
                             ("initialize_parameters_zeros", "initialize_parameters_zeros = make_zeros")):
        fitted = assignments.fit_to_code(INIT, function, checks, source)
        assert [c.stand_ins for c in fitted] == ["", "def helper():\n    pass\n"], function


def test_does_a_checker_calling_both_graded_passes_get_both_doubles_in_the_assignments_order():
    source = ("def gradient_check(x, theta, epsilon=1e-7):\n    thetaplus = theta + epsilon\n"
              "    thetaminus = theta - epsilon\n    J_plus = forward_propagation(x, thetaplus)\n"
              "    J_minus = forward_propagation(x, thetaminus)\n"
              "    gradapprox = (J_plus - J_minus) / (2 * epsilon)\n"
              "    grad = backward_propagation(x, theta)\n    return grad - gradapprox\n")
    (check,) = assignments.fit_to_code(GRAD, "gradient_check", [_check(stand_ins="s = 1\n")], source)
    assert check.stand_ins == (gradient_checking.DOUBLES["forward_propagation"]
                               + gradient_checking.DOUBLES["backward_propagation"] + "\ns = 1\n")


def test_is_a_hint_the_code_contradicts_dropped_and_one_it_may_hold_kept():
    # fits() reads the code without comments and strings: advice to copy is not given to code
    # that copies, whatever its comments say.
    def copies_nothing(code):
        return "copy" not in code

    mistakes = (_mistake("always"), _mistake("copy-the-vector", copies_nothing),
                _mistake("never", lambda code: False))
    checks = [_check(mistakes=mistakes), _check("hidden case 2", mistakes=mistakes[:1])]

    def kept(source):
        return [[m.key for m in c.mistakes]
                for c in assignments.fit_to_code(INIT, "initialize_parameters_he", checks, source)]

    assert kept("def f(x):\n    y = x.copy()\n    return y\n") == [["always"], ["always"]]
    only_fitted = [_check(mistakes=mistakes[1:]), _check("hidden case 2", mistakes=mistakes[:1])]
    for source, keys in (("y = x.copy()", []), ("y = x", ["copy-the-vector"])):
        fitted = assignments.fit_to_code(INIT, "initialize_parameters_he", only_fitted, source)
        assert [[m.key for m in c.mistakes] for c in fitted] == [keys, ["always"]]
    assert kept("def f(x):\n    # copy it first\n    return x  # 'copy'\n") == [["always", "copy-the-vector"],
                                                                              ["always"]]


def test_is_a_gradient_checker_without_a_centred_difference_judged_on_the_other_slope():
    spec = reference.load("gradient_checking")
    rng = rng_for(seed_for("alice", spec.name), "gradient_check")
    checks = assignments.build_checks(spec, "gradient_check", rng)
    one_sided = ("def gradient_check(x, theta, epsilon=1e-7):\n"
                 "    gradapprox = (forward_propagation(x, theta + epsilon) - forward_propagation(x, theta))"
                 " / epsilon\n    grad = backward_propagation(x, theta)\n"
                 "    return abs(grad - gradapprox) / (abs(grad) + abs(gradapprox))\n")
    fitted = assignments.fit_to_code(spec, "gradient_check", checks, one_sided)
    doubles = "".join(gradient_checking.DOUBLES[name]
                      for name in ("forward_propagation", "backward_propagation"))
    moved = [c.name for c, f in zip(checks, fitted, strict=True)
             if doubles + "\n" + c.stand_ins != f.stand_ins]
    assert moved and all(name.startswith("hidden case") for name in moved)
    assert {m.key for c in fitted for m in c.mistakes} - {m.key for c in checks for m in c.mistakes}


# signature_serves -------------------------------------------------------------------------------


def _serves(names, defaults, *calls):
    return assignments.signature_serves(Signature(tuple(names), tuple(defaults)),
                                        [_check(calls=tuple(calls))])


def test_does_a_signature_serve_every_call_that_gives_each_parameter_or_leaves_it_a_default():
    assert _serves(["x", "theta"], [], Call((1, 2)))
    assert _serves(["x", "theta", "epsilon"], [("epsilon", "1e-7")], Call((1, 2)))
    assert _serves(["x", "theta"], [], Call((1,), {"theta": 2}))
    assert _serves(["x", "theta"], [], Call((), {"x": 1, "theta": 2}))
    assert _serves(["x", "theta", "print_msg"], [("print_msg", "False")], Call((1, 2)), Call((1, 2, True)))


def test_does_a_signature_fail_a_call_it_cannot_answer():
    assert not _serves(["x"], [], Call((1, 2)))  # too many arguments
    assert not _serves(["x", "theta"], [], Call((1,), {"epsilon": 1e-7}))  # a keyword it lacks
    assert not _serves(["x", "theta", "epsilon"], [], Call((1, 2)))  # a parameter left without a value
    assert not _serves(["x", "theta"], [], Call((1, 2)), Call((1,)))  # one call of several
    served = Signature(("x", "theta"), ())
    assert not assignments.signature_serves(served, [_check(calls=(Call((1, 2)),)), _check(calls=ONE_CALL)])
    assert assignments.signature_serves(served, [])
