"""Figures of the robustness sweep: each claim's robustness over the physics, the analysis choices
and jointly, and the specification curves of the claim families (issue 17 §2).

A *specification curve* (Simonsohn, Simmons & Nelson, Nat. Hum. Behav. 4, 1208 (2020)) shows
every way of checking a statement that the assumptions allow: the top panel the claim's margin
in each specification (sample of the joint design × film), sorted, coloured by its outcome; the
panel below which options of the analysis choices each specification used, and, when the
drift–diffusion model's own design is shown beside the joint design, which device model (the
row ``model``; issue 19 §4). A family whose curve crosses zero where one option begins is
decided by that choice, not by the physics.
"""
from __future__ import annotations

import fnmatch

import matplotlib.pyplot as plt
import numpy as np

from analysis.plotting import style as figures

OUTCOME_COLOURS = {"reproduced": "#1a7f37", "too small to have been seen": "#d4a72c",
                   "contradicted": "#cf222e", "undecided": "#8250df", "consistent": "#1a7f37",
                   "paper-internal inconsistency": "#cf222e"}
"""Colour of each outcome (:data:`analysis.evidence.claims.OUTCOMES`)."""

FAMILIES = (
    ("PPF > 1 (Fig. 3b)", ["ppf_above_one_*"]),
    ("PPF falls with Δt (Fig. 3b)", ["ppf_decreasing_*"]),
    ("SFDP, SVDP, SDDP, SNDP rise (Fig. 3c–f)", ["sfdp_increasing_*", "svdp_increasing_*",
                                                 "sddp_increasing_*", "sndp_increasing_*"]),
    ("STP → LTP (Fig. 4b, S8)", ["stp_to_ltp_*"]),
    ("Fig. 2: optics and XRD", ["fig2-*"]),
    ("Fig. 6 and S11a: energy, device curve", ["fig6-*", "figS11-*"]),
)
"""The claim families of the specification-curve figure (claim-id patterns)."""


def family_claims(ids, patterns) -> list[str]:
    """The claim ids among *ids* that match any of *patterns* (fnmatch)."""
    return [i for i in ids if any(fnmatch.fnmatch(i, p) for p in patterns)]


def robustness_overview(summary: dict, ids: list[str], ax, labels: dict | None = None):
    """Each claim's robustness over the physics (○), the analysis choices (△) and jointly (●,
    with its 95 % Wilson interval), and of the drift–diffusion model over its own assumptions
    (◇, where swept), one row per claim; the band between 1 − r and r of the robust fraction r
    is where a verdict depends on the assumptions."""
    from analysis.evidence.rules import robustness_rules
    robust = float(robustness_rules()["robust_fraction"])
    ax.axvspan(1 - robust, robust, color="0.93", lw=0, zorder=0)
    drift = False
    for y, cid in enumerate(ids):
        s = summary["claims"].get(cid, {})
        joint = s.get("robustness_joint")
        lo, hi = s.get("robustness_joint_interval", [np.nan, np.nan])
        if joint is not None:   # one artist: the interval as a line, the value as its marker
            ax.plot([lo, joint, hi], [y, y, y], "-o", color="0.15", lw=0.8, ms=3.2, markevery=[1], zorder=3)
        for key, marker, colour in (("robustness_physics", "o", "C0"), ("robustness_analysis", "^", "C1"),
                                    ("robustness_driftdiffusion", "D", "C2")):
            v = s.get(key)
            if v is not None:
                ax.plot(v, y, marker, mfc="none", mec=colour, ms=3.5 if marker != "D" else 3.0, mew=0.7, zorder=3)
                drift = drift or marker == "D"
    ax.set_yticks(range(len(ids)), [(labels or {}).get(i, i) for i in ids], fontsize=5.5)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.set_xlim(-0.05, 1.05)   # a value of 0 or 1 stands clear of the axis, not on it
    ax.set_xlabel("fraction of samples in which the claim holds")
    handles = [ax.plot([], [], "o", mfc="none", mec="C0", ms=3.5, label="over the physics")[0],
               ax.plot([], [], "^", mfc="none", mec="C1", ms=3.5, label="over the analysis choices")[0],
               ax.plot([], [], "-o", color="0.15", ms=3.2, lw=0.8, label="jointly (95 % interval)")[0],
               ax.fill_between([], [], color="0.93", label=f"depends ({1 - robust:g}–{robust:g})")]
    if drift:
        handles.insert(2, ax.plot([], [], "D", mfc="none", mec="C2", ms=3.0,
                                  label="drift–diffusion model (own assumptions)")[0])
    return handles


MODEL_ROW = "model"
"""Label of the option row that says which device model a specification came from."""


def specification_curve(ax_curve, ax_rows, ds, claim_ids: list[str], choice_names: list[str],
                        choice_options: dict):
    """One family's specification curve from a design's Dataset *ds* (normally ``joint``), or
    from several designs at once: *ds* a mapping ``model label -> Dataset`` (the multi-trap
    model's joint design and the drift–diffusion model's own design), which adds the row
    :data:`MODEL_ROW` on top of the option rows (colour = model).

    Every (sample, claim) where the claim was judged is one specification; its margin is divided
    by the claim's median |margin| over the specifications (the claims of a family have different
    units), sorted, and coloured by outcome. *choice_names*: the analysis choices shown below;
    *choice_options*: name -> list of option labels (None for a continuous choice).
    """
    from analysis.evidence.claims import OUTCOMES
    designs = dict(ds) if isinstance(ds, dict) else {None: ds}
    specs = []
    for cid in claim_ids:
        var = "margin__" + cid.replace("-", "_")
        found = []
        for k, d in enumerate(designs.values()):
            if var not in d:
                continue
            o = d["outcome__" + cid.replace("-", "_")].values
            ev = o >= 0
            found += [(k, i, d[var].values[i], int(o[i])) for i in np.nonzero(ev)[0]]
        if not found:
            continue
        scale = np.nanmedian(np.abs([f[2] for f in found]))
        scale = scale if np.isfinite(scale) and scale > 0 else 1.0
        for k, i, m, o in found:
            value = m / scale if np.isfinite(m) else (-1.0 if o != OUTCOMES.index("reproduced") else 1.0)
            specs.append((float(np.clip(value, -5, 5)), OUTCOMES[o], i, k))
    if not specs:
        ax_curve.text(0.5, 0.5, "not judged in this design", ha="center", va="center",
                      transform=ax_curve.transAxes, fontsize=7, color="0.4")
        ax_rows.set_axis_off()
        return 0
    specs.sort(key=lambda s: s[0])
    x = np.arange(len(specs))
    ax_curve.axhline(0, color="0.5", lw=0.6)
    ax_curve.scatter(x, [s[0] for s in specs], c=[OUTCOME_COLOURS.get(s[1], "0.5") for s in specs],
                     s=4, lw=0)
    ax_curve.set_xlim(-1, len(specs))
    ax_curve.set_ylabel("scaled\nmargin", fontsize=6)
    ax_curve.tick_params(labelbottom=False, labelsize=6)
    cmap = plt.get_cmap("tab10")
    rows = ([MODEL_ROW] if len(designs) > 1 else []) + list(choice_names)
    data = list(designs.values())
    for row, name in enumerate(rows):
        if name == MODEL_ROW:
            colours = [MODEL_COLOURS[s[3] % len(MODEL_COLOURS)] for s in specs]
            key = [(str(label), MODEL_COLOURS[k % len(MODEL_COLOURS)]) for k, label in enumerate(designs)]
            ax_rows.scatter(x, np.full(len(x), row), c=colours, s=3, marker="s", lw=0)
            _option_key(ax_rows, row, key)
            continue
        var = f"choice__{name}"
        if not all(var in d for d in data):
            continue
        col = [data[s[3]][var].values[s[2]] for s in specs]
        opts = choice_options.get(name)
        if opts:
            colours = [cmap(int(v) % 10) for v in col]
            key = [(o, cmap(k % 10)) for k, o in enumerate(opts)]
        else:
            vals = np.concatenate([d[var].values for d in data])
            lo, hi = np.nanmin(vals), np.nanmax(vals)
            colours = [plt.get_cmap("viridis")(0.8 * (v - lo) / (hi - lo) if hi > lo else 0.4) for v in col]
            key = [(f"{lo:.3g}", plt.get_cmap("viridis")(0.0)), ("→", "0.4"),
                   (f"{hi:.3g}", plt.get_cmap("viridis")(0.8))]
        ax_rows.scatter(x, np.full(len(x), row), c=colours, s=3, marker="s", lw=0)
        _option_key(ax_rows, row, key)
    ax_rows.set_yticks(range(len(rows)), [n.replace("_", " ") for n in rows], fontsize=5.5)
    ax_rows.set_ylim(len(rows) - 0.5, -0.5)
    ax_rows.set_xlim(-1, len(specs))
    ax_rows.tick_params(labelsize=6)
    return len(specs)


MODEL_COLOURS = ("#0969da", "#bf8700", "#8250df")
"""Colours of the models in the :data:`MODEL_ROW` row (in the order of the designs given)."""


def _option_key(ax, row: float, key: list[tuple[str, object]]):
    """The options of one choice row, each in its colour, right of the axes at that row."""
    from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea
    from matplotlib.transforms import blended_transform_factory
    parts = [TextArea(("■ " if label != "→" else "") + label, textprops={"color": colour, "fontsize": 5})
             for label, colour in key]
    box = HPacker(children=parts, align="center", pad=0, sep=3)
    ax.add_artist(AnnotationBbox(box, (1.0, row), xycoords=blended_transform_factory(ax.transAxes, ax.transData),
                                 box_alignment=(0, 0.5), frameon=False, pad=0.2,
                                 xybox=(4, 0), boxcoords="offset points", annotation_clip=False))


def outcome_legend(fig, outcomes=("reproduced", "too small to have been seen", "contradicted", "undecided")):
    """One legend of the outcome colours for a figure of specification curves: the *outcomes*
    whose colour some curve of *fig* shows (a legend entry with no point drawn is left out)."""
    from matplotlib import colors as mcolors
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    drawn = {mcolors.to_hex(c) for ax in fig.axes for coll in ax.collections
             if isinstance(coll, PathCollection) and len(coll.get_offsets()) for c in coll.get_facecolor()}
    outcomes = [o for o in outcomes if mcolors.to_hex(OUTCOME_COLOURS[o]) in drawn]
    handles = [Line2D([], [], ls="", marker="o", ms=3, color=OUTCOME_COLOURS[o], label=o) for o in outcomes]
    return fig.legend(handles=handles, loc="upper center", ncol=max(len(handles), 1), fontsize=6, frameon=False,
                      bbox_to_anchor=(0.5, 1.0))


__all__ = ["FAMILIES", "MODEL_ROW", "MODEL_COLOURS", "outcome_legend", "OUTCOME_COLOURS", "family_claims", "robustness_overview", "specification_curve"]
