"""The reproduction report: claims, regression check, figures and provenance in one page.

:func:`build` evaluates every claim of the ledger against the metrics the notebooks
wrote, compares every metric with the stored regression reference, and writes

* ``results/report/claims.json`` — one object per claim with keys ``id``, ``figure``,
  ``kind``, ``basis``, ``paper``, ``compendium``, ``status`` (pass | fail | missing), ``note``
  (and ``class``, ``margin``, ``robustness`` when the ledger engine provides them);
* ``results/report/regression.json`` — every metric against ``data/reference/<profile>.json``;
* ``results/report/index.html`` — one page for readers (no external script or style; it works
  offline). The figures are linked by their relative path (``figures/<stem>.png``), lazily
  loaded, shown at :data:`FIGURE_WIDTH_PX` and opened at full resolution by a click, so the
  page stays small; tables, claim lists, the library reference and long lists are folded
  (``<details>``), and every shortened text carries its full text as a tooltip;
* ``results/report/notebooks.html`` — an index of the executed notebooks in paper order.

Every count on the page comes from one tally (:func:`claim_counts`), so the header, the
verdict table, the headline, the findings and the contents agree. The page, top to bottom: a
one-screen summary (the verdict by claim class, or by basis while the ledger has no classes), the findings (failed predictions, paper inconsistencies),
a table of contents, one section per paper figure/table in paper order (the regenerated
figure, what the paper shows, the claims about it with status and a one-line reason, links
to the notebook cell that drew it and to the ``analysis`` functions it used), all claims
with filters, a reference of the library functions used, the rules log, and the provenance (commit with its
dirty mark as in the header, CPU, BLAS, the data source, every installed package and their digest).

Size: one module because it writes one page whose parts share one tally, one escaping and one
layout (the claims' rows appear in the summary, the findings, the figure sections and the full
table); the seams for a split are the provenance (:func:`provenance_html` and the environment
probes above it) and the regression check (:func:`gate`, :func:`update_references`,
:func:`_reference`), which read nothing of the rest.

Command line::

    python -m analysis.evidence.report gate results/report/regression.json results/report/regression.ok
    python -m analysis.evidence.report update-references --profile quick
"""
from __future__ import annotations

import argparse
import ast
import csv
import datetime as _dt
import html
import importlib
import importlib.metadata
import inspect
import io as _io
import json
import logging
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.evidence import claims as _claims
from analysis.evidence import model_form as _model_form
from analysis.stage_io import ROOT, metrics_folder, resolve, write_json, write_text

log = logging.getLogger(__name__)

PACKAGES = ("numpy", "scipy", "numba", "matplotlib", "xarray", "netCDF4", "pandas", "pooch", "scikit-learn",
            "snakemake", "papermill", "jupytext", "nbconvert")
"""The packages whose versions the provenance lists first (every installed package follows)."""
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "missing": "#9a6700", "new": "#57606a",
                  "shown": "#6e7781"}
PUBLIC_KEYS = ("id", "figure", "kind", "basis", "paper", "compendium", "status", "outcome", "note")
OPTIONAL_KEYS = ("class", "condition", "location", "margin", "margin_units", "robustness", "robustness_interval",
                 "robustness_physics", "robustness_physics_interval", "robustness_analysis",
                 "robustness_analysis_interval", "robustness_joint", "robustness_joint_interval",
                 "samples", "verdict_robust", "sensitivities", "robustness_over", "sensitivity_note",
                 "outcomes_joint", "wide_samples", "effect", "threshold", "construction",
                 "construction_basis", "calibration", "equivalence", "power", "seeds", "seeds_for_power", "derived_from",
                 "variant_of", "variant", "why", "model_robustness", "models", "model_agreement",
                 "robustness_driftdiffusion", "robustness_driftdiffusion_interval", "verdict_driftdiffusion",
                 "sensitivities_driftdiffusion")
"""Keys copied into claims.json when the ledger engine provides them (claim classes, margins,
the robustness sweep's statistics, effect sizes, calibration targets)."""

# Claim classes (when the ledger provides them), in the order the summary lists them, with
# how the report words their verdict. Without classes the report groups by ``basis``.
CLASSES = {
    "prediction": "the assumptions could change its outcome: the tests of the paper (counted)",
    "consistent by construction": "holds in every sample of physics and analysis choices, or by a stated construction: not a test",
    "inconsistent by construction": "fails in every sample: what this model class cannot do, not a test of the paper",
    "audit": "the paper's numbers checked against each other or the literature",
    "calibration": "a fitting target: shows the calibration converged, not a reproduction",
    "unverified": "compared with an unverified ([M]) reference: shown, not counted",
    "question": "the compendium's own question, a statement the paper does not make: shown, not counted",
    "derived": "repeats the finding of another claim: shown with it, not counted",
    "variant": "the same statement under other analysis choices: part of its primary's robustness",
}
BASES = {
    "predicted": "comes out of the model without being fitted to it",
    "literature": "a value the paper quotes from earlier work, checked against data/",
    "calibrated": "a fitting target: agreement shows the calibration worked",
}
SUBPACKAGES = ("physics", "learning", "evidence", "plotting", "workflow")
"""Subpackages of ``analysis`` (``from analysis.physics import fits`` imports the module fits)."""
PLUMBING = ("stage_io", "plotting.style", "evidence.claims", "parameters", "workflow.runner", "validation")
"""Library modules not listed as "analysis functions used" (they save, read and label)."""
FINDINGS_SHOWN = 4
"""Findings rows shown open at the top of the report: the first group's first rows (the rest of
it, and the other groups, fold away)."""

# The report's sections: one per figure notebook. ``covers`` are the paper items whose
# claims belong to it (a claim goes to the most specific match of the first figure it names,
# else of the first table, else to the notebook that wrote its metric); ``paper`` is what
# the paper shows there. The sections appear in paper order (:func:`paper_key`).
SECTIONS = {
    "fig1_schematics": {
        "covers": ["Fig. 1"],
        "paper": "A schematic of the perovskite artificial synapse (a), the device geometry (b) and "
                 "the crystal structures of (PEA)₂MA₍ₙ₋₁₎PbₙBr₍₃ₙ₊₁₎ with dimensionality n (c)."},
    "fig2_optics": {
        "covers": ["Fig. 2", "Table 1", "Table S1"],
        "paper": "Film colours under UV (a), UV–vis absorption and photoluminescence (b) and XRD (c) "
                 "change with n: exciton peaks at 401/432/450 nm for n = 1–3, 525 nm for 3D; "
                 "Table S1 lists the optical features, Table 1 literature activation energies."},
    "fig3_plasticity": {
        "covers": ["Fig. 3", "Fig. S5", "Fig. S6", "Fig. S7"],
        "paper": "EPSC to one spike (a); paired-pulse facilitation A2/A1 for 20–180 ms (b); "
                 "frequency (c), voltage (d), duration (e) and number (f) dependent plasticity, "
                 "all rising with the stimulus and depending on n; Figs. S5–S7 show the traces."},
    "fig4a_multistore": {
        "covers": ["Fig. 4a"],
        "paper": "The Atkinson–Shiffrin multistore model of memory: rehearsal moves short-term "
                 "into long-term memory, as repeated spikes do in the device."},
    "fig4_retention": {
        "covers": ["Fig. 4b", "Fig. 4", "Fig. S8"],
        "paper": "Current decay after the 30th rehearsal, fitted with y = b·t^−m; Table 2 lists b "
                 "and m per n (quasi-2D films retain longest); Fig. S8 varies the rehearsals."},
    "fig5a_migration": {
        "covers": ["Fig. 5a"],
        "paper": "Ion migration in 3D vs quasi-2D layers: the PEA⁺ spacers raise the migration "
                 "barrier and hinder the back-diffusion of Br⁻."},
    "fig5_activation": {
        "covers": ["Fig. 5b", "Fig. 5", "Table 2"],
        "paper": "Arrhenius plots of the device resistance; Table 2's activation energy E_A "
                 "falls from 0.160 eV (n = 1) as n rises."},
    "fig6_energy": {
        "covers": ["Fig. 6", "Fig. S10", "Table S2"],
        "paper": "Energy per synaptic event E = |P|·I·t for three device areas and each n "
                 "(≈18 fJ for 2D at −1 V, ≈0.7 fJ at −0.02 V, Fig. S10), compared with earlier "
                 "devices (b)."},
    "figS1_iv": {
        "covers": ["Fig. S1"],
        "paper": "I–V sweeps show hysteresis without bistable (filamentary) switching."},
    "figS11_classification": {
        "covers": ["Fig. S11"],
        "paper": "Potentiation/depression of the n = 3 device (a) and device-aware digit "
                 "classification (b, c): 91.26 % on 8 × 8 and 84.24 % on 28 × 28 digits."},
}
OTHER = "other"
_ITEM = re.compile(r"\b(Fig(?:ure)?s?\.?|Tables?)\s*(S?)(\d+)([a-z]?)", re.IGNORECASE)
_CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:0 auto;padding:0 16px 3em;color:#1f2328}
h1{font-size:1.5em;margin:.6em 0 .1em} h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:1px solid #d0d7de}
h3{font-size:1.05em;margin:1em 0 .3em} p{margin:.4em 0} a{color:#0969da}
table{border-collapse:collapse;font-size:.88em} td,th{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f6f8fa} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;color:#fff;border-radius:4px;padding:0 6px;font-size:.8em;min-width:3.6em;text-align:center}
.cls{display:inline-block;border:1px solid #8c959f;border-radius:4px;padding:0 5px;font-size:.78em;color:#57606a}
.byline{color:#57606a;font-size:.9em} .headline{font-size:1.05em;margin:.5em 0}
.summary{display:flex;gap:24px;align-items:flex-start} .summary table{margin:.3em 0;flex:none} .side{font-size:.9em}
.meaning{margin:.2em 0;padding-left:1.2em;color:#57606a} table.findings{width:100%;font-size:.85em}
table.findings td:first-child{white-space:nowrap}
nav.toc ol{columns:3;column-gap:2em;margin:.3em 0;padding-left:1.4em;font-size:.88em}
.scroll{overflow-x:auto;max-width:100%;margin:.5em 0;border:1px solid #eaeef2;
 background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/40px 100% no-repeat local,
 linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/40px 100% no-repeat local,
 radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) left/12px 100% no-repeat scroll,
 radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.22),rgba(0,0,0,0)) right/12px 100% no-repeat scroll}
.scroll.overflows{border-right:3px solid #0969da}
.scroll-cue{font-size:.82em;color:#0969da;margin:.4em 0 -.3em}
.fig-row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start} .fig-row figure{flex:0 1 370px;margin:.3em 0}
.note{font-size:.85em;color:#57606a;max-width:40em} details.table,details.claims-list{margin:.4em 0}
.scroll table{margin:0} .scroll td{min-width:4em;max-width:28em} .scroll td.text{min-width:18em}
figure{margin:.8em 0} figure img{max-width:100%;height:auto;border:1px solid #eaeef2;display:block}
figcaption{font-size:.85em;color:#57606a}
.paper{background:#f6f8fa;border-left:3px solid #8c959f;padding:.3em .6em}
.links{font-size:.88em} .links code{font-size:.95em}
details.claim{border-bottom:1px solid #eaeef2;padding:2px 0} details.claim>summary{cursor:pointer;list-style-position:outside;margin-left:1em}
details.claim .body{padding:.2em 0 .4em 1.2em;font-size:.9em}
.reason{color:#1f2328} .why{color:#57606a} .quote{font-style:italic}
.trunc{text-decoration:underline dotted #8c959f;cursor:help}
details.findings-group{margin:.3em 0} details.findings-group>summary{cursor:pointer}
.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin:.4em 0}
.lib dt{font-family:ui-monospace,monospace;font-size:.88em;margin-top:.4em} .lib dd{margin-left:1.4em;font-size:.9em}
code,pre{background:#f6f8fa;font-size:.88em} pre{padding:.6em;overflow-x:auto}
.nbopen{font-size:.92em} .nbopen table{font-size:.95em}
"""
_SCRIPT = """
(function () {
  var selects = document.querySelectorAll('select[data-filter]');
  var count = document.getElementById('claim-count');
  function apply() {
    var want = {};
    selects.forEach(function (s) { if (s.value) { want[s.getAttribute('data-filter')] = s.value; } });
    var shown = 0, total = 0;
    document.querySelectorAll('[data-claim]').forEach(function (el) {
      var ok = Object.keys(want).every(function (k) { return el.getAttribute('data-' + k) === want[k]; });
      el.hidden = !ok;
      if (el.tagName === 'TR') { total += 1; if (ok) { shown += 1; } }
    });
    if (count) { count.textContent = shown + ' of ' + total + ' claims shown'; }
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  apply();
  // a table wider than its box says so above it, and its box gets a blue right edge
  function cue() {
    document.querySelectorAll('.scroll').forEach(function (d) {
      if (d.clientWidth === 0 || d.classList.contains('overflows')) { return; }
      if (d.scrollWidth > d.clientWidth + 1) {
        d.classList.add('overflows');
        var note = document.createElement('p');
        note.className = 'scroll-cue';
        note.textContent = '\u2194 wider than the page: scroll sideways in the box for the other columns';
        d.parentNode.insertBefore(note, d);
      }
    });
  }
  document.querySelectorAll('details').forEach(function (d) { d.addEventListener('toggle', cue); });
  window.addEventListener('resize', cue);
  cue();
})();
"""


# ------------------------------------------------------------------------- provenance
def git_commit(root: Path = ROOT) -> str:
    """``<sha>`` of HEAD, with ``-dirty`` if the tree has changes; ``unknown`` outside git."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def short_commit(commit: str) -> str:
    """*commit* (from :func:`git_commit`) shortened to 12 hex digits, keeping its ``-dirty`` mark.

    >>> short_commit("0123456789abcdef0123-dirty"), short_commit("unknown")
    ('0123456789ab-dirty', 'unknown')
    """
    sha, dash, mark = commit.partition("-")
    return sha[:12] + dash + mark if re.fullmatch(r"[0-9a-f]{7,40}", sha) else commit


def package_versions(names=PACKAGES) -> dict[str, str]:
    """Python's and the key packages' versions (``not installed`` for a missing one)."""
    out = {"python": sys.version.split()[0]}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def installed_packages() -> dict[str, str]:
    """Every distribution installed in the running environment: name -> version, sorted."""
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            found.setdefault(name, dist.version)
    return dict(sorted(found.items(), key=lambda kv: kv[0].lower()))


def environment_digest(packages: dict[str, str]) -> str:
    """SHA-256 (first 16 hex digits) of the ``name==version`` lines of *packages*: two runs with
    the same digest ran with the same package set."""
    import hashlib
    text = "\n".join(f"{k.lower()}=={v}" for k, v in sorted(packages.items(), key=lambda kv: kv[0].lower()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cpu_model() -> str:
    """The CPU model (``/proc/cpuinfo``, else :func:`platform.processor`) and the core count."""
    import platform
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    model = model or platform.processor() or platform.machine() or "unknown"
    return f"{model}; {os.cpu_count()} logical cores; {platform.system()} {platform.release()}"


def blas_info() -> str:
    """The BLAS/LAPACK numpy uses (``numpy.show_config``), and the thread pools threadpoolctl
    sees when it is installed."""
    parts = []
    try:
        import numpy as np
        cfg = np.show_config(mode="dicts")
        deps = cfg.get("Build Dependencies", {})
        for key in ("blas", "lapack"):
            d = deps.get(key) or {}
            if d:
                parts.append(f"{key}: {d.get('name', '?')} {d.get('version', '')}".strip())
    except Exception as exc:  # noqa: BLE001 - numpy < 1.25 has no mode="dicts"; say so
        parts.append(f"numpy.show_config unavailable ({type(exc).__name__})")
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            parts.append(f"{pool.get('internal_api')} {pool.get('version')} "
                         f"({pool.get('num_threads')} threads, {Path(str(pool.get('filepath', ''))).name})")
    except ImportError:
        parts.append("threadpoolctl not installed (thread pools not listed)")
    return "; ".join(parts) or "unknown"


def data_source(results_dir: Path, run_config: dict | None) -> str:
    """Where the MNIST files came from: the data step's manifest when it records a source,
    else the mirror the run was configured with (config ``data.mirror`` or
    ``SYNAPSE_DATA_MIRROR``) or the download URLs of ``data/mnist.yaml``."""
    manifest = Path(results_dir) / "data" / "mnist_manifest.json"
    if manifest.is_file():
        try:
            recorded = json.loads(manifest.read_text(encoding="utf-8")).get("source")
        except (OSError, ValueError):
            recorded = None
        if recorded:
            return f"{recorded} (recorded by the data step)"
    configured = ((run_config or {}).get("data") or {}).get("mirror")
    env = os.environ.get("SYNAPSE_DATA_MIRROR")
    if configured:
        return f"local mirror {configured} (config data.mirror)"
    if env:
        return f"local mirror {env} (SYNAPSE_DATA_MIRROR when the report was written)"
    try:
        from analysis.learning.digits import mnist_registry
        urls = ", ".join(mnist_registry()["base_urls"])
    except Exception:  # noqa: BLE001 - the registry is shown when it can be read
        urls = "the URLs of data/mnist.yaml"
    return f"download from {urls} (no mirror set), verified against data/mnist.yaml"


def stage_times(bench_dir: Path) -> dict[str, float]:
    """Wall time in seconds of each workflow rule, from Snakemake's benchmark files."""
    times = {}
    for path in sorted(Path(bench_dir).glob("*.tsv")):
        with open(path, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows and "s" in rows[0]:
            times[path.stem] = float(rows[-1]["s"])
    return times


def archive_link(results_dir: Path, out_dir: Path) -> str:
    """The newest research-object archive of this profile's runs (``make archive``), linked."""
    archives = sorted(Path(results_dir).glob("archive/*.crate.zip"))
    if not archives:
        return (f"none yet: <code>make archive</code> packs a finished run into "
                f"<code>{_esc(_display_path(Path(results_dir) / 'archive'))}/</code>")
    return (f'<a href="{_esc(_rel(archives[-1], out_dir))}">{_esc(archives[-1].name)}</a> (the newest; '
            "a Workflow Run RO-Crate, checked with "
            f"<code>make verify ARCHIVE={_esc(_display_path(archives[-1]))}</code>)")


# ------------------------------------------------------------------------------ build
def _reference(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def public_record(record: dict) -> dict:
    """The claims.json entry of an evaluated claim (class keys only when present)."""
    out = {k: record[k] for k in PUBLIC_KEYS}
    out.update({k: record[k] for k in OPTIONAL_KEYS if k in record})
    return out


def build(results_dir="results", figures_dir="figures", profile="full", reference=None,
          rtol=1e-4, atol=1e-9, ledger_dir=None, notebooks_table="rules/notebooks.yaml",
          run_config=None, notebooks_dir="notebooks") -> dict:
    """Evaluate the ledger, check regressions and write the report files.

    Parameters
    ----------
    results_dir, figures_dir : path
        Stage outputs (metrics, tables, executed notebooks) and figures of the run.
    profile : str
        Name of the run's profile (shown, and picks the default reference).
    reference : path, optional
        Regression reference (default ``data/reference/<profile>.json``).
    rtol, atol : float
        Tolerances of the regression check.
    ledger_dir, notebooks_table, notebooks_dir : path
        The claims ledger, the notebook table, and the notebook sources (read for their
        openings and the library functions they call).
    run_config : dict, optional
        The run's settings as the workflow passed them (shown under provenance).

    Returns
    -------
    dict
        Counts per status and per class/basis, and the number of regression failures.

    Raises
    ------
    ValueError
        If a figure PNG does not decode (the report never embeds a broken image).
    """
    results_dir, figures_dir = resolve(results_dir), resolve(figures_dir)
    out_dir = results_dir / "report"
    metrics = _claims.load_metrics(results_dir / "metrics")
    ledger = _claims.load_ledger(ledger_dir)
    records = _claims.evaluate_all(ledger, metrics)
    others = _model_form.other_models(results_dir)
    views = {m: _model_form.model_view(metrics, _claims.load_metrics(metrics_folder(results_dir, m)))
             for m in others}
    at_anchors = {m: {a: _model_form.model_view(metrics, _claims.load_metrics(
        _model_form.anchor_folder(results_dir, m, a))) for a in _model_form.anchors()[1:]} for m in others}
    for claim, record in zip(ledger, records):
        record.update(_model_form.per_model(claim, record, views, anchor_metrics=at_anchors))
    write_json([public_record(r) for r in records], out_dir / "claims.json")

    ref_path = resolve(reference) if reference else ROOT / "data" / "reference" / f"{profile}.json"
    ref = _reference(ref_path)
    ref_path = _display_path(ref_path)
    subset = _subset_reason(run_config)
    if subset:
        regression = {"reference": str(ref_path), "available": False, "applicable": False,
                      "reason": subset, "rtol": rtol, "atol": atol,
                      "records": [{"metric": k, "reference": None, "value": v, "status": "new"}
                                  for k, v in sorted(_claims.flatten_metrics(metrics).items())]}
    elif ref is None:
        regression = {"reference": str(ref_path), "available": False, "rtol": rtol, "atol": atol,
                      "records": [{"metric": k, "reference": None, "value": v, "status": "new"}
                                  for k, v in sorted(_claims.flatten_metrics(metrics).items())]}
    else:
        regression = {"reference": str(ref_path), "available": True, "rtol": rtol, "atol": atol,
                      "records": _claims.check_regression(metrics, ref, rtol, atol)}
    write_json(regression, out_dir / "regression.json")

    table = yaml.safe_load(resolve(notebooks_table).read_text(encoding="utf-8"))
    config_text = yaml.safe_dump(run_config, sort_keys=False) if run_config else ""
    fail_notes = {c["id"]: c.get("fail_note") for c in ledger}
    records = [dict(r, why=fail_notes.get(r["id"]) or r["note"]) for r in records]
    page = render_html(records, regression, table, figures_dir, results_dir, profile, config_text,
                       notebooks_dir=resolve(notebooks_dir), out_dir=out_dir,
                       not_run=(run_config or {}).get("not_run") or {}, run_config=run_config)
    write_text(page, out_dir / "index.html")
    write_text(render_notebook_index(table, results_dir, resolve(notebooks_dir), out_dir),
               out_dir / "notebooks.html")
    return summarise(records, regression)


def _subset_reason(run_config) -> str | None:
    """Why the regression check does not apply, if the run simulated a subset of the films:
    the references describe runs of all six films."""
    from analysis.physics.dimensionality import N_VALUES
    films = (run_config or {}).get("n_values")
    if films is None or set(films) == set(N_VALUES):
        return None
    return (f"this run simulated the films {', '.join(films)} only (config n_values); the regression "
            "references describe runs of all six films, so nothing is compared")


def _display_path(path: Path) -> str:
    """*path* relative to the repository when inside it (reports do not embed machine paths)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def category(record: dict) -> str:
    """The claim's class when the ledger gives one, else its basis."""
    return record.get("class") or record["basis"]


def robust_verdict(record: dict) -> str | None:
    """A prediction's verdict over the assumptions (physics and analysis choices jointly, or an
    accuracy's equivalence test over the seeds): ``holds`` / ``fails`` / ``depends`` (robustly),
    ``not swept``; None for a claim that is not a prediction. It is the sweep's own
    ``verdict_robust`` (:func:`analysis.evidence.claims.headline` counts the same)."""
    if category(record) not in _claims.COUNTED:
        return None
    given = record.get("verdict_robust")
    return given if given in ("holds", "fails", "depends", "not swept") else "not swept"


def verdict(record: dict) -> str:
    """``holds`` / ``fails`` / ``depends`` / ``not swept`` for a prediction (see
    :func:`robust_verdict`) once the ledger has claim classes; else ``holds`` / ``fails`` from
    the status; ``missing`` / ``shown`` as they are."""
    status = record["status"]
    if status in ("pass", "fail") and "class" in record and category(record) == "prediction":
        return robust_verdict(record)
    return {"pass": "holds", "fail": "fails"}.get(status, status)


VERDICT_COLUMNS = {"holds": "hold", "fails": "fail", "depends": "depend on the assumptions",
                   "not swept": "not swept", "shown": "shown, not counted", "missing": "no output"}
"""The columns of the verdict table: a prediction's robust verdict, every other claim's status."""


def claim_counts(records, where: dict | None = None) -> dict:
    """Every count the report prints, from one place, so that they agree everywhere.

    ``total``; ``by_group``: class (or basis) -> verdict (:func:`verdict`: ``holds``,
    ``fails``, ``depends``, ``not swept`` for a prediction, its robust verdict; ``holds`` /
    ``fails`` by status for every other claim; ``shown``, ``missing``) -> count, with ``claims``;
    ``columns``: the verdicts that occur, in :data:`VERDICT_COLUMNS` order; ``headline``:
    :func:`analysis.evidence.claims.headline` (classes only) — its prediction counts equal the
    table's prediction row; ``calibration``: targets and how many were reached; ``sections``:
    section -> ``{claims, fails}`` when *where* (claim id -> section) is given.
    """
    records = list(records)
    classes = any("class" in r for r in records)
    by_group: dict[str, dict[str, int]] = {}
    for r in records:
        row = by_group.setdefault(category(r), {"claims": 0})
        row["claims"] += 1
        v = verdict(r)
        row[v] = row.get(v, 0) + 1
    order = list(CLASSES if classes else BASES)
    by_group = {k: by_group[k] for k in order + sorted(set(by_group) - set(order)) if k in by_group}
    columns = [c for c in VERDICT_COLUMNS if any(c in row for row in by_group.values())]
    columns += sorted({c for row in by_group.values() for c in row} - set(columns) - {"claims"})
    calib = [r for r in records if category(r) == ("calibration" if classes else "calibrated")]
    out = {"total": len(records), "classes": classes, "by_group": by_group, "columns": columns,
           "fail": sum(r["status"] == "fail" for r in records),
           "calibration": {"targets": len(calib), "reached": sum(r["status"] == "pass" for r in calib),
                           "with_numbers": sum(isinstance(r.get("calibration"), dict) for r in calib)}}
    if classes:
        out["headline"] = _claims.headline(records)
    if where is not None:
        sec: dict[str, dict[str, int]] = {}
        for r in records:
            row = sec.setdefault(where[r["id"]], {"claims": 0, "fails": 0})
            row["claims"] += 1
            row["fails"] += r["status"] == "fail"
        out["sections"] = sec
    return out


def plural(n: int, word: str) -> str:
    """``1 claim``, ``3 claims``.

    >>> plural(1, "claim"), plural(0, "claim")
    ('1 claim', '0 claims')
    """
    return f"{n} {word}" + ("" if n == 1 else "s")


def summarise(records, regression) -> dict:
    """Counts of claims per status, per basis and per class (when present)."""
    by_basis, by_class = {}, {}
    for r in records:
        by_basis.setdefault(r["basis"], {}).setdefault(r["status"], 0)
        by_basis[r["basis"]][r["status"]] += 1
        if "class" in r:
            by_class.setdefault(r["class"], {}).setdefault(r["status"], 0)
            by_class[r["class"]][r["status"]] += 1
    bad = [r for r in regression["records"] if r["status"] in ("fail", "missing")]
    mf = _model_form.agreement_summary(records)
    out = {"claims": len(records), "by_basis": by_basis,
           "status": {s: sum(r["status"] == s for r in records) for s in ("pass", "fail", "missing")},
           "regression_failures": len(bad)}
    if by_class:
        out["by_class"] = by_class
    if mf["device_claims"]:
        out["model_form"] = {k: v for k, v in mf.items() if k != "text"}
    return out


# ------------------------------------------------------------------------ paper order
def paper_key(label: str) -> tuple:
    """Sort key of a paper item: main-text figures, then tables, then SI figures and tables.

    >>> sorted(["Fig. S1", "Fig. 5b", "Table 2", "Fig. 5a", "Fig. 10"], key=paper_key)
    ['Fig. 5a', 'Fig. 5b', 'Fig. 10', 'Table 2', 'Fig. S1']
    """
    m = _ITEM.search(label or "")
    if not m:
        return (9, 0, "", label or "")
    kind, supp, num, panel = m.groups()
    is_table = kind.lower().startswith("tab")
    return (2 * bool(supp) + is_table, int(num), panel.lower(), "")


def _items(label: str) -> list[tuple[str, str]]:
    """``[("Fig", "3b"), ("Table", "2")…]`` named in a claim's ``figure`` field, in order."""
    out = []
    for kind, supp, num, panel in _ITEM.findall(label or ""):
        out.append(("Table" if kind.lower().startswith("tab") else "Fig", f"{supp.upper()}{num}{panel.lower()}"))
    return out


def section_of(record: dict, sections: dict) -> str:
    """The notebook whose section shows the claim (see :data:`SECTIONS`); ``other`` if none."""
    items = _items(record.get("figure", ""))
    ordered = [i for i in items if i[0] == "Fig"] + [i for i in items if i[0] == "Table"]
    for kind, ident in ordered[:1]:
        best, best_len = None, -1
        for name, spec in sections.items():
            for cover in spec.get("covers", []):
                (ckind, cident), = _items(cover) or [(None, None)]
                if ckind == kind and (ident == cident or (ident.startswith(cident) and ident[len(cident):].isalpha())):
                    if len(cident) > best_len:
                        best, best_len = name, len(cident)
        if best:
            return best
    stage = str(record.get("metric", "")).split(":", 1)[0]
    return stage if stage in sections else OTHER


def _sections(table: dict) -> dict:
    """The report sections of the notebooks in *table*, in paper order."""
    out = {}
    for name, spec in table.items():
        base = SECTIONS.get(name, {})
        covers = base.get("covers") or [f"{k} {i}" for k, i in _items(spec.get("title", ""))[:1]]
        out[name] = {"title": spec.get("title", name), "covers": covers, "paper": base.get("paper", ""),
                     "figures": spec.get("figures", []), "tables": spec.get("tables", [])}
    return dict(sorted(out.items(), key=lambda kv: paper_key(kv[1]["covers"][0] if kv[1]["covers"] else kv[0])))


def short_label(section: dict) -> str:
    """``Fig. 3`` — the paper item a section starts with."""
    return section["covers"][0] if section["covers"] else section["title"].split("—")[0].strip()


# ---------------------------------------------------------------------------- numbers
_UNITS = {"nm": "nm", "eV": "eV", "fJ": "fJ", "pA": "pA", "ohm": "Ω", "s": "s", "V": "V",
          "um2": "µm²", "deg": "°", "pp": "pp", "Hz": "Hz", "K": "K", "pct": "%", "rel_n1": "rel. to n = 1"}


def format_number(x: float, digits: int = 4) -> str:
    """*x* rounded to *digits* significant digits, with a true minus sign.

    Very small or large magnitudes are written as a power of ten.

    >>> format_number(0.0814815), format_number(-2.48225e-10), format_number(5.71429e9), format_number(3.0)
    ('0.08148', '−2.48×10⁻¹⁰', '5.71×10⁹', '3')
    """
    if isinstance(x, bool):
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if mag < -3 or mag >= 6:
        mant = x / 10 ** mag
        text = f"{mant:.{max(digits - 2, 1)}f}".rstrip("0").rstrip(".")
        if text in ("10", "-10"):
            text, mag = text[:-1], mag + 1
        sup = str(mag).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        text = f"{text}×10{sup}"
    else:
        text = f"{x:.{digits}g}"
        if "e" in text:
            text = f"{x:.0f}"
    return text.replace("-", "−")


_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:e[+-]?\d+)?|(?<![\w.])-?\d+(?:\.\d+)?e[+-]?\d+")


def tidy(text) -> str:
    """Escape *text* for HTML, round long numbers in it and use true minus signs."""
    if text is None:
        return ""
    s = str(text)
    s = _FLOAT.sub(lambda m: format_number(float(m.group(0))), s)
    s = re.sub(r"(?<![\w\-])-(?=\d|\.\d)", "−", s)
    return html.escape(s, quote=False)


def column_label(name: str) -> str:
    """CSV column ``paper_energy_fJ`` → ``paper energy [fJ]``."""
    for suffix, unit in sorted(_UNITS.items(), key=lambda kv: -len(kv[0])):
        if name.endswith("_" + suffix):
            return f"{name[: -len(suffix) - 1].replace('_', ' ')} [{unit}]"
    return name.replace("_", " ")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(value: str, column: str) -> str:
    if _is_number(value) and value.strip():
        if re.fullmatch(r"-?\d+", value.strip()):
            return f'<td class="num">{value.strip().replace("-", "−")}</td>'
        digits = 2 if "stderr" in column or column.endswith("_dev_eV") or "rel_dev" in column else 4
        return f'<td class="num">{format_number(float(value), digits)}</td>'
    cls = ' class="text"' if len(value) > 40 else ""
    return f"<td{cls}>{tidy(value)}</td>"


WIDE_COLUMNS = 8
"""A table with more columns than this is announced as wide (it scrolls sideways) in its summary."""


def csv_shape(path: Path) -> tuple[int, int]:
    """Rows (without the header) and columns of the CSV file at *path*."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return (max(len(rows) - 1, 0), len(rows[0]) if rows else 0)


def csv_table(path: Path) -> str:
    """A CSV file as an HTML table in its own horizontal scroll container."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return "<p>(empty table)</p>"
    head = "".join(f"<th>{html.escape(column_label(c))}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(_cell(c, rows[0][i] if i < len(rows[0]) else "")
                                    for i, c in enumerate(row)) + "</tr>" for row in rows[1:])
    return (f'<div class="scroll" data-table="{html.escape(path.stem)}"><table class="data">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


# -------------------------------------------------------------------------- figures
FIGURE_WIDTH_PX = 680
"""Width at which the report shows a section's first figure (CSS px); a click opens the
full-resolution PNG."""
FIGURE_ROW_WIDTH_PX = 370
"""Width of a section's further figures (supplementary ones), shown side by side."""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels of the PNG at *path*, after checking that it decodes.

    Raises
    ------
    ValueError
        If the file is not a PNG that decodes; the message names the file.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        data = Path(path).read_bytes()
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("no PNG signature")
        with Image.open(_io.BytesIO(data)) as img:
            img.load()
            width, height = img.size
        if width == 0 or height == 0:
            raise ValueError(f"empty image {width}×{height}")
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        msg = (f"figure {path} does not decode as a PNG ({exc}); the report will not show a "
               f"broken image. Rerun the notebook that makes it (rules/notebooks.yaml).")
        raise ValueError(msg) from exc
    return width, height


def figure_html(png: Path, out_dir: Path, alt: str, eager: bool = False, width: int = FIGURE_WIDTH_PX) -> str:
    """An ``<img>`` of the figure at *png*, linked (not embedded: the page stays small) by its
    path relative to the report, shown :data:`FIGURE_WIDTH_PX` wide with its height reserved
    (the page does not jump while images load), lazily loaded unless *eager*, inside a link to
    the full-resolution file."""
    px_w, px_h = png_size(png)
    shown_w = min(px_w, width)
    shown_h = round(px_h * shown_w / px_w)
    href = _esc(_rel(png, out_dir))
    lazy = "" if eager else ' loading="lazy"'
    return (f'<a href="{href}" title="open the full-resolution figure ({px_w} × {px_h} px)">'
            f'<img alt="{_esc(alt)}" src="{href}" width="{shown_w}" height="{shown_h}"'
            f'{lazy} decoding="async"></a>')


def drawing_cell(executed_ipynb: Path, stem: str) -> str | None:
    """Id of the first code cell of an executed notebook whose source names figure *stem*."""
    if not executed_ipynb.is_file():
        return None
    nb = json.loads(executed_ipynb.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        src = "".join(cell.get("source", []))
        if cell.get("cell_type") == "code" and (f'"{stem}"' in src or f"'{stem}'" in src):
            return cell.get("id")
    return None


# ------------------------------------------------------------------ library functions
def library_calls(source: str) -> list[str]:
    """``module.function`` names of the ``analysis`` library that a notebook source calls.

    >>> library_calls("from analysis.physics import fits\\nfrom analysis.stage_io import resolve\\n"
    ...               "fits.fit_ppf(x, y)\\nresolve('a')\\nprint(1)")
    ['physics.fits.fit_ppf', 'stage_io.resolve']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    modules, direct = {}, {}
    packages = {"analysis"} | {f"analysis.{p}" for p in SUBPACKAGES}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in packages:
            prefix = node.module.partition(".")[2]
            for a in node.names:
                modules[a.asname or a.name] = f"{prefix}.{a.name}" if prefix else a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis."):
            mod = node.module.split(".", 1)[1]
            for a in node.names:
                direct[a.asname or a.name] = f"{mod}.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("analysis.") and a.asname:
                    modules[a.asname] = a.name.split(".", 1)[1]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in modules:
            found.append(f"{modules[f.value.id]}.{f.attr}")
        elif isinstance(f, ast.Name) and f.id in direct:
            found.append(direct[f.id])
    return sorted(set(found))


def describe_function(qualname: str) -> dict | None:
    """Signature, one-line summary and source location of ``analysis.<module>.<name>``
    (*qualname* ``"physics.fits.fit_ppf"``: the module's dotted path, then the name)."""
    mod_name, _, attr = qualname.rpartition(".")
    try:
        obj = getattr(importlib.import_module(f"analysis.{mod_name}"), attr)
    except (ImportError, AttributeError):
        return None
    if not callable(obj):
        return None
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        sig = "(…)"
    doc = (inspect.getdoc(obj) or "").strip().split("\n\n")[0].replace("\n", " ")
    try:
        line = inspect.getsourcelines(obj)[1]
        where = f"analysis/{mod_name.replace('.', '/')}.py:{line}"
    except (OSError, TypeError):
        where = f"analysis/{mod_name.replace('.', '/')}.py"
    return {"name": qualname, "signature": sig, "summary": doc, "where": where}


def _anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)


# ------------------------------------------------------------------- notebook openings
def notebook_opening(path: Path) -> str:
    """The first markdown cell of a jupytext notebook, as markdown text ('' if none)."""
    if not path.is_file():
        return ""
    import jupytext
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            return cell.source
        if cell.cell_type == "code" and cell.source.strip():
            return ""
    return ""


def _markdown(text: str) -> str:
    """Notebook markdown as HTML for the report: no title, headings demoted, no self-anchors."""
    from nbconvert.filters.markdown import markdown2html
    text = re.sub(r"\A\s*# [^\n]*\n", "", text)
    out = markdown2html(text)
    out = re.sub(r'<a class="anchor-link" href="[^"]*">[^<]*</a>', "", out)
    return re.sub(r"<(/?)h[1-3]( id=\"[^\"]*\")?>", r"<\1h4>", out)


def _rel(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


# ------------------------------------------------------------------------------- html
def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


def _badge(status: str) -> str:
    return (f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#57606a")}">'
            f"{_esc(status)}</span>")


def _first_sentence(text: str, limit: int = 160) -> str:
    text = (text or "").strip()
    m = re.search(r"(?<=[.;])\s", text)
    first = text[: m.start()] if m else text
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _compact(text) -> str:
    """A long printed list ``[a, b, c, …, z]`` shortened to its first three and last entries."""
    text = "" if text is None else str(text)
    if text.startswith("[") and text.endswith("]"):
        items = [t.strip() for t in text[1:-1].split(",")]
        if len(items) > 6:
            return f"[{', '.join(items[:3])}, …, {items[-1]}] ({len(items)} values)"
    return text


def value_text(value) -> str:
    """A claim's paper or compendium value as text: booleans as ``true`` / ``false`` (Python's
    ``True`` and YAML's ``true`` read alike)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = "" if value is None else str(value)
    return {"True": "true", "False": "false"}.get(text, text)


def shortened(text, shown: str, cls: str = "") -> str:
    """*shown* (a shortened form of *text*) as HTML; where it leaves anything out, the full
    *text* is the element's ``title`` (shown on hover) and the element is marked ``trunc`` (a
    dotted underline), so that nothing is cut without a way to read it."""
    full = tidy(text)
    part = tidy(shown)
    classes = " ".join(c for c in (cls, "trunc" if part != full else "") if c)
    attrs = (f' class="{classes}"' if classes else "") + (f' title="{html.escape(tidy(text).replace(chr(10), " "), quote=True)}"'
                                                          if part != full else "")
    return f"<span{attrs}>{part}</span>" if attrs else part


def reason(record: dict) -> str:
    """One line: what the paper states and what the simulation gives (HTML); a shortened part
    carries the full text in its ``title`` (:func:`shortened`)."""
    if record["status"] == "missing":
        return f'<span class="why">{tidy(record["note"])}</span>'
    paper, here = value_text(record["paper"]), value_text(record["compendium"])
    line = f"paper {shortened(paper, _short(paper, 60))}; here {shortened(here, _short(_compact(here), 90))}"
    if record["status"] != "pass" and record.get("note"):
        why = record.get("why") or record["note"]
        line += f" — {shortened(why, _first_sentence(why, 140), 'why')}"
    return line


def _attrs(record: dict, section_label: str) -> str:
    return (f'data-claim="{_esc(record["id"])}" data-class="{_esc(category(record))}" '
            f'data-status="{_esc(record["status"])}" data-figure="{_esc(section_label)}"')


def equivalence_text(eq: dict) -> str:
    """An accuracy's equivalence test in words: its interval, margin, achieved power and the seeds
    the power target needs (``equivalence`` of a claims.json record,
    :func:`analysis.evidence.accuracy.equivalence`)."""
    target = f"{100 * float(eq.get('power_target', 0.8)):.0f} %"
    needed = eq.get("seeds_for_power")
    needed = (f"{needed} seeds for {target} power" if needed is not None
              else f"more than {eq.get('seeds_cap', '?')} seeds for {target} power")
    coverage = 100 * (1 - 2 * float(eq.get("alpha", 0.05)))
    pi = eq.get("prediction_interval")
    pi = (f" (description: {100 * float(eq.get('coverage', 0.95)):.0f} % prediction interval for one further "
          f"run {pi[0]:.1f}–{pi[1]:.1f} %)" if pi else "")
    return (f"equivalence test over {eq.get('n')} seeds: {coverage:.0f} % interval "
            f"{eq['ci_low']:.1f}–{eq['ci_high']:.1f} % (margin ±{eq['margin']:g}), power "
            f"{100 * eq['power']:.0f} %, {needed}{pi}")


def _robustness_text(record: dict) -> str:
    """Holds in what fraction of the samples: over the physics, the analysis choices, jointly."""
    if record.get("equivalence"):          # an accuracy (a variant too): its test over the seeds
        return f", {equivalence_text(record['equivalence'])}"
    if record.get("robustness_over") == "seeds":
        return ""
    parts = []
    for key, name in (("physics", "physics"), ("analysis", "analysis"), ("joint", "jointly"),
                      ("driftdiffusion", "drift–diffusion model over its own assumptions")):
        v = record.get(f"robustness_{key}")
        iv = record.get(f"robustness_{key}_interval") or [None, None]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            rng = (f" [{100 * iv[0]:.0f}–{100 * iv[1]:.0f}]"
                   if all(isinstance(x, (int, float)) and x == x for x in iv) else "")
            parts.append(f"{name} {100 * v:.0f} %{rng}")
    return (", holds " + ", ".join(parts)) if parts else ""


def _claim_details(record: dict, section_label: str) -> str:
    extra = ""
    if isinstance(record.get("margin"), (int, float)) and not isinstance(record["margin"], bool):
        extra += (f"<br>margin {format_number(record['margin'], 3)} {_esc(record.get('margin_units', ''))}"
                  " (distance from the threshold, &gt; 0 when it holds)")
    if record.get("outcome"):
        extra += f"<br>outcome: <b>{_esc(record['outcome'])}</b>"
    if record.get("equivalence") and record.get("robustness_over") != "seeds":
        extra += f"<br>{_esc(equivalence_text(record['equivalence']))}"
    if record.get("robustness_over") or record.get("robustness_physics") is not None:
        rv = robust_verdict(record)
        extra += f"<br>{'verdict: ' + _esc(rv) if rv else 'robustness'}{_robustness_text(record)}"
        outs = record.get("outcomes_joint")
        if isinstance(outs, dict) and outs:
            extra += " (joint samples: " + ", ".join(f"{_esc(k)} {v}" for k, v in outs.items()) + ")"
        sens = record.get("sensitivities")
        if isinstance(sens, dict) and sens:
            extra += "; moved most by " + ", ".join(
                f"{_esc(k)} ({_esc(v.get('kind', ''))}, Δ {format_number(v.get('delta', 0), 2)})"
                if isinstance(v, dict) else _esc(k) for k, v in list(sens.items())[:3])
        elif record.get("sensitivity_note"):
            extra += f"; sensitivities: {_esc(record['sensitivity_note'])}"
    if isinstance(record.get("models"), dict):
        extra += (f"<br>by model ({_esc(record.get('model_agreement', ''))}): " + "; ".join(
            f"{_esc(m)}: {_esc(v.get('outcome'))} ({_esc(v.get('compendium'))})"
            + (" [by current anchor: " + ", ".join(f"{_esc(a)} {_esc(o)}" for a, o in v["anchors"].items()) + "]"
               if isinstance(v.get("anchors"), dict) else "") for m, v in record["models"].items()))
    for key, label_ in (("construction_basis", "by construction"), ("construction", "by construction"),
                        ("derived_from", "derived from"), ("variant_of", "variant of"), ("why", "why")):
        if record.get(key):
            extra += f"<br>{label_}: {tidy(record[key])}"
    return (f'<details class="claim" {_attrs(record, section_label)}><summary>{_badge(record["status"])} '
            f'<span class="cls">{_esc(category(record))}</span> <code>{_esc(record["id"])}</code> '
            f'<small>{_esc(record["figure"])}</small> — <span class="reason">{reason(record)}</span></summary>'
            f'<div class="body"><span class="quote">“{tidy(record["quote"])}”</span> '
            f'<small>({_esc(record["location"])})</small><br>{_esc(record["kind"])} claim, basis '
            f'{_esc(record["basis"])}, output <code>{_esc(record["metric"])}</code>{extra}'
            f'<br>{tidy(record.get("note", ""))}</div></details>')


def _summary_html(records, regression, classes: bool, counts: dict | None = None) -> str:
    counts = counts or claim_counts(records)
    cols = counts["columns"]
    rows = []
    for key, row in counts["by_group"].items():
        rows.append(f"<tr><th>{_esc(key)}</th><td class='num'>{row['claims']}</td>" +
                    "".join(f"<td class='num'>{row.get(c, 0)}</td>" for c in cols) + "</tr>")
    table = (f"<table id='verdict'><thead><tr><th>{'class' if classes else 'basis'}</th><th>claims</th>"
             + "".join(f"<th>{_esc(VERDICT_COLUMNS.get(c, c))}</th>" for c in cols)
             + f"</tr></thead><tbody>{''.join(rows)}</tbody>"
             + f"<tfoot><tr><th>all</th><td class='num'>{counts['total']}</td>"
             + "".join(f"<td class='num'>{sum(r.get(c, 0) for r in counts['by_group'].values())}</td>" for c in cols)
             + "</tr></tfoot></table>")
    if classes:
        table += ("<p class='note'>Predictions: their verdict over the assumptions (physics and analysis "
                  "choices jointly; accuracies by the equivalence test over seeds). Other classes: "
                  "their status at the default choices.</p>")
    calib = counts["calibration"]
    if classes:
        h = counts["headline"]
        pred = counts["by_group"].get("prediction", {"claims": 0})
        undecided = pred.get("not swept", 0) + pred.get("missing", 0)
        headline = (f"Of <b>{pred['claims']} predictions</b> (claims whose outcome the assumptions could change), "
                    f"<b>{pred.get('holds', 0)}</b> hold robustly, <b>{pred.get('fails', 0)}</b> fail robustly and "
                    f"<b>{pred.get('depends', 0)}</b> depend on the assumptions (physics and analysis "
                    f"choices jointly; accuracies by their equivalence test over seeds)")
        if undecided:
            headline += f"; {undecided} were not swept or have no output"
        out_n = h["outcomes"]
        headline += (f". At the default choices: {out_n['reproduced']} reproduced, "
                     f"{out_n['too small to have been seen']} too small to have been seen, "
                     f"{out_n['contradicted']} contradicted" + (f", {out_n['undecided']} undecided"
                                                                 if out_n["undecided"] else "") + ". "
                     f"Apart: {counts['by_group'].get('consistent by construction', {}).get('claims', 0)} consistent and "
                     f"{counts['by_group'].get('inconsistent by construction', {}).get('claims', 0)} inconsistent by construction "
                     "(what the model class always or never gives: not tests).")
        mf = _model_form.agreement_summary(records)
        if mf["device_claims"]:
            dependent = mf["predictions_model_dependent"]
            anchored = mf["predictions_anchor_dependent"]
            headline += (f" <b>Model form</b>: of {mf['predictions']} device predictions, "
                         f"<b>{mf['predictions_model_robust']}</b> have a model-robust outcome (the multi-trap "
                         f"and drift–diffusion models agree) and <b>{len(dependent)}</b> depend on the "
                         "model's form" + (": " + ", ".join(f"<code>{_esc(i)}</code>" for i in dependent)
                                           if dependent else "")
                         + f"; <b>{len(anchored)}</b> change under the drift–diffusion model with where its "
                         "currents are anchored (the paper's 18 fJ at −1 V or 0.7 fJ at −0.02 V), so they "
                         "say nothing about the model's form"
                         + f" (over all {mf['device_claims']} device claims: {mf['model_robust']} agree, "
                         f"{len(mf['model_dependent'])} differ"
                         + (" — " + ", ".join(f"<code>{_esc(i)}</code>" for i in mf["model_dependent"])
                            + " —" if mf["model_dependent"] else "")
                         + f" and {len(mf['anchor_dependent'])} depend on the anchor).")
    else:
        pred = counts["by_group"].get("predicted", {"claims": 0})
        headline = (f"Of <b>{pred['claims']} predicted claims</b>, <b>{pred.get('holds', 0)}</b> "
                    f"hold and <b>{pred.get('fails', 0)}</b> fail (the ledger has no "
                    "claim classes or robustness yet).")
    headline += (f" Calibration consistency, apart: {calib['reached']} of "
                 f"{calib['targets']} fitting targets reached — not counted as reproduced.")
    reg_bad = [r for r in regression["records"] if r["status"] in ("fail", "missing")]
    if not regression["available"]:
        reg = (f"Regression check: no reference at <code>{_esc(regression['reference'])}</code> yet "
               "(<code>make references</code> creates it).")
    else:
        n_pass = sum(r["status"] == "pass" for r in regression["records"])
        reg = (f"Regression check against <code>{_esc(Path(regression['reference']).name)}</code>: "
               f"{n_pass} outputs within rtol = {regression['rtol']:g}, atol = {regression['atol']:g}; "
               f"<b>{len(reg_bad)}</b> beyond tolerance or missing.")
    present = {category(r) for r in records}
    meaning = "".join(f"<li><b>{_esc(k)}</b>: {_esc(m)}</li>" for k, m in (CLASSES if classes else BASES).items()
                      if k in present)
    out = [f'<p class="headline">{headline}</p>', f'<div class="summary">{table}<div class="side">',
           f"<p>{reg}</p><details><summary>What the {'classes' if classes else 'bases'} mean</summary>"
           f"<ul class='meaning'>{meaning}</ul></details>"]
    calib_records = [r for r in records if category(r) == ("calibration" if classes else "calibrated")]
    targets = [r for r in calib_records if isinstance(r.get("calibration"), dict)]
    if targets:
        others = calib["targets"] - len(targets)
        out.append(f"<details id='calibration'><summary>Calibration consistency: target, reached and residual "
                   f"of the {len(targets)} of {calib['targets']} fitting targets with a single number"
                   + (f" (the other {others} are curves or ranges: see their claims)" if others else "")
                   + "</summary><div class='scroll'><table><thead><tr>"
                   "<th>claim</th><th>target</th><th>reached</th><th>residual</th><th>units</th></tr></thead><tbody>"
                   + "".join(f"<tr><td><code>{_esc(r['id'])}</code></td>"
                             f"<td class='num'>{format_number(r['calibration']['target'])}</td>"
                             f"<td class='num'>{format_number(r['calibration']['reached'])}</td>"
                             f"<td class='num'>{format_number(r['calibration']['residual'], 2)}</td>"
                             f"<td>{_esc(r['calibration'].get('units', ''))}</td></tr>" for r in targets)
                   + "</tbody></table></div></details>")
    if reg_bad:
        out.append('<div class="scroll"><table><tr><th>output</th><th>reference</th><th>now</th><th>status</th></tr>' +
                   "".join(f"<tr><td>{_esc(r['metric'])}</td><td>{tidy(r['reference'])}</td>"
                           f"<td>{tidy(r['value'])}</td><td>{_badge(r['status'])}</td></tr>"
                           for r in reg_bad) + "</table></div>")
    out.append("</div></div>")
    return "\n".join(out)


def _finding_row(r: dict, where: dict, sections: dict) -> str:
    sec = where[r["id"]]
    target = f"#s-{sec}" if sec in sections else "#s-other"
    rv = robust_verdict(r) if "class" in r else None
    tag = f"<b>{_esc(rv)}</b>{_esc(_robustness_text(r))}: " if rv else ""
    return (f'<tr><td><a href="{target}">{_esc(r["figure"])}</a> <code title="claim id">{_esc(r["id"])}</code></td>'
            f'<td>{shortened(value_text(r["paper"]), _short(value_text(r["paper"]), 40))} → '
            f'{shortened(value_text(r["compendium"]), _short(_compact(value_text(r["compendium"])), 60))}</td>'
            f'<td>{tag}{shortened(r.get("why") or r["note"], _first_sentence(r.get("why") or r["note"], 120))}</td></tr>')


def _findings_html(records, where: dict, sections: dict, classes: bool) -> tuple[str, int]:
    """The findings, grouped; and how many claims they list (the heading says that number)."""
    if classes:
        groups = [("Predictions contradicted", lambda r: category(r) == "prediction" and r.get("outcome") == "contradicted"),
                  ("Predictions too small to have been seen",
                   lambda r: category(r) == "prediction" and r.get("outcome") == "too small to have been seen"),
                  ("Accuracies undecided", lambda r: category(r) == "prediction" and r.get("outcome") == "undecided"),
                  ("Paper-internal inconsistencies", lambda r: r.get("outcome") == "paper-internal inconsistency"),
                  ("Inconsistent by construction", lambda r: category(r) == "inconsistent by construction")]
    else:
        groups = [("Failed predictions", lambda r: r["basis"] == "predicted" and r["status"] == "fail"),
                  ("Against the paper's own or the literature's numbers",
                   lambda r: r["basis"] == "literature" and r["status"] == "fail"),
                  ("Calibration not reached", lambda r: r["basis"] == "calibrated" and r["status"] == "fail")]
    out, total, first = [], 0, True
    for title, test in groups:
        rows = [r for r in records if test(r)]
        if not rows:
            continue
        total += len(rows)
        head = ("<table class='findings'><thead><tr><th>claim</th><th>paper → here</th><th>why</th>"
                "</tr></thead><tbody>")
        # the first group is open with its first FINDINGS_SHOWN rows; every other group, and the
        # rest of the first, fold away, so the first figure stays within two screens however
        # many claims fail
        visible = FINDINGS_SHOWN if first else len(rows)
        out.append(f"<details class='findings-group'{' open' if first else ''}><summary><b>{_esc(title)}</b> "
                   f"({len(rows)})</summary>" + head)
        for i, r in enumerate(rows):
            if i == visible:
                out.append(f"</tbody></table><details class='more'><summary>{len(rows) - visible} more"
                           f"</summary>{head}")
            out.append(_finding_row(r, where, sections))
        out.append("</tbody></table>" + ("</details>" if len(rows) > visible else "") + "</details>")
        first = False
    if not total:
        return "<p>None: every claim with an output is reproduced.</p>", 0
    return "\n".join(out), total


def render_html(records, regression, table, figures_dir, results_dir, profile, config_text,
                notebooks_dir=None, out_dir=None, not_run=None, run_config=None) -> str:
    """The report page (see the module docstring for its layout). *not_run*: stage -> why the
    run did not run it (a subset of the films)."""
    figures_dir, results_dir = Path(figures_dir), Path(results_dir)
    out_dir = Path(out_dir) if out_dir else results_dir / "report"
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else ROOT / "notebooks"
    sections = _sections(table)
    classes = any("class" in r for r in records)
    where = {r["id"]: section_of(r, sections) for r in records}
    labels = {name: short_label(s) for name, s in sections.items()}
    labels[OTHER] = "other"
    tally = claim_counts(records, where)
    commit = git_commit()   # header and provenance show the same commit and dirty mark

    parts = [f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reproduction report — Kim et al. 2019, perovskite synapses</title>
<style>{_CSS}</style></head><body>
<header id="top"><h1>Reproduction report: dimensionality-dependent plasticity in perovskite synapses</h1>
<p class="byline">S.-I. Kim <i>et al.</i>, <i>Adv. Electron. Mater.</i> 2019, 5, 1900008 — regenerated from a
physical simulation. Profile <b>{_esc(profile)}</b>; {plural(tally["total"], "claim")}; commit <code title="{_esc(commit)}">{_esc(short_commit(commit))}</code>.
<a href="#how">How to read</a> · <a href="{_esc(_rel(out_dir / 'notebooks.html', out_dir))}">executed notebooks</a></p></header>
<section id="summary"><h2>Verdict</h2>"""]
    if not_run or regression.get("applicable") is False:
        items = "".join(f"<li><b>{_esc(name)}</b>: {_esc(why)}</li>" for name, why in (not_run or {}).items())
        if regression.get("applicable") is False:
            items += f"<li><b>regression check</b>: {_esc(regression['reason'])}</li>"
        parts.append(f'<div class="not-run"><p><b>Not run in this run</b> (claims they check are '
                     f'shown as missing):</p><ul>{items}</ul></div>')
    parts.append(_summary_html(records, regression, classes, tally))
    findings, n_findings = _findings_html(records, where, sections, classes)
    parts.append(f'</section><section id="findings"><h2>Findings ({plural(n_findings, "claim")})</h2>')
    parts.append(findings)
    parts.append("</section>")

    # table of contents
    toc = []
    for name, s in sections.items():
        c = tally["sections"].get(name, {"claims": 0, "fails": 0})
        fails = f", {c['fails']} fail" if c["fails"] else ""
        note = f' <small>({plural(c["claims"], "claim")}{fails})</small>' if c["claims"] else ""
        toc.append(f'<li><a href="#s-{name}">{_esc(s["title"])}</a>{note}</li>')
    if any(w == OTHER for w in where.values()):
        toc.append('<li><a href="#s-other">Other claims</a></li>')
    toc += ['<li><a href="#claims">All claims, filterable</a></li>', '<li><a href="#library">Library functions used</a></li>',
            '<li><a href="#rules-log">Rules log</a></li>', '<li><a href="#provenance">Provenance</a></li>', '<li><a href="#how">How to read this report</a></li>']
    parts.append(f'<nav class="toc" id="toc"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>')

    # sections, in paper order
    used_functions: dict[str, dict] = {}
    any_figure = False
    for name, s in sections.items():
        label = labels[name]
        nb_html = results_dir / "notebooks" / f"{name}.html"
        nb_ipynb = results_dir / "notebooks" / f"{name}.ipynb"
        nb_src = notebooks_dir / f"{name}.py"
        calls = library_calls(nb_src.read_text(encoding="utf-8")) if nb_src.is_file() else []
        calls = [c for c in calls if c.rpartition(".")[0] not in PLUMBING]
        described = [d for d in (used_functions.get(c) or describe_function(c) for c in calls) if d]
        for d in described:
            used_functions[d["name"]] = d
        parts.append(f'<section class="figure-section" id="s-{name}" data-paper="{_esc(label)}">'
                     f'<h2>{_esc(s["title"])}</h2>')
        if s["paper"]:
            parts.append(f'<p class="paper"><b>The paper:</b> {tidy(s["paper"])}</p>')
        links = [f"notebook <code>notebooks/{_esc(name)}.py</code>"]
        if nb_html.is_file():
            links.append(f'<a href="{_esc(_rel(nb_html, out_dir))}">executed copy</a>')
        if described:
            links.append("analysis: " + ", ".join(
                f'<a href="#fn-{_anchor(d["name"])}"><code>{_esc(d["name"])}</code></a>' for d in described))
        parts.append(f'<p class="links">{" · ".join(links)}</p>')
        row_open = False
        for k, stem in enumerate(s["figures"]):
            png = figures_dir / f"{stem}.png"
            if k == 1:   # a section's further figures (supplementary ones) side by side, smaller
                parts.append('<div class="fig-row">')
                row_open = True
            if not png.is_file():
                parts.append(f"<p>{_badge('missing')} <code>figures/{_esc(stem)}.png</code> was not produced.</p>")
                continue
            cell = drawing_cell(nb_ipynb, stem)
            where_drawn = ""
            if nb_html.is_file():
                href = _rel(nb_html, out_dir) + (f"#cell-id={cell}" if cell else "")
                where_drawn = f' — <a href="{_esc(href)}">{"the cell that drew it" if cell else "executed notebook"}</a>'
            img = figure_html(png, out_dir, f"{stem}: {s['title']}", eager=not any_figure,
                              width=FIGURE_WIDTH_PX if k == 0 else FIGURE_ROW_WIDTH_PX)
            any_figure = True
            parts.append(f'<figure id="f-{_esc(stem)}">{img}<figcaption><code>figures/{_esc(stem)}.png</code> '
                         f"(and .pdf), made by <code>notebooks/{_esc(name)}.py</code>{where_drawn}</figcaption></figure>")
        if row_open:
            parts.append("</div>")
        rs = [r for r in records if where[r["id"]] == name]
        if rs:
            counts = ", ".join(f"{sum(r['status'] == st for r in rs)} {st}" for st in ("pass", "fail", "missing")
                               if any(r["status"] == st for r in rs))
            parts.append(f"<details class='claims-list'><summary><b>Claims</b> ({len(rs)}: {counts})</summary>"
                         "<div class='claims'>")
            parts += [_claim_details(r, label) for r in rs]
            parts.append("</div></details>")
        for tab in s["tables"]:
            path = results_dir / "tables" / f"{tab}.csv"
            if path.is_file():
                n_rows, n_cols = csv_shape(path)
                wide = " — wide: scrolls sideways" if n_cols > WIDE_COLUMNS else ""
                parts.append(f"<details class='table' id='t-{_esc(tab)}'><summary>Table <code>{_esc(tab)}</code> "
                             f"({plural(n_rows, 'row')} × {plural(n_cols, 'column')}{wide})</summary>"
                             f"<p class='links'><code>results/tables/{_esc(tab)}.csv</code>; numbers rounded "
                             f"to 4 significant digits (standard errors 2), units in the column heads.</p>"
                             + csv_table(path) + "</details>")
            else:
                parts.append(f"<p>{_badge('missing')} table <code>{_esc(tab)}</code> was not produced.</p>")
        opening = notebook_opening(nb_src)
        if opening:
            parts.append(f'<details class="nbopen"><summary>What the notebook computes</summary>'
                         f"{_markdown(opening)}</details>")
        parts.append("</section>")
    other = [r for r in records if where[r["id"]] == OTHER]
    if other:
        parts.append('<section id="s-other"><h2>Other claims</h2>' +
                     "".join(_claim_details(r, "other") for r in other) + "</section>")

    # all claims, filterable
    def options(values):
        return "".join(f'<option value="{_esc(v)}">{_esc(v)}</option>' for v in values)
    cats = [c for c in list(CLASSES if classes else BASES) if any(category(r) == c for r in records)]
    cats += sorted({category(r) for r in records} - set(cats))
    statuses = [st for st in ("pass", "fail", "missing") if any(r["status"] == st for r in records)]
    statuses += sorted({r["status"] for r in records} - set(statuses))
    figs = [labels[n] for n in sections if any(where[r["id"]] == n for r in records)]
    if other:
        figs.append("other")
    parts.append(f"""<section id="claims"><h2>All claims</h2>
<div class="filters"><label>{'class' if classes else 'basis'} <select id="filter-class" data-filter="class"><option value="">all</option>{options(cats)}</select></label>
<label>status <select id="filter-status" data-filter="status"><option value="">all</option>{options(statuses)}</select></label>
<label>figure <select id="filter-figure" data-filter="figure"><option value="">all</option>{options(figs)}</select></label>
<span id="claim-count">{len(records)} of {len(records)} claims shown</span></div>
<p class="links">The filters also apply to the claims listed in each figure section.</p>
<details id="claims-details"><summary>The table of all {plural(tally["total"], "claim")}</summary>
<div class="scroll"><table id="claims-table"><thead><tr><th>status</th><th>{'class' if classes else 'basis'}</th>
<th>figure</th><th>claim</th><th>paper / here</th></tr></thead><tbody>""")
    for r in records:
        sec = where[r["id"]]
        parts.append(f'<tr {_attrs(r, labels[sec])}><td>{_badge(r["status"])}</td><td>{_esc(category(r))}</td>'
                     f'<td><a href="#s-{sec}">{_esc(r["figure"])}</a></td><td><code>{_esc(r["id"])}</code></td>'
                     f"<td>{reason(r)}</td></tr>")
    parts.append("</tbody></table></div></details></section>")

    # library reference
    parts.append(f'<section id="library"><h2>Library functions used</h2><details><summary>The '
                 f'{plural(len(used_functions), "function")} of <code>analysis</code> the notebooks call, '
                 f'with their signatures</summary><dl class="lib">')
    for qual in sorted(used_functions):
        d = used_functions[qual]
        parts.append(f'<dt id="fn-{_anchor(qual)}">analysis.{_esc(qual)}{_esc(d["signature"])}</dt>'
                     f'<dd>{_esc(d["summary"])} <small><code>{_esc(d["where"])}</code></small></dd>')
    parts.append("</dl></details></section>")

    parts.append(rules_log_html())

    # provenance
    parts.append(provenance_html(commit, results_dir, config_text, run_config, archive=archive_link(results_dir, out_dir)))
    parts.append(f"""<section id="how"><h2>How to read this report</h2>
<p>Each claim is a checkable statement of the paper (<code>data/paper/claims/*.yaml</code>) with the condition
the paper states for it, what the paper states and what the simulation gives. Its <b>outcome</b> says what kind
of agreement or disagreement it is:</p>
<ul>{''.join(f'<li><b>{_esc(k)}</b>: {_esc(v)}</li>' for k, v in _claims.OUTCOME_MEANINGS.items())}</ul>
<p>The badge keeps the short form: <b>pass</b> (reproduced, consistent), <b>fail</b>, <b>missing</b> (not
evaluated), <b>shown</b> (an unverified reference). Its <b>class</b> says whether the assumptions could change it:</p>
<ul>{''.join(f'<li><b>{_esc(k)}</b>: {_esc(v)}</li>' for k, v in (CLASSES if classes else BASES).items())}</ul>
<p>A prediction's <b>verdict</b> is its outcome over the sampled assumptions — the physics, the analysis choices
the paper leaves open (<code>data/evidence/analysis_choices.yaml</code>) and both jointly: <b>holds</b> or
<b>fails</b> robustly when the 95 % Wilson interval of the fraction of samples in which it holds lies above or
below the robust fraction of <code>data/evidence/robustness.yaml</code>, else <b>depends</b>; an accuracy by
its equivalence test over seeds.</p>
<p>Numbers are rounded to 4 significant digits (standard errors and deviations to 2) and use true minus signs;
the underlying CSV and JSON files keep full precision. <a href="#top">Back to the top</a>.</p></section>""")
    parts.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def provenance_html(commit: str, results_dir: Path, config_text: str, run_config=None, archive: str = "") -> str:
    """The provenance section: commit (with its dirty mark, as in the header), time, Python and
    the key packages, numba, BLAS, CPU, the data source, every installed package with the
    digest of the set, the run time per stage and the configuration (long lists folded)."""
    rows = [("git commit", f"<code>{_esc(commit)}</code>"),
            ("report written", f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M UTC}"),
            ("CPU", _esc(cpu_model())), ("BLAS / LAPACK", _esc(blas_info())),
            ("MNIST data source", _esc(data_source(results_dir, run_config)))]
    if archive:
        rows.append(("archive", archive))  # archive_link: HTML already escaped
    rows += [(k, _esc(v)) for k, v in package_versions().items()]
    allpk = installed_packages()
    out = ['<section id="provenance"><h2>Provenance</h2><table id="provenance-table">']
    out += [f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows]
    out.append(f"<tr><th>environment</th><td>{len(allpk)} installed packages, digest "
               f"<code>{environment_digest(allpk)}</code> (SHA-256 of the sorted name==version list)</td></tr>")
    out.append("</table>")
    out.append(f"<details id='packages'><summary>All {len(allpk)} installed packages</summary>"
               "<div class='scroll'><table><tr><th>package</th><th>version</th></tr>"
               + "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in allpk.items())
               + "</table></div></details>")
    times = stage_times(Path(results_dir) / "benchmarks")
    out.append(f"<details><summary>Run time per stage (Snakemake benchmarks, {len(times)} stages, "
               f"{sum(times.values()):.0f} s in all)</summary><table><tr><th>stage</th><th>wall time [s]</th></tr>"
               + "".join(f'<tr><td>{_esc(k)}</td><td class="num">{v:.1f}</td></tr>' for k, v in times.items())
               + "</table></details>")
    out.append(f"<details><summary>Configuration</summary><pre>{_esc(config_text)}</pre></details></section>")
    return "".join(out)


def rules_log_html(entries: list[dict] | None = None) -> str:
    """The report's "Rules log" section: every judging rule changed or introduced, newest first,
    with its date, commit, whether results for it existed, what and why (data/evidence/rules_log.yaml)."""
    from analysis.evidence import rules_log
    entries = rules_log.load() if entries is None else entries
    changed = [e for e in entries if e["kind"] != "baseline"]
    after = sum(bool(e.get("after_results")) for e in changed)
    rows = "".join(
        f"<tr><td>{_esc(e['date'])}</td><td><code>{_esc(e['commit'])}</code></td><td>{_esc(e['kind'])}</td>"
        f"<td>{'yes' if e.get('after_results') else 'no'}</td>"
        f"<td>{tidy(e['what'])}<br><small>{_esc(', '.join(sorted(e['parts'])))}</small></td>"
        f"<td>{tidy(e['why'])}</td></tr>" for e in reversed(changed))
    return (f'<section id="rules-log"><h2>Rules log</h2><p>Every change to a judging rule (threshold, tolerance, '
            f'prior, analysis choice, claim condition, sample size, class), newest first: {len(changed)} entries, '
            f'{after} of them made after results for the rule existed. From '
            f'<code>{_esc(rules_log.LOG_PATH)}</code>; the test suite fails when a rule file changes without an '
            f'entry.</p><details><summary>The {len(changed)} entries, newest first</summary><div class="scroll"><table class="rules-log"><thead><tr><th>date</th><th>commit</th>'
            f'<th>kind</th><th>after results</th><th>what (rule parts)</th><th>why</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></div></details></section>')


def _plain_lead(markdown: str, limit: int = 240) -> str:
    """The first paragraph after the title of a notebook opening, as plain text, cut at a word."""
    body = re.sub(r"\A\s*#[^\n]*\n", "", markdown or "").strip()
    para = body.split("\n\n")[0].replace("\n", " ")
    para = re.sub(r"[*`]", "", para)
    if len(para) <= limit:
        return para
    return para[:limit].rsplit(" ", 1)[0] + " …"


def render_notebook_index(table: dict, results_dir: Path, notebooks_dir: Path, out_dir: Path) -> str:
    """A small page linking the executed notebooks in paper order, then the workflow stages."""
    sections = _sections(table)
    nb_dir = Path(results_dir) / "notebooks"
    rows = []
    for name, s in sections.items():
        page = nb_dir / f"{name}.html"
        link = (f'<a href="{_esc(_rel(page, out_dir))}">{_esc(s["title"])}</a>' if page.is_file()
                else f"{_esc(s['title'])} <small>(not executed in this run)</small>")
        opening = notebook_opening(Path(notebooks_dir) / f"{name}.py")
        lead = _plain_lead(opening)
        rows.append(f"<li>{link}<br><small>{tidy(lead)}</small></li>")
    stages = sorted(p for p in nb_dir.glob("*.html") if p.stem not in sections)
    stage_rows = "".join(f'<li><a href="{_esc(_rel(p, out_dir))}">{_esc(p.stem)}</a></li>' for p in stages)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Executed notebooks — perovskite synapse compendium</title>
<style>body{{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:1em auto;padding:0 16px;color:#1f2328}}
li{{margin:.5em 0}} small{{color:#57606a}} a{{color:#0969da}}</style></head><body>
<h1>Executed notebooks, in paper order</h1>
<p>Each figure notebook as run by the workflow, with its outputs. Sources: <code>notebooks/*.py</code>
(open them as notebooks with <code>make lab</code>). <a href="index.html">Back to the report</a>.</p>
<ol id="figure-notebooks">{''.join(rows)}</ol>
<h2>Workflow stages</h2><ul id="stage-notebooks">{stage_rows}</ul></body></html>
"""


# -------------------------------------------------------------------------------- cli
def gate(regression_json, ok_file) -> int:
    """Exit non-zero when any output regressed beyond tolerance; else write *ok_file*."""
    reg = json.loads(Path(regression_json).read_text(encoding="utf-8"))
    bad = [r for r in reg["records"] if r["status"] in ("fail", "missing")]
    if bad:
        lines = [f"  {r['metric']}: reference {r['reference']!r}, now {r['value']!r} ({r['status']})"
                 for r in bad]
        print(f"REGRESSION: {len(bad)} output(s) differ from {reg['reference']} beyond "
              f"rtol={reg['rtol']}, atol={reg['atol']}:\n" + "\n".join(lines) +
              "\nIf the change is intended, regenerate with `make references PROFILE=<profile>`.",
              file=sys.stderr)
        return 1
    if reg.get("applicable") is False:
        print(f"note: regression check not applicable: {reg['reason']}", file=sys.stderr)
    elif not reg["available"]:
        print(f"note: no regression reference at {reg['reference']}; nothing to compare", file=sys.stderr)
    write_text(f"{len(reg['records'])} outputs checked against {reg['reference']}\n", ok_file)
    return 0


def update_references(profile: str, results_dir="results", done_file=None) -> Path:
    """Store the current metrics as the regression reference of *profile* (on purpose only).

    ``make references PROFILE=…`` runs this through the workflow's ``update_references`` rule,
    which knows the profile's results folder; *done_file* records that it ran.
    """
    metrics = _claims.load_metrics(resolve(results_dir) / "metrics")
    if not metrics:
        raise FileNotFoundError(f"no metrics under {resolve(results_dir) / 'metrics'}; run the workflow first")
    flat = _claims.flatten_metrics(metrics)
    path = ROOT / "data" / "reference" / f"{profile}.json"
    write_json(flat, path)
    done = [f"wrote {_display_path(path)} with {len(flat)} outputs"]
    # the reference calibration: a run that calibrated every film (the calibrate stage's output)
    from analysis.physics.dimensionality import N_VALUES
    from analysis.parameters import calibration_values
    from analysis.stage_io import calibration_path
    cal = calibration_path(results_dir)
    if cal.is_file() and set(calibration_values(cal)["ea_eV"]) == set(N_VALUES):
        target = ROOT / "data" / "reference" / "calibration" / cal.name
        text = cal.read_text(encoding="utf-8")
        # written only when it changes: a new modification time alone makes every stage that
        # reads the reference calibration (its start values) out of date
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_text(text, target)
            done.append(f"wrote {_display_path(target)}")
        else:
            done.append(f"{_display_path(target)} unchanged (not rewritten)")
    if done_file:
        write_text("\n".join(done) + "\n", done_file)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.evidence.report")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gate", help="fail on regressions")
    g.add_argument("regression_json")
    g.add_argument("ok_file")
    u = sub.add_parser("update-references", help="store current metrics as the reference")
    u.add_argument("--profile", required=True)
    u.add_argument("--results-dir", default="results")
    u.add_argument("--done", help="write a one-line record here when done")
    args = ap.parse_args(argv)
    if args.cmd == "gate":
        return gate(args.regression_json, args.ok_file)
    path = update_references(args.profile, args.results_dir, args.done)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
