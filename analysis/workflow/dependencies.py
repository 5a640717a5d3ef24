"""What a notebook or module depends on, read from its source: the workflow's rule inputs.

Snakemake reruns a job when one of its inputs changes, so every rule that executes a
notebook lists as inputs the ``analysis`` modules the notebook imports — directly or through
other modules, including imports inside functions — and the ``data/`` files those modules
read.  Both are derived here from the source with :mod:`ast`, never kept by hand.

``analysis`` modules are found from ``import analysis.x``, ``from analysis import x``,
``from analysis.x import y`` (in notebooks) and ``from . import x`` / ``from .x import y``
(inside the package).  Data files are found from the ways the package reads ``data/``:

* ``parameter_values("topic")`` / ``parameters("topic")`` / ``pset.topic("topic")`` →
  ``data/parameters/topic.yaml`` (a module-level string constant as the argument is resolved too);
* ``paper_values()`` / ``pset.paper()`` → ``data/paper/values.yaml``; ``load_yaml("x.yaml")`` →
  ``data/x.yaml``;
* ``data_dir() / "a" / "b"`` → ``data/a/b`` (a folder stands for every file in it; an
  f-string part is a wildcard).

Examples
--------
>>> sorted(module_closure({"physics.dimensionality"}))
['physics.dimensionality']
>>> {"physics.multitrap", "physics.fits"} <= module_closure({"physics.protocols"})
True
"""
from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

from analysis.stage_io import ROOT

PACKAGE = "analysis"
STYLE_MODULE = "plotting.style"
STYLE_FILE = "analysis/plotting/synapse.mplstyle"
"""Read by :mod:`analysis.plotting.style`; an input of every rule whose code imports it."""

_PARAMETER_READERS = {"parameter_values", "parameters", "_parameter_table", "topic"}
"""Calls whose string argument names a parameter file (``pset.topic("optics")`` reads
data/parameters/optics.yaml through the parameter set)."""
_PAPER_READERS = {"paper_values", "paper"}
"""Calls that read data/paper/values.yaml (``pset.paper()`` through the parameter set)."""
LOADER_MODULES = {"parameters"}
"""Modules whose reads of data/ are generic loading (the parameter set reads every parameter
file); a stage depends on the files its code asks the set for, not on everything it loads."""


def _source_tree(path: Path) -> ast.Module:
    path = Path(path)
    if path.suffix == ".py":
        return _parse(str(path), path.stat().st_mtime_ns)
    raise ValueError(f"{path}: expected a .py source file (notebooks are jupytext percent scripts)")


@functools.lru_cache(maxsize=None)
def _parse(path: str, mtime_ns: int) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)


def _package_modules(root: Path = ROOT) -> frozenset[str]:
    """Dotted names of every module of the package, relative to it (``"physics.multitrap"``)."""
    base = root / PACKAGE
    return frozenset(".".join(p.relative_to(base).with_suffix("").parts)
                     for p in base.rglob("*.py")
                     if p.stem != "__init__" and "__pycache__" not in p.parts)


def module_path(module: str, root: Path = ROOT) -> Path:
    """Source file of a package module given by its dotted name (``"physics.multitrap"``)."""
    return root / PACKAGE / (module.replace(".", "/") + ".py")


def imported_modules(path: str | os.PathLike, root: Path = ROOT) -> set[str]:
    """The ``analysis`` modules (dotted, relative to the package) that the file at *path*
    imports, directly, anywhere in it (absolute imports, and relative ones inside the package)."""
    path = Path(path)
    tree = _source_tree(path)
    known = _package_modules(root)
    base_dir = (root / PACKAGE).resolve()
    try:
        own_package = list(path.resolve().parent.relative_to(base_dir).parts)
        inside = True
    except ValueError:
        own_package, inside = [], False
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE and len(parts) > 1:
                    found.update(".".join(parts[1:k]) for k in range(2, len(parts) + 1))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                parts = node.module.split(".")
                if parts[0] != PACKAGE:
                    continue
                base = parts[1:]
            elif node.level >= 1 and inside and node.level - 1 <= len(own_package):
                up = own_package[:len(own_package) - (node.level - 1)]
                base = up + (node.module.split(".") if node.module else [])
            else:
                continue
            found.update(".".join(base[:k]) for k in range(1, len(base) + 1))
            found.update(".".join(base + [a.name]) for a in node.names)
    return found & known


@functools.lru_cache(maxsize=None)
def _module_edges(root: Path) -> dict[str, frozenset[str]]:
    return {m: frozenset(imported_modules(module_path(m, root), root) - {m})
            for m in _package_modules(root)}


def module_closure(modules, root: Path = ROOT) -> set[str]:
    """*modules* and every ``analysis`` module they import, transitively."""
    edges = _module_edges(Path(root).resolve())
    todo, seen = list(modules), set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(edges.get(m, ()))
    return seen


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if (isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node.value.value
    return out


def _string(node, constants) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.Attribute) and node.attr in constants:  # dev.CALIBRATED_TOPIC
        return constants[node.attr]
    return None


def _callee(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def _data_dir_path(node: ast.BinOp, constants) -> list[str] | None:
    """``data_dir() / "a" / f"{x}.yaml"`` → ``["a", "*.yaml"]``; None if not such a chain."""
    parts = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        part = _string(node.right, constants)
        if part is None:
            return None
        parts.append(part)
        node = node.left
    if isinstance(node, ast.Call) and _callee(node) == "data_dir" and parts:
        return list(reversed(parts))
    return None


@functools.lru_cache(maxsize=None)
def _all_constants(root: Path) -> dict[str, str]:
    out = {}
    for m in sorted(_package_modules(root)):
        out.update(_constants(_source_tree(module_path(m, root))))
    return out


def data_patterns(path: str | os.PathLike, root: Path = ROOT) -> set[str]:
    """Glob patterns, relative to the repository root, of the ``data/`` files *path* reads."""
    path = Path(path)
    return set(_data_patterns(str(path), path.stat().st_mtime_ns, Path(root).resolve()))


@functools.lru_cache(maxsize=None)
def _data_patterns(path: str, mtime_ns: int, root: Path) -> frozenset[str]:
    tree = _source_tree(Path(path))
    constants = {**_all_constants(root), **_constants(tree)}
    found: set[str] = set()
    # ``data_dir() / "a" / "b.yaml"`` nests ``data_dir() / "a"``: only the whole chain counts
    inner = {id(node.left) for node in ast.walk(tree)
             if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)}
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and id(node) in inner:
            continue
        if isinstance(node, ast.Call):
            name = _callee(node)
            arg = _string(node.args[0], constants) if node.args else None
            if name in _PARAMETER_READERS and arg == "analysis":     # the analysis choices
                found.update({"data/evidence/analysis_choices.yaml", "data/evidence/measurement.yaml"})
            elif name in _PARAMETER_READERS and arg:
                found.add(f"data/parameters/{arg}.yaml")
            elif name in _PAPER_READERS and not node.args:
                found.add("data/paper/values.yaml")
            elif name == "load_yaml" and arg:
                found.add(f"data/{arg}")
        elif isinstance(node, ast.BinOp):
            parts = _data_dir_path(node, constants)
            if parts:
                found.add("data/" + "/".join(parts))
    return frozenset(found)


def _expand(pattern: str, root: Path) -> list[str]:
    path = root / pattern
    if "*" in pattern:
        matches = sorted(root.glob(pattern))
    elif path.is_dir():
        matches = sorted(p for p in path.rglob("*") if p.is_file())
    else:
        matches = [path] if path.exists() else []
    return [p.relative_to(root).as_posix() for p in matches if p.is_file()]


def code_inputs(path: str | os.PathLike, root: Path = ROOT) -> list[str]:
    """Every file a notebook or module's result depends on, relative to *root*, sorted.

    The file itself, the source of every ``analysis`` module it imports (transitively, with
    ``analysis/__init__.py`` and the plotting style if :mod:`analysis.plotting.style` is among them)
    and the ``data/`` files any of them reads.
    """
    root = Path(root)
    path = Path(path) if Path(path).is_absolute() else root / path
    modules = module_closure(imported_modules(path, root), root)
    files = {path.relative_to(root).as_posix()}
    if modules:
        files.add(f"{PACKAGE}/__init__.py")
    if STYLE_MODULE in modules:
        files.add(STYLE_FILE)
    patterns = data_patterns(path, root)
    for m in modules:
        source = module_path(m, root)
        files.add(source.relative_to(root).as_posix())
        for k in range(1, m.count(".") + 1):      # the subpackages' __init__.py run on import
            files.add(f"{PACKAGE}/{'/'.join(m.split('.')[:k])}/__init__.py")
        if m not in LOADER_MODULES:
            patterns |= data_patterns(source, root)
    for pattern in patterns:
        files.update(_expand(pattern, root))
    return sorted(files)


__all__ = ["imported_modules", "module_closure", "data_patterns", "code_inputs"]
