"""The reproduction report: claims table, regression check, figures and provenance.

:func:`build` evaluates every claim of the ledger against the metrics the notebooks
wrote, compares every metric with the stored regression reference, and writes

* ``results/report/claims.json`` — one object per claim with keys ``id``, ``figure``,
  ``kind``, ``basis``, ``paper``, ``compendium``, ``status`` (pass | fail | missing), ``note``;
* ``results/report/regression.json`` — every metric against ``data/reference/<profile>.json``;
* ``results/report/index.html`` — a self-contained page (figures embedded) for readers.

Command line::

    python -m analysis.report gate results/report/regression.json results/report/regression.ok
    python -m analysis.report update-references --profile quick
"""
from __future__ import annotations

import argparse
import base64
import csv
import datetime as _dt
import html
import importlib.metadata
import json
import logging
import subprocess
import sys
from pathlib import Path

import yaml

from . import claims as _claims
from .io import ROOT, resolve, write_json, write_text

log = logging.getLogger(__name__)

PACKAGES = ("numpy", "scipy", "matplotlib", "xarray", "pandas", "pooch", "scikit-learn",
            "snakemake", "papermill", "jupytext", "nbconvert")
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "missing": "#9a6700", "new": "#57606a"}


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


def package_versions(names=PACKAGES) -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def stage_times(bench_dir: Path) -> dict[str, float]:
    """Wall time in seconds of each workflow rule, from Snakemake's benchmark files."""
    times = {}
    for path in sorted(Path(bench_dir).glob("*.tsv")):
        with open(path, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows and "s" in rows[0]:
            times[path.stem] = float(rows[-1]["s"])
    return times


# ------------------------------------------------------------------------------ build
def _reference(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def build(results_dir="results", figures_dir="figures", profile="full", reference=None,
          rtol=1e-4, atol=1e-9, ledger_dir=None, notebooks_table="rules/notebooks.yaml",
          run_config=None) -> dict:
    """Evaluate the ledger, check regressions and write the report files.

    *run_config* is the run's settings as the workflow passed them (shown under provenance).

    Returns a summary dict (counts per status, regression failures).
    """
    results_dir, figures_dir = resolve(results_dir), resolve(figures_dir)
    out_dir = results_dir / "report"
    metrics = _claims.load_metrics(results_dir / "metrics")
    ledger = _claims.load_ledger(ledger_dir)
    records = _claims.evaluate_all(ledger, metrics)
    public = [{k: r[k] for k in ("id", "figure", "kind", "basis", "paper", "compendium",
                                 "status", "note")} for r in records]
    write_json(public, out_dir / "claims.json")

    ref_path = resolve(reference) if reference else ROOT / "data" / "reference" / f"{profile}.json"
    ref = _reference(ref_path)
    ref_path = _display_path(ref_path)
    if ref is None:
        regression = {"reference": str(ref_path), "available": False, "rtol": rtol, "atol": atol,
                      "records": [{"metric": k, "reference": None, "value": v, "status": "new"}
                                  for k, v in sorted(_claims.flatten_metrics(metrics).items())]}
    else:
        regression = {"reference": str(ref_path), "available": True, "rtol": rtol, "atol": atol,
                      "records": _claims.check_regression(metrics, ref, rtol, atol)}
    write_json(regression, out_dir / "regression.json")

    table = yaml.safe_load(resolve(notebooks_table).read_text(encoding="utf-8"))
    config_text = yaml.safe_dump(run_config, sort_keys=False) if run_config else ""
    page = render_html(records, regression, table, figures_dir, results_dir, profile, config_text)
    write_text(page, out_dir / "index.html")
    return summarise(records, regression)


def _display_path(path: Path) -> str:
    """*path* relative to the repository when inside it (reports do not embed machine paths)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def summarise(records, regression) -> dict:
    counts = {}
    for r in records:
        counts.setdefault(r["basis"], {}).setdefault(r["status"], 0)
        counts[r["basis"]][r["status"]] += 1
    bad = [r for r in regression["records"] if r["status"] in ("fail", "missing")]
    return {"claims": len(records), "by_basis": counts,
            "status": {s: sum(r["status"] == s for r in records) for s in ("pass", "fail", "missing")},
            "regression_failures": len(bad)}


# ------------------------------------------------------------------------------- html
def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


def _badge(status: str) -> str:
    return (f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#57606a")}">'
            f"{_esc(status)}</span>")


def _csv_table(path: Path) -> str:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return "<p>(empty table)</p>"
    head = "".join(f"<th>{_esc(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(records, regression, table, figures_dir, results_dir, profile, config_text) -> str:
    summary = summarise(records, regression)
    parts = [f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Reproduction report — Kim et al. 2019, perovskite synapses</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#1f2328}}
table{{border-collapse:collapse;margin:1em 0;font-size:0.88em}} td,th{{border:1px solid #d0d7de;padding:4px 6px;vertical-align:top}}
th{{background:#f6f8fa}} .badge{{color:white;border-radius:4px;padding:1px 6px;font-size:0.85em}}
figure{{margin:1.5em 0}} figure img{{max-width:100%;border:1px solid #eee}} figcaption{{font-size:0.9em;color:#57606a}}
code,pre{{background:#f6f8fa}} pre{{padding:0.6em;overflow-x:auto}} .quote{{font-style:italic}}
</style></head><body>
<h1>Reproduction report</h1>
<p>S.-I. Kim <i>et al.</i>, “Dimensionality Dependent Plasticity in Halide Perovskite Artificial Synapses for
Neuromorphic Computing”, <i>Adv. Electron. Mater.</i> 2019, 5, 1900008. Profile: <b>{_esc(profile)}</b>.</p>
<p>Every checkable statement of the paper is listed with what the paper states and what the simulation gives.
<b>calibrated</b>: the model was fitted to this number, so agreement shows the calibration worked, not that the
model predicts it. <b>predicted</b>: the number comes out of the model without being fitted to it.
<b>literature</b>: a value the paper quotes from earlier work, checked against the compendium's data.
A <b>fail</b> is a finding: the simulation does not reproduce the statement (the note says why).
<b>missing</b>: no output checks this claim yet.</p>
<h2>Summary</h2><table><tr><th>basis</th><th>pass</th><th>fail</th><th>missing</th></tr>"""]
    for basis in _claims.BASES:
        c = summary["by_basis"].get(basis, {})
        parts.append(f"<tr><td>{basis}</td>" + "".join(f"<td>{c.get(s, 0)}</td>"
                                                        for s in ("pass", "fail", "missing")) + "</tr>")
    s = summary["status"]
    parts.append(f"<tr><th>all {summary['claims']}</th><th>{s['pass']}</th><th>{s['fail']}</th>"
                 f"<th>{s['missing']}</th></tr></table>")
    reg_bad = [r for r in regression["records"] if r["status"] in ("fail", "missing")]
    if not regression["available"]:
        parts.append(f"<p>Regression check: no reference at <code>{_esc(regression['reference'])}</code> "
                     "yet (<code>make references</code> creates it).</p>")
    else:
        n_pass = sum(r["status"] == "pass" for r in regression["records"])
        parts.append(f"<p>Regression check against <code>{_esc(Path(regression['reference']).name)}</code>: "
                     f"{n_pass} outputs within rtol={regression['rtol']:g}, atol={regression['atol']:g}; "
                     f"{len(reg_bad)} beyond tolerance or missing.</p>")
        if reg_bad:
            parts.append("<table><tr><th>output</th><th>reference</th><th>now</th><th>status</th></tr>" +
                         "".join(f"<tr><td>{_esc(r['metric'])}</td><td>{_esc(r['reference'])}</td>"
                                 f"<td>{_esc(r['value'])}</td><td>{_badge(r['status'])}</td></tr>"
                                 for r in reg_bad) + "</table>")

    fails = [r for r in records if r["status"] == "fail"]
    parts.append(f"<h2>Findings: where the simulation does not reproduce the paper ({len(fails)})</h2>")
    if fails:
        parts.append("<table><tr><th>claim</th><th>basis</th><th>paper</th><th>compendium</th><th>why</th></tr>")
        for r in fails:
            parts.append(f"<tr><td><code>{_esc(r['id'])}</code><br><small>{_esc(r['figure'])}</small></td>"
                         f"<td>{_esc(r['basis'])}</td><td>{_esc(r['paper'])}</td>"
                         f"<td>{_esc(r['compendium'])}</td><td>{_esc(r['note'])}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every claim with an output is reproduced.</p>")

    parts.append("<h2>Claims</h2><table><tr><th>id</th><th>figure</th><th>statement (location)</th>"
                 "<th>kind</th><th>basis</th><th>paper</th><th>compendium</th><th>status</th><th>note</th></tr>")
    for r in records:
        parts.append(f"<tr><td><code>{_esc(r['id'])}</code></td><td>{_esc(r['figure'])}</td>"
                     f"<td><span class='quote'>“{_esc(r['quote'])}”</span><br><small>{_esc(r['location'])}</small></td>"
                     f"<td>{_esc(r['kind'])}</td><td>{_esc(r['basis'])}</td><td>{_esc(r['paper'])}</td>"
                     f"<td>{_esc(r['compendium'])}</td><td>{_badge(r['status'])}</td><td>{_esc(r['note'])}</td></tr>")
    parts.append("</table><h2>Figures and tables</h2>")
    for name, spec in table.items():
        parts.append(f"<h3>{_esc(spec.get('title', name))}</h3>")
        for stem in spec.get("figures", []):
            png = figures_dir / f"{stem}.png"
            if png.is_file():
                data = base64.b64encode(png.read_bytes()).decode("ascii")
                parts.append(f'<figure><img alt="{_esc(stem)}" src="data:image/png;base64,{data}">'
                             f"<figcaption><code>figures/{_esc(stem)}.png</code> (and .pdf), made by "
                             f"<code>notebooks/{_esc(name)}.py</code>; executed copy "
                             f"<code>results/notebooks/{_esc(name)}.html</code>.</figcaption></figure>")
            else:
                parts.append(f"<p>{_badge('missing')} <code>figures/{_esc(stem)}.png</code> was not produced.</p>")
        for tab in spec.get("tables", []):
            path = results_dir / "tables" / f"{tab}.csv"
            if path.is_file():
                parts.append(f"<p><b>{_esc(tab)}</b> (<code>results/tables/{_esc(tab)}.csv</code>)</p>" + _csv_table(path))
            else:
                parts.append(f"<p>{_badge('missing')} table <code>{_esc(tab)}</code> was not produced.</p>")

    parts.append("<h2>Provenance</h2><table>")
    parts.append(f"<tr><th>git commit</th><td><code>{_esc(git_commit())}</code></td></tr>")
    parts.append(f"<tr><th>report written</th><td>{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M UTC}</td></tr>")
    for k, v in package_versions().items():
        parts.append(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>")
    parts.append("</table><h3>Run time per stage (Snakemake benchmarks)</h3><table><tr><th>stage</th><th>wall time [s]</th></tr>")
    for stage, sec in stage_times(results_dir / "benchmarks").items():
        parts.append(f"<tr><td>{_esc(stage)}</td><td>{sec:.1f}</td></tr>")
    parts.append(f"</table><h3>Configuration</h3><pre>{_esc(config_text)}</pre></body></html>\n")
    return "\n".join(parts)


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
    if not reg["available"]:
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
    if done_file:
        write_text(f"wrote {_display_path(path)} with {len(flat)} outputs\n", done_file)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.report")
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
