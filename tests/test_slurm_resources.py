"""Every rule declares threads, mem_mb and runtime, derived from rules/resources.yaml."""
import math
import re
import subprocess
import sys

import pytest
import yaml

from analysis.stage_io import ROOT

from .conftest import snakemake_env

TABLE = yaml.safe_load((ROOT / "rules" / "resources.yaml").read_text())


@pytest.fixture(scope="module")
def dry_run():
    """A forced dry run of the quick profile: every job with its resources."""
    cmd = [sys.executable, "-m", "snakemake", "-n", "-F", "--config", "profile=quick"]
    proc = subprocess.run(cmd, cwd=ROOT, env=snakemake_env(ROOT), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def jobs(text):
    """[(rule, {resource: value}, threads, {wildcard: value})] of every job in a dry run's output."""
    out = []
    for block in re.split(r"\n(?=\s*(?:local)?rule \w+:\n)", text):
        head = re.match(r"\s*(?:local)?rule (\w+):\n", block)
        if not head:
            continue
        res = re.search(r"^\s+resources: (.*)$", block, re.M)
        thr = re.search(r"^\s+threads: (\d+)$", block, re.M)
        wild = re.search(r"^\s+wildcards: (.*)$", block, re.M)
        values = dict(kv.split("=", 1) for kv in res.group(1).split(", ")) if res else {}
        wildcards = dict(kv.split("=", 1) for kv in wild.group(1).split(", ")) if wild else {}
        out.append((head.group(1), values, int(thr.group(1)) if thr else 1, wildcards))
    return out


def expected(rule, wildcards=None):
    peak = TABLE["measured"].get(rule, {}).get("quick") or TABLE["unmeasured"][rule]
    if "mem_mb" in peak:
        return peak["mem_mb"], peak["runtime"]
    m = TABLE["margin"]
    mem = max(m["mem_min_mb"], math.ceil(m["mem_factor"] * peak["max_rss_mb"] / 100) * 100)
    seconds = peak["s"]
    if "s_per_set" in peak:   # a sweep chunk: its time grows with its parameter sets
        seconds = peak["s_per_set"] * math.ceil(int(wildcards["samples"]) / int(wildcards["chunks"]))
    return mem, math.ceil((m["runtime_factor"] * seconds + m["startup_s"]) / 60)


def test_every_rule_has_a_measured_or_stated_entry():
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--list-rules", "--config", "profile=quick"],
                          cwd=ROOT, env=snakemake_env(ROOT), capture_output=True, text=True, check=True)
    rules = {line.split()[0] for line in proc.stdout.splitlines() if re.match(r"^\w", line)}
    rules.discard("all")   # the default target: no command, never a job of its own
    assert {"simulate", "report", "data"} <= rules
    known = set(TABLE["measured"]) | set(TABLE["unmeasured"])
    assert not rules - known, (
        f"rules without an entry in rules/resources.yaml: {sorted(rules - known)}; run the workflow, then "
        "`.venv/bin/python benchmarks/measure_resources.py --profile <profile>` (rules with a benchmark "
        "file), or list them under `unmeasured:` with a fixed request and the reason")
    for rule, entry in TABLE["unmeasured"].items():
        assert entry.get("why"), f"unmeasured rule {rule} needs a reason"


def test_every_job_asks_for_the_derived_resources(dry_run):
    seen = set()
    for rule, values, threads, wildcards in jobs(dry_run):
        if rule == "all":
            continue
        mem, runtime = expected(rule, wildcards)
        assert values.get("mem_mb") == str(mem), (rule, values)
        assert values.get("runtime") == str(runtime), (rule, values)
        assert threads == 1, (rule, threads)   # every rule measured single-threaded (cpu_s <= s)
        seen.add(rule)
    assert {"simulate", "calibrate", "figS11_classification", "report", "data", "robustness_chunk",
            "robustness_merge"} <= seen


def test_a_sweep_chunk_asks_for_time_in_proportion_to_its_sets():
    """The `sweep` profile's chunks (200 sets in every multi-trap design, 40 in the drift-diffusion one) ask for
    s_per_set x their sets (with the margin), far more than the small chunks the table was measured on."""
    cmd = [sys.executable, "-m", "snakemake", "-n", "-F", "--config", "profile=sweep", "--until",
           "robustness_chunk"]
    proc = subprocess.run(cmd, cwd=ROOT, env=snakemake_env(ROOT), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    chunks = [(values, wc) for rule, values, _, wc in jobs(proc.stdout + proc.stderr) if rule == "robustness_chunk"]
    import yaml
    sweep = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["profiles"]["sweep"]["robustness"]
    assert len(chunks) == sum(v for k, v in sweep.items() if k.endswith("_chunks")) == 54 + 90   # + drift-diffusion
    per_set = max(m["s_per_set"] for m in TABLE["measured"]["robustness_chunk"].values() if "s_per_set" in m)
    margin = TABLE["margin"]
    for values, wc in chunks:
        sets = math.ceil(int(wc["samples"]) / int(wc["chunks"]))
        assert sets == (40 if wc["prior"] == "driftdiffusion" else 200)
        want = math.ceil((margin["runtime_factor"] * per_set * sets + margin["startup_s"]) / 60)
        assert int(values["runtime"]) == want, (wc, values)
