"""Model-form robustness: the device claims under a second device model, and whether the two
models' verdicts agree (issue 19 §4).

The multi-trap model's metrics are the figure notebooks' (``results/metrics/<stage>.json``).
Another device model's are computed here, from its simulations
(``results/simulate/<model>/n{n}.nc``), by the same functions of
:mod:`analysis.evidence.metrics` and :mod:`analysis.evidence.energy_audit` the notebooks call,
and written to ``results/metrics/<model>/<stage>.json``. The report (:mod:`analysis.evidence.report`)
then evaluates every *device claim* (a claim whose metric :data:`DEVICE_METRICS` covers) under each
model and records whether the outcomes agree.

CLI: ``python -m analysis.evidence.model_form metrics --model driftdiffusion --results-dir R
--n-values 1 2 3 4 5 inf`` writes the model's metrics files.
"""
from __future__ import annotations

import argparse
import logging
import math
import sys

from analysis import stage_io as io
from analysis.evidence import claims as _claims
from analysis.evidence import energy_audit, metrics
from analysis.physics import energy
from analysis.physics.dimensionality import N_VALUES, parse_n

log = logging.getLogger(__name__)

DEVICE_METRICS = {"fig3_plasticity": None, "fig4_retention": None, "fig5_activation": None,
                  "figS1_iv": None, "fig6_energy": None,
                  "figS11_classification": ("nonlinearity_abs_max", "almost_linear", "distinct_states_min")}
"""Stages whose claim metrics come from the device model (None: every metric of the stage; else
only these: the Fig. S11 accuracies need network training and stay the multi-trap model's)."""

S11_DEVICE_N = "3"
"""The film of the Fig. S11 synapse (the paper's n = 3; the figS11 notebook's ``device_n``)."""

AGREEMENT = {"agree": "both models give the same outcome",
             "differ": "the outcome depends on the model's form",
             "anchor": "the second model's outcome depends on where its currents are anchored (the paper's "
                       "18 fJ at -1 V or 0.7 fJ at -0.02 V; data/evidence/model_form.yaml), so the claim "
                       "tells nothing about the model's form",
             "one model": "only one model evaluates the claim (its metric does not come from the device "
                          "model, or the other model's output is missing)"}
"""Values of a claim's ``model_agreement`` and what they mean."""


CURRENT_SCALED_UNITS = {"A": 1, "S": 1, "ohm": -1}
"""Units of the simulated variables a current scale multiplies (power +1) or divides (−1)."""

ANCHOR_NAMES = ("e18", "e07")
"""The paper's energies of the 2D device a current scale can anchor to (the ``<name>_J`` and
``<name>_conditions`` of :func:`analysis.evidence.energy_audit.paper_energy`)."""


def anchors() -> tuple[str, ...]:
    """The current anchors a second model is judged at, the default first
    (data/evidence/model_form.yaml ``current_anchors``: ``e18``, ``e07``)."""
    from analysis.evidence.rules import model_form_rules
    rule = model_form_rules()["current_anchors"]
    values, default = [str(v) for v in rule["value"]], str(rule["default"])
    unknown = [a for a in values if a not in ANCHOR_NAMES]
    if unknown or default not in values:
        raise ValueError(f"data/evidence/model_form.yaml current_anchors: value {values} must hold only "
                         f"{' and '.join(ANCHOR_NAMES)}, and default {default!r} one of them")
    return (default, *[a for a in values if a != default])


def current_scale(films: dict, pset=None, anchor: str = "e18") -> float:
    """The factor s that brings a model's currents to the paper's scale: the energy
    |P|·I·t of the n = 1 device at the conditions of *anchor* divided into the paper's energy
    there — ``e18``: ≈18 fJ at −1 V, 20 ms, 250 µm × 250 µm (the target the multi-trap model's
    current scale σ0 is calibrated to); ``e07``: 0.7 fJ at −0.02 V, 20 ms (:func:`anchors`).

    Every read current of both models is linear in one conductance prefactor and a read does not
    disturb the state, so multiplying the simulated currents (and conductances, dividing the
    resistances) by s is exactly the simulation with that prefactor times s; every ratio (the
    plasticity indices, the weights y, b, m, E_A) is unchanged. Returns NaN without the n = 1
    film (a run on a subset of the films): the currents cannot be anchored
    (:func:`device_metrics` then leaves them at the model's own scale and gives no detection
    threshold).
    """
    if "1" not in films:
        return math.nan
    if anchor not in ANCHOR_NAMES:
        raise ValueError(f"anchor={anchor!r}: expected one of {', '.join(ANCHOR_NAMES)} (data/evidence/model_form.yaml)")
    e = energy.energy_dataset(energy.stack_psc({"1": films["1"]}))
    pe = energy_audit.paper_energy(pset)
    cond = pe[f"{anchor}_conditions"]
    achieved = float(energy.select(e["energy"], "1", cond["amplitude_V"], cond["area_um2"]))
    return float(pe[f"{anchor}_J"]) / achieved


def scaled(films: dict, factor: float) -> dict:
    """*films* with every current and conductance multiplied, every resistance divided, by
    *factor* (:data:`CURRENT_SCALED_UNITS`); the variables keep their attributes."""
    out = {}
    for n, ds in films.items():
        ds = ds.copy()
        for name, var in ds.data_vars.items():
            power = CURRENT_SCALED_UNITS.get(var.attrs.get("units"))
            if power:
                ds[name] = (var * factor ** power).assign_attrs(var.attrs)
        out[n] = ds
    return out


def unthresholded(stage_metrics: dict) -> dict:
    """*stage_metrics* with every detection threshold (a key naming a ``threshold``) NaN, keeping
    its shape: the thresholds of currents that are not on the paper's scale mean nothing, so the
    claims judged against them are not evaluated (:func:`device_metrics` without the n = 1 film).

    >>> unthresholded({"ppf_threshold": {"3": 0.01}, "steps_thresholds": {"3": [0.1, 0.2]}, "x": 1.0})
    {'ppf_threshold': {'3': nan}, 'steps_thresholds': {'3': [nan, nan]}, 'x': 1.0}
    """
    def blank(v):
        if isinstance(v, dict):
            return {k: blank(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [blank(x) for x in v]
        return math.nan
    return {k: blank(v) if "threshold" in k else v for k, v in stage_metrics.items()}


def device_metrics(films: dict, pset=None, anchor: str = "e18") -> dict:
    """``stage -> metrics`` of the device stages (:data:`DEVICE_METRICS`) from one model's
    simulated films, by the functions the figure notebooks call.

    Parameters
    ----------
    films : dict
        label -> Dataset of :func:`analysis.physics.simulation.simulate_device` (all protocols),
        ordered by n, at the model's own current scale: they are judged at the paper's scale
        (:func:`current_scale`, recorded as ``fig6_energy:current_scale``), because the
        detection thresholds of the measurement model hold for currents a set-up of the paper's
        could read (data/evidence/measurement.yaml: up to 20 nA).
    anchor : str
        The paper's energy the 2D device is scaled to (:func:`anchors`).
    """
    factor = current_scale(films, pset, anchor)
    anchored = math.isfinite(factor)
    if anchored:
        films = scaled(films, factor)
    else:
        log.warning("no n = 1 film: the %s anchor cannot place this model's currents on the paper's scale; "
                    "its claims judged against a detection threshold are not evaluated", anchor)
    from analysis.learning import pd_curves as sw
    from analysis.physics import fits
    ppf_fits = {n: fits.fit_ppf(ds["ppf_interval"].values, ds["ppf_index"].values) for n, ds in films.items()}
    ret = metrics.retention_fits(films, pset)
    out = {"fig3_plasticity": metrics.fig3_metrics(films, ppf_fits, pset=pset),
           "fig4_retention": metrics.fig4_metrics(films, pset, fits=ret),
           "fig5_activation": metrics.fig5_metrics(films, pset, arrhenius=metrics.arrhenius_fits(films, pset),
                                                   retention=ret),
           "figS1_iv": metrics.figS1_metrics(films)}
    if "1" in films:   # the paper's energies are the 2D device's (rules/notebooks.yaml fig6_energy films)
        e = energy.energy_dataset(energy.stack_psc(films))
        out["fig6_energy"] = {**energy_audit.fig6_metrics(e, energy_audit.load_literature(), pset),
                              "current_scale": factor}
    if not anchored:
        out = {stage: unthresholded(m) for stage, m in out.items()}
    if S11_DEVICE_N in films:
        g, amp, cycles = sw.pd_from_dataset(films[S11_DEVICE_N])
        from analysis.parameters import default_parameters
        resolution = float((pset or default_parameters()).topic("analysis")["state_resolution"])
        try:
            out["figS11_classification"] = metrics.figS11_device_metrics(
                sw.analyse_pd(g, amp, resolution_fraction=resolution, cycles=cycles))
        except ValueError as exc:   # a curve that does not potentiate is a finding: its claims are missing
            log.warning("n = %s: P/D analysis impossible under this model: %s", S11_DEVICE_N, exc)
            out["figS11_classification"] = {"pd_analysis_error": str(exc)}
    return out


def anchor_folder(results_dir, model: str, anchor: str):
    """Folder of *model*'s metrics at *anchor*: ``metrics/<model>/`` for the default anchor,
    ``metrics/<model>/anchor_<anchor>/`` for the others."""
    folder = io.metrics_folder(results_dir, model)
    return folder if anchor == anchors()[0] else folder / f"anchor_{anchor}"


def write_model_metrics(results_dir, model: str, n_values=N_VALUES) -> list:
    """Compute :func:`device_metrics` of *model*'s simulations below *results_dir* at every
    anchor (:func:`anchors`) and write one ``<stage>.json`` per stage and anchor
    (:func:`anchor_folder`); returns the paths written."""
    labels = [parse_n(n) for n in n_values]
    sims = io.load_simulations(results_dir, labels, model=model)
    films = {n: io.film(sims, n) for n in labels}
    paths = []
    for anchor in anchors():
        folder = anchor_folder(results_dir, model, anchor)
        paths += [io.write_metrics(m, folder / f"{stage}.json")
                  for stage, m in device_metrics(films, anchor=anchor).items()]
    return paths


def is_device_claim(claim: dict) -> bool:
    """Whether *claim*'s metric comes from the device model (:data:`DEVICE_METRICS`)."""
    stage, name = claim["metric"].split(":", 1)
    return stage in DEVICE_METRICS and (DEVICE_METRICS[stage] is None or name in DEVICE_METRICS[stage])


def model_view(primary: dict, other: dict) -> dict:
    """The metrics a claim is evaluated on under another model: the primary model's stages,
    with every device stage replaced by the other model's (its computed metrics only: a device
    stage the other model lacks is absent, so its claims are missing, never the primary's)."""
    out = {k: v for k, v in primary.items() if k not in DEVICE_METRICS}
    for stage, keep in DEVICE_METRICS.items():
        if stage in other:
            out[stage] = dict(other[stage]) if keep is None else {k: other[stage][k] for k in keep if k in other[stage]}
    return out


def per_model(claim: dict, record: dict, model_metrics: dict, primary: str = io.PRIMARY_MODEL,
              pset=None, anchor_metrics: dict | None = None) -> dict:
    """``{"models": {model: {status, outcome, compendium}}, "model_agreement": …}`` of one
    evaluated device claim, or ``{}`` for a claim that is not a device claim.

    Parameters
    ----------
    claim : dict
        The ledger entry.
    record : dict
        Its record under the primary model (:func:`analysis.evidence.claims.evaluate`).
    model_metrics : dict
        model -> the metrics the claim is evaluated on under that model (:func:`model_view`), at
        the default anchor.
    anchor_metrics : dict, optional
        model -> {anchor -> metrics} at the other anchors (:func:`anchors`): the claim's outcome
        under that model at each (``models[model]["anchors"]``). If it changes between the
        anchors where it is evaluated (an anchor whose currents leave the measurement model's
        ranges gives "not evaluated"), the agreement is ``"anchor"`` (:data:`AGREEMENT`).
    """
    if not is_device_claim(claim) or not model_metrics:
        return {}
    views = {primary: record}
    for model, found in model_metrics.items():
        views[model] = _claims.evaluate(claim, found, pset=pset)
    models = {m: {"status": r["status"], "outcome": r["outcome"], "compendium": r.get("compendium")}
              for m, r in views.items()}
    at_anchor = {}
    for model, by_anchor in (anchor_metrics or {}).items():
        if model in models and by_anchor:
            at_anchor[model] = {anchors()[0]: models[model]["outcome"],
                                **{a: _claims.evaluate(claim, found, pset=pset)["outcome"]
                                   for a, found in by_anchor.items()}}
            models[model]["anchors"] = at_anchor[model]
    evaluated = [v["outcome"] for v in models.values() if v["outcome"] != "not evaluated"]
    agreement = "one model" if len(evaluated) < 2 else "agree" if len(set(evaluated)) == 1 else "differ"
    judged = [{o for o in outs.values() if o != "not evaluated"} for outs in at_anchor.values()]
    if agreement != "one model" and any(len(o) > 1 for o in judged):
        agreement = "anchor"
    return {"models": models, "model_agreement": agreement}


def agreement_summary(records: list[dict]) -> dict:
    """Headline counts of model-form robustness: ``device_claims`` (claims with a verdict per
    model), ``model_robust`` (same outcome under every model), ``model_dependent`` (ids of the
    claims whose outcome depends on the model's form), ``one_model`` and ``text``. Counted over
    the claims whose outcome the assumptions could change (:data:`analysis.evidence.claims.COUNTED`)
    and, separately, over every device claim."""
    dev = [r for r in records if "model_agreement" in r]
    counted = [r for r in dev if r.get("class") in _claims.COUNTED]
    out = {"device_claims": len(dev),
           "model_robust": sum(r["model_agreement"] == "agree" for r in dev),
           "model_dependent": [r["id"] for r in dev if r["model_agreement"] == "differ"],
           "anchor_dependent": [r["id"] for r in dev if r["model_agreement"] == "anchor"],
           "one_model": sum(r["model_agreement"] == "one model" for r in dev),
           "predictions": len(counted),
           "predictions_model_robust": sum(r["model_agreement"] == "agree" for r in counted),
           "predictions_model_dependent": [r["id"] for r in counted if r["model_agreement"] == "differ"],
           "predictions_anchor_dependent": [r["id"] for r in counted if r["model_agreement"] == "anchor"]}
    out["text"] = (f"of {out['predictions']} device predictions, {out['predictions_model_robust']} have a "
                   f"model-robust verdict (the multi-trap and drift–diffusion models give the same outcome), "
                   f"{len(out['predictions_model_dependent'])} depend on the model's form and "
                   f"{len(out['predictions_anchor_dependent'])} on where the second model's currents are "
                   f"anchored; over all {out['device_claims']} device claims: {out['model_robust']} agree, "
                   f"{len(out['model_dependent'])} differ, {len(out['anchor_dependent'])} depend on the anchor")
    return out


def other_models(results_dir) -> list[str]:
    """The device models besides the primary one whose metrics are below *results_dir*
    (``metrics/<model>/`` folders holding ``*.json``), in :data:`analysis.physics.models.MODELS` order."""
    from analysis.physics.models import MODELS
    return [m for m in MODELS if m != io.PRIMARY_MODEL and any(io.metrics_folder(results_dir, m).glob("*.json"))]


def main(argv=None) -> int:
    """CLI (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m analysis.evidence.model_form",
                                 description="device-claim metrics of a second device model")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("metrics", help="write results/metrics/<model>/<stage>.json from its simulations")
    m.add_argument("--model", required=True)
    m.add_argument("--results-dir", default="results")
    m.add_argument("--n-values", nargs="+", default=list(N_VALUES))
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from analysis.physics.models import check_model
    try:
        check_model(args.model)
    except ValueError as exc:
        ap.error(str(exc))
    for path in write_model_metrics(args.results_dir, args.model, args.n_values):
        log.info("wrote %s", path)
    return 0


__all__ = ["DEVICE_METRICS", "AGREEMENT", "CURRENT_SCALED_UNITS", "ANCHOR_NAMES", "anchors", "anchor_folder", "current_scale", "scaled", "device_metrics", "write_model_metrics", "is_device_claim",
           "model_view", "per_model", "agreement_summary", "other_models"]

if __name__ == "__main__":
    sys.exit(main())
