"""The grading pipeline for one notebook: extract -> run in sandbox -> check -> feedback -> result.

:func:`grade_notebook` is the pure core the CLI and the class grader call.
Student code only ever runs inside a :class:`autograder.sandbox.Sandbox`
worker; this process reads back plain JSON (:mod:`autograder.sandbox.wire`) and
compares it with reference outputs computed here from the source notebook.
"""

import copy
import hashlib
import platform
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import autograder
from autograder import assignments
from autograder.grading import feedback, reference
from autograder.grading.checks import DRAW_SCHEME, Outcome, code_key, judge, rng_for, seed_for, unearned
from autograder.grading.context import EMPTY, Context, NotebookContext
from autograder.grading.extract import NotebookError, NotebookFile, extract
from autograder.grading.result import CheckResult, FunctionResult, Result, rounded
from autograder.sandbox import SandboxError, wire

#: Modules each worker imports once before forking, so every job starts warm (numpy 2 imports
#: ``numpy.random`` only on first use: a job would pay for that import every time).
PRELOAD = ("numpy", "numpy.random")
FACES = {"initialization": ("init_utils", "public_tests"),
         "regularization": ("reg_utils", "testCases", "public_tests"),
         "gradient_checking": ("gc_utils", "testCases", "public_tests")}


#: Held while a notebook is read and its checks drawn, and while it is scored: both use numpy's
#: global random state (the course's reference functions seed it), so a worker that grades two
#: students at once (one scored while the other's jobs run) does one of these at a time.
SCORING = threading.RLock()


class Graders:
    """One sandbox per assignment, started on first use and reused for every notebook."""

    def __init__(self, layer=None, limits=None):
        self.layer, self.limits, self._sandboxes = layer, limits, {}
        # each notebook's jobs wait in a thread of their own: those of two students at once (a
        # class worker grades the next one while this one's jobs run)
        self.threads = ThreadPoolExecutor(max_workers=2 * len(reference.NOTEBOOKS),
                                          thread_name_prefix="sandbox-io")

    def sandbox(self, assignment):
        """The sandbox of ``assignment``, started here (in the thread that keeps it)."""
        if assignment.name not in self._sandboxes:
            from autograder.sandbox import Limits, open_sandbox

            self._sandboxes[assignment.name] = open_sandbox(
                assignment.release_dir, preload=PRELOAD + FACES[assignment.name], layer=self.layer,
                limits=self.limits or Limits(), setup=assignment.sandbox_setup)
        return self._sandboxes[assignment.name]

    def start_all(self):
        """Start the sandbox of every assignment now, in this thread, and load the reference
        functions (a class worker does so before its first student, so that no student's time
        includes a start-up)."""
        for name in reference.NOTEBOOKS:
            spec = reference.load(name)
            self.sandbox(spec)
            for function in spec.functions:
                spec.reference(function.name)

    def close(self):
        self.threads.shutdown(wait=True)
        for sandbox in self._sandboxes.values():
            sandbox.close()
        self._sandboxes.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def grade_notebook(path, assignment=None, student=None, secret="", graders=None):
    """Grade the notebook at ``path``; always returns a :class:`Result`.

    ``assignment`` is inferred from the notebook when ``None``; ``student``
    defaults to the file's stem. Raises only :class:`reference.UnknownAssignment`
    (a usage error) and ``FileNotFoundError``.
    """
    return grade_notebooks([(path, assignment)], student, secret, graders)[0]


def grade_notebooks(notebooks, student=None, secret="", graders=None):
    """Grade ``[(path, assignment or None), ...]`` of one student; returns their results in order.

    A path may also be a :class:`autograder.grading.extract.NotebookFile` (a notebook read
    elsewhere); then ``student`` should be given.

    The sandbox jobs of the notebooks run side by side (each assignment has its
    own worker), each notebook's as soon as it is read; extraction and the comparisons
    with the reference stay in the calling thread, each notebook scored as soon as its
    jobs are done.
    """
    own = graders is None
    graders = graders or Graders()
    try:
        pending, running = [], {}
        for path, assignment in notebooks:  # each notebook's jobs start as soon as it is read
            with SCORING:
                notebook = _guarded(_Pending.open, (path, assignment, student, secret, graders),
                                    _Pending.broken(path, assignment, student, secret))
            pending.append(notebook)
            if notebook.units and len(notebooks) > 1:
                running[graders.threads.submit(notebook.run_guarded)] = notebook
            elif notebook.units:
                notebook.run_guarded()
        done = {}
        for future in as_completed(running):  # scored as their jobs finish, while others run
            future.result()
            with SCORING:
                done[id(running[future])] = _guarded(running[future].finish, (), running[future].failed)
        with SCORING:
            return [done.get(id(p)) or _guarded(p.finish, (), p.failed) for p in pending]
    finally:
        if own:
            graders.close()


#: Errors that are the grader's own setting, not the notebook's: they stop the run.
FATAL = (reference.UnknownAssignment, FileNotFoundError, SandboxError)
#: The categories of a call that did not finish: the machine's load can decide them.
_UNFINISHED = ("timeout", "memory", "crash")


def _guarded(step, args, on_error):
    """``step(*args)``; any failure caused by the notebook becomes ``on_error(reason)``, so a
    notebook only ever costs its own points and the grader never stops on an input."""
    try:
        return step(*args)
    except FATAL:
        raise
    except (Exception, RecursionError) as error:  # noqa: BLE001 - the notebook's own error
        return on_error(f"the grader could not process this notebook ({type(error).__name__}); "
                        "it was given no points for it: ask the instructor to look at it")


class _Pending:
    """One notebook on its way through the pipeline: prepared, then run, then scored."""

    def __init__(self, spec, student, seed, started, result=None):
        self.spec, self.student, self.seed, self.started = spec, student, seed, started
        self.result, self.functions, self.units, self.hashes = result, {}, [], {}
        self.draw_keys = {}  # function -> the code key of its hidden draw (see checks.code_key)
        self.found = None
        self.sandbox, self.outcomes, self.error, self.warm = None, {}, None, None

    @classmethod
    def open(cls, path, assignment, student, secret, graders):
        started = time.perf_counter()
        if isinstance(path, NotebookFile):
            file = path
        else:
            path = Path(path)
            if not path.is_file():
                raise FileNotFoundError(f"no such notebook: {path}")
            student = student or _student_of(path)
            file = NotebookFile.read(path)
        student = student or Path(file.name).stem
        try:
            notebook = file.notebook()
            name = assignment or reference.infer_assignment(notebook) or assignment_of_file_name(file.name)
            if name is None:
                raise NotebookError("no graded function of any known assignment was found in it")
        except NotebookError as error:
            name = assignment or assignment_of_file_name(file.name)
            if name is None:
                return cls(None, student, None, started, Result(
                    "unknown", student, 0.0, 0.0, {}, error=str(error),
                    provenance=_provenance(None, None, {}, None)))
            return cls(None, student, None, started, _empty(reference.load(name), student, str(error),
                                                            secret))
        spec = reference.load(name)
        pending = cls(spec, student, seed_for(student, spec.name, secret), started)
        pending.prepare(notebook, graders)
        return pending

    def prepare(self, notebook, graders):
        """Extract the functions and build their checks (in the calling thread)."""
        spec = self.spec
        self.found = found = extract(notebook, spec.names)
        context = None
        for function in spec.functions:
            cell = found.cells.get(function.name)
            own = EMPTY  # the imports and constants its job runs first
            if (cell is not None and not cell.syntax_error and cell.signature is not None
                    and not spec.is_stub(function.name, cell.source)):
                context = context or NotebookContext(notebook, spec, until=max(
                    c.cell_index for c in found.cells.values()))
                own = context.for_cell(cell)
                self.draw_keys[function.name] = code_key(cell.source, own.text)
            checks = assignments.build_checks(spec, function.name, rng_for(
                self.seed, function.name, self.draw_keys.get(function.name)))
            notes = found.problems.get(function.name, [])
            if cell is not None and cell.syntax_error:
                self.functions[function.name] = _failed_all(function, checks, "structure",
                                                            cell.syntax_error)
            elif cell is None or cell.signature is None:
                self.functions[function.name] = _missing(function, checks, notes)
            elif spec.is_stub(function.name, cell.source):  # untouched: nothing to run
                self.functions[function.name] = _missing(function, checks, [
                    f"{function.name} is not written yet: it still raises NotImplementedError"])
            else:
                if not assignments.signature_serves(cell.signature, checks):
                    notes = notes + [f"the signature should be {function.name}{function.signature}, "
                                     f"not {function.name}{cell.signature}"]
                checks = assignments.fit_to_code(spec, function.name, checks, cell.source)
                self.units.append(Unit(function, cell.source, checks, notes, own))
        if self.units:
            # The reference functions load in a pool thread while this one starts the sandbox
            # (or finds it running): a single notebook's grading waits for the slower of the two.
            self.warm = graders.threads.submit(_load_references, spec, self.units)
            self.sandbox = graders.sandbox(spec)  # started here, in the thread that keeps it
        self.hashes = {name: hashlib.sha256(cell.source.encode()).hexdigest()
                       for name, cell in found.cells.items()}

    def run(self):
        """The sandbox jobs: student code runs in the worker; only I/O and decoding happen here."""
        self.outcomes = _run(self.sandbox, self.spec, self.units)

    def run_guarded(self):
        self.error = _guarded(self.run, (), lambda reason: reason)

    @classmethod
    def broken(cls, path, assignment, student, secret):
        """What a notebook that could not be opened becomes: a result with ``reason``."""
        def failed(reason):
            name = assignment or assignment_of_file_name(_file_name(path))
            who = student or _student_of_any(path)
            if name is None:
                return cls(None, who, None, time.perf_counter(), Result(
                    "unknown", who, 0.0, 0.0, {}, error=reason,
                    provenance=_provenance(None, None, {}, None)))
            return cls(None, who, None, time.perf_counter(),
                       _empty(reference.load(name), who, reason, secret))
        return failed

    def failed(self, reason):
        """This notebook's result when scoring it failed: every function 0, the reason said."""
        if self.result is not None and self.result.error:
            return self.result
        self.result = Result(self.spec.name, self.student, 0.0, self.spec.max_score, {
            f.name: FunctionResult(0.0, f.points, "error", [
                CheckResult("notebook", 0.0, f.points, False, "structure", reason)])
            for f in self.spec.functions}, error=reason,
            provenance=_provenance(self.spec, self.seed, {}, None))
        return self.result

    def finish(self):
        """Score against the reference (in the calling thread: the reference uses numpy's
        global random state) and build the result."""
        if self.error is not None:
            return self.failed(self.error)
        if self.warm is not None:
            self.warm.result()
        if self.result is None:
            spec = self.spec
            for unit in self.units:
                # context.note: a name only their edit of a locked cell sets
                scored = score_function(spec, unit.function, unit.checks, self.outcomes, unit.notes,
                                        unit.context.note)
                self.functions[unit.function.name] = scored
            functions = {f.name: self.functions[f.name] for f in spec.functions}
            total = rounded(sum(f.score for f in functions.values()))
            layer = self.sandbox.layer if self.sandbox else None
            self.result = Result(spec.name, self.student, total, spec.max_score, functions,
                                 provenance=_provenance(spec, self.seed, self.hashes, layer,
                                                        self.draw_keys))
        self.result.provenance["seconds"] = round(time.perf_counter() - self.started, 3)
        if self.found is not None:  # kept for the class's similarity report (never stored)
            self.result.cells = self.found.cells
        return self.result


def _load_references(spec, units):
    for unit in units:
        for check in unit.checks:
            spec.reference(unit.function.name, check.stand_ins)


def _file_name(path):
    return path.name if isinstance(path, NotebookFile) else Path(path).name


def _student_of_any(path):
    return Path(_file_name(path)).stem if isinstance(path, NotebookFile) else _student_of(Path(path))


def _student_of(path):
    """The student id of the notebook at ``path``: the same function as ``grade-class`` uses
    (:func:`autograder.grading.students.student_of_path`), so both give the same id and hidden inputs."""
    from autograder.grading.students import student_of_path

    return student_of_path(path)


def assignment_of_file_name(file_name):
    """The assignment whose notebook's name is in ``file_name`` (``alice_Regularization.ipynb``
    gives ``regularization``), or None."""
    stem = Path(file_name).stem.lower().replace(" ", "_")
    return next((n for n, nb in reference.NOTEBOOKS.items() if Path(nb).stem.lower() in stem), None)


def _empty(spec, student, error, secret):
    functions = {
        f.name: FunctionResult(0.0, f.points, "error", [
            CheckResult("notebook", 0.0, f.points, False, "structure", error)])
        for f in spec.functions
    }
    seed = seed_for(student, spec.name, secret)
    return Result(spec.name, student, 0.0, spec.max_score, functions, error=error,
                  provenance=_provenance(spec, seed, {}, None))


@dataclass(frozen=True)
class Unit:
    """One graded function to run: its cell, its checks (and so its calls), and the imports and
    constants of the cells above it that its job runs first (:mod:`autograder.grading.context`)."""

    function: object
    source: str
    checks: list
    notes: list
    context: Context = EMPTY

    def requests(self):
        """``([(call, encoded, request)] of the published cases, [...] of the others)``, each
        request with its stand-ins: the published cases' calls run first, and the others'
        inputs reach the job only after their results are back."""
        published, hidden = [], []
        for check in self.checks:
            for call in check.calls:
                encoded = call.encoded()
                plan = published if check.fixed_inputs else hidden
                plan.append((call, encoded, {"function": self.function.name, **encoded,
                                             "stand_ins": check.stand_ins, "digest_args": True}))
        return published, hidden


def _missing(function, checks, notes):
    text = "; ".join(notes) or f"{function.name} was not found"
    return FunctionResult(0.0, function.points, "missing", [
        CheckResult(c.name, 0.0, _share(function, checks, c), False, "missing", text) for c in checks])


def _failed_all(function, checks, category, text):
    return FunctionResult(0.0, function.points, "error", [
        CheckResult(c.name, 0.0, _share(function, checks, c), False, category, text) for c in checks])


def _share(function, checks, check):
    return rounded(function.points * check.weight / sum(c.weight for c in checks))


def _run(sandbox, spec, units):
    """Run each unit (graded function) as a job of its own; returns ``{id(call): Outcome}``.

    A job is a fresh child forked from the sandbox's warm worker: its own wall-clock, CPU and
    memory limits, nothing left by another function's job. A function that loops, crashes or
    exhausts memory loses only its own points and time. The jobs of a notebook are queued to
    the worker together; each reply is read as it comes, while the next job runs.
    """
    outcomes, plans = {}, [unit.requests() for unit in units]
    jobs = [{"setup": spec.sandbox_setup, "cells": [unit.source], "stand_ins": "",
             "calls": [request for _, _, request in published],
             "sealed_calls": [request for _, _, request in hidden],
             **({"context": unit.context.items()} if unit.context else {})}
            for unit, (published, hidden) in zip(units, plans, strict=True)]

    def read(index, reply):
        outcomes.update(_outcomes(units[index], *plans[index], reply))

    sandbox.run_many(jobs, on_reply=read)
    return outcomes


def _outcomes(unit, published, hidden, reply):
    """``{id(call): Outcome}`` of one unit's job from its reply."""
    name = unit.function.name
    results = reply.get("results") or []
    cell_error = (reply.get("cell_errors") or [None])[0]
    outcomes = {}
    for number, (call, encoded, _) in enumerate(published + hidden):
        result = results[number] if number < len(results) else None
        # The student's own text is quoted only for a published case, and only if the job
        # wrote it before any hidden input had reached it; a hidden case gets a fixed category.
        quotable = number < len(published)
        if cell_error is not None and (result is None or _undefined(result, name)):
            failure = _failure(cell_error, unit, quotable and cell_error.get("open", False))
            outcomes[id(call)] = Outcome(failure=failure)
        elif result is not None:
            outcomes[id(call)] = _outcome(result, encoded, unit,
                                          quotable and result.get("open", False))
        else:
            outcomes[id(call)] = Outcome(failure=feedback.failure_from_status(
                reply.get("status", "error")))
    return outcomes


def _undefined(result, name):
    """Whether a call failed only because its cell raised before defining the function."""
    error = result.get("error") or {}
    return error.get("type") == "NameError" and repr(name) in error.get("message", "")


def _failure(error, unit, quotable):
    """The :class:`Problem` of an exception; for a quotable one (a published case, the cell
    itself) with advice when the student's line is one numpy 2 no longer accepts. The line
    number of a hidden case's exception is never used: the hidden inputs could steer it."""
    failure = feedback.failure_from_error(error, unit.function.name, quotable)
    if quotable:
        advice = feedback.numpy2_advice_in(unit.source, error.get("line"),
                                           feedback.exception_kind(error.get("type", "")))
        if advice:
            failure.advice = advice
    return failure


def _outcome(result, encoded, unit, quotable):
    if result.get("error"):
        return Outcome(failure=_failure(result["error"], unit, quotable))
    try:
        value = wire.decode(result.get("value"))
    except (wire.WireError, ValueError, TypeError, RecursionError):
        return Outcome(failure=feedback.Problem("wrong type", "returned a value the grader "
                                                              "cannot read"))
    # An array changed in place is the worker's finding (it compared the memory the arrays
    # lived in after the job; nothing in the job reaches it); the job's own digests add what
    # only its memory holds: the lists and dicts around the arrays (see the README).
    changed = result.get("args_changed") or ()
    after = result.get("args_after") or []
    for position, tree in enumerate(encoded["args"]):
        if position in changed or (position < len(after)
                                   and after[position] != wire.tree_fingerprint(tree)):
            return Outcome(value=value, modified=f"number {position + 1}")
    return Outcome(value=value)


def score_function(spec, function, checks, outcomes, notes, context_note=None):
    """Judge one function's outcomes against the reference: its :class:`FunctionResult`.

    Shared by this grader and the in-kernel hidden tests (:mod:`autograder.platforms.nbgrader_bridge`).
    Advisory checks cost nothing: when one fails, its advice is the hint of a function that
    has no other. The hint of a function that did not pass is, first found: numpy 2 advice on
    the student's line, the catalogued mistake (or two mistakes made together) that explains
    every failed check it can be tried on, a note on the signature, ``context_note``, what a
    failed published case found. ``mistakes`` lists the ids of the catalogued mistake named.
    """
    references, judged, advice, explained, hints = {}, [], None, None, {}
    for check in checks:
        if check.stand_ins not in references:
            references[check.stand_ins] = spec.reference(function.name, check.stand_ins)
        call_outcomes = [outcomes[id(call)] for call in check.calls]
        expected = _expected(spec, function.name, check, references[check.stand_ins])
        problem = judge(check, call_outcomes, expected)
        judged.append((check, call_outcomes, expected, problem))
        if problem is not None and check.advisory:
            if problem.category != "exception" and problem.category not in _UNFINISHED:
                advice = (advice or feedback.find_hint(check, call_outcomes)
                          or feedback.said(function.name, check, problem)[1])
        elif problem is not None and check.mistakes and not any(
                o.failure is not None and o.failure.category in _UNFINISHED for o in call_outcomes):
            # a call that did not finish (time, memory, a crash: the machine's load can decide it)
            # says nothing about a mistake, so its check is not tried: the same code, the same hint.
            # A hint must explain every failed check it can be tested on, not just one of them:
            # after the first, only the mistakes that explained every check so far are tried.
            # Calls are matched one by one: a mistake that raises on some inputs (J / theta at
            # theta = 0) explains the exception there and the values elsewhere.
            if explained is None or explained:
                among = None if explained is None else set(explained)
                keys = [m.key for m in feedback.matching_mistakes(check, call_outcomes, among)]
                explained = keys if explained is None else [k for k in explained if k in keys]
            hints.update((m.key, m) for m in check.mistakes)
    named = hints.get(explained[0]) if explained else None
    hint = named.hint if named else None
    refused = unearned(judged)  # constant outputs, tiny made-up differences, published cases only
    results, problems = [], []
    for check, _, _, problem in judged:
        if check.advisory:
            continue
        share = _share(function, checks, check)
        problem = problem or refused
        if problem is None:
            results.append(CheckResult(check.name, share, share, True, "passed", "ok"))
            continue
        problems.append(problem)
        # what a student reads: a hidden case's line from the closed vocabulary only
        results.append(CheckResult(check.name, 0.0, share, False,
                                   *feedback.shown(spec.name, function.name, check, problem)))
    # from the weights, not the rounded shares: 3 of 6 equal checks are 5 points, not 5.0001
    total = sum(c.weight for c in checks)
    earned = sum(c.weight for (c, _, _, p) in judged if not c.advisory and p is None and not refused)
    score = rounded(function.points * earned / total) if total else 0.0
    if score > function.points - 1e-3:
        score = function.points
    status = feedback.status_for(score, function.points, problems, missing=False)
    advised = next((p.advice for p in problems if getattr(p, "advice", None)), None)
    hint = advised or hint  # e.g. a numpy 2 breakage, said with the student's line
    mistakes = list(named.keys or (named.key,)) if named and hint == named.hint else []
    # A signature note (only made when the checks' calls cannot be answered) explains the
    # failures; other notes (a second definition, a missing header) never hide the real reason.
    signature = [n for n in notes if n.startswith("the signature")]
    if signature and hint is None and status != "passed":
        hint = "; ".join(signature)
    others = [n for n in notes if n not in signature]
    if others and hint is not None:
        hint = f"{hint} (note: {'; '.join(others)})"
    if hint is None and status != "passed":
        hint = context_note or _published_finding(judged)
    if hint is None and advice is not None and status == "passed":
        hint = "Recommendation (no points lost): " + advice
    return FunctionResult(score, function.points, status, results, hint, mistakes)


def _published_finding(judged):
    """What a failed published case found, said plainly, when no catalogued mistake explains the
    function's outputs (a published case says what it saw in full: its inputs are the notebook's).
    A refusal (:func:`autograder.grading.checks.unearned`) is never a hint: it is said on the checks."""
    for check, _, _, problem in judged:
        if check.fixed_inputs and not check.advisory and problem is not None:
            return feedback.no_match(check.name, str(problem))
    return None


_FIXED_EXPECTED = {}


def _expected(spec, name, check, reference_function):
    """Reference outputs of ``check``'s calls (cached for the published cases, identical for all)."""
    key = (spec.name, name, check.name) if check.fixed_inputs else None
    if key in _FIXED_EXPECTED:
        return _FIXED_EXPECTED[key]
    values = [reference_function(*_fresh(call.args), **_fresh(call.kwargs)) for call in check.calls]
    if key:
        _FIXED_EXPECTED[key] = values
    return values


class _Unknown(Exception):
    pass


def _fresh(value):
    """A copy of a check's inputs for one reference call, as ``copy.deepcopy`` makes it (objects
    shared in the inputs stay shared in the copy), built directly for the plain types inputs
    are made of: it runs for every check of every student."""
    try:
        return _copied(value, {})
    except _Unknown:
        return copy.deepcopy(value)


def _copied(value, memo):
    kind = type(value)
    if value is None or kind in (bool, int, float, str) or isinstance(value, np.generic):
        return value  # immutable
    if id(value) in memo:
        return memo[id(value)]
    if kind is np.ndarray and value.dtype != object:
        result = value.copy(order="K")
    elif kind is dict:
        result = {key: _copied(item, memo) for key, item in value.items()}
    elif kind is list or kind is tuple:
        result = kind(_copied(item, memo) for item in value)
    else:
        raise _Unknown
    memo[id(value)] = result
    return result


def _provenance(spec, seed, hashes, layer, draw_keys=None):
    """What reproduces a grade (instructor-side only): with the seed, ``draw_keys`` (function ->
    :func:`autograder.grading.checks.code_key` of the code its job ran) and the draw scheme give every
    hidden input again."""
    return {
        "kit_version": autograder.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "seed": seed,
        "draw_scheme": DRAW_SCHEME,
        "draw_keys": dict(draw_keys or {}),
        "isolation": layer,
        "source_sha256": hashes,
    }
