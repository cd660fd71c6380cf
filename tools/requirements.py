"""Print the project's dependencies (runtime and dev) from pyproject.toml, one per line.

The Makefile installs these into ``.venv`` without installing the project
itself, so that ``utils`` is only importable from the repository (and from
each self-contained release folder), never from site-packages.
"""

import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
    print(requirement)
