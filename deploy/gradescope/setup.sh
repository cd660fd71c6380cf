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
#                          python3.13, python3.12, python3.11 found)
#   KIT_SITE_PACKAGES      hard-link the packages of an existing environment of the same Python
#                          instead of downloading them (pip then installs only what differs)
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"

if [ -z "${SKIP_SYSTEM_PACKAGES:-}" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends bubblewrap libseccomp2 ca-certificates
  if ! command -v python3.13 >/dev/null && ! command -v python3.12 >/dev/null \
      && ! command -v python3.11 >/dev/null; then
    # Gradescope's Ubuntu 22.04 image has Python 3.10; its archive carries 3.11.
    apt-get install -y -q --no-install-recommends python3.11 python3.11-venv
  fi
  for version in 3.13 3.12 3.11; do  # the venv module may be packaged apart
    if command -v "python$version" >/dev/null; then
      apt-get install -y -q --no-install-recommends "python$version-venv" 2>/dev/null || true
      break
    fi
  done
fi

if [ -z "${PYTHON:-}" ]; then
  for candidate in python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null; then PYTHON="$candidate"; break; fi
  done
fi
if [ -z "${PYTHON:-}" ]; then
  echo "setup.sh: no Python 3.11, 3.12 or 3.13 found; set PYTHON" >&2
  exit 1
fi

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
