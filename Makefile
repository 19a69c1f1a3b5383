# trialdesk: the two commands a new user types are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint native bench docs clean

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

## make native: compile the parsers with mypyc into src/trialdesk/_native (about a minute; a no-op when up to date).
## Without a C compiler it warns and trialdesk runs as pure Python; stale builds are never used (trialdesk.native).
native: $(STAMP)
	$(BIN)/python tools/build_native.py

## make run: set up, import the five bundled seed studies into ./trialdesk.db (SQLite) and list them
run: native
	$(BIN)/trialdesk import --examples
	$(BIN)/trialdesk studies

## make lint: ruff (lint + format check), mypy, import-linter contracts
lint: $(STAMP)
	$(BIN)/ruff check conftest.py src tests bench docs tools
	$(BIN)/ruff format --check conftest.py src tests bench docs tools
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: lint, then every test on SQLite and on a real PostgreSQL started by the test session: once on the
## Python sources (with the doctests), once more on the compiled parsers (which this build then requires)
test: lint
	$(BIN)/python tools/build_native.py --require
	TRIALDESK_NATIVE=0 $(BIN)/pytest -n 2 --dist loadfile
	TRIALDESK_NATIVE=1 $(BIN)/pytest -n 2 --dist loadfile -o addopts="-ra --strict-markers" tests

## make bench: speed and memory benchmarks (not part of make test)
bench: native
	$(BIN)/python bench/design.py
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/ingest.py

## make docs: regenerate docs/cli.md from the CLI's --help
docs: $(STAMP)
	$(BIN)/python docs/generate_cli_reference.py > docs/cli.md
	$(BIN)/python docs/generate_protocol_schema.py > docs/protocol.schema.json

clean:
	rm -rf $(VENV) trialdesk.db .pytest_cache .mypy_cache .ruff_cache src/trialdesk/_native
