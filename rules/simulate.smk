# The per-dimensionality simulation stage: optics, structure and every device protocol of
# one film, written as one xarray Dataset (NetCDF, CF units) per n, from the calibrated device
# model; and the calibration of the model to Table 2 (CALIBRATION), which it is built from.


rule simulate:
    input:
        code=code_inputs("notebooks/simulate.py"),
        calibration=CALIBRATION,
    output:
        f"{RESULTS}/simulate/n{{n}}.nc",
        f"{RESULTS}/notebooks/simulate_n{{n}}.ipynb",
        f"{RESULTS}/notebooks/simulate_n{{n}}.html",
    params:
        cmd=lambda wc: runner("simulate", notebook_params("simulate", figures=False, n=wc.n, profile=PROFILE),
                              f"simulate_n{wc.n}"),
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("simulate")
    resources:
        **resources_for("simulate"),
    log:
        f"{LOGS}/simulate/n{{n}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/simulate_n{{n}}.tsv"
    conda:
        ENV
    shell:
        logged("{params.cmd}")


rule calibrate:
    input:
        code=code_inputs("notebooks/calibrate.py"),
    output:
        CALIBRATION,
        f"{RESULTS}/calibration/calibration.nc",
        metrics_file("calibrate"),
        executed("calibrate"),
    params:
        cmd=runner("calibrate", notebook_params("calibrate", n_values=list(N_VALUES))),
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("calibrate")
    resources:
        **resources_for("calibrate"),
    log:
        log_file("calibrate"),
    benchmark:
        f"{RESULTS}/benchmarks/calibrate.tsv"
    conda:
        ENV
    shell:
        logged("{params.cmd}")
