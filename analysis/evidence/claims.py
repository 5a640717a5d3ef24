"""Every claim of the ledger checked against the outputs: outcome, margin, class and verdict.

:func:`evaluate` compares a claim's metric (a value a notebook wrote with :func:`write_metrics`
to ``results/metrics/<stage>.json``) with the paper's statement, under the analysis choices of a
parameter set (the defaults unless a sample of the robustness sweep says otherwise), and returns
a record. The ledger's format is documented in :mod:`analysis.evidence.ledger`.

Outcomes (``outcome``; defined once here and in the README)
----------------------------------------------------------
``reproduced``                    the simulation gives the statement: within the tolerance, or the
                                  paper's direction with a size the paper's set-up resolves
``too small to have been seen``   the paper's direction, but an effect below what a read of the
                                  paper's set-up resolves (:mod:`analysis.physics.measurement`):
                                  the model does not explain the observation
``contradicted``                  the opposite direction, or outside the tolerance
``undecided``                     an equivalence test that is neither equivalent nor outside the
                                  margin (too few seeds for its power)
``consistent``                    an audit of the paper's numbers that holds
``paper-internal inconsistency``  an audit of the paper's numbers that fails
``not evaluated``                 the output that would check it does not exist

``status`` keeps the short form: ``pass`` (reproduced, consistent), ``fail``, ``missing``,
``shown`` (an unverified reference). ``margin`` is the distance from the threshold in the claim's
units, > 0 when the claim holds (±1 for a boolean or categorical claim).

Classes (``class``; symmetric, computed, never typed)
----------------------------------------------------
``prediction``                    the model could give either outcome: a test of the paper
``consistent by construction``    holds in every evaluated sample of the wide prior of physics
                                  and analysis choices (or by a stated construction)
``inconsistent by construction``  fails in every such sample: a statement about what this model
                                  class can do, reported apart from predictions, with the reason
``calibration``                   a fitting target (target, reached, residual; never a reproduction)
``audit``                         the paper's numbers checked against each other or the literature
``unverified``                    compared with an unverified ([M]) reference: shown, not counted
``question``                      the compendium's own question, a statement the paper does not make
``derived``                       repeats the finding of another claim (``derived_from``): shown with it
``variant``                       the same statement under other analysis choices (``variant_of``):
                                  part of its primary's robustness over the analysis choices

Examples
--------
>>> claim = {"id": "x", "figure": "Fig. 2b", "quote": "peak at 401 nm", "location": "p. 3",
...          "kind": "quantitative", "basis": "predicted",
...          "metric": "optics:peak_nm", "key": "1",
...          "compare": {"op": "abs", "paper": 401, "tolerance": 2},
...          "condition": {"stated": True, "figure": "Fig. 2b"}}
>>> r = evaluate(claim, {"optics": {"peak_nm": {"1": 402.0}}})
>>> r["status"], r["outcome"]
('pass', 'reproduced')
"""
from __future__ import annotations

import math

from analysis.evidence import accuracy, statistics
from analysis.evidence.ledger import OPS, TRENDS, load_ledger, validate_claim  # noqa: F401 (the ledger's readers)
from analysis.evidence.rules import effect_sizes, robustness_rules
from analysis.evidence.statistics import prediction_interval, wilson  # noqa: F401 (used by the report)
from analysis.stage_io import load_metrics, write_metrics  # noqa: F401 (the metrics files' readers and writers)

CLASSES = ("prediction", "consistent by construction", "inconsistent by construction", "calibration",
           "audit", "unverified", "question", "derived", "variant")
COUNTED = ("prediction",)
"""Classes whose outcome the assumptions could change: the headline counts only these."""
OUTCOME_MEANINGS = {
    "reproduced": "the simulation gives the statement: within the tolerance, or the paper's direction "
                  "with a size the paper's set-up resolves",
    "too small to have been seen": "the paper's direction, but an effect below what a read of the paper's "
                                   "set-up resolves: the model does not explain the observation",
    "contradicted": "the opposite direction, or outside the tolerance",
    "undecided": "an equivalence test neither equivalent nor outside its margin (too few seeds for its power)",
    "consistent": "an audit of the paper's numbers that holds",
    "paper-internal inconsistency": "an audit of the paper's numbers that fails",
    "not evaluated": "the output that would check it does not exist",
}
"""What each outcome means (the module docstring, the report's "How to read" and the README)."""
OUTCOMES = tuple(OUTCOME_MEANINGS)


# --------------------------------------------------------------------------- looking a claim up
def _choices(pset) -> dict:
    from analysis.parameters import default_parameters
    return (pset or default_parameters()).topic("analysis")


def _option(choices: dict, name: str) -> str:
    from analysis.evidence.choices import option_key
    if name not in choices:
        raise ValueError(f"analysis choice {name!r} is not defined (data/evidence/analysis_choices.yaml)")
    return option_key(choices[name])


def _lookup(claim: dict, metrics: dict, choices: dict | None = None, metric: str | None = None, key="claim"):
    """The value of *metric* (default the claim's) after ``select`` and ``key``; (value, problem)."""
    metric = metric or claim["metric"]
    stage, name = str(metric).split(":", 1)
    if stage not in metrics or name not in metrics[stage]:
        return None, f"output {metric} not produced"
    value = metrics[stage][name]
    if metric == claim["metric"]:
        for choice in claim.get("select", []):
            opt = _option(choices or _choices(None), choice)
            if not isinstance(value, dict) or opt not in value:
                return None, f"output {metric} has no entry for {choice}={opt}"
            value = value[opt]
    key = claim.get("key") if key == "claim" else key
    if key is not None and isinstance(value, dict):
        if str(key) not in value:
            return None, f"output {metric} has no entry {key!r}"
        value = value[str(key)]
    elif key is not None and metric == claim["metric"]:
        return None, f"output {metric} has no entry {key!r}"
    if value is None and metric == claim["metric"]:        # not computed: not evaluated, with the reason
        return None, f"output {metric} not computed" + (f": {claim['when_null']}" if claim.get("when_null") else "")
    return value, None


def _operand(value, claim: dict, metrics: dict, choices: dict):
    """A compare operand: a number, an analysis choice (times k, power p) or another metric."""
    if isinstance(value, dict) and "choice" in value:
        name = value["choice"]
        if name not in choices:
            raise ValueError(f"claim {claim['id']}: analysis choice {name!r} is not defined")
        return float(value.get("times", 1.0)) * float(choices[name]) ** float(value.get("power", 1.0))
    if isinstance(value, dict) and "metric" in value:
        got, problem = _lookup(claim, metrics, choices, metric=value["metric"])
        if problem:
            raise KeyError(problem)
        return got
    return value


def _num(x):
    return float(x)


def _ordered(value, over):
    if isinstance(value, dict):
        keys = [str(k) for k in (over or value.keys())]
        return [_num(value[k]) for k in keys if k in value], keys
    return [_num(v) for v in value], None


# --------------------------------------------------------------------------- comparing
def _assess(op: str, c, cmp: dict, sizes: dict | None = None, choices: dict | None = None) -> dict:
    """Compare a metric with the paper's statement (operands already resolved in *cmp*).

    Returns ``ok``, ``direction_ok`` (a trend in the paper's direction, threshold aside),
    ``paper_text``, ``margin``, ``margin_units`` and, for a trend with a threshold, ``effect``
    and ``threshold``.
    """
    q = (sizes if sizes is not None else effect_sizes()).get(cmp["quantity"]) if "quantity" in cmp else None
    thr = cmp.get("threshold", 0.0)
    units = str(cmp.get("units", "1"))
    out = {"margin_units": units}

    def trend(effects, paper_text, direction_ok, effect_units, thresholds=None):
        """*effects*: the effect (or one per step); *thresholds*: the matching thresholds."""
        eff = list(effects) if isinstance(effects, (list, tuple)) else [effects]
        if thresholds is None:
            t = thr if isinstance(thr, (list, tuple)) else [thr] * len(eff)
        else:
            t = thresholds
        t = [float(v) for v in t] + [float(t[-1])] * max(0, len(eff) - len(t)) if t else [0.0] * len(eff)
        margins = [e - x for e, x in zip(eff, t)]
        k = int(min(range(len(margins)), key=lambda i: margins[i])) if margins else 0
        margin = margins[k] if margins else -math.inf
        ok = bool(direction_ok and margin > 0)
        out.update(ok=ok, direction_ok=bool(direction_ok), paper_text=paper_text, margin=margin,
                   margin_units=effect_units)
        if "threshold" in cmp:
            out.update(effect=eff[k] if eff else -math.inf, threshold=t[k] if t else 0.0)
            out["paper_text"] += " (effect above the detection threshold)"
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
        out.update(ok=lo <= x <= hi, paper_text=f"{lo:g} … {hi:g}", margin=min(x - lo, hi - x))
        return out
    if op in ("gt", "lt"):
        sign = 1.0 if op == "gt" else -1.0
        effect = sign * (_num(c) - _num(cmp["value"]))
        return trend(effect, f"{'>' if op == 'gt' else '<'} {_num(cmp['value']):g}", effect > 0, units)
    if op in ("increasing", "decreasing"):
        seq, _ = _ordered(c, cmp.get("over"))
        sign = 1 if op == "increasing" else -1
        relative = bool(cmp.get("relative"))

        def change(a, b):
            return sign * (b - a) / (abs(a) if relative and a else 1.0)

        steps = [change(a, b) for a, b in zip(seq, seq[1:])]
        how = (choices or {}).get("trend_effect", "as_ledger")
        if how == "as_ledger":
            how = "overall_monotone" if cmp.get("effect") == "overall" else "smallest_step"
        monotone = len(seq) >= 2 and min(steps) > 0
        what = "relative " if relative else ""
        text = op + (f" over {', '.join(map(str, cmp['over']))}" if cmp.get("over") else "")
        thr_list = thr if isinstance(thr, (list, tuple)) else None
        if how == "net_change":
            net = change(seq[0], seq[-1]) if len(seq) >= 2 else -math.inf
            t_net = [math.sqrt(sum(float(x) ** 2 for x in thr_list))] if thr_list else None
            return trend(net, text, net > 0, f"{'1' if relative else units} ({what}net change)", t_net)
        if how == "overall_monotone":
            overall = change(seq[0], seq[-1]) if len(seq) >= 2 else -math.inf
            t_all = [max(float(x) for x in thr_list)] if thr_list else None
            return trend(overall, text, monotone, f"{'1' if relative else units} ({what}change over the sweep)",
                         t_all)
        return trend(steps or [-math.inf], text, monotone, f"{'1' if relative else units} (smallest {what}step)",
                     thr_list)
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
    if op == "equivalence":
        eq = accuracy.equivalence(c, str(cmp["data"]), paper=_num(cmp["paper"]))
        if eq["test_outcome"] == "no test":
            raise ValueError(f"{eq['n']} seed(s): the equivalence test needs ≥ 2 (one value per seed)")
        p, margin = eq["paper"], eq["margin"]
        out.update(ok=eq["equivalent"], margin=margin - max(abs(eq["ci_low"] - p), abs(eq["ci_high"] - p)),
                   margin_units="percentage points (margin minus the farther end of the 90 % interval)",
                   paper_text=f"{p:g} ± {margin:g} (equivalence margin)", equivalence=eq)
        return out
    raise ValueError(f"unknown comparison op {op!r}; expected one of {sorted(OPS)}")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------- classes and outcomes
def classify(claim: dict, sweep: dict | None = None) -> str:
    """The class of a claim (see the module docstring), from the ledger and the sweep.

    *sweep*: the claim's entry of the robustness summary
    (:func:`analysis.evidence.robustness.summarise`) with ``wide_samples`` (evaluated samples of
    every design; the wide prior's box holds them all), ``wide_holds_all`` and
    ``wide_fails_all``. Without it a predicted claim stays a ``prediction``.
    """
    if claim.get("question"):
        return "question"
    if claim.get("derived_from"):
        return "derived"
    if claim.get("variant_of"):
        return "variant"
    if claim.get("reference") == "unverified":
        return "unverified"
    if claim.get("construction"):
        return "consistent by construction"
    if claim["basis"] == "calibrated":
        return "calibration"
    if claim["basis"] == "literature":
        return "audit"
    if sweep and sweep.get("wide_samples", 0) > 0:
        if sweep.get("wide_holds_all"):
            return "consistent by construction"
        if sweep.get("wide_fails_all"):
            return "inconsistent by construction"
    return "prediction"


def outcome(claim: dict, assessed: dict | None) -> str:
    """The kind of agreement or disagreement (:data:`OUTCOMES`) of an assessed claim."""
    if assessed is None:
        return "not evaluated"
    if claim["basis"] == "literature":
        return "consistent" if assessed["ok"] else "paper-internal inconsistency"
    if "equivalence" in assessed:
        eq = assessed["equivalence"]
        return "reproduced" if eq["equivalent"] else "contradicted" if eq["outside"] else "undecided"
    if assessed["ok"]:
        return "reproduced"
    if assessed.get("direction_ok") and "threshold" in assessed:
        return "too small to have been seen"
    return "contradicted"


# --------------------------------------------------------------------------- one claim
UNKNOWN_THRESHOLD = ("detection threshold unknown: a read current beyond every instrument range of "
                     "data/evidence/measurement.yaml, or a second model's currents that could not be "
                     "placed on the paper's scale (a run without the n = 1 film that anchors them)")
"""Why a claim compared with an unknown value (NaN: in practice a detection threshold,
:func:`analysis.evidence.metrics.detection_threshold`) is not evaluated."""

OPERANDS = ("value", "min", "max", "threshold", "paper")
"""The keys of a claim's ``compare`` that hold what the metric is compared with."""


def _unknown(operand) -> bool:
    """Whether a comparison operand is unknown: NaN, or None (a NaN written to a metrics file
    comes back as JSON null), alone or in a list. A comparison with it decides nothing."""
    values = operand if isinstance(operand, (list, tuple)) else [operand]
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def judge(claim: dict, metrics: dict, pset=None, sizes: dict | None = None) -> dict | None:
    """Assess one claim under the analysis choices of *pset*: the :func:`_assess` result with its
    ``outcome`` (None when the metric is missing). Used per sample by the robustness sweep."""
    choices = _choices(pset)
    value, problem = _lookup(claim, metrics, choices)
    if problem:
        return None
    cmp = dict(claim["compare"])
    for name in OPERANDS:
        if name in cmp:
            cmp[name] = _operand(cmp[name], claim, metrics, choices)
    if any(_unknown(cmp[name]) for name in OPERANDS if name in cmp):
        return None
    a = _assess(cmp["op"], value, cmp, sizes, choices)
    a["outcome"] = outcome(claim, a)
    a["value"] = value
    return a


def evaluate(claim: dict, metrics: dict, sizes: dict | None = None, pset=None) -> dict:
    """Check one claim against the metrics; return the report record.

    ``metrics["robustness"]["claims"][id]`` (written by the robustness stage), when present,
    supplies the sweep statistics: robustness over the physics, over the analysis choices and
    jointly, with intervals, the construction test and the sensitivities. *sizes* replaces the
    effect-size table (tests); *pset* the analysis choices (default: their defaults).
    """
    validate_claim(claim)
    cmp = claim["compare"]
    record = {"id": claim["id"], "figure": claim["figure"], "kind": claim["kind"],
              "basis": claim["basis"], "quote": claim["quote"], "location": claim["location"],
              "metric": claim["metric"] + (f"[{claim['key']}]" if claim.get("key") is not None else ""),
              "note": claim.get("note", ""), "condition": claim["condition"]}
    for key in ("derived_from", "variant_of", "variant", "why"):
        if claim.get(key):
            record[key] = claim[key]
    sweep = ((metrics.get("robustness") or {}).get("claims") or {}).get(claim["id"])
    record["class"] = classify(claim, sweep)
    if claim.get("construction"):
        record["construction"] = claim["construction"]
    try:
        a = judge(claim, metrics, pset, sizes)
    except (TypeError, ValueError, KeyError) as exc:
        record.update(paper=str(cmp), compendium=None, status="fail", outcome="contradicted",
                      note=f"cannot compare: {exc}")
        return record
    if a is None:
        _, problem = _lookup(claim, metrics, _choices(pset))
        record.update(paper=_paper_text(cmp), compendium=None, status="missing", outcome="not evaluated",
                      note=problem or UNKNOWN_THRESHOLD)
        return record
    value, units = a["value"], cmp.get("units")
    record.update(paper=a["paper_text"] + (f" {units}" if units else ""),
                  compendium=_fmt(value) + (f" {units}" if units and not isinstance(value, (dict, list)) else ""),
                  status="pass" if a["ok"] else "fail", outcome=a["outcome"],
                  margin=_finite_or_none(a["margin"]), margin_units=a["margin_units"])
    if "threshold" in a:
        record.update(effect=_finite_or_none(a["effect"]), threshold=a["threshold"])
        if a["outcome"] == "too small to have been seen":
            record["note"] = (f"too small to have been seen: effect {a['effect']:.3g} ≤ detection threshold "
                              f"{a['threshold']:.3g} (the read noise of a plausible instrument, "
                              "data/evidence/measurement.yaml). " + record["note"]).strip()
    if "equivalence" in a:     # the test with its margin; beside the verdict: achieved power, seeds for the target
        eq = a["equivalence"]
        record.update(equivalence=dict(eq), power=eq["power"], seeds=eq["n"], seeds_for_power=eq["seeds_for_power"])
    if record["class"] == "unverified":
        record["status"] = "shown"
        record["note"] = ("reference value unverified ([M]): shown, not counted as pass or fail. "
                          + record["note"]).strip()
    elif not a["ok"] and claim.get("fail_note"):
        record["note"] = (record["note"] + " " + claim["fail_note"]).strip()
    if record["class"] == "calibration" and cmp["op"] in ("rel", "abs"):
        target = _num(cmp["paper"])
        record["calibration"] = {"target": target, "reached": _num(value),
                                 "residual": _num(value) - target, "units": units or "1"}
    if sweep:
        record.update({k: v for k, v in sweep.items() if k in SWEEP_KEYS})
        if record["class"] in ("consistent by construction", "inconsistent by construction") and not claim.get("construction"):
            record["construction_basis"] = (
                f"{'holds' if sweep.get('wide_holds_all') else 'fails'} in all {sweep['wide_samples']} evaluated "
                "samples of the sweep (the wide prior's box holds every design: physics and analysis choices)")
    elif record["class"] == "prediction" and "equivalence" in a:
        record.update(robustness_over="seeds", verdict_robust={"reproduced": "holds", "contradicted": "fails",
                                                               "undecided": "depends"}[a["outcome"]])
    return record


SWEEP_KEYS = ("robustness", "robustness_interval", "robustness_physics", "robustness_physics_interval",
              "robustness_analysis", "robustness_analysis_interval", "robustness_joint",
              "robustness_joint_interval", "samples", "verdict_robust", "robustness_over",
              "sensitivities", "sensitivity_note", "wide_samples", "outcomes_joint", "model_robustness",
              "robustness_driftdiffusion", "robustness_driftdiffusion_interval", "verdict_driftdiffusion",
              "sensitivities_driftdiffusion")
"""Keys of the sweep's per-claim summary copied into a claim's record."""


def _paper_text(cmp: dict) -> str:
    keep = {k: v for k, v in cmp.items() if k not in ("op", "quantity", "units")}
    return f"{cmp['op']} " + ", ".join(f"{k} {v}" for k, v in keep.items())


def evaluate_all(claims: list[dict], metrics: dict, pset=None) -> list[dict]:
    """Evaluate every claim of the ledger."""
    return [evaluate(c, metrics, pset=pset) for c in claims]


def calibration_table(records: list[dict]) -> list[dict]:
    """The "calibration consistency" rows: fitting targets, never counted as reproduced."""
    return [{"id": r["id"], "figure": r["figure"], **r["calibration"], "status": r["status"]}
            for r in records if r.get("class") == "calibration" and "calibration" in r]


def samples_for_robust_verdict(rules: dict | None = None) -> int:
    """Fewest samples in which a unanimous outcome is robust, under the rules of
    data/evidence/robustness.yaml (:func:`analysis.evidence.statistics.samples_for_robust_verdict`)."""
    rules = robustness_rules() if rules is None else rules
    return statistics.samples_for_robust_verdict(float(rules["robust_fraction"]), float(rules["confidence"]))


def headline(records: list[dict]) -> dict:
    """The counts of the report's first lines, computed in one place.

    ``by_class`` (every class), ``predictions`` (the counted claims: those whose outcome the
    assumptions could change), how many of them hold robustly, fail robustly or depend on the
    assumptions (the joint robustness over physics and analysis choices, Wilson interval at the
    ``robust_fraction`` of data/evidence/robustness.yaml; accuracy claims by their equivalence
    test: equivalent, outside the margin, undecided), ``not_swept``, ``over_seeds``, and the
    nominal outcomes of the predictions (``outcomes``).
    """
    by_class = {c: sum(r.get("class") == c for r in records) for c in CLASSES}
    preds = [r for r in records if r.get("class") in COUNTED]
    verdicts = [r.get("verdict_robust", "not swept") for r in preds]
    out = {"by_class": by_class, "predictions": len(preds),
           "hold_robustly": verdicts.count("holds"), "fail_robustly": verdicts.count("fails"),
           "depend_on_assumptions": verdicts.count("depends"), "not_swept": verdicts.count("not swept"),
           "over_seeds": sum(r.get("robustness_over") == "seeds" for r in preds),
           "outcomes": {o: sum(r.get("outcome") == o for r in preds) for o in OUTCOMES}}
    out["text"] = (f"of {out['predictions']} predictions, {out['hold_robustly']} hold robustly, "
                   f"{out['fail_robustly']} fail robustly and {out['depend_on_assumptions']} depend on "
                   f"the assumptions ({out['not_swept']} not swept); "
                   f"{by_class['consistent by construction']} claims are consistent and "
                   f"{by_class['inconsistent by construction']} inconsistent by construction")
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

    Returns one record per reference entry with status ``pass``, ``fail`` (beyond
    ``atol + rtol·|reference|``) or ``missing``; metrics without a reference are ``new``.
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


__all__ = ["CLASSES", "COUNTED", "OUTCOMES", "evaluate", "evaluate_all", "judge", "classify", "outcome",
           "headline", "calibration_table", "samples_for_robust_verdict", "flatten_metrics",
           "check_regression", "load_ledger", "validate_claim", "write_metrics", "load_metrics"]
