# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv and install from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean bench report

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sydstat demo

test: $(STAMP)
	sh tests/browser/setup.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

report: $(STAMP)
	$(BIN)/sydstat report

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data .pytest_cache
