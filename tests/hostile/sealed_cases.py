"""Hostile cases on sealed grading: leaks of hidden inputs, harm to a sibling function, grader inputs.

Each leak case writes what it can learn of its inputs into a channel the student might read
back: an exception's type name or message, a returned object's type name, a memory error, a
forged event, a stash for another function, its exit status, a signal, a line number, its
output. The published case may quote the student's own text (it only ever holds published
inputs); a hidden case may not. ``tests/hostile/test_hostile_sealed.py`` checks that no hidden
input of any case, nor its seed, appears in anything a student reads.
"""

import dataclasses
import json

from tests.hostile.corpus import Case, Cell, notebook_for

GC_FULL = {"forward_propagation": 10, "backward_propagation": 10, "gradient_check": 10,
           "gradient_check_n": 20}
REG_FULL = {"compute_cost_with_regularization": 10, "backward_propagation_with_regularization": 10,
            "forward_propagation_with_dropout": 20, "backward_propagation_with_dropout": 10}
INIT_FULL = {"initialize_parameters_zeros": 10, "initialize_parameters_random": 10,
             "initialize_parameters_he": 10}
LEAKS = "sealed: leak"
SIBLINGS = "sealed: sibling"
INPUTS = "grader input"


def gc(**scores):
    return {**GC_FULL, **scores}


def forward(body, prelude=""):
    """A forward_propagation cell whose body is ``body`` (indented by the caller's four spaces)."""
    return Cell(f"{prelude}\ndef forward_propagation(x, theta):\n{body}\n")


def leak(name, tries, body, prelude="", says="", status="error", slow=False):
    """forward_propagation writes its inputs into a channel: 0 for it, nothing leaked."""
    return Case(name, LEAKS, tries, "gradient_checking", gc(forward_propagation=0),
                answers={"forward_propagation": forward(body, prelude)},
                status={"forward_propagation": status} if status else {},
                says={"forward_propagation": says} if says else {}, slow=slow)


def harmless(name, tries, body, prelude=""):
    """forward_propagation is right and also writes its inputs somewhere no student reads."""
    return Case(name, LEAKS, tries, "gradient_checking", gc(),
                answers={"forward_propagation": forward(body, prelude)})


FORGE_EVENT = """
import json, os
def _forge(event):
    line = (json.dumps(event) + "\\n").encode()
    for fd in range(3, 64):
        try:
            os.write(fd, line)
        except OSError:
            pass
"""

STASH = """
import builtins
"""

def written(edit):
    """A ``write`` for a case whose notebook is edited as JSON text after it is built."""
    def write(path, case, context):
        text = json.dumps(notebook_for(dataclasses.replace(case, write=None), context), indent=1)
        path.write_text(edit(text), encoding="utf-8")
    return write


def _huge_integer(text):
    return '{"huge": ' + "9" * 5000 + ", " + text.lstrip()[1:]


def _many_items(text):
    return '{"items": [' + "[]," * 1_500_000 + "[]], " + text.lstrip()[1:]


SURROGATE = "# a lone surrogate, which JSON can spell but UTF-8 cannot hold: \ud83d\n"
DEEP_DEFAULT = "+".join(["1"] * 600)

CASES = [
    # ----------------------------------------------------------------- leaks through text
    leak("leak_exception_class_name", "raises an exception of a class made at run time whose name "
         "spells the inputs",
         "    name = ('LEAK_' + repr(x) + '_' + repr(theta)).replace('.', '_').replace('-', 'm')\n"
         "    raise type(name, (Exception,), {})('x')", says="raised an exception"),
    leak("leak_exception_message", "raises ValueError with the inputs in its message",
         "    raise ValueError(f'LEAK {x!r} {theta!r}')", says="raised ValueError"),
    leak("leak_builtin_name_and_message", "raises KeyError (a built-in name) with the inputs",
         "    raise KeyError(f'LEAK {x!r} {theta!r}')", says="raised KeyError"),
    leak("leak_unsupported_value_type", "returns an object of a class whose name spells the inputs",
         "    name = ('LEAK_' + repr(x) + '_' + repr(theta)).replace('.', '_').replace('-', 'm')\n"
         "    return type(name, (), {})()", says="cannot read", status="failed"),
    leak("leak_memory_error_text", "raises MemoryError with the inputs in its message",
         "    raise MemoryError(f'LEAK {x!r} {theta!r}')", says="memory"),
    leak("leak_exception_str", "raises an exception whose str() is the inputs, or raises itself",
         "    class Odd(Exception):\n"
         "        def __str__(self):\n"
         "            if x > 0:\n"
         "                raise RuntimeError(f'LEAK {x!r}')\n"
         "            return f'LEAK {x!r} {theta!r}'\n"
         "    raise Odd()"),
    leak("leak_forged_done", "writes a 'done' event whose detail is the inputs to every fd, then exits",
         "    _forge({'done': {'status': 'error', 'detail': f'LEAK {x!r} {theta!r}'}})\n"
         "    os._exit(0)", prelude=FORGE_EVENT),
    leak("leak_forged_cell_error", "writes a cell error whose message is the inputs to every fd, "
         "then dies (as if its cell had failed)",
         "    _forge({'cell_error': {'cell': 0, 'type': 'NameError', 'line': 1,\n"
         "            'message': f\"name 'forward_propagation' LEAK {x!r} {theta!r}\"}})\n"
         "    os._exit(1)", prelude=FORGE_EVENT),
    leak("leak_forged_result_error", "writes a result whose error message is the inputs, then exits",
         "    _forge({'result': {'value': None, 'error': {'type': 'ValueError', 'line': 3,\n"
         "            'cell': 0, 'message': f'LEAK {x!r} {theta!r}'}, 'args_after': [],\n"
         "            'kwargs_after': {}}})\n"
         "    os._exit(0)", prelude=FORGE_EVENT),
    leak("leak_exit_status", "exits with a status computed from the inputs",
         "    import os\n    os._exit(1 + int(abs(x) * 37 + abs(theta) * 11) % 250)", status=""),
    leak("leak_signal_number", "kills itself with a signal chosen by the inputs",
         "    import os, signal\n"
         "    number = [signal.SIGTERM, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE,\n"
         "              signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM][int(abs(x) * 10) % 8]\n"
         "    os.kill(os.getpid(), number)", status=""),
    leak("leak_line_number", "raises at a line number computed from the inputs (code compiled "
         "under the cell's own file name)",
         "    lines = 1 + int(abs(x) * 1000) % 5000\n"
         "    exec(compile('\\n' * lines + 'raise ValueError(1)', '<cell 0>', 'exec'))"),
    leak("leak_syntax_error_text", "raises a SyntaxError whose text and position carry the inputs",
         "    compile(f'LEAK {x!r} {theta!r} ) (', '<cell 0>', 'exec')"),
    leak("leak_stack_walk", "walks every frame and object for the job's data and raises it all",
         "    import gc, sys\n"
         "    seen = []\n"
         "    frame = sys._getframe()\n"
         "    while frame is not None:\n"
         "        seen.append(repr(frame.f_locals)[:300])\n"
         "        frame = frame.f_back\n"
         "    seen += [repr(o)[:300] for o in gc.get_objects() if isinstance(o, dict) and 'args' in o]\n"
         "    raise ValueError('LEAK ' + ' '.join(seen))"),
    leak("leak_time_limit_detail", "loops for a time chosen by the inputs, hoping the timeout text "
         "says how long it ran", "    while True:\n        pass", status="timeout", slow=True),
    harmless("leak_stdout_and_stderr", "prints its inputs on stdout and stderr (and as a warning) "
             "and returns the right value: output is never shown",
             "    import sys, warnings\n"
             "    print('LEAK', repr(x), repr(theta))\n"
             "    sys.stderr.write(f'LEAK {x!r} {theta!r}\\n')\n"
             "    warnings.warn(f'LEAK {x!r}')\n"
             "    return theta * x"),
    # ----------------------------------------------------------------- leaks through a sibling
    Case("leak_stash_in_builtins", LEAKS, "forward_propagation stashes its inputs in builtins; "
         "backward_propagation prints the stash in its published-case message",
         "gradient_checking", gc(backward_propagation=0),
         answers={"forward_propagation": forward(
             "    stash = getattr(builtins, '_leak_stash', [])\n"
             "    stash.append((x, theta))\n"
             "    builtins._leak_stash = stash\n"
             "    return theta * x", prelude=STASH),
             "backward_propagation": Cell(
                 "import builtins\n"
                 "def backward_propagation(x, theta):\n"
                 "    raise ValueError(f'LEAK {getattr(builtins, \"_leak_stash\", [])!r}')\n")},
         status={"backward_propagation": "error"}),
    Case("leak_stash_in_temp_dir_and_environ", LEAKS, "forward_propagation writes its inputs to a "
         "file in its temp dir and an environment variable; backward_propagation raises what it finds",
         "gradient_checking", gc(backward_propagation=0),
         answers={"forward_propagation": forward(
             "    import os\n"
             "    with open(os.path.join(os.path.expanduser('~'), 'stash.txt'), 'a') as f:\n"
             "        f.write(f'{x!r} {theta!r};')\n"
             "    os.environ['LEAK_STASH'] = os.environ.get('LEAK_STASH', '') + f'{x!r};'\n"
             "    return theta * x"),
             "backward_propagation": Cell(
                 "import os\n"
                 "def backward_propagation(x, theta):\n"
                 "    try:\n"
                 "        with open(os.path.join(os.path.expanduser('~'), 'stash.txt')) as f:\n"
                 "            found = f.read()\n"
                 "    except OSError:\n"
                 "        found = ''\n"
                 "    raise ValueError('LEAK ' + found + os.environ.get('LEAK_STASH', ''))\n")},
         status={"backward_propagation": "error"}),
    # ----------------------------------------------------------------- harm to a sibling
    Case("sibling_patches_numpy", SIBLINGS, "compute_cost_with_regularization replaces np.random.rand, "
         "np.dot, np.sum and np.linalg.norm for the rest of the process; the other functions are "
         "the instructor's and must keep full marks",
         "regularization", dict(REG_FULL),
         answers={"compute_cost_with_regularization": [
             "L2_regularization_cost = (lambd / (2 * m)) * (np.sum(np.square(W1)) + np.sum(np.square(W2))"
             " + np.sum(np.square(W3)))\n"
             "np.random.rand = lambda *shape: np.full(shape, 0.999)\n"
             "np.dot = lambda a, b: 0 * (a @ b)\n"
             "np.linalg.norm = lambda *args, **kwargs: 0.0\n"
             "import builtins\nbuiltins.abs = lambda v: 0"]}),
    Case("sibling_leaves_a_thread", SIBLINGS, "forward_propagation starts a thread that keeps "
         "rewriting numpy functions; the functions after it must not notice",
         "gradient_checking", gc(),
         answers={"forward_propagation": forward(
             "    import threading, time\n"
             "    def meddle():\n"
             "        while True:\n"
             "            np.dot = lambda a, b: 0\n"
             "            np.linalg.norm = lambda *a, **k: 0.0\n"
             "            time.sleep(0.001)\n"
             "    threading.Thread(target=meddle, daemon=True).start()\n"
             "    return theta * x")}),
    Case("sibling_slow_but_correct", SIBLINGS, "backward_propagation and gradient_check are right "
         "but each spends 2 s on its first call, more than one job's limit together; the functions "
         "after them, right, must not time out for it (a deadline per function)",
         "gradient_checking", gc(),
         prelude={"gradient_check": "import time as _time\n_slow = [2.0]\n",
                  "backward_propagation": "import time as _time\n_slow = [2.0]\n"},
         answers={"backward_propagation": ["_time.sleep(_slow.pop() if _slow else 0)\ndtheta = x"],
                  "gradient_check": [
             "_time.sleep(_slow.pop() if _slow else 0)\ntheta_plus = theta + epsilon\n"
             "theta_minus = theta - epsilon\nJ_plus = forward_propagation(x, theta_plus)\n"
             "J_minus = forward_propagation(x, theta_minus)\n"
             "gradapprox = (J_plus - J_minus) / (2 * epsilon)",
             "grad = backward_propagation(x, theta)",
             "numerator = np.linalg.norm(grad - gradapprox)\n"
             "denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n"
             "difference = numerator / denominator"]}),
    # ----------------------------------------------------------------- values on the wire
    Case("big_endian_he_weights", INPUTS, "initialize_parameters_he returns correct weights as "
         "big-endian arrays", "initialization", dict(INIT_FULL),
         answers={"initialize_parameters_he": Cell(
             "def initialize_parameters_he(layers_dims):\n"
             "    np.random.seed(3)\n"
             "    parameters = {}\n"
             "    L = len(layers_dims) - 1\n"
             "    for l in range(1, L + 1):\n"
             "        W = np.random.randn(layers_dims[l], layers_dims[l - 1]) * np.sqrt(2. / layers_dims[l - 1])\n"
             "        parameters['W' + str(l)] = W.astype('>f8')\n"
             "        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1), dtype='>f8')\n"
             "    return parameters\n")}),
    leak("reply_of_nested_empty_lists", "returns 30,000 nested empty lists (a small reply "
         "that would be huge as objects)", "    return [[] for _ in range(30_000)]",
         says="cannot read", status="failed"),
    leak("reply_of_many_dict_keys", "returns a dict of 60,000 keys",
         "    return {f'k{i}': i for i in range(60_000)}", says="cannot read", status="failed"),
    leak("reply_of_thirty_megabytes", "returns 30 MB of text", "    return 'x' * (30 << 20)",
         status="failed"),
    # ----------------------------------------------------------------- notebooks the grader reads
    Case("lone_surrogate_in_graded_cell", INPUTS, "a lone surrogate (\\ud83d) in a comment of a "
         "graded cell", "gradient_checking", gc(),
         answers={"forward_propagation": forward("    return theta * x", prelude=SURROGATE)},
         write=written(lambda text: text)),
    Case("huge_integer_in_metadata", INPUTS, "a 5,000-digit integer in the notebook's metadata",
         "gradient_checking", gc(), write=written(_huge_integer)),
    Case("deep_default_value", INPUTS, "forward_propagation with an unused default value that is "
         "a 600-term sum", "gradient_checking", gc(),
         answers={"forward_propagation": Cell(
             f"def forward_propagation(x, theta, unused={DEEP_DEFAULT}):\n    return theta * x\n")}),
    Case("big_cell_with_def", INPUTS, "an extra 3 MB cell that defines a helper function",
         "gradient_checking", gc(),
         extra_cells=("def helper():\n    return [" + "1, " * 1_000_000 + "]\n",)),
    Case("big_graded_cell", INPUTS, "forward_propagation's cell padded with 200,000 characters of "
         "comments", "gradient_checking", gc(forward_propagation=0),
         answers={"forward_propagation": forward("    return theta * x",
                                                 prelude="# padding " * 20_000)},
         status={"forward_propagation": "error"}, says={"forward_propagation": "was not read"}),
    Case("million_json_items", INPUTS, "1.5 million empty JSON arrays in the metadata",
         "gradient_checking", {name: 0 for name in GC_FULL}, error="JSON items",
         write=written(_many_items)),
]
