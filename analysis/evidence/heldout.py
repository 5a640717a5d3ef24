"""A law of plasticity across dimensionality: fitted in-sample first, then leave one n out.

The paper's thesis is that the film's dimensionality sets its plasticity (Table 2). In the
calibrated model every film has three free parameters (Ea, E0, ν_m) fitted to its own row of
Table 2, so nothing is predicted *across* n. This module tests the thesis with a law:

    θ(n) = α_θ + β_θ · s(n),   θ ∈ {Ea [eV], ln E0 [ln eV], log10 ν_m [log10 1/s]}

with one structural descriptor s(n) from ``data/parameters/structure.yaml``
(:data:`DESCRIPTORS`, the options of the analysis choice ``heldout_descriptor`` of
``data/evidence/analysis_choices.yaml``):

``inorganic_fraction``  f = n a_pc / (n a_pc + d_PEA), the volume share of Pb–Br slabs (1 for
                        3D). It is what the model's conductance already uses; the PEA-barrier
                        density 1/(n a_pc + d_PEA) = (1 − f)/d_PEA is an affine function of it,
                        so the two give the same law.
``inverse_n``           1/n (0 for 3D), the share of octahedral layers that touch a PEA
                        interface: the surface-to-volume ratio of the slabs, where migrating
                        ions meet the organic spacer.

A film's parameters predicted by a law become b, m and E_A through *the same simulated
experiments and fits as the calibration* (:func:`analysis.physics.table2.table2_row` of the
predicted device), compared with Table 2 within the tolerances of
``data/evidence/effect_sizes.yaml`` (:func:`analysis.evidence.rules.tolerance`: b ±10 %,
m ±5 %, E_A ±5 meV). Two fits, in this order:

1. **In-sample** (:func:`in_sample`): α, β fitted (least squares) on *all* films of the run;
   every film predicted by the law that saw it. A law *fits in-sample* when every film is
   within tolerance. If it does not, no held-out test of it can pass and none is run: that
   no such law fits is the finding, one statement, not one failure per film.
2. **Leave one n out** (:func:`leave_one_out`), only for a descriptor whose law fits
   in-sample: fitted on the other films, the law predicts the film left out. A held-out film
   at an end of the descriptor's range (the smallest or the largest value among the run's
   films, :func:`end_films`) is an *extrapolation* and is marked as such; the law's
   predictions are judged on the interpolated films.

:func:`analyse` runs both for every descriptor (one Dataset with a ``fit`` dimension);
:func:`metrics` turns it into the stage's metrics, and :func:`sample_metrics` does the same for
one parameter set of the robustness sweep, so that notebook and sweep give the same metrics.

Metrics (``results/metrics/heldout_dimensionality.json``; names are stable: every key is present
whatever the outcome, ``d`` runs over :data:`DESCRIPTORS`, ``n`` over the run's films)
====================================  ==============================================================
``descriptors``                       the descriptors, in order (list)
``law_fits_in_sample``                d -> bool: every film within tolerance, law fitted on all films
``in_sample_films_outside``           d -> list of films outside tolerance in-sample
``in_sample_b_rel_error``             d -> n -> relative error of b (predicted / Table 2 − 1)
``in_sample_m_rel_error``             d -> n -> relative error of m
``in_sample_Ea_error_eV``             d -> n -> error of E_A [eV]
``leave_one_out_evaluated``           d -> bool: leave-one-out run (the law fits in-sample and
                                      the run has at least 3 films)
``extrapolated_films``                d -> the end films (held out, their prediction is an
                                      extrapolation)
``leave_one_out_films_outside``       d -> list of held-out films outside tolerance, or None
                                      (not evaluated)
``leave_one_out_interpolations_within``  d -> bool: every held-out film that is not an end
                                      film within tolerance, or None (not evaluated)
``leave_one_out_b_rel_error``         d -> n -> relative error of b held out, or None
``leave_one_out_m_rel_error``         d -> n -> relative error of m held out, or None
``leave_one_out_Ea_error_eV``         d -> n -> error of E_A held out [eV], or None
``law_holds``                         d -> bool: fits in-sample and predicts every interpolated
                                      held-out film within tolerance (False when it does not fit
                                      or leave-one-out was not run)
``all_films_within_law``              bool: ``law_holds`` of :data:`PRIMARY` (a summary; the
                                      ledger's claims read ``law_fits_in_sample`` and
                                      ``leave_one_out_interpolations_within`` per descriptor)
====================================  ==============================================================
"""
from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from analysis.evidence import calibration
from analysis.evidence.rules import tolerance
from analysis.parameters import ParameterSet
from analysis.physics import models, table2
from analysis.physics.structure import inorganic_fraction
from analysis.physics.dimensionality import N_VALUES, n_numeric, parse_n

log = logging.getLogger(__name__)

MODEL = models.get(models.PRIMARY_MODEL)
"""The device model this stage calibrates and builds (the primary, multi-trap model; a
:class:`~analysis.physics.interface.SynapseModel`)."""

DESCRIPTORS = ("inorganic_fraction", "inverse_n")
"""The options of the analysis choice ``heldout_descriptor`` (data/evidence/analysis_choices.yaml)."""
PRIMARY = "inorganic_fraction"
"""The default descriptor of the analysis choice (``all_films_within_law``)."""
PARAMETERS = ("ea_eV", "ln_e0", "log10_nu")
QUANTITIES = ("b", "m", "Ea")
_QUANTITY_TYPE = {"b": "power_law_b", "m": "power_law_m", "Ea": "activation_energy"}
FITS = ("in_sample", "leave_one_out")
MIN_FILMS = 2
"""Fewest films of the in-sample fit (two coefficients per parameter; with two films it is exact)."""
MIN_FILMS_LEAVE_ONE_OUT = 3
"""Fewest films of leave-one-out (the law is fitted on the others); with fewer it is not run."""


def descriptor(n, name: str = "inorganic_fraction", pset: ParameterSet | None = None) -> float:
    """Structural descriptor *name* of film *n* (see the module docstring)."""
    if name == "inorganic_fraction":
        return inorganic_fraction(n, pset)
    if name == "inverse_n":
        return 0.0 if np.isinf(n_numeric(n)) else 1.0 / n_numeric(n)
    raise ValueError(f"descriptor={name!r} is unknown; expected one of {DESCRIPTORS}")


def tolerances() -> dict:
    """``{"b", "m", "Ea"}``: b and m relative, E_A absolute [eV] (data/evidence/effect_sizes.yaml)."""
    return {q: tolerance(_QUANTITY_TYPE[q]) for q in QUANTITIES}


def _labels(n_values, fewest: int = MIN_FILMS) -> list[str]:
    labels = [parse_n(n) for n in n_values]
    if len(set(labels)) != len(labels) or len(labels) < fewest:
        raise ValueError(f"n_values={list(n_values)!r} must name at least {fewest} different films "
                         f"(a law with two coefficients{', fitted on the others' if fewest > MIN_FILMS else ''})")
    return labels


def _calibrated_table(n_values, calibrated=None) -> np.ndarray:
    rows = []
    for n in n_values:
        if calibrated is None:
            c = MODEL.calibrated_free(n)
            ea, e0, nu = c["ea_eV"], c["e0_eV"], c["nu_m_per_s"]
        else:
            if parse_n(n) not in calibrated:
                raise ValueError(f"calibrated has no film {parse_n(n)!r}; expected label -> (Ea [eV], E0 [eV], "
                                 f"nu_m [1/s]) for every film of n_values, got {sorted(calibrated)}")
            ea, e0, nu = (float(v) for v in calibrated[parse_n(n)])
        rows.append([ea, np.log(e0), np.log10(nu)])
    return np.array(rows)


def fit_law(n_values, name: str = "inorganic_fraction", calibrated=None,
            pset: ParameterSet | None = None) -> np.ndarray:
    """Least-squares (α, β) per parameter over *n_values*; shape (3, 2), rows :data:`PARAMETERS`.

    *calibrated*: label -> (Ea [eV], E0 [eV], ν_m [1/s]) to fit instead of the stored
    calibration (the robustness sweep passes each sample's recalibrated parameters).
    """
    s = np.array([descriptor(n, name, pset) for n in n_values])
    design = np.column_stack([np.ones_like(s), s])
    coef, *_ = np.linalg.lstsq(design, _calibrated_table(n_values, calibrated), rcond=None)
    return coef.T


def predict_parameters(coef: np.ndarray, n, name: str = "inorganic_fraction",
                       pset: ParameterSet | None = None) -> dict:
    """``ea_eV``, ``e0_eV``, ``nu_m_per_s`` of film *n* from the fitted law."""
    s = descriptor(n, name, pset)
    ea, ln_e0, lnu = coef[:, 0] + coef[:, 1] * s
    return {"ea_eV": float(ea), "e0_eV": float(np.exp(ln_e0)), "nu_m_per_s": float(10.0 ** lnu)}


def end_films(n_values, name: str = "inorganic_fraction", pset: ParameterSet | None = None) -> list[str]:
    """The films at the ends of the descriptor's range among *n_values* (smallest and largest
    value): held out, their prediction is an extrapolation of the law, not an interpolation."""
    labels = [parse_n(n) for n in n_values]
    s = [descriptor(n, name, pset) for n in labels]
    ends = {labels[int(np.argmin(s))], labels[int(np.argmax(s))]}
    return [n for n in labels if n in ends]


_LONG = {"b": "fit constant b", "m": "power-law rate m", "Ea": "Arrhenius E_A"}


def _predictions(labels, descriptors, training, calibrated, pset, what: str) -> xr.Dataset:
    """Predicted b, m, E_A of every film in *labels* by the law of each descriptor fitted on
    ``training(n)`` (the films the law of film n is fitted to), with the errors against Table 2."""
    shape = (len(descriptors), len(labels))
    pred = {k: np.full(shape, np.nan) for k in QUANTITIES + ("ea_eV", "e0_eV", "nu_m_per_s", "s")}
    for i, name in enumerate(descriptors):
        coef_all = None
        for j, n in enumerate(labels):
            train = training(n)
            if train == labels:                 # the in-sample law: one fit for every film
                coef_all = fit_law(labels, name, calibrated, pset) if coef_all is None else coef_all
                coef = coef_all
            else:
                coef = fit_law(train, name, calibrated, pset)
            p = predict_parameters(coef, n, name, pset)
            row = table2.table2_row(MODEL.build(n, p, pset))
            for k in QUANTITIES:
                pred[k][i, j] = row[k]
            for k in ("ea_eV", "e0_eV", "nu_m_per_s"):
                pred[k][i, j] = p[k]
            pred["s"][i, j] = descriptor(n, name, pset)
    paper = {k: np.array([calibration.targets(n, pset)[k] for n in labels]) for k in QUANTITIES}
    tol = tolerances()
    b_err, m_err = pred["b"] / paper["b"] - 1, pred["m"] / paper["m"] - 1
    ea_err = pred["Ea"] - paper["Ea"]
    within = (np.abs(b_err) <= tol["b"]) & (np.abs(m_err) <= tol["m"]) & (np.abs(ea_err) <= tol["Ea"])
    dims = ("descriptor", "n")
    return xr.Dataset(
        {**{q: (dims, pred[q], {"units": "eV" if q == "Ea" else "1", "long_name": f"predicted {_LONG[q]} ({what})"})
            for q in QUANTITIES},
         "b_rel_error": (dims, b_err, {"units": "1", "long_name": "relative error of b", "tolerance": tol["b"]}),
         "m_rel_error": (dims, m_err, {"units": "1", "long_name": "relative error of m", "tolerance": tol["m"]}),
         "Ea_error": (dims, ea_err, {"units": "eV", "long_name": "error of E_A", "tolerance": tol["Ea"]}),
         "within": (dims, within.astype(float),
                    {"units": "1", "long_name": "b, m and E_A all within tolerance (1) or not (0); nan: not evaluated"}),
         "pred_ea_eV": (dims, pred["ea_eV"], {"units": "eV", "long_name": "Ea predicted by the law"}),
         "pred_e0_eV": (dims, pred["e0_eV"], {"units": "eV", "long_name": "E0 predicted by the law"}),
         "pred_nu_m_per_s": (dims, pred["nu_m_per_s"], {"units": "1/s", "long_name": "nu_m predicted by the law"}),
         "descriptor_value": (dims, pred["s"], {"units": "1", "long_name": "structural descriptor of the film"}),
         "b_paper": ("n", paper["b"], {"units": "1", "long_name": "Table 2 b"}),
         "m_paper": ("n", paper["m"], {"units": "1", "long_name": "Table 2 m"}),
         "Ea_paper": ("n", paper["Ea"], {"units": "eV", "long_name": "Table 2 E_A"})},
        coords={"descriptor": ("descriptor", np.array(descriptors, dtype=object),
                               {"units": "1", "long_name": "structural descriptor"}),
                "n": ("n", np.array(labels, dtype=object), {"units": "1", "long_name": "dimensionality"})})


def in_sample(n_values=N_VALUES, descriptors=DESCRIPTORS, calibrated=None,
              pset: ParameterSet | None = None) -> xr.Dataset:
    """The law of each descriptor fitted on all films of *n_values*; every film predicted by it.

    *calibrated* (label -> (Ea, E0, ν_m)) replaces the stored calibration as the films the law
    is fitted to (see :func:`fit_law`); the simulated experiments use the parameter set *pset*
    (default: data/).

    Returns
    -------
    xarray.Dataset
        dims ``descriptor``, ``n``: ``b``, ``m``, ``Ea`` predicted (simulated experiments of the
        predicted parameters), ``b_paper``, ``m_paper``, ``Ea_paper`` (n), errors ``b_rel_error``,
        ``m_rel_error`` (relative) and ``Ea_error`` (eV), ``within`` (1 if all three are inside
        the tolerances of effect_sizes.yaml, else 0), the predicted parameters and the
        descriptor value.
    """
    labels = _labels(n_values)
    ds = _predictions(labels, list(descriptors), lambda n: labels, calibrated, pset, "in-sample")
    ds.attrs["law"] = "theta(n) = alpha + beta * s(n) for Ea, ln E0, log10 nu_m; fitted on all films"
    return ds


def leave_one_out(n_values=N_VALUES, descriptors=DESCRIPTORS, calibrated=None,
                  pset: ParameterSet | None = None) -> xr.Dataset:
    """Leave-one-n-out predictions of Table 2 for every film and descriptor.

    The law of each descriptor is fitted on the other films and predicts the one left out.
    Call it for descriptors whose law fits in-sample (:func:`analyse` does): a law that
    does not fit the films it saw cannot predict one it did not see.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`in_sample` for the held-out films, and ``extrapolation``
        (descriptor, n; 1 for an end film of :func:`end_films`, 0 for an interpolation).
    """
    labels = _labels(n_values, MIN_FILMS_LEAVE_ONE_OUT)
    ds = _predictions(labels, list(descriptors), lambda n: [m for m in labels if m != n], calibrated, pset,
                      "held out")
    ds["extrapolation"] = (("descriptor", "n"),
                           np.array([[float(n in end_films(labels, d, pset)) for n in labels] for d in descriptors]),
                           {"units": "1", "long_name": "held-out film at an end of the descriptor's range (1): "
                                                       "its prediction is an extrapolation"})
    ds.attrs["law"] = "theta(n) = alpha + beta * s(n) for Ea, ln E0, log10 nu_m; fitted on the other films"
    return ds


def analyse(n_values=N_VALUES, descriptors=DESCRIPTORS, calibrated=None,
            pset: ParameterSet | None = None) -> xr.Dataset:
    """The in-sample fit of every descriptor, then leave-one-out for those whose law fits.

    Returns
    -------
    xarray.Dataset
        The variables of :func:`in_sample` with a leading dimension ``fit`` (``in_sample``,
        ``leave_one_out``); the leave-one-out entries of a descriptor whose law does not fit
        in-sample are nan. Besides: ``law_fits_in_sample`` and ``leave_one_out_evaluated``
        (descriptor), ``extrapolation`` (descriptor, n: the end films of :func:`end_films`).
        With fewer than :data:`MIN_FILMS_LEAVE_ONE_OUT` films leave-one-out is not run.
    """
    labels = _labels(n_values)
    descriptors = list(descriptors)
    unknown = [d for d in descriptors if d not in DESCRIPTORS]
    if unknown:
        raise ValueError(f"descriptors={descriptors!r}: {unknown} unknown; expected some of {DESCRIPTORS}")
    ins = in_sample(labels, descriptors, calibrated, pset)
    fits = [d for d in descriptors if bool((ins["within"].sel(descriptor=d) == 1).all())]
    tested = fits if len(labels) >= MIN_FILMS_LEAVE_ONE_OUT else []
    for d in descriptors:
        if d in tested:
            log.info("law in %s fits every film in-sample: leave-one-out follows", d)
        elif d in fits:
            log.info("law in %s fits the %d films in-sample (exactly: two coefficients); leave-one-out needs "
                     "%d films", d, len(labels), MIN_FILMS_LEAVE_ONE_OUT)
        else:
            outside = [n for n, w in zip(labels, ins["within"].sel(descriptor=d).values) if w != 1]
            log.info("law in %s does not fit in-sample (films outside tolerance: %s): no leave-one-out",
                     d, ", ".join(outside))
    loo = ins.copy(deep=True)
    for v in loo.data_vars:
        if "descriptor" in loo[v].dims:
            loo[v][:] = np.nan
    if tested:
        held = leave_one_out(labels, tested, calibrated, pset).drop_vars("extrapolation")
        for v in held.data_vars:
            if "descriptor" in held[v].dims:
                loo[v].loc[{"descriptor": tested}] = held[v].values
                loo[v].attrs["long_name"] = held[v].attrs["long_name"]
    ds = xr.concat([ins, loo], dim=xr.DataArray(np.array(FITS, dtype=object), dims="fit", name="fit"),
                   data_vars="different", coords="minimal", compat="equals")
    ds["fit"].attrs.update(units="1", long_name="in_sample: law fitted on all films; leave_one_out: on the others")
    for q in QUANTITIES:
        ds[q].attrs["long_name"] = f"predicted {_LONG[q]}"
    ds["law_fits_in_sample"] = ("descriptor", np.array([float(d in fits) for d in descriptors]),
                                {"units": "1", "long_name": "every film within tolerance, law fitted on all films (1)"})
    ds["leave_one_out_evaluated"] = ("descriptor", np.array([float(d in tested) for d in descriptors]),
                                     {"units": "1", "long_name": "leave-one-out run (1): only for a law that fits in-sample"})
    ds["extrapolation"] = (("descriptor", "n"),
                           np.array([[float(n in end_films(labels, d, pset)) for n in labels] for d in descriptors]),
                           {"units": "1", "long_name": "end film of the descriptor's range (1): held out, its "
                                                       "prediction is an extrapolation"})
    ds.attrs["law"] = "theta(n) = alpha + beta * s(n) for Ea, ln E0, log10 nu_m"
    ds.attrs["order"] = ("in-sample fit on all films first; leave-one-out only for a descriptor whose law fits "
                         "every film in-sample")
    return ds


def _per_film(sub: xr.Dataset, var: str) -> dict:
    return {str(n): float(v) for n, v in zip(sub["n"].values, sub[var].values)}


def metrics(ds: xr.Dataset, primary: str = PRIMARY) -> dict:
    """Metrics of the stage from :func:`analyse` (names and meaning: the module docstring).

    *primary*: the descriptor whose ``law_holds`` is ``all_films_within_law``.
    """
    descriptors = [str(d) for d in ds["descriptor"].values]
    if primary not in descriptors:
        raise ValueError(f"primary={primary!r} is not among the analysed descriptors {descriptors}")
    out = {"descriptors": descriptors}
    names = {"b_rel_error": "b_rel_error", "m_rel_error": "m_rel_error", "Ea_error": "Ea_error_eV"}
    fits, holds = {}, {}
    for key in ("law_fits_in_sample", "in_sample_films_outside", "leave_one_out_evaluated", "extrapolated_films",
                "leave_one_out_films_outside", "leave_one_out_interpolations_within",
                *(f"{f}_{m}" for f in FITS for m in names.values()), "law_holds"):
        out[key] = {}
    for d in descriptors:
        ins = ds.sel(descriptor=d, fit="in_sample")
        loo = ds.sel(descriptor=d, fit="leave_one_out")
        labels = [str(n) for n in ins["n"].values]
        fits[d] = bool(ds["law_fits_in_sample"].sel(descriptor=d).item() == 1)
        evaluated = bool(ds["leave_one_out_evaluated"].sel(descriptor=d).item() == 1)
        ends = [n for n, e in zip(labels, ds["extrapolation"].sel(descriptor=d).values) if e == 1]
        out["law_fits_in_sample"][d] = fits[d]
        out["in_sample_films_outside"][d] = [n for n, w in zip(labels, ins["within"].values) if w != 1]
        out["leave_one_out_evaluated"][d] = evaluated
        out["extrapolated_films"][d] = ends
        for var, name in names.items():
            out[f"in_sample_{name}"][d] = _per_film(ins, var)
            out[f"leave_one_out_{name}"][d] = _per_film(loo, var) if evaluated else None
        if evaluated:
            outside = [n for n, w in zip(labels, loo["within"].values) if w != 1]
            out["leave_one_out_films_outside"][d] = outside
            out["leave_one_out_interpolations_within"][d] = not [n for n in outside if n not in ends]
        else:
            out["leave_one_out_films_outside"][d] = None
            out["leave_one_out_interpolations_within"][d] = None
        holds[d] = fits[d] and evaluated and bool(out["leave_one_out_interpolations_within"][d])
    out["law_holds"] = holds
    out["all_films_within_law"] = holds[primary]
    return out


def sample_metrics(calibrated: dict, n_values=N_VALUES, pset: ParameterSet | None = None) -> dict:
    """The held-out stage's metrics for one set of recalibrated films (robustness sweep).

    Parameters
    ----------
    calibrated : dict
        label -> (Ea [eV], E0 [eV], ν_m [1/s]), the films recalibrated to Table 2 under the
        sample's parameter set *pset*, which the simulated experiments of the law's films
        also use.

    Returns
    -------
    dict
        :func:`metrics` of :func:`analyse` for every descriptor of :data:`DESCRIPTORS` (the
        notebook's metrics, same names), so a claim can take the descriptor of each sample's
        analysis choice ``heldout_descriptor``.
    """
    return metrics(analyse(n_values, DESCRIPTORS, calibrated, pset))
