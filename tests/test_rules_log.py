"""The rules log: no rule file changes without an entry, and the entries match the history."""
import shutil

import pytest
import yaml

from analysis.evidence import rules_log as rl
from analysis.stage_io import ROOT


def _copy_rule_files(dest):
    """The files that hold rule parts, and the log, below *dest* (same layout)."""
    for rel in ["config/config.yaml", rl.LOG_PATH, "data/paper/accuracy_rule.yaml"]:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, dest / rel)
    for folder in ("data/evidence", "data/paper/claims"):
        (dest / folder).mkdir(parents=True, exist_ok=True)
        for path in (ROOT / folder).glob("*.yaml"):
            shutil.copy(path, dest / folder / path.name)
    return dest


def test_every_rule_part_is_logged_with_its_current_digest():
    problems = rl.check()
    assert problems == [], "rule files changed without an entry in data/evidence/rules_log.yaml:\n" + "\n".join(problems)


def test_rule_parts_cover_evidence_accuracy_claims_and_config():
    names = rl.rule_part_names()
    assert "data/evidence/effect_sizes.yaml" in names and "data/evidence/priors.yaml" in names
    assert rl.LOG_PATH not in names
    assert "data/paper/accuracy_rule.yaml" in names and "config/config.yaml#sizes" in names
    claims = {p.name for p in (ROOT / "data" / "paper" / "claims").glob("*.yaml")}
    assert {n.split("/")[-1].removesuffix("#rules") for n in names if n.endswith("#rules")} == claims


def test_a_rule_changed_without_an_entry_fails(tmp_path):
    root = _copy_rule_files(tmp_path)
    assert rl.check(root) == []
    path = root / "data" / "evidence" / "robustness.yaml"
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules["robust_fraction"]["value"] = 0.8
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    problems = rl.check(root)
    assert len(problems) == 1 and problems[0].startswith("data/evidence/robustness.yaml: changed since")


def test_a_claims_threshold_change_needs_an_entry_but_a_note_does_not(tmp_path):
    root = _copy_rule_files(tmp_path)
    path = root / "data" / "paper" / "claims" / "fig3.yaml"
    ledger = yaml.safe_load(path.read_text(encoding="utf-8"))
    ledger[0]["note"] = "reworded note"
    path.write_text(yaml.safe_dump(ledger, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert rl.check(root) == []                         # documentation is not a rule
    ledger[0]["compare"]["value"] = 1.05
    path.write_text(yaml.safe_dump(ledger, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [p.split(":")[0] for p in rl.check(root)] == ["data/paper/claims/fig3.yaml#rules"]


def test_a_sweep_size_change_needs_an_entry_but_chunking_does_not(tmp_path):
    root = _copy_rule_files(tmp_path)
    path = root / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["profiles"]["full"]["robustness"]["plausible_chunks"] = 16
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert rl.check(root) == []
    config["profiles"]["full"]["robustness"]["plausible_samples"] = 96
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert [p.split(":")[0] for p in rl.check(root)] == ["config/config.yaml#sizes"]


def test_a_new_rule_file_needs_an_entry(tmp_path):
    root = _copy_rule_files(tmp_path)
    (root / "data" / "evidence" / "new_rule.yaml").write_text("x: {value: 1}\n", encoding="utf-8")
    problems = rl.check(root)
    assert len(problems) == 1 and "no entry" in problems[0] and "new_rule.yaml" in problems[0]


@pytest.mark.parametrize("field,value,message", [
    ("commit", "HEAD", "hex commit id"),
    ("parts", {"data/evidence/priors.yaml": "abc"}, "64-character hex"),
    ("parts", {"data/paper/claims/fig2.yaml#all": "0" * 64}, "unknown fragment"),
    ("why", " ", "why must be a non-empty text"),
    ("after_results", "yes", "must be true or false"),
    ("kind", "tweak", "kind='tweak'"),
    ("date", "29 Nov 2026", "must be YYYY-MM-DD"),
])
def test_malformed_entries_are_refused_naming_the_field(field, value, message):
    entry = {"date": "2026-11-29", "commit": "3c268b8", "kind": "change", "after_results": True,
             "parts": {"data/evidence/priors.yaml": "0" * 64}, "what": "w", "why": "y"}
    rl.validate_entry(entry)
    with pytest.raises(ValueError, match=message):
        rl.validate_entry({**entry, field: value}, "test entry")


def test_entries_out_of_date_order_are_refused(tmp_path):
    entries = yaml.safe_load((ROOT / rl.LOG_PATH).read_text(encoding="utf-8"))["entries"]
    late = dict(entries[0], date="2026-12-31")
    path = tmp_path / "log.yaml"
    path.write_text(yaml.safe_dump({"entries": [late, entries[1]]}), encoding="utf-8")
    with pytest.raises(ValueError, match="entries must be in date order"):
        rl.load(path)


def test_the_issue_17_changes_made_after_results_are_logged():
    """The trend-effect rule, the sweep size 48 -> 64, the n = 4, 5 reclassification and the 3D
    peak tolerance 3 -> 2 nm, each with the commit that made it."""
    entries = rl.load()
    by_commit = {}
    for e in entries:
        by_commit.setdefault(e["commit"], []).append(e)
    assert any("compare.effect: overall" in e["what"] for e in by_commit["251dfda"])
    assert any("48 → 64" in e["what"] for e in by_commit["630c038"])
    assert any("n = 4 and n = 5" in e["what"] for e in by_commit["3c268b8"])
    assert any("±3 nm to the" in e["what"] and "±2 nm" in e["what"] for e in by_commit["3c268b8"])
    assert all(e["after_results"] for c in ("251dfda", "630c038", "3c268b8") for e in by_commit[c])


def test_logged_commits_exist_touch_their_files_and_left_the_recorded_digests():
    if not rl.history_available():
        pytest.skip("no full git history here (a shallow clone or an exported tree)")
    problems = rl.check_history()
    assert problems == [], "\n".join(problems)
