"""Does a graded function run with what its notebook gives it (the imports and constants of the
cells above it), and with nothing that would harm grading?"""

import json
import time

import pytest

from autograder.grading import reference
from autograder.grading.context import (
    MAX_CONTEXT_STATEMENTS,
    Context,
    NotebookContext,
    cell_statements,
    globals_read,
)
from autograder.grading.extract import extract
from autograder.grading.grade import Graders, grade_notebook
from autograder.sandbox import wire
from tests.sample_class.build import student_notebook
from tests.sample_class.students import REFERENCE

INIT = "initialization"
#: He's weights scaled with math.sqrt, as a real student wrote them (``import math`` above).
HE_MATH = ["parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) "
           "* math.sqrt(2 / layers_dims[l - 1])\n"
           "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"]
#: The same with the gain from a constant of an earlier cell, and a file an earlier cell would
#: write: weights ten times too large if that cell ran.
HE_GAIN = ["scale = 10 if os.path.exists('cell_ran.txt') else 1\n"
           "parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) "
           "* math.sqrt(GAIN / layers_dims[l - 1]) * scale\n"
           "parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"]
#: A first cell in the style of the original course's notebooks: plotting set up, a library the
#: sandbox may lack, magics, and ``import math``.
ORIGINAL_FIRST_CELL = """\
import numpy as np
import matplotlib.pyplot as plt
import sklearn
import sklearn.datasets
import math
from init_utils import sigmoid, relu, forward_propagation, backward_propagation, predict
from public_tests import *

%matplotlib inline
plt.rcParams['figure.figsize'] = (7.0, 4.0)
%load_ext autoreload
%autoreload 2
"""
#: Cells above the graded ones that must not run: a loop, training, a file write, an endless loop,
#: and values that only a call or a loop would give.
HARMFUL_CELLS = (
    "import os\nimport math\nGAIN = 2\n",
    "for _ in range(3):\n    GAIN = 50\n",
    "GAIN = int('50')\n",
    "parameters = model(train_X, train_Y, initialization='he')\n",
    "open('cell_ran.txt', 'w').write('this cell ran')\n",
    "while True:\n    pass\n",
)


def code_cell(source, metadata=None):
    return {"cell_type": "code", "execution_count": None, "metadata": metadata or {}, "outputs": [],
            "source": source}


def init_notebook(he, first=(), after_imports=()):
    """The release's Initialization notebook with the reference zeros and random initialisers,
    ``he`` as the He initialiser, cells ``first`` before every other and ``after_imports`` right
    after the locked imports cell."""
    work = {INIT: {"initialize_parameters_zeros": REFERENCE, "initialize_parameters_random": REFERENCE,
                   "initialize_parameters_he": he}}
    notebook = student_notebook(INIT, work)
    imports = next(i for i, c in enumerate(notebook["cells"])
                   if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "imports")
    notebook["cells"][imports + 1:imports + 1] = [code_cell(s) for s in after_imports]
    notebook["cells"][:0] = [code_cell(s) for s in first]
    return notebook


def with_math_in_the_locked_cell(notebook):
    """``notebook`` with ``import math`` added to the release's locked imports cell."""
    cell = next(c for c in notebook["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "imports")
    cell["source"] = ["import math\n", *cell["source"]]
    return notebook


def as_original_course_notebook(notebook):
    """``notebook`` whose imports cell is the original course's first cell (no nbgrader metadata:
    a cell of the student's notebook, not the release's locked one)."""
    cell = next(c for c in notebook["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "imports")
    cell["metadata"], cell["source"] = {}, ORIGINAL_FIRST_CELL
    return notebook


#: Students of a class whose notebooks lean on their own context, with the scores every grading
#: path must give them (also graded by nbgrader's sealed autograde in test_nbgrader_autograde).
CONTEXT_STUDENTS = {
    "ctx_added_cell": (lambda: init_notebook(HE_MATH, first=["import math\n"]), 30),
    "ctx_original_first_cell": (lambda: as_original_course_notebook(init_notebook(HE_MATH)), 30),
    "ctx_harmful_cells_above": (lambda: init_notebook(HE_GAIN, after_imports=HARMFUL_CELLS), 30),
    "ctx_edited_locked_cell": (lambda: with_math_in_the_locked_cell(init_notebook(HE_MATH)), 20),
}


def write_context_students(root):
    """Write :data:`CONTEXT_STUDENTS` in nbgrader's layout under ``root``."""
    for student, (make, _) in CONTEXT_STUDENTS.items():
        path = root / student / INIT / reference.NOTEBOOKS[INIT]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(make()))


@pytest.fixture(scope="module")
def graders():
    with Graders() as graders:
        yield graders


def grade(graders, tmp_path, notebook, student="kit", assignment=INIT):
    path = tmp_path / student / assignment / reference.NOTEBOOKS[assignment]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook))
    return grade_notebook(path, graders=graders)


def context_of(notebook, function, assignment=INIT):
    spec = reference.load(assignment)
    return NotebookContext(notebook, spec).for_cell(extract(notebook, spec.names).cells[function])


# ------------------------------------------------------------------------------ which statements

def test_does_a_cell_give_only_its_top_level_imports_and_constants():
    cell = """\
%matplotlib inline
!pip install something
import math, numpy.linalg as la
import sklearn.datasets
from scipy.special import expit as logistic, softmax
from .sibling import thing
from public_tests import *
GAIN = 2.0
LAYERS: list = [2, 4, 1]
A, (B, *C) = 1, (2, 3, 4)
ROOT = math.sqrt(2)
TABLE = {"he": 2 ** 0.5, "rows": LAYERS[1:]}
BIG = -GAIN * np.pi if GAIN > 1 else None
plt.rcParams["figure.figsize"] = (7.0, 4.0)
parameters = model(train_X, train_Y)
sizes = [n for n in LAYERS]
act = lambda z: z
for layer in LAYERS:
    import os
def helper():
    return 1
"""
    assert [(s.source, s.binds) for s in cell_statements(cell)] == [
        ("import math", ("math",)),
        ("import numpy.linalg as la", ("la",)),
        ("import sklearn.datasets", ("sklearn",)),
        ("from scipy.special import expit as logistic", ("logistic",)),
        ("from scipy.special import softmax", ("softmax",)),
        ("from public_tests import *", ()),
        ("GAIN = 2.0", ("GAIN",)),
        ("LAYERS = [2, 4, 1]", ("LAYERS",)),  # the annotation is not evaluated
        ("A, (B, *C) = (1, (2, 3, 4))", ("A", "B", "C")),
        ("TABLE = {'he': 2 ** 0.5, 'rows': LAYERS[1:]}", ("TABLE",)),
        ("BIG = -GAIN * np.pi if GAIN > 1 else None", ("BIG",)),
    ]
    sklearn = cell_statements(cell)[2]
    assert (sklearn.module, sklearn.name, sklearn.top) == ("sklearn.datasets", None, True)


def test_does_a_cell_that_does_not_parse_give_nothing():
    assert cell_statements("import math\nGAIN = 2\ndef broken(:\n") == ()


def test_does_the_graded_cell_read_only_its_globals():
    source = """\
import os
TOP = 1
def f(x, theta):
    L = len(x)
    inner = [math.sqrt(v) for v in range(L)]
    def g():
        return GAIN * theta
    return os.sep, TOP, inner, g, np.pi, helper
"""
    assert globals_read(source) >= {"math", "GAIN", "np", "helper", "len", "range"}
    assert not globals_read(source) & {"os", "TOP", "f", "x", "theta", "L", "inner", "g", "v"}


def test_does_a_graded_function_get_only_the_statements_it_reads():
    first = ("import math\nimport numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn\n"
             "GAIN = TWO\nTWO = 2\nUNUSED = 3\nfrom numpy import pi\n")
    context = context_of(init_notebook(HE_MATH, first=[first]), "initialize_parameters_he")
    # np and plt: the setup's own imports; GAIN reads TWO before TWO is set (it fails, as in
    # the notebook), and the function reads neither
    assert context.text == "import math"
    assert context_of(init_notebook(HE_GAIN, first=[first + "import os\n"]),
                      "initialize_parameters_he").text == "import math\nGAIN = TWO\nimport os"
    rebound = "import numpy\nnp = numpy.linalg\nimport numpy as np\nimport math\n"
    context = context_of(init_notebook(HE_MATH, first=[rebound]), "initialize_parameters_he")
    assert context.text == "import numpy\nnp = numpy.linalg\nimport numpy as np\nimport math"


def test_do_cells_below_the_graded_cell_not_count():
    notebook = init_notebook(HE_MATH)
    notebook["cells"].append(code_cell("import math\n"))
    assert not context_of(notebook, "initialize_parameters_he")


def test_does_a_star_import_count_only_for_a_name_nothing_else_binds():
    first = "from math import *\nimport os\n"
    assert context_of(init_notebook(HE_MATH, first=[first]), "initialize_parameters_he").text == \
        "from math import *"
    ours = ["parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) "
            "* np.sqrt(2 / layers_dims[l - 1])\nparameters['b' + str(l)] = np.zeros((layers_dims[l], 1))"]
    assert not context_of(init_notebook(ours, first=[first]), "initialize_parameters_he")


def test_is_what_a_hostile_notebook_gives_bounded():
    constants = ["".join(f"C{cell}_{i} = {i}\n" for i in range(6000)) for cell in range(4)]
    notebook = init_notebook(HE_MATH, first=[*constants, "import math\n"])
    started = time.process_time()
    spec = reference.load(INIT)
    contexts = NotebookContext(notebook, spec)
    cell = extract(notebook, spec.names).cells["initialize_parameters_he"]
    assert not contexts.for_cell(cell)  # its import is below what is read
    assert sum(len(statements) for _, statements in contexts._cells) <= MAX_CONTEXT_STATEMENTS
    assert time.process_time() - started < 5


def test_does_the_release_notebook_give_no_context():
    for assignment in reference.NOTEBOOKS:
        spec = reference.load(assignment)
        notebook = json.loads((spec.release_dir / spec.notebook).read_text())
        found = extract(notebook, spec.names)
        contexts = NotebookContext(notebook, spec)
        assert all(not contexts.for_cell(cell) for cell in found.cells.values()), assignment


# ------------------------------------------------------------------------------ verdicts

def test_does_import_math_in_the_first_cell_give_full_marks_to_a_he_initializer_using_math_sqrt(
        graders, tmp_path):
    for student, notebook in (("added", init_notebook(HE_MATH, first=["import math\n"])),
                              ("original", as_original_course_notebook(init_notebook(HE_MATH)))):
        function = grade(graders, tmp_path, notebook, student).functions["initialize_parameters_he"]
        assert (function.score, function.status) == (10, "passed"), (student, function)
    without = grade(graders, tmp_path, init_notebook(HE_MATH), "without").functions
    assert without["initialize_parameters_he"].score == 0  # the notebook would not run either


def test_does_a_students_change_to_a_locked_cell_not_count_and_say_so(graders, tmp_path):
    result = grade(graders, tmp_path, with_math_in_the_locked_cell(init_notebook(HE_MATH)))
    function = result.functions["initialize_parameters_he"]
    assert function.score == 0
    assert function.hint.startswith("math is defined only by your change to the locked cell 'imports'")
    assert result.functions["initialize_parameters_zeros"].hint is None


def test_does_a_constant_set_in_an_earlier_cell_reach_the_graded_function(graders, tmp_path):
    notebook = init_notebook(HE_GAIN, first=["import os, math\n"])
    zeros = next(c for c in notebook["cells"]
                 if "GRADED FUNCTION: initialize_parameters_zeros" in "".join(c["source"]))
    header, rest = "".join(zeros["source"]).split("\n", 1)
    zeros["source"] = f"{header}\nGAIN = 2  # at the top of another graded cell\n{rest}"
    assert context_of(notebook, "initialize_parameters_he").text == "import os\nimport math\nGAIN = 2"
    assert grade(graders, tmp_path, notebook).score == 30


def test_is_a_harmful_cell_above_the_graded_one_not_run(graders, tmp_path):
    result = grade(graders, tmp_path, init_notebook(HE_GAIN, after_imports=HARMFUL_CELLS))
    he = result.functions["initialize_parameters_he"]
    assert (he.score, he.status) == (10, "passed"), he
    assert result.score == 30
    assert result.provenance["seconds"] < 9  # the endless loop would have cost its 10 s


def test_does_a_failing_import_above_cost_nothing_to_a_function_that_does_not_use_it(graders, tmp_path):
    first = ("import kit_no_such_module\nfrom kit_no_such_module import zeros_like_this\n"
             "import math\nfrom math import sqrt\nimport scipy.special\nfrom sklearn import datasets\n"
             "zeros_like_this, datasets\n")
    he = [HE_MATH[0].replace("math.sqrt", "sqrt")
          + "\nif layers_dims is None:\n    zeros_like_this(datasets)"]
    notebook = init_notebook(he, first=[first])
    assert "from kit_no_such_module import zeros_like_this" in context_of(
        notebook, "initialize_parameters_he").text
    result = grade(graders, tmp_path, notebook)
    assert result.functions["initialize_parameters_he"].score == 10
    assert result.score == 30


def test_does_a_module_used_but_missing_fail_where_the_function_uses_it(graders, tmp_path):
    first = "import kit_no_such_module\n"
    he = [HE_MATH[0].replace("math.sqrt", "kit_no_such_module.sqrt")]
    function = grade(graders, tmp_path, init_notebook(he, first=[first])).functions[
        "initialize_parameters_he"]
    assert function.score == 0
    assert "ModuleNotFoundError" in function.checks[0].message, function.checks[0]


def test_does_pyplot_imported_above_stay_a_stand_in_until_used(graders):
    spec = reference.load("gradient_checking")
    statements = cell_statements("import matplotlib.pyplot as plt\nimport sklearn.datasets\n"
                                 "from scipy import special\nimport math\n")
    cell = ("import sys\n"
            "def probe(use):\n"
            "    held = ['matplotlib' in sys.modules, 'sklearn' in sys.modules, 'scipy' in sys.modules]\n"
            "    if use:\n"
            "        return held + [plt.__name__, math.pi > 3]\n"
            "    return held + [type(plt).__name__, math.pi > 3]\n")
    job = {"setup": spec.sandbox_setup, "context": Context(tuple(statements)).items(), "cells": [cell],
           "stand_ins": "", "calls": [{"function": "probe", "args": [wire.encode(False)], "kwargs": {}}]}
    reply = graders.sandbox(spec).run(job)
    assert reply["status"] == "ok", reply
    assert wire.decode(reply["results"][0]["value"]) == [False, False, False, "_Deferred", True]
    job["calls"] = [{"function": "probe", "args": [wire.encode(True)], "kwargs": {}}]
    reply = graders.sandbox(spec).run(job)
    assert reply["status"] == "ok", reply
    assert wire.decode(reply["results"][0]["value"]) == [False, False, False, "matplotlib.pyplot", True]


def test_does_pyplot_imported_above_leave_grading_as_it_was(graders, tmp_path):
    forward = ["J = theta * x\nif J is None:\n    plt.plot([x], [J])  # never run"]
    work = {"gradient_checking": {"forward_propagation": forward, "backward_propagation": REFERENCE,
                                  "gradient_check": REFERENCE, "gradient_check_n": REFERENCE}}
    notebook = student_notebook("gradient_checking", work)
    notebook["cells"][:0] = [code_cell("import matplotlib.pyplot as plt\nimport scipy\n")]
    assert context_of(notebook, "forward_propagation", "gradient_checking").text == \
        "import matplotlib.pyplot as plt"
    result = grade(graders, tmp_path, notebook, assignment="gradient_checking")
    assert result.score == 50, result.functions


@pytest.mark.parametrize("student", sorted(CONTEXT_STUDENTS))
def test_does_each_context_student_get_the_score_of_their_notebook(graders, tmp_path, student):
    make, score = CONTEXT_STUDENTS[student]
    assert grade(graders, tmp_path, make(), student).score == score
