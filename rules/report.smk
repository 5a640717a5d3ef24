# The check stage: every claim of the ledger against the outputs, the regression check
# against data/reference/<profile>.json, and the HTML report.
ALL_FIGURES = [f for name in NOTEBOOKS for f in figure_files(name)]
ALL_METRICS = [m for name in NOTEBOOKS for m in metrics_outputs(name)] + [metrics_file("calibrate")]


rule report:
    input:
        notebook="notebooks/report.py",
        lib=lib("claims", "report"),
        ledger=sorted(glob("data/paper/claims/*.yaml")),
        figures=ALL_FIGURES,
        metrics=ALL_METRICS,
        calibration="results/calibration/calibration.nc",
    output:
        "results/report/index.html",
        "results/report/claims.json",
        "results/report/regression.json",
        executed("report"),
    params:
        cmd=runner("report", notebook_params("report", reference=f"data/reference/{PROFILE}.json",
                                             rtol=config["regression"]["rtol"],
                                             atol=config["regression"]["atol"])),
    log:
        "logs/report.log",
    benchmark:
        "results/benchmarks/report.tsv"
    conda:
        ENV
    shell:
        "{params.cmd} > {log} 2>&1"


rule regression:
    """Fail the workflow when an output moved beyond tolerance from data/reference/."""
    input:
        "results/report/regression.json",
    output:
        "results/report/regression.ok",
    log:
        "logs/regression.log",
    conda:
        ENV
    shell:
        f"{PY} -m analysis.report gate {{input}} {{output}} > {{log}} 2>&1"
