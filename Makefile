# Front door of the kit. Every target installs what it needs first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: install release test lint demo bench lab clean

install: $(STAMP)

$(STAMP): pyproject.toml tools/requirements.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $$($(PY) tools/requirements.py | tr '\n' ' ')
	touch $(STAMP)

release: install
	$(PY) -m tools.release

test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .

demo: install
	$(PY) -m autograder grade-class tests/sample_class/submitted --out build/demo

bench: install
	$(PY) -m bench

lab: install
	$(VENV)/bin/jupyter lab --notebook-dir=$(CURDIR)

clean:
	rm -rf build .pytest_cache
