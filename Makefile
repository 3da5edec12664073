# tablefmt — `make help` lists the targets.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

help:  ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create the virtual environment and install tablefmt with test extras

demo: $(STAMP)  ## Run the quickstart on a local warehouse (./demo-warehouse)
	rm -rf demo-warehouse
	$(BIN)/python examples/quickstart.py demo-warehouse

test: $(STAMP)  ## Run the whole test suite (S3 tests against moto's server)
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## Run the benchmarks (not part of make test)
	$(BIN)/pip install --quiet -e '.[test,dev,bench]'
	$(BIN)/python -m pytest -q -s tests/benchmarks --override-ini addopts= 

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check tablefmt catalog tests examples
	$(BIN)/mypy

clean:  ## Remove the virtual environment and build leftovers
	rm -rf $(VENV) demo-warehouse .pytest_cache *.egg-info

.PHONY: help install demo test bench lint clean
