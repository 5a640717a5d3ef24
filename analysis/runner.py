"""Execute a jupytext notebook with papermill — the one command every workflow rule runs.

``python -m analysis.runner NOTEBOOK.py --output results/notebooks/NAME.ipynb
--html results/notebooks/NAME.html --failed logs/notebooks/NAME.ipynb -p key value …``

* reads the percent-format script with jupytext (notebooks are versioned without outputs);
* injects the parameters (values are parsed as YAML, so ``-p n_points 200`` is an int);
* runs it with the ``python3`` kernel in the repository root;
* on success writes the executed notebook and an HTML rendering atomically;
* on failure keeps the partially executed copy at ``--failed`` and exits with a message
  naming the failing cell, so the error is one click away.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from .io import ROOT, atomic_path, write_text

log = logging.getLogger(__name__)
KERNEL = "python3"

# nbformat validates notebooks with jsonschema, whose optional IRI format checker imports
# rfc3987_syntax, which builds a grammar parser at import: one second per notebook job, for a
# format that notebook validation never uses. Without the module jsonschema skips that checker.
sys.modules.setdefault("rfc3987_syntax", None)


def run_notebook(notebook, output, html=None, failed=None, parameters=None) -> Path:
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
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    failed.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(output) as tmp:
        try:
            executed = pm.execute_notebook(nb, str(tmp), parameters=parameters or {},
                                           kernel_name=KERNEL, cwd=str(ROOT),
                                           progress_bar=False, log_output=False)
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
    ap = argparse.ArgumentParser(prog="python -m analysis.runner", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebook")
    ap.add_argument("--output", required=True)
    ap.add_argument("--html")
    ap.add_argument("--failed")
    ap.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                    metavar=("NAME", "VALUE"), help="a parameter (value parsed as YAML)")
    ap.add_argument("--parameters-yaml", help="a YAML mapping of parameters (inline text)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parse(argv)
    params = yaml.safe_load(args.parameters_yaml) if args.parameters_yaml else {}
    for name, value in args.parameter:
        params[name] = yaml.safe_load(value)
    try:
        run_notebook(args.notebook, args.output, args.html, args.failed, params)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
