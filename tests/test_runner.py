"""The notebook runner: parameters reach the notebook; a failing cell is reported and kept."""
import json

import pytest

from analysis.workflow.runner import run_notebook

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


PROGRESS_NB = '''# %% tags=["parameters"]
steps = 3

# %%
import logging
from analysis.workflow.runner import progress, report_progress_of
report_progress_of("analysis.some_library")
for k in range(1, steps + 1):
    print("detail line", k)
    progress(f"epoch {k}/{steps}")
logging.getLogger("analysis.some_library").info("library says %d", 4)
logging.getLogger("analysis.some_library").debug("not shown")
'''


def test_progress_lines_reach_the_progress_stream_as_they_come(tmp_path):
    import io as _io

    src = tmp_path / "nb.py"
    src.write_text(PROGRESS_NB)
    stream = _io.StringIO()
    run_notebook(src, tmp_path / "nb.ipynb", parameters={"steps": 3}, progress_stream=stream)
    assert stream.getvalue().splitlines() == [f"  nb: epoch {k}/3" for k in (1, 2, 3)] + ["  nb: library says 4"]
    executed = json.loads((tmp_path / "nb.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    assert "detail line 3" in text and "[progress] epoch 3/3" in text, "the notebook keeps both"


def test_explain_shows_error_lines_else_the_last_lines(tmp_path, capsys):
    from analysis.workflow.runner import EXPLAIN_LINES, explain

    log = tmp_path / "job.log"
    log.write_text("retry 1\nretry 2\nERROR: data mirror x is not a folder\nmore noise\n")
    explain(log)
    out = capsys.readouterr().out
    assert "ERROR: data mirror x is not a folder" in out and "retry 1" not in out
    log.write_text("".join(f"line {i}\n" for i in range(40)))
    explain(log)
    out = capsys.readouterr().out
    assert "line 39" in out and f"line {39 - EXPLAIN_LINES}" not in out
