"""Rule inputs derived from the code: analysis.workflow.dependencies against an independent import graph."""
import modulefinder
import re
from pathlib import Path

import pytest

from analysis.workflow import dependencies
from analysis.stage_io import ROOT

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
MODULES = sorted(dependencies._package_modules(ROOT))
"""Every module of the package, dotted relative to it (``physics.multitrap``)."""


def _module_file(root, module):
    return root / "analysis" / (module.replace(".", "/") + ".py")


def imported_by_modulefinder(script, root=ROOT):
    """``analysis`` modules (dotted, relative to the package; subpackages themselves left out)
    that a script (or a module of the package, with itself) imports, found by the standard
    library's bytecode scan (including imports inside functions), independently of
    analysis.workflow.dependencies."""
    finder = modulefinder.ModuleFinder(path=[str(root)])
    script = Path(script).resolve()
    package = (Path(root) / "analysis").resolve()
    if package in script.parents:
        finder.import_hook("analysis." + ".".join(script.relative_to(package).with_suffix("").parts))
    else:
        finder.run_script(str(script))
    return {name.split(".", 1)[1] for name, mod in finder.modules.items()
            if name.startswith("analysis.") and not (mod.__path__ if hasattr(mod, "__path__") else None)}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_inputs_match_the_import_graph(name):
    path = ROOT / "notebooks" / f"{name}.py"
    derived = {".".join(Path(f).with_suffix("").parts[1:]) for f in dependencies.code_inputs(path)
               if f.startswith("analysis/") and f.endswith(".py") and not f.endswith("__init__.py")}
    assert derived == imported_by_modulefinder(path)


def test_data_files_read_by_a_module_are_inputs():
    fig2 = dependencies.code_inputs("notebooks/fig2_optics.py")
    assert {"data/parameters/optics.yaml", "data/parameters/structure.yaml",
            "data/paper/values.yaml", "analysis/plotting/synapse.mplstyle"} <= set(fig2)
    assert not any(f.startswith("data/paper/claims/") for f in fig2), "only the report reads the ledger"
    report = dependencies.code_inputs("notebooks/report.py")
    assert "data/paper/claims/fig3.yaml" in report
    assert "data/reference/calibration/multitrap.yaml" in dependencies.code_inputs("analysis/physics/multitrap.py")
    assert "data/mnist.yaml" in dependencies.code_inputs("analysis/learning/digits.py")


def test_imports_inside_functions_and_relative_imports_count(tmp_path):
    pkg = tmp_path / "analysis"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n    return g()\n")
    (pkg / "b.py").write_text("from . import c\n")
    (pkg / "c.py").write_text("X = 1\n")
    (pkg / "d.py").write_text("")
    nb = tmp_path / "nb.py"
    nb.write_text("import numpy\nfrom analysis import a\n")
    assert dependencies.module_closure(dependencies.imported_modules(nb, tmp_path), tmp_path) == {"a", "b", "c"}


def test_subpackage_imports_absolute_and_relative(tmp_path):
    pkg = tmp_path / "analysis"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("from ..top import T\nfrom . import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from analysis.sub.c import X\n")
    (pkg / "sub" / "c.py").write_text("X = 1\n")
    (pkg / "top.py").write_text("T = 1\n")
    nb = tmp_path / "nb.py"
    nb.write_text("from analysis.sub import a\n")
    found = dependencies.module_closure(dependencies.imported_modules(nb, tmp_path), tmp_path)
    assert found == {"sub.a", "sub.b", "sub.c", "top"}
    inputs = dependencies.code_inputs(nb, tmp_path)
    assert {"analysis/__init__.py", "analysis/sub/__init__.py", "analysis/sub/c.py"} <= set(inputs)


def _rules_to_run(stdout):
    """Rule names in the 'Job stats' table of a Snakemake dry run."""
    if "Nothing to be done" in stdout:
        return set()
    table = stdout.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1) for m in re.finditer(r"^(\w+)\s+\d+\s*$", table, re.M)} - {"job"}


@pytest.mark.slow
def test_touching_a_module_reruns_exactly_the_rules_that_import_it(quick_run, tmp_path):
    """Each analysis module in turn is edited: a dry run of the finished tree must rerun exactly
    the rules whose code imports it (by modulefinder), and what depends on their outputs (a dry
    run cannot know that an output will come out unchanged, so all of it).

    The dry runs (one per module, ≈ 2 CPU-s each, one core each) go two at a time, in the shared
    quick run and in a copy of it (modification times kept: up to date), each tree editing one
    module at a time."""
    import os
    import shutil
    import time
    from concurrent.futures import ThreadPoolExecutor

    import yaml

    from .conftest import run_snakemake

    work = quick_run
    table = yaml.safe_load((work / "rules" / "notebooks.yaml").read_text())
    code = {name: f"notebooks/{name}.py" for name in [*table, "simulate", "calibrate", "report"]}
    code["data"] = "analysis/learning/digits.py"
    code["robustness_chunk"] = code["robustness_merge"] = "analysis/evidence/robustness.py"  # rules/robustness.smk
    # rules/models.smk: the second device model's calibration, simulations and metrics
    code["calibrate_driftdiffusion"] = "analysis/physics/dd_calibration.py"
    code["simulate_model"] = "notebooks/simulate.py"
    code["model_metrics"] = "analysis/evidence/model_form.py"
    uses = {rule: imported_by_modulefinder(work / src, work) for rule, src in code.items()}

    def downstream(rules):
        out = set(rules)
        if "calibrate" in out:  # its output builds the device of every later stage
            out |= {"simulate", "robustness_chunk"}
            out |= {n for n, s in table.items() if "calibrate" in s["needs"]}
        if "calibrate_driftdiffusion" in out:
            out |= {"simulate_model"}
        if "simulate_model" in out:  # the overlay figures draw the second model's films
            out |= {"model_metrics"} | {n for n, s in table.items() if s.get("overlay")}
        if "simulate" in out:
            out |= {n for n, s in table.items() if "simulate" in s["needs"]}
        if "data" in out:
            out |= {n for n, s in table.items() if "data" in s["needs"]}
        if "robustness_chunk" in out:
            out |= {"robustness_merge"}
        if "robustness_merge" in out:
            out |= {n for n, s in table.items() if "sweep" in s["needs"]}
        if out - {"report", "regression", "all"}:
            out |= {"report"}
        if out:
            out |= {"regression", "all"}
        return out

    def check(tree, modules):
        """Edit each module in *tree* in turn; the mismatches found."""
        found = []
        for module in modules:
            path = _module_file(tree, module)
            before, text = path.stat(), path.read_bytes()
            # an edit, not only a newer time: Snakemake compares input checksums, so a mere touch
            # of an unchanged file reruns nothing (which is right)
            path.write_bytes(text + b"\n# edited by the dependency test\n")
            later = time.time() + 60
            os.utime(path, (later, later))
            try:
                proc = run_snakemake(tree, "-n", check=False)
                assert proc.returncode == 0, f"{module}: dry run failed:\n{proc.stderr[-3000:]}"
                got = _rules_to_run(proc.stdout + proc.stderr)
            finally:
                path.write_bytes(text)
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            expected = downstream({rule for rule, mods in uses.items() if module in mods})
            if got != expected:
                found.append(f"{module}: reruns {sorted(got)}, expected {sorted(expected)}")
        return found

    other = tmp_path / "copy"
    shutil.copytree(work, other, symlinks=True)   # keeps modification times
    assert "Nothing to be done" in run_snakemake(other, "-n").stdout
    with ThreadPoolExecutor(max_workers=2) as pool:
        halves = [pool.submit(check, tree, MODULES[i::2]) for i, tree in enumerate((work, other))]
        mismatches = [m for half in halves for m in half.result()]
    assert not mismatches, "\n".join(mismatches)
    assert len(MODULES) > 40   # every module was edited, not an empty list
