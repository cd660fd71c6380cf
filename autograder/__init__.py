"""Grade the Week 1 notebooks function by function, student code in a sandbox.

The rooms, each a subpackage: :mod:`grading` (one notebook: extract -> reference -> run ->
checks -> feedback -> result), :mod:`assignments` (the checks of each assignment), :mod:`sandbox`
(the trust boundary, where student code runs), :mod:`course` (a class: ids, batch, runners,
exports, report) and :mod:`platforms` (nbgrader). :mod:`cli` is a thin layer over them.

Modules that moved into a room and that users' files name by their old dotted path (a course's
``nbgrader_config.py``, the hidden test cells of the source notebooks and of the gradebooks made
from them) are found there too: ``import autograder.nbgrader_bridge`` gives
:mod:`autograder.platforms.nbgrader_bridge` itself (see :data:`MOVED`).
"""

import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"

#: Old dotted path -> the module's path in its room.
MOVED = {f"autograder.{name}": f"autograder.platforms.{name}"
         for name in ("nbgrader_autograde", "nbgrader_bridge", "nbgrader_sanitize")}


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports an old dotted path of :data:`MOVED` as the module itself (not a copy)."""

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in MOVED else None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        spec.loader_state = module.__spec__  # the import sets the old path's spec on the module
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state  # its own spec back


if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedFinder())
