"""Tests of analysis.physics.structure: Bragg geometry, phase mixture, XRD simulation."""
import numpy as np
import pytest

from analysis import stage_io as io
from analysis.physics import structure
from analysis.physics.dimensionality import N_VALUES


@pytest.mark.parametrize("d, expected", [(5.93, 14.93), (5.93 / 2, 30.12), (5.93 / np.sqrt(2), 21.17),
                                         (16.66, 5.30), (16.66 / 2, 10.61)])
def test_bragg_positions(d, expected):
    assert structure.bragg_two_theta(d) == pytest.approx(expected, abs=0.01)


def test_bragg_rejects_spacing_below_half_wavelength():
    with pytest.raises(ValueError, match=r"d_angstrom=0.5 must be > lambda/2"):
        structure.bragg_two_theta(0.5)


def test_layer_spacing_grows_by_one_octahedron():
    assert structure.layer_spacing(1) == pytest.approx(16.66)
    assert structure.layer_spacing(5) - structure.layer_spacing(4) == pytest.approx(5.93)
    with pytest.raises(ValueError, match=r"m=0 must be a positive integer"):
        structure.layer_spacing(0)


def test_phase_distribution_limits_and_stoichiometry():
    assert structure.phase_distribution(1)["1"] == pytest.approx(1.0)
    assert structure.phase_distribution("inf")[structure.PHASE_3D] == 1.0
    for n in (2, 3, 4, 5):
        dist = structure.phase_distribution(n)
        assert sum(dist.values()) == pytest.approx(1.0)
        # PEA-per-Pb balance of the layered part: sum_m p_m * 2/m = 2/n (tail is < 1 %)
        balance = sum(v * 2 / int(k) for k, v in dist.items() if k != structure.PHASE_3D)
        assert balance == pytest.approx(2 / n, abs=2e-3)
    d2 = structure.phase_distribution(2)
    assert d2["1"] == pytest.approx(0.25) and d2["2"] == pytest.approx(0.25)


def test_bad_n_message():
    with pytest.raises(ValueError, match=r"dimensionality n=7 is not supported"):
        structure.film_xrd(7)
    with pytest.raises(ValueError, match=r"dimensionality n='two' is not supported"):
        structure.phase_distribution("two")


def test_bad_grid_message():
    with pytest.raises(ValueError, match=r"two_theta_deg must be a 1-D strictly increasing"):
        structure.film_xrd(1, two_theta_deg=[10.0, 5.0])


def _strongest(ds):
    i = int(np.argmax(ds["reflection_intensity"].values))
    return str(ds["reflection_phase"].values[i]), str(ds["reflection_hkl"].values[i]), \
        float(ds["reflection_two_theta"].values[i])


def test_2d_film_is_dominated_by_00l():
    ds = structure.film_xrd(1)
    assert _strongest(ds) == ("1", "(001)", pytest.approx(5.30, abs=0.01))
    assert float(ds["xrd_00l_fraction"]) > 0.5
    assert float(ds["xrd_h00_fraction"]) == 0.0


def test_3d_film_reflections_and_structure_factors():
    ds = structure.film_xrd("inf")
    phase, hkl, tt = _strongest(ds)
    assert (phase, hkl) == ("3D", "(100)") and tt == pytest.approx(14.93, abs=0.01)
    inten = dict(zip(ds["reflection_hkl"].values, ds["reflection_intensity"].values))
    # F(200) = Pb + 3 Br + MA is large, F(111) = Pb - 3 Br - MA nearly cancels
    assert inten["(200)"] > 5 * inten["(111)"]
    assert float(ds["xrd_h00_fraction"]) > 0.5


def test_quasi2d_films_show_layered_phase_series():
    ds = structure.film_xrd(2)
    sel = (ds["reflection_phase"] == "2") & (ds["reflection_hkl"] == "(001)")
    assert ds["reflection_two_theta"].values[sel.values].item() == pytest.approx(
        structure.bragg_two_theta(structure.layer_spacing(2)), abs=1e-6)
    assert len(structure.xrd_peaks(ds)) > len(structure.xrd_peaks(structure.film_xrd(1)))


def test_scherrer_width_of_pattern():
    tt = np.arange(14.0, 16.0, 0.002)
    ds = structure.film_xrd("inf", two_theta_deg=tt)
    y = ds["xrd_intensity"].values
    half = y > (y.max() + float(y.min())) / 2
    fwhm = tt[half][-1] - tt[half][0]
    expected = np.degrees(0.9 * 1.5406 / (300.0 * np.cos(np.radians(14.93 / 2))))
    assert fwhm == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("n", N_VALUES)
def test_dataset_has_units_and_is_normalised(n):
    ds = structure.film_xrd(n)
    io.check_units(ds)
    for name in ds.variables:
        assert "long_name" in ds[name].attrs, name
    assert float(ds["xrd_intensity"].max()) == pytest.approx(1.0, abs=2e-4)
    assert set(ds.dims) == {"two_theta", "reflection"}
