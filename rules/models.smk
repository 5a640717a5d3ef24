# The device models besides the multi-trap model (config `models`; analysis.physics.models):
# each is calibrated to Table 2 per film, runs every device protocol of the paper, and its
# device-claim metrics are computed by the functions the figure notebooks call
# (analysis.evidence.model_form), so that the report can say, per device claim, whether the
# verdict depends on the model's form. The multi-trap model's outputs keep their paths
# (simulate/n{n}.nc, metrics/<stage>.json); another model's go below simulate/<model>/ and
# metrics/<model>/.


rule calibrate_driftdiffusion:
    """Calibrate the drift-diffusion model to Table 2 (b, m, E_A) for the films of n_values;
    a film it cannot calibrate is written as a finding, not an error."""
    input:
        code=code_inputs("analysis/physics/dd_calibration.py"),
        start=[DD_START_FILE] if DD_START_FILE else [],
    output:
        f"{RESULTS}/calibration/driftdiffusion.yaml",
    params:
        films=" ".join(N_VALUES),
        mesh=DD_MESH,
        start=f"--start {DD_START_FILE} " if DD_START_FILE else "",
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("calibrate_driftdiffusion")
    resources:
        **resources_for("calibrate_driftdiffusion"),
    log:
        log_file("calibrate_driftdiffusion"),
    benchmark:
        f"{RESULTS}/benchmarks/calibrate_driftdiffusion.tsv"
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.physics.dd_calibration --output {{output}} --n {{params.films}} "
               "--mesh {params.mesh} {params.start}--findings-ok")


def _model_simulate_params(wc):
    """The simulate notebook's parameters for a job of rule simulate_model: one film (wildcard
    n), or every film of n_values (MODEL_SIMULATE_ONE_JOB)."""
    films = {"films": list(N_VALUES)} if MODEL_SIMULATE_ONE_JOB else {"n": wc.n}
    return notebook_params("simulate", figures=False, profile=PROFILE, model=wc.model, mesh=DD_MESH, **films)


rule simulate_model:
    """Every device protocol of one film under another device model (the simulate notebook
    with `model`), written to simulate/<model>/n{n}.nc; with config
    driftdiffusion.one_simulate_job, every film of n_values in one job (the same files)."""
    input:
        code=code_inputs("notebooks/simulate.py"),
        calibration=f"{RESULTS}/calibration/{{model}}.yaml",
    output:
        (expand(f"{RESULTS}/simulate/{{{{model}}}}/n{{n}}.nc", n=N_VALUES) if MODEL_SIMULATE_ONE_JOB
         else [f"{RESULTS}/simulate/{{model}}/n{{n}}.nc"]),
        f"{RESULTS}/notebooks/{MODEL_SIMULATE_STEM}.ipynb",
        f"{RESULTS}/notebooks/{MODEL_SIMULATE_STEM}.html",
    params:
        cmd=lambda wc: runner("simulate", _model_simulate_params(wc), MODEL_SIMULATE_STEM.format(model=wc.model, n=getattr(wc, "n", ""))),
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("simulate_model")
    resources:
        **resources_for("simulate_model"),
    log:
        f"{LOGS}/simulate/{MODEL_SIMULATE_STEM.removeprefix('simulate_')}.log",
    benchmark:
        f"{RESULTS}/benchmarks/{MODEL_SIMULATE_STEM}.tsv"
    conda:
        ENV
    shell:
        logged("{params.cmd}")


rule model_metrics:
    """The device-claim metrics of another device model, from its simulations."""
    input:
        code=code_inputs("analysis/evidence/model_form.py"),
        simulations=expand(f"{RESULTS}/simulate/{{{{model}}}}/n{{n}}.nc", n=N_VALUES),
    output:
        [f"{RESULTS}/metrics/{{model}}/{folder}{stage}.json" for folder in MODEL_ANCHOR_FOLDERS
         for stage in MODEL_METRIC_STAGES],
    params:
        films=" ".join(N_VALUES),
    threads: threads_for("model_metrics")
    resources:
        **resources_for("model_metrics"),
    log:
        f"{LOGS}/model_metrics_{{model}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/model_metrics_{{model}}.tsv"
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.evidence.model_form metrics --model {{wildcards.model}} "
               f"--results-dir {RESULTS} --n-values {{params.films}}")
