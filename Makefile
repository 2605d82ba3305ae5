# The two commands a new user runs: `make run` and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNS ?= 1000

.PHONY: run test lint bench venv clean lessons

$(STAMP): pyproject.toml tools/find-python.sh
	@python_bin=$$(tools/find-python.sh) || exit 1; \
	 echo "Using $$python_bin"; \
	 [ -x $(PY) ] || "$$python_bin" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/wargame run scenarios/taiwan_strait_baseline.yaml --runs $(RUNS) --out results/baseline --plot

lint: $(STAMP)
	$(VENV)/bin/ruff check wargame tests benchmarks
	$(VENV)/bin/ruff format --check wargame tests benchmarks

test: lint
	@sh tools/install-browser.sh  # Debian's Chromium for the web console's browser test (idempotent)
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) -m benchmarks

lessons: $(STAMP)
	MPLBACKEND=Agg $(PY) -m wargame.teaching.lessons docs/lessons

clean:
	rm -rf $(VENV) results .pytest_cache
