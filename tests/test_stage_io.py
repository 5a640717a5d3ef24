"""Tests of analysis.stage_io: paths, atomic writes, NetCDF and metrics files."""
import json

import numpy as np
import pytest
import xarray as xr

from analysis import stage_io as io


def _ds():
    return xr.Dataset({"current": ("time", np.linspace(0, 1, 5), {"units": "A", "long_name": "current"})},
                      coords={"time": ("time", np.arange(5.0), {"units": "s"})})


def test_netcdf_roundtrip_and_identical_bytes(tmp_path):
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    io.write_netcdf(_ds(), a)
    io.write_netcdf(_ds(), b)
    assert a.read_bytes() == b.read_bytes()
    xr.testing.assert_identical(io.read_netcdf(a), _ds())


def test_units_are_required(tmp_path):
    ds = _ds()
    del ds["current"].attrs["units"]
    with pytest.raises(ValueError, match="missing for: current"):
        io.write_netcdf(ds, tmp_path / "x.nc")
    assert not list(tmp_path.iterdir()), "nothing half-written may stay behind"


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_json_handles_numpy_and_inf(tmp_path):
    path = io.write_json({"a": np.float64(1.5), "b": np.array([1, 2]), "c": np.inf, "d": np.nan}, tmp_path / "m.json")
    assert json.loads(path.read_text()) == {"a": 1.5, "b": [1, 2], "c": "inf", "d": None}


def test_missing_stage_output_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the workflow stage"):
        io.read_netcdf(tmp_path / "nope.nc")
