# ordersync: `make help` lists what you can do. Every target sets itself up first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
# Reinstall whenever the dependencies or their lock change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml uv.lock | sha1sum | cut -c1-12)
# The Lambda runtime is python3.13; `sam build` needs one on PATH. Found through pyenv if it has
# one, otherwise python3.13 from PATH.
PY313 := $(or $(shell pyenv prefix 3.13 2>/dev/null | head -n1 | sed 's|$$|/bin/python3.13|'),$(shell command -v python3.13))
PY313_BIN := $(dir $(PY313))
PORT ?= 3000
PLATFORM_PORT ?= 3001
export SAM_CLI_TELEMETRY := 0
export PYTHONUNBUFFERED := 1
# uv works in $(VENV) with the python3.13 found above, and never downloads an interpreter.
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: help setup lock browser run report test test-slow test-all test-unit test-integration test-e2e lint format build docs soak bench redrive fuzz fuzz-short clean

help: ## Show this list
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

# Bootstrap: a python3.13 venv with any uv in it; the first sync replaces it with the locked one.
$(UV):
	@test -n "$(PY313)" || { echo "python3.13 not found (pyenv install 3.13, or put python3.13 on PATH)"; exit 1; }
	@test -x $(PY) || $(PY313) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv

# Exactly what uv.lock pins (the project itself editable), and nothing else.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --quiet --locked --extra dev || { echo "(if uv.lock needs updating: make lock)"; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

setup: $(STAMP) ## Create .venv (python3.13) with everything the project needs, as uv.lock pins it

lock: $(UV) ## Lock pyproject.toml in uv.lock (UPGRADE=1: newest allowed) and regenerate the layer's requirements.txt
	$(UV) lock $(if $(UPGRADE),--upgrade)
	$(PY) -m tools.layer_requirements

# Debian's chromium and its driver for the browser tests (Playwright drives /usr/bin/chromium; it
# never downloads a browser of its own). Quick and silent when both are already there.
browser: setup ## Install Debian's chromium + chromium-driver (apt-get, as root) for the browser tests
	@if [ "$$(dpkg-query -W -f='$${db:Status-Status}\n' chromium chromium-driver 2>/dev/null | grep -cx installed)" = 2 ]; then \
	  echo "chromium and chromium-driver: installed"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	fi

run: setup ## Start the local stack on 127.0.0.1:3000 (PORT=, PLATFORM_PORT=; Ctrl-C stops it)
	$(PY) -m local --port $(PORT) --platform-port $(PLATFORM_PORT)

report: setup ## Send every merchant's daily report now on the running local stack (PORT=), then read /_local/outbox
	$(PY) -m tools.report --url http://127.0.0.1:$(PORT)

test: setup ## The fast tests: unit, integration (moto), end-to-end (local stack); not the slow ones
	$(PY) -m pytest -q -m "not slow"

test-slow: setup ## Only the slow tests: the small soak, the cold-import checks, Ctrl-C, browsers, the short fuzz (~6 min)
	$(PY) -m pytest -q -m slow

fuzz-short: setup ## The short schemathesis run alone (10 examples per operation; part of test-slow)
	$(PY) -m pytest -q -m fuzz

test-all: setup ## Every test, fast and slow
	$(PY) -m pytest -q

test-unit: setup ## The fast unit tests (no AWS)
	$(PY) -m pytest -q -m "not slow" tests/unit

test-integration: setup ## The integration tests (moto)
	$(PY) -m pytest -q -m "not slow" tests/integration

test-e2e: setup ## The fast end-to-end tests (local stack over HTTP)
	$(PY) -m pytest -q -m "not slow" tests/e2e

lint: setup ## ruff, mypy, cfn-lint, sam validate --lint and the ASL checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/sam validate --lint --template template.yaml
	$(PY) -m tools.asl_lint template.yaml

format: setup ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

build: setup ## sam build for python3.13 on arm64 (no Docker needed)
	PATH="$(PY313_BIN):$(VENV)/bin:$$PATH" $(VENV)/bin/sam build --template template.yaml

soak: setup ## Soak the local stack under faults (ORDERS=2000, AWS_FAULTS=0.02); prints the accounting line
	$(PY) -m tools.soak --orders $(or $(ORDERS),2000) $(if $(AWS_FAULTS),--aws-faults $(AWS_FAULTS))

bench: setup ## Benchmark on the local stack: prints the table, writes bench/results.json (~4 min)
	$(PY) -m bench

fuzz: setup ## Schemathesis, every check, both credentials, against a fresh local stack (FUZZ_EXAMPLES=100)
	$(PY) -m tools.fuzz --examples $(or $(FUZZ_EXAMPLES),100)

redrive: setup ## Redrive the dead-letter queue: STACK=<stack name> on AWS, or LOCAL=<url>
	$(PY) -m tools.redrive $(if $(LOCAL),--local $(LOCAL),--stack-name $(or $(STACK),ordersync-dev))

docs: setup ## Write docs/openapi.json (from the API's code) and docs/error-codes.md (from the catalog)
	$(PY) -m tools.openapi > docs/openapi.json
	$(PY) -m tools.route_table > layers/common/ordersync/api/routes.json
	$(PY) -m tools.error_codes > docs/error-codes.md

clean: ## Remove the virtualenv and build output
	rm -rf $(VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
