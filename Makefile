# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
STAMP := $(VENV)/.installed

.PHONY: run test install init bench clean

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

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
