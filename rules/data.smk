# Input data: MNIST (28 x 28) through the pooch registry in data/mnist.yaml, verified;
# a local mirror (config data.mirror or SYNAPSE_DATA_MIRROR) replaces the network.


rule data:
    input:
        "data/mnist.yaml",
        lib("datasets"),
    output:
        "results/data/mnist_manifest.json",
    params:
        mirror=lambda wc: f"--mirror {shlex.quote(config['data']['mirror'])}" if config["data"]["mirror"] else "",
    log:
        "logs/data.log",
    conda:
        ENV
    shell:
        f"{PY} -m analysis.datasets fetch {{params.mirror}} --manifest {{output}} > {{log}} 2>&1"
