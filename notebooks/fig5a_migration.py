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
# # Fig. 5a — ion migration in 3D and quasi-2D perovskite, from the device model
#
# The paper (p. 6) explains the dimensionality dependence with a picture: in 3D MAPbBr₃ the
# Br⁻ ions move relatively freely, whereas in quasi-2D films the bulky PEA⁺ cations between
# the PbBr₆ slabs raise the activation energy E_A of migration and hinder the back-diffusion
# of migrated ions once the voltage is removed.
#
# Here that picture is **computed, not sketched**. For n = ∞ and a quasi-2D n (default 3):
#
# * the structure strip is the to-scale drawing of Fig. 1c turned sideways (z = the
#   out-of-plane direction), with the PEA bilayers at z = k·d(n) from
#   `data/parameters/structure.yaml`;
# * the energy landscape along z has a saddle of height E_A(n) between neighbouring Br
#   sites (spaced a/2) — E_A(n) is the device model's migration barrier
#   (`analysis.physics.models.device("multitrap", n, calibrated).ea_eV`, calibrated on Table 2);
# * the Br planes facing a PEA bilayer are traps whose release (back-diffusion) barriers are
#   the model's E_k (`trap_energies_eV`); the well is drawn to the deepest class and every
#   class level E_A − E_k is marked; the side panel shows the capture weights w_k
#   (`trap_weights`), i.e. how the migrated ions are distributed over the trap classes.
#
# The model has no position for the traps of the 3D film (defects, grain boundaries); they
# are shown only as levels. E_A(n) and the weights are calibrated quantities (Table 2 and
# the retention exponents m of Fig. 4b); the placement of the traps at the PEA faces is the
# paper's hypothesis made explicit.
#
# **What to look at.** The saddle height E_A (higher for n = 3 than for 3D) and the deep wells at
# the PEA faces in the quasi-2D landscape: ions trapped there return slowly, which is the model's
# account of the longer retention.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
quasi2d_n = "3"           # str: the quasi-2D dimensionality compared with 3D (1-5)
n_values = ["1", "2", "3", "4", "5", "inf"]  # list[str]: films of the run (the workflow passes config n_values)

# %%
import logging

import numpy as np

from analysis.plotting import crystal_structures, ion_migration
from analysis.physics import models
from analysis.physics.dimensionality import parse_n
from analysis.plotting.style import save
from analysis.stage_io import load_calibration, resolve, write_metrics

logging.basicConfig(level=logging.INFO)
q = parse_n(quasi2d_n)
calibrated = load_calibration(results_dir, models.PRIMARY_MODEL)   # the calibrate stage's output
model = {}
for n in ("inf", q):
    p = models.device(models.PRIMARY_MODEL, n, calibrated)   # the multi-trap synapse: its trap classes are drawn
    model[n] = (float(p.ea_eV), np.asarray(p.trap_energies_eV, float), np.asarray(p.trap_weights, float))
{n: (ea, e.round(3).tolist(), w.round(3).tolist()) for n, (ea, e, w) in model.items()}

# %%
constants = crystal_structures.load_structure_constants()
fig, drawn = ion_migration.fig5a_migration(model, constants, q)
save(fig, resolve(figures_dir) / "fig5a_migration")
drawn

# %% [markdown]
# ## Metrics
#
# Measured from the drawn curves: the curve maximum must be the model's E_A(n), the depth of
# the quasi-2D well the deepest release barrier, and the spacer spacing d(n).
# `release_minus_migration_eV` (weighted mean E_k minus E_A) is positive when back-diffusion
# is slower than forward migration, the paper's explanation of the long retention.

# %%
metrics = {
    "drawn_migration_barrier_eV": drawn["migration_barrier_eV"],
    "drawn_release_barrier_eV": drawn["release_barrier_eV"],
    "drawn_spacer_period_angstrom": drawn["spacer_period_angstrom"],
    "mean_release_barrier_eV": drawn["mean_release_barrier_eV"],
    "release_minus_migration_eV": {n: drawn["mean_release_barrier_eV"][n] - model[n][0] for n in model},
    "barriers_match_model": all(abs(drawn["migration_barrier_eV"][n] - model[n][0]) < 1e-12
                                for n in model)
                            and abs(drawn["release_barrier_eV"][q] - float(model[q][1].max())) < 1e-12,
}
write_metrics(metrics, resolve(results_dir) / "metrics" / "fig5a_migration.json")
metrics
