"""The project's pinned dependencies: ``constraints.txt``, one lock for every supported Python.

``make install`` installs the project itself into ``.venv`` in editable mode
(``pip install -c constraints.txt -e ".[dev]"``): the installed ``autograder``
and ``utils`` packages are this checkout, because the grader reads its
reference from ``source/`` and ``release/`` beside them. ``constraints.txt``
pins every package that any supported interpreter needs, so every install (a
clone, CI, the Gradescope and Coursera images) gets the same versions.

The lock is resolved for every interpreter from the floor of
``requires-python`` up (``uv pip compile --universal``), not for the one that
runs the resolver: where a package's newest release needs a newer Python than
a stock system ships (Debian 12's and RHEL 9's ``python3.11`` are 3.11.2), the
lock holds two pins with environment markers, and pip takes the one whose
marker holds. The pins already in ``constraints.txt`` are the resolver's
preferences, so locking again changes nothing unless ``pyproject.toml`` asks
for it.

    python tools/requirements.py lock [UV_ARGS]  # rewrite constraints.txt (uv installed under build/uv)
    python tools/requirements.py check           # exit 1 unless constraints.txt pins every dependency
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
#: The resolver `make lock` installs (a lock is only reproducible with the same resolver).
UV_VERSION = "0.13.9"
HEADER = """\
# Every package that the kit needs on any supported Python (3.11.0 and newer), pinned: `make install`
# installs with `pip install -c constraints.txt -e ".[dev]"`, and pip takes the pins whose
# environment marker holds. Written by `make lock` (uv pip compile --universal) from pyproject.toml,
# keeping the pins already here; run `make test` after it.
"""


def _name(requirement):
    """The normalized distribution name of a requirement line (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None


def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def floor():
    """The oldest supported Python, ``"3.11"``, read from ``requires-python``."""
    match = re.fullmatch(r">=\s*(\d+\.\d+)", project()["requires-python"].strip())
    if not match:
        raise ValueError(f"requires-python should read '>=X.Y', not {project()['requires-python']!r}")
    return match.group(1)


def requirements():
    """The project's direct requirements: runtime and dev."""
    data = project()
    return data["dependencies"] + data["optional-dependencies"]["dev"]


def pin_lines(text):
    """Each ``name==version ; marker`` line of a constraints file as a :class:`Requirement`."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"{CONSTRAINTS.name}, line {number}: {error}") from None
        found.append(requirement)
    return found


def pins(text, environment=None):
    """``{name: version}`` of the pins that apply to ``environment`` (default: this interpreter).

    A pin without a marker applies everywhere; one with a marker only where the marker holds.
    """
    chosen = {}
    for requirement in pin_lines(text):
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(versions) != 1:
            raise ValueError(f"{CONSTRAINTS.name}: {requirement} is not an exact pin (name==version)")
        chosen[_name(requirement.name)] = versions[0]
    return chosen


def resolver():
    """The ``uv`` binary of version :data:`UV_VERSION`, installed under ``build/uv`` on first use."""
    target = ROOT / "build" / "uv"
    uv = target / "bin" / "uv"
    probe = subprocess.run([uv, "--version"], capture_output=True, text=True) if uv.exists() else None
    if probe is None or probe.stdout.split()[1:2] != [UV_VERSION]:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "--target",
                        str(target), f"uv=={UV_VERSION}"], check=True)
    return uv


def lock(uv, extra=()):
    """Resolve ``pyproject.toml`` for every Python from the floor up and rewrite ``constraints.txt``.

    uv reads the pins of the file it rewrites as its preferences, so what is pinned stays pinned;
    ``extra`` goes to ``uv pip compile`` as it is (``--upgrade-package NAME`` moves one pin).
    """
    command = [str(uv), "pip", "compile", "--quiet", "--universal", "--python-version", floor(),
               "--extra", "dev", "--no-annotate", "--no-header", "--output-file", str(CONSTRAINTS),
               *extra, str(ROOT / "pyproject.toml")]
    subprocess.run(command, check=True, cwd=ROOT)
    body = CONSTRAINTS.read_text()
    CONSTRAINTS.write_text(HEADER + body)
    return pin_lines(body)


def missing():
    """Direct requirements that ``constraints.txt`` does not pin (for this interpreter)."""
    pinned = pins(CONSTRAINTS.read_text())
    return [r for r in requirements() if _name(r.split("[", 1)[0]) not in pinned]


def main(argv):
    if argv[:1] == ["lock"]:
        pinned = lock(resolver(), argv[1:])
        print(f"pinned {len(pinned)} lines in {CONSTRAINTS.name} (Python {floor()} and newer)")
        return 0
    if argv == ["check"]:
        gaps = missing()
        for requirement in gaps:
            print(f"not pinned in {CONSTRAINTS.name}: {requirement}", file=sys.stderr)
        return 1 if gaps else 0
    print(__doc__.strip().splitlines()[0], file=sys.stderr)
    print("usage: python tools/requirements.py lock [UV_ARGS] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
