"""Fig. 5a — the out-of-plane energy landscape of a migrating halide vacancy, 3D against quasi-2D.

Built from the device model's migration barrier E_A(n) and trap release barriers E_k, with the
PEA spacers at the positions (period d(n)) of the crystal structure of
:mod:`analysis.plotting.crystal_structures`, which is drawn above each landscape.
:func:`migration_landscape` is the curve (Å, eV), :func:`fig5a_migration` the figure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.physics.dimensionality import parse_n
from analysis.plotting.crystal_structures import (StructureConstants, draw_structure, formula_mathtext,
                                                  layered_structure, slab_period)
from analysis.plotting.drawing import C_PEA, C_SPACER, check_count, check_positive
from analysis.plotting.style import PAGE_IN, axis_label, colour, label, panel_label, use_style


@dataclass(frozen=True)
class Landscape:
    """Out-of-plane energy landscape of a migrating halide vacancy.

    Attributes
    ----------
    n : str
        Dimensionality label.
    z_angstrom : ndarray, Å
        Out-of-plane coordinate (increasing, includes every extremum exactly).
    energy_eV : ndarray, eV
        Potential energy relative to a lattice site in the slab interior.
    site_z, saddle_z, trap_z, spacer_centres : ndarray, Å
        Lattice-site minima (level 0), saddle maxima, trap minima at the slab surfaces
        next to a PEA bilayer, and the PEA bilayer centres.
    spacer_intervals : ndarray, shape (s, 2), Å
        z ranges of the PEA bilayers.
    ea_eV, release_eV : float, eV
        The migration barrier (every maximum) and the release barrier of the traps
        (maximum minus trap floor); ``release_eV`` is NaN for n = ∞ (no spacer).
    period_angstrom : float, Å
        Slab period d(n) (cubic lattice constant for n = ∞).
    """

    n: str
    z_angstrom: np.ndarray
    energy_eV: np.ndarray
    site_z: np.ndarray
    saddle_z: np.ndarray
    trap_z: np.ndarray
    spacer_centres: np.ndarray
    spacer_intervals: np.ndarray
    ea_eV: float
    release_eV: float
    period_angstrom: float


def _cosine_path(knots_z: np.ndarray, knots_e: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Half-cosine interpolation between alternating extrema (C1, extrema exactly at knots)."""
    idx = np.clip(np.searchsorted(knots_z, z, side="right") - 1, 0, len(knots_z) - 2)
    z0, z1 = knots_z[idx], knots_z[idx + 1]
    e0, e1 = knots_e[idx], knots_e[idx + 1]
    t = np.clip((z - z0) / (z1 - z0), 0.0, 1.0)
    return e0 + (e1 - e0) * (1 - np.cos(np.pi * t)) / 2


def migration_landscape(n, ea_eV: float, release_eV: float | None, constants: StructureConstants, *,
                        length_angstrom: float, points_per_angstrom: float = 20.0) -> Landscape:
    """Energy along the out-of-plane coordinate from the model's barriers and the structure.

    Halide (vacancy) sites are the Br planes of the octahedra, spaced a/2 along z (apical
    and equatorial Br); each hop between neighbouring sites crosses a saddle of height
    ``ea_eV`` above a lattice site.  For finite n the structure of
    :func:`layered_structure` places PEA bilayers at z = k·d(n); the Br planes at the two
    faces of each slab (next to a bilayer) are traps: their floor lies at
    ``ea_eV - release_eV``, so that the back-diffusion (release) barrier out of a trap is
    exactly ``release_eV``.  Crossing the bilayer is drawn with the same saddle height
    ``ea_eV`` (the model's E_A(n) is the effective out-of-plane barrier of the film).
    For n = ∞ there is no spacer and every site is a lattice site.

    Parameters
    ----------
    n : int or str
        Dimensionality.
    ea_eV : float, eV
        Migration barrier E_A(n) (> 0).
    release_eV : float or None, eV
        Release barrier of the spacer traps (> 0); ignored (may be None) for n = ∞.
    constants : StructureConstants
        Lattice spacings (Å).
    length_angstrom : float, Å
        Length of the z window, starting at a PEA bilayer centre (finite n).
    points_per_angstrom : float, 1/Å
        Sampling density of the curve.

    Returns
    -------
    Landscape

    Raises
    ------
    ValueError
        For a bad n, a non-positive barrier, window or sampling density.
    """
    label_ = parse_n(n)
    ea = check_positive("ea_eV", ea_eV, "eV", "migration barrier E_A(n)")
    length = check_positive("length_angstrom", length_angstrom, "Å", "z window of the landscape")
    density = check_positive("points_per_angstrom", points_per_angstrom, "1/Å", "sampling density")
    c = constants
    if label_ == "inf":
        a = c.a_cubic_angstrom
        sites = np.arange(0.0, length + 1e-9, a / 2)
        saddles = sites[:-1] + a / 4
        traps = np.zeros(0)
        centres = np.zeros(0)
        intervals = np.zeros((0, 2))
        release = float("nan")
        period = a
        kz = np.sort(np.concatenate([sites, saddles]))
        ke = np.where(np.isin(kz, saddles), ea, 0.0)
    else:
        release = check_positive("release_eV", release_eV, "eV", "trap release barrier at the PEA spacer")
        nn = int(label_)
        a = c.a_pc_angstrom
        period = slab_period(nn, c.d1_angstrom, a, c.a_cubic_angstrom)
        gap = period - nn * a
        n_slabs = int(math.ceil(length / period)) + 1
        sites, saddles, traps, centres = [], [], [], []
        knots = []
        for j in range(n_slabs + 1):
            zc = j * period
            centres.append(zc)
            knots.append((zc, ea))                       # saddle across the PEA bilayer
            if j == n_slabs:
                break
            z0 = zc + gap / 2
            planes = z0 + np.arange(2 * nn + 1) * a / 2
            for i, zp in enumerate(planes):
                is_trap = i in (0, 2 * nn)
                knots.append((zp, ea - release if is_trap else 0.0))
                (traps if is_trap else sites).append(zp)
                if i < 2 * nn:
                    knots.append((zp + a / 4, ea))
                    saddles.append(zp + a / 4)
        saddles = saddles + centres
        knots = np.array(knots)
        kz, ke = knots[:, 0], knots[:, 1]
        keep = kz <= length + 1e-9
        sites = np.array([s for s in sites if s <= length])
        traps = np.array([s for s in traps if s <= length])
        saddles = np.sort([s for s in saddles if s <= length])
        centres = np.array([s for s in centres if s <= length])
        intervals = np.array([(max(0.0, zc - gap / 2), min(length, zc + gap / 2)) for zc in centres])
        # extend the knot list one past the window so the curve is defined up to length
        last = int(np.sum(keep))
        kz, ke = kz[:min(last + 1, len(kz))], ke[:min(last + 1, len(ke))]
    grid = np.linspace(0.0, length, int(math.ceil(length * density)) + 1)
    z = np.unique(np.concatenate([grid, kz[kz <= length]]))
    energy = _cosine_path(kz, ke, z)
    return Landscape(n=label_, z_angstrom=z, energy_eV=energy, site_z=np.asarray(sites, float),
                     saddle_z=np.asarray(saddles, float), trap_z=np.asarray(traps, float),
                     spacer_centres=np.asarray(centres, float),
                     spacer_intervals=np.asarray(intervals, float).reshape(-1, 2),
                     ea_eV=ea, release_eV=release, period_angstrom=period)


def check_trap_classes(trap_energies_eV, trap_weights) -> tuple[np.ndarray, np.ndarray]:
    """Validate trap release barriers E_k (eV, > 0) and weights w_k (>= 0, sum 1)."""
    e = np.atleast_1d(np.asarray(trap_energies_eV, dtype=float))
    w = np.atleast_1d(np.asarray(trap_weights, dtype=float))
    if e.ndim != 1 or e.size == 0 or e.shape != w.shape:
        msg = (f"trap_energies_eV (shape {e.shape}) and trap_weights (shape {w.shape}) must be "
               "non-empty 1-D arrays of equal length")
        raise ValueError(msg)
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise ValueError(f"trap_energies_eV={e.tolist()} must all be finite and > 0 eV")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or abs(w.sum() - 1) > 1e-6:
        raise ValueError(f"trap_weights={w.tolist()} must be >= 0 and sum to 1 (sum {w.sum():.6g})")
    return e, w


def fig5a_migration(model: dict, constants: StructureConstants, quasi2d_n="3", *,
                    periods: int = 2, columns: int = 2, min_length_angstrom: float = 50.0):
    """Fig. 5a: ion migration in 3D (n = ∞) and quasi-2D (n = *quasi2d_n*).

    For each film the structure strip (z horizontal, same Å axis) sits above the energy
    landscape of :func:`migration_landscape`; the trap wells at the PEA faces have the
    deepest release barrier max(E_k) as floor, the levels E_A − E_k of every trap class
    are marked in the well, and a side panel shows the occupancy picture: the class
    weights w_k at their levels.

    Parameters
    ----------
    model : dict
        ``n -> (ea_eV, trap_energies_eV, trap_weights)`` for ``"inf"`` and *quasi2d_n*
        (E_A in eV, E_k in eV, w_k dimensionless summing to 1).
    constants : StructureConstants
    quasi2d_n : int or str
        The finite dimensionality to compare with 3D.
    periods : int
        Slab periods of the quasi-2D film shown (>= 1); raised until the window is at
        least *min_length_angstrom* long.
    columns : int
        Octahedra drawn across the strip (>= 2).
    min_length_angstrom : float, Å
        Shortest z window drawn.

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        Measured from the drawn curves, keyed by n: ``migration_barrier_eV`` (curve
        maximum), ``release_barrier_eV`` (maximum minus trap floor, finite n only),
        ``spacer_period_angstrom`` (finite n), ``mean_release_barrier_eV`` (Σ w_k E_k)
        and ``trap_weights_sum``.
    """
    import matplotlib.pyplot as plt

    use_style()
    q = parse_n(quasi2d_n)
    if q == "inf":
        raise ValueError("quasi2d_n='inf' must be a finite dimensionality (1-5) to compare with 3D")
    periods = check_count("periods", periods, 1, "quasi-2D slab periods shown")
    rows = ["inf", q]
    missing = [r for r in rows if r not in {parse_n(k) for k in model}]
    if missing:
        raise ValueError(f"model lacks parameters for n = {', '.join(missing)}; expected keys 'inf' and {q!r}")
    params = {parse_n(k): v for k, v in model.items()}
    c = constants
    d_q = slab_period(q, c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom)
    min_len = check_positive("min_length_angstrom", min_length_angstrom, "Å", "shortest z window")
    periods = max(periods, int(math.ceil(min_len / d_q - 1e-9)))
    length = periods * d_q
    data, lows = {}, []
    for r in rows:
        ea, e_k, w_k = params[r]
        e_k, w_k = check_trap_classes(e_k, w_k)
        land = migration_landscape(r, ea, float(e_k.max()), c, length_angstrom=length)
        data[r] = (land, e_k, w_k)
        lows.append(float(ea) - float(e_k.max()))
    ea_max = max(float(params[r][0]) for r in rows)
    y_lo, y_hi = min(lows + [0.0]) - 0.08, ea_max + 0.12

    # layout: the structure strips are drawn with equal x/z scale (Å) above the landscapes
    fig_w, left, right, wspace, land_h = PAGE_IN, 0.09, 0.98, 0.06, 1.9
    ratios = (5.0, 1.25)
    axes_w = (right - left) * fig_w
    strip_w_in = axes_w * ratios[0] / (sum(ratios) + wspace * (len(ratios) - 1) / 2)
    strip_data_h = columns * max(c.a_pc_angstrom, c.a_cubic_angstrom) + 1.0
    strip_h = strip_w_in * strip_data_h / length
    heights = [strip_h, land_h, strip_h, land_h]
    fig_h = sum(heights) * 1.12 + 1.0
    fig = plt.figure(figsize=(fig_w, fig_h))
    gs = fig.add_gridspec(4, 2, width_ratios=list(ratios), height_ratios=heights,
                          left=left, right=right, top=1 - 0.45 / fig_h, bottom=0.55 / fig_h,
                          wspace=wspace, hspace=0.18)
    drawn = {"migration_barrier_eV": {}, "release_barrier_eV": {}, "spacer_period_angstrom": {},
             "mean_release_barrier_eV": {}, "trap_weights_sum": {}}
    ax_occ0 = None
    for i, r in enumerate(rows):
        land, e_k, w_k = data[r]
        col = colour(r)
        ax_s = fig.add_subplot(gs[2 * i, 0])
        ax_e = fig.add_subplot(gs[2 * i + 1, 0], sharex=ax_s)
        ax_o = fig.add_subplot(gs[2 * i + 1, 1], sharey=ax_e, sharex=ax_occ0)
        ax_occ0 = ax_occ0 or ax_o
        # structure strip, z horizontal, same Å scale in both directions
        if r == "inf":
            st = layered_structure(r, c, columns=columns, height_angstrom=length)
        else:
            st = layered_structure(r, c, slabs=periods, columns=columns)
        draw_structure(ax_s, st, col, swap_axes=True, lw=0.5)
        ax_s.set_xlim(0, length)
        pos = ax_s.get_position()
        span = length * (pos.height * fig_h) / (pos.width * fig_w)
        ax_s.set_ylim(st.width_angstrom / 2 - span / 2, st.width_angstrom / 2 + span / 2)
        ax_s.axis("off")
        name = "3D" if r == "inf" else ("2D" if r == "1" else "quasi-2D")
        panel_label(ax_s, "a" if i == 0 else "a′", dx_pt=-40, dy_pt=2,
                    caption=f"{name}: {label(r)}, " + formula_mathtext(r))
        # landscape
        for z0, z1 in land.spacer_intervals:
            ax_e.axvspan(z0, z1, color=C_SPACER, lw=0, zorder=0)
        ax_e.plot(land.z_angstrom, land.energy_eV, color=col, lw=1.4, zorder=3)
        ax_e.axhline(0, color="0.6", lw=0.5, ls=":", zorder=1)
        ax_e.axhline(land.ea_eV, color="0.6", lw=0.5, ls=":", zorder=1)
        # E_A bracket at an interior hop (site -> neighbouring saddle, a quarter lattice step)
        if len(land.site_z):
            zs = land.site_z[len(land.site_z) // 2]
            zsad = land.saddle_z[land.saddle_z > zs].min()
            ax_e.annotate("", xy=(zsad, land.ea_eV), xytext=(zsad, 0.0),
                          arrowprops=dict(arrowstyle="<|-|>", lw=0.8, color="k", mutation_scale=6,
                                          shrinkA=0, shrinkB=0))
            ax_e.text(zsad + 0.5, land.ea_eV + 0.015, f"$E_A$ = {land.ea_eV:.3f} eV (migration)",
                      fontsize=7, va="bottom", ha="left",
                      bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.85), zorder=5)
        if r != "inf" and len(land.trap_z):
            zt = land.trap_z[min(2, len(land.trap_z) - 1)]
            floor = land.ea_eV - land.release_eV
            for e in e_k:
                ax_e.plot([zt - 0.9, zt + 0.9], [land.ea_eV - e] * 2, color="0.25", lw=0.6, zorder=4)
            za = zt + 1.4
            ax_e.annotate("", xy=(za, land.ea_eV), xytext=(za, floor),
                          arrowprops=dict(arrowstyle="<|-|>", lw=0.8, color="#b2182b", mutation_scale=6,
                                          shrinkA=0, shrinkB=0))
            ax_e.text(za + 0.6, floor + 0.62 * (land.ea_eV - floor),
                      "traps at the PEA faces:\nback-diffusion (release)\nbarriers "
                      + f"$E_k$ = {e_k.min():.2f}–\n{e_k.max():.2f} eV ({len(e_k)} classes,\nlevels $E_A - E_k$)",
                      fontsize=6.8, va="top", ha="left", color="#b2182b",
                      bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.85), zorder=5)
            for zc in land.spacer_centres[(land.spacer_centres > 0) & (land.spacer_centres < length)][:1]:
                ax_e.text(zc, y_hi - 0.015, "PEA", ha="center", va="top", fontsize=7, color=C_PEA)
        elif r == "inf":
            ax_e.text(0.99, 0.04, "no spacer: the model's traps (defects, grain boundaries)\n"
                      "have no position on this axis; their levels are at right",
                      transform=ax_e.transAxes, ha="right", va="bottom", fontsize=6.8, color="0.3")
        ax_e.set_ylim(y_lo, y_hi)
        ax_e.set_ylabel(axis_label("energy", "eV"))
        if i == len(rows) - 1:
            ax_e.set_xlabel(axis_label("out-of-plane position z", "Å"))
        else:
            plt.setp(ax_e.get_xticklabels(), visible=False)
        # occupancy of trap classes at their levels
        levels = land.ea_eV - e_k
        hgt = 0.8 * (np.min(np.diff(np.sort(levels))) if len(levels) > 1 else 0.05)
        hgt = min(max(hgt, 0.004), 0.05)
        ax_o.barh(levels, w_k, height=hgt, color=col, edgecolor="0.2", lw=0.3)
        ax_o.axhline(0, color="0.6", lw=0.5, ls=":")
        ax_o.axhline(land.ea_eV, color="0.6", lw=0.5, ls=":")
        plt.setp(ax_o.get_yticklabels(), visible=False)
        if i == len(rows) - 1:
            ax_o.set_xlabel("trap occupancy:\ncapture weight $w_k$")
        else:
            plt.setp(ax_o.get_xticklabels(), visible=False)
        drawn["migration_barrier_eV"][r] = float(np.max(land.energy_eV))
        if r != "inf":
            drawn["release_barrier_eV"][r] = float(np.max(land.energy_eV) - np.min(land.energy_eV))
            drawn["spacer_period_angstrom"][r] = float(np.mean(np.diff(land.spacer_centres)))
        drawn["mean_release_barrier_eV"][r] = float(np.sum(w_k * e_k))
        drawn["trap_weights_sum"][r] = float(np.sum(w_k))
    ax_occ0.set_xlim(0, 1.08 * max(float(np.max(data[r][2])) for r in rows))
    return fig, drawn
