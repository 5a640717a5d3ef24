"""A research-object archive of a finished run, and its verification on another checkout.

``make archive`` (``python -m analysis.workflow.archive create --profile full``) packs the finished run
of a profile into one zip, a Workflow Run RO-Crate (RO-Crate 1.1; Provenance Run Crate 0.5,
which includes Workflow Run Crate and Process Run Crate 0.5, and Workflow RO-Crate 1.0), written
with ro-crate-py (``rocrate``) and checked with roc-validator. The zip holds

* every output of the run (the files Snakemake's ``--summary`` lists for the profile, all of
  them up to date, else the archive is refused), each with its sha256, size and format;
* the job that made each output: one ``CreateAction`` per Snakemake job with its rule (a
  ``HowToStep`` of the workflow, linked by a ``ControlAction``), the notebook or module it ran
  (``instrument``), its inputs (``object``: the ``analysis`` modules, ``data/`` files and
  upstream outputs Snakemake recorded) and start/end times, read from ``.snakemake/metadata``;
* the workflow (``Snakefile``, ``rules/``), the configuration (``config/``, the Snakemake
  profile) and the profile's name, the lock (``requirements.lock``, ``environment.yml``,
  ``pyproject.toml``) and the environment that ran (``provenance/environment.txt``);
* the commit, whether the tree was dirty (then ``provenance/uncommitted.patch`` holds the
  changes to tracked files), and the run's start and end (first job's start, last job's end);
* a README.md saying what the archive is and how to verify it.

``make verify ARCHIVE=<zip>`` (``python -m analysis.workflow.archive verify <zip>``) reruns the archived
profile from scratch in a temporary copy of this checkout and compares each output with the
archive (:mod:`analysis.workflow.comparison`), then prints a one-screen verdict; exit status 0 only when
every output is identical or within tolerance.

Every error names the file and what was expected; a zip is written to a temporary file beside
its destination and renamed only after its contents were read back and checked.

Size: about 1019 lines, because writing a crate (the jobs from Snakemake's records, the entities,
the README inside) and reading one back (:class:`Archive`, used both to check a zip just written
and by ``verify``) share one layout: the folders, ids and properties of the crate. The
roc-validator glue (offline JSON-LD contexts, the level search) is the part to move out first.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as _dt
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.stage_io import ROOT, atomic_path
from analysis.workflow import comparison

log = logging.getLogger(__name__)

CRATE_VERSION = "1.1"
WFRUN = "https://w3id.org/ro/wfrun"
PROFILES = {
    "process": f"{WFRUN}/process/0.5",
    "workflow": f"{WFRUN}/workflow/0.5",
    "provenance": f"{WFRUN}/provenance/0.5",
    "wroc": "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
}
WFRUN_CONTEXT = "https://w3id.org/ro/terms/workflow-run/context"
VALIDATOR_PROFILE = "provenance-run-crate-0.5"
SEVERITIES = ("required", "recommended", "optional")
ARCHIVE_DIR = "archive"
"""Archives go to ``<the profile's results folder>/archive/`` (the report links the newest)."""
SUFFIX = ".crate.zip"
LOCK = "requirements.lock"
WORKFLOW_FILES = ("Snakefile", "rules/*.smk", "rules/*.yaml", "config/*.yaml",
                  "profiles/default/config.yaml")
ENVIRONMENT_FILES = (LOCK, "environment.yml", "pyproject.toml", "LICENSE", "CITATION.cff")
FORMATS = {".png": "image/png", ".pdf": "application/pdf", ".json": "application/json",
           ".csv": "text/csv", ".nc": "application/x-netcdf", ".html": "text/html",
           ".ipynb": "application/x-ipynb+json", ".py": "text/x-python", ".yaml": "application/yaml",
           ".yml": "application/yaml", ".smk": "text/x-snakemake", ".md": "text/markdown",
           ".txt": "text/plain", ".tsv": "text/tab-separated-values", ".toml": "application/toml",
           ".cff": "application/yaml", ".lock": "text/plain", ".mplstyle": "text/plain",
           ".patch": "text/x-diff", ".ok": "text/plain"}
COMPLETED = "http://schema.org/CompletedActionStatus"
_TOOL = re.compile(r"\bpython -m (analysis(?:\.\w+)*)(?:\s+(notebooks/\S+\.py))?")


class ArchiveError(Exception):
    """A run that cannot be archived, or an archive that cannot be read or verified."""


# ----------------------------------------------------------------------------- the run
@dataclass
class Job:
    """One Snakemake job of the run: its rule, what it ran, read, wrote and when."""
    rule: str
    key: str
    tool: str
    command: str
    start: float
    end: float
    outputs: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def profile_settings(profile: str, root: Path = ROOT) -> dict:
    """The profile's settings from ``config/config.yaml`` (its output folders among them)."""
    config_file = root / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    profiles = config.get("profiles", {})
    if profile not in profiles:
        raise ArchiveError(f"profile={profile!r} is not defined in {config_file}; expected one of "
                           f"{', '.join(sorted(profiles))}")
    return config


def run_outputs(profile: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """``(output, rule)`` of every output of the profile's workflow, from ``snakemake --summary``.

    Raises
    ------
    ArchiveError
        If Snakemake cannot list them, or an output is missing or out of date (naming the
        files and their status).
    """
    cmd = [sys.executable, "-m", "snakemake", "--summary", "--cores", "1", "--config", f"profile={profile}"]
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ArchiveError(f"`{shlex.join(cmd[1:])}` in {root} failed ({proc.returncode}):\n"
                           + proc.stderr.strip()[-2000:])
    lines = [line.split("\t") for line in proc.stdout.splitlines() if "\t" in line]
    if not lines or lines[0][:3] != ["output_file", "date", "rule"]:
        raise ArchiveError(f"unexpected output of `snakemake --summary` in {root}: {proc.stdout[:300]!r}")
    head = lines[0]
    rows = [dict(zip(head, row)) for row in lines[1:]]
    bad = [r for r in rows if r.get("status") != "ok" or r.get("plan") != "no update"]
    if bad:
        shown = "\n".join(f"  {r['output_file']}: {r.get('status')}, {r.get('plan')}" for r in bad[:10])
        more = f"\n  … and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise ArchiveError(f"the {profile} run in {root} is not finished: {len(bad)} of {len(rows)} "
                           f"outputs are missing or out of date (Snakemake's status, plan):\n{shown}{more}\n"
                           f"finish it first: make figures PROFILE={profile}")
    return [(r["output_file"], r["rule"]) for r in rows]


def metadata_record(output: str, root: Path = ROOT) -> dict:
    """Snakemake's record of the job that wrote *output* (``.snakemake/metadata``, file format of
    snakemake.persistence: the path's urlsafe base64, split into folders at the name limit)."""
    folder = root / ".snakemake" / "metadata"
    b64 = base64.urlsafe_b64encode(output.encode()).decode()
    limit = (os.pathconf(folder, "PC_NAME_MAX") if folder.is_dir() else 255) or 255
    parts = [b64[i:i + limit - 1] for i in range(0, len(b64), limit - 1)]
    path = folder.joinpath(*(["@" + p for p in parts[:-1]] + [parts[-1]]))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArchiveError(f"Snakemake has no record of the job that wrote {output} ({path} is "
                           "missing): rerun it (make figures --forcerun …) or archive from the "
                           "checkout that ran it") from None
    except ValueError as exc:
        raise ArchiveError(f"{path}, Snakemake's record of {output}, is not JSON: {exc}") from exc


def tool_of(command: str, root: Path = ROOT) -> str:
    """The file a job's command runs: the notebook for ``analysis.workflow.runner``, else the module."""
    match = _TOOL.search(command)
    if not match:
        raise ArchiveError(f"cannot tell what this job runs (no `python -m analysis…`): {command[:200]!r}")
    module, notebook = match.groups()
    if notebook and module.endswith(".runner"):
        return notebook
    base = Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__main__.py"):
        if (root / candidate).is_file():
            return candidate.as_posix()
    raise ArchiveError(f"module {module} of the command {command[:120]!r} has no file under {root}")


def run_jobs(outputs: list[tuple[str, str]], root: Path = ROOT) -> list[Job]:
    """The jobs that wrote *outputs*, in the order they started."""
    jobs: dict[tuple, Job] = {}
    for output, rule in outputs:
        rec = metadata_record(output, root)
        if rec.get("incomplete"):
            raise ArchiveError(f"{output} is marked incomplete by Snakemake (an interrupted job): "
                               "rerun the workflow first")
        if rec.get("rule") != rule:
            raise ArchiveError(f"{output}: Snakemake's summary says rule {rule}, its record says "
                               f"{rec.get('rule')}")
        key = (rule, rec.get("job_hash"))
        if key in jobs:
            jobs[key].start = min(jobs[key].start, float(rec["starttime"]))
            jobs[key].end = max(jobs[key].end, float(rec["endtime"]))
        else:
            command = rec.get("shellcmd") or ""
            jobs[key] = Job(rule=rule, key=str(rec.get("job_hash")), tool=tool_of(command, root),
                            command=command, start=float(rec["starttime"]), end=float(rec["endtime"]),
                            inputs=sorted(rec.get("input") or []))
        jobs[key].outputs.append(output)
    return sorted(jobs.values(), key=lambda j: (j.start, j.rule, j.outputs))


def git_state(root: Path = ROOT) -> dict:
    """Commit of *root*, whether its tree is dirty (tracked changes or untracked files), the
    changed paths and the diff of tracked files; ``commit`` is None outside a git checkout."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changes = git("status", "--porcelain").splitlines()
        patch = git("diff", "HEAD", "--binary") if changes else ""
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None, "changes": [], "patch": ""}
    return {"commit": commit, "dirty": bool(changes), "changes": changes, "patch": patch}


def environment_text() -> str:
    """Python, platform and every installed distribution (name==version), one per line."""
    dists = sorted({(d.metadata["Name"], d.version) for d in importlib.metadata.distributions()
                    if d.metadata["Name"]}, key=lambda x: x[0].lower())
    head = [f"# python {sys.version.split()[0]} ({sys.implementation.name}) on {platform.platform()}",
            f"# machine {platform.machine()}; {len(dists)} distributions installed"]
    return "\n".join(head + [f"{n}=={v}" for n, v in dists]) + "\n"


def _iso(seconds: float) -> str:
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).isoformat(timespec="seconds")


def _format(path: str) -> str:
    return FORMATS.get(Path(path).suffix.lower(), "application/octet-stream")


def _globbed(root: Path, patterns) -> list[str]:
    out = []
    for pattern in patterns:
        out += [p.relative_to(root).as_posix() for p in sorted(root.glob(pattern)) if p.is_file()]
    return out


# ----------------------------------------------------------------------------- writing
def default_output(profile: str, git: dict, root: Path = ROOT, now: float | None = None) -> Path:
    results = profile_settings(profile, root)["profiles"][profile]["outputs"]["results"].rstrip("/")
    stamp = _dt.datetime.fromtimestamp(now or time.time(), _dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    commit = (git["commit"] or "nogit")[:12] + ("-dirty" if git["dirty"] else "")
    return root / results / ARCHIVE_DIR / f"{profile}-{stamp}-{commit}{SUFFIX}"


def create(profile: str = "full", root: Path = ROOT, output: str | os.PathLike | None = None,
           agent: str | None = None) -> Path:
    """Write the archive of the finished *profile* run of the checkout at *root*.

    Parameters
    ----------
    profile : str
        The run's profile (``config/config.yaml: profiles``).
    root : path
        The checkout that ran it.
    output : path, optional
        The zip to write (default ``<results>/archive/<profile>-<UTC time>-<commit>.crate.zip``).
    agent : str, optional
        Who ran it (a person or organisation), recorded as the actions' ``agent``; default
        ``git config user.name`` of *root*, else none.

    Returns
    -------
    Path
        The zip written.

    Raises
    ------
    ArchiveError
        If the profile is unknown, the run is not finished or up to date, or Snakemake has no
        record of a job; the message names the files.
    """
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    root = Path(root).resolve()
    config = profile_settings(profile, root)
    outs = run_outputs(profile, root)
    jobs = run_jobs(outs, root)
    git = git_state(root)
    now = time.time()
    output = Path(output) if output else default_output(profile, git, root, now)
    if output.suffix != ".zip":
        raise ArchiveError(f"archive {output} must end in .zip")
    project = _project(root)
    start, end = min(j.start for j in jobs), max(j.end for j in jobs)
    version = git["commit"] or project["version"]
    agent = agent if agent is not None else _git_user(root)
    checksums: dict[str, str] = {}
    scratch = tempfile.TemporaryDirectory(prefix="synapse-archive-")  # generated files

    crate = ROCrate(version=CRATE_VERSION)
    crate.metadata.extra_contexts.append(WFRUN_CONTEXT)
    files: dict[str, object] = {}

    def add_file(rel: str, source: Path | None = None, data: bytes | None = None, **props):
        if rel in files:
            return files[rel]
        path = source if source is not None else root / rel
        if data is None:
            if not path.is_file():
                raise ArchiveError(f"{rel} is listed by the run but {path} does not exist")
            digest, size = sha256_file(path), path.stat().st_size
        else:
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
        checksums[rel] = digest
        properties = {"name": Path(rel).name, "encodingFormat": _format(rel), "contentSize": str(size),
                      "sha256": digest, **props}
        if data is not None:
            tmp = Path(scratch.name) / rel.replace("/", "__")
            tmp.write_bytes(data)
            path = tmp
        files[rel] = crate.add_file(str(path), dest_path=rel, properties=properties)
        return files[rel]

    # who ran it
    agent_entity = None
    if agent:
        agent_entity = crate.add(ContextEntity(crate, "#agent", properties={"@type": "Person", "name": agent}))
    engine = crate.add(ContextEntity(crate, "https://snakemake.github.io/", properties={
        "@type": "SoftwareApplication", "name": "Snakemake", "url": "https://snakemake.github.io/",
        "version": _version("snakemake")}))
    python_lang = crate.add(ContextEntity(crate, "#python", properties={
        "@type": "ComputerLanguage", "name": "Python", "url": "https://www.python.org/",
        "version": sys.version.split()[0]}))

    # the workflow and its parts
    wf = crate.add_workflow(str(root / "Snakefile"), "Snakefile", main=True, lang="snakemake",
                            lang_version=_version("snakemake"), properties={
                                "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"]})
    wf["name"] = f"{project['name']} workflow"
    wf["description"] = project.get("description", "")
    wf["version"] = version
    wf["license"] = {"@id": "https://spdx.org/licenses/MIT"}
    wf["conformsTo"] = {"@id": "https://bioschemas.org/profiles/ComputationalWorkflow/1.0-RELEASE"}
    wf["sha256"] = checksums.setdefault("Snakefile", sha256_file(root / "Snakefile"))
    wf["encodingFormat"] = "text/x-snakemake"
    definition = []
    for rel in _globbed(root, WORKFLOW_FILES):
        if rel != "Snakefile":
            add_file(rel, description="rules of the workflow (included by Snakefile)" if rel.endswith(".smk")
                     else "settings read by the workflow")

    tools = {}
    for job in jobs:
        if job.tool not in tools:
            kind = "notebook (jupytext percent script, run with papermill)" if job.tool.startswith(
                "notebooks/") else "Python module"
            tool = add_file(job.tool, description=f"{kind}; run by the workflow's rules",
                            **{"@type": ["File", "SoftwareSourceCode"]})
            tool["programmingLanguage"] = python_lang
            tool["version"] = version
            tools[job.tool] = tool
    wf["hasPart"] = list(tools.values())

    steps = {}
    for job in jobs:
        if job.rule not in steps:
            steps[job.rule] = crate.add(ContextEntity(crate, f"#step-{job.rule}", properties={
                "@type": "HowToStep", "name": f"rule {job.rule}", "position": str(len(steps)),
                "workExample": tools[job.tool]}))
    wf["step"] = list(steps.values())

    # parameters of the run: the profile, the configuration; outputs: the two folders
    settings = config["profiles"][profile]["outputs"]
    p_profile = crate.add_formal_parameter("profile", "Text", identifier="#param-profile",
                                           description="Run profile of config/config.yaml (--config profile=…)")
    p_config = crate.add_formal_parameter("configfile", "File", identifier="#param-configfile",
                                          description="The run settings of every profile")
    p_results = crate.add_formal_parameter("results", "Dataset", identifier="#param-results",
                                           description="Stage outputs: simulations, metrics, tables, report")
    p_figures = crate.add_formal_parameter("figures", "Dataset", identifier="#param-figures",
                                           description="Figures, PNG and PDF")
    wf["input"] = [p_profile, p_config]
    wf["output"] = [p_results, p_figures]
    profile_value = crate.add(ContextEntity(crate, "#profile", properties={
        "@type": "PropertyValue", "name": "profile", "value": profile, "exampleOfWork": p_profile}))
    config_file = files.get("config/config.yaml") or add_file("config/config.yaml")
    config_file["exampleOfWork"] = p_config
    p_profile["workExample"] = profile_value
    p_config["workExample"] = config_file

    # outputs and the jobs that made them
    datasets = {}
    for kind, param in (("results", p_results), ("figures", p_figures)):
        rel = settings[kind].rstrip("/") + "/"
        datasets[kind] = crate.add_dataset(None, rel, properties={
            "name": f"{kind} of the {profile} run", "exampleOfWork": param, "hasPart": []})
        param["workExample"] = datasets[kind]
    outputs_of = {}
    for job in jobs:
        outputs_of[id(job)] = []
        for out in job.outputs:
            entity = add_file(out, description=f"made by rule {job.rule} ({job.tool})")
            outputs_of[id(job)].append(entity)
            for ds in datasets.values():
                if out.startswith(ds.id):
                    ds.append_to("hasPart", entity)
    actions, controls = [], []
    for n, job in enumerate(jobs, 1):
        inputs = [add_file(i) for i in job.inputs if (root / i).is_file()]
        props = {"@type": "CreateAction", "name": f"rule {job.rule}, job {n}",
                 "description": f"Snakemake job of rule {job.rule}: {job.command.strip()[:2000]}",
                 "startTime": _iso(job.start), "endTime": _iso(job.end),
                 "actionStatus": COMPLETED}
        if agent_entity:
            props["agent"] = agent_entity
        action = crate.add_action(tools[job.tool], identifier=f"#job-{n}", object=_one(inputs),
                                  result=_one(outputs_of[id(job)]), properties=props)
        actions.append(action)
        controls.append(crate.add(ContextEntity(crate, f"#control-{n}", properties={
            "@type": "ControlAction", "name": f"orchestrate rule {job.rule}, job {n}",
            "instrument": steps[job.rule], "object": action,
            "actionStatus": COMPLETED})))

    # environment and provenance files
    env_files = [add_file(rel) for rel in ENVIRONMENT_FILES if (root / rel).is_file()]
    env_files.append(add_file("provenance/environment.txt", data=environment_text().encode(),
                             description="The Python environment that made the archive: version, "
                                         "platform and every installed distribution"))
    if git["dirty"] and git["patch"]:
        env_files.append(add_file(
            "provenance/uncommitted.patch", data=git["patch"].encode(),
            description=f"Changes to tracked files not in commit {git['commit']} (git diff HEAD)"))
    state = ("not a git checkout" if git["commit"] is None else
             f"commit {git['commit']}" + (f", dirty ({len(git['changes'])} changed or untracked paths)"
                                          if git["dirty"] else ", clean"))

    commit_value = crate.add(ContextEntity(crate, "#commit", properties={
        "@type": "PropertyValue", "name": "git commit", "value": git["commit"] or "unknown",
        "description": state}))
    run = crate.add_action(wf, identifier="#run", object=[profile_value, commit_value, config_file] + env_files,
                           result=list(datasets.values()), properties={
                               "@type": "CreateAction",
                               "name": f"Run of the {profile} profile",
                               "description": f"snakemake --config profile={profile} in a checkout at "
                                              f"{state}; start = first job's start, end = last job's end",
                               "startTime": _iso(start), "endTime": _iso(end),
                               "actionStatus": COMPLETED,
                               **({"agent": agent_entity} if agent_entity else {})})
    organize = crate.add(ContextEntity(crate, "#organize", properties={
        "@type": "OrganizeAction", "name": f"Snakemake orchestrating the {profile} run",
        "instrument": engine, "result": run, "object": controls,
        "startTime": _iso(start), "endTime": _iso(end),
        "actionStatus": COMPLETED,
        **({"agent": agent_entity} if agent_entity else {})}))

    add_file("README.md", data=_readme(profile, git, state, start, end, jobs, outs, output).encode(),
                      about=crate.root_dataset)
    rd = crate.root_dataset
    rd["name"] = f"{project['name']}: archive of the {profile} run ({state})"
    rd["description"] = (f"Every output of the {profile} run of the compendium reproducing Kim et al., "
                         "Adv. Electron. Mater. 2019, 5, 1900008 (doi:10.1002/aelm.201900008), with the "
                         "job, notebook and rule that made each, the workflow, configuration, lock and "
                         "environment. Verify with `make verify ARCHIVE=<this zip>` in a checkout.")
    rd["datePublished"] = _iso(now)
    rd["author"] = crate.add(ContextEntity(crate, "#compendium-contributors", properties={
        "@type": "Organization", "name": "The perovskite-synapse compendium contributors",
        "description": "Authors of the compendium (CITATION.cff)"}))
    rd["license"] = crate.add(ContextEntity(crate, "https://spdx.org/licenses/MIT", properties={
        "@type": "CreativeWork", "name": "MIT License", "identifier": "MIT"}))
    rd["conformsTo"] = [crate.add(ContextEntity(crate, uri, properties={
        "@type": "CreativeWork", "name": name, "version": uri.rsplit("/", 1)[-1]}))
        for name, uri in (("Process Run Crate", PROFILES["process"]),
                          ("Workflow Run Crate", PROFILES["workflow"]),
                          ("Provenance Run Crate", PROFILES["provenance"]),
                          ("Workflow RO-Crate", PROFILES["wroc"]))]
    rd["mentions"] = [run, organize] + actions
    rd["version"] = version
    rd["keywords"] = ["perovskite", "artificial synapse", "reproducibility", "Workflow Run RO-Crate"]
    rd["identifier"] = f"{project['name']}-{profile}-{_iso(now)}"
    rd["citation"] = {"@id": "https://doi.org/10.1002/aelm.201900008"}
    crate.add(ContextEntity(crate, "https://doi.org/10.1002/aelm.201900008", properties={
        "@type": "ScholarlyArticle", "name": "Dimensionality Dependent Plasticity in Halide Perovskite "
        "Artificial Synapses for Neuromorphic Computing", "datePublished": "2019"}))

    try:
        with tempfile.TemporaryDirectory(prefix="synapse-crate-") as tree, atomic_path(output) as part:
            crate.write(tree)
            _zip_tree(Path(tree), part)
            check_zip(part, checksums)
    except OSError as exc:
        raise ArchiveError(f"cannot write the archive {output}: {exc}") from exc
    finally:
        scratch.cleanup()
    return output


def _zip_tree(tree: Path, zip_path: Path) -> None:
    """Zip the crate written at *tree*, sorted, with an entry for every folder (a Dataset's
    @id such as ``results/quick/`` names a folder of the payload)."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(tree.rglob("*")):
            rel = path.relative_to(tree).as_posix()
            if path.is_dir():
                zf.writestr(rel + "/", b"")
            else:
                zf.write(path, rel)


def check_zip(path: Path, checksums: dict[str, str]) -> None:
    """Read *path* back: a valid zip whose members have the recorded sha256 (else ArchiveError)."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad:
                raise ArchiveError(f"{path}: member {bad} is corrupt (CRC mismatch)")
            names = set(zf.namelist())
            for rel, digest in checksums.items():
                if rel not in names:
                    raise ArchiveError(f"{path}: {rel} is described but missing from the zip")
                if hashlib.sha256(zf.read(rel)).hexdigest() != digest:
                    raise ArchiveError(f"{path}: {rel} changed while the archive was written "
                                       "(its sha256 differs from the one recorded); run again")
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{path} is not a readable zip: {exc}") from exc


def _one(items: list):
    """A single value rather than a one-item list (RO-Crate 1.1's JSON-LD recommendation)."""
    return items[0] if len(items) == 1 else items


def _project(root: Path) -> dict:
    import tomllib

    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _git_user(root: Path) -> str | None:
    try:
        name = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        return None
    return name or None


def _readme(profile, git, state, start, end, jobs, outs, output) -> str:
    rules = sorted({j.rule for j in jobs})
    return f"""# Archive of a run: perovskite-synapse compendium, profile `{profile}`

This zip is a [Workflow Run RO-Crate](https://w3id.org/ro/wfrun) (RO-Crate {CRATE_VERSION}; Provenance
Run Crate 0.5) of one run of the compendium that reproduces

> S.-I. Kim et al., "Dimensionality Dependent Plasticity in Halide Perovskite Artificial Synapses for
> Neuromorphic Computing", *Adv. Electron. Mater.* 2019, 5, 1900008. doi:10.1002/aelm.201900008

* **Run:** profile `{profile}`, {len(jobs)} Snakemake jobs of {len(rules)} rules, {len(outs)} outputs;
  first job started {_iso(start)}, last job ended {_iso(end)} (UTC).
* **Code:** {state}.{" The changes to tracked files are in `provenance/uncommitted.patch`." if git.get("dirty") else ""}
* **Environment:** `requirements.lock` (the locked packages), `environment.yml` (the rules' conda
  environment) and `provenance/environment.txt` (what was installed when the archive was made).
* **Metadata:** `ro-crate-metadata.json` gives, for every output, its sha256 and the job that made it:
  the rule (a `HowToStep` of `Snakefile`), the notebook or module it ran (`instrument`), its inputs
  (`object`) and its start and end times.

## Verify

In a checkout of the repository at that commit (with Python 3.11 and access to PyPI):

    make verify ARCHIVE=path/to/{output.name}

reruns the `{profile}` profile from scratch in a temporary copy of the checkout and compares every
output with this archive: numbers within the regression tolerance of `config/config.yaml`, figures
within the image-regression tolerance, other files byte for byte; executed notebooks and timing files
are listed but not compared. It ends with one verdict line.
"""


# ----------------------------------------------------------------------------- reading
@dataclass
class Archive:
    """What :func:`read` finds in an archive: the run's profile, commit, times and outputs."""
    path: Path
    profile: str
    commit: str | None
    dirty: bool | None
    start: str
    end: str
    outputs: dict[str, dict]          # path -> {"sha256", "rule", "tool"}
    files: dict[str, str]             # every described file -> sha256
    regression: dict


def read(path: str | os.PathLike) -> Archive:
    """Open and check an archive made by :func:`create`.

    Raises
    ------
    ArchiveError
        If *path* does not exist, is not a zip, is corrupt, lacks ``ro-crate-metadata.json`` or a
        run, or a member's sha256 differs from the one recorded (naming the member).
    """
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"ARCHIVE={path}: no such file (expected a .crate.zip written by make archive)")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad:
                raise ArchiveError(f"{path} is corrupt: member {bad} fails its CRC check")
            try:
                meta = json.loads(zf.read("ro-crate-metadata.json"))
            except KeyError:
                raise ArchiveError(f"{path} has no ro-crate-metadata.json: not an RO-Crate "
                                   "(expected a zip written by make archive)") from None
            except ValueError as exc:
                raise ArchiveError(f"{path}: ro-crate-metadata.json is not JSON: {exc}") from exc
            graph = {e["@id"]: e for e in meta.get("@graph", []) if isinstance(e, dict) and "@id" in e}
            archive = _describe(path, graph)
            names = set(zf.namelist())
            for rel, digest in archive.files.items():
                if rel not in names:
                    raise ArchiveError(f"{path}: {rel} is described in ro-crate-metadata.json but "
                                       "not in the zip")
                if hashlib.sha256(zf.read(rel)).hexdigest() != digest:
                    raise ArchiveError(f"{path}: {rel} does not match its recorded sha256 {digest[:12]}…"
                                       " (the archive was altered or damaged)")
            config = yaml.safe_load(zf.read("config/config.yaml")) if "config/config.yaml" in names else {}
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{path} is not a readable zip ({exc}): expected a .crate.zip written by "
                           "make archive (truncated download?)") from exc
    archive.regression = (config or {}).get("regression", {})
    if not {"rtol", "atol"} <= set(archive.regression):
        raise ArchiveError(f"{path}: config/config.yaml inside lacks regression: rtol/atol")
    return archive


def _describe(path: Path, graph: dict) -> Archive:
    def ref(value):
        values = value if isinstance(value, list) else [value] if value else []
        return [v["@id"] if isinstance(v, dict) else v for v in values]

    run = graph.get("#run")
    if run is None:
        raise ArchiveError(f"{path}: ro-crate-metadata.json has no run (#run CreateAction): not an "
                           "archive written by make archive")
    profile = next((graph[i].get("value") for i in ref(run.get("object")) if i == "#profile"), None)
    if not profile:
        raise ArchiveError(f"{path}: the run records no profile (#profile)")
    commit = graph.get("#commit", {})
    sha = commit.get("value") if re.fullmatch(r"[0-9a-f]{40}", str(commit.get("value", ""))) else None
    files = {i: e["sha256"] for i, e in graph.items() if "sha256" in e and "File" in _types(e)}
    outputs = {}
    for entity in graph.values():
        if "CreateAction" in _types(entity) and entity["@id"].startswith("#job-"):
            tool = (ref(entity.get("instrument")) or [""])[0]
            rule = entity.get("name", "").split(",")[0].removeprefix("rule ")
            for out in ref(entity.get("result")):
                outputs[out] = {"sha256": files.get(out), "rule": rule, "tool": tool}
    if not outputs:
        raise ArchiveError(f"{path}: the archive describes no outputs")
    return Archive(path=path, profile=profile, commit=sha,
                   dirty=("dirty" in commit.get("description", "")) if sha else None,
                   start=run.get("startTime", "?"),
                   end=run.get("endTime", "?"), outputs=outputs, files=files, regression={})


def _types(entity: dict) -> list[str]:
    t = entity.get("@type", [])
    return t if isinstance(t, list) else [t]


# ----------------------------------------------------------------------------- validation
RO_CRATE_CONTEXT = f"https://w3id.org/ro/crate/{CRATE_VERSION}/context"
WFRUN_TERMS = ("ParameterConnection", "ContainerImage", "DockerImage", "SIFImage", "connection",
               "sourceParameter", "targetParameter", "md5", "sha1", "sha256", "sha512", "environment",
               "registry", "tag", "containerImage", "resourceUsage")
"""The terms of the workflow-run vocabulary (https://w3id.org/ro/terms/workflow-run#<term>)."""
CONTEXT_1_1_TERMS = {
    "ComputationalWorkflow": "https://bioschemas.org/ComputationalWorkflow",
    "FormalParameter": "https://bioschemas.org/FormalParameter",
    "input": "https://bioschemas.org/ComputationalWorkflow#input",
    "output": "https://bioschemas.org/ComputationalWorkflow#output",
}
"""The four terms whose IRIs RO-Crate 1.3 changed, at their 1.1 IRIs (as roc-validator's
Workflow Run Crate 0.5 shapes use them: prefixes bioschemas: and bioschemas-cw:)."""


def local_contexts() -> dict[str, dict]:
    """The JSON-LD contexts an archive refers to, built from what the installed packages ship,
    for validating without the network: the RO-Crate 1.1 context is ro-crate-py's RO-Crate 1.3
    context (``rocrate/data/ro-crate.jsonld``, a superset of 1.1's terms) with the four terms 1.3
    remapped set back to their 1.1 IRIs and 1.3's ``sha256`` left out; the workflow-run context
    maps each of its terms into its namespace."""
    import importlib.resources

    doc = json.loads(importlib.resources.files("rocrate").joinpath("data", "ro-crate.jsonld")
                     .read_text(encoding="utf-8"))
    terms = {k: v for k, v in doc["@context"].items() if k != "sha256"}
    terms.update(CONTEXT_1_1_TERMS)
    return {RO_CRATE_CONTEXT: {"@context": terms},
            WFRUN_CONTEXT: {"@context": {t: f"https://w3id.org/ro/terms/workflow-run#{t}" for t in WFRUN_TERMS}}}


@contextlib.contextmanager
def offline_jsonld():
    """Serve :func:`local_contexts` to roc-validator and to rdflib's JSON-LD parser (which
    fetch contexts over HTTP) for the duration; other URLs go their usual way."""
    from unittest import mock

    import requests
    from rdflib.plugins.shared.jsonld import context as rdflib_context
    from rocrate_validator.utils.http import HttpRequester

    docs = local_contexts()
    original = rdflib_context.source_to_json

    def source_to_json(source, *args, **kwargs):
        if isinstance(source, str) and source in docs:
            return docs[source], None
        return original(source, *args, **kwargs)

    def get(self, url, *args, **kwargs):
        if str(url) in docs:
            response = requests.Response()
            response.status_code, response.url = 200, str(url)
            response.headers["Content-Type"] = "application/ld+json"
            response._content = json.dumps(docs[str(url)]).encode()
            return response
        return HttpRequester.__getattr__(self, "get")(url, *args, **kwargs)

    with mock.patch.object(rdflib_context, "source_to_json", source_to_json), \
            mock.patch.object(HttpRequester, "get", get, create=True):
        yield


def validate(path: str | os.PathLike, severity: str = "recommended", profile: str = VALIDATOR_PROFILE):
    """roc-validator's verdict on the archive: ``(passed, issues)`` at *severity* and above.

    Validated offline: the JSON-LD contexts come from :func:`local_contexts`, and no remote
    data entity is fetched."""
    from rocrate_validator import services
    from rocrate_validator.models import Severity, ValidationSettings

    if severity not in SEVERITIES:
        raise ValueError(f"severity={severity!r}; expected one of {', '.join(SEVERITIES)}")
    path = Path(path).resolve()
    if not path.is_file():
        raise ArchiveError(f"{path}: no such archive to validate")
    level = Severity[severity.upper()]
    settings = ValidationSettings(rocrate_uri=str(path), profile_identifier=profile,
                                  requirement_severity=level, offline=True,
                                  skip_availability_check=True)
    with offline_jsonld():
        result = services.validate(settings)
    issues = [f"[{i.severity.name}] {getattr(i.check, 'identifier', '')} {i.message}"
              for i in result.get_issues(level)]
    return result.passed(level), issues


def strictest_passing(path, profile: str = VALIDATOR_PROFILE) -> tuple[str | None, dict]:
    """The strictest severity at which the archive passes (None if not even REQUIRED), and the
    issues found at each severity (``{severity: [issue, …]}``, each list holding only its own).

    OPTIONAL is tried only when RECOMMENDED passes (at that level roc-validator reports every
    property a crate MAY have and does not)."""
    ok, issues = validate(path, "recommended", profile)
    found = {"required": [i for i in issues if i.startswith("[REQUIRED]")],
             "recommended": [i for i in issues if i.startswith("[RECOMMENDED]")]}
    if found["required"]:
        return None, found
    if not ok:
        return "required", found
    ok, issues = validate(path, "optional", profile)
    found["optional"] = [i for i in issues if i.startswith("[OPTIONAL]")]
    return ("optional" if ok else "recommended"), found


def validation_text(best: str | None, found: dict) -> str:
    """roc-validator's verdict in a few lines: the level passed, then the next level's issues
    grouped by check."""
    import collections

    lines = [f"roc-validator {_version('roc-validator')}, profile {VALIDATOR_PROFILE} (offline): "
             + (f"passes at {best.upper()} level" if best else "fails at REQUIRED level")]
    for severity in SEVERITIES:
        issues = found.get(severity)
        if issues:
            counts = collections.Counter(i.split("] ", 1)[-1] for i in issues)
            lines.append(f"  {severity.upper()}: {len(issues)} issues")
            lines += [f"    {n} × {text}"[:160] for text, n in counts.most_common(6)]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- verifying
def copy_checkout(root: Path, dest: Path) -> Path:
    """A copy of the checkout's sources at *dest*: no outputs, logs, venv, caches or git."""
    ignore = shutil.ignore_patterns(".venv", ".git", "results", "logs", ".snakemake", "__pycache__",
                                    ".pytest_cache", ".cache", "*.egg-info", "build")
    shutil.copytree(root, dest, ignore=ignore)
    for item in (dest / "figures").glob("*"):
        if item.name != "README.md":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    return dest


def regenerate(profile: str, root: Path = ROOT, cores: int = 2, workdir: Path | None = None) -> tuple[Path, float]:
    """Run the *profile* workflow from scratch in a copy of *root*; the copy's path and seconds."""
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="synapse-verify-"))
    copy = copy_checkout(root, workdir / "checkout")
    log_file = workdir / "snakemake.log"
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--config", f"profile={profile}"]
    env = dict(os.environ, PYTHONPATH=str(copy))
    print(f"regenerating the {profile} run in {copy} (log: {log_file}) …", flush=True)
    t0 = time.monotonic()
    with open(log_file, "w", encoding="utf-8") as fh:
        proc = subprocess.run(cmd, cwd=copy, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise ArchiveError(f"the regenerated {profile} run failed ({proc.returncode}) in {copy}; "
                           f"last lines of {log_file}:\n{tail}")
    return copy, seconds


def compare_with(archive: Archive, run_dir: Path) -> list[comparison.Result]:
    """Each archived output against the file at the same path under *run_dir*."""
    rtol, atol = float(archive.regression["rtol"]), float(archive.regression["atol"])
    results = []
    with zipfile.ZipFile(archive.path) as zf:
        for rel in sorted(archive.outputs):
            new_path = run_dir / rel
            new = new_path.read_bytes() if new_path.is_file() else None
            results.append(comparison.compare(rel, zf.read(rel), new, rtol, atol))
    return comparison.settle_renderings(results)


def extra_outputs(archive: Archive, run_dir: Path, config: dict) -> list[str]:
    """Files the regenerated run wrote in the profile's output folders that the archive does not
    hold (timing files, archives, and the other profiles' folders nested in them excepted)."""
    mine = config["profiles"][archive.profile]["outputs"]
    others = tuple(c["outputs"][k].rstrip("/") + "/" for p, c in config["profiles"].items()
                   if p != archive.profile for k in ("results", "figures"))
    out = []
    for kind in ("results", "figures"):
        top = run_dir / mine[kind].rstrip("/")
        for path in sorted(top.rglob("*")) if top.is_dir() else []:
            rel = path.relative_to(run_dir).as_posix()
            if (path.is_file() and rel not in archive.outputs and not comparison.VOLATILE.search(rel)
                    and f"/{ARCHIVE_DIR}/" not in f"/{rel}" and path.name != "README.md"
                    and not rel.startswith(others)):
                out.append(rel)
    return out


def verdict(archive: Archive, results: list[comparison.Result], extra: list[str], checkout: dict,
            regenerated: str) -> tuple[bool, str]:
    """``(reproduced, text)``: the one-screen verdict."""
    counts = {s: [r for r in results if r.status == s] for s in
              (comparison.IDENTICAL, comparison.WITHIN, comparison.DIFFERS, comparison.MISSING,
               comparison.NOT_COMPARED)}
    failed = counts[comparison.DIFFERS] + counts[comparison.MISSING]
    ok = not failed and not extra
    rtol, atol = archive.regression["rtol"], archive.regression["atol"]
    from analysis.plotting import style
    lines = [f"Verification of {archive.path}",
             f"  archived run : profile {archive.profile}, {_commit_text(archive.commit, archive.dirty)}, "
             f"{archive.start} → {archive.end}",
             f"  this checkout: {checkout['text']}",
             f"  regenerated  : {regenerated}",
             f"  {len(results)} outputs compared (numbers: rtol {rtol:g}, atol {atol:g}; figures: RMS ≤ "
             f"{style.RMS_TOLERANCE:g} of 255 on {style.THUMB_WIDTH}-px thumbnails; other files: bytes)"]
    for status, items in counts.items():
        note = ""
        if status == comparison.WITHIN and items:
            worst = max(items, key=lambda r: r.excess)
            note = f"  largest: {worst.path} ({worst.detail})"
        elif status == comparison.NOT_COMPARED and items:
            note = "  executed notebooks and timing files (execution times inside)"
        lines.append(f"    {status:<17}{len(items):>5}{note}")
    lines.append(f"    {'extra':<17}{len(extra):>5}  (made by the regenerated run, not in the archive)" + (f"  e.g. {extra[0]}" if extra else ""))
    for r in sorted(failed, key=lambda r: -r.excess)[:8]:
        lines.append(f"  ✗ {r.path}: {r.status}: {r.detail}"[:200])
    if len(failed) > 8:
        lines.append(f"  … and {len(failed) - 8} more")
    lines.append(("VERDICT: REPRODUCED — every archived output was regenerated identical or within tolerance"
                  if ok else f"VERDICT: NOT REPRODUCED — {len(counts[comparison.DIFFERS])} differ, "
                             f"{len(counts[comparison.MISSING])} missing, {len(extra)} extra"))
    return ok, "\n".join(lines)


def _commit_text(commit, dirty) -> str:
    if not commit:
        return "commit unknown (not made in a git checkout)"
    return f"commit {commit[:12]}" + (" (dirty)" if dirty else " (clean)")


def checkout_state(archive: Archive, root: Path = ROOT) -> dict:
    """How this checkout relates to the archived run: commit, lock and installed environment."""
    git = git_state(root)
    parts = [_commit_text(git["commit"], git["dirty"])]
    if archive.commit and git["commit"]:
        parts[0] += " — same commit" if git["commit"] == archive.commit else " — a DIFFERENT commit"
    with zipfile.ZipFile(archive.path) as zf:
        names = set(zf.namelist())
        if LOCK in names and (root / LOCK).is_file():
            same = zf.read(LOCK) == (root / LOCK).read_bytes()
            parts.append("lock identical" if same else "lock DIFFERS")
        if "provenance/environment.txt" in names:
            theirs = {l for l in zf.read("provenance/environment.txt").decode().splitlines()
                      if "==" in l and not l.startswith("#")}
            mine = {l for l in environment_text().splitlines() if "==" in l and not l.startswith("#")}
            differ = len(theirs ^ mine)
            parts.append("installed packages identical" if not differ else
                         f"installed packages differ ({len(theirs - mine)} archived versions not here, "
                         f"{len(mine - theirs)} here not archived)")
    return {"text": ", ".join(parts), "git": git}


def verify(archive_path, root: Path = ROOT, cores: int = 2, outputs_from: Path | None = None,
           keep: bool = False) -> tuple[bool, str]:
    """Regenerate the archived run (or take *outputs_from*, a finished run's checkout) and compare.

    Returns
    -------
    (bool, str)
        Whether every archived output was reproduced, and the verdict text.
    """
    archive = read(archive_path)
    root = Path(root).resolve()
    config = profile_settings(archive.profile, root)
    checkout = checkout_state(archive, root)
    workdir = None
    if outputs_from is not None:
        run_dir = Path(outputs_from).resolve()
        if not run_dir.is_dir():
            raise ArchiveError(f"--outputs-from {run_dir}: no such folder (expected a checkout with "
                               f"the {archive.profile} run's outputs)")
        regenerated = f"not rerun: the outputs in {run_dir}"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="synapse-verify-"))
        run_dir, seconds = regenerate(archive.profile, root, cores, workdir)
        regenerated = (f"in {int(seconds // 60)} min {seconds % 60:.0f} s, in {run_dir}"
                       + (" (kept)" if keep else " (removed)"))
    try:
        results = compare_with(archive, run_dir)
        extra = extra_outputs(archive, run_dir, config)
    finally:
        if workdir is not None and not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return verdict(archive, results, extra, checkout, regenerated)


# ----------------------------------------------------------------------------- command line
def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(prog="python -m analysis.workflow.archive", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("create", help="archive the finished run of a profile")
    c.add_argument("--profile", default="full")
    c.add_argument("--output", help="the zip to write (default <results>/archive/…crate.zip)")
    c.add_argument("--agent", help="who ran it (default: git config user.name)")
    c.add_argument("--no-validate", action="store_true", help="skip roc-validator")
    v = sub.add_parser("verify", help="regenerate an archived run here and compare")
    v.add_argument("archive")
    v.add_argument("--cores", type=int, default=2)
    v.add_argument("--outputs-from", type=Path, help="compare with this checkout's outputs instead of rerunning")
    v.add_argument("--keep", action="store_true", help="keep the regenerated copy")
    w = sub.add_parser("validate", help="roc-validator's verdict at each severity")
    w.add_argument("archive")
    args = ap.parse_args(argv)
    try:
        if args.command == "create":
            t0 = time.monotonic()
            path = create(args.profile, ROOT, args.output, args.agent)
            with zipfile.ZipFile(path) as zf:
                meta = json.loads(zf.read("ro-crate-metadata.json"))
                members = len(zf.namelist())
            size = path.stat().st_size
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"wrote {shown}: {size / 1e6:.1f} MB, {members} files, "
                  f"{len(meta['@graph'])} entities ({time.monotonic() - t0:.1f} s)")
            if not args.no_validate:
                best, found = strictest_passing(path)
                print(validation_text(best, found))
                if best is None:
                    return 1
            return 0
        if args.command == "verify":
            ok, text = verify(args.archive, ROOT, args.cores, args.outputs_from, args.keep)
            print(text)
            return 0 if ok else 1
        best, found = strictest_passing(args.archive)
        print(validation_text(best, found))
        return 0 if best else 1
    except ArchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
