#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the zip is unpacked in
# /autograder/source. It installs Python >= 3.11, bubblewrap and libseccomp (the sandbox's
# strongest layer), then the kit into /autograder/venv with the versions pinned in
# kit/constraints.txt.
#
# Knobs (for running it outside Gradescope, e.g. in the kit's tests):
#   AUTOGRADER_ROOT        instead of /autograder
#   SKIP_SYSTEM_PACKAGES=1 do not touch the system's packages (no apt-get)
#   PYTHON                 the interpreter to build the venv with (default: the newest of
#                          python3.13, python3.12, python3.11, python3 that runs, is 3.11 or
#                          newer and has its venv module)
#   KIT_SITE_PACKAGES      hard-link the packages of an existing environment of the same Python
#                          instead of downloading them (pip then installs only what differs)
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"

# usable PYTHON: prints "VERSION EXECUTABLE" when PYTHON runs, is 3.11 or newer and can make a venv
# with pip (a pyenv shim for a version that is not selected, or a Python without its venv package,
# fails here rather than halfway through the install).
usable() {
  "$1" -c 'import sys, venv, ensurepip
assert sys.version_info >= (3, 11)
print("%d.%d.%d" % sys.version_info[:3], sys.executable)' 2>/dev/null
}

# choose: sets PYTHON and FOUND to the first usable candidate: $PYTHON alone when it is set,
# otherwise the newest of python3.13, python3.12, python3.11, then python3.
choose() {
  local candidate
  for candidate in ${PYTHON:-python3.13 python3.12 python3.11 python3}; do
    if FOUND="$(usable "$candidate")" && [ -n "$FOUND" ]; then PYTHON="$candidate"; return 0; fi
  done
  return 1
}

if [ -z "${SKIP_SYSTEM_PACKAGES:-}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends bubblewrap libseccomp2 ca-certificates
  if ! choose; then
    # A Python that runs but lacks its venv module (packaged apart on Debian and Ubuntu) gets it;
    # with none, the archive's python3.11 (Gradescope's Ubuntu 22.04 image has only 3.10). The
    # system's python3 is never replaced: Gradescope's harness runs on it.
    for version in 3.13 3.12 3.11; do
      if "python$version" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
        apt-get install -y -q --no-install-recommends "python$version-venv" || true
        break
      fi
    done
    choose || apt-get install -y -q --no-install-recommends python3.11 python3.11-venv || true
  fi
fi

if ! choose; then
  echo "setup.sh: found no Python 3.11 or newer that runs and can make a venv (tried:" \
       "${PYTHON:-python3.13 python3.12 python3.11 python3}); install one, or set PYTHON" >&2
  exit 1
fi
echo "setup.sh: building the kit's venv with $PYTHON (Python ${FOUND%% *}, ${FOUND#* })"

if [ -n "${KIT_SITE_PACKAGES:-}" ]; then
  "$PYTHON" -m venv --without-pip "$VENV"  # pip comes with the linked packages
  site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  cp -al "$KIT_SITE_PACKAGES/." "$site/" 2>/dev/null || cp -a "$KIT_SITE_PACKAGES/." "$site/"
  # the other environment's own install of the kit is not this one's
  rm -rf "$site"/__editable__*dls_w1_kit* "$site"/dls_w1_kit-*.dist-info
else
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet -c "$SOURCE/kit/constraints.txt" -e "$SOURCE/kit"

# The course secret and the kit are for the grader (root) only; the sandbox runs student code
# as another user, which must still read the interpreter, the venv and the release folders.
chmod 600 "$SOURCE/course.secret"
chmod 700 "$SOURCE/kit/source"
"$VENV/bin/python" -m autograder --help >/dev/null
echo "setup.sh: the kit is installed in $VENV ($("$VENV/bin/python" --version))"
