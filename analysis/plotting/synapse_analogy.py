"""Fig. 1a — the device as a synapse: the ITO / BCCP / OHP / Al stack beside a drawn chemical synapse.

The stack's layer heights are proportional to the thicknesses of ``data/parameters/geometry.yaml``
(:func:`analysis.plotting.device_geometry.layer_stack`); the presynaptic spike is drawn with the
paper's amplitude and width, and dashed lines mark the analogy pre-terminal ↔ Al, cleft ↔ OHP
(ion migration), post membrane ↔ ITO.
"""
from __future__ import annotations

import math

import numpy as np

from analysis.plotting.device_geometry import DeviceGeometry, layer_stack
from analysis.plotting.drawing import LAYER_COLOURS, check_positive
from analysis.plotting.style import figsize, panel_label, use_style


def fig1a_synapse(geometry: DeviceGeometry, spike_amplitude_V: float, spike_width_s: float):
    """Fig. 1a: the device as a synapse, beside a drawn chemical synapse.

    The device stack (layer heights proportional to ``geometry.thickness_nm``) carries the
    presynaptic spike on the Al top electrode and the postsynaptic current read at the ITO
    bottom electrode; dashed lines mark the analogy pre-terminal ↔ Al, cleft ↔ OHP (ion
    migration), post membrane ↔ ITO.

    Parameters
    ----------
    geometry : DeviceGeometry
    spike_amplitude_V : float, V
        Amplitude of the drawn presynaptic spike (non-zero).
    spike_width_s : float, s
        Width of the drawn spike (> 0).

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        ``layer_order`` (bottom to top), ``layer_height_fraction`` (drawn heights /
        total, per layer) and the analogy mapping ``analogy``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, Polygon, Rectangle

    use_style()
    amp = float(spike_amplitude_V)
    if not math.isfinite(amp) or amp == 0:
        raise ValueError(f"spike_amplitude_V={spike_amplitude_V!r} must be a finite non-zero voltage in V")
    width_s = check_positive("spike_width_s", spike_width_s, "s", "presynaptic spike width")
    stack = layer_stack(geometry.layer_order, geometry.thickness_nm)
    total = stack[-1][2]

    fig, ax = plt.subplots(figsize=figsize("page", 6.1 / 10.4))
    # the drawing fills the page width (its right-hand labels run past x = 10.4)
    fig.subplots_adjust(left=0.01, right=0.91, bottom=0.01, top=0.99)
    panel_label(ax, "a", dx_pt=-6, dy_pt=-8)
    ax.set_xlim(0, 10.4)
    ax.set_ylim(0, 6.1)
    ax.set_aspect("equal")
    ax.axis("off")

    # --- biological synapse (left) ---
    pre_c = "#c6dbef"
    # presynaptic terminal: axon (half-width 0.4) merging into an elliptical bouton
    ecx, ecy, ea_, eb_, half = 1.95, 4.05, 1.65, 0.95, 0.4
    th0 = np.arcsin(np.sqrt(1 - (half / ea_) ** 2))          # angle where the axon meets
    th = np.linspace(th0, np.pi - th0 - 2 * np.pi, 120)      # clockwise round the bottom
    arc = np.column_stack([ecx + ea_ * np.cos(th), ecy + eb_ * np.sin(th)])
    outline = np.vstack([[[ecx + half, 6.0]], arc, [[ecx - half, 6.0]]])
    ax.add_patch(Polygon(outline, closed=False, fc=pre_c, ec="0.25", lw=0.8, zorder=1))
    vesicles = [(1.2, 4.35), (1.75, 4.6), (2.35, 4.35), (2.75, 4.0), (1.0, 3.85), (1.6, 3.75),
                (2.2, 3.7)]
    for vx, vy in vesicles:
        ax.add_patch(Circle((vx, vy), 0.2, fc="white", ec="#3f6e99", lw=0.7, zorder=2))
        for dx, dy in ((-0.06, 0.04), (0.06, -0.03), (0.0, -0.08)):
            ax.add_patch(Circle((vx + dx, vy + dy), 0.03, fc="#b2182b", ec="none", zorder=3))
    # transmitter in the cleft
    for tx, ty in ((1.45, 2.95), (1.8, 2.78), (2.1, 2.98), (2.4, 2.8), (1.95, 2.62), (2.65, 2.97)):
        ax.add_patch(Circle((tx, ty), 0.035, fc="#b2182b", ec="none", zorder=3))
    post = Polygon([[0.2, 0.7], [0.2, 2.35], [0.6, 2.5], [3.3, 2.5], [3.7, 2.35], [3.7, 0.7]],
                   closed=True, fc="#fde0c5", ec="0.25", lw=0.8, zorder=1)
    ax.add_patch(post)
    for rx in np.linspace(0.9, 3.0, 6):
        ax.add_patch(Rectangle((rx - 0.07, 2.5), 0.14, 0.14, fc="#6a51a3", ec="none", zorder=2))
    ax.text(1.45, 5.5, "presynaptic\nneuron (axon\nterminal)", ha="right", va="center", fontsize=7.5)
    ax.text(1.95, 1.5, "postsynaptic\nneuron", ha="center", va="center", fontsize=7.5)
    ax.annotate("synaptic vesicles", xy=(2.75, 4.0), xytext=(3.6, 4.9), fontsize=7, ha="left",
                arrowprops=dict(arrowstyle="-", lw=0.5, color="0.3"))
    ax.annotate("receptors", xy=(3.0, 2.62), xytext=(3.75, 2.15), fontsize=7, ha="left",
                arrowprops=dict(arrowstyle="-", lw=0.5, color="0.3"))
    ax.text(0.05, 2.95, "cleft", ha="left", va="center", fontsize=7, style="italic")
    ax.text(1.95, 0.35, "biological synapse", ha="center", fontsize=8.5, weight="bold")

    # --- device (right) ---
    x0, w = 6.1, 2.7
    z_base, z_height = 0.9, 3.4
    scale = z_height / total
    ybox = {}
    for layer, zb, zt in stack:
        y0, h = z_base + zb * scale, (zt - zb) * scale
        xs, ws = (x0 + 0.55, w - 1.1) if layer == "Al" else (x0, w)
        ax.add_patch(Rectangle((xs, y0), ws, h, fc=LAYER_COLOURS.get(layer, "0.8"), ec="0.3", lw=0.7))
        if h > 0.35:
            ax.text(xs + 0.08, y0 + h / 2, layer, ha="left", va="center", fontsize=8,
                    color="k", zorder=5)
        else:
            ax.text(x0 + w + 0.08, y0 + h / 2, layer, ha="left", va="center", fontsize=6.5)
        ybox[layer] = (y0, y0 + h)
    # Br- ions in the OHP drifting towards ITO under a negative spike on Al
    if "OHP" in ybox:
        o0, o1 = ybox["OHP"]
        rng = np.random.default_rng(7)
        pts = np.column_stack([x0 + 0.9 + rng.random(9) * (w - 1.5),
                               o0 + 0.15 + rng.random(9) * (o1 - o0 - 0.3)])
        for px, py in pts:
            ax.add_patch(Circle((px, py), 0.07, fc="white", ec="#8c2d04", lw=0.6, zorder=4))
            ax.text(px, py, "−", ha="center", va="center", fontsize=5.5, color="#8c2d04", zorder=5)
        direction = -np.sign(amp)  # Br- moves away from the negatively biased Al
        ya, yb = (o1 - 0.1, o0 + 0.1) if direction > 0 else (o0 + 0.1, o1 - 0.1)
        ax.add_patch(FancyArrowPatch((x0 + w - 0.25, ya), (x0 + w - 0.25, yb), arrowstyle="-|>",
                                     mutation_scale=8, lw=0.9, color="#8c2d04", zorder=5))
        ax.text(x0 + w + 0.08, (o0 + o1) / 2 + 0.12, r"Br$^-$ migration", fontsize=6.8,
                color="#8c2d04", va="center")
    top = ybox[geometry.layer_order[-1]][1]
    bottom = ybox[geometry.layer_order[0]][0]
    # spike on Al
    px0, py0 = x0 + 0.35, top + 0.55
    pw, ph = 0.55, 0.38
    sgn = np.sign(amp)
    ax.plot([px0 - 0.3, px0, px0, px0 + pw, px0 + pw, px0 + pw + 0.3],
            [py0, py0, py0 + sgn * ph, py0 + sgn * ph, py0, py0], color="#b2182b", lw=1.1)
    ax.add_patch(FancyArrowPatch((px0 + pw + 0.45, py0), (x0 + w / 2 + 0.2, top + 0.03),
                                 arrowstyle="-|>", mutation_scale=8, lw=0.8, color="#b2182b"))
    ax.text(px0 + pw + 0.55, py0 + 0.12,
            f"presynaptic spike\n{amp:g} V, {width_s * 1e3:g} ms, on Al".replace("-", "−"), fontsize=6.8,
            color="#b2182b", va="bottom")
    # current read on ITO
    mx, my = x0 + w + 0.45, bottom - 0.35
    ax.plot([x0 + w / 2, x0 + w / 2, mx - 0.2], [bottom, my, my], color="0.3", lw=0.8)
    ax.add_patch(Circle((mx, my), 0.2, fc="white", ec="0.2", lw=0.8))
    ax.text(mx, my, "A", ha="center", va="center", fontsize=7)
    ax.text(mx + 0.3, my, "postsynaptic current\n(EPSC) read at ITO", fontsize=6.8, va="center")
    ax.text(x0 + w / 2, 0.2, "OHP artificial synapse", ha="center", fontsize=8.5, weight="bold")

    # --- analogy lines ---
    pairs = [("presynaptic terminal", (3.65, 4.0), ybox.get("Al", (top, top))),
             ("cleft: transmitter / ion flux", (3.05, 2.85), ybox.get("OHP", (top, top))),
             ("postsynaptic membrane", (3.75, 1.6), ybox.get("ITO", (bottom, bottom)))]
    for text, (bx, by), (d0, d1) in pairs:
        dy = (d0 + d1) / 2
        xe = x0 + (0.5 if text.startswith("pre") else 0.0) - 0.05
        ax.plot([bx + 0.05, xe], [by, dy], ls="--", lw=0.6, color="0.45", zorder=0.5)
    ax.text(4.85, 3.45, "↔", ha="center", va="center", fontsize=16, color="0.35")
    ax.text(4.85, 3.1, "analogy", ha="center", va="center", fontsize=7, color="0.35")
    drawn = {"layer_order": [s[0] for s in stack],
             "layer_height_fraction": {s[0]: (s[2] - s[1]) / total for s in stack},
             "analogy": {"presynaptic terminal": "Al (top electrode)",
                         "synaptic cleft": "OHP (ion migration)",
                         "postsynaptic membrane": "ITO (bottom electrode)"}}
    return fig, drawn
