"""The equivalence test of a classification accuracy over seeds, with its power (Fig. S11).

``data/paper/accuracy_rule.yaml`` decides an accuracy claim by two one-sided t tests (TOST) of
the mean over seeds against the paper's number, with a margin per data set (the paper's own
precision: 2.4 pp for 8 × 8, 0.71 pp for 28 × 28), each test at alpha = 0.05, and asks for the
seeds needed for 80 % power at the observed spread. :func:`equivalence` computes all of it for
one setting's per-seed values with :func:`analysis.evidence.statistics.tost` and
:func:`~analysis.evidence.statistics.seeds_for_power`; the Fig. S11 notebook prints it for every
setting (the NeuroSim rows against the 28 × 28 number, for orientation).
"""
from __future__ import annotations

import math

from analysis.evidence import statistics
from analysis.evidence.rules import accuracy_rule
from analysis.parameters import paper_values

DATA_SETS = ("8x8", "28x28")
SEEDS_CAP = 1000
"""Largest seed count :func:`equivalence` searches for the power target; beyond it
``seeds_for_power`` is None ("more than 1,000"). No profile of the compendium can run that many
(config/config.yaml: the paper profile's budget allows far fewer), so a larger number only says
"unreachable"."""

MIN_SEEDS_FOR_POWER = 3
"""accuracy_rule.yaml ``seeds_needed``: the smallest S >= 3 reaching the power target (the power
rises with S, so a search that finds 2 means 3)."""

FIELDS = ("data_set", "paper_percent", "margin_pp", "alpha", "n", "mean", "sd", "difference", "ci_low",
          "ci_high", "p", "equivalent", "outcome", "power", "power_target", "seeds_for_power", "seeds_cap")
"""The keys of :func:`equivalence`, always all present."""


def rule_values(data_set: str) -> dict:
    """The paper's accuracy and the test's margin, alpha and power target for *data_set*.

    Raises
    ------
    ValueError
        For a data set that is not one of :data:`DATA_SETS`.
    """
    if data_set not in DATA_SETS:
        raise ValueError(f"data_set={data_set!r} is unknown; expected one of {DATA_SETS}")
    rule = accuracy_rule()
    return {"paper_percent": float(paper_values()["classification"][f"accuracy_{data_set}_percent"]["value"]),
            "margin_pp": float(rule["equivalence_margin_pp"]["value"][data_set]),
            "alpha": float(rule["equivalence_alpha"]["value"]),
            "power_target": float(rule["power_target"]["value"])}


def equivalence(per_seed, data_set: str, cap: int = SEEDS_CAP) -> dict:
    """TOST of the per-seed accuracies of one setting against the paper's number for *data_set*.

    Parameters
    ----------
    per_seed : sequence of float, %
        One accuracy per seed (the mean of the last k epochs).
    data_set : str
        ``"8x8"`` or ``"28x28"``: the paper's number and the margin of accuracy_rule.yaml.
    cap : int
        Largest seed count searched for the power target (:data:`SEEDS_CAP`).

    Returns
    -------
    dict
        :data:`FIELDS`: the rule's ``paper_percent``, ``margin_pp``, ``alpha``, ``power_target``;
        the test at the run's ``n`` seeds (``mean``, ``sd`` with ddof = 1, ``difference`` =
        mean − paper, the (1 − 2 alpha) interval of the mean ``ci_low``–``ci_high``, ``p`` = the
        larger one-sided p, ``equivalent``), ``outcome`` ("equivalent"; "outside the margin"
        when the interval lies wholly outside paper ± margin; else "undecided"), ``power``
        (achieved: the probability of concluding equivalence with n seeds at the observed sd if
        the true mean were the paper's number) and ``seeds_for_power`` (fewest seeds reaching
        ``power_target`` at the observed sd; None if more than *cap*). With fewer than 2 seeds
        the test does not exist: every field of the test is None and ``outcome`` says why.
    """
    values = [float(v) for v in per_seed]
    if any(not math.isfinite(v) for v in values):
        raise ValueError(f"per_seed={values!r} must be finite accuracies in %")
    if not (isinstance(cap, int) and cap >= 2):
        raise ValueError(f"cap={cap!r} must be an integer >= 2 (largest seed count searched)")
    rule = rule_values(data_set)
    out = {"data_set": data_set, **{k: rule[k] for k in ("paper_percent", "margin_pp", "alpha")},
           "n": len(values), "power_target": rule["power_target"], "seeds_cap": cap}
    if len(values) < 2:
        out.update({k: None for k in FIELDS if k not in out})
        out["outcome"] = "no test: needs >= 2 seeds"
        return {k: out[k] for k in FIELDS}
    t = statistics.tost(values, rule["paper_percent"], rule["margin_pp"], rule["alpha"])
    lo, hi = rule["paper_percent"] - rule["margin_pp"], rule["paper_percent"] + rule["margin_pp"]
    outcome = ("equivalent" if t["equivalent"]
               else "outside the margin" if t["ci_high"] < lo or t["ci_low"] > hi else "undecided")
    needed = statistics.seeds_for_power(t["sd"], rule["margin_pp"], rule["power_target"], rule["alpha"], n_max=cap)
    out.update(mean=t["mean"], sd=t["sd"], difference=t["difference"], ci_low=t["ci_low"], ci_high=t["ci_high"],
               p=t["p"], equivalent=t["equivalent"], outcome=outcome, power=t["power"],
               seeds_for_power=None if needed is None else max(MIN_SEEDS_FOR_POWER, needed))
    return {k: out[k] for k in FIELDS}


__all__ = ["DATA_SETS", "SEEDS_CAP", "MIN_SEEDS_FOR_POWER", "FIELDS", "rule_values", "equivalence"]
