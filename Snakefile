# Reproduce Kim et al., Adv. Electron. Mater. 2019 (doi:10.1002/aelm.201900008).
#   snakemake --cores 2                         # full profile (paper scale)
#   snakemake --cores 2 --config profile=quick  # same code path, smaller sizes
# Each rule runs one papermill-parameterised notebook (notebooks/*.py, jupytext) through
# `python -m analysis.runner`; executed copies go to results/notebooks/.

configfile: "config/config.yaml"


include: "rules/common.smk"


wildcard_constraints:
    n="|".join(N_VALUES),


include: "rules/data.smk"
include: "rules/simulate.smk"
include: "rules/figures.smk"
include: "rules/report.smk"


rule all:
    input:
        "results/report/index.html",
        "results/report/regression.ok",
    default_target: True
