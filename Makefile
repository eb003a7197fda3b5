# landrenew — make install | make demo | make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
DB     ?= sqlite:///landrenew-demo.db
PARCELS ?= 20000

.PHONY: install demo test lint typecheck bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/landrenew --db $(DB) demo --parcels $(PARCELS)

test: install
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check landrenew tests bench

typecheck: install
	$(VENV)/bin/mypy landrenew

bench: install
	$(PY) bench/import_export.py --parcels 1000000
	$(PY) bench/evaluate.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache landrenew-demo.db* landrenew-demo-files
