"""The report: claims.json schema, the regression gate, reference regeneration, and the page's
structure (sections in paper order, rounded numbers, figures that decode, links to cells)."""
import json

import pytest

from analysis.evidence import claims, report
from analysis.stage_io import write_json

LEDGER = """
- id: t.peak
  figure: Fig. 2b
  quote: "absorption peak near 401 nm"
  location: p. 3
  kind: quantitative
  basis: calibrated
  metric: "fig2:peak_nm"
  key: "1"
  compare: {op: abs, paper: 401, tolerance: 2, units: nm}
  condition: {stated: true, figure: Fig. 2b}
- id: t.trend
  figure: Fig. 5b
  quote: "E_A decreased as n increased"
  location: p. 6
  kind: trend
  basis: predicted
  metric: "fig5:ea"
  compare: {op: decreasing}
  condition: {stated: true, figure: Fig. 5b}
- id: t.absent
  figure: Fig. 6a
  quote: "linear in area"
  location: p. 7
  kind: trend
  basis: predicted
  metric: "fig6:linear"
  compare: {op: "true"}
  condition: {stated: true, figure: Fig. 6a}
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "t.yaml").write_text(LEDGER)
    write_json({"peak_nm": {"1": 401.5}}, tmp_path / "results" / "metrics" / "fig2.json")
    write_json({"ea": {"1": 0.16, "2": 0.17}}, tmp_path / "results" / "metrics" / "fig5.json")
    (tmp_path / "figures").mkdir()
    (tmp_path / "nb.yaml").write_text("fig2:\n  title: Fig. 2\n  figures: [fig2_optics]\n")
    return tmp_path


def _build(tree, reference):
    return report.build(results_dir=tree / "results", figures_dir=tree / "figures", profile="quick",
                        reference=reference, ledger_dir=tree / "claims",
                        notebooks_table=tree / "nb.yaml", run_config={"profile": "quick"},
                        notebooks_dir=tree / "notebooks")


def test_claims_json_has_every_claim_with_status(tree):
    summary = _build(tree, tree / "noref.json")
    out = json.loads((tree / "results" / "report" / "claims.json").read_text())
    assert [r["id"] for r in out] == ["t.peak", "t.trend", "t.absent"]
    assert [r["status"] for r in out] == ["pass", "fail", "missing"]
    assert {"id", "figure", "kind", "basis", "paper", "compendium", "status", "note"} <= set(out[0])
    assert set(out[0]) <= {*report.PUBLIC_KEYS, *report.OPTIONAL_KEYS}
    assert [r["outcome"] for r in out] == ["reproduced", "contradicted", "not evaluated"]
    assert all("class" in r for r in out)          # the ledger engine classifies every claim
    assert summary["status"] == {"pass": 1, "fail": 1, "missing": 1}
    html = (tree / "results" / "report" / "index.html").read_text()
    assert "t.trend" in html and "fig2_optics.png</code> was not produced" in html


def test_gate_fails_on_regression_and_passes_otherwise(tree, capsys):
    metrics = claims.load_metrics(tree / "results" / "metrics")
    ref = tree / "ref.json"
    write_json(claims.flatten_metrics(metrics), ref)
    _build(tree, ref)
    reg = tree / "results" / "report" / "regression.json"
    assert report.gate(reg, tree / "ok") == 0 and (tree / "ok").is_file()
    write_json({"peak_nm": {"1": 403.0}}, tree / "results" / "metrics" / "fig2.json")
    _build(tree, ref)
    assert report.gate(reg, tree / "ok2") == 1
    assert "fig2:peak_nm.1" in capsys.readouterr().err
    assert not (tree / "ok2").exists()


# ----------------------------------------------------------------------- page structure
def _png(path, size=(40, 30)):
    from PIL import Image
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path)


def test_report_refuses_an_image_that_does_not_decode(tree):
    (tree / "figures" / "fig2_optics.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    with pytest.raises(ValueError, match=r"fig2_optics\.png does not decode"):
        _build(tree, tree / "noref.json")


def test_report_embeds_a_decodable_figure_under_its_section(tree):
    _png(tree / "figures" / "fig2_optics.png")
    _build(tree, tree / "noref.json")
    page = (tree / "results" / "report" / "index.html").read_text()
    section = page[page.index('id="s-fig2"'):]
    assert section.index('id="f-fig2_optics"') < section.index("t.peak")
    assert "<script src" not in page and "<link" not in page  # one self-contained file


def test_sections_follow_paper_order_and_claims_go_to_their_figure():
    table = {name: {"title": name, "figures": []} for name in
             ["figS11_classification", "fig6_energy", "figS1_iv", "fig5_activation", "fig4_retention",
              "fig4a_multistore", "fig2_optics", "fig1_schematics"]}
    sections = report._sections(table)
    assert list(sections) == ["fig1_schematics", "fig2_optics", "fig4a_multistore", "fig4_retention",
                              "fig5_activation", "fig6_energy", "figS1_iv", "figS11_classification"]
    assert report.section_of({"figure": "Table 2 / Fig. 4b"}, sections) == "fig4_retention"
    assert report.section_of({"figure": "Table 2 / Fig. 5b"}, sections) == "fig5_activation"
    assert report.section_of({"figure": "Fig. 4a"}, sections) == "fig4a_multistore"
    assert report.section_of({"figure": "Table 1; Table 2"}, sections) == "fig2_optics"
    assert report.section_of({"figure": "Fig. S10"}, sections) == "fig6_energy"
    assert report.section_of({"figure": "Abstract", "metric": "fig6_energy:x"}, sections) == "fig6_energy"
    assert report.section_of({"figure": "Abstract", "metric": "calibrate:x"}, sections) == "other"


def test_numbers_are_rounded_with_true_minus_signs():
    assert report.format_number(0.0814815) == "0.08148"
    assert report.format_number(-2.48225e-10, 2) == "−2.5×10⁻¹⁰"
    assert report.tidy("E = -0.02 V, R = 5.71429e+09 ohm, id fig2-abs") == "E = −0.02 V, R = 5.71×10⁹ ohm, id fig2-abs"
    assert report.column_label("implied_R_read_ohm") == "implied R read [Ω]"
    assert report.column_label("area_um2") == "area [µm²]"
    import doctest
    assert doctest.testmod(report).failed == 0


def test_wide_tables_scroll_in_their_own_container(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a_eV,b_stderr_eV,text\n0.0814815,0.000155589,-x\n")
    html = report.csv_table(path)
    assert html.startswith('<div class="scroll"')
    assert ">0.08148<" in html and ">1.6×10⁻⁴<" in html


def test_verdict_uses_claim_classes_when_present():
    recs = [{"id": f"p{i}", "figure": "Fig. 3b", "basis": "predicted", "class": "prediction",
             "status": "pass" if i < 3 else "fail", "verdict_robust": v}
            for i, v in enumerate(["holds", "holds", "depends", "fails"])]
    recs.append({"id": "c", "figure": "Table 2", "basis": "calibrated", "class": "calibration", "status": "pass"})
    recs.append({"id": "k", "figure": "Fig. 3b", "basis": "predicted", "class": "inconsistent by construction",
                 "status": "fail", "verdict_robust": "fails"})
    assert [report.verdict(r) for r in recs] == ["holds", "holds", "depends", "fails", "holds", "fails"]
    html = report._summary_html(recs, {"records": [], "available": False, "reference": "r"}, classes=True)
    assert "Of <b>4 predictions</b> (claims whose outcome the assumptions could change), <b>2</b> hold " \
           "robustly, <b>1</b> fail robustly and <b>1</b> depend" in html
    assert "0 consistent and 1 inconsistent by construction" in html      # apart, not a robust failure
    assert "1 of 1 fitting targets" in html
    assert report.public_record(dict(recs[0], kind="trend", paper="", compendium="", note="", outcome="reproduced")
                                )["verdict_robust"] == "holds"


def test_library_calls_found_in_notebook_source():
    src = ("from analysis.physics import fits, protocols as pr\nfrom analysis.physics.energy import energy_per_event\n"
           "from analysis import stage_io\nfits.fit_ppf(1, 2)\npr.paired_pulse(p)\nenergy_per_event(1, 2, 3)\n"
           "stage_io.resolve('a')\nx.fit(1)\n")
    assert report.library_calls(src) == ["physics.energy.energy_per_event", "physics.fits.fit_ppf",
                                         "physics.protocols.paired_pulse", "stage_io.resolve"]
    d = report.describe_function("physics.fits.fit_ppf")
    assert d["where"].startswith("analysis/physics/fits.py:") and d["signature"].startswith("(")


def test_notebook_index_lists_executed_notebooks_in_paper_order(tree):
    (tree / "nb.yaml").write_text("fig6_energy:\n  title: Fig. 6\n  figures: []\n"
                                  "fig2:\n  title: Fig. 2 optics\n  figures: []\n")
    for name in ("fig6_energy", "fig2", "calibrate"):
        (tree / "results" / "notebooks").mkdir(parents=True, exist_ok=True)
        (tree / "results" / "notebooks" / f"{name}.html").write_text("<html></html>")
    _build(tree, tree / "noref.json")
    index = (tree / "results" / "report" / "notebooks.html").read_text()
    assert index.index("../notebooks/fig2.html") < index.index("../notebooks/fig6_energy.html")
    assert "../notebooks/calibrate.html" in index.split('id="stage-notebooks"')[1]


def test_figure_links_to_the_cell_that_drew_it(tree):
    _png(tree / "figures" / "fig2_optics.png")
    nb = {"cells": [{"cell_type": "code", "id": "aaa", "source": ["x = 1"]},
                    {"cell_type": "code", "id": "bbb", "source": ["save(fig, d / \"fig2_optics\")"]}]}
    (tree / "results" / "notebooks").mkdir(parents=True)
    (tree / "results" / "notebooks" / "fig2.ipynb").write_text(json.dumps(nb))
    (tree / "results" / "notebooks" / "fig2.html").write_text("<html></html>")
    _build(tree, tree / "noref.json")
    page = (tree / "results" / "report" / "index.html").read_text()
    assert 'href="../notebooks/fig2.html#cell-id=bbb"' in page


def test_notebook_index_lead_is_plain_text_cut_at_a_word():
    md = "# Title\n\nKim et al. (p. 7) say **E = |P|·I·t** with `I` read at −0.01 V.\n\nSecond paragraph."
    assert report._plain_lead(md) == "Kim et al. (p. 7) say E = |P|·I·t with I read at −0.01 V."
    assert report._plain_lead("# T\n\n" + "word " * 100, limit=20) == "word word word word …"


def test_verdict_reads_the_sweep_fields_of_the_evidence_ledger():
    """Records as analysis.evidence.claims gives them once claims have classes: the sweep's own verdict,
    predictions not swept, an unverified reference shown but not counted, calibration targets."""
    recs = [
        {"id": "a", "basis": "predicted", "class": "prediction", "status": "fail", "verdict_robust": "fails",
         "outcome": "contradicted", "robustness_physics": 0.0, "robustness_physics_interval": [0.0, 0.06],
         "robustness_joint": 0.02, "robustness_joint_interval": [0.0, 0.09]},
        {"id": "b", "basis": "predicted", "class": "prediction", "status": "pass", "verdict_robust": "depends",
         "outcome": "reproduced"},
        {"id": "c", "basis": "predicted", "class": "prediction", "status": "pass", "outcome": "reproduced"},
        {"id": "d", "basis": "predicted", "class": "unverified", "status": "shown"},
        {"id": "e", "basis": "calibrated", "class": "calibration", "status": "pass",
         "calibration": {"target": 0.16, "reached": 0.16000001, "residual": 1e-8, "units": "eV"}},
    ]
    assert [report.verdict(r) for r in recs] == ["fails", "depends", "not swept", "shown", "holds"]
    html = report._summary_html(recs, {"records": [], "available": False, "reference": "r"}, classes=True)
    assert ("<b>0</b> hold robustly, <b>1</b> fail robustly and <b>1</b> depend on the assumptions") in html
    assert "1 were not swept or have no output" in html
    assert "2 reproduced, 0 too small to have been seen, 1 contradicted" in html
    assert "shown, not counted" in html and "of the 1 of 1 fitting targets with a single number" in html
    assert report._robustness_text(recs[0]) == ", holds physics 0 % [0–6], jointly 2 % [0–9]"


def test_many_findings_fold_so_the_top_stays_short():
    recs = [{"id": f"f{i}", "figure": "Fig. 3b", "basis": "predicted", "status": "fail", "paper": "> 1",
             "compendium": "0.9", "note": "why."} for i in range(report.FINDINGS_SHOWN + 5)]
    html, listed = report._findings_html(recs, {r["id"]: "fig3" for r in recs}, {"fig3": {}}, classes=False)
    assert listed == len(recs) and html.count("<tr><td>") == len(recs)
    assert "<summary>5 more</summary>" in html
    assert html.index(f"f{report.FINDINGS_SHOWN - 1}<") < html.index("5 more") < html.index(f"f{report.FINDINGS_SHOWN}<")


def test_an_accuracy_claim_shows_its_equivalence_test_and_power():
    eq = {"n": 5, "ci_low": 88.2, "ci_high": 93.1, "margin": 2.4, "alpha": 0.05, "power": 0.31,
          "equivalent": False, "outside": False, "seeds_for_power": 14, "power_target": 0.8, "seeds_cap": 1000,
          "coverage": 0.95, "prediction_interval": [84.0, 96.5]}
    rec = {"id": "s", "figure": "Fig. S11b", "basis": "predicted", "class": "prediction", "status": "fail",
           "kind": "quantitative", "quote": "q", "location": "p. 7", "metric": "figS11_classification:x",
           "verdict_robust": "depends", "outcome": "undecided", "robustness_over": "seeds",
           "equivalence": eq, "paper": "91.26", "compendium": "90"}
    assert report._robustness_text(rec) == (", equivalence test over 5 seeds: 90 % interval 88.2–93.1 % "
                                            "(margin ±2.4), power 31 %, 14 seeds for 80 % power (description: "
                                            "95 % prediction interval for one further run 84.0–96.5 %)")
    details = report._claim_details(rec, "Fig. S11")
    assert "outcome: <b>undecided</b>" in details and "power 31 %" in details
    beyond = {**eq, "seeds_for_power": None}
    assert "more than 1000 seeds for 80 % power" in report.equivalence_text(beyond)


def test_the_accuracy_row_of_an_evaluated_claim_carries_power_and_seeds():
    """From claims.evaluate on synthetic per-seed values to the report's accuracy row."""
    claim = next(c for c in claims.load_ledger() if c["id"] == "figS11-accuracy-28x28-retained-push-pull")
    noisy = [85.4, 85.5, 83.5, 89.2, 77.8]                 # sd 4.2 pp against a 0.71 pp margin
    rec = claims.evaluate(claim, {"figS11_classification": {
        "accuracy_28x28_retained_push_pull_percent_per_seed": noisy}})
    eq = rec["equivalence"]
    assert rec["outcome"] == "undecided" and eq["margin"] == 0.71 and eq["power"] < 0.01
    assert 250 < rec["seeds_for_power"] == eq["seeds_for_power"] < 400
    text = report._robustness_text(rec)
    assert f"power {100 * eq['power']:.0f} %" in text and f"{eq['seeds_for_power']} seeds for 80 % power" in text
    assert "prediction interval" in text

def test_the_report_shows_the_rules_log_newest_first():
    entries = [{"date": "2026-11-29", "commit": "abc1234", "kind": "new", "after_results": False,
                "parts": {"data/evidence/x.yaml": "d"}, "what": "first rule", "why": "w1"},
               {"date": "2026-12-03", "commit": "def5678", "kind": "change", "after_results": True,
                "parts": {"data/evidence/x.yaml": "e"}, "what": "threshold 0.03 -> measurement model", "why": "w2"}]
    html = report.rules_log_html(entries)
    assert 'id="rules-log"' in html and "2 entries, 1 of them made after results" in html
    assert html.index("def5678") < html.index("abc1234")
    assert "threshold 0.03 -&gt; measurement model" in html          # escaped


# ----------------------------------------------------------------- page-wide agreement (issue 21)
def _page_records():
    """Synthetic evaluated claims of every kind the page counts: predictions with each robust
    verdict, a construction class, a calibration target, and one very long compendium value."""
    base = {"kind": "trend", "quote": "q", "location": "p. 3", "metric": "fig3_plasticity:x", "note": "n.",
            "paper": True, "compendium": True}
    recs = [dict(base, id="p1", figure="Fig. 3b", basis="predicted", **{"class": "prediction"}, status="pass",
                 verdict_robust="holds", outcome="reproduced"),
            dict(base, id="p2", figure="Fig. 3c", basis="predicted", **{"class": "prediction"}, status="fail",
                 verdict_robust="fails", outcome="contradicted", note="A reason. And more detail after it."),
            dict(base, id="p3", figure="Fig. 3d", basis="predicted", **{"class": "prediction"}, status="pass",
                 verdict_robust="depends", outcome="reproduced",
                 compendium=str([round(0.1 * i, 3) for i in range(60)])),
            dict(base, id="c1", figure="Fig. 3e", basis="predicted", **{"class": "consistent by construction"},
                 status="pass"),
            dict(base, id="k1", figure="Fig. 3f", basis="calibrated", **{"class": "calibration"}, status="fail",
                 note="missed by " + "a long explanation " * 20)]
    return recs


def _page(tmp_path, recs):
    table = {"fig3_plasticity": {"title": "Fig. 3 — plasticity", "figures": [], "needs": []},
             "fig4a_multistore": {"title": "Fig. 4a — multistore", "figures": [], "needs": []}}
    sections = report._sections(table)
    where = {r["id"]: report.section_of(r, sections) for r in recs}
    recs = [dict(r, why=r["note"]) for r in recs]
    html = report.render_html(recs, {"records": [], "available": False, "reference": "r"}, table,
                              tmp_path / "figures", tmp_path / "results", "quick", "", out_dir=tmp_path / "report")
    return html, where


def test_every_count_on_the_page_comes_from_one_tally(tmp_path):
    import re
    recs = _page_records()
    html, where = _page(tmp_path, recs)
    tally = report.claim_counts(recs, where)
    pred = tally["by_group"]["prediction"]
    assert (pred["claims"], pred.get("holds"), pred.get("fails"), pred.get("depends")) == (3, 1, 1, 1)
    # the verdict table's prediction row is the headline's numbers
    row = re.search(r"<tr><th>prediction</th>(.*?)</tr>", html).group(1)
    cells = [int(x) for x in re.findall(r"<td class='num'>(\d+)</td>", row)]
    cols = tally["columns"]
    assert cells == [3] + [pred.get(c, 0) for c in cols]
    assert "Of <b>3 predictions</b>" in html and "<b>1</b> hold robustly, <b>1</b> fail robustly and <b>1</b> depend" in html
    # header, table foot and the claims table say the same total
    assert "5 claims; commit" in html
    foot = re.search(r"<tfoot><tr><th>all</th><td class='num'>(\d+)</td>", html).group(1)
    assert int(foot) == len(recs) == tally["total"]
    assert "The table of all 5 claims" in html
    # contents: counts per section add up, and a section without claims shows none
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    assert "(0 claims)" not in toc and "Fig. 4a — multistore</a></li>" in toc
    assert sum(int(n) for n in re.findall(r"\((\d+) claims?", toc)) == len(recs)
    # findings: the heading's number is the rows listed
    n_find = int(re.search(r"<h2>Findings \((\d+) claims?\)</h2>", html).group(1))
    groups = re.findall(r"<summary><b>[^<]*</b> \((\d+)\)</summary>", html.split('id="findings"')[1].split("</section>")[0])
    assert groups and n_find == sum(int(n) for n in groups)
    # booleans of the claims read as the paper writes them (the function index may show Python's)
    claims_text = re.sub(r"<[^>]+>", "", html.split('id="library"')[0])
    assert "paper true; here true" in html and "True" not in claims_text


def test_no_text_is_shortened_without_a_way_to_read_all_of_it(tmp_path):
    import html as _html
    import re
    recs = _page_records()
    page, _ = _page(tmp_path, recs)
    body = re.sub(r"<(script|style)>.*?</\1>", "", page, flags=re.S)
    # every shortened text (an ellipsis closing a word, not a range "1 … 10") carries the full text
    for m in re.finditer(r"<span class=\"[^\"]*trunc[^\"]*\" title=\"([^\"]*)\">([^<]*)</span>", body):
        full, shown = _html.unescape(m.group(1)), _html.unescape(m.group(2))
        assert shown.rstrip("…").rstrip() and len(full) > len(shown.replace("…", "")) - 1
    text = re.sub(r"<span class=\"[^\"]*trunc[^\"]*\"[^>]*>[^<]*</span>", "", body)
    text = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\S…", text), re.findall(r".{30}\S….{10}", text)[:3]
    assert "a long explanation a long explanation" in _html.unescape(page)    # the note in full, in a title
    assert "5.9" in _html.unescape(page)                                      # the last list value, in a title


def test_wide_tables_are_announced_and_marked_when_they_scroll(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}_eV" for i in range(12)) + "\n" + ",".join("1.5" for _ in range(12)) + "\n")
    assert report.csv_shape(path) == (1, 12)
    assert '<div class="scroll" data-table="wide">' in report.csv_table(path)
    # the page's script marks every scroll box whose table is wider than the box, with a cue above it
    assert "d.scrollWidth > d.clientWidth" in report._SCRIPT and "scroll-cue" in report._SCRIPT
    assert "classList.add('overflows')" in report._SCRIPT and ".scroll.overflows" in report._CSS
    assert report.WIDE_COLUMNS < 12


def test_header_and_provenance_show_the_same_commit_and_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "git_commit", lambda root=None: "0123456789abcdef0123456789abcdef01234567-dirty")
    page, _ = _page(tmp_path, _page_records())
    assert '<code title="0123456789abcdef0123456789abcdef01234567-dirty">0123456789ab-dirty</code>' in page
    assert "<th>git commit</th><td><code>0123456789abcdef0123456789abcdef01234567-dirty</code>" in page
    for key in ("<th>numba</th>", "<th>CPU</th>", "<th>BLAS / LAPACK</th>", "<th>MNIST data source</th>",
                "installed packages, digest"):
        assert key in page
    pkgs = report.installed_packages()
    assert "numpy" in {k.lower() for k in pkgs} and f"All {len(pkgs)} installed packages" in page


def test_archive_link_names_the_archive_and_its_verify_command(tmp_path):
    """The provenance row links the newest archive and spells out the command that checks it
    (it once read `make verify ARCHIVE=…`, a cut text with nothing to expand)."""
    from analysis.evidence.report import archive_link
    results = tmp_path / "results"
    assert archive_link(results, results / "report").startswith("none yet")
    (results / "archive").mkdir(parents=True)
    for stamp in ("20261201T000000Z", "20261202T000000Z"):
        (results / "archive" / f"full-{stamp}-abc.crate.zip").write_bytes(b"PK")
    html = archive_link(results, results / "report")
    assert 'href="../archive/full-20261202T000000Z-abc.crate.zip"' in html
    assert "make verify ARCHIVE=" in html and "full-20261202T000000Z-abc.crate.zip</code>" in html
    assert "…" not in html


def test_the_headline_names_every_device_claim_whose_outcome_depends_on_the_model(tmp_path):
    """Issue 19 §4: the headline counts the model-robust verdicts and lists the claims whose verdict
    depends on the model's form — among the predictions and, apart, among every device claim
    (here a calibration target), not only counted."""
    recs = _page_records()
    agreement = {"p1": "agree", "p2": "differ", "p3": "anchor", "c1": "agree", "k1": "differ"}
    recs = [dict(r, model_agreement=agreement[r["id"]]) for r in recs]
    html, _ = _page(tmp_path, recs)
    head = html.split("Model form", 1)[1].split("Calibration consistency", 1)[0]
    assert "of 3 device predictions, <b>1</b> have a model-robust outcome" in head
    assert "<b>1</b> depend on the model's form: <code>p2</code>" in head
    assert "2 differ — <code>p2</code>, <code>k1</code> —" in head and "1 depend on the anchor" in head
