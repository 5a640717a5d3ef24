# The check stage: every claim of the ledger against the outputs, the regression check
# against data/reference/<profile>.json, and the HTML report.
ALL_FIGURES = [f for name in NOTEBOOKS for f in figure_files(name)]
ALL_METRICS = [m for name in NOTEBOOKS for m in metrics_outputs(name)] + [metrics_file("calibrate")]
REFERENCE = f"data/reference/{PROFILE}.json"
# The settings this run used, as the report shows them: the common keys and this profile's.
RUN_CONFIG = {"profile": PROFILE, "n_values": list(N_VALUES), "models": list(MODELS), "data": config["data"],
              "regression": config["regression"], "settings": SETTINGS}
if NOT_RUN:
    RUN_CONFIG["not_run"] = NOT_RUN


rule report:
    input:
        code=code_inputs("notebooks/report.py"),
        table="rules/notebooks.yaml",
        reference=[REFERENCE] if os.path.exists(ROOT / REFERENCE) else [],
        figures=ALL_FIGURES,
        metrics=ALL_METRICS,
        model_metrics=MODEL_METRICS,
        calibration=f"{RESULTS}/calibration/calibration.nc",
    output:
        f"{RESULTS}/report/index.html",
        f"{RESULTS}/report/claims.json",
        f"{RESULTS}/report/regression.json",
        f"{RESULTS}/report/notebooks.html",
        executed("report"),
    params:
        cmd=runner("report", notebook_params("report", profile=PROFILE, reference=REFERENCE,
                                             rtol=config["regression"]["rtol"],
                                             atol=config["regression"]["atol"],
                                             run_config=RUN_CONFIG)),
    threads: threads_for("report")
    resources:
        **resources_for("report"),
    log:
        log_file("report"),
    benchmark:
        f"{RESULTS}/benchmarks/report.tsv"
    conda:
        ENV
    shell:
        logged("{params.cmd}")


rule regression:
    """Fail the workflow when an output moved beyond tolerance from data/reference/."""
    input:
        f"{RESULTS}/report/regression.json",
    output:
        f"{RESULTS}/report/regression.ok",
    threads: threads_for("regression")
    retries: 0  # a comparison: a retry would only print the same differences twice
    resources:
        **resources_for("regression"),
    log:
        log_file("regression"),
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.evidence.report gate {{input}} {{output}}")


rule update_references:
    """`make references PROFILE=…`: store this run's metrics as data/reference/<profile>.json.
    Only on purpose (a target outside `all`); say in the commit why the outputs changed."""
    input:
        f"{RESULTS}/report/regression.json",
    output:
        f"{RESULTS}/report/references-updated.txt",
    threads: threads_for("update_references")
    resources:
        **resources_for("update_references"),
    log:
        log_file("update_references"),
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.evidence.report update-references --profile {PROFILE} "
               f"--results-dir {RESULTS} --done {{output}}")
