# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := web/static/vendor
LINT_DIRS := $(wildcard meetings_hub calendars tests bench)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test assets chromium poppler lint unit bench clean

run: install assets
	$(BIN)/meetings-hub migrate
	$(BIN)/meetings-hub demo --if-empty
	$(BIN)/meetings-hub serve --demo-mode

test: install-test assets chromium poppler
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Node packages come from the npm registry at install time (never committed); the socket.io
# browser client and Chart.js (its UMD build: self-contained, unlike the ESM one, which imports
# @kurkle/color by bare name) are copied into the served static folder.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/socket.io.esm.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js $(VENDOR)/
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/

$(VENDOR)/chart.umd.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/

assets: $(VENDOR)/socket.io.esm.min.js $(VENDOR)/chart.umd.min.js

# Browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# The report's print test turns page.pdf() into PNG pages with pdftoppm (Debian poppler-utils).
poppler:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "installing poppler-utils (pdftoppm) for the report's print test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

bench: install-test
	@echo "Benchmarks are run by hand; see bench/README.md"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
