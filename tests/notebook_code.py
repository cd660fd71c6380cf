"""Load the functions defined in a source notebook, for tests.

``load_notebook_functions(path)`` executes the notebook's imports cell and the
top-level ``def`` statements of every code cell (nothing else), with the
notebook's folder first on ``sys.path`` and as the working directory, and
returns the resulting namespace. This is how the fidelity tests reach the
instructor's solutions and the given ``model`` functions.
"""

import ast
import contextlib
import os
from pathlib import Path

from autograder.grading.extract import code_cells, read_notebook
from autograder.grading.reference import assignment_modules

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def in_folder(folder):
    """Run with ``folder`` as working directory and its face modules first on ``sys.path``."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with assignment_modules(folder):
            yield
    finally:
        os.chdir(previous)


def load_notebook_functions(path):
    """Namespace with the imports cell run and every top-level function defined."""
    path = Path(path)
    cells = code_cells(read_notebook(path))
    namespace = {"__name__": "notebook_under_test"}
    with in_folder(path.parent):
        exec(compile(cells[0][1], f"{path.name}[imports]", "exec"), namespace)
        for index, source in cells[1:]:
            tree = ast.parse(source)
            defs = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
            if defs:
                module = ast.Module(body=defs, type_ignores=[])
                exec(compile(module, f"{path.name}[cell {index}]", "exec"), namespace)
    return namespace
