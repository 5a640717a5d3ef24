"""Tests of analysis.learning.digits: registry, mirror, verification, IDX parsing, loaders."""
from __future__ import annotations

import gzip
import shutil
import struct
import urllib.request
from pathlib import Path

import numpy as np
import pooch
import pytest

from analysis.learning import digits as datasets
from analysis.stage_io import ROOT

MIRROR = (ROOT / ".." / "shared" / "data" / "mnist").resolve()
LABELS = "t10k-labels-idx1-ubyte.gz"
needs_mirror = pytest.mark.skipif(not (MIRROR / LABELS).is_file(),
                                  reason=f"local MNIST mirror {MIRROR} is absent")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No ambient mirror/config; cache in tmp; network raises."""
    monkeypatch.delenv(datasets.ENV_MIRROR, raising=False)
    monkeypatch.setenv(datasets.ENV_CACHE, str(tmp_path / "cache"))

    def offline(*args, **kwargs):
        raise ConnectionError("network disabled in tests")

    monkeypatch.setattr(pooch, "retrieve", offline)
    monkeypatch.setattr(urllib.request, "urlopen", offline)


def _idx_bytes(arr: np.ndarray, code: int) -> bytes:
    dt = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[code]
    header = bytes([0, 0, code, arr.ndim]) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return header + arr.astype(dt).tobytes()


def _small_mirror(tmp_path: Path, labels: np.ndarray) -> Path:
    """A mirror folder whose t10k-labels file holds *labels* (registry patched to match)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    raw = _idx_bytes(labels.astype(np.uint8), 0x08)
    with gzip.open(folder / LABELS, "wb") as fh:
        fh.write(raw)
    return folder, raw


def test_registry_has_four_files_with_both_digests():
    reg = datasets.mnist_registry()
    assert len(reg["files"]) == 4
    assert reg["base_urls"][0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    for entry in reg["files"].values():
        assert len(entry["gz_sha256"]) == 64 and len(entry["idx_sha256"]) == 64
        assert entry["gz_sha256"] != entry["idx_sha256"]
    assert "CC BY-SA" in reg["licence"]


def test_parse_idx_synthetic_roundtrip(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / "x-idx3-ubyte"
    path.write_bytes(_idx_bytes(arr, 0x08))
    out = datasets.read_idx(path)
    assert out.shape == (2, 3, 4) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, arr)
    f = np.array([[1.5, -2.25]], dtype=np.float32)
    np.testing.assert_array_equal(datasets.parse_idx(_idx_bytes(f, 0x0D)), f)
    s = np.array([-300, 7], dtype=np.int16)
    np.testing.assert_array_equal(datasets.parse_idx(_idx_bytes(s, 0x0B)), s)


def test_parse_idx_rejects_truncated_and_bad_magic():
    good = _idx_bytes(np.zeros((2, 2), np.uint8), 0x08)
    with pytest.raises(ValueError, match=r"needs 16 bytes; file has 15"):
        datasets.parse_idx(good[:-1], source="t.idx")
    with pytest.raises(ValueError, match="magic number"):
        datasets.parse_idx(b"\x01" + good[1:])
    with pytest.raises(ValueError, match="type code 0x07"):
        datasets.parse_idx(b"\x00\x00\x07\x01" + good[4:])


def test_mirror_works_offline_and_checks_decompressed_digest(tmp_path, monkeypatch):
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    folder, raw = _small_mirror(tmp_path, labels)
    import hashlib
    files = datasets._registry_cached()["files"]
    monkeypatch.setitem(files, LABELS, {**files[LABELS], "idx_sha256": hashlib.sha256(raw).hexdigest()})
    path = datasets.fetch_file(LABELS, mirror=folder)
    np.testing.assert_array_equal(datasets.read_idx(path), labels)
    assert path.parent == tmp_path / "cache"
    # second call: served from the verified cache even with the mirror gone
    shutil.rmtree(folder)
    assert datasets.fetch_file(LABELS) == path


def test_mirror_from_argument_then_environment(tmp_path, monkeypatch):
    folder, other = tmp_path / "m", tmp_path / "o"
    folder.mkdir()
    other.mkdir()
    monkeypatch.setenv(datasets.ENV_MIRROR, str(folder))
    assert datasets.resolve_mirror() == folder
    assert datasets.resolve_mirror(other) == other  # the workflow's data.mirror, as an argument
    monkeypatch.delenv(datasets.ENV_MIRROR)
    assert datasets.resolve_mirror() is None
    assert datasets.resolve_mirror("") is None
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        datasets.resolve_mirror(mirror=tmp_path / "absent")


def test_missing_data_message_names_the_mirror_settings(tmp_path):
    with pytest.raises(datasets.DataUnavailableError) as info:
        datasets.fetch_file(LABELS)
    msg = str(info.value)
    assert "SYNAPSE_DATA_MIRROR" in msg and "data.mirror" in msg
    assert "network disabled" in msg
    cache = tmp_path / "cache"
    assert not cache.exists() or not list(cache.iterdir())


@needs_mirror
def test_flipped_byte_in_mirror_copy_is_caught(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    data = bytearray((MIRROR / LABELS).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / LABELS).write_bytes(bytes(data))
    expected = datasets.mnist_registry()["files"][LABELS]["idx_sha256"]
    with pytest.raises(datasets.DataIntegrityError) as info:
        datasets.fetch_file(LABELS, mirror=folder)
    msg = str(info.value)
    assert LABELS in msg and expected in msg and "actual" in msg
    # advice that fits a mirror: deleting the file there would not download it again
    assert "replace it in the mirror" in msg and "download again" not in msg
    assert not list((tmp_path / "cache").iterdir())  # nothing (not even a .part) left behind


@needs_mirror
def test_wrong_content_with_valid_gzip_is_caught(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    raw = bytearray(gzip.decompress((MIRROR / LABELS).read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # a different label, still valid gzip and IDX
    (folder / LABELS).write_bytes(gzip.compress(bytes(raw)))
    import hashlib
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    with pytest.raises(datasets.DataIntegrityError, match=f"actual {actual}"):
        datasets.fetch_file(LABELS, mirror=folder)
    assert not list((tmp_path / "cache").iterdir())


@needs_mirror
def test_truncated_mirror_file_is_caught(tmp_path):
    folder = tmp_path / "short"
    folder.mkdir()
    data = (MIRROR / LABELS).read_bytes()
    (folder / LABELS).write_bytes(data[: len(data) // 2])
    with pytest.raises(datasets.DataIntegrityError, match="corrupt or truncated"):
        datasets.fetch_file(LABELS, mirror=folder)


@needs_mirror
def test_corrupted_cache_file_is_replaced(tmp_path):
    path = datasets.fetch_file(LABELS, mirror=MIRROR)
    path.write_bytes(b"garbage")
    again = datasets.fetch_file(LABELS, mirror=MIRROR)
    assert datasets.sha256_file(again) == datasets.mnist_registry()["files"][LABELS]["idx_sha256"]


@needs_mirror
def test_real_mirror_loads_full_mnist_offline():
    x_tr, y_tr, x_te, y_te = datasets.load_mnist(mirror=MIRROR)
    assert x_tr.shape == (60000, 784) and x_te.shape == (10000, 784)
    assert y_tr.shape == (60000,) and y_te.shape == (10000,)
    assert x_tr.dtype == np.float32 and 0.0 <= x_tr.min() and x_tr.max() == 1.0
    assert set(np.unique(y_te)) == set(range(10))
    assert y_tr[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    sub = datasets.load_mnist(n_train=100, n_test=10, mirror=MIRROR)
    assert sub[0].shape == (100, 784) and sub[3].shape == (10,)
    with pytest.raises(ValueError, match=r"n_test=0 must be an integer in 1…10000"):
        datasets.load_mnist(n_test=0, mirror=MIRROR)


def test_digits_8x8_split_is_deterministic():
    a = datasets.load_digits_8x8()
    b = datasets.load_digits_8x8()
    assert a[0].shape == (1257, 64) and a[2].shape == (540, 64)
    assert a[0].dtype == np.float32 and a[0].max() == 1.0
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert np.bincount(a[3]).min() >= 50  # stratified: every class in the test set
    with pytest.raises(ValueError, match="test_fraction=1.5"):
        datasets.load_digits_8x8(test_fraction=1.5)


def test_cli_fetch_without_data_fails_with_message(capsys):
    assert datasets.main(["fetch"]) == 1
    assert "SYNAPSE_DATA_MIRROR" in capsys.readouterr().err
