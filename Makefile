# perpspec: every target creates .venv with what it needs when it is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CROSSHAIR_TIMEOUT ?= 4
CROSSHAIR_DEEP_TIMEOUT ?= 60

.PHONY: demo test lint typecheck pytest crosshair crosshair-quick docs vectors vectors-check generate generate-check fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the main job on an embedded example (until the engine lands: the seeds' worked examples)
demo: $(STAMP)
	$(BIN)/perpspec demo

## test: everything CI runs
test: $(STAMP) lint typecheck generate-check vectors-check pytest crosshair-quick docs

lint: $(STAMP)
	$(BIN)/ruff check perpspec tests
	$(BIN)/ruff format --check perpspec tests

typecheck: $(STAMP)
	$(BIN)/mypy --strict perpspec tests

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest -q -n 2 tests

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

## crosshair-quick: bounded symbolic check of the int-unit kernels (part of make test)
crosshair-quick: $(STAMP)
	$(BIN)/crosshair check --analysis_kind=PEP316 --per_condition_timeout=$(CROSSHAIR_TIMEOUT) perpspec/reference/kernels.py

## crosshair: the deep run, with a longer per-condition budget
crosshair: $(STAMP)
	$(BIN)/crosshair check --analysis_kind=PEP316 --per_condition_timeout=$(CROSSHAIR_DEEP_TIMEOUT) perpspec/reference/kernels.py

## docs: the site, with the formula and theorem pages generated from the derivations
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

## fuzz: long random runs of every property (not part of make test)
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -q -n 2 tests

bench: $(STAMP)
	@echo "make bench: the audit benchmark arrives with perpspec audit; nothing to measure yet."

clean:
	rm -rf $(VENV) site .mypy_cache .ruff_cache .pytest_cache .hypothesis
