"""Tests of analysis.physics.energy: E = |P|·I·t, implied current/resistance, area scaling, audit."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from analysis.physics import energy as en
from analysis.evidence import energy_audit
from analysis.physics.dimensionality import N_VALUES
from analysis.stage_io import write_netcdf
from analysis.parameters import data_dir, paper_values

FIXTURE_AREAS_UM2 = (62500.0, 250000.0, 562500.0)


def write_synthetic_psc(results_dir, n_values=N_VALUES, i0_A=0.9e-12, exponent=1.0,
                        n_amplitudes=50) -> Path:
    """TEST FIXTURE ONLY — not a device model.

    Writes ``{results_dir}/simulate/n{n}.nc`` with the input contract of the device model:
    ``psc_current`` [A] on (energy_amplitude, area), I = −i0·(A/62500 µm²)·|P|^exponent·g(n)
    with g(n) = 1, 1.5, 2, … growing with n, and attrs psc_pulse_width_s = 0.02.
    """
    results_dir = Path(results_dir)
    amps = np.linspace(-0.02, -1.0, n_amplitudes)
    areas = np.array(FIXTURE_AREAS_UM2)
    for k, n in enumerate(n_values):
        g = 1.0 + 0.5 * k
        cur = -i0_A * g * (areas[None, :] / 62500.0) * np.abs(amps[:, None]) ** exponent
        da = xr.DataArray(cur, dims=("energy_amplitude", "area"),
                          coords={"energy_amplitude": amps, "area": areas},
                          attrs={"units": "A", "long_name": "synthetic test current",
                                 "psc_pulse_width_s": 0.02})
        ds = xr.Dataset({"psc_current": da})
        ds["energy_amplitude"].attrs = {"units": "V", "long_name": "pulse amplitude"}
        ds["area"].attrs = {"units": "um2", "long_name": "device area"}
        write_netcdf(ds, results_dir / "simulate" / f"n{n}.nc")
    return results_dir


# --------------------------------------------------------------------------- energy function
def test_energy_per_event_known_answer():
    # 1 V × 1 pA × 20 ms = 20 fJ; sign of P and I is irrelevant
    assert en.energy_per_event(-1.0, 1e-12, 0.02) == pytest.approx(20e-15)
    assert en.energy_per_event(1.0, -1e-12, 0.02) == pytest.approx(20e-15)
    assert en.energy_per_event(-0.02, 1.75e-12, 0.02) == pytest.approx(0.7e-15)


def test_energy_per_event_broadcasts_arrays_and_dataarrays():
    e = en.energy_per_event(np.array([-0.5, -1.0]), 2e-12, 0.01)
    np.testing.assert_allclose(e, [1e-14, 2e-14])
    amp = xr.DataArray([-0.5, -1.0], dims="energy_amplitude")
    cur = xr.DataArray([1e-12, 2e-12, 3e-12], dims="area")
    e2 = en.energy_per_event(amp, cur, 0.02)
    assert e2.dims == ("energy_amplitude", "area")
    assert float(e2[1, 2]) == pytest.approx(1.0 * 3e-12 * 0.02)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"amplitude_V": 0.0, "current_A": 1e-12, "width_s": 0.02}, r"amplitude_V=0 must be non-zero"),
    ({"amplitude_V": -1.0, "current_A": 1e-12, "width_s": 0.0}, r"width_s=0.0 must be finite and > 0"),
    ({"amplitude_V": -1.0, "current_A": 1e-12, "width_s": -0.02}, r"width_s=-0.02 must be finite and > 0"),
    ({"amplitude_V": -1.0, "current_A": float("nan"), "width_s": 0.02}, r"current_A=.* finite"),
    ({"amplitude_V": [-1.0, 0.0], "current_A": 1e-12, "width_s": 0.02}, r"amplitude_V=0"),
])
def test_energy_per_event_rejects_bad_input(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        en.energy_per_event(**kwargs)


# --------------------------------------------------------------------------- implied quantities
def test_implied_current_and_resistance_of_paper_numbers():
    pe = energy_audit.paper_energy()
    c18, c07 = pe["e18_conditions"], pe["e07_conditions"]
    i18 = en.implied_current(pe["e18_J"], c18["amplitude_V"], c18["width_s"])
    i07 = en.implied_current(pe["e07_J"], c07["amplitude_V"], c07["width_s"])
    assert i18 == pytest.approx(0.9e-12)          # 18 fJ / (1 V · 20 ms)
    assert i07 == pytest.approx(1.75e-12)         # 0.7 fJ / (0.02 V · 20 ms)
    assert i07 > i18                              # the paper's internal inconsistency
    assert en.implied_resistance(i18, c18["read_voltage_V"]) == pytest.approx(0.01 / 0.9e-12)
    assert en.implied_resistance(i18, -1.0) == pytest.approx(1.0 / 0.9e-12)  # ≈1.1e12 ohm


def test_implied_current_inverts_energy():
    i = en.implied_current(en.energy_per_event(-0.3, 4.2e-12, 0.05), -0.3, 0.05)
    assert i == pytest.approx(4.2e-12)


@pytest.mark.parametrize("func, args, pattern", [
    (en.implied_current, (0.0, -1.0, 0.02), r"energy_J=0.0 must be finite and > 0"),
    (en.implied_current, (1e-15, 0.0, 0.02), r"amplitude_V=0"),
    (en.implied_current, (1e-15, -1.0, -1.0), r"width_s=-1.0 must be finite and > 0"),
    (en.implied_resistance, (0.0, -0.01), r"current_A=0"),
    (en.implied_resistance, (1e-12, 0.0), r"voltage_V=0"),
    (en.energy_per_area, (1e-15, 0.0), r"area_um2=0.0 must be finite and > 0"),
    (en.energy_per_area, (1e-15, -62500.0), r"area_um2=-62500.0 must be finite and > 0"),
])
def test_implied_quantities_reject_bad_input(func, args, pattern):
    with pytest.raises(ValueError, match=pattern):
        func(*args)


# --------------------------------------------------------------------------- area scaling
def test_area_linearity_exact_and_offset():
    areas = np.array(FIXTURE_AREAS_UM2)
    exact = en.area_linearity(areas, 3e-19 * areas)
    assert exact["r2_origin"] == pytest.approx(1.0)
    assert exact["per_area_spread"] == pytest.approx(0.0, abs=1e-12)
    assert exact["slope_J_per_um2"] == pytest.approx(3e-19)
    # an offset (E = kA + c) breaks proportionality: detected by both measures
    offset = en.area_linearity(areas, 3e-19 * areas + 3e-14)
    assert offset["r2_origin"] < 0.999
    assert offset["per_area_spread"] > 0.01
    # area-independent energy is not "linear in area"
    const = en.area_linearity(areas, np.full(3, 1e-14))
    assert const["r2_origin"] < 0.5


def test_area_linearity_rejects_bad_areas():
    with pytest.raises(ValueError, match=r"area_um2=array\(\[0\., 1\.\]\) must be finite and > 0"):
        en.area_linearity([0.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"two distinct areas"):
        en.area_linearity([1.0, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"must match"):
        en.area_linearity([1.0, 2.0], [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- datasets
def test_load_psc_energy_dataset_and_metrics(tmp_path):
    write_synthetic_psc(tmp_path)
    psc = en.load_psc(tmp_path)
    assert psc["psc_current"].dims == ("n", "energy_amplitude", "area")
    assert list(psc["n"].values) == list(N_VALUES)
    ds = en.energy_dataset(psc)
    assert ds["energy"].attrs["units"] == "J"
    e = float(en.select(ds["energy"], "1", -1.0, 62500.0))
    assert e == pytest.approx(18e-15)             # 1 V · 0.9 pA · 20 ms
    m = energy_audit.fig6_metrics(ds)
    assert m["energy_fJ_2d_minus1V"] == pytest.approx(18.0)
    # fixture I ∝ |P| → E ∝ P²: 18 fJ · 0.02² at −0.02 V
    assert m["energy_fJ_2d_minus0p02V"] == pytest.approx(18.0 * 0.02 ** 2)
    assert m["argmin_n_minus1V_62500um2"] == "1"
    assert m["two_d_lowest_all_conditions"] is True
    assert m["area_linearity_r2_min"] == pytest.approx(1.0)
    assert m["energy_fJ_by_area_minus1V"]["1"] == pytest.approx([18.0, 72.0, 162.0])
    assert m["paper_implied_current_ratio_0p02_over_1V"] == pytest.approx(1.75 / 0.9)
    assert m["literature_sourced"] == 3 and m["literature_cited"] == 16


def test_select_rejects_off_grid(tmp_path):
    write_synthetic_psc(tmp_path, n_values=("1", "2"))
    ds = en.energy_dataset(en.load_psc(tmp_path, n_values=("1", "2")))
    with pytest.raises(ValueError, match=r"area_um2=1000 is not on the simulated area grid"):
        en.select(ds["energy"], "1", -1.0, 1000.0)


def test_load_psc_rejects_missing_file_and_bad_area(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"n1.nc"):
        en.load_psc(tmp_path, n_values=("1",))
    write_synthetic_psc(tmp_path, n_values=("1",))
    path = tmp_path / "simulate" / "n1.nc"
    ds = xr.open_dataset(path, engine="scipy").load()
    ds = ds.assign_coords(area=("area", [0.0, 250000.0, 562500.0], ds["area"].attrs))
    write_netcdf(ds, path)
    with pytest.raises(ValueError, match=r"area_um2=array\(\[ *0\., .* must be finite and > 0"):
        en.load_psc(tmp_path, n_values=("1",))


# --------------------------------------------------------------------------- audit
def test_audit_flags_the_papers_inconsistencies(tmp_path):
    write_synthetic_psc(tmp_path)
    audit = energy_audit.audit_table(en.energy_dataset(en.load_psc(tmp_path))).set_index("id")
    s10 = audit.loc["figS10_0p7fJ_minus0p02V"]
    assert s10["implied_current_pA"] == pytest.approx(1.75)
    assert s10["consistent_with_paper"] == "no"
    assert audit.loc["main_18fJ_minus1V", "implied_current_pA"] == pytest.approx(0.9)
    assert audit.loc["main_18fJ_minus1V", "agrees_with_simulation"] == "yes"
    assert audit.loc["abstract_0p7fJ_vs_biology", "consistent_with_paper"] == "no"  # 0.7 < 1 fJ
    assert audit.loc["fig6a_2d_lowest", "agrees_with_simulation"] == "yes"
    assert audit.loc["fig6a_linear_in_area", "agrees_with_simulation"] == "yes"
    assert audit.loc["fig6b_more_efficient", "consistent_with_paper"] == "no"   # 18 > 1.23 fJ
    # without a simulation the paper-only columns are still filled
    bare = energy_audit.audit_table().set_index("id")
    assert bare.loc["figS10_0p7fJ_minus0p02V", "agrees_with_simulation"] == "n/a"
    assert bare.loc["figS10_0p7fJ_minus0p02V", "implied_R_read_ohm"] == pytest.approx(0.01 / 1.75e-12)


def test_literature_table_sources_and_summary():
    lit = energy_audit.load_literature()
    assert lit["ref"].is_unique
    s = energy_audit.literature_summary(lit)
    assert s["sourced_refs"] == ["[33]", "[36]", "[37]"]
    assert set(s["not_per_event_refs"]) == {"[31]", "[32]"}
    assert s["extra_refs"] == ["[9]"]
    # the 3D MAPbBr3 row equals the paper's value (values.yaml), not a retyped number
    row = lit.set_index("ref").loc["[9]"]
    assert row["energy_max_fJ"] == paper_values()["energy"]["earlier_3d_mapbbr3_fJ"]["value"]
    bio = lit.set_index("ref").loc["[29]"]
    assert (bio["energy_min_fJ"], bio["energy_max_fJ"]) == (
        paper_values()["energy"]["biological_fJ"]["min"], paper_values()["energy"]["biological_fJ"]["max"])


def test_claims_ledger_matches_paper_values():
    """The fig6 ledger's paper numbers and tolerance type agree with values.yaml and the module."""
    from analysis.evidence.claims import validate_claim
    ledger = yaml.safe_load((data_dir() / "paper" / "claims" / "fig6.yaml").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in ledger}
    for c in ledger:
        validate_claim(c, "fig6.yaml")
        assert c["metric"].startswith("fig6_energy:")
    pv = paper_values()["energy"]
    cal = by_id["fig6-energy-2d-18fJ"]["compare"]
    assert (cal["paper"], cal["quantity"]) == (pv["two_d_250um_minus1V_fJ"]["value"], "energy_per_event")
    pred = by_id["fig6-energy-2d-0p7fJ"]["compare"]
    assert (pred["paper"], pred["quantity"]) == (pv["two_d_minus0p02V_fJ"]["value"], "energy_per_event")
    from analysis.evidence.claims import effect_sizes
    assert effect_sizes()["energy_per_event"]["value"] == energy_audit.TOLERANCE
    # the biological range the paper quotes, widened by the "comparable" factor f (an analysis
    # choice): [1/f, 10 f] fJ, which at f = 1 is the paper's 1-10 fJ
    from analysis.evidence.claims import _operand
    from analysis.parameters import default_parameters
    choices = default_parameters().replace({"analysis": {"comparable_factor": 1.0}}).topic("analysis")
    bio = by_id["fig6-energy-biological-range"]
    lo, hi = (_operand(bio["compare"][k], bio, {}, choices) for k in ("min", "max"))
    assert (lo, hi) == (pv["biological_fJ"]["min"], pv["biological_fJ"]["max"])


# --------------------------------------------------------------------------- audit as data
def test_audit_statements_are_data(tmp_path):
    """Editing the statements file changes the audit: the logic is in data/, not in code."""
    stmts = yaml.safe_load(energy_audit.audit_statements_path().read_text(encoding="utf-8"))
    assert [s["id"] for s in stmts] == energy_audit.audit_table()["id"].tolist()
    one = [dict(stmts[0], id="custom", finding=["lower end {bio_lo / FJ:g} fJ; ",
                                                  {"if": "isnan(s07)", "then": "no sim", "else": "sim"}])]
    path = tmp_path / "audit.yaml"
    path.write_text(yaml.safe_dump(one, allow_unicode=True), encoding="utf-8")
    out = energy_audit.audit_table(statements=path)
    assert out["id"].tolist() == ["custom"] and out["finding"][0] == "lower end 1 fJ; no sim"
    assert list(out.columns) == energy_audit.AUDIT_COLUMNS


def test_0p7fJ_assumptions_and_consistency_bounds():
    b = energy_audit.consistency_bounds()
    # I(0.7 fJ) <= I(18 fJ) needs t >= 0.7 fJ / (0.02 V * 0.9 pA) = 38.9 ms, or A >= 62500 * 1.75/0.9
    assert b["width_s"] == pytest.approx(0.7e-15 / (0.02 * 0.9e-12))
    assert b["area_um2"] == pytest.approx(62500 * 1.75 / 0.9)
    assert b["assumed_width_s"] == 0.02
    row = energy_audit.audit_table().set_index("id").loc["figS10_0p7fJ_minus0p02V"]
    assert "20 ms" in row["assumptions"]
    assert row["finding"].startswith("contradiction under the stated assumptions")
    assert "38.9 ms" in row["finding"]


def test_model_energy_vs_gamma_recalibrates():
    df = energy_audit.model_energy_vs_gamma([5.0])
    assert df["energy_fJ"][0] == pytest.approx(0.1228, rel=2e-3)    # the nominal model's 0.12 fJ
