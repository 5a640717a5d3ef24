"""Tests of the schematic figures (analysis.plotting: crystal_structures, device_geometry, synapse_analogy,
multistore, ion_migration, drawing): the drawn geometry equals the data it is drawn from."""
from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis.plotting import crystal_structures, device_geometry, ion_migration, multistore, synapse_analogy
from analysis.plotting.style import save
from analysis.parameters import paper_values, parameter_values

FINITE = ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="module")
def constants():
    return crystal_structures.load_structure_constants()


@pytest.fixture(scope="module")
def struct():
    return parameter_values("structure")


@pytest.fixture(scope="module")
def geometry():
    return device_geometry.load_device_geometry()


def d_of_n(struct, n):
    """d(n) = d(1) + (n - 1) a_pc, straight from structure.yaml."""
    return struct["d001_pea2pbbr4"] + (int(n) - 1) * struct["a_pseudocubic_layer"]


# --------------------------------------------------------------------------- structure
def test_constants_come_from_structure_yaml(constants, struct):
    assert constants.d1_angstrom == struct["d001_pea2pbbr4"]
    assert constants.a_pc_angstrom == struct["a_pseudocubic_layer"]
    assert constants.a_cubic_angstrom == struct["a_cubic_mapbbr3"]
    assert constants.pea_bilayer_angstrom == struct["pea_bilayer_thickness"]
    assert constants.pb_br_angstrom == struct["pb_br_bond"]


@pytest.mark.parametrize("n", FINITE)
def test_slab_period_is_d_of_n(constants, struct, n):
    c = constants
    assert crystal_structures.slab_period(n, c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom) == pytest.approx(
        d_of_n(struct, n), abs=1e-12)


def test_slab_period_of_3d_is_cubic_constant(constants, struct):
    c = constants
    assert crystal_structures.slab_period("inf", c.d1_angstrom, c.a_pc_angstrom, c.a_cubic_angstrom) == struct["a_cubic_mapbbr3"]


@pytest.mark.parametrize("n", FINITE)
def test_layered_structure_octahedra_per_slab_equal_n(constants, n):
    st = crystal_structures.layered_structure(n, constants, slabs=3, columns=4)
    for j in range(3):
        for col in range(4):
            count = np.sum((st.octahedron_slab == j) & (st.octahedron_column == col))
            assert count == int(n)
    assert len(st.octahedron_centres) == 3 * 4 * int(n)


@pytest.mark.parametrize("n", FINITE)
def test_drawn_slab_period_equals_d_of_n(constants, struct, n):
    st = crystal_structures.layered_structure(n, constants, slabs=3)
    assert crystal_structures.drawn_slab_period(st) == pytest.approx(d_of_n(struct, n), abs=1e-9)
    assert st.period_angstrom == pytest.approx(d_of_n(struct, n), abs=1e-9)
    # the window spans whole periods, from bilayer centre to bilayer centre
    assert st.height_angstrom == pytest.approx(3 * d_of_n(struct, n), abs=1e-9)


@pytest.mark.parametrize("n", FINITE)
def test_ma_rows_and_pea_per_slab(constants, n):
    st = crystal_structures.layered_structure(n, constants, slabs=2, columns=4)
    z_ma = st.ma_sites[st.ma_slab == 0][:, 1] if len(st.ma_sites) else np.zeros(0)
    assert len(np.unique(np.round(z_ma, 9))) == int(n) - 1          # MA_(n-1)
    # two PEA per interior pocket per slab (one on each face), pointing into the bilayers
    assert len(st.pea_anchors) == 2 * 2 * 3
    slab0 = st.slab_intervals[0]
    assert np.all(st.pea_direction[np.isclose(st.pea_anchors[:, 1], slab0[0])] == -1)
    assert np.all(st.pea_direction[np.isclose(st.pea_anchors[:, 1], slab0[1])] == +1)


@pytest.mark.parametrize("n", FINITE)
def test_octahedra_share_corners(constants, n):
    st = crystal_structures.layered_structure(n, constants, slabs=1, columns=3)
    z = np.unique(np.round(st.octahedron_centres[:, 1], 9))
    x = np.unique(np.round(st.octahedron_centres[:, 0], 9))
    # neighbouring diamonds touch at a vertex: spacing = 2 x half-diagonal
    if len(z) > 1:
        assert np.allclose(np.diff(z), 2 * st.half_diagonal_angstrom, atol=1e-6)
    assert np.allclose(np.diff(x), 2 * st.half_diagonal_angstrom, atol=1e-6)


def test_slab_and_bilayer_thickness(constants, struct):
    st = crystal_structures.layered_structure(3, constants, slabs=2)
    t_slab = np.diff(st.slab_intervals, axis=1).ravel()
    assert np.allclose(t_slab, 3 * struct["a_pseudocubic_layer"])
    gap = st.slab_intervals[1, 0] - st.slab_intervals[0, 1]
    assert gap == pytest.approx(struct["pea_bilayer_thickness"], abs=0.05)


def test_3d_structure_has_no_pea_and_ma_in_every_cage(constants, struct):
    st = crystal_structures.layered_structure("inf", constants, columns=4, height_angstrom=30.0)
    layers = int(30.0 // struct["a_cubic_mapbbr3"])
    assert len(st.pea_anchors) == 0 and len(st.spacer_intervals) == 0
    assert len(st.octahedron_centres) == 4 * layers
    assert len(st.ma_sites) == 3 * (layers - 1)
    assert crystal_structures.drawn_slab_period(st) == pytest.approx(struct["a_cubic_mapbbr3"])


def test_changing_a_parameter_changes_the_drawing(constants):
    other = dataclasses.replace(constants, a_pc_angstrom=6.2, d1_angstrom=6.2 + constants.pea_bilayer_angstrom)
    p0 = crystal_structures.drawn_slab_period(crystal_structures.layered_structure(3, constants))
    p1 = crystal_structures.drawn_slab_period(crystal_structures.layered_structure(3, other))
    assert p1 == pytest.approx(6.2 * 3 + constants.pea_bilayer_angstrom)
    assert p1 != pytest.approx(p0)


@pytest.mark.parametrize("bad", [0, 6, "2.5", "two", -1])
def test_bad_n_raises(constants, bad):
    with pytest.raises(ValueError, match="dimensionality n="):
        crystal_structures.layered_structure(bad, constants)


def test_bad_counts_and_constants_raise(constants):
    with pytest.raises(ValueError, match=r"slabs=0 must be an integer >= 1"):
        crystal_structures.layered_structure(2, constants, slabs=0)
    with pytest.raises(ValueError, match=r"columns=1 must be an integer >= 2"):
        crystal_structures.layered_structure(2, constants, columns=1)
    with pytest.raises(ValueError, match=r"pea_bilayer_angstrom=12.0 .* inconsistent"):
        dataclasses.replace(constants, pea_bilayer_angstrom=12.0)
    with pytest.raises(ValueError, match=r"a_pc_angstrom=-5.93 must be finite and > 0"):
        crystal_structures.slab_period(2, 16.66, -5.93, 5.93)


def test_formula_mathtext():
    assert crystal_structures.formula_mathtext(3) == r"$\mathrm{(PEA)_{2}MA_{2}Pb_{3}Br_{10}}$"
    assert crystal_structures.formula_mathtext("inf") == r"$\mathrm{MAPbBr_{3}}$"


# --------------------------------------------------------------------------- device geometry
def test_geometry_uses_paper_widths_and_layer_order(geometry):
    widths = paper_values()["device"]["electrode_width_um"]["value"]
    assert list(geometry.electrode_widths_um) == [float(w) for w in widths]
    assert geometry.layer_order == ("ITO", "BCCP", "OHP", "Al")


def test_crossbar_device_rectangles_equal_electrode_widths(geometry):
    widths = paper_values()["device"]["electrode_width_um"]["value"]
    areas = paper_values()["device"]["areas_um2"]["value"]
    cb = device_geometry.crossbar_layout(widths, geometry.line_gap_um, geometry.line_overhang_um)
    assert np.allclose(cb.devices[:, 2], widths) and np.allclose(cb.devices[:, 3], widths)
    assert np.allclose(cb.devices[:, 2] * cb.devices[:, 3], areas)
    assert np.allclose(cb.bottom_lines[:, 2], widths)      # ITO line widths
    assert np.allclose(cb.top_lines[:, 3], widths)         # Al line widths
    # each device is the overlap of its ITO and Al line
    for i, (x, y, w, h) in enumerate(cb.devices):
        bx, _, bw, _ = cb.bottom_lines[i]
        _, ty, _, th = cb.top_lines[i]
        assert (x, w) == (bx, bw) and (y, h) == (ty, th)
    # neighbouring lines are separated by the gap
    edges = cb.bottom_lines[:, 0] + cb.bottom_lines[:, 2]
    assert np.allclose(cb.bottom_lines[1:, 0] - edges[:-1], geometry.line_gap_um)


def test_crossbar_bad_input_raises():
    with pytest.raises(ValueError, match=r"widths_um\[1\]=-500.0 must be finite and > 0 µm"):
        device_geometry.crossbar_layout([250, -500, 750], 100, 100)
    with pytest.raises(ValueError, match=r"widths_um\[0\]=0.0 must be finite and > 0"):
        device_geometry.crossbar_layout([0], 100, 100)
    with pytest.raises(ValueError, match=r"gap_um=-1 must be finite and >= 0 µm"):
        device_geometry.crossbar_layout([250], -1, 100)
    with pytest.raises(ValueError, match=r"widths_um=\[\] must be a non-empty list"):
        device_geometry.crossbar_layout([], 100, 100)


def test_layer_stack_is_cumulative(geometry):
    stack = device_geometry.layer_stack(geometry.layer_order, geometry.thickness_nm)
    assert [x[0] for x in stack] == ["ITO", "BCCP", "OHP", "Al"]
    for (_, _, top), (_, bottom, _) in zip(stack, stack[1:]):
        assert top == bottom
    assert stack[-1][2] == pytest.approx(sum(geometry.thickness_nm.values()))
    with pytest.raises(ValueError, match=r"thickness_nm\['OHP'\]=-200 must be finite and > 0 nm"):
        device_geometry.layer_stack(["ITO", "OHP"], {"ITO": 150, "OHP": -200})
    with pytest.raises(ValueError, match="no entry for layer 'Al'"):
        device_geometry.layer_stack(["ITO", "Al"], {"ITO": 150})


# --------------------------------------------------------------------------- multistore
def _on_edge(point, box, tol=1e-9):
    x, y = point
    inside_x = box.x - tol <= x <= box.x + box.w + tol
    inside_y = box.y - tol <= y <= box.y + box.h + tol
    on_v = (abs(x - box.x) < tol or abs(x - box.x - box.w) < tol) and inside_y
    on_h = (abs(y - box.y) < tol or abs(y - box.y - box.h) < tol) and inside_x
    return on_v or on_h


def test_multistore_layout_boxes_and_arrows():
    boxes, arrows = multistore.multistore_layout(30)
    assert {"sensory", "stm", "ltm", "spike", "stp", "ltp"} <= set(boxes)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not multistore._boxes_overlap(boxes[a], boxes[b]), (a, b)
    for arr in arrows:
        assert any(_on_edge(arr.start, b) for b in boxes.values()), arr
        if arr.kind != "forget":
            assert any(_on_edge(arr.end, b) for b in boxes.values()), arr
    kinds = [a.kind for a in arrows]
    assert kinds.count("forget") == 2 and "rehearsal" in kinds and "retrieval" in kinds
    assert "30" in boxes["ltp"].text
    # the model row sits above the device row, store by store
    for top, bottom in (("sensory", "spike"), ("stm", "stp"), ("ltm", "ltp")):
        assert boxes[top].x == boxes[bottom].x and boxes[top].y > boxes[bottom].y + boxes[bottom].h


def test_multistore_bad_rehearsals():
    with pytest.raises(ValueError, match="rehearsals=1 must be an integer >= 2"):
        multistore.multistore_layout(1)


# --------------------------------------------------------------------------- migration landscape
@pytest.mark.parametrize("n", FINITE)
def test_landscape_maxima_and_release_barrier(constants, struct, n):
    land = ion_migration.migration_landscape(n, 0.138, 0.7, constants, length_angstrom=60.0)
    assert land.energy_eV.max() == pytest.approx(0.138, abs=1e-12)
    assert land.energy_eV.max() - land.energy_eV.min() == pytest.approx(0.7, abs=1e-12)
    # spacer bilayers at z = k d(n)
    d = d_of_n(struct, n)
    assert np.allclose(land.spacer_centres, d * np.arange(len(land.spacer_centres)))
    assert np.allclose(np.diff(land.spacer_centres), d)
    # every saddle is at E_A, every lattice site at 0, every trap at E_A - release
    e_at = lambda z: np.interp(z, land.z_angstrom, land.energy_eV)  # noqa: E731
    assert np.allclose(e_at(land.saddle_z), 0.138)
    assert np.allclose(e_at(land.site_z), 0.0, atol=1e-12)
    assert np.allclose(e_at(land.trap_z), 0.138 - 0.7)
    # 2n + 1 Br planes per slab, the two outer ones are traps
    per_slab = 2 * int(n) + 1
    assert len(land.site_z) + len(land.trap_z) >= per_slab


def test_landscape_3d_has_only_the_migration_barrier(constants, struct):
    land = ion_migration.migration_landscape("inf", 0.09, None, constants, length_angstrom=30.0)
    assert land.energy_eV.max() == pytest.approx(0.09, abs=1e-12)
    assert land.energy_eV.min() == pytest.approx(0.0, abs=1e-12)
    assert len(land.spacer_centres) == 0 and len(land.trap_z) == 0
    assert np.allclose(np.diff(land.site_z), struct["a_cubic_mapbbr3"] / 2)
    assert np.isnan(land.release_eV)


def test_landscape_bad_input(constants):
    with pytest.raises(ValueError, match=r"ea_eV=-0.1 must be finite and > 0 eV"):
        ion_migration.migration_landscape(3, -0.1, 0.7, constants, length_angstrom=50)
    with pytest.raises(ValueError, match=r"release_eV=None must be a number > 0 eV"):
        ion_migration.migration_landscape(3, 0.1, None, constants, length_angstrom=50)
    with pytest.raises(ValueError, match=r"length_angstrom=0 must be finite and > 0"):
        ion_migration.migration_landscape(3, 0.1, 0.7, constants, length_angstrom=0)
    with pytest.raises(ValueError, match="dimensionality n="):
        ion_migration.migration_landscape(7, 0.1, 0.7, constants, length_angstrom=50)


def test_trap_class_validation():
    e, w = ion_migration.check_trap_classes([0.5, 0.6], [0.25, 0.75])
    assert e.tolist() == [0.5, 0.6]
    with pytest.raises(ValueError, match="must be >= 0 and sum to 1"):
        ion_migration.check_trap_classes([0.5, 0.6], [0.5, 0.6])
    with pytest.raises(ValueError, match="must all be finite and > 0 eV"):
        ion_migration.check_trap_classes([-0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="equal length"):
        ion_migration.check_trap_classes([0.5, 0.6], [1.0])


MODEL = {"inf": (0.09, np.array([0.40, 0.55, 0.70]), np.array([0.7, 0.2, 0.1])),
         "3": (0.138, np.array([0.45, 0.65, 0.85]), np.array([0.4, 0.35, 0.25]))}


def test_fig5a_drawn_barriers_equal_inputs(constants, struct):
    fig, drawn = ion_migration.fig5a_migration(MODEL, constants, "3")
    plt.close(fig)
    assert drawn["migration_barrier_eV"] == {"inf": pytest.approx(0.09), "3": pytest.approx(0.138)}
    assert drawn["release_barrier_eV"]["3"] == pytest.approx(0.85)
    assert drawn["spacer_period_angstrom"]["3"] == pytest.approx(d_of_n(struct, 3))
    assert drawn["mean_release_barrier_eV"]["3"] == pytest.approx(0.45 * 0.4 + 0.65 * 0.35 + 0.85 * 0.25)
    with pytest.raises(ValueError, match="quasi2d_n='inf' must be a finite dimensionality"):
        ion_migration.fig5a_migration(MODEL, constants, "inf")
    with pytest.raises(ValueError, match="model lacks parameters for n = 2"):
        ion_migration.fig5a_migration(MODEL, constants, 2)


# --------------------------------------------------------------------------- figures
def test_fig1c_and_fig1b_report_the_drawn_geometry(constants, struct, geometry):
    fig, drawn = crystal_structures.fig1c_structures(constants, ("1", "2", "3", "inf"))
    plt.close(fig)
    for n in ("1", "2", "3"):
        assert drawn["layers_per_slab"][n] == int(n)
        assert drawn["ma_rows_per_slab"][n] == int(n) - 1
        assert drawn["period_angstrom"][n] == pytest.approx(d_of_n(struct, n), abs=1e-9)
    assert drawn["period_angstrom"]["inf"] == pytest.approx(struct["a_cubic_mapbbr3"])
    fig, drawn = device_geometry.fig1b_geometry(geometry)
    plt.close(fig)
    assert drawn["device_width_um"] == [250.0, 500.0, 750.0]
    assert drawn["layer_order"] == ["ITO", "BCCP", "OHP", "Al"]
    assert drawn["layer_thickness_nm"] == geometry.thickness_nm


def test_fig1a_bad_spike(geometry):
    with pytest.raises(ValueError, match="spike_amplitude_V=0 must be a finite non-zero voltage"):
        synapse_analogy.fig1a_synapse(geometry, 0, 0.02)
    with pytest.raises(ValueError, match=r"spike_width_s=-0.02 must be finite and > 0 s"):
        synapse_analogy.fig1a_synapse(geometry, -1.0, -0.02)


def _render(which, constants, geometry):
    if which == "fig1a":
        return synapse_analogy.fig1a_synapse(geometry, -1.0, 0.02)[0]
    if which == "fig1b":
        return device_geometry.fig1b_geometry(geometry)[0]
    if which == "fig1c":
        return crystal_structures.fig1c_structures(constants)[0]
    if which == "fig4a":
        return multistore.fig4a_multistore(30)[0]
    return ion_migration.fig5a_migration(MODEL, constants, "3")[0]


@pytest.mark.parametrize("which", ["fig1a", "fig1b", "fig1c", "fig4a", "fig5a"])
def test_two_renders_give_identical_bytes(tmp_path, constants, geometry, which):
    outputs = []
    for k in range(2):
        fig = _render(which, constants, geometry)
        paths = save(fig, tmp_path / f"run{k}" / which)
        plt.close(fig)
        outputs.append({p.suffix: p.read_bytes() for p in paths})
    assert outputs[0][".png"] == outputs[1][".png"]
    assert outputs[0][".pdf"] == outputs[1][".pdf"]
    assert len(outputs[0][".png"]) > 10_000        # a real drawing, not an empty canvas


@pytest.mark.parametrize("which", ["fig1a", "fig1b", "fig1c", "fig4a", "fig5a"])
def test_schematics_follow_the_figure_style(constants, geometry, which):
    """Panel letters instead of titles, units as ``[unit]``, a journal page wide."""
    from analysis.plotting.style import PAGE_IN, style_violations

    fig = _render(which, constants, geometry)
    try:
        assert style_violations(fig) == []
        letters = [t.get_text() for ax in fig.axes for t in ax.texts
                   if t.get_fontweight() == "bold" and t.get_text() in ("a", "a′", "b", "b′", "c")]
        assert letters and letters[0] == which[-1]
        labels = [lab for ax in fig.axes for lab in (ax.get_xlabel(), ax.get_ylabel()) if lab]
        assert all("[" in lab for lab in labels if "capture weight" not in lab), labels
        assert fig.get_size_inches()[0] == pytest.approx(PAGE_IN, abs=0.01)
    finally:
        plt.close(fig)


def test_fig5a_labels_units_in_brackets(constants):
    fig = ion_migration.fig5a_migration(MODEL, constants, "3")[0]
    labels = {lab for ax in fig.axes for lab in (ax.get_xlabel(), ax.get_ylabel()) if lab}
    plt.close(fig)
    assert {"energy [eV]", "out-of-plane position z [Å]"} <= labels
