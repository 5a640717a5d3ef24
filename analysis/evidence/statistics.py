"""Statistics of the verdicts: intervals and tests, pure functions with their sources.

=================================  ===========================================================
:func:`wilson`                     score interval of a binomial fraction (a robustness: the
                                   fraction of parameter sets or seeds in which a claim holds)
:func:`samples_for_robust_verdict`  fewest samples in which a unanimous outcome is robust
:func:`prediction_interval`        interval for one further run (a description of the spread)
:func:`tost`                       two one-sided tests of equivalence, with the achieved power
:func:`seeds_for_power`            seeds an equivalence test needs for a power at a spread
=================================  ===========================================================
"""
from __future__ import annotations

import math


def _values(samples, what: str = "samples") -> list[float]:
    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__len__"):
        raise ValueError(f"{what}={samples!r} must be a list of per-seed values")
    return [float(v) for v in samples]


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial fraction k/n (``(nan, nan)`` for n = 0).

    E. B. Wilson, J. Am. Stat. Assoc. 22, 209 (1927); valid also at k = 0 and k = n.

    >>> [round(x, 4) for x in wilson(50, 100)]
    [0.4038, 0.5962]
    """
    from scipy.stats import norm
    if n <= 0:
        return math.nan, math.nan
    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def samples_for_robust_verdict(robust_fraction: float, confidence: float) -> int:
    """Fewest samples (parameter sets or seeds) in which a unanimous outcome is a robust verdict:
    with k = n, the Wilson lower bound must reach *robust_fraction* at *confidence*.

    >>> samples_for_robust_verdict(0.9, 0.95)
    35
    """
    n = 1
    while wilson(n, n, confidence)[0] < robust_fraction:
        n += 1
    return n


def prediction_interval(samples, coverage: float = 0.95) -> tuple[float, float]:
    """Centre and half-width of the prediction interval for one further sample.

    Parameters
    ----------
    samples : sequence of float
        Independent values (e.g. one accuracy per seed), at least 2.
    coverage : float, 1
        1 − α, in (0, 1).

    Returns
    -------
    mean, half_width : float
        ``mean ± t(1 − α/2; S − 1) · sd · √(1 + 1/S)`` (sd with ddof = 1; Hahn, Meeker &
        Escobar, *Statistical Intervals*, 2nd ed., ch. 4).

    Examples
    --------
    >>> m, h = prediction_interval([90.0, 92.0, 91.0, 89.0, 93.0])
    >>> round(m, 2), round(h, 2)
    (91.0, 4.81)
    """
    from scipy.stats import t

    x = _values(samples)
    if len(x) < 2:
        raise ValueError(f"samples has {len(x)} value(s); the prediction interval needs ≥ 2 (one per seed)")
    if not 0 < coverage < 1:
        raise ValueError(f"coverage={coverage!r} must be in (0, 1) (1 − α)")
    s_count = len(x)
    mean = math.fsum(x) / s_count
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (s_count - 1))
    return mean, float(t.ppf(0.5 + coverage / 2, s_count - 1)) * sd * math.sqrt(1 + 1 / s_count)


def tost(samples, reference: float, margin: float, alpha: float = 0.05) -> dict:
    """Two one-sided t tests: is the mean of *samples* within ±*margin* of *reference*?

    Equivalence is concluded when both one-sided nulls (mean ≤ reference − margin, mean ≥
    reference + margin) are rejected at level *alpha*, i.e. when the (1 − 2 alpha) confidence
    interval of the mean lies inside reference ± margin (Schuirmann, J. Pharmacokinet.
    Biopharm. 15, 657 (1987); Lakens, Soc. Psychol. Personal. Sci. 8, 355 (2017)).

    Returns
    -------
    dict
        ``mean``, ``sd``, ``n``, ``ci_low``, ``ci_high`` (the 1 − 2 alpha interval of the mean),
        ``p_lower``, ``p_upper``, ``p`` (the larger), ``equivalent`` (bool), ``difference``
        (mean − reference), ``power`` (probability of concluding equivalence with this n and
        this sd if the true mean were the reference; :func:`tost_power`).

    Examples
    --------
    >>> r = tost([91.0, 91.5, 90.8, 91.3, 91.1], 91.26, 2.4)
    >>> r["equivalent"], round(r["ci_low"], 2) > 88.86
    (True, True)
    >>> tost([80.0, 82.0, 81.0], 91.26, 2.4)["equivalent"]
    False
    """
    from scipy.stats import t

    x = _values(samples)
    n = len(x)
    if n < 2:
        raise ValueError(f"samples has {n} value(s); the equivalence test needs ≥ 2 (one per seed)")
    if not margin > 0:
        raise ValueError(f"margin={margin!r} must be > 0 (the equivalence margin, in the samples' units)")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha={alpha!r} must be in (0, 0.5)")
    mean = math.fsum(x) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in x) / (n - 1))
    se = sd / math.sqrt(n)
    df = n - 1
    lo, hi = reference - margin, reference + margin
    if se == 0:
        p_lower = 0.0 if mean > lo else 1.0
        p_upper = 0.0 if mean < hi else 1.0
        half = 0.0
    else:
        p_lower = float(t.sf((mean - lo) / se, df))
        p_upper = float(t.cdf((mean - hi) / se, df))
        half = float(t.ppf(1 - alpha, df)) * se
    return {"mean": mean, "sd": sd, "n": n, "ci_low": mean - half, "ci_high": mean + half,
            "p_lower": p_lower, "p_upper": p_upper, "p": max(p_lower, p_upper),
            "equivalent": bool(max(p_lower, p_upper) < alpha), "difference": mean - reference,
            "power": tost_power(n, sd, margin, alpha)}


def tost_power(n: int, sd: float, margin: float, alpha: float = 0.05, true_difference: float = 0.0) -> float:
    """Power of :func:`tost` with *n* samples of standard deviation *sd*: the probability that the
    (1 − 2 alpha) interval of the mean falls inside ±*margin* when the true mean differs from the
    reference by *true_difference* (noncentral t; Phillips, J. Pharmacokinet. Biopharm. 18, 137
    (1990), the exact power by numerical integration over the sample sd).

    >>> round(tost_power(10, 1.0, 1.0), 2)
    0.8
    >>> tost_power(10, 0.0, 1.0)
    1.0
    """
    from scipy import integrate
    from scipy.stats import chi2, norm, t

    if n < 2:
        return math.nan
    if sd <= 0:
        return 1.0 if abs(true_difference) < margin else 0.0
    df = n - 1
    tc = float(t.ppf(1 - alpha, df))
    se_true = sd / math.sqrt(n)

    def given_s(s):                   # P(equivalent | sample sd = s)
        half = tc * s / math.sqrt(n)
        width = margin - half
        if width <= 0:
            return 0.0
        return float(norm.cdf((width - true_difference) / se_true) - norm.cdf((-width - true_difference) / se_true))

    def density(s):                   # density of the sample sd
        q = df * s * s / (sd * sd)
        return float(chi2.pdf(q, df)) * 2 * df * s / (sd * sd)

    s_max = margin * math.sqrt(n) / tc
    value, _ = integrate.quad(lambda s: given_s(s) * density(s), 0.0, s_max, limit=200)
    return float(min(max(value, 0.0), 1.0))


def seeds_for_power(sd: float, margin: float, power: float = 0.8, alpha: float = 0.05,
                    true_difference: float = 0.0, n_max: int = 10_000) -> int | None:
    """Fewest samples for which :func:`tost` reaches *power* at spread *sd* (None if more than
    *n_max*, e.g. when the margin is below the spread a finite n cannot resolve).

    The power rises with n (the interval of the mean narrows), so the search doubles n until
    the power is reached and then bisects: about 2 log2(n) evaluations of :func:`tost_power`.

    >>> seeds_for_power(1.0, 1.0)
    11
    >>> seeds_for_power(1.0, 1.0, n_max=10) is None
    True
    """
    def enough(n: int) -> bool:
        return tost_power(n, sd, margin, alpha, true_difference) >= power

    lo, hi = 1, 2                     # lo: too few (one sample has no test); hi: the candidate
    while not enough(hi):
        if hi >= n_max:
            return None
        lo, hi = hi, min(2 * hi, n_max)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return hi


__all__ = ["wilson", "samples_for_robust_verdict", "prediction_interval", "tost", "tost_power",
           "seeds_for_power"]
