"""Build what takes the kit to a course platform.

    python deploy/bundle.py gradescope OUT_DIR [--assignments NAME ...] [--secret-file FILE]
    python deploy/bundle.py gradescope OUT.zip [--assignments NAME ...] [--secret-file FILE]
    python deploy/bundle.py coursera OUT_DIR [--part PART_ID=ASSIGNMENT ...] [--secret-file FILE]

``gradescope`` writes Gradescope's ``autograder.zip``: ``setup.sh`` and
``run_autograder`` at its root (as Gradescope's autograder specification asks),
the per-submission script ``grade.py``, ``config.json`` (the assignments a
submission is graded on) and the course secret. Gradescope takes one assignment
at a time, so into a folder ``OUT_DIR`` it writes one zip per assignment,
``OUT_DIR/<assignment>/autograder.zip``, each grading only its own notebook; given
a path ending in ``.zip``, it writes that one zip, grading every assignment named
(default: all three) in one submission. ``coursera`` writes the build
context of the Coursera custom-grader image: ``Dockerfile``, the entry script
``grade.py``, ``config.json`` (the part id -> assignment map) and the secret.

Both carry ``kit/``: the kit as it is in this checkout, that is the grader
(``autograder/``), ``utils/``, the instructor's notebooks it reads its reference
from (``source/``, with the links to ``utils`` replaced by copies), the release
folders its sandboxes run in (``release/``), ``pyproject.toml`` and
``constraints.txt``, so the platform installs it with the same pinned versions.

The course secret is mixed into the seed of each student's hidden inputs; it
travels inside the bundle (readable by root only once installed), so keep the
bundle itself away from students. Without ``--secret-file`` the secret is empty.
The archive is reproducible: the same checkout gives the same bytes.
"""

import argparse
import io
import json
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
KIT_FOLDERS = ("autograder", "utils", "source", "release")
KIT_FILES = ("pyproject.toml", "constraints.txt", "README.md")
JUNK = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".DS_Store"}
ASSIGNMENTS = ("initialization", "regularization", "gradient_checking")
EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same checkout gives the same archive
# autograder.course.course_secret's advice, written out here: this script packs the kit, it imports none of it
MAKE_ONE = "make one with: python -m autograder secret new FILE"


def kit_files():
    """``[(path inside kit/, file on disk)]``, sorted; links (source/<a>/utils) are followed."""
    entries = {name: ROOT / name for name in KIT_FILES}
    for folder in KIT_FOLDERS:
        for top, dirs, files in os.walk(ROOT / folder, followlinks=True):
            dirs[:] = sorted(d for d in dirs if d not in JUNK)
            for name in files:
                if name in JUNK or name.endswith(".pyc"):
                    continue
                path = Path(top, name)
                entries[path.relative_to(ROOT).as_posix()] = path
    return sorted(entries.items())


def _secret_bytes(secret_file):
    if secret_file is None:
        print(f"note: no --secret-file: the hidden inputs are seeded without a course secret "
              f"({MAKE_ONE}, then give it as --secret-file FILE, or to make as SECRET_FILE=FILE)",
              file=sys.stderr)
        return b""
    return Path(secret_file).read_bytes()


def _add(archive, name, data, mode=0o644):
    info = zipfile.ZipInfo(name, EPOCH)
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def gradescope(out, assignments=ASSIGNMENTS, secret_file=None):
    """Write Gradescope autograder zips; returns their paths. ``out`` ending in ``.zip``: that
    one zip, grading every one of ``assignments``; else a folder holding
    ``<assignment>/autograder.zip`` for each of ``assignments``, grading only that one."""
    unknown = sorted(set(assignments) - set(ASSIGNMENTS))
    if unknown:
        raise SystemExit(f"error: unknown assignment(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(ASSIGNMENTS)}")
    out = Path(out)
    secret = _secret_bytes(secret_file)
    kit = [(name, path.read_bytes(), 0o755 if path.stat().st_mode & 0o111 else 0o644)
           for name, path in kit_files()]
    if out.suffix.lower() == ".zip":
        return [_gradescope_zip(out, list(assignments), secret, kit)]
    return [_gradescope_zip(out / assignment / "autograder.zip", [assignment], secret, kit)
            for assignment in dict.fromkeys(assignments)]


def _gradescope_zip(out, assignments, secret, kit):
    out.parent.mkdir(parents=True, exist_ok=True)
    config = {"assignments": assignments}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "setup.sh", (HERE / "gradescope" / "setup.sh").read_bytes(), 0o755)
        _add(archive, "run_autograder", (HERE / "gradescope" / "run_autograder").read_bytes(), 0o755)
        _add(archive, "grade.py", (HERE / "gradescope" / "grade.py").read_bytes())
        _add(archive, "config.json", json.dumps(config, indent=1) + "\n")
        _add(archive, "course.secret", secret, 0o600)
        for name, data, mode in kit:
            _add(archive, f"kit/{name}", data, mode)
    out.write_bytes(buffer.getvalue())
    return out


def coursera(out, parts=(), secret_file=None):
    """Write the build context of the Coursera grader image into the folder ``out``."""
    mapping = {}
    for part in parts:
        part_id, _, assignment = part.partition("=")
        if not part_id or assignment not in ASSIGNMENTS:
            raise SystemExit(f"error: --part wants PART_ID=ASSIGNMENT with ASSIGNMENT one of "
                             f"{', '.join(ASSIGNMENTS)}, not {part!r}")
        mapping[part_id] = assignment
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / "Dockerfile").is_file():
        raise SystemExit(f"error: {out} is not empty and holds no Dockerfile: refusing to write into it")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in ("Dockerfile", "grade.py"):
        shutil.copy2(HERE / "coursera" / name, out / name)
    (out / "config.json").write_text(json.dumps({"parts": mapping}, indent=1) + "\n")
    secret = out / "course.secret"
    secret.write_bytes(_secret_bytes(secret_file))
    secret.chmod(0o600)
    for name, path in kit_files():
        target = out / "kit" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python deploy/bundle.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    zipped = commands.add_parser("gradescope", help="build Gradescope's autograder.zip, one per assignment")
    zipped.add_argument("out", type=Path, help="a folder (one <assignment>/autograder.zip each), or a "
                                               "path ending in .zip (one zip grading every assignment named)")
    zipped.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), metavar="NAME")
    zipped.add_argument("--secret-file", type=Path)
    image = commands.add_parser("coursera", help="build the Coursera grader image's build context")
    image.add_argument("out", type=Path)
    image.add_argument("--part", action="append", default=[], metavar="PART_ID=ASSIGNMENT")
    image.add_argument("--secret-file", type=Path)
    args = parser.parse_args(argv)
    if args.secret_file is not None and not args.secret_file.is_file():
        parser.error(f"no such secret file: {args.secret_file} ({MAKE_ONE})")
    if args.command == "gradescope":
        for path in gradescope(args.out, args.assignments, args.secret_file):
            graded = json.loads(zipfile.ZipFile(path).read("config.json"))["assignments"]
            print(f"wrote {path} ({path.stat().st_size // 1024} KiB): upload it as the autograder of the "
                  f"Gradescope programming assignment of {', '.join(graded)}")
    else:
        path = coursera(args.out, args.part, args.secret_file)
        print(f"wrote {path}/: build the image with `docker build -t week1-grader {path}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
