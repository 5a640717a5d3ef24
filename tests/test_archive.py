"""The research-object archive of a run (analysis.workflow.archive) and the comparison of two runs'
outputs (analysis.workflow.comparison): the archive of a quick run holds every output with its checksum
and job, passes roc-validator, reads back, and `verify` tells a reproduced run from a changed one;
bad archives and unfinished runs fail with errors that name the file."""
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from analysis.workflow import archive, comparison
from analysis.stage_io import ROOT
from tests.conftest import copy_repo, snakemake_env

RTOL, ATOL = 1e-4, 1e-9
KNOWN_RECOMMENDED = {
    # the notebooks and modules a job ran are files inside the archive: their @id is relative and
    # no public repository URL is known to give them a url
    "process-run-crate-0.5_5.1", "process-run-crate-0.5_3.2",
    # no publisher, and the authors' organisation (CITATION.cff) has no URL
    "ro-crate-1.1_22.3", "ro-crate-1.1_31.2",
}


# ----------------------------------------------------------------------------- comparison
def test_json_numbers_within_and_beyond_tolerance():
    old = json.dumps({"a": 1.0, "b": [2.0, True, "x"], "c": {"n": 0}}).encode()
    assert comparison.compare("m.json", old, old, RTOL, ATOL).status == comparison.IDENTICAL
    near = json.dumps({"a": 1.00005, "b": [2.0, True, "x"], "c": {"n": 0}}).encode()
    res = comparison.compare("m.json", old, near, RTOL, ATOL)
    assert res.status == comparison.WITHIN and "a: 1.0 → 1.00005" in res.detail
    far = json.dumps({"a": 1.001, "b": [2.0, True, "x"], "c": {"n": 0}}).encode()
    res = comparison.compare("m.json", old, far, RTOL, ATOL)
    assert res.status == comparison.DIFFERS and res.excess > 9
    flipped = json.dumps({"a": 1.0, "b": [2.0, False, "x"], "c": {"n": 0}}).encode()
    assert "b[1]: True became False" in comparison.compare("m.json", old, flipped, RTOL, ATOL).detail
    fewer = json.dumps({"a": 1.0, "b": [2.0, True, "x"], "c": {}}).encode()
    assert "keys differ" in comparison.compare("m.json", old, fewer, RTOL, ATOL).detail


def test_table_cells_numbers_by_tolerance_text_exact():
    old = b"n,value [eV],note\n1,0.160,ok\n"
    assert comparison.compare("t.csv", old, b"n,value [eV],note\n1,0.1600001,ok\n", RTOL, ATOL).status \
        == comparison.WITHIN
    res = comparison.compare("t.csv", old, b"n,value [eV],note\n1,0.170,ok\n", RTOL, ATOL)
    assert res.status == comparison.DIFFERS and "column value [eV]" in res.detail
    assert comparison.compare("t.csv", old, b"n,value [eV],note\n1,0.160,no\n", RTOL, ATOL).status \
        == comparison.DIFFERS


def _netcdf(values, units="s") -> bytes:
    ds = xr.Dataset({"x": ("time", np.asarray(values, float), {"units": units})},
                    coords={"time": ("time", np.arange(len(values)), {"units": "s"})})
    return ds.to_netcdf(format="NETCDF3_64BIT", engine="scipy")


def test_netcdf_values_units_and_shapes():
    old = _netcdf([1.0, 2.0, np.nan])
    assert comparison.compare("a.nc", old, old, RTOL, ATOL).status == comparison.IDENTICAL
    assert comparison.compare("a.nc", old, _netcdf([1.00001, 2.0, np.nan]), RTOL, ATOL).status \
        == comparison.WITHIN
    assert comparison.compare("a.nc", old, _netcdf([1.1, 2.0, np.nan]), RTOL, ATOL).status \
        == comparison.DIFFERS
    assert "units" in comparison.compare("a.nc", old, _netcdf([1.0, 2.0, np.nan], "m"), RTOL, ATOL).detail
    assert "shape" in comparison.compare("a.nc", old, _netcdf([1.0, 2.0]), RTOL, ATOL).detail


def _png(shift=0, noise=0.0, size=(400, 300)) -> bytes:
    img = np.full((size[1], size[0], 3), 255, np.uint8)
    img[100:200, 50 + shift:150 + shift] = (30, 60, 200)
    if noise:
        img = np.clip(img + np.random.default_rng(0).normal(0, noise, img.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="PNG")
    return out.getvalue()


def test_images_by_the_image_regression_tolerance():
    old = _png()
    assert comparison.compare("f.png", old, _png(noise=1.0), RTOL, ATOL).status == comparison.WITHIN
    res = comparison.compare("f.png", old, _png(shift=120), RTOL, ATOL)
    assert res.status == comparison.DIFFERS and "RMS difference" in res.detail
    assert "aspect ratio" in comparison.compare("f.png", old, _png(size=(400, 200)), RTOL, ATOL).detail
    assert comparison.compare("f.png", old, b"not a png", RTOL, ATOL).status == comparison.DIFFERS


def test_renderings_follow_what_they_render():
    page = b"<h1>r</h1><h2>Provenance</h2>written 10:00"
    res = comparison.compare("results/report/index.html", page, page.replace(b"10:00", b"11:00"), RTOL, ATOL)
    assert res.status == comparison.IDENTICAL and "Provenance" in res.detail
    results = [comparison.compare("figures/a.pdf", b"%PDF-1", b"%PDF-2", RTOL, ATOL),
               comparison.compare("figures/a.png", _png(), _png(noise=1.0), RTOL, ATOL),
               comparison.compare("figures/b.pdf", b"%PDF-1", b"%PDF-2", RTOL, ATOL),
               comparison.compare("figures/b.png", _png(), _png(shift=120), RTOL, ATOL),
               comparison.compare("results/notebooks/a.ipynb", b"1", b"2", RTOL, ATOL),
               comparison.compare("results/x.nc", b"1", None, RTOL, ATOL)]
    settled = {r.path: r.status for r in comparison.settle_renderings(results)}
    assert settled == {"figures/a.pdf": comparison.WITHIN, "figures/a.png": comparison.WITHIN,
                       "figures/b.pdf": comparison.DIFFERS, "figures/b.png": comparison.DIFFERS,
                       "results/notebooks/a.ipynb": comparison.NOT_COMPARED,
                       "results/x.nc": comparison.MISSING}


# ----------------------------------------------------------------------------- archive pieces
def test_tool_of_a_job_command():
    assert archive.tool_of("{ python -m analysis.workflow.runner notebooks/fig2_optics.py --output x ; }") \
        == "notebooks/fig2_optics.py"
    assert archive.tool_of("{ python -m analysis.evidence.report gate a b ; }") == "analysis/evidence/report.py"
    with pytest.raises(archive.ArchiveError, match="cannot tell what this job runs"):
        archive.tool_of("echo hello")
    with pytest.raises(archive.ArchiveError, match="module analysis.nothere .* has no file"):
        archive.tool_of("python -m analysis.nothere x")


def test_local_contexts_are_rocrate_1_1_and_workflow_run():
    docs = archive.local_contexts()
    terms = docs[archive.RO_CRATE_CONTEXT]["@context"]
    assert terms["ComputationalWorkflow"] == "https://bioschemas.org/ComputationalWorkflow"
    assert terms["input"] == "https://bioschemas.org/ComputationalWorkflow#input"
    assert terms["name"] == "http://schema.org/name" and "sha256" not in terms
    assert docs[archive.WFRUN_CONTEXT]["@context"]["sha256"] == "https://w3id.org/ro/terms/workflow-run#sha256"


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"not a zip at all", "is not a readable zip"),
    ("empty", "has no ro-crate-metadata.json"),
    ("badjson", "ro-crate-metadata.json is not JSON"),
    ("norun", "has no run"),
])
def test_bad_archives_are_named(tmp_path, content, message):
    path = tmp_path / "a.crate.zip"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        with zipfile.ZipFile(path, "w") as zf:
            if content == "empty":
                zf.writestr("x.txt", "x")
            elif content == "badjson":
                zf.writestr("ro-crate-metadata.json", "{")
            else:
                zf.writestr("ro-crate-metadata.json", json.dumps({"@graph": [{"@id": "./"}]}))
    with pytest.raises(archive.ArchiveError, match=message) as err:
        archive.read(path)
    assert str(path) in str(err.value)


def test_an_unfinished_run_is_not_archived(tmp_path):
    work = copy_repo(tmp_path / "repo")
    with pytest.raises(archive.ArchiveError, match=r"the quick run .* is not finished: \d+ of \d+ outputs "
                                                   r"are missing[\s\S]*make figures PROFILE=quick"):
        archive.create("quick", work)
    with pytest.raises(archive.ArchiveError, match="profile='qiuck' is not defined"):
        archive.create("qiuck", work)
    assert not list(work.rglob("*.crate.zip"))


def test_make_verify_without_archive_names_the_variable():
    import subprocess

    proc = subprocess.run(["make", "verify"], cwd=ROOT, capture_output=True, text=True,
                          env=snakemake_env(ROOT))
    assert proc.returncode != 0 and "make verify needs ARCHIVE=" in proc.stderr


def _bump_first_number(data):
    """*data* with its first non-zero float (depth first) 1 % larger."""
    done = []

    def walk(x):
        if isinstance(x, float) and x and not done:
            done.append(x)
            return x * 1.01
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    out = walk(data)
    assert done, "no number to change"
    return out


# ----------------------------------------------------------------------------- a quick run
@pytest.fixture(scope="module")
def quick_archive(quick_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("archive") / "quick.crate.zip"
    return archive.create("quick", quick_run, out, agent="Test Runner")


@pytest.mark.slow
def test_archive_holds_every_output_with_checksum_and_job(quick_run, quick_archive):
    work = quick_run
    outputs = archive.run_outputs("quick", work)
    read = archive.read(quick_archive)  # checks every member against its sha256
    assert read.profile == "quick" and read.commit is None  # the copy is no git checkout
    assert set(read.outputs) == {o for o, _ in outputs}
    rules = dict(outputs)
    for rel, info in read.outputs.items():
        assert info["sha256"] == archive.sha256_file(work / rel), rel
        assert info["rule"] == rules[rel]
        assert info["tool"].startswith(("notebooks/", "analysis/")) and (work / info["tool"]).is_file()
    assert read.outputs["figures/quick/fig2_optics.png"]["tool"] == "notebooks/fig2_optics.py"
    with zipfile.ZipFile(quick_archive) as zf:
        names = set(zf.namelist())
        graph = {e["@id"]: e for e in json.loads(zf.read("ro-crate-metadata.json"))["@graph"]}
    assert {"requirements.lock", "environment.yml", "config/config.yaml", "Snakefile", "README.md",
            "provenance/environment.txt", "results/quick/", "figures/quick/"} <= names
    run = graph["#run"]
    assert run["instrument"] == {"@id": "Snakefile"} and run["startTime"] < run["endTime"]
    assert graph["#profile"]["value"] == "quick" and graph["#commit"]["value"] == "unknown"
    jobs = [e for i, e in graph.items() if i.startswith("#job-")]
    assert all(j["startTime"] <= j["endTime"] and j["agent"] == {"@id": "#agent"} for j in jobs)
    steps = {e["name"] for i, e in graph.items() if i.startswith("#step-")}
    assert {"rule simulate", "rule report", "rule fig2_optics"} <= steps


@pytest.mark.slow
def test_archive_passes_roc_validator_at_required_level(quick_archive):
    best, found = archive.strictest_passing(quick_archive)
    assert best == "required", archive.validation_text(best, found)
    kinds = {i.split("] ", 1)[1].split(" ", 1)[0] for i in found["recommended"]}
    assert kinds <= KNOWN_RECOMMENDED, archive.validation_text(best, found)


@pytest.mark.slow
def test_verify_tells_a_reproduced_run_from_a_changed_one(quick_run, resumed_quick_run, quick_archive, tmp_path):
    second = resumed_quick_run.work   # an independent second run (tests/conftest.py)
    ok, text = archive.verify(quick_archive, quick_run, outputs_from=second)
    assert ok, text
    assert text.splitlines()[-1].startswith("VERDICT: REPRODUCED") and len(text.splitlines()) <= 25
    changed = tmp_path / "changed"
    for top in ("results", "figures"):
        shutil.copytree(second / top, changed / top)
    metrics = changed / "results/quick/metrics/fig5_activation.json"
    metrics.write_text(json.dumps(_bump_first_number(json.loads(metrics.read_text()))))
    (changed / "figures/quick/fig2_optics.png").write_bytes(_png())
    (changed / "results/quick/tables/table2.csv").unlink()
    ok, text = archive.verify(quick_archive, quick_run, outputs_from=changed)
    assert not ok and "VERDICT: NOT REPRODUCED" in text
    for name in ("fig5_activation.json", "fig2_optics.png", "table2.csv: missing"):
        assert name in text, text
    # a member altered after writing is caught by its checksum
    damaged = tmp_path / "damaged.crate.zip"
    with zipfile.ZipFile(quick_archive) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data + b" " if item.filename.endswith("table2.csv") else data)
    with pytest.raises(archive.ArchiveError, match="table2.csv does not match its recorded sha256"):
        archive.read(damaged)
    # a truncated download
    truncated = tmp_path / "truncated.crate.zip"
    truncated.write_bytes(Path(quick_archive).read_bytes()[: 100_000])
    with pytest.raises(archive.ArchiveError, match="truncated.crate.zip is not a readable zip"):
        archive.read(truncated)
