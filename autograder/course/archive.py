"""Safe extraction of a class archive (a zip from an LMS or of an nbgrader ``submitted/`` folder).

The whole archive is checked before anything is written: no absolute paths,
no ``..``, no links, no special files, a bounded number of entries and a
bounded size (declared and actually read, so a zip bomb stops early). A bad
archive raises :class:`ArchiveError` listing what is wrong, and the target
folder is removed, never left half-extracted.
"""

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 100_000
MAX_FILE_BYTES = 64 << 20
MAX_TOTAL_BYTES = 4 << 30
#: Beyond this many bytes, an archive may expand to at most MAX_RATIO times its own size: notebooks
#: compress about tenfold, a zip bomb a thousandfold (many entries, each under MAX_FILE_BYTES).
RATIO_FLOOR_BYTES = 256 << 20
MAX_RATIO = 200


class ArchiveError(ValueError):
    """The archive is unsafe or unreadable; the message lists the offending entries."""


def _problem(info):
    name = info.filename
    path = PurePosixPath(name)
    kind = stat.S_IFMT(info.external_attr >> 16)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\\" in name:
        return f"{name}: absolute or non-portable path"
    if ".." in path.parts:
        return f"{name}: goes outside the archive's folder (..)"
    if kind == stat.S_IFLNK:
        return f"{name}: a symbolic link"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return f"{name}: not a regular file"
    if info.file_size > MAX_FILE_BYTES:
        return f"{name}: {info.file_size} bytes, more than {MAX_FILE_BYTES}"
    return None


def safe_extract(archive, target):
    """Extract ``archive`` into the new folder ``target``; returns ``target``."""
    archive, target = Path(archive), Path(target)
    if target.exists():
        raise ArchiveError(f"will not extract {archive.name} over the existing {target}")
    try:
        with zipfile.ZipFile(archive) as zipped:
            infos = zipped.infolist()
            if len(infos) > MAX_ENTRIES:
                raise ArchiveError(f"{archive.name} holds {len(infos)} entries, more than {MAX_ENTRIES}")
            problems = [p for p in map(_problem, infos) if p]
            declared = sum(i.file_size for i in infos)
            packed = archive.stat().st_size
            budget = min(MAX_TOTAL_BYTES, max(RATIO_FLOOR_BYTES, MAX_RATIO * packed))
            if declared > MAX_TOTAL_BYTES:
                problems.append(f"{declared} bytes in all, more than {MAX_TOTAL_BYTES}")
            elif declared > budget:
                problems.append(f"{declared} bytes in all from {packed} bytes, more than {MAX_RATIO} "
                                "times the archive's size (a zip bomb?)")
            if problems:
                raise ArchiveError(f"{archive.name} was not extracted: " + "; ".join(problems[:20]))
            target.mkdir(parents=True)
            total = 0
            for info in infos:
                destination = target.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(info) as source, open(destination, "wb") as sink:
                    written = 0
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        total += len(chunk)
                        if written > MAX_FILE_BYTES or total > budget:
                            raise ArchiveError(f"{archive.name}: {info.filename} expands beyond its "
                                               "declared size (a zip bomb?)")
                        sink.write(chunk)
    except ArchiveError:
        shutil.rmtree(target, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        shutil.rmtree(target, ignore_errors=True)
        raise ArchiveError(f"{archive.name} is not a readable zip archive ({error})") from None
    return target
