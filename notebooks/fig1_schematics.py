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
# # Fig. 1 — the perovskite artificial synapse: device, geometry and crystal structures
#
# Three schematic panels, each **drawn by code from the compendium's data**, so that a change
# of a parameter changes the picture (no image is copied from the paper):
#
# * **1a** — the device as a synapse. The two-terminal stack ITO / BCCP / OHP / Al
#   (layer order and thicknesses from `data/parameters/geometry.yaml`) next to a drawn
#   chemical synapse. The Al top electrode plays the presynaptic membrane, to which the
#   spike is applied (amplitude and width: the paper's default spike, `data/paper/values.yaml`);
#   the ITO bottom electrode plays the postsynaptic membrane, at which the current is read.
#   A negative spike on Al drives Br⁻ (vacancy) migration in the OHP film, the analogue of
#   the transmitter/ion flux across the cleft.
# * **1b** — device geometry. A crossbar of Al lines across ITO lines; the square crossings
#   of 250, 500 and 750 µm (the paper's device sizes, Fig. 6a caption) are drawn to scale.
#   The line gap and overhang are drawing choices (the paper gives no layout); the layer
#   thicknesses are partly assumed (see the `source` fields of geometry.yaml).
# * **1c** — crystal structures of (PEA)₂MA₍ₙ₋₁₎PbₙBr₍₃ₙ₊₁₎ for n = 1, 2, 3 and ∞, to scale in Å:
#   n corner-sharing PbBr₆ layers (diamonds in projection, half-diagonal = Pb–Br bond) per
#   slab, MA⁺ in the n − 1 rows of cages inside each slab, PEA⁺ bilayers between slabs.
#   The slab period is d(n) = d(1) + (n − 1)·a_pc with d(1) and a_pc from
#   `data/parameters/structure.yaml` (the same values the XRD simulation uses).
#
# Nothing here is calibrated; the structure panel *predicts* the slab periods that the XRD
# simulation turns into (00l) reflections, and the metrics below are measured back from the
# drawn coordinates.
#
# **What to look at.** 1c: the slab period d(n) grows by one octahedron (a_pc ≈ 5.9 Å) per added
# layer, and that period sets the (00l) ladder of Fig. 2c; 1b: the three crossings are the device
# areas of Fig. 6a, to scale.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
structure_n = "1,2,3,inf"  # str: comma-separated dimensionalities drawn in Fig. 1c

# %%
import logging

from analysis.plotting import crystal_structures, device_geometry, synapse_analogy
from analysis.physics.dimensionality import parse_n
from analysis.plotting.style import save
from analysis.stage_io import resolve, write_metrics
from analysis.parameters import paper_values

logging.basicConfig(level=logging.INFO)
n_list = [parse_n(s) for s in str(structure_n).split(",") if s.strip()]
figures = resolve(figures_dir)
metrics_path = resolve(results_dir) / "metrics" / "fig1_schematics.json"
geometry = device_geometry.load_device_geometry()
constants = crystal_structures.load_structure_constants()
spike = paper_values()["protocols"]["default_spike"]
geometry

# %% [markdown]
# ## 1a — the device as a synapse

# %%
fig_a, drawn_a = synapse_analogy.fig1a_synapse(geometry, spike["amplitude_V"], spike["width_s"])
save(fig_a, figures / "fig1a_synapse")
drawn_a

# %% [markdown]
# ## 1b — crossbar geometry and cross-section
#
# The red squares are the three device sizes whose energy per event Fig. 6a compares;
# the areas printed in them are computed from the drawn rectangles.

# %%
fig_b, drawn_b = device_geometry.fig1b_geometry(geometry)
save(fig_b, figures / "fig1b_geometry")
drawn_b

# %% [markdown]
# ## 1c — crystal structures, to scale
#
# The arrow beside each panel spans one period measured from the drawn octahedra; for
# n = ∞ it is the cubic lattice constant of MAPbBr₃.

# %%
fig_c, drawn_c = crystal_structures.fig1c_structures(constants, n_list)
save(fig_c, figures / "fig1c_structures")
{k: v for k, v in drawn_c.items()}

# %% [markdown]
# ## Metrics
#
# `drawn_period_angstrom` is measured from the drawing and must equal
# d(n) = d(1) + (n − 1)·a_pc of structure.yaml; `octahedral_layers_per_slab` must equal n
# (the paper's definition of the dimensionality, p. 2).

# %%
expected = {n: crystal_structures.slab_period(n, constants.d1_angstrom, constants.a_pc_angstrom,
                                      constants.a_cubic_angstrom) for n in n_list}
metrics = {
    "drawn_period_angstrom": drawn_c["period_angstrom"],
    "period_matches_structure": all(abs(drawn_c["period_angstrom"][n] - expected[n]) < 1e-9
                                    for n in n_list),
    "octahedral_layers_per_slab": drawn_c["layers_per_slab"],
    "ma_rows_per_slab": drawn_c["ma_rows_per_slab"],
    "drawn_device_width_um": drawn_b["device_width_um"],
    "drawn_device_area_um2": drawn_b["device_area_um2"],
    "layer_order": drawn_b["layer_order"],
}
write_metrics(metrics, metrics_path)
metrics
