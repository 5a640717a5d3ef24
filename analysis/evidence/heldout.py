"""Held-out prediction across dimensionality: does plasticity follow from the structure?

The paper's thesis is that the film's dimensionality sets its plasticity (Table 2). In the
calibrated model every film has three free parameters (Ea, E0, ν_m) fitted to its own row of
Table 2, so nothing is predicted *across* n. This module tests the thesis with a law:

    θ(n) = α_θ + β_θ · s(n),   θ ∈ {Ea [eV], ln E0 [ln eV], log10 ν_m [log10 1/s]}

with one structural descriptor s(n) from ``data/parameters/structure.yaml``
(:data:`DESCRIPTORS`):

``inorganic_fraction``  f = n a_pc / (n a_pc + d_PEA), the volume share of Pb–Br slabs (1 for
                        3D). It is what the model's conductance already uses; the PEA-barrier
                        density 1/(n a_pc + d_PEA) = (1 − f)/d_PEA is an affine function of it,
                        so the two give the same law.
``inverse_n``           1/n (0 for 3D), the share of octahedral layers that touch a PEA
                        interface: the surface-to-volume ratio of the slabs, where migrating
                        ions meet the organic spacer.

Leave-one-n-out: the six α, β are fitted (least squares) to the calibrated parameters of five
films; the law predicts the sixth film's parameters; the *same simulated experiments and fits*
as the calibration (:func:`analysis.evidence.calibration.table2_row`) turn them into b, m and Ea, which
are compared with Table 2 using the tolerances of ``data/evidence/effect_sizes.yaml``. A film
whose prediction misses any of the three breaks the law.
"""
from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from analysis.evidence import calibration
from analysis.evidence.rules import effect_sizes
from analysis.parameters import ParameterSet
from analysis.physics import multitrap as dev
from analysis.physics import table2
from analysis.physics.dimensionality import N_VALUES, n_numeric, parse_n

log = logging.getLogger(__name__)

DESCRIPTORS = ("inorganic_fraction", "inverse_n")
PRIMARY = "inorganic_fraction"
"""The descriptor of the ledger's claim (``all_films_within_law``)."""
PARAMETERS = ("ea_eV", "ln_e0", "log10_nu")
QUANTITIES = ("b", "m", "Ea")
_QUANTITY_TYPE = {"b": "power_law_b", "m": "power_law_m", "Ea": "activation_energy"}


def descriptor(n, name: str = "inorganic_fraction", pset: ParameterSet | None = None) -> float:
    """Structural descriptor *name* of film *n* (see the module docstring)."""
    if name == "inorganic_fraction":
        return dev.inorganic_fraction(n, pset)
    if name == "inverse_n":
        return 0.0 if np.isinf(n_numeric(n)) else 1.0 / n_numeric(n)
    raise ValueError(f"descriptor={name!r} is unknown; expected one of {DESCRIPTORS}")


def _calibrated_table(n_values, calibrated=None) -> np.ndarray:
    rows = []
    for n in n_values:
        if calibrated is None:
            c = dev.calibrated_values(n)
            ea, e0, nu = c["ea_eV"], c["e0_eV"], c["nu_m_per_s"]
        else:
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


def leave_one_out(n_values=N_VALUES, descriptors=DESCRIPTORS, calibrated=None,
                  pset: ParameterSet | None = None) -> xr.Dataset:
    """Leave-one-n-out predictions of Table 2 for every film and descriptor.

    *calibrated* (label -> (Ea, E0, ν_m)) replaces the stored calibration as the films the
    law is fitted to (see :func:`fit_law`); the simulated experiments use the parameter set
    *pset* (default: data/).

    Returns
    -------
    xarray.Dataset
        dims ``descriptor``, ``n``: ``b``, ``m``, ``Ea`` predicted (simulated experiments of the
        predicted parameters), ``b_paper``, ``m_paper``, ``Ea_paper`` (n), errors ``b_rel_error``,
        ``m_rel_error`` (relative) and ``Ea_error`` (eV), ``within`` (1 if all three are inside
        the tolerances of effect_sizes.yaml), the predicted parameters and the descriptor value.
    """
    labels = [parse_n(n) for n in n_values]
    shape = (len(descriptors), len(labels))
    pred = {k: np.full(shape, np.nan) for k in QUANTITIES + ("ea_eV", "e0_eV", "nu_m_per_s", "s")}
    for i, name in enumerate(descriptors):
        for j, n in enumerate(labels):
            train = [m for m in labels if m != n]
            p = predict_parameters(fit_law(train, name, calibrated, pset), n, name, pset)
            row = table2.table2_row(dev.build_parameters(n, p["ea_eV"], p["e0_eV"], p["nu_m_per_s"],
                                                         pset=pset))
            for k in QUANTITIES:
                pred[k][i, j] = row[k]
            for k in ("ea_eV", "e0_eV", "nu_m_per_s"):
                pred[k][i, j] = p[k]
            pred["s"][i, j] = descriptor(n, name, pset)
    paper = {k: np.array([calibration.targets(n, pset)[k] for n in labels]) for k in QUANTITIES}
    tol = {k: float(effect_sizes()[_QUANTITY_TYPE[k]]["value"]) for k in QUANTITIES}
    b_err, m_err = pred["b"] / paper["b"] - 1, pred["m"] / paper["m"] - 1
    ea_err = pred["Ea"] - paper["Ea"]
    within = (np.abs(b_err) <= tol["b"]) & (np.abs(m_err) <= tol["m"]) & (np.abs(ea_err) <= tol["Ea"])
    dims = ("descriptor", "n")
    ds = xr.Dataset(
        {"b": (dims, pred["b"], {"units": "1", "long_name": "predicted fit constant b (held out)"}),
         "m": (dims, pred["m"], {"units": "1", "long_name": "predicted power-law rate m (held out)"}),
         "Ea": (dims, pred["Ea"], {"units": "eV", "long_name": "predicted Arrhenius E_A (held out)"}),
         "b_paper": ("n", paper["b"], {"units": "1", "long_name": "Table 2 b"}),
         "m_paper": ("n", paper["m"], {"units": "1", "long_name": "Table 2 m"}),
         "Ea_paper": ("n", paper["Ea"], {"units": "eV", "long_name": "Table 2 E_A"}),
         "b_rel_error": (dims, b_err, {"units": "1", "long_name": "relative error of b", "tolerance": tol["b"]}),
         "m_rel_error": (dims, m_err, {"units": "1", "long_name": "relative error of m", "tolerance": tol["m"]}),
         "Ea_error": (dims, ea_err, {"units": "eV", "long_name": "error of E_A", "tolerance": tol["Ea"]}),
         "within": (dims, within.astype("i1"), {"units": "1", "long_name": "b, m and E_A all within tolerance (1) or not (0)"}),
         "pred_ea_eV": (dims, pred["ea_eV"], {"units": "eV", "long_name": "Ea predicted by the law"}),
         "pred_e0_eV": (dims, pred["e0_eV"], {"units": "eV", "long_name": "E0 predicted by the law"}),
         "pred_nu_m_per_s": (dims, pred["nu_m_per_s"], {"units": "1/s", "long_name": "nu_m predicted by the law"}),
         "descriptor_value": (dims, pred["s"], {"units": "1", "long_name": "structural descriptor of the held-out film"})},
        coords={"descriptor": ("descriptor", np.array(descriptors, dtype=object), {"units": "1", "long_name": "structural descriptor"}),
                "n": ("n", np.array(labels, dtype=object), {"units": "1", "long_name": "held-out dimensionality"})})
    ds.attrs["law"] = "theta(n) = alpha + beta * s(n) for Ea, ln E0, log10 nu_m; fitted on the other five films"
    return ds


def metrics(ds: xr.Dataset, primary: str = PRIMARY) -> dict:
    """Metrics of the leave-one-out stage: errors per descriptor and n, the films that break
    the law, and ``all_films_within_law`` for the *primary* descriptor (the ledger's claim)."""
    out = {"all_films_within_law": bool(ds["within"].sel(descriptor=primary).all())}
    for d in ds["descriptor"].values:
        sub = ds.sel(descriptor=d)
        labels = [str(n) for n in sub["n"].values]
        out[str(d)] = {
            "b_rel_error": dict(zip(labels, map(float, sub["b_rel_error"].values))),
            "m_rel_error": dict(zip(labels, map(float, sub["m_rel_error"].values))),
            "Ea_error_eV": dict(zip(labels, map(float, sub["Ea_error"].values))),
            "breaks_law": [n for n, w in zip(labels, sub["within"].values) if not w],
        }
    return out


def sample_metrics(calibrated: dict, n_values=N_VALUES, pset: ParameterSet | None = None) -> dict:
    """The held-out claim's metrics for one set of recalibrated films (robustness sweep).

    Parameters
    ----------
    calibrated : dict
        label -> (Ea [eV], E0 [eV], ν_m [1/s]), the films recalibrated to Table 2 under the
        sample's parameter set *pset*, which the simulated experiments of the held-out films
        also use.

    Returns
    -------
    dict
        :func:`metrics` of the leave-one-out for the :data:`PRIMARY` descriptor only.
    """
    return metrics(leave_one_out(n_values, (PRIMARY,), calibrated, pset), PRIMARY)
