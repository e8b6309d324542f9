# The briefing's build: a real dependency graph from data/ to build/briefing.{html,pdf}.
# `make` builds; `make help` lists the targets. Variables: DATA=, AS_OF=, BASE=, BUILD= (and SITE=, SITE_URL= for make publish).

DATA    ?= data
AS_OF   ?=
BASE    ?=
BUILD   ?= build
SOURCES ?= ../shared/sources
TIMEOUT ?= 300
JOBS    ?= 2
PYTHON  ?= python3
DIR     ?=
RUNS    ?= 3
SITE    ?=
SITE_URL ?=

# Make variables are user input. Each value is kept as literal text ($(value): a '$(shell ...)' or a
# backquote in it stays text), reaches recipes only through the environment as BRIEFING_* (used as
# "$$BRIEFING_X", which the shell does not parse again), and is checked by `briefing prepare` before
# anything is built. BUILD and DATA also name Make targets, so Make's rules for them exist only when
# they are plain paths (letters, digits, . _ - + /); anything else is refused with one line.
override DATA    := $(value DATA)
override AS_OF   := $(value AS_OF)
override BASE    := $(value BASE)
override BUILD   := $(value BUILD)
override SOURCES := $(value SOURCES)
override TIMEOUT := $(value TIMEOUT)
override JOBS    := $(value JOBS)
override PYTHON  := $(value PYTHON)
override RUNS    := $(value RUNS)
override LAB_ARGS := $(value LAB_ARGS)
override SITE    := $(value SITE)
override SITE_URL := $(value SITE_URL)
override DIR     := $(if $(value DIR),$(value DIR),$(BUILD)/edition)
export BRIEFING_DATA    := $(DATA)
export BRIEFING_AS_OF   := $(AS_OF)
export BRIEFING_BUILD   := $(BUILD)
export BRIEFING_SOURCES := $(SOURCES)
export BRIEFING_TIMEOUT := $(TIMEOUT)
export BRIEFING_DIR     := $(DIR)
export BRIEFING_RUNS    := $(RUNS)
export BRIEFING_LAB_ARGS := $(LAB_ARGS)
export BRIEFING_SITE    := $(SITE)
export BRIEFING_SITE_URL := $(SITE_URL)

# make -n (or -q) only says what it would do: the guard then checks the variables and writes, locks and tidies nothing.
# The flags are MAKEFLAGS' first word until the line below adds to it; long options and VAR=value come later.
override DRY_RUN := $(if $(findstring n,$(firstword -$(MAKEFLAGS)))$(findstring q,$(firstword -$(MAKEFLAGS))),yes)
override STARTED := $(shell date +%s.%N)# when this make began, for the summary's elapsed time
override VENV    := .venv
override PY      := $(VENV)/bin/python
override STAMP   := $(VENV)/.installed
# the guard uses only the standard library: before `make setup` the system's python3 runs it
override GUARD   := $(if $(wildcard $(PY)),$(PY),python3) -m briefing

# quote for the shell: '...' with every ' written as '\'' (only for the guard's call below)
sq = '$(subst ','\'',$1)'
_plain_chars := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9 . _ / + -
_strip = $(if $2,$(call _strip,$(subst $(firstword $2),,$1),$(wordlist 2,100,$2)),$1)
_not_plain = $(strip $(filter-out 1,$(words $1))$(call _strip,$1,$(_plain_chars)))
_not_count = $(strip $(filter-out 1,$(words $1))$(call _strip,$1,0 1 2 3 4 5 6 7 8 9))

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules $(if $(BRIEFING_SETUP_LOCKED)$(call _not_count,$(JOBS)),,-j$(JOBS))# setup's own make (below) keeps the jobserver it inherits

# Goals that write into BUILD run under its lock with checked parameters: `briefing prepare`, run
# here while the Makefile is read, checks every variable and the data, takes BUILD/.lock for as long
# as this make runs (a second make into the same BUILD waits), completes a publication a killed
# build left half done, removes killed runs' temp files, and rewrites BUILD/.params only when the
# parameters change and are good. It prints the resolved BASE (a commit id, or a directory).
_NO_BUILD := help setup validate verify-quotes test test-fast lab clean bench verify-edition dictionary
_build_goals := $(filter-out $(_NO_BUILD) $(STAMP),$(or $(MAKECMDGOALS),all))
_build_ok := yes
ifneq ($(_build_goals),)
_base := $(shell $(GUARD) prepare --build=$(call sq,$(BUILD)) --data=$(call sq,$(DATA)) --as-of=$(call sq,$(AS_OF)) --base=$(call sq,$(BASE)) --timeout=$(call sq,$(TIMEOUT)) --jobs=$(call sq,$(JOBS)) --sources=$(call sq,$(SOURCES)) --dry-run=$(DRY_RUN) --site=$(call sq,$(SITE)) --site-url=$(call sq,$(SITE_URL)) --site-required=$(if $(filter publish,$(_build_goals)),yes))
ifneq ($(.SHELLSTATUS),0)
_build_ok :=
_guard_said := yes
endif
endif
ifneq ($(call _not_plain,$(BUILD))$(call _not_plain,$(DATA)),)
_build_ok :=
endif
export BRIEFING_BASE := $(_base)

.PHONY: all story html pdf validate verify-quotes lint test test-fast lab clean help setup bench edition verify-edition dictionary publish

setup: $(STAMP) ## create .venv from requirements.txt and install the package and its Jupyter kernel

# nbstripout as a git filter: a notebook saved with outputs (JupyterLab, papermill in place) is stored
# and diffed without them, so `git status` stays clean. The filter runs this checkout's own .venv
# (git runs it from the top of the work tree); language_info (the Python version) is dropped too.
# briefing/pipeline/jupyter.py's post-save hook then keeps `git status` clean after a JupyterLab save.
#
# Makes into different BUILD folders share .venv: when requirements.txt or pyproject.toml changed, each
# would reinstall into it at once (pip over pip, git config over git config, which fails). So the steps
# run under .venv/.setup.lock (`briefing locked`, standard library only), by a make of their own: a
# second make waits, then finds .venv up to date.
ifeq ($(BRIEFING_SETUP_LOCKED),)
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) scripts/check_python.py $(VENV)
	@$(PYTHON) -m briefing locked $(VENV)/.setup.lock -- $(MAKE) --no-print-directory BRIEFING_SETUP_LOCKED=1 $(STAMP)
else
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name scale-briefing --display-name "Python (scale-briefing)" >/dev/null
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(PY) -m nbstripout --install --attributes .gitattributes --python $(PY) && \
	  git config filter.nbstripout.extrakeys metadata.language_info; fi
	$(PY) -m briefing.pipeline.jupyter install >/dev/null
	touch $@
endif

validate: $(STAMP) ## check the data against data/datapackage.json (DATA=dir for another copy)
	$(PY) -m briefing validate --data="$$BRIEFING_DATA" --as-of="$$BRIEFING_AS_OF"

verify-quotes: $(STAMP) ## check every quote against the source texts (SOURCES=dir)
	$(PY) -m briefing verify-quotes --data="$$BRIEFING_DATA" --sources="$$BRIEFING_SOURCES"

dictionary: $(STAMP) ## regenerate the README's data dictionary from data/datapackage.json
	@$(PY) -m briefing dictionary --data data --readme README.md

lint: $(STAMP) ## ruff check . under the pinned ruff (make test runs it first)
	$(VENV)/bin/ruff check .

test: lint ## lint, then the test suite (unit, notebooks, end to end, browser)
	$(PY) -m pytest -n auto --dist loadfile

test-fast: lint ## lint, then every test that needs no build (under a minute; tests marked build are left to make test)
	BRIEFING_TEST_TIER=fast $(PY) -m pytest -n auto --dist loadfile -m "not build and not slow"

bench: $(STAMP) ## time the build: clean, no-op, one-row change, 10k synthetic events, vs naive papermill+nbconvert (RUNS=3)
	$(PY) scripts/bench.py --runs="$$BRIEFING_RUNS"

lab: $(STAMP) ## open the notebooks in JupyterLab (LAB_ARGS= for more options, e.g. LAB_ARGS='--port 8899 --no-browser')
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $$BRIEFING_LAB_ARGS notebooks/

clean: ## remove what builds wrote into $(BUILD), and it once empty (the venv stays; rm -rf .venv to drop it)
	$(GUARD) clean --build="$$BRIEFING_BUILD" --data="$$BRIEFING_DATA" --sources="$$BRIEFING_SOURCES"

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16 \
	  | python3 -c 'import os, sys; e = os.environ; sys.stdout.write(sys.stdin.read().replace("$$(DATA)", e["BRIEFING_DATA"]).replace("$$(BUILD)", e["BRIEFING_BUILD"]).replace("$$(DIR)", e["BRIEFING_DIR"]))'

verify-edition: $(STAMP) ## recompute an edition's hashes against its MANIFEST.json (DIR=$(BUILD)/edition)
	$(PY) -m briefing.pipeline.edition verify -- "$$BRIEFING_DIR"

ifeq ($(_build_ok),yes)
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
EXECUTED  := $(NOTEBOOKS:notebooks/%.ipynb=$(BUILD)/notebooks/%.ipynb)
# wildcard: a missing data file is reported by the validator, not as "No rule to make target"
DATA_FILES := $(wildcard $(DATA)/datapackage.json $(DATA)/*.csv)
PACKAGE   := $(wildcard briefing/*.py briefing/*/*.py briefing/drawing/templates/briefing/*)
PARAMS    := $(BUILD)/.params
PENDING   := $(BUILD)/.pending

# written by the guard above before any rule runs (not by make -n, which then only says what it would do)
$(PARAMS): ;

all: $(BUILD)/briefing.html $(BUILD)/briefing.pdf ## build the briefing (HTML and PDF) from $(DATA)

html: $(PENDING)/briefing.html ## build only the HTML briefing (the PDF beside it is then marked out of date)
	@$(PY) -m briefing publish --build="$$BRIEFING_BUILD" --only=html

pdf: $(BUILD)/briefing.pdf ## build the PDF briefing (and the HTML it is made from)

# The story stage (briefing/story/stage.py): the data validated once, BASE loaded once, the story computed once and
# written as data into $(BUILD)/story/ (edition.json, checks.csv, changes.json, ...). Every later step reads it.
STORY := $(BUILD)/story/edition.json
$(STORY): $(DATA_FILES) $(PACKAGE) $(PARAMS) $(STAMP)
	$(PY) -m briefing story --data="$$BRIEFING_DATA" --as-of="$$BRIEFING_AS_OF" --base="$$BRIEFING_BASE" --out='$(BUILD)/story'

story: $(STORY) ## validate the data and compute the story once, into $(BUILD)/story (what every later step reads)

$(BUILD)/notebooks/%.ipynb: notebooks/%.ipynb $(STORY)
	$(PY) -m briefing execute '$<' '$@' --data="$$BRIEFING_DATA" --as-of="$$BRIEFING_AS_OF" --base="$$BRIEFING_BASE" --timeout="$$BRIEFING_TIMEOUT" --story='$(BUILD)/story'

# HTML and PDF are rendered into .pending and published together, by one rename each after a marker
# (BUILD/.publishing) that lets the next make complete a publication a kill interrupted.
$(PENDING)/briefing.html: $(EXECUTED) $(STORY)
	$(PY) -m briefing html '$@' $(EXECUTED:%='%') --data="$$BRIEFING_DATA" --as-of="$$BRIEFING_AS_OF" --base="$$BRIEFING_BASE" --story='$(BUILD)/story'

$(PENDING)/briefing.pdf: $(PENDING)/briefing.html
	$(PY) -m briefing pdf '$<' '$@'

$(BUILD)/briefing.html $(BUILD)/briefing.pdf &: $(PENDING)/briefing.html $(PENDING)/briefing.pdf
	$(PY) -m briefing publish --build="$$BRIEFING_BUILD"
	@$(PY) -m briefing summary --build="$$BRIEFING_BUILD" --started $(STARTED)

.PRECIOUS: $(BUILD)/briefing.html $(BUILD)/briefing.pdf

# The edition bundle (briefing/pipeline/edition.py): HTML, PDF, the data exactly as used and MANIFEST.json with
# every file's sha256, written beside $(BUILD)/edition and renamed into place.
edition: $(BUILD)/briefing.html $(BUILD)/briefing.pdf ## bundle HTML, PDF, data/ and MANIFEST.json into $(BUILD)/edition
	$(PY) -m briefing.pipeline.edition build --build="$$BRIEFING_BUILD" --data="$$BRIEFING_DATA" --as-of="$$BRIEFING_AS_OF"

# The archive (briefing/pipeline/site.py): the edition is added to SITE as editions/YYYY-MM-DD/ (never overwritten), and
# SITE's index.html, feed.xml and each edition's page (its previous/next links) are regenerated, all in one atomic step.
publish: edition ## add this edition to the static site SITE=dir (index.html, feed.xml, editions/; SITE_URL= for absolute links)
	$(PY) -m briefing publish-site --site="$$BRIEFING_SITE" --site-url="$$BRIEFING_SITE_URL" --build="$$BRIEFING_BUILD" \
	  --data="$$BRIEFING_DATA" --sources="$$BRIEFING_SOURCES" --base="$$BRIEFING_BASE"
else
# a refused parameter: the guard has said why; no rule that names BUILD or DATA is defined
# ('+': this line runs under make -n too, so that a dry run with a refused parameter fails as well)
all story html pdf edition publish .DEFAULT:
	+@$(if $(_guard_said),,echo 'BUILD or DATA is not a plain path (letters, digits, . _ - + / only); nothing was built' >&2;) exit 2
endif
