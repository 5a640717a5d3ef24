"""Execute a jupytext notebook with papermill — the one command every workflow rule runs.

``python -m analysis.workflow.runner NOTEBOOK.py --output results/notebooks/NAME.ipynb
--html results/notebooks/NAME.html --failed logs/notebooks/NAME.ipynb -p key value …``

* reads the percent-format script with jupytext (notebooks are versioned without outputs);
* injects the parameters (values are parsed as YAML, so ``-p n_points 200`` is an int);
* runs it with the ``python3`` kernel in the repository root;
* on success writes the executed notebook and an HTML rendering atomically;
* on failure keeps the partially executed copy at ``--failed`` and exits with a message
  naming the failing cell, so the error is one click away;
* streams what the notebook prints to its own stdout (the job's log), and copies the lines
  that start with :data:`PROGRESS_PREFIX` (written by :func:`progress`) to ``--progress-fd``,
  which the workflow points at the terminal;
* a SIGTERM (Snakemake stopping its jobs) unwinds like Ctrl-C, so no temporary file remains.

``python -m analysis.workflow.runner explain LOG`` prints the lines of a failed job's log that say
why (its ``ERROR`` lines, else its last lines): the workflow shows them in the terminal.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

import yaml

from analysis.stage_io import ROOT, atomic_path, write_text

log = logging.getLogger(__name__)
KERNEL = "python3"
PROGRESS_PREFIX = "[progress] "
"""Lines a notebook prints with this prefix are copied to the terminal while the job runs."""
EXPLAIN_LINES = 12
"""How many last lines of a failed job's log :func:`explain` shows when it has no ERROR line."""


def progress(message: str) -> None:
    """Report progress of a long computation (epoch k/N, sample i/N, …).

    Inside a workflow job the line reaches the terminal as well as the job's log and the
    executed notebook; elsewhere it is simply printed.
    """
    print(f"{PROGRESS_PREFIX}{message}", flush=True)


class _ProgressHandler(logging.Handler):
    def emit(self, record):
        progress(self.format(record))


def report_progress_of(logger_name: str = "analysis", level: int = logging.INFO) -> logging.Handler:
    """Turn the INFO messages of a library logger (e.g. ``analysis.learning.training``'s "epoch k: test
    accuracy …") into progress lines (:func:`progress`) for as long as the notebook runs.

    Library code logs with :mod:`logging`; a notebook calls this once so that a long job shows
    how far it is in the terminal. Calling it again adds no second handler.
    """
    logger = logging.getLogger(logger_name)
    for h in logger.handlers:
        if isinstance(h, _ProgressHandler):
            return h
    handler = _ProgressHandler(level)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    return handler


class _Tee:
    """File-like sink for the notebook's streamed output: all of it to *out*, progress lines
    (prefixed with the job name) also to *progress*."""

    def __init__(self, out, progress_stream=None, job=""):
        self.out, self.progress, self.job, self._buf = out, progress_stream, job, ""

    def write(self, text):
        self.out.write(text)
        if self.progress is None:
            return
        self._buf += text
        *lines, self._buf = self._buf.split("\n")
        for line in lines:
            if line.startswith(PROGRESS_PREFIX):
                self.progress.write(f"  {self.job}: {line[len(PROGRESS_PREFIX):]}\n")
                self.progress.flush()

    def flush(self):
        self.out.flush()

# nbformat validates notebooks with jsonschema, whose optional IRI format checker imports
# rfc3987_syntax, which builds a grammar parser at import: one second per notebook job, for a
# format that notebook validation never uses. Without the module jsonschema skips that checker.
sys.modules.setdefault("rfc3987_syntax", None)


def run_notebook(notebook, output, html=None, failed=None, parameters=None,
                 progress_stream=None) -> Path:
    """Execute *notebook* (a jupytext ``.py`` or an ``.ipynb``) with *parameters*.

    Parameters
    ----------
    notebook : path
        The notebook template.
    output : path
        Where the executed ``.ipynb`` goes.
    html : path, optional
        Where its HTML rendering goes.
    failed : path, optional
        Where the partially executed notebook is kept when a cell fails
        (default: ``logs/notebooks/<name>.ipynb``).
    parameters : dict, optional
        Values for the cell tagged ``parameters``.
    progress_stream : file, optional
        Where the notebook's progress lines (:func:`progress`) are copied as they come.

    Raises
    ------
    FileNotFoundError
        If *notebook* does not exist.
    RuntimeError
        If a cell raises; the message names the cell and the saved copy.
    """
    import jupytext
    import papermill as pm

    notebook, output = Path(notebook), Path(output)
    if not notebook.is_file():
        raise FileNotFoundError(f"notebook {notebook} does not exist")
    failed = Path(failed) if failed else ROOT / "logs" / "notebooks" / f"{output.stem}.ipynb"
    nb = jupytext.read(notebook)
    for i, cell in enumerate(nb.cells):  # stable ids (jupytext draws random ones), so that links
        cell["id"] = f"cell-{i}"          # to a cell, e.g. the report's, are the same every run
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    failed.parent.mkdir(parents=True, exist_ok=True)
    job = output.stem
    with atomic_path(output) as tmp:
        try:
            executed = pm.execute_notebook(nb, str(tmp), parameters=parameters or {},
                                           kernel_name=KERNEL, cwd=str(ROOT),
                                           progress_bar=False, log_output=False,
                                           stdout_file=_Tee(sys.stdout, progress_stream, job),
                                           stderr_file=_Tee(sys.stderr))
        except pm.PapermillExecutionError as exc:
            Path(tmp).replace(failed)
            msg = (f"notebook {notebook} failed in cell {exc.cell_index} "
                   f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}\n"
                   f"The partially executed notebook is kept at {failed}; open it to see "
                   f"the traceback under the failing cell.")
            raise RuntimeError(msg) from exc
    if html:
        from nbconvert import HTMLExporter
        body, _ = HTMLExporter().from_notebook_node(executed)
        write_text(body, html)
    return output


def _parse(argv=None):
    ap = argparse.ArgumentParser(prog="python -m analysis.workflow.runner", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook")
    ap.add_argument("--output", required=True)
    ap.add_argument("--html")
    ap.add_argument("--failed")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="a parameter (value parsed as YAML)")
    ap.add_argument("--parameters-yaml", help="a YAML mapping of parameters (inline text)")
    ap.add_argument("--progress-fd", type=int, help="file descriptor for progress lines (if open)")
    return ap.parse_args(argv)


def explain(log_path, out=None) -> None:
    """Print why a job failed: the ERROR lines of its log, else its last non-empty lines."""
    out = out or sys.stdout
    path = Path(log_path)
    if not path.is_file():
        out.write(f"  (no log at {path})\n")
        return
    lines = [ln.rstrip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    errors = [ln for ln in lines if ln.startswith(("ERROR", "Error:"))]
    shown = errors or [ln for ln in lines if ln.strip()][-EXPLAIN_LINES:]
    out.write(f"  cause (from {path}):\n" + "".join(f"    {ln}\n" for ln in shown))


def _progress_stream(fd):
    if fd is None:
        return None
    try:
        return os.fdopen(fd, "w", buffering=1, closefd=False)
    except OSError:
        return None


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["explain"]:
        for path in argv[1:]:
            explain(path)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _terminate)
    args = _parse(argv)
    params = yaml.safe_load(args.parameters_yaml) if args.parameters_yaml else {}
    for name, value in args.parameter:
        params[name] = yaml.safe_load(value)
    try:
        run_notebook(args.notebook, args.output, args.html, args.failed, params,
                     progress_stream=_progress_stream(args.progress_fd))
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
