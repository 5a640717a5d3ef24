"""Perovskite-synapse compendium: the physics and analysis behind Kim et al. 2019.

The package is laid out by pipeline stage (CONTRIBUTING.md has the module table):

=================  ==========================================================================
``parameters``     the data/ files: physical parameters and paper values, with sources
``stage_io``       paths, atomic writes and the stage outputs (NetCDF, metrics JSON)
``validation``     argument checks shared by every stage
``physics``        dimensionality, optics/XRD, the device models, the paper's protocols, fits,
                   energies
``learning``       potentiation/depression curves, lookup-table devices, training, digit data
``evidence``       claims ledger, calibration, robustness sweep, held-out law, the report
``plotting``       house style and the schematic drawings
``workflow``       rule inputs from imports, checks before a run, the notebook runner
=================  ==========================================================================

Subpackages are imported on first use: ``import analysis; analysis.physics.fits``.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["parameters", "stage_io", "validation", "physics", "learning", "evidence", "plotting",
           "workflow"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
