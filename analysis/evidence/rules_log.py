"""The rules log: every change to a judging rule, and the check that none goes unlogged.

A verdict of the compendium is set by its rules as much as by the model: thresholds,
tolerances, priors, sample sizes, the claims' comparisons and conditions, the classes.
``data/evidence/rules_log.yaml`` lists every change to such a rule made after results for it
existed (date, commit, what, why), and every new rule with the note that it was fixed before
the run that evaluates it (issue 17 §7). This module reads and validates the log
(:func:`load`) and compares each *rule part* of the working tree with the digest that the
latest log entry naming it recorded (:func:`check`): a rule file changed without a log entry
is reported, and ``tests/test_rules_log.py`` fails.

Rule parts (:func:`rule_parts`)
-------------------------------
``data/evidence/<name>.yaml``
    every evidence file except the log itself (effect sizes, priors, robustness rules,
    analysis choices, measurement model);
``data/paper/accuracy_rule.yaml``
    the rule of the accuracy claims;
``data/paper/claims/<file>.yaml#rules``
    the parts of each claim that decide its verdict or class (:data:`CLAIM_RULE_KEYS`:
    metric, comparison, condition, basis, class markers); quotes, locations and notes are
    documentation and may change without an entry;
``config/config.yaml#sizes``
    per profile the sweep sizes and the seed settings (:data:`CONFIG_RULE_KEYS`); chunking
    and other run settings do not change a verdict.

A digest is the SHA-256 of the part's parsed content written as canonical JSON, so comments
and layout do not count, values (sources included) do.

Log entry keys
--------------
date : str
    ``YYYY-MM-DD`` of the change (entries in date order).
commit : str
    the commit that made the change (hex), or ``pending`` until the next commit records it.
parts : mapping
    rule part -> SHA-256 of the part as that commit left it.
what, why : str
    what changed and why.
after_results : bool
    whether results for the rule existed when it changed.
kind : str
    ``change`` (a rule changed), ``new`` (a rule added) or ``baseline`` (the state of every
    rule part when the log was started; it names parts the commit did not change).

Examples
--------
>>> digest({"b": 1, "a": [1.0, "x"]}) == digest({"a": [1.0, "x"], "b": 1})
True
>>> sorted(claim_rules([{"id": "c", "quote": "q", "compare": {"op": "true"}}])[0])
['compare', 'id']
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
import subprocess
from pathlib import Path

import yaml

from analysis.stage_io import ROOT

log = logging.getLogger(__name__)

LOG_PATH = "data/evidence/rules_log.yaml"
"""The log, relative to the repository root."""

CLAIM_RULE_KEYS = ("id", "kind", "basis", "metric", "key", "select", "compare", "condition", "construction",
                   "reference", "question", "derived_from", "variant_of", "variant")
"""The keys of a ledger entry that decide its verdict or its class."""

CONFIG_RULE_KEYS = {"robustness": ("plausible_samples", "analysis_samples", "joint_samples", "wide_samples",
                                   "driftdiffusion_samples"),
                    "figS11_classification": ("seeds", "sensitivity_seeds", "digits_last_k",
                                              "mnist_last_k", "neurosim_last_k")}
"""Per profile of config/config.yaml: the settings that are sample sizes of a verdict."""

KINDS = ("change", "new", "baseline")
ENTRY_KEYS = ("date", "commit", "parts", "what", "why", "after_results", "kind")
_HEX = re.compile(r"[0-9a-f]{7,40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------- digests
def digest(obj) -> str:
    """SHA-256 of *obj* written as canonical JSON (sorted keys, no whitespace, UTF-8)."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def claim_rules(entries) -> list[dict]:
    """The rule keys (:data:`CLAIM_RULE_KEYS`) of each ledger entry, in file order."""
    if not isinstance(entries, list):
        raise ValueError(f"a claims file must hold a list of claims; got {type(entries).__name__}")
    return [{k: c[k] for k in CLAIM_RULE_KEYS if k in c} for c in entries]


def config_rules(config: dict) -> dict:
    """``profile -> stage -> {setting: value}`` for the settings of :data:`CONFIG_RULE_KEYS`."""
    profiles = (config or {}).get("profiles")
    if not isinstance(profiles, dict):
        raise ValueError("config/config.yaml: expected a mapping 'profiles'")
    out = {}
    for profile, stages in profiles.items():
        picked = {}
        for stage, keys in CONFIG_RULE_KEYS.items():
            settings = (stages or {}).get(stage) or {}
            chosen = {k: settings[k] for k in keys if k in settings}
            if chosen:
                picked[stage] = chosen
        out[profile] = picked
    return out


def part_file(part: str) -> str:
    """The file (relative to the repository root) that holds rule part *part*."""
    return part.split("#", 1)[0]


def part_digest(part: str, text: str) -> str:
    """Digest of rule part *part* given the text of its file."""
    data = yaml.safe_load(text)
    if part.endswith("#rules"):
        return digest(claim_rules(data))
    if part.endswith("#sizes"):
        return digest(config_rules(data))
    if "#" in part:
        raise ValueError(f"rule part {part!r}: unknown fragment; expected '#rules' or '#sizes'")
    return digest(data)


def rule_part_names(root: str | os.PathLike | None = None) -> list[str]:
    """Every rule part of the tree at *root* (default the repository), sorted."""
    root = Path(root) if root else ROOT
    names = [p.relative_to(root).as_posix() for p in sorted((root / "data" / "evidence").glob("*.yaml"))
             if p.relative_to(root).as_posix() != LOG_PATH]
    names.append("data/paper/accuracy_rule.yaml")
    names += [p.relative_to(root).as_posix() + "#rules"
              for p in sorted((root / "data" / "paper" / "claims").glob("*.yaml"))]
    names.append("config/config.yaml#sizes")
    return sorted(names)


def rule_parts(root: str | os.PathLike | None = None) -> dict[str, str]:
    """``part -> digest`` of every rule part of the tree at *root* (default the repository)."""
    root = Path(root) if root else ROOT
    return {part: part_digest(part, (root / part_file(part)).read_text(encoding="utf-8"))
            for part in rule_part_names(root)}


# --------------------------------------------------------------------------- the log
def load(path: str | os.PathLike | None = None) -> list[dict]:
    """The log's entries, validated (:func:`validate_entry`), in file order.

    Raises
    ------
    ValueError
        Naming the entry (by position and date) and the field that is wrong, or entries out
        of date order.
    """
    path = Path(path) if path else ROOT / LOG_PATH
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    entries = (raw or {}).get("entries") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a mapping with a non-empty list 'entries'")
    previous = None
    for i, entry in enumerate(entries):
        validate_entry(entry, f"{path.name} entry {i + 1}")
        date = _date(entry["date"])
        if previous and date < previous:
            raise ValueError(f"{path.name} entry {i + 1}: date {entry['date']} is before the entry above it "
                             f"({previous}); entries must be in date order")
        previous = date
    return entries


def validate_entry(entry: dict, where: str = "entry") -> None:
    """Raise ValueError naming *where* and the field that is missing or malformed."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: must be a mapping with keys {', '.join(ENTRY_KEYS)}")
    missing = [k for k in ENTRY_KEYS if k not in entry]
    if missing:
        raise ValueError(f"{where}: lacks {', '.join(missing)}")
    _date(entry["date"], where)
    commit = str(entry["commit"])
    if commit != "pending" and not _HEX.fullmatch(commit):
        raise ValueError(f"{where}: commit={commit!r} must be a hex commit id (7-40 characters) or 'pending'")
    parts = entry["parts"]
    if not isinstance(parts, dict) or not parts:
        raise ValueError(f"{where}: parts must map rule parts to SHA-256 digests (at least one)")
    for part, value in parts.items():
        if not _SHA256.fullmatch(str(value)):
            raise ValueError(f"{where}: parts[{part!r}]={value!r} must be a 64-character hex SHA-256")
        if "#" in part and not part.endswith(("#rules", "#sizes")):
            raise ValueError(f"{where}: rule part {part!r} has an unknown fragment; expected '#rules' or '#sizes'")
    for key in ("what", "why"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ValueError(f"{where}: {key} must be a non-empty text")
    if not isinstance(entry["after_results"], bool):
        raise ValueError(f"{where}: after_results={entry['after_results']!r} must be true or false")
    if entry["kind"] not in KINDS:
        raise ValueError(f"{where}: kind={entry['kind']!r}; expected one of {KINDS}")


def _date(value, where: str = "entry") -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: date={value!r} must be YYYY-MM-DD") from exc


def latest(entries: list[dict]) -> dict[str, dict]:
    """``part -> the last entry that names it``."""
    out = {}
    for entry in entries:
        for part in entry["parts"]:
            out[part] = entry
    return out


def check(root: str | os.PathLike | None = None, entries: list[dict] | None = None) -> list[str]:
    """Problems of the tree at *root* against the log: one line per rule part that no entry
    names or whose current digest differs from the one its latest entry recorded.

    *entries* defaults to the log of *root*. An empty list means every rule file is logged.
    """
    root = Path(root) if root else ROOT
    entries = load(root / LOG_PATH) if entries is None else entries
    last = latest(entries)
    problems = []
    for part, current in rule_parts(root).items():
        entry = last.get(part)
        if entry is None:
            problems.append(f"{part}: no entry of {LOG_PATH} names this rule part "
                            f"(add one with its digest {current})")
        elif entry["parts"][part] != current:
            problems.append(f"{part}: changed since the entry of {entry['date']} ({entry['commit']}: "
                            f"{entry['what'][:60]}...); log the change with its digest {current}")
    return problems


# --------------------------------------------------------------------------- history
def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def history_available(root: str | os.PathLike | None = None) -> bool:
    """Whether *root* is a git work tree with its full history (not a shallow clone)."""
    root = Path(root) if root else ROOT
    proc = _git(root, "rev-parse", "--is-shallow-repository")
    return proc.returncode == 0 and proc.stdout.strip() == "false"


def check_history(root: str | os.PathLike | None = None, entries: list[dict] | None = None) -> list[str]:
    """Problems of the log against the git history: for every entry with a commit id, the
    commit must exist, its version of each named part must have the recorded digest, and a
    ``change``/``new`` entry's commit must have modified each named file.

    Raises
    ------
    RuntimeError
        If *root* has no full git history (see :func:`history_available`).
    """
    root = Path(root) if root else ROOT
    if not history_available(root):
        raise RuntimeError(f"{root}: not a git work tree with full history; the log's commits cannot be checked")
    entries = load(root / LOG_PATH) if entries is None else entries
    problems = []
    for entry in entries:
        commit = str(entry["commit"])
        if commit == "pending":
            continue
        label = f"entry {entry['date']} {commit}"
        if _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
            problems.append(f"{label}: commit not found")
            continue
        changed = set(_git(root, "show", "--name-only", "--format=", commit).stdout.split())
        for part, recorded in entry["parts"].items():
            path = part_file(part)
            shown = _git(root, "show", f"{commit}:{path}")
            if shown.returncode != 0:
                problems.append(f"{label}: {path} does not exist in that commit")
                continue
            if part_digest(part, shown.stdout) != recorded:
                problems.append(f"{label}: {part} in that commit does not have the recorded digest")
            if entry["kind"] != "baseline" and path not in changed:
                problems.append(f"{label}: the commit did not modify {path}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.evidence.rules_log [digests|check]``: print the current digests, or the
    problems of the tree against the log (exit status 1 if any)."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m analysis.evidence.rules_log", description=main.__doc__)
    parser.add_argument("command", choices=("digests", "check"))
    args = parser.parse_args(argv)
    if args.command == "digests":
        for part, value in rule_parts().items():
            print(f"{part}: {value}")
        return 0
    problems = check()
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
