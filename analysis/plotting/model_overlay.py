"""Figures that overlay the device models (issue 19 §3: Figs. 3, 4b, 5b, S1, S11a): the multi-trap
model's curves as they were, each further model's in the same colour per film with its own line
style, and a legend that names every model.

A notebook with a ``models`` parameter (the workflow passes config ``models`` to the notebooks
whose entry in rules/notebooks.yaml has ``overlay: true``) calls :func:`other_films` for the
further models' simulated films and :func:`legend_handles` for the legend entries.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt

from analysis import stage_io as io
from analysis.physics import models as _models

STYLES = {"multitrap": {"ls": "-", "marker": "o"},
          "driftdiffusion": {"ls": "--", "marker": "x"}}
"""Line style and marker of each model (colours stay the films')."""


def style(model: str) -> dict:
    """Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for *model* (line style, marker)."""
    return dict(STYLES[_models.check_model(model)])


def other_films(results_dir, n_values, models) -> dict:
    """``model -> {label -> Dataset}`` of every model in *models* besides the multi-trap model,
    read from its simulations (``simulate/<model>/n{n}.nc``) for the films *n_values* (None: all).

    A model without a current scale of its own (no ``scale_parameters``: the drift–diffusion
    model) is drawn at the paper's current scale, as its claims are judged: every current and
    conductance times the factor that gives its 2D device the paper's energy at the default
    anchor (:func:`analysis.evidence.model_form.current_scale`, data/evidence/model_form.yaml);
    each Dataset records it in ``attrs["current_scale"]`` (NaN, and the model's own currents,
    when the run has no n = 1 simulation to anchor them)."""
    from analysis.evidence import model_form
    out = {}
    for model in models or ():
        if _models.check_model(model) == io.PRIMARY_MODEL:
            continue
        sims = io.load_simulations(results_dir, n_values, model=model)
        films = {str(n): io.film(sims, n) for n in sims[io.SIMULATION_DIM].values}
        factor = 1.0
        if not _models.get(model).scale_parameters:
            anchor_film = films.get("1")
            if anchor_film is None and io.simulation_path(results_dir, "1", model).exists():
                anchor_film = io.film(io.load_simulations(results_dir, ["1"], model=model), "1")
            factor = model_form.current_scale({"1": anchor_film} if anchor_film is not None else {},
                                              anchor=model_form.anchors()[0])
            if math.isfinite(factor):
                films = model_form.scaled(films, factor)
        out[model] = {n: ds.assign_attrs(current_scale=factor) for n, ds in films.items()}
    return out


def legend_handles(models, colour="0.3", markers: bool = True, primary_marker: bool = True) -> list:
    """One legend entry per model of *models* (the multi-trap model first), in *colour*, with
    the model's line style (and marker), labelled with the model's name. *primary_marker*
    False: the multi-trap model's entry has no marker — for a figure whose multi-trap lines
    carry the films' markers (Fig. 3), where its own marker would be drawn by one film only."""
    names = [io.PRIMARY_MODEL] + [m for m in models or () if m != io.PRIMARY_MODEL]
    out = []
    for m in names:
        st = style(m)
        mark = markers and (primary_marker or m != io.PRIMARY_MODEL)
        out.append(plt.Line2D([], [], color=colour, ls=st["ls"], marker=st["marker"] if mark else None,
                              ms=3, label=_models.LABELS[m]))
    return out


__all__ = ["STYLES", "style", "other_films", "legend_handles"]
