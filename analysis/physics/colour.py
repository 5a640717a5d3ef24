"""Colour of spectra as seen by a standard observer: CIE 1931 XYZ and sRGB.

No colour-matching-function table is available offline, so the CIE 1931 2° functions are
the analytic multi-lobe (piecewise-Gaussian) fit of

    C. Wyman, P.-P. Sloan, P. Shirley, "Simple Analytic Approximations to the CIE XYZ
    Color Matching Functions", Journal of Computer Graphics Techniques 2(2), 1–11 (2013),

whose coefficients (their Eq. 2, "multi-lobe" fit) are reproduced in :data:`_WSS_LOBES`.
The fit deviates from the tabulated functions by a few per cent of their peak values,
which is far below the precision needed to name a colour or draw a swatch.  Its tails are
less faithful: beyond about 645 nm the fitted x̄/ȳ ratio falls again, so deep-red lines
render orange (irrelevant here: the films' spectra end below 600 nm).

Conversions
-----------
* XYZ → linear sRGB with the IEC 61966-2-1 matrix (D65 white), then the sRGB transfer
  curve.  Out-of-gamut colours (monochromatic lines) are brought into gamut by clipping
  negative channels to zero and scaling so that the largest channel is ≤ 1.
* Transmitted colour under a "D65-like" illuminant: a 6504 K blackbody (the correlated
  colour temperature of CIE D65; the D65 table itself is not available offline) whose white
  point is mapped onto D65 by a Bradford chromatic adaptation, so that a non-absorbing
  film renders as sRGB white.
* Hue names use the dominant wavelength (intersection of the line from the D65 white point
  through the colour with the spectral locus) with coarse bins: "blue" below 490 nm
  (violet to blue), "green" 490–570 nm, "yellow" 570–590, "orange" 590–620, "red" above.
"""
from __future__ import annotations

import functools

import numpy as np

# (amplitude, mean nm, sigma below mean nm, sigma above mean nm) per lobe; Wyman et al. 2013.
_WSS_LOBES = {
    "x": ((1.056, 599.8, 37.9, 31.0), (0.362, 442.0, 16.0, 26.7), (-0.065, 501.1, 20.4, 26.2)),
    "y": ((0.821, 568.8, 46.9, 40.5), (0.286, 530.9, 16.3, 31.1)),
    "z": ((1.217, 437.0, 11.8, 36.0), (0.681, 459.0, 26.0, 13.8)),
}

# IEC 61966-2-1 (sRGB) XYZ -> linear RGB, D65 white.
_XYZ_TO_SRGB = np.array([[3.2406, -1.5372, -0.4986],
                         [-0.9689, 1.8758, 0.0415],
                         [0.0557, -0.2040, 1.0570]])
WHITE_D65_XYZ = np.array([0.95047, 1.0, 1.08883])
"""CIE D65 white point (2° observer), Y = 1."""
WHITE_D65_XY = (0.31271, 0.32902)
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614],
                      [-0.7502, 1.7135, 0.0367],
                      [0.0389, -0.0685, 1.0296]])
D65_CCT_K = 6504.0
"""Correlated colour temperature of CIE D65, K."""

VISIBLE_NM = (360.0, 780.0)
"""Wavelength range over which colours are integrated, nm."""

_LOCUS_NM = (410.0, 645.0)
"""Range in which the fitted spectral locus turns monotonically around the white point; the
fit's tails (below ~410 nm and above ~645 nm) curl back, so dominant wavelengths are
restricted to this range (colours beyond it are assigned to its nearest end)."""

HUE_BINS = ((490.0, "blue"), (570.0, "green"), (590.0, "yellow"), (620.0, "orange"),
            (np.inf, "red"))


def _check_wavelength(wavelength_nm, name="wavelength_nm") -> np.ndarray:
    lam = np.asarray(wavelength_nm, dtype=float)
    if lam.ndim > 1 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        msg = f"{name}={wavelength_nm!r:.80} must be finite positive wavelengths in nm (1-D)"
        raise ValueError(msg)
    return lam


def cmf_cie1931(wavelength_nm) -> np.ndarray:
    """CIE 1931 2° colour-matching functions x̄, ȳ, z̄ (Wyman–Sloan–Shirley fit).

    Parameters
    ----------
    wavelength_nm : float or array, nm

    Returns
    -------
    ndarray, 1
        Shape ``(..., 3)``.

    Examples
    --------
    >>> round(float(cmf_cie1931(555.0)[1]), 2)
    1.0
    """
    lam = _check_wavelength(wavelength_nm)
    out = []
    for key in "xyz":
        total = np.zeros_like(lam)
        for amp, mu, s1, s2 in _WSS_LOBES[key]:
            sig = np.where(lam < mu, s1, s2)
            total = total + amp * np.exp(-0.5 * ((lam - mu) / sig) ** 2)
        out.append(total)
    return np.stack(out, axis=-1)


def spectrum_to_xyz(wavelength_nm, spectrum) -> np.ndarray:
    """Tristimulus values ∫ S(λ) (x̄, ȳ, z̄) dλ by the trapezoid rule.

    Parameters
    ----------
    wavelength_nm : array, nm
        Increasing wavelengths.
    spectrum : array
        Spectral power (any unit) on that grid; the result carries unit × nm.

    Returns
    -------
    ndarray
        ``(X, Y, Z)``.
    """
    lam = _check_wavelength(wavelength_nm)
    s = np.asarray(spectrum, dtype=float)
    if s.shape != lam.shape:
        msg = f"spectrum has shape {s.shape}; expected {lam.shape} (one value per wavelength)"
        raise ValueError(msg)
    cmf = cmf_cie1931(lam)
    return np.trapezoid(s[:, None] * cmf, lam, axis=0)


def blackbody(wavelength_nm, temperature_k: float) -> np.ndarray:
    """Planck spectral radiance, normalised to 1 at 560 nm.

    Parameters
    ----------
    wavelength_nm : array, nm
    temperature_k : float, K
    """
    if not temperature_k > 0:
        msg = f"temperature_k={temperature_k!r} must be > 0 K"
        raise ValueError(msg)
    lam = _check_wavelength(wavelength_nm) * 1e-9
    c2 = 1.438776877e-2      # second radiation constant, m K
    ref = 560e-9

    def planck(x):
        return x ** -5 / np.expm1(c2 / (x * temperature_k))
    return planck(lam) / planck(ref)


def d65_like_illuminant(wavelength_nm) -> np.ndarray:
    """The room-light illuminant: a blackbody at the D65 colour temperature (6504 K)."""
    return blackbody(wavelength_nm, D65_CCT_K)


def _bradford(src_white_xyz, dst_white_xyz=WHITE_D65_XYZ) -> np.ndarray:
    src = _BRADFORD @ np.asarray(src_white_xyz, dtype=float)
    dst = _BRADFORD @ np.asarray(dst_white_xyz, dtype=float)
    return np.linalg.inv(_BRADFORD) @ np.diag(dst / src) @ _BRADFORD


def xyz_to_linear_srgb(xyz) -> np.ndarray:
    """Linear (not gamma-encoded) sRGB of XYZ (Y = 1 for the white)."""
    return np.asarray(xyz, dtype=float) @ _XYZ_TO_SRGB.T


def srgb_encode(linear) -> np.ndarray:
    """sRGB transfer curve of linear values in [0, 1]."""
    x = np.clip(np.asarray(linear, dtype=float), 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)


def _into_gamut(rgb_lin: np.ndarray) -> np.ndarray:
    rgb = np.clip(rgb_lin, 0.0, None)
    peak = rgb.max()
    return rgb / peak if peak > 1 else rgb


def xyz_to_srgb(xyz) -> np.ndarray:
    """Gamma-encoded sRGB in [0, 1] (negative channels clipped, over-range scaled down)."""
    return srgb_encode(_into_gamut(xyz_to_linear_srgb(xyz)))


def transmitted_colour(wavelength_nm, transmittance) -> np.ndarray:
    """sRGB of white room light (D65-like) after passing through a film.

    Parameters
    ----------
    wavelength_nm : array, nm
        Grid covering the visible range (:data:`VISIBLE_NM`).
    transmittance : array, 1
        T(λ) in [0, 1] on that grid.

    Returns
    -------
    ndarray, 1
        sRGB triple in [0, 1]; a film with T = 1 gives white.

    Examples
    --------
    >>> lam = np.linspace(360, 780, 421)
    >>> np.round(transmitted_colour(lam, np.ones_like(lam)), 3).tolist()
    [1.0, 1.0, 1.0]
    """
    lam = _check_wavelength(wavelength_nm)
    t = np.asarray(transmittance, dtype=float)
    if t.shape != lam.shape or np.any(t < 0) or np.any(t > 1 + 1e-12):
        msg = f"transmittance must have shape {lam.shape} and values in [0, 1]"
        raise ValueError(msg)
    if lam.min() > VISIBLE_NM[0] + 1 or lam.max() < VISIBLE_NM[1] - 1:
        msg = (f"wavelength_nm spans {lam.min():g}-{lam.max():g} nm; a colour needs the "
               f"visible range {VISIBLE_NM[0]:g}-{VISIBLE_NM[1]:g} nm")
        raise ValueError(msg)
    s = d65_like_illuminant(lam)
    white = spectrum_to_xyz(lam, s)
    xyz = spectrum_to_xyz(lam, s * t) / white[1]
    adapted = _bradford(white / white[1]) @ xyz
    return xyz_to_srgb(adapted)


def emission_colour(wavelength_nm, spectrum, exposure: float = 1.0) -> np.ndarray:
    """sRGB of light emitted with spectrum S(λ), as photographed with a fixed exposure.

    Parameters
    ----------
    wavelength_nm : array, nm
    spectrum : array
        Spectral power on the grid.
    exposure : float, 1/(unit of spectrum × nm)
        Factor applied to XYZ before the conversion; the same exposure for several
        emitters keeps their relative brightness.

    Returns
    -------
    ndarray, 1
        sRGB triple in [0, 1] (black for no emission).
    """
    if not exposure >= 0:
        msg = f"exposure={exposure!r} must be >= 0"
        raise ValueError(msg)
    return xyz_to_srgb(spectrum_to_xyz(wavelength_nm, spectrum) * exposure)


def monochromatic_colour(wavelength_nm: float) -> np.ndarray:
    """sRGB (brightest in-gamut rendering) of a narrow line at *wavelength_nm*.

    Examples
    --------
    >>> int(np.argmax(monochromatic_colour(530.0)))   # green channel
    1
    """
    lam = float(_check_wavelength(wavelength_nm))
    return srgb_encode(_into_gamut(xyz_to_linear_srgb(cmf_cie1931(lam)) * 1e6))


def xyz_to_lab(xyz, white_xyz=WHITE_D65_XYZ) -> np.ndarray:
    """CIE 1976 L*a*b* of XYZ relative to *white_xyz* (both with white Y = 1)."""
    t = np.asarray(xyz, dtype=float) / np.asarray(white_xyz, dtype=float)
    d = 6 / 29
    f = np.where(t > d ** 3, np.cbrt(t), t / (3 * d ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def srgb_to_xyz(rgb) -> np.ndarray:
    """Inverse of :func:`xyz_to_srgb` for in-gamut colours."""
    c = np.asarray(rgb, dtype=float)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.linalg.solve(_XYZ_TO_SRGB, lin)


@functools.lru_cache(maxsize=1)
def _locus():
    lam = np.arange(_LOCUS_NM[0], _LOCUS_NM[1] + 0.25, 0.5)
    cmf = cmf_cie1931(lam)
    xy = cmf[:, :2] / cmf.sum(axis=1)[:, None]
    ang = np.arctan2(xy[:, 1] - WHITE_D65_XY[1], xy[:, 0] - WHITE_D65_XY[0])
    return lam, ang


def dominant_wavelength(xyz) -> float:
    """Dominant wavelength of a colour relative to the D65 white point.

    Returns
    -------
    float, nm
        NaN for a colour without emission (Y ≤ 0) or on the purple side of the white point.
        Restricted to 410–645 nm, where the fitted spectral locus is monotonic.
    """
    xyz = np.asarray(xyz, dtype=float)
    total = xyz.sum()
    if not total > 0:
        return float("nan")
    x, y = xyz[0] / total, xyz[1] / total
    ang = np.arctan2(y - WHITE_D65_XY[1], x - WHITE_D65_XY[0])
    lam, locus_ang = _locus()
    diff = np.abs(np.angle(np.exp(1j * (locus_ang - ang))))
    i = int(np.argmin(diff))
    return float(lam[i]) if diff[i] < np.radians(8.0) else float("nan")


def hue_name(dominant_nm: float) -> str:
    """Coarse hue name of a dominant wavelength (bins of :data:`HUE_BINS`); ``"purple"`` for NaN."""
    if not np.isfinite(dominant_nm):
        return "purple"
    for upper, name in HUE_BINS:
        if dominant_nm < upper:
            return name
    return "red"


__all__ = ["cmf_cie1931", "spectrum_to_xyz", "blackbody", "d65_like_illuminant",
           "xyz_to_linear_srgb", "srgb_encode", "xyz_to_srgb", "transmitted_colour",
           "emission_colour", "monochromatic_colour", "xyz_to_lab", "srgb_to_xyz",
           "dominant_wavelength", "hue_name", "WHITE_D65_XYZ", "VISIBLE_NM"]
