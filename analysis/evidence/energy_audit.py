"""The paper's energy numbers audited (Fig. 6a, 6b, S10; Table S2) and the Fig. 6 metrics.

The paper states energies per synaptic event (≈18 fJ at −1 V, ≈0.7 fJ at −0.02 V, both on the
2D device), compares them with biology (1–10 fJ) and with earlier devices (Fig. 6b). This
module reads those statements (``data/paper/values.yaml``, ``data/paper/energy/audit.yaml``)
and the literature values (``data/literature/energy_comparison.csv``), checks them against each
other, the literature and the simulation (:func:`audit_table`), and computes the Fig. 6 stage's
metrics (:func:`fig6_metrics`). The physics of ``E = |P| I t`` is :mod:`analysis.physics.energy`.
"""
from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from analysis.parameters import ParameterSet, data_dir, default_parameters
from analysis.physics.energy import (AMPLITUDE_DIM, AREA_DIM, CURRENT_DEFINITION, FJ, N_DIM, PA,  # noqa: F401
                                     PSC_VARIABLE, area_linearity, energy_per_event, implied_current,
                                     implied_resistance, select)

log = logging.getLogger(__name__)

def _energy_tolerance() -> float:
    from analysis.evidence.rules import tolerance
    return tolerance("energy_per_event")


TOLERANCE = _energy_tolerance()
"""Relative tolerance of every energy per event the paper quotes as "≈" (18 fJ, 0.7 fJ, 20 fJ):
the quantity type ``energy_per_event`` of data/evidence/effect_sizes.yaml, stated once."""


# --------------------------------------------------------------------------- paper values
def paper_energy(pset: ParameterSet | None = None) -> dict:
    """The paper's energy statements and device areas, in SI units where a unit applies.

    Returns
    -------
    dict
        ``e18_J``, ``e18_conditions`` (the ≈18 fJ at −1 V), ``e07_J``, ``e07_conditions``
        (the ≈0.7 fJ at −0.02 V), ``bio_min_J``, ``bio_max_J``, ``e3d_J`` (earlier 3D
        MAPbBr3), ``areas_um2``, ``read_voltage_V``, ``default_amplitude_V``,
        ``default_width_s``, ``formula`` and ``location`` — all read from
        ``data/paper/values.yaml``.
    """
    pv = (pset or default_parameters()).paper()
    en, dev, prot = pv["energy"], pv["device"], pv["protocols"]
    return {
        "e18_J": float(en["two_d_250um_minus1V_fJ"]["value"]) * FJ,
        "e18_conditions": dict(en["two_d_250um_minus1V_fJ"]["conditions"]),
        "e18_location": en["two_d_250um_minus1V_fJ"]["location"],
        "e07_J": float(en["two_d_minus0p02V_fJ"]["value"]) * FJ,
        "e07_conditions": dict(en["two_d_minus0p02V_fJ"]["conditions"]),
        "e07_location": en["two_d_minus0p02V_fJ"]["location"],
        "bio_min_J": float(en["biological_fJ"]["min"]) * FJ,
        "bio_max_J": float(en["biological_fJ"]["max"]) * FJ,
        "bio_location": en["biological_fJ"]["location"],
        "e3d_J": float(en["earlier_3d_mapbbr3_fJ"]["value"]) * FJ,
        "e3d_location": en["earlier_3d_mapbbr3_fJ"]["location"],
        "areas_um2": [float(a) for a in dev["areas_um2"]["value"]],
        "read_voltage_V": float(prot["read_voltage_V"]["value"]),
        "default_amplitude_V": float(prot["default_spike"]["amplitude_V"]),
        "default_width_s": float(prot["default_spike"]["width_s"]),
        "min_amplitude_V": float(prot["figS10_min_amplitude_V"]["value"]),
        "formula": en["formula"],
        "location": en["location"],
    }


# --------------------------------------------------------------------------- literature
def literature_path() -> Path:
    """``data/literature/energy_comparison.csv``."""
    return data_dir() / "literature" / "energy_comparison.csv"


def load_literature(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The Fig. 6b comparison table (see data/literature/README.md for the columns)."""
    path = Path(path) if path else literature_path()
    if not path.is_file():
        msg = f"literature table {path} not found"
        raise FileNotFoundError(msg)
    df = pd.read_csv(path, dtype={"ref": str, "year": "Int64"}, keep_default_na=True)
    df["cited_in_fig6b"] = df["cited_in_fig6b"].astype(str).str.lower().eq("true")
    return df


def plottable_literature(df: pd.DataFrame) -> pd.DataFrame:
    """Rows that report an energy per event of an artificial device (a number, not power)."""
    has_value = df["energy_max_fJ"].notna() | df["energy_min_fJ"].notna()
    return df[(df["quantity_reported"] == "energy per event") & has_value].copy()


def literature_summary(df: pd.DataFrame) -> dict:
    """How many of the paper's comparison points could be sourced.

    Returns
    -------
    dict
        ``cited`` references in the Fig. 6b list; ``sourced`` of those with a per-event energy
        of an artificial device; ``sourced_refs``; ``not_per_event_refs`` (power or current
        density, not plotted); ``biological_refs``; ``extra_refs`` (plotted, outside the list).
    """
    cited = df[df["cited_in_fig6b"]]
    plot = plottable_literature(df)
    sourced = plot[plot["cited_in_fig6b"]]
    not_per_event = df[df["quantity_reported"].isin(["system power", "current density"])]
    return {"cited": int(len(cited)), "sourced": int(len(sourced)),
            "sourced_refs": sourced["ref"].tolist(),
            "not_per_event_refs": not_per_event["ref"].tolist(),
            "biological_refs": df[df["quantity_reported"] == "biological energy per event"]["ref"].tolist(),
            "extra_refs": plot[~plot["cited_in_fig6b"]]["ref"].tolist()}


# --------------------------------------------------------------------------- audit
def _sim_value(energy: xr.Dataset | None, var: str, n, amplitude_V, area_um2, scale):
    if energy is None:
        return math.nan
    try:
        return abs(float(select(energy[var], n, amplitude_V, area_um2))) / scale
    except (KeyError, ValueError) as exc:
        log.warning("no simulated %s for n=%s, P=%s V, A=%s um^2: %s", var, n, amplitude_V,
                    area_um2, exc)
        return math.nan


def _yn(flag) -> str:
    if flag is None or (isinstance(flag, float) and math.isnan(flag)):
        return "n/a"
    return "yes" if flag else "no"


AUDIT_COLUMNS = ["id", "location", "statement", "paper_energy_fJ", "n", "area_um2", "amplitude_V",
                 "width_s", "read_voltage_V", "implied_current_pA", "implied_R_read_ohm",
                 "implied_R_pulse_ohm", "sim_energy_fJ", "sim_current_pA", "sim_over_paper", "basis",
                 "consistent_with_paper", "agrees_with_simulation", "assumptions", "finding"]
_CONDITION_KEYS = ("n", "area_um2", "amplitude_V", "width_s", "read_voltage_V")


def audit_statements_path() -> Path:
    """``data/paper/energy/audit.yaml``: the audited statements, as data."""
    return data_dir() / "paper" / "energy" / "audit.yaml"


def consistency_bounds(pe: dict | None = None) -> dict:
    """Pulse width and device area at which the 0.7 fJ and the 18 fJ become consistent.

    The two statements are consistent if the smaller pulse does not give a *larger*
    postsynaptic current than −1 V on the same device (I₀.₇ ≤ I₁₈, the paper's own SVDP
    trend). With I = E/(|P| t) and I ∝ area, that holds only for a pulse width
    ``t ≥ E₀.₇ / (|P₀.₇| I₁₈)`` (at 250 µm × 250 µm) or a device area
    ``A ≥ A₁₈ · I₀.₇/I₁₈`` (at 20 ms).

    Returns
    -------
    dict
        ``width_s`` [s], ``area_um2`` [µm²], ``assumed_width_s``, ``assumed_area_um2``.
    """
    pe = pe or paper_energy()
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    i18 = implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"])
    i07 = implied_current(pe["e07_J"], c07["amplitude_V"], c07["width_s"])
    return {"width_s": pe["e07_J"] / (abs(c07["amplitude_V"]) * i18),
            "area_um2": c18["area_um2"] * i07 / i18,
            "assumed_width_s": c07["width_s"], "assumed_area_um2": c07["area_um2"]}


def _nan_if(*values):
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def _audit_context(energy, literature) -> dict:
    """Every quantity the audit statements refer to (J, fJ, pA; NaN where not simulated)."""
    pe = paper_energy()
    lit = load_literature() if literature is None else literature
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    e18, e07, e3d = pe["e18_J"], pe["e07_J"], pe["e3d_J"]

    def sim(n, amp, area, var="energy", scale=FJ):
        return _sim_value(energy, var, n, amp, area, scale)

    lin, argmin = None, None
    if energy is not None:
        try:
            e_n1 = select(energy["energy"], c18["n"], c18["amplitude_V"])
            lin = area_linearity(e_n1[AREA_DIM].values, e_n1.values)
        except (KeyError, ValueError) as exc:
            log.warning("area linearity not computed: %s", exc)
        try:
            e_ref = select(energy["energy"], None, c18["amplitude_V"], c18["area_um2"])
            argmin = str(e_ref[N_DIM].values[int(np.argmin(e_ref.values))])
        except (KeyError, ValueError) as exc:
            log.warning("argmin n not computed: %s", exc)
    plot = plottable_literature(lit)
    plot = plot[plot["cited_in_fig6b"]]
    lit_min = float(np.nanmin(plot[["energy_min_fJ", "energy_max_fJ"]].to_numpy())) if len(plot) else math.nan
    lit_min_ref = (plot.loc[plot[["energy_min_fJ", "energy_max_fJ"]].min(axis=1).idxmin(), "ref"]
                   if len(plot) else "")
    bio_lo, bio_hi = pe["bio_min_J"], pe["bio_max_J"]
    i18 = implied_current(e18, c18["amplitude_V"], c18["width_s"])
    cond3d = {"n": "inf", "area_um2": c18["area_um2"], "amplitude_V": pe["default_amplitude_V"],
              "width_s": pe["default_width_s"], "read_voltage_V": pe["read_voltage_V"]}
    bounds = consistency_bounds(pe)

    def in_bio(value_J):
        return math.nan if _nan_if(value_J) else bio_lo <= value_J <= bio_hi

    def within(sim_fJ, paper_J, tol):
        return math.nan if _nan_if(sim_fJ) else abs(sim_fJ * FJ - paper_J) <= tol * paper_J

    return {
        "pe": pe, "e18": e18, "e07": e07, "e3d": e3d, "bio_lo": bio_lo, "bio_hi": bio_hi,
        "i18": i18, "i07": implied_current(e07, c07["amplitude_V"], c07["width_s"]),
        "i3d": implied_current(e3d, cond3d["amplitude_V"], cond3d["width_s"]),
        "e07_const_i": energy_per_event(c07["amplitude_V"], i18, c07["width_s"]),
        "cond18": {k: c18[k] for k in _CONDITION_KEYS}, "cond07": {k: c07[k] for k in _CONDITION_KEYS},
        "cond3d": cond3d,
        "s18": sim(c18["n"], c18["amplitude_V"], c18["area_um2"]),
        "s07": sim(c07["n"], c07["amplitude_V"], c07["area_um2"]),
        "si18": sim(c18["n"], c18["amplitude_V"], c18["area_um2"], PSC_VARIABLE, PA),
        "si07": sim(c07["n"], c07["amplitude_V"], c07["area_um2"], PSC_VARIABLE, PA),
        "s3d": sim("inf", pe["default_amplitude_V"], c18["area_um2"]),
        "si3d": sim("inf", pe["default_amplitude_V"], c18["area_um2"], PSC_VARIABLE, PA),
        "r2_2d": math.nan if lin is None else lin["r2_origin"],
        "spread_2d": math.nan if lin is None else lin["per_area_spread"],
        "scaled_text": ", ".join(f"{e18 / FJ * a / c18['area_um2']:.3g} fJ at {a:.4g} µm²"
                                 for a in pe["areas_um2"]),
        "argmin": argmin, "lit_min": lit_min, "lit_min_ref": lit_min_ref,
        "n_sourced": len(plot), "n_cited": int(lit["cited_in_fig6b"].sum()),
        "width_consistent": bounds["width_s"], "area_consistent": bounds["area_um2"],
        "TOLERANCE": TOLERANCE, "FJ": FJ, "PA": PA, "isnan": lambda x: _nan_if(x),
        "in_bio": in_bio, "within": within,
        "gt": lambda a, b: math.nan if _nan_if(a, b) else a > b,
        "lt": lambda a, b: math.nan if _nan_if(a, b) else a < b,
        "eq": lambda a, b: math.nan if _nan_if(a, b) else a == b,
        "either": lambda a, b: math.nan if _nan_if(a) else (a or b),
    }


class _ExpressionFormatter(__import__("string").Formatter):
    """``str.format`` whose fields are expressions over the audit context."""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def get_field(self, field_name, args, kwargs):
        return _expr(field_name, self.ctx), field_name


def _expr(text, ctx):
    scope = {"__builtins__": {"float": float, "abs": abs}, **ctx}
    return eval(str(text), scope)  # noqa: S307 — expressions of data/paper/energy/audit.yaml


def _part(part, ctx, fmt) -> str:
    if isinstance(part, dict):
        return _part(part["then"] if _expr(part["if"], ctx) else part["else"], ctx, fmt)
    return fmt.format(part)


def audit_table(energy: xr.Dataset | None = None,
                literature: pd.DataFrame | None = None,
                statements: str | os.PathLike | None = None) -> pd.DataFrame:
    """One row per energy statement of the paper: what it implies and whether it holds.

    The statements are data (``data/paper/energy/audit.yaml``, :func:`audit_statements_path`);
    for each, the table gives the stated energy and conditions, the postsynaptic current and
    resistances it implies (:func:`implied_current`; resistance at the read voltage, and — for
    comparison — at the pulse amplitude, as if I flowed during the pulse), the simulated energy
    and current at the same conditions, whether it agrees with the paper's other statements
    and with the simulation, the assumptions the check makes and the finding.

    Parameters
    ----------
    energy : xarray.Dataset, optional
        :func:`energy_dataset` output; without it the simulation columns are NaN / "n/a".
    literature : pandas.DataFrame, optional
        :func:`load_literature` output (default: the compendium's table).
    statements : path, optional
        Another statements file (default the compendium's).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`AUDIT_COLUMNS`.
    """
    import yaml
    ctx = _audit_context(energy, literature)
    fmt = _ExpressionFormatter(ctx)
    path = Path(statements) if statements else audit_statements_path()
    rows = []
    for st in yaml.safe_load(path.read_text(encoding="utf-8")):
        paper = _expr(st["paper_energy"], ctx) / FJ if "paper_energy" in st else math.nan
        cond = _expr(st["conditions"], ctx) if "conditions" in st else {}
        row = {"id": st["id"], "n": "", "area_um2": math.nan, "amplitude_V": math.nan,
               "width_s": math.nan, "read_voltage_V": math.nan, "implied_current_pA": math.nan,
               "implied_R_read_ohm": math.nan, "implied_R_pulse_ohm": math.nan,
               "location": st["location"] if "location" in st else _expr(st["location_expr"], ctx),
               "statement": st["statement"], "paper_energy_fJ": paper, **cond,
               "sim_energy_fJ": _expr(st.get("sim_energy", "float('nan')"), ctx),
               "sim_current_pA": _expr(st.get("sim_current", "float('nan')"), ctx),
               "basis": st["basis"], "assumptions": st.get("assumptions", ""),
               "consistent_with_paper": _yn_text(_expr(st["consistent_with_paper"], ctx)),
               "agrees_with_simulation": _yn_text(_expr(st["agrees_with_simulation"], ctx)),
               "finding": "".join(_part(p, ctx, fmt) for p in st["finding"])}
        if st.get("implied"):
            i = implied_current(paper * FJ, cond["amplitude_V"], cond["width_s"])
            row.update(implied_current_pA=i / PA,
                       implied_R_read_ohm=implied_resistance(i, cond["read_voltage_V"]),
                       implied_R_pulse_ohm=implied_resistance(i, cond["amplitude_V"]))
        both = not math.isnan(row["sim_energy_fJ"]) and not math.isnan(paper)
        row["sim_over_paper"] = row["sim_energy_fJ"] / paper if both else math.nan
        rows.append(row)
    return pd.DataFrame(rows)[AUDIT_COLUMNS]


def _yn_text(flag) -> str:
    return flag if isinstance(flag, str) else _yn(flag)


GAMMA_GRID = (1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 20.0, 50.0)
"""Conductance gains γ of :func:`model_energy_vs_gamma` (the nominal 5 and the wide prior's span)."""


def model_energy_vs_gamma(gammas=GAMMA_GRID, pset: ParameterSet | None = None,
                          calibrated: dict | None = None) -> pd.DataFrame:
    """The model's energy of the 0.7 fJ event as a function of the conductance gain γ.

    For each γ the 2D film is recalibrated to its Table 2 row and the current scale to the
    18 fJ (:mod:`analysis.evidence.calibration`, same targets and analysis), then ``E = |P| I t`` is
    computed at the paper's −0.02 V condition (20 ms, 250 µm × 250 µm assumed).

    Returns
    -------
    pandas.DataFrame
        ``gamma`` [1], ``energy_fJ`` and ``current_pA`` at −0.02 V (NaN where Table 2 cannot
        be reached with that γ), ``energy_over_paper`` (÷ 0.7 fJ).
    """
    from analysis.evidence import calibration
    from analysis.physics import protocols
    from analysis.physics import models
    model = models.get(models.PRIMARY_MODEL)
    base = pset or default_parameters()
    pe = paper_energy(base)
    c07 = pe["e07_conditions"]
    rows = []
    for g in gammas:
        ps = base.replace({"device": {"conductance_sensitivity": float(g)}})
        try:
            c = calibration.calibrate_film(c07["n"], ps, start=model.calibrated_free(c07["n"], calibrated),
                                           model=model)
            scale = calibration.scale_of(c, ps, model=model)["free"]
            p = calibration.calibrated_devices({c07["n"]: c}, scale, ps, model=model)[c07["n"]]
            i = float(protocols.psc_currents(p, [c07["amplitude_V"]], [c07["area_um2"]],
                                             width_s=c07["width_s"],
                                             read_voltage_V=c07["read_voltage_V"])[0, 0])
        except ValueError as exc:
            log.info("gamma=%g: Table 2 not reachable (%s)", g, exc)
            i = math.nan
        e = energy_per_event(c07["amplitude_V"], i, c07["width_s"]) if math.isfinite(i) else math.nan
        rows.append({"gamma": float(g), "energy_fJ": e / FJ, "current_pA": i / PA,
                     "energy_over_paper": e / pe["e07_J"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- metrics
def fig6_metrics(energy: xr.Dataset, literature: pd.DataFrame | None = None,
                 pset: ParameterSet | None = None) -> dict:
    """Metrics of the fig6_energy stage: :func:`fig6_stated` and, under the analysis choices of
    *pset*, :func:`fig6_judged`."""
    stated = fig6_stated(energy, literature, pset)
    return {**stated, **fig6_judged(energy, stated, pset)}


def fig6_judged(energy: xr.Dataset, stated: dict, pset: ParameterSet | None = None) -> dict:
    """The energy statements under the analysis choices of *pset* (data/evidence/analysis_choices.yaml):

    ``energy_fJ_0p7_event_judged`` (the simulated 2D device's energy of the ≈0.7 fJ event at the
    ``energy_0p7_area`` and ``energy_0p7_pulse_width`` the paper does not state);
    ``paper_implied_current_ratio_judged`` (the paper's two energies' implied currents per device
    area, ≈0.7 fJ over ≈18 fJ, under the same choices: > 1 means the smaller pulse gave the larger
    current); ``energy_2d_lead_judged`` (how much less energy the 2D device uses than the next film,
    relative, at the ``energy_comparison_condition``: Fig. 6a's default, every Fig. 6a condition,
    or Fig. S10's smallest pulse) with its detection threshold ``energy_2d_lead_threshold`` (the
    read noise of the 2D device's current there); ``sim_2d_over_literature_min_judged`` (the 2D
    device's energy at that condition, the largest over the conditions for "every", over the
    literature's lowest sourced energy).
    """
    from analysis.physics import measurement
    from analysis.physics.energy import EVENT_VARIABLE
    choice = (pset or default_parameters()).topic("analysis")
    pe = paper_energy(pset)
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    area07, width07 = float(choice["energy_0p7_area"]), float(choice["energy_0p7_pulse_width"])
    out = {}
    e = energy["energy"]
    labels = [str(v) for v in e[N_DIM].values]
    two_d = str(c18["n"])
    if EVENT_VARIABLE in energy and two_d in labels:
        ev = energy[EVENT_VARIABLE].sel({N_DIM: two_d})
        i_event = float(ev.sel(event_width=width07, method="nearest").sel({AREA_DIM: area07}, method="nearest"))
        out["energy_fJ_0p7_event_judged"] = energy_per_event(c07["amplitude_V"], i_event, width07) / FJ
    i18 = implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"]) / float(c18["area_um2"])
    i07 = implied_current(pe["e07_J"], c07["amplitude_V"], width07) / area07
    out["paper_implied_current_ratio_judged"] = i07 / i18
    if two_d in labels and len(labels) > 1:
        condition = choice["energy_comparison_condition"]
        if condition == "fig6a_default":
            points = [(c18["amplitude_V"], c18["area_um2"])]
        elif condition == "figS10_minimum":
            points = [(c07["amplitude_V"], c18["area_um2"])]
        else:
            points = [(float(a), float(ar)) for a in e[AMPLITUDE_DIM].values for ar in e[AREA_DIM].values]
        leads, thresholds, energies = [], [], []
        for amp, area in points:
            at = select(e, None, amp, area)
            mine = float(at.sel({N_DIM: two_d}))
            others = [float(at.sel({N_DIM: n})) for n in labels if n != two_d]
            leads.append((min(others) - mine) / abs(mine))
            current = abs(float(select(energy[PSC_VARIABLE], two_d, amp, area)))
            thresholds.append(measurement.threshold(current, "pulse_reads", 2, pset))
            energies.append(mine / FJ)
        k = int(np.argmin(np.asarray(leads) - np.asarray(thresholds)))
        out["energy_2d_lead_judged"] = leads[k]
        out["energy_2d_lead_threshold"] = thresholds[k]
        lit_min = stated.get("literature_min_fJ", math.nan)
        out["sim_2d_over_literature_min_judged"] = max(energies) / lit_min if lit_min else math.nan
    return out


def fig6_stated(energy: xr.Dataset, literature: pd.DataFrame | None = None,
                pset: ParameterSet | None = None) -> dict:
    """Metrics of the fig6_energy stage (checked by data/paper/claims/fig6.yaml).

    Returns
    -------
    dict
        ``energy_fJ_minus1V_62500um2`` {n: fJ}; ``energy_fJ_minus0p02V_62500um2`` {n: fJ};
        ``energy_fJ_2d_minus1V``, ``energy_fJ_2d_minus0p02V`` (fJ);
        ``energy_fJ_by_area_minus1V`` {n: [fJ per area]}; ``areas_um2``;
        ``area_linearity_r2`` {n: R²} at −1 V, ``area_linearity_r2_min`` (all n and amplitudes),
        ``energy_per_area_spread_max`` (all n and amplitudes); ``argmin_n_minus1V_62500um2``;
        ``two_d_lowest_all_conditions`` (bool, every amplitude and area);
        ``psc_current_pA_2d_minus1V``, ``psc_current_pA_2d_minus0p02V``,
        ``psc_current_ratio_2d_0p02_over_1V`` (simulated I at −0.02 V over I at −1 V);
        ``paper_implied_current_pA_minus1V``, ``paper_implied_current_pA_minus0p02V``,
        ``paper_implied_current_ratio_0p02_over_1V``;
        ``paper_implied_resistance_read_ohm_minus1V``, ``..._minus0p02V``;
        ``sim_over_paper_minus0p02V``; ``literature_cited``, ``literature_sourced``,
        ``literature_min_fJ``, ``literature_min_ref``; ``sim_2d_minus1V_over_literature_min``; ``pulse_width_s``.
    """
    pe = paper_energy(pset)
    lit = load_literature() if literature is None else literature
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    area_ref = c18["area_um2"]
    e = energy["energy"]
    labels = [str(v) for v in e[N_DIM].values]
    e18 = select(e, None, c18["amplitude_V"], area_ref) / FJ
    e07 = select(e, None, c07["amplitude_V"], c07["area_um2"]) / FJ
    by_area = select(e, None, c18["amplitude_V"]) / FJ
    r2, r2_all, spread_all = {}, [], []
    for n in labels:
        for amp in e[AMPLITUDE_DIM].values:
            lin = area_linearity(e[AREA_DIM].values, select(e, n, float(amp)).values)
            r2_all.append(lin["r2_origin"])
            spread_all.append(lin["per_area_spread"])
            if math.isclose(float(amp), c18["amplitude_V"]):
                r2[n] = lin["r2_origin"]
    lowest = e.argmin(dim=N_DIM)
    i18 = implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"])
    i07 = implied_current(pe["e07_J"], c07["amplitude_V"], c07["width_s"])
    summary = literature_summary(lit)
    plot = plottable_literature(lit)
    plot = plot[plot["cited_in_fig6b"]]
    lit_min = float(np.nanmin(plot[["energy_min_fJ", "energy_max_fJ"]].to_numpy())) if len(plot) else math.nan
    lit_min_ref = (str(plot.loc[plot[["energy_min_fJ", "energy_max_fJ"]].min(axis=1).idxmin(), "ref"])
                   if len(plot) else "")
    e2d18 = float(e18.sel({N_DIM: c18["n"]}))
    e2d07 = float(e07.sel({N_DIM: c07["n"]}))
    psc = energy[PSC_VARIABLE]
    i2d18 = abs(float(select(psc, c18["n"], c18["amplitude_V"], area_ref)))
    i2d07 = abs(float(select(psc, c07["n"], c07["amplitude_V"], c07["area_um2"])))
    return {
        "energy_fJ_minus1V_62500um2": {n: float(e18.sel({N_DIM: n})) for n in labels},
        "energy_fJ_minus0p02V_62500um2": {n: float(e07.sel({N_DIM: n})) for n in labels},
        "energy_fJ_2d_minus1V": e2d18,
        "energy_fJ_2d_minus0p02V": e2d07,
        "energy_fJ_by_area_minus1V": {n: [float(v) for v in by_area.sel({N_DIM: n}).values]
                                      for n in labels},
        "areas_um2": [float(a) for a in e[AREA_DIM].values],
        "area_linearity_r2": r2,
        "area_linearity_r2_min": float(min(r2_all)),
        "energy_per_area_spread_max": float(max(spread_all)),
        "argmin_n_minus1V_62500um2": labels[int(np.argmin(e18.values))],
        "two_d_lowest_all_conditions": bool(np.all(e[N_DIM].values[lowest.values] == "1")),
        "psc_current_pA_2d_minus1V": i2d18 / PA,
        "psc_current_pA_2d_minus0p02V": i2d07 / PA,
        "psc_current_ratio_2d_0p02_over_1V": i2d07 / i2d18,
        "paper_implied_current_pA_minus1V": i18 / PA,
        "paper_implied_current_pA_minus0p02V": i07 / PA,
        "paper_implied_current_ratio_0p02_over_1V": i07 / i18,
        "paper_implied_resistance_read_ohm_minus1V": implied_resistance(i18, c18["read_voltage_V"]),
        "paper_implied_resistance_read_ohm_minus0p02V": implied_resistance(i07, c07["read_voltage_V"]),
        "sim_over_paper_minus0p02V": e2d07 * FJ / pe["e07_J"],
        "literature_cited": summary["cited"],
        "literature_sourced": summary["sourced"],
        "literature_min_fJ": lit_min,
        "literature_min_ref": lit_min_ref,
        "sim_2d_minus1V_over_literature_min": e2d18 / lit_min,
        "pulse_width_s": float(energy.attrs["pulse_width_s"]),
    }


__all__ = ["TOLERANCE", "paper_energy", "literature_path", "load_literature", "plottable_literature",
           "literature_summary", "audit_table", "audit_statements_path", "consistency_bounds",
           "model_energy_vs_gamma", "fig6_metrics", "AUDIT_COLUMNS", "GAMMA_GRID"]
