"""Does the similarity check flag copied code, and only copied code?

A class is built from the release notebook of Gradient Checking, each student filling the
two ``# YOUR CODE HERE`` regions of ``gradient_check_n`` in their own way: five students who
wrote it independently, each in a style of their own; a copier who took one of them and
renamed every variable, reformatted it and added comments and prints; several students who
handed in the untouched stub (the template); and a crowd who wrote the reference solution
word for word (code most of the class shares).
"""

import pytest

from autograder.course import similarity
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

GC = "gradient_checking"

INDEPENDENT = {
    "iris": ["""
theta_plus = np.copy(parameters_values)
theta_plus[i][0] = theta_plus[i][0] + epsilon
J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))
theta_minus = np.copy(parameters_values)
theta_minus[i][0] = theta_minus[i][0] - epsilon
J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))
gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
""", """
difference = np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
"""],
    "jon": ["""
shifted = parameters_values.astype(float)
for sign, store in ((1.0, J_plus), (-1.0, J_minus)):
    shifted[i, 0] = parameters_values[i, 0] + sign * epsilon
    cost, _cache = forward_propagation_n(X, Y, vector_to_dictionary(shifted))
    store[i, 0] = cost
shifted[i, 0] = parameters_values[i, 0]
gradapprox[i, 0] = (J_plus[i, 0] - J_minus[i, 0]) * 0.5 / epsilon
""", """
top = np.sqrt(np.sum((grad - gradapprox) ** 2))
bottom = np.sqrt(np.sum(grad ** 2)) + np.sqrt(np.sum(gradapprox ** 2))
difference = top / bottom
"""],
    "kim": ["""
def cost_at(delta):
    vector = parameters_values.copy()
    vector[i] += delta
    return forward_propagation_n(X, Y, vector_to_dictionary(vector))[0]

J_plus[i] = cost_at(epsilon)
J_minus[i] = cost_at(-epsilon)
gradapprox[i] = (J_plus[i] - J_minus[i]) / epsilon / 2
""", """
difference = float(np.linalg.norm(grad - gradapprox, ord=2)
                   / (np.linalg.norm(grad, ord=2) + np.linalg.norm(gradapprox, ord=2)))
"""],
    "lou": ["""
up = parameters_values + epsilon * (np.arange(num_parameters) == i).reshape(-1, 1)
down = parameters_values - epsilon * (np.arange(num_parameters) == i).reshape(-1, 1)
J_plus[i] = forward_propagation_n(X, Y, vector_to_dictionary(up))[0]
J_minus[i] = forward_propagation_n(X, Y, vector_to_dictionary(down))[0]
gradapprox[i] = np.divide(J_plus[i] - J_minus[i], 2.0 * epsilon)
""", """
norm = np.linalg.norm
difference = norm(np.subtract(grad, gradapprox)) / np.add(norm(grad), norm(gradapprox))
"""],
    "max": ["""
e = np.zeros_like(parameters_values)
e[i, 0] = epsilon
results = [forward_propagation_n(X, Y, vector_to_dictionary(parameters_values + s * e))[0] for s in (1, -1)]
J_plus[i, 0], J_minus[i, 0] = results
gradapprox[i, 0] = (results[0] - results[1]) / (epsilon + epsilon)
""", """
diff_vec = grad - gradapprox
difference = np.linalg.norm(diff_vec) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
"""],
}

#: jon's solution with every name changed, new comments, prints and another layout.
COPY_OF_JON = ["""
# make a working copy of the parameter vector
work_vec = parameters_values.astype(float)   # float copy
for sgn, target in ((1.0, J_plus), (-1.0, J_minus)):
    # nudge one parameter up or down
    work_vec[i, 0] = parameters_values[i, 0] + sgn*epsilon
    value, _unused = forward_propagation_n(X, Y,
                                           vector_to_dictionary(work_vec))
    target[i, 0] = value   # store it
    print("nudged", i)
work_vec[i, 0] = parameters_values[i, 0]   # restore
gradapprox[i, 0] = (J_plus[i, 0] - J_minus[i, 0])*0.5/epsilon
""", """
'''my own norm computation'''
numer = np.sqrt( np.sum( (grad-gradapprox)**2 ) )
denom = np.sqrt(np.sum(grad**2)) + np.sqrt(np.sum(gradapprox**2))   # both norms
difference = numer/denom
"""]


def _fingerprints(snippets):
    notebook = student_notebook(GC, {GC: {"gradient_check_n": snippets}})
    return similarity.fingerprint_notebook(notebook, GC)


def _class(**extra):
    """Rows of the class described in the module docstring (plus ``extra`` students)."""
    work = dict(INDEPENDENT)
    work["zed"] = COPY_OF_JON
    work.update({f"stub{n}": [] for n in range(3)})
    work.update({f"ref{n}": REFERENCE for n in range(12)})
    work.update(extra)
    return [{"student": student, "code": {GC: _fingerprints(snippets)}} for student, snippets in work.items()]


def _pairs(rows):
    collector = similarity.Collector()
    for row in rows:
        collector.add(row)
    return [p for p in collector.pairs() if p.function == "gradient_check_n"]


@pytest.fixture(scope="module")
def pairs():
    return _pairs(_class())


def test_is_a_copy_with_renamed_variables_and_new_comments_flagged(pairs):
    flagged = {(p.student_a, p.student_b): p.score for p in pairs}
    assert ("jon", "zed") in flagged, pairs
    assert flagged[("jon", "zed")] >= 0.9


def test_are_independent_solutions_of_the_same_function_not_flagged(pairs):
    independent = set(INDEPENDENT) | {"zed"}
    wrongly = [p for p in pairs if {p.student_a, p.student_b} <= independent
               and {p.student_a, p.student_b} != {"jon", "zed"}]
    assert wrongly == []


def test_do_the_template_and_what_most_of_the_class_writes_count_for_nothing(pairs):
    # The twelve students who wrote the reference word for word share everything: it is the
    # class's common code, not a copy. The untouched stubs share the template only.
    assert not [p for p in pairs if p.student_a.startswith(("stub", "ref")) or p.student_b.startswith(("stub",
                                                                                                       "ref"))]


def test_are_the_same_students_flagged_when_fewer_wrote_the_common_code():
    # With two reference students only, their identical code is a rare text they share: flagged.
    rows = [row for row in _class() if row["student"] not in {f"ref{n}" for n in range(2, 12)}]
    flagged = {(p.student_a, p.student_b) for p in _pairs(rows)}
    assert ("jon", "zed") in flagged and ("ref0", "ref1") in flagged


def test_does_normalising_ignore_comments_docstrings_prints_names_and_layout():
    first = '''
def f(X, n):
    """Docstring."""
    total = 0  # running sum
    for k in range(n):
        total += X[k] ** 2
        print(total)
    return np.sqrt(total)
'''
    second = '''
def f(X, n):
    # another comment
    acc=0
    for idx in range(n): acc += X[idx]**2
    return np.sqrt(
        acc)
'''
    assert similarity.normalise(first, "f") == similarity.normalise(second, "f")
    assert similarity.normalise(first, "f") != similarity.normalise(first.replace("** 2", "** 3"), "f")
    assert similarity.normalise("def f(:", "f") is None
    assert similarity.normalise(first, "g") is None


def test_does_the_class_step_compare_only_students_who_share_a_fingerprint():
    # A thousand students of whom no two share anything: no pair is even counted. The work is
    # in proportion to the class, not its square (the benchmark measures the time).
    collector = similarity.Collector()
    for student in range(1000):
        values = list(range(student * 100, student * 100 + 20))
        collector.add({"student": f"s{student:04d}", "code": {GC: {"gradient_check_n": values}}})
    assert collector.pairs() == []


def test_is_similarity_csv_written_with_its_documented_columns(pairs, tmp_path):
    import csv

    similarity.write_csv(pairs, tmp_path / "similarity.csv")
    with open(tmp_path / "similarity.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["assignment", "function", "student_a", "student_b", "score", "view"]
    assert {(r["student_a"], r["student_b"]) for r in rows} == {(p.student_a, p.student_b) for p in pairs}
    assert all(0 <= float(r["score"]) <= 1 for r in rows)
    assert {r["view"] for r in rows} == {""}  # no pair view asked for
    similarity.write_csv(pairs, tmp_path / "linked.csv", lambda p: f"pairs/{p.student_a}~{p.student_b}.html")
    with open(tmp_path / "linked.csv", newline="") as handle:
        assert [r["view"] for r in csv.DictReader(handle)] == [f"pairs/{p.student_a}~{p.student_b}.html"
                                                               for p in pairs]


# The pair view's marks ------------------------------------------------------------------------


def _cell(snippets):
    from autograder.grading import reference
    from autograder.grading.extract import extract

    notebook = student_notebook(GC, {GC: {"gradient_check_n": snippets}})
    return extract(notebook, reference.load(GC).names).cells["gradient_check_n"].source


NOT_LOGIC = ("print(", "'''", '"""')


def _logic(line):
    """A line's code without its comment; "" for a blank line, a comment, a print or a docstring."""
    code = line.split("#")[0].strip()
    return "" if not code or code.startswith(NOT_LOGIC) else code


def _marked(pairs, student, other, cell):
    """The lines of ``student``'s cell as the pair view of ``student`` and ``other`` marks them."""
    collector = similarity.Collector()
    for row in _class():
        collector.add(row)
    (pair,) = [p for p in pairs if {p.student_a, p.student_b} == {student, other}]
    evidence = collector.evidence(pair)
    return similarity.marked_lines(cell, "gradient_check_n", evidence["shared"], evidence["stub"],
                                   evidence["common"])


def test_does_the_pair_view_mark_the_same_logic_on_both_sides_of_a_renamed_copy(pairs):
    sides = {"jon": (_marked(pairs, "jon", "zed", _cell(INDEPENDENT["jon"])), "".join(INDEPENDENT["jon"])),
             "zed": (_marked(pairs, "zed", "jon", _cell(COPY_OF_JON)), "".join(COPY_OF_JON))}
    written = {}
    for side, (lines, snippet) in sides.items():
        own = {_logic(text) for text in snippet.splitlines()} - {""}
        written[side] = [(text, mark) for _, text, mark in lines if _logic(text) in own]
    # Every line of logic each of them wrote is marked shared, on both sides alike (the copy splits
    # one statement over two lines: one line more there).
    for side in sides:
        assert written[side] and all(mark == "shared" for _, mark in written[side]), written[side]
    assert (len(written["jon"]), len(written["zed"])) == (10, 11)
    # What the copier added that is not logic is never marked: comments, blank lines, the print
    # and the docstring.
    zed, original = sides["zed"][0], {text.strip() for _, text, _ in sides["jon"][0]}
    added = [(text, mark) for _, text, mark in zed
             if text.strip() not in original
             and (not text.strip() or text.strip().startswith(("#", *NOT_LOGIC)))]
    assert len(added) >= 4 and all(mark == "" for _, mark in added), added


def test_are_the_template_lines_marked_as_discounted_not_as_shared(pairs):
    stub = _cell([])  # the release notebook's own cell: all template
    jon = _marked(pairs, "jon", "zed", _cell(INDEPENDENT["jon"]))
    template = [text for _, text, mark in jon if mark == "template"]
    assert template and all(text in stub for text in template)
    assert any("dictionary_to_vector(parameters)" in text for text in template)


def test_does_each_token_stand_for_the_line_that_wrote_it():
    source = "def f(x):\n    # a comment\n\n    total = (x +\n             1)\n    return total\n"
    tokens, lines = similarity.token_lines(source, "f")
    assert tokens == similarity.normalise(source, "f")
    assert lines[tokens.index("x")] == 4 and lines[tokens.index("1")] == 5
    assert lines[-1] == 6 and 2 not in lines and 3 not in lines
    assert similarity.token_lines("def f(:", "f") is None


def test_are_the_marks_on_the_lines_python_numbers_when_a_string_holds_a_line_separator():
    source = 'def f(x):\n    a = "p\u2028q"\n    return x * 2\n'
    lines = similarity.marked_lines(source, "f", set(), set(), set())
    assert [text for _, text, _ in lines] == ["def f(x):", '    a = "p\u2028q"', "    return x * 2"]


# The pair view's cost on a long cell ------------------------------------------------------------


def _smallest_node_around(source, name):
    """Each token's line as :func:`similarity.token_lines` defines it, found the plain way: every
    node's span is tried against every token (quadratic; a yardstick for small cells only)."""
    text, body = similarity._normalised(source, name)
    spans = similarity._spans(text, body)
    lines = []
    for match in similarity.TOKEN.finditer(text):
        start = len(text[:match.start()].encode("utf-8", "surrogatepass"))
        end = len(text[:match.end()].encode("utf-8", "surrogatepass"))
        around = [(e - s, line) for s, e, line in spans if s <= start and end <= e]
        lines.append(min(around)[1] if around else None)
    return lines


ODD_CELLS = [
    'def f(x):\n    """Doc."""\n    print(x)\n    größe = [ä * 2 for ä in x if ä]  # ünïcode\n'
    '    s = f"{größe!r:>{len(x)}} → é"\n    return (größe,\n            s)\n',
    "def f(x):\n    @decorate\n    def g(y, *rest, k=1, **kw):\n        return lambda z: y + z - k\n"
    "    try:\n        q = g(x)(1)\n    except (ValueError, KeyError) as e:\n        raise e from None\n"
    "    return {k: v for k, v in zip(x, x)}, q if x else -q\n",
    "def f(x):\n    print('only a print')\n",
    "def f(a):\n    x = " + " + ".join(["a"] * 200) + "\n    return x\n",
]


def test_is_each_token_given_the_line_of_the_smallest_node_around_it():
    from autograder.grading import reference
    from autograder.grading.extract import extract
    from tests.sample_class.students import STUDENTS

    cells = [(source, "f") for source in ODD_CELLS]
    for work in STUDENTS.values():
        for assignment in reference.NOTEBOOKS:
            names = reference.load(assignment).names
            found = extract(student_notebook(assignment, work), names).cells
            cells += [(found[name].source, name) for name in names
                      if name in found and similarity.normalise(found[name].source, name)]
    assert len(cells) > 50
    for source, name in cells:
        assert similarity.token_lines(source, name)[1] == _smallest_node_around(source, name), (name, source)


def _lines_run(source):
    """How many lines of :mod:`autograder.course.similarity` run while ``source``'s tokens are given lines."""
    import sys

    count, path = 0, similarity.__file__

    def trace(frame, event, _):
        nonlocal count
        if frame.f_code.co_filename != path:
            return None
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        assert similarity.token_lines(source, "f") is not None
    finally:
        sys.settrace(None)
    return count


def _long_cell(statements):
    return "def f(X, W, b, m):\n" + "".join(f"    total_{i} = np.sum(X[{i}] * W + b) / m\n"
                                            for i in range(statements)) + "    return total_0\n"


def _deep_cell(terms):
    return "def f(a):\n    x = " + " + ".join(["a"] * terms) + "\n    return x\n"


@pytest.mark.parametrize("cell", [_long_cell, _deep_cell], ids=["many statements", "deeply nested"])
def test_does_the_work_of_giving_tokens_their_lines_grow_linearly_with_the_cell(cell):
    # Counted, not timed: the lines of the module that run. Four times the code runs about four
    # times the lines (a student's 75,000-character cell once took 22 s, each token tried
    # against every node: sixteen times the lines).
    small, large = _lines_run(cell(60)), _lines_run(cell(240))
    assert large < 5 * small, (small, large)
