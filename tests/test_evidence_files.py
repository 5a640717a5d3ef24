"""The evidence files: every entry has its source, no [M] value can decide a verdict, and the
measurement model's tables are consistent (issue 17 §3)."""
import math

import pytest
import yaml

from analysis.stage_io import ROOT

EVIDENCE = ROOT / "data" / "evidence"
VERDICT_FILES = sorted(p.relative_to(ROOT).as_posix() for p in EVIDENCE.glob("*.yaml")
                       if not p.name.startswith("priors") and p.name != "rules_log.yaml") + ["data/paper/accuracy_rule.yaml"]
"""Files whose values decide verdicts: every evidence file except the priors (priors.yaml and
priors_<model>.yaml: swept ranges, whose plausible ends may rest on [M] values: a sweep over them
decides nothing alone) and the log."""


def _load(rel):
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


def _m_tagged(entry) -> bool:
    return any("[M" in s for s in _strings(entry))


@pytest.mark.parametrize("rel", VERDICT_FILES)
def test_no_verdict_deciding_value_is_tagged_M(rel):
    """An [M] value never decides a pass/fail verdict: an entry tagged [M] must be marked
    superseded and name the file that replaces it."""
    offenders = []
    for name, entry in _load(rel).items():
        if not _m_tagged(entry):
            continue
        sup = entry.get("superseded_by") if isinstance(entry, dict) else None
        if not (isinstance(entry, dict) and entry.get("status") == "superseded" and sup and (ROOT / sup).is_file()):
            offenders.append(name)
    assert offenders == [], f"{rel}: entries tagged [M] that can decide a verdict: {offenders}"


def test_the_M_check_catches_an_M_tagged_threshold():
    entry = {"kind": "detection", "value": 0.03, "source": "read noise 10 fA [M: not verified]"}
    assert _m_tagged(entry)
    assert not _m_tagged({**entry, "source": "datasheet [V]"})


def test_the_old_read_noise_threshold_is_superseded_by_the_measurement_model():
    sizes = _load("data/evidence/effect_sizes.yaml")
    for name in ("relative_current_change", "synaptic_weight_change"):
        assert sizes[name]["status"] == "superseded"
        assert sizes[name]["superseded_by"] == "data/evidence/measurement.yaml"


@pytest.mark.parametrize("rel", VERDICT_FILES)
def test_every_entry_states_its_source(rel):
    missing = [name for name, entry in _load(rel).items()
               if not isinstance(entry, dict) or not str(entry.get("source") or entry.get("reason") or "").strip()]
    assert missing == [], f"{rel}: entries without a source or reason: {missing}"


def test_ledger_claims_compared_with_M_values_are_shown_not_judged():
    """A claim whose reference rests on an [M] value is `reference: unverified` (shown, never
    pass or fail) or the compendium's own question."""
    bad = []
    for path in sorted((ROOT / "data" / "paper" / "claims").glob("*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8")):
            text = " ".join(str(c.get(k, "")) for k in ("quote", "location", "compare", "condition"))
            if "[M" in text and c.get("reference") != "unverified" and not c.get("question"):
                bad.append(c["id"])
    assert bad == []


# --------------------------------------------------------------------------- measurement model
def _sigma_bounds(current_A, model):
    """(floor, ceiling) of the single-read noise at 1 PLC for a read of |current_A| (the rule of
    measurement.yaml noise_floor / noise_ceiling)."""
    instruments = model["instruments"]["value"]
    ceilings, resolutions = [], []
    for spec in instruments.values():
        i = next((j for j, r in enumerate(spec["ranges_A"]) if r >= abs(current_A)), None)
        if i is None:
            continue
        ceilings.append(spec["offset_A"][i])
        resolutions.append(spec["resolution_A"][i])
    return max(model["noise_floor"]["value"], min(resolutions)), max(ceilings)


def _threshold(current_A, t_int_s, position, n_reads, model):
    lo, hi = _sigma_bounds(current_A, model)
    sigma = math.exp(math.log(lo) + position * (math.log(hi) - math.log(lo)))
    sigma *= (1.0 / 60.0 / t_int_s) ** model["integration_time_scaling"]["value"]
    return model["coverage_factor"]["value"] * math.sqrt(n_reads) * sigma / abs(current_A)


def test_measurement_tables_are_consistent():
    model = _load("data/evidence/measurement.yaml")
    for name, spec in model["instruments"]["value"].items():
        n = len(spec["ranges_A"])
        assert n == len(spec["resolution_A"]) == len(spec["offset_A"]) == len(spec["gain_percent"]), name
        assert spec["ranges_A"] == sorted(spec["ranges_A"]), name
        assert all(res < off < rng for res, off, rng in zip(spec["resolution_A"], spec["offset_A"], spec["ranges_A"])), name
        assert spec["tag"] == "[V]" and spec["document"].strip(), name
    for family, (lo, hi) in model["integration_time"]["value"].items():
        assert 0 < lo < hi, family
    assert 0 <= model["noise_position"]["value"] <= 1


@pytest.mark.parametrize("current_A", [0.1e-12, 0.9e-12, 4e-12, 15e-12, 64e-12, 0.64e-9, 5e-9])
def test_noise_floor_lies_below_the_ceiling_for_the_paper_s_currents(current_A):
    lo, hi = _sigma_bounds(current_A, _load("data/evidence/measurement.yaml"))
    assert 0 < lo < hi


def test_threshold_of_the_n1_read_spans_the_best_to_the_worst_instrument():
    """n = 1's 0.9 pA at -0.01 V (18 fJ at -1 V, 20 ms), two reads at 1 PLC: from the capped-input
    noise of the 6517B to the 7 fA offset of the 6430's 1 pA range."""
    model = _load("data/evidence/measurement.yaml")
    best = _threshold(0.9e-12, 1 / 60, 0.0, 2, model)
    worst = _threshold(0.9e-12, 1 / 60, 1.0, 2, model)
    assert best == pytest.approx(2 * math.sqrt(2) * 0.125e-15 / 0.9e-12, rel=1e-9)     # 0.04 %
    assert worst == pytest.approx(2 * math.sqrt(2) * 7e-15 / 0.9e-12, rel=1e-9)        # 2.2 %
    # a 1 ms read is noisier by sqrt(16.7) ~ 4.1
    assert _threshold(0.9e-12, 1e-3, 1.0, 2, model) / worst == pytest.approx(math.sqrt(1 / 60 / 1e-3))
    # a larger current (n = 3-5, 4-64 pA) has a smaller relative threshold on the same instrument class
    assert _threshold(64e-12, 1 / 60, 1.0, 2, model) < worst


# --------------------------------------------------------------------------- accuracy equivalence test
def test_accuracy_claims_are_decided_by_tost_with_the_paper_s_own_precision_as_margin():
    """delta = 1.96 * sqrt(p0 (1 - p0) / N_test), from the paper's numbers and the test-set sizes
    alone (rounded to two significant digits)."""
    from scipy.stats import norm
    rule = _load("data/paper/accuracy_rule.yaml")
    paper = _load("data/paper/values.yaml")["classification"]
    assert rule["decision"]["value"] == "equivalence_test"
    assert rule["equivalence_alpha"]["value"] == 0.05 and rule["power_target"]["value"] == 0.80
    for data, key in (("8x8", "accuracy_8x8_percent"), ("28x28", "accuracy_28x28_percent")):
        p0 = paper[key]["value"] / 100
        n_test = rule["equivalence_test_set_size"]["value"][data]
        delta = 100 * norm.ppf(0.975) * math.sqrt(p0 * (1 - p0) / n_test)
        assert rule["equivalence_margin_pp"]["value"][data] == float(f"{delta:.2g}")
    assert rule["equivalence_test_set_size"]["value"]["28x28"] == _load("data/mnist.yaml")["files"]["t10k-labels-idx1-ubyte.gz"]["shape"][0]


def test_no_claim_reads_a_superseded_effect_size():
    """The superseded [M] thresholds stay in effect_sizes.yaml as history; no claim may name them."""
    sizes = _load("data/evidence/effect_sizes.yaml")
    superseded = {name for name, e in sizes.items() if isinstance(e, dict) and e.get("status") == "superseded"}
    assert superseded
    used = []
    for path in sorted((ROOT / "data" / "paper" / "claims").glob("*.yaml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8")):
            if c["compare"].get("quantity") in superseded:
                used.append(c["id"])
    assert used == []
