"""Compare one run's outputs with another's, file by file, with the project's tolerances.

Used by ``make verify`` (:mod:`analysis.workflow.archive`): an archived run against a regenerated one.
Each file is compared by what it holds:

* numbers — metrics and claims (JSON), tables (CSV), simulations (NetCDF) — value by value
  within the regression tolerance of ``config/config.yaml`` (``|new − old| ≤ atol + rtol·|old|``,
  the rule of :func:`analysis.evidence.claims.check_regression`); text, booleans, keys, shapes and
  attributes must be equal;
* figures (PNG) — by the image regression of ``tests/test_figures_regression.py``: both reduced
  to a :data:`analysis.plotting.style.THUMB_WIDTH`-px thumbnail, RMS difference ≤
  :data:`analysis.plotting.style.RMS_TOLERANCE` of 255, same aspect ratio;
* renderings of those — the PDF twin of a figure, the HTML report (up to its Provenance
  section) — byte for byte; where their bytes differ they count as within tolerance only when
  what they render is (:func:`settle_renderings`);
* executed notebooks and Snakemake's timing files hold execution times: listed, not compared;
* anything else byte for byte.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

IDENTICAL, WITHIN, DIFFERS, MISSING, NOT_COMPARED = (
    "identical", "within tolerance", "differs", "missing", "not compared")
PASSING = (IDENTICAL, WITHIN, NOT_COMPARED)

VOLATILE = re.compile(r"(^|/)(benchmarks/[^/]*\.tsv|notebooks/[^/]*\.(ipynb|html))$")
"""Outputs that differ between two runs on one machine too (execution times inside)."""
REPORT_PAGE = re.compile(r"(^|/)report/[^/]*\.html$")
PROVENANCE = b"<h2>Provenance</h2>"
"""The report page is compared up to this heading (its run times and date follow)."""


@dataclass
class Result:
    """The comparison of one file: *status* one of the constants above, *detail* says how far
    apart (or why not compared), *excess* the largest deviation as a multiple of its tolerance."""
    path: str
    kind: str
    status: str
    detail: str = ""
    excess: float = 0.0


def kind_of(path: str) -> str:
    """How a file is compared: volatile, report, image, pdf, json, table, netcdf or bytes."""
    if VOLATILE.search(path):
        return "volatile"
    if REPORT_PAGE.search(path):
        return "report"
    return {".png": "image", ".pdf": "pdf", ".json": "json", ".csv": "table",
            ".nc": "netcdf"}.get(os.path.splitext(path)[1].lower(), "bytes")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- numbers
class _Walk:
    """Compares nested values; records the first structural difference and the worst number."""

    def __init__(self, rtol: float, atol: float):
        self.rtol, self.atol = rtol, atol
        self.problem: str | None = None
        self.excess = 0.0
        self.where = ""
        self.numbers = 0

    def fail(self, where: str, message: str) -> None:
        if self.problem is None:
            self.problem = f"{where or '(top)'}: {message}"

    def number(self, where: str, old: float, new: float) -> None:
        self.numbers += 1
        if math.isnan(old) or math.isnan(new):
            if not (math.isnan(old) and math.isnan(new)):
                self.fail(where, f"{old!r} became {new!r}")
            return
        if math.isinf(old) or math.isinf(new):
            if old != new:
                self.fail(where, f"{old!r} became {new!r}")
            return
        excess = abs(new - old) / (self.atol + self.rtol * abs(old))
        if excess > self.excess:
            self.excess, self.where = excess, f"{where}: {old!r} → {new!r}"

    def value(self, where: str, old, new) -> None:
        if isinstance(old, bool) or isinstance(new, bool) or old is None or new is None:
            if old != new or type(old) is not type(new):
                self.fail(where, f"{old!r} became {new!r}")
        elif isinstance(old, (int, float)) and isinstance(new, (int, float)):
            self.number(where, float(old), float(new))
        elif isinstance(old, dict) and isinstance(new, dict):
            if set(old) != set(new):
                self.fail(where, f"keys differ: only before {sorted(set(old) - set(new))[:5]}, "
                                 f"only now {sorted(set(new) - set(old))[:5]}")
            for key in sorted(set(old) & set(new), key=str):
                self.value(f"{where}/{key}" if where else str(key), old[key], new[key])
        elif isinstance(old, list) and isinstance(new, list):
            if len(old) != len(new):
                self.fail(where, f"length {len(old)} became {len(new)}")
            for i, (a, b) in enumerate(zip(old, new)):
                self.value(f"{where}[{i}]", a, b)
        elif old != new:
            self.fail(where, f"{_short(old)} became {_short(new)}")

    def result(self, path: str, kind: str, identical: bool) -> Result:
        if identical:
            return Result(path, kind, IDENTICAL)
        if self.problem:
            return Result(path, kind, DIFFERS, self.problem, math.inf)
        tol = f"rtol {self.rtol:g}, atol {self.atol:g}"
        if self.excess <= 1.0:
            detail = (f"{self.numbers} numbers, largest deviation {self.excess:.2g} × tolerance "
                      f"({tol}) at {self.where}" if self.where else f"{self.numbers} numbers equal")
            return Result(path, kind, WITHIN, detail, self.excess)
        return Result(path, kind, DIFFERS, f"{self.excess:.3g} × tolerance ({tol}) at {self.where}",
                      self.excess)


def _short(x, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare_json(path: str, old: bytes, new: bytes, rtol: float, atol: float) -> Result:
    walk = _Walk(rtol, atol)
    try:
        a, b = json.loads(old), json.loads(new)
    except ValueError as exc:
        return Result(path, "json", DIFFERS, f"not JSON: {exc}", math.inf)
    walk.value("", a, b)
    return walk.result(path, "json", old == new)


def compare_table(path: str, old: bytes, new: bytes, rtol: float, atol: float) -> Result:
    walk = _Walk(rtol, atol)
    a = list(csv.reader(io.StringIO(old.decode("utf-8"))))
    b = list(csv.reader(io.StringIO(new.decode("utf-8"))))
    if len(a) != len(b):
        walk.fail("", f"{len(a)} rows became {len(b)}")
    for r, (row_a, row_b) in enumerate(zip(a, b)):
        if len(row_a) != len(row_b):
            walk.fail(f"row {r}", f"{len(row_a)} cells became {len(row_b)}")
            continue
        for c, (x, y) in enumerate(zip(row_a, row_b)):
            where = f"row {r} column {a[0][c] if a and c < len(a[0]) else c}"
            fx, fy = _number(x), _number(y)
            if fx is not None and fy is not None:
                walk.number(where, fx, fy)
            elif x != y:
                walk.fail(where, f"{_short(x)} became {_short(y)}")
    return walk.result(path, "table", old == new)


def compare_netcdf(path: str, old: bytes, new: bytes, rtol: float, atol: float) -> Result:
    import numpy as np
    import xarray as xr

    if old == new:
        return Result(path, "netcdf", IDENTICAL)
    walk = _Walk(rtol, atol)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for name, data in (("old.nc", old), ("new.nc", new)):
            (Path(tmp) / name).write_bytes(data)
            files.append(Path(tmp) / name)
        try:
            with xr.open_dataset(files[0], engine="scipy") as a, xr.open_dataset(files[1], engine="scipy") as b:
                walk.value("attrs", _plain(a.attrs), _plain(b.attrs))
                names_a = set(a.variables)
                names_b = set(b.variables)
                if names_a != names_b:
                    walk.fail("", f"variables differ: only before {sorted(names_a - names_b)[:5]}, "
                                  f"only now {sorted(names_b - names_a)[:5]}")
                for name in sorted(names_a & names_b):
                    va, vb = a.variables[name], b.variables[name]
                    walk.value(f"{name}.attrs", _plain(va.attrs), _plain(vb.attrs))
                    if va.dims != vb.dims or va.shape != vb.shape:
                        walk.fail(name, f"shape {dict(zip(va.dims, va.shape))} became "
                                        f"{dict(zip(vb.dims, vb.shape))}")
                        continue
                    xa, xb = np.asarray(va.values), np.asarray(vb.values)
                    if xa.dtype.kind in "fiuc" and xb.dtype.kind in "fiuc":
                        _arrays(walk, name, xa, xb)
                    elif not np.array_equal(xa, xb):
                        walk.fail(name, "values differ")
        except (OSError, ValueError, TypeError) as exc:
            return Result(path, "netcdf", DIFFERS, f"not readable as NetCDF: {exc}", math.inf)
    return walk.result(path, "netcdf", False)


def _arrays(walk: _Walk, name: str, a, b) -> None:
    import numpy as np

    a = a.astype(complex if a.dtype.kind == "c" else float).ravel()
    b = b.astype(complex if b.dtype.kind == "c" else float).ravel()
    walk.numbers += a.size
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if (nan_a != nan_b).any():
        i = int(np.flatnonzero(nan_a != nan_b)[0])
        walk.fail(f"{name}[{i}]", f"{a[i]!r} became {b[i]!r}")
        return
    ok = ~nan_a
    a, b = a[ok], b[ok]
    inf = np.isinf(a) | np.isinf(b)
    if (a[inf] != b[inf]).any():
        walk.fail(name, "an infinite value changed")
        return
    a, b = a[~inf], b[~inf]
    if a.size:
        excess = np.abs(b - a) / (walk.atol + walk.rtol * np.abs(a))
        i = int(np.argmax(excess))
        if excess[i] > walk.excess:
            walk.excess, walk.where = float(excess[i]), f"{name}: {a[i]!r} → {b[i]!r}"


def _plain(attrs) -> dict:
    """NetCDF attributes as JSON-like values (numpy scalars and arrays to numbers and lists)."""
    out = {}
    for key, value in attrs.items():
        out[key] = value.tolist() if hasattr(value, "tolist") else value
    return out


# --------------------------------------------------------------------------- images, renderings
def compare_image(path: str, old: bytes, new: bytes) -> Result:
    from analysis.plotting import style

    if old == new:
        return Result(path, "image", IDENTICAL)
    try:
        a = style.thumbnail(io.BytesIO(old))
        b = style.thumbnail(io.BytesIO(new))
    except ValueError as exc:
        return Result(path, "image", DIFFERS, str(exc), math.inf)
    if a.size != b.size:
        return Result(path, "image", DIFFERS, f"thumbnail {a.size[0]}×{a.size[1]} px became "
                                              f"{b.size[0]}×{b.size[1]} px: the aspect ratio changed",
                      math.inf)
    rms = style.rms_difference(a, b)
    status = WITHIN if rms <= style.RMS_TOLERANCE else DIFFERS
    return Result(path, "image", status, f"RMS difference {rms:.2f} of 255 (tolerance "
                                         f"{style.RMS_TOLERANCE:g}, {style.THUMB_WIDTH}-px thumbnails)",
                  rms / style.RMS_TOLERANCE)


def compare_report(path: str, old: bytes, new: bytes) -> Result:
    a, b = old.split(PROVENANCE)[0], new.split(PROVENANCE)[0]
    if a == b:
        return Result(path, "report", IDENTICAL,
                      "up to its Provenance section (the run's date and times follow)" if old != new else "")
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    snippet = b[max(0, i - 30):i + 30].decode("utf-8", "replace").replace("\n", " ")
    return Result(path, "report", DIFFERS, f"the page differs before its Provenance section, first at "
                                           f"…{snippet}…", math.inf)


def compare(path: str, old: bytes, new: bytes | None, rtol: float, atol: float) -> Result:
    """Compare the archived bytes *old* of output *path* with the regenerated *new* (None: absent).

    Parameters
    ----------
    path : str
        The output's path relative to the repository (it decides how it is compared).
    old, new : bytes
        The archived and the regenerated content.
    rtol, atol : float
        Relative and absolute tolerance for numbers (``config/config.yaml: regression``).
    """
    kind = kind_of(path)
    if new is None:
        return Result(path, kind, MISSING, "not made by the regenerated run", math.inf)
    if kind == "volatile":
        return Result(path, kind, NOT_COMPARED, "holds execution times")
    if kind == "json":
        return compare_json(path, old, new, rtol, atol)
    if kind == "table":
        return compare_table(path, old, new, rtol, atol)
    if kind == "netcdf":
        return compare_netcdf(path, old, new, rtol, atol)
    if kind == "image":
        return compare_image(path, old, new)
    if kind == "report":
        return compare_report(path, old, new)
    if old == new:
        return Result(path, kind, IDENTICAL)
    return Result(path, kind, DIFFERS, f"bytes differ (sha256 {sha256(old)[:12]} → {sha256(new)[:12]})",
                  math.inf)


def settle_renderings(results: list[Result]) -> list[Result]:
    """A PDF whose bytes differ passes when its PNG twin is within tolerance, and the report
    page when every number and figure it shows is: each is a rendering of those.

    The report is rendered from the run's claims, metrics and figures; a difference in them
    below tolerance can change a rounded digit on the page, which is then no failure."""
    by_path = {r.path: r for r in results}
    numbers_ok = all(r.status in PASSING for r in results if r.kind in ("json", "table", "netcdf", "image"))
    out = []
    for r in results:
        if r.kind == "pdf" and r.status == DIFFERS:
            twin = by_path.get(r.path[:-4] + ".png")
            if twin is not None and twin.status in (IDENTICAL, WITHIN):
                r = Result(r.path, r.kind, WITHIN, f"PDF bytes differ; its PNG is {twin.status} "
                                                   "(PDFs are compared by their PNG twin)", 0.0)
        elif r.kind == "report" and r.status == DIFFERS and numbers_ok:
            r = Result(r.path, r.kind, WITHIN, r.detail.replace("the page differs", "the page differs "
                       "(every number and figure it shows is within tolerance)", 1), 0.0)
        out.append(r)
    return out
