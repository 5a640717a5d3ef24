"""The equivalence test of a classification accuracy over seeds, with its power (Fig. S11).

``data/paper/accuracy_rule.yaml`` decides an accuracy claim by two one-sided t tests (TOST) of
the mean over seeds against the paper's number, with a margin per data set (the paper's own
precision: 2.4 pp for 8 × 8, 0.71 pp for 28 × 28), each test at alpha = 0.05, and asks for the
seeds needed for 80 % power at the observed spread; the 95 % prediction interval for one further
run is kept beside it as a description. :func:`equivalence` is the one implementation of that
rule: the claims' ``equivalence`` operator (:mod:`analysis.evidence.claims`) and the Fig. S11
notebook's table both call it; the statistics are the pure functions of
:mod:`analysis.evidence.statistics` (:func:`~analysis.evidence.statistics.tost`,
:func:`~analysis.evidence.statistics.seeds_for_power`,
:func:`~analysis.evidence.statistics.prediction_interval`).
"""
from __future__ import annotations

import math

from analysis.evidence import statistics
from analysis.evidence.rules import accuracy_rule

DATA_SETS = ("8x8", "28x28")
SEEDS_CAP = 1000
"""Largest seed count :func:`equivalence` searches for the power target; beyond it
``seeds_for_power`` is None ("more than 1,000"). No profile of the compendium can run that many
(config/config.yaml), so a larger number only says "unreachable"."""
MIN_SEEDS_FOR_POWER = 3
"""accuracy_rule.yaml ``seeds_needed``: the smallest S >= 3 reaching the power target (the power
rises with S, so a search that finds 2 means 3)."""

OUTCOMES = ("equivalent", "outside the margin", "undecided", "no test")
"""``equivalent``: the (1 − 2 alpha) interval of the mean lies inside paper ± margin; ``outside
the margin``: it lies wholly outside; ``undecided``: neither (too few seeds for the spread);
``no test``: fewer than 2 seeds."""

FIELDS = ("data_set", "paper", "margin", "alpha", "n", "mean", "sd", "difference", "ci_low", "ci_high",
          "p_lower", "p_upper", "p", "equivalent", "outside", "test_outcome", "power", "power_target",
          "seeds_for_power", "seeds_cap", "coverage", "prediction_interval")
"""The keys of :func:`equivalence`, always all present (the record ``equivalence`` of claims.json)."""


def rule_values(data_set: str) -> dict:
    """The paper's accuracy and the test's margin, alpha, power target and the description's
    coverage for *data_set* (data/paper/accuracy_rule.yaml, data/paper/values.yaml).

    Raises
    ------
    ValueError
        For a data set that is not one of :data:`DATA_SETS`.
    """
    from analysis.parameters import paper_values

    if data_set not in DATA_SETS:
        raise ValueError(f"data_set={data_set!r} is unknown; expected one of {DATA_SETS}")
    rule = accuracy_rule()
    return {"paper": float(paper_values()["classification"][f"accuracy_{data_set}_percent"]["value"]),
            "margin": float(rule["equivalence_margin_pp"]["value"][data_set]),
            "alpha": float(rule["equivalence_alpha"]["value"]),
            "power_target": float(rule["power_target"]["value"]),
            "coverage": float(rule["coverage"]["value"])}


def equivalence(per_seed, data_set: str, paper: float | None = None, cap: int = SEEDS_CAP) -> dict:
    """TOST of the per-seed accuracies of one setting against the paper's number for *data_set*.

    Parameters
    ----------
    per_seed : sequence of float, %
        One accuracy per seed (the mean of the last k epochs).
    data_set : str
        ``"8x8"`` or ``"28x28"``: the margin of accuracy_rule.yaml (and the paper's number).
    paper : float, %, optional
        The paper's number (a claim's ``compare.paper``); default data/paper/values.yaml's.
    cap : int
        Largest seed count searched for the power target (:data:`SEEDS_CAP`).

    Returns
    -------
    dict
        :data:`FIELDS`: the rule's ``paper``, ``margin`` (percentage points), ``alpha``,
        ``power_target``; the test at the run's ``n`` seeds (``mean``, ``sd`` with ddof = 1,
        ``difference`` = mean − paper, the (1 − 2 alpha) interval of the mean
        ``ci_low``–``ci_high``, the one-sided ``p_lower``, ``p_upper`` and ``p`` = the larger,
        ``equivalent``, ``outside`` = the interval wholly outside paper ± margin,
        ``test_outcome`` (:data:`OUTCOMES`)); ``power`` (achieved: the probability of
        concluding equivalence with n seeds at the observed sd if the true mean were the
        paper's number), ``seeds_for_power`` (fewest seeds, at least
        :data:`MIN_SEEDS_FOR_POWER`, reaching ``power_target`` at the observed sd; None if more
        than *cap*); the description: the ``coverage`` prediction interval for one further run
        ``[low, high]``. With fewer than 2 seeds there is no test: every computed field is None
        and ``test_outcome`` is ``"no test"``.

    Raises
    ------
    ValueError
        For a non-finite accuracy, an unknown data set or a cap below 2.

    Examples
    --------
    >>> r = equivalence([91.0, 91.5, 90.8, 91.3, 91.1], "8x8")
    >>> r["test_outcome"], r["margin"], r["seeds_for_power"]
    ('equivalent', 2.4, 3)
    """
    values = [float(v) for v in per_seed]
    if any(not math.isfinite(v) for v in values):
        raise ValueError(f"per_seed={values!r} must be finite accuracies in %")
    if not (isinstance(cap, int) and cap >= 2):
        raise ValueError(f"cap={cap!r} must be an integer >= 2 (largest seed count searched)")
    rule = rule_values(data_set)
    if paper is not None:
        rule["paper"] = float(paper)
    out = {"data_set": data_set, **rule, "n": len(values), "seeds_cap": cap}
    if len(values) < 2:
        out.update({k: None for k in FIELDS if k not in out})
        out["test_outcome"] = "no test"
        return {k: out[k] for k in FIELDS}
    p0, margin = rule["paper"], rule["margin"]
    t = statistics.tost(values, p0, margin, rule["alpha"])
    outside = t["ci_high"] < p0 - margin or t["ci_low"] > p0 + margin
    needed = statistics.seeds_for_power(t["sd"], margin, rule["power_target"], rule["alpha"], n_max=cap)
    mean_pi, half = statistics.prediction_interval(values, rule["coverage"])
    out.update({k: t[k] for k in ("mean", "sd", "difference", "ci_low", "ci_high", "p_lower", "p_upper", "p",
                                  "equivalent", "power")},
               outside=outside,
               test_outcome="equivalent" if t["equivalent"] else "outside the margin" if outside else "undecided",
               seeds_for_power=None if needed is None else max(MIN_SEEDS_FOR_POWER, needed),
               prediction_interval=[mean_pi - half, mean_pi + half])
    return {k: out[k] for k in FIELDS}


__all__ = ["DATA_SETS", "SEEDS_CAP", "MIN_SEEDS_FOR_POWER", "OUTCOMES", "FIELDS", "rule_values", "equivalence"]
