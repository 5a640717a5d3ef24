"""Phase composition and X-ray diffraction of (PEA)2MA(n-1)PbnBr(3n+1) films (Fig. 2c).

Phase mixture
-------------
A film of nominal dimensionality *n* is a mixture of slabs with m = 1, 2, … octahedral
layers (the paper: quasi-2D films contain n = 1, 2 domains).  Each slab carries two PEA
cations (one per face) and m Pb, so the PEA-per-Pb balance of the whole film is
2/⟨m⟩ and stoichiometry fixes the *mean* slab thickness ⟨m⟩ = n.  Of all distributions
over m = 1, 2, … with that mean, the maximum-entropy one is geometric,
``q_m = (1 − r) r^(m−1)`` with ``r = 1 − 1/n`` (number fraction of slabs).  The fraction of
Pb (= of PbBr6 octahedra, which carry the optical absorption) in phase m is
``p_m = m q_m / n``.  Slabs thicker than ``largest_layered_phase`` layers are lumped into a
3D-like MAPbBr3 phase labelled ``"3D"``; the n = ∞ film is pure ``"3D"``.

Diffraction model
-----------------
* Layered phase m: tetragonal cell with in-plane a = a_pc (pseudo-cubic, octahedral tilts
  and the resulting superstructure neglected) and c = d(m) = d001(1) + (m − 1) a_pc.  Atoms
  are placed on their planes: Pb and two equatorial Br per layer, m + 1 apical Br planes,
  m − 1 MA cations between layers, and the two PEA cations as uniform rods of electron
  density (eight point scatterers each) from the terminal Br plane to the middle of the
  organic bilayer, i.e. a slab electron-density form factor for the organic layer.
* Cubic MAPbBr3 (Pm-3m, a = ``a_cubic_mapbbr3``): Pb (0,0,0), Br (½,0,0) ×3, MA (½,½,½).
* Scattering factors are proportional to the electron count Z (neutral atoms), damped by an
  isotropic Debye–Waller factor.  Integrated intensities
  ``I = v |F|² / V² · LP(2θ) · P_MD(α)`` with the volume fraction v of the phase, the
  Lorentz–polarisation factor ``(1 + cos²2θ) / (sin²θ cos θ)`` (Bragg–Brentano, no
  monochromator), and the March–Dollase texture factor ``(r² cos²α + sin²α / r)^(−3/2)``
  around [001] (layered) or <100> (cubic).  Every individual reciprocal-lattice vector is
  summed, so multiplicities and the texture average over a family come out by themselves.
* Peaks are pseudo-Voigt with the Scherrer FWHM ``K λ / (L cos θ)``.

All lengths in ångström, angles in degrees (the units of ``data/parameters/structure.yaml``).
"""
from __future__ import annotations

import functools
import logging
import math

import numpy as np
import xarray as xr

from analysis.physics.dimensionality import N_VALUES, n_numeric, parse_n
from analysis.parameters import ParameterSet, default_parameters
from analysis.validation import increasing_grid

log = logging.getLogger(__name__)

PHASE_3D = "3D"
"""Label of the lumped 3D-like (MAPbBr3) phase."""

# Electron counts of the scatterers (atomic numbers of the neutral atoms).
Z_PB, Z_BR = 82, 35
Z_MA = 6 + 7 + 6 * 1          # CH3NH3: C + N + 6 H
Z_PEA = 8 * 6 + 7 + 12 * 1    # C6H5CH2CH2NH3: 8 C + N + 12 H
_ROD_POINTS = 8               # point scatterers per PEA rod

TWO_THETA_RANGE = (3.0, 50.0)
"""Default 2θ window of the simulated patterns, degree."""


def _p(pset: ParameterSet | None) -> dict:
    return (pset or default_parameters()).topic("structure")


def largest_layered_phase(pset: ParameterSet | None = None) -> int:
    """Largest m treated as a distinct layered phase (structure parameters of *pset*)."""
    return int(_p(pset)["largest_layered_phase"])


def phase_labels(pset: ParameterSet | None = None) -> tuple[str, ...]:
    """Labels of all phases: ``"1"`` … ``str(m_max)`` and ``"3D"``."""
    return tuple(str(m) for m in range(1, largest_layered_phase(pset) + 1)) + (PHASE_3D,)


def layer_spacing(m: int, pset: ParameterSet | None = None) -> float:
    """Interlayer (001) spacing d(m) of a layered phase with m octahedral layers.

    Parameters
    ----------
    m : int
        Number of PbBr6 layers per slab, ≥ 1.

    Returns
    -------
    float, angstrom
        ``d001_pea2pbbr4 + (m − 1) a_pseudocubic_layer``.

    Raises
    ------
    ValueError
        If *m* is not a positive integer.

    Examples
    --------
    >>> round(layer_spacing(1), 2), round(layer_spacing(3), 2)
    (16.66, 28.52)
    """
    if isinstance(m, bool) or not float(m).is_integer() or m < 1:
        msg = f"m={m!r} must be a positive integer (number of octahedral layers per slab)"
        raise ValueError(msg)
    p = _p(pset)
    return float(p["d001_pea2pbbr4"]) + (int(m) - 1) * float(p["a_pseudocubic_layer"])


def bragg_two_theta(d_angstrom, wavelength_angstrom: float | None = None,
                    pset: ParameterSet | None = None):
    """Bragg angle 2θ of a lattice spacing, 2 d sin θ = λ.

    Parameters
    ----------
    d_angstrom : float or array, angstrom
        Lattice-plane spacing; must exceed λ/2.
    wavelength_angstrom : float, angstrom, optional
        X-ray wavelength; default Cu Kα1 from ``structure.yaml``.

    Returns
    -------
    float or ndarray, degree

    Raises
    ------
    ValueError
        If a spacing is ≤ λ/2 (no Bragg reflection) or the wavelength is not positive.

    Examples
    --------
    >>> round(float(bragg_two_theta(5.93)), 2)
    14.93
    """
    lam = float(_p(pset)["wavelength_cu_ka1"] if wavelength_angstrom is None else wavelength_angstrom)
    if not lam > 0:
        msg = f"wavelength_angstrom={lam!r} must be > 0 angstrom"
        raise ValueError(msg)
    d = np.asarray(d_angstrom, dtype=float)
    if np.any(~(d > lam / 2)):
        msg = (f"d_angstrom={d_angstrom!r} must be > lambda/2 = {lam / 2:.4f} angstrom "
               "for a Bragg reflection to exist")
        raise ValueError(msg)
    out = np.degrees(2 * np.arcsin(lam / (2 * d)))
    return float(out) if out.ndim == 0 else out


def phase_distribution(n, pset: ParameterSet | None = None) -> dict[str, float]:
    """Fraction of Pb in each phase of the film with nominal dimensionality *n*.

    Maximum-entropy (geometric) slab-thickness distribution with mean n (see the module
    docstring); slabs with m > ``largest_layered_phase`` are lumped into ``"3D"``.

    Parameters
    ----------
    n : int or str
        Dimensionality, one of ``1 … 5, "inf"``.

    Returns
    -------
    dict
        ``phase label -> Pb fraction`` over :func:`phase_labels`, summing to 1.

    Raises
    ------
    ValueError
        For an unsupported *n*.

    Examples
    --------
    >>> d = phase_distribution(2)
    >>> round(d["1"], 3), round(d["2"], 3), round(sum(d.values()), 6)
    (0.25, 0.25, 1.0)
    """
    label = parse_n(n)
    labels = phase_labels(pset)
    out = dict.fromkeys(labels, 0.0)
    if label == "inf":
        out[PHASE_3D] = 1.0
        return out
    nn = n_numeric(label)
    r = 1.0 - 1.0 / nn
    m = np.arange(1, largest_layered_phase(pset) + 1)
    q = (1 - r) * r ** (m - 1)                  # number fraction of slabs
    pb = m * q / nn                             # fraction of Pb
    for mi, val in zip(m, pb):
        out[str(mi)] = float(val)
    out[PHASE_3D] = float(max(0.0, 1.0 - pb.sum()))
    return out


# --------------------------------------------------------------------------- structures
def _layered_atoms(m: int, pset: ParameterSet) -> tuple[np.ndarray, np.ndarray]:
    """Fractional positions (x, y, z) and electron counts of one layered cell."""
    p = _p(pset)
    a = float(p["a_pseudocubic_layer"])
    c = layer_spacing(m, pset)
    pos, z = [], []
    for k in range(m):
        zk = (k - (m - 1) / 2) * a
        pos += [(0, 0, zk), (0.5, 0, zk), (0, 0.5, zk)]
        z += [Z_PB, Z_BR, Z_BR]
    for j in range(m + 1):                      # apical Br planes
        pos.append((0, 0, (j - m / 2) * a))
        z.append(Z_BR)
    for k in range(m - 1):                      # MA between layers
        pos.append((0.5, 0.5, (k - (m - 1) / 2 + 0.5) * a))
        z.append(Z_MA)
    z_face = m * a / 2                          # terminal Br plane
    for sign in (1, -1):                        # PEA rods, face -> bilayer middle
        for t in (np.arange(_ROD_POINTS) + 0.5) / _ROD_POINTS:
            pos.append((0.5, 0.5, sign * (z_face + t * (c / 2 - z_face))))
            z.append(Z_PEA / _ROD_POINTS)
    pos = np.array(pos, dtype=float)
    pos[:, 2] /= c
    return pos, np.array(z, dtype=float)


def _cubic_atoms() -> tuple[np.ndarray, np.ndarray]:
    pos = np.array([(0, 0, 0), (0.5, 0, 0), (0, 0.5, 0), (0, 0, 0.5), (0.5, 0.5, 0.5)], dtype=float)
    return pos, np.array([Z_PB, Z_BR, Z_BR, Z_BR, Z_MA], dtype=float)


def _intensity_factors(s, cos_a, r_md, lam, pset: ParameterSet):
    """Debye–Waller (on |F|²), Lorentz–polarisation and March–Dollase factors."""
    dw2 = np.exp(-2 * float(_p(pset)["debye_waller_b"]) * (s / 2) ** 2)     # sinθ/λ = s/2
    theta = np.arcsin(np.clip(lam * s / 2, 0, 1))
    lp = (1 + np.cos(2 * theta) ** 2) / (np.sin(theta) ** 2 * np.cos(theta))
    md = (r_md ** 2 * cos_a ** 2 + (1 - cos_a ** 2) / r_md) ** -1.5
    return dw2 * lp * md


def _label(h, k, l) -> str:
    return f"({h}{k}{l})" if max(h, k, l) < 10 else f"({h} {k} {l})"


def _cubic_reflections(lam: float, s_max: float, pset: ParameterSet) -> dict:
    """Every reciprocal-lattice vector of cubic MAPbBr3, summed into {hkl} families."""
    p = _p(pset)
    a = float(p["a_cubic_mapbbr3"])
    pos, zz = _cubic_atoms()
    h = np.arange(-int(s_max * a), int(s_max * a) + 1)
    H, K, L = (g.ravel() for g in np.meshgrid(h, h, h, indexing="ij"))
    s = np.sqrt(H ** 2 + K ** 2 + L ** 2) / a
    keep = (s > 0) & (s <= s_max)
    H, K, L, s = H[keep], K[keep], L[keep], s[keep]
    ph = 2 * np.pi * (np.outer(H, pos[:, 0]) + np.outer(K, pos[:, 1]) + np.outer(L, pos[:, 2]))
    f2 = (np.cos(ph) @ zz) ** 2 + (np.sin(ph) @ zz) ** 2
    inten = f2 / a ** 6 * _intensity_factors(s, L / a / s, float(p["march_dollase_cubic"]), lam, pset)
    key = np.sort(np.abs(np.stack([H, K, L], axis=1)), axis=1)[:, ::-1]
    fam, inverse = np.unique(key, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    fam_int = np.bincount(inverse, weights=inten, minlength=len(fam))
    d = a / np.sqrt((fam ** 2).sum(axis=1))
    return {"two_theta": np.degrees(2 * np.arcsin(lam / (2 * d))), "d": d, "intensity": fam_int,
            "hkl": np.array([_label(*f) for f in fam]),
            "special": (fam[:, 1] == 0) & (fam[:, 2] == 0)}                 # (h00)


_IN_PLANE = ((0, 0, 1), (1, 0, 4), (1, 1, 4), (2, 0, 4), (2, 1, 8), (2, 2, 4))
"""In-plane orders (h, k) with h ≥ k ≥ 0 of the layered phases and their multiplicities."""


def _layered_reflections(m: int, lam: float, s_max: float, pset: ParameterSet) -> dict:
    """{hkl} families of a layered phase, tetragonal 4/mmm symmetry of the slab model.

    Every atom sits on one of the in-plane sites (0,0), (½,0), (0,½), (½,½) and the slab is
    centrosymmetric, so F(hkl) = Σ_sites cos 2π(hx + ky) · Σ_atoms Z cos(2π l z) is real and
    equal for all members of a family; the family intensity is its multiplicity times one
    member's (the March–Dollase factor depends only on |l|/|q|, common to the family).
    """
    p = _p(pset)
    a = float(p["a_pseudocubic_layer"])
    c = layer_spacing(m, pset)
    pos, zz = _layered_atoms(m, pset)
    l = np.arange(0, int(s_max * c) + 1)
    sites = ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5))
    g = {}
    for site in sites:
        sel = (pos[:, 0] == site[0]) & (pos[:, 1] == site[1])
        g[site] = np.cos(2 * np.pi * np.outer(l, pos[sel, 2])) @ zz[sel]
    out = {k: [] for k in ("two_theta", "d", "intensity", "hkl", "special")}
    for h, k, mult in _IN_PLANE:
        if math.hypot(h, k) / a > s_max:
            continue
        f = sum(math.cos(2 * math.pi * (h * x + k * y)) * g[(x, y)] for x, y in sites)
        s = np.sqrt((h ** 2 + k ** 2) / a ** 2 + (l / c) ** 2)
        keep = (s > 0) & (s <= s_max)
        ll, s, f = l[keep], s[keep], f[keep]
        mult_l = mult * np.where(ll > 0, 2, 1)
        inten = mult_l * f ** 2 / (a * a * c) ** 2 * _intensity_factors(
            s, (ll / c) / s, float(p["march_dollase_layered"]), lam, pset)
        d = 1 / s
        out["two_theta"].append(np.degrees(2 * np.arcsin(lam / (2 * d))))
        out["d"].append(d)
        out["intensity"].append(inten)
        out["hkl"].append(np.array([_label(h, k, int(x)) for x in ll]))
        out["special"].append(np.full(len(ll), h == 0 and k == 0))         # (00l)
    return {k: np.concatenate(v) for k, v in out.items()}


@functools.lru_cache(maxsize=512)
def _phase_reflections(label: str, tt_max: float, pset: ParameterSet) -> dict:
    lam = float(_p(pset)["wavelength_cu_ka1"])
    s_max = 2 * math.sin(math.radians(tt_max / 2)) / lam    # largest 1/d
    if label == PHASE_3D:
        return _cubic_reflections(lam, s_max, pset)
    return _layered_reflections(int(label), lam, s_max, pset)


def volume_per_pb(label: str, pset: ParameterSet | None = None) -> float:
    """Volume per Pb atom of a phase (``"1"`` … or ``"3D"``), angstrom^3.

    ``a_pc² d(m) / m`` for a layered phase, ``a³`` for cubic MAPbBr3.
    """
    if label != PHASE_3D and label not in phase_labels(pset):
        msg = f"phase label={label!r} is not one of {', '.join(phase_labels(pset))}"
        raise ValueError(msg)
    p = _p(pset)
    if label == PHASE_3D:
        return float(p["a_cubic_mapbbr3"]) ** 3
    m = int(label)
    return float(p["a_pseudocubic_layer"]) ** 2 * layer_spacing(m, pset) / m


def _pseudo_voigt(x, fwhm, eta):
    hw = fwhm / 2
    gauss = np.sqrt(np.log(2) / np.pi) / hw * np.exp(-np.log(2) * (x / hw) ** 2)
    lor = 1 / (np.pi * hw * (1 + (x / hw) ** 2))
    return eta * lor + (1 - eta) * gauss


def _profile_sum(tt, centres, areas, fwhm, eta, strong=1e-2, window=3.0):
    """Sum of unit-area pseudo-Voigt peaks on the grid *tt*.

    Peaks with area ≥ *strong* × the largest are evaluated on the whole grid (their
    Lorentzian tails matter on a log scale); weaker ones only within ±*window* degree.
    """
    big = areas >= strong * areas.max()
    out = (_pseudo_voigt(tt[:, None] - centres[big][None, :], fwhm[big][None, :], eta)
           * areas[big][None, :]).sum(axis=1)
    if np.any(~big):
        step = float(np.median(np.diff(tt)))
        half = max(int(window / step), 1)
        idx = np.searchsorted(tt, centres[~big])[:, None] + np.arange(-half, half + 1)[None, :]
        ok = (idx >= 0) & (idx < tt.size)
        idx_c = np.clip(idx, 0, tt.size - 1)
        vals = _pseudo_voigt(tt[idx_c] - centres[~big][:, None], fwhm[~big][:, None], eta)
        vals = np.where(ok, vals * areas[~big][:, None], 0.0)
        out += np.bincount(idx_c.ravel(), weights=vals.ravel(), minlength=tt.size)
    return out


def _check_grid(two_theta_deg):
    if two_theta_deg is None:
        return np.round(np.arange(TWO_THETA_RANGE[0], TWO_THETA_RANGE[1] + 1e-9, 0.02), 4)
    tt = increasing_grid(two_theta_deg, "two_theta_deg", 0, 180, "degree")
    if tt[0] <= 0 or tt[-1] >= 180:
        msg = f"two_theta_deg must lie strictly inside (0, 180) degree; got {tt[0]:g}…{tt[-1]:g}"
        raise ValueError(msg)
    return tt


def film_xrd(n, two_theta_deg=None, pset: ParameterSet | None = None) -> xr.Dataset:
    """Simulated Cu Kα1 XRD pattern of one film.

    Parameters
    ----------
    n : int or str
        Dimensionality, one of ``1 … 5, "inf"``.
    two_theta_deg : array, degree, optional
        Strictly increasing 2θ grid; default 3–50° in 0.02° steps.
    pset : ParameterSet, optional
        Structure parameters (default: data/).

    Returns
    -------
    xarray.Dataset
        Dim ``two_theta`` (degree) with ``xrd_intensity`` (normalised to the strongest
        point, plus a constant floor for log display); dim ``reflection`` with
        ``reflection_two_theta`` (degree), ``reflection_d_spacing`` (angstrom),
        ``reflection_hkl`` and ``reflection_phase`` (strings), ``reflection_intensity``
        (integrated, relative to the strongest reflection of the film),
        ``reflection_is_00l`` and ``reflection_is_h00`` (0/1 flags); scalars
        ``xrd_00l_fraction`` and ``xrd_h00_fraction`` (shares of the integrated intensity)
        and ``xrd_crystallite_size`` (nm).

    Raises
    ------
    ValueError
        For an unsupported *n* or a bad grid.

    Examples
    --------
    >>> ds = film_xrd(1)
    >>> str(ds["reflection_hkl"].values[np.argmax(ds["reflection_intensity"].values)])
    '(001)'
    """
    label = parse_n(n)
    tt = _check_grid(two_theta_deg)
    pset = pset or default_parameters()
    p = _p(pset)
    lam = float(p["wavelength_cu_ka1"])
    tt_max = float(min(tt[-1] + 2.0, 2 * math.degrees(math.asin(0.999))))
    fractions = phase_distribution(label, pset)
    vol = {k: f * volume_per_pb(k, pset) for k, f in fractions.items() if f > 0}
    vtot = sum(vol.values())
    parts = {k: [] for k in ("two_theta", "d", "hkl", "phase", "intensity", "is00l", "ish00")}
    for ph, v in vol.items():
        r = _phase_reflections(ph, round(tt_max, 6), pset)
        nref = len(r["two_theta"])
        parts["two_theta"].append(r["two_theta"])
        parts["d"].append(r["d"])
        parts["hkl"].append(r["hkl"])
        parts["phase"].append(np.full(nref, ph, dtype=object))
        parts["intensity"].append(v / vtot * r["intensity"])
        parts["is00l"].append(r["special"] & (ph != PHASE_3D))
        parts["ish00"].append(r["special"] & (ph == PHASE_3D))
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    cat["intensity"] = cat["intensity"] / cat["intensity"].max()
    order = np.lexsort((cat["phase"].astype(str), cat["two_theta"]))
    keep = order[cat["intensity"][order] > 1e-5]
    cat = {k: v[keep] for k, v in cat.items()}
    ref_tt, ref_i = cat["two_theta"], cat["intensity"]
    # profile: pseudo-Voigt with Scherrer width, unit area
    size_a = float(p["xrd_crystallite_size"]) * 10.0
    theta = np.radians(ref_tt / 2)
    fwhm = np.degrees(float(p["scherrer_constant"]) * lam / (size_a * np.cos(theta)))
    eta = float(p["xrd_pseudo_voigt_eta"])
    pattern = _profile_sum(tt, ref_tt, ref_i, fwhm, eta)
    pattern = pattern / pattern.max() + float(p["xrd_intensity_floor"])
    in_window = (ref_tt >= tt[0]) & (ref_tt <= tt[-1])
    total = ref_i[in_window].sum()
    is00l, ish00 = cat["is00l"], cat["ish00"]
    frac00l = float(ref_i[in_window & is00l].sum() / total)
    frach00 = float(ref_i[in_window & ish00].sum() / total)
    ds = xr.Dataset(
        {
            "xrd_intensity": ("two_theta", pattern, {
                "units": "1", "long_name": "XRD intensity (Cu Kα1, normalised)"}),
            "reflection_two_theta": ("reflection", ref_tt, {
                "units": "degree", "long_name": "Bragg angle 2θ of the reflection"}),
            "reflection_d_spacing": ("reflection", cat["d"], {
                "units": "angstrom", "long_name": "lattice-plane spacing of the reflection"}),
            "reflection_hkl": ("reflection", cat["hkl"].astype(object), {
                "long_name": "Miller indices of the reflection family"}),
            "reflection_phase": ("reflection", cat["phase"], {
                "long_name": "phase of the reflection (layer number m, or 3D)"}),
            "reflection_intensity": ("reflection", ref_i, {
                "units": "1", "long_name": "integrated intensity relative to the strongest reflection"}),
            "reflection_is_00l": ("reflection", is00l.astype("int8"), {
                "units": "1", "long_name": "1 if a (00l) reflection of a layered phase"}),
            "reflection_is_h00": ("reflection", ish00.astype("int8"), {
                "units": "1", "long_name": "1 if an (h00) reflection of cubic MAPbBr3"}),
            "xrd_00l_fraction": ((), frac00l, {
                "units": "1", "long_name": "share of integrated XRD intensity in (00l) reflections"}),
            "xrd_h00_fraction": ((), frach00, {
                "units": "1", "long_name": "share of integrated XRD intensity in cubic (h00) reflections"}),
            "xrd_crystallite_size": ((), float(p["xrd_crystallite_size"]), {
                "units": "nm", "long_name": "crystallite size used for the Scherrer width"}),
        },
        coords={"two_theta": ("two_theta", tt, {"units": "degree", "long_name": "diffraction angle 2θ"}),
                "reflection": ("reflection", np.arange(len(ref_tt)), {
                    "units": "1", "long_name": "reflection index"})},
        attrs={"xrd_model": "structure-factor simulation, analysis.physics.structure", "dimensionality": label},
    )
    log.debug("film_xrd(%s): %d reflections", label, len(ref_tt))
    return ds


def xrd_peaks(ds: xr.Dataset, prominence: float = 0.005) -> np.ndarray:
    """Positions of the resolved peaks of a simulated pattern.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`film_xrd` (or a Dataset holding ``xrd_intensity`` over ``two_theta``).
    prominence : float, 1
        Minimum peak prominence relative to the strongest point.

    Returns
    -------
    ndarray, degree
    """
    from scipy.signal import find_peaks
    if not 0 < prominence < 1:
        msg = f"prominence={prominence!r} must be in (0, 1) (fraction of the strongest peak)"
        raise ValueError(msg)
    y = np.asarray(ds["xrd_intensity"].values, dtype=float)
    idx, _ = find_peaks(y / y.max(), prominence=prominence)
    return np.asarray(ds["two_theta"].values)[idx]


def inorganic_fraction(n, pset: ParameterSet | None = None) -> float:
    """Volume fraction of the Pb–Br slabs in the layered film, from the structure parameters.

    ``f = n a_pc / (n a_pc + d_PEA)`` with the octahedral layer spacing ``a_pc`` and the PEA
    bilayer thickness ``d_PEA``; ``f = 1`` for 3D MAPbBr3.
    """
    nn = n_numeric(n)
    if np.isinf(nn):
        return 1.0
    s = (pset or default_parameters()).topic("structure")
    a = float(s["a_pseudocubic_layer"])
    d = float(s["pea_bilayer_thickness"])
    return nn * a / (nn * a + d)



__all__ = ["PHASE_3D", "N_VALUES", "inorganic_fraction", "phase_labels", "largest_layered_phase", "layer_spacing",
           "bragg_two_theta", "phase_distribution", "volume_per_pb", "film_xrd", "xrd_peaks"]
