# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := web/static/vendor
LINT_DIRS := $(wildcard meetings_hub calendars tests bench)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-test assets chromium poppler janus lint unit bench clean

# With Janus installed, calls go through it (started beside the server with the shipped config
# in deploy/janus, its API secret made fresh for this run); without it, calls are peer to peer.
run: install assets
	$(BIN)/meetings-hub migrate
	$(BIN)/meetings-hub demo --if-empty
	@if command -v janus >/dev/null 2>&1; then \
	  secret=$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
	  janus -F deploy/janus -C deploy/janus/janus.jcfg --apisecret "$$secret" -o & janus_pid=$$!; \
	  trap 'kill $$janus_pid 2>/dev/null' EXIT INT TERM; \
	  MEETINGS_HUB_JANUS_URL=http://127.0.0.1:8088/janus MEETINGS_HUB_JANUS_API_SECRET="$$secret" \
	    $(BIN)/meetings-hub serve --demo-mode; \
	else \
	  echo "Janus is not installed: calls are peer to peer (at most p2p_max_participants people)."; \
	  echo "For calls through Janus: sudo apt-get install janus   (docs/calls.md)"; \
	  $(BIN)/meetings-hub serve --demo-mode; \
	fi

test: install-test assets chromium poppler janus
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

# Call tests start Janus (Debian package) themselves, inside a network namespace of their own.
janus:
	@command -v janus >/dev/null 2>&1 || { \
	  echo "installing Debian janus for the call tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq janus iproute2 >/dev/null; }

bench: install-test
	@echo "Benchmarks are run by hand; see bench/README.md"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
