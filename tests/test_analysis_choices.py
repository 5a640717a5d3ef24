"""The open analysis choices (data/evidence/analysis_choices.yaml): each a plausible set with its
reason and the claims it affects; defaults agree with where the code reads them; one home each."""
import fnmatch
import importlib
import inspect
import re

import pytest
import yaml

from analysis.evidence import claims
from analysis.stage_io import ROOT

CHOICES = yaml.safe_load((ROOT / "data" / "evidence" / "analysis_choices.yaml").read_text(encoding="utf-8"))
PRIORS = yaml.safe_load((ROOT / "data" / "evidence" / "priors.yaml").read_text(encoding="utf-8"))
KEYS = {"options", "range", "scale", "defined_in", "default", "default_from", "units", "meaning",
        "reason", "affects", "recalibrate", "realized_as"}


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_each_choice_is_a_stated_plausible_set_with_its_reason(name):
    entry = CHOICES[name]
    assert set(entry) <= KEYS, f"{name}: unknown keys {sorted(set(entry) - KEYS)}"
    kinds = [k for k in ("options", "range", "defined_in") if k in entry]
    assert len(kinds) == 1, f"{name}: needs exactly one of options, range, defined_in; has {kinds}"
    for key in ("default", "units", "meaning", "reason", "affects"):
        assert key in entry and str(entry[key]).strip(), f"{name}: lacks {key}"
    if "options" in entry:
        assert len(entry["options"]) >= 2, f"{name}: a choice needs at least two options"
        assert entry["default"] in entry["options"], f"{name}: default {entry['default']!r} not among its options"
    if "range" in entry:
        lo, hi = entry["range"]
        assert lo < hi and lo <= entry["default"] <= hi and entry.get("scale") in ("linear", "log"), name
    if "defined_in" in entry:
        assert (ROOT / entry["defined_in"]).is_file(), f"{name}: {entry['defined_in']} does not exist"
    assert isinstance(entry.get("recalibrate", False), bool)
    assert entry.get("realized_as") in (None, "variants")


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_each_choice_affects_existing_claims(name):
    ids = [c["id"] for c in claims.load_ledger()]
    dead = [p for p in CHOICES[name]["affects"] if not fnmatch.filter(ids, p)]
    assert dead == [], f"{name}: affects patterns that match no claim: {dead}"


def _resolve(where: str):
    """The value at ``path#name``: a parameter of data/parameters/*.yaml, a module constant
    (with ``[i]`` indexes) or a function's default (``func:param``)."""
    path, _, name = where.partition("#")
    if path.startswith("data/"):
        return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))[name]["value"]
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    attr, _, param = name.partition(":")
    base = re.match(r"[A-Za-z_]\w*", attr).group(0)
    value = getattr(module, base)
    if param:
        return inspect.signature(value).parameters[param].default
    for index in re.findall(r"\[(\d+)\]", attr):
        value = value[int(index)]
    return value


@pytest.mark.parametrize("name", sorted(n for n, e in CHOICES.items() if "default_from" in e))
def test_defaults_agree_with_where_they_are_read(name):
    entry = CHOICES[name]
    assert _resolve(entry["default_from"]) == entry["default"], (
        f"{name}: default {entry['default']!r} differs from {entry['default_from']}")


def test_default_resolver_reads_constants_and_function_defaults():
    assert _resolve("analysis/physics/colour.py#HUE_BINS[0][0]") == 490.0
    assert _resolve("analysis/physics/structure.py#xrd_peaks:prominence") == 0.005


def test_each_choice_has_one_home():
    """A choice lives either here or in priors.yaml, never in both."""
    assert not set(CHOICES) & set(PRIORS)


def test_priors_kinds_mark_the_open_protocol_and_analysis_choices():
    kinds = {name: p.get("kind", "physics") for name, p in PRIORS.items()}
    assert set(kinds.values()) <= {"physics", "protocol", "analysis"}
    assert kinds["arrhenius_fit_min"] == "analysis"
    assert {"read_delay", "train_gap"} <= {n for n, k in kinds.items() if k == "protocol"}
