"""Fig. 4a — the Atkinson–Shiffrin multistore model mapped onto STP → LTP of the device.

:func:`multistore_layout` places the boxes and arrows (diagram units; every arrow starts and
ends on a box edge), :func:`fig4a_multistore` draws them.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.plotting.drawing import check_count
from analysis.plotting.style import figsize, panel_label, use_style


@dataclass(frozen=True)
class Box:
    """A labelled box ``(x, y, width, height)`` in diagram units."""

    x: float
    y: float
    w: float
    h: float
    text: str
    row: str

    def edge_point(self, side: str, frac: float = 0.5) -> tuple[float, float]:
        """The point at fraction *frac* along side ``left|right|top|bottom``."""
        if side == "left":
            return (self.x, self.y + frac * self.h)
        if side == "right":
            return (self.x + self.w, self.y + frac * self.h)
        if side == "top":
            return (self.x + frac * self.w, self.y + self.h)
        if side == "bottom":
            return (self.x + frac * self.w, self.y)
        raise ValueError(f"side={side!r} must be one of left, right, top, bottom")


@dataclass(frozen=True)
class Arrow:
    """An arrow between two points with a label; ``rad`` bends it (0 = straight)."""

    start: tuple
    end: tuple
    text: str
    kind: str
    rad: float = 0.0


def multistore_layout(rehearsals: int = 30) -> tuple[dict[str, Box], list[Arrow]]:
    """Boxes and arrows of the Atkinson–Shiffrin model and its device analogue.

    Top row: sensory → short-term → long-term memory with attention, rehearsal
    (loop and transfer), forgetting and retrieval.  Bottom row: the device's
    spike input, STP (EPSC after one spike decays by back-diffusion) and LTP
    (retention after *rehearsals* repeated spikes).  Every arrow starts and ends on a
    box edge, except the forgetting arrows, which end at a free "forgotten" label.

    Parameters
    ----------
    rehearsals : int
        Number of repeated spikes that convert STP to LTP in the drawing (>= 2).

    Returns
    -------
    boxes : dict
        ``name -> Box``.
    arrows : list of Arrow
        ``kind`` is ``flow``, ``rehearsal``, ``forget``, ``retrieval`` or ``analogy``.
    """
    rehearsals = check_count("rehearsals", rehearsals, 2, "repeated spikes for LTP")
    bw, bh = 2.7, 1.15
    ytop, ybot = 4.3, 0.75
    xs = (1.1, 5.0, 8.9)
    boxes = {
        "sensory": Box(xs[0], ytop, bw, bh, "Sensory\nmemory", "model"),
        "stm": Box(xs[1], ytop, bw, bh, "Short-term\nmemory (STM)", "model"),
        "ltm": Box(xs[2], ytop, bw, bh, "Long-term\nmemory (LTM)", "model"),
        "spike": Box(xs[0], ybot, bw, bh + 0.35, "presynaptic spike\non Al\n(input)", "device"),
        "stp": Box(xs[1], ybot, bw, bh + 0.35,
                   "STP: the EPSC after\none spike decays\n(Br$^-$ back-diffusion)", "device"),
        "ltp": Box(xs[2], ybot, bw, bh + 0.35,
                   f"LTP: after {rehearsals} repeated\nspikes the current is\nretained (y = b t$^{{-m}}$)",
                   "device"),
    }
    b = boxes
    arrows = [
        Arrow(b["sensory"].edge_point("right"), b["stm"].edge_point("left"), "attention", "flow"),
        Arrow(b["stm"].edge_point("right", 0.7), b["ltm"].edge_point("left", 0.7),
              "transfer", "flow"),
        Arrow(b["ltm"].edge_point("left", 0.25), b["stm"].edge_point("right", 0.25), "retrieval",
              "retrieval"),
        Arrow(b["stm"].edge_point("top", 0.7), b["stm"].edge_point("top", 0.3), "rehearsal", "rehearsal",
              rad=1.2),
        Arrow(b["sensory"].edge_point("bottom", 0.5), (xs[0] + bw / 2, ytop - 0.75), "forgotten", "forget"),
        Arrow(b["stm"].edge_point("bottom", 0.5), (xs[1] + bw / 2, ytop - 0.75), "forgotten", "forget"),
        Arrow(b["spike"].edge_point("right"), b["stp"].edge_point("left"), "1 spike", "flow"),
        Arrow(b["stp"].edge_point("right"), b["ltp"].edge_point("left"), f"{rehearsals} spikes", "flow"),
    ]
    return boxes, arrows


def _boxes_overlap(a: Box, b: Box) -> bool:
    return not (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y)


def fig4a_multistore(rehearsals: int = 30):
    """Fig. 4a: the multistore model mapped onto the device's STP → LTP behaviour.

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        ``boxes`` (name -> [x, y, w, h]) and ``rehearsals``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    use_style()
    boxes, arrows = multistore_layout(rehearsals)
    fig, ax = plt.subplots(figsize=figsize("page", 6.35 / 11.7))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)   # the drawing fills the page width
    panel_label(ax, "a", dx_pt=-6, dy_pt=-8)
    ax.set_xlim(0, 11.7)
    ax.set_ylim(0.2, 6.55)
    ax.set_aspect("equal")
    ax.axis("off")
    fills = {"model": "#deebf7", "device": "#fff2cc"}
    edges = {"model": "#2b5d80", "device": "#8c6d1f"}
    for name, bx in boxes.items():
        ax.add_patch(FancyBboxPatch((bx.x, bx.y), bx.w, bx.h, boxstyle="round,pad=0,rounding_size=0.15",
                                    fc=fills[bx.row], ec=edges[bx.row], lw=1.0))
        ax.text(bx.x + bx.w / 2, bx.y + bx.h / 2, bx.text, ha="center", va="center",
                fontsize=8 if bx.row == "model" else 7, linespacing=1.25)
    styles = {"flow": dict(color="0.15", lw=1.1, ls="-"),
              "retrieval": dict(color="0.45", lw=0.9, ls="-"),
              "rehearsal": dict(color="#2a9d8f", lw=1.2, ls="-"),
              "forget": dict(color="#b2182b", lw=1.0, ls="-")}
    for arr in arrows:
        st = styles[arr.kind]
        ax.add_patch(FancyArrowPatch(arr.start, arr.end, arrowstyle="-|>", mutation_scale=9,
                                     connectionstyle=f"arc3,rad={arr.rad}", shrinkA=0, shrinkB=0,
                                     color=st["color"], lw=st["lw"], ls=st["ls"]))
        mx, my = (arr.start[0] + arr.end[0]) / 2, (arr.start[1] + arr.end[1]) / 2
        if arr.kind == "rehearsal":
            ax.text(mx, my + 0.68, arr.text, ha="center", va="bottom", fontsize=7.5, color=st["color"])
        elif arr.kind == "forget":
            ax.text(arr.end[0], arr.end[1] - 0.05, arr.text, ha="center", va="top", fontsize=7,
                    color=st["color"])
        elif arr.kind == "retrieval":
            ax.text(mx, my - 0.08, arr.text, ha="center", va="top", fontsize=6.5, color=st["color"])
        else:
            ax.text(mx, my + 0.07, arr.text, ha="center", va="bottom", fontsize=6.8, color=st["color"])
    # analogy links
    for top_name, bot_name in (("sensory", "spike"), ("stm", "stp"), ("ltm", "ltp")):
        t, b = boxes[top_name], boxes[bot_name]
        xm = t.x + t.w / 2 + (0.0 if top_name not in ("sensory", "stm") else 0.55)
        ax.plot([xm, xm], [b.y + b.h, t.y], ls=":", lw=0.8, color="0.5")
    # stimulus arrow into sensory memory
    s = boxes["sensory"]
    ax.add_patch(FancyArrowPatch((0.15, s.y + s.h / 2), s.edge_point("left"), arrowstyle="-|>",
                                 mutation_scale=9, color="0.15", lw=1.1, shrinkA=0, shrinkB=0))
    ax.text(0.1, s.y + s.h / 2 + 0.1, "stimulus", fontsize=7, va="bottom")
    # pulse-train icons: 1 spike and N spikes
    def pulses(x, y, count, w_total):
        step = w_total / count
        xs_, ys_ = [x], [y]
        for k in range(count):
            xa = x + k * step + 0.25 * step
            xs_ += [xa, xa, xa + 0.45 * step, xa + 0.45 * step]
            ys_ += [y, y + 0.22, y + 0.22, y]
        xs_.append(x + w_total)
        ys_.append(y)
        ax.plot(xs_, ys_, color="#b2182b", lw=0.7)
    stp, ltp = boxes["stp"], boxes["ltp"]
    pulses(stp.x + stp.w / 2 - 0.25, stp.y - 0.38, 1, 0.5)
    pulses(ltp.x + 0.2, ltp.y - 0.38, rehearsals, ltp.w - 0.4)
    ax.text(0.1, 5.95, "Atkinson–Shiffrin multistore model", fontsize=8.5, weight="bold",
            color=edges["model"])
    ax.text(0.1, 2.55, "OHP artificial synapse", fontsize=8.5, weight="bold", color=edges["device"])
    drawn = {"boxes": {k: [v.x, v.y, v.w, v.h] for k, v in boxes.items()}, "rehearsals": rehearsals}
    return fig, drawn
