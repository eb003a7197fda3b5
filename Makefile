# landrenew — make install | make demo | make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
DB     ?= sqlite:///landrenew-demo.db
PARCELS ?= 20000
PORT   ?= 8000
HOST   ?= 127.0.0.1

VENDOR := landrenew/web/static/vendor/.copied

.PHONY: install demo test lint typecheck bench clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $@

# Front-end libraries (MapLibre GL JS, ECharts, htmx) from the npm registry, served by the app.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR): node_modules/.package-lock.json $(VENV)/.installed landrenew/web/assets.py
	$(PY) -c 'from landrenew.web.assets import main; main()' node_modules
	touch $@

install: $(VENV)/.installed $(VENDOR)

# Refresh the page catalogues after changing a template's text (then translate in the .po files).
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k t:2 --no-location -o landrenew/web/messages.pot .
	for loc in zh_CN en; do $(VENV)/bin/pybabel update -i landrenew/web/messages.pot \
	  -d landrenew/web/translations -l $$loc --no-fuzzy-matching; done

# The demo signs its ledgers with its own key, made on the first run beside the database.
LEDGER_KEY ?= landrenew-demo-ledger.pem

demo: install
	LANDRENEW_LEDGER_KEY_FILE=$(LEDGER_KEY) $(VENV)/bin/landrenew --db $(DB) demo --parcels $(PARCELS) --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check landrenew tests bench
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy landrenew

bench: install
	$(PY) bench/import_export.py --parcels 1000000
	$(PY) bench/evaluate.py

clean:
	rm -rf $(VENV) node_modules landrenew/web/static/vendor *.egg-info .pytest_cache landrenew-demo.db* landrenew-demo-files landrenew-demo-ledger.pem
