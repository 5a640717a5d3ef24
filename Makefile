# One-command entry points. `make figures` and `make test` each create the local
# virtual environment (.venv) on first use, install the locked packages (requirements.lock,
# every package pinned with its hashes), then run.
#   make figures                 full profile: figures/, results/report/index.html
#   make figures PROFILE=quick   quick profile: figures/quick/, results/quick/report/index.html
#   make figures ARGS=--dry-run  any extra Snakemake arguments (here: list the jobs, run none)
#   make help                    the targets, the profiles (full, quick, paper, sweep), the variables
# Every run resumes an interrupted one (profiles/default/config.yaml: rerun-incomplete).
PYTHON  ?= python3
VENV    ?= .venv
CORES   ?= 2
PROFILE ?= full
ARGS    ?=
PY      := $(VENV)/bin/python
# The lock: every package of pyproject.toml (all extras) and of everything they need, pinned
# with hashes, for CPython $(LOCK_PYTHON) on Linux x86_64. `make lock` rewrites it with uv.
LOCK          ?= requirements.lock
LOCK_PYTHON   := 3.11.7
LOCK_PLATFORM := x86_64-manylinux_2_28
UV_VERSION    := 0.13.9
LOCK_TOOL     := .cache/lock-tool
UPGRADE       ?=
PIP      = $(PY) -m pip --disable-pip-version-check
# Targets go before --config (Snakemake would read them as config values after it).
SMK      = $(PY) -m snakemake --cores $(CORES) $(ARGS)
# SET: further config values for this run, KEY=VALUE (Snakemake's --config syntax), e.g.
#   make figures PROFILE=quick SET='n_values=["3"]'
SET     ?=
CONFIG   = --config profile=$(PROFILE) $(SET)
# A profile or any --config given in ARGS would be overridden by $(CONFIG) without a word (the
# last --config wins, whole): refuse it and name the right variable.
NO_PROFILE_IN_ARGS = @case " $(ARGS) $(SET) " in *profile=*) echo "error: ARGS='$(ARGS)' SET='$(SET)' sets the profile, which PROFILE=$(PROFILE) would override; use PROFILE=<name> instead (e.g. make figures PROFILE=quick)" >&2; exit 2;; *" --config"*) echo "error: ARGS='$(ARGS)' has --config, which the Makefile's own --config profile=$(PROFILE) would replace without a word (Snakemake keeps the last); give config values in SET instead, e.g. make figures PROFILE=quick SET='n_values=[\"3\"]'" >&2; exit 2;; esac

.PHONY: setup lock figures quick cluster archive verify test test-fast data references unlock benchmark lab dag clean help

help:  ## list the targets, the profiles and the variables
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'
	@echo "Profiles (PROFILE=<name>; each writes its own folders; config/config.yaml holds them):"
	@echo "  full    the default: paper-scale figures and report (figures/, results/; minutes on 2 cores)"
	@echo "  quick   the same workflow with smaller sizes, a first look in about a minute (figures/quick/, results/quick/)"
	@echo "  paper   Fig. S11 at the paper's and NeuroSim's scale, the rest as full (hours on 2 cores; figures/paper/, results/paper/)"
	@echo "  sweep   full with a cluster-sized robustness sweep, for make cluster PROFILE=sweep (figures/sweep/, results/sweep/)"
	@echo "Variables:"
	@echo "  PROFILE=$(PROFILE)   SET='key=value ...' config values (e.g. SET='n_values=[\"3\"]')   ARGS='...' extra Snakemake arguments (not --config)"
	@echo "  CORES=$(CORES)   LAB_ARGS='...' extra JupyterLab arguments"
	@echo "Examples:"
	@echo "  make figures ARGS=--dry-run        list the jobs that would run, run none"
	@echo "  make figures PROFILE=paper         the paper-scale Fig. S11"
	@echo "  make lab LAB_ARGS=--no-browser     JupyterLab without opening a browser (--allow-root is added for root)"

# The locked packages only (--require-hashes: a file whose hash differs is refused; --no-deps:
# nothing outside the lock), then the project itself, editable, built by the locked setuptools.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $@

setup: $(VENV)/.installed  ## create .venv and install the locked packages (requirements.lock)

lock:  ## rewrite requirements.lock from pyproject.toml with uv (keeps the other pins; UPGRADE=1 takes the newest)
	$(LOCK_TOOL)/bin/uv --version 2>/dev/null | grep -q "^uv $(UV_VERSION)[ ]" || { $(PYTHON) -m venv $(LOCK_TOOL) && $(LOCK_TOOL)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	$(LOCK_TOOL)/bin/uv pip compile pyproject.toml --all-extras --group build --generate-hashes \
	    --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
	    --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) --output-file $(LOCK)

figures: setup  ## run the whole workflow (PROFILE=full by default; an interrupted run resumes)
	$(NO_PROFILE_IN_ARGS)
	$(SMK) $(CONFIG)

quick: setup  ## the same workflow on the quick profile (writes figures/quick/, results/quick/)
	$(MAKE) figures PROFILE=quick

cluster: setup  ## the workflow on a SLURM cluster (profiles/slurm; README "Running on a cluster")
	$(NO_PROFILE_IN_ARGS)
	bash profiles/slurm/check
	$(PY) -m snakemake --profile profiles/slurm $(ARGS) $(CONFIG)

AGENT ?=
archive: setup  ## pack the finished run of PROFILE (full by default) into a Workflow Run RO-Crate zip in its results folder's archive/
	$(PY) -m analysis.workflow.archive create --profile $(PROFILE) $(if $(AGENT),--agent "$(AGENT)")

ARCHIVE ?=
verify: setup  ## rerun the run archived in ARCHIVE=<zip> in a temporary copy of this checkout, compare every output, print a verdict
	@test -n "$(ARCHIVE)" || { echo "error: make verify needs ARCHIVE=<a .crate.zip written by make archive>" >&2; exit 2; }
	$(PY) -m analysis.workflow.archive verify "$(ARCHIVE)" --cores $(CORES)

# --durations: the slowest tests are printed at the end of every run (CI's log keeps them).
test: setup  ## the test suite, including quick-profile workflow runs in temporary copies
	$(PY) -m pytest --durations=30

test-fast: setup  ## unit tests only
	$(PY) -m pytest -m "not slow"

data: setup  ## fetch and verify all input data (MNIST; honours SYNAPSE_DATA_MIRROR)
	$(SMK) data $(CONFIG)

references: setup  ## regenerate data/reference/$(PROFILE).json from a finished run (on purpose only)
	$(SMK) update_references --forcerun update_references $(CONFIG)

unlock: setup  ## release the lock of a run that was killed (only if no run is working here)
	$(SMK) --unlock $(CONFIG)

benchmark: setup  ## time the workflow and the core computations
	$(PY) benchmarks/bench_workflow.py
	$(PY) benchmarks/bench_device.py
	$(PY) benchmarks/bench_network.py

LAB_ARGS ?=
# JupyterLab refuses to start as root without --allow-root (containers often run as root).
LAB_ROOT = $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
lab: setup  ## open the notebooks in JupyterLab (double-click opens notebooks/*.py as notebooks; .jupyter/README.md)
	$(VENV)/bin/jupyter lab --LabApp.app_settings_dir="$(CURDIR)/.jupyter/lab-settings" $(LAB_ROOT) $(LAB_ARGS) notebooks/

dag: setup  ## draw the workflow graph (needs graphviz's dot)
	$(SMK) --rulegraph $(CONFIG) | dot -Tpng > rulegraph.png

clean:  ## remove generated outputs of every profile (keeps .venv and downloaded data)
	rm -rf results logs .snakemake
	find figures -mindepth 1 ! -name README.md -delete
