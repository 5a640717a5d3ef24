"""Repository paths, so notebooks run the same from JupyterLab and from Snakemake."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the folder holding ``Snakefile``)."""


def resolve(path: str | os.PathLike) -> Path:
    """An absolute path: *path* itself if absolute, else relative to :data:`ROOT`."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path
