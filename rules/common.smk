# Shared helpers: config validation, a safe restart, the notebook table, rule inputs derived
# from the code, and the command that runs a notebook.
import os
import shlex
import sys
from pathlib import Path

import yaml

ROOT = Path(workflow.basedir)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `analysis` from this checkout

from analysis.workflow import dependencies, preflight  # noqa: E402
from analysis.physics.dimensionality import N_VALUES as ALL_N_VALUES  # noqa: E402

# Jobs run `python` from the interpreter running Snakemake (the project's .venv), found on
# PATH rather than by absolute path, so that no rule's parameters depend on where the
# checkout lives (a moved or copied checkout stays up to date).
# `snakemake --lint` reports this line ("PATH used but not asserted with envvars"): not a real
# problem. PATH always exists, and the workflow sets rather than needs it; every job's Snakemake
# (local or inside a SLURM job) runs this file with the same .venv interpreter and sets it again,
# so nothing has to be asserted or passed on. No other lint is reported (`--lint`, any profile).
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
PY = "python"
ENV = "../environment.yml"  # used with --use-conda (documents the software of every rule)

_INFO_FLAGS = {"-n", "--dry-run", "--dryrun", "--lint", "--unlock", "--rulegraph", "--dag",
               "--filegraph", "--summary", "-S", "--detailed-summary", "-D", "--list", "-l",
               "--list-rules", "--list-target-rules", "--lt", "--cleanup-metadata", "--report",
               "--delete-all-output", "--delete-temp-output", "--list-changes", "--lc"}
DRY = any(a in _INFO_FLAGS or a.startswith("--list") for a in sys.argv)
REAL_RUN = workflow.is_main_process and not DRY


_stop = preflight.stop  # stop before anything runs, with one line per problem


# ---------------------------------------------------------------- config: read once, checked fully
with open(ROOT / "config" / "schema.yaml", encoding="utf-8") as _fh:
    _SCHEMA = yaml.safe_load(_fh)
_stop(preflight.config_errors(config, _SCHEMA, ALL_N_VALUES)[:5])
PROFILE = config["profile"]
if PROFILE not in config["profiles"]:
    _stop([f"profile={PROFILE!r} is not defined in config/config.yaml; expected one of "
           f"{', '.join(sorted(config['profiles']))}"])
SETTINGS = config["profiles"][PROFILE]
RESULTS = SETTINGS["outputs"]["results"].rstrip("/")
FIGURES = SETTINGS["outputs"]["figures"].rstrip("/")
LOGS = SETTINGS["outputs"]["logs"].rstrip("/")
_taken = {p: s["outputs"] for p, s in config["profiles"].items() if p != PROFILE}
for _other, _out in _taken.items():
    for _kind, _mine in (("results", RESULTS), ("figures", FIGURES), ("logs", LOGS)):
        if _out[_kind].rstrip("/") == _mine:
            _stop([f"profiles.{PROFILE}.outputs.{_kind}={_mine!r} is also profile {_other!r}'s; "
                   "every profile needs its own folders"])
N_VALUES = [n for n in ALL_N_VALUES if n in config["n_values"]]  # in order of n
SIMULATIONS = expand(f"{RESULTS}/simulate/n{{n}}.nc", n=N_VALUES)
CALIBRATION = f"{RESULTS}/calibration/multitrap.yaml"  # the calibrate stage's output (stage_io.calibration_path)
# Device models (config `models`, analysis.physics.models): the multi-trap model always runs (its
# outputs keep the paths above); every other model adds its calibration, simulations and
# device-claim metrics (rules/models.smk), which the report compares with the multi-trap model's.
MODELS = list(config.get("models", ["multitrap"]))
if "multitrap" not in MODELS:
    _stop(["config models must include 'multitrap' (the primary model, whose outputs every figure reads)"])
OTHER_MODELS = [m for m in MODELS if m != "multitrap"]
_DD = SETTINGS.get("driftdiffusion") or {}
DD_MESH = _DD.get("mesh", "full")
DD_START = _DD.get("calibration_start", "none")
"""Where the drift-diffusion calibration starts (config driftdiffusion.calibration_start):
"none", every film cold; "reference", each film at its solution in the reference calibration,
DD_START_FILE, a declared input of calibrate_driftdiffusion (analysis.physics.dd_calibration.warm_starts)."""
DD_START_FILE = "data/reference/calibration/driftdiffusion.yaml" if DD_START == "reference" else None
MODEL_SIMULATE_ONE_JOB = bool(_DD.get("one_simulate_job", False))
"""config driftdiffusion.one_simulate_job: a second model's films are simulated in one job
(simulate/<model>/n{n}.nc per film, one executed notebook simulate_<model>), instead of one job
per film; it saves a job start-up (a Python process and a notebook kernel, about 2 CPU-s) per film."""
MODEL_SIMULATE_STEM = "simulate_{model}" if MODEL_SIMULATE_ONE_JOB else "simulate_{model}_n{n}"
"""Stem of the executed notebook(s) of rule simulate_model (wildcards model, and n per film)."""
MODEL_SIMULATIONS = [f"{RESULTS}/simulate/{m}/n{n}.nc" for m in OTHER_MODELS for n in N_VALUES]

UPSTREAM_OF_FIGS11_PRIORITY = 20
"""Scheduling priority of the MNIST data, the calibrations and the simulations (rules data,
calibrate, simulate, calibrate_driftdiffusion, simulate_model). Fig. S11 (priority 10 in
rules/notebooks.yaml) is the longest job by far (about 160 s of the full profile's 5 min on 2
cores) and needs the data and every simulation of every model; run first, they let it start
one to two minutes earlier, while the robustness chunks, which need only the calibration, fill
the other core. Priority orders jobs; it changes no output."""
# A second model's metrics at every current anchor (data/evidence/model_form.yaml): the default
# anchor's in metrics/<model>/, the others' in metrics/<model>/anchor_<a>/
# (analysis.evidence.model_form.anchor_folder).
with open(ROOT / "data" / "evidence" / "model_form.yaml", encoding="utf-8") as _fh:
    _ANCHORS = yaml.safe_load(_fh)["current_anchors"]
MODEL_ANCHOR_FOLDERS = [""] + [f"anchor_{a}/" for a in _ANCHORS["value"] if a != _ANCHORS["default"]]

# One figure notebook = one rule; the table (outputs, upstream stages) is in
# rules/notebooks.yaml, which the report also reads for its captions.
with open(ROOT / "rules" / "notebooks.yaml", encoding="utf-8") as _fh:
    NOTEBOOKS_ALL = yaml.safe_load(_fh)


def _not_run_reason(spec):
    """Why a notebook cannot run on this run's films (None if it can)."""
    lacking = [n for n in spec.get("films", []) if n not in N_VALUES]
    if lacking:
        return f"needs the film(s) {', '.join(lacking)} (n_values is {', '.join(N_VALUES)}): {spec['films_why']}"
    if len(N_VALUES) < spec.get("min_films", 0):
        return f"needs at least {spec['min_films']} films (n_values has {len(N_VALUES)}): {spec['films_why']}"
    return None


NOT_RUN = {name: why for name, spec in NOTEBOOKS_ALL.items() if (why := _not_run_reason(spec))}
"""Notebooks this run skips because config n_values lacks films they need (the report lists them)."""
NOTEBOOKS = {name: spec for name, spec in NOTEBOOKS_ALL.items() if name not in NOT_RUN}
MODEL_METRIC_STAGES = [s for s in ("fig3_plasticity", "fig4_retention", "fig5_activation", "figS1_iv", "fig6_energy",
                                   "figS11_classification") if s not in NOT_RUN]
"""The device stages whose metrics a second model writes (analysis.evidence.model_form.DEVICE_METRICS):
those this run's films allow (a stage that needs a film the run lacks is in NOT_RUN for both models)."""
MODEL_METRICS = [f"{RESULTS}/metrics/{m}/{f}{s}.json" for m in OTHER_MODELS for f in MODEL_ANCHOR_FOLDERS
                 for s in MODEL_METRIC_STAGES]
FIGURE_FORMATS = ["png", "pdf"]


# ---------------------------------------------------------------- outputs
def figure_files(name):
    spec = NOTEBOOKS[name]
    out = [f"{FIGURES}/{f}.{ext}" for f in spec["figures"] for ext in FIGURE_FORMATS]
    out += [f"{RESULTS}/tables/{t}.csv" for t in spec.get("tables", [])]
    out += [f"{RESULTS}/{d}.nc" for d in spec.get("datasets", [])]
    return out


def metrics_file(name):
    return f"{RESULTS}/metrics/{name}.json"


def metrics_outputs(name):
    """The metrics file of a figure notebook, unless its table entry says `metrics: false`."""
    return [metrics_file(name)] if NOTEBOOKS[name].get("metrics", True) else []


def executed(stem):
    return [f"{RESULTS}/notebooks/{stem}.ipynb", f"{RESULTS}/notebooks/{stem}.html"]


def log_file(stem):
    return f"{LOGS}/{stem}.log"


# ---------------------------------------------------------------- inputs, derived from the code
def code_inputs(source):
    """The notebook or module, the `analysis` modules it imports (transitively) and the
    data/ files they read — found by analysis.workflow.dependencies from the source."""
    return dependencies.code_inputs(source, ROOT)


# ---------------------------------------------------------------- the command of a notebook rule
def notebook_params(name, figures=True, **extra):
    """Parameters of a notebook: its output folders, the profile's settings, then *extra*."""
    params = {"results_dir": RESULTS, **({"figures_dir": FIGURES} if figures else {})}
    params.update(SETTINGS.get(name) or {})
    params.update(extra)
    return params


def upstream_params(needs):
    """Parameters that tell a notebook where its upstream stages are: the films simulated
    (``n_values``) and the MNIST mirror (``mnist_mirror``, config ``data.mirror``)."""
    params = {}
    if "simulate" in needs or "calibrate" in needs:
        params["n_values"] = list(N_VALUES)
    if "data" in needs:
        params["mnist_mirror"] = config["data"]["mirror"]
    return params


def yaml_arg(params):
    """Parameters as one shell-quoted YAML flow mapping."""
    return shlex.quote(yaml.safe_dump(params, default_flow_style=True, sort_keys=True).strip())


def runner(name, params, stem=None):
    """The complete shell command that executes notebooks/<name>.py into RESULTS/notebooks/<stem>.*

    Built in full at definition time and passed on as ``params.cmd``: Snakemake evaluates
    the shell directive only when the job runs, so a command built there inside the loop
    of figures.smk would see the loop's last notebook. It holds no absolute path.
    Progress lines go to file descriptor 3, which the rule's shell points at the terminal.
    """
    stem = stem or name
    return (
        f"{PY} -m analysis.workflow.runner notebooks/{name}.py "
        f"--output {RESULTS}/notebooks/{stem}.ipynb --html {RESULTS}/notebooks/{stem}.html "
        f"--failed {LOGS}/notebooks/{stem}.ipynb --progress-fd 3 --parameters-yaml {yaml_arg(params)}"
    )


def logged(command):
    """Shell: run *command* with its output in {log}; progress (fd 3) and, on failure, the
    cause (the log's error lines, else its last lines) go to the terminal."""
    return (f"{{{{ {command} ; }}}} 3>&2 > {{log}} 2>&1 || "
            f"{{{{ {PY} -m analysis.workflow.runner explain {{log}} >&2; exit 1; }}}}")


# ---------------------------------------------------------------- a safe restart
def _all_outputs():
    out = [f for name in NOTEBOOKS for f in figure_files(name) + metrics_outputs(name) + executed(name)]
    out += SIMULATIONS + [f for n in N_VALUES for f in executed(f"simulate_n{n}")]
    out += [CALIBRATION, f"{RESULTS}/calibration/calibration.nc", metrics_file("calibrate")] + executed("calibrate")
    for m in OTHER_MODELS:
        out += [f"{RESULTS}/calibration/{m}.yaml"] + [f"{RESULTS}/simulate/{m}/n{n}.nc" for n in N_VALUES]
        out += [f for n in N_VALUES for f in executed(MODEL_SIMULATE_STEM.format(model=m, n=n))]
    out += MODEL_METRICS
    out += [f"{RESULTS}/report/{f}" for f in ("index.html", "claims.json", "regression.json", "notebooks.html")]
    return out + executed("report") + [f"{RESULTS}/data/mnist_manifest.json"]


ALL_OUTPUTS = _all_outputs()  # rules/robustness.smk adds the sweep's; rules/preflight.smk checks them

# One run at a time in a checkout: an OS lock, taken here before anything is touched, so that of
# two runs started together exactly one works (the checks and removals below, and at the end of
# the Snakefile, belong to it alone).
if REAL_RUN:
    _holder = preflight.take_run_lock(ROOT)
    if _holder is not None:
        _who = f"pid {_holder}" if _holder else "pid unknown"
        _stop([f"another Snakemake run ({_who}) is working in {ROOT}; wait for it or stop it"
               + (f" (kill {_holder})" if _holder else "") + ", then run again"])
    # This run holds the lock, so Snakemake's own locks can only be a killed run's.
    _locks = preflight.stale_locks(ROOT)
    if _locks:
        for _lock in _locks:
            _lock.unlink(missing_ok=True)
        print("note: removed the lock of an earlier run that was killed (no other run is working "
              "here); its unfinished jobs are rerun", file=sys.stderr)


# ---------------------------------------------------------------- what each rule asks a scheduler for
include: "resources.smk"
