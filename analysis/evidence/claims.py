"""The claims ledger and the checks of every output against it.

The ledger (``data/paper/claims/*.yaml``) holds one entry per checkable statement
of the paper.  Each entry names the *metric* that checks it: a value that a
workflow notebook wrote with :func:`write_metrics` to
``results/metrics/<stage>.json``.  :func:`evaluate` compares the metric with the
paper's statement and returns a status:

``pass``     the simulation reproduces the statement within the stated tolerance;
``fail``     it does not (a *finding*, reported with a note; the run goes on);
``missing``  the output that would check it does not exist (yet).

Ledger entry keys
-----------------
id, figure, quote, location : str
kind : ``quantitative`` | ``trend``
basis : ``calibrated`` (the model was fitted to this number) | ``predicted``
    | ``literature`` (a value the paper quotes from elsewhere, checked against data/)
metric : ``<stage>:<name>``, optionally with ``key`` selecting one entry of a
    dict-valued metric (e.g. the dimensionality ``"3"``)
compare : mapping with ``op`` and its operands:

    ``rel``        |c − paper| ≤ tolerance·|paper|
    ``abs``        |c − paper| ≤ tolerance
    ``range``      min ≤ c ≤ max
    ``gt``/``lt``  c > value / c < value
    ``increasing``/``decreasing``  strictly monotone over ``over`` (keys of a
                   dict metric, default its insertion order) or a list metric
    ``argmax``/``argmin``  the key of the largest/smallest entry equals ``paper``
    ``equals``     c == paper
    ``true``       bool(c) is True
    ``prediction_interval``  c is a list of per-seed values (S ≥ 2); the paper's number
                   lies within mean ± t(1 − α/2; S − 1)·sd·√(1 + 1/S), α = 1 − ``coverage``:
                   could it be one more run of the simulated setting?
                   (``data/paper/accuracy_rule.yaml`` gives the rule and its source)
condition : mapping — what the paper states about the conditions under which the statement
    holds (issue 17 §1): ``stated`` (bool: does the paper state every condition the check
    needs?), and as the paper gives them ``figure``, ``protocol`` (spike amplitude, width,
    number, interval or frequency range, ...), ``read_voltage_V``, ``evaluation`` (time,
    interval or statistic), ``stated_in`` (where); ``unstated`` (required when ``stated`` is
    false: what the check needs that the paper does not give); ``open`` (list: the analysis
    choices of data/evidence/analysis_choices.yaml, or the protocol/analysis entries of
    data/evidence/priors.yaml, that the sweep varies for it); ``scope`` (optional note).
question : ``true`` for the compendium's own question — a statement the paper does not make
    (e.g. two sentences joined) — never counted as the paper's claim; requires ``why``.
derived_from : str, optional — id of the claim whose finding this one repeats (its outcome
    follows from that one's): shown with it, never counted as a separate finding.
variant_of : str, optional — id of the claim of which this one is the same paper statement
    evaluated under other options of analysis choices (``variant``: choice -> option); the
    variants of a statement are one claim swept over those choices, not separate findings.
variant : mapping, optional — choice -> option of the analysis choices this entry realises.
note : str, optional — shown in the report.
reference : ``unverified`` for a comparison with a value tagged [M] (shown, never pass/fail).
construction : str, optional — why the claim holds by construction (class ``structural``).
compare.quantity : optional quantity type of ``data/evidence/effect_sizes.yaml``; it supplies
    the tolerance of ``rel``/``abs`` (instead of ``compare.tolerance``) or the detection
    threshold of a trend (``gt``/``lt``/``increasing``/``decreasing``/``argmin``/``argmax``):
    a trend in the right direction whose effect does not exceed it fails as *not detectable*.
compare.effect : ``overall`` for a monotone trend over a protocol sweep: the effect is the
    change from the first to the last point (each step must still have the right sign);
    default ``step``, the smallest step (comparisons between films, each step a claim).

Each record also carries ``margin`` (distance from the threshold in the claim's units,
> 0 when the claim holds; ±1 for a boolean or categorical claim) and ``class``:

``calibration``           a fitting target (target, reached, residual; never a reproduction);
``structural``            holds in every sample of the wide prior of the robustness sweep, or
                          by a stated construction;
``prediction``            can fail inside the model: a test of the paper (with robustness);
``audit``                 the paper's numbers checked against each other or the literature;
``unverified``            an unverified ([M]) reference is compared: status ``shown``, never pass or fail.

Examples
--------
>>> claim = {"id": "x", "figure": "Fig. 2b", "quote": "peak at 401 nm", "location": "p. 3",
...          "kind": "quantitative", "basis": "predicted",
...          "metric": "optics:peak_nm", "key": "1",
...          "compare": {"op": "abs", "paper": 401, "tolerance": 2},
...          "condition": {"stated": True, "figure": "Fig. 2b"}}
>>> evaluate(claim, {"optics": {"peak_nm": {"1": 402.0}}})["status"]
'pass'
"""
from __future__ import annotations

import functools
import math
import os
from pathlib import Path

from analysis.evidence import statistics
from analysis.evidence.rules import effect_sizes, robustness_rules
from analysis.evidence.statistics import prediction_interval, wilson  # noqa: F401 (used by the ledger's ops)
from analysis.stage_io import load_metrics, write_metrics  # noqa: F401 (the metrics files' readers and writers)
from analysis.parameters import data_dir

KINDS = ("quantitative", "trend")
BASES = ("calibrated", "predicted", "literature")
CLASSES = ("calibration", "structural", "prediction", "audit", "unverified")
OPS = {"rel": ("paper",), "abs": ("paper",), "range": ("min", "max"),
       "gt": ("value",), "lt": ("value",), "increasing": (), "decreasing": (),
       "argmax": ("paper",), "argmin": ("paper",), "equals": ("paper",), "true": (),
       "prediction_interval": ("paper", "coverage")}
REQUIRED = ("id", "figure", "quote", "location", "kind", "basis", "metric", "compare", "condition")


def validate_claim(claim: dict, source: str = "ledger") -> None:
    """Raise ValueError naming the claim and the field that is wrong."""
    cid = claim.get("id", "<no id>") if isinstance(claim, dict) else "<not a mapping>"
    if not isinstance(claim, dict):
        raise ValueError(f"{source}: claim {cid} must be a mapping")
    missing = [k for k in REQUIRED if k not in claim]
    if missing:
        raise ValueError(f"{source}: claim {cid} lacks {', '.join(missing)}")
    if claim["kind"] not in KINDS:
        raise ValueError(f"{source}: claim {cid} has kind={claim['kind']!r}; expected one of {KINDS}")
    if claim["basis"] not in BASES:
        raise ValueError(f"{source}: claim {cid} has basis={claim['basis']!r}; expected one of {BASES}")
    if ":" not in str(claim["metric"]):
        raise ValueError(f"{source}: claim {cid} has metric={claim['metric']!r}; expected '<stage>:<name>'")
    cmp = claim["compare"]
    op = cmp.get("op") if isinstance(cmp, dict) else None
    if op not in OPS:
        raise ValueError(f"{source}: claim {cid} has compare.op={op!r}; expected one of {sorted(OPS)}")
    absent = [k for k in OPS[op] if k not in cmp]
    if op in ("rel", "abs") and "tolerance" not in cmp and "quantity" not in cmp:
        absent.append("tolerance")
    if absent:
        raise ValueError(f"{source}: claim {cid} (op {op}) lacks compare.{', compare.'.join(absent)}")
    if "quantity" in cmp:
        table = effect_sizes()
        if cmp["quantity"] not in table:
            raise ValueError(f"{source}: claim {cid} has compare.quantity={cmp['quantity']!r}; "
                             f"expected one of {sorted(table)} (data/evidence/effect_sizes.yaml)")
        if "tolerance" in cmp:
            raise ValueError(f"{source}: claim {cid} states compare.tolerance and compare.quantity; "
                             "the tolerance of a quantity type is stated once, in effect_sizes.yaml")
        entry = table[cmp["quantity"]]
        if entry["kind"] == "tolerance" and op != entry["op"]:
            raise ValueError(f"{source}: claim {cid} uses op {op} with quantity {cmp['quantity']} "
                             f"whose tolerance is {entry['op']}")
    if claim.get("reference") not in (None, "unverified"):
        raise ValueError(f"{source}: claim {cid} has reference={claim['reference']!r}; expected 'unverified'")
    _validate_condition(claim, source)


def _validate_condition(claim: dict, source: str) -> None:
    """The issue-17 keys: condition, question/why, derived_from, variant_of/variant."""
    cid = claim["id"]
    cond = claim["condition"]
    if not isinstance(cond, dict) or not isinstance(cond.get("stated"), bool):
        raise ValueError(f"{source}: claim {cid} needs condition.stated (true or false): what the paper "
                         "states about the conditions under which the statement holds")
    if not cond["stated"] and not str(cond.get("unstated") or "").strip():
        raise ValueError(f"{source}: claim {cid} has condition.stated false and no condition.unstated "
                         "(what the check needs that the paper does not state)")
    opened = cond.get("open", [])
    if not isinstance(opened, list) or not all(isinstance(o, str) and o.strip() for o in opened) \
            or len(set(opened)) != len(opened):
        raise ValueError(f"{source}: claim {cid} has condition.open={opened!r}; expected a list of distinct "
                         "analysis-choice names (data/evidence/analysis_choices.yaml or priors.yaml)")
    if "question" in claim and (claim["question"] is not True or not str(claim.get("why") or "").strip()):
        raise ValueError(f"{source}: claim {cid}: question must be true and come with a why "
                         "(why the paper does not make this statement)")
    for key in ("derived_from", "variant_of"):
        if key in claim and (not isinstance(claim[key], str) or claim[key] == cid):
            raise ValueError(f"{source}: claim {cid} has {key}={claim[key]!r}; expected the id of another claim")
    variant = claim.get("variant")
    if ("variant_of" in claim or variant is not None) and not (
            isinstance(variant, dict) and variant and all(isinstance(v, str) for v in variant.values())):
        raise ValueError(f"{source}: claim {cid} needs variant: a mapping analysis choice -> option")


def load_ledger(folder: str | os.PathLike | None = None) -> list[dict]:
    """All claims from ``data/paper/claims/*.yaml`` in file then entry order.

    Raises ValueError for a malformed entry, a duplicated id, or a ``derived_from`` /
    ``variant_of`` that does not name a primary claim of the ledger.
    """
    folder = Path(folder) if folder else data_dir() / "paper" / "claims"
    claims, seen = [], {}
    for path in sorted(folder.glob("*.yaml")):
        entries = _read_yaml(path)
        for claim in entries or []:
            validate_claim(claim, source=path.name)
            if claim["id"] in seen:
                raise ValueError(f"claim id {claim['id']!r} appears in {seen[claim['id']]} and {path.name}")
            seen[claim["id"]] = path.name
            claims.append(claim)
    by_id = {c["id"]: c for c in claims}
    for claim in claims:
        for key in ("derived_from", "variant_of"):
            target = by_id.get(claim.get(key)) if key in claim else None
            if key in claim and target is None:
                raise ValueError(f"{seen[claim['id']]}: claim {claim['id']} has {key}={claim[key]!r}, "
                                 "which is not a claim of the ledger")
            if target is not None and ("derived_from" in target or "variant_of" in target):
                raise ValueError(f"{seen[claim['id']]}: claim {claim['id']} has {key}={claim[key]!r}, which "
                                 "itself derives from or varies another claim; name the primary claim")
    return claims


def _read_yaml(path: Path):
    import yaml
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _lookup(claim: dict, metrics: dict):
    stage, name = str(claim["metric"]).split(":", 1)
    if stage not in metrics or name not in metrics[stage]:
        return None, f"output {claim['metric']} not produced"
    value = metrics[stage][name]
    key = claim.get("key")
    if key is not None:
        if not isinstance(value, dict) or str(key) not in value:
            return None, f"output {claim['metric']} has no entry {key!r}"
        value = value[str(key)]
    return value, None


def _num(x):
    if isinstance(x, str) and x in ("inf", "-inf"):
        return float(x)
    return float(x)


def _ordered(value, over):
    if isinstance(value, dict):
        keys = [str(k) for k in (over or value.keys())]
        return [_num(value[k]) for k in keys if k in value], keys
    return [_num(v) for v in value], None


def _assess(op: str, c, cmp: dict, sizes: dict | None = None) -> dict:
    """Compare a metric with the paper's statement.

    Returns ``ok`` (the claim holds, effect size included), ``paper_text``, ``margin``
    (distance from the threshold in the claim's units, > 0 when it holds; ±1 for a boolean or
    categorical claim), ``margin_units`` and, for a trend with a detection threshold,
    ``effect``, ``threshold`` and ``detectable``.
    """
    q = (sizes if sizes is not None else effect_sizes()).get(cmp["quantity"]) if "quantity" in cmp else None
    thr = float(q["value"]) if q and q["kind"] == "detection" else 0.0
    units = str(cmp.get("units", "1"))
    out = {"margin_units": units}

    def trend(effect, paper_text, direction_ok, effect_units):
        ok = direction_ok and effect > thr
        out.update(ok=ok, paper_text=paper_text, margin=effect - thr, margin_units=effect_units)
        if q is not None:
            out.update(effect=effect, threshold=thr, detectable=effect > thr)
            out["paper_text"] += f" (effect > {thr:g}, {cmp['quantity']})"
        return out

    if op in ("rel", "abs"):
        p = _num(cmp["paper"])
        tol = float(q["value"]) if q else float(cmp["tolerance"])
        dev = abs(_num(c) - p)
        limit = tol * abs(p) if op == "rel" else tol
        tol_text = f"±{100 * tol:g} %" if op == "rel" else f"±{tol:g}"
        out.update(ok=dev <= limit, paper_text=f"{cmp['paper']} ({tol_text})", margin=limit - dev)
        return out
    if op == "range":
        lo, hi = _num(cmp["min"]), _num(cmp["max"])
        x = _num(c)
        out.update(ok=lo <= x <= hi, paper_text=f"{cmp['min']} … {cmp['max']}", margin=min(x - lo, hi - x))
        return out
    if op in ("gt", "lt"):
        sign = 1.0 if op == "gt" else -1.0
        effect = sign * (_num(c) - _num(cmp["value"]))
        return trend(effect, f"{'>' if op == 'gt' else '<'} {cmp['value']}", effect > 0, units)
    if op in ("increasing", "decreasing"):
        seq, _ = _ordered(c, cmp.get("over"))
        sign = 1 if op == "increasing" else -1
        relative = bool(q and q.get("step") == "relative")

        def change(a, b):
            return sign * (b - a) / (abs(a) if relative else 1.0)

        steps = [change(a, b) for a, b in zip(seq, seq[1:])]
        monotone = len(seq) >= 2 and min(steps) > 0
        what = "relative " if relative else ""
        if cmp.get("effect") == "overall" and monotone:
            # a protocol sweep (frequency, amplitude, …): its grid is arbitrary, so the effect
            # is the change over the whole sweep; every step must still have the right sign
            effect, eunits = change(seq[0], seq[-1]), f"{what}change over the sweep"
        else:
            effect = min(steps) if steps else -math.inf
            eunits = f"smallest {what}step"
        text = op + (f" over {', '.join(map(str, cmp['over']))}" if cmp.get("over") else "")
        return trend(effect, text, monotone, f"{'1' if relative else units} ({eunits})")
    if op in ("argmax", "argmin"):
        seq, keys = _ordered(c, cmp.get("over"))
        keys = keys or [str(i) for i in range(len(seq))]
        sign = 1 if op == "argmax" else -1
        target = keys.index(str(cmp["paper"])) if str(cmp["paper"]) in keys else None
        others = [sign * v for i, v in enumerate(seq) if i != target]
        if target is None or not others:
            effect = -math.inf
        else:   # relative lead of the paper's choice over the best other one
            effect = (sign * seq[target] - max(others)) / abs(seq[target] or 1.0)
        return trend(effect, f"{op[3:]} at {cmp['paper']}", effect > 0, "1 (relative lead)")
    if op == "equals":
        ok = c == cmp["paper"]
        out.update(ok=ok, paper_text=str(cmp["paper"]), margin=1.0 if ok else -1.0, margin_units="boolean")
        return out
    if op == "true":
        ok = bool(c)
        out.update(ok=ok, paper_text="true", margin=1.0 if ok else -1.0, margin_units="boolean")
        return out
    if op == "prediction_interval":
        mean, half = prediction_interval(c, float(cmp["coverage"]))
        p = _num(cmp["paper"])
        out.update(ok=abs(p - mean) <= half, margin=half - abs(p - mean),
                   paper_text=(f"{cmp['paper']}; {100 * float(cmp['coverage']):g} % prediction "
                               f"interval {mean:.4g} ± {half:.3g}"))
        return out
    raise ValueError(f"unknown comparison op {op!r}; expected one of {sorted(OPS)}")


def _compare(op: str, c, cmp: dict) -> tuple[bool, str]:
    """Return (ok, paper_text) (see :func:`_assess`)."""
    a = _assess(op, c, cmp)
    return a["ok"], a["paper_text"]


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def classify(claim: dict, sweep: dict | None = None) -> str:
    """The class of a claim (see the module docstring), decided from the ledger and the sweep.

    Parameters
    ----------
    claim : dict
        Ledger entry.
    sweep : dict, optional
        The claim's entry of the robustness summary (:func:`analysis.evidence.robustness.summarise`):
        ``wide_holds_all`` (bool) and ``wide_samples`` (feasible wide samples evaluated).
        Without it a predicted claim stays a ``prediction`` (it has not been shown to hold
        everywhere).
    """
    if claim.get("reference") == "unverified":
        return "unverified"
    if claim.get("construction"):
        return "structural"
    if claim["basis"] == "calibrated":
        return "calibration"
    if claim["basis"] == "literature":
        return "audit"
    if sweep and sweep.get("wide_samples", 0) > 0 and sweep.get("wide_holds_all"):
        return "structural"
    return "prediction"


def evaluate(claim: dict, metrics: dict, sizes: dict | None = None) -> dict:
    """Check one claim against the metrics; return the report record.

    ``metrics["robustness"]["claims"][id]`` (written by the robustness stage), when present,
    supplies the sweep statistics: robustness with its interval, structural test and
    sensitivities. *sizes* replaces the effect-size table (tests).
    """
    validate_claim(claim)
    cmp = claim["compare"]
    record = {"id": claim["id"], "figure": claim["figure"], "kind": claim["kind"],
              "basis": claim["basis"], "quote": claim["quote"], "location": claim["location"],
              "metric": claim["metric"] + (f"[{claim['key']}]" if claim.get("key") is not None else ""),
              "note": claim.get("note", "")}
    sweep = ((metrics.get("robustness") or {}).get("claims") or {}).get(claim["id"])
    if sweep is None and classify(claim) == "prediction":
        stage_metrics = metrics.get(str(claim["metric"]).split(":", 1)[0])
        if isinstance(stage_metrics, dict) and isinstance(stage_metrics.get("seeds"), list):
            sweep = seed_robustness(claim, stage_metrics)
    record["class"] = classify(claim, sweep)
    if claim.get("construction"):
        record["construction"] = claim["construction"]
    value, problem = _lookup(claim, metrics)
    if problem:
        _, paper_text = _safe_paper_text(cmp)
        record.update(paper=paper_text, compendium=None, status="missing", note=problem)
        return record
    try:
        a = _assess(cmp["op"], value, cmp, sizes)
    except (TypeError, ValueError, KeyError) as exc:
        record.update(paper=str(cmp), compendium=_fmt(value), status="fail",
                      note=f"cannot compare: {exc}")
        return record
    ok, paper_text = a["ok"], a["paper_text"]
    units = cmp.get("units")
    record.update(paper=paper_text + (f" {units}" if units else ""),
                  compendium=_fmt(value) + (f" {units}" if units and not isinstance(value, (dict, list)) else ""),
                  status="pass" if ok else "fail",
                  margin=_finite_or_none(a["margin"]), margin_units=a["margin_units"])
    if "detectable" in a:
        record.update(effect=_finite_or_none(a["effect"]), threshold=a["threshold"],
                      quantity=cmp["quantity"])
        if not a["detectable"] and a["effect"] > 0:
            record["verdict"] = "not detectable"
            record["note"] = (f"not detectable: effect {a['effect']:.3g} ≤ detection threshold "
                              f"{a['threshold']:g} ({cmp['quantity']}). " + record["note"]).strip()
    if record["class"] == "unverified":
        record["status"] = "shown"
        record["note"] = ("reference value unverified ([M]): shown, not counted as pass or fail. "
                          + record["note"]).strip()
    elif not ok and claim.get("fail_note"):
        record["note"] = (record["note"] + " " + claim["fail_note"]).strip()
    if record["class"] == "calibration" and cmp["op"] in ("rel", "abs"):
        target = _num(cmp["paper"])
        record["calibration"] = {"target": target, "reached": _num(value),
                                 "residual": _num(value) - target, "units": units or "1"}
    if record["class"] == "prediction" and sweep:
        record.update({k: sweep[k] for k in ("robustness", "robustness_interval", "plausible_samples",
                                             "sensitivities", "verdict_robust", "robustness_over",
                                             "robustness_basis", "sensitivity_note")
                       if k in sweep and (k != "sensitivity_note" or sweep[k])})
    if record["class"] == "structural" and sweep:
        record["structural_basis"] = (f"holds in all {sweep['wide_samples']} evaluated samples of "
                                      "the wide prior (feasible ones, or all for a claim that needs no "
                                      "Table 2; results/robustness/)")
    return record


def _finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _safe_paper_text(cmp):
    try:
        return _compare(cmp["op"], _dummy(cmp), cmp)
    except Exception:  # noqa: BLE001 — only for display
        return False, str({k: v for k, v in cmp.items() if k != "op"})


def _dummy(cmp):
    if cmp["op"] in ("increasing", "decreasing", "argmax", "argmin"):
        return [0.0, 1.0]
    if cmp["op"] in ("equals",):
        return cmp["paper"]
    if cmp["op"] == "true":
        return True
    if cmp["op"] == "prediction_interval":
        return [0.0, 0.0]
    return 0.0


# --------------------------------------------------------------------------- robustness over seeds
SEED_SUFFIX = "_per_seed"
"""A stage that trains over seeds stores per-seed values of metric X as ``X_per_seed``."""


def samples_for_robust_verdict(rules: dict | None = None) -> int:
    """Fewest samples in which a unanimous outcome is robust, under the rules of
    data/evidence/robustness.yaml (:func:`analysis.evidence.statistics.samples_for_robust_verdict`)."""
    rules = robustness_rules() if rules is None else rules
    return statistics.samples_for_robust_verdict(float(rules["robust_fraction"]), float(rules["confidence"]))


def _replaced(stage_metrics: dict, name: str, key, value) -> dict:
    """*stage_metrics* with metric *name* (entry *key* of a dict metric) replaced by *value*."""
    out = dict(stage_metrics)
    if key is None:
        out[name] = value
    else:
        out[name] = {**stage_metrics[name], str(key): value}
    return out


def seed_verdicts(claim: dict, stage_metrics: dict) -> tuple[list[bool] | None, str]:
    """Whether *claim* holds seed by seed, with the ledger's own comparison.

    * ``prediction_interval`` claims (the accuracy rule, data/paper/accuracy_rule.yaml) are
      built from all seeds, so one seed alone cannot be judged: the rule is applied with each
      seed left out in turn (it needs ``minimum_seeds`` + 1 seeds);
    * a metric X with per-seed values ``X_per_seed`` is compared seed by seed;
    * any other metric of the stage is the same in every seed (e.g. a property of the
      simulated device curve): the claim holds in all seeds or in none.

    Returns
    -------
    (verdicts, basis)
        One bool per seed (None when the seeds do not suffice) and how they were obtained.
    """
    stage, name = str(claim["metric"]).split(":", 1)
    key = claim.get("key")
    cmp = claim["compare"]
    seeds = stage_metrics.get("seeds") or []

    def holds(metrics_of_stage):
        value, problem = _lookup(claim, {stage: metrics_of_stage})
        if problem:
            return False
        try:
            return bool(_assess(cmp["op"], value, cmp)["ok"])
        except (TypeError, ValueError, KeyError):
            return False

    if cmp["op"] == "prediction_interval":
        values, problem = _lookup(claim, {stage: stage_metrics})
        if problem or not isinstance(values, list):
            return None, f"no per-seed values ({problem or 'not a list'})"
        from analysis.parameters import load_yaml
        need = int(load_yaml("paper/accuracy_rule.yaml")["minimum_seeds"]["value"]) + 1
        if len(values) < need:
            return None, (f"leave one seed out needs ≥ {need} seeds (accuracy_rule.yaml minimum_seeds "
                          f"+ 1); {len(values)} stored")
        return ([holds(_replaced(stage_metrics, name, key, values[:i] + values[i + 1:]))
                 for i in range(len(values))], "the accuracy rule with each seed left out in turn")
    per_seed = stage_metrics.get(name + SEED_SUFFIX)
    if per_seed is not None:
        if key is not None:
            per_seed = per_seed.get(str(key)) if isinstance(per_seed, dict) else None
        if not isinstance(per_seed, list) or not per_seed:
            return None, f"no per-seed values of {name}" + (f"[{key}]" if key is not None else "")
        return [holds(_replaced(stage_metrics, name, key, v)) for v in per_seed], "per seed"
    if not seeds:
        return None, "no seeds stored"
    return [holds(stage_metrics)] * len(seeds), "the same value in every seed"


def _seed_dependencies(claim: dict, stage_metrics: dict) -> list[str]:
    """What a classification accuracy depends on, from the settings the stage stores (device
    reading, weight mapping, settle time); ``["seeds only"]`` when it stores none."""
    import re
    name = str(claim["metric"]).split(":", 1)[1]
    m = re.fullmatch(r"accuracy_(\w+?)_(fresh|retained)_(push_pull|potentiation_only)_percent_per_seed", name)
    if not m:
        return ["seeds only"]
    data, reading, mapping = m.group(1), m.group(2), m.group(3).replace("_", "-")
    summary = (stage_metrics.get("accuracy_summary_percent") or {}).get(data, {})
    out = []
    other_map = "potentiation-only" if mapping == "push-pull" else "push-pull"
    other_read = "retained" if reading == "fresh" else "fresh"
    for label, key in (("weight mapping", f"{reading}, {other_map}"), ("device reading", f"{other_read}, {mapping}")):
        if key in summary:
            out.append(f"{label} ({key}: {summary[key]['mean']:.1f} %)")
    settle = (stage_metrics.get(f"settle_accuracy_{data}_percent") or {}).get(mapping)
    times = stage_metrics.get("settle_scan_s")
    if settle and times:
        means = settle["mean"]
        out.append(f"settle time {min(times):g}–{max(times):g} s ({min(means):.1f}–{max(means):.1f} %)")
    return out or ["seeds only"]


def seed_robustness(claim: dict, stage_metrics: dict) -> dict:
    """Robustness of a claim over the seeds a stage stored (the classification claims are not
    retrained per parameter set of the sweep): fraction of seeds in which it holds
    (:func:`seed_verdicts`), Wilson interval and verdict with the rules of
    data/evidence/robustness.yaml, ``robustness_over: "seeds"``, and ``sensitivities``: what
    the metric depends on among the stored settings, or ``["seeds only"]``.
    """
    rules = robustness_rules()
    conf, robust = float(rules["confidence"]), float(rules["robust_fraction"])
    verdicts, basis = seed_verdicts(claim, stage_metrics)
    entry = {"robustness_over": "seeds", "robustness_basis": basis}
    if basis == "the same value in every seed":
        entry["sensitivities"] = ["none stored: the same in every seed (not swept over the assumptions)"]
    else:
        entry["sensitivities"] = _seed_dependencies(claim, stage_metrics)
    if verdicts is None:
        entry.update(robustness=None, robustness_interval=[None, None], plausible_samples=0,
                     verdict_robust="not swept")
        return entry
    k, n = sum(verdicts), len(verdicts)
    lo, hi = wilson(k, n, conf)
    entry.update(robustness=k / n, robustness_interval=[lo, hi], plausible_samples=n,
                 verdict_robust="holds" if lo >= robust else "fails" if hi <= 1 - robust else "depends")
    return entry


def evaluate_all(claims: list[dict], metrics: dict) -> list[dict]:
    """Evaluate every claim of the ledger."""
    return [evaluate(c, metrics) for c in claims]


def calibration_table(records: list[dict]) -> list[dict]:
    """The "calibration consistency" rows: fitting targets, never counted as reproduced.

    One row per calibration claim with a numeric target: ``id``, ``figure``, ``target``,
    ``reached``, ``residual`` (reached − target), ``units``, ``status`` (within the
    quantity type's tolerance).
    """
    return [{"id": r["id"], "figure": r["figure"], **r["calibration"], "status": r["status"]}
            for r in records if r.get("class") == "calibration" and "calibration" in r]


def headline(records: list[dict]) -> dict:
    """Counts by class and the predictions' robust outcome.

    ``"of N predictions, k hold robustly, j fail robustly, the rest depend on assumptions"``:
    a prediction holds (fails) robustly when the Wilson interval of its robustness lies at or
    above ``robust_fraction`` (at or below 1 − it) of data/evidence/robustness.yaml; a prediction
    without sweep statistics is counted apart (``not swept``); ``over_seeds`` counts the
    predictions whose robustness is over the stored seeds instead of the assumptions.
    """
    by_class = {c: sum(r.get("class") == c for r in records) for c in CLASSES}
    preds = [r for r in records if r.get("class") == "prediction"]
    verdicts = [r.get("verdict_robust", "not swept") for r in preds]
    out = {"by_class": by_class, "predictions": len(preds),
           "hold_robustly": verdicts.count("holds"), "fail_robustly": verdicts.count("fails"),
           "depend_on_assumptions": verdicts.count("depends"), "not_swept": verdicts.count("not swept"),
           "over_seeds": sum(r.get("robustness_over") == "seeds" and v != "not swept"
                             for r, v in zip(preds, verdicts))}
    out["text"] = (f"of {out['predictions']} predictions, {out['hold_robustly']} hold robustly, "
                   f"{out['fail_robustly']} fail robustly, the rest depend on assumptions "
                   f"({out['depend_on_assumptions']}) or were not swept ({out['not_swept']})")
    return out


# --------------------------------------------------------------------------- regression
def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def flatten_metrics(metrics: dict) -> dict[str, object]:
    """``"stage:name.key[i]" -> leaf value`` for all metrics."""
    flat = {}
    for stage, values in metrics.items():
        for name, leaf in _flatten(values):
            flat[f"{stage}:{name}"] = leaf
    return flat


def check_regression(metrics: dict, reference: dict, rtol: float, atol: float) -> list[dict]:
    """Compare every numeric leaf with the stored reference.

    Returns one record per reference entry with status ``pass``, ``fail``
    (beyond ``atol + rtol·|reference|``) or ``missing``.  Metrics that have no
    reference yet are listed with status ``new``.
    """
    flat = flatten_metrics(metrics)
    out = []
    for name, ref in sorted(reference.items()):
        if name not in flat:
            out.append({"metric": name, "reference": ref, "value": None, "status": "missing"})
            continue
        val = flat[name]
        if isinstance(ref, (int, float)) and not isinstance(ref, bool) and isinstance(val, (int, float)):
            ok = math.isclose(float(val), float(ref), rel_tol=rtol, abs_tol=atol)
        else:
            ok = val == ref
        out.append({"metric": name, "reference": ref, "value": val, "status": "pass" if ok else "fail"})
    for name in sorted(set(flat) - set(reference)):
        out.append({"metric": name, "reference": None, "value": flat[name], "status": "new"})
    return out
