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
note : str, optional — shown in the report.

Examples
--------
>>> claim = {"id": "x", "figure": "Fig. 2b", "quote": "peak at 401 nm", "location": "p. 3",
...          "kind": "quantitative", "basis": "predicted",
...          "metric": "optics:peak_nm", "key": "1",
...          "compare": {"op": "abs", "paper": 401, "tolerance": 2}}
>>> evaluate(claim, {"optics": {"peak_nm": {"1": 402.0}}})["status"]
'pass'
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from .io import load_metrics, write_metrics  # noqa: F401 (the metrics files' readers and writers)
from .datafiles import data_dir

KINDS = ("quantitative", "trend")
BASES = ("calibrated", "predicted", "literature")
OPS = {"rel": ("paper", "tolerance"), "abs": ("paper", "tolerance"), "range": ("min", "max"),
       "gt": ("value",), "lt": ("value",), "increasing": (), "decreasing": (),
       "argmax": ("paper",), "argmin": ("paper",), "equals": ("paper",), "true": (),
       "prediction_interval": ("paper", "coverage")}
REQUIRED = ("id", "figure", "quote", "location", "kind", "basis", "metric", "compare")


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
    if absent:
        raise ValueError(f"{source}: claim {cid} (op {op}) lacks compare.{', compare.'.join(absent)}")


def load_ledger(folder: str | os.PathLike | None = None) -> list[dict]:
    """All claims from ``data/paper/claims/*.yaml`` in file then entry order.

    Raises ValueError for a malformed entry or a duplicated id.
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


def _compare(op: str, c, cmp: dict) -> tuple[bool, str]:
    """Return (ok, paper_text)."""
    if op in ("rel", "abs"):
        p, tol = _num(cmp["paper"]), float(cmp["tolerance"])
        dev = abs(_num(c) - p)
        limit = tol * abs(p) if op == "rel" else tol
        tol_text = f"±{100 * tol:g} %" if op == "rel" else f"±{tol:g}"
        return dev <= limit, f"{cmp['paper']} ({tol_text})"
    if op == "range":
        lo, hi = _num(cmp["min"]), _num(cmp["max"])
        return lo <= _num(c) <= hi, f"{cmp['min']} … {cmp['max']}"
    if op == "gt":
        return _num(c) > _num(cmp["value"]), f"> {cmp['value']}"
    if op == "lt":
        return _num(c) < _num(cmp["value"]), f"< {cmp['value']}"
    if op in ("increasing", "decreasing"):
        seq, _ = _ordered(c, cmp.get("over"))
        sign = 1 if op == "increasing" else -1
        ok = len(seq) >= 2 and all(sign * (b - a) > 0 for a, b in zip(seq, seq[1:]))
        return ok, op + (f" over {', '.join(map(str, cmp['over']))}" if cmp.get("over") else "")
    if op in ("argmax", "argmin"):
        seq, keys = _ordered(c, cmp.get("over"))
        keys = keys or [str(i) for i in range(len(seq))]
        pick = max if op == "argmax" else min
        best = keys[seq.index(pick(seq))]
        return best == str(cmp["paper"]), f"{op[3:]} at {cmp['paper']}"
    if op == "equals":
        return c == cmp["paper"], str(cmp["paper"])
    if op == "true":
        return bool(c), "true"
    if op == "prediction_interval":
        mean, half = prediction_interval(c, float(cmp["coverage"]))
        p = _num(cmp["paper"])
        return abs(p - mean) <= half, (f"{cmp['paper']}; {100 * float(cmp['coverage']):g} % prediction "
                                       f"interval {mean:.4g} ± {half:.3g}")
    raise ValueError(f"unknown comparison op {op!r}; expected one of {sorted(OPS)}")


def prediction_interval(samples, coverage: float = 0.95) -> tuple[float, float]:
    """Centre and half-width of the prediction interval for one further sample.

    Parameters
    ----------
    samples : sequence of float
        Independent values (e.g. one accuracy per seed), at least 2.
    coverage : float, 1
        1 − α, in (0, 1).

    Returns
    -------
    mean, half_width : float
        ``mean ± t(1 − α/2; S − 1) · sd · √(1 + 1/S)`` (sd with ddof = 1; Hahn, Meeker &
        Escobar, *Statistical Intervals*, 2nd ed., ch. 4).

    Examples
    --------
    >>> m, h = prediction_interval([90.0, 92.0, 91.0, 89.0, 93.0])
    >>> round(m, 2), round(h, 2)
    (91.0, 4.81)
    """
    from scipy.stats import t

    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__len__"):
        raise ValueError(f"samples={samples!r} must be a list of per-seed values")
    x = [_num(v) for v in samples]
    if len(x) < 2:
        raise ValueError(f"samples has {len(x)} value(s); the prediction interval needs ≥ 2 (one per seed)")
    if not 0 < coverage < 1:
        raise ValueError(f"coverage={coverage!r} must be in (0, 1) (1 − α)")
    s_count = len(x)
    mean = math.fsum(x) / s_count
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (s_count - 1))
    return mean, float(t.ppf(0.5 + coverage / 2, s_count - 1)) * sd * math.sqrt(1 + 1 / s_count)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def evaluate(claim: dict, metrics: dict) -> dict:
    """Check one claim against the metrics; return the report record."""
    validate_claim(claim)
    cmp = claim["compare"]
    record = {"id": claim["id"], "figure": claim["figure"], "kind": claim["kind"],
              "basis": claim["basis"], "quote": claim["quote"], "location": claim["location"],
              "metric": claim["metric"] + (f"[{claim['key']}]" if claim.get("key") is not None else ""),
              "note": claim.get("note", "")}
    value, problem = _lookup(claim, metrics)
    if problem:
        _, paper_text = _safe_paper_text(cmp)
        record.update(paper=paper_text, compendium=None, status="missing", note=problem)
        return record
    try:
        ok, paper_text = _compare(cmp["op"], value, cmp)
    except (TypeError, ValueError, KeyError) as exc:
        record.update(paper=str(cmp), compendium=_fmt(value), status="fail",
                      note=f"cannot compare: {exc}")
        return record
    units = cmp.get("units")
    record.update(paper=paper_text + (f" {units}" if units else ""),
                  compendium=_fmt(value) + (f" {units}" if units and not isinstance(value, (dict, list)) else ""),
                  status="pass" if ok else "fail")
    if not ok and claim.get("fail_note"):
        record["note"] = (record["note"] + " " + claim["fail_note"]).strip()
    return record


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


def evaluate_all(claims: list[dict], metrics: dict) -> list[dict]:
    """Evaluate every claim of the ledger."""
    return [evaluate(c, metrics) for c in claims]


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
