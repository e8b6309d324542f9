# The briefing's build: a real dependency graph from data/ to build/briefing.{html,pdf}.
# `make` builds; `make help` lists the targets. Variables: DATA=, AS_OF=, BASE=, BUILD=.

DATA    ?= data
AS_OF   ?=
BASE    ?=
BUILD   ?= build
SOURCES ?= ../shared/sources
TIMEOUT ?= 300
JOBS    ?= 2
PYTHON  ?= python3

STARTED := $(shell date +%s.%N)# when this make began, for the summary's elapsed time
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules -j$(JOBS)

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
EXECUTED  := $(NOTEBOOKS:notebooks/%.ipynb=$(BUILD)/notebooks/%.ipynb)
# wildcard: a missing data file is reported by the validator, not as "No rule to make target"
DATA_FILES := $(wildcard $(DATA)/datapackage.json $(DATA)/*.csv)
PACKAGE   := $(wildcard briefing/*.py briefing/templates/briefing/*)

# The edition's parameters, rewritten only when they change, so a change of AS_OF, DATA or
# BASE rebuilds and a repeated `make` with the same ones does nothing.
PARAMS := $(BUILD)/.params
_params := data=$(abspath $(DATA)) as_of=$(AS_OF) base=$(BASE)
_ := $(shell mkdir -p $(BUILD) && [ "$$(cat $(PARAMS) 2>/dev/null)" = "$(_params)" ] || echo "$(_params)" > $(PARAMS))

.PHONY: all html pdf validate verify-quotes test lab clean help setup bench edition verify-edition dictionary

all: $(BUILD)/briefing.html $(BUILD)/briefing.pdf ## build the briefing (HTML and PDF) from $(DATA)

html: $(BUILD)/briefing.html ## build only the HTML briefing

pdf: $(BUILD)/briefing.pdf ## build the PDF briefing (and the HTML it is made from)

setup: $(STAMP) ## create .venv from requirements.txt and install the package and its Jupyter kernel

# nbstripout as a git filter: a notebook saved with outputs (JupyterLab, papermill in place) is stored
# and diffed without them, so `git status` stays clean. The filter runs this checkout's own .venv
# (git runs it from the top of the work tree); language_info (the Python version) is dropped too.
# briefing/jupyter.py's post-save hook then keeps `git status` clean after a JupyterLab save.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) scripts/check_python.py $(VENV)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name scale-briefing --display-name "Python (scale-briefing)" >/dev/null
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(PY) -m nbstripout --install --attributes .gitattributes --python $(PY) && \
	  git config filter.nbstripout.extrakeys metadata.language_info; fi
	$(PY) -m briefing.jupyter install >/dev/null
	touch $@

validate: $(STAMP) ## check the data against data/datapackage.json (DATA=dir for another copy)
	$(PY) -m briefing validate --data $(DATA) --as-of '$(AS_OF)'

verify-quotes: $(STAMP) ## check every quote against the source texts (SOURCES=dir)
	$(PY) -m briefing verify-quotes --data $(DATA) --sources $(SOURCES)

dictionary: $(STAMP) ## regenerate the README's data dictionary from data/datapackage.json
	@$(PY) -m briefing dictionary --data data --readme README.md

$(BUILD)/.validated: $(DATA_FILES) $(PACKAGE) $(PARAMS) $(STAMP)
	$(PY) -m briefing validate --data $(DATA) --as-of '$(AS_OF)' --base '$(BASE)'
	touch $@

$(BUILD)/notebooks/%.ipynb: notebooks/%.ipynb $(BUILD)/.validated
	$(PY) -m briefing execute $< $@ --data $(DATA) --as-of '$(AS_OF)' --base '$(BASE)' --timeout $(TIMEOUT)

$(BUILD)/briefing.html: $(EXECUTED)
	$(PY) -m briefing html $@ $(EXECUTED) --data $(DATA) --as-of '$(AS_OF)'

$(BUILD)/briefing.pdf: $(BUILD)/briefing.html
	$(PY) -m briefing pdf $< $@
	@$(PY) -m briefing summary --build '$(BUILD)' --started $(STARTED)

test: $(STAMP) ## run the test suite (unit, notebooks, end to end, browser)
	$(PY) -m pytest

bench: $(STAMP) ## time the build: clean, no-op, one-row change, 10k synthetic events, vs naive papermill+nbconvert (RUNS=3)
	$(PY) scripts/bench.py --runs $(or $(RUNS),3)

lab: $(STAMP) ## open the notebooks in JupyterLab (LAB_ARGS= for more options, e.g. LAB_ARGS='--port 8899 --no-browser')
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) notebooks/

clean: ## remove build/ (the venv stays; rm -rf .venv to drop it)
	rm -rf $(BUILD)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16 \
	  | DATA='$(DATA)' BUILD='$(BUILD)' DIR='$(DIR)' $(PYTHON) -c 'import os, sys; sys.stdout.write(sys.stdin.read().replace("$$(DATA)", os.environ["DATA"]).replace("$$(BUILD)", os.environ["BUILD"]).replace("$$(DIR)", os.environ["DIR"]))'

# The edition bundle (briefing/edition.py): HTML, PDF, the data exactly as used and MANIFEST.json with
# every file's sha256, written beside $(BUILD)/edition and renamed into place.
DIR ?= $(BUILD)/edition

edition: $(BUILD)/briefing.html $(BUILD)/briefing.pdf ## bundle HTML, PDF, data/ and MANIFEST.json into $(BUILD)/edition
	$(PY) -m briefing.edition build --build '$(BUILD)' --data '$(DATA)' --as-of '$(AS_OF)'

verify-edition: $(STAMP) ## recompute an edition's hashes against its MANIFEST.json (DIR=$(BUILD)/edition)
	$(PY) -m briefing.edition verify '$(DIR)'
