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
# # A structural law of Table 2 across dimensionality: in-sample first, then leave one n out
#
# **What the paper shows.** Table 2: retention (b, m) and activation energy E_A change with the
# dimensionality n, which the paper attributes to the PEA layers hindering ion migration; it
# states a hypothesis ("the dimensionality of the OHP film affects the migration of ions in
# it", p. 5), not a law.
# **What this notebook computes.** In the calibrated model every film has its own three free
# parameters (Ea, E0, ν_m), fitted to its own row of Table 2, so the model predicts nothing
# *across* n. Here the thesis becomes a law with two numbers per parameter: Ea, ln E0 and
# log10 ν_m linear in one structural descriptor of `data/parameters/structure.yaml`, either
# the inorganic volume fraction f = n·a_pc/(n·a_pc + d_PEA) (equivalently the density of PEA
# barriers, which is affine in f) or 1/n (the share of octahedral layers touching a PEA
# interface) — the two options of the analysis choice `heldout_descriptor`
# (`data/evidence/analysis_choices.yaml`). A law's parameters of a film become b, m and E_A
# through the same simulated experiments and fits as the calibration
# (`analysis.physics.table2.table2_row`; `analysis.evidence.heldout`).
#
# Two fits, in this order:
# 1. **In-sample.** The law is fitted on *all* films of the run and predicts each of them. A
#    law that misses films it was fitted to cannot predict a film it did not see: if a
#    descriptor's law misses any film in-sample, that is the finding, and no held-out test of
#    it is run.
# 2. **Leave one n out**, only for a law that fits in-sample: fitted on the other films, the
#    law predicts the one left out. The films at the ends of the descriptor's range (here
#    n = 1 and 3D for both descriptors) held out are *extrapolations*, marked as such; the
#    law is judged on the interpolated films.
#
# **Calibrated vs predicted.** The in-sample numbers test whether the law *can describe*
# Table 2 (the films' own rows were used); only the held-out numbers are *predictions*. The
# tolerances are those of the calibration (`data/evidence/effect_sizes.yaml`: b ±10 %,
# m ±5 %, E_A ±5 meV).
#
# **What to look at.** The lower panels: the in-sample residuals in units of the tolerance
# against the shaded ±1 band. Table 2's m is not monotone in n (large for n = 1, 2 and for 3D,
# small for n = 3–5), which no law linear in one monotone descriptor can follow, so neither
# law fits the films it was fitted to.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
n_values = ["1", "2", "3", "4", "5", "inf"]  # list[str]: films of the run (the workflow passes config n_values)

# %%
import matplotlib.pyplot as plt
import numpy as np

from analysis.plotting import style as figures
from analysis.evidence import heldout
from analysis.evidence.claims import write_metrics
from analysis.physics import models
from analysis.stage_io import load_calibration, resolve, write_netcdf, write_text

figures.use_style()
cal = load_calibration(results_dir, models.PRIMARY_MODEL)   # the calibrate stage's output
free = {n: models.get(models.PRIMARY_MODEL).calibrated_free(n, cal) for n in n_values}
calibrated = {n: (free[n]["ea_eV"], free[n]["e0_eV"], free[n]["nu_m_per_s"]) for n in n_values}
ds = heldout.analyse(n_values, calibrated=calibrated)
write_netcdf(ds, resolve(results_dir) / "heldout" / "heldout_dimensionality.nc")
m = heldout.metrics(ds)
labels = [str(n) for n in ds["n"].values]
descriptors = [str(d) for d in ds["descriptor"].values]
COLUMNS = ["b", "b_paper", "b_rel_error", "m", "m_paper", "m_rel_error", "Ea", "Ea_paper", "Ea_error", "within"]

# %% [markdown]
# ## 1. In-sample: each law fitted on all films
#
# Predicted b, m and E_A of every film by the law fitted on all films, beside Table 2, with the
# errors (b and m relative, E_A in eV) and whether all three lie within tolerance.

# %%
tol = heldout.tolerances()
in_sample = ds[COLUMNS].sel(fit="in_sample").to_dataframe().drop(columns="fit")
for d in descriptors:
    inside = len(labels) - len(m["in_sample_films_outside"][d])
    verdict = "fits" if m["law_fits_in_sample"][d] else "does not fit"
    print(f"law in {d}: {inside} of {len(labels)} films within tolerance in-sample -> the law {verdict}")
in_sample

# %% [markdown]
# The same residuals in units of each quantity's tolerance (|x| ≤ 1 is within it), and the
# predictions beside Table 2. Filled markers: in-sample; open markers: held out (only for a
# law that fits in-sample); an open marker with a cross: a held-out end film (extrapolation).

# %%
STYLE = {"inorganic_fraction": ("o", "#1b7837", "inorganic fraction f"), "inverse_n": ("s", "#7b3294", "1/n")}
SYMBOL = {"b": "$b$", "m": "$m$", "Ea": "$E_\\mathrm{A}$"}
ERROR = {"b": "b_rel_error", "m": "m_rel_error", "Ea": "Ea_error"}
x = np.arange(len(labels))
fig, axes = plt.subplots(2, 3, figsize=figures.figsize("page", 0.62), layout="constrained")
for col, (q, unit) in enumerate((("b", "1"), ("m", "1"), ("Ea", "eV"))):
    top, bottom = axes[0, col], axes[1, col]
    paper = ds[f"{q}_paper"].values
    band = paper * tol[q] if q != "Ea" else np.full_like(paper, tol[q])
    top.bar(x, 2 * band, bottom=paper - band, width=0.6, color="0.85", lw=0, label="within tolerance")
    top.plot(x, paper, "k_", ms=14, mew=1.5, label="Table 2")
    bottom.axhspan(-1, 1, color="0.85", lw=0, label="within tolerance")
    bottom.axhline(0, color="k", lw=0.6)
    for i, d in enumerate(descriptors):
        marker, c, name = STYLE[d]
        dx = (i - (len(descriptors) - 1) / 2) * 0.22
        for fit, mfc, what in (("in_sample", c, "in-sample"), ("leave_one_out", "none", "held out")):
            sub = ds.sel(descriptor=d, fit=fit)
            if not np.isfinite(sub[q].values).any():
                continue
            err = sub[ERROR[q]].values / tol[q]
            shift = dx + (0.08 if fit == "leave_one_out" else -0.0)
            for ax, y in ((top, sub[q].values), (bottom, err)):
                ax.plot(x + shift, y, marker, ms=4.5, color=c, mfc=mfc, ls="none", label=f"{what}, law in {name}")
            if fit == "leave_one_out":
                ends = ds["extrapolation"].sel(descriptor=d).values == 1
                for ax, y in ((top, sub[q].values), (bottom, err)):
                    ax.plot((x + shift)[ends], y[ends], "x", ms=4.5, color=c, ls="none")
    for ax in (top, bottom):
        ax.set_xticks(x, [figures.label(n).removeprefix("n = ") for n in labels])
    bottom.set_xlabel("film n")
    top.set_ylabel(figures.axis_label(SYMBOL[q], unit))
    bottom.set_ylabel(f"error of {SYMBOL[q]} / tolerance")
    bottom.set_yscale("symlog", linthresh=1.0)
    bottom.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: figures.num(v)))
    worst = np.nanmax(np.abs(ds[ERROR[q]].values)) / tol[q]
    bottom.set_ylim(-1.8 * max(worst, 1.0), 1.8 * max(worst, 1.0))
    if q == "b":
        top.set_yscale("log")
    figures.panel_label(top, "abc"[col], dx_pt=-34)
    figures.panel_label(bottom, "def"[col], dx_pt=-34)
handles = {}
for ax in axes.flat:
    for h, lab in zip(*ax.get_legend_handles_labels()):
        handles.setdefault(lab, h)
note = None
if any(m["leave_one_out_evaluated"].values()):
    handles["held out at an end of the range (extrapolation)"] = plt.Line2D([], [], marker="x", ms=4.5, color="0.3",
                                                                              ls="none")
else:
    note = "no leave-one-out: no law fits in-sample"   # a statement, not a drawn artist: the legend's title
fig.legend(list(handles.values()), list(handles), loc="outside upper center", ncol=3, fontsize=7,
           title=note, title_fontsize=7)
figures.save(fig, resolve(figures_dir) / "heldout_dimensionality")
plt.show()

# %% [markdown]
# ## 2. Leave one n out — only for a law that fits in-sample
#
# For each descriptor whose law reproduced every film in-sample: the law fitted on the other
# films predicts the one left out; `extrapolation` marks a held-out end film.

# %%
for d in descriptors:
    if not m["leave_one_out_evaluated"][d]:
        why = ("the law does not fit in-sample" if not m["law_fits_in_sample"][d]
               else f"fewer than {heldout.MIN_FILMS_LEAVE_ONE_OUT} films")
        print(f"law in {d}: no leave-one-out ({why})")
        continue
    outside = m["leave_one_out_films_outside"][d]
    ends = m["extrapolated_films"][d]
    print(f"law in {d}: held-out films outside tolerance: {', '.join(outside) or 'none'} "
          f"(extrapolations: {', '.join(ends)}); every interpolated film within: "
          f"{m['leave_one_out_interpolations_within'][d]}")
evaluated = [d for d in descriptors if m["leave_one_out_evaluated"][d]]
held_out = (ds[COLUMNS + ["extrapolation"]].sel(fit="leave_one_out", descriptor=evaluated).to_dataframe()
            .drop(columns="fit") if evaluated else None)
held_out

# %%
table = ds[COLUMNS + ["extrapolation"]].to_dataframe().reset_index()
write_text(table.to_csv(index=False, float_format="%.6g"),
           resolve(results_dir) / "tables" / "heldout_dimensionality.csv")
write_metrics(m, resolve(results_dir) / "metrics" / "heldout_dimensionality.json")
