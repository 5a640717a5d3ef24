"""analysis.workflow.preflight: damaged outputs found by their formats' readers, one run at a time (an OS
lock), the input data checked before any job, and config file mistakes named with their line."""
import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from analysis.learning import digits as datasets
from analysis.workflow import preflight
from analysis.stage_io import ROOT, write_netcdf

MIRROR = (ROOT / ".." / "shared" / "data" / "mnist").resolve()
needs_mirror = pytest.mark.skipif(not (MIRROR / "t10k-labels-idx1-ubyte.gz").is_file(),
                                  reason=f"local MNIST mirror {MIRROR} is absent")


# --------------------------------------------------------------------------- damaged outputs
@pytest.fixture(scope="module")
def intact(tmp_path_factory):
    """One intact file of every checked type, written as the workflow writes them."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import xarray as xr

    folder = tmp_path_factory.mktemp("intact")
    ds = xr.Dataset({"current": ("time", np.linspace(0.0, 1.0, 400), {"units": "A", "long_name": "current"}),
                     "label": ("film", np.array(["1", "2", "inf"]))},
                    coords={"time": ("time", np.arange(400.0), {"units": "s", "long_name": "time"})})
    write_netcdf(ds, folder / "a.nc")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(np.arange(50), np.sin(np.arange(50)), label="sine")
    ax.set_title("title")
    ax.legend()
    fig.savefig(folder / "a.png", dpi=100)
    fig.savefig(folder / "a.pdf")
    plt.close(fig)
    (folder / "a.json").write_text(json.dumps({"x": [1, 2, 3], "y": {"n": "inf"}}))
    (folder / "a.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (folder / "a.csv").write_text('n,value,note\n1,0.5,"a, quoted"\ninf,0.7,b\n')
    (folder / "a.html").write_text("<!DOCTYPE html>\n<html><head><title>t</title></head>\n"
                                   "<body><p>report</p></body>\n</html>\n")
    (folder / "a.tsv").write_text("s\n1.0\n")
    (folder / "a.yaml").write_text("x: [1, 2]\n")
    (folder / "calibration").mkdir()  # the calibrate stage's output, as it writes it
    (folder / "calibration" / "multitrap.yaml").write_bytes(REFERENCE_CALIBRATION.read_bytes())
    return folder


REFERENCE_CALIBRATION = ROOT / "data" / "reference" / "calibration" / "multitrap.yaml"


def test_intact_files_read(intact):
    files = sorted(p for p in intact.rglob("*") if p.is_file())
    assert {f.suffix for f in files} >= set(preflight.READERS)
    assert preflight.damaged(files) == {}
    assert preflight.damaged([intact / "absent.png"]) == {}  # missing: Snakemake's business


def _damaged_copy(intact, tmp_path, name, change):
    data = (intact / name).read_bytes()
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(change(data))
    return out


def _corrupt_png_stream(data):
    """Flip a byte inside the IDAT chunk and write a matching CRC: every chunk checks out, the
    compressed image does not decode."""
    import struct
    import zlib
    pos = data.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    body = bytearray(data[pos + 4:pos + 8 + length])
    body[4 + length // 2] ^= 0xFF
    crc = struct.pack(">I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
    return data[:pos + 4] + bytes(body) + crc + data[pos + 12 + length:]


def _pdf_hole(data):
    """Zero a stretch in the middle; the header and the %%EOF trailer stay."""
    mid = len(data) // 2
    return data[:mid] + b"\0" * 200 + data[mid + 200:]


@pytest.mark.parametrize("name, change, reader", [
    ("a.nc", lambda d: d[:len(d) // 2], "NetCDF"),           # truncated in the data
    ("a.nc", lambda d: d[:-4], "NetCDF"),                    # the last value cut (padding is < 4 bytes)
    ("a.nc", lambda d: d[:200], "NetCDF"),                   # header only (passed "CDF and > 32 bytes")
    ("a.nc", lambda d: b"", "NetCDF"),                       # emptied
    ("a.png", lambda d: d[:len(d) // 2], "PNG"),
    ("a.png", _corrupt_png_stream, "PNG"),                   # every chunk CRC right, image undecodable
    ("a.pdf", lambda d: d[:len(d) // 2], "PDF"),
    ("a.pdf", _pdf_hole, "PDF"),                             # passed "header and %%EOF"
    ("a.json", lambda d: d[:-3], "JSON"),
    ("a.ipynb", lambda d: b'{"metadata": {}}', "notebook"),  # JSON, but not a notebook
    ("a.csv", lambda d: d[:-1], "CSV"),                      # last line incomplete
    ("a.csv", lambda d: d.replace(b"inf,0.7,b", b"inf,0.7"), "CSV"),  # a row short of a field
    ("a.html", lambda d: d[:len(d) // 2], "HTML"),
    ("a.html", lambda d: d.replace(b"report", b"\xff\xfe"), "HTML"),  # not UTF-8
    ("a.tsv", lambda d: b"", "file"),
    ("a.yaml", lambda d: d[:-3], "YAML"),                    # a flow sequence left open
    ("calibration/multitrap.yaml", lambda d: d[:len(d) // 2], "YAML"),
    ("calibration/multitrap.yaml", lambda d: d[:d.rindex(b"  residual:")], "YAML"),  # parses: lines cut
    ("calibration/multitrap.yaml", lambda d: d[:-1], "YAML"),  # the last newline
    ("calibration/multitrap.yaml", lambda d: d.replace(b"units: eV", b"units: meV", 1), "YAML"),  # edited
])
def test_damage_is_found_by_the_formats_reader(intact, tmp_path, name, change, reader):
    bad = _damaged_copy(intact, tmp_path, name, change)
    found = preflight.damaged([bad])
    assert list(found) == [bad]
    assert found[bad].startswith(f"{reader}: ")
    assert "\n" not in found[bad]  # one line in the note


def test_a_calibration_cut_after_any_line_is_found(intact, tmp_path):
    """YAML has no end marker: a calibration cut at a line end parses (fewer entries or keys), as
    a full disk leaves it. Every such cut is found; the cut file still parses in most cases."""
    import yaml
    data = (intact / "calibration" / "multitrap.yaml").read_bytes()
    ends = [i + 1 for i, byte in enumerate(data[:-1]) if byte == ord("\n")]
    parses = 0
    for end in ends[4:]:  # after the four header comment lines: something is left to read
        bad = _damaged_copy(intact, tmp_path, "calibration/multitrap.yaml", lambda d, end=end: d[:end])
        try:
            parses += yaml.safe_load(bad.read_text()) is not None
        except yaml.YAMLError:
            pass
        assert preflight.damage(bad), end
    assert parses > len(ends) // 2  # the cuts a YAML parser alone lets through


def test_a_truncated_workflow_netcdf_is_unreadable_by_xarray_too(intact, tmp_path):
    """The reader agrees with the consumer: what the check calls damaged, xarray cannot read."""
    import xarray as xr
    bad = _damaged_copy(intact, tmp_path, "a.nc", lambda d: d[:len(d) // 2])
    with pytest.raises(Exception):  # noqa: B017 - whatever xarray raises
        xr.open_dataset(bad, engine="scipy").load()
    assert preflight.damage(bad)


# --------------------------------------------------------------------------- one run at a time
_LOCKER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from analysis.workflow import preflight
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


# --------------------------------------------------------------------------- input data
@pytest.fixture
def no_mirror(monkeypatch, tmp_path):
    monkeypatch.delenv(datasets.ENV_MIRROR, raising=False)
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_offline_without_mirror_is_one_message_naming_the_settings(no_mirror, monkeypatch):
    registry = datasets.mnist_registry()
    registry["base_urls"] = ["http://127.0.0.1:9/mnist/"]  # the discard port: refused at once
    monkeypatch.setattr(datasets, "mnist_registry", lambda: registry)
    msg = preflight.data_problem("")
    assert msg is not None
    assert "SYNAPSE_DATA_MIRROR" in msg and "data.mirror" in msg
    assert f"the cache {no_mirror} held 0 of the 4 verified files" in msg
    assert "http://127.0.0.1:9/mnist/train-images-idx3-ubyte.gz" in msg


def test_a_mirror_that_is_not_a_folder_is_named(no_mirror, tmp_path):
    msg = preflight.data_problem(str(tmp_path / "nowhere"))
    assert "data.mirror=" in msg and "nowhere" in msg and "is not a folder" in msg


def test_a_mirror_lacking_files_names_them(no_mirror, tmp_path):
    folder = tmp_path / "mirror"
    folder.mkdir()
    msg = preflight.data_problem(str(folder))
    assert str(folder) in msg and "train-images-idx3-ubyte.gz is missing" in msg
    assert "into the mirror" in msg and "delete" not in msg


@needs_mirror
def test_a_damaged_mirror_file_is_named_with_mirror_advice(no_mirror, tmp_path, monkeypatch):
    folder = tmp_path / "mirror"
    folder.mkdir()
    for gz in MIRROR.glob("*.gz"):
        (folder / gz.name).symlink_to(gz)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\0\0\x08\x01" + b"\0" * 20))
    monkeypatch.setenv(datasets.ENV_MIRROR, str(folder))
    msg = preflight.data_problem("")
    assert "t10k-labels-idx1-ubyte.gz is damaged" in msg and "SYNAPSE_DATA_MIRROR=" in msg
    assert "Put intact copies of these files into the mirror" in msg
    assert "download again" not in msg


@needs_mirror
def test_a_good_mirror_fills_the_cache_and_then_the_cache_suffices(no_mirror):
    assert preflight.data_problem(str(MIRROR)) is None
    assert len(list(no_mirror.glob("*-ubyte"))) == 4
    assert preflight.data_problem("") is None  # no mirror, no network: the verified cache serves


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
