# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reproduction report
#
# This notebook is the last stage of the workflow. It checks every statement of the paper that
# the claims ledger (`data/paper/claims/*.yaml`) lists against the metrics the figure notebooks
# wrote (`<results>/metrics/*.json`), compares all metrics with the stored regression reference
# (`data/reference/<profile>.json`) and writes, under `<results>/report/`:
#
# * `index.html` — the report for readers, one page (figures linked from the run's figure
#   folder): the verdict by claim class,
#   the findings, then one section per paper figure in paper order (the regenerated figure, what
#   the paper shows, its claims with status and reason, links to the notebook cell that drew it
#   and to the `analysis` functions it used), all claims with filters, and the provenance;
# * `notebooks.html` — the executed notebooks in paper order;
# * `claims.json` and `regression.json` — the same evaluation as data.
#
# How to read the status of a claim:
# * **calibrated** claims were used as fitting targets; `pass` shows the calibration worked.
# * **predicted** claims are outputs of the model that were not fitted; `fail` is a *finding*
#   (the model, or the paper, does not support the statement) and is explained in the note.
# * **missing** means no output checks the claim yet.
#
# **What to look at.** The findings table: the claims the simulation does not reproduce, each
# with its reason. The HTML report shows the same with the figures.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
profile = "full"          # str: "full" or "quick"
reference = "data/reference/full.json"  # str: regression reference for this profile
rtol = 1e-4               # float: relative tolerance of the regression check
atol = 1e-9               # float: absolute tolerance of the regression check
run_config = {}           # dict: the run's settings (the workflow passes config/config.yaml's, validated)

# %%
import pandas as pd

from analysis.evidence import report
from analysis.stage_io import resolve

summary = report.build(results_dir=results_dir, figures_dir=figures_dir, profile=profile,
                       reference=reference, rtol=rtol, atol=atol, run_config=run_config)
summary

# %% [markdown]
# ## Claims by figure

# %%
claims = pd.read_json(resolve(results_dir) / "report" / "claims.json")
pd.set_option("display.max_colwidth", 80)
claims[["id", "figure", "basis", "paper", "compendium", "status"]]

# %% [markdown]
# ## Findings: claims the simulation does not reproduce

# %%
claims.loc[claims.status != "pass", ["id", "basis", "paper", "compendium", "status", "note"]]

# %% [markdown]
# ## Regression check

# %%
regression = pd.read_json(resolve(results_dir) / "report" / "regression.json", typ="series")
records = pd.DataFrame(regression["records"])
records.status.value_counts() if len(records) else "no metrics"
