"""Robustness of every prediction over the physics, over the analysis choices, and jointly.

A verdict is worth what its assumptions are worth. Two kinds of assumption are open here:

* **physics** (with the protocol conditions the paper does not state): the unfixed inputs of the
  device model (V0, γ, τ0, the trap grid, leakage, read delay, train gap, temperature, PEA-layer
  thickness) and of the optics/XRD model of Fig. 2 — ``data/evidence/priors.yaml``, each with a
  *plausible* and a deliberately *wide* range and its source;
* **analysis choices**: how a statement is read off a simulated experiment where the paper does
  not say (the time at which STP→LTP is judged, the PPF statistic, the power-law fit method and
  window, the read noise of the detection thresholds, …) — ``data/evidence/analysis_choices.yaml``
  (:mod:`analysis.evidence.choices`), and the priors marked ``kind: analysis``.

The sweep is a multiverse (specification-curve) analysis in four seeded designs
(:data:`DESIGNS`), each split into chunks (one Snakemake job each):

``plausible``  physics sampled from the plausible prior; analysis choices at their defaults
``analysis``   physics nominal; analysis choices sampled (each option equally likely)
``joint``      both sampled (plausible physics)
``wide``       wide physics and sampled analysis choices: the construction test

and a fifth for the second device model (issue 19 §4), :data:`DD_DESIGN`: the drift–diffusion
model's own unfixed inputs (``data/evidence/priors_driftdiffusion.yaml``) sampled from their
plausible ranges, analysis choices at their defaults, every film recalibrated to Table 2 by that
model's calibration and its device claims (:func:`dd_swept_claims`) judged on the metrics of
:func:`analysis.evidence.model_form.device_metrics` (:func:`dd_model`).

Every sample is one :class:`~analysis.parameters.ParameterSet`. It evaluates the Fig. 2 optics
and XRD claims, recalibrates the films to Table 2 (under the sample's power-law fit method and
window: the calibration depends on them), simulates the protocols the claims' metrics read,
computes the figure notebooks' own metrics (:mod:`analysis.evidence.metrics`) and judges every
claim under the sample's analysis choices (:func:`analysis.evidence.claims.judge`). A sample whose
calibration cannot reach Table 2 is infeasible; the claims that need no calibration are still
judged.

:func:`summarise` gives each claim its robustness over the physics (``plausible``), over the
analysis choices (``analysis``) and jointly (``joint``) — the fraction of the evaluated samples in
which it holds, with a Wilson interval — the counts of its outcomes in the joint design, whether
it holds (fails) in every evaluated sample of every design (then it is consistent
(inconsistent) *by construction*), and the assumptions of either kind that move it most; beside
them, never pooled into them, the drift–diffusion model's robustness over its own assumptions.
The comparison rules (robust fraction, confidence, seed) are in ``data/evidence/robustness.yaml``.

Size: about 940 lines, because the sweep (designs, samples, chunks, :func:`merge`) and its summary
(:func:`summarise`, :func:`sensitivities`, :func:`claim_table`) read and write one layout, the
chunk Dataset (the per-claim variables of ``_var``, the assumption columns); the summary, from
:func:`stage_model` on, is the place to split once issue 17's remaining parts settle that layout.
"""
from __future__ import annotations

import functools
import logging
import math
import time

import numpy as np
import xarray as xr

from analysis.evidence import calibration, choices, claims, energy_audit, heldout, metrics, model_form, statistics
from analysis.evidence.rules import robustness_rules
from analysis.parameters import TOPICS, ParameterSet, default_parameters, load_yaml
from analysis.physics import energy, models, optics, protocols, simulation, structure
from analysis.physics.dimensionality import N_VALUES, parse_n

log = logging.getLogger(__name__)

MODEL = models.get(models.PRIMARY_MODEL)
"""The device model this stage calibrates and builds (the primary, multi-trap model; a
:class:`~analysis.physics.interface.SynapseModel`)."""

PRIORS = ("plausible", "wide")
DESIGNS = ("plausible", "analysis", "joint", "wide")
"""The sweep's designs of the multi-trap model (see the module docstring)."""
DD_DESIGN = "driftdiffusion"
"""The design of the drift–diffusion model's own assumptions (issue 19 §4): its priors
(data/evidence/priors_driftdiffusion.yaml) sampled from their plausible ranges, the analysis
choices at their defaults, every film recalibrated to Table 2 by the drift–diffusion calibration
and its device claims judged (:func:`dd_model`). Also the name of the model and of its parameter
topic (data/parameters/driftdiffusion.yaml)."""
ALL_DESIGNS = DESIGNS + (DD_DESIGN,)
"""Every design, the drift–diffusion model's last."""
DESIGN_PRIOR = {"plausible": "plausible", "analysis": None, "joint": "plausible", "wide": "wide",
                DD_DESIGN: "plausible"}
"""The physics prior each design samples (None: nominal physics)."""
DESIGN_CHOICES = {"plausible": False, "analysis": True, "joint": True, "wide": True, DD_DESIGN: False}
"""Whether a design samples the analysis choices."""
ROBUSTNESS_OF = {"plausible": "physics", "analysis": "analysis", "joint": "joint", DD_DESIGN: DD_DESIGN}
"""The robustness each design measures (``robustness_<this>`` in :func:`summarise`)."""
PRIOR_FILES = {"device": "evidence/priors.yaml", DD_DESIGN: "evidence/priors_driftdiffusion.yaml"}
"""The priors of the multi-trap designs (and the optics and XRD) and of the drift–diffusion design."""
PRIOR_KEYS = {"topic", "name", "model", "kind", "units", "scale", "integer", "plausible", "wide", "source"}
"""The keys a prior may have (:func:`priors`)."""

DEVICE_STAGES = ("fig3_plasticity", "fig4_retention", "fig6_energy")
MODEL_STAGES = ("fig2_optics",) + DEVICE_STAGES + ("heldout_dimensionality", "figS11_classification")
"""Notebook stages whose claim metrics the sweep recomputes."""
SWEPT_METRICS = {"figS11_classification": ("nonlinearity_abs_max", "distinct_states_min", "almost_linear")}
"""Stages of which the sweep recomputes only these metrics (the P/D curve of the Fig. S11 device;
its accuracies need training and are judged over seeds by their equivalence test)."""

S11_DEVICE_N = "3"
"""The film of the Fig. S11 synapse (the paper's n = 3; the figS11 notebook's ``device_n``)."""

STAGE_MODEL = {"fig2_optics": "optics", "fig2_optics:xrd_": "xrd"}
"""The model a stage's metrics come from (default ``device``): its physics assumptions are the
ones ranked in a claim's sensitivities, beside every analysis choice."""

DEFAULT_SIZES = {"ppf_points": 9, "sfdp_points": 6}
"""Protocol grid sizes of the sweep (the quick profile's; claims are minima or monotonicity)."""

SWEEP_PARTS = ("epsc", "ppf", "sfdp", "svdp", "sddp", "sndp", "retention", "psc")
"""Protocols whose variables the device claims' metrics read."""

CALIBRATION_CHOICES = ("power_law_fit_method", "power_law_fit_window")
"""Analysis choices the calibration to Table 2 depends on (recalibrate: true)."""


class Infeasible(ValueError):
    """Table 2 cannot be reached under the sampled assumptions (a result, not an error).

    ``metrics`` holds the stages computed without Table 2 (the optics), judged anyway."""

    def __init__(self, message: str, metrics: dict | None = None):
        super().__init__(message)
        self.metrics = metrics or {}


# --------------------------------------------------------------------------- inputs
def priors(which: str = "device") -> dict:
    """``key -> {topic, name, model, kind, units, scale, plausible, wide, source, integer}``
    of data/evidence/priors.yaml (*which* ``device``) or priors_driftdiffusion.yaml (*which*
    :data:`DD_DESIGN`): ``name`` defaults to the key, ``model`` to ``device`` (to
    ``driftdiffusion`` in the second file, whose every entry must be of that model and of its
    parameter topic, under a key that priors.yaml does not use), ``kind`` to ``physics``.

    Raises
    ------
    ValueError
        Naming the file, the entry and the key: an unknown key, a missing range, topic or scale,
        a range that is not [low, high] with low < high (low > 0 on a log scale), a drift–diffusion
        prior of another model or topic, one that is not an entry of its parameter file, or a key
        of both files.
    """
    if which not in PRIOR_FILES:
        raise ValueError(f"priors: which={which!r}; expected one of {tuple(PRIOR_FILES)}")
    path = PRIOR_FILES[which]
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ValueError(f"data/{path}: expected a mapping of prior name -> entry")
    if which != "device":
        clash = sorted(set(raw) & set(load_yaml(PRIOR_FILES["device"])))
        if clash:
            raise ValueError(f"data/{path}: keys {clash} are also keys of data/{PRIOR_FILES['device']}; "
                             f"expected distinct keys (e.g. dd_<entry> with name: <entry>)")
    for name, p in raw.items():
        where = f"data/{path}: {name}"
        if not isinstance(p, dict):
            raise ValueError(f"{where} must be a mapping with keys {sorted(PRIOR_KEYS)}")
        unknown = sorted(set(p) - PRIOR_KEYS)
        missing = sorted({"topic", "units", "scale", "source", *PRIORS} - set(p))
        if unknown or missing:
            raise ValueError(f"{where}: unknown keys {unknown or 'none'}, missing {missing or 'none'}; "
                             f"expected keys among {sorted(PRIOR_KEYS)}")
        if p["scale"] not in ("log", "linear"):
            raise ValueError(f"{where}.scale={p['scale']!r}; expected log or linear")
        p.setdefault("model", "device" if which == "device" else which)
        p.setdefault("name", name)
        p.setdefault("kind", "physics")
        if which != "device":
            from analysis.parameters import parameter_values
            if p["model"] != which or p["topic"] != which:
                raise ValueError(f"{where}: model={p['model']!r}, topic={p['topic']!r}; expected both {which!r}")
            if p["name"] not in parameter_values(which):
                raise ValueError(f"{where}: {p['name']!r} is not an entry of data/parameters/{which}.yaml")
        for prior in PRIORS:
            try:
                p[prior] = [float(v) for v in p[prior]]
                lo, hi = p[prior]
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{where}.{prior}={p[prior]!r} must be [low, high] (two numbers)") from exc
            if not lo < hi or (p["scale"] == "log" and lo <= 0):
                raise ValueError(f"{path.split('/')[-1]}: {name}.{prior}={p[prior]!r} must be [low, high] with "
                                 f"low < high (and low > 0 on a log scale)")
    return raw


def design_priors(which: str) -> dict:
    """The priors design *which* samples: the drift–diffusion model's own
    (:data:`DD_DESIGN`), else data/evidence/priors.yaml."""
    return priors(DD_DESIGN if which == DD_DESIGN else "device")


def rules() -> dict:
    """``name -> value`` of data/evidence/robustness.yaml."""
    return robustness_rules()


def _physics_names(table: dict, kinds=("physics", "protocol")) -> list[str]:
    return [k for k, p in table.items() if p["kind"] in kinds]


def _lhs(names: list[str], table: dict, prior: str, n_samples: int, seed: int) -> dict:
    from scipy.stats import qmc
    out = {}
    if not names:
        return out
    unit = qmc.LatinHypercube(d=len(names), seed=seed).random(n_samples)
    for j, name in enumerate(names):
        p = table[name]
        lo, hi = p[prior]
        if p["scale"] == "log":
            x = 10.0 ** (math.log10(lo) + unit[:, j] * (math.log10(hi) - math.log10(lo)))
        else:
            x = lo + unit[:, j] * (hi - lo)
        out[name] = np.round(x) if p.get("integer") else x
    return out


def design(which: str, n_samples: int, seed: int | None = None) -> list[dict]:
    """The samples of one design (seeded, deterministic).

    Returns
    -------
    list of dict
        One per sample: ``physics`` (prior name -> value in the units of priors.yaml; only the
        sampled ones, the rest nominal) and ``analysis`` (choice -> value, every choice; the priors
        of ``kind: analysis`` among them when the design samples analysis choices); a sample of
        :data:`DD_DESIGN` also has ``model`` (its priors are the drift–diffusion model's).
    """
    if which not in ALL_DESIGNS:
        raise ValueError(f"design={which!r} is unknown; expected one of {ALL_DESIGNS}")
    if int(n_samples) < 1:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 1")
    n = int(n_samples)
    table = design_priors(which)
    seed = int(rules()["seed"] if seed is None else seed) + ALL_DESIGNS.index(which)
    prior = DESIGN_PRIOR[which]
    phys = _lhs(_physics_names(table), table, prior, n, seed) if prior else {}
    analysis_priors = _physics_names(table, ("analysis",))
    if DESIGN_CHOICES[which]:
        chosen = choices.sample(n, seed + 100)
        a_prior = _lhs(analysis_priors, table, prior or "plausible", n, seed + 200)
    else:
        chosen = [choices.defaults() for _ in range(n)]
        a_prior = {}
    model = {"model": DD_DESIGN} if which == DD_DESIGN else {}
    return [{"physics": {**{k: float(v[i]) for k, v in phys.items()}, **{k: float(v[i]) for k, v in a_prior.items()}},
             "analysis": chosen[i], **model} for i in range(n)]


def overrides(physics: dict, table: dict | None = None) -> dict:
    """``topic -> {name: value}`` of a sample's prior values (:meth:`ParameterSet.replace`);
    *table* the priors they are values of (default data/evidence/priors.yaml)."""
    table = priors() if table is None else table
    out: dict[str, dict] = {}
    for key, value in physics.items():
        v = float(value)
        p = table[key]
        out.setdefault(p["topic"], {})[p["name"]] = int(round(v)) if p.get("integer") else v
    return out


def sample_parameters(sample: dict, base: ParameterSet | None = None) -> ParameterSet:
    """The parameter set of one sample: *base* (default: data/; for a sample of
    :data:`DD_DESIGN`, :func:`dd_base_parameters`) with its physics and analysis choices. A
    plain ``name -> value`` mapping is taken as physics only."""
    dd = sample.get("model") == DD_DESIGN
    base = base or (dd_base_parameters() if dd else default_parameters())
    if "physics" not in sample and "analysis" not in sample:
        sample = {"physics": sample, "analysis": {}}
    ps = base.replace(overrides(sample.get("physics", {}), priors(DD_DESIGN) if dd else None))
    if sample.get("analysis"):
        ps = ps.replace({"analysis": sample["analysis"]})
    return ps


def dd_base_parameters() -> ParameterSet:
    """The parameter set of data/ with the drift–diffusion model's topic
    (data/parameters/driftdiffusion.yaml), so that a sample can replace its entries: the model
    reads them from a set that holds the topic (``values_from_pset`` of
    :mod:`analysis.physics.dd_parameters`), and from the file otherwise."""
    return ParameterSet.from_data(tuple(TOPICS) + (DD_DESIGN,))


def _calibration_set(pset: ParameterSet) -> ParameterSet:
    """*pset* with every analysis choice at its default but those the calibration depends on
    (:data:`CALIBRATION_CHOICES`): the key of the cached calibration and simulations."""
    chosen = pset.topic("analysis")
    defaults = choices.defaults()
    return pset.replace({"analysis": {**defaults, **{k: chosen[k] for k in CALIBRATION_CHOICES}}})


# --------------------------------------------------------------------------- the model of one sample
def _frozen(d: dict | None):
    if d is None:
        return None
    return tuple(sorted((k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in d.items()))


def calibrate_films(n_values=N_VALUES, pset: ParameterSet | None = None, start: dict | None = None) -> dict:
    """Recalibrate every film and the current scale under the parameter set *pset*.

    Starts each film's search from *start* (a calibration's ``name -> value``, e.g. the run's
    calibrate stage output; default the reference calibration), with the same targets and
    analysis as :func:`analysis.evidence.calibration.calibrate_all`. Cached per calibration-
    relevant parameter set (samples that differ only in other analysis choices share it).

    Returns
    -------
    dict
        label -> MultiTrapSynapse (with the recalibrated sigma0).

    Raises
    ------
    ValueError
        If Table 2 cannot be reached for some film (infeasible assumptions).
    """
    cal = _calibration_set(pset or default_parameters())
    return dict(_calibrated(tuple(parse_n(n) for n in n_values), cal, _frozen(start)))


@functools.lru_cache(maxsize=16)
def _calibrated(labels: tuple, pset: ParameterSet, start_key) -> dict:
    start = None if start_key is None else {k: dict(v) if isinstance(v, tuple) else v for k, v in start_key}
    ref = parse_n(calibration.energy_target(pset)["n"])
    per = {}
    for n in dict.fromkeys(list(labels) + [ref]):
        per[n] = calibration.calibrate_film(n, pset, start=MODEL.calibrated_free(n, start), model=MODEL)
    scale = calibration.scale_of(per[ref], pset, model=MODEL)["free"]
    return calibration.calibrated_devices({n: per[n] for n in labels}, scale, pset, model=MODEL)


def sweep_settings(sizes: dict | None = None) -> dict:
    """Run settings of the sweep's simulations: :data:`DEFAULT_SIZES` (and *sizes*), the energy at
    the two amplitudes the claims name (−0.02 V and −1 V), no time traces."""
    sz = {**DEFAULT_SIZES, **(sizes or {})}
    return {"ppf_points": int(sz["ppf_points"]), "sfdp_points": int(sz["sfdp_points"]),
            "energy_points": 2, "trace_samples": 2, "iv_step_V": 0.05, "traces": False}


@functools.lru_cache(maxsize=16)
def _films(devices_key, sizes_key) -> dict:
    devices = dict(devices_key)
    settings = sweep_settings(dict(sizes_key) if sizes_key else None)
    return {n: simulation.simulate_device(p, settings, parts=SWEEP_PARTS) for n, p in devices.items()}


class _Key:
    """Hashable handle on a device (its calibrated values and parameter set) for the caches."""

    __slots__ = ("device", "_key")

    def __init__(self, device):
        self.device = device
        self._key = (device.n, device.ea_eV, device.e0_eV, device.nu_m_per_s, device.sigma0_S_per_um2,
                     device.pset)

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _Key) and self._key == other._key


def simulate_films(params: dict, sizes: dict | None = None) -> dict:
    """label -> the Dataset of the protocols the device claims' metrics read (:data:`SWEEP_PARTS`,
    :func:`sweep_settings`), cached per devices."""
    key = tuple((n, _Key(p)) for n, p in params.items())
    return _films(tuple((n, k.device) for n, k in key) if False else _DeviceTuple(key), _frozen(sizes))


class _DeviceTuple(tuple):
    """A tuple of (label, _Key) that iterates as (label, device) for :func:`_films`."""

    def __iter__(self):
        return ((n, k.device) for n, k in tuple.__iter__(self))


def model_metrics(params: dict, sizes: dict | None = None, pset: ParameterSet | None = None) -> dict:
    """The device claims' metrics of given devices, under the analysis choices of *pset* (default:
    the devices' own parameter set): the figure notebooks' own metrics functions
    (:mod:`analysis.evidence.metrics`) on the simulated protocols (:func:`simulate_films`).

    Parameters
    ----------
    params : dict
        label -> :class:`analysis.physics.interface.Synapse` (every film, ordered by n).
    sizes : dict, optional
        ``ppf_points``, ``sfdp_points`` (default :data:`DEFAULT_SIZES`).
    """
    pset = pset or next(iter(params.values())).pset
    films = simulate_films(params, sizes)
    e = energy.energy_dataset(energy.stack_psc(films))
    return {"fig3_plasticity": metrics.fig3_metrics(films, pset=pset),
            "fig4_retention": metrics.fig4_metrics(films, pset),
            "fig6_energy": energy_audit.fig6_metrics(e, pset=pset)}


def optics_metrics(n_values=N_VALUES, pset: ParameterSet | None = None) -> dict:
    """The Fig. 2 stage's metrics (:func:`analysis.evidence.metrics.fig2_metrics`) under *pset*:
    each film's optics and XRD computed as the simulation stage does."""
    films = {parse_n(n): xr.merge([optics.film_optics(n, pset=pset), structure.film_xrd(n, pset=pset)],
                                  combine_attrs="override")
             for n in n_values}
    return metrics.fig2_metrics(films, pset)


def classification_device_metrics(params: dict, pset: ParameterSet | None = None) -> dict:
    """The Fig. S11a device-curve metrics (nonlinearity, distinct states) of the recalibrated
    n = 3 film: the Fig. S11a train on the model, analysed by
    :func:`analysis.learning.pd_curves.analyse_pd` with the read resolution of the analysis
    choice ``state_resolution``."""
    from analysis.learning import pd_curves as sw
    device = params[S11_DEVICE_N]
    amp, g = protocols.potentiation_depression(device)
    resolution = float((pset or device.pset).topic("analysis")["state_resolution"])
    return metrics.figS11_device_metrics(sw.analyse_pd(g, amp, resolution_fraction=resolution))


def device_model(sample: dict, n_values=N_VALUES, sizes=None, start: dict | None = None) -> tuple[dict, dict]:
    """The calibrated device model and every swept metric under one sample.

    Returns
    -------
    params : dict
        label -> (Ea [eV], E0 [eV], ν_m [1/s]) after recalibration to Table 2.
    metrics : dict
        stage -> metrics (optics, device, the held-out law, the Fig. S11a device curve).

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
    found.update(model_metrics(params, sizes, pset))
    calibrated = {n: (p.ea_eV, p.e0_eV, p.nu_m_per_s) for n, p in params.items()}
    found["heldout_dimensionality"] = heldout.sample_metrics(calibrated, n_values, pset)
    if S11_DEVICE_N in params:
        found["figS11_classification"] = classification_device_metrics(params, pset)
    return calibrated, found


def dd_model(sample: dict, n_values=N_VALUES, sizes=None, start: dict | None = None,
             mesh: str = "quick") -> tuple[dict, dict]:
    """The drift–diffusion model under one sample of :data:`DD_DESIGN`: every film recalibrated
    to Table 2 (:func:`analysis.evidence.calibration.calibrate_film` with the model
    ``models.get("driftdiffusion", mesh)``, each search starting from the calibration *start*,
    default the model's reference calibration), every protocol simulated at the sweep's sizes
    (:func:`sweep_settings`), and the device claims' metrics computed as for the model's nominal
    run (:func:`analysis.evidence.model_form.device_metrics`, at the default current anchor).

    Returns
    -------
    params : dict
        label -> the calibrated free values (the model's ``free_parameters`` order).
    metrics : dict
        stage -> metrics of the device stages.

    Raises
    ------
    Infeasible
        If a film's Table 2 row cannot be reached, or is reached outside the calibration's
        tolerance.
    """
    pset = sample_parameters(sample)
    model = models.get(DD_DESIGN, mesh)
    per = {}
    for n in n_values:
        label = parse_n(n)
        try:
            first = model.calibrated_free(label, start)
        except ValueError:          # the run could not calibrate this film: the model's own start
            first = None
        try:
            res = calibration.calibrate_film(label, pset, start=first, model=model)
        except ValueError as exc:
            raise Infeasible(str(exc)) from exc
        missed = [k for k, ok in res.get("within_tolerance", {}).items() if not ok]
        if missed:
            raise Infeasible(f"n={label}: Table 2 {', '.join(missed)} reached only outside the calibration "
                             f"tolerance (achieved {res['achieved']}, target {res['target']})")
        per[label] = res
    devices = calibration.calibrated_devices(per, {}, pset, model=model)
    films = {n: simulation.simulate_device(d, sweep_settings(sizes)) for n, d in devices.items()}
    found = model_form.device_metrics(films, pset, anchor=model_form.anchors()[0])
    names = [p.name for p in model.free_parameters]
    return {n: tuple(float(r["free"][k]) for k in names) for n, r in per.items()}, found


# --------------------------------------------------------------------------- claims
def swept_claims(ledger: list[dict] | None = None) -> list[dict]:
    """The claims the sweep judges: every claim whose metric it recomputes (:func:`is_swept`) and
    that the assumptions could move (not a calibration target, an audit of the paper's numbers
    or an unverified reference; questions, variants and derived claims are judged too, so the
    report can show them)."""
    ledger = claims.load_ledger() if ledger is None else ledger
    return [c for c in ledger if is_swept(c)
            and claims.classify(c) not in ("calibration", "audit", "unverified")
            and not c.get("construction")]


def dd_swept_claims(ledger: list[dict] | None = None) -> list[dict]:
    """The claims :data:`DD_DESIGN` judges: the sweep's claims (:func:`swept_claims`) whose
    metric comes from the device model (:func:`analysis.evidence.model_form.is_device_claim`)."""
    return [c for c in swept_claims(ledger) if model_form.is_device_claim(c)]


def is_swept(claim: dict) -> bool:
    """Whether the sweep recomputes the claim's metric (:data:`MODEL_STAGES`, :data:`SWEPT_METRICS`)."""
    stage, name = claim["metric"].split(":", 1)
    return stage in MODEL_STAGES and (stage not in SWEPT_METRICS or name in SWEPT_METRICS[stage])


def _var(claim_id: str, kind: str = "margin") -> str:
    return f"{kind}__" + claim_id.replace("-", "_")


def evaluate_sample(sample: dict, ledger: list[dict], model=None) -> dict:
    """Run *model* (default :func:`device_model`) on one sample and judge the claims under the
    sample's analysis choices.

    Returns
    -------
    dict
        ``feasible`` (bool), ``reason`` (why not), ``params`` (label -> (Ea, E0, ν_m)),
        ``records`` (claim id -> :func:`analysis.evidence.claims.judge` result, or None where
        the claim's metric was not computed: an infeasible sample for a claim that needs Table 2).
    """
    pset = sample_parameters(sample) if "analysis" in sample or "physics" in sample else None
    try:
        params, found = (model or device_model)(sample)
        feasible, reason = True, ""
    except Infeasible as exc:
        params, found, feasible, reason = {}, exc.metrics, False, str(exc)
    records = {}
    for c in ledger:
        if c["metric"].split(":")[0] not in found:
            records[c["id"]] = None
            continue
        try:
            records[c["id"]] = claims.judge(c, found, pset)
        except (TypeError, ValueError, KeyError) as exc:
            log.warning("claim %s cannot be judged in this sample: %s", c["id"], exc)
            records[c["id"]] = None
    return {"feasible": feasible, "reason": reason, "params": params, "records": records}


def chunk_indices(n_samples: int, chunk: int, n_chunks: int) -> np.ndarray:
    """Sample indices of one chunk (contiguous, sizes differ by at most one)."""
    if not 0 <= int(chunk) < int(n_chunks):
        raise ValueError(f"chunk={chunk!r} must be in [0, {n_chunks})")
    return np.array_split(np.arange(int(n_samples)), int(n_chunks))[int(chunk)]


def run_chunk(which: str, n_samples: int, chunk: int = 0, n_chunks: int = 1,
              seed: int | None = None, n_values=N_VALUES, sizes=None, ledger=None,
              model=None, start: dict | None = None, mesh: str = "quick") -> xr.Dataset:
    """Evaluate one chunk of design *which*; return its Dataset (dims sample, n).

    *ledger* defaults to :func:`swept_claims` (:func:`dd_swept_claims` for :data:`DD_DESIGN`);
    *model* (sample -> (params, metrics), raising :class:`Infeasible` when Table 2 cannot be
    reached) to :func:`device_model` (:func:`dd_model` on *mesh*) on *n_values*, its searches
    starting from the calibration *start* (default the reference; the model's own calibration).

    Variables: every physics assumption and analysis choice (sample; its units; a choice with
    options as the option's index, attribute ``options``), ``feasible`` (sample), the
    recalibrated free parameters of the design's model (sample, n; NaN where infeasible:
    ``ea_eV``, ``e0_eV``, ``nu_m_per_s`` of the multi-trap model, ``ea_eV``, ``dispersion``,
    ``gating_length_nm`` of the drift–diffusion model), and per judged claim
    ``margin__<id>`` (sample; the claim's margin units), ``holds__<id>`` (sample; 1/0, -1 where
    not evaluated) and ``outcome__<id>`` (sample; index in :data:`analysis.evidence.claims.OUTCOMES`,
    -1 where not evaluated). A chunk of :data:`DD_DESIGN` has the attributes ``model`` and ``mesh``.
    """
    dd = which == DD_DESIGN
    ledger = (dd_swept_claims() if dd else swept_claims()) if ledger is None else list(ledger)
    if model is None:
        def model(sample):
            if dd:
                return dd_model(sample, n_values, sizes, start, mesh)
            return device_model(sample, n_values, sizes, start)
    free = models.get(DD_DESIGN if dd else models.PRIMARY_MODEL).free_parameters
    table = design_priors(which)
    ctab = choices.table()
    full = design(which, n_samples, seed)
    idx = chunk_indices(n_samples, chunk, n_chunks)
    labels = [parse_n(n) for n in n_values]
    feas = np.zeros(idx.size, dtype="i1")
    pars = np.full((len(free), idx.size, len(labels)), np.nan)
    margins = {c["id"]: np.full(idx.size, np.nan) for c in ledger}
    holds = {c["id"]: np.full(idx.size, -1, dtype="i1") for c in ledger}
    outcomes = {c["id"]: np.full(idx.size, -1, dtype="i1") for c in ledger}
    units = {}
    for i, s in enumerate(idx):
        t0 = time.perf_counter()
        res = evaluate_sample(full[s], ledger, model)
        log.info("%s sample %d/%d (chunk %d): %s in %.1f s", which, s + 1, n_samples, chunk,
                 "feasible" if res["feasible"] else "infeasible: " + res["reason"],
                 time.perf_counter() - t0)
        feas[i] = 1 if res["feasible"] else 0
        for j, n in enumerate(labels):
            if n in res["params"]:
                pars[:, i, j] = res["params"][n]
        for cid, r in res["records"].items():
            if r is None:
                continue
            margins[cid][i] = r["margin"] if math.isfinite(r["margin"]) else np.nan
            holds[cid][i] = 1 if r["ok"] else 0
            outcomes[cid][i] = claims.OUTCOMES.index(r["outcome"])
            units.setdefault(cid, set()).add(r.get("margin_units", "1"))
    v = {}
    for name, p in table.items():
        x = np.array([full[s]["physics"].get(name, np.nan) for s in idx], dtype=float)
        v[name] = ("sample", x, {"units": p["units"], "long_name": f"assumption {name} (NaN: nominal)",
                                 "topic": p["topic"], "kind": p["kind"], "model": p["model"],
                                 "prior_range": list(p[DESIGN_PRIOR[which] or "plausible"])})
    for name, entry in ctab.items():
        x = np.array([choices.encode(name, full[s]["analysis"][name]) for s in idx], dtype=float)
        attrs = {"units": str(entry.get("units", "1")), "long_name": f"analysis choice {name}",
                 "kind": "choice"}
        if "options" in entry:
            # one string: NetCDF 3 attributes hold no list of strings
            attrs["options"] = OPTION_SEP.join(choices.option_key(o) for o in entry["options"])
            attrs["units"] = "1"
            attrs["long_name"] += " (index of its option)"
        v[f"choice__{name}"] = ("sample", x, attrs)
    v["feasible"] = ("sample", feas, {"units": "1", "long_name": "Table 2 reachable by the calibration (1) or not (0)"})
    for k, p in enumerate(free):
        v[p.name] = (("sample", "n"), pars[k], {"units": p.units, "long_name": f"recalibrated {p.name}"})
    for c in ledger:
        cid = c["id"]
        v[_var(cid)] = ("sample", margins[cid], {**margin_units_attrs(units.get(cid, {"1"})),
                        "long_name": f"margin of claim {cid} (> 0: holds)", "claim": cid})
        v[_var(cid, "holds")] = ("sample", holds[cid], {
            "units": "1", "long_name": f"claim {cid} holds (1), fails (0), not evaluated (-1)", "claim": cid,
            "metric": str(c["metric"])})
        v[_var(cid, "outcome")] = ("sample", outcomes[cid], {
            "units": "1", "long_name": f"outcome of claim {cid} (index in outcomes; -1 not evaluated)",
            "claim": cid, "outcomes": OPTION_SEP.join(claims.OUTCOMES)})
    ds = xr.Dataset(v, coords={"sample": ("sample", idx, {"units": "1", "long_name": "index in the design"}),
                               "n": ("n", np.array(labels, dtype=object), {"units": "1", "long_name": "dimensionality"})})
    ds.attrs.update({"design": which, "prior": DESIGN_PRIOR[which] or "nominal", "n_samples": int(n_samples),
                     "chunk": int(chunk), "n_chunks": int(n_chunks),
                     "seed": int(rules()["seed"] if seed is None else seed)})
    if dd:
        ds.attrs.update({"model": DD_DESIGN, "mesh": str(mesh)})
    return ds


def margin_units_attrs(units, name: str = "margin") -> dict:
    """CF attributes of a claim's margin over samples whose judged units were *units* (a set).

    A margin's units can differ between samples when an analysis choice changes what the margin
    measures (``trend_effect``: a relative change over the sweep or the smallest relative step,
    both dimensionless): the variable then carries the common units (the text before `` (``)
    and every meaning in ``margin_meanings``. Units that differ in kind raise ValueError."""
    units = sorted(set(units))
    if len(units) == 1:
        return {"units": units[0]}
    base = {u.split(" (", 1)[0] for u in units}
    if len(base) > 1:
        raise ValueError(f"{name}: samples give margins in different units {units}")
    return {"units": base.pop(), "margin_meanings": OPTION_SEP.join(units)}


def merge(chunks: list[xr.Dataset]) -> xr.Dataset:
    """Concatenate the chunks of one design along ``sample`` (checked complete)."""
    if not chunks:
        raise ValueError("merge needs at least one chunk")
    chunks = sorted(chunks, key=lambda d: int(d.attrs["chunk"]))
    # A chunk in which no sample evaluated a claim writes its margin with the default units "1";
    # the units of the chunks that did evaluate it hold (else drop_conflicts would drop them).
    chunks = [c.copy() for c in chunks]
    for var in [v for v in chunks[0].data_vars if str(v).startswith("margin__")]:
        evaluated = [c for c in chunks if (c[var.replace("margin__", "holds__", 1)] != -1).any()]
        meanings = set()
        for c in evaluated:
            meanings |= set(c[var].attrs.get("margin_meanings", c[var].attrs.get("units", "1")).split(OPTION_SEP))
        if meanings:
            attrs = margin_units_attrs(meanings, var)
            for c in chunks:
                c[var].attrs.pop("margin_meanings", None)
                c[var].attrs.update(attrs)
    ds = xr.concat(chunks, dim="sample", combine_attrs="drop_conflicts")
    n = int(chunks[0].attrs["n_samples"])
    if sorted(ds["sample"].values.tolist()) != list(range(n)):
        raise ValueError(f"chunks cover samples {ds['sample'].values.tolist()}; expected 0..{n - 1}")
    ds.attrs.pop("chunk", None)
    return ds


# --------------------------------------------------------------------------- statistics
wilson = statistics.wilson
"""Wilson score interval of a binomial fraction (:func:`analysis.evidence.statistics.wilson`)."""


def stage_model(metric) -> str:
    """``device``, ``optics`` or ``xrd``: the model whose physics assumptions a metric
    (``stage:name``, or a claim) depends on (:data:`STAGE_MODEL`)."""
    metric = metric if isinstance(metric, str) else metric["metric"]
    stage, _, name = metric.partition(":")
    for key, model in STAGE_MODEL.items():
        k_stage, _, prefix = key.partition(":")
        if prefix and k_stage == stage and name.startswith(prefix):
            return model
    return STAGE_MODEL.get(stage, "device")


def _fraction(h: np.ndarray, conf: float, robust: float) -> dict:
    ev = h[h != -1]
    k, n = int((ev == 1).sum()), int(ev.size)
    lo, hi = wilson(k, n, conf)
    verdict = ("holds" if lo >= robust else "fails" if hi <= 1 - robust else "depends") if n else "not swept"
    return {"fraction": k / n if n else None, "interval": [lo, hi], "samples": n, "verdict": verdict}


OPTION_SEP = " | "
"""Separator of the option keys in a ``choice__*`` variable's ``options`` attribute."""


def _assumption_columns(ds: xr.Dataset) -> dict:
    """name -> (kind, values, options or None) of every assumption stored in a design."""
    out = {}
    for var in ds.data_vars:
        a = ds[var].attrs
        if var.startswith("choice__"):
            opts = a.get("options")
            out[var.removeprefix("choice__")] = ("analysis", ds[var].values,
                                                 opts.split(OPTION_SEP) if opts else None)
        elif "topic" in a and "kind" in a:
            kind = "analysis" if a["kind"] == "analysis" else "physics"
            out[var] = (kind, ds[var].values, None)
    return out


def sensitivities(ds: xr.Dataset, var: str, model: str, top: int) -> tuple[dict, str]:
    """The assumptions of either kind that move a claim most in design *ds*.

    For each assumption stored (the physics of the claim's model, every analysis choice): how the
    fraction of samples in which the claim holds changes across it — for a choice with options,
    the largest minus the smallest fraction among its options; for a continuous assumption, the
    fraction above its median minus below it — and, for a continuous one, Spearman's ρ of the
    claim's margin. Returns the *top* by |Δ fraction| (ties by |ρ|) as ``name -> {kind, delta,
    rho}``, and a note when none can be named.
    """
    from scipy.stats import spearmanr
    h = ds[var].values
    margin = ds[var.replace("holds__", "margin__")].values
    ev = h != -1
    if ev.sum() < 3:
        return {}, f"none: evaluated in {int(ev.sum())} sample(s), fewer than 3"
    table = priors()
    out = {}
    for name, (kind, x, options) in _assumption_columns(ds).items():
        if kind == "physics" and (ds[name].attrs.get("model") or table.get(name, {}).get("model", "device")) != model:
            continue
        xe, he, me = x[ev], h[ev], margin[ev]
        good = np.isfinite(xe)
        if good.sum() < 3 or np.ptp(xe[good]) == 0:
            continue
        xe, he, me = xe[good], he[good], me[good]
        rho = None
        if options:
            fr = [float(he[xe == k].mean()) for k in np.unique(xe) if (xe == k).sum() >= 2]
            delta = (max(fr) - min(fr)) if len(fr) >= 2 else 0.0
        else:
            med = np.median(xe)
            lo, hi = he[xe <= med], he[xe > med]
            delta = float(hi.mean() - lo.mean()) if lo.size and hi.size else 0.0
            mm = np.isfinite(me)
            if mm.sum() >= 3 and np.ptp(me[mm]) > 0:
                rho = float(spearmanr(xe[mm], me[mm]).statistic)
        if delta != 0 or (rho is not None and abs(rho) > 0):
            out[name] = {"kind": kind, "delta": float(delta), "rho": rho}
    ranked = dict(sorted(out.items(), key=lambda kv: (-abs(kv[1]["delta"]), -abs(kv[1]["rho"] or 0)))[:top])
    if ranked:
        return ranked, ""
    held = h[ev]
    if np.all(held == held[0]):
        return {}, ("none: the claim " + ("holds" if held[0] == 1 else "fails") +
                    " in every evaluated sample, whatever the assumptions")
    return {}, "none: no stored assumption moves it"


def summarise(designs: dict) -> dict:
    """Per-claim robustness over the physics, over the analysis choices and jointly, the
    construction test and the sensitivities (see the module docstring).

    Parameters
    ----------
    designs : dict
        design name -> merged Dataset (any subset of :data:`ALL_DESIGNS`; ``plausible`` is required).

    Returns
    -------
    dict
        ``claims``: id -> ``robustness_physics``, ``robustness_analysis``, ``robustness_joint``
        and, for a device claim when :data:`DD_DESIGN` is given, ``robustness_driftdiffusion``
        (the drift–diffusion model over its own assumptions; fractions, None where the design is
        absent or never evaluated the claim) with their ``*_interval`` (Wilson), ``verdict_*``
        and ``samples`` (per design), ``robustness`` and
        ``robustness_interval`` (the joint one, else the physics one), ``verdict_robust``
        (holds / fails / depends / not swept), ``robustness_over``, ``wide_samples`` (evaluated
        samples of every design), ``wide_holds_all``, ``wide_fails_all``, ``outcomes_joint``
        (outcome -> count), ``sensitivities`` (:func:`sensitivities` in the joint design, else
        the physics one) and ``sensitivity_note``; ``samples`` and ``feasible_fraction`` per
        design; ``assumptions`` (physics) and ``choices`` (analysis). The headline robustness,
        the verdict, the construction test and the sensitivities are the multi-trap model's: the
        drift–diffusion design is reported beside them, never pooled into them.
    """
    if "plausible" not in designs:
        raise ValueError("summarise needs the plausible design")
    r = rules()
    conf, robust, top = float(r["confidence"]), float(r["robust_fraction"]), int(r["sensitivity_top"])
    base = designs["plausible"]
    out = {"claims": {}, "samples": {}, "feasible_fraction": {},
           "assumptions": [k for k, (kind, _, _) in _assumption_columns(base).items() if kind == "physics"],
           "choices": list(choices.table())}
    for name, ds in designs.items():
        out["samples"][name] = int(ds.sizes["sample"])
        out["feasible_fraction"][name] = float((ds["feasible"].values == 1).mean())
    sens_design = designs.get("joint", base)
    for var in base.data_vars:
        if not var.startswith("holds__"):
            continue
        cid = base[var].attrs["claim"]
        entry = {"samples": {}}
        for name, ds in designs.items():
            if var not in ds or name not in ROBUSTNESS_OF:
                continue
            f = _fraction(ds[var].values, conf, robust)
            kind = ROBUSTNESS_OF[name]
            entry[f"robustness_{kind}"] = f["fraction"]
            entry[f"robustness_{kind}_interval"] = f["interval"]
            entry["samples"][name] = f["samples"]
            entry[f"verdict_{kind}"] = f["verdict"]
        main = "joint" if "robustness_joint" in entry and entry["samples"].get("joint") else "physics"
        entry["robustness"] = entry.get(f"robustness_{main}")
        entry["robustness_interval"] = entry.get(f"robustness_{main}_interval", [math.nan, math.nan])
        entry["verdict_robust"] = entry.get(f"verdict_{main}", "not swept")
        entry["robustness_over"] = ("physics and analysis choices" if main == "joint" else "physics")
        pooled = np.concatenate([ds[var].values[ds[var].values != -1] for name, ds in designs.items()
                                 if var in ds and name != DD_DESIGN])
        entry["wide_samples"] = int(pooled.size)
        entry["wide_holds_all"] = bool(pooled.size > 0 and np.all(pooled == 1))
        entry["wide_fails_all"] = bool(pooled.size > 0 and np.all(pooled == 0))
        ovar = var.replace("holds__", "outcome__")
        if ovar in sens_design:
            codes = sens_design[ovar].values
            entry["outcomes_joint"] = {o: int((codes == i).sum()) for i, o in enumerate(claims.OUTCOMES)
                                       if (codes == i).any()}
        model = stage_model(base[var].attrs.get("metric", "device"))
        if var in sens_design:
            entry["sensitivities"], entry["sensitivity_note"] = sensitivities(sens_design, var, model, top)
        if var in designs.get(DD_DESIGN, {}):
            entry["sensitivities_driftdiffusion"], _ = sensitivities(designs[DD_DESIGN], var, DD_DESIGN, top)
        margin = base[var.replace("holds__", "margin__")].values
        entry["margin_median"] = float(np.nanmedian(margin)) if np.isfinite(margin).any() else None
        entry["margin_units"] = base[var.replace("holds__", "margin__")].attrs.get("units", "1")
        out["claims"][cid] = entry
    return out


# --------------------------------------------------------------------------- outputs
def classes(ledger: list[dict], summary: dict | None) -> dict:
    """claim id -> class, from the ledger and the sweep summary (no metrics needed)."""
    sweep = (summary or {}).get("claims", {})
    return {c["id"]: claims.classify(c, sweep.get(c["id"])) for c in ledger}


def claim_table(summary: dict, ledger: list[dict] | None = None):
    """One row per claim: class, robustness over physics, analysis and jointly, and of the
    drift–diffusion model over its own assumptions (with intervals; NaN where not swept),
    verdict, construction test and the top sensitivities (a pandas DataFrame)."""
    import pandas as pd
    ledger = claims.load_ledger() if ledger is None else ledger
    cls = classes(ledger, summary)
    rows = []
    for c in ledger:
        s = summary["claims"].get(c["id"], {})
        row = {"id": c["id"], "figure": c["figure"], "class": cls[c["id"]]}
        for kind in ("physics", "analysis", "joint", DD_DESIGN):
            val = s.get(f"robustness_{kind}")
            lo, hi = s.get(f"robustness_{kind}_interval", [math.nan, math.nan])
            row[f"robustness_{kind}"] = math.nan if val is None else val
            row[f"{kind}_low"], row[f"{kind}_high"] = lo, hi
        row.update({"verdict": s.get("verdict_robust", "not swept") if cls[c["id"]] == "prediction" else "",
                    "wide_samples": s.get("wide_samples", 0), "wide_holds_all": s.get("wide_holds_all", ""),
                    "wide_fails_all": s.get("wide_fails_all", ""),
                    "top_sensitivities": "; ".join(f"{k} ({v['kind']}) Δ{v['delta']:+.2f}"
                                                   for k, v in s.get("sensitivities", {}).items())})
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    """CLI: ``python -m analysis.evidence.robustness chunk --design D --samples N --chunk K --chunks M
    --output F [--calibration FILE] [--films N ...] [--mesh full|quick]`` (the mesh of the
    drift–diffusion design; *FILE* the run's calibration of the design's model) and
    ``python -m analysis.evidence.robustness merge --output F CHUNK.nc …``."""
    import argparse
    import logging as _logging
    from analysis.stage_io import write_netcdf
    parser = argparse.ArgumentParser(description="one chunk of the robustness sweep")
    sub = parser.add_subparsers(dest="command", required=True)
    ch = sub.add_parser("chunk", help="evaluate one chunk of a design into a NetCDF file")
    ch.add_argument("--design", choices=ALL_DESIGNS, required=True)
    ch.add_argument("--samples", type=int, required=True, help="samples in the design")
    ch.add_argument("--chunk", type=int, required=True)
    ch.add_argument("--chunks", type=int, required=True)
    ch.add_argument("--calibration", help="the run's calibration (YAML): the searches' starting points")
    ch.add_argument("--films", nargs="+", default=list(N_VALUES), help="films of the run (config n_values)")
    ch.add_argument("--mesh", choices=models.MESHES, default="quick",
                    help=f"mesh of the {DD_DESIGN} design's model (profile setting robustness.driftdiffusion_mesh)")
    ch.add_argument("--output", required=True)
    mg = sub.add_parser("merge", help="merge the chunks of one design into one NetCDF file")
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
    for name in ("analysis.evidence.calibration", "analysis.physics.fits", "analysis.physics.dd_calibration"):
        _logging.getLogger(name).setLevel(_logging.ERROR)
    from analysis.parameters import calibration_values
    start = calibration_values(args.calibration) if args.calibration else None
    t0 = time.perf_counter()
    ds = run_chunk(args.design, args.samples, args.chunk, args.chunks,
                   n_values=[parse_n(n) for n in args.films], start=start, mesh=args.mesh)
    write_netcdf(ds, args.output)
    log.info("wrote %s (%d samples, %d feasible, %.1f s)", args.output, ds.sizes["sample"],
             int(ds["feasible"].sum()), time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
