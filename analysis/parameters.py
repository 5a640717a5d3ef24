"""Access to the compendium's data folder: physical parameters and paper values.

Every physical parameter lives in ``data/parameters/<topic>.yaml`` as a mapping
``name -> {value, units, meaning, source}``; every number the paper reports lives
in ``data/paper/values.yaml``.  This module is the only place that knows where
those files are, so notebooks and library code never hard-code a path or a value.
"""
from __future__ import annotations

import copy
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


def _parameter_table(topic: str) -> dict[str, Parameter]:
    path = data_dir() / "parameters" / f"{topic}.yaml"
    if not path.is_file():
        load_yaml(Path("parameters") / f"{topic}.yaml")      # raises, naming the path
    st = path.stat()
    return _parameter_table_of(str(path), st.st_mtime_ns, st.st_size, topic)


@functools.lru_cache(maxsize=64)
def _parameter_table_of(path: str, mtime_ns: int, size: int, topic: str) -> dict[str, Parameter]:
    """The file's entries, parsed once per content (path, modification time and size)."""
    raw = _parsed(path, mtime_ns, size)
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
    """All parameters of one topic (``data/parameters/<topic>.yaml``), with units and sources."""
    return dict(_parameter_table(topic))


def parameter_values(topic: str) -> dict[str, object]:
    """``name -> value`` of one topic as stored in data/ (values in the units of the file).

    Physics code does not call this: it reads a :class:`ParameterSet` it is given
    (:meth:`ParameterSet.topic`), so that a sweep can replace values without global state.
    """
    return {k: p.value for k, p in _parameter_table(topic).items()}


def paper_values() -> dict:
    """Everything the paper reports, from ``data/paper/values.yaml`` (a fresh copy each call;
    the file is parsed once per content)."""
    path = data_dir() / "paper/values.yaml"
    if not path.is_file():
        return load_yaml(Path("paper") / "values.yaml")      # raises, naming the path
    st = path.stat()
    return copy.deepcopy(_parsed(str(path), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=64)
def _parsed(path: str, mtime_ns: int, size: int):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def calibration_values(path: str | os.PathLike) -> dict[str, object]:
    """``name -> value`` of a calibration file (the calibrate stage's output, or the reference
    calibration in data/reference/calibration/), each entry with value, units, meaning, source.

    Raises
    ------
    FileNotFoundError
        Naming the path, and how the file is made.
    ValueError
        If an entry lacks one of value, units, meaning, source.
    """
    path = Path(path)
    if not path.is_file():
        msg = (f"calibration file {path} not found; the calibrate stage writes it "
               "(make figures, or snakemake <results>/calibration/multitrap.yaml)")
        raise FileNotFoundError(msg)
    st = path.stat()
    raw = _parsed(str(path), st.st_mtime_ns, st.st_size)
    out = {}
    for name, entry in (raw or {}).items():
        missing = [k for k in _REQUIRED_KEYS if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise ValueError(f"{path}: entry {name!r} lacks {', '.join(missing)}")
        out[name] = copy.deepcopy(entry["value"])
    return out


# --------------------------------------------------------------------------- the parameter set
TOPICS = ("device", "structure", "optics", "geometry", "learning")
"""Parameter files (``data/parameters/<topic>.yaml``) a :class:`ParameterSet` holds. Calibrated
values are not among them: they are a stage's output, passed where they are needed."""

ANALYSIS = "analysis"
"""Name under which a :class:`ParameterSet` holds the analysis choices at their defaults
(:func:`analysis_defaults`; :mod:`analysis.evidence.choices` samples them)."""


def analysis_defaults() -> dict:
    """The analysis choices of data/evidence/analysis_choices.yaml at their defaults, with the read
    noise of data/evidence/measurement.yaml expanded into ``noise_position`` and
    ``integration_time_<family>`` (the geometric middle of each family's range)."""
    import math
    choices = _yaml_file(data_dir() / "evidence/analysis_choices.yaml")
    out = {name: copy.deepcopy(e["default"]) for name, e in choices.items() if "defined_in" not in e}
    m = _yaml_file(data_dir() / "evidence/measurement.yaml")
    out["noise_position"] = float(m["noise_position"]["value"])
    for family, (lo, hi) in m["integration_time"]["value"].items():
        out[f"integration_time_{family}"] = math.sqrt(float(lo) * float(hi))
    return out


def analysis_options(name: str) -> list:
    """The plausible options of one analysis choice (data/evidence/analysis_choices.yaml), for a
    stage that computes a quantity for every option (e.g. the spike widths of the 0.7 fJ event)."""
    entry = _yaml_file(data_dir() / "evidence/analysis_choices.yaml").get(name)
    if not entry or "options" not in entry:
        raise ValueError(f"analysis choice {name!r} with options not found in data/evidence/analysis_choices.yaml")
    return copy.deepcopy(entry["options"])


def _yaml_file(path: Path):
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} not found; expected it below {data_dir()}")
    st = path.stat()
    return _parsed(str(path), st.st_mtime_ns, st.st_size)

PAPER = "paper"
"""Name under which a :class:`ParameterSet` holds ``data/paper/values.yaml``."""


def _freeze(value):
    """A hashable, canonical form of a YAML value (dicts sorted by key, lists as tuples)."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, float) and value != value:
        return ("nan",)
    return value


class ParameterSet:
    """Every input value of the physics as one immutable, hashable object.

    A parameter set holds the values of the parameter files (:data:`TOPICS`) and the paper's
    numbers (``data/paper/values.yaml``). Physics functions take it as an argument
    (``params=``), read what they need with :meth:`topic` and :meth:`paper`, and cache what they
    derive on it (it is hashable), so that two parameter sets can be evaluated side by side in
    one process, in any order or at once in threads, with the results of serial runs. A sweep
    sample is a parameter set made with :meth:`replace`; nothing is ever changed in place.

    Examples
    --------
    >>> ps = ParameterSet({"device": {"gamma": 5.0}, "paper": {}})
    >>> ps.topic("device")["gamma"]
    5.0
    >>> ps2 = ps.replace({"device": {"gamma": 2.0}})
    >>> ps2.topic("device")["gamma"], ps.topic("device")["gamma"], ps == ps2
    (2.0, 5.0, False)
    >>> ps == ParameterSet({"device": {"gamma": 5.0}, "paper": {}}) and hash(ps) == hash(
    ...     ParameterSet({"paper": {}, "device": {"gamma": 5.0}}))
    True
    """

    __slots__ = ("_data", "_key", "_hash")

    def __init__(self, data: dict):
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError("a ParameterSet is built from {topic: {name: value}} (and 'paper')")
        object.__setattr__(self, "_data", copy.deepcopy({str(k): dict(v) for k, v in data.items()}))
        object.__setattr__(self, "_key", _freeze(self._data))
        object.__setattr__(self, "_hash", hash(self._key))

    def __setattr__(self, name, value):
        raise AttributeError("a ParameterSet is immutable; use replace() for another one")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        return isinstance(other, ParameterSet) and self._hash == other._hash and self._key == other._key

    def __repr__(self) -> str:
        return f"ParameterSet(topics={sorted(self._data)}, hash={self._hash & 0xffffffff:08x})"

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics held (parameter files, and ``"paper"``)."""
        return tuple(self._data)

    def topic(self, name: str) -> dict:
        """``name -> value`` of one parameter file (a copy: changing it changes nothing here).

        Raises
        ------
        ValueError
            For a topic the set does not hold.
        """
        if name not in self._data:
            raise ValueError(f"parameter topic {name!r} is not in this parameter set; "
                             f"it holds {sorted(self._data)}")
        return copy.deepcopy(self._data[name])

    def paper(self) -> dict:
        """Everything the paper reports (``data/paper/values.yaml``), as a copy."""
        return self.topic(PAPER)

    def replace(self, overrides: dict) -> "ParameterSet":
        """Another parameter set with some values replaced.

        Parameters
        ----------
        overrides : dict
            ``topic -> {name: value}``; every topic and name must already exist (values in the
            units of the file).

        Raises
        ------
        ValueError
            For an unknown topic or name, naming it and what exists.
        """
        data = {k: dict(v) for k, v in self._data.items()}
        for topic, values in (overrides or {}).items():
            if topic not in data or topic == PAPER:
                raise ValueError(f"assumption topic {topic!r} is unknown; expected one of "
                                 f"{sorted(t for t in data if t != PAPER)}")
            unknown = sorted(set(values) - set(data[topic]))
            if unknown:
                raise ValueError(f"assumptions {unknown} are not entries of data/parameters/{topic}.yaml; "
                                 f"expected some of {sorted(data[topic])}")
            data[topic].update(values)
        return ParameterSet(data)

    @classmethod
    def from_data(cls, topics=TOPICS) -> "ParameterSet":
        """The parameter set stored in data/ (``SYNAPSE_DATA_DIR`` if set): every topic of
        *topics* and the paper's values."""
        return cls({**{t: parameter_values(t) for t in topics}, PAPER: paper_values(),
                    ANALYSIS: analysis_defaults()})


def default_parameters() -> ParameterSet:
    """The parameter set of data/ as it is now (built once per content of its files)."""
    files = ([data_dir() / "parameters" / f"{t}.yaml" for t in TOPICS] + [data_dir() / "paper/values.yaml"]
             + [data_dir() / "evidence/analysis_choices.yaml", data_dir() / "evidence/measurement.yaml"])
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) if f.is_file() else (str(f), 0, 0)
                  for f in files)
    return _default_parameters(stamp)


@functools.lru_cache(maxsize=4)
def _default_parameters(stamp) -> ParameterSet:
    return ParameterSet.from_data()
