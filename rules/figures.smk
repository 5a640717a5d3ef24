# One rule per figure notebook, generated from the NOTEBOOKS table in common.smk.
for _name, _spec in NOTEBOOKS.items():

    rule:
        name:
            _name
        input:
            notebook=f"notebooks/{_name}.py",
            lib=lib(*_spec.get("lib", [])),
            data=[f"data/{d}" for d in _spec.get("data", [])] + ["data/paper/values.yaml"],
            simulations=SIMULATIONS if "simulate" in _spec["needs"] else [],
            mnist=["results/data/mnist_manifest.json"] if "data" in _spec["needs"] else [],
        output:
            figure_files(_name) + metrics_outputs(_name) + executed(_name),
        params:
            cmd=runner(_name, notebook_params(_name)),
        priority: _spec.get("priority", 0)
        log:
            f"logs/{_name}.log",
        benchmark:
            f"results/benchmarks/{_name}.tsv"
        conda:
            ENV
        shell:
            "{params.cmd} > {log} 2>&1"
