# The few commands people type. Everything runs inside .venv, built from the lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 3000
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install data validate test ui release bench lock docs clean

install: $(STAMP)

# Rebuild the venv whenever the lock file or the package metadata changes.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

validate: install
	$(BIN)/borderlines validate

data: install
	$(BIN)/borderlines build

test: install
	$(BIN)/python -m pytest

ui: install
	$(BIN)/borderlines ui --port $(PORT)

release: install
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	$(BIN)/borderlines release $(VERSION)

docs: install
	$(BIN)/borderlines docs

bench: install
	$(BIN)/python -m benchmarks.run

# Maintainers only: re-pin every dependency (needs `pip install uv`).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf build .dagster_home
