"""The checks can fail: every comparison op, the ledger's validation, and the regression check."""
import pytest

from analysis.evidence import claims


def make(op, metric="stage:x", key=None, **cmp):
    c = {"id": "t", "figure": "Fig. X", "quote": "q", "location": "p. 1", "kind": "quantitative",
         "basis": "predicted", "metric": metric, "compare": {"op": op, **cmp},
         "condition": {"stated": True, "figure": "Fig. X"}}
    if key is not None:
        c["key"] = key
    return c


@pytest.mark.parametrize("op,cmp,good,bad", [
    ("rel", {"paper": 100.0, "tolerance": 0.1}, 109.0, 111.0),
    ("abs", {"paper": 0.138, "tolerance": 0.005}, 0.142, 0.144),
    ("range", {"min": 1, "max": 10}, 5.0, 0.7),
    ("gt", {"value": 1}, 1.2, 0.9),
    ("lt", {"value": 1}, 0.2, 1.0),
    ("increasing", {}, [1, 2, 3], [1, 3, 2]),
    ("decreasing", {}, {"1": 0.16, "2": 0.14}, {"1": 0.14, "2": 0.16}),
    ("argmin", {"paper": "1"}, {"1": 0.1, "2": 0.5}, {"1": 0.6, "2": 0.5}),
    ("argmax", {"paper": "2"}, {"1": 0.1, "2": 0.5}, {"1": 0.6, "2": 0.5}),
    ("equals", {"paper": "green"}, "green", "blue"),
    ("true", {}, True, False),
    ("equivalence", {"paper": 91.26, "data": "8x8"}, [91.0, 91.5, 90.8, 91.3, 91.1],
     [95.0, 95.5, 96.0, 95.2, 95.8]),
])
def test_each_op_passes_and_fails(op, cmp, good, bad):
    assert claims.evaluate(make(op, **cmp), {"stage": {"x": good}})["status"] == "pass"
    assert claims.evaluate(make(op, **cmp), {"stage": {"x": bad}})["status"] == "fail"


def test_increasing_respects_explicit_order():
    claim = make("increasing", over=["inf", "1"])
    assert claims.evaluate(claim, {"stage": {"x": {"1": 2.0, "inf": 1.0}}})["status"] == "pass"


def test_missing_output_and_missing_key():
    claim = make("abs", key="3", paper=1, tolerance=0.1)
    assert claims.evaluate(claim, {})["status"] == "missing"
    rec = claims.evaluate(claim, {"stage": {"x": {"1": 1.0}}})
    assert rec["status"] == "missing" and "'3'" in rec["note"]


def test_perturbed_output_makes_claim_fail():
    claim = make("rel", key="1", paper=0.002795, tolerance=0.10)
    ok = {"stage": {"x": {"1": 0.0028}}}
    assert claims.evaluate(claim, ok)["status"] == "pass"
    ok["stage"]["x"]["1"] *= 1.2
    assert claims.evaluate(claim, ok)["status"] == "fail"


@pytest.mark.parametrize("field,value,message", [
    ("kind", "vague", "kind='vague'"),
    ("basis", "guessed", "basis='guessed'"),
    ("metric", "nocolon", "expected '<stage>:<name>'"),
])
def test_validation_names_the_field(field, value, message):
    claim = make("true")
    claim[field] = value
    with pytest.raises(ValueError, match=message):
        claims.validate_claim(claim)


def test_validation_requires_operands():
    with pytest.raises(ValueError, match="lacks compare.tolerance"):
        claims.validate_claim(make("rel", paper=1.0))


def test_ledger_is_valid_and_ids_unique():
    ledger = claims.load_ledger()
    ids = [c["id"] for c in ledger]
    assert len(ids) == len(set(ids))


def test_duplicate_ids_rejected(tmp_path):
    entry = ("- {id: a, figure: f, quote: q, location: l, kind: trend, basis: predicted, "
             "metric: 's:x', compare: {op: 'true'}, condition: {stated: true}}\n")
    (tmp_path / "a.yaml").write_text(entry)
    (tmp_path / "b.yaml").write_text(entry)
    with pytest.raises(ValueError, match="appears in a.yaml and b.yaml"):
        claims.load_ledger(tmp_path)


def test_regression_detects_drift_and_missing():
    metrics = {"s": {"a": 1.0, "b": {"1": 2.0}, "c": True}}
    ref = claims.flatten_metrics(metrics)
    assert all(r["status"] == "pass" for r in claims.check_regression(metrics, ref, 1e-6, 0))
    drift = {"s": {"a": 1.001, "b": {"1": 2.0}, "c": True}}
    status = {r["metric"]: r["status"] for r in claims.check_regression(drift, ref, 1e-6, 0)}
    assert status["s:a"] == "fail" and status["s:b.1"] == "pass"
    gone = {"s": {"a": 1.0}}
    status = {r["metric"]: r["status"] for r in claims.check_regression(gone, ref, 1e-6, 0)}
    assert status["s:b.1"] == "missing"


def test_every_figure_notebook_is_checked_by_the_ledger():
    """Each notebook that writes metrics has at least one claim; every claim names a real stage."""
    import yaml

    from analysis.stage_io import ROOT
    table = yaml.safe_load((ROOT / "rules" / "notebooks.yaml").read_text())
    stages = {name for name, spec in table.items() if spec.get("metrics", True)} | {"calibrate"}
    used = {c["metric"].split(":", 1)[0] for c in claims.load_ledger()}
    assert used <= stages, f"claims name unknown stages: {sorted(used - stages)}"
    # robustness.json feeds every claim's class and robustness instead of a claim of its own
    unchecked = sorted(stages - used - {"calibrate", "robustness"})
    assert not unchecked, f"no claim checks the outputs of {unchecked}"


def test_ledger_covers_both_bases():
    ledger = claims.load_ledger()
    bases = {c["basis"] for c in ledger}
    assert {"calibrated", "predicted"} <= bases
    assert all(c["quote"].strip() and c["location"].strip() for c in ledger)


def test_prediction_interval_formula_and_one_seed_is_no_equivalence_test():
    # t(0.975; 4) = 2.776; sd of 90, 92, 91, 89, 93 is 1.581; × √1.2 → half-width 4.81
    mean, half = claims.prediction_interval([90.0, 92.0, 91.0, 89.0, 93.0], 0.95)
    assert mean == pytest.approx(91.0) and half == pytest.approx(2.7764 * 1.5811 * 1.2 ** 0.5, rel=1e-3)
    with pytest.raises(ValueError, match="needs ≥ 2"):
        claims.prediction_interval([91.0])
    with pytest.raises(ValueError, match="coverage=1.5 must be in"):
        claims.prediction_interval([1.0, 2.0], 1.5)
    one_seed = claims.evaluate(make("equivalence", paper=91.0, data="8x8"), {"stage": {"x": [91.0]}})
    assert one_seed["status"] == "fail" and "needs ≥ 2" in one_seed["note"]


# --------------------------------------------------------------------------- effect sizes, margins, classes
SIZES = {"peak_position": {"kind": "tolerance", "op": "abs", "value": 2.0, "units": "nm",
                           "meaning": "m", "source": "s"}}


def test_a_trend_below_its_detection_threshold_is_too_small_to_have_been_seen():
    metrics = {"stage": {"x": 1.05}}           # PPF A2/A1 = 1.05: a 5 % effect
    loose = claims.evaluate(make("gt", value=1.0, threshold=0.03), metrics)
    assert loose["status"] == "pass" and loose["outcome"] == "reproduced"
    assert loose["margin"] == pytest.approx(0.02)
    tight = claims.evaluate(make("gt", value=1.0, threshold=0.10), metrics)
    assert tight["status"] == "fail" and tight["outcome"] == "too small to have been seen"
    assert tight["margin"] == pytest.approx(-0.05) and "too small to have been seen" in tight["note"]
    wrong_way = claims.evaluate(make("gt", value=1.0, threshold=0.03), {"stage": {"x": 0.95}})
    assert wrong_way["outcome"] == "contradicted"


def test_the_threshold_is_read_from_the_claims_own_metric():
    """The detection threshold of a film is a metric (its read noise at its current), per key."""
    claim = make("gt", value=1.0, key="3", threshold={"metric": "stage:thr"})
    metrics = {"stage": {"x": {"1": 1.02, "3": 1.02}, "thr": {"1": 0.03, "3": 0.001}}}
    assert claims.evaluate(claim, metrics)["outcome"] == "reproduced"
    r = claims.evaluate({**claim, "key": "1"}, metrics)
    assert r["outcome"] == "too small to have been seen" and r["threshold"] == pytest.approx(0.03)


def test_a_threshold_from_an_analysis_choice_follows_the_choice():
    from analysis.parameters import default_parameters
    pset = default_parameters()
    claim = make("lt", value=1.0, threshold={"choice": "mostly_fraction", "times": 0.0})
    assert claims.evaluate(claim, {"stage": {"x": 0.5}}, pset=pset)["outcome"] == "reproduced"
    with pytest.raises(ValueError, match="analysis choice 'nope' is not defined"):
        claims.judge(make("lt", value={"choice": "nope"}), {"stage": {"x": 0.5}}, pset)


def test_monotone_trend_uses_relative_steps_against_the_threshold():
    claim = make("increasing", relative=True, threshold=0.03)
    assert claims.evaluate(claim, {"stage": {"x": [1.0, 1.1, 1.2]}})["status"] == "pass"
    r = claims.evaluate(claim, {"stage": {"x": [1.0, 1.01, 1.02]}})
    assert r["status"] == "fail" and r["outcome"] == "too small to have been seen"
    assert r["effect"] == pytest.approx(0.0099, rel=1e-3)
    per_step = claims.evaluate(make("increasing", relative=True, threshold=[0.001, 0.2]),
                               {"stage": {"x": [1.0, 1.1, 1.2]}})
    assert per_step["outcome"] == "too small to have been seen"      # the second step needs 0.2


def test_tolerance_comes_from_the_quantity_type_and_not_twice():
    claim = make("abs", paper=401, quantity="peak_position")
    assert claims.evaluate(claim, {"stage": {"x": 402.5}}, sizes=SIZES)["margin"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="stated once"):
        claims.validate_claim(make("abs", paper=401, tolerance=3, quantity="peak_position"))
    with pytest.raises(ValueError, match="compare.quantity='nope'"):
        claims.validate_claim(make("gt", value=1, quantity="nope"))


def test_margin_is_signed_distance_in_claim_units():
    assert claims.evaluate(make("range", min=1, max=10), {"stage": {"x": 0.12}})["margin"] == pytest.approx(-0.88)
    assert claims.evaluate(make("rel", paper=18, tolerance=0.1), {"stage": {"x": 19}})["margin"] == pytest.approx(0.8)


def test_classes_follow_ledger_and_sweep_symmetrically():
    base = make("gt", value=1)
    assert claims.classify({**base, "basis": "calibrated"}) == "calibration"
    assert claims.classify({**base, "basis": "literature"}) == "audit"
    assert claims.classify({**base, "reference": "unverified"}) == "unverified"
    assert claims.classify({**base, "construction": "drawn from its input"}) == "consistent by construction"
    assert claims.classify({**base, "question": True, "why": "w"}) == "question"
    assert claims.classify({**base, "derived_from": "y"}) == "derived"
    assert claims.classify({**base, "variant_of": "y", "variant": {"a": "b"}}) == "variant"
    assert claims.classify(base) == "prediction"
    assert claims.classify(base, {"wide_samples": 5, "wide_holds_all": True}) == "consistent by construction"
    assert claims.classify(base, {"wide_samples": 5, "wide_fails_all": True}) == "inconsistent by construction"
    assert claims.classify(base, {"wide_samples": 5}) == "prediction"
    assert claims.classify(base, {"wide_samples": 0, "wide_holds_all": True}) == "prediction"


def test_a_claim_failing_in_every_sample_is_not_counted_as_a_robust_failure():
    """Issue 17 acceptance: symmetric classes keep unanimous outcomes out of the headline."""
    claim = make("gt", value=1.0, threshold=0.0)
    sweep = {"robustness": {"claims": {"t": {
        "wide_samples": 40, "wide_holds_all": False, "wide_fails_all": True, "robustness": 0.0,
        "robustness_joint": 0.0, "robustness_interval": [0.0, 0.09], "verdict_robust": "fails"}}}}
    r = claims.evaluate(claim, {"stage": {"x": 0.9}, **sweep})
    assert r["class"] == "inconsistent by construction" and r["outcome"] == "contradicted"
    assert "fails in all 40 evaluated samples" in r["construction_basis"]
    h = claims.headline([r])
    assert h["predictions"] == 0 and h["fail_robustly"] == 0
    assert h["by_class"]["inconsistent by construction"] == 1
    assert "1 inconsistent by construction" in h["text"]


def test_unverified_reference_is_shown_not_pass_or_fail():
    r = claims.evaluate({**make("range", min=480, max=490), "reference": "unverified"}, {"stage": {"x": 477}})
    assert r["status"] == "shown" and r["class"] == "unverified"


def test_calibration_claim_reports_target_reached_residual():
    r = claims.evaluate({**make("rel", paper=0.1, tolerance=0.1), "basis": "calibrated"}, {"stage": {"x": 0.1001}})
    assert r["class"] == "calibration"
    assert r["calibration"]["residual"] == pytest.approx(1e-4)
    row, = claims.calibration_table([r, {**r, "class": "prediction"}])
    assert (row["target"], row["reached"], row["status"]) == (0.1, 0.1001, "pass")


def test_every_ledger_claim_gets_a_class_and_m_references_are_not_pass_fail():
    for c in claims.load_ledger():
        assert claims.classify(c) in claims.CLASSES
    unverified = [c["id"] for c in claims.load_ledger() if c.get("reference") == "unverified"]
    assert {"fig2-phase-peak-n4-literature", "fig2-phase-peak-n5-literature"} <= set(unverified)


def test_headline_counts_robust_outcomes():
    recs = [{"class": "prediction", "verdict_robust": v} for v in ("holds", "holds", "fails", "depends")]
    recs += [{"class": "prediction"}, {"class": "calibration"}]
    h = claims.headline(recs)
    assert (h["predictions"], h["hold_robustly"], h["fail_robustly"], h["depend_on_assumptions"],
            h["not_swept"]) == (5, 2, 1, 1, 1)
    assert h["by_class"]["calibration"] == 1


def test_overall_effect_of_a_protocol_sweep_does_not_depend_on_its_grid():
    claim = make("increasing", relative=True, threshold=0.03, effect="overall")
    coarse = claims.evaluate(claim, {"stage": {"x": [1.0, 1.05, 1.1]}})
    fine = claims.evaluate(claim, {"stage": {"x": list(1.0 + 0.1 * __import__("numpy").linspace(0, 1, 50))}})
    assert coarse["status"] == fine["status"] == "pass"
    assert coarse["margin"] == pytest.approx(fine["margin"]) == pytest.approx(0.07)
    dip = claims.evaluate(claim, {"stage": {"x": [1.0, 1.2, 1.1, 1.3]}})
    assert dip["status"] == "fail" and dip["outcome"] == "contradicted"          # not monotone
    flat = claims.evaluate(claim, {"stage": {"x": [1.0, 1.01, 1.02]}})
    assert flat["outcome"] == "too small to have been seen"


def test_the_trend_effect_choice_changes_how_a_sequence_is_judged():
    """trend_effect = net_change lets a sequence with a dip pass on its net change."""
    from analysis.parameters import default_parameters
    pset = default_parameters()
    net = pset.replace({"analysis": {"trend_effect": "net_change"}})
    claim = make("increasing", relative=True, threshold=0.03)
    dip = {"stage": {"x": [1.0, 1.2, 1.1, 1.3]}}
    assert claims.evaluate(claim, dip, pset=pset)["outcome"] == "contradicted"
    assert claims.evaluate(claim, dip, pset=net)["outcome"] == "reproduced"


# --------------------------------------------------------------------------- accuracy: equivalence with power
def _s11(cid):
    return next(c for c in claims.load_ledger() if c["id"] == cid)


def test_an_accuracy_claim_carries_its_equivalence_test_margin_and_power():
    claim = _s11("figS11-accuracy-8x8-fresh-push-pull")          # paper 91.26 %, margin 2.4 pp
    close = [91.0, 91.5, 90.8, 91.3, 91.1, 91.2, 90.9, 91.4, 91.0, 91.6]
    r = claims.evaluate(claim, {"figS11_classification": {"accuracy_8x8_fresh_push_pull_percent_per_seed": close}})
    eq = r["equivalence"]
    assert r["outcome"] == "reproduced" and eq["equivalent"] and eq["margin"] == 2.4
    assert eq["n"] == 10 and 0.99 < eq["power"] <= 1 and eq["seeds_for_power"] <= 10
    assert eq["alpha"] == 0.05 and eq["power_target"] == 0.8 and eq["test_outcome"] == "equivalent"
    assert (r["power"], r["seeds"], r["seeds_for_power"]) == (eq["power"], 10, eq["seeds_for_power"])
    assert r["verdict_robust"] == "holds" and r["robustness_over"] == "seeds"
    noisy = [80.0, 95.0, 88.0, 99.0, 84.0]                       # mean 89.2, sd 7.6: undecided
    u = claims.evaluate(claim, {"figS11_classification": {"accuracy_8x8_fresh_push_pull_percent_per_seed": noisy}})
    assert u["outcome"] == "undecided" and u["verdict_robust"] == "depends"
    assert u["equivalence"]["power"] < 0.8 and u["equivalence"]["seeds_for_power"] > 5
    far = [80.0, 80.5, 79.8, 80.2, 80.1]
    f = claims.evaluate(claim, {"figS11_classification": {"accuracy_8x8_fresh_push_pull_percent_per_seed": far}})
    assert f["outcome"] == "contradicted" and f["equivalence"]["outside"]


# --------------------------------------------------------------------------- conditions (issue 17 §1)
def test_a_claim_without_condition_fails_validation():
    claim = make("true")
    del claim["condition"]
    with pytest.raises(ValueError, match="lacks condition"):
        claims.validate_claim(claim)


@pytest.mark.parametrize("condition,message", [
    ({"figure": "Fig. X"}, "needs condition.stated"),
    ({"stated": "yes"}, "needs condition.stated"),
    ({"stated": False}, "no condition.unstated"),
    ({"stated": True, "open": "ppf_statistic"}, "condition.open="),
    ({"stated": True, "open": ["a", "a"]}, "condition.open="),
])
def test_malformed_conditions_are_refused(condition, message):
    with pytest.raises(ValueError, match=message):
        claims.validate_claim({**make("true"), "condition": condition})


def test_question_derived_and_variant_keys_are_checked():
    with pytest.raises(ValueError, match="question must be true and come with a why"):
        claims.validate_claim({**make("true"), "question": True})
    claims.validate_claim({**make("true"), "question": True, "why": "joins two sentences"})
    with pytest.raises(ValueError, match="derived_from='t'"):
        claims.validate_claim({**make("true"), "derived_from": "t"})
    with pytest.raises(ValueError, match="needs variant"):
        claims.validate_claim({**make("true"), "variant_of": "other"})


def test_derived_from_must_name_a_primary_claim_of_the_ledger(tmp_path):
    def entry(cid, extra=""):
        return (f"- {{id: {cid}, figure: f, quote: q, location: l, kind: trend, basis: predicted, "
                f"metric: 's:x', compare: {{op: 'true'}}, condition: {{stated: true}}{extra}}}\n")
    (tmp_path / "a.yaml").write_text(entry("a") + entry("b", ", derived_from: nowhere"))
    with pytest.raises(ValueError, match="derived_from='nowhere', which is not a claim"):
        claims.load_ledger(tmp_path)
    (tmp_path / "a.yaml").write_text(entry("a") + entry("b", ", derived_from: a") + entry("c", ", derived_from: b"))
    with pytest.raises(ValueError, match="name the primary claim"):
        claims.load_ledger(tmp_path)


def _choices():
    import yaml

    from analysis.stage_io import ROOT
    choices = yaml.safe_load((ROOT / "data" / "evidence" / "analysis_choices.yaml").read_text(encoding="utf-8"))
    priors = yaml.safe_load((ROOT / "data" / "evidence" / "priors.yaml").read_text(encoding="utf-8"))
    return choices, {k for k, p in priors.items() if p.get("kind") in ("protocol", "analysis")}


def test_open_choices_exist_and_agree_with_what_each_choice_affects():
    """Every name in condition.open is an analysis choice (or a protocol/analysis prior), and a
    claim names a choice exactly when the choice's `affects` patterns match the claim."""
    import fnmatch
    choices, open_priors = _choices()
    problems = []
    for c in claims.load_ledger():
        opened = set(c["condition"].get("open", []))
        unknown = opened - set(choices) - open_priors
        if unknown:
            problems.append(f"{c['id']}: unknown open choices {sorted(unknown)}")
        affected = {name for name, e in choices.items() if any(fnmatch.fnmatch(c["id"], p) for p in e["affects"])}
        if (opened & set(choices)) != affected:
            problems.append(f"{c['id']}: open {sorted(opened & set(choices))} but affected by {sorted(affected)}")
    assert problems == [], "\n".join(problems)


def test_variants_realise_options_of_their_choices_with_one_primary():
    choices, _ = _choices()
    ledger = claims.load_ledger()
    groups = {}
    for c in ledger:
        if "variant" not in c:
            continue
        for choice, option in c["variant"].items():
            assert choices[choice].get("realized_as") == "variants", (c["id"], choice)
            assert option in choices[choice]["options"], (c["id"], choice, option)
        groups.setdefault(c.get("variant_of", c["id"]), []).append(c)
    for primary, members in groups.items():
        assert sum("variant_of" not in m for m in members) == 1, primary
        head = next(m for m in members if "variant_of" not in m)
        assert all(m["variant"][k] == choices[k]["default"] for m in [head] for k in m["variant"]), primary
        assert len({tuple(sorted(m["variant"].items())) for m in members}) == len(members), primary


def test_statements_the_paper_does_not_make_are_questions():
    by_id = {c["id"]: c for c in claims.load_ledger()}
    for cid in ("epsc_increasing_with_n", "heldout-table2-from-structure", "figS11-device-below-float-8x8"):
        assert by_id[cid].get("question") is True and by_id[cid]["why"].strip()
    # the energy contradiction is one finding: the audit, with the two predictions derived from it
    primary = "fig6-energy-consistency-current"
    assert by_id[primary]["basis"] == "literature" and "derived_from" not in by_id[primary]
    assert by_id["fig6-energy-2d-0p7fJ"]["derived_from"] == primary
    assert by_id["fig6-energy-biological-range"]["derived_from"] == primary
    assert "comparable to" in by_id["fig6-energy-biological-range"]["quote"]


# --------------------------------------------------------------------------- quotes are the paper's words
def _paper_text():
    import os
    from pathlib import Path

    from analysis.stage_io import ROOT
    path = Path(os.environ.get("SYNAPSE_PAPER_TEXT", "") or ROOT.parent / "shared" / "paper" / "kim2019-perovskite-synapses.md")
    if not path.is_file():
        pytest.skip("the paper's text is not available here (set SYNAPSE_PAPER_TEXT to its Markdown transcription)")
    return path.read_text(encoding="utf-8")


def _letters(text: str) -> str:
    """Lower-case ASCII letters and digits only, after removing tags, LaTeX commands and citations."""
    import re
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\\[A-Za-z]+", "", text)
    text = re.sub(r"\[\s*\d+(\s*[,–-]\s*\d+)*\s*\]", "", text)
    return re.sub(r"[^a-z0-9]", "", text.lower())


def test_quotes_are_verbatim_single_passages_of_the_paper():
    """Each quote is the paper's words in one passage: its letters and digits, in order, occur
    contiguously in the paper, with markup, citations, and the figure captions and axis labels
    that the transcription places inside sentences left out (a caption may itself be quoted)."""
    import re
    text = _paper_text().replace(" f) per synaptic", " fJ) per synaptic")     # transcription: fJ read as f)
    paragraphs = re.split(r"\n\s*\n", text)
    inserted = re.compile(r"^\s*(\*\*)?(Figure|Table) \d|^\s*\d+\s*$|^\s*Time after the 30")
    body = _letters("\n".join(p for p in paragraphs if not inserted.match(p)))
    full = _letters(text)
    bad = [c["id"] for c in claims.load_ledger()
           if _letters(c["quote"]) not in body and _letters(c["quote"]) not in full]
    assert bad == [], f"quotes not found verbatim in one passage of the paper: {bad}"
    assert "..." not in " ".join(c["quote"] for c in claims.load_ledger())
