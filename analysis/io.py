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


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None):
    """Yield a temporary path next to *path*; rename it onto *path* on success.

    The temporary file keeps *path*'s suffix (or *suffix*) so that writers that
    choose a format from the file name still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix,
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


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write a text file atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
