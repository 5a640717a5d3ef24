# One rule per figure notebook, generated from the NOTEBOOKS table in common.smk. Inputs: the
# notebook, the analysis modules and data/ files it depends on (derived from its imports) and
# the upstream stages it names.
for _name, _spec in NOTEBOOKS.items():

    rule:
        name:
            _name
        input:
            code=code_inputs(f"notebooks/{_name}.py"),
            simulations=SIMULATIONS if "simulate" in _spec["needs"] else [],
            calibration=[CALIBRATION] if "calibrate" in _spec["needs"] else [],
            mnist=[f"{RESULTS}/data/mnist_manifest.json"] if "data" in _spec["needs"] else [],
            sweep=SWEEP_MERGED if "sweep" in _spec["needs"] else [],
            models=MODEL_SIMULATIONS if _spec.get("overlay") else [],
        output:
            figure_files(_name) + metrics_outputs(_name) + executed(_name),
        params:
            cmd=runner(_name, notebook_params(_name, **upstream_params(_spec["needs"]),
                                              **({"profile": PROFILE} if _spec.get("profile") else {}),
                                              **(SWEEP_NOTEBOOK_PARAMS if _name == "robustness" else {}),
                                              **({"models": list(MODELS)} if _spec.get("overlay") and OTHER_MODELS else {}))),
        priority: _spec.get("priority", 0)
        threads: threads_for(_name)
        resources:
            **resources_for(_name),
        log:
            log_file(_name),
        benchmark:
            f"{RESULTS}/benchmarks/{_name}.tsv"
        conda:
            ENV
        shell:
            logged("{params.cmd}")
