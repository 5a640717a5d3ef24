"""One metrics function per figure: what the claims ledger checks, from the simulated Datasets.

Every claim of ``data/paper/claims/*.yaml`` names a metric ``<stage>:<name>``. The figure
notebooks write these metrics (``results/metrics/<stage>.json``) and the robustness sweep
recomputes them for each parameter set; both call the functions below, so a metric has one
definition. Each takes the per-film Datasets of :func:`analysis.physics.simulation.simulate_device`
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

import math

from analysis.parameters import ParameterSet, default_parameters
from analysis.physics import measurement, protocols

PA = 1e12
"""Picoamperes per ampere (a current in A times PA is in pA)."""


def _choices(pset: ParameterSet | None) -> dict:
    return (pset or default_parameters()).topic("analysis")


PPF_STATISTICS = {"minimum": min, "maximum": max,
                  "mean": lambda v: math.fsum(v) / len(v), "at_shortest_interval": lambda v: v[0]}
"""The A2/A1 statistic "PPF > 1" is judged on (analysis choice ``ppf_statistic``; the intervals
are in increasing order, so the first is the shortest, 20 ms)."""


def _reads(name: str) -> int:
    r = measurement.model()["reads_per_effect"]["value"]
    return int(r.get(name, r["default"]))


def detection_threshold(current_A, family: str, reads: int, pset: ParameterSet | None = None) -> float:
    """The measurement model's detection threshold [1] of an effect on a read of *current_A*
    (:func:`analysis.physics.measurement.threshold`), or NaN where the model does not say what a
    read resolves — a current beyond every instrument range (a second device model's currents
    that are not on the paper's scale): the claim judged against it is then not evaluated
    (:data:`analysis.evidence.claims.UNKNOWN_THRESHOLD`), never decided."""
    try:
        return measurement.threshold(abs(float(current_A)), family, reads, pset)
    except measurement.BeyondInstruments:
        return math.nan


def fig3_metrics(films: dict, ppf_fits: dict | None = None, pset: ParameterSet | None = None) -> dict:
    """Fig. 3 and S5–S7.

    Parameters
    ----------
    films : dict
        label -> Dataset with ``ppf_index``, ``sfdp_index``, ``svdp_index``, ``sddp_index``,
        ``sndp_index``, ``epsc_peak_current`` and ``base_current``, and the currents the
        detection thresholds are computed at: ``ppf_a1`` (first response of each pair),
        ``sfdp_current`` (frequency × pulse), ``svdp_current``, ``sddp_current``, ``sndp_current``.
    ppf_fits : dict, optional
        label -> :func:`analysis.physics.fits.fit_ppf` result; adds ``ppf_tau1_s``, ``ppf_tau2_s``.

    Returns
    -------
    dict
        ``ppf_index`` (list per film, over the intervals), ``ppf_min``, ``sfdp_index``,
        ``svdp_index``, ``sddp_index``, ``sndp_index`` (lists), ``epsc_peak_pA``,
        ``base_current_pA`` (magnitudes), ``epsc_gain`` (peak over pristine current); under the
        analysis choices of *pset* (default: their defaults): ``ppf_statistic_value`` (the A2/A1
        statistic of ``ppf_statistic``) and the detection thresholds of the trends, from the read
        noise of :mod:`analysis.physics.measurement` and each film's reference current
        (``ppf_threshold``, ``ppf_trend_threshold``, ``sfdp_threshold``, ``svdp_threshold``,
        ``sddp_threshold``, ``sndp_threshold``; ``base_current_step_thresholds`` and
        ``epsc_peak_step_thresholds``, one per step between successive films).
    """
    order = list(films)
    choice = _choices(pset)
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
    stat = PPF_STATISTICS[choice["ppf_statistic"]]
    out["ppf_statistic_value"] = {n: float(stat(out["ppf_index"][n])) for n in order}

    def thr(current, family, reads):
        return detection_threshold(current, family, reads, pset)

    a1 = {n: float(films[n]["ppf_a1"].values[0]) for n in order}
    out["ppf_threshold"] = {n: thr(a1[n], "pulse_reads", _reads("ppf_above_one")) for n in order}
    out["ppf_trend_threshold"] = {n: thr(a1[n], "pulse_reads", _reads("ppf_decreasing")) for n in order}
    out["sfdp_threshold"] = {n: thr(films[n]["sfdp_current"].values[0, 0], "pulse_reads",
                                    _reads("sfdp_increasing")) for n in order}
    for key in ("svdp", "sddp", "sndp"):
        out[f"{key}_threshold"] = {n: thr(films[n][f"{key}_current"].values[0], "pulse_reads",
                                          _reads(f"{key}_increasing")) for n in order}
    for name, var, family in (("base_current", "base_current", "steady_reads"),
                              ("epsc_peak", "epsc_peak_current", "pulse_reads")):
        out[f"{name}_step_thresholds"] = [thr(films[a][var], family, _reads("between_films"))
                                          for a in order[:-1]]
    return out


def retention_fits(films: dict, pset: ParameterSet | None = None) -> dict:
    """label -> power-law fit (:func:`analysis.physics.protocols.fit_retention`) of the decay
    after the last rehearsal (Fig. 4b)."""
    last = int(protocols.protocol_values(pset)["retention_pulses"])
    out = {}
    for n, ds in films.items():
        sel = ds.sel(rehearsal=last)
        out[n] = protocols.fit_retention(sel["retention_time"], sel["retention_weight"], pset,
                                         current_A=sel["retention_current"])
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
    out.update(retention_judged(films, pset))
    return out


def retention_judged(films: dict, pset: ParameterSet | None = None) -> dict:
    """The retention claims under the analysis choices of *pset*: the weight after the last
    rehearsal at ``retention_evaluation_time`` (``retained_weight_at_evaluation``), the STP→LTP
    sequence over ``stp_ltp_rehearsals`` by ``stp_ltp_criterion`` (``stp_ltp_sequence``: the
    retained weights, or minus the power-law rate m fitted after each count, so that a transition
    is an increase either way) with its per-step detection thresholds
    (``stp_ltp_step_thresholds``: from the read noise at I0 for weights, 2 × the standard error of
    the difference of two fitted rates for m), and the threshold below which a retained weight
    is unnoticeable (``retention_detection_threshold``).
    """
    choice = _choices(pset)
    pv = protocols.protocol_values(pset)
    last = int(pv["retention_pulses"])
    t_eval = float(choice["retention_evaluation_time"])
    counts = [int(k) for k in str(choice["stp_ltp_rehearsals"]).split(",")]
    k_cov = float(measurement.model()["coverage_factor"]["value"])
    out = {k: {} for k in ("retained_weight_at_evaluation", "stp_ltp_sequence", "stp_ltp_step_thresholds",
                           "retention_detection_threshold")}
    for n, ds in films.items():
        times = ds["retention_time"].values
        t_near = float(times[int(abs(times - t_eval).argmin())])
        y = ds["retention_weight"].sel(retention_time=t_near)
        current = ds["retention_current"].sel(retention_time=t_near)
        i0 = abs(float(current.sel(rehearsal=last)) / (1.0 + float(y.sel(rehearsal=last))))
        noise = detection_threshold(i0, "retention_reads", _reads("stp_to_ltp"), pset)
        out["retained_weight_at_evaluation"][n] = float(y.sel(rehearsal=last))
        out["retention_detection_threshold"][n] = detection_threshold(
            i0, "retention_reads", _reads("negligible_retention"), pset)
        if choice["stp_ltp_criterion"] == "retained_weight_rises":
            out["stp_ltp_sequence"][n] = [float(y.sel(rehearsal=k)) for k in counts]
            out["stp_ltp_step_thresholds"][n] = [noise] * (len(counts) - 1)
        else:
            fits = []
            for k in counts:
                sel = ds.sel(rehearsal=k)
                try:
                    fits.append(protocols.fit_retention(sel["retention_time"], sel["retention_weight"], pset,
                                                        current_A=sel["retention_current"]))
                except ValueError:
                    fits.append(None)
            out["stp_ltp_sequence"][n] = [-f["m"] if f else math.nan for f in fits]
            out["stp_ltp_step_thresholds"][n] = [
                k_cov * math.hypot(a.errors["m"], b.errors["m"]) if a and b else math.inf
                for a, b in zip(fits, fits[1:])]
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


def fig2_metrics(films: dict, pset: ParameterSet | None = None) -> dict:
    """Fig. 2, Tables 1 and S1: the optics and XRD metrics (:func:`analysis.physics.optics.fig2_metrics`)
    and the statements judged under the analysis choices of *pset* (:func:`fig2_judged`)."""
    from analysis.physics import optics
    return {**optics.fig2_metrics(films, pset), **fig2_judged(films, pset)}


QUASI_2D = ("2", "3", "4", "5")


def fig2_judged(films: dict, pset: ParameterSet | None = None) -> dict:
    """Fig. 2 statements under the analysis choices of *pset*:

    ``quasi2d_all_show_432_450_judged`` / ``absorption_top2_are_n12_all_judged`` (absorption
    maxima of relative prominence ``absorption_feature_prominence`` within
    ``feature_match_window`` of 432 and 450 nm / of the n = 1, 2 phase peaks, for every quasi-2D
    film); ``absorption_n12_dominance`` (how far the n = 1, 2 domains' share of the absorbance of
    the quasi-2D films is "dominant", ``dominance_criterion``: majority, share − 1/2; plurality,
    share − the largest other phase's share; the smallest over the films; > 0 dominant);
    ``pl_colour_judged`` (the PL hue with the ``pl_visibility_threshold`` and the blue/green
    boundary ``pl_hue_boundary``); ``optical_gap_eV_judged`` (the absorption onset at
    ``optical_gap_onset_fraction`` of the maximum, on each film's simulated spectrum);
    ``xrd_quasi2d_extra_peaks_judged`` (more XRD peaks of prominence ``xrd_peak_prominence`` in
    every quasi-2D film than in the 2D film); ``xrd_00l_dominance`` (2D film) and
    ``xrd_h00_dominance`` (3D film): majority, share − 1/2; plurality, +1 if the strongest
    reflection is of the series, else −1. Statements that need films the run lacks are left out.
    """
    import numpy as np

    from analysis.physics import colour, optics
    from analysis.physics.structure import xrd_peaks
    choice = _choices(pset)
    prom, window = float(choice["absorption_feature_prominence"]), float(choice["feature_match_window"])
    order = list(films)
    quasi = [n for n in QUASI_2D if n in films]
    out = {}
    peaks = optics.phase_peak_nm(pset=pset)
    feats = {n: optics.absorption_features(films[n]["wavelength"].values, films[n]["absorbance"].values, prom)
             for n in order}

    def near(lam, target):
        return bool(len(lam)) and float(np.min(np.abs(lam - target))) <= window

    def top2_are_n12(n):
        lam, height = feats[n]
        if len(lam) < 2:
            return False
        top = lam[np.argsort(height)[::-1][:2]]
        return all(any(abs(t - peaks[m]) <= window for t in top) for m in ("1", "2"))

    def n12_dominance(n):
        pa = films[n]["phase_absorbance"].sel(wavelength=slice(380, 600)).sum("wavelength")
        tot = float(pa.sum())
        if tot <= 0:
            return -1.0
        share = {str(ph): float(v) / tot for ph, v in zip(pa["phase"].values, pa.values)}
        n12 = share.get("1", 0.0) + share.get("2", 0.0)
        if choice["dominance_criterion"] == "majority":
            return n12 - 0.5
        return n12 - max((v for ph, v in share.items() if ph not in ("1", "2")), default=0.0)

    if set(QUASI_2D) <= set(films):
        out["quasi2d_all_show_432_450_judged"] = all(near(feats[n][0], 432) and near(feats[n][0], 450) for n in quasi)
        out["absorption_top2_are_n12_all_judged"] = all(top2_are_n12(n) for n in quasi)
        out["absorption_n12_dominance"] = min(n12_dominance(n) for n in quasi)
    visible, boundary = float(choice["pl_visibility_threshold"]), float(choice["pl_hue_boundary"])

    def pl_colour(ds):
        if float(ds["pl_intensity"]) < visible:
            return "none"
        dom = float(ds["pl_dominant_wavelength_nm"])
        if np.isfinite(dom) and dom < boundary:
            return "blue"
        name = colour.hue_name(dom)
        return "green" if name == "blue" else name

    out["pl_colour_judged"] = {n: pl_colour(films[n]) for n in order}
    onset = float(choice["optical_gap_onset_fraction"])

    def gap(ds):
        lam = ds["wavelength"].values
        a = ds["absorbance"].values
        e = optics.HC_EV_NM / lam[::-1]
        a = a[::-1]
        i = int(np.argmax(a >= onset * a.max()))
        return float(e[0]) if i == 0 else float(np.interp(onset * a.max(), a[i - 1:i + 1], e[i - 1:i + 1]))

    out["optical_gap_eV_judged"] = {n: gap(films[n]) for n in order}
    if "1" in films and set(QUASI_2D) <= set(films):
        xprom = float(choice["xrd_peak_prominence"])
        counts = {n: int(len(xrd_peaks(films[n], xprom))) for n in ["1", *QUASI_2D]}
        out["xrd_quasi2d_extra_peaks_judged"] = all(counts[n] > counts["1"] for n in QUASI_2D)

    def series_dominance(ds, share_var, flag_var):
        if choice["dominance_criterion"] == "majority":
            return float(ds[share_var]) - 0.5
        i = int(np.argmax(ds["reflection_intensity"].values))
        return 1.0 if int(ds[flag_var].values[i]) == 1 else -1.0

    if "1" in films:
        out["xrd_00l_dominance"] = series_dominance(films["1"], "xrd_00l_fraction", "reflection_is_00l")
    if "inf" in films:
        out["xrd_h00_dominance"] = series_dominance(films["inf"], "xrd_h00_fraction", "reflection_is_h00")
    return out


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


__all__ = ["detection_threshold", "fig2_metrics", "fig2_judged", "retention_judged", "fig3_metrics", "fig4_metrics", "fig5_metrics",
           "figS1_metrics", "figS11_device_metrics", "retention_fits", "arrhenius_fits",
           "hysteresis_ratio", "MONOSTABLE_DEVIATION"]
