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
# # Robustness of the claims under the model's unfixed assumptions
#
# **What the paper shows.** Nothing here: this notebook asks which of the compendium's
# "reproduced" claims could have failed. **What it computes.** The paper leaves several inputs
# of the device model open (V0, γ, τ0, the trap-grid span and count, the leakage, the read
# delay, the train gap, the Arrhenius range, the temperature, the PEA-layer thickness) and of
# the optics and XRD model of Fig. 2 (line widths, Stokes shifts, absorbance scale, film
# thickness, lamp irradiance, carrier lifetime, 3D binding energy, temperature, crystallite
# size, peak shape, texture, Debye–Waller factor).
# `data/evidence/priors.yaml` gives each a *plausible* range (with its source) and a
# deliberately *wide* one. For every parameter set of a seeded Latin hypercube the six films
# are recalibrated to Table 2 (a set where that is impossible is *infeasible*, itself a
# result) and every device claim, the held-out law (refitted to the recalibrated films) and
# the Fig. S11a device-curve claims are re-evaluated with the effect sizes fixed in
# `data/evidence/effect_sizes.yaml`; the Fig. 2 optics claims are re-evaluated in every set,
# feasible or not, since they do not need Table 2 (`analysis.evidence.robustness`; one NetCDF per
# chunk, made by the workflow's sweep jobs).
#
# **Calibrated vs predicted.** Calibration claims (Table 2, 18 fJ) are reached in every
# feasible sample by construction and are not swept. A *prediction* gets its robustness
# (fraction of feasible plausible samples where it holds, Wilson interval) and the
# assumptions of its own model (device or optics) its margin is most sensitive to
# (Spearman ρ). A claim that holds in every
# feasible sample of the wide box is *structural*: consistent by construction, not a test.
#
# **What to look at.** The right panel: grey bars (structural) are not tests; blue bars near 1
# or near 0 with short error bars are predictions that hold or fail whatever the assumptions;
# the others depend on them. The heat map's dark cells name the assumption a claim hinges on
# (e.g. the train gap for PPF and SNDP of n = 3–5, the shortest release time for n = 1, 2).

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
plausible_samples = 64    # int: parameter sets of the plausible prior's design (>= 1)
plausible_chunks = 8      # int: sweep jobs the plausible design is split into (>= 1)
wide_samples = 32         # int: parameter sets of the wide prior's design (>= 1)
wide_chunks = 2           # int: sweep jobs the wide design is split into (>= 1)

# %%
import matplotlib.pyplot as plt
import numpy as np

from analysis.evidence import claims, robustness as rb
from analysis.plotting import style as figures
from analysis.evidence.claims import write_metrics
from analysis.stage_io import read_netcdf, resolve, write_text

figures.use_style()
# the sweep jobs' chunks, merged per prior by the workflow (analysis.evidence.robustness merge)
merged = {prior: read_netcdf(resolve(results_dir) / "robustness" / f"{prior}.nc") for prior in rb.PRIORS}
for prior, size, jobs in (("plausible", plausible_samples, plausible_chunks),
                          ("wide", wide_samples, wide_chunks)):
    got = (merged[prior].sizes["sample"], int(merged[prior].attrs["n_chunks"]))
    if got != (int(size), int(jobs)):
        raise ValueError(f"results/robustness/{prior}.nc has {got[0]} samples in {got[1]} chunks; "
                         f"expected {prior}_samples={size}, {prior}_chunks={jobs} (rerun the sweep)")
summary = rb.summarise(merged["plausible"], merged["wide"])
ledger = claims.load_ledger()
{k: summary[k] for k in ("samples", "feasible_fraction")}

# %% [markdown]
# ## Where Table 2 can be reached at all
# Spearman ρ between "calibration feasible" and each assumption, over both designs
# (negative: larger values make Table 2 unreachable).

# %%
{k: round(v, 2) for k, v in sorted(summary.get("feasibility_sensitivities", {}).items(),
                                   key=lambda kv: -abs(kv[1]))}

# %% [markdown]
# ## Claims × assumptions
# Left: Spearman ρ of each swept claim's margin with each assumption (plausible prior).
# Right: robustness with its 95 % Wilson interval; grey bars are claims that held in every
# feasible sample of the wide box (structural); dotted lines at 0.1 and 0.9.

# %%
ids = list(summary["claims"])
# a page wide and at most a page tall (0.13 in per claim row, 6 pt claim names)
fig, (ax_h, ax_b) = plt.subplots(1, 2, figsize=figures.figsize("page", (0.13 * len(ids) + 2.6) / figures.PAGE_IN),
                                 gridspec_kw={"width_ratios": [3, 1.2]}, sharey=True)
im = rb.heatmap(summary, ax_h, ax_b)
ax_b.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
figures.panel_label(ax_h, "a", dx_pt=-14)
figures.panel_label(ax_b, "b", dx_pt=-12, dy_pt=-12)   # beside b's top: the colour bar spans above both
n_p = summary["samples"]["plausible"]
# one colour bar for both panels, so both keep the same height and their rows line up
cbar = fig.colorbar(im, ax=[ax_h, ax_b], location="top", fraction=0.02, pad=0.01,
                    label=f"Spearman ρ of the claim's margin with the assumption ({n_p} plausible samples, "
                          f"{100 * summary['feasible_fraction']['plausible']:.0f} % feasible)")
cbar.set_ticks([-1, -0.5, 0, 0.5, 1])
figures.save(fig, resolve(figures_dir) / "robustness")
plt.show()

# %% [markdown]
# ## Classes and the headline
# Every claim's class follows from the ledger (calibration targets, [M] references, audits,
# stated constructions) and this sweep (structural vs prediction). The classification
# accuracies of Fig. S11 are not retrained per parameter set: they keep the class *prediction*
# here ("not swept") and get a robustness over the stored seeds in the report
# (`analysis.evidence.claims.seed_robustness`).

# %%
table = rb.claim_table(summary, ledger)
write_text(table.to_csv(index=False, float_format="%.6g"), resolve(results_dir) / "tables" / "robustness.csv")
records = [{"class": r["class"], **({"verdict_robust": r["verdict"]} if r["verdict"] not in ("", "not swept") else {})}
           for r in table.to_dict("records")]
headline = claims.headline(records)
rules = rb.rules()
widths = [s["robustness_interval"][1] - s["robustness_interval"][0]
          for s in summary["claims"].values() if s["plausible_samples"]]
print(headline["text"])
print("classes:", headline["by_class"])
print(f"robustness interval width (95 % Wilson): median {np.median(widths):.2f}, max {np.max(widths):.2f}")
table[table["class"] == "prediction"].drop(columns=["figure"])

# %%
write_metrics({"claims": summary["claims"], "samples": summary["samples"],
               "feasible_fraction": summary["feasible_fraction"],
               "feasibility_sensitivities": summary.get("feasibility_sensitivities", {}),
               "assumptions": summary["assumptions"],
               "classes": {r["id"]: r["class"] for r in table.to_dict("records")},
               "headline": headline,
               "interval_width_max": float(np.max(widths)) if widths else None,
               "rules": {k: rules[k] for k in ("robust_fraction", "confidence", "seed")}},
              resolve(results_dir) / "metrics" / "robustness.json")
