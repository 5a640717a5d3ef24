"""One metrics function per figure: what the claims ledger checks, from the simulated Datasets.

Every claim of ``data/paper/claims/*.yaml`` names a metric ``<stage>:<name>``. The figure
notebooks write these metrics (``results/metrics/<stage>.json``) and the robustness sweep
recomputes them for each parameter set; both call the functions below, so a metric has one
definition. Each takes the per-film Datasets of :func:`analysis.physics.protocols.simulate_device`
(label -> Dataset, ordered by n; the sweep simulates only the variables these functions read)
and returns a JSON-able dict.

==========================  =================================================================
:func:`fig3_metrics`        EPSC, PPF, SFDP, SVDP, SDDP, SNDP (Fig. 3, S5–S7)
:func:`fig4_metrics`        forgetting after the rehearsals, Table 2 b and m (Fig. 4b, S8)
:func:`fig5_metrics`        Arrhenius E_A and the b, m fits per film (Fig. 5b, Table 2)
:func:`figS1_metrics`       I–V hysteresis and monostability (Fig. S1)
:func:`figS11_device_metrics`  nonlinearity and states of the P/D curve (Fig. S11a)
==========================  =================================================================

The Fig. 2 metrics are :func:`analysis.physics.optics.fig2_metrics` and the Fig. 6 metrics
:func:`analysis.evidence.energy_audit.fig6_metrics` (they need the optics model and the paper's
energy statements); the same rule holds for them: notebook and sweep call that one function.
"""
from __future__ import annotations

import numpy as np

from analysis.parameters import ParameterSet
from analysis.physics import protocols

PA = 1e12
"""Picoamperes per ampere (a current in A times PA is in pA)."""


def fig3_metrics(films: dict, ppf_fits: dict | None = None) -> dict:
    """Fig. 3 and S5–S7.

    Parameters
    ----------
    films : dict
        label -> Dataset with ``ppf_index``, ``sfdp_index``, ``svdp_index``, ``sddp_index``,
        ``sndp_index``, ``epsc_peak_current`` and ``base_current``.
    ppf_fits : dict, optional
        label -> :func:`analysis.physics.fits.fit_ppf` result; adds ``ppf_tau1_s``, ``ppf_tau2_s``.

    Returns
    -------
    dict
        ``ppf_index`` (list per film, over the intervals), ``ppf_min``, ``sfdp_index``,
        ``svdp_index``, ``sddp_index``, ``sndp_index`` (lists), ``epsc_peak_pA``,
        ``base_current_pA`` (magnitudes), ``epsc_gain`` (peak over pristine current).
    """
    order = list(films)
    out = {"ppf_index": {n: films[n]["ppf_index"].values.tolist() for n in order},
           "ppf_min": {n: float(films[n]["ppf_index"].min()) for n in order}}
    if ppf_fits is not None:
        out["ppf_tau1_s"] = {n: ppf_fits[n]["tau1_s"] for n in order}
        out["ppf_tau2_s"] = {n: ppf_fits[n]["tau2_s"] for n in order}
    for key in ("sfdp_index", "svdp_index", "sddp_index", "sndp_index"):
        out[key] = {n: films[n][key].values.tolist() for n in order}
    out["epsc_peak_pA"] = {n: abs(float(films[n]["epsc_peak_current"])) * PA for n in order}
    out["base_current_pA"] = {n: abs(float(films[n]["base_current"])) * PA for n in order}
    out["epsc_gain"] = {n: float(films[n]["epsc_peak_current"] / films[n]["base_current"]) for n in order}
    return out


def retention_fits(films: dict, pset: ParameterSet | None = None) -> dict:
    """label -> power-law fit (:func:`analysis.physics.protocols.fit_retention`) of the decay
    after the last rehearsal (Fig. 4b)."""
    last = int(protocols.protocol_values(pset)["retention_pulses"])
    out = {}
    for n, ds in films.items():
        sel = ds.sel(rehearsal=last)
        out[n] = protocols.fit_retention(sel["retention_time"], sel["retention_weight"], pset)
    return out


def fig4_metrics(films: dict, pset: ParameterSet | None = None, fits: dict | None = None) -> dict:
    """Fig. 4b and S8: ``power_law_b``, ``power_law_m``, ``power_law_at_bound``,
    ``retained_weight_15s`` (y at the end of the window after the last rehearsal),
    ``retention_vs_rehearsal`` (y there after each rehearsal count), ``rehearsals`` and
    ``m_ratio_to_3d`` (m(n)/m(∞), when ∞ is among the films).

    *fits*: :func:`retention_fits` of *films* if already computed.
    """
    order = list(films)
    fit = retention_fits(films, pset) if fits is None else fits
    last = int(protocols.protocol_values(pset)["retention_pulses"])
    t_end = float(films[order[0]]["retention_time"][-1])
    out = {
        "power_law_b": {n: fit[n]["b"] for n in order},
        "power_law_m": {n: fit[n]["m"] for n in order},
        "power_law_at_bound": {n: fit[n].any_at_bound for n in order},
        "retained_weight_15s": {n: float(films[n]["retention_weight"].sel(rehearsal=last)
                                         .sel(retention_time=t_end)) for n in order},
        "retention_vs_rehearsal": {n: [float(films[n]["retention_weight"].sel(rehearsal=k).sel(retention_time=t_end))
                                       for k in films[n]["rehearsal"].values] for n in order},
        "rehearsals": [int(k) for k in films[order[0]]["rehearsal"].values],
    }
    if "inf" in fit:
        out["m_ratio_to_3d"] = {n: fit[n]["m"] / fit["inf"]["m"] for n in order}
    return out


def arrhenius_fits(films: dict, pset: ParameterSet | None = None) -> dict:
    """label -> Arrhenius fit (:func:`analysis.physics.protocols.fit_activation`) of R(T)."""
    return {n: protocols.fit_activation(ds["arrhenius_temperature"], ds["arrhenius_resistance"], pset)
            for n, ds in films.items()}


def fig5_metrics(films: dict, pset: ParameterSet | None = None, arrhenius: dict | None = None,
                 retention: dict | None = None) -> dict:
    """Fig. 5b and Table 2: ``ea_eV``, ``table2_b``, ``table2_m``, ``arrhenius_at_bound``."""
    arr = arrhenius_fits(films, pset) if arrhenius is None else arrhenius
    ret = retention_fits(films, pset) if retention is None else retention
    return {"ea_eV": {n: arr[n]["ea_eV"] for n in films},
            "table2_b": {n: ret[n]["b"] for n in films},
            "table2_m": {n: ret[n]["m"] for n in films},
            "arrhenius_at_bound": {n: arr[n].any_at_bound for n in films}}


def hysteresis_ratio(ds) -> float:
    """Largest ratio of the return branch's |I| to the forward branch's at the same negative
    voltage of the I–V sweep (> 1: hysteresis)."""
    v = ds["iv_voltage"].values
    i = np.abs(ds["iv_current"].values)
    half = v.size // 2
    neg_v, neg_i = v[:half], i[:half]
    k = int(np.argmin(neg_v))
    fwd = dict(zip(np.round(neg_v[:k], 6), neg_i[:k]))
    ratios = [ret / fwd[vv] for vv, ret in zip(np.round(neg_v[k + 1:], 6), neg_i[k + 1:])
              if vv in fwd and fwd[vv] > 0 and vv != 0]
    return float(max(ratios))


MONOSTABLE_DEVIATION = 1e-6
"""Relative conductance change left after relaxation below which a device is monostable."""


def figS1_metrics(films: dict) -> dict:
    """Fig. S1: ``iv_hysteresis_ratio``, ``iv_relaxed_deviation``, ``iv_monostable`` (deviation
    < :data:`MONOSTABLE_DEVIATION`) and ``iv_monostable_all``."""
    order = list(films)
    out = {"iv_hysteresis_ratio": {n: hysteresis_ratio(films[n]) for n in order},
           "iv_relaxed_deviation": {n: float(films[n]["iv_relaxed_deviation"]) for n in order}}
    out["iv_monostable"] = {n: bool(out["iv_relaxed_deviation"][n] < MONOSTABLE_DEVIATION) for n in order}
    out["iv_monostable_all"] = all(out["iv_monostable"].values())
    return out


def figS11_device_metrics(analysis: dict) -> dict:
    """Fig. S11a device-curve claims from an :func:`analysis.learning.pd_curves.analyse_pd`
    result: ``nonlinearity_abs_max``, ``almost_linear``, ``distinct_states_min``."""
    return {"nonlinearity_abs_max": analysis["nonlinearity_abs_max"],
            "almost_linear": analysis["almost_linear"],
            "distinct_states_min": min(analysis["states_potentiation"], analysis["states_depression"])}


__all__ = ["fig3_metrics", "fig4_metrics", "fig5_metrics",
           "figS1_metrics", "figS11_device_metrics", "retention_fits", "arrhenius_fits",
           "hysteresis_ratio", "MONOSTABLE_DEVIATION"]
