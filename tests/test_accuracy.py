"""The equivalence test of an accuracy over seeds and the seeds it needs (analysis.evidence.accuracy)."""
import pytest

from analysis.evidence import accuracy as acc
from analysis.evidence import statistics


def _spread(centre, sd):
    """Three values with mean *centre* and sample sd (ddof = 1) exactly *sd*."""
    return [centre - sd, centre, centre + sd]


def test_rule_values_come_from_the_accuracy_rule_and_the_paper():
    r = acc.rule_values("8x8")
    assert r == {"paper": 91.26, "margin": 2.4, "alpha": 0.05, "power_target": 0.8, "coverage": 0.95}
    assert acc.rule_values("28x28")["margin"] == 0.71 and acc.rule_values("28x28")["paper"] == 84.24
    with pytest.raises(ValueError, match="data_set='10x10' is unknown"):
        acc.rule_values("10x10")


def test_seeds_needed_at_a_synthetic_spread_equal_to_the_margin():
    """At sd = margin, TOST at alpha 0.05 reaches 80 % power with 11 seeds, not with 10."""
    r = acc.equivalence(_spread(91.26, 2.4), "8x8")
    assert r["sd"] == pytest.approx(2.4) and r["n"] == 3
    assert r["seeds_for_power"] == 11
    assert statistics.tost_power(11, 2.4, 2.4) >= 0.8 > statistics.tost_power(10, 2.4, 2.4)
    assert r["power"] == pytest.approx(statistics.tost_power(3, 2.4, 2.4))
    # a spread four times the margin: a little above the normal approximation
    # n >= (z(0.95) + z(0.90))^2 (sd / margin)^2 = 8.566 x 16 = 137 (the t quantiles are wider), and
    # the fewest such n: one seed less falls short
    wide = acc.equivalence(_spread(91.26, 9.6), "8x8")
    assert 137 <= wide["seeds_for_power"] <= 145
    assert statistics.tost_power(wide["seeds_for_power"] - 1, 9.6, 2.4) < 0.8


def test_seeds_beyond_the_cap_are_none():
    r = acc.equivalence(_spread(84.24, 7.3), "28x28", cap=100)     # 0.71 pp margin: hundreds needed
    assert r["seeds_for_power"] is None and r["seeds_cap"] == 100
    assert acc.equivalence(_spread(84.24, 7.3), "28x28")["seeds_for_power"] > 100


def test_outcomes_equivalent_outside_and_undecided():
    tight = acc.equivalence([91.0, 91.5, 90.8, 91.3, 91.1], "8x8")
    assert tight["equivalent"] is True and tight["test_outcome"] == "equivalent" and tight["p"] < 0.05
    assert 91.26 - 2.4 < tight["ci_low"] < tight["ci_high"] < 91.26 + 2.4
    far = acc.equivalence([66.0, 67.0, 68.0], "8x8")
    assert far["equivalent"] is False and far["test_outcome"] == "outside the margin" and far["outside"]
    assert far["difference"] == pytest.approx(67.0 - 91.26)
    wide = acc.equivalence(_spread(91.26, 5.0), "8x8")
    assert wide["equivalent"] is False and wide["test_outcome"] == "undecided" and not wide["outside"]
    assert list(tight) == list(acc.FIELDS)


def test_one_seed_has_no_test_but_every_field():
    r = acc.equivalence([90.0], "8x8")
    assert list(r) == list(acc.FIELDS)
    assert r["equivalent"] is None and r["seeds_for_power"] is None and r["test_outcome"] == "no test"


def test_bad_values_are_named():
    with pytest.raises(ValueError, match="per_seed=.*finite"):
        acc.equivalence([90.0, float("nan")], "8x8")
    with pytest.raises(ValueError, match="cap=1 must be an integer >= 2"):
        acc.equivalence([90.0, 91.0], "8x8", cap=1)


def test_seeds_needed_are_at_least_three_as_the_rule_says():
    """A spread far below the margin reaches 80 % power with 2 seeds; the rule's seeds_needed is >= 3."""
    assert statistics.seeds_for_power(0.01, 2.4) == 2
    assert acc.equivalence([91.25, 91.26, 91.27], "8x8")["seeds_for_power"] == acc.MIN_SEEDS_FOR_POWER == 3


def test_the_seed_search_finds_the_fewest_seeds():
    """Doubling and bisection give the same n as a scan one seed at a time."""
    for sd, margin in ((1.0, 1.0), (2.0, 1.5), (0.7, 2.4)):
        scan = next(n for n in range(2, 200) if statistics.tost_power(n, sd, margin) >= 0.8)
        assert statistics.seeds_for_power(sd, margin) == scan


def test_the_paper_number_of_a_claim_and_the_prediction_interval_as_description():
    """A claim's own paper value replaces the default; the prediction interval is the formula's."""
    values = [90.0, 92.0, 91.0, 89.0, 93.0]
    r = acc.equivalence(values, "8x8", paper=90.0)
    assert r["paper"] == 90.0 and r["difference"] == pytest.approx(1.0)
    mean, half = statistics.prediction_interval(values, 0.95)
    assert r["prediction_interval"] == pytest.approx([mean - half, mean + half])
    assert r["coverage"] == 0.95


def test_profile_seed_counts_meet_the_equivalence_test():
    """config/config.yaml: the full profile runs at least 10 seeds (issue 17 §6), the paper profile
    at least as many as the full one and no more than the searched cap, every profile at least the
    rule's minimum for a test (2), and the notebook's default is the full profile's."""
    import re

    import yaml

    from analysis.evidence.rules import accuracy_rule
    from analysis.parameters import data_dir

    config = yaml.safe_load((data_dir().parent / "config" / "config.yaml").read_text(encoding="utf-8"))
    seeds = {name: int(p["figS11_classification"]["seeds"]) for name, p in config["profiles"].items()
             if "seeds" in (p.get("figS11_classification") or {})}
    assert seeds["full"] >= 10
    assert seeds["full"] <= seeds["paper"] <= acc.SEEDS_CAP
    assert min(seeds.values()) >= int(accuracy_rule()["minimum_seeds"]["value"])
    notebook = (data_dir().parent / "notebooks" / "figS11_classification.py").read_text(encoding="utf-8")
    assert int(re.search(r"^seeds = (\d+)", notebook, re.M).group(1)) == seeds["full"]
