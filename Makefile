# perpspec: every target creates .venv with what it needs when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CROSSHAIR_TIMEOUT ?= 4
CROSSHAIR_DEEP_TIMEOUT ?= 60

.PHONY: demo test lint typecheck pytest crosshair crosshair-quick docs mathjax browser vectors vectors-check generate generate-check examples fuzz bench bench-import bench-core mutation mutation-sample clean

$(STAMP): pyproject.toml hatch_build.py perpspec/_core/scan.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the seeds' worked examples, then a simulated crash audited clean and tampered once
demo: $(STAMP)
	$(BIN)/perpspec demo

## test: everything CI runs
test: $(STAMP) lint typecheck generate-check vectors-check pytest crosshair-quick docs

lint: $(STAMP)
	$(BIN)/ruff check perpspec tests scripts benchmarks docs_hooks
	$(BIN)/ruff format --check perpspec tests scripts benchmarks docs_hooks

typecheck: $(STAMP)
	$(BIN)/mypy --strict perpspec tests scripts benchmarks docs_hooks

## pytest: the tests, the site's among them (tests/docs read the site `make docs` just built:
## no remote reference, the stamp, and the browser test in headless Chromium)
pytest: $(STAMP) docs browser
	PERPSPEC_SITE_DIR=$(CURDIR)/site HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q -n 2 tests

## generate: regenerate the typed closed-form module from the sympy derivations
generate: $(STAMP)
	$(BIN)/python -m perpspec.spec.codegen

generate-check: $(STAMP)
	$(BIN)/python -m perpspec.spec.codegen --check

## vectors: regenerate vectors/ from the case sources
vectors: $(STAMP)
	$(BIN)/perpspec vectors

vectors-check: $(STAMP)
	$(BIN)/perpspec vectors --check
	$(BIN)/perpspec conform --reference vectors
	$(BIN)/perpspec conform --cmd "$(BIN)/python -m perpspec.conformance.serve" vectors

## crosshair-quick: bounded symbolic check of the int-unit kernels (part of make test; fails
## only on a counterexample: exit 0 is "none found within the budget", not a proof)
crosshair-quick: $(STAMP)
	$(BIN)/crosshair check --analysis_kind=PEP316 --per_condition_timeout=$(CROSSHAIR_TIMEOUT) perpspec/reference/kernels.py

## crosshair: the deep run, condition by condition; writes docs/crosshair.md (confirmed /
## not confirmed within the budget / counterexample)
crosshair: $(STAMP)
	$(BIN)/python -m perpspec.invariants.crosshair_report --timeout $(CROSSHAIR_DEEP_TIMEOUT) --out docs/crosshair.md

## docs: the site, with the formula and theorem pages generated from the derivations
docs: $(STAMP) mathjax
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## mathjax: the site's own copy of MathJax (npm mathjax, pinned; docs/javascripts/vendor/)
mathjax: $(STAMP)
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	$(BIN)/python -m docs_hooks.offline fetch

## browser: headless Chromium for the browser test (the OS package)
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## examples: regenerate the committed example ledgers, one crash per seed profile, and one
## with index records (bitmex: each mark derived from three venues' quotes)
EXAMPLE_PROFILES := seed-gate seed-coincatch seed-binance seed-panews seed-socialized
examples: $(STAMP)
	for profile in $(EXAMPLE_PROFILES); do \
		$(BIN)/perpspec simulate --accounts 40 --steps 400 --seed 3 --scenario crash \
			--profile $$profile --out examples/$$profile-crash.jsonl || exit 1; \
	done
	$(BIN)/perpspec simulate --accounts 40 --steps 500 --seed 3 --scenario crash \
		--profile bitmex --index --out examples/bitmex-index-crash.jsonl

## fuzz: long random runs of every property (not part of make test)
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -q -n 2 --timeout 3600 tests

## mutation: mutation testing of perpspec.reference with mutmut (long; not part of make test).
## Scope, score and the reviewed surviving mutants: docs/mutation.md. Work files: mutants/.
## MUTATION_ARGS="perpspec.reference.numbers.*" runs the mutants of one module.
mutation: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children 2 $(MUTATION_ARGS)
	$(BIN)/mutmut results
	$(BIN)/mutmut export-cicd-stats
	@cat mutants/mutmut-cicd-stats.json

## mutation-sample: the score of perpspec.reference from a seeded stratified sample of its
## mutants (500 of the engine's, a quarter of every other module's), with its 95% interval
## (scripts/mutation_score.py; docs/mutation.md). About an hour on two cores; `make mutation`
## runs every mutant (many hours).
mutation-sample: $(STAMP)
	@# the first run makes every mutant and the test map (it runs trigger.py's eight mutants,
	@# a module scored in full anyway), so the sample can be drawn from all the names
	HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children 2 "perpspec.reference.liquidation.trigger.*"
	names="$$($(BIN)/python scripts/mutation_score.py select)"; \
	if [ -n "$$names" ]; then HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children 2 $$names; fi
	$(BIN)/python scripts/mutation_score.py report

## bench: the audit's time against bare JSON parsing, and its peak memory, on 1M and 10M-event
## ledgers (docs/bench.md; ledgers kept under out/bench/; hours on two cores; BENCH_ARGS to vary),
## then bench-import
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_audit.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_import.py $(IMPORT_BENCH_ARGS)

## bench-core: bare orjson parsing, the compiled scanner alone, the reader on it and the
## reference reader on a 1M-event simulated ledger (docs/bench.md, the compiled core; the
## ledger is made as `make bench` makes it, or reused; CORE_BENCH_ARGS to vary)
bench-core: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py $(CORE_BENCH_ARGS)

## bench-import: importing and auditing a 1M-row Bybit export against auditing a canonical
## ledger of as many events (issue 12; docs/bench.md; about half an hour on two cores;
## IMPORT_BENCH_ARGS="--rows 100000" for a quicker run)
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py $(IMPORT_BENCH_ARGS)

clean:
	rm -rf $(VENV) site docs/javascripts/vendor mutants .mypy_cache .ruff_cache .pytest_cache .hypothesis
