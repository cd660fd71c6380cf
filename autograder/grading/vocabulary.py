"""The closed vocabulary of hidden cases: every sentence a student can read about a check that
ran after hidden inputs reached the job.

A check on the notebook's own inputs (a published case) says exactly what is wrong: the key,
the shape, the expected and the obtained values, the exception's message and line. Any other
check (a hidden case, a property check, an advice-only check: their inputs reach the job only
after the published cases' results are back, and from then on anything the job does may depend
on them) says one **entry** of this catalogue and nothing else: its name and description, as
built for every student alike, and a fixed sentence. Nothing the student's code produced (a
dict key, a shape, an index, a dtype, an exception's class or message, a count, the size of an
error) and no number derived from the hidden inputs or the expected values is ever part of it.

The entries:

- :data:`GENERAL`, one per category: what any failure of that kind says;
- :data:`FINDINGS`, the mistakes the grader's own computation of a property check names (the
  cost does not grow with ``lambd``, a mask keeps the wrong share of the units, ...), each
  listed for the functions whose checks may give it (:data:`FINDINGS_OF`);
- :data:`REFUSALS`, why passed checks earn nothing (:func:`autograder.grading.checks.unearned`);
- :data:`ADVICE`, what an advice-only check recommends (:data:`ADVICE_OF`);
- the hints of the catalogue of known mistakes (:mod:`utils.mistakes`), given as the
  function's hint when the student's outputs match one on every failed check.

:func:`autograder.grading.feedback.said` is where a check's problem becomes what the student reads; on a
check that is not a published case it renders an entry from here. :func:`bits` bounds what one
submission can learn of its hidden inputs from all of it (see the README's security model).
"""

import functools
import math
from dataclasses import dataclass

from utils.checks import Problem

#: What the function's hint line says before an advice-only check's recommendation.
RECOMMENDATION = "Recommendation (no points lost): "


@dataclass(frozen=True)
class Entry:
    """One sentence of the catalogue: its ``key``, the ``category`` shown with it, its ``text``."""

    key: str
    category: str
    text: str


def _entries(*rows):
    return {key: Entry(key, category, text) for key, category, text in rows}


#: One entry per category: what any failure of that kind says on a hidden case.
GENERAL = _entries(
    ("not-written", "missing", "the function is not written yet: it still raises NotImplementedError"),
    ("missing-key", "missing key", "the returned dict lacks a key it should have"),
    ("extra-key", "extra key", "the returned dict has a key it should not have"),
    ("wrong-type", "wrong type", "the returned value, or a part of it, is not of the type expected "
                                 "(or not one the grader can read)"),
    ("wrong-shape", "wrong shape", "an array has the wrong shape"),
    ("wrong-values", "wrong value", "the values are wrong"),
    ("not-finite", "NaN/inf", "NaN or infinity where a finite number is expected"),
    ("exception", "exception", "raised an exception"),
    ("changed-input", "modified input", "the function changed an argument in place; work on a copy "
                                        "(np.copy) instead"),
    ("too-slow", "timeout", "did not finish in time; look for an endless loop or a very slow "
                            "computation"),
    ("out-of-memory", "memory", "used too much memory"),
    ("crashed", "crash", "the process running your code stopped (an exit, a signal or far too much "
                         "output); do not call exit functions or send signals in graded code"),
)
BY_CATEGORY = {entry.category: entry for entry in GENERAL.values()}

#: Why passed checks earn nothing (:func:`autograder.grading.checks.unearned`): said in place of every
#: check's message, and as the function's hint when it has no other.
REFUSALS = _entries(
    ("constant-output", "wrong value", "the function returns the same value whatever its inputs, "
                                       "so no check counts"),
    ("never-flags", "wrong value", "the difference it returns stays tiny even when the gradient it "
                                   "is given is wrong, so it does not compare the two gradients; no "
                                   "check counts"),
    ("published-only", "wrong value", "only the published cases pass, and their expected values are "
                                      "shown in the notebook; the function must also work on other "
                                      "inputs for them to count"),
)

#: Mistakes the grader's own computation names on a check without a published counterpart.
FINDINGS = _entries(
    # Initialization
    ("not-float", "wrong type", "the weights and biases must be floats (np.zeros gives float64), "
                                "not integers"),
    ("biases-not-zero", "wrong value", "the biases should be zeros"),
    ("spread-random", "wrong value", "the weights' standard deviation is not 10, what randn * 10 "
                                     "gives"),
    ("spread-he", "wrong value", "the weights' standard deviation is not sqrt(2 / n_prev), what He "
                                 "initialisation gives (n_prev: the size of the previous layer)"),
    # Regularization
    ("l2-not-growing", "wrong value", "the cost does not grow when lambd grows"),
    ("l2-term", "wrong value", "the L2 term, cost(lambd) - cost(0), is not (1/m) * (lambd/2) * the "
                               "sum of the squared weights"),
    ("l2-gradient-term", "wrong value", "the L2 term of the weights' gradients, dW(lambd) - dW(0), "
                                        "is not (lambd/m) * W"),
    ("z-not-chained", "wrong value", "a Z in the cache is not W times the previous layer's "
                                     "activations (after dropout) plus b, for the inputs given"),
    ("mask-not-binary", "wrong value", "the masks D1 and D2 should hold only 0s and 1s "
                                       "(or False/True)"),
    ("keep-share", "wrong value", "a mask keeps a share of the units far from the share keep_prob "
                                  "asks for"),
    ("not-rescaled", "wrong value", "A1 and A2 should be relu(Z) * D / keep_prob (shut the dropped "
                                    "units, rescale the kept ones)"),
    ("a3-not-sigmoid", "wrong value", "the A3 returned should be sigmoid(Z3), the A3 of the cache"),
    ("dropped-get-gradient", "wrong value", "dA1 and dA2 should be 0 for the units dropped in the "
                                            "forward pass"),
    ("kept-not-rescaled", "wrong value", "dA1 and dA2 of the kept units should be scaled by "
                                         "1/keep_prob"),
    # Gradient Checking
    ("difference-negative", "wrong value", "the difference is negative; it is a ratio of norms, so "
                                           "it cannot be below 0"),
    ("difference-not-noise", "wrong value", "the backward pass given here is correct, so the "
                                            "difference should be rounding error only (about 1e-10 "
                                            "or less)"),
    ("planted-missed", "wrong value", "the backward pass given here is wrong, but the difference is "
                                      "tiny: the check did not notice"),
    ("planted-missed-n", "wrong value", "the gradients given here are wrong, but the difference is "
                                        "tiny: the check did not notice"),
    ("centred-error", "wrong value", "the gradients given here are correct, but the cost is curved: "
                                     "the difference should be the centred difference's own small "
                                     "error, which grows with epsilon squared"),
)

#: The findings each function's checks may give (any other finding is said as its category).
FINDINGS_OF = {
    "initialize_parameters_zeros": ("not-float",),
    "initialize_parameters_random": ("biases-not-zero", "spread-random"),
    "initialize_parameters_he": ("biases-not-zero", "spread-he"),
    "compute_cost_with_regularization": ("l2-not-growing", "l2-term"),
    "backward_propagation_with_regularization": ("l2-gradient-term",),
    "forward_propagation_with_dropout": ("z-not-chained", "mask-not-binary", "keep-share",
                                         "not-rescaled", "a3-not-sigmoid"),
    "backward_propagation_with_dropout": ("dropped-get-gradient", "kept-not-rescaled"),
    "gradient_check": ("difference-negative", "difference-not-noise", "planted-missed"),
    "gradient_check_n": ("planted-missed-n", "centred-error"),
}

#: What an advice-only check recommends (the function's hint, after :data:`RECOMMENDATION`).
ADVICE = _entries(
    ("masks-not-arrays", "advice", "the masks D1 and D2 in the cache are Python lists or tuples, not "
                                   "numpy arrays: the course's backward pass works on them, but an "
                                   "array is what the cache is expected to hold, e.g. "
                                   "(np.random.rand(...) < keep_prob).astype(int)"),
    ("computes-j-itself", "advice", "your gradient_check computes J itself (as theta * x) instead "
                                    "of calling forward_propagation: right for this assignment, but "
                                    "it checks no other cost; call forward_propagation(x, theta_plus) "
                                    "and forward_propagation(x, theta_minus)"),
    ("forward-arguments-swapped", "advice", "your gradient_check calls forward_propagation with "
                                            "its arguments swapped (theta first, then x): right "
                                            "for J = theta * x, which is symmetric, but not for "
                                            "another cost; call forward_propagation(x, theta_plus) "
                                            "and forward_propagation(x, theta_minus)"),
    ("other-cost", "advice", "your gradient_check gives a wrong difference for a cost other than "
                             "theta * x (a cubic one); check that J_plus and J_minus come from "
                             "forward_propagation(x, theta_plus) and forward_propagation(x, "
                             "theta_minus)"),
)
ADVICE_OF = {
    "forward_propagation_with_dropout": ("masks-not-arrays",),
    "gradient_check": ("computes-j-itself", "forward-arguments-swapped", "other-cost"),
}

ENTRIES = {**GENERAL, **REFUSALS, **FINDINGS, **ADVICE}


def problem(key, text=None):
    """A :class:`utils.checks.Problem` of the entry ``key``: ``text`` (the specific sentence, for
    a published case) or the entry's own, tagged with the key so that any other check says the
    entry."""
    entry = ENTRIES[key]
    found = Problem(entry.category, entry.text if text is None else text)
    found.entry = key
    return found


def entry_for(function, found):
    """The entry a problem of ``function`` is said as on a check that is not a published case:
    its own (a finding, refusal or advice of that function), else its category's; a category
    the catalogue does not know is said as wrong values."""
    key = getattr(found, "entry", None)
    if key in GENERAL or key in REFUSALS:
        return ENTRIES[key]
    if key in FINDINGS_OF.get(function, ()) or key in ADVICE_OF.get(function, ()):
        return ENTRIES[key]
    return BY_CATEGORY.get(getattr(found, "category", None), GENERAL["wrong-values"])


def line(name, describe, text):
    """One check's line as the student reads it: ``name [describe]: text``."""
    about = f" [{describe}]" if describe else ""
    return f"{name}{about}: {text}"


# The catalogue of one graded function ----------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """What a function's checks that are not published cases can say.

    ``checks``: ``{name: description}`` of those checks, as built for every student (a
    description that differs between two draws is left out); ``scored``: the names of those
    that count (not advice only); ``entries``: what one of them says when it fails; ``refusals``;
    ``hints``: what the function's hint line can say (each catalogued hint, each recommendation).
    """

    checks: dict
    scored: tuple
    entries: tuple
    refusals: tuple
    hints: tuple

    def lines(self, name):
        """Every line the check ``name`` can show when it fails (its entries and the refusals)."""
        describe = self.checks.get(name, "")
        return {line(name, describe, entry.text) for entry in self.entries + self.refusals}


def _built(spec, function, seed):
    import numpy as np

    from autograder import assignments

    state = np.random.get_state()  # a reference may seed numpy's global generator
    try:
        return assignments.build_checks(spec, function, np.random.default_rng(seed))
    finally:
        np.random.set_state(state)


@functools.cache
def catalogue(assignment, function):
    """The :class:`Catalogue` of ``function`` in ``assignment`` (built once per process, from
    the checks as two students' draws give them)."""
    from autograder import assignments
    from autograder.grading import reference

    spec = reference.load(assignment)
    first, second = _built(spec, function, 0), _built(spec, function, 1)
    others = {c.name: c.describe for c in second if not c.fixed_inputs}
    checks = {c.name: (c.describe if others.get(c.name) == c.describe else "")
              for c in first if not c.fixed_inputs and c.name in others}
    scored = tuple(c.name for c in first if not c.fixed_inputs and not c.advisory)
    fit = assignments.FITS[assignment].get(function)
    variants = [first] + ([fit(first, "")] if fit else [])  # "": code that shows no centred difference
    hints = {m.hint: None for checks_ in variants for c in checks_ if not c.advisory for m in c.mistakes}
    advice = [ENTRIES[key].text for key in ADVICE_OF.get(function, ())]
    advice += [m.hint for checks_ in variants for c in checks_ if c.advisory for m in c.mistakes]
    if any(c.advisory for c in first):  # an advice-only check that fails another way says its category
        advice += [entry.text for entry in GENERAL.values()]
    hints.update((RECOMMENDATION + text, None) for text in advice)
    refusals = ["constant-output"]
    if any(c.planted for c in first):
        refusals.append("never-flags")
    if any(c.fixed_inputs for c in first) and any(c.name.startswith("hidden case") for c in first):
        refusals.append("published-only")
    entries = tuple(GENERAL.values()) + tuple(FINDINGS[k] for k in FINDINGS_OF.get(function, ()))
    return Catalogue(checks, scored, entries, tuple(REFUSALS[k] for k in refusals), tuple(hints))


def bits(assignment, function):
    """The most bits one submission can learn of its hidden inputs from ``function``'s feedback.

    Every check that counts and is not a published case shows one of ``1 + len(entries)`` lines
    (passed, or one entry); the refusal, if any, one of ``1 + len(refusals)``; the hint line one of
    ``1 + len(hints)``. The score, the status and the published cases' lines follow from these and
    from the published cases' own results, which the job wrote before any hidden input reached it.
    Whatever else the hint line may hold (a note on the signature, numpy 2 advice from a published
    case) follows from the code alone.
    """
    found = catalogue(assignment, function)
    return (len(found.scored) * math.log2(1 + len(found.entries)) + math.log2(1 + len(found.refusals))
            + math.log2(1 + len(found.hints)))
