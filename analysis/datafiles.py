"""Access to the compendium's data folder: physical parameters and paper values.

Every physical parameter lives in ``data/parameters/<topic>.yaml`` as a mapping
``name -> {value, units, meaning, source}``; every number the paper reports lives
in ``data/paper/values.yaml``.  This module is the only place that knows where
those files are, so notebooks and library code never hard-code a path or a value.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

_REQUIRED_KEYS = ("value", "units", "meaning", "source")


def data_dir() -> Path:
    """The ``data/`` folder (overridable with ``SYNAPSE_DATA_DIR`` for tests)."""
    env = os.environ.get("SYNAPSE_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data"


def load_yaml(relpath: str | os.PathLike) -> object:
    """Read a YAML file below ``data/``.

    Raises
    ------
    FileNotFoundError
        Naming the full path that was expected.
    """
    path = data_dir() / relpath
    if not path.is_file():
        msg = f"data file {path} not found; expected it below {data_dir()}"
        raise FileNotFoundError(msg)
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Parameter:
    """One physical parameter with its unit, meaning and source."""

    name: str
    value: object
    units: str
    meaning: str
    source: str


@functools.lru_cache(maxsize=None)
def _parameter_table(topic: str) -> dict[str, Parameter]:
    raw = load_yaml(Path("parameters") / f"{topic}.yaml")
    if not isinstance(raw, dict):
        msg = f"data/parameters/{topic}.yaml must map parameter names to entries"
        raise ValueError(msg)
    table = {}
    for name, entry in raw.items():
        missing = [k for k in _REQUIRED_KEYS if not isinstance(entry, dict) or k not in entry]
        if missing:
            msg = (f"parameter {name!r} in data/parameters/{topic}.yaml lacks "
                   f"{', '.join(missing)}; every parameter needs {', '.join(_REQUIRED_KEYS)}")
            raise ValueError(msg)
        table[name] = Parameter(name, entry["value"], str(entry["units"]),
                                str(entry["meaning"]), str(entry["source"]))
    return table


def parameters(topic: str) -> dict[str, Parameter]:
    """All parameters of one topic (``data/parameters/<topic>.yaml``)."""
    return dict(_parameter_table(topic))


def parameter_values(topic: str) -> dict[str, object]:
    """``name -> value`` for one topic; values are in the units of the file."""
    return {k: p.value for k, p in _parameter_table(topic).items()}


def paper_values() -> dict:
    """Everything the paper reports, from ``data/paper/values.yaml``."""
    return load_yaml(Path("paper") / "values.yaml")
