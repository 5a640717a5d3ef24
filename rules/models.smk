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


rule simulate_model:
    """Every device protocol of one film under another device model (the simulate notebook
    with `model`), written to simulate/<model>/n{n}.nc."""
    input:
        code=code_inputs("notebooks/simulate.py"),
        calibration=f"{RESULTS}/calibration/{{model}}.yaml",
    output:
        f"{RESULTS}/simulate/{{model}}/n{{n}}.nc",
        f"{RESULTS}/notebooks/simulate_{{model}}_n{{n}}.ipynb",
        f"{RESULTS}/notebooks/simulate_{{model}}_n{{n}}.html",
    params:
        cmd=lambda wc: runner("simulate", notebook_params("simulate", figures=False, n=wc.n, profile=PROFILE,
                                                          model=wc.model, mesh=DD_MESH),
                              f"simulate_{wc.model}_n{wc.n}"),
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("simulate_model")
    resources:
        **resources_for("simulate_model"),
    log:
        f"{LOGS}/simulate/{{model}}_n{{n}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/simulate_{{model}}_n{{n}}.tsv"
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
