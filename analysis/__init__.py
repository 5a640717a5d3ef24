"""Perovskite-synapse compendium: the physics and analysis behind Kim et al. 2019.

Submodules, named after the physics or the workflow step they serve:

========================  ===============================================================
``dimensionality``        labels and formulae of the six films, n = 1 … 5, ∞
``optics``, ``colour``    excitonic absorption/PL of phase mixtures; CIE colours (Fig. 2a,b)
``structure``             XRD of layered and cubic phases (Fig. 2c)
``device``                ion-migration model of the ITO/BCCP/OHP/Al synapse
``protocols``             the paper's pulse experiments on the model (Figs. 3–6, S1, S5–S11)
``fits``                  power-law, Arrhenius, PPF fits and plasticity indices (any data)
``calibration``           fits the device parameters to Table 2
``energy``                energy per synaptic event and the audit of the paper's numbers
``robustness``            claims under the unfixed assumptions: sweep, robustness, classes
``heldout``               leave-one-n-out prediction of Table 2 from a structural law
``synaptic_weights``      potentiation/depression curves: NL, asymmetry, states; lookup-table devices
``training``, ``datasets``  device-aware digit classification; verified MNIST / 8×8 digits
``schematics``            Figs. 1, 4a, 5a drawn from the same parameters
``claims``, ``report``    the claims ledger, regression checks and the HTML report
``io``, ``figures``, ``datafiles``, ``runner``, ``validation``   plumbing
========================  ===============================================================

Submodules are imported on first use: ``import analysis; analysis.fits.power_law_fit``.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"
__all__ = ["calibration", "claims", "colour", "datasets", "device", "dimensionality", "energy",
           "figures", "fits", "heldout", "io", "optics", "protocols", "datafiles",
           "report", "robustness", "runner", "schematics", "structure", "synaptic_weights", "training",
           "validation"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
