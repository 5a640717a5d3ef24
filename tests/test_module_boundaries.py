"""No module of the library reaches into another: it neither assigns to another module's
attributes nor reads another module's private names (a grep-style check on the source).

Read from the syntax tree of every module of ``analysis/`` and every notebook and benchmark
script (tests are exempt: monkeypatching is what they are for):

* **assignments to another module**: ``other.x = …``, ``other.x += …``, ``del other.x``,
  ``setattr(other, …)``, ``delattr(other, …)`` and any write through ``sys.modules[…]``,
  where ``other`` is a name bound by an import to a module;
* **private names of another module**: ``from x import _name`` (a private function, class,
  constant or module of *x*), ``other._name`` for an imported module ``other``, and
  ``obj._name`` on any object when no ``_name`` is defined in the reading file itself
  (a class's private attribute read from outside the module that defines it, e.g. the
  lookup tables of a device read by the training code).

Dunder names (``__name__``, ``__version__``) are not private.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.stage_io import ROOT

PACKAGE = ROOT / "analysis"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "notebooks").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])
SOURCES = [p for p in SOURCES if "__pycache__" not in p.parts]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_package_module(dotted: str) -> bool:
    """Whether ``analysis.a.b`` (dotted, absolute) is a module or subpackage of the library."""
    parts = dotted.split(".")
    if parts[0] != "analysis":
        return False
    base = ROOT.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, path: Path) -> str | None:
    """The absolute dotted module of a ``from … import`` (relative ones resolved inside the package)."""
    if node.level == 0:
        return node.module
    try:
        package = list(path.resolve().parent.relative_to(ROOT).parts)
    except ValueError:
        return None
    base = package[:len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _module_names(tree: ast.Module, path: Path) -> dict[str, str]:
    """Names bound to modules by the imports of a file: ``alias -> dotted module``."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    out[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, path)
            if not base:
                continue
            for a in node.names:
                if _is_package_module(f"{base}.{a.name}"):
                    out[a.asname or a.name] = f"{base}.{a.name}"
    return out


def _defined_privates(tree: ast.Module) -> set[str]:
    """Private names the file defines: functions, classes, variables, arguments, attributes it
    assigns (``self._x = …``, ``object.__setattr__(self, "_x", …)``) and keyword arguments."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.attr)
        elif (isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str)
              and (getattr(node.func, "attr", None) == "__setattr__" or getattr(node.func, "id", None) == "setattr")):
            names.add(node.args[1].value)
        elif isinstance(node, (ast.AnnAssign,)) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if _private(n)}


def _is_sys_modules(node) -> bool:
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Call)):
        if (isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name)
                and node.value.id == "sys"):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def violations(path: Path) -> list[str]:
    """What the file at *path* does to other modules (see the module doc), one line each."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = _module_names(tree, path)
    own = _defined_privates(tree)
    rel = path.relative_to(ROOT).as_posix() if ROOT in path.parents else path.name
    found = []

    def where(node):
        return f"{rel}:{node.lineno}"

    def module_of(node) -> str | None:
        return modules.get(node.id) if isinstance(node, ast.Name) else None

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _absolute(node, path)
            for a in node.names:
                if _private(a.name) and base != "__future__":
                    found.append(f"{where(node)}: imports the private name {a.name} of {base}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = list(node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target])
            while targets:
                t = targets.pop()
                if isinstance(t, (ast.Tuple, ast.List)):
                    targets.extend(t.elts)
                elif isinstance(t, ast.Starred):
                    targets.append(t.value)
                elif _is_sys_modules(t):
                    found.append(f"{where(node)}: writes through sys.modules")
                elif isinstance(t, ast.Attribute) and module_of(t.value):
                    found.append(f"{where(node)}: assigns {t.attr} of the module {module_of(t.value)}")
                elif isinstance(t, ast.Subscript):
                    # an item of another module's attribute: ``other.TABLE[k] = …`` (the library's
                    # own modules; a third-party configuration such as matplotlib.rcParams is its API)
                    v = t.value
                    while isinstance(v, ast.Subscript):
                        v = v.value
                    if (isinstance(v, ast.Attribute) and module_of(v.value)
                            and module_of(v.value).split(".")[0] == "analysis"):
                        found.append(f"{where(node)}: assigns into {v.attr} of the module {module_of(v.value)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            if node.args and (module_of(node.args[0]) or _is_sys_modules(node.args[0])):
                found.append(f"{where(node)}: {node.func.id} on the module "
                             f"{module_of(node.args[0]) or 'sys.modules[…]'}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            if (len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                    and _private(node.args[1].value) and node.args[1].value not in own):
                found.append(f"{where(node)}: getattr of the private name {node.args[1].value}")
        elif isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.ctx, ast.Load):
            other = module_of(node.value)
            if other:
                found.append(f"{where(node)}: reads the private name {node.attr} of the module {other}")
            elif node.attr not in own:
                found.append(f"{where(node)}: reads the private attribute {node.attr}, "
                             "which this file does not define")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=[p.relative_to(ROOT).as_posix() for p in SOURCES])
def test_no_module_reaches_into_another(path):
    assert violations(path) == []


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_the_check_finds_each_kind_of_reach(tmp_path):
    """Each pattern of the module doc is found (and the file's own private names are not)."""
    src = _write(tmp_path, "probe.py", "\n".join([
        "import sys",
        "import numpy as np",
        "from analysis.physics import fits",
        "from analysis.physics.fits import _helper",
        "from analysis.learning import pd_curves as pdc",
        "fits.X = 1",
        "pdc.Y += 2",
        "del fits.Z",
        "setattr(fits, 'W', 3)",
        "sys.modules['analysis.physics.fits'].V = 4",
        "pdc.TABLE['k'] = 5",
        "a, fits.U = 6, 7",
        "np.zeros(3)[np.arange(2)] = 1",
        "a = pdc._private",
        "b = np._core",
        "c = some_object._lookups",
        "d = getattr(some_object, '_lookups')",
        "class Mine:",
        "    def __init__(self):",
        "        self._own = 1",
        "    def read(self):",
        "        return self._own, fits.__name__",
    ]))
    found = "\n".join(violations(src))
    for expected in ("imports the private name _helper of analysis.physics.fits",
                     "assigns X of the module analysis.physics.fits",
                     "assigns Y of the module analysis.learning.pd_curves",
                     "assigns Z of the module analysis.physics.fits",
                     "setattr on the module analysis.physics.fits",
                     "writes through sys.modules",
                     "reads the private name _private of the module analysis.learning.pd_curves",
                     "reads the private name _core of the module numpy",
                     "reads the private attribute _lookups, which this file does not define",
                     "getattr of the private name _lookups",
                     "assigns into TABLE of the module analysis.learning.pd_curves",
                     "assigns U of the module analysis.physics.fits"):
        assert expected in found
    assert "_own" not in found and "__name__" not in found and "arange" not in found


# --------------------------------------------------------------------------- the device-model interface
MODEL_MODULES = ("analysis.physics.multitrap", "analysis.physics.multitrap_model", "analysis.physics.driftdiffusion",
                 "analysis.physics.dd_calibration", "analysis.physics.dd_kernel", "analysis.physics.dd_parameters")
"""A device model's own modules (analysis.physics.models names the models)."""
STAGES = sorted([*(PACKAGE / "evidence").glob("*.py"), *(PACKAGE / "learning").glob("*.py"),
                 *(ROOT / "notebooks").glob("*.py")])


def model_imports(path) -> list[str]:
    """Imports of a device model's own module in *path* (``import x``, ``from x import …``,
    ``from analysis.physics import multitrap``), as ``"line: module"``."""
    found = []
    for node in ast.walk(ast.parse(Path(path).read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found += [f"{node.lineno}: {m}" for m in names if m in MODEL_MODULES]
    return found


@pytest.mark.parametrize("path", STAGES, ids=[p.relative_to(ROOT).as_posix() for p in STAGES])
def test_stages_reach_the_device_models_only_through_the_interface(path):
    """The calibrate stage, the sweep, the energy audit, the held-out law, the claims, the
    learning stage and every notebook build and calibrate devices through
    :mod:`analysis.physics.models` and the SynapseModel interface, never a model's module."""
    assert model_imports(path) == []


def test_the_interface_check_finds_a_model_import(tmp_path):
    src = _write(tmp_path, "stage.py", "\n".join([
        "from analysis.physics import multitrap as dev",
        "import analysis.physics.driftdiffusion",
        "from analysis.physics.multitrap_model import MODEL",
        "from analysis.physics import models, table2",
    ]))
    assert model_imports(src) == ["1: analysis.physics.multitrap", "2: analysis.physics.driftdiffusion",
                                  "3: analysis.physics.multitrap_model"]
