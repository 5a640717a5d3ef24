# What each rule asks a scheduler for (threads, mem_mb, runtime in minutes), derived in one place
# from the measured peaks in rules/resources.yaml with the margin stated there. A rule declares
#     threads: threads_for("<rule>")
#     resources: **resources_for("<rule>")
# Local runs ignore mem_mb/runtime; a SLURM job (profiles/slurm) asks for them (sbatch --mem,
# --time), and a retry asks for attempt x as much.
import math

with open(ROOT / "rules" / "resources.yaml", encoding="utf-8") as _fh:
    RESOURCES = yaml.safe_load(_fh)


def _peak(rule):
    """The measured peak of *rule* for this run's profile, else the largest over the profiles;
    None for a rule not in the table (it then gets the executor's default resources, and
    tests/test_slurm_resources.py fails, naming it, until it is measured)."""
    measured = (RESOURCES.get("measured") or {}).get(rule)
    if not measured:
        return (RESOURCES.get("unmeasured") or {}).get(rule)
    if PROFILE in measured:
        return measured[PROFILE]
    return {key: max(m[key] for m in measured.values()) for key in ("s", "max_rss_mb", "cpu_s")}


def threads_for(rule):
    peak = _peak(rule)
    if peak is None:
        return 1
    if "threads" in peak:
        return int(peak["threads"])
    return max(1, math.ceil(peak["cpu_s"] / max(peak["s"], 1e-9) - 1e-9))


def resources_for(rule):
    """mem_mb and runtime (minutes) of *rule*, scaled by the attempt (1 on the first try)."""
    peak, margin = _peak(rule), RESOURCES["margin"]
    if peak is None:
        return {}
    if "mem_mb" in peak:
        mem, runtime = int(peak["mem_mb"]), int(peak["runtime"])
    else:
        mem = max(margin["mem_min_mb"], math.ceil(margin["mem_factor"] * peak["max_rss_mb"] / 100) * 100)
        runtime = math.ceil((margin["runtime_factor"] * peak["s"] + margin["startup_s"]) / 60)
    return {"mem_mb": lambda wildcards, attempt: mem * attempt,
            "runtime": lambda wildcards, attempt: runtime * attempt}
