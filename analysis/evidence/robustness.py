"""Robustness and falsifiability of the claims under the model's unfixed assumptions.

The paper does not fix several inputs of the device model (V0, γ, τ0, the trap-grid span and
count, the leakage, the read delay, the train gap, the Arrhenius range, the temperature, the
PEA-layer thickness) and of the optics and XRD model of Fig. 2 (line widths, Stokes shifts,
absorbance scale, film thickness, lamp irradiance, carrier lifetime, 3D binding energy,
temperature, crystallite size, peak shape, texture, Debye–Waller factor).
``data/evidence/priors.yaml`` gives each a *plausible* range (with its source) and a
deliberately *wide* one. This module

1. samples either prior with a seeded Latin hypercube (:func:`design`);
2. for every sample, evaluates the Fig. 2 optics claims under the sampled optics assumptions
   (:func:`optics_metrics`, the notebook's own :func:`analysis.physics.optics.fig2_metrics`; they do
   not need Table 2, so every sample counts), recalibrates the six films to Table 2 through
   the same analysis as :mod:`analysis.evidence.calibration` (a sample whose calibration is infeasible
   is recorded as such), recomputes every device claim's metric from the model
   (:func:`model_metrics`, the same metric names the figure notebooks write, so
   :mod:`analysis.evidence.claims` evaluates them) and the held-out law from the recalibrated films
   (:func:`analysis.evidence.heldout.sample_metrics`, under the same assumptions);
3. stores the assumptions, the calibrated parameters and every claim's margin in a Dataset
   with dims ``sample`` and ``n`` (:func:`run_chunk`), one per chunk, merged by :func:`merge`;
4. summarises per claim (:func:`summarise`): robustness = fraction of the plausible samples
   in which it was evaluated (feasible ones for the device claims and the held-out law, all
   for optics) in which it holds, with a Wilson interval; whether it holds in every evaluated
   wide sample (then it is *structural*); and the Spearman rank correlation of its margin
   with each assumption of the model its metric comes from.

The Fig. S11 classification claims are not swept (a training per sample is too expensive):
:func:`analysis.evidence.claims.seed_robustness` gives them a robustness over the stored seeds.

The comparison rules (robust fraction, confidence, seed) are in ``data/evidence/robustness.yaml``.
"""
from __future__ import annotations

import logging
import math
import time

import numpy as np
import xarray as xr

from analysis.evidence import calibration, claims, energy_audit, heldout, metrics, statistics
from analysis.evidence.rules import robustness_rules
from analysis.physics import multitrap as dev, energy, optics, protocols, structure
from analysis.parameters import ParameterSet, data_dir, default_parameters, load_yaml
from analysis.physics.dimensionality import N_VALUES, parse_n

log = logging.getLogger(__name__)

PRIORS = ("plausible", "wide")
DEVICE_STAGES = ("fig3_plasticity", "fig4_retention", "fig6_energy")
"""Notebook stages whose claim metrics :func:`model_metrics` recomputes from the device model."""

MODEL_STAGES = ("fig2_optics",) + DEVICE_STAGES + ("heldout_dimensionality", "figS11_classification")
"""Notebook stages whose claim metrics the sweep recomputes (optics, device, held-out law, and
the device-curve part of Fig. S11: :data:`SWEPT_METRICS`)."""

SWEPT_METRICS = {"figS11_classification": ("nonlinearity_abs_max", "distinct_states_min", "almost_linear")}
"""Stages of which the sweep recomputes only these metrics (the P/D curve of the Fig. S11
device; its accuracies need training and get a robustness over seeds instead,
:func:`analysis.evidence.claims.seed_robustness`). Other stages of :data:`MODEL_STAGES`: all metrics."""

S11_DEVICE_N = "3"
"""The film of the Fig. S11 synapse (the paper's n = 3; the figS11 notebook's ``device_n``)."""

STAGE_MODEL = {"fig2_optics": "optics", "fig2_optics:xrd_": "xrd"}
"""The model a stage's metrics (or, with ``stage:prefix``, the metrics whose name starts with
the prefix) come from (default ``device``); sensitivities are ranked among the assumptions that
model reads (priors.yaml ``model``)."""

DEFAULT_SIZES = {"ppf_points": 9, "sfdp_points": 6}
"""Protocol grid sizes of the sweep (the quick profile's; claims are minima or monotonicity)."""


class Infeasible(ValueError):
    """Table 2 cannot be reached under the sampled assumptions (a result, not an error).

    ``metrics`` holds the stages computed without Table 2 (the optics), evaluated anyway."""

    def __init__(self, message: str, metrics: dict | None = None):
        super().__init__(message)
        self.metrics = metrics or {}


# --------------------------------------------------------------------------- inputs
def priors() -> dict:
    """``key -> {topic, name, model, units, scale, plausible, wide, source, integer}`` (priors.yaml;
    ``name`` defaults to the key, ``model`` to ``device``)."""
    raw = load_yaml("evidence/priors.yaml")
    for name, p in raw.items():
        p.setdefault("model", "device")
        p.setdefault("name", name)
        for prior in PRIORS:
            p[prior] = [float(v) for v in p[prior]]
            lo, hi = p[prior]
            if not lo < hi or (p["scale"] == "log" and lo <= 0):
                msg = (f"priors.yaml: {name}.{prior}={p[prior]!r} must be [low, high] with "
                       f"low < high (and low > 0 on a log scale)")
                raise ValueError(msg)
    return raw


def rules() -> dict:
    """``name -> value`` of data/evidence/robustness.yaml (:func:`analysis.evidence.rules.robustness_rules`)."""
    return robustness_rules()


def design(prior: str, n_samples: int, seed: int | None = None) -> dict[str, np.ndarray]:
    """Latin-hypercube sample of one prior (seeded, deterministic).

    Parameters
    ----------
    prior : ``"plausible"`` or ``"wide"``
    n_samples : int
        Number of parameter sets, >= 1.
    seed : int, optional
        Default the ``seed`` of robustness.yaml (the wide prior uses seed + 1).

    Returns
    -------
    dict
        assumption name -> values (length *n_samples*), in the units of priors.yaml.
    """
    from scipy.stats import qmc
    if prior not in PRIORS:
        raise ValueError(f"prior={prior!r} is unknown; expected one of {PRIORS}")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 1")
    table = priors()
    names = list(table)
    seed = int(rules()["seed"] if seed is None else seed) + PRIORS.index(prior)
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(int(n_samples))
    out = {}
    for j, name in enumerate(names):
        p = table[name]
        lo, hi = (float(v) for v in p[prior])
        if p["scale"] == "log":
            x = 10.0 ** (math.log10(lo) + unit[:, j] * (math.log10(hi) - math.log10(lo)))
        else:
            x = lo + unit[:, j] * (hi - lo)
        out[name] = np.round(x) if p.get("integer") else x
    return out


def overrides(sample: dict) -> dict:
    """``topic -> {name: value}`` of one sample (:meth:`analysis.parameters.ParameterSet.replace`)."""
    table = priors()
    out: dict[str, dict] = {}
    for key, value in sample.items():
        v = float(value)
        p = table[key]
        out.setdefault(p["topic"], {})[p["name"]] = int(round(v)) if p.get("integer") else v
    return out


def sample_parameters(sample: dict, base: ParameterSet | None = None) -> ParameterSet:
    """The parameter set of one sample: *base* (default: data/) with the sample's assumptions."""
    return (base or default_parameters()).replace(overrides(sample))


# --------------------------------------------------------------------------- model
def calibrate_films(n_values=N_VALUES, pset: ParameterSet | None = None, start: dict | None = None) -> dict:
    """Recalibrate every film and the current scale under the parameter set *pset*.

    Starts each film's search from *start* (a calibration's ``name -> value``, e.g. the run's
    calibrate stage output; default the reference calibration), with the same targets and
    analysis as :func:`analysis.evidence.calibration.calibrate_all`.

    Returns
    -------
    dict
        label -> MultiTrapSynapse (with the recalibrated sigma0).

    Raises
    ------
    ValueError
        If Table 2 cannot be reached for some film (infeasible assumptions).
    """
    labels = [parse_n(n) for n in n_values]
    ref = parse_n(calibration.energy_target(pset)["n"])
    per = {}
    for n in dict.fromkeys(labels + [ref]):
        per[n] = calibration.calibrate_film(n, pset, start=dev.calibrated_values(n, start))
    sigma0, _ = calibration.calibrate_scale(per[ref], pset)
    return {n: dev.build_parameters(n, per[n]["ea_eV"], per[n]["e0_eV"], per[n]["nu_m_per_s"], sigma0,
                                    pset=pset)
            for n in labels}


SWEEP_PARTS = ("epsc", "ppf", "sfdp", "svdp", "sddp", "sndp", "retention", "psc")
"""Protocols of :func:`analysis.physics.protocols.simulate_device` whose variables the device
claims' metrics read (:func:`analysis.evidence.metrics.fig3_metrics`, ``fig4_metrics``,
``fig6_metrics``)."""


def sweep_settings(sizes: dict | None = None) -> dict:
    """Run settings of the sweep's simulations: :data:`DEFAULT_SIZES` (and *sizes*), the energy at
    the two amplitudes the claims name (−0.02 V and −1 V), no time traces."""
    sz = {**DEFAULT_SIZES, **(sizes or {})}
    return {"ppf_points": int(sz["ppf_points"]), "sfdp_points": int(sz["sfdp_points"]),
            "energy_points": 2, "trace_samples": 2, "iv_step_V": 0.05, "traces": False}


def model_metrics(params: dict, sizes: dict | None = None) -> dict:
    """The device claims' metrics of given devices: each film's protocols that the metrics read
    (:data:`SWEEP_PARTS`, :func:`sweep_settings`), then the figure notebooks' own metrics
    functions (:mod:`analysis.evidence.metrics`), so :func:`analysis.evidence.claims.evaluate`
    checks the same quantities.

    Parameters
    ----------
    params : dict
        label -> :class:`analysis.physics.interface.Synapse` (every film, ordered by n).
    sizes : dict, optional
        ``ppf_points``, ``sfdp_points`` (default :data:`DEFAULT_SIZES`).
    """
    pset = next(iter(params.values())).pset
    settings = sweep_settings(sizes)
    films = {n: protocols.simulate_device(p, settings, parts=SWEEP_PARTS) for n, p in params.items()}
    e = energy.energy_dataset(energy.stack_psc(films))
    return {"fig3_plasticity": metrics.fig3_metrics(films),
            "fig4_retention": metrics.fig4_metrics(films, pset),
            "fig6_energy": energy_audit.fig6_metrics(e, pset=pset)}


def optics_metrics(n_values=N_VALUES, pset: ParameterSet | None = None) -> dict:
    """The Fig. 2 stage's metrics (:func:`analysis.physics.optics.fig2_metrics`) under the
    parameter set *pset*: each film's optics and XRD computed as the simulation stage does (the
    Fig. 2 claims compare films, so the sweep always computes all six)."""
    films = {parse_n(n): xr.merge([optics.film_optics(n, pset=pset), structure.film_xrd(n, pset=pset)],
                                  combine_attrs="override")
             for n in n_values}
    return optics.fig2_metrics(films, pset)


def classification_device_metrics(params: dict) -> dict:
    """The Fig. S11a device-curve metrics of the figS11 notebook (nonlinearity, distinct states)
    for the recalibrated n = 3 film: the Fig. S11a train on the model, analysed by
    :func:`analysis.learning.pd_curves.analyse_pd` with its default read resolution (1 % of the
    range, the notebook's ``resolution_fraction``)."""
    from analysis.learning import pd_curves as sw
    amp, g = protocols.potentiation_depression(params[S11_DEVICE_N])
    return metrics.figS11_device_metrics(sw.analyse_pd(g, amp))


# --------------------------------------------------------------------------- claims
def swept_claims(ledger: list[dict] | None = None) -> list[dict]:
    """Predicted claims whose metric the sweep recomputes (:func:`is_swept`): the sweep tests them."""
    ledger = claims.load_ledger() if ledger is None else ledger
    return [c for c in ledger if is_swept(c) and claims.classify(c) == "prediction"]


def is_swept(claim: dict) -> bool:
    """Whether the sweep recomputes the claim's metric (:data:`MODEL_STAGES`, :data:`SWEPT_METRICS`)."""
    stage, name = claim["metric"].split(":", 1)
    return stage in MODEL_STAGES and (stage not in SWEPT_METRICS or name in SWEPT_METRICS[stage])


def _var(claim_id: str) -> str:
    return "margin__" + claim_id.replace("-", "_")


def device_model(sample: dict, n_values=N_VALUES, sizes=None, start: dict | None = None) -> tuple[dict, dict]:
    """The calibrated device model under one set of assumptions.

    Returns
    -------
    params : dict
        label -> (Ea [eV], E0 [eV], ν_m [1/s]) after recalibration to Table 2.
    metrics : dict
        :func:`optics_metrics`, :func:`model_metrics` of the recalibrated films and the
        held-out law fitted to them (:func:`analysis.evidence.heldout.sample_metrics`).

    Raises
    ------
    Infeasible
        If Table 2 cannot be reached under these assumptions (with the optics metrics).
    """
    pset = sample_parameters(sample)
    found = {"fig2_optics": optics_metrics(n_values, pset=pset)}
    try:
        params = calibrate_films(n_values, pset, start)
    except ValueError as exc:
        raise Infeasible(str(exc), found) from exc
    found.update(model_metrics(params, sizes))
    calibrated = {n: (p.ea_eV, p.e0_eV, p.nu_m_per_s) for n, p in params.items()}
    found["heldout_dimensionality"] = heldout.sample_metrics(calibrated, n_values, pset)
    if S11_DEVICE_N in params:
        found["figS11_classification"] = classification_device_metrics(params)
    return calibrated, found


def evaluate_sample(sample: dict, ledger: list[dict], model=None) -> dict:
    """Run *model* (default :func:`device_model`) on one sample and evaluate the claims.

    Returns
    -------
    dict
        ``feasible`` (bool), ``reason`` (why not), ``params`` (label -> (Ea, E0, ν_m)),
        ``records`` (claim id -> :func:`analysis.evidence.claims.evaluate` record; when infeasible,
        only the claims whose stage was computed without Table 2).
    """
    try:
        params, metrics = (model or device_model)(sample)
    except Infeasible as exc:
        partial = exc.metrics
        return {"feasible": False, "reason": str(exc), "params": {},
                "records": {c["id"]: claims.evaluate(c, partial) for c in ledger
                            if c["metric"].split(":")[0] in partial}}
    return {"feasible": True, "reason": "", "params": params,
            "records": {c["id"]: claims.evaluate(c, metrics) for c in ledger}}


def chunk_indices(n_samples: int, chunk: int, n_chunks: int) -> np.ndarray:
    """Sample indices of one chunk (contiguous, sizes differ by at most one)."""
    if not 0 <= int(chunk) < int(n_chunks):
        raise ValueError(f"chunk={chunk!r} must be in [0, {n_chunks})")
    return np.array_split(np.arange(int(n_samples)), int(n_chunks))[int(chunk)]


def run_chunk(prior: str, n_samples: int, chunk: int = 0, n_chunks: int = 1,
              seed: int | None = None, n_values=N_VALUES, sizes=None, ledger=None,
              model=None, start: dict | None = None) -> xr.Dataset:
    """Evaluate one chunk of the design of *prior*; return its Dataset (dims sample, n).

    *ledger* defaults to :func:`swept_claims`; *model* (sample -> (params, metrics), raising
    :class:`Infeasible` when Table 2 cannot be reached) to the recalibrated device model on *n_values*,
    its searches starting from the calibration *start* (``name -> value``; default the reference).

    Variables: every assumption (sample; its units), ``feasible`` (sample), ``ea_eV``,
    ``e0_eV``, ``nu_m_per_s`` (sample, n; NaN where infeasible), and per swept claim
    ``margin__<id>`` (sample; the claim's margin units) and ``holds__<id>`` (sample; 1/0, -1
    where not evaluated: an infeasible sample for every claim that needs Table 2).
    """
    ledger = swept_claims() if ledger is None else [c for c in ledger if claims.classify(c) == "prediction"]
    if model is None:
        def model(sample):
            return device_model(sample, n_values, sizes, start)
    table = priors()
    full = design(prior, n_samples, seed)
    idx = chunk_indices(n_samples, chunk, n_chunks)
    labels = [parse_n(n) for n in n_values]
    feas = np.zeros(idx.size, dtype="i1")
    pars = np.full((3, idx.size, len(labels)), np.nan)
    margins = {c["id"]: np.full(idx.size, np.nan) for c in ledger}
    holds = {c["id"]: np.full(idx.size, -1, dtype="i1") for c in ledger}
    units = {}
    # Wall times go to the log only: a value that differs from run to run would make the
    # chunk's bytes depend on the machine and its load (the SLURM test compares bytes).
    for i, s in enumerate(idx):
        t0 = time.perf_counter()
        res = evaluate_sample({k: v[s] for k, v in full.items()}, ledger, model)
        log.info("%s sample %d/%d (chunk %d): %s in %.1f s", prior, s + 1, n_samples, chunk,
                 "feasible" if res["feasible"] else "infeasible: " + res["reason"],
                 time.perf_counter() - t0)
        feas[i] = 1 if res["feasible"] else 0
        for j, n in enumerate(labels):
            if n in res["params"]:
                pars[:, i, j] = res["params"][n]
        for cid, r in res["records"].items():
            margins[cid][i] = np.nan if r.get("margin") is None else r["margin"]
            holds[cid][i] = 1 if r["status"] == "pass" else 0
            units[cid] = r.get("margin_units", "1")
    v = {}
    for name, p in table.items():
        v[name] = ("sample", full[name][idx], {"units": p["units"], "long_name": f"assumption {name}",
                                               "topic": p["topic"], "prior_range": list(p[prior])})
    v["feasible"] = ("sample", feas, {"units": "1", "long_name": "Table 2 reachable by the calibration (1) or not (0)"})
    for k, (name, unit) in enumerate((("ea_eV", "eV"), ("e0_eV", "eV"), ("nu_m_per_s", "1/s"))):
        v[name] = (("sample", "n"), pars[k], {"units": unit, "long_name": f"recalibrated {name}"})
    for c in ledger:
        cid = c["id"]
        v[_var(cid)] = ("sample", margins[cid], {"units": units.get(cid, "1"),
                        "long_name": f"margin of claim {cid} (> 0: holds)", "claim": cid})
        v[_var(cid).replace("margin__", "holds__")] = ("sample", holds[cid], {
            "units": "1", "long_name": f"claim {cid} holds (1), fails (0), not evaluated (-1)", "claim": cid,
            "metric": str(c["metric"])})
    ds = xr.Dataset(v, coords={"sample": ("sample", idx, {"units": "1", "long_name": "index in the design"}),
                               "n": ("n", np.array(labels, dtype=object), {"units": "1", "long_name": "dimensionality"})})
    ds.attrs.update({"prior": prior, "n_samples": int(n_samples), "chunk": int(chunk),
                     "n_chunks": int(n_chunks), "seed": int(rules()["seed"] if seed is None else seed)})
    return ds


def merge(chunks: list[xr.Dataset]) -> xr.Dataset:
    """Concatenate the chunks of one prior along ``sample`` (checked complete)."""
    if not chunks:
        raise ValueError("merge needs at least one chunk")
    ds = xr.concat(sorted(chunks, key=lambda d: int(d.attrs["chunk"])), dim="sample",
                   combine_attrs="drop_conflicts")
    n = int(chunks[0].attrs["n_samples"])
    if sorted(ds["sample"].values.tolist()) != list(range(n)):
        raise ValueError(f"chunks cover samples {ds['sample'].values.tolist()}; expected 0..{n - 1}")
    ds.attrs.pop("chunk", None)
    return ds


# --------------------------------------------------------------------------- statistics
wilson = statistics.wilson
"""Wilson score interval of a binomial fraction (:func:`analysis.evidence.statistics.wilson`)."""


def stage_model(metric) -> str:
    """``device``, ``optics`` or ``xrd``: the model whose assumptions a metric
    (``stage:name``, or a claim) depends on (:data:`STAGE_MODEL`)."""
    metric = metric if isinstance(metric, str) else metric["metric"]
    stage, _, name = metric.partition(":")
    for key, model in STAGE_MODEL.items():
        k_stage, _, prefix = key.partition(":")
        if prefix and k_stage == stage and name.startswith(prefix):
            return model
    return STAGE_MODEL.get(stage, "device")


def summarise(plausible: xr.Dataset, wide: xr.Dataset | None = None) -> dict:
    """Per-claim robustness, structural test and sensitivities (see the module docstring).

    Returns
    -------
    dict
        ``claims``: id -> ``robustness`` (fraction in [0, 1]), ``robustness_interval``
        (Wilson, robustness.yaml confidence), ``robustness_over`` (``"assumptions"``),
        ``plausible_samples`` (samples in which it was evaluated: the feasible ones, or all for
        a claim that does not need Table 2), ``verdict_robust`` (holds / fails / depends),
        ``wide_samples`` (evaluated samples of the wide and the plausible design: both lie in
        the wide box), ``wide_holds_all``, ``sensitivities`` (assumption of the claim's model
        -> Spearman rho of the margin, the top ones), ``margin_median``;
        ``feasible_fraction`` per prior; ``samples`` per prior; ``assumptions``;
        ``feasibility_sensitivities`` (Spearman rho of "Table 2 reachable" with each assumption).
    """
    from scipy.stats import spearmanr
    r = rules()
    conf, robust, top = float(r["confidence"]), float(r["robust_fraction"]), int(r["sensitivity_top"])
    table = priors()
    names = [k for k in table if k in plausible]
    ok_p = plausible["feasible"].values == 1
    out = {"claims": {}, "assumptions": names,
           "samples": {"plausible": int(plausible.sizes["sample"])},
           "feasible_fraction": {"plausible": float(ok_p.mean())}}
    if wide is not None:
        ok_w = wide["feasible"].values == 1
        out["samples"]["wide"] = int(wide.sizes["sample"])
        out["feasible_fraction"]["wide"] = float(ok_w.mean())
        feas = np.concatenate([plausible["feasible"].values, wide["feasible"].values]).astype(float)
        out["feasibility_sensitivities"] = {}
        for name in (k for k in names if table[k]["model"] == "device"):
            x = np.concatenate([plausible[name].values, wide[name].values])
            if np.ptp(feas) > 0 and np.ptp(x) > 0:
                out["feasibility_sensitivities"][name] = float(spearmanr(x, feas).statistic)
    for var in plausible.data_vars:
        if not var.startswith("holds__"):
            continue
        cid = plausible[var].attrs["claim"]
        # evaluated samples: the feasible ones for a claim that needs Table 2, all otherwise
        ev = plausible[var].values != -1
        h = plausible[var].values[ev]
        k, n = int((h == 1).sum()), int(h.size)
        lo, hi = wilson(k, n, conf)
        verdict = "holds" if lo >= robust else "fails" if hi <= 1 - robust else "depends"
        margin = plausible[var.replace("holds__", "margin__")].values[ev]
        model = stage_model(plausible[var].attrs.get("metric", "device"))
        sens = {}
        for name in (k_ for k_ in names if table[k_]["model"] == model):
            x = plausible[name].values[ev]
            good = np.isfinite(margin)
            if good.sum() >= 3 and np.ptp(margin[good]) > 0 and np.ptp(x[good]) > 0:
                sens[name] = float(spearmanr(x[good], margin[good]).statistic)
        ranked = dict(sorted(sens.items(), key=lambda kv: -abs(kv[1]))[:top])
        good = np.isfinite(margin)
        if ranked:
            note = ""
        elif good.sum() < 3:
            note = f"none: evaluated in {int(good.sum())} sample(s), fewer than 3"
        elif np.ptp(margin[good]) == 0:
            note = ("none: the margin is the same in every evaluated sample (the claim "
                    + ("holds" if k == n else "fails") + " in all of them)")
        else:
            note = "none: no assumption of its model varies over the evaluated samples"
        entry = {"robustness": k / n if n else None, "robustness_interval": [lo, hi],
                 "robustness_over": "assumptions", "plausible_samples": n, "verdict_robust": verdict if n else "not swept",
                 "sensitivities": ranked, "sensitivity_all": sens, "sensitivity_note": note,
                 "margin_median": float(np.nanmedian(margin)) if np.isfinite(margin).any() else None,
                 "margin_units": plausible[var.replace("holds__", "margin__")].attrs.get("units", "1")}
        if wide is not None and var in wide:
            # the plausible box lies inside the wide one: both designs sample the wide prior
            hw = np.concatenate([wide[var].values[wide[var].values != -1], h])
            entry["wide_samples"] = int(hw.size)
            entry["wide_holds_all"] = bool(hw.size > 0 and np.all(hw == 1))
        out["claims"][cid] = entry
    return out


# --------------------------------------------------------------------------- outputs
def classes(ledger: list[dict], summary: dict | None) -> dict:
    """claim id -> class, from the ledger and the sweep summary (no metrics needed)."""
    sweep = (summary or {}).get("claims", {})
    return {c["id"]: claims.classify(c, sweep.get(c["id"])) for c in ledger}


def claim_table(summary: dict, ledger: list[dict] | None = None):
    """One row per claim: class, and for swept predictions robustness, interval, verdict,
    structural test and top sensitivities (a pandas DataFrame)."""
    import pandas as pd
    ledger = claims.load_ledger() if ledger is None else ledger
    cls = classes(ledger, summary)
    rows = []
    for c in ledger:
        s = summary["claims"].get(c["id"], {})
        lo, hi = s.get("robustness_interval", [math.nan, math.nan])
        rows.append({"id": c["id"], "figure": c["figure"], "class": cls[c["id"]],
                     "robustness": s.get("robustness", math.nan), "robustness_low": lo,
                     "robustness_high": hi, "plausible_samples": s.get("plausible_samples", 0),
                     "verdict": s.get("verdict_robust", "not swept") if cls[c["id"]] == "prediction" else "",
                     "wide_samples": s.get("wide_samples", 0),
                     "wide_holds_all": s.get("wide_holds_all", ""),
                     "margin_median": s.get("margin_median", math.nan),
                     "margin_units": s.get("margin_units", ""),
                     "top_sensitivities": "; ".join(f"{k} {v:+.2f}" for k, v in s.get("sensitivities", {}).items())})
    return pd.DataFrame(rows)


def heatmap(summary: dict, ax_heat, ax_bar, colorbar=True):
    """Claims × assumptions Spearman ρ of the margin (left) and robustness with its interval
    (right) for every swept claim; structural claims marked."""
    ids = list(summary["claims"])
    names = summary["assumptions"]
    rho = np.array([[summary["claims"][i]["sensitivity_all"].get(a, np.nan) for a in names] for i in ids])
    im = ax_heat.imshow(rho, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax_heat.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
    ax_heat.set_yticks(range(len(ids)), ids, fontsize=6)
    r = np.array([summary["claims"][i]["robustness"] if summary["claims"][i]["robustness"] is not None
                  else np.nan for i in ids])
    lo = np.array([summary["claims"][i]["robustness_interval"][0] for i in ids])
    hi = np.array([summary["claims"][i]["robustness_interval"][1] for i in ids])
    structural = [bool(summary["claims"][i].get("wide_holds_all")) for i in ids]
    colours = ["0.6" if s else "C0" for s in structural]
    err = np.clip(np.nan_to_num([r - lo, hi - r]), 0.0, None)     # rounding can leave -1e-17
    ax_bar.barh(range(len(ids)), np.nan_to_num(r), xerr=err, color=colours, error_kw={"lw": 0.7})
    ax_bar.set_ylim(len(ids) - 0.5, -0.5)
    ax_bar.tick_params(axis="y", left=False, labelleft=False)
    ax_bar.set_xlim(0, 1)
    ax_bar.axvline(float(rules()["robust_fraction"]), color="k", lw=0.6, ls=":")
    ax_bar.axvline(1 - float(rules()["robust_fraction"]), color="k", lw=0.6, ls=":")
    ax_bar.set_xlabel("robustness (plausible prior)")
    return im


def main(argv=None) -> int:
    """CLI: ``python -m analysis.evidence.robustness chunk --prior P --samples N --chunk K --chunks M --output F``
    and ``python -m analysis.evidence.robustness merge --output F CHUNK.nc …``."""
    import argparse
    import logging as _logging
    from analysis.stage_io import write_netcdf
    parser = argparse.ArgumentParser(description="one chunk of the robustness sweep")
    sub = parser.add_subparsers(dest="command", required=True)
    ch = sub.add_parser("chunk", help="evaluate one chunk of a prior's design into a NetCDF file")
    ch.add_argument("--prior", choices=PRIORS, required=True)
    ch.add_argument("--samples", type=int, required=True, help="samples in the prior's design")
    ch.add_argument("--chunk", type=int, required=True)
    ch.add_argument("--chunks", type=int, required=True)
    ch.add_argument("--calibration", help="the run's calibration (YAML): the searches' starting points")
    ch.add_argument("--films", nargs="+", default=list(N_VALUES), help="films of the run (config n_values)")
    ch.add_argument("--output", required=True)
    mg = sub.add_parser("merge", help="merge the chunks of one prior into one NetCDF file")
    mg.add_argument("--output", required=True)
    mg.add_argument("chunks", nargs="+")
    args = parser.parse_args(argv)
    _logging.basicConfig(level=_logging.INFO, format="%(message)s")
    if args.command == "merge":
        from analysis.stage_io import read_netcdf
        ds = merge([read_netcdf(p) for p in args.chunks])
        write_netcdf(ds, args.output)
        log.info("wrote %s (%d samples, %d feasible)", args.output, ds.sizes["sample"],
                 int(ds["feasible"].sum()))
        return 0
    for name in ("analysis.evidence.calibration",):
        _logging.getLogger(name).setLevel(_logging.WARNING)
    t0 = time.perf_counter()
    from analysis.parameters import calibration_values
    start = calibration_values(args.calibration) if args.calibration else None
    ds = run_chunk(args.prior, args.samples, args.chunk, args.chunks, n_values=[parse_n(n) for n in args.films],
                   start=start)
    write_netcdf(ds, args.output)
    log.info("wrote %s (%d samples, %d feasible, %.1f s)", args.output, ds.sizes["sample"],
             int(ds["feasible"].sum()), time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
