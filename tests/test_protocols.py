"""Tests of the simulated experiments: the pulse engine (analysis/physics/pulses.py), the paper's
protocols (protocols.py) and the per-film Dataset (simulation.py)."""
import numpy as np
import pytest

from analysis.physics import multitrap as dev
from analysis import stage_io as io
from analysis.physics import protocols, pulses, simulation
from analysis.parameters import paper_values


QUICK = {"ppf_points": 9, "sfdp_points": 6, "energy_points": 10, "trace_samples": 200, "iv_step_V": 0.05}


@pytest.fixture(scope="module")
def quick3():
    return simulation.simulate_device("3", QUICK)


def test_simulate_device_contents(quick3, tmp_path):
    ds = quick3
    for name in ("epsc_current", "ppf_index", "sfdp_index", "svdp_index", "sddp_index", "sndp_index",
                 "svdp_trace_current", "sddp_trace_current", "sndp_trace_current", "retention_weight",
                 "arrhenius_resistance", "iv_current", "pd_conductance", "psc_current"):
        assert name in ds
    assert ds["pd_conductance"].dims == ("pd_pulse",)
    assert ds.sizes["pd_pulse"] == 40 and ds["pd_pulse"].values[0] == 1
    np.testing.assert_allclose(ds["pd_amplitude"].values, [-1.0] * 20 + [1.0] * 20)
    assert ds["psc_current"].dims == ("energy_amplitude", "area")
    amps = ds["energy_amplitude"].values
    assert np.isclose(amps, -0.02).any() and np.isclose(amps, -1.0).any()
    np.testing.assert_allclose(ds["area"].values, paper_values()["device"]["areas_um2"]["value"])
    assert ds["psc_current"].attrs["psc_pulse_width_s"] == 0.02
    assert np.all(ds["psc_current"] > 0)
    for dim in ds.dims:
        assert dim not in ("wavelength", "two_theta", "phase", "time", "interval", "frequency")
    io.write_netcdf(ds, tmp_path / "n3.nc")        # every variable has units
    back = io.read_netcdf(tmp_path / "n3.nc")
    np.testing.assert_allclose(back["ppf_index"], ds["ppf_index"])


def test_plasticity_trends(quick3):
    ds = quick3
    assert np.all(ds["ppf_index"] > 1) and np.all(np.diff(ds["ppf_index"]) < 0)
    for name in ("sfdp_index", "svdp_index", "sddp_index", "sndp_index"):
        assert np.all(np.diff(ds[name].values) > 0), name
    g = ds["pd_conductance"].values
    assert np.all(np.diff(g[:20]) > 0) and np.all(np.diff(g[20:]) < 0)
    ret15 = ds["retention_weight"].isel(retention_time=-1).values
    assert np.all(np.diff(ret15) > 0)                          # 1 < 10 < 30 rehearsals
    assert float(ds["iv_relaxed_deviation"]) < 1e-9


def test_psc_current_scales_with_area():
    i = protocols.psc_currents("1", [-1.0, -0.02], [62500.0, 250000.0])
    np.testing.assert_allclose(i[:, 1], 4 * i[:, 0])
    assert i[0, 0] > i[1, 0]


def test_batched_equals_single_runs():
    p = dev.load_parameters("4")
    dts = np.array([0.02, 0.1])
    a1, a2 = protocols.paired_pulse(p, dts)
    for k, dt in enumerate(dts):
        train = pulses.PulseTrain(np.array([0.0, 0.02 + dt]), 0.02, -1.0)
        states = pulses.run_train(p, train, train.ends_s + p.read_delay_s)
        cur = dev.read_current(p, states, -0.01)
        np.testing.assert_allclose([a1[k], a2[k]], cur, rtol=1e-12)


def test_run_train_trace_continuity():
    p = dev.load_parameters("5")
    train = pulses.PulseTrain.regular(3, -1.0, 0.02, gap_s=0.05)
    t = np.linspace(-0.05, 0.5, 300)
    st = pulses.run_train(p, train, t)
    np.testing.assert_allclose(st.sum(axis=1), 1.0, atol=1e-12)
    P = dev.migrated_fraction(st)
    assert P[0] == 0 and P.max() > 0
    assert np.max(np.abs(np.diff(P))) < 0.5 * P.max()      # no jumps on a fine grid


@pytest.mark.parametrize("call, match", [
    (lambda: pulses.PulseTrain(np.array([0.0, 0.01]), 0.02, -1.0), "pulse train overlaps itself"),
    (lambda: protocols.frequency_train("3", [60.0]), "pulse train overlaps itself"),
    (lambda: protocols.frequency_train("3", [0.0]), r"frequency_Hz=.* must be finite and > 0 .*Hz"),
    (lambda: protocols.paired_pulse("3", [-0.02]), r"interval_s=.* must be finite and > 0 .*s"),
    (lambda: pulses.PulseTrain.regular(2, -1.0, 0.0, gap_s=0.1), r"width_s=0.0 must be finite and > 0"),
    (lambda: protocols.resistance_vs_temperature("3", [0.0, 300.0]), r"temperature_K=.* must be finite and > 0"),
    (lambda: simulation.simulate_device("6", QUICK), "dimensionality n='6' is not supported"),
    (lambda: simulation.resolve_settings({**QUICK, "profile": "quick"}), r"unknown \['profile'\]"),
    (lambda: simulation.resolve_settings({"ppf_points": 5}), r"missing \['sfdp_points'"),
    (lambda: simulation.resolve_settings({**QUICK, "ppf_points": 1}), "ppf_points=1 must be an integer >= 2"),
    (lambda: simulation.resolve_settings({**QUICK, "ppf_points": 2.5}), "ppf_points=2.5 must be an integer >= 2"),
    (lambda: protocols.retention("3", [0], [1.0]), r"rehearsals=\[0\] must all be integers >= 1"),
])
def test_errors_name_parameter_and_range(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_overlap_message_gives_accepted_range():
    with pytest.raises(ValueError, match=r"frequency <= 1/width = 50 Hz"):
        protocols.frequency_train("3", [60.0])


def test_settings_are_checked_and_made_integers():
    out = simulation.resolve_settings({**QUICK, "ppf_points": 5.0, "temperature_K": 280.0})
    assert out["ppf_points"] == 5 and isinstance(out["ppf_points"], int)
    assert out["temperature_K"] == 280.0
    assert set(simulation.SETTINGS) <= set(out)


def test_temperature_is_part_of_the_device():
    warm = pulses.at_temperature("3", 320.0)
    assert warm.temperature_K == 320.0 and dev.load_parameters("3").temperature_K != 320.0
    a_room = protocols.paired_pulse("3", [0.05])[0]
    a_warm = protocols.paired_pulse(warm, [0.05])[0]
    assert abs(float(a_warm[0] / a_room[0]) - 1) > 0.05, "the protocols run at the device's temperature"
    with pytest.raises(ValueError, match=r"temperature_K=-1.0 must be finite and > 0"):
        pulses.at_temperature("3", -1.0)


def test_device_dataset_is_the_union_of_the_protocol_builders(quick3):
    names = []
    for build in simulation.PROTOCOLS.values():
        c, v = build(dev.load_parameters("3"), simulation.resolve_settings(QUICK))
        names += list(c) + list(v)
    assert len(names) == len(set(names)), "no two builders write the same variable"
    assert set(names) == set(quick3.variables)


def test_a_subset_without_traces_has_the_same_values(quick3):
    """The sweep simulates only what its metrics read, without the time traces: the values it
    gets are the full simulation's."""
    parts = ("epsc", "ppf", "sndp", "retention")
    sub = simulation.simulate_device("3", {**QUICK, "traces": False}, parts=parts)
    assert "sndp_trace_current" not in sub and "epsc_current" not in sub
    for name in sub.data_vars:
        np.testing.assert_array_equal(sub[name].values, quick3[name].values, err_msg=name)
    with pytest.raises(ValueError, match=r"parts=\['pff'\] are not protocols"):
        simulation.simulate_device("3", QUICK, parts=("pff",))
