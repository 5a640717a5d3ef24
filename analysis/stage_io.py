"""Stage inputs and outputs: repository paths and atomic, deterministic writers.

Paths are resolved against :data:`ROOT`, the repository root, so notebooks run the same
from JupyterLab and from Snakemake.

Every file is written to a temporary path in the destination folder and renamed
into place, so a failed stage never leaves a half-written output behind.
NetCDF files use the NETCDF3 64-bit format through scipy: it needs no HDF5
library and gives the same bytes for the same data (no timestamps inside).
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the folder holding ``Snakefile``)."""


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path: *path* itself if absolute, else relative to :data:`ROOT`."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path


PARTIAL_MARKER = ".partial-"
"""Part of the name of every temporary file :func:`atomic_path` creates (``.NAME.partial-XXXX``),
so that those left by a killed run can be found and removed."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path next to *path*; rename it onto *path* on success.

    The temporary file keeps *path*'s suffix (or *suffix*) so that writers that
    choose a format from the file name still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{PARTIAL_MARKER}", suffix=suffix or path.suffix,
                               dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_units(ds) -> None:
    """Raise ValueError naming every variable or coordinate that lacks ``units``."""
    missing = [name for name in list(ds.data_vars) + list(ds.coords)
               if "units" not in ds[name].attrs and ds[name].dtype.kind in "fiuc"]
    if missing:
        msg = ("every numeric variable needs a CF 'units' attribute "
               f"('1' if dimensionless); missing for: {', '.join(sorted(missing))}")
        raise ValueError(msg)


def write_netcdf(ds, path: str | os.PathLike) -> Path:
    """Write *ds* atomically as NETCDF3_64BIT after checking its units."""
    check_units(ds)
    path = Path(path)
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
    return path


def read_netcdf(path: str | os.PathLike):
    """Load a stage output fully into memory (and close the file) as an xarray Dataset."""
    import xarray as xr  # imported here: the notebook runner uses this module without xarray

    path = Path(path)
    if not path.is_file():
        msg = f"stage output {path} does not exist; run the workflow stage that makes it first"
        raise FileNotFoundError(msg)
    with xr.open_dataset(path, engine="scipy") as ds:
        return ds.load()


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return obj


def write_json(obj, path: str | os.PathLike) -> Path:
    """Write *obj* (numpy scalars and arrays allowed) as sorted, indented JSON."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_jsonable(obj), indent=2, sort_keys=True,
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_metrics(metrics: dict, path: str | os.PathLike) -> Path:
    """Write a stage's metrics (numbers, bools, lists, dicts keyed by n) as JSON.

    The claims ledger (:mod:`analysis.evidence.claims`) checks the paper against these files.
    """
    return write_json(metrics, path)


def load_metrics(folder: str | os.PathLike) -> dict[str, dict]:
    """``stage -> metrics`` for every ``<stage>.json`` in *folder*."""
    out = {}
    for path in sorted(Path(folder).glob("*.json")):
        out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return out


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write a text file atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def readback_problem(path: str | os.PathLike, render, what: str = "calibration file") -> str | None:
    """Why the YAML file *path* is not what its writer writes, or ``None``.

    YAML has no end marker, so a file cut short (a full disk, a kill) can still parse, with
    fewer entries or keys. The file is parsed and *render* (parsed mapping -> the text the
    writer would write for it; raises ``KeyError``, ``TypeError``, ``ValueError`` or
    ``IndexError`` for a mapping the writer cannot have written) must give the file's own
    text. A file cut anywhere or edited by hand differs; only a change of a number's digits
    that leaves a number cannot be told.

    Returns
    -------
    str or None
        One line: the YAML error, what the file lacks, or the first line that differs.
    """
    import yaml

    text = Path(path).read_bytes().decode("utf-8")
    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return f"YAML syntax error: {' '.join(str(exc).split())}"
    try:
        expected = render(mapping)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        return f"not a whole {what}: {type(exc).__name__} {exc}"
    if expected != text:
        got, want = text.splitlines(), expected.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(got, want), start=1) if a != b), None)
        if line is None and len(got) == len(want):
            return f"line {len(got)} is cut short (no newline at its end)"
        line = line or min(len(got), len(want)) + 1
        return (f"line {line} is not what the calibrate stage writes for these values "
                f"({len(got)} lines, {len(want)} expected): cut short or edited")
    return None


# --------------------------------------------------------------------------- simulation stage
SIMULATION_DIM = "n"
"""Dimension along which :func:`load_simulations` stacks the per-film Datasets."""

_COUNT_SUFFIX = "_count"
_DTYPE_ATTR = "stacked_dtype"


def calibration_path(results_dir: str | os.PathLike, model: str = "multitrap") -> Path:
    """The calibrate stage's output for a device model: ``<results>/calibration/<model>.yaml``."""
    return resolve(results_dir) / "calibration" / f"{model}.yaml"


def load_calibration(results_dir: str | os.PathLike, model: str = "multitrap") -> dict:
    """``name -> value`` of the run's calibration of *model* (:func:`calibration_path`)."""
    from analysis.parameters import calibration_values
    return calibration_values(calibration_path(results_dir, model))


PRIMARY_MODEL = "multitrap"
"""The device model whose outputs keep the workflow's original paths (``simulate/n{n}.nc``,
``metrics/<stage>.json``); every other model's go into a sub-folder named after it."""


def simulation_path(results_dir: str | os.PathLike, n, model: str = PRIMARY_MODEL) -> Path:
    """Path of one film's simulation output: ``{results_dir}/simulate/n{n}.nc`` for the
    multi-trap model, ``{results_dir}/simulate/<model>/n{n}.nc`` for another device model.

    >>> simulation_path("results", 3).relative_to(ROOT).as_posix()
    'results/simulate/n3.nc'
    >>> simulation_path("results", 3, "driftdiffusion").relative_to(ROOT).as_posix()
    'results/simulate/driftdiffusion/n3.nc'
    """
    from analysis.physics.dimensionality import parse_n
    folder = resolve(results_dir) / "simulate"
    return (folder if model == PRIMARY_MODEL else folder / model) / f"n{parse_n(n)}.nc"


def metrics_folder(results_dir: str | os.PathLike, model: str = PRIMARY_MODEL) -> Path:
    """Folder of a model's claim metrics: ``{results_dir}/metrics`` (multi-trap model),
    ``{results_dir}/metrics/<model>`` (another device model)."""
    folder = resolve(results_dir) / "metrics"
    return folder if model == PRIMARY_MODEL else folder / model


def load_simulations(results_dir: str | os.PathLike, n_values=None, model: str = PRIMARY_MODEL):
    """Read the per-film simulation outputs and stack them along a new ``n`` dimension.

    Parameters
    ----------
    results_dir : str or path
        Stage-output folder (absolute, or relative to the repository root).
    n_values : sequence, optional
        Dimensionalities to load, in this order (default: all six, in order of n).
    model : str, optional
        The device model whose simulations to load (:func:`simulation_path`).

    Returns
    -------
    xarray.Dataset
        Every variable of the per-film files with a leading ``n`` coordinate (labels
        ``"1"`` … ``"inf"``).  A dimension whose length differs between films (the list of
        Bragg reflections) is padded; :func:`film` returns one film without the padding.

    Raises
    ------
    FileNotFoundError
        Naming the missing file and the stage that writes it.
    """
    import xarray as xr

    from analysis.physics.dimensionality import N_VALUES, parse_n
    labels = [parse_n(n) for n in (N_VALUES if n_values is None else n_values)]
    if not labels:
        raise ValueError("n_values is empty; expected at least one of " + ", ".join(N_VALUES))
    films = [read_netcdf(simulation_path(results_dir, n, model)) for n in labels]
    ragged = sorted({d for ds in films for d in ds.dims
                     if len({f.sizes.get(d) for f in films}) > 1})
    if ragged:
        films = [ds.assign({f"{d}{_COUNT_SUFFIX}": ((), ds.sizes.get(d, 0), {"units": "1",
                            "long_name": f"length of dimension {d} in this film"}) for d in ragged})
                 for ds in films]
    stacked = xr.concat(films, dim=xr.DataArray(labels, dims=SIMULATION_DIM, name=SIMULATION_DIM),
                        data_vars="all", coords="different", join="outer",
                        combine_attrs="drop_conflicts", fill_value=None)
    for d in set(stacked.dims) - set(ragged) - {SIMULATION_DIM}:
        if stacked.sizes[d] != films[0].sizes[d]:
            msg = (f"the films' coordinate {d!r} differs between {', '.join(labels)}; "
                   "simulate them with the same settings")
            raise ValueError(msg)
    for name, var in stacked.variables.items():
        if name not in stacked.indexes and set(var.dims) & set(ragged):
            original = films[0][name].dtype if name in films[0].variables else var.dtype
            var.attrs[_DTYPE_ATTR] = str(original)
    return stacked


def film(sims, n):
    """One film of a :func:`load_simulations` Dataset, exactly as its file holds it."""
    from analysis.physics.dimensionality import parse_n
    ds = sims.sel({SIMULATION_DIM: parse_n(n)}, drop=True)
    counts = [v for v in ds.data_vars if v.endswith(_COUNT_SUFFIX)
              and v[:-len(_COUNT_SUFFIX)] in ds.dims]
    for v in counts:
        dim = v[:-len(_COUNT_SUFFIX)]
        ds = ds.isel({dim: slice(0, int(ds[v]))})
    ds = ds.drop_vars(counts)
    for name in list(ds.variables):
        dtype = ds[name].attrs.get(_DTYPE_ATTR)
        if dtype is not None:
            attrs = {k: v for k, v in ds[name].attrs.items() if k != _DTYPE_ATTR}
            ds[name] = ds[name].astype(dtype).assign_attrs(attrs)
    return ds
