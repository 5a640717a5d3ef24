"""Tests of the calibration (analysis/evidence/calibration.py) and the stored calibrated parameters."""
import numpy as np
import pytest

from analysis.evidence import calibration as cal
from analysis.physics import multitrap as dev
from analysis.physics import multitrap_model as mm
from analysis.physics import models, table2
from analysis.physics.dimensionality import N_VALUES
from analysis.parameters import data_dir, parameters


def test_stored_file_is_well_formed():
    import yaml
    from analysis.parameters import data_dir
    table = yaml.safe_load((data_dir() / "reference" / "calibration" / "multitrap.yaml").read_text())
    for name in ("ea_eV", "e0_eV", "nu_m_per_s", "sigma0_S_per_um2"):
        p = table[name]
        assert p["units"] and p["meaning"] and p["source"].startswith("calibrated:")
    shared = parameters("device")
    for p in shared.values():
        assert p.source.startswith(("assumed:", "calibrated:")) or "literature" in p.source or "[" in p.source


def test_calibration_is_deterministic_for_one_n():
    """Rerunning the calibration reproduces the stored values (n = 4)."""
    r = cal.calibrate_film("4")
    stored = dev.calibrated_values("4")
    for key in ("ea_eV", "e0_eV", "nu_m_per_s"):
        assert r[key] == pytest.approx(stored[key], rel=1e-7), key


@pytest.mark.parametrize("n", N_VALUES)
def test_stored_parameters_reproduce_table2(n):
    """The analysis of the simulated experiments with the stored parameters hits Table 2."""
    tgt = cal.targets(n)
    got = table2.table2_row(dev.load_parameters(n))
    tol = cal.tolerances()
    assert got["b"] == pytest.approx(tgt["b"], rel=tol["b"])
    assert got["m"] == pytest.approx(tgt["m"], rel=tol["m"])
    assert got["Ea"] == pytest.approx(tgt["Ea"], abs=tol["Ea"])


def test_energy_calibration():
    cond = cal.energy_target()
    e = table2.spike_energy(dev.load_parameters("1"), cond["amplitude_V"], cond["width_s"],
                            cond["area_um2"], cond["read_voltage_V"])
    assert e == pytest.approx(cond["energy_J"], rel=1e-6)
    c = dev.calibrated_values("1")
    sigma0, achieved = cal.calibrate_scale(c)
    assert sigma0 == pytest.approx(c["sigma0_S_per_um2"], rel=1e-9)


def test_write_calibrated_roundtrip(tmp_path):
    result = {"per_n": {"3": cal.calibrate_film("3")}, "sigma0_S_per_um2": 1e-12,
              "energy": {"target_J": 1.8e-14, "achieved_J": 1.8e-14, "residual_J": 0.0}}
    path = cal.write_calibrated(result, tmp_path / "multitrap.yaml")
    import yaml
    data = yaml.safe_load(path.read_text())
    assert data["ea_eV"]["value"]["3"] == result["per_n"]["3"]["ea_eV"]
    assert set(data["e0_eV"]) >= {"value", "units", "meaning", "source", "target", "achieved", "residual"}


def test_unreachable_target_raises():
    with pytest.raises(ValueError, match="cannot bracket"):
        mm._bracket_root(lambda x: 1.0 + x * 0, 0.0, 1.0, "m (via E0)", 2.0, 1e-9)


def test_calibrate_to_own_target():
    """A device physicist's own (b, m, Ea) is reached through the same analysis."""
    own = {"b": 0.05, "m": 0.6, "Ea": 0.12}
    result = mm.calibrate_n("3", target=own)
    assert result["target"] == own
    assert abs(result["achieved"]["b"] / own["b"] - 1) < 1e-6
    assert abs(result["achieved"]["m"] - own["m"]) < 1e-6
    assert abs(result["achieved"]["Ea"] - own["Ea"]) < 1e-9


@pytest.mark.parametrize("target,message", [
    ({"b": 0.1, "m": 0.5}, "target lacks Ea"),
    ({"b": -0.1, "m": 0.5, "Ea": 0.1}, "target b=-0.1 must be finite and > 0"),
])
def test_bad_target_is_rejected(target, message):
    with pytest.raises(ValueError, match=message):
        mm.calibrate_n("3", target=target)


def test_the_multitrap_model_satisfies_the_interface():
    from analysis.physics.interface import SynapseModel, check_synapse
    assert isinstance(mm.MODEL, SynapseModel)
    c = dev.calibrated_values("3")
    device = mm.MODEL.build("3", c)
    assert check_synapse(device) == []
    assert {p.target for p in mm.MODEL.free_parameters} == {"b", "m", "Ea"}


def test_calibration_files_read_back_as_written(tmp_path):
    """file_problem (the damage check of the calibration output) accepts what write_calibrated
    writes and the reference calibration, and names what a cut or edited file lacks."""
    import yaml
    reference = data_dir() / "reference" / "calibration" / "multitrap.yaml"
    assert cal.file_problem(reference) is None
    result = cal.from_yaml_mapping(yaml.safe_load(reference.read_text()))
    result["per_n"] = {n: result["per_n"][n] for n in ("3", "inf")}  # a run of two films
    path = cal.write_calibrated(result, tmp_path / "multitrap.yaml")
    assert cal.file_problem(path) is None
    assert list(yaml.safe_load(path.read_text())["nu_m_per_s"]["value"]) == ["3", "inf"]
    text = path.read_text()
    path.write_text(text[:text.index("sigma0_S_per_um2:")])  # a whole entry cut: still valid YAML
    assert "not a whole calibration file" in cal.file_problem(path)
    path.write_text(text.replace("units: eV", "units: meV", 1))
    assert "is not what the calibrate stage writes" in cal.file_problem(path)


def test_every_models_calibration_file_reads_back(tmp_path):
    """The damage check of calibrate's output reads each model's file by that model's writer:
    both reference calibrations pass, and a drift-diffusion file cut anywhere (every 23rd
    byte) or edited is found. (The drift-diffusion file was once judged by the multi-trap
    model's reader: every finished run then "rebuilt" it as damaged.)"""
    from analysis.physics.models import MODELS
    from analysis.workflow.preflight import calibration_file_problem, calibration_readers, damage
    assert sorted(calibration_readers()) == sorted(MODELS)   # every model's file has its reader
    folder = tmp_path / "calibration"
    folder.mkdir()
    for model in MODELS:
        reference = data_dir() / "reference" / "calibration" / f"{model}.yaml"
        assert calibration_file_problem(reference) is None, model
    text = (data_dir() / "reference" / "calibration" / "driftdiffusion.yaml").read_text()
    path = folder / "driftdiffusion.yaml"
    for cut in range(0, len(text), 23):
        path.write_text(text[:cut])
        assert damage(path), cut
    path.write_text(text.replace("units: eV", "units: meV", 1))
    assert "is not what the calibrate stage writes" in damage(path)
    path.write_text(text)
    assert damage(path) is None
    other = folder / "mystery.yaml"
    other.write_text(text)
    assert "no device model writes" in damage(other)


@pytest.mark.parametrize("name", models.MODELS)
def test_every_model_by_name_is_a_synapse_model_with_its_reference(name):
    """models.get gives a SynapseModel whose reference calibration builds a working device; the
    multi-trap model's scale (sigma0) is found again from its reference film, the drift-diffusion
    model has no scale."""
    from analysis.physics.interface import SynapseModel
    model = models.get(name, "quick")
    assert isinstance(model, SynapseModel) and model.name == name
    free = model.calibrated_free("3")
    assert {p.name for p in model.free_parameters} <= set(free)
    device = model.build("3", free)
    assert device.model == name and device.n == "3"
    target = cal.energy_target()
    scale = model.calibrate_scale(target["n"], model.calibrated_free(target["n"]), target)
    assert set(scale["free"]) == {p.name for p in model.scale_parameters}
    if model.scale_parameters:
        ref = model.calibrated_free(target["n"])["sigma0_S_per_um2"]
        assert scale["free"]["sigma0_S_per_um2"] == pytest.approx(ref, rel=1e-9)
        assert scale["achieved_J"] == pytest.approx(target["energy_J"], rel=1e-9)
    else:
        assert scale["achieved_J"] is None


def test_the_calibrate_stage_calibrates_and_builds_through_the_model_it_is_given():
    """calibrate_film, scale_of and calibrated_devices call the SynapseModel they are given (a
    recording stand-in here), not a model module."""
    calls = []

    class Recorder:
        name, free_parameters, scale_parameters = "recorder", (), ()

        def calibrate(self, n, target, pset=None, start=None):
            calls.append(("calibrate", n, tuple(sorted(target)), start))
            return {"free": {"k": 1.0}, "target": target, "achieved": target}

        def calibrate_scale(self, n, free, target, pset=None):
            calls.append(("calibrate_scale", n, dict(free)))
            return {"free": {"s": 2.0}, "achieved_J": None}

        def build(self, n, free, pset=None):
            calls.append(("build", n, dict(free)))
            return (n, dict(free))

    rec = Recorder()
    r = cal.calibrate_film("2", start={"k": 0.5}, model=rec)
    scale = cal.scale_of(r, model=rec)["free"]
    built = cal.calibrated_devices({"2": r}, scale, model=rec)
    assert built == {"2": ("2", {"k": 1.0, "s": 2.0})}
    assert calls == [("calibrate", "2", ("Ea", "b", "m"), {"k": 0.5}),
                     ("calibrate_scale", cal.energy_target()["n"], {"k": 1.0}),
                     ("build", "2", {"k": 1.0, "s": 2.0})]
