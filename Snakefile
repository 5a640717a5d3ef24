# Reproduce Kim et al., Adv. Electron. Mater. 2019 (doi:10.1002/aelm.201900008).
#   snakemake                         # full profile (paper scale): results/, figures/
#   snakemake --config profile=quick  # same code path, smaller sizes: results/quick/, figures/quick/
# Each rule runs one papermill-parameterised notebook (notebooks/*.py, jupytext) through
# `python -m analysis.workflow.runner`; executed copies go to <results>/notebooks/. Settings for every
# run (resume after an interruption, cores) are in profiles/default/config.yaml.

include: "rules/configfile.smk"  # config/config.yaml read first: a YAML mistake named with its line
configfile: "config/config.yaml"


include: "rules/common.smk"


wildcard_constraints:
    n="|".join(N_VALUES),
    model="|".join(OTHER_MODELS) or "no-other-model",


include: "rules/data.smk"
include: "rules/simulate.smk"
include: "rules/models.smk"
include: "rules/robustness.smk"
include: "rules/figures.smk"
include: "rules/report.smk"
include: "rules/preflight.smk"  # last: damaged outputs and input data, checked once all outputs are named


rule all:
    """Every output: figures (PNG, PDF), tables, metrics, simulations, executed notebooks,
    the report and the regression check — so a deleted or damaged file is rebuilt."""
    input:
        ALL_OUTPUTS,
        f"{RESULTS}/report/regression.ok",
    default_target: True


localrules:
    all,
    regression,
    update_references,
