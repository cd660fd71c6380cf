"""The project's pinned dependencies: ``constraints.txt``, written from a working environment.

``make install`` installs the project itself into ``.venv`` in editable mode
(``pip install -c constraints.txt -e ".[dev]"``): the installed ``autograder``
and ``utils`` packages are this checkout, because the grader reads its
reference from ``source/`` and ``release/`` beside them. ``constraints.txt``
pins every package of that environment, so every install (a clone, CI, the
Gradescope and Coursera images) gets the same versions.

    python tools/requirements.py freeze   # rewrite constraints.txt from the running interpreter
    python tools/requirements.py check    # exit 1 unless constraints.txt pins every dependency

``freeze`` runs ``pip freeze`` in the current interpreter and leaves out the
project itself (an editable install is not a pin) and pip.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
HEADER = """\
# Every package of a working environment of this kit, pinned: `make install` installs with
# `pip install -c constraints.txt -e ".[dev]"`. Regenerate with `make lock` after changing the
# dependencies in pyproject.toml (it freezes .venv), then run `make test`.
"""


def _name(requirement):
    """The normalized distribution name of a requirement line (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirements():
    """The project's direct requirements: runtime and dev."""
    data = project()
    return data["dependencies"] + data["optional-dependencies"]["dev"]


def pins(text):
    """``{name: version}`` of the ``name==version`` lines of a constraints file."""
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            found[_name(name)] = version.split(";", 1)[0].strip()
    return found


def freeze():
    listing = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                             check=True, capture_output=True, text=True).stdout
    own = _name(project()["name"])
    lines = sorted((line for line in listing.splitlines()
                    if "==" in line and _name(line) not in (own, "pip")), key=_name)
    CONSTRAINTS.write_text(HEADER + "\n".join(lines) + "\n")
    return lines


def missing():
    """Direct requirements that ``constraints.txt`` does not pin."""
    pinned = pins(CONSTRAINTS.read_text())
    return [r for r in requirements() if _name(r.split("[", 1)[0]) not in pinned]


def main(argv):
    if argv == ["freeze"]:
        print(f"pinned {len(freeze())} packages in {CONSTRAINTS.name}")
        return 0
    if argv == ["check"]:
        gaps = missing()
        for requirement in gaps:
            print(f"not pinned in {CONSTRAINTS.name}: {requirement}", file=sys.stderr)
        return 1 if gaps else 0
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    print("usage: python tools/requirements.py freeze|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
