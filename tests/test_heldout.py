"""Leave-one-n-out prediction of Table 2 from a structural law."""
import numpy as np
import pytest

from analysis.evidence import calibration, heldout as ho
from analysis.physics import multitrap as dev


def test_descriptors():
    assert ho.descriptor("inf") == 1.0 and ho.descriptor("inf", "inverse_n") == 0.0
    f = [ho.descriptor(n) for n in dev.N_VALUES]
    assert all(a < b for a, b in zip(f, f[1:]))
    assert ho.descriptor("2", "inverse_n") == 0.5
    with pytest.raises(ValueError, match="descriptor='thickness' is unknown"):
        ho.descriptor("1", "thickness")


def test_law_fitted_on_all_films_reproduces_an_exactly_linear_case(monkeypatch):
    """If the calibrated parameters were linear in the descriptor, the law would recover them."""
    labels = list(dev.N_VALUES)
    fake = {n: {"ea_eV": 0.2 - 0.1 * ho.descriptor(n), "e0_eV": float(np.exp(-3 - ho.descriptor(n))),
                "nu_m_per_s": 10.0 ** (2 + ho.descriptor(n)), "sigma0_S_per_um2": 1.0} for n in labels}
    calibrated = {n: (f["ea_eV"], f["e0_eV"], f["nu_m_per_s"]) for n, f in fake.items()}
    coef = ho.fit_law([n for n in labels if n != "3"], calibrated=calibrated)
    p = ho.predict_parameters(coef, "3")
    assert p["ea_eV"] == pytest.approx(fake["3"]["ea_eV"])
    assert p["e0_eV"] == pytest.approx(fake["3"]["e0_eV"])
    assert p["nu_m_per_s"] == pytest.approx(fake["3"]["nu_m_per_s"])


def test_leave_one_out_dataset_and_tolerances():
    ds = ho.leave_one_out(descriptors=("inorganic_fraction",))
    assert ds.sizes == {"descriptor": 1, "n": 6}
    for v in ds.data_vars:
        assert ds[v].attrs["units"], v
    # the errors are computed against Table 2 with the calibration's tolerances
    b = ds["b"].sel(descriptor="inorganic_fraction", n="3").item()
    assert ds["b_rel_error"].sel(descriptor="inorganic_fraction", n="3").item() == pytest.approx(
        b / calibration.targets("3")["b"] - 1)
    assert ds["b_rel_error"].attrs["tolerance"] == calibration.tolerances()["b"]
    m = ho.metrics(ds)["inorganic_fraction"]
    assert set(m["breaks_law"]) <= set(dev.N_VALUES)


def test_metrics_name_the_films_that_break_the_law():
    ds = ho.leave_one_out(n_values=["1", "3", "inf"], descriptors=("inorganic_fraction",))
    m = ho.metrics(ds)
    assert m["all_films_within_law"] == (m["inorganic_fraction"]["breaks_law"] == [])
    assert set(m["inorganic_fraction"]["b_rel_error"]) == {"1", "3", "inf"}


def test_per_sample_law_uses_the_samples_calibration(monkeypatch):
    """heldout.sample_metrics fits the law to the given (synthetic) recalibrated films: films on
    an exact law are all predicted; moving one film's Ea off the law makes it break."""
    labels = list(dev.N_VALUES)

    def forward(p):              # a stand-in for the simulated experiments, one-to-one
        return {"b": float(p.e0_eV), "m": float(np.log10(p.nu_m_per_s)), "Ea": float(p.ea_eV)}

    law = {n: (0.2 - 0.1 * ho.descriptor(n), float(np.exp(-3 - ho.descriptor(n))),
               10.0 ** (2 + ho.descriptor(n))) for n in labels}
    monkeypatch.setattr(ho.table2, "table2_row", forward)
    for calibrated, expect_ok in ((law, True), ({**law, "3": (law["3"][0] + 0.05,) + law["3"][1:]}, False)):
        targets = {n: forward(dev.build_parameters(n, *calibrated[n])) for n in labels}
        monkeypatch.setattr(calibration, "targets", lambda n, pset=None, t=targets: t[n])
        m = ho.sample_metrics(calibrated)
        assert m["all_films_within_law"] is expect_ok
        assert list(m) == ["all_films_within_law", ho.PRIMARY]
        if not expect_ok:
            assert "3" in m[ho.PRIMARY]["breaks_law"]
            assert m[ho.PRIMARY]["Ea_error_eV"]["3"] == pytest.approx(-0.05, abs=1e-9)
