"""The calibration stage: every film's device model fitted to Table 2, and the current scale.

The model's own calibration (which free parameter is tied to which Table 2 number, and the
search) belongs to the model (:mod:`analysis.physics.multitrap_model` for the multi-trap model);
the analyses of the simulated experiments are model-independent (:mod:`analysis.physics.table2`).
This module holds what the stage adds: the paper's targets (Table 2 per film, the ≈18 fJ of the
2D device that sets the one current scale), the acceptance tolerances (passed in, from
data/evidence/effect_sizes.yaml), the calibration of every film, and its YAML form.

All searches are deterministic. The workflow's calibrate stage writes the result to
``<results>/calibration/multitrap.yaml`` (:func:`write_calibrated`), from which every later stage
builds its devices; ``make references`` copies it to the reference calibration
(``data/reference/calibration/multitrap.yaml``), which the regression check compares it with.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from analysis.parameters import ParameterSet, default_parameters
from analysis.physics.dimensionality import N_VALUES, parse_n
from analysis.physics.interface import SynapseModel
from analysis.physics import models

log = logging.getLogger(__name__)

MODEL = models.get(models.PRIMARY_MODEL)
"""The device model this stage calibrates and builds (the primary, multi-trap model; a
:class:`~analysis.physics.interface.SynapseModel`)."""


def tolerances(sizes: dict | None = None) -> dict:
    """Acceptance of a calibration: b and m relative, Ea absolute [eV], from the effect sizes
    (data/evidence/effect_sizes.yaml, stated once; *sizes* is that table)."""
    if sizes is None:
        from analysis.evidence.rules import effect_sizes
        sizes = effect_sizes()
    return {"b": float(sizes["power_law_b"]["value"]), "m": float(sizes["power_law_m"]["value"]),
            "Ea": float(sizes["activation_energy"]["value"])}


def targets(n, pset: ParameterSet | None = None) -> dict:
    """Table 2 row of *n*: ``{"b", "m", "Ea"}`` from the paper's values."""
    row = (pset or default_parameters()).paper()["table2"]["value"][parse_n(n)]
    return {"b": float(row["b"]), "m": float(row["m"]), "Ea": float(row["Ea"])}


def energy_target(pset: ParameterSet | None = None) -> dict:
    """The paper's ≈18 fJ of the 2D device and its conditions."""
    e = (pset or default_parameters()).paper()["energy"]["two_d_250um_minus1V_fJ"]
    return {"energy_J": float(e["value"]) * 1e-15, **e["conditions"]}


def calibrate_film(n, pset: ParameterSet | None = None, start: dict | None = None,
                   model: SynapseModel = MODEL) -> dict:
    """Film *n* of *model* (default the multi-trap model) calibrated to its Table 2 row
    (``model.calibrate``; for the multi-trap model :func:`analysis.physics.multitrap_model.calibrate_n`)."""
    return model.calibrate(n, targets(n, pset), pset, start)


def scale_of(result_of_reference: dict, pset: ParameterSet | None = None,
             model: SynapseModel = MODEL) -> dict:
    """``model.calibrate_scale`` on the calibrated reference film (*result_of_reference*, a
    ``model.calibrate`` result or its free values) to the paper's energy per spike
    (:func:`energy_target`): ``{"free": {scale name: value}, "achieved_J": J or None}``."""
    target = energy_target(pset)
    free = result_of_reference.get("free", result_of_reference)
    return model.calibrate_scale(target["n"], free, target, pset)


def calibrate_scale(result_of_reference: dict, pset: ParameterSet | None = None) -> tuple[float, float]:
    """The multi-trap model's current scale sigma0 [S/µm²] and the energy it achieves [J]
    (:func:`scale_of`)."""
    scale = scale_of(result_of_reference, pset, MODEL)
    return scale["free"]["sigma0_S_per_um2"], scale["achieved_J"]


def calibrated_devices(per_n: dict, scale: dict, pset: ParameterSet | None = None,
                       model: SynapseModel = MODEL) -> dict:
    """label -> the :class:`~analysis.physics.interface.Synapse` of each calibrated film of
    *per_n* (label -> ``model.calibrate`` result) with the scale values *scale*
    (:func:`scale_of`'s ``free``)."""
    return {n: model.build(n, {**c["free"], **scale}, pset) for n, c in per_n.items()}


# --------------------------------------------------------------------------- the stage
def calibrate_all(n_values=N_VALUES, pset: ParameterSet | None = None) -> dict:
    """Calibrate every dimensionality and the current scale (deterministic).

    Returns
    -------
    dict
        ``per_n`` (label -> :func:`calibrate_n` result), ``sigma0_S_per_um2``,
        ``energy`` (target and achieved, J).
    """
    per_n = {parse_n(n): calibrate_film(n, pset) for n in n_values}
    cond = energy_target(pset)
    ref = parse_n(cond["n"])
    c = per_n[ref] if ref in per_n else calibrate_film(ref, pset)
    sigma0, energy = calibrate_scale(c, pset)
    return {"per_n": per_n, "sigma0_S_per_um2": sigma0,
            "energy": {"target_J": cond["energy_J"], "achieved_J": energy,
                       "residual_J": energy - cond["energy_J"]}}


# --------------------------------------------------------------------------- yaml
def to_yaml_mapping(result: dict) -> dict:
    """The content of a calibration file (every entry has value, units, meaning, source)."""
    per = result["per_n"]
    labels = [n for n in N_VALUES if n in per]

    def by_n(key, sub=None):
        return {n: float(per[n][key] if sub is None else per[n][key][sub]) for n in labels}

    return {
        "ea_eV": {
            "value": by_n("ea_eV"), "units": "eV",
            "meaning": "migration barrier Ea of Br- vacancies (rate g ~ exp(-Ea/kT); activated conduction G_base ~ exp(-Ea/kT))",
            "source": "calibrated: Table 2 E_A, slope of the Arrhenius fit ln R = ln R0 + Ea/kT of the simulated R(T) over 250-340 K",
            "target": by_n("target", "Ea"), "achieved": by_n("achieved", "Ea"),
            "residual": by_n("residual", "Ea")},
        "e0_eV": {
            "value": by_n("e0_eV"), "units": "eV",
            "meaning": "width E0 of the exponential distribution of release barriers of migrated ions, w_k ~ exp(-E_k/E0) (m ~ kT/E0)",
            "source": "calibrated: Table 2 m, power-law fit y = b t^-m of the simulated decay after the 30th rehearsal (0.05-15 s)",
            "target": by_n("target", "m"), "achieved": by_n("achieved", "m"),
            "residual": by_n("residual", "m")},
        "nu_m_per_s": {
            "value": by_n("nu_m_per_s"), "units": "1/s",
            "meaning": "prefactor nu_m of the field-assisted migration rate g = nu_m exp(-Ea/kT) sinh(|V|/V0)",
            "source": "calibrated: Table 2 b, power-law fit y = b t^-m of the simulated decay after the 30th rehearsal (0.05-15 s)",
            "target": by_n("target", "b"), "achieved": by_n("achieved", "b"),
            "residual": by_n("residual", "b")},
        "sigma0_S_per_um2": {
            "value": float(result["sigma0_S_per_um2"]), "units": "S/um^2",
            "meaning": "conductance prefactor per area: G_base = sigma0 area f_inorg(n) [exp(-Ea/kT) + L exp(-Ea/kT_ref)]",
            "source": "calibrated: energy |P| I t = 18 fJ of the n = 1 device (250 um x 250 um, -1 V, 20 ms, I = peak EPSC read at -0.01 V), paper p. 7",
            "target": float(result["energy"]["target_J"]), "achieved": float(result["energy"]["achieved_J"]),
            "residual": float(result["energy"]["residual_J"]), "target_units": "J"},
    }


HEADER = ("# Per-n calibrated parameters of the synapse model (analysis/physics/multitrap.py).\n"
          "# Written by the workflow's calibrate stage (analysis/evidence/calibration.py); do not edit.\n"
          "# Each entry: value (by dimensionality n), units, meaning, source, and the calibration\n"
          "# target, the value the analysis of the simulated experiment achieved, and the residual.\n")


# entry of the file -> (key of the film's result, its Table 2 target)
_PER_FILM = {"ea_eV": ("ea_eV", "Ea"), "e0_eV": ("e0_eV", "m"), "nu_m_per_s": ("nu_m_per_s", "b")}


def from_yaml_mapping(mapping: dict) -> dict:
    """The calibration result :func:`to_yaml_mapping` made *mapping* from (its inverse; the films
    are those of ``ea_eV``'s values).

    Raises
    ------
    KeyError, TypeError
        If *mapping* lacks an entry, a key of one or a film.
    """
    per_n = {}
    for n in mapping["ea_eV"]["value"]:
        film = {"target": {}, "achieved": {}, "residual": {}}
        for name, (key, target) in _PER_FILM.items():
            entry = mapping[name]
            film[key] = entry["value"][n]
            for part in ("target", "achieved", "residual"):
                film[part][target] = entry[part][n]
        per_n[n] = film
    s = mapping["sigma0_S_per_um2"]
    return {"per_n": per_n, "sigma0_S_per_um2": s["value"],
            "energy": {"target_J": s["target"], "achieved_J": s["achieved"], "residual_J": s["residual"]}}


def calibrated_text(result: dict) -> str:
    """The text of the calibration file of *result*, as :func:`write_calibrated` writes it."""
    return HEADER + yaml.safe_dump(to_yaml_mapping(result), sort_keys=False, width=200)


def write_calibrated(result: dict, path: str | Path) -> Path:
    """Write the calibration result as YAML (full float precision, fixed key order; atomic)."""
    from analysis.stage_io import write_text
    path = Path(path)
    write_text(calibrated_text(result), path)
    return path


def file_problem(path: str | Path) -> str | None:
    """Why *path* is not a calibration file as :func:`write_calibrated` writes one, or ``None``:
    the file is read back into a calibration result and written again in memory, and the text
    must be the file's own (:func:`analysis.stage_io.readback_problem`).

    Returns
    -------
    str or None
        One line: the YAML error, what the file lacks, or the first line that differs.
    """
    from analysis.stage_io import readback_problem
    problem = readback_problem(path, lambda mapping: calibrated_text(from_yaml_mapping(mapping)))
    if problem and problem.startswith("not a whole calibration file"):
        problem += (f" (every entry of {', '.join(_PER_FILM)}, sigma0_S_per_um2 with value, units, "
                    "meaning, source, target, achieved, residual for every film)")
    return problem


def main(argv=None) -> int:
    """CLI: ``python -m analysis.evidence.calibration [--output FILE] [--n N ...]``: calibrate
    and print (and write *FILE*); the workflow's calibrate stage does the same in its notebook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="write the calibration to this YAML file")
    parser.add_argument("--n", nargs="+", default=list(N_VALUES), help="films (default all six)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = calibrate_all(args.n)
    for n, r in result["per_n"].items():
        log.info("n=%-3s b=%.5g (%.5g)  m=%.5g (%.5g)  Ea=%.5f (%.3f)", n, r["achieved"]["b"],
                 r["target"]["b"], r["achieved"]["m"], r["target"]["m"], r["achieved"]["Ea"],
                 r["target"]["Ea"])
    log.info("sigma0 = %.6g S/um^2, energy = %.4g fJ", result["sigma0_S_per_um2"],
             result["energy"]["achieved_J"] * 1e15)
    if args.output:
        log.info("wrote %s", write_calibrated(result, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
