# The README's two commands. Each sets up what it needs on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test bench lint messages

run: $(VENV)/.installed-run
	$(BIN)/baozhang up --demo $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python scripts/run_tests.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run_all.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy && $(BIN)/lint-imports

# Recompile the translations after editing baozhang/locale/*/LC_MESSAGES/django.po.
messages: $(VENV)/.installed-test
	$(BIN)/python scripts/compile_messages.py

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Baozhang needs Python 3.11 or newer / 需要 Python 3.11 或更高版本")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run
