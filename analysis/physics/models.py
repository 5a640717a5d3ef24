"""The device models a run simulates, by name: building their calibrated devices and calibrating
them, so that the workflow (config ``models``) and the notebooks name a model, never its module.

=================  ===========================================================================
``multitrap``      :mod:`analysis.physics.multitrap` (the primary model: its outputs keep the
                   workflow's original paths)
``driftdiffusion`` :mod:`analysis.physics.driftdiffusion` (1-D drift–diffusion of Br⁻ vacancies
                   with multiple trapping; calibration :mod:`analysis.physics.dd_calibration`)
=================  ===========================================================================

Mesh: the drift–diffusion model has a full and a coarser quick mesh
(:data:`analysis.physics.driftdiffusion.QUICK_MESH`, the ``driftdiffusion.mesh`` setting of a
profile); the multi-trap model has no mesh and ignores it.
"""
from __future__ import annotations

from analysis.stage_io import PRIMARY_MODEL

MODELS = ("multitrap", "driftdiffusion")
"""Names of the device models (config ``models``), the primary one first."""

MESHES = ("full", "quick")
"""Meshes of the drift–diffusion model (profile setting ``driftdiffusion.mesh``)."""

LABELS = {"multitrap": "multi-trap model", "driftdiffusion": "drift–diffusion model"}
"""How figures and the report name each model."""


def check_model(model: str) -> str:
    """*model* if it is one of :data:`MODELS`, else a ValueError naming the choices."""
    if model not in MODELS:
        raise ValueError(f"model={model!r} is not a device model; expected one of {', '.join(MODELS)}")
    return model


def _dd_params(mesh: str):
    return get("driftdiffusion", mesh).parameters()


def get(model: str, mesh: str = "full"):
    """The :class:`~analysis.physics.interface.SynapseModel` named *model* (on *mesh*, for a
    model with a mesh; :data:`MESHES`)."""
    check_model(model)
    if mesh not in MESHES:
        raise ValueError(f"mesh={mesh!r}: expected one of {', '.join(MESHES)}")
    if model == PRIMARY_MODEL:
        from analysis.physics.multitrap_model import MODEL
        return MODEL
    from analysis.physics import driftdiffusion as dd
    return dd.DriftDiffusionModel(dd.QUICK_MESH if mesh == "quick" else None)


def device(model: str, n, calibrated: dict | None, mesh: str = "full", pset=None):
    """The calibrated :class:`~analysis.physics.interface.Synapse` of film *n* under *model*,
    from *calibrated* (``name -> value`` of the model's calibrate-stage output; None: the
    model's reference calibration)."""
    m = get(model, mesh)
    return m.build(n, m.calibrated_free(n, calibrated), pset)


def calibrate_driftdiffusion(n_values, mesh: str = "full") -> dict:
    """:func:`analysis.physics.dd_calibration.calibrate_all` of the films *n_values* on *mesh*
    (a film that cannot be calibrated is kept with its reason)."""
    from analysis.physics import dd_calibration
    return dd_calibration.calibrate_all(n_values, params=_dd_params(mesh))


__all__ = ["MODELS", "MESHES", "LABELS", "PRIMARY_MODEL", "check_model", "get", "device", "calibrate_driftdiffusion"]
