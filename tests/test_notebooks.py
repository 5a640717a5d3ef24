"""Notebooks: versioned without outputs, one tagged parameters cell, and every parameter
described by config/schema.yaml or set by the workflow — no more, no less.

Papermill ignores (with only a warning) a parameter the notebook does not declare, so a
setting the notebook does not know would silently fall back to its default: these tests
catch it, and also a notebook parameter that the config cannot set.
"""
import jupytext
import pytest
import yaml

from analysis.stage_io import ROOT

CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
SCHEMA = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text())
TABLE = yaml.safe_load((ROOT / "rules" / "notebooks.yaml").read_text())
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
PROFILE_SECTIONS = SCHEMA["$defs"]["profile"]["properties"]


def parameters(name):
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{name}: exactly one cell must be tagged 'parameters'"
    namespace = {}
    exec(cells[0].source, namespace)  # noqa: S102 — our own notebook's literal defaults
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def workflow_parameters(name):
    """What the rules (rules/*.smk) pass besides the profile's settings."""
    if name == "simulate":
        return {"results_dir", "n", "profile", "model", "mesh", "films"}   # model, mesh, films: rules/models.smk
    out = {"results_dir", "figures_dir"}
    if name == "report":
        return out | {"profile", "reference", "rtol", "atol", "run_config"}
    if name == "calibrate":
        return out | {"n_values"}
    needs = TABLE[name]["needs"]
    out |= {"n_values"} if "simulate" in needs or "calibrate" in needs else set()
    out |= {"mnist_mirror"} if "data" in needs else set()
    out |= {"profile"} if TABLE[name].get("profile") else set()
    out |= {"models"} if TABLE[name].get("overlay") else set()   # config models, for the overlay figures
    return out


def schema_parameters(name):
    section = SCHEMA["$defs"]["profile"]["properties"][name]
    if "$ref" in section:
        section = SCHEMA["$defs"][section["$ref"].rsplit("/", 1)[1]]
    return set(section.get("properties", {}))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_with_prose_and_has_no_outputs(name):
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    assert nb.cells[0].cell_type == "markdown", f"{name} must open with prose"
    assert all(not c.get("outputs") for c in nb.cells)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_parameter_is_described_by_the_schema_or_set_by_the_workflow(name):
    assert name in PROFILE_SECTIONS, f"config/schema.yaml does not describe notebook {name}"
    declared = set(parameters(name))
    expected = schema_parameters(name) | workflow_parameters(name)
    assert declared == expected, (f"{name}: declared but not settable {sorted(declared - expected)}, "
                                  f"settable but not declared {sorted(expected - declared)}")


def test_every_table_entry_has_a_notebook():
    assert set(TABLE) <= set(NOTEBOOKS)


@pytest.mark.parametrize("profile", sorted(CONFIG["profiles"]))
def test_config_keys_are_notebook_parameters(profile):
    for name, settings in CONFIG["profiles"][profile].items():
        if name in ("outputs", "driftdiffusion"):   # folders; the drift-diffusion stages' settings (rules/models.smk)
            continue
        assert name in NOTEBOOKS, f"profiles.{profile}.{name}: no notebooks/{name}.py"
        unknown = set(settings or {}) - set(parameters(name))
        assert not unknown, f"profiles.{profile}.{name}: {sorted(unknown)} are not parameters of the notebook"


def test_full_profile_equals_notebook_defaults():
    """A notebook opened in JupyterLab runs the paper-scale settings the workflow uses."""
    for name, settings in CONFIG["profiles"]["full"].items():
        if name == "outputs":
            continue
        defaults = parameters(name)
        for key, value in (settings or {}).items():
            assert defaults[key] == value, f"{name}.{key}: notebook {defaults[key]!r} vs config {value!r}"
    folders = CONFIG["profiles"]["full"]["outputs"]
    for name in NOTEBOOKS:
        defaults = parameters(name)
        assert defaults["results_dir"] == folders["results"]
        if "figures_dir" in defaults:
            assert defaults["figures_dir"] == folders["figures"]
