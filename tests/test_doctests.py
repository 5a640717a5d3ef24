"""The examples in the library's docstrings are tests: every module's doctests run here.

One test per module of ``analysis/`` (found from the tree, so a new module is covered without
being listed).  A doctest that is too slow for the fast suite goes into :data:`SLOW` with the
reason; it then runs with the slow tests.
"""
from __future__ import annotations

import doctest
import importlib

import pytest

from analysis.stage_io import ROOT
from analysis.workflow import dependencies

MODULES = sorted(dependencies._package_modules(ROOT))
SLOW: dict[str, str] = {}
"""module -> why its doctests run only with the slow tests (none today: all take < 3 s)."""


def _examples(module: str) -> list[doctest.DocTest]:
    mod = importlib.import_module(f"analysis.{module}")
    return [t for t in doctest.DocTestFinder().find(mod, mod.__name__) if t.examples]


@pytest.mark.parametrize("module", [pytest.param(m, id=m, marks=[pytest.mark.slow] if m in SLOW else [])
                                    for m in MODULES])
def test_docstring_examples_hold(module):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    for test in _examples(module):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


def test_the_examples_are_found():
    """The modules known to carry examples yield them (the test above would pass on none)."""
    for module in ("physics.excitons", "physics.optics", "workflow.dependencies", "plotting.drawing"):
        assert _examples(module), f"no doctest found in analysis.{module}"
    assert sum(len(t.examples) for m in MODULES for t in _examples(m)) >= 30
