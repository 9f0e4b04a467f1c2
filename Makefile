# xunpan — the verbs a newcomer needs. `make demo` to see it work, `make test` to prove it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENVS := $(CURDIR)/.venvs
XUNPAN_HOME ?= $(CURDIR)/var
export XUNPAN_HOME
export XUNPAN_REPO := $(CURDIR)
export XUNPAN_VENVS := $(VENVS)
# Never let uv fetch a Python build from outside the package registries.
export UV_PYTHON_DOWNLOADS := never
# Cached bytecode saves half a minute per process importing Great Expectations or Airflow.
unexport PYTHONDONTWRITEBYTECODE

UV := $(VENVS)/bootstrap/bin/uv
AF := $(VENVS)/airflow/bin
XP := $(AF)/xunpan
ENVS := airflow dbt superset

.PHONY: help envs lock demo stop status test lint format bench docs clean
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV): requirements/bootstrap.lock
	$(PYTHON) -m venv $(VENVS)/bootstrap
	$(VENVS)/bootstrap/bin/pip install --quiet --require-hashes -r requirements/bootstrap.lock
	@touch $@

# One environment per tool: Airflow 3.3 and Superset 6.1 pin incompatible SQLAlchemy versions.
$(VENVS)/%/.synced: requirements/%.lock | $(UV)
	[ -x $(VENVS)/$*/bin/python ] || $(UV) venv --quiet --python $(PYTHON) $(VENVS)/$*
	VIRTUAL_ENV=$(VENVS)/$* $(UV) pip sync --quiet requirements/$*.lock
	if [ "$*" = airflow ]; then VIRTUAL_ENV=$(VENVS)/$* $(UV) pip install --quiet --no-deps -e .; fi
	@touch $@

envs: $(foreach e,$(ENVS),$(VENVS)/$(e)/.synced) docs-assets/node_modules/.synced ## build the three environments from the lock files (if missing or stale)

# Styles and scripts of the Data Docs, from the npm registry as pinned in package-lock.json
# (src/xunpan/quality/offline_docs.py copies them next to the site: the pages load nothing from outside).
docs-assets/node_modules/.synced: docs-assets/package-lock.json
	cd docs-assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

lock: | $(UV) ## regenerate requirements/*.lock from requirements/*.in
	for e in $(ENVS); do \
	  $(UV) pip compile --quiet --python 3.11 --python-platform x86_64-manylinux_2_28 requirements/$$e.in -o requirements/$$e.lock || exit 1; \
	done
	$(UV) pip compile --quiet --generate-hashes --python 3.11 requirements/bootstrap.in -o requirements/bootstrap.lock

demo: envs ## generate a year of demo exports, run the pipeline once, start Airflow and Superset
	@if [ ! -e "$(XUNPAN_HOME)/serving/current.duckdb" ]; then \
	  $(XP) demo generate --months 12 --seed 7 --companies acme,beta && $(XP) run; \
	else echo "demo data already published in $(XUNPAN_HOME) (make clean to start over)"; fi
	$(XP) serve start --show-credentials

stop: ## stop the servers make demo started
	@[ ! -x $(XP) ] || $(XP) serve stop

status: ## what runs, the last pipeline runs, what is published
	@$(XP) serve status || true
	@$(XP) status

test: envs ## everything the project checks (what CI runs)
	@$(XP) doctor --for-tests >/dev/null || { $(XP) doctor --for-tests; exit 2; }
	$(AF)/ruff check .
	$(AF)/ruff format --check .
	$(AF)/python -m pytest

lint: envs ## ruff only
	$(AF)/ruff check .
	$(AF)/ruff format --check .

format: envs ## apply ruff's fixes and formatting
	$(AF)/ruff check --fix .
	$(AF)/ruff format .

# COMPANIES=10 (x ROWS keyword rows each, default 2,000,000) for the multi-company size
bench: envs ## time import and the daily run at realistic size beside plain SQL; writes docs/benchmarks.md
	$(AF)/xunpan bench --companies $(or $(COMPANIES),1) --rows $(or $(ROWS),2000000) --out docs/benchmarks.md

docs: envs ## the dbt docs site, written to docs/site/ (git-ignored)
	$(XP) docs --out docs/site

clean: stop ## remove everything generated (XUNPAN_HOME, artifacts); keeps the environments
	rm -rf "$(XUNPAN_HOME)" artifacts docs/site
