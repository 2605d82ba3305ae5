# The two commands a new user runs: `make run` and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNS ?= 1000

.PHONY: run test test-fast lint lint-style typecheck bench venv clean lessons experiments docs-figures validity

$(STAMP): pyproject.toml tools/find-python.sh
	@python_bin=$$(tools/find-python.sh) || exit 1; \
	 echo "Using $$python_bin"; \
	 [ -x $(PY) ] || "$$python_bin" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -e '.[dev]'
	@# pip compiles the installed modules one file at a time; compileall writes the same bytecode on every core.
	$(PY) -m compileall -q -j 0 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/wargame run scenarios/taiwan_strait_baseline.yaml --runs $(RUNS) --out results/baseline --plot --force

lint: lint-style typecheck

# ruff and the layers: the part of lint that takes a second.
lint-style: $(STAMP)
	$(VENV)/bin/ruff check wargame tests benchmarks
	$(VENV)/bin/ruff format --check wargame tests benchmarks
	$(VENV)/bin/lint-imports --no-logo  # the layers of docs/architecture.md

# mypy alone (make lint runs it too): wargame/, configured in pyproject.toml.
typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The suite runs on every core (pytest-xdist); tests of one module stay in one worker process, and the
# files go out longest first (tests/conftest.py, from tests/file_durations.json) so the cores finish together.
# Only the plugins the suite uses are loaded: the others in the venv (anyio's, schemathesis', platformdirs')
# are then neither imported nor assertion-rewritten by every worker.
PYTEST_PARALLEL := --disable-plugin-autoload -p xdist -p timeout -p hypothesispytest \
	-n auto --dist loadfile --no-loadscope-reorder

# Both run all of lint: ruff and the layers first, mypy beside pytest (tools/pytest-beside-mypy.sh).
test: lint-style
	@sh tools/install-browser.sh  # Debian's Chromium for the web console's browser test (idempotent)
	VENV=$(VENV) sh tools/pytest-beside-mypy.sh $(PYTEST_PARALLEL)

# The inner loop: lint, then every test but the slow and browser ones.
test-fast: lint-style
	VENV=$(VENV) sh tools/pytest-beside-mypy.sh $(PYTEST_PARALLEL) -m "not slow and not browser"

bench: $(STAMP)
	$(PY) -m benchmarks

lessons: $(STAMP)
	MPLBACKEND=Agg $(PY) -m wargame.teaching.lessons docs/lessons

clean:
	rm -rf $(VENV) results .pytest_cache

# The four shipped experiments: sweep (resumable: an interrupted `make experiments` continues where it
# stopped) and analyse each into results/experiments/<name>/, keeping the printed report as report.txt.
experiments: $(STAMP)
	@for name in info_sharing_latency cooperation_sobol gray_zone_vs_resolve cooperation_robustness; do \
	  out=results/experiments/$$name; \
	  echo "== $$name"; \
	  $(VENV)/bin/wargame sweep experiments/$$name.yaml --out $$out --resume --quiet || exit 1; \
	  MPLBACKEND=Agg $(VENV)/bin/wargame analyze $$out > $$out/report.txt || exit 1; \
	  echo "   report: $$out/report.txt, figures: $$out/analysis/figures/"; \
	done

# The experiment plots shown in docs/experiments.md, copied from a fresh `make experiments`.
docs-figures: experiments
	@mkdir -p docs/figures/experiments
	@for figure in info_sharing_latency/heatmap_war info_sharing_latency/heatmap_final_resolve_twn \
	  cooperation_sobol/sobol_escalation_score \
	  cooperation_sobol/sobol_max_rung cooperation_sobol/sobol_war cooperation_sobol/response_escalation_score \
	  gray_zone_vs_resolve/heatmap_war gray_zone_vs_resolve/heatmap_escalation_score \
	  cooperation_robustness/robustness cooperation_robustness/cart \
	  cooperation_robustness/feature_scores cooperation_robustness/discovery; do \
	  name=$${figure%%/*}; file=$${figure#*/}; \
	  cp results/experiments/$$name/analysis/figures/$$file.png docs/figures/experiments/$$name-$$file.png \
	    || exit 1; \
	done
	@echo "copied to docs/figures/experiments/"

# docs/validity.md and its figures: every lever of the reference scenario and of the Baltic theatre over 7
# levels on common random numbers, the checks and the Sobol indices of P(war). Takes minutes: not in `test`.
VALIDITY_SCENARIOS := scenarios/taiwan_strait_baseline.yaml $(wildcard scenarios/baltic_deterrence.yaml)
validity: $(STAMP)
	$(VENV)/bin/wargame validity $(VALIDITY_SCENARIOS) --out docs/validity.md --jobs 2
