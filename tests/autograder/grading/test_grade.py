"""Does grading work through every sandbox layer, one function at a time?"""

import dataclasses
import json
import sys
import threading

import pytest

from autograder.grading.grade import Graders, grade_notebook, grade_notebooks
from autograder.grading.reference import ROOT
from autograder.sandbox import available_layers
from tests.capabilities import skip_layer

CLASS = ROOT / "tests" / "sample_class" / "submitted"
LAYERS = available_layers()


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_sandbox_layer_grades_the_reference_and_a_mistake_alike(layer):
    if LAYERS[layer] is not None:
        skip_layer(layer, LAYERS[layer])
    with Graders(layer=layer) as graders:
        reference = grade_notebook(CLASS / "ada/regularization/Regularization.ipynb", graders=graders)
        mistake = grade_notebook(CLASS / "dev/regularization/Regularization.ipynb", graders=graders)
    assert reference.provenance["isolation"] == layer
    assert reference.score == 50
    assert mistake.score == 20
    for result in (reference, mistake):  # the JSON form is the dataclasses' own, field for field
        assert json.dumps(result.to_dict()) == json.dumps(dataclasses.asdict(result))


def test_a_student_gets_the_same_result_whatever_the_order_of_cells(tmp_path):
    source = CLASS / "ben/gradient_checking/Gradient_Checking.ipynb"
    notebook = json.loads(source.read_text())
    notebook["cells"].reverse()
    shuffled = tmp_path / "ben" / "gradient_checking" / "Gradient_Checking.ipynb"
    shuffled.parent.mkdir(parents=True)
    shuffled.write_text(json.dumps(notebook))
    with Graders() as graders:
        assert grade_notebook(shuffled, graders=graders).score == 50


def test_does_a_line_numpy_2_no_longer_accepts_get_plain_advice_with_the_students_line(tmp_path):
    from tests.sample_class.build import student_notebook

    work = {"initialization": {"initialize_parameters_zeros": [
        "for l in range(1, L):\n"
        "    parameters['W' + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]), dtype=np.float)\n"
        "    parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"]}}
    path = tmp_path / "nia" / "initialization" / "Initialization.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(student_notebook("initialization", work)))
    with Graders() as graders:
        function = grade_notebook(path, graders=graders).functions["initialize_parameters_zeros"]
    assert function.score == 0 and function.status == "error"
    assert function.hint.startswith("numpy 2") and "np.float" in function.hint, function.hint
    hidden = [c for c in function.checks if not c.name.startswith("published case")]
    assert hidden and all(c.message.endswith(": raised an exception") for c in hidden)


# What a failing student sees, through the real grader -------------------------------------
#
# One notebook per assignment in which every graded function is wrong in its own way: an
# initialiser that changes its only (so last) argument in place, one that returns an extra key
# W0, a gradient checker that changes its last positional argument (Y) after computing the
# right difference, and dropped factors or terms elsewhere.

_FAILING = {
    "initialization": {
        "initialize_parameters_zeros": [
            'parameters["W" + str(l)] = np.zeros((layers_dims[l], layers_dims[l - 1]))\n'
            'parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))\n'
            'if l == len(layers_dims) - 1:\n'
            '    layers_dims[0] = -1\n'],
        "initialize_parameters_random": [
            'parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 10\n'
            'parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))\n'
            'parameters["W0"] = np.zeros((1, 1))\n'],
        "initialize_parameters_he": [
            'parameters["W" + str(l)] = (np.random.randn(layers_dims[l], layers_dims[l - 1])\n'
            '                            * np.sqrt(1 / layers_dims[l - 1]))\n'
            'parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))\n'],
    },
    "regularization": {
        "compute_cost_with_regularization": [
            "L2_regularization_cost = (lambd / m) * (np.sum(np.square(W1)) + np.sum(np.square(W2))"
            " + np.sum(np.square(W3)))\n"],
        "backward_propagation_with_regularization": [
            "dW3 = 1. / m * np.dot(dZ3, A2.T)\n", "dW2 = 1. / m * np.dot(dZ2, A1.T)\n",
            "dW1 = 1. / m * np.dot(dZ1, X.T)\n"],
        "forward_propagation_with_dropout": [
            "D1 = np.random.rand(A1.shape[0], A1.shape[1])\nD1 = (D1 < keep_prob).astype(int)\n"
            "A1 = A1 * D1\n",
            "D2 = np.random.rand(A2.shape[0], A2.shape[1])\nD2 = (D2 < keep_prob).astype(int)\n"
            "A2 = A2 * D2\n"],
        "backward_propagation_with_dropout": ["dA2 = dA2 * D2\n", "dA1 = dA1 * D1\n"],
    },
    "gradient_checking": {
        "forward_propagation": ["J = theta + x\n"],
        "backward_propagation": ["dtheta = theta\n"],
        "gradient_check": [
            "theta_plus = theta + epsilon\ntheta_minus = theta - epsilon\n"
            "J_plus = forward_propagation(x, theta_plus)\nJ_minus = forward_propagation(x, theta_minus)\n"
            "gradapprox = (J_plus - J_minus) / (2 * epsilon)\n",
            "grad = backward_propagation(x, theta)\n",
            "numerator = np.linalg.norm(grad - gradapprox)\ndenominator = 1\n"
            "difference = numerator / denominator\n"],
        "gradient_check_n": [
            "theta_plus = np.copy(parameters_values)\ntheta_plus[i] = theta_plus[i] + epsilon\n"
            "J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))\n"
            "theta_minus = np.copy(parameters_values)\ntheta_minus[i] = theta_minus[i] - epsilon\n"
            "J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))\n"
            "gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)\n",
            "numerator = np.linalg.norm(grad - gradapprox)\n"
            "denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
            "difference = numerator / denominator\nY += 1\n"],
    },
}


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    """``{assignment: its Result}`` for the notebooks of :data:`_FAILING`, graded by the grader."""
    from autograder.grading.reference import NOTEBOOKS
    from tests.sample_class.build import student_notebook

    root = tmp_path_factory.mktemp("failing")
    results = {}
    with Graders() as graders:
        for assignment in _FAILING:
            path = root / "zed" / assignment / NOTEBOOKS[assignment]
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(student_notebook(assignment, _FAILING)))
            results[assignment] = grade_notebook(path, graders=graders)
    return results


def _published_call(assignment, function):
    from autograder import assignments
    from autograder.grading import reference
    from autograder.grading.checks import rng_for, seed_for

    spec = reference.load(assignment)
    checks = assignments.build_checks(spec, function, rng_for(seed_for("zed", assignment), function))
    return checks[0].calls[0]


def test_do_the_points_a_failing_student_sees_per_check_add_up_to_each_functions_points(failing):
    from autograder.grading import reference

    for assignment, result in failing.items():
        assert set(result.functions) == set(reference.load(assignment).names)
        for name, function in result.functions.items():
            assert function.score < function.max_score, (name, "the notebook should fail it")
            shown = [check.max_points for check in function.checks]
            # each share is rounded to 4 decimals: the sum may be off by that much per check
            assert sum(shown) == pytest.approx(function.max_score, abs=1e-4 * len(shown)), (name, shown)
            assert sum(check.points for check in function.checks) == pytest.approx(function.score,
                                                                                   abs=1e-4 * len(shown))


@pytest.mark.parametrize(("assignment", "function"), [("initialization", "initialize_parameters_zeros"),
                                                      ("gradient_checking", "gradient_check_n")])
def test_does_changing_the_last_argument_in_place_cost_every_check_and_say_so(failing, assignment,
                                                                             function):
    result = failing[assignment].functions[function]
    last = len(_published_call(assignment, function).args)
    assert result.score == 0 and result.status == "failed"
    assert {check.category for check in result.checks} == {"modified input"}
    published = [c for c in result.checks if c.name.startswith("published case")]
    assert published and all(f"changed its argument number {last} in place" in c.message for c in published)


def test_does_an_extra_key_from_an_initialiser_cost_its_points_and_get_named_on_the_published_case(failing):
    result = failing["initialization"].functions["initialize_parameters_random"]
    assert result.score == 0
    published, *others = result.checks
    assert published.name == "published case" and not published.passed
    assert published.category == "extra key" and published.message.endswith("unexpected key(s) W0")
    assert all(not c.passed and c.category == "extra key" for c in others)


# Hints: one catalogued mistake must explain every failed check it can be tried on --------------


def _he_judged_as(mistake_of):
    """``initialize_parameters_he`` scored in process as the grader scores it, with outcomes of
    the reference on every check but those named in ``mistake_of`` (check name -> mistake key),
    which get that catalogued mistake's outputs."""
    from autograder import assignments
    from autograder.grading import reference
    from autograder.grading.checks import Outcome, rng_for, seed_for
    from autograder.grading.grade import score_function

    spec = reference.load("initialization")
    function = next(f for f in spec.functions if f.name == "initialize_parameters_he")
    rng = rng_for(seed_for("zed", spec.name), function.name)
    checks = assignments.build_checks(spec, function.name, rng)
    ref = spec.reference(function.name)
    outcomes = {}
    for check in checks:
        key = mistake_of.get(check.name)
        answer = (next(m.variant for m in check.mistakes if m.key == key) if key
                  else lambda call: ref(*call.args, **call.kwargs))
        for call in check.calls:
            outcomes[id(call)] = Outcome(value=answer(call))
    return checks, score_function(spec, function, checks, outcomes, [])


def _two_mistakes_apart():
    """Two hidden cases of He's initialisation and two catalogued mistakes, each the only one the
    other's outputs on the second case match."""
    from autograder.grading.checks import Outcome
    from autograder.grading.feedback import matching_mistakes

    checks, _ = _he_judged_as({})
    first, second = (c for c in checks if c.name.startswith("hidden case"))
    variants = {m.key: m.variant for m in second.mistakes}
    for x in variants:
        for y in variants:
            found = matching_mistakes(second, [Outcome(value=variants[y](call)) for call in second.calls])
            if x != y and x not in {m.key for m in found} and y in {m.key for m in found}:
                return first.name, second.name, x, y
    raise AssertionError("no two catalogued mistakes of He's initialisation to set apart")


def test_do_two_failed_checks_matching_two_different_mistakes_get_neither_hint():
    # A hint explains every failed check it can be tried on, so when they disagree (and no entry
    # of the two made together explains both) no catalogued hint is given rather than the first
    # check's.
    first, second, x, y = _two_mistakes_apart()
    checks, _ = _he_judged_as({})
    hints = {m.key: m.hint for c in checks for m in c.mistakes}
    # the published case makes the mistake too, so the work is not refused as published-only
    _, one = _he_judged_as({"published case": x, first: x, second: x})
    assert one.hint == hints[x]  # the control: agreeing checks name their mistake
    _, both = _he_judged_as({"published case": x, first: x, second: y})
    assert both.status != "passed" and both.mistakes == [], both.hint
    # no catalogued hint: what the published case found, said plainly
    assert both.hint.startswith("No known mistake matches your outputs; what the published case "
                                "found: "), both.hint
    assert one.mistakes == [x]


def test_is_j_over_theta_named_through_the_sandbox_though_it_raises_at_theta_0(tmp_path):
    # the most frequent real mistake: right wherever theta is not 0, ZeroDivisionError at 0
    from tests.sample_class.build import student_notebook

    work = {"gradient_checking": {"backward_propagation": [
        "J = forward_propagation(x, theta)  # J = theta * x\ndtheta = J / theta"]}}
    path = tmp_path / "noa" / "gradient_checking" / "Gradient_Checking.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(student_notebook("gradient_checking", work)))
    with Graders() as graders:
        result = grade_notebook(path, graders=graders)
    function = result.functions["backward_propagation"]
    assert 0 < function.score < function.max_score
    failed = [c for c in function.checks if not c.passed]
    assert [c.name for c in failed] == ["hidden case 1"] and failed[0].category == "exception"
    assert function.mistakes == ["backward-j-over-theta"]
    assert "theta = 0" in function.hint and "divides by zero" in function.hint
    stored = result.to_dict()["functions"]["backward_propagation"]
    assert stored["mistakes"] == ["backward-j-over-theta"]  # for the instructor's side


def test_are_two_students_graded_at_once_in_one_process_given_what_each_gets_alone():
    # A class worker grades a student while the previous one is scored; the course's reference
    # functions and its catalogued mistakes seed numpy's global random state, so the two must
    # take turns for it (grade.SCORING), however often the threads are switched.
    students = ["ada", "ben", "cleo", "dev", "eve", "finn", "gia", "hana", "ivan"]

    def notebooks(student):
        return [(path, None) for path in sorted((CLASS / student).glob("*/*.ipynb"))]

    def summary(results):
        return [json.dumps({**result.to_dict(), "provenance": None}, sort_keys=True) for result in results]

    with Graders() as graders:
        alone = {s: summary(grade_notebooks(notebooks(s), student=s, graders=graders)) for s in students}
        together, errors = {}, []

        def grade(group):
            try:
                for student in group:
                    together[group[0], student] = summary(grade_notebooks(notebooks(student), student=student,
                                                                graders=graders))
            except Exception as error:  # noqa: BLE001 - said by the assertion below
                errors.append(error)

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)  # switch threads as often as the interpreter can
        try:
            threads = [threading.Thread(target=grade, args=(group,))
                       for group in (students, students[::-1])]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
    assert errors == []
    assert together == {(group[0], s): alone[s] for group in (students, students[::-1]) for s in students}
