"""The module table of CONTRIBUTING.md matches the tree, and long modules say why they are long.

The table (section "Modules") has one row per module of ``analysis/`` (``__init__.py`` files are
packages, not modules): ``| `physics.optics` | 471 | purpose |``.  A module missing from the
table, a row for a module that does not exist, a module listed twice or a line count off by more
than :data:`TOLERANCE` of the real one fails.
"""
from __future__ import annotations

import ast
import re

import pytest

from analysis.stage_io import ROOT
from analysis.workflow import dependencies

TOLERANCE = 0.15
"""Largest relative difference between a row's line count and the module's."""
LONG = 600
"""Lines above which a module's docstring must say why it is one module (a paragraph ``Size: …``)."""
PENDING: dict[str, str] = {}
"""Long modules without that paragraph yet, each with the reason (remove an entry when it is done)."""
_ROW = re.compile(r"^\|\s*`([A-Za-z_][\w.]*)`\s*\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$")


def table_rows(text: str) -> list[tuple[str, int, str]]:
    """``(module, lines, purpose)`` of the rows of the "Modules" section of CONTRIBUTING.md."""
    match = re.search(r"^## Modules\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not match:
        raise AssertionError("CONTRIBUTING.md has no '## Modules' section with the module table")
    return [(m.group(1), int(m.group(2)), m.group(3)) for line in match.group(1).splitlines()
            if (m := _ROW.match(line))]


def line_counts(root=ROOT) -> dict[str, int]:
    """Lines of every module of the package, by dotted name relative to it."""
    return {m: len(dependencies.module_path(m, root).read_text(encoding="utf-8").splitlines())
            for m in dependencies._package_modules(root)}


def table_problems(rows, counts) -> list[str]:
    """What is wrong with the table *rows* for a tree with these line *counts* (empty: nothing)."""
    problems = []
    names = [r[0] for r in rows]
    problems += [f"{m}: listed {names.count(m)} times" for m in sorted(set(names)) if names.count(m) > 1]
    problems += [f"{m}: a module of analysis/ missing from the table ({counts[m]} lines)"
                 for m in sorted(set(counts) - set(names))]
    problems += [f"{m}: in the table but there is no analysis/{m.replace('.', '/')}.py"
                 for m in sorted(set(names) - set(counts))]
    for m, n, purpose in rows:
        if m in counts and abs(n - counts[m]) > TOLERANCE * counts[m]:
            problems.append(f"{m}: the table says {n} lines, the module has {counts[m]}")
        if not purpose.strip():
            problems.append(f"{m}: no purpose")
    return problems


def test_module_table_matches_the_tree():
    rows = table_rows((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    problems = table_problems(rows, line_counts())
    assert not problems, "CONTRIBUTING.md module table:\n" + "\n".join(problems)


def test_a_wrong_table_is_caught():
    counts = {"physics.optics": 400, "physics.excitons": 300}
    good = [("physics.optics", 440, "films"), ("physics.excitons", 300, "excitons")]
    assert table_problems(good, counts) == []
    assert "physics.excitons: a module of analysis/ missing" in table_problems(good[:1], counts)[0]
    assert "physics.gone: in the table but there is no" in "\n".join(
        table_problems([*good, ("physics.gone", 10, "x")], counts))
    assert "the table says 470 lines, the module has 400" in "\n".join(
        table_problems([("physics.optics", 470, "films"), good[1]], counts))
    assert "listed 2 times" in "\n".join(table_problems([*good, good[0]], counts))
    text = "# x\n## Modules\n| module | lines | purpose |\n|---|---:|---|\n| `a.b` | 12 | c d |\n## Next\n| `e` | 1 | f |\n"
    assert table_rows(text) == [("a.b", 12, "c d")]


@pytest.mark.parametrize("module", sorted(m for m, n in line_counts().items() if n > LONG))
def test_a_long_module_says_why(module):
    if module in PENDING:
        pytest.skip(f"{module}: {PENDING[module]}")
    doc = ast.get_docstring(ast.parse(dependencies.module_path(module).read_text(encoding="utf-8"))) or ""
    assert re.search(r"^Size:", doc, re.M), (f"analysis.{module} has more than {LONG} lines: split it by "
                                             "concept or say in its docstring why it is one module "
                                             "(a paragraph starting 'Size:')")
