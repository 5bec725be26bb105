# Two commands do all the set-up on a fresh machine:
#   make serve   install, load the bundled digests into the store, serve the endpoint
#   make test    install with the test dependencies, run the whole suite
# Both are idempotent: the virtualenv and the install are redone only when
# pyproject.toml changes, and `voxgraph load` skips digests already loaded.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STORE  ?= $(or $(VOXGRAPH_STORE),var/store)

.PHONY: serve test load lint clean install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

load: install
	$(BIN)/voxgraph load corpus --store $(STORE)

serve: load
	$(BIN)/voxgraph serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
