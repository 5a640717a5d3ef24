# The robustness sweep (issues 10, 17): each design (plausible physics, analysis choices, both
# jointly, wide) is split into chunks, one job each, so the sweep scales out on a cluster; the
# chunks of a design are merged into one Dataset, which the `robustness` notebook summarises.
# Sizes per profile are in config/config.yaml (profiles.<profile>.robustness). The wildcard is
# still called `prior` (the design).
SWEEP = SETTINGS.get("robustness") or {}
SWEEP_SIZES = {design: (int(SWEEP.get(f"{design}_samples", default)), int(SWEEP.get(f"{design}_chunks", jobs)))
               for design, default, jobs in (("plausible", 64, 8), ("analysis", 48, 2), ("joint", 64, 8),
                                             ("wide", 32, 2))}
# The drift-diffusion model's own design (issue 19 §4): only when the run has the model and the
# profile gives it samples (0: none); its sets are recalibrated on `driftdiffusion_mesh`, starting
# from the run's drift-diffusion calibration.
DD_SWEEP = (int(SWEEP.get("driftdiffusion_samples", 5)), int(SWEEP.get("driftdiffusion_chunks", 1)))
DD_SWEEP_MESH = SWEEP.get("driftdiffusion_mesh", "quick")
if "driftdiffusion" in MODELS and DD_SWEEP[0] > 0:
    SWEEP_SIZES["driftdiffusion"] = DD_SWEEP
SWEEP_NOTEBOOK_PARAMS = {} if "driftdiffusion" in SWEEP_SIZES else {"driftdiffusion_samples": 0}
"""Parameters the robustness notebook gets besides the profile's settings: no drift-diffusion
design when the run lacks the model (config models) or the profile gives it no samples."""
for _prior, (_samples, _chunks) in SWEEP_SIZES.items():
    if _chunks > _samples:
        _stop([f"profiles.{PROFILE}.robustness.{_prior}_chunks={_chunks} exceeds "
               f"{_prior}_samples={_samples}; every chunk needs a sample"])
SWEEP_MERGED = [f"{RESULTS}/robustness/{prior}.nc" for prior in SWEEP_SIZES]
ALL_OUTPUTS += SWEEP_MERGED
# The design's size is part of a chunk's name, so changing a size makes new chunks (a chunk of
# another design is never merged; analysis.evidence.robustness.merge checks it too).
SWEEP_CHUNKS = {prior: [f"{RESULTS}/robustness/chunks/{prior}_n{samples}_{k}of{chunks}.nc" for k in range(chunks)]
                for prior, (samples, chunks) in SWEEP_SIZES.items()}


def _chunk_resources():
    """A chunk's time limit grows with its parameter sets: the measured seconds per set
    (`s_per_set` in rules/resources.yaml: this profile's, else the largest measured) x the sets
    of this chunk, with the margin of rules/resources.yaml. A fixed limit measured on small
    chunks killed 200-set chunks (SLURM TIMEOUT, benchmarks/bench_slurm.py)."""
    res = resources_for("robustness_chunk")
    measured = (RESOURCES.get("measured") or {}).get("robustness_chunk") or {}
    per_set = {p: m["s_per_set"] for p, m in measured.items() if "s_per_set" in m}
    if not per_set:
        return res
    s_set, margin = per_set.get(PROFILE, max(per_set.values())), RESOURCES["margin"]

    def runtime(wildcards, attempt):
        sets = math.ceil(int(wildcards.samples) / int(wildcards.chunks))
        return math.ceil((margin["runtime_factor"] * s_set * sets + margin["startup_s"]) / 60) * attempt

    return {**res, "runtime": runtime}


rule robustness_chunk:
    input:
        code=code_inputs("analysis/evidence/robustness.py"),
        calibration=lambda wc: (f"{RESULTS}/calibration/driftdiffusion.yaml" if wc.prior == "driftdiffusion"
                                else CALIBRATION),
    output:
        f"{RESULTS}/robustness/chunks/{{prior}}_n{{samples}}_{{chunk}}of{{chunks}}.nc",
    wildcard_constraints:
        prior="plausible|analysis|joint|wide|driftdiffusion",
        samples=r"\d+",
        chunk=r"\d+",
        chunks=r"\d+",
    params:
        films=" ".join(N_VALUES),
        mesh=DD_SWEEP_MESH,
    threads: threads_for("robustness_chunk")
    resources:
        **_chunk_resources(),
    log:
        f"{LOGS}/robustness/{{prior}}_n{{samples}}_{{chunk}}of{{chunks}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/robustness_{{prior}}_n{{samples}}_{{chunk}}of{{chunks}}.tsv"
    conda:
        ENV
    shell:
        logged(f"{PY} -m analysis.evidence.robustness chunk --design {{wildcards.prior}} --samples {{wildcards.samples}} "
               f"--chunk {{wildcards.chunk}} --chunks {{wildcards.chunks}} --calibration {{input.calibration}} "
               f"--films {{params.films}} --mesh {{params.mesh}} --output {{output}}")


rule robustness_merge:
    input:
        code=code_inputs("analysis/evidence/robustness.py"),
        chunks=lambda wc: SWEEP_CHUNKS[wc.prior],
    output:
        f"{RESULTS}/robustness/{{prior}}.nc",
    wildcard_constraints:
        prior="plausible|analysis|joint|wide|driftdiffusion",
    params:
        cmd=lambda wc, input, output: (f"{PY} -m analysis.evidence.robustness merge --output {output[0]} "
                                       + " ".join(input.chunks)),
    threads: threads_for("robustness_merge")
    resources:
        **resources_for("robustness_merge"),
    log:
        f"{LOGS}/robustness/{{prior}}_merge.log",
    benchmark:
        f"{RESULTS}/benchmarks/robustness_{{prior}}_merge.tsv"
    conda:
        ENV
    shell:
        logged("{params.cmd}")
