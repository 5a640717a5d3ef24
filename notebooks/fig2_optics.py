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
# # Fig. 2 — optical spectra, colours and XRD of the six films
#
# Kim et al. show (Fig. 2) that the (PEA)₂MA₍ₙ₋₁₎PbₙBr₍₃ₙ₊₁₎ films change colour, absorption,
# photoluminescence (PL) and X-ray diffraction with the number *n* of PbBr₆ layers per slab.
# This notebook draws those panels from the **physical models** of `analysis.physics.optics`,
# `analysis.physics.colour` and `analysis.physics.structure`, evaluated per film by the simulation stage
# (`results/simulate/n{n}.nc`):
#
# * **Phases.** A film of nominal *n* is a mixture of slabs with m = 1, 2, … layers. The PEA/Pb
#   balance fixes the mean ⟨m⟩ = n; the maximum-entropy distribution with that mean is
#   geometric. Slabs thicker than 30 layers are lumped into a 3D-like phase.
# * **Absorption (b).** Each phase is an Elliott spectrum (exciton lines + Coulomb-enhanced
#   continuum; 2D form for slabs, 3D for MAPbBr₃). Exciton energies follow
#   E_X(m) = E_∞ + C/(m + n₀)²: E_∞ is *calibrated* to the paper's 525 nm, C and n₀ are *fitted*
#   to 401/432/450 nm (m = 1, 2, 3); m ≥ 4 are *predictions*.
# * **PL (b) and colour under UV (a).** Excitations made by the 365 nm lamp funnel to the
#   lowest-gap domains (Boltzmann populations); only excitons emit, and the Saha equation with
#   literature binding energies sets the exciton fraction at the lamp's carrier density. The
#   colours are the spectra seen through the CIE 1931 colour-matching functions (analytic fit
#   of Wyman, Sloan & Shirley, JCGT 2013), converted to sRGB. Everything here is *predicted*.
# * **XRD (c).** Structure factors of the slab model (atoms on their planes, PEA as an
#   electron-density rod) and of cubic MAPbBr₃, with Lorentz–polarisation, March–Dollase
#   texture and Scherrer widths (30 nm crystallites).
#
# **What to look at.** (b) the exciton peaks of the quasi-2D films sit at the m = 1, 2, 3 phase
# energies (grey lines) while the PL comes from the lowest-gap phase; no PL from n = ∞. (c) the
# (00l) ladder of n = 1, the extra low-angle peaks of n = 2–5, the (h00) of n = ∞. Table S1 below
# lists the numbers.

# %% tags=["parameters"]
results_dir = "results"   # str: stage outputs, relative to the repository root
figures_dir = "figures"   # str: figure folder, relative to the repository root
n_values = None           # list[str] or None: films to read (None: all six; the workflow passes config n_values)

# %%
import io as _io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.legend_handler import HandlerTuple
from matplotlib.patches import Rectangle

from analysis.plotting import style as figures
from analysis import stage_io as io
from analysis.evidence import metrics as claim_metrics
from analysis.physics import excitons, optics
from analysis.physics.dimensionality import formula
from analysis.stage_io import resolve, write_metrics
from analysis.parameters import paper_values, parameter_values

figures.use_style()
results = resolve(results_dir)
sims = io.load_simulations(results_dir, n_values)  # one Dataset, stacked along n
order = [str(n) for n in sims["n"].values]
films = {n: io.film(sims, n) for n in order}
paper = paper_values()
fit = excitons.confinement_fit()

# %% [markdown]
# ## The confinement fit
# C and n₀ are fitted in `analysis.physics.excitons.confinement_fit` to the three layered-phase peaks of
# the paper; the infinite-well reading of the same law gives an equivalent reduced mass.

# %%
phase_peak_nm = optics.phase_peak_nm()
print(f"E_inf = {fit.e_inf:.4f} eV (3D band edge), C = {fit.c:.2f} ± {fit.c_stderr:.2f} eV, "
      f"n0 = {fit.n0:.2f} ± {fit.n0_stderr:.2f}")
print(f"equivalent reduced mass mu = {fit.reduced_mass:.3f} m0 "
      "(infinite well of width (m + n0) a_pc)")
print("phase exciton peaks [nm]:", {k: round(v, 1) for k, v in phase_peak_nm.items()})

# %% [markdown]
# ## Derived quantities per film

# %%
# Table S1 (analysis.physics.optics.film_rows): a feature "at" a paper wavelength lies within
# ±optics.FEATURE_WINDOW_NM; a film shows no PL below optics.yaml's visibility threshold.
VISIBLE = float(parameter_values("optics")["pl_visibility_threshold"])
rows = optics.film_rows(films)
table_s1 = pd.DataFrame(rows)
table_s1

# %% [markdown]
# ## Table 1 — literature activation energies of ion migration
# Quoted by the paper from refs. 26–28; the compendium checks them against each other and
# against the paper's own E_A (Table 2).

# %%
table1 = pd.DataFrame(paper["table1_activation_energy_eV"]["value"])
table1

# %%
for name, df in (("table_s1_optics", table_s1), ("table1_activation_energies", table1)):
    buf = _io.StringIO()
    df.to_csv(buf, index=False)
    io.write_text(buf.getvalue(), results / "tables" / f"{name}.csv")

# %% [markdown]
# ## Figure 2
# (a) Films on BCCP/ITO under room light (transmitted D65-like light, T = 10^−A) and under the
# 365 nm lamp (PL colour, one exposure for all films, set by the n = 1 film). (b) Absorbance
# (solid, each normalised to its maximum) and PL (dashed, normalised per film; the number is
# the PL photon yield relative to n = 1); grey lines mark the paper's 401, 432, 450, 525 nm.
# (c) XRD on a linear axis, each pattern normalised to its strongest peak in the window and
# offset. Under each pattern the reflections of the film's phases (intensity > 2 % of the
# strongest) are marked: coloured ticks for the (00l) series of the film's nominal phase m = n,
# grey ticks for the other layered phases of the mixture, black ticks for the cubic 3D phase.
# The nominal phase's (00l) peaks and the (h00) of n = ∞ are indexed; the subscript is the
# phase (layer number m, or 3D). Look for the (00l) ladder of n = 1 (d ≈ 16.7 Å), the extra
# low-angle (001) peaks of the thicker slabs in n = 2–5 and their common peak near 15°
# (the (0 0 m+2) of every m, at the pseudo-cubic spacing), and the (h00) reflections of n = ∞.

# %%
fig = plt.figure(figsize=figures.figsize("page", 0.92))
gs = fig.add_gridspec(2, 2, height_ratios=[0.62, 2.2], hspace=0.17, wspace=0.16)
ax_a = fig.add_subplot(gs[0, :])
ax_b = fig.add_subplot(gs[1, 0])
ax_c = fig.add_subplot(gs[1, 1])

# (a) swatches: two rows, film on BCCP on ITO/glass
ax_a.set_xlim(-1.3, 2 * len(order) + 1.1)
ax_a.set_ylim(-0.35, 2.15)
ax_a.axis("off")
for row, (key, bg, sub, title) in enumerate((
        ("uv_colour_rgb", "#0a0a14", "#3a3a48", "under UV (365 nm)"),
        ("room_colour_rgb", "#f4f4f4", "#c9d3da", "under room light"))):
    y0 = 1.15 * (1 - row)
    ax_a.add_patch(Rectangle((0.0, y0 - 0.05), 2 * len(order) - 0.4 + 0.4, 1.0, color=bg, zorder=0))
    ax_a.text(-0.1, y0 + 0.45, title.replace(" (", "\n("), ha="right", va="center", fontsize=7)
    for i, n in enumerate(order):
        x0 = 0.25 + 2 * i
        ax_a.add_patch(Rectangle((x0, y0), 1.5, 0.22, color=sub, zorder=1))              # ITO/glass
        ax_a.add_patch(Rectangle((x0, y0 + 0.22), 1.5, 0.06, color="#7f8fa6", zorder=1))  # BCCP
        ax_a.add_patch(Rectangle((x0, y0 + 0.28), 1.5, 0.55,
                                 color=tuple(films[n][key].values), zorder=2))
        if row == 1:
            ax_a.text(x0 + 0.75, -0.17, figures.label(n), ha="center", va="center", fontsize=7.5)
ax_a.text(2 * len(order) + 0.05, 1.15 + 0.25, "film\nBCCP\nITO/glass", fontsize=6,
          va="center", color="0.3")
figures.panel_label(ax_a, "a", dx_pt=-40, dy_pt=-2)

# (b) absorption and PL, offset
for i, n in enumerate(order):
    ds = films[n]
    lam = ds["wavelength"].values
    a = ds["absorbance"].values
    off = 1.25 * i
    ax_b.plot(lam, a / a.max() + off, color=figures.colour(n), lw=1.2)
    pl = ds["pl"].values
    yield_rel = float(ds["pl_intensity"])
    if yield_rel >= VISIBLE:
        ax_b.plot(lam, pl / pl.max() + off, color=figures.colour(n), ls="--", lw=0.9)
        note = f"PL ×{yield_rel:.2g}"
    else:
        note = f"no visible PL\n({100 * yield_rel:.2g} % of n = 1)"
    # the 3D label sits above its absorption edge (lower, it would cross the curve near 520 nm)
    ax_b.text(599, off + (1.12 if n == "inf" else 0.5), f"{figures.label(n)}\n{note}", ha="right", va="center",
              fontsize=6.5, color=figures.colour(n), linespacing=1.1)
# the paper's peaks, as guides: up to the 3D film's curve, not through its label above the edge
y_lo, _ = ax_b.get_ylim()
ax_b.vlines(list(paper["absorption_peak_nm"]["value"].values()), y_lo, 1.25 * (len(order) - 1) + 0.65,
            color="0.8", lw=0.6, zorder=0)
ax_b.set_ylim(y_lo, None)
ax_b.set_xlim(350, 600)
ax_b.set_xlabel("wavelength [nm]")
ax_b.set_ylabel("absorbance (solid), PL (dashed), normalised, offset")
ax_b.set_yticks([])
figures.panel_label(ax_b, "b", dx_pt=-14)

# (c) XRD, linear, each film normalised to its strongest peak in the window and offset; under
# each pattern the reflections of its phases (ticks), the strongest peaks indexed
TT_MIN, TT_MAX, STEP, MIN_REL = 2.0, 50.0, 1.3, 0.02


def indexed_peaks(n, ds, sel):
    """Reflections indexed on a pattern: the (h00) of n = ∞; otherwise the strongest (00l) of
    the film's nominal phase m = n, at most four, at least 5° apart (room for the label)."""
    rt, rp = ds["reflection_two_theta"].values, ds["reflection_phase"].values.astype(str)
    ri = ds["reflection_intensity"].values
    if n == "inf":
        return list(np.flatnonzero(sel & (ds["reflection_is_h00"].values > 0)))
    candidates = np.flatnonzero(sel & (rp == n) & (ds["reflection_is_00l"].values > 0))
    chosen = []
    for k in candidates[np.argsort(ri[candidates])[::-1]]:
        if len(chosen) < 4 and all(abs(rt[k] - rt[c]) >= 5.0 for c in chosen):
            chosen.append(k)
    return chosen


def place_peak_label(ax, tt, y, base, peak_tt, text, placed, pad=0.06):
    """Write the index *text* of the peak at *peak_tt* where it crosses neither the pattern
    (*tt*, *y* normalised, offset by *base*) nor the labels already *placed*: right of the peak
    at the lowest height clear of the curve, moving right (with a leader line back to the
    peak) where the peaks of the 3–6° cluster leave no room beside it. Returns its box."""
    t = ax.text(0, 0, text, fontsize=5.5, ha="left", va="bottom", color="0.2", zorder=4)
    fig_ = ax.figure
    box = t.get_window_extent(fig_.canvas.get_renderer())
    inv = ax.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([[box.x0, box.y0], [box.x1, box.y1]])
    w, h = x1 - x0, y1 - y0
    top = base + STEP - 0.25          # under the next pattern's reflection ticks
    j = int(np.argmin(np.abs(tt - peak_tt)))
    peak_y = base + float(y[max(j - 3, 0):j + 4].max())
    for shift in np.arange(0.4, 12.0, 0.4):
        lx = peak_tt + shift
        span = (tt >= lx - 0.2) & (tt <= lx + w + 0.2)
        if not span.any() or lx + w > TT_MAX:
            continue
        ly = base + float(y[span].max()) + pad
        if ly + h > top:
            continue
        clash = any(lx < bx1 and bx0 < lx + w and ly < by1 and by0 < ly + h for bx0, by0, bx1, by1 in placed)
        if not clash:
            break
    else:
        lx, ly = peak_tt + 0.4, min(peak_y, top - h)
    t.set_position((lx, ly))
    if shift > 1.5:   # far from its peak: a thin leader line from the label to the peak
        ax.plot([peak_tt, lx], [peak_y + 0.02, ly + 0.5 * h], color="0.55", lw=0.4, zorder=3)
    return (lx, ly, lx + w, ly + h)


ax_c.set_xlim(TT_MIN, TT_MAX)
ax_c.set_ylim(-0.3, STEP * len(order) + 0.1)
drawn = set()   # which kinds of reflection tick were drawn (the key names only those)
for i, n in enumerate(order):
    ds = films[n]
    tt, inten = ds["two_theta"].values, ds["xrd_intensity"].values
    win = (tt >= TT_MIN) & (tt <= TT_MAX)
    base, y = STEP * i, inten / inten[win].max()
    ax_c.plot(tt[win], y[win] + base, color=figures.colour(n), lw=0.7)
    ax_c.text(TT_MAX - 0.3, base + 0.72, figures.label(n), ha="right", fontsize=7, color=figures.colour(n))
    rt, ri = ds["reflection_two_theta"].values, ds["reflection_intensity"].values
    rp, rh = ds["reflection_phase"].values.astype(str), ds["reflection_hkl"].values.astype(str)
    sel = (rt >= TT_MIN) & (rt <= TT_MAX) & (ri > MIN_REL)
    own, cubic = sel & (rp == n), sel & (rp == "3D")
    other = sel & ~own & ~cubic
    ax_c.vlines(rt[other], base - 0.11, base - 0.03, color="0.7", lw=0.5)
    ax_c.vlines(rt[own], base - 0.11, base - 0.03, color=figures.colour(n), lw=0.7)
    ax_c.vlines(rt[cubic], base - 0.22, base - 0.14, color="k", lw=0.6)
    drawn |= {kind for kind, mask in (("own", own), ("other", other), ("cubic", cubic)) if mask.any()}
    placed = []   # label boxes of this pattern, in data coordinates
    for k in sorted(indexed_peaks(n, ds, sel), key=lambda k: rt[k]):
        phase = "3D" if rp[k] == "3D" else rp[k]
        placed.append(place_peak_label(ax_c, tt[win], y[win], base, rt[k], f"{rh[k]}$_{{{phase}}}$", placed))
ax_c.set_xlabel("2θ [°] (Cu Kα1)")
ax_c.set_ylabel("intensity, normalised per film, offset")
ax_c.set_yticks([])
# the key to the reflection ticks under each pattern, in words (own phase: in the film's colour)
own_ticks = tuple(plt.Line2D([], [], color=figures.colour(n), marker="|", ls="none", ms=6, mew=0.9) for n in order)
key = [(kind, h, text) for kind, h, text in (
    ("own", own_ticks, "(00l) of the film's own m = n"),
    ("other", plt.Line2D([], [], color="0.7", marker="|", ls="none", ms=6, mew=0.9), "other layered m"),
    ("cubic", plt.Line2D([], [], color="k", marker="|", ls="none", ms=6, mew=0.9), "cubic 3D"))
    if kind in drawn]   # a subset of the films may lack a kind (n = 3 alone: no cubic reflection above MIN_REL)
ax_c.legend(handles=[h for _, h, _ in key], labels=[t for _, _, t in key],
            handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)},
            title="ticks under each pattern: reflections of", title_fontsize=6,
            loc="lower left", bbox_to_anchor=(-0.02, 1.0), ncol=3, handletextpad=0.3, columnspacing=0.8,
            fontsize=6, alignment="left")
figures.panel_label(ax_c, "c", dx_pt=-14, dy_pt=16)
figures.save(fig, resolve(figures_dir) / "fig2_optics")
plt.show()

# %% [markdown]
# ## Phase composition and funnelling
# Pb fractions per phase (the absorbers) and where the excitations end up (the emitters).

# %%
comp = pd.DataFrame({n: films[n]["phase_fraction"].to_series() for n in order}).round(3)
pop = pd.DataFrame({n: films[n]["phase_pl_population"].to_series() for n in order}).round(3)
xfr = pd.DataFrame({n: films[n]["phase_exciton_fraction"].to_series() for n in order})
print("Pb fraction per phase (first rows):")
print(comp.head(8).to_string())
print("\nemitting phase (largest funnelled population) and its Saha exciton fraction:")
for n in order:
    ph = pop[n].idxmax()
    print(f"  n = {n}: phase {ph}, population {pop[n][ph]:.2f}, exciton fraction {xfr[n][ph]:.2g}")

# %% [markdown]
# ## Metrics for the claims ledger (`data/paper/claims/fig2.yaml`, `table1.yaml`)

# %%
# analysis.evidence.metrics.fig2_metrics computes them (the optics metrics of
# analysis.physics.optics and the statements judged under the analysis choices); the robustness
# sweep calls the same function under every sampled set of optics assumptions and choices.
metrics = claim_metrics.fig2_metrics(films)   # the robustness sweep calls the same function
write_metrics(metrics, results / "metrics" / "fig2_optics.json")
{k: v for k, v in metrics.items() if not isinstance(v, dict)}
