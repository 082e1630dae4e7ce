# The two front doors: `make demo` (the main job, offline) and `make test` (the suite).
# Both build the venv themselves on a fresh machine; only a Python 3.11 is needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# A project-local Prefect home: no state leaks between projects, and nothing in ~ is needed.
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: venv test test-fast lint fmt demo sandbox bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test: venv
	$(BIN)/ruff check .
	$(BIN)/pytest

test-fast: venv
	$(BIN)/pytest -m "not slow" -x -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: venv
	$(BIN)/review demo

sandbox: venv
	$(BIN)/review sandbox --port 8765

bench: venv
	@$(BIN)/python -c "import dlt" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache data reports .prefect *.egg-info
