# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# make serve: dashboard processes behind nginx, one per core unless WORKERS says otherwise
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
STAMP := $(VENV)/.installed

.PHONY: run serve test install init bench bench-pilot bench-browser bench-quick clean

$(STAMP): requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# axe-core for the accessibility test (tests/test_accessibility.py), at the version of its lock file.
AXE := tests/node/node_modules/axe-core/axe.min.js
$(AXE): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund
	touch $(AXE)

# Creates data/eet.db with the demo data on first start (a database with real data is left as it
# is), then serves.
run: $(STAMP)
	$(PY) -m eet init --demo-if-empty
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --server.fileWatcherType none

# Several dashboard processes (WORKERS) behind nginx on PORT, sticky by the sign-in cookie, on one
# database (serve.py; README "Serving many people"). Needs nginx (Debian: apt-get install nginx).
serve: $(STAMP)
	$(PY) -m eet init --demo-if-empty
	$(PY) serve.py --port $(PORT) --workers $(WORKERS)

init: $(STAMP)
	$(PY) -m eet init

test: $(STAMP) $(AXE)
	$(PY) -m pytest -q

# Pilot and national size, SQLite and PostgreSQL: each figure against its bare SQL, ours against the
# pandas peer (bench/peer.py), pages and imports. bench-pilot is the quick one (under a minute).
bench: $(STAMP)
	$(PY) bench/run.py

bench-pilot: $(STAMP)
	$(PY) bench/run.py --size pilot

# Chromium clicks through every page as a viewer and an admin on the demo: ms until drawn, against
# issue 15's targets (a page under 1 s, sign-in to a drawn overview under 2 s), and the CPU it took;
# then ten sign-ins in fresh browser sessions, and three first sign-ins on a freshly started server.
bench-browser: $(STAMP)
	$(PY) bench/browser.py --sign-ins 10
	$(PY) bench/browser.py --first-sign-ins 3

# What CI runs (tests/test_bench_smoke.py), in about two minutes: pilot size on SQLite, and the
# browser bench as the admin, once through the pages. Times are printed, never asserted.
bench-quick: $(STAMP)
	$(PY) bench/run.py --size pilot --backend sqlite
	$(PY) bench/browser.py --quick

clean:
	rm -rf $(VENV) .pytest_cache
