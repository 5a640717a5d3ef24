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
# # Held-out prediction across dimensionality (leave one n out)
#
# **What the paper shows.** Table 2: retention (b, m) and activation energy E_A change with the
# dimensionality n, which the paper attributes to the PEA layers hindering ion migration.
# **What this notebook computes.** In the calibrated model every film has its own three free
# parameters (Ea, E0, ν_m), fitted to its own row of Table 2, so the model predicts nothing
# *across* n. Here the thesis becomes a law with two numbers per parameter: Ea, ln E0 and
# log10 ν_m linear in one structural descriptor of `data/parameters/structure.yaml`,
# either the inorganic volume fraction f = n·a_pc/(n·a_pc + d_PEA) (equivalently the density
# of PEA barriers, which is affine in f) or 1/n (the share of octahedral layers touching a PEA
# interface). The law is fitted to five films' calibrated parameters and predicts the sixth;
# the same simulated experiments and fits as the calibration turn those parameters into b, m
# and E_A (`analysis.evidence.heldout`).
#
# **Calibrated vs predicted.** Every number below for the held-out film is a *prediction*
# (its own Table 2 row was not used); the tolerances are those of the calibration
# (`data/evidence/effect_sizes.yaml`: b ±10 %, m ±5 %, E_A ±5 meV).
#
# **What to look at.** How far the open markers (predicted) sit from the black bars (Table 2):
# E_A roughly follows the structure, but b and m do not — Table 2's m is not monotone in n
# (large for n = 1, 2 and for 3D, small for n = 3–5), which no smooth law in one descriptor
# can follow, so every film breaks the law.

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
from analysis.physics import multitrap
from analysis.stage_io import load_calibration, resolve, write_netcdf, write_text

figures.use_style()
cal = load_calibration(results_dir, multitrap.MODEL_NAME)   # the calibrate stage's output
calibrated = {n: (cal["ea_eV"][n], cal["e0_eV"][n], cal["nu_m_per_s"][n]) for n in n_values}
ds = heldout.leave_one_out(n_values, calibrated=calibrated)
write_netcdf(ds, resolve(results_dir) / "heldout" / "heldout_dimensionality.nc")
labels = [str(n) for n in ds["n"].values]

# %%
fig, axes = plt.subplots(1, 3, figsize=figures.figsize("page", 0.4), layout="constrained")
markers = {"inorganic_fraction": "o", "inverse_n": "s"}
symbols = {"b": "$b$", "m": "$m$", "Ea": "$E_\\mathrm{A}$"}
for ax, letter, q, unit in zip(axes, "abc", ("b", "m", "Ea"), ("1", "1", "eV")):
    x = np.arange(len(labels))
    ax.plot(x, ds[f"{q}_paper"], "k_", ms=18, mew=2, label="Table 2")
    for i, d in enumerate(ds["descriptor"].values):
        ax.plot(x + (i - 0.5) * 0.2, ds[q].sel(descriptor=d), markers[str(d)], ms=5,
                mfc="none", label=f"held out, law in {d.replace('_', ' ')}")
    ax.set_xticks(x, [figures.label(n).removeprefix("n = ") for n in labels])
    ax.set_xlabel("held-out film n")
    ax.set_ylabel(figures.axis_label(symbols[q], unit))
    figures.panel_label(ax, letter, dx_pt=-34)
    if q == "b":
        ax.set_yscale("log")
fig.legend(handles=axes[0].get_legend_handles_labels()[0], loc="outside upper center", ncol=3)
figures.save(fig, resolve(figures_dir) / "heldout_dimensionality")
plt.show()

# %%
table = ds[["b", "b_paper", "b_rel_error", "m", "m_paper", "m_rel_error", "Ea", "Ea_paper", "Ea_error",
            "within"]].to_dataframe().reset_index()
write_text(table.to_csv(index=False, float_format="%.6g"),
           resolve(results_dir) / "tables" / "heldout_dimensionality.csv")
m = heldout.metrics(ds)
for d in ds["descriptor"].values:
    print(f"{d}: films that break the law: {', '.join(m[str(d)]['breaks_law']) or 'none'}")
table

# %%
write_metrics(m, resolve(results_dir) / "metrics" / "heldout_dimensionality.json")
