"""analysis.preflight: one run at a time (an OS lock) and config file mistakes named with their line."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from analysis import preflight
from analysis.io import ROOT


# --------------------------------------------------------------------------- one run at a time
_LOCKER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from analysis import preflight
    go = {go!r}
    while not os.path.exists(go):
        time.sleep(0.001)
    holder = preflight.take_run_lock({folder!r})
    print("holder", holder if holder is not None else "me", flush=True)
    if holder is None:
        time.sleep(float(sys.argv[1]))
""")


def _lockers(tmp_path, n, hold_s):
    go = tmp_path / "go"
    script = _LOCKER.format(root=str(ROOT), go=str(go), folder=str(tmp_path / "repo"))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(hold_s)], stdout=subprocess.PIPE, text=True)
             for _ in range(n)]
    return go, procs


def test_of_runs_started_together_exactly_one_takes_the_lock(tmp_path):
    go, procs = _lockers(tmp_path, 3, hold_s=30)
    time.sleep(1.0)  # let every interpreter start and wait at the gate
    go.touch()  # all try at the same moment
    answers = {}
    for proc in procs:
        answers[proc.pid] = proc.stdout.readline().split()[1]
    winners = [pid for pid, a in answers.items() if a == "me"]
    assert len(winners) == 1, answers
    assert all(a == str(winners[0]) for pid, a in answers.items() if pid != winners[0]), answers
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_killed_runs_lock_is_gone_with_it(tmp_path):
    go, (holder,) = _lockers(tmp_path, 1, hold_s=60)
    go.touch()
    assert holder.stdout.readline().split() == ["holder", "me"]
    assert preflight.take_run_lock(tmp_path / "repo", wait_s=0.2) == holder.pid
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert preflight.take_run_lock(tmp_path / "repo") is None  # no stale lock to clear by hand
    assert (tmp_path / "repo" / preflight.RUN_LOCK).read_text().split() == [str(os.getpid())]
    assert preflight.take_run_lock(tmp_path / "repo") is None  # held already by this process


# --------------------------------------------------------------------------- config file
@pytest.mark.parametrize("text, expected", [
    ("profile: full\ndata: {mirror: [\n", "c.yaml, line 3, column 1: YAML syntax error"),
    ("profile: full\nn_values: ['1', '2'\nregression: {}\n", "c.yaml, line 3"),
    ("profile: full\n\tn_values: []\n", "c.yaml, line 2, column 1: YAML syntax error"),
    ("profile: full\ndata:\n  mirror: a: b\n", "c.yaml, line 3, column 12: YAML syntax error"),
    ("", "c.yaml, line 1: the file is empty"),
    ("# only a comment\n", "c.yaml, line 1: the file is empty"),
    ("- profile\n- full\n", "c.yaml, line 1: the top level is a list"),
])
def test_config_file_mistakes_are_named_with_their_line(tmp_path, text, expected):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    errors = preflight.config_file_errors(path, "c.yaml")
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_the_shipped_config_file_reads():
    assert preflight.config_file_errors(ROOT / "config" / "config.yaml") == []


def test_docstring_examples():
    import doctest
    assert doctest.testmod(preflight).failed == 0
