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


OVERRIDES: dict[str, dict] = {}
"""``topic -> {name: value}`` replacing entries of the parameter files while
:func:`analysis.physics.multitrap.assumptions` is active (the robustness sweep); empty otherwise."""


def parameter_values(topic: str) -> dict[str, object]:
    """``name -> value`` for one topic; values are in the units of the file.

    Inside :func:`analysis.physics.multitrap.assumptions` the values it replaces are returned instead.
    """
    return {**{k: p.value for k, p in _parameter_table(topic).items()}, **OVERRIDES.get(topic, {})}


def paper_values() -> dict:
    """Everything the paper reports, from ``data/paper/values.yaml`` (a fresh copy each call;
    the file is parsed once per content, as the robustness sweep reads it per sample)."""
    import copy
    path = data_dir() / "paper/values.yaml"
    if not path.is_file():
        return load_yaml(Path("paper") / "values.yaml")      # raises, naming the path
    st = path.stat()
    return copy.deepcopy(_parsed(str(path), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, size: int):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)
