"""Schematic figures drawn from the same structure and parameters the simulation uses.

Nothing here is a copied image: every drawing is computed from data, so changing a
parameter in ``data/parameters/*.yaml`` (or a model parameter) changes the picture.

* Fig. 1a — the device as a synapse: ITO / BCCP / OHP / Al stack with layer thicknesses
  from ``data/parameters/geometry.yaml`` next to a drawn chemical synapse.
* Fig. 1b — device geometry: the crossbar with the paper's electrode widths
  (``device.electrode_width_um`` of ``data/paper/values.yaml``) drawn to scale, and the
  layer cross-section to scale.
* Fig. 1c — crystal structures of (PEA)2MA(n-1)PbnBr(3n+1), drawn to scale from *n* and
  the lattice spacings of ``data/parameters/structure.yaml``: n-layer slabs of
  corner-sharing PbBr6 octahedra with slab period d(n) = d(1) + (n - 1)·a_pc.
* Fig. 4a — the Atkinson–Shiffrin multistore model mapped onto STP → LTP of the device.
* Fig. 5a — the out-of-plane energy landscape of a migrating halide vacancy built from the
  device model's migration barrier E_A(n) and trap release barriers E_k, with the PEA
  spacers at the positions (period d(n)) of the crystal structure.

The geometric builders (:func:`slab_period`, :func:`layered_structure`,
:func:`crossbar_layout`, :func:`layer_stack`, :func:`multistore_layout`,
:func:`migration_landscape`) are pure and take every value as an argument; the
``fig*`` functions draw them and return ``(figure, drawn)`` where *drawn* holds the
quantities measured back from the drawing (for metrics and tests).  Lengths are in the
units stated in each signature (Å for crystal structures, µm and nm for the device).
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

import numpy as np

from analysis.physics.dimensionality import formula, parse_n
from analysis.plotting.style import PAGE_IN, axis_label, colour, figsize, label, panel_label, use_style
from analysis.validation import display_value, nonnegative, positive

log = logging.getLogger(__name__)

# Fixed drawing colours (not per-n).
_C_PEA = "#5b4636"        # PEA chains
_C_SPACER = "#efe3cf"     # PEA bilayer background
_C_MA = "#222222"         # MA cations
_C_EDGE = "#1f1f1f"
_C_ITO = "#9ecae1"
_C_BCCP = "#6a51a3"
_C_OHP = "#f2c14e"
_C_AL = "#b8b8b8"
_C_GLASS = "#e8f1f5"
LAYER_COLOURS = {"ITO": _C_ITO, "BCCP": _C_BCCP, "OHP": _C_OHP, "Al": _C_AL}

_PEA_TOLERANCE_ANGSTROM = 0.05


# --------------------------------------------------------------------------- validation
def _check_positive(name: str, value, unit: str, meaning: str) -> float:
    return float(positive(value, name, meaning, unit))


def _check_nonnegative(name: str, value, unit: str, meaning: str) -> float:
    return float(nonnegative(value, name, meaning, unit))


def _check_count(name: str, value, minimum: int, meaning: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        msg = f"{name}={display_value(value)} must be an integer >= {minimum} ({meaning})"
        raise ValueError(msg)
    return int(value)


# --------------------------------------------------------------------------- structure (Fig. 1c)
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
        _check_positive("d1_angstrom", self.d1_angstrom, "Å", "(001) spacing of (PEA)2PbBr4")
        _check_positive("a_pc_angstrom", self.a_pc_angstrom, "Å", "spacing per PbBr6 layer")
        _check_positive("a_cubic_angstrom", self.a_cubic_angstrom, "Å", "cubic MAPbBr3 lattice constant")
        _check_positive("pea_bilayer_angstrom", self.pea_bilayer_angstrom, "Å", "PEA bilayer thickness")
        _check_positive("pb_br_angstrom", self.pb_br_angstrom, "Å", "Pb-Br bond length")
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
    d1 = _check_positive("d1_angstrom", d1_angstrom, "Å", "(001) spacing of (PEA)2PbBr4")
    a_pc = _check_positive("a_pc_angstrom", a_pc_angstrom, "Å", "spacing per PbBr6 layer")
    a_cub = _check_positive("a_cubic_angstrom", a_cubic_angstrom, "Å", "cubic lattice constant")
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
    slabs = _check_count("slabs", slabs, 1, "number of inorganic slabs drawn")
    columns = _check_count("columns", columns, 2, "octahedra per layer drawn")
    c = constants
    bond = c.pb_br_angstrom
    if label_ == "inf":
        a = c.a_cubic_angstrom
        if height_angstrom is None:
            height_angstrom = 2 * slab_period(3, c.d1_angstrom, c.a_pc_angstrom, a)
        height = _check_positive("height_angstrom", height_angstrom, "Å", "window height for n = inf")
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
            rect = Rectangle((z0, 0), z1 - z0, s.width_angstrom, fc=_C_SPACER, ec="none", zorder=0)
        else:
            rect = Rectangle((0, z0), s.width_angstrom, z1 - z0, fc=_C_SPACER, ec="none", zorder=0)
        ax.add_patch(rect)
    polys = [xy(_diamond(x, z, s.half_diagonal_angstrom)) for x, z in s.octahedron_centres]
    ax.add_collection(PolyCollection(polys, facecolors=face, edgecolors=_C_EDGE,
                                     linewidths=lw, alpha=0.9, zorder=2))
    pb = xy(s.octahedron_centres)
    ax.scatter(pb[:, 0], pb[:, 1], s=3, c=_C_EDGE, zorder=3, linewidths=0)
    if show_ma and len(s.ma_sites):
        ma = xy(s.ma_sites)
        ax.scatter(ma[:, 0], ma[:, 1], s=9, c=_C_MA, zorder=3, linewidths=0)
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
        ax.add_collection(LineCollection(segs, colors=_C_PEA, linewidths=lw + 0.2, zorder=2))
        ax.add_collection(LineCollection(rings, colors=_C_PEA, linewidths=lw, zorder=2))
        an = xy(s.pea_anchors)
        ax.scatter(an[:, 0], an[:, 1], s=5, c=_C_PEA, zorder=3, linewidths=0)


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
    scale_bar = _check_positive("scale_bar_angstrom", scale_bar_angstrom, "Å", "scale bar length")
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
    octahedra = tuple(Patch(fc=colour(lab), ec=_C_EDGE, alpha=0.9) for lab in labels)
    handles = [octahedra,
               Line2D([], [], marker="o", ls="", ms=3.5, color=_C_MA),
               Line2D([], [], color=_C_PEA, lw=1.2),
               Patch(fc=_C_SPACER, ec="none")]
    fig.legend(handles=handles, labels=[r"PbBr$_6$ octahedra (film's colour)", r"MA$^+$", r"PEA$^+$", "PEA bilayer"],
               handler_map={tuple: HandlerTuple(ndivide=None, pad=0.0)}, handlelength=2.6,
               loc="lower center", ncol=4, bbox_to_anchor=(0.5, -0.01))
    fig.subplots_adjust(left=0.02, right=0.98, top=0.88, bottom=0.055, wspace=0.05)
    return fig, drawn


# --------------------------------------------------------------------------- device geometry (Fig. 1a,b)
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
        _check_positive(f"widths_um[{i}]", w, "µm", "electrode line width")
    gap = _check_nonnegative("gap_um", gap_um, "µm", "edge-to-edge gap between lines")
    over = _check_nonnegative("overhang_um", overhang_um, "µm", "line extension beyond the crossings")
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
        t = _check_positive(f"thickness_nm[{layer!r}]", thickness_nm[layer], "nm", "layer thickness")
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
    bar = _check_positive("scale_bar_um", scale_bar_um, "µm", "scale bar length")
    cb = crossbar_layout(geometry.electrode_widths_um, geometry.line_gap_um, geometry.line_overhang_um)
    stack = layer_stack(geometry.layer_order, geometry.thickness_nm)
    fig, (ax, axs) = plt.subplots(1, 2, figsize=figsize("page", 0.5), gridspec_kw={"width_ratios": [1.35, 1]})
    for x, y, w, h in cb.bottom_lines:
        ax.add_patch(Rectangle((x, y), w, h, fc=_C_ITO, ec="#4a7fa3", lw=0.6, zorder=1))
    ax.add_patch(Rectangle((cb.extent[0] + 150, cb.extent[0] + 150),
                           cb.extent[1] - cb.extent[0] - 300, cb.extent[3] - cb.extent[2] - 300,
                           fc=_C_OHP, ec="none", alpha=0.25, zorder=1.5))
    for x, y, w, h in cb.top_lines:
        ax.add_patch(Rectangle((x, y), w, h, fc=_C_AL, ec="0.35", lw=0.6, alpha=0.85, zorder=2))
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
    handles = [Patch(fc=_C_ITO, ec="#4a7fa3", label="ITO (bottom)"),
               Patch(fc=_C_AL, ec="0.35", label="Al (top)"),
               Patch(fc=_C_OHP, alpha=0.25, ec="none", label="BCCP + OHP film"),
               Patch(fc="none", ec="#b2182b", label="device (w × w)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.0), ncol=2, fontsize=7,
              handlelength=1.2, columnspacing=1.0)
    panel_label(ax, "b", dx_pt=-6, caption="crossbar, top view (to scale)")

    total = stack[-1][2]
    glass = 0.25 * total
    axs.add_patch(Rectangle((0, -glass), 1, glass, fc=_C_GLASS, ec="0.5", lw=0.6, hatch="//"))
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
    width_s = _check_positive("spike_width_s", spike_width_s, "s", "presynaptic spike width")
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


# --------------------------------------------------------------------------- multistore model (Fig. 4a)
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
    rehearsals = _check_count("rehearsals", rehearsals, 2, "repeated spikes for LTP")
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


# --------------------------------------------------------------------------- ion migration (Fig. 5a)
@dataclass(frozen=True)
class Landscape:
    """Out-of-plane energy landscape of a migrating halide vacancy.

    Attributes
    ----------
    n : str
        Dimensionality label.
    z_angstrom : ndarray, Å
        Out-of-plane coordinate (increasing, includes every extremum exactly).
    energy_eV : ndarray, eV
        Potential energy relative to a lattice site in the slab interior.
    site_z, saddle_z, trap_z, spacer_centres : ndarray, Å
        Lattice-site minima (level 0), saddle maxima, trap minima at the slab surfaces
        next to a PEA bilayer, and the PEA bilayer centres.
    spacer_intervals : ndarray, shape (s, 2), Å
        z ranges of the PEA bilayers.
    ea_eV, release_eV : float, eV
        The migration barrier (every maximum) and the release barrier of the traps
        (maximum minus trap floor); ``release_eV`` is NaN for n = ∞ (no spacer).
    period_angstrom : float, Å
        Slab period d(n) (cubic lattice constant for n = ∞).
    """

    n: str
    z_angstrom: np.ndarray
    energy_eV: np.ndarray
    site_z: np.ndarray
    saddle_z: np.ndarray
    trap_z: np.ndarray
    spacer_centres: np.ndarray
    spacer_intervals: np.ndarray
    ea_eV: float
    release_eV: float
    period_angstrom: float


def _cosine_path(knots_z: np.ndarray, knots_e: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Half-cosine interpolation between alternating extrema (C1, extrema exactly at knots)."""
    idx = np.clip(np.searchsorted(knots_z, z, side="right") - 1, 0, len(knots_z) - 2)
    z0, z1 = knots_z[idx], knots_z[idx + 1]
    e0, e1 = knots_e[idx], knots_e[idx + 1]
    t = np.clip((z - z0) / (z1 - z0), 0.0, 1.0)
    return e0 + (e1 - e0) * (1 - np.cos(np.pi * t)) / 2


def migration_landscape(n, ea_eV: float, release_eV: float | None, constants: StructureConstants, *,
                        length_angstrom: float, points_per_angstrom: float = 20.0) -> Landscape:
    """Energy along the out-of-plane coordinate from the model's barriers and the structure.

    Halide (vacancy) sites are the Br planes of the octahedra, spaced a/2 along z (apical
    and equatorial Br); each hop between neighbouring sites crosses a saddle of height
    ``ea_eV`` above a lattice site.  For finite n the structure of
    :func:`layered_structure` places PEA bilayers at z = k·d(n); the Br planes at the two
    faces of each slab (next to a bilayer) are traps: their floor lies at
    ``ea_eV - release_eV``, so that the back-diffusion (release) barrier out of a trap is
    exactly ``release_eV``.  Crossing the bilayer is drawn with the same saddle height
    ``ea_eV`` (the model's E_A(n) is the effective out-of-plane barrier of the film).
    For n = ∞ there is no spacer and every site is a lattice site.

    Parameters
    ----------
    n : int or str
        Dimensionality.
    ea_eV : float, eV
        Migration barrier E_A(n) (> 0).
    release_eV : float or None, eV
        Release barrier of the spacer traps (> 0); ignored (may be None) for n = ∞.
    constants : StructureConstants
        Lattice spacings (Å).
    length_angstrom : float, Å
        Length of the z window, starting at a PEA bilayer centre (finite n).
    points_per_angstrom : float, 1/Å
        Sampling density of the curve.

    Returns
    -------
    Landscape

    Raises
    ------
    ValueError
        For a bad n, a non-positive barrier, window or sampling density.
    """
    label_ = parse_n(n)
    ea = _check_positive("ea_eV", ea_eV, "eV", "migration barrier E_A(n)")
    length = _check_positive("length_angstrom", length_angstrom, "Å", "z window of the landscape")
    density = _check_positive("points_per_angstrom", points_per_angstrom, "1/Å", "sampling density")
    c = constants
    if label_ == "inf":
        a = c.a_cubic_angstrom
        sites = np.arange(0.0, length + 1e-9, a / 2)
        saddles = sites[:-1] + a / 4
        traps = np.zeros(0)
        centres = np.zeros(0)
        intervals = np.zeros((0, 2))
        release = float("nan")
        period = a
        kz = np.sort(np.concatenate([sites, saddles]))
        ke = np.where(np.isin(kz, saddles), ea, 0.0)
    else:
        release = _check_positive("release_eV", release_eV, "eV", "trap release barrier at the PEA spacer")
        nn = int(label_)
        a = c.a_pc_angstrom
        period = slab_period(nn, c.d1_angstrom, a, c.a_cubic_angstrom)
        gap = period - nn * a
        n_slabs = int(math.ceil(length / period)) + 1
        sites, saddles, traps, centres = [], [], [], []
        knots = []
        for j in range(n_slabs + 1):
            zc = j * period
            centres.append(zc)
            knots.append((zc, ea))                       # saddle across the PEA bilayer
            if j == n_slabs:
                break
            z0 = zc + gap / 2
            planes = z0 + np.arange(2 * nn + 1) * a / 2
            for i, zp in enumerate(planes):
                is_trap = i in (0, 2 * nn)
                knots.append((zp, ea - release if is_trap else 0.0))
                (traps if is_trap else sites).append(zp)
                if i < 2 * nn:
                    knots.append((zp + a / 4, ea))
                    saddles.append(zp + a / 4)
        saddles = saddles + centres
        knots = np.array(knots)
        kz, ke = knots[:, 0], knots[:, 1]
        keep = kz <= length + 1e-9
        sites = np.array([s for s in sites if s <= length])
        traps = np.array([s for s in traps if s <= length])
        saddles = np.sort([s for s in saddles if s <= length])
        centres = np.array([s for s in centres if s <= length])
        intervals = np.array([(max(0.0, zc - gap / 2), min(length, zc + gap / 2)) for zc in centres])
        # extend the knot list one past the window so the curve is defined up to length
        last = int(np.sum(keep))
        kz, ke = kz[:min(last + 1, len(kz))], ke[:min(last + 1, len(ke))]
    grid = np.linspace(0.0, length, int(math.ceil(length * density)) + 1)
    z = np.unique(np.concatenate([grid, kz[kz <= length]]))
    energy = _cosine_path(kz, ke, z)
    return Landscape(n=label_, z_angstrom=z, energy_eV=energy, site_z=np.asarray(sites, float),
                     saddle_z=np.asarray(saddles, float), trap_z=np.asarray(traps, float),
                     spacer_centres=np.asarray(centres, float),
                     spacer_intervals=np.asarray(intervals, float).reshape(-1, 2),
                     ea_eV=ea, release_eV=release, period_angstrom=period)


def check_trap_classes(trap_energies_eV, trap_weights) -> tuple[np.ndarray, np.ndarray]:
    """Validate trap release barriers E_k (eV, > 0) and weights w_k (>= 0, sum 1)."""
    e = np.atleast_1d(np.asarray(trap_energies_eV, dtype=float))
    w = np.atleast_1d(np.asarray(trap_weights, dtype=float))
    if e.ndim != 1 or e.size == 0 or e.shape != w.shape:
        msg = (f"trap_energies_eV (shape {e.shape}) and trap_weights (shape {w.shape}) must be "
               "non-empty 1-D arrays of equal length")
        raise ValueError(msg)
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise ValueError(f"trap_energies_eV={e.tolist()} must all be finite and > 0 eV")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or abs(w.sum() - 1) > 1e-6:
        raise ValueError(f"trap_weights={w.tolist()} must be >= 0 and sum to 1 (sum {w.sum():.6g})")
    return e, w


def fig5a_migration(model: dict, constants: StructureConstants, quasi2d_n="3", *,
                    periods: int = 2, columns: int = 2, min_length_angstrom: float = 50.0):
    """Fig. 5a: ion migration in 3D (n = ∞) and quasi-2D (n = *quasi2d_n*).

    For each film the structure strip (z horizontal, same Å axis) sits above the energy
    landscape of :func:`migration_landscape`; the trap wells at the PEA faces have the
    deepest release barrier max(E_k) as floor, the levels E_A − E_k of every trap class
    are marked in the well, and a side panel shows the occupancy picture: the class
    weights w_k at their levels.

    Parameters
    ----------
    model : dict
        ``n -> (ea_eV, trap_energies_eV, trap_weights)`` for ``"inf"`` and *quasi2d_n*
        (E_A in eV, E_k in eV, w_k dimensionless summing to 1).
    constants : StructureConstants
    quasi2d_n : int or str
        The finite dimensionality to compare with 3D.
    periods : int
        Slab periods of the quasi-2D film shown (>= 1); raised until the window is at
        least *min_length_angstrom* long.
    columns : int
        Octahedra drawn across the strip (>= 2).
    min_length_angstrom : float, Å
        Shortest z window drawn.

    Returns
    -------
    fig : matplotlib.figure.Figure
    drawn : dict
        Measured from the drawn curves, keyed by n: ``migration_barrier_eV`` (curve
        maximum), ``release_barrier_eV`` (maximum minus trap floor, finite n only),
        ``spacer_period_angstrom`` (finite n), ``mean_release_barrier_eV`` (Σ w_k E_k)
        and ``trap_weights_sum``.
    """
    import matplotlib.pyplot as plt

    use_style()
    q = parse_n(quasi2d_n)
    if q == "inf":
        raise ValueError("quasi2d_n='inf' must be a finite dimensionality (1-5) to compare with 3D")
    periods = _check_count("periods", periods, 1, "quasi-2D slab periods shown")
    rows = ["inf", q]
    missing = [r for r in rows if r not in {parse_n(k) for k in model}]
    if missing:
        raise ValueError(f"model lacks parameters for n = {', '.join(missing)}; expected keys 'inf' and {q!r}")
    params = {parse_n(k): v for k, v in model.items()}
    c = constants
    d_q = slab_period(q, c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom)
    min_len = _check_positive("min_length_angstrom", min_length_angstrom, "Å", "shortest z window")
    periods = max(periods, int(math.ceil(min_len / d_q - 1e-9)))
    length = periods * d_q
    data, lows = {}, []
    for r in rows:
        ea, e_k, w_k = params[r]
        e_k, w_k = check_trap_classes(e_k, w_k)
        land = migration_landscape(r, ea, float(e_k.max()), c, length_angstrom=length)
        data[r] = (land, e_k, w_k)
        lows.append(float(ea) - float(e_k.max()))
    ea_max = max(float(params[r][0]) for r in rows)
    y_lo, y_hi = min(lows + [0.0]) - 0.08, ea_max + 0.12

    # layout: the structure strips are drawn with equal x/z scale (Å) above the landscapes
    fig_w, left, right, wspace, land_h = PAGE_IN, 0.09, 0.98, 0.06, 1.9
    ratios = (5.0, 1.25)
    axes_w = (right - left) * fig_w
    strip_w_in = axes_w * ratios[0] / (sum(ratios) + wspace * (len(ratios) - 1) / 2)
    strip_data_h = columns * max(c.a_pc_angstrom, c.a_cubic_angstrom) + 1.0
    strip_h = strip_w_in * strip_data_h / length
    heights = [strip_h, land_h, strip_h, land_h]
    fig_h = sum(heights) * 1.12 + 1.0
    fig = plt.figure(figsize=(fig_w, fig_h))
    gs = fig.add_gridspec(4, 2, width_ratios=list(ratios), height_ratios=heights,
                          left=left, right=right, top=1 - 0.45 / fig_h, bottom=0.55 / fig_h,
                          wspace=wspace, hspace=0.18)
    drawn = {"migration_barrier_eV": {}, "release_barrier_eV": {}, "spacer_period_angstrom": {},
             "mean_release_barrier_eV": {}, "trap_weights_sum": {}}
    ax_occ0 = None
    for i, r in enumerate(rows):
        land, e_k, w_k = data[r]
        col = colour(r)
        ax_s = fig.add_subplot(gs[2 * i, 0])
        ax_e = fig.add_subplot(gs[2 * i + 1, 0], sharex=ax_s)
        ax_o = fig.add_subplot(gs[2 * i + 1, 1], sharey=ax_e, sharex=ax_occ0)
        ax_occ0 = ax_occ0 or ax_o
        # structure strip, z horizontal, same Å scale in both directions
        if r == "inf":
            st = layered_structure(r, c, columns=columns, height_angstrom=length)
        else:
            st = layered_structure(r, c, slabs=periods, columns=columns)
        draw_structure(ax_s, st, col, swap_axes=True, lw=0.5)
        ax_s.set_xlim(0, length)
        pos = ax_s.get_position()
        span = length * (pos.height * fig_h) / (pos.width * fig_w)
        ax_s.set_ylim(st.width_angstrom / 2 - span / 2, st.width_angstrom / 2 + span / 2)
        ax_s.axis("off")
        name = "3D" if r == "inf" else ("2D" if r == "1" else "quasi-2D")
        panel_label(ax_s, "a" if i == 0 else "a′", dx_pt=-40, dy_pt=2,
                    caption=f"{name}: {label(r)}, " + formula_mathtext(r))
        # landscape
        for z0, z1 in land.spacer_intervals:
            ax_e.axvspan(z0, z1, color=_C_SPACER, lw=0, zorder=0)
        ax_e.plot(land.z_angstrom, land.energy_eV, color=col, lw=1.4, zorder=3)
        ax_e.axhline(0, color="0.6", lw=0.5, ls=":", zorder=1)
        ax_e.axhline(land.ea_eV, color="0.6", lw=0.5, ls=":", zorder=1)
        # E_A bracket at an interior hop (site -> neighbouring saddle, a quarter lattice step)
        if len(land.site_z):
            zs = land.site_z[len(land.site_z) // 2]
            zsad = land.saddle_z[land.saddle_z > zs].min()
            ax_e.annotate("", xy=(zsad, land.ea_eV), xytext=(zsad, 0.0),
                          arrowprops=dict(arrowstyle="<|-|>", lw=0.8, color="k", mutation_scale=6,
                                          shrinkA=0, shrinkB=0))
            ax_e.text(zsad + 0.5, land.ea_eV + 0.015, f"$E_A$ = {land.ea_eV:.3f} eV (migration)",
                      fontsize=7, va="bottom", ha="left",
                      bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.85), zorder=5)
        if r != "inf" and len(land.trap_z):
            zt = land.trap_z[min(2, len(land.trap_z) - 1)]
            floor = land.ea_eV - land.release_eV
            for e in e_k:
                ax_e.plot([zt - 0.9, zt + 0.9], [land.ea_eV - e] * 2, color="0.25", lw=0.6, zorder=4)
            za = zt + 1.4
            ax_e.annotate("", xy=(za, land.ea_eV), xytext=(za, floor),
                          arrowprops=dict(arrowstyle="<|-|>", lw=0.8, color="#b2182b", mutation_scale=6,
                                          shrinkA=0, shrinkB=0))
            ax_e.text(za + 0.6, floor + 0.62 * (land.ea_eV - floor),
                      "traps at the PEA faces:\nback-diffusion (release)\nbarriers "
                      + f"$E_k$ = {e_k.min():.2f}–\n{e_k.max():.2f} eV ({len(e_k)} classes,\nlevels $E_A - E_k$)",
                      fontsize=6.8, va="top", ha="left", color="#b2182b",
                      bbox=dict(fc="white", ec="none", pad=0.5, alpha=0.85), zorder=5)
            for zc in land.spacer_centres[(land.spacer_centres > 0) & (land.spacer_centres < length)][:1]:
                ax_e.text(zc, y_hi - 0.015, "PEA", ha="center", va="top", fontsize=7, color=_C_PEA)
        elif r == "inf":
            ax_e.text(0.99, 0.04, "no spacer: the model's traps (defects, grain boundaries)\n"
                      "have no position on this axis; their levels are at right",
                      transform=ax_e.transAxes, ha="right", va="bottom", fontsize=6.8, color="0.3")
        ax_e.set_ylim(y_lo, y_hi)
        ax_e.set_ylabel(axis_label("energy", "eV"))
        if i == len(rows) - 1:
            ax_e.set_xlabel(axis_label("out-of-plane position z", "Å"))
        else:
            plt.setp(ax_e.get_xticklabels(), visible=False)
        # occupancy of trap classes at their levels
        levels = land.ea_eV - e_k
        hgt = 0.8 * (np.min(np.diff(np.sort(levels))) if len(levels) > 1 else 0.05)
        hgt = min(max(hgt, 0.004), 0.05)
        ax_o.barh(levels, w_k, height=hgt, color=col, edgecolor="0.2", lw=0.3)
        ax_o.axhline(0, color="0.6", lw=0.5, ls=":")
        ax_o.axhline(land.ea_eV, color="0.6", lw=0.5, ls=":")
        plt.setp(ax_o.get_yticklabels(), visible=False)
        if i == len(rows) - 1:
            ax_o.set_xlabel("trap occupancy:\ncapture weight $w_k$")
        else:
            plt.setp(ax_o.get_xticklabels(), visible=False)
        drawn["migration_barrier_eV"][r] = float(np.max(land.energy_eV))
        if r != "inf":
            drawn["release_barrier_eV"][r] = float(np.max(land.energy_eV) - np.min(land.energy_eV))
            drawn["spacer_period_angstrom"][r] = float(np.mean(np.diff(land.spacer_centres)))
        drawn["mean_release_barrier_eV"][r] = float(np.sum(w_k * e_k))
        drawn["trap_weights_sum"][r] = float(np.sum(w_k))
    ax_occ0.set_xlim(0, 1.08 * max(float(np.max(data[r][2])) for r in rows))
    return fig, drawn


__all__ = [
    "StructureConstants", "load_structure_constants", "slab_period", "LayeredStructure",
    "layered_structure", "drawn_slab_period", "formula_mathtext", "draw_structure",
    "fig1c_structures", "DeviceGeometry", "load_device_geometry", "Crossbar", "crossbar_layout",
    "layer_stack", "fig1b_geometry", "fig1a_synapse", "Box", "Arrow", "multistore_layout",
    "fig4a_multistore", "Landscape", "migration_landscape", "check_trap_classes", "fig5a_migration",
]
