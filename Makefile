# The two quick-start commands: `make site` and `make test`. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site validate test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

site: validate

validate: $(STAMP)
	$(BIN)/prodops validate

lint: $(STAMP)
	$(BIN)/ruff check tooling
	$(BIN)/ruff format --check tooling
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
