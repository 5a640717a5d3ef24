"""requirements.lock agrees with pyproject.toml, and every imported package is declared.

The lock (``make lock``, uv) pins every package of pyproject.toml — dependencies, every extra
and the ``build`` group — and everything they depend on, each with its hashes; ``make setup``
installs exactly it (``pip install --require-hashes --no-deps``). These tests fail when

* a pin of pyproject.toml and the lock's version of that package differ (a pin changed in one
  place only), or pyproject.toml declares a package the lock lacks;
* a locked package lacks a hash, or needs a package (or version) the lock does not hold;
* the environment the tests run in is not the locked one;
* a module of analysis/ (any depth), a notebook, a test or a benchmark imports a third-party
  package that pyproject.toml does not declare, or code the workflow's rules run imports one
  that only an extra declares (the rules' environment, environment.yml, holds the
  ``dependencies`` alone).
"""
from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from analysis.workflow import dependencies
from analysis.stage_io import ROOT

LOCK = ROOT / "requirements.lock"
_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)(.*?)$")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


# ----------------------------------------------------------------------------- reading
def read_lock(path: Path = LOCK) -> dict[str, dict]:
    """``{canonical name: {"version", "hashes"}}`` of a requirements file made by uv/pip-compile.

    Raises
    ------
    ValueError
        If a requirement line is not ``name==version`` (the lock pins every package).
    """
    entries: dict[str, dict] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if line.startswith((" ", "\t")):
            if current is None:
                raise ValueError(f"{path.name}:{number}: continuation line before any requirement")
            entries[current]["hashes"] += _HASH.findall(line)
            continue
        match = _ENTRY.match(line)
        if not match:
            raise ValueError(f"{path.name}:{number}: {line!r} is not pinned as name==version")
        current = canonicalize_name(match.group(1))
        entries[current] = {"version": match.group(2), "hashes": _HASH.findall(match.group(3))}
    return entries


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def declared(groups=("dependencies", "extras", "build")) -> dict[str, Requirement]:
    """The requirements of pyproject.toml: dependencies, every extra, dependency groups."""
    proj = project()
    specs = []
    if "dependencies" in groups:
        specs += proj["project"]["dependencies"]
    if "extras" in groups:
        specs += [s for extra in proj["project"].get("optional-dependencies", {}).values() for s in extra]
    if "build" in groups:
        specs += [s for group in proj.get("dependency-groups", {}).values() for s in group
                  if isinstance(s, str)]
    return {canonicalize_name(Requirement(s).name): Requirement(s) for s in specs}


def disagreements(pins: dict[str, Requirement], lock: dict[str, dict]) -> list[str]:
    """Each declared package that the lock lacks or pins at a version its specifier excludes."""
    out = []
    for name, req in sorted(pins.items()):
        if name not in lock:
            out.append(f"{req} is declared in pyproject.toml but not in {LOCK.name} (run `make lock`)")
        elif not req.specifier.contains(lock[name]["version"], prereleases=True):
            out.append(f"pyproject.toml pins {req}, {LOCK.name} has {name}=={lock[name]['version']} "
                       "(change both, or change pyproject.toml and run `make lock`)")
    return out


# ----------------------------------------------------------------------------- the lock
def test_every_declared_requirement_is_pinned_exactly():
    loose = [str(r) for r in declared().values()
             if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert not loose, f"pyproject.toml requirements not pinned with ==: {loose}"


def test_pyproject_and_lock_agree():
    problems = disagreements(declared(), read_lock())
    assert not problems, "\n".join(problems)


def test_a_pin_changed_in_one_place_is_caught(tmp_path):
    """The check above can fail: numpy moved in the lock only, and in pyproject.toml only."""
    lock = read_lock()
    pins = declared()
    moved = dict(lock, numpy=dict(lock["numpy"], version="2.4.7"))
    assert disagreements(pins, moved) == [
        "pyproject.toml pins numpy==2.4.6, requirements.lock has numpy==2.4.7 "
        "(change both, or change pyproject.toml and run `make lock`)"]
    assert disagreements(dict(pins, numpy=Requirement("numpy==2.4.7")), lock)
    assert disagreements(dict(pins, newpackage=Requirement("newpackage==1.0")), lock)
    broken = tmp_path / "lock.txt"
    broken.write_text("numpy>=2\n")
    with pytest.raises(ValueError, match="lock.txt:1: 'numpy>=2' is not pinned"):
        read_lock(broken)


def test_every_locked_package_has_hashes():
    unhashed = sorted(name for name, entry in read_lock().items() if not entry["hashes"])
    assert not unhashed, f"{LOCK.name} entries without a sha256 hash: {unhashed}"


def test_lock_is_for_this_python_and_platform():
    """The Makefile's lock settings are the ones `make lock` wrote into the file's header."""
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    python = re.search(r"^LOCK_PYTHON\s*:=\s*(\S+)", make, re.M).group(1)
    assert python.rsplit(".", 1)[0] == f"{sys.version_info.major}.{sys.version_info.minor}", (
        f"the lock is made for Python {python}, the tests run {sys.version.split()[0]}")
    assert "make lock" in LOCK.read_text(encoding="utf-8").splitlines()[1]


def test_lock_is_closed_and_consistent():
    """Every locked package's own requirements (for this platform) are locked, at versions they
    accept: the lock installs with --no-deps and nothing is missing. Read from the installed
    metadata, which test_installed_environment_is_the_lock ties to the lock."""
    lock = read_lock()
    env = {"extra": ""}
    problems = []
    for name, entry in sorted(lock.items()):
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue  # reported by test_installed_environment_is_the_lock
        for spec in requires:
            req = Requirement(spec)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            dep = canonicalize_name(req.name)
            if dep not in lock:
                problems.append(f"{name} needs {req}, which {LOCK.name} lacks")
            elif not req.specifier.contains(lock[dep]["version"], prereleases=True):
                problems.append(f"{name} needs {req}, {LOCK.name} has {dep}=={lock[dep]['version']}")
    assert not problems, "\n".join(problems)


def test_installed_environment_is_the_lock():
    """The tests run in the environment `make setup` installed from the lock."""
    wrong = []
    for name, entry in sorted(read_lock().items()):
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "not installed"
        if have != entry["version"]:
            wrong.append(f"{name}: locked {entry['version']}, installed {have}")
    assert not wrong, "the environment differs from the lock (make setup):\n" + "\n".join(wrong)


def test_make_setup_installs_from_the_lock_only():
    """What `make figures` and `make test` run first (make -n: printed, not run)."""
    out = subprocess.run(["make", "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "install --quiet --require-hashes --no-deps -r requirements.lock" in out
    assert "install --quiet --no-deps --no-build-isolation -e ." in out
    assert not re.search(r"pip[^\n]* install (?!.*--no-deps)", out), out


def test_build_backend_requirement_is_locked():
    build = project()["build-system"]["requires"]
    lock = read_lock()
    for spec in build:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in lock and req.specifier.contains(lock[name]["version"]), (
            f"build-system requires {req}; {LOCK.name} has {lock.get(name)}")


# ----------------------------------------------------------------------------- imports
def third_party_imports(path: Path) -> set[str]:
    """Top-level names of the modules *path* imports (anywhere in it) that are neither the
    standard library nor this repository's own (``analysis``, ``tests``, files beside it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    local = {"analysis", "tests"} | {p.stem for p in path.parent.glob("*.py")} | {
        p.name for p in path.parent.iterdir() if p.is_dir()}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def undeclared(files, allowed: set[str]) -> list[str]:
    """``file: name`` for each import whose distribution is not in *allowed* (canonical names)."""
    providers = importlib.metadata.packages_distributions()
    out = []
    for path in sorted(files):
        for name in sorted(third_party_imports(path)):
            dists = {canonicalize_name(d) for d in providers.get(name, [])}
            if not dists & allowed:
                what = ", ".join(sorted(dists)) or "no installed distribution"
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                out.append(f"{where} imports {name} ({what}), not declared in "
                           f"{'pyproject.toml' if allowed == set(declared()) else 'dependencies'}")
    return out


def rule_code() -> set[Path]:
    """The Python files the workflow's rules run: every notebook, the modules the rule files
    start with ``python -m analysis...``, and every ``analysis`` module they import."""
    started = set()
    for smk in (ROOT / "rules").glob("*.smk"):
        started |= set(re.findall(r"-m (analysis(?:\.\w+)*)", smk.read_text(encoding="utf-8")))
    sources = set((ROOT / "notebooks").glob("*.py"))
    for module in started:
        base = ROOT.joinpath(*module.split("."))
        sources |= {p for p in (base.with_suffix(".py"), base / "__main__.py", base / "__init__.py")
                    if p.is_file()}
    files = set(sources)
    for source in sources:
        files |= {ROOT / f for f in dependencies.code_inputs(source, ROOT) if f.endswith(".py")}
    return files


def test_every_import_is_declared():
    files = [p for d in ("analysis", "notebooks", "tests", "benchmarks") for p in (ROOT / d).rglob("*.py")]
    problems = undeclared(files, set(declared()))
    assert not problems, "\n".join(problems)


def test_the_rules_import_only_what_their_environment_holds():
    files = rule_code()
    assert ROOT / "analysis" / "workflow" / "runner.py" in files and ROOT / "notebooks" / "report.py" in files
    problems = undeclared(files, set(declared(groups=("dependencies",))))
    assert not problems, "\n".join(problems)


def test_import_check_finds_an_undeclared_package(tmp_path):
    """The check can fail: a module importing a package nobody declared, at any depth."""
    nested = tmp_path / "sub" / "deeper.py"
    nested.parent.mkdir()
    nested.write_text("import os\nfrom . import x\n\ndef f():\n    import rich.console\n    import yaml\n")
    assert third_party_imports(nested) == {"rich", "yaml"}
    # rich is installed (a dependency of a dependency) but not declared; yaml is declared
    assert undeclared([nested], set(declared())) == [
        f"{nested} imports rich (rich), not declared in pyproject.toml"]
    # PyYAML is declared in `dependencies`; pytest only in an extra, which the rules lack
    (tmp_path / "rule.py").write_text("import yaml\nimport pytest\n")
    assert undeclared([tmp_path / "rule.py"], set(declared(groups=("dependencies",)))) == [
        f"{tmp_path / 'rule.py'} imports pytest (pytest), not declared in dependencies"]
