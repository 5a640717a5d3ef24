"""Tests of analysis.physics.excitons (confinement fit, binding energies, Saha equation, Elliott spectra)
and analysis.physics.optics (film optics)."""
import math

import numpy as np
import pytest

from analysis import stage_io as io
from analysis.physics import excitons, optics
from analysis.physics.dimensionality import N_VALUES
from analysis.parameters import paper_values

PAPER_NM = paper_values()["absorption_peak_nm"]["value"]


def test_confinement_model_returns_its_calibration_points():
    for m in ("1", "2", "3"):
        lam = excitons.HC_EV_NM / excitons.exciton_energy(int(m))
        assert lam == pytest.approx(PAPER_NM[m], abs=1.5)
    assert excitons.HC_EV_NM / excitons.exciton_energy("3D") == pytest.approx(PAPER_NM["inf"], abs=1e-9)


def test_confinement_fit_parameters_and_reduced_mass():
    fit = excitons.confinement_fit()
    assert 10 < fit.c < 40 and 2 < fit.n0 < 8
    assert max(abs(r) for r in fit.residual_nm) < 1.5
    # infinite well of width (m + n0) a_pc: C = hbar^2 pi^2 / (2 mu a_pc^2)
    assert fit.reduced_mass == pytest.approx(0.0380998 * math.pi ** 2 / (fit.c * 0.593 ** 2), rel=1e-4)
    # predicted phases are ordered between the m = 3 and 3D peaks
    lams = [excitons.HC_EV_NM / excitons.exciton_energy(m) for m in (3, 4, 5, 10)]
    assert lams == sorted(lams) and lams[-1] < PAPER_NM["inf"]


def test_binding_energy_sources():
    assert excitons.binding_energy(1) == pytest.approx(0.220)
    assert excitons.binding_energy("3D") == pytest.approx(0.020)
    eb = [excitons.binding_energy(m) for m in range(1, 31)]
    assert all(b1 > b2 for b1, b2 in zip(eb, eb[1:])) and eb[-1] > 0.020


def test_saha_limits():
    assert excitons.saha_exciton_fraction(1e15, 1.0, 100.0) > 0.999          # strongly bound, cold
    assert excitons.saha_exciton_fraction(1e10, 0.020, 1000.0) < 1e-6       # hot, dilute
    x = excitons.saha_exciton_fraction(np.array([1e12, 1e15, 1e18]), 0.1, 300.0)
    assert np.all(np.diff(x) > 0) and np.all((x > 0) & (x < 1))          # mass action


def test_saha_errors():
    with pytest.raises(ValueError, match=r"density_cm3=-1.0 must be > 0"):
        excitons.saha_exciton_fraction(-1.0, 0.1, 300.0)
    with pytest.raises(ValueError, match=r"temperature_k=0.0 must be > 0 K"):
        excitons.saha_exciton_fraction(1e12, 0.1, 0.0)


def test_elliott_2d_shape():
    e = np.arange(2.5, 4.5, 0.001)
    spec = excitons.elliott_absorption(e, 3.0, 0.2, 0.01, 2)
    assert e[np.argmax(spec)] == pytest.approx(3.0, abs=0.002)      # 1s exciton line
    r, eg = 0.2 / 4, 3.2                                              # 2D: R = Eb/4, Eg = E_X + Eb
    sommerfeld = 2 / (1 + np.exp(-2 * np.pi * np.sqrt(r / (e[-1] - eg))))
    assert spec[-1] == pytest.approx(sommerfeld, rel=1e-3)            # 2D Sommerfeld continuum
    with pytest.raises(ValueError, match=r"dimension=4 must be 2 or 3"):
        excitons.elliott_absorption(e, 3.0, 0.2, 0.01, 4)


def test_bad_n_and_grid_messages():
    with pytest.raises(ValueError, match=r"dimensionality n=0 is not supported"):
        optics.film_optics(0)
    with pytest.raises(ValueError, match=r"wavelength_nm must be a 1-D strictly increasing grid"):
        optics.film_optics(1, wavelength_nm=[500.0, 400.0])
    with pytest.raises(ValueError, match=r"phase='x' must be a layer number"):
        excitons.exciton_energy("x")


@pytest.mark.parametrize("n", N_VALUES)
def test_film_dataset_contract(n):
    ds = optics.film_optics(n)
    io.check_units(ds)
    for name in ds.variables:
        assert "long_name" in ds[name].attrs, name
    assert set(ds.dims) == {"wavelength", "phase", "rgb"}
    assert ds["wavelength"].values[[0, -1]].tolist() == [350.0, 600.0]
    assert float(ds["phase_fraction"].sum()) == pytest.approx(1.0)
    assert np.all((ds["uv_colour_rgb"] >= 0) & (ds["uv_colour_rgb"] <= 1))


def test_calibrated_film_peaks_and_pl_scale():
    one, bulk = optics.film_optics(1), optics.film_optics("inf")
    assert float(one["absorption_peak_nm"]) == pytest.approx(401, abs=1.0)
    assert float(bulk["absorption_peak_nm"]) == pytest.approx(525, abs=3.0)
    assert float(one["pl"].max()) == pytest.approx(1.0, abs=1e-3)          # PL scale: n = 1 peak
    assert float(one["pl_intensity"]) == pytest.approx(1.0)
    assert math.isnan(float(bulk["pl_peak_nm"]))                         # no visible PL
    assert float(bulk["phase_exciton_fraction"].sel(phase="3D")) < 1e-3


def test_optical_gap_decreases_with_n():
    gaps = [float(optics.film_optics(n)["optical_gap_eV"]) for n in N_VALUES]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))


def test_quasi2d_film_shows_its_phase_peaks():
    ds = optics.film_optics(3)
    feats, _ = optics.absorption_features(ds["wavelength"], ds["absorbance"])
    for target in (401, 432, 450):
        assert np.min(np.abs(feats - target)) < 3.0
