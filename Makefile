# The few commands people type. Everything runs inside .venv, built from the lock file.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 3000
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: install data validate test ui explore release bench lock docs clean

install: $(STAMP)

# Rebuild the venv whenever a lock file or the package metadata changes. pip and setuptools
# come from their own lock first (hash-checked, like everything else); the project is then
# installed without build isolation, so the build backend is that locked setuptools.
$(STAMP): requirements-bootstrap.lock requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-bootstrap.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

validate: install
	$(BIN)/borderlines validate

data: install
	$(BIN)/borderlines build

# Two workers, one per core: the suite starts many real processes (builds, the UI, kills).
test: install
	$(BIN)/python -m pytest -n 2

ui: install
	$(BIN)/borderlines ui --port $(PORT)

# The latest release in Datasette on http://127.0.0.1:8001 (PORT=… for another port; BUILD=1
# for the current build). Ctrl-C stops it.
explore: PORT = 8001
explore: install
	$(BIN)/borderlines explore --port $(PORT) $(if $(BUILD),--build)

release: install
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	$(BIN)/borderlines release $(VERSION)

docs: install
	$(BIN)/borderlines docs

bench: install
	$(BIN)/python -m benchmarks.run

# Maintainers only: re-pin every dependency (needs `pip install uv`; add --upgrade to move
# pins forward). requirements-bootstrap.lock pins the installer and the build backend
# (pip; setuptools, as pyproject.toml's [build-system] asks), which no package depends on.
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
	printf 'pip>=24\nsetuptools>=77\n' | uv pip compile - --python-version 3.11 --generate-hashes \
	    --custom-compile-command "make lock" -o requirements-bootstrap.lock

clean:
	rm -rf build .dagster_home
