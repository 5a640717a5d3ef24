"""Paper-scale run sizes for the benchmarks: the defaults of a notebook's parameters cell.

The notebooks' defaults equal the full profile of config/config.yaml (tests/test_notebooks.py
checks it), so benchmarks time what `make figures` runs without reading the workflow's config.
"""
from __future__ import annotations

from analysis.stage_io import ROOT


def notebook_defaults(name: str) -> dict:
    """The values of the cell tagged ``parameters`` in ``notebooks/<name>.py``."""
    import jupytext

    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    namespace: dict = {}
    exec(cell.source, namespace)  # noqa: S102 — the project's own literal defaults
    return {k: v for k, v in namespace.items() if not k.startswith("__")}
