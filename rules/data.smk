# Input data: MNIST (28 x 28) through the pooch registry in data/mnist.yaml, verified;
# a local mirror (config data.mirror or SYNAPSE_DATA_MIRROR) replaces the network. Whether the
# data can be obtained is checked before the first job (rules/preflight.smk).


rule data:
    input:
        code=code_inputs("analysis/learning/digits.py"),
    output:
        f"{RESULTS}/data/mnist_manifest.json",
    params:
        mirror=f"--mirror {shlex.quote(config['data']['mirror'])}" if config["data"]["mirror"] else "",
    priority: UPSTREAM_OF_FIGS11_PRIORITY
    threads: threads_for("data")
    # not retried: the retry of the profile is for notebook kernels racing for a port; a data
    # error would only print twice (and the data were checked at start, rules/preflight.smk)
    retries: 0
    resources:
        **resources_for("data"),
    log:
        log_file("data"),
    benchmark:
        f"{RESULTS}/benchmarks/data.tsv"
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.learning.digits fetch {{params.mirror}} --manifest {{output}}")
