# Shared helpers: config validation, the notebook table, the command that runs a notebook.
import shlex
from glob import glob
import sys

import yaml
from snakemake.utils import validate

validate(config, "../config/schema.yaml")

PROFILE = config["profile"]
if PROFILE not in config["profiles"]:
    raise ValueError(
        f"config: profile={PROFILE!r} is not defined; expected one of {sorted(config['profiles'])}"
    )
SETTINGS = config["profiles"][PROFILE]
ENV = "../environment.yml"  # used with --use-conda (documents the software of every rule)


def _uses_conda():
    try:
        from snakemake.settings.types import DeploymentMethod
        return DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    except (ImportError, AttributeError):
        return False


# The interpreter that runs Snakemake (the project's .venv), or the rule's conda env's python.
PY = "python" if _uses_conda() else sys.executable
N_VALUES = ["1", "2", "3", "4", "5", "inf"]
SIMULATIONS = expand("results/simulate/n{n}.nc", n=N_VALUES)

# One figure notebook = one rule; the table (outputs, upstream stages, modules) is in
# rules/notebooks.yaml, which the report also reads for its captions.
with open("rules/notebooks.yaml", encoding="utf-8") as _fh:
    NOTEBOOKS = yaml.safe_load(_fh)
FIGURE_FORMATS = ["png", "pdf"]


def lib(*modules):
    """Source files of analysis modules (inputs, so that editing them reruns the rule)."""
    return [f"analysis/{m}.py" for m in modules] + ["analysis/synapse.mplstyle"]


def notebook_params(name, **extra):
    """Parameters for a notebook: the common ones plus config/profiles/<profile>/<name>."""
    params = {"results_dir": "results", "figures_dir": "figures", "profile": PROFILE}
    params.update(SETTINGS.get(name) or {})
    params.update(extra)
    return params


def yaml_arg(params):
    """Parameters as one shell-quoted YAML flow mapping."""
    return shlex.quote(yaml.safe_dump(params, default_flow_style=True, sort_keys=True).strip())


def runner(name, params, stem=None):
    """The complete shell command that executes notebooks/<name>.py into results/notebooks/<stem>.*

    Built in full at definition time and passed on as ``params.cmd``: Snakemake evaluates
    the shell directive only when the job runs, so a command built there inside the loop
    of figures.smk would see the loop's last notebook.
    """
    stem = stem or name
    return (
        f"{PY} -m analysis.runner notebooks/{name}.py "
        f"--output results/notebooks/{stem}.ipynb --html results/notebooks/{stem}.html "
        f"--failed logs/notebooks/{stem}.ipynb --parameters-yaml {yaml_arg(params)}"
    )


def executed(stem):
    return [f"results/notebooks/{stem}.ipynb", f"results/notebooks/{stem}.html"]


def figure_files(name):
    spec = NOTEBOOKS[name]
    out = [f"figures/{f}.{ext}" for f in spec["figures"] for ext in FIGURE_FORMATS]
    out += [f"results/tables/{t}.csv" for t in spec.get("tables", [])]
    return out


def metrics_file(name):
    return f"results/metrics/{name}.json"


def metrics_outputs(name):
    """The metrics file of a figure notebook, unless its table entry says `metrics: false`."""
    return [metrics_file(name)] if NOTEBOOKS[name].get("metrics", True) else []
