# One-command entry points. `make figures` and `make test` each create the local
# virtual environment (.venv) on first use, install the pinned packages, then run.
PYTHON  ?= python3
VENV    ?= .venv
CORES   ?= 2
PROFILE ?= full
PY      := $(VENV)/bin/python
SMK     := $(PY) -m snakemake --cores $(CORES) --config profile=$(PROFILE)

.PHONY: setup figures quick test test-fast data references benchmark lab dag clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(VENV)/.installed  ## create .venv and install the pinned packages

figures: setup  ## run the whole workflow (PROFILE=full by default): figures/, results/report/index.html
	$(SMK)

quick: setup  ## the same workflow on the quick profile
	$(MAKE) figures PROFILE=quick

test: setup  ## the test suite, including a quick-profile workflow run in a temporary copy
	$(PY) -m pytest

test-fast: setup  ## unit tests only
	$(PY) -m pytest -m "not slow"

data: setup  ## fetch and verify all input data (MNIST; honours SYNAPSE_DATA_MIRROR)
	$(SMK) data

references: setup  ## regenerate data/reference/$(PROFILE).json from a finished run (on purpose only)
	$(SMK)
	$(PY) -m analysis.report update-references --profile $(PROFILE)

benchmark: setup  ## time the workflow and the core computations
	$(PY) benchmarks/bench_workflow.py
	$(PY) benchmarks/bench_device.py
	$(PY) benchmarks/bench_network.py

lab: setup  ## open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/

dag: setup  ## draw the workflow graph (needs graphviz's dot)
	$(SMK) --rulegraph | dot -Tpng > results/rulegraph.png

clean:  ## remove generated outputs (keeps .venv and downloaded data)
	rm -rf results logs figures/*.png figures/*.pdf .snakemake
