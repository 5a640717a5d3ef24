"""pyproject.toml and environment.yml pin the same packages at the same versions."""
import re
import tomllib

import yaml

from analysis.stage_io import ROOT


def _norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pins_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {}
    for spec in project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]:
        name, version = spec.split("==")
        pins[_norm(name)] = version
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "==" in dep:
            name, version = dep.split("==")
            conda[_norm(name)] = version
    assert conda == pins


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert all("==" in d for d in project["project"]["dependencies"])
