"""Fig. 1b — the device geometry: the crossbar and the layer cross-section, both to scale.

The electrode widths are the paper's (``device.electrode_width_um`` of
``data/paper/values.yaml``), the layer order and thicknesses ``data/parameters/geometry.yaml``
(:func:`load_device_geometry`).  :func:`crossbar_layout` and :func:`layer_stack` are the
geometry (µm, nm), :func:`fig1b_geometry` the figure; the layer stack is drawn again in
Fig. 1a (:mod:`analysis.plotting.synapse_analogy`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.plotting.drawing import (C_AL, C_GLASS, C_ITO, C_OHP, LAYER_COLOURS, check_nonnegative,
                                       check_positive)
from analysis.plotting.style import axis_label, figsize, panel_label, use_style


@dataclass(frozen=True)
class DeviceGeometry:
    """Device geometry for the drawings.

    Attributes
    ----------
    electrode_widths_um : tuple of float, µm
        Widths of the electrode lines (the device is a square crossing).
    layer_order : tuple of str
        Layers from the substrate up.
    thickness_nm : dict, nm
        Thickness of each layer.
    line_gap_um, line_overhang_um : float, µm
        Drawing choices for the crossbar layout.
    """

    electrode_widths_um: tuple
    layer_order: tuple
    thickness_nm: dict = field(default_factory=dict)
    line_gap_um: float = 750.0
    line_overhang_um: float = 600.0


def load_device_geometry() -> DeviceGeometry:
    """Electrode widths from the paper values, layers from ``data/parameters/geometry.yaml``."""
    from analysis.parameters import paper_values, parameters

    p = parameters("geometry")
    widths = tuple(float(w) for w in paper_values()["device"]["electrode_width_um"]["value"])
    order = tuple(str(x) for x in p["layer_order"].value)
    thick = {}
    for layer in order:
        key = f"{layer.lower()}_thickness"
        if key not in p:
            msg = f"data/parameters/geometry.yaml lacks {key} for layer {layer!r} of layer_order"
            raise ValueError(msg)
        if p[key].units != "nm":
            raise ValueError(f"geometry parameter {key} has units={p[key].units!r}; expected 'nm'")
        thick[layer] = float(p[key].value)
    for key in ("line_gap", "line_overhang"):
        if p[key].units != "um":
            raise ValueError(f"geometry parameter {key} has units={p[key].units!r}; expected 'um'")
    return DeviceGeometry(electrode_widths_um=widths, layer_order=order, thickness_nm=thick,
                          line_gap_um=float(p["line_gap"].value),
                          line_overhang_um=float(p["line_overhang"].value))


@dataclass(frozen=True)
class Crossbar:
    """Rectangles ``(x, y, width, height)`` in µm of a crossbar drawing.

    ``bottom_lines`` are the ITO lines (vertical), ``top_lines`` the Al lines
    (horizontal); ``crossings[i][j]`` is the overlap of ITO line i and Al line j;
    ``devices[i] = crossings[i][i]``, the square w_i × w_i synapses.
    """

    bottom_lines: np.ndarray
    top_lines: np.ndarray
    crossings: np.ndarray
    devices: np.ndarray
    extent: tuple


def crossbar_layout(widths_um, gap_um: float, overhang_um: float) -> Crossbar:
    """Crossbar of ITO lines (vertical) under Al lines (horizontal), to scale in µm.

    Line i of either set has width ``widths_um[i]``; lines are separated edge-to-edge
    by *gap_um* and extend *overhang_um* beyond the outermost crossing line.

    Parameters
    ----------
    widths_um : sequence of float, µm
        Electrode widths (> 0).
    gap_um : float, µm
        Edge-to-edge gap between neighbouring lines (>= 0).
    overhang_um : float, µm
        Extension of each line beyond the crossing region (>= 0).

    Returns
    -------
    Crossbar

    Raises
    ------
    ValueError
        For an empty width list, a width <= 0 or a negative gap or overhang.
    """
    widths = np.atleast_1d(np.asarray(widths_um, dtype=float))
    if widths.ndim != 1 or widths.size == 0:
        raise ValueError(f"widths_um={widths_um!r} must be a non-empty list of electrode widths in µm")
    for i, w in enumerate(widths):
        check_positive(f"widths_um[{i}]", w, "µm", "electrode line width")
    gap = check_nonnegative("gap_um", gap_um, "µm", "edge-to-edge gap between lines")
    over = check_nonnegative("overhang_um", overhang_um, "µm", "line extension beyond the crossings")
    starts = np.concatenate([[0.0], np.cumsum(widths[:-1] + gap)])
    span = float(widths.sum() + gap * (len(widths) - 1))
    lo, hi = -over, span + over
    bottom = np.column_stack([starts, np.full_like(starts, lo), widths, np.full_like(starts, hi - lo)])
    top = np.column_stack([np.full_like(starts, lo), starts, np.full_like(starts, hi - lo), widths])
    cross = np.array([[[starts[i], starts[j], widths[i], widths[j]] for j in range(len(widths))]
                      for i in range(len(widths))])
    devices = np.array([cross[i, i] for i in range(len(widths))])
    return Crossbar(bottom_lines=bottom, top_lines=top, crossings=cross, devices=devices,
                    extent=(lo, hi, lo, hi))


def layer_stack(order, thickness_nm: dict) -> list[tuple[str, float, float]]:
    """``(layer, bottom, top)`` in nm for the layers of *order* stacked from z = 0.

    Raises
    ------
    ValueError
        If a layer has no thickness or a thickness is <= 0.
    """
    out, z = [], 0.0
    order = list(order)
    if not order:
        raise ValueError("order=[] must list at least one layer (e.g. ITO, BCCP, OHP, Al)")
    for layer in order:
        if layer not in thickness_nm:
            msg = f"thickness_nm has no entry for layer {layer!r}; expected keys {order}"
            raise ValueError(msg)
        t = check_positive(f"thickness_nm[{layer!r}]", thickness_nm[layer], "nm", "layer thickness")
        out.append((layer, z, z + t))
        z += t
    return out


def _layer_role(layer: str) -> str:
    return {"ITO": "bottom electrode (postsynaptic)", "Al": "top electrode (presynaptic)",
            "BCCP": "buffer-capped PEDOT:PSS:PFI", "OHP": r"(PEA)$_2$MA$_{n-1}$Pb$_n$Br$_{3n+1}$"}.get(layer, "")


def fig1b_geometry(geometry: DeviceGeometry, *, scale_bar_um: float = 500.0):
    """Fig. 1b: crossbar to scale (µm) and the layer cross-section to scale (nm).

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        ``device_width_um`` and ``device_height_um`` (lists, measured from the drawn
        rectangles), ``device_area_um2`` and ``layer_order`` (bottom to top) and
        ``layer_thickness_nm`` (measured from the drawn stack).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    use_style()
    bar = check_positive("scale_bar_um", scale_bar_um, "µm", "scale bar length")
    cb = crossbar_layout(geometry.electrode_widths_um, geometry.line_gap_um, geometry.line_overhang_um)
    stack = layer_stack(geometry.layer_order, geometry.thickness_nm)
    fig, (ax, axs) = plt.subplots(1, 2, figsize=figsize("page", 0.5), gridspec_kw={"width_ratios": [1.35, 1]})
    for x, y, w, h in cb.bottom_lines:
        ax.add_patch(Rectangle((x, y), w, h, fc=C_ITO, ec="#4a7fa3", lw=0.6, zorder=1))
    ax.add_patch(Rectangle((cb.extent[0] + 150, cb.extent[0] + 150),
                           cb.extent[1] - cb.extent[0] - 300, cb.extent[3] - cb.extent[2] - 300,
                           fc=C_OHP, ec="none", alpha=0.25, zorder=1.5))
    for x, y, w, h in cb.top_lines:
        ax.add_patch(Rectangle((x, y), w, h, fc=C_AL, ec="0.35", lw=0.6, alpha=0.85, zorder=2))
    widths = list(geometry.electrode_widths_um)
    for (x, y, w, h), wd in zip(cb.devices, widths):
        ax.add_patch(Rectangle((x, y), w, h, fc="none", ec="#b2182b", lw=1.3, zorder=3))
        inside = False  # labels above the squares (readable at every size)
        ax.text(x + w / 2, y + h / 2 if inside else y + h + 30, f"{wd:g} × {wd:g}\nµm²",
                ha="center", va="center" if inside else "bottom", fontsize=6.5,
                color="#7f0000", zorder=4)
    lo, hi = cb.extent[0], cb.extent[1]
    for (x, _, w, _), wd in zip(cb.bottom_lines, widths):
        ax.text(x + w / 2, lo - 60, f"{wd:g} µm", ha="center", va="top", fontsize=7, color="#2b5d80")
    for (_, y, _, h), wd in zip(cb.top_lines, widths):
        ax.text(hi + 60, y + h / 2, f"{wd:g} µm", ha="left", va="center", fontsize=7, color="0.25")
    ax.text(cb.bottom_lines[0, 0] + cb.bottom_lines[0, 2] / 2, hi + 70, "ITO lines\n(bottom)",
            ha="center", va="bottom", fontsize=7.5, color="#2b5d80")
    ax.text(lo - 60, cb.top_lines[-1, 1] + cb.top_lines[-1, 3] / 2, "Al lines\n(top)",
            ha="right", va="center", fontsize=7.5, color="0.25")
    ax.plot([lo, lo + bar], [lo - 380, lo - 380], color="k", lw=2, solid_capstyle="butt")
    ax.text(lo + bar / 2, lo - 420, f"{bar:g} µm", ha="center", va="top", fontsize=7)
    ax.set_xlim(lo - 560, hi + 420)
    ax.set_ylim(lo - 560, hi + 480)
    ax.set_aspect("equal")
    ax.axis("off")
    handles = [Patch(fc=C_ITO, ec="#4a7fa3", label="ITO (bottom)"),
               Patch(fc=C_AL, ec="0.35", label="Al (top)"),
               Patch(fc=C_OHP, alpha=0.25, ec="none", label="BCCP + OHP film"),
               Patch(fc="none", ec="#b2182b", label="device (w × w)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.0), ncol=2, fontsize=7,
              handlelength=1.2, columnspacing=1.0)
    panel_label(ax, "b", dx_pt=-6, caption="crossbar, top view (to scale)")

    total = stack[-1][2]
    glass = 0.25 * total
    axs.add_patch(Rectangle((0, -glass), 1, glass, fc=C_GLASS, ec="0.5", lw=0.6, hatch="//"))
    axs.text(0.5, -glass / 2, "glass (not to scale)", ha="center", va="center", fontsize=7)
    measured = {}
    for layer, z0, z1 in stack:
        fc = LAYER_COLOURS.get(layer, "0.8")
        x0, w = (0.2, 0.6) if layer == "Al" else (0.0, 1.0)
        axs.add_patch(Rectangle((x0, z0), w, z1 - z0, fc=fc, ec="0.3", lw=0.6))
        measured[layer] = z1 - z0
        txt_col = "white" if layer == "BCCP" else "k"
        if z1 - z0 >= 0.12 * total:
            axs.text(0.5, (z0 + z1) / 2, layer, ha="center", va="center", fontsize=8, color=txt_col)
        axs.text(1.06, (z0 + z1) / 2, f"{layer}, {z1 - z0:g} nm\n{_layer_role(layer)}",
                 ha="left", va="center", fontsize=6.8)
    axs.set_xlim(-0.05, 2.35)
    axs.set_ylim(-glass * 1.05, total * 1.04)
    axs.spines["bottom"].set_visible(False)
    axs.set_xticks([])
    axs.set_ylabel(axis_label("height above ITO bottom", "nm"))
    panel_label(axs, "b′", dx_pt=-40, caption="cross-section (thicknesses to scale)")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.05, wspace=0.15)
    drawn = {"device_width_um": [float(d[2]) for d in cb.devices],
             "device_height_um": [float(d[3]) for d in cb.devices],
             "device_area_um2": [float(d[2] * d[3]) for d in cb.devices],
             "layer_order": [s[0] for s in stack],
             "layer_thickness_nm": measured}
    return fig, drawn
