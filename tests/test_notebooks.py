"""Notebooks: versioned without outputs, one tagged parameters cell, and config keys that exist.

Papermill ignores (with only a warning) a parameter the notebook does not declare, so a
typo in config/config.yaml would silently fall back to the default: these tests catch it.
"""
import jupytext
import pytest
import yaml

from analysis.io import ROOT

CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
TABLE = yaml.safe_load((ROOT / "rules" / "notebooks.yaml").read_text())
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
COMMON = {"results_dir", "figures_dir", "profile"}


def parameters(name):
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{name}: exactly one cell must be tagged 'parameters'"
    namespace = {}
    exec(cells[0].source, namespace)  # noqa: S102 — our own notebook's literal defaults
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_common_parameters_and_prose(name):
    params = parameters(name)
    assert COMMON <= set(params), f"{name} lacks {COMMON - set(params)}"
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    assert nb.cells[0].cell_type == "markdown", f"{name} must open with prose"
    assert all(not c.get("outputs") for c in nb.cells)


def test_every_table_entry_has_a_notebook():
    assert set(TABLE) <= set(NOTEBOOKS)


@pytest.mark.parametrize("profile", sorted(CONFIG["profiles"]))
def test_config_keys_are_notebook_parameters(profile):
    for name, settings in CONFIG["profiles"][profile].items():
        assert name in NOTEBOOKS, f"profiles.{profile}.{name}: no notebooks/{name}.py"
        unknown = set(settings or {}) - set(parameters(name))
        assert not unknown, f"profiles.{profile}.{name}: {sorted(unknown)} are not parameters of the notebook"


def test_full_profile_equals_notebook_defaults():
    """A notebook opened in JupyterLab runs the paper-scale settings the workflow uses."""
    for name, settings in CONFIG["profiles"]["full"].items():
        defaults = parameters(name)
        for key, value in (settings or {}).items():
            if key in defaults and key != "device_settings":
                assert defaults[key] == value, f"{name}.{key}: notebook {defaults[key]!r} vs config {value!r}"
