# The per-dimensionality simulation stage: optics, structure and every device protocol of
# one film, written as one xarray Dataset (NetCDF, CF units) per n.


rule simulate:
    input:
        notebook="notebooks/simulate.py",
        lib=lib("optics", "colour", "structure", "device", "protocols"),
        parameters=expand("data/parameters/{topic}.yaml",
                          topic=["optics", "structure", "device", "device_calibrated"]),
    output:
        "results/simulate/n{n}.nc",
        "results/notebooks/simulate_n{n}.ipynb",
        "results/notebooks/simulate_n{n}.html",
    params:
        cmd=lambda wc: runner("simulate", notebook_params("simulate", n=wc.n), f"simulate_n{wc.n}"),
    log:
        "logs/simulate/n{n}.log",
    benchmark:
        "results/benchmarks/simulate_n{n}.tsv"
    conda:
        ENV
    shell:
        "{params.cmd} > {log} 2>&1"


rule calibrate:
    input:
        notebook="notebooks/calibrate.py",
        lib=lib("device", "protocols", "fits", "calibration"),
        parameters=["data/parameters/device.yaml", "data/parameters/device_calibrated.yaml",
                    "data/paper/values.yaml"],
    output:
        "results/calibration/calibration.nc",
        metrics_file("calibrate"),
        executed("calibrate"),
    params:
        cmd=runner("calibrate", notebook_params("calibrate")),
    log:
        "logs/calibrate.log",
    benchmark:
        "results/benchmarks/calibrate.tsv"
    conda:
        ENV
    shell:
        "{params.cmd} > {log} 2>&1"
