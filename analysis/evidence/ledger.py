"""The claims ledger: one entry per checkable statement of the paper, read and checked.

The ledger (``data/paper/claims/*.yaml``) is data: each entry quotes the paper, states the
condition under which the paper says it holds, names the metric that checks it and how it is
compared. :mod:`analysis.evidence.claims` evaluates it; this module only reads it
(:func:`load_ledger`) and checks every entry's form (:func:`validate_claim`).

Ledger entry keys
-----------------
id, figure, quote, location : str
    ``quote`` verbatim and one passage of the paper (tests/test_claims.py checks it against the text).
kind : ``quantitative`` | ``trend``
basis : ``calibrated`` (the model was fitted to this number) | ``predicted``
    | ``literature`` (the paper's numbers checked against each other or the literature)
metric : ``<stage>:<name>``, optionally with ``key`` selecting one entry of a dict-valued
    metric (e.g. the dimensionality ``"3"``)
select : list of analysis-choice names, optional — the metric is keyed by the option of each
    (in order, :func:`analysis.evidence.choices.option_key`) before ``key`` applies
compare : mapping with ``op`` and its operands:

    ``rel``        |c − paper| ≤ tolerance·|paper|
    ``abs``        |c − paper| ≤ tolerance
    ``range``      min ≤ c ≤ max
    ``gt``/``lt``  c > value / c < value
    ``increasing``/``decreasing``  strictly monotone over ``over`` (keys of a dict metric,
                   default its insertion order) or a list metric
    ``argmax``/``argmin``  the key of the largest/smallest entry equals ``paper``
    ``equals``     c == paper
    ``true``       bool(c) is True
    ``equivalence``  c is a list of per-seed values; two one-sided tests of their mean against
                   ``paper`` with the margin of ``data`` in data/paper/accuracy_rule.yaml

    An operand (``value``, ``min``, ``max``) may be an analysis choice,
    ``{choice: <name>, times: k, power: p}`` (k · choice^p; defaults 1, 1), or another metric,
    ``{metric: "<stage>:<name>"}`` (with the claim's ``key``).
    ``compare.quantity`` names a tolerance of data/evidence/effect_sizes.yaml (``rel``/``abs``).
    ``compare.threshold`` is a trend's detection threshold: a number or ``{metric: ...}`` (a number,
    or one per step of a monotone trend): a trend in the paper's direction whose effect does not
    exceed it is *too small to have been seen*.
    ``compare.effect`` of a monotone trend: ``overall`` (first to last point, every step of the
    right sign) or ``step`` (the smallest step, default); the analysis choice ``trend_effect``
    may replace it (``net_change``: last minus first, steps free).
condition : mapping — what the paper states about the conditions under which the statement
    holds (issue 17 §1): ``stated`` (bool: does the paper state every condition the check
    needs?), and as the paper gives them ``figure``, ``protocol``, ``read_voltage_V``,
    ``evaluation``, ``stated_in``; ``unstated`` (required when ``stated`` is false); ``open``
    (list: the analysis choices of data/evidence/analysis_choices.yaml, or the protocol/analysis
    entries of data/evidence/priors.yaml, that the sweep varies for it); ``scope`` (optional).
question : ``true`` for the compendium's own question — a statement the paper does not make —
    never counted as the paper's claim; requires ``why``.
derived_from : str, optional — id of the claim whose finding this one repeats: shown with it,
    never counted as a separate finding.
variant_of : str, optional — id of the claim of which this one is the same statement under
    other options of analysis choices (``variant``: choice -> option): one claim, swept over them.
note, fail_note : str, optional — shown in the report.
when_null : str, optional — why the metric can be null (not computed, e.g. a leave-one-out that
    runs only for a law that fits in-sample): a null value makes the claim ``not evaluated``
    with this reason, never a failure.
reference : ``unverified`` for a comparison with a value tagged [M] (shown, never pass or fail).
construction : str, optional — why the claim holds by construction.
"""
from __future__ import annotations

import os
from pathlib import Path

from analysis.evidence.rules import effect_sizes
from analysis.parameters import data_dir

KINDS = ("quantitative", "trend")
BASES = ("calibrated", "predicted", "literature")
OPS = {"rel": ("paper",), "abs": ("paper",), "range": ("min", "max"),
       "gt": ("value",), "lt": ("value",), "increasing": (), "decreasing": (),
       "argmax": ("paper",), "argmin": ("paper",), "equals": ("paper",), "true": (),
       "equivalence": ("paper", "data")}
TRENDS = ("gt", "lt", "increasing", "decreasing", "argmax", "argmin")
"""Ops whose effect can be compared with a detection threshold."""
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
    if "threshold" in cmp and op not in TRENDS:
        raise ValueError(f"{source}: claim {cid} has compare.threshold with op {op}; a detection "
                         f"threshold goes with a trend ({', '.join(TRENDS)})")
    for name in ("value", "min", "max", "threshold"):
        v = cmp.get(name)
        if isinstance(v, dict) and not (("choice" in v) ^ ("metric" in v)):
            raise ValueError(f"{source}: claim {cid} has compare.{name}={v!r}; expected a number, "
                             "{choice: <analysis choice>, times: k, power: p} or {metric: '<stage>:<name>'}")
    select = claim.get("select", [])
    if not isinstance(select, list) or not all(isinstance(s, str) for s in select):
        raise ValueError(f"{source}: claim {cid} has select={select!r}; expected a list of analysis-choice names")
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




def _read_yaml(path: Path):
    import yaml
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


__all__ = ["KINDS", "BASES", "OPS", "TRENDS", "REQUIRED", "validate_claim", "load_ledger"]
