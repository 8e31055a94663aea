# rekap: two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean bench samples messages

# PYTHONWARNINGS: setuptools' build backend warns that an editable install can be shadowed by a folder
# named like the package (here it is that folder); the warning is about its mechanism, not this project.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/rekap run -o hasil-rekap || test $$? -eq 1

lint: $(STAMP)
	$(BIN)/ruff check rekap tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/messages.py --check

test: lint
	$(BIN)/python -m pytest -q

# Each script prints its own table and verdicts; the last line prints issue 15's table of targets from this run.
bench: $(STAMP)
	start=$$(date +%s) && \
	$(BIN)/python benchmarks/bench_validate.py && \
	$(BIN)/python benchmarks/bench_diff.py && \
	$(BIN)/python benchmarks/bench_store.py && \
	$(BIN)/python benchmarks/bench_sirekap.py && \
	$(BIN)/python benchmarks/bench_xlsx.py && \
	$(BIN)/python benchmarks/bench_small.py && \
	$(BIN)/python benchmarks/verdicts.py --since $$start

# The message catalogues (rekap/locale): extract the marked texts, update every language's .po, compile the .mo.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
