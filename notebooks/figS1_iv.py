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
# # Fig. S1 — I–V sweeps: hysteresis without bistable switching
#
# The BCCP (PEDOT:PSS:PFI) buffer blocks conductive filaments, so the paper's devices show a
# hysteretic I–V loop but no bistable (set/reset) states. In the model there is no filament
# state at all: the only stable state at 0 V is "all ions at rest". The loop opens because a
# negative sweep drives Br⁻ vacancies out (the return branch is more conductive) and a
# positive sweep drives them back.
#
# Sweep (*assumed*, Fig. S1 is not available): staircase 0 → −2 V → 0 → +2 V → 0 at 1 V/s.
# **Predicted** (nothing here was calibrated): the hysteresis, and the check that after the
# sweep the device relaxes back to its pristine conductance (`iv_relaxed_deviation` ≈ 0,
# computed by letting every state relax at 0 V for 1000 × the longest release time).
#
# **What to look at.** Each loop opens (hysteresis) but closes again at 0 V: there is one stable
# state, no set/reset branch.
#
# The second model (config `models`, grey) is drawn at the paper's current scale, as its claims
# are judged: its currents times the one factor that gives its 2D device the paper's 18 fJ at
# −1 V (data/evidence/model_form.yaml).

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
n_values = None           # list[str] or None: films to read (None: all six; the workflow passes config n_values)
models = ["multitrap"]    # list[str]: device models drawn (config models); others in grey beside the multi-trap model

# %%
import matplotlib.pyplot as plt
import numpy as np

from analysis.plotting import model_overlay
from analysis.plotting import style as figures
from analysis import stage_io as io
from analysis.evidence import metrics as claim_metrics
from analysis.physics.models import LABELS as model_labels
from analysis.stage_io import resolve, write_metrics

OTHER_COLOUR = "0.35"   # further device models are drawn in grey

figures.use_style()
sims = io.load_simulations(results_dir, n_values)  # one Dataset, stacked along n
order = [str(n) for n in sims["n"].values]
films = {n: io.film(sims, n) for n in order}
others = model_overlay.other_films(results_dir, n_values, models)   # model -> films (grey)

# %%
fig, axes = plt.subplots(2, 3, figsize=figures.figsize("page", 0.55), layout="constrained")
for ax, letter, n in zip(axes.flat, "abcdef", order):
    ds = films[n]
    v = ds["iv_voltage"].values
    i = np.abs(ds["iv_current"].values)
    half = v.size // 2
    ax.plot(v[:half], i[:half], color=figures.colour(n), label="0 → −2 → 0 V")
    ax.plot(v[half:], i[half:], color=figures.colour(n), ls="--", label="0 → +2 → 0 V")
    for model, other in others.items():   # further models in grey, the same two branches
        if n in other:
            vo, io_ = other[n]["iv_voltage"].values, np.abs(other[n]["iv_current"].values)
            h = vo.size // 2
            ax.plot(vo[:h], io_[:h], color=OTHER_COLOUR, lw=0.8)
            ax.plot(vo[h:], io_[h:], color=OTHER_COLOUR, lw=0.8, ls="--")
    ax.set_yscale("log")
    figures.panel_label(ax, letter, caption=figures.label(n), caption_color=figures.colour(n))
for ax in axes[1]:
    ax.set_xlabel("voltage [V]")
for ax in axes[:, 0]:
    ax.set_ylabel("|I| [A]")
handles = [plt.Line2D([], [], color="0.3", label="sweep 0 → −2 → 0 V"),
           plt.Line2D([], [], color="0.3", ls="--", label="sweep 0 → +2 → 0 V (1 V/s)")]
if others:
    handles += [plt.Line2D([], [], color=figures.colour(order[0]), label="multi-trap model (film colour)")]
    handles += [plt.Line2D([], [], color=OTHER_COLOUR, lw=0.8, label=f"{model_labels[m]} (grey)") for m in others]
fig.legend(handles=handles, loc="outside upper center", ncol=2 if not others else 4)
figures.save(fig, resolve(figures_dir) / "figS1_iv")
plt.show()

# %% [markdown]
# ## Metrics
# `iv_hysteresis_ratio`: largest ratio of return-branch to forward-branch |I| at the same
# negative voltage (> 1: hysteresis). `iv_relaxed_deviation`: relative conductance change
# left after relaxation (0: a single stable state, no bistable switching). `iv_monostable`:
# that deviation is below 1e-6.

# %%
metrics = claim_metrics.figS1_metrics(films)
write_metrics(metrics, resolve(results_dir) / "metrics" / "figS1_iv.json")
metrics
