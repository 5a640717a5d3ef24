"""docs/reuse.md's example runs against the library as it is (so the doc cannot drift)."""
import re

import numpy as np

from analysis.stage_io import ROOT


def test_the_reuse_example_runs_and_calibrates_to_its_target():
    text = (ROOT / "docs" / "reuse.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "docs/reuse.md has no python block"
    scope = {}
    exec(compile(blocks[0], "docs/reuse.md", "exec"), scope)
    assert abs(scope["retention"].values["m"] - 0.6) < 1e-9
    achieved = scope["result"]["achieved"]
    assert abs(achieved["b"] - 0.05) < 1e-6 and abs(achieved["m"] - 0.6) < 1e-6
    assert np.all(np.abs(scope["a2"]) > np.abs(scope["a1"]))
