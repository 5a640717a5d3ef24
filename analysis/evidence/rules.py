"""The judging rules, read from data/: what a verdict is measured against.

The rules live in ``data/evidence/`` and ``data/paper/accuracy_rule.yaml``, each with its source,
fixed before the runs that use them and logged when they change (:mod:`analysis.evidence.rules_log`).
This module only reads and checks them; it knows nothing of the claims ledger, so a stage that
needs a tolerance (the calibration, the energy audit, the held-out law) does not depend on the
ledger's files.

========================  ==================================================================
:func:`effect_sizes`      tolerance or detection entry per quantity type (effect_sizes.yaml)
:func:`robustness_rules`  robust fraction, confidence, design seed, sensitivities shown
:func:`accuracy_rule`     the accuracy claims' statistic, interval and equivalence test
:func:`measurement`       the read-noise model of the detection thresholds
:func:`analysis_choices`  the analysis choices the paper leaves open, with their options
========================  ==================================================================
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

from analysis.parameters import data_dir

TOLERANCE_KEYS = ("kind", "value", "units", "meaning", "source")


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return str(path), st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=32)
def _read(path: str, mtime_ns: int, size: int):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _load(default: Path, path: str | os.PathLike | None = None):
    p = Path(path) if path else default
    if not p.is_file():
        raise FileNotFoundError(f"rule file {p} not found; expected it below {data_dir()}")
    return _read(*_stamp(p))


def effect_sizes(path: str | os.PathLike | None = None) -> dict:
    """Tolerances and detection thresholds per quantity type (data/evidence/effect_sizes.yaml).

    Raises
    ------
    ValueError
        For an entry without kind (tolerance | detection), value, units, meaning or source.
    """
    table = _load(data_dir() / "evidence/effect_sizes.yaml", path)
    for name, entry in table.items():
        missing = [k for k in TOLERANCE_KEYS if k not in entry]
        if missing or entry["kind"] not in ("tolerance", "detection"):
            raise ValueError(f"{path or 'data/evidence/effect_sizes.yaml'}: quantity {name} needs kind "
                             f"(tolerance|detection), value, units, meaning and source; lacks "
                             f"{missing or ['a valid kind']}")
    return table


def tolerance(quantity: str, sizes: dict | None = None) -> float:
    """The value of one quantity type's tolerance (e.g. ``power_law_b``: 0.10, relative)."""
    sizes = effect_sizes() if sizes is None else sizes
    if quantity not in sizes:
        raise ValueError(f"quantity {quantity!r} is not in data/evidence/effect_sizes.yaml; "
                         f"expected one of {sorted(sizes)}")
    return float(sizes[quantity]["value"])


def robustness_rules() -> dict:
    """``name -> value`` of data/evidence/robustness.yaml (robust fraction, confidence, seed, …)."""
    return {k: v["value"] for k, v in _load(data_dir() / "evidence/robustness.yaml").items()}


def accuracy_rule() -> dict:
    """data/paper/accuracy_rule.yaml (the accuracy claims' statistic and tests)."""
    return dict(_load(data_dir() / "paper/accuracy_rule.yaml"))


def measurement() -> dict:
    """data/evidence/measurement.yaml (the read-noise model of the detection thresholds)."""
    return dict(_load(data_dir() / "evidence/measurement.yaml"))


def model_form_rules() -> dict:
    """data/evidence/model_form.yaml (how the device claims are judged under a second model)."""
    return dict(_load(data_dir() / "evidence/model_form.yaml"))


def analysis_choices() -> dict:
    """data/evidence/analysis_choices.yaml (the analysis choices the paper leaves open)."""
    return dict(_load(data_dir() / "evidence/analysis_choices.yaml"))


__all__ = ["effect_sizes", "tolerance", "robustness_rules", "accuracy_rule", "measurement", "model_form_rules",
           "analysis_choices"]
