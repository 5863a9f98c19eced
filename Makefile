# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.installed

.PHONY: run test install init bench bench-pilot bench-browser clean

$(STAMP): requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Creates data/eet.db with the demo data on first start (a database with real data is left as it
# is), then serves.
run: $(STAMP)
	$(PY) -m eet init --demo-if-empty
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --server.headless true --server.fileWatcherType none

init: $(STAMP)
	$(PY) -m eet init

test: $(STAMP)
	$(PY) -m pytest -q

# Pilot and national size, SQLite and PostgreSQL: each figure against its bare SQL, ours against the
# pandas peer (bench/peer.py), pages and imports. bench-pilot is the quick one (under a minute).
bench: $(STAMP)
	$(PY) bench/run.py

bench-pilot: $(STAMP)
	$(PY) bench/run.py --size pilot

# Chromium clicks through every page as a viewer and an admin on the demo: ms until drawn.
bench-browser: $(STAMP)
	$(PY) bench/browser.py

clean:
	rm -rf $(VENV) .pytest_cache
