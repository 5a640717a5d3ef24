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
# # Robustness of the claims: over the physics, over the analysis choices, and jointly
#
# **What the paper shows.** Nothing here: this notebook asks which of the paper's statements
# the simulation could have failed, and which verdicts are set by the compendium's own way of
# judging them. **What it computes.** Two kinds of assumption are open. The *physics*: inputs of
# the device model (V0, γ, τ0, the trap grid, the leakage) and of the optics and XRD of Fig. 2,
# and the protocol conditions the paper does not state (read delay, train gap, temperature),
# each with a plausible and a wide range and its source (`data/evidence/priors.yaml`). The
# *analysis choices*: how a statement is read off a simulated experiment where the paper does not
# say — the time at which STP→LTP is judged, the A2/A1 statistic of "PPF > 1", the power-law fit
# method and window (the calibration is redone under each), the read noise and read duration of
# the detection thresholds, the meaning of "dominant", "mostly", "comparable", … — each with its
# plausible options (`data/evidence/analysis_choices.yaml`).
#
# Four seeded designs (`analysis.evidence.robustness`, one NetCDF per chunk, made by the
# workflow's sweep jobs): *plausible* (physics sampled, analysis at the defaults), *analysis*
# (nominal physics, analysis choices sampled), *joint* (both) and *wide* (wide physics with the
# analysis choices). In every sample the films are recalibrated to Table 2 (a sample where that
# is impossible is *infeasible*, itself a result), the protocols the claims read are simulated,
# the figure notebooks' own metrics computed, and every claim judged under the sample's choices.
#
# **Classes are symmetric.** A claim that holds in every evaluated sample of every design is
# *consistent by construction*; one that fails in every sample is *inconsistent by construction*
# (a statement about what this model class can do, not a test). The rest are *predictions*; each
# gets its robustness over the physics, over the analysis choices and jointly (Wilson 95 %
# intervals), the outcomes of its joint samples (reproduced, too small to have been seen,
# contradicted) and the assumptions of either kind that move it most.
#
# **What to look at.** Panel a of the first figure: a prediction whose ○ (physics) and △ (analysis)
# sit far apart hinges on how it is judged, not on the model. The specification curves: a family
# whose margin changes sign where one option of a choice begins (the coloured rows below) is
# decided by that choice.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
plausible_samples = 64    # int: samples of the plausible design (>= 1)
plausible_chunks = 2      # int: sweep jobs the plausible design is split into (>= 1)
analysis_samples = 48     # int: samples of the analysis design (>= 1)
analysis_chunks = 2       # int: sweep jobs the analysis design is split into (>= 1)
joint_samples = 64        # int: samples of the joint design (>= 1)
joint_chunks = 2          # int: sweep jobs the joint design is split into (>= 1)
wide_samples = 32         # int: samples of the wide design (>= 1)
wide_chunks = 2           # int: sweep jobs the wide design is split into (>= 1)
driftdiffusion_samples = 5        # int: samples of the drift-diffusion model's own design (0: none)
driftdiffusion_chunks = 1         # int: sweep jobs the drift-diffusion design is split into (>= 1)
driftdiffusion_mesh = "quick"     # str: mesh of the drift-diffusion design (full or quick)

# %%
import fnmatch

import matplotlib.pyplot as plt
import numpy as np

from analysis.evidence import choices, claims, robustness as rb
from analysis.evidence.claims import write_metrics
from analysis.evidence.rules import analysis_choices
from analysis.physics.models import LABELS
from analysis.plotting import robustness_figures as rf
from analysis.plotting import style as figures
from analysis.stage_io import read_netcdf, resolve, write_text

figures.use_style()
sizes = {"plausible": (plausible_samples, plausible_chunks), "analysis": (analysis_samples, analysis_chunks),
         "joint": (joint_samples, joint_chunks), "wide": (wide_samples, wide_chunks)}
# the sweep jobs' chunks, merged per design by the workflow (analysis.evidence.robustness merge)
if int(driftdiffusion_samples) > 0:
    sizes[rb.DD_DESIGN] = (driftdiffusion_samples, driftdiffusion_chunks)
merged = {d: read_netcdf(resolve(results_dir) / "robustness" / f"{d}.nc") for d in sizes}
for d, (size, jobs) in sizes.items():
    got = (merged[d].sizes["sample"], int(merged[d].attrs["n_chunks"]))
    if got != (int(size), int(jobs)):
        raise ValueError(f"results/robustness/{d}.nc has {got[0]} samples in {got[1]} chunks; "
                         f"expected {d}_samples={size}, {d}_chunks={jobs} (rerun the sweep)")
if rb.DD_DESIGN in merged and merged[rb.DD_DESIGN].attrs.get("mesh") != driftdiffusion_mesh:
    raise ValueError(f"results/robustness/{rb.DD_DESIGN}.nc was made on the {merged[rb.DD_DESIGN].attrs.get('mesh')!r} "
                     f"mesh; expected driftdiffusion_mesh={driftdiffusion_mesh!r} (rerun the sweep)")
summary = rb.summarise(merged)
ledger = claims.load_ledger()
cls = rb.classes(ledger, summary)
{k: summary[k] for k in ("samples", "feasible_fraction")}

# %% [markdown]
# ## Each claim over the physics, the analysis choices, and jointly
# The predictions and the claims consistent or inconsistent by construction, one row each.

# %%
shown = [c["id"] for c in ledger if c["id"] in summary["claims"]
         and cls[c["id"]] in ("prediction", "consistent by construction", "inconsistent by construction")]
marks = {"consistent by construction": " [c]", "inconsistent by construction": " [i]"}
labels = {i: i + marks.get(cls[i], "") for i in shown}
fig, ax = plt.subplots(figsize=figures.figsize("page", (0.11 * len(shown) + 1.2) / figures.PAGE_IN),
                       layout="constrained")
handles = rf.robustness_overview(summary, shown, ax, labels)
# with the drift-diffusion model's marker, five entries in two rows, kept clear of the panel letter
ax.legend(handles=handles, loc="lower center" if len(handles) == 4 else "lower right",
          bbox_to_anchor=(0.5, 1.0) if len(handles) == 4 else (1.0, 1.0), ncol=4 if len(handles) == 4 else 3,
          fontsize=6, frameon=False)
figures.panel_label(ax, "a", dx_pt=-14)
ax.set_xlabel("fraction of samples in which the claim holds   ([c] consistent, [i] inconsistent by construction)")
figures.save(fig, resolve(figures_dir) / "robustness")
plt.show()

# %% [markdown]
# ## The drift–diffusion model over its own assumptions
# Its design (when the run has the model): the film-independent inputs of
# `data/parameters/driftdiffusion.yaml` that are neither calibrated nor fixed by a source,
# sampled from `data/evidence/priors_driftdiffusion.yaml`, every film recalibrated to Table 2 by
# the model's own calibration, its device claims judged at the default current anchor
# (◇ in the figure above). A small design (the full profile's 5 sets) shows whether a claim
# moves with the model's assumptions; only the cluster's `sweep` profile can call it robust.

# %%
if rb.DD_DESIGN in merged:
    dd_ds = merged[rb.DD_DESIGN]
    dd_rows = {cid: (s["robustness_driftdiffusion"], s["robustness_driftdiffusion_interval"],
                     s["samples"].get(rb.DD_DESIGN))
               for cid, s in summary["claims"].items() if s.get("robustness_driftdiffusion") is not None}
    print(f"{int(dd_ds['feasible'].sum())} of {dd_ds.sizes['sample']} sets feasible (mesh {dd_ds.attrs['mesh']}); "
          f"{len(dd_rows)} device claims evaluated")
    for cid, (frac, (lo, hi), n) in dd_rows.items():
        print(f"  {cid}: holds in {frac:.2f} of {n} (95 % {lo:.2f}-{hi:.2f})")
else:
    print("no drift-diffusion design in this run (config models or driftdiffusion_samples = 0)")

# %% [markdown]
# ## Specification curves of the claim families
# Joint design: every sample × claim of a family is one way of checking the statement. Top of
# each block: its margin (> 0 holds; divided by the claim's median |margin|), sorted, coloured by
# outcome (green reproduced, ochre too small to have been seen, red contradicted). Below: which
# option of each analysis choice that affects the family it used (colour = option), and, when
# the run has the drift–diffusion model's design, which device model (row "model": the
# multi-trap model's joint design and the drift–diffusion model's own design; its samples use
# the default analysis choices).

# %%
choice_defs = analysis_choices()
options = {n: ([choices.option_key(o) for o in e["options"]] if "options" in e else None)
           for n, e in choices.table().items()}
joint = ({LABELS["multitrap"]: merged["joint"], LABELS[rb.DD_DESIGN]: merged[rb.DD_DESIGN]}
         if rb.DD_DESIGN in merged else merged["joint"])
heights = []
families = []
for title, patterns in rf.FAMILIES:
    ids = rf.family_claims([c["id"] for c in ledger], patterns)
    affecting = [n for n, e in choice_defs.items() if "affects" in e and e.get("realized_as") != "variants"
                 and any(fnmatch.fnmatch(i, p) for i in ids for p in e["affects"])]
    names = [n for n in affecting if n in options] or ["noise_position"]
    if "read_noise" in affecting:
        names = [n for n in names if n != "read_noise"] + ["noise_position"]
    families.append((title, ids, names))
    heights.append(1.0 + 0.11 * (len(names) + isinstance(joint, dict)))
# fixed margins, so that every family's curve has the same width (long choice names on the
# left, the option keys on the right)
curve_in, row_in, gap_in = 0.85, 0.13, 0.42
ratios = []
for _, _, names in families:
    ratios += [curve_in, row_in * (len(names) + isinstance(joint, dict)) + 0.05, gap_in]
total_in = sum(ratios[:-1]) + 0.55
fig = plt.figure(figsize=(figures.PAGE_IN, total_in))
grid = fig.add_gridspec(len(ratios) - 1, 1, height_ratios=ratios[:-1], hspace=0.0,
                        left=0.2, right=0.74, top=1 - 0.4 / total_in, bottom=0.3 / total_in)
for k, ((title, ids, names), letter) in enumerate(zip(families, "abcdefgh")):
    ax_c = fig.add_subplot(grid[3 * k])
    ax_r = fig.add_subplot(grid[3 * k + 1], sharex=ax_c)
    n_specs = rf.specification_curve(ax_c, ax_r, joint, ids, names, options)
    figures.panel_label(ax_c, letter, caption=f"{title}: {n_specs} specifications", dx_pt=-10)
ax_r.set_xlabel("specification (a sample of the joint design" + (" or of the drift–diffusion design" if isinstance(joint, dict) else "")
               + " × a claim of the family), sorted by margin", fontsize=6)
rf.outcome_legend(fig)
figures.save(fig, resolve(figures_dir) / "specification_curves")
plt.show()

# %% [markdown]
# ## Classes and the sweep's verdicts
# The counts below are the sweep's part of the verdict: the claims it decides. They are not the
# report's headline: the classification accuracies of Fig. S11 are not retrained per sample (the
# report decides them by their equivalence test over the seeds, `data/paper/accuracy_rule.yaml`),
# and the outcomes at the default choices come from judging the claims (the report).

# %%
table = rb.claim_table(summary, ledger)
write_text(table.to_csv(index=False, float_format="%.6g"), resolve(results_dir) / "tables" / "robustness.csv")
records = [{"class": r["class"], **({"verdict_robust": r["verdict"]} if r["verdict"] not in ("", "not swept") else {})}
           for r in table.to_dict("records")]
swept = claims.headline(records)
swept = {"by_class": swept["by_class"], "predictions": swept["predictions"],
         "hold_robustly": swept["hold_robustly"], "fail_robustly": swept["fail_robustly"],
         "depend_on_assumptions": swept["depend_on_assumptions"],
         "not_swept": swept["not_swept"],
         "text": (f"the sweep decides {swept['predictions'] - swept['not_swept']} of {swept['predictions']} "
                  f"predictions: {swept['hold_robustly']} hold robustly, {swept['fail_robustly']} fail "
                  f"robustly, {swept['depend_on_assumptions']} depend on the assumptions; {swept['not_swept']} "
                  "are not decided by the sweep (the accuracies of Fig. S11: over seeds, in the report)")}
rules = rb.rules()
widths = [s["robustness_interval"][1] - s["robustness_interval"][0]
          for s in summary["claims"].values() if s.get("robustness") is not None]
print(swept["text"])
print("classes:", swept["by_class"])
print(f"joint robustness interval width (95 % Wilson): median {np.median(widths):.2f}, max {np.max(widths):.2f}")
table[table["class"] == "prediction"].drop(columns=["figure"])

# %%
write_metrics({"claims": summary["claims"], "samples": summary["samples"],
               "feasible_fraction": summary["feasible_fraction"],
               "assumptions": summary["assumptions"], "choices": summary["choices"],
               "classes": {r["id"]: r["class"] for r in table.to_dict("records")},
               "swept_verdicts": swept,
               "interval_width_max": float(np.max(widths)) if widths else None,
               "rules": {k: rules[k] for k in ("robust_fraction", "confidence", "seed")}},
              resolve(results_dir) / "metrics" / "robustness.json")
