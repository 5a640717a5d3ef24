# Checks at start, once every rule file has named its outputs (so the sweep's merged files and
# chunks are among them): only in the run that holds the run lock (rules/common.smk).
#  * Temporary files of writes a kill interrupted are removed.
#  * Every existing output is read by a reader of its format (analysis.preflight.damaged); a damaged
#    one is removed, with a one-line note, so that Snakemake rebuilds it and what depends on it.
SWEEP_CHUNK_FILES = [f for files in SWEEP_CHUNKS.values() for f in files]

if REAL_RUN:
    for _part in preflight.partial_files([RESULTS, FIGURES]):
        _part.unlink(missing_ok=True)
    for _bad, _why in preflight.damaged(ALL_OUTPUTS + SWEEP_CHUNK_FILES).items():
        print(f"note: {_bad} is damaged ({_why}); it will be rebuilt", file=sys.stderr)
        _bad.unlink()
