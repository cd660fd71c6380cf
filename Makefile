# Front door of the kit. Every target installs what it needs first.
#
# PYTHON picks the interpreter of .venv (3.11, 3.12 or 3.13), e.g. `make PYTHON=python3.12 test`;
# a .venv made by another Python version is rebuilt. VENV moves the environment elsewhere.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
STAMP := $(VENV)/.installed-$(PY_VERSION)
# Gradescope and Coursera bundles: which assignments, and the course secret to build in (optional).
ASSIGNMENTS ?= initialization regularization gradient_checking
SECRET_FILE ?=
PARTS ?=
# make mutants: which modules of the grading core to mutate (default: all of them).
MODULES ?=

.PHONY: install lock release test lint demo bench lab gradescope coursera mutants clean

install: $(STAMP)

# The project itself is installed (editable: the packages are this checkout), with every
# dependency pinned by constraints.txt, so `python -m autograder`, `dask worker`, Jupyter
# kernels and `nbgrader autograde` find it from any folder.
$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PY_VERSION)" || { echo "error: cannot run '$(PYTHON)'. Install Python 3.11, 3.12 or 3.13, or pass PYTHON=/path/to/python3.x" >&2; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { echo "error: $(PYTHON) is Python $(PY_VERSION); the kit needs 3.11 or newer (tested: 3.11, 3.12, 3.13)" >&2; exit 2; }
	@if [ -x $(PY) ] && [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "$(PY_VERSION)" ]; then \
		echo "$(VENV) was made by another Python: rebuilding it with $(PYTHON) ($(PY_VERSION))"; \
		$(PYTHON) -m venv --clear $(VENV); fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools notes that an install is editable, which is what the kit wants: not printed
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Re-resolve constraints.txt for every supported Python (after changing the dependencies in
# pyproject.toml); the pins already there are kept where they still fit. LOCK_ARGS goes to uv as it
# is, e.g. LOCK_ARGS="--upgrade-package numpy" moves one pin.
lock: install
	$(PY) tools/requirements.py lock $(LOCK_ARGS)

release: install
	$(PY) -m tools.release

test: install
	$(PY) -m pytest

# ruff, then the layering of the grader (pyproject.toml's [tool.importlinter] contracts; the test
# suite runs the same check in tests/test_layers.py).
lint: install
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache

demo: install
	$(PY) -m autograder grade-class tests/sample_class/submitted --out build/demo

bench: install
	$(PY) -m bench
	$(PY) -m bench.gradescope
	$(PY) -m bench.hints

# Mutation testing of the grading core (not part of `make test` or CI): mutmut, pinned and installed
# under build/mutmut, plants one bug at a time in each module and runs that module's fast tests;
# prints the kill rate per module and the surviving mutants. Niced: it keeps both cores busy for long.
# MODULES="autograder/grading/checks.py ..." mutates only those (before resolving an issue that touches them).
mutants: install
	nice -n 19 $(PY) -m tools.mutants $(MODULES)

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=$(CURDIR)

# build/gradescope/<assignment>/autograder.zip, one per assignment: upload each as the autograder of
# that assignment's Gradescope programming assignment (it grades only its own notebook).
gradescope: install
	$(PY) deploy/bundle.py gradescope build/gradescope --assignments $(ASSIGNMENTS) \
		$(if $(SECRET_FILE),--secret-file $(SECRET_FILE))

# build/coursera/: the build context of the Coursera custom-grader image (`docker build build/coursera`).
coursera: install
	$(PY) deploy/bundle.py coursera build/coursera $(if $(SECRET_FILE),--secret-file $(SECRET_FILE)) \
		$(foreach part,$(PARTS),--part $(part))

clean:
	rm -rf build .pytest_cache
