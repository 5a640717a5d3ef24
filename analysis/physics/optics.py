"""Absorption, photoluminescence and colour of (PEA)2MA(n-1)PbnBr(3n+1) films (Fig. 2a,b).

The model, step by step
-----------------------
1. **Phases.**  A film is a mixture of layered phases m = 1 … m_max and a 3D-like phase,
   with Pb fractions from the stoichiometric maximum-entropy distribution of
   :func:`analysis.physics.structure.phase_distribution` (mean slab thickness ⟨m⟩ = n).
2. **Exciton energies** of each phase from the confinement law fitted to the paper's peaks,
   binding energies from the literature (:mod:`analysis.physics.excitons`).
3. **Absorption** of each phase is its Elliott spectrum
   (:func:`analysis.physics.excitons.elliott_absorption`).  Every phase has the same integrated
   absorption per PbBr6 octahedron over ``sum_rule_window`` (f-sum-rule approximation).  The film
   absorbance is the Pb-fraction-weighted sum, scaled by the film's Pb density relative to
   MAPbBr3 and by ``absorbance_3d_at_400nm``.
4. **PL.**  Under the 365 nm lamp the absorbed fraction ``1 − 10^(−A(365 nm))`` creates
   excitations at density ``n = (I/hν)(1 − 10^−A) τ / d``.  Energy funnelling between
   connected domains thermalises them: phase j holds the share
   ``P_j ∝ f_j exp(−E_X,j / kT)`` (Boltzmann over the Pb sites), at the local density
   ``n P_j / v_j`` (v_j: volume fraction).  The Saha equation
   ``n_e n_h / n_X = (μ kT / 2πħ²)^{3/2} exp(−E_b / kT)`` gives the exciton fraction x_j
   (:func:`analysis.physics.excitons.saha_exciton_fraction`);
   only excitons emit (the bimolecular free-carrier rate B n ≈ 10³ s⁻¹, with
   B ≈ 1e-10 cm³ s⁻¹ [M] and n ≈ 1e13 cm⁻³, is negligible against trapping at ≥ 1e7 s⁻¹).  Phase j emits a Gaussian band at ``E_X,j − Stokes`` with
   weight ``P_j x_j``.  The PL of every film is expressed on one scale: divided by the
   peak (per nm) of the n = 1 film computed the same way, so ``pl`` of the n = 1 film peaks
   at 1 and ``pl_intensity`` is the integrated photon yield relative to the n = 1 film.
5. **Colours** (:mod:`analysis.physics.colour`): under UV, the PL spectrum through the CIE 1931
   functions with one fixed exposure (the n = 1 film's brightest channel at full scale);
   under room light, the D65-like illuminant transmitted through the film, T = 10^−A.

The Fig. 2 rows and metrics of the films (:func:`film_rows`, Table S1; :func:`fig2_metrics`,
called by the notebook and by the robustness sweep) are here too: they read the Datasets of
:func:`film_optics` merged with the XRD of :func:`analysis.physics.structure.film_xrd`.

Energies in eV, wavelengths in nm (the units of ``data/parameters/optics.yaml``).
"""
from __future__ import annotations

import functools
import logging

import numpy as np
import xarray as xr
from scipy.signal import find_peaks

from analysis.physics import colour
from analysis.physics.dimensionality import parse_n
from analysis.physics.excitons import (HC_EV_NM, K_B_EV, Q_E_C, binding_energy, confinement_fit,
                                       elliott_absorption, exciton_energy, saha_exciton_fraction)
from analysis.parameters import ParameterSet, default_parameters
from analysis.physics.structure import PHASE_3D, phase_distribution, phase_labels, volume_per_pb
from analysis.validation import increasing_grid

log = logging.getLogger(__name__)

WAVELENGTH_RANGE = (350.0, 600.0)
"""Default wavelength window of :func:`film_optics`, nm."""
_E_GRID = np.arange(1.40, 4.0005, 0.001)       # internal uniform energy grid, eV
_ONSET_FRACTION = 0.10                           # optical gap: onset at 10 % of max absorbance
_FEATURE_PROMINENCE = 0.02                       # absorption features: prominence / max


def _p(pset: ParameterSet) -> dict:
    return pset.topic("optics")


def _ps(pset: ParameterSet | None) -> ParameterSet:
    return pset or default_parameters()


def _phase_absorption_unit(label: str, pset: ParameterSet) -> np.ndarray:
    """Per-Pb absorption spectrum of a phase on the internal grid, ∫window = 1 eV·(1/eV)."""
    p = _p(pset)
    if label == PHASE_3D:
        spec = elliott_absorption(_E_GRID, exciton_energy(label, pset), binding_energy(label, pset),
                                  float(p["exciton_linewidth_3d"]), 3)
    else:
        spec = elliott_absorption(_E_GRID, exciton_energy(label, pset), binding_energy(label, pset),
                                  float(p["exciton_linewidth_layered"]), 2)
    lo, hi = (float(v) for v in p["sum_rule_window"])
    win = (_E_GRID >= lo) & (_E_GRID <= hi)
    return spec / np.trapezoid(spec[win], _E_GRID[win])


@functools.lru_cache(maxsize=64)
def _phase_table(pset: ParameterSet) -> dict:
    """Everything per phase that does not depend on the film."""
    labels = phase_labels(pset)
    unit = {lab: _phase_absorption_unit(lab, pset) for lab in labels}
    p = _p(pset)
    a3 = volume_per_pb(PHASE_3D, pset)
    e400 = HC_EV_NM / 400.0
    scale = float(p["absorbance_3d_at_400nm"]) / float(np.interp(e400, _E_GRID, unit[PHASE_3D]))
    return {"labels": labels, "unit": unit, "scale": scale, "v3d": a3,
            "ex": np.array([exciton_energy(lab, pset) for lab in labels]),
            "eb": np.array([binding_energy(lab, pset) for lab in labels]),
            "stokes": np.array([float(p["stokes_shift_3d"] if lab == PHASE_3D
                                      else p["stokes_shift_layered"]) for lab in labels])}


def _film_core(label: str, pset: ParameterSet) -> dict:
    """Absorbance and PL of one film on the internal energy grid (unnormalised PL)."""
    p = _p(pset)
    tab = _phase_table(pset)
    labels = tab["labels"]
    frac = phase_distribution(label, pset)
    f = np.array([frac[lab] for lab in labels])
    vpb = np.array([volume_per_pb(lab, pset) for lab in labels])
    rho = tab["v3d"] / float(f @ vpb)                   # Pb density relative to MAPbBr3
    v = f * vpb / float(f @ vpb)                        # volume fractions
    phase_abs = np.array([tab["scale"] * rho * fi * tab["unit"][lab] for fi, lab in zip(f, labels)])
    absorb = phase_abs.sum(axis=0)
    # excitation under the UV lamp
    lamp_nm = float(pset.paper()["uv_lamp_nm"]["value"])
    a_lamp = float(np.interp(HC_EV_NM / lamp_nm, _E_GRID, absorb))
    absorbed = 1 - 10 ** (-a_lamp)
    photon_flux = float(p["uv_lamp_irradiance"]) / (HC_EV_NM / lamp_nm * Q_E_C)      # m^-2 s^-1
    n_tot = photon_flux * absorbed * float(p["carrier_lifetime"]) / (float(p["film_thickness"]) * 1e-9)
    n_tot_cm3 = n_tot * 1e-6
    # funnelling: Boltzmann population over Pb sites, local density, Saha fraction
    kt = K_B_EV * float(p["temperature"])
    present = f > 0
    w = np.zeros_like(f)
    w[present] = f[present] * np.exp(-(tab["ex"][present] - tab["ex"][present].min()) / kt)
    pop = w / w.sum()
    local = np.where(present, n_tot_cm3 * pop / np.where(v > 0, v, 1.0), np.nan)
    xfrac = np.full_like(f, np.nan)
    xfrac[present] = saha_exciton_fraction(np.clip(local[present], 1e-300, None),
                                           tab["eb"][present], float(p["temperature"]), pset=pset)
    weight = np.where(present, pop * xfrac, 0.0)
    sig = float(p["pl_linewidth"])
    centres = tab["ex"] - tab["stokes"]
    pl_e = (weight[None, :] / (sig * np.sqrt(2 * np.pi))
            * np.exp(-0.5 * ((_E_GRID[:, None] - centres[None, :]) / sig) ** 2)).sum(axis=1)
    pl_e = pl_e * absorbed                               # per absorbed photon → per incident photon
    return {"labels": labels, "f": f, "v": v, "rho": rho, "phase_abs": phase_abs, "absorb": absorb,
            "a_lamp": a_lamp, "absorbed": absorbed, "n_tot_cm3": n_tot_cm3, "pop": pop,
            "local": local, "x": xfrac, "pl_e": pl_e, "yield": float(weight.sum() * absorbed),
            "ex": tab["ex"], "eb": tab["eb"], "centres": centres}


def _on_wavelength(lam_nm: np.ndarray, spec_e: np.ndarray, density: bool) -> np.ndarray:
    """Map a spectrum on the internal energy grid to wavelengths (per nm if *density*)."""
    e = HC_EV_NM / lam_nm
    out = np.interp(e, _E_GRID, spec_e, left=0.0, right=0.0)
    return out * e ** 2 / HC_EV_NM if density else out


@functools.lru_cache(maxsize=256)
def _film_summary(label: str, pset: ParameterSet) -> dict:
    core = _film_core(label, pset)
    fine = np.round(np.arange(WAVELENGTH_RANGE[0], WAVELENGTH_RANGE[1] + 1e-9, 0.05), 2)
    a_fine = _on_wavelength(fine, core["absorb"], density=False)
    pl_fine = _on_wavelength(fine, core["pl_e"], density=True)
    return {"core": core, "fine": fine, "a_fine": a_fine, "pl_fine": pl_fine}


@functools.lru_cache(maxsize=64)
def _reference_pl(pset: ParameterSet) -> tuple[float, float, float]:
    """PL peak (per nm), integrated yield and UV-photo exposure of the n = 1 film."""
    s = _film_summary("1", pset)
    peak = float(s["pl_fine"].max())
    lam = np.arange(*colour.VISIBLE_NM, 0.5)
    pl = _on_wavelength(lam, s["core"]["pl_e"], density=True) / peak
    lin = colour.xyz_to_linear_srgb(colour.spectrum_to_xyz(lam, pl))
    exposure = 1.0 / float(np.clip(lin, 0, None).max())
    return peak, s["core"]["yield"], exposure


def absorption_features(wavelength_nm, absorbance, prominence: float = _FEATURE_PROMINENCE):
    """Excitonic absorption peaks: local maxima of A(λ) with relative prominence.

    Parameters
    ----------
    wavelength_nm : array, nm
    absorbance : array, 1
    prominence : float, 1
        Minimum prominence as a fraction of max(A).

    Returns
    -------
    (ndarray, ndarray)
        Peak wavelengths (nm, increasing) and their prominences (absorbance units).
    """
    lam = np.asarray(wavelength_nm, dtype=float)
    a = np.asarray(absorbance, dtype=float)
    if not 0 < prominence < 1:
        raise ValueError(f"prominence={prominence!r} must be in (0, 1) (fraction of max absorbance)")
    idx, props = find_peaks(a, prominence=prominence * float(a.max()))
    return lam[idx], props["prominences"]


def _optical_gap(core: dict) -> float:
    e_lo, e_hi = HC_EV_NM / WAVELENGTH_RANGE[1], HC_EV_NM / WAVELENGTH_RANGE[0]
    win = (_E_GRID >= e_lo) & (_E_GRID <= e_hi)
    e, a = _E_GRID[win], core["absorb"][win]
    i = int(np.argmax(a >= _ONSET_FRACTION * a.max()))
    if i == 0:
        return float(e[0])
    return float(np.interp(_ONSET_FRACTION * a.max(), a[i - 1:i + 1], e[i - 1:i + 1]))


def _check_wavelength_grid(wavelength_nm):
    if wavelength_nm is None:
        return np.round(np.arange(WAVELENGTH_RANGE[0], WAVELENGTH_RANGE[1] + 1e-9, 0.5), 2)
    lo, hi = HC_EV_NM / _E_GRID[-1], HC_EV_NM / _E_GRID[0]
    return increasing_grid(wavelength_nm, "wavelength_nm", round(lo), round(hi), "nm")


def film_optics(n, wavelength_nm=None, pset: ParameterSet | None = None) -> xr.Dataset:
    """Simulated absorption, PL and colours of one film.

    Parameters
    ----------
    n : int or str
        Dimensionality, one of ``1 … 5, "inf"``.
    wavelength_nm : array, nm, optional
        Strictly increasing grid; default 350–600 nm in 0.5 nm steps.
    pset : ParameterSet, optional
        Optics and structure parameters and the paper's peaks (default: data/).

    Returns
    -------
    xarray.Dataset
        Dims ``wavelength`` (nm), ``phase`` (labels ``"1"`` … ``"3D"``), ``rgb``.
        Spectra ``absorbance`` and ``pl`` (PL per nm divided by the n = 1 film's PL peak),
        ``phase_absorbance`` (phase, wavelength); per phase ``phase_fraction`` (of Pb),
        ``phase_exciton_energy``, ``phase_binding_energy``, ``phase_pl_population``,
        ``phase_exciton_fraction``, ``phase_excitation_density``; scalars
        ``absorption_peak_nm`` (most prominent absorption peak), ``pl_peak_nm`` (NaN without
        PL), ``pl_intensity`` (integrated PL photon yield / that of the n = 1 film),
        ``pl_dominant_wavelength_nm``, ``optical_gap_eV`` (onset at 10 % of the maximum
        absorbance), ``uv_absorbed_fraction``, ``excitation_density``,
        ``room_colour_b_star`` (CIE b*, yellowness) and the sRGB triples ``uv_colour_rgb``
        and ``room_colour_rgb``.  Peak and gap values are found on an internal 0.05 nm grid,
        independent of *wavelength_nm*.

    Raises
    ------
    ValueError
        For an unsupported *n* or a bad grid.

    Examples
    --------
    >>> ds = film_optics(1)
    >>> round(float(ds["absorption_peak_nm"]))
    401
    """
    label = parse_n(n)
    lam = _check_wavelength_grid(wavelength_nm)
    pset = _ps(pset)
    p = _p(pset)
    summ = _film_summary(label, pset)
    core = summ["core"]
    ref_peak, ref_yield, exposure = _reference_pl(pset)
    absorbance = _on_wavelength(lam, core["absorb"], density=False)
    pl = _on_wavelength(lam, core["pl_e"], density=True) / ref_peak
    phase_abs = np.array([_on_wavelength(lam, row, density=False) for row in core["phase_abs"]])
    feats, prom = absorption_features(summ["fine"], summ["a_fine"])
    abs_peak = float(feats[int(np.argmax(prom))]) if len(feats) else float("nan")
    pl_intensity = core["yield"] / ref_yield
    visible = pl_intensity >= float(p["pl_visibility_threshold"])
    pl_peak = float(summ["fine"][int(np.argmax(summ["pl_fine"]))]) if visible else float("nan")
    # colours
    vis = np.arange(*colour.VISIBLE_NM, 0.5)
    pl_vis = _on_wavelength(vis, core["pl_e"], density=True) / ref_peak
    xyz_pl = colour.spectrum_to_xyz(vis, pl_vis)
    uv_rgb = colour.emission_colour(vis, pl_vis, exposure)
    t_vis = 10 ** (-_on_wavelength(vis, core["absorb"], density=False))
    room_rgb = colour.transmitted_colour(vis, t_vis)
    b_star = float(colour.xyz_to_lab(colour.srgb_to_xyz(room_rgb))[2])
    dom = colour.dominant_wavelength(xyz_pl) if visible else float("nan")

    def var(dims, data, units, long_name):
        attrs = {"long_name": long_name}
        if units is not None:
            attrs["units"] = units
        return (dims, data, attrs)

    ds = xr.Dataset(
        {
            "absorbance": var("wavelength", absorbance, "1", "absorbance (decadic)"),
            "pl": var("wavelength", pl, "1",
                      "PL under 365 nm excitation, per nm, relative to the n = 1 film's PL peak"),
            "phase_absorbance": var(("phase", "wavelength"), phase_abs, "1",
                                    "absorbance contributed by each phase"),
            "phase_fraction": var("phase", core["f"], "1", "fraction of Pb in the phase"),
            "phase_exciton_energy": var("phase", core["ex"], "eV", "exciton absorption energy of the phase"),
            "phase_binding_energy": var("phase", core["eb"], "eV", "exciton binding energy of the phase"),
            "phase_pl_population": var("phase", core["pop"], "1",
                                       "share of excitations after funnelling (Boltzmann)"),
            "phase_exciton_fraction": var("phase", core["x"], "1",
                                          "Saha fraction of excitations bound as excitons"),
            "phase_excitation_density": var("phase", core["local"], "cm^-3",
                                            "local excitation density under the UV lamp"),
            "absorption_peak_nm": var((), abs_peak, "nm", "most prominent absorption peak"),
            "pl_peak_nm": var((), pl_peak, "nm", "PL peak wavelength (NaN if no visible PL)"),
            "pl_intensity": var((), pl_intensity, "1",
                                "integrated PL photon yield relative to the n = 1 film"),
            "pl_dominant_wavelength_nm": var((), dom, "nm",
                                             "dominant wavelength of the PL colour (NaN if no visible PL)"),
            "optical_gap_eV": var((), _optical_gap(core), "eV",
                                  "optical gap: absorption onset at 10 % of the maximum absorbance"),
            "uv_absorbed_fraction": var((), core["absorbed"], "1", "fraction of the 365 nm lamp light absorbed"),
            "excitation_density": var((), core["n_tot_cm3"], "cm^-3",
                                      "mean excitation density under the UV lamp"),
            "room_colour_b_star": var((), b_star, "1", "CIE b* of the film under room light (yellowness)"),
            "uv_colour_rgb": var("rgb", uv_rgb, "1", "sRGB colour of the film under the 365 nm lamp"),
            "room_colour_rgb": var("rgb", room_rgb, "1", "sRGB colour of the film under room light (transmitted)"),
        },
        coords={
            "wavelength": ("wavelength", lam, {"units": "nm", "long_name": "wavelength"}),
            "phase": ("phase", np.array(core["labels"], dtype=object),
                      {"long_name": "phase: layers per slab m, or 3D"}),
            "rgb": ("rgb", np.array(["R", "G", "B"], dtype=object), {"long_name": "sRGB channel"}),
        },
        attrs={"optics_model": "Elliott absorption of a phase mixture, funnelled PL, Saha excitons; analysis.physics.optics",
               "dimensionality": label},
    )
    log.debug("film_optics(%s): absorption peak %.1f nm, PL %.3g", label, abs_peak, pl_intensity)
    return ds


# --------------------------------------------------------------------------- Fig. 2 metrics
FEATURE_WINDOW_NM = 5.0
"""A feature "at" a paper wavelength: within ±5 nm (a quarter of the 18–31 nm spacing of
neighbouring phase peaks; see data/paper/claims/fig2.yaml)."""

QUASI_2D = ("2", "3", "4", "5")
"""The quasi-2D films (mixtures of layered phases)."""


def phase_peak_nm(phases=range(1, 6), pset: ParameterSet | None = None) -> dict:
    """Exciton absorption peak [nm] of the layered phases m (default 1 … 5), from the fit."""
    return {str(m): HC_EV_NM / exciton_energy(m, pset) for m in phases}


def pl_colour_name(ds, pset: ParameterSet | None = None) -> str:
    """Hue name of a film's PL (``"none"`` below the visibility threshold of the optics parameters)."""
    if float(ds["pl_intensity"]) < float(_p(_ps(pset))["pl_visibility_threshold"]):
        return "none"
    return colour.hue_name(float(ds["pl_dominant_wavelength_nm"]))


def film_rows(films: dict, pset: ParameterSet | None = None) -> list[dict]:
    """Table S1: one row per film of *films* (label -> Dataset of :func:`film_optics`
    merged with :func:`analysis.physics.structure.film_xrd`, as ``results/simulate/n{n}.nc`` holds it)."""
    from analysis.physics.dimensionality import formula
    rows = []
    for n, ds in films.items():
        lam, _ = absorption_features(ds["wavelength"].values, ds["absorbance"].values)
        lab = colour.xyz_to_lab(colour.srgb_to_xyz(ds["room_colour_rgb"].values))
        gap = float(ds["optical_gap_eV"])
        rows.append({
            "n": n, "formula": formula(n),
            "absorption_peak_nm": round(float(ds["absorption_peak_nm"]), 1),
            "absorption_features_nm": " ".join(f"{x:.0f}" for x in lam),
            "pl_peak_nm": round(float(ds["pl_peak_nm"]), 1),
            "pl_intensity_rel_n1": float(f"{float(ds['pl_intensity']):.3g}"),
            "pl_colour": pl_colour_name(ds, pset),
            "optical_gap_eV": round(gap, 3), "optical_gap_nm": round(HC_EV_NM / gap, 1),
            "room_colour_b_star": round(float(lab[2]), 1),
            "room_colour_hue_deg": round(float(np.degrees(np.arctan2(lab[2], lab[1]))), 1),
            # single-phase films sit on a calibration point of the confinement law; mixtures,
            # PL, gaps and colours are outputs of the model
            "absorption_peak_basis": "calibrated" if n in ("1", "inf") else "predicted",
            "other_columns_basis": "predicted",
        })
    return rows


_FIG2_ORDER = {k: i for i, k in enumerate((
    "absorption_peak_nm", "phase_peak_nm", "confinement_C_eV", "confinement_n0",
    "equivalent_reduced_mass_m0", "absorption_features_nm", "quasi2d_shows_432_450",
    "quasi2d_all_show_432_450", "absorption_top2_are_n12", "absorption_top2_are_n12_all",
    "absorption_n12_share", "absorption_n12_share_min_quasi2d", "pl_peak_nm", "pl_intensity",
    "pl_colour", "pl_dominant_wavelength_nm", "exciton_fraction_3d", "exciton_fraction_2d",
    "excitation_density_cm3", "optical_gap_eV", "room_colour_b_star", "room_colour_hue_deg",
    "xrd_00l_fraction", "xrd_h00_fraction", "xrd_peak_count", "xrd_quasi2d_extra_peaks",
    "xrd_strongest_reflection"))}


def fig2_metrics(films: dict, pset: ParameterSet | None = None) -> dict:
    """The metrics of the Fig. 2 stage (``results/metrics/fig2_optics.json``) for *films*.

    *films*: label -> Dataset as in :func:`film_rows` (ordered by n; a run of a subset of the
    films gives the metrics of those films, and the comparisons that need a film it lacks are
    left out, so their claims are reported as missing). The notebook ``fig2_optics`` writes these
    from the simulation stage's files; the robustness sweep computes them under each set of
    sampled optics assumptions.
    """
    from analysis.physics.structure import xrd_peaks
    pset = _ps(pset)
    order = list(films)
    feats = {n: absorption_features(films[n]["wavelength"].values, films[n]["absorbance"].values)
             for n in order}
    peaks = phase_peak_nm(pset=pset)
    fit = confinement_fit(pset)
    rows = film_rows(films, pset)

    def near(lam, target):
        return bool(len(lam)) and float(np.min(np.abs(lam - target))) <= FEATURE_WINDOW_NM

    def top2_are_n12(n):
        lam, prom = feats[n]
        if len(lam) < 2:
            return False
        top = lam[np.argsort(prom)[::-1][:2]]
        return all(any(abs(t - peaks[m]) <= FEATURE_WINDOW_NM for t in top) for m in ("1", "2"))

    def n12_share(n):
        pa = films[n]["phase_absorbance"].sel(wavelength=slice(380, 600))
        tot = float(pa.sum())
        return float(pa.sel(phase=["1", "2"]).sum()) / tot if tot > 0 else 0.0

    def strongest(ds):
        i = int(np.argmax(ds["reflection_intensity"].values))
        return f"{ds['reflection_phase'].values[i]}:{ds['reflection_hkl'].values[i]}"

    xrd_counts = {n: int(len(xrd_peaks(films[n]))) for n in order}
    quasi = [n for n in QUASI_2D if n in films]
    paper = pset.paper()
    t1 = paper["table1_activation_energy_eV"]["value"]
    species_min = {}
    for entry in t1:
        species_min[entry["species"]] = min(species_min.get(entry["species"], np.inf), entry["Ea_min"])
    br = [e for e in t1 if e["species"] == "Br-"]
    br_lo, br_hi = min(e["Ea_min"] for e in br), max(e["Ea_max"] for e in br)
    table2_ea = [v["Ea"] for v in paper["table2"]["value"].values()]
    other_min = min(v for k, v in species_min.items() if k != "Br-")
    out = {
        "absorption_peak_nm": {n: float(films[n]["absorption_peak_nm"]) for n in order},
        "phase_peak_nm": peaks,
        "confinement_C_eV": fit.c, "confinement_n0": fit.n0,
        "equivalent_reduced_mass_m0": fit.reduced_mass,
        "absorption_features_nm": {n: [float(x) for x in feats[n][0]] for n in order},
        "quasi2d_shows_432_450": {n: near(feats[n][0], 432) and near(feats[n][0], 450) for n in quasi},
        "absorption_top2_are_n12": {n: top2_are_n12(n) for n in quasi},
        "absorption_n12_share": {n: n12_share(n) for n in order},
        "pl_peak_nm": {n: float(films[n]["pl_peak_nm"]) for n in order},
        "pl_intensity": {n: float(films[n]["pl_intensity"]) for n in order},
        "pl_colour": {n: pl_colour_name(films[n], pset) for n in order},
        "pl_dominant_wavelength_nm": {n: float(films[n]["pl_dominant_wavelength_nm"]) for n in order},
        "excitation_density_cm3": {n: float(films[n]["excitation_density"]) for n in order},
        "optical_gap_eV": {n: float(films[n]["optical_gap_eV"]) for n in order},
        "room_colour_b_star": {r["n"]: r["room_colour_b_star"] for r in rows},
        "room_colour_hue_deg": {r["n"]: r["room_colour_hue_deg"] for r in rows},
        "xrd_00l_fraction": {n: float(films[n]["xrd_00l_fraction"]) for n in order},
        "xrd_h00_fraction": {n: float(films[n]["xrd_h00_fraction"]) for n in order},
        "xrd_peak_count": xrd_counts,
        "xrd_strongest_reflection": {n: strongest(films[n]) for n in order},
        "table1_lowest_Ea_species": min(species_min, key=species_min.get),
        "table1_br_range_eV": [br_lo, br_hi],
        "table1_br_below_other_species": br_lo < other_min,
        "table2_Ea_within_table1_br_range": all(br_lo <= e <= br_hi for e in table2_ea),
    }
    if set(QUASI_2D) <= set(films):          # statements about all quasi-2D films
        out["quasi2d_all_show_432_450"] = all(out["quasi2d_shows_432_450"].values())
        out["absorption_top2_are_n12_all"] = all(out["absorption_top2_are_n12"].values())
        out["absorption_n12_share_min_quasi2d"] = min(out["absorption_n12_share"][n] for n in QUASI_2D)
        if "1" in films:
            out["xrd_quasi2d_extra_peaks"] = all(xrd_counts[n] > xrd_counts["1"] for n in QUASI_2D)
    if "inf" in films:
        out["exciton_fraction_3d"] = float(films["inf"]["phase_exciton_fraction"].sel(phase="3D"))
    if "1" in films:
        out["exciton_fraction_2d"] = float(films["1"]["phase_exciton_fraction"].sel(phase="1"))
    return dict(sorted(out.items(), key=lambda kv: _FIG2_ORDER.get(kv[0], 99)))


__all__ = ["absorption_features", "film_optics", "phase_peak_nm", "pl_colour_name", "film_rows",
           "fig2_metrics", "WAVELENGTH_RANGE", "FEATURE_WINDOW_NM", "QUASI_2D"]
