"""Is the closed vocabulary of hidden cases complete, closed, and stated as it is?

In-process: every hidden check says an entry of its function's catalogue whatever the problem's
own words; each check's name and description are the same for every student; every finding a
check gives belongs to its function; every catalogued hint is in its function's catalogue; the
README's bound is the one :func:`autograder.grading.vocabulary.bits` computes.
"""

import copy
import re
from pathlib import Path

import numpy as np
import pytest

from autograder import assignments
from autograder.grading import feedback, reference, vocabulary
from autograder.grading.checks import Outcome, code_key, judge, rng_for, seed_for
from utils.checks import Problem

ROOT = Path(__file__).resolve().parents[3]
CASES = [(a, f.name) for a in reference.NOTEBOOKS for f in reference.load(a).functions]
STUDENTS = [f"student-{i}" for i in range(12)]


def _checks(assignment, function, student, code=None):
    spec = reference.load(assignment)
    return spec, assignments.build_checks(spec, function, rng_for(seed_for(student, assignment), function,
                                                                  code))


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_is_every_hidden_check_named_and_described_alike_for_every_student(assignment, function):
    found = vocabulary.catalogue(assignment, function)
    assert found.checks and all(found.checks.values()), found.checks  # every check has its role
    for student in STUDENTS:
        for code in (None, code_key(f"# {student}")):
            _, checks = _checks(assignment, function, student, code)
            assert {c.name: c.describe for c in checks if not c.fixed_inputs} == found.checks


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_does_a_hidden_check_say_its_entry_whatever_the_problems_own_words(assignment, function):
    _, checks = _checks(assignment, function, "alice")
    found = vocabulary.catalogue(assignment, function)
    own = Problem("wrong shape", "parameters['LEAK_5_6_4_1'] has shape (0, 123456789); expected (7, 5)")
    for check in checks:
        category, line = feedback.shown(assignment, function, check, own)
        if check.fixed_inputs:
            assert "LEAK_5_6_4_1" in line and "(0, 123456789)" in line  # the published case says it all
        else:
            assert (category, line) == ("wrong shape", vocabulary.line(
                check.name, check.describe, vocabulary.GENERAL["wrong-shape"].text))
            assert line in found.lines(check.name)


def test_is_a_finding_of_another_function_said_as_its_category():
    mask = vocabulary.problem("keep-share")
    assert vocabulary.entry_for("forward_propagation_with_dropout", mask).key == "keep-share"
    assert vocabulary.entry_for("gradient_check", mask) == vocabulary.GENERAL["wrong-values"]
    unknown = Problem("a category of nobody's", "LEAK")
    assert vocabulary.entry_for("gradient_check", unknown) == vocabulary.GENERAL["wrong-values"]


def test_has_each_category_one_sentence_and_is_every_entry_key_unique():
    categories = [entry.category for entry in vocabulary.GENERAL.values()]
    assert len(categories) == len(set(categories))
    for status in feedback.STATUS_TEXT.values():  # what a job that did not finish is said as
        assert status[0] in vocabulary.BY_CATEGORY
    tables = (vocabulary.GENERAL, vocabulary.REFUSALS, vocabulary.FINDINGS, vocabulary.ADVICE)
    assert sum(len(t) for t in tables) == len(vocabulary.ENTRIES)
    texts = [entry.text for entry in vocabulary.ENTRIES.values()]
    assert len(texts) == len(set(texts))
    listed = {key for keys in (*vocabulary.FINDINGS_OF.values(), *vocabulary.ADVICE_OF.values())
              for key in keys}
    assert listed == set(vocabulary.FINDINGS) | set(vocabulary.ADVICE)


@pytest.mark.parametrize("module", sorted(assignments.BUILDERS))
def test_does_every_finding_an_assignment_gives_belong_to_one_of_its_functions(module):
    source = (ROOT / "autograder" / "assignments" / f"{module}.py").read_text()
    used = set(re.findall(r"vocabulary\.problem\(\s*\"([^\"]+)\"", source))
    used |= set(re.findall(r"_spread\([^)]*?\"([a-z-]+)\"\)", source))
    functions = assignments.BUILDERS[module]
    allowed = {key for f in functions
               for key in vocabulary.FINDINGS_OF.get(f, ()) + vocabulary.ADVICE_OF.get(f, ())}
    assert used and used <= allowed | set(vocabulary.GENERAL), used - allowed


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_is_every_finding_a_catalogued_mistake_meets_one_of_its_functions(assignment, function):
    spec, checks = _checks(assignment, function, "alice")
    allowed = set(vocabulary.FINDINGS_OF.get(function, ())) | set(vocabulary.ADVICE_OF.get(function, ()))
    allowed |= set(vocabulary.GENERAL) | set(vocabulary.REFUSALS)
    variants = {m.key: m.variant for check in checks for m in check.mistakes}
    for check in checks:
        solution = spec.reference(function, check.stand_ins)
        expected = [solution(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in check.calls]
        for variant in variants.values():
            try:
                outcomes = [Outcome(value=variant(copy.deepcopy(call))) for call in check.calls]
            except Exception:  # a variant that does not apply to these inputs
                continue
            problem = judge(check, outcomes, expected)
            assert getattr(problem, "entry", None) in allowed | {None}, (check.name, problem.entry)


@pytest.mark.parametrize(("assignment", "function"), CASES)
def test_is_every_catalogued_hint_in_its_functions_catalogue(assignment, function):
    hints = set(vocabulary.catalogue(assignment, function).hints)
    for student in STUDENTS[:4]:
        spec, checks = _checks(assignment, function, student)
        for source in ("", "theta_minus = theta - epsilon"):  # fitted both ways (gradient_check)
            fitted = assignments.fit_to_code(spec, function, checks, source)
            for check in fitted:
                for mistake in check.mistakes:
                    shown = vocabulary.RECOMMENDATION + mistake.hint if check.advisory else mistake.hint
                    assert shown in hints, (check.name, mistake.key)


ROW = re.compile(r"^\| `(\w+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([\d.]+) \|$", re.M)


def test_is_the_bound_the_readme_states_the_one_the_catalogue_gives():
    readme = (ROOT / "README.md").read_text()
    stated = {m[0]: m[1:] for m in ROW.findall(readme)}
    assert set(stated) == {function for _, function in CASES}
    for assignment, function in CASES:
        found = vocabulary.catalogue(assignment, function)
        computed = (len(found.scored), 1 + len(found.entries), 1 + len(found.refusals),
                    1 + len(found.hints))
        assert tuple(int(n) for n in stated[function][:4]) == computed, function
        assert float(stated[function][4]) == round(vocabulary.bits(assignment, function), 1), function
    totals = [round(sum(vocabulary.bits(a, f.name) for f in reference.load(a).functions))
              for a in ("initialization", "regularization", "gradient_checking")]
    said = " ".join(("at most {} bits for an Initialization notebook, {} for Regularization and {} for\n"
                     "Gradient Checking").format(*totals).split())
    assert said in " ".join(readme.split())


def test_does_the_catalogue_leave_numpys_random_state_as_it_was():
    vocabulary.catalogue.cache_clear()
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    vocabulary.catalogue("regularization", "forward_propagation_with_dropout")
    assert np.array_equal(np.random.get_state()[1], before)


def test_does_a_problem_made_from_an_entry_say_the_entrys_sentence_unless_given_its_own():
    for key, entry in vocabulary.ENTRIES.items():
        said = vocabulary.problem(key)
        assert (str(said), said.category, said.entry) == (entry.text, entry.category, key)
    own = vocabulary.problem("keep-share", "mask keeps 0.31 of the units")  # a published case's words
    assert (str(own), own.category, own.entry) == ("mask keeps 0.31 of the units",
                                                   vocabulary.ENTRIES["keep-share"].category, "keep-share")


def test_does_a_refusal_or_a_functions_advice_say_itself_rather_than_its_category():
    for key in vocabulary.REFUSALS:
        assert vocabulary.entry_for("gradient_check", vocabulary.problem(key)) == vocabulary.REFUSALS[key]
    for function, keys in vocabulary.ADVICE_OF.items():
        for key in keys:
            assert vocabulary.entry_for(function, vocabulary.problem(key)) == vocabulary.ADVICE[key]
    assert vocabulary.entry_for("anything", "a bare sentence") == vocabulary.GENERAL["wrong-values"]


def test_is_a_checks_line_its_name_its_role_in_brackets_when_it_has_one_and_the_sentence():
    said = vocabulary.line("hidden case 1", "deeper network", "wrong")
    assert said == "hidden case 1 [deeper network]: wrong"
    assert vocabulary.line("hidden case 1", "", "wrong") == "hidden case 1: wrong"
    found = vocabulary.Catalogue(checks={"hidden case 1": "deeper network"}, scored=("hidden case 1",),
                                 entries=(vocabulary.GENERAL["wrong-values"],), refusals=(), hints=())
    text = vocabulary.GENERAL["wrong-values"].text
    assert found.lines("hidden case 1") == {f"hidden case 1 [deeper network]: {text}"}
    assert found.lines("hidden case 2") == {f"hidden case 2: {text}"}  # no role recorded: none shown
