"""The analysis choices the paper leaves open, as assumptions that are sampled like the physics.

``data/evidence/analysis_choices.yaml`` lists every choice the paper leaves open in how a
statement is checked (the time at which STP→LTP is judged, the PPF statistic, the power-law fit
method, the read noise, …), each with its plausible set and reason. This module turns that file
into values the code reads:

* :func:`defaults` — ``name -> value`` of every choice at its default (today's choice); the
  parameter set holds them as its topic ``"analysis"`` (:class:`analysis.parameters.ParameterSet`),
  so that a sample of the robustness sweep replaces them like any other assumption;
* the read noise (``read_noise``, defined in ``data/evidence/measurement.yaml``) becomes two kinds
  of continuous choice: ``noise_position`` (where the noise lies between the best and the worst
  plausible instrument) and ``integration_time_<family>`` per read family;
* :func:`sample` — a seeded design of choices: each discrete choice uniformly among its options,
  each continuous one uniformly (log10 for a log scale) within its range;
* :func:`sampled_choices` — the choices a design samples (those realised as separate ledger
  claims, ``realized_as: variants``, are not sampled: each variant is its own claim).
"""
from __future__ import annotations

import math

import numpy as np

from analysis.evidence import rules
from analysis.parameters import ANALYSIS as TOPIC
"""The parameter-set topic that holds the analysis choices."""

NOISE_POSITION = "noise_position"
INTEGRATION_PREFIX = "integration_time_"


def _entries() -> dict:
    return rules.analysis_choices()


def read_noise_choices() -> dict:
    """The continuous choices of the read-noise model: ``name -> {range, scale, default, units}``."""
    m = rules.measurement()
    out = {NOISE_POSITION: {"range": [0.0, 1.0], "scale": "linear",
                            "default": float(m["noise_position"]["value"]), "units": "1"}}
    for family, (lo, hi) in m["integration_time"]["value"].items():
        out[INTEGRATION_PREFIX + family] = {"range": [float(lo), float(hi)], "scale": "log",
                                            "default": math.sqrt(float(lo) * float(hi)), "units": "s"}
    return out


def table() -> dict:
    """Every sampled or defaulted choice: ``name -> entry`` (options or range, default, units);
    the read noise expanded into its continuous choices."""
    out = {}
    for name, entry in _entries().items():
        if "defined_in" in entry:
            continue
        out[name] = dict(entry)
    out.update(read_noise_choices())
    return out


def defaults() -> dict:
    """``name -> default value`` of every choice (the topic ``analysis`` of the parameter set,
    :func:`analysis.parameters.analysis_defaults`)."""
    from analysis.parameters import analysis_defaults
    return analysis_defaults()


def sampled_choices() -> list[str]:
    """The choices a design samples: all but those realised as separate ledger claims."""
    return [name for name, entry in table().items() if entry.get("realized_as") != "variants"]


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def sample(n_samples: int, seed: int, names=None) -> list[dict]:
    """A seeded design of *n_samples* choice vectors (``name -> value``).

    Discrete choices are drawn uniformly among their options; continuous ones by a Latin
    hypercube (log10-uniform on a log scale). Unsampled choices keep their defaults.

    Examples
    --------
    >>> d = sample(4, 1)
    >>> len(d), d[0]["ppf_statistic"] in ("minimum", "at_shortest_interval", "mean", "maximum")
    (4, True)
    """
    from scipy.stats import qmc
    if int(n_samples) < 1:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 1")
    tab = table()
    names = sampled_choices() if names is None else list(names)
    rng = np.random.default_rng(int(seed))
    unit = qmc.LatinHypercube(d=len(names), seed=int(seed)).random(int(n_samples))
    base = defaults()
    out = [dict(base) for _ in range(int(n_samples))]
    for j, name in enumerate(names):
        entry = tab[name]
        if "options" in entry:
            opts = entry["options"]
            idx = rng.permutation(np.floor(unit[:, j] * len(opts)).astype(int))
            for i in range(int(n_samples)):
                out[i][name] = _plain(opts[min(int(idx[i]), len(opts) - 1)])
        else:
            lo, hi = (float(v) for v in entry["range"])
            if entry.get("scale") == "log":
                x = 10.0 ** (math.log10(lo) + unit[:, j] * (math.log10(hi) - math.log10(lo)))
            else:
                x = lo + unit[:, j] * (hi - lo)
            for i in range(int(n_samples)):
                out[i][name] = float(x[i])
    return out


def encode(name: str, value) -> float:
    """A number for a choice's value (its option index; the value of a continuous choice), for
    storing in a Dataset and ranking sensitivities."""
    entry = table()[name]
    if "options" in entry:
        opts = [_plain(o) for o in entry["options"]]
        return float(opts.index(_plain(value)))
    return float(value)


def decode(name: str, code: float):
    """The value of a choice from :func:`encode`'s number."""
    entry = table()[name]
    if "options" in entry:
        return _plain(entry["options"][int(round(code))])
    return float(code)


def option_key(value) -> str:
    """The key under which a metric stores its value for an option (``[0.05, 15.0]`` -> ``"0.05-15"``)."""
    if isinstance(value, (list, tuple)):
        return "-".join(option_key(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


__all__ = ["TOPIC", "table", "defaults", "sampled_choices", "sample", "encode", "decode",
           "option_key", "read_noise_choices", "NOISE_POSITION", "INTEGRATION_PREFIX"]
