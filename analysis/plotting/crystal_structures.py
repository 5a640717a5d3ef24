"""Fig. 1c — crystal structures of (PEA)2MA(n-1)PbnBr(3n+1), drawn to scale from *n*.

n-layer slabs of corner-sharing PbBr6 octahedra with slab period d(n) = d(1) + (n - 1)·a_pc,
the lattice spacings from ``data/parameters/structure.yaml`` (:func:`load_structure_constants`);
MA in the cages, PEA in the pockets of the slab surfaces.  :func:`layered_structure` builds the
positions (Å), :func:`draw_structure` draws them, :func:`fig1c_structures` is the figure.  The
same structure is drawn along z in Fig. 5a (:mod:`analysis.plotting.ion_migration`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from analysis.physics.dimensionality import formula, parse_n
from analysis.plotting.drawing import C_EDGE, C_MA, C_PEA, C_SPACER, check_count, check_positive
from analysis.plotting.style import colour, figsize, label, panel_label, use_style

_PEA_TOLERANCE_ANGSTROM = 0.05


@dataclass(frozen=True)
class StructureConstants:
    """Lattice spacings used to draw the layered perovskites.

    Attributes
    ----------
    d1_angstrom : float, Å
        Interlayer (001) spacing of 2D (PEA)2PbBr4.
    a_pc_angstrom : float, Å
        Added spacing per extra PbBr6 layer (pseudo-cubic layer spacing).
    a_cubic_angstrom : float, Å
        Cubic lattice constant of 3D MAPbBr3.
    pea_bilayer_angstrom : float, Å
        Thickness of the PEA bilayer between slabs.
    pb_br_angstrom : float, Å
        Pb–Br bond length: the half-diagonal of a drawn octahedron.
    """

    d1_angstrom: float
    a_pc_angstrom: float
    a_cubic_angstrom: float
    pea_bilayer_angstrom: float
    pb_br_angstrom: float

    def __post_init__(self):
        check_positive("d1_angstrom", self.d1_angstrom, "Å", "(001) spacing of (PEA)2PbBr4")
        check_positive("a_pc_angstrom", self.a_pc_angstrom, "Å", "spacing per PbBr6 layer")
        check_positive("a_cubic_angstrom", self.a_cubic_angstrom, "Å", "cubic MAPbBr3 lattice constant")
        check_positive("pea_bilayer_angstrom", self.pea_bilayer_angstrom, "Å", "PEA bilayer thickness")
        check_positive("pb_br_angstrom", self.pb_br_angstrom, "Å", "Pb-Br bond length")
        gap = self.d1_angstrom - self.a_pc_angstrom
        if gap <= 0:
            msg = (f"d1_angstrom={self.d1_angstrom} must exceed a_pc_angstrom={self.a_pc_angstrom} Å: "
                   "one octahedral layer plus a PEA bilayer make the n = 1 period")
            raise ValueError(msg)
        if abs(gap - self.pea_bilayer_angstrom) > _PEA_TOLERANCE_ANGSTROM:
            msg = (f"pea_bilayer_angstrom={self.pea_bilayer_angstrom} Å is inconsistent with "
                   f"d1_angstrom - a_pc_angstrom = {gap:.3f} Å (tolerance {_PEA_TOLERANCE_ANGSTROM} Å); "
                   "fix data/parameters/structure.yaml")
            raise ValueError(msg)


def load_structure_constants() -> StructureConstants:
    """The lattice spacings of ``data/parameters/structure.yaml`` (all in Å)."""
    from analysis.parameters import parameters

    p = parameters("structure")
    for name in ("d001_pea2pbbr4", "a_pseudocubic_layer", "a_cubic_mapbbr3",
                 "pea_bilayer_thickness", "pb_br_bond"):
        if p[name].units != "angstrom":
            msg = f"structure parameter {name} has units={p[name].units!r}; expected 'angstrom'"
            raise ValueError(msg)
    return StructureConstants(d1_angstrom=float(p["d001_pea2pbbr4"].value),
                              a_pc_angstrom=float(p["a_pseudocubic_layer"].value),
                              a_cubic_angstrom=float(p["a_cubic_mapbbr3"].value),
                              pea_bilayer_angstrom=float(p["pea_bilayer_thickness"].value),
                              pb_br_angstrom=float(p["pb_br_bond"].value))


def slab_period(n, d1_angstrom: float, a_pc_angstrom: float, a_cubic_angstrom: float) -> float:
    """Out-of-plane repeat distance of the drawn structure.

    Parameters
    ----------
    n : int or str
        Dimensionality (``1`` … ``5`` or ``"inf"``).
    d1_angstrom, a_pc_angstrom, a_cubic_angstrom : float, Å
        d(1), the spacing per extra octahedral layer and the cubic lattice constant.

    Returns
    -------
    float, Å
        d(n) = d(1) + (n - 1)·a_pc for finite n; the cubic lattice constant for n = ∞.

    Examples
    --------
    >>> round(slab_period(3, 16.66, 5.93, 5.93), 2)
    28.52
    """
    label_ = parse_n(n)
    d1 = check_positive("d1_angstrom", d1_angstrom, "Å", "(001) spacing of (PEA)2PbBr4")
    a_pc = check_positive("a_pc_angstrom", a_pc_angstrom, "Å", "spacing per PbBr6 layer")
    a_cub = check_positive("a_cubic_angstrom", a_cubic_angstrom, "Å", "cubic lattice constant")
    if label_ == "inf":
        return a_cub
    return d1 + (int(label_) - 1) * a_pc


@dataclass(frozen=True)
class LayeredStructure:
    """A window of the crystal structure projected along an in-plane axis.

    Coordinates are ``(x, z)`` in Å: *x* in-plane, *z* out-of-plane (stacking direction).

    Attributes
    ----------
    n : str
        Dimensionality label.
    period_angstrom : float, Å
        d(n) (or the cubic lattice constant for n = ∞).
    octahedron_centres : ndarray, shape (k, 2), Å
        Pb positions = centres of the drawn diamonds.
    octahedron_slab, octahedron_column, octahedron_layer : ndarray of int, shape (k,)
        Slab index, in-plane column and layer within the slab of each octahedron.
    half_diagonal_angstrom : float, Å
        Half-diagonal of the diamonds (the Pb–Br bond).
    ma_sites : ndarray, shape (m, 2), Å
        MA cations at the cage centres inside the slabs.
    ma_slab : ndarray of int, shape (m,)
        Slab index of each MA cation.
    pea_anchors : ndarray, shape (p, 2), Å
        Ammonium end of each PEA cation (in the surface pocket of a slab).
    pea_direction : ndarray of int, shape (p,)
        +1 if the chain points to +z, -1 otherwise.
    pea_length_angstrom : float, Å
        Drawn length of a PEA chain (anchor to ring end).
    spacer_intervals : ndarray, shape (s, 2), Å
        z ranges of the PEA bilayers inside the window.
    slab_intervals : ndarray, shape (q, 2), Å
        z ranges of the inorganic slabs.
    width_angstrom, height_angstrom : float, Å
        Size of the window.
    """

    n: str
    period_angstrom: float
    octahedron_centres: np.ndarray
    octahedron_slab: np.ndarray
    octahedron_column: np.ndarray
    octahedron_layer: np.ndarray
    half_diagonal_angstrom: float
    ma_sites: np.ndarray
    ma_slab: np.ndarray
    pea_anchors: np.ndarray
    pea_direction: np.ndarray
    pea_length_angstrom: float
    spacer_intervals: np.ndarray
    slab_intervals: np.ndarray
    width_angstrom: float
    height_angstrom: float


def layered_structure(n, constants: StructureConstants, *, slabs: int = 2, columns: int = 4,
                      height_angstrom: float | None = None) -> LayeredStructure:
    """Positions of octahedra, MA and PEA of (PEA)2MA(n-1)PbnBr(3n+1), to scale.

    A finite *n* gives *slabs* slabs of *n* corner-sharing PbBr6 layers (layer spacing
    a_pc), separated by PEA bilayers of thickness d(1) - a_pc, so that the slab period is
    d(n) = d(1) + (n - 1)·a_pc.  The window starts and ends in the middle of a PEA
    bilayer (z = 0 and z = slabs·d(n)).  MA cations sit in the cages between octahedral
    layers (n - 1 rows per slab); PEA cations sit in the pockets of each slab surface
    and point into the bilayer (two per in-plane cell, as in the formula).  For n = ∞
    (3D MAPbBr3) the window holds ``floor(height_angstrom / a_cubic)`` layers of the
    cubic lattice and no PEA.  Cages on the window's left/right edges are not drawn.
    The in-plane registry of successive slabs is drawn aligned (not the real offset).

    Parameters
    ----------
    n : int or str
        Dimensionality.
    constants : StructureConstants
        Lattice spacings (Å).
    slabs : int
        Number of slabs drawn for finite n (>= 1).
    columns : int
        Octahedra per layer in the window (>= 2).
    height_angstrom : float, Å, optional
        Window height for n = ∞ (default: ``2·d(3)``).

    Returns
    -------
    LayeredStructure

    Raises
    ------
    ValueError
        For an unknown n, slabs < 1, columns < 2 or a window too small for one layer.
    """
    label_ = parse_n(n)
    slabs = check_count("slabs", slabs, 1, "number of inorganic slabs drawn")
    columns = check_count("columns", columns, 2, "octahedra per layer drawn")
    c = constants
    bond = c.pb_br_angstrom
    if label_ == "inf":
        a = c.a_cubic_angstrom
        if height_angstrom is None:
            height_angstrom = 2 * slab_period(3, c.d1_angstrom, c.a_pc_angstrom, a)
        height = check_positive("height_angstrom", height_angstrom, "Å", "window height for n = inf")
        layers = int(math.floor(height / a + 1e-9))
        if layers < 1:
            msg = (f"height_angstrom={height_angstrom} is smaller than one cubic layer "
                   f"(a_cubic = {a} Å); expected >= {a} Å")
            raise ValueError(msg)
        xs = (np.arange(columns) + 0.5) * a
        zs = (np.arange(layers) + 0.5) * a
        X, Z = np.meshgrid(xs, zs)
        centres = np.column_stack([X.ravel(), Z.ravel()])
        col = np.tile(np.arange(columns), layers)
        lay = np.repeat(np.arange(layers), columns)
        mx, mz = np.meshgrid(np.arange(1, columns) * a, np.arange(1, layers) * a)
        ma = np.column_stack([mx.ravel(), mz.ravel()]) if layers > 1 else np.zeros((0, 2))
        return LayeredStructure(
            n=label_, period_angstrom=a, octahedron_centres=centres,
            octahedron_slab=np.zeros(len(centres), int), octahedron_column=col,
            octahedron_layer=lay, half_diagonal_angstrom=bond, ma_sites=ma,
            ma_slab=np.zeros(len(ma), int), pea_anchors=np.zeros((0, 2)),
            pea_direction=np.zeros(0, int), pea_length_angstrom=0.0,
            spacer_intervals=np.zeros((0, 2)), slab_intervals=np.array([[0.0, layers * a]]),
            width_angstrom=columns * a, height_angstrom=float(height))

    nn = int(label_)
    a = c.a_pc_angstrom
    d = slab_period(nn, c.d1_angstrom, a, c.a_cubic_angstrom)
    gap = d - nn * a
    centres, slab_idx, col_idx, lay_idx = [], [], [], []
    ma, ma_slab, anchors, direction = [], [], [], []
    slab_iv = []
    pockets = np.arange(1, columns) * a
    for j in range(slabs):
        z0 = j * d + gap / 2
        slab_iv.append((z0, z0 + nn * a))
        for k in range(nn):
            for ci in range(columns):
                centres.append(((ci + 0.5) * a, z0 + (k + 0.5) * a))
                slab_idx.append(j)
                col_idx.append(ci)
                lay_idx.append(k)
        for k in range(nn - 1):
            for x in pockets:
                ma.append((x, z0 + (k + 1) * a))
                ma_slab.append(j)
        for x in pockets:
            anchors.append((x, z0))
            direction.append(-1)
            anchors.append((x, z0 + nn * a))
            direction.append(+1)
    height = slabs * d
    spacers = [(max(0.0, j * d - gap / 2), min(height, j * d + gap / 2)) for j in range(slabs + 1)]
    return LayeredStructure(
        n=label_, period_angstrom=d, octahedron_centres=np.array(centres),
        octahedron_slab=np.array(slab_idx), octahedron_column=np.array(col_idx),
        octahedron_layer=np.array(lay_idx), half_diagonal_angstrom=bond,
        ma_sites=np.array(ma).reshape(-1, 2), ma_slab=np.array(ma_slab, int),
        pea_anchors=np.array(anchors), pea_direction=np.array(direction),
        pea_length_angstrom=max(gap / 2 - 0.6, 0.5), spacer_intervals=np.array(spacers),
        slab_intervals=np.array(slab_iv), width_angstrom=columns * a, height_angstrom=height)


def drawn_slab_period(structure: LayeredStructure) -> float:
    """Slab period measured back from the drawn octahedra (Å).

    For finite n: the distance between the lowest octahedra of consecutive slabs
    (needs >= 2 slabs); for n = ∞: the spacing of consecutive layers.
    """
    z = structure.octahedron_centres[:, 1]
    if structure.n == "inf":
        levels = np.unique(np.round(z, 9))
        if len(levels) < 2:
            raise ValueError("structure has one layer; a period needs at least two layers")
        return float(np.mean(np.diff(levels)))
    starts = [z[structure.octahedron_slab == j].min() for j in np.unique(structure.octahedron_slab)]
    if len(starts) < 2:
        raise ValueError("structure has one slab; the slab period needs slabs >= 2")
    return float(np.mean(np.diff(starts)))


def formula_mathtext(n) -> str:
    """Formula of dimensionality *n* as matplotlib mathtext with subscripts.

    >>> formula_mathtext(3)
    '$\\\\mathrm{(PEA)_{2}MA_{2}Pb_{3}Br_{10}}$'
    """
    text = re.sub(r"(?<=[A-Za-z)])(\d+)", r"_{\1}", formula(n))
    return r"$\mathrm{" + text + "}$"


def _diamond(x, z, h):
    return np.array([[x - h, z], [x, z + h], [x + h, z], [x, z - h]])


def draw_structure(ax, structure: LayeredStructure, face: str, *, swap_axes: bool = False,
                   show_ma: bool = True, show_pea: bool = True, lw: float = 0.6) -> None:
    """Draw a :class:`LayeredStructure` on *ax* in Å (``swap_axes`` puts z horizontal)."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.patches import Rectangle

    def xy(p):
        p = np.asarray(p, float)
        return p[..., ::-1] if swap_axes else p

    s = structure
    for z0, z1 in s.spacer_intervals:
        if swap_axes:
            rect = Rectangle((z0, 0), z1 - z0, s.width_angstrom, fc=C_SPACER, ec="none", zorder=0)
        else:
            rect = Rectangle((0, z0), s.width_angstrom, z1 - z0, fc=C_SPACER, ec="none", zorder=0)
        ax.add_patch(rect)
    polys = [xy(_diamond(x, z, s.half_diagonal_angstrom)) for x, z in s.octahedron_centres]
    ax.add_collection(PolyCollection(polys, facecolors=face, edgecolors=C_EDGE,
                                     linewidths=lw, alpha=0.9, zorder=2))
    pb = xy(s.octahedron_centres)
    ax.scatter(pb[:, 0], pb[:, 1], s=3, c=C_EDGE, zorder=3, linewidths=0)
    if show_ma and len(s.ma_sites):
        ma = xy(s.ma_sites)
        ax.scatter(ma[:, 0], ma[:, 1], s=9, c=C_MA, zorder=3, linewidths=0)
    if show_pea and len(s.pea_anchors):
        segs, rings = [], []
        length = s.pea_length_angstrom
        r = min(1.39, length / 3)                      # aromatic C-C bond = hexagon radius
        chain = length - 2 * r                          # N ... ring attachment
        for (x, z), sgn in zip(s.pea_anchors, s.pea_direction):
            zig = [(x, z), (x + 0.45, z + sgn * chain / 2), (x, z + sgn * chain)]
            segs.append(xy(zig))
            zc = z + sgn * (chain + r)
            ang = np.deg2rad(90 + 60 * np.arange(7))
            rings.append(xy(np.column_stack([x + r * np.cos(ang), zc + r * np.sin(ang)])))
        ax.add_collection(LineCollection(segs, colors=C_PEA, linewidths=lw + 0.2, zorder=2))
        ax.add_collection(LineCollection(rings, colors=C_PEA, linewidths=lw, zorder=2))
        an = xy(s.pea_anchors)
        ax.scatter(an[:, 0], an[:, 1], s=5, c=C_PEA, zorder=3, linewidths=0)


def fig1c_structures(constants: StructureConstants, n_values=("1", "2", "3", "inf"), *,
                     columns: int = 4, scale_bar_angstrom: float = 10.0):
    """Fig. 1c: crystal structures for several n side by side, all on one Å scale.

    Every panel shows the same window height (two periods of the largest finite n);
    finite-n panels show as many whole slabs as fit.

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        ``period_angstrom``, ``layers_per_slab``, ``ma_rows_per_slab`` (dicts keyed by n,
        measured from the drawn coordinates) and ``slabs`` drawn per n.
    """
    import matplotlib.pyplot as plt
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    use_style()
    labels = [parse_n(n) for n in n_values]
    if not labels:
        raise ValueError("n_values=() must name at least one dimensionality")
    scale_bar = check_positive("scale_bar_angstrom", scale_bar_angstrom, "Å", "scale bar length")
    c = constants
    finite = [int(x) for x in labels if x != "inf"] or [3]
    window = 2 * slab_period(max(finite), c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom)
    fig, axes = plt.subplots(1, len(labels), figsize=figsize("page", 0.6), sharey=True)
    axes = np.atleast_1d(axes)
    drawn = {"period_angstrom": {}, "layers_per_slab": {}, "ma_rows_per_slab": {}, "slabs": {}}
    for ax, lab in zip(axes, labels):
        if lab == "inf":
            st = layered_structure(lab, c, columns=columns, height_angstrom=window)
            name = f"{label(lab)} (3D)\n" + formula_mathtext(lab)
        else:
            d = slab_period(lab, c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom)
            st = layered_structure(lab, c, slabs=max(2, int(window // d)), columns=columns)
            kind = "2D" if lab == "1" else "quasi-2D"
            name = f"{label(lab)} ({kind})\n" + formula_mathtext(lab)
        draw_structure(ax, st, colour(lab))
        period = drawn_slab_period(st)
        drawn["period_angstrom"][lab] = period
        drawn["slabs"][lab] = int(len(np.unique(st.octahedron_slab))) if lab != "inf" else 0
        if lab != "inf":
            per_col = [int(np.sum((st.octahedron_slab == 0) & (st.octahedron_column == 0)))]
            drawn["layers_per_slab"][lab] = per_col[0]
            z_ma = st.ma_sites[st.ma_slab == 0][:, 1] if len(st.ma_sites) else np.zeros(0)
            drawn["ma_rows_per_slab"][lab] = int(len(np.unique(np.round(z_ma, 9))))
        # dimension arrow for one period
        xa = st.width_angstrom + 2.2
        z0 = 0.0 if lab != "inf" else st.octahedron_centres[:, 1].min() - st.half_diagonal_angstrom
        ax.annotate("", xy=(xa, z0), xytext=(xa, z0 + period),
                    arrowprops=dict(arrowstyle="<|-|>", lw=0.8, color="0.2", shrinkA=0, shrinkB=0,
                                    mutation_scale=6))
        for zz in (z0, z0 + period):
            ax.plot([st.width_angstrom + 0.3, xa + 0.8], [zz, zz], lw=0.5, color="0.4", ls=":")
        sym = "a" if lab == "inf" else "d"
        ax.text(xa + 1.0, z0 + period / 2, f"{sym} = {period:.2f} Å", rotation=90,
                va="center", ha="left", fontsize=7.5)
        # the structure's name above it, in the colour of n (a label of the drawing, not a title)
        ax.text(st.width_angstrom / 2, window + 1.5, name, ha="center", va="bottom", fontsize=8,
                color=colour(lab), linespacing=1.3)
        ax.set_xlim(-1.0, st.width_angstrom + 7.0)
        ax.set_ylim(-7.0, window + 0.5)
        ax.set_aspect("equal")
        ax.axis("off")
    ax0 = axes[0]
    panel_label(ax0, "c", dx_pt=-6, dy_pt=26)
    ax0.plot([0, scale_bar], [-4.0, -4.0], lw=2.0, color="k", solid_capstyle="butt")
    ax0.text(scale_bar / 2, -5.0, f"{scale_bar:g} Å", ha="center", va="top", fontsize=7.5)
    # the octahedra are drawn in each film's colour: their key shows those colours side by side
    octahedra = tuple(Patch(fc=colour(lab), ec=C_EDGE, alpha=0.9) for lab in labels)
    handles = [octahedra,
               Line2D([], [], marker="o", ls="", ms=3.5, color=C_MA),
               Line2D([], [], color=C_PEA, lw=1.2),
               Patch(fc=C_SPACER, ec="none")]
    fig.legend(handles=handles, labels=[r"PbBr$_6$ octahedra (film's colour)", r"MA$^+$", r"PEA$^+$", "PEA bilayer"],
               handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)}, handlelength=2.6,
               loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.01))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.055, wspace=0.05)
    return fig, drawn
