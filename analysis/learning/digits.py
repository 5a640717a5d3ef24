"""Handwritten-digit data sets: MNIST (28 × 28) and the UCI 8 × 8 digits.

MNIST
-----
The four IDX files are described in ``data/mnist.yaml`` (file names, canonical
download addresses, the published SHA-256 of each ``.gz`` download, the SHA-256
of each *decompressed* IDX file, source and licence).  A file is obtained from

1. the verified cache (``SYNAPSE_DATA_CACHE`` or ``<repo>/.cache/mnist``), else
2. a **local mirror** folder holding the four ``.gz`` files, when one is set
   (``mirror`` argument — the workflow passes ``data.mirror`` of ``config/config.yaml`` —
   else the ``SYNAPSE_DATA_MIRROR`` environment variable); relative mirror paths
   are relative to the repository root.  Mirror ``.gz`` wrappers may differ from
   the canonical ones, so for them only the decompressed digest is checked;
3. otherwise the canonical URLs, through :mod:`pooch` (the ``.gz`` digest is
   checked by pooch, then the decompressed digest by this module).

The decompressed content is always verified.  Every download and decompression
goes to a temporary file next to its destination, is verified, and only then
renamed into place, so a corrupted or truncated file never enters the cache.
IDX files are parsed with numpy only (no pickle anywhere).

The 8 × 8 digits
----------------
:func:`load_digits_8x8` uses :func:`sklearn.datasets.load_digits` (the test part
of the UCI "Optical Recognition of Handwritten Digits" set, 1,797 images of
8 × 8 pixels with values 0…16) and splits it deterministically with a stratified
split (default 30 % test, ``random_state=0`` → 1,257 train / 540 test).

Command line
------------
``python -m analysis.learning.digits fetch [--mirror DIR] [--cache DIR]`` prefetches and
verifies all MNIST files.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import hashlib
import logging
import os
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

from analysis.stage_io import ROOT, resolve
from analysis.parameters import load_yaml

log = logging.getLogger(__name__)

ENV_MIRROR = "SYNAPSE_DATA_MIRROR"
"""Environment variable naming a local folder with the four MNIST ``.gz`` files."""
ENV_CACHE = "SYNAPSE_DATA_CACHE"
"""Environment variable naming the cache folder of verified, decompressed files."""
CONFIG_KEY = "data.mirror"
"""The workflow's run setting naming the local mirror (``config/config.yaml``, ``data: {mirror: DIR}``);
Snakemake passes it in as the *mirror* argument, so this module never reads the config."""

_CHUNK = 1 << 20
# IDX element type codes (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataUnavailableError(OSError):
    """The data could be obtained neither from the cache, a mirror nor the network."""


class DataIntegrityError(ValueError):
    """A file's content does not have the expected SHA-256 digest."""


# --------------------------------------------------------------------------- registry
@functools.lru_cache(maxsize=None)
def _registry_cached() -> dict:
    reg = load_yaml("mnist.yaml")
    if not isinstance(reg, dict) or "files" not in reg or "base_urls" not in reg:
        msg = "data/mnist.yaml must map 'files' and 'base_urls' (see its header)"
        raise ValueError(msg)
    return reg


def mnist_registry() -> dict:
    """The MNIST registry of ``data/mnist.yaml`` (a copy).

    Returns
    -------
    dict
        ``base_urls`` (list of str), ``files`` (name -> ``{role, gz_sha256,
        idx_sha256, shape}``), ``licence``, ``citation``, ``source``.
    """
    reg = _registry_cached()
    return {**reg, "files": {k: dict(v) for k, v in reg["files"].items()},
            "base_urls": list(reg["base_urls"])}


def _entry(name: str) -> dict:
    files = _registry_cached()["files"]
    if name not in files:
        msg = f"file name={name!r} is not in data/mnist.yaml; expected one of {sorted(files)}"
        raise ValueError(msg)
    return files[name]


# --------------------------------------------------------------------------- locations
def default_cache_dir() -> Path:
    """Cache folder: ``$SYNAPSE_DATA_CACHE`` or ``<repo>/.cache/mnist`` (git-ignored)."""
    env = os.environ.get(ENV_CACHE)
    return resolve(env) if env else ROOT / ".cache" / "mnist"


def resolve_mirror(mirror: str | os.PathLike | None = None) -> Path | None:
    """The local mirror folder to use, or ``None`` for the network.

    Parameters
    ----------
    mirror : str or path, optional
        Explicit mirror folder (takes precedence); ``""`` counts as unset.

    Returns
    -------
    pathlib.Path or None
        Absolute folder (relative paths are taken from the repository root).

    Raises
    ------
    FileNotFoundError
        If a mirror is set but is not a folder.
    """
    chosen, how = None, None
    for value, origin in ((mirror, "argument mirror"), (os.environ.get(ENV_MIRROR), ENV_MIRROR)):
        if value not in (None, ""):
            chosen, how = value, origin
            break
    if chosen is None:
        return None
    path = resolve(chosen)
    if not path.is_dir():
        msg = (f"data mirror {how}={str(chosen)!r} -> {path} is not a folder; it must hold the "
               f"MNIST .gz files {', '.join(_registry_cached()['files'])}")
        raise FileNotFoundError(msg)
    return path


# --------------------------------------------------------------------------- verification
def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def _temporary(dest: Path):
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    try:
        yield Path(tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def decompress_verified(gz_path: str | os.PathLike, dest: str | os.PathLike, expected_sha256: str,
                        advice: str = "replace it with an intact copy") -> Path:
    """Decompress *gz_path* to *dest*, keeping it only if its SHA-256 matches.

    The bytes go to a temporary file next to *dest*, hashed on the way; the file is
    renamed onto *dest* only when the digest equals *expected_sha256*. *advice* ends the
    error message: what to do, which depends on where the file came from (mirror, download).

    Raises
    ------
    DataIntegrityError
        Naming the file, the expected and the actual digest of the decompressed
        bytes (for a corrupt or truncated gzip stream, the digest of what could
        be decompressed, and the gzip error).
    """
    gz_path, dest = Path(gz_path), Path(dest)
    h = hashlib.sha256()
    problem = ""
    with _temporary(dest) as tmp:
        try:
            with gzip.open(gz_path, "rb") as src, open(tmp, "wb") as out:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    h.update(chunk)
                    out.write(chunk)
        except (OSError, EOFError, zlib.error) as exc:
            problem = f"; the gzip stream is corrupt or truncated ({type(exc).__name__}: {exc})"
        actual = h.hexdigest()
        if problem or actual != expected_sha256:
            msg = (f"MNIST file {gz_path} failed verification: decompressed SHA-256 expected "
                   f"{expected_sha256}, actual {actual}{problem}. The file was not used; {advice}.")
            raise DataIntegrityError(msg)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    return dest


# --------------------------------------------------------------------------- fetching
def _missing_data_message(name: str, errors: list[str]) -> str:
    return (f"cannot obtain MNIST file {name}: no local mirror is set and the download failed "
            f"({'; '.join(errors) or 'no URL tried'}). Without network access, point the compendium "
            f"to a folder holding the four MNIST .gz files: set the environment variable "
            f"{ENV_MIRROR}=DIR (e.g. {ENV_MIRROR}=../shared/data/mnist), or the config key "
            f"`{CONFIG_KEY}` in config/config.yaml (data: {{mirror: DIR}}), or pass "
            f"--mirror DIR to `python -m analysis.learning.digits fetch`.")


def _download(name: str, cache: Path) -> Path:
    """Download the canonical ``.gz`` with pooch (checks the published .gz digest)."""
    import pooch

    entry = _entry(name)
    errors = []
    for base in _registry_cached()["base_urls"]:
        url = base + name
        try:
            path = pooch.retrieve(url, known_hash=f"sha256:{entry['gz_sha256']}", fname=name,
                                  path=cache, progressbar=False)
            return Path(path)
        except Exception as exc:  # noqa: BLE001 - any failure: try the next mirror
            log.warning("download of %s failed: %s: %s", url, type(exc).__name__, exc)
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
    raise DataUnavailableError(_missing_data_message(name, errors))


def fetch_file(name: str, mirror: str | os.PathLike | None = None,
               cache_dir: str | os.PathLike | None = None) -> Path:
    """Path of the verified, decompressed IDX file for the registry entry *name*.

    Parameters
    ----------
    name : str
        A ``.gz`` file name of ``data/mnist.yaml`` (e.g. ``"train-images-idx3-ubyte.gz"``).
    mirror : str or path, optional
        Local mirror folder (see :func:`resolve_mirror`).
    cache_dir : str or path, optional
        Cache folder (default :func:`default_cache_dir`).

    Raises
    ------
    DataIntegrityError
        If the (mirror or downloaded) file does not decompress to the expected bytes.
    DataUnavailableError
        If no mirror is set and the download fails; the message says how to set one.
    FileNotFoundError
        If the mirror lacks the file.
    """
    entry = _entry(name)
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    dest = cache / name[:-3]
    if dest.is_file():
        actual = sha256_file(dest)
        if actual == entry["idx_sha256"]:
            return dest
        log.warning("cached %s has SHA-256 %s, expected %s: removing it and fetching again",
                    dest, actual, entry["idx_sha256"])
        dest.unlink()
    mirror_dir = resolve_mirror(mirror)
    if mirror_dir is not None:
        src = mirror_dir / name
        if not src.is_file():
            msg = f"data mirror {mirror_dir} lacks {name}; it must hold all of {', '.join(_registry_cached()['files'])}"
            raise FileNotFoundError(msg)
        log.info("decompressing %s from the mirror %s", name, mirror_dir)
        return decompress_verified(src, dest, entry["idx_sha256"],
                                   f"replace it in the mirror with an intact copy (data/mnist.yaml lists the "
                                   f"canonical downloads), or unset {ENV_MIRROR} and `{CONFIG_KEY}` to download it")
    gz = _download(name, cache)
    try:
        return decompress_verified(gz, dest, entry["idx_sha256"],
                                   "the download was corrupt (it has been deleted); run again to download it again")
    finally:
        with contextlib.suppress(FileNotFoundError):
            gz.unlink()


def fetch_mnist(mirror: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Fetch and verify all four MNIST files; ``role -> path`` of the IDX files."""
    files = _registry_cached()["files"]
    return {entry["role"]: fetch_file(name, mirror, cache_dir) for name, entry in files.items()}


# --------------------------------------------------------------------------- IDX
def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file into a numpy array (native byte order).

    Parameters
    ----------
    data : bytes
        The whole IDX file: two zero bytes, a type code, the number of dimensions,
        big-endian uint32 sizes, then the big-endian elements.
    source : str
        Name used in error messages.

    Raises
    ------
    ValueError
        Naming *source* when the header is invalid or the length does not match.
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        msg = f"IDX file {source}: magic number must start with two zero bytes; got {data[:4]!r}"
        raise ValueError(msg)
    code, ndim = data[2], data[3]
    if code not in _IDX_DTYPES:
        msg = (f"IDX file {source}: element type code 0x{code:02X} is not one of "
               f"{', '.join(f'0x{c:02X}' for c in _IDX_DTYPES)}")
        raise ValueError(msg)
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        msg = f"IDX file {source}: {ndim} dimensions need a {header}-byte header; file has {len(data)} bytes"
        raise ValueError(msg)
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        msg = (f"IDX file {source}: shape {shape} of {dtype} needs {expected} bytes; "
               f"file has {len(data)} bytes")
        raise ValueError(msg)
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an (uncompressed) IDX file with :func:`parse_idx`."""
    path = Path(path)
    return parse_idx(path.read_bytes(), source=str(path))


# --------------------------------------------------------------------------- loaders
def _check_count(name: str, value, available: int) -> int:
    if value is None:
        return available
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= available:
        msg = f"{name}={value!r} must be an integer in 1…{available} (number of samples)"
        raise ValueError(msg)
    return int(value)


def load_mnist(n_train: int | None = None, n_test: int | None = None,
               mirror: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None):
    """MNIST as flattened float32 images.

    Parameters
    ----------
    n_train, n_test : int, optional
        Use the first *n* images of the training (60,000) / test (10,000) set;
        default all.
    mirror, cache_dir
        See :func:`fetch_file`.

    Returns
    -------
    x_train : numpy.ndarray, float32, shape (n_train, 784), 1
        Pixel intensities scaled to [0, 1].
    y_train : numpy.ndarray, int64, shape (n_train,)
        Labels 0…9.
    x_test, y_test
        Likewise for the test set.
    """
    paths = fetch_mnist(mirror, cache_dir)
    out = []
    for split, n_value, n_name in (("train", n_train, "n_train"), ("test", n_test, "n_test")):
        images = read_idx(paths[f"{split}_images"])
        labels = read_idx(paths[f"{split}_labels"])
        n = _check_count(n_name, n_value, images.shape[0])
        out.append((images[:n].reshape(n, -1).astype(np.float32) / np.float32(255.0)))
        out.append(labels[:n].astype(np.int64))
    return tuple(out)


def load_digits_8x8(test_fraction: float = 0.3, random_state: int = 0):
    """The 8 × 8 UCI digits (scikit-learn), split deterministically.

    Parameters
    ----------
    test_fraction : float, 1
        Fraction of the 1,797 images held out for testing, stratified by class
        (default 0.3 → 1,257 train / 540 test).
    random_state : int
        Seed of the stratified split (:func:`sklearn.model_selection.train_test_split`).

    Returns
    -------
    x_train, y_train, x_test, y_test
        Images flattened to 64 float32 values in [0, 1] (pixel value / 16) and int64 labels.
    """
    if not 0.0 < float(test_fraction) < 1.0:
        msg = f"test_fraction={test_fraction!r} must be in (0, 1) (fraction of images held out)"
        raise ValueError(msg)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_fraction, stratify=y,
                                              random_state=random_state, shuffle=True)
    return x_tr, y_tr, x_te, y_te


# --------------------------------------------------------------------------- CLI
def main(argv=None) -> int:
    """``python -m analysis.learning.digits fetch [--mirror DIR] [--cache DIR] [--manifest FILE]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    ap = argparse.ArgumentParser(prog="python -m analysis.learning.digits",
                                 description="Fetch and verify the MNIST files.")
    sub = ap.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="fetch and verify all data")
    fetch.add_argument("--mirror", help=f"local folder with the .gz files (the workflow passes "
                                        f"config key {CONFIG_KEY}; default ${ENV_MIRROR}; else download)")
    fetch.add_argument("--cache", help=f"cache folder (default ${ENV_CACHE} or .cache/mnist)")
    fetch.add_argument("--manifest", help="write a JSON list of the verified files and digests here")
    args = ap.parse_args(argv)
    try:
        paths = fetch_mnist(args.mirror, args.cache)
    except (DataUnavailableError, DataIntegrityError, FileNotFoundError, ValueError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    for role, path in paths.items():
        log.info("%s: %s verified", role, path)
    from sklearn.datasets import load_digits
    n_digits = load_digits().data.shape[0]
    log.info("8x8 digits: %d images (bundled with scikit-learn)", n_digits)
    if args.manifest:
        from analysis.stage_io import write_json
        registry = _registry_cached()["files"]
        write_json({"mnist": {role: {"file": Path(path).name,
                                     "sha256": registry[_gz_name(role, registry)]["idx_sha256"]}
                              for role, path in paths.items()},
                    "digits_8x8": {"images": n_digits, "source": "sklearn.datasets.load_digits"}},
                   args.manifest)
    return 0


def _gz_name(role: str, registry: dict) -> str:
    return next(name for name, entry in registry.items() if entry["role"] == role)


if __name__ == "__main__":
    sys.exit(main())
