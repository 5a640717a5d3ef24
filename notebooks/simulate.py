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
# # Simulation of one film: (PEA)₂MA₍ₙ₋₁₎PbₙBr₍₃ₙ₊₁₎
#
# The workflow runs this notebook once per dimensionality *n* ∈ {1, 2, 3, 4, 5, ∞} (or once for
# several films, `films`: the quick profile simulates a second device model's films in one job,
# each written to its own file exactly as a run per film writes it). It computes everything the
# figure notebooks need about a film and writes it as one xarray Dataset per film
# (`results/simulate/n{n}.nc`, NetCDF with CF `units` on every variable):
#
# * **optics** (`analysis.physics.optics`) — the film as a mixture of n-phases, each with an excitonic
#   absorption line and continuum; PL by energy funnelling to the lowest-gap phases; colours
#   under UV and room light;
# * **structure** (`analysis.physics.structure`) — the Cu Kα XRD pattern of the phase mixture;
# * **device** (`analysis.physics.protocols`, `analysis.physics.simulation`) — every pulse protocol of the paper applied to the
#   ITO/BCCP/OHP/Al synapse model (`analysis.physics.multitrap`) with the calibrated parameters of this *n*
#   (the calibrate stage's output, `calibration/multitrap.yaml`).
#
# Physical parameters come from `data/parameters/`; run sizes from `config/config.yaml`.
#
# **What to look at.** Little to judge here: the cells show what each stage computed for this
# film; the figure notebooks plot it against the paper.

# %% tags=["parameters"]
n = "3"                   # str: dimensionality, one of 1, 2, 3, 4, 5, inf
results_dir = "results"   # str: stage outputs, relative to the repository root
profile = "full"          # str: name of the run profile, recorded in the Dataset's attributes
# run sizes of analysis.physics.simulation.simulate_device (the workflow passes config profiles.<profile>.simulate)
device_settings = {"ppf_points": 17, "sfdp_points": 12, "energy_points": 50, "trace_samples": 600, "iv_step_V": 0.02}
model = "multitrap"       # str: device model (analysis.physics.models.MODELS); another than the multi-trap
                          # model writes only the device protocols, to simulate/<model>/n{n}.nc
mesh = "full"             # str: mesh of the drift-diffusion model, "full" or "quick" (config driftdiffusion.mesh)
films = None              # list[str] or None: simulate these films in this one run, each written to its own
                          # file as a run per film writes it (n is then unused); None: the film n alone
                          # (rules/models.smk, config driftdiffusion.one_simulate_job)

# %%
import hashlib

import matplotlib.pyplot as plt
import xarray as xr

from analysis.plotting import style as figures
from analysis import stage_io as io
from analysis.physics import models, optics, simulation, structure
from analysis.physics.dimensionality import formula, parse_n
from analysis.parameters import data_dir

films = [parse_n(f) for f in (films if films is not None else [n])]
if not films:
    raise ValueError("films=[] must name at least one film (or be None: the film n alone)")
model = models.check_model(model)
primary = model == models.PRIMARY_MODEL
figures.use_style()

# %% [markdown]
# ## Optics and structure
# (of the film, not of the device: only the multi-trap model's run writes them, so another
# model's run skips them)

# %%
film, xrd = {}, {}
for n in (films if primary else []):
    film[n] = optics.film_optics(n)
    xrd[n] = structure.film_xrd(n)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
    film[n]["absorbance"].plot(ax=ax1, color=figures.colour(n), label="absorbance")
    (film[n]["pl"] / max(float(film[n]["pl"].max()), 1e-12) * float(film[n]["absorbance"].max())).plot(
        ax=ax1, color="k", ls="--", label="PL (scaled)")
    ax1.set_title(f"{formula(n)}: absorption and PL")
    ax1.legend()
    xrd[n]["xrd_intensity"].plot(ax=ax2, color=figures.colour(n))
    ax2.set_yscale("log")
    ax2.set_title("XRD (Cu Kα)")
    plt.show()

# %% [markdown]
# ## Device protocols
# All pulse experiments of Figs. 3–6, S1, S5–S8, S10 and S11a for this film.

# %%
calibration_file = io.calibration_path(results_dir, model)
calibrated = io.load_calibration(results_dir, model)
device = {}
for n in films:
    synapse = models.device(model, n, calibrated, mesh=mesh)
    device[n] = simulation.simulate_device(synapse, device_settings)
device[films[-1]]

# %%
for n in films:
    fig, ax = plt.subplots(figsize=(4.5, 3))
    (abs(device[n]["epsc_current"]) * 1e12).plot(ax=ax, color=figures.colour(n))
    ax.set_ylabel("|EPSC| at the read voltage (pA)")
    ax.set_title(f"{figures.label(n)}: EPSC to one −1 V, 20 ms spike")
    plt.show()

# %% [markdown]
# ## One Dataset per film
# The three parts share no dimension names, so they merge without alignment. Global
# attributes record the film, the profile and the SHA-256 of every parameter file used.

# %%
def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


for n in films:
    ds = xr.merge([film[n], xrd[n], device[n]] if primary else [device[n]], combine_attrs="override")
    ds.attrs = {
        "title": (f"Simulated {formula(n)} film and synapse (n = {n})" if primary
                  else f"Simulated {formula(n)} synapse (n = {n}), {models.LABELS[model]}"),
        "dimensionality": n,
        "formula": formula(n),
        "profile": profile,
        "Conventions": "CF-1.8",
        "source": "perovskite-synapse compendium, notebooks/simulate.py",
        "references": "Kim et al., Adv. Electron. Mater. 2019, 5, 1900008",
    }
    if not primary:
        ds.attrs.update({"device_model": model, "mesh": mesh})
    for topic in ("optics", "structure", "device") + (() if primary else (model,)):
        path = data_dir() / "parameters" / f"{topic}.yaml"
        ds.attrs[f"sha256_{topic}_yaml"] = _digest(path)
    ds.attrs["sha256_calibration_yaml"] = _digest(calibration_file)
    io.write_netcdf(ds, io.simulation_path(results_dir, n, model))
    print(f"wrote n{n}.nc with {len(ds.data_vars)} variables")
