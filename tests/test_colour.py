"""Tests of analysis.physics.colour: CIE 1931 fit, XYZ -> sRGB, illuminant, hue names."""
import numpy as np
import pytest

from analysis.physics import colour

VIS = np.linspace(360.0, 780.0, 841)


@pytest.mark.parametrize("lam, index, value", [(555.0, 1, 1.000), (600.0, 0, 1.062),
                                               (445.0, 2, 1.783), (530.0, 1, 0.862)])
def test_cmf_fit_matches_cie_table(lam, index, value):
    # CIE 1931 2-degree table values; the Wyman-Sloan-Shirley fit is good to a few per cent
    assert colour.cmf_cie1931(lam)[index] == pytest.approx(value, rel=0.03)


def test_equal_energy_spectrum_has_equal_tristimulus():
    xyz = colour.spectrum_to_xyz(VIS, np.ones_like(VIS))
    assert xyz / xyz[1] == pytest.approx([1.0, 1.0, 1.0], abs=0.01)


@pytest.mark.parametrize("lam, channel", [(450.0, 2), (530.0, 1), (610.0, 0)])
def test_monochromatic_line_dominant_channel(lam, channel):
    rgb = colour.monochromatic_colour(lam)
    assert int(np.argmax(rgb)) == channel
    others = np.delete(rgb, channel)
    assert rgb[channel] == pytest.approx(1.0) and np.all(others < 0.7)


def test_flat_filter_under_d65_is_neutral():
    white = colour.transmitted_colour(VIS, np.ones_like(VIS))
    grey = colour.transmitted_colour(VIS, np.full_like(VIS, 0.3))
    assert white == pytest.approx([1, 1, 1], abs=2e-3)
    assert np.ptp(grey) < 5e-3 and 0.3 < grey.mean() < 0.9


def test_blue_absorber_looks_yellow():
    t = np.where(VIS < 480.0, 0.05, 1.0)
    rgb = colour.transmitted_colour(VIS, t)
    assert rgb[0] > 0.9 and rgb[1] > 0.8 and rgb[2] < 0.5
    lab = colour.xyz_to_lab(colour.srgb_to_xyz(rgb))
    assert lab[2] > 40            # strongly positive b*: yellow


def test_d65_like_illuminant_is_near_d65():
    xyz = colour.spectrum_to_xyz(VIS, colour.d65_like_illuminant(VIS))
    x, y = xyz[:2] / xyz.sum()
    assert (x, y) == pytest.approx((0.3127, 0.3290), abs=0.01)


@pytest.mark.parametrize("lam, name", [(420.0, "blue"), (470.0, "blue"), (520.0, "green"),
                                       (580.0, "yellow"), (630.0, "red")])
def test_dominant_wavelength_and_hue(lam, name):
    # (the fitted spectral locus is monotonic only in 410-645 nm; see colour._LOCUS_NM)
    xyz = colour.spectrum_to_xyz(VIS, np.exp(-0.5 * ((VIS - lam) / 3.0) ** 2))
    dom = colour.dominant_wavelength(xyz)
    assert dom == pytest.approx(lam, abs=3.0)
    assert colour.hue_name(dom) == name


def test_fit_locus_limit_is_documented():
    # beyond ~645 nm the fitted x-bar/y-bar ratio falls again, so a deep-red line maps back
    # to orange: the known limit of the analytic fit (our spectra end below 600 nm)
    deep_red = colour.spectrum_to_xyz(VIS, np.exp(-0.5 * ((VIS - 690.0) / 3.0) ** 2))
    assert 580 < colour.dominant_wavelength(deep_red) < 645


def test_no_emission_is_black_and_has_no_hue():
    assert colour.emission_colour(VIS, np.zeros_like(VIS)).tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(colour.dominant_wavelength([0.0, 0.0, 0.0]))


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match=r"spectrum has shape \(3,\); expected \(841,\)"):
        colour.spectrum_to_xyz(VIS, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"wavelength_nm=.* must be finite positive"):
        colour.cmf_cie1931(-5.0)
    with pytest.raises(ValueError, match=r"a colour needs the visible range"):
        colour.transmitted_colour(np.linspace(400, 600, 11), np.ones(11))
    with pytest.raises(ValueError, match=r"temperature_k=0 must be > 0 K"):
        colour.blackbody(VIS, 0)
