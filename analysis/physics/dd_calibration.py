"""Calibration of the drift–diffusion model to Table 2 (b, m, E_A) for every film.

The two experiments are those of :mod:`analysis.physics.table2`, run by the generic protocol
engine (:mod:`analysis.physics.protocols`) on the device through the Synapse interface:

* retention: 30 rehearsals (−1 V, 20 ms, gap 0.18 s) of the pristine device
  (:func:`~analysis.physics.protocols.retention`), reads every 50 ms from 0.05 s to 15 s after
  the last spike; the synaptic weight at the retention read voltage (−0.1 V, where the
  paper reads Fig. 4b; this model's weight depends on the read voltage) is fitted with
  ``y = b t^−m`` over 0.05–15 s (:func:`~analysis.physics.protocols.fit_retention`);
* R(T): the pristine device at 180–340 K, ``R = V/I`` at −0.01 V
  (:func:`~analysis.physics.protocols.resistance_vs_temperature`); Arrhenius fit
  ``ln R = ln R0 + E_A/kT`` over 250–340 K (:func:`~analysis.physics.protocols.fit_activation`).

Free parameters and their targets (:data:`~analysis.physics.driftdiffusion.FREE_PARAMETERS`):

=====================  ===========================================================  ======
parameter              what it sets                                                 target
=====================  ===========================================================  ======
``ea_eV``              vacancy diffusivity D(T), hence the pristine ionic           E_A
                       conductance's Arrhenius slope
``dispersion``         α = kT_ref/E_t of the trap-barrier distribution: how fast    m
                       the trapped dipole left by the rehearsals dies away
``gating_length_nm``   d_s: how strongly the interfacial field of that dipole       b
                       lowers the injection barrier
=====================  ===========================================================  ======

Search (deterministic, Brent's method on brackets found by fixed steps): (1) E_a from the
R(T) fit alone (no pulse simulation: the pristine state is analytic); (2) an outer root search
over α; for each α ONE retention simulation gives the states (they do not depend on d_s, which
enters only the read), and an inner root search over ln d_s on those states matches b; the
outer search matches m; (3) E_a is re-solved with the calibrated d_s (the read-field term of
the −0.01 V read depends weakly on d_s) and (2) repeated until E_a moves by < 1e-6 eV.
A warm start (:func:`warm_starts`, ``--start FILE``; the quick profile starts from the reference
calibration) begins each film at a stored solution for the same Table 2 target and brackets α
with steps growing from 1e-4: the same search to the same tolerances, fewer retention
simulations (quick mesh, six films: 57 instead of 79), a result within the tolerances of the
cold start's; a film without such a solution starts cold.
``python -m analysis.physics.dd_calibration --output FILE`` writes the calibration; the
reference calibration is data/reference/calibration/driftdiffusion.yaml (as the multi-trap
model's: the library default, regenerated on purpose).
"""
from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from scipy.optimize import brentq

from analysis.parameters import ParameterSet, data_dir
from analysis.parameters import default_parameters as default_parameter_set
from analysis.physics import driftdiffusion as dd
from analysis.physics import protocols
from analysis.physics.dimensionality import N_VALUES, parse_n

log = logging.getLogger(__name__)

TOLERANCES = {"b": 0.10, "m": 0.05, "Ea": 0.005}
"""Acceptance of the calibration: b and m relative, E_A absolute [eV] (the brief of issue 19)."""


# --------------------------------------------------------------------------- the experiments
def retention_experiment(device, n_rehearsals: int | None = None):
    """States after the last of *n_rehearsals* spikes (default 30), at the retention reads.

    Returns
    -------
    times : numpy.ndarray, s
        Read times after the end of the last spike.
    states : numpy.ndarray
        Device states at those times, shape (T, S).
    """
    pv = protocols.protocol_values(device.pset)
    reps = pv["retention_pulses"] if n_rehearsals is None else int(n_rehearsals)
    t = protocols.retention_times(device.pset)
    return t, protocols.retention(device, [reps], t)[0]


def retention_weight(device, states) -> np.ndarray:
    """``y = I/I0 − 1`` at the retention read voltage (−0.1 V), I0 of the pristine device."""
    vr = protocols.protocol_values(device.pset)["retention_read_voltage_V"]
    return np.asarray(device.synaptic_weight(states, vr))


def resistance_experiment(device):
    """Temperatures [K] and resistances [ohm] of the pristine device at −0.01 V (Fig. 5b)."""
    temps = protocols.arrhenius_temperatures(device.pset)
    return temps, protocols.resistance_vs_temperature(device, temps)


def table2_row(device) -> dict:
    """``{"b", "m", "Ea"}`` from the analysis of the two simulated experiments."""
    t, states = retention_experiment(device)
    pl = protocols.fit_retention(t, retention_weight(device, states), device.pset)
    temps, r = resistance_experiment(device)
    ar = protocols.fit_activation(temps, r, device.pset)
    return {"b": pl["b"], "m": pl["m"], "Ea": ar["ea_eV"]}


# --------------------------------------------------------------------------- targets
def targets(n, pset: ParameterSet | None = None) -> dict:
    """Table 2 row of film *n* (the paper values of *pset*, default data/)."""
    pset = default_parameter_set() if pset is None else pset
    row = pset.paper()["table2"]["value"][parse_n(n)]
    return {"b": float(row["b"]), "m": float(row["m"]), "Ea": float(row["Ea"])}


def _bounds(name):
    p = {q.name: q for q in dd.FREE_PARAMETERS}[name]
    return p.lower, p.upper


class CalibrationError(ValueError):
    """A film the model cannot calibrate (the message says why)."""


def _check_target(target) -> dict:
    """The caller's ``{"b", "m", "Ea"}`` as floats (finite, > 0)."""
    missing = sorted({"b", "m", "Ea"} - set(target))
    if missing:
        raise ValueError(f"target lacks {', '.join(missing)}; expected keys b, m, Ea")
    out = {k: float(target[k]) for k in ("b", "m", "Ea")}
    for key, v in out.items():
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"target {key}={target[key]!r} must be finite and > 0")
    return out


# --------------------------------------------------------------------------- searches
def _ea_for(n, params, pset, free, target_ea):
    lo, hi = _bounds("ea_eV")

    def mismatch(ea):
        dev = dd.build_device(n, {**free, "ea_eV": ea}, params, pset=pset)
        temps, r = resistance_experiment(dev)
        return protocols.fit_activation(temps, r, pset)["ea_eV"] - target_ea

    flo, fhi = mismatch(lo), mismatch(hi)
    if flo * fhi > 0:
        raise CalibrationError(
            f"n={n}: E_A target {target_ea:g} eV not reached for ea_eV in [{lo:g}, {hi:g}] "
            f"(simulated E_A {flo + target_ea:.4g} ... {fhi + target_ea:.4g} eV)")
    return brentq(mismatch, lo, hi, xtol=1e-9, rtol=1e-12)


def _fit_b_m(device, t, states):
    f = protocols.fit_retention(t, retention_weight(device, states), device.pset)
    return f["b"], f["m"]


def _gating_for_b(n, params, pset, free, t, states, target_b):
    """ln d_s matching b on fixed states; returns (d_s, b, m)."""
    d_lo, d_hi = _bounds("gating_length_nm")
    lo, hi = math.log(d_lo), math.log(d_hi)

    def b_of(lnd):
        d = min(max(math.exp(lnd), d_lo), d_hi)
        dev = dd.build_device(n, {**free, "gating_length_nm": d}, params, pset=pset)
        return _fit_b_m(dev, t, states)

    def mismatch(lnd):
        return math.log(max(b_of(lnd)[0], 1e-300)) - math.log(target_b)

    flo, fhi = mismatch(lo), mismatch(hi)
    if flo * fhi > 0:
        raise CalibrationError(
            f"n={n}: b target {target_b:g} not reached for gating_length_nm in "
            f"[{math.exp(lo):g}, {math.exp(hi):g}] at dispersion {free['dispersion']:g} "
            f"(simulated b {target_b * math.exp(flo):.3g} ... {target_b * math.exp(fhi):.3g})")
    lnd = brentq(mismatch, lo, hi, xtol=1e-10, rtol=1e-12)
    b, m = b_of(lnd)
    return min(max(math.exp(lnd), d_lo), d_hi), b, m


ALPHA_STEP = 0.5
"""Step of the bracket search over the dispersion parameter (m rises by about one per unit α)."""


WARM_STEP = 1e-4
"""First step of the bracket search over the dispersion from a warm start (a stored solution,
:func:`warm_starts`); the step then grows fourfold (:data:`WARM_GROWTH`) until the target is
bracketed. The quick mesh's root lies within 3e-4 of the full mesh's for every film, so two or
three steps bracket it; a start further off costs a few more steps, not another result."""

WARM_GROWTH = 4.0
"""Growth of the bracket step per step from a warm start (1: fixed steps, the cold search)."""


def _bracket_alpha(m_mismatch, start, a_lo, a_hi, label, tgt, step=ALPHA_STEP, growth=1.0):
    """A bracket [lo, hi] of the dispersion in which the b-matched m crosses the target.

    Steps outward from *start* by *step* (m grows with α), the step multiplied by *growth*
    after each step without a sign change and halved where b cannot be matched any more;
    stops at the bounds.
    """
    a = min(max(start, a_lo), a_hi)
    f = m_mismatch(a)
    if f == 0.0:
        return a, a
    direction = 1.0 if f < 0 else -1.0            # m too small -> larger α
    seen = [(a, f)]
    halvings = 0
    while True:
        b_ = min(max(a + direction * step, a_lo), a_hi)
        if b_ == a:
            ms = ", ".join(f"α={x:.4g}: m={y + tgt['m']:.4g}" for x, y in seen)
            raise CalibrationError(
                f"n={label}: m target {tgt['m']:g} not reached within dispersion [{a_lo:g}, {a_hi:g}] "
                f"with b matched ({ms})")
        try:
            fb = m_mismatch(b_)
        except CalibrationError as exc:
            if halvings < 6:
                step *= 0.5
                halvings += 1
                continue
            ms = ", ".join(f"α={x:.4g}: m={y + tgt['m']:.4g}" for x, y in seen)
            raise CalibrationError(
                f"n={label}: m target {tgt['m']:g} not reached before b becomes unreachable "
                f"({ms}; then {exc})") from exc
        seen.append((b_, fb))
        if f * fb <= 0:
            return (a, b_) if a < b_ else (b_, a)
        a, f = b_, fb
        step *= growth


def calibrate_film(n, target: dict | None = None, pset: ParameterSet | None = None,
                   start: dict | None = None, params: dd.DDParameters | None = None,
                   max_rounds: int = 4, warm: bool = False) -> dict:
    """Free values of film *n* whose simulated Table 2 row matches *target*.

    Parameters
    ----------
    n : str, int or float
        Film label.
    target : dict, optional
        ``{"b", "m", "Ea"}`` (default: the Table 2 row of *n*).
    pset : analysis.parameters.ParameterSet, optional
        Parameter set (default data/).
    start : dict, optional
        Start values of the free parameters (default :data:`~analysis.physics.driftdiffusion.START`,
        with the dispersion started at m − 0.5).
    params : DDParameters, optional
        The model's parameters (default: built from *pset*), e.g. with a coarser mesh.
    warm : bool
        *start* is a stored solution for this target (:func:`warm_starts`): the bracket search
        over the dispersion starts with :data:`WARM_STEP` and grows it by :data:`WARM_GROWTH`
        in every round, instead of the fixed :data:`ALPHA_STEP` (then 0.01) of a cold start.
        Fewer retention simulations; the root is the same to the search's tolerance (xtol 1e-6
        in α, 1e-10 in ln d_s), so the result differs from a cold start's only within it.

    Returns
    -------
    dict
        ``n``, ``free`` (the three values), ``target``, ``achieved``, ``residual``
        (achieved − target), ``within_tolerance`` (bool per quantity) and ``seconds``.

    Raises
    ------
    CalibrationError
        When a target cannot be reached within the bounds of the free parameters (a
        ValueError, as the SynapseModel interface asks).
    """
    t_start = time.perf_counter()
    label = parse_n(n)
    pset = default_parameter_set() if pset is None else pset
    params = dd.parameters_from_pset(pset) if params is None else params
    tgt = targets(label, pset) if target is None else _check_target(target)
    free = dict(dd.START)
    free["dispersion"] = tgt["m"] - 0.5             # m ≈ 0.5 + α (a start, not a model)
    if start:
        free.update({k: float(v) for k, v in dd.check_free({**free, **start}).items()})
    a_lo, a_hi = _bounds("dispersion")
    free["ea_eV"] = _ea_for(label, params, pset, free, tgt["Ea"])
    for rnd in range(max_rounds):
        cache = {}

        def solve_at(alpha):
            key = float(alpha)
            if key not in cache:
                f = {**free, "dispersion": key}
                dev = dd.build_device(label, f, params, pset=pset)
                t, states = retention_experiment(dev)
                cache[key] = _gating_for_b(label, params, pset, f, t, states, tgt["b"])
            return cache[key]

        def m_mismatch(alpha):
            return solve_at(alpha)[2] - tgt["m"]

        if warm:
            lo, hi = _bracket_alpha(m_mismatch, free["dispersion"], a_lo, a_hi, label, tgt,
                                    step=WARM_STEP, growth=WARM_GROWTH)
        else:
            lo, hi = _bracket_alpha(m_mismatch, free["dispersion"], a_lo, a_hi, label, tgt,
                                    step=ALPHA_STEP if rnd == 0 else 0.01)
        alpha = lo if lo == hi else brentq(m_mismatch, lo, hi, xtol=1e-6, rtol=1e-10)
        free["dispersion"] = float(alpha)
        free["gating_length_nm"] = float(solve_at(alpha)[0])
        ea_old = free["ea_eV"]
        free["ea_eV"] = _ea_for(label, params, pset, free, tgt["Ea"])
        log.info("n=%s round %d: %s (%d retention simulations)", label, rnd + 1, free, len(cache))
        if abs(free["ea_eV"] - ea_old) < 1e-6:
            break
    dev = dd.build_device(label, free, params, pset=pset)
    achieved = table2_row(dev)
    residual = {k: achieved[k] - tgt[k] for k in tgt}
    within = {"b": abs(residual["b"]) <= TOLERANCES["b"] * tgt["b"],
              "m": abs(residual["m"]) <= TOLERANCES["m"] * tgt["m"],
              "Ea": abs(residual["Ea"]) <= TOLERANCES["Ea"]}
    return {"n": label, "free": free, "target": tgt, "achieved": achieved, "residual": residual,
            "within_tolerance": within, "seconds": time.perf_counter() - t_start}


def warm_starts(path: str | Path, n_values=N_VALUES, pset: ParameterSet | None = None) -> tuple[dict, dict]:
    """Start values for :func:`calibrate_film` from a stored calibration of this model.

    The workflow's quick profile starts from the reference calibration
    (data/reference/calibration/driftdiffusion.yaml, config ``driftdiffusion.calibration_start``),
    a declared input of its calibration job. A film gets a warm start only if the file holds a
    solution for it that is still one for today's problem: its Table 2 target in the file equals
    the current one (*pset*) and its three values lie within the bounds of
    :data:`~analysis.physics.driftdiffusion.FREE_PARAMETERS`. Any other film (absent, failed
    there, stale target, out of bounds) starts cold, and the reason is returned for the log:
    a start decides only how many simulations the search needs, not where it ends.

    Parameters
    ----------
    path : str or path-like
        A calibration file of this model (:func:`write_calibrated`).
    n_values : iterable of str
        The films to calibrate.
    pset : analysis.parameters.ParameterSet, optional
        Parameter set whose Table 2 the targets come from (default data/).

    Returns
    -------
    starts : dict
        film -> free values (only the films with a valid warm start).
    cold : dict
        film -> why it starts cold.

    Raises
    ------
    FileNotFoundError
        If *path* does not exist (naming it and the setting).
    ValueError
        If *path* is not a calibration file of this model.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"warm-start file {path} not found (config driftdiffusion.calibration_start); expected "
            "a calibration file of the drift-diffusion model, e.g. data/reference/calibration/driftdiffusion.yaml")
    pset = default_parameter_set() if pset is None else pset
    try:
        stored = from_yaml_mapping(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError, AttributeError, StopIteration, ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"warm-start file {path} is not a calibration file of the drift-diffusion "
                         f"model ({type(exc).__name__}: {exc}); expected the layout of "
                         "data/reference/calibration/driftdiffusion.yaml") from exc
    starts, cold = {}, {}
    for n in n_values:
        label = parse_n(n)
        entry = stored.get(label)
        if entry is None:
            cold[label] = f"{path} has no entry for n={label}"
            continue
        if "free" not in entry:
            cold[label] = f"{path} records no solution for n={label} (it failed there)"
            continue
        now = targets(label, pset)
        if any(entry["target"][k] != now[k] for k in now):
            cold[label] = f"{path} solved n={label} for the target {entry['target']}, not today's {now}"
            continue
        try:
            starts[label] = dd.check_free(entry["free"])
        except ValueError as exc:
            cold[label] = f"{path}, n={label}: {exc}"
    return starts, cold


def calibrate_all(n_values=N_VALUES, pset: ParameterSet | None = None,
                  params: dd.DDParameters | None = None, starts: dict | None = None) -> dict:
    """:func:`calibrate_film` for every film; a film that cannot be calibrated is kept with
    its reason (``{"n", "error"}``) instead of stopping the others. *starts* (film -> free
    values, :func:`warm_starts`) gives the films it holds a warm start."""
    pset = default_parameter_set() if pset is None else pset
    starts = starts or {}
    out = {}
    for n in n_values:
        label = parse_n(n)
        try:
            warm = starts.get(label)
            out[label] = calibrate_film(label, pset=pset, params=params, start=warm, warm=warm is not None)
        except CalibrationError as exc:
            log.warning("n=%s cannot be calibrated: %s", label, exc)
            out[label] = {"n": label, "error": str(exc), "target": targets(label, pset)}
    return out


_ENTRY_TEXT = {
    "ea_eV": ("vacancy hop activation energy E_a inside the inorganic slabs (D_s = D0 exp(-E_a/kT))",
              "calibrated: Table 2 E_A, slope of the Arrhenius fit ln R = ln R0 + E_A/kT of the "
              "simulated pristine R(T) at -0.01 V over 250-340 K", "Ea", "eV"),
    "dispersion": ("dispersion parameter alpha = kT_ref/E_t of the exponential distribution of trap "
                   "release barriers", "calibrated: Table 2 m, power-law fit y = b t^-m of the "
                   "simulated weight (-0.1 V reads) after the 30th rehearsal over 0.05-15 s", "m", "1"),
    "gating_length_nm": ("gating length d_s: the interfacial field E lowers the injection barrier "
                         "by q E d_s", "calibrated: Table 2 b, same fit", "b", "nm"),
}


def to_yaml_mapping(results: dict) -> dict:
    """The calibration results as ``name -> {value, units, meaning, source, target, achieved,
    residual, ...}`` keyed by film (the layout of device_calibrated.yaml)."""
    ok = {n: r for n, r in results.items() if "free" in r}
    failed = {n: r["error"] for n, r in results.items() if "free" not in r}
    out = {}
    for name, (meaning, source, tkey, units) in _ENTRY_TEXT.items():
        entry = {"value": {n: float(r["free"][name]) for n, r in ok.items()},
                 "units": units, "meaning": meaning, "source": source,
                 "target": {n: float(r["target"][tkey]) for n, r in results.items()},
                 "achieved": {n: float(r["achieved"][tkey]) for n, r in ok.items()},
                 "residual": {n: float(r["residual"][tkey]) for n, r in ok.items()},
                 "within_tolerance": {n: bool(r["within_tolerance"][tkey]) for n, r in ok.items()},
                 "tolerance": {"b": "10 % of b", "m": "5 % of m", "Ea": "5 meV"}[tkey]}
        if failed:
            entry["failed"] = dict(failed)
        out[name] = entry
    return out


def reference_path() -> Path:
    """The reference calibration of the model, data/reference/calibration/driftdiffusion.yaml
    (as for the multi-trap model: the calibrate stage's output, regenerated on purpose)."""
    return data_dir() / "reference" / "calibration" / f"{dd.NAME}.yaml"


HEADER = ("# Per-film calibrated free parameters of the drift-diffusion model\n"
          "# (analysis/physics/driftdiffusion.py), written by analysis/physics/dd_calibration.py\n"
          "# (python -m analysis.physics.dd_calibration --output FILE); do not edit.\n"
          "# Each entry: value by film, units, meaning, source, the Table 2 target, the value\n"
          "# the analysis of the simulated experiment achieved, the residual (achieved - target)\n"
          "# and whether it lies within the tolerance.\n")
"""The comment block at the top of a calibration file of this model."""


def calibrated_text(results: dict) -> str:
    """The text of the calibration file of *results*, as :func:`write_calibrated` writes it."""
    return HEADER + yaml.safe_dump(to_yaml_mapping(results), sort_keys=False, allow_unicode=True, width=200)


def from_yaml_mapping(mapping: dict) -> dict:
    """The calibration results (as :func:`calibrate_all` returns them, less the timings) from
    the mapping of a calibration file: the inverse of :func:`to_yaml_mapping`.

    Raises
    ------
    KeyError, TypeError
        If an entry or a film's value is missing.
    """
    first = next(iter(_ENTRY_TEXT))
    failed = mapping[first].get("failed", {})
    by_key = {tkey: name for name, (_, _, tkey, _) in _ENTRY_TEXT.items()}
    out = {}
    for n in mapping[first]["target"]:
        target = {k: float(mapping[name]["target"][n]) for k, name in by_key.items()}
        if n in failed:
            out[n] = {"n": n, "error": failed[n], "target": target}
            continue
        out[n] = {"n": n, "free": {name: float(mapping[name]["value"][n]) for name in _ENTRY_TEXT},
                  "target": target,
                  "achieved": {k: float(mapping[name]["achieved"][n]) for k, name in by_key.items()},
                  "residual": {k: float(mapping[name]["residual"][n]) for k, name in by_key.items()},
                  "within_tolerance": {k: bool(mapping[name]["within_tolerance"][n]) for k, name in by_key.items()}}
    return out


def file_problem(path: str | Path) -> str | None:
    """Why *path* is not a calibration file as :func:`write_calibrated` writes one, or ``None``
    (read back and written again in memory: :func:`analysis.stage_io.readback_problem`)."""
    from analysis.stage_io import readback_problem
    return readback_problem(path, lambda mapping: calibrated_text(from_yaml_mapping(mapping)))


def write_calibrated(results: dict, path: str | Path) -> Path:
    """Write :func:`to_yaml_mapping` of *results* to *path* (atomically) and return it."""
    from analysis.stage_io import write_text
    return write_text(calibrated_text(results), Path(path))


def calibrated_free(n, calibrated: dict | None = None) -> dict:
    """The calibrated free values of film *n*: from *calibrated* (``name -> value`` of a
    calibration file) or the reference calibration (:func:`reference_path`).

    Raises
    ------
    ValueError
        If the calibration lacks the film.
    """
    from analysis.parameters import calibration_values
    label = parse_n(n)
    cal = calibration_values(reference_path()) if calibrated is None else calibrated
    try:
        return {p.name: float(cal[p.name][label]) for p in dd.FREE_PARAMETERS}
    except (KeyError, TypeError) as exc:
        msg = (f"the drift-diffusion calibration lacks a calibrated value for n={label} ({exc}); "
               "run `python -m analysis.physics.dd_calibration --output FILE`")
        raise ValueError(msg) from exc


def calibrated_device(n, pset: ParameterSet | None = None, params: dd.DDParameters | None = None,
                      temperature_K: float | None = None, calibrated: dict | None = None):
    """The calibrated DriftDiffusionDevice of film *n* (reference calibration unless
    *calibrated* is given)."""
    return dd.build_device(n, calibrated_free(n, calibrated), params, temperature_K, pset=pset)


def format_table(results: dict) -> str:
    """A plain-text table of targets, achieved values and residuals."""
    lines = [f"{'n':>4} {'E_a/eV':>8} {'alpha':>8} {'d_s/nm':>8} | {'b':>9} {'b sim':>9} "
             f"{'m':>7} {'m sim':>7} {'E_A':>6} {'E_A sim':>8} | ok   s"]
    for n, r in results.items():
        if "free" not in r:
            lines.append(f"{n:>4} cannot be calibrated: {r['error']}")
            continue
        f, t, a = r["free"], r["target"], r["achieved"]
        ok = all(r["within_tolerance"].values())
        lines.append(f"{n:>4} {f['ea_eV']:8.5f} {f['dispersion']:8.5f} {f['gating_length_nm']:8.3f} | "
                     f"{t['b']:9.5g} {a['b']:9.5g} {t['m']:7.4g} {a['m']:7.4g} {t['Ea']:6.3f} "
                     f"{a['Ea']:8.5f} | {'yes' if ok else 'NO ':3} {r['seconds']:5.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    """CLI: ``python -m analysis.physics.dd_calibration [--output FILE] [--n N ...] [--mesh full|quick]
    [--start FILE]``: calibrate,
    print the table (and write *FILE*; data/reference/calibration/driftdiffusion.yaml is the
    reference).  Exit status 1 if a film cannot be calibrated or misses a tolerance."""
    ap = argparse.ArgumentParser(prog="python -m analysis.physics.dd_calibration",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--output", help="write the calibration to this YAML file")
    ap.add_argument("--n", nargs="+", default=list(N_VALUES), help="films to calibrate (default all)")
    ap.add_argument("--mesh", choices=("full", "quick"), default="full",
                    help="the model's mesh: full, or the quick profile's coarser QUICK_MESH (default full)")
    ap.add_argument("--start", metavar="FILE",
                    help="warm start: each film's search starts at its solution in FILE, a stored "
                         "calibration of this model (warm_starts: a film FILE lacks or solved for "
                         "another target starts cold); default: every film starts cold")
    ap.add_argument("--findings-ok", action="store_true",
                    help="exit 0 when the file is written even if a film misses its target (the "
                         "workflow: a film the model cannot calibrate is a finding, in the file)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        labels = [parse_n(n) for n in args.n]
    except ValueError as exc:
        ap.error(str(exc))
    params = dd.default_parameters(**(dd.QUICK_MESH if args.mesh == "quick" else {}))
    starts = {}
    if args.start:
        try:
            starts, cold = warm_starts(args.start, labels)
        except (FileNotFoundError, ValueError) as exc:
            ap.error(str(exc))
        for label, why in cold.items():
            log.warning("n=%s starts cold: %s", label, why)
        if starts:
            log.info("warm start from %s for n=%s", args.start, ", ".join(starts))
    results = calibrate_all(labels, params=params, starts=starts)
    log.info("%s", format_table(results))
    if args.output:
        log.info("wrote %s", write_calibrated(results, args.output))
    ok = all("free" in r and all(r["within_tolerance"].values()) for r in results.values())
    return 0 if ok or (args.findings_ok and args.output) else 1


if __name__ == "__main__":
    sys.exit(main())
