# Checks at start, once every rule file has named its outputs (so the sweep's merged files and
# chunks are among them): only in the run that holds the run lock (rules/common.smk).
#  * Temporary files of writes a kill interrupted are removed.
#  * Every existing output is read by a reader of its format (analysis.workflow.preflight.damaged); a damaged
#    one is removed, with a one-line note, so that Snakemake rebuilds it and what depends on it.
#  * Before the first job starts (onstart: the jobs to run are known), the MNIST files are checked
#    when a job that reads them is to run: a missing mirror or network stops the run in seconds
#    with one message, not minutes later when the data job's turn comes.
SWEEP_CHUNK_FILES = [f for files in SWEEP_CHUNKS.values() for f in files]

if REAL_RUN:
    for _part in preflight.partial_files([RESULTS, FIGURES]):
        _part.unlink(missing_ok=True)
    for _bad, _why in preflight.damaged(ALL_OUTPUTS + SWEEP_CHUNK_FILES).items():
        print(f"note: {_bad} is damaged ({_why}); it will be rebuilt", file=sys.stderr)
        _bad.unlink()

# The rules that read MNIST: the data job and every notebook that needs it (rules/notebooks.yaml).
MNIST_RULES = {"data"} | {name for name, spec in NOTEBOOKS.items() if "data" in spec["needs"]}


onstart:
    if workflow.is_main_process and any(job.rule.name in MNIST_RULES for job in workflow.dag.needrun_jobs()):
        _problem = preflight.data_problem(config["data"]["mirror"])
        if _problem:
            _stop([_problem])
