"""The notebook runner: parameters reach the notebook; a failing cell is reported and kept."""
import json

import pytest

from analysis.runner import run_notebook

NB = '''# %% tags=["parameters"]
value = 1
out = "x.json"

# %%
import json, pathlib
pathlib.Path(out).write_text(json.dumps({"value": value}))

# %%
assert value < 10, "value too large"
'''


def test_parameters_are_injected(tmp_path):
    src = tmp_path / "nb.py"
    src.write_text(NB)
    out = tmp_path / "x.json"
    run_notebook(src, tmp_path / "nb.ipynb", html=tmp_path / "nb.html",
                 parameters={"value": 7, "out": str(out)})
    assert json.loads(out.read_text()) == {"value": 7}
    assert (tmp_path / "nb.ipynb").is_file() and (tmp_path / "nb.html").is_file()


def test_failure_names_cell_and_keeps_partial_copy(tmp_path):
    src = tmp_path / "nb.py"
    src.write_text(NB)
    failed = tmp_path / "logs" / "nb.ipynb"
    with pytest.raises(RuntimeError, match=r"failed in cell \d+.*value too large"):
        run_notebook(src, tmp_path / "nb.ipynb", failed=failed,
                     parameters={"value": 70, "out": str(tmp_path / "x.json")})
    assert failed.is_file()
    assert not (tmp_path / "nb.ipynb").exists(), "no half-executed notebook in results"


def test_missing_notebook(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        run_notebook(tmp_path / "nope.py", tmp_path / "o.ipynb")
