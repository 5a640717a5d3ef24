"""Record the measured peaks of every rule in rules/resources.yaml, from a finished run.

    python benchmarks/measure_resources.py --profile full [--workdir .]

Reads Snakemake's logs of the run (<workdir>/.snakemake/log/*.snakemake.log: which rule wrote
which benchmark file) and the benchmark files themselves (<results>/benchmarks/*.tsv: wall
seconds `s`, peak resident memory `max_rss` in MB, `cpu_time` in s), and stores per rule, for
that profile, the largest of its jobs; for the sweep's chunks also the largest seconds per
parameter set (`s_per_set`), from which a chunk of any size gets its time limit. Entries of other rules and profiles are kept; a rule
measured now leaves the `unmeasured` list (its fixed request). The requests
(threads, mem_mb, runtime) are derived from these peaks by rules/resources.smk with the margin
stated in rules/resources.yaml; commit the updated file with the machine it was measured on.
"""
import argparse
import csv
import datetime
import math
import os
import platform
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "rules" / "resources.yaml"
CHUNK = re.compile(r"_n(\d+)_\d+of(\d+)\.tsv$")   # robustness_<prior>_n<samples>_<k>of<chunks>.tsv
JOB = re.compile(r"^\s*(?:local)?rule (\w+):\n(?:\s+\w+: .*\n)*?\s+benchmark: (\S+)\n", re.M)


def peaks(workdir: Path) -> dict:
    """{rule: {s, max_rss_mb, cpu_s, jobs}} over every job with a benchmark file."""
    files = {}
    for log in sorted((workdir / ".snakemake" / "log").glob("*.snakemake.log")):
        for rule, bench in JOB.findall(log.read_text()):
            files[bench] = rule
    out = {}
    for bench, rule in files.items():
        path = workdir / bench
        if not path.is_file():
            continue
        with open(path, newline="") as fh:
            row = list(csv.DictReader(fh, delimiter="\t"))[-1]
        entry = out.setdefault(rule, {"s": 0.0, "max_rss_mb": 0.0, "cpu_s": 0.0, "jobs": 0})
        entry["s"] = max(entry["s"], round(float(row["s"]), 2))
        entry["max_rss_mb"] = max(entry["max_rss_mb"], round(float(row["max_rss"]), 1))
        entry["cpu_s"] = max(entry["cpu_s"], round(float(row["cpu_time"]), 2))
        entry["jobs"] += 1
        chunk = CHUNK.search(bench)   # a sweep chunk: also its seconds per parameter set
        if chunk:
            sets = math.ceil(int(chunk.group(1)) / int(chunk.group(2)))
            entry["s_per_set"] = max(entry.get("s_per_set", 0.0), round(float(row["s"]) / sets, 3))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", required=True, help="config profile the run used (full, quick, ...)")
    ap.add_argument("--workdir", type=Path, default=ROOT, help="folder of the finished run")
    args = ap.parse_args()
    measured = peaks(args.workdir)
    if not measured:
        sys.exit(f"no benchmark files found through the Snakemake logs in {args.workdir}/.snakemake/log; "
                 "run the workflow there first")
    table = yaml.safe_load(TABLE.read_text())
    table.setdefault("measured", {})
    where = (f"{platform.node() or 'machine'}: {os.cpu_count()} CPUs, "
             f"{datetime.date.today().isoformat()}")
    for rule, entry in sorted(measured.items()):
        table["measured"].setdefault(rule, {})[args.profile] = {**entry, "machine": where}
        (table.get("unmeasured") or {}).pop(rule, None)   # measured now: the fixed request goes
    header = TABLE.read_text().split("\nmargin:")[0]
    body = yaml.safe_dump({"margin": table["margin"]}, sort_keys=False)
    for part in ("unmeasured", "measured"):
        body += "\n" + yaml.safe_dump({part: table.get(part) or {}}, sort_keys=True,
                                      default_flow_style=None, width=140)
    TABLE.write_text(header + "\n" + body)
    for rule, entry in sorted(measured.items()):
        print(f"{rule:24s} {entry['jobs']:3d} jobs  {entry['s']:8.1f} s  {entry['max_rss_mb']:7.0f} MB  "
              f"cpu {entry['cpu_s']:.1f} s  ({math.ceil(entry['cpu_s'] / max(entry['s'], 1e-9) - 1e-9)} CPU)")


if __name__ == "__main__":
    main()
