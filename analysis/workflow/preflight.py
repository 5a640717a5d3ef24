"""Workflow plumbing used by the Snakefile when it starts: config checks, one run at a time,
damaged outputs and the input data, all before any job runs.

* :func:`config_file_errors` — ``config/config.yaml`` as YAML: a syntax error or an empty file
  named with its file and line (Snakemake's own message names neither).
* :func:`config_errors` — the run settings against ``config/config.yaml``'s schema, one
  line per problem, naming the key or value and what is allowed (Snakemake hands the parsed
  config in; no library module reads the config file).
* :func:`take_run_lock` — an OS lock on ``.snakemake/run.lock``: of two runs started together in
  one checkout exactly one works, the other stops naming its pid; a killed run's lock goes with
  it. :func:`stale_locks` — Snakemake's own locks, then left only by a killed run.
* :func:`partial_files` — temporary files of writes that a kill interrupted
  (:func:`analysis.stage_io.atomic_path`), removed before the next run.
* :func:`damaged` — outputs that exist but do not read as their format, each read by a reader
  of the format (NetCDF library, Pillow, pypdf, json, csv; the calibration YAML as its writer
  writes it), removed so that
  Snakemake rebuilds them.
* :func:`data_problem` — whether the MNIST files can be obtained (cache, mirror or download),
  checked before the first job rather than when the data job runs.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from analysis.stage_io import PARTIAL_MARKER, resolve

# --------------------------------------------------------------------------- config


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the top level"


def _message(err) -> str:
    where = _where(err.absolute_path)
    v = err.validator
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        keys = ", ".join(repr(k) for k in extra)
        return (f"unknown key {keys} in {where} of config/config.yaml; "
                f"allowed: {', '.join(allowed) if allowed else 'none (this section takes no settings)'}")
    if v == "enum":
        return (f"{where}={err.instance!r} is not allowed; expected one of "
                f"{', '.join(map(str, err.validator_value))}")
    if v == "type":
        return f"{where}={err.instance!r} has the wrong type; expected {err.validator_value}"
    if v == "required":
        return f"{where} lacks a required key: {err.message.split(' is a required')[0]}"
    if v in ("maxProperties",) and err.validator_value == 0:
        return f"{where} takes no settings; remove {', '.join(map(repr, err.instance))}"
    description = err.schema.get("description")
    return f"{where}={err.instance!r}: {err.message}" + (f" ({description})" if description else "")


def config_errors(config: dict, schema: dict, n_labels) -> list[str]:
    """Every problem of *config* against *schema*, one line each (empty if valid).

    Parameters
    ----------
    config : dict
        The parsed run settings (``config/config.yaml`` plus ``--config`` overrides).
    schema : dict
        The parsed ``config/schema.yaml``; its ``$defs/n_label`` gets ``enum`` = *n_labels*.
    n_labels : sequence of str
        The films the compendium knows (:data:`analysis.physics.dimensionality.N_VALUES`).


    Examples
    --------
    >>> schema = {"type": "object", "additionalProperties": False,
    ...           "properties": {"n_values": {"type": "array", "items": {"$ref": "#/$defs/n_label"}}},
    ...           "$defs": {"n_label": {"type": "string"}}}
    >>> config_errors({"n_values": ["7"]}, schema, ["1", "inf"])
    ["n_values[0]='7' is not allowed; expected one of 1, inf"]
    >>> config_errors({"n_value": ["1"]}, schema, ["1", "inf"])
    ["unknown key 'n_value' in the top level of config/config.yaml; allowed: n_values"]
    """
    import sys

    # jsonschema's optional IRI format checker builds a grammar parser when imported (about a
    # second); the config schema uses no such format, so skip it (as analysis.workflow.runner does).
    sys.modules.setdefault("rfc3987_syntax", None)
    import jsonschema

    schema = json.loads(json.dumps(schema))  # a copy
    schema.setdefault("$defs", {}).setdefault("n_label", {})["enum"] = list(n_labels)
    validator = jsonschema.Draft202012Validator(schema)
    errors = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        # report the most specific cause of an error in a $ref'd or combined schema
        while err.context:
            err = min(err.context, key=lambda e: len(e.schema_path))
        line = _message(err)
        if line not in errors:
            errors.append(line)
    return errors


def config_file_errors(path: str | os.PathLike, label: str | None = None) -> list[str]:
    """Problems of the YAML file *path* as a config file, naming its line (empty if it reads).

    Snakemake's own message for a config file that is not YAML, or that is empty, names neither
    the file nor the line; the workflow reads ``config/config.yaml`` with this first.

    Parameters
    ----------
    path : str or path
        The file.
    label : str, optional
        The name used in the message (default: *path* as given).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = f.write_text("profile: full\\ndata: {mirror: [\\n")
    >>> config_file_errors(f, "c.yaml")[0].startswith("c.yaml, line 3, column 1: YAML syntax error")
    True
    """
    import yaml

    label = label or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [f"{label} does not exist; it holds the run settings (restore it: git checkout -- {label})"]
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[:exc.start].count(b"\n") + 1
        return [f"{label}, line {line}: not UTF-8 text ({exc.reason}); save the file as UTF-8"]
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "not valid YAML"
        context = ""
        if exc.context and exc.context_mark and exc.problem:
            context = f" ({exc.context} at line {exc.context_mark.line + 1})"
        return [f"{label}{where}: YAML syntax error: {what}{context}; indent with spaces and quote "
                "values that hold ': ', '#' or start with '[', '{', '*', '&'"]
    except yaml.YAMLError as exc:
        return [f"{label}: not valid YAML ({exc})"]
    if data is None:
        return [f"{label}, line 1: the file is empty (or only comments); it must map the run "
                "settings (profile, n_values, data, regression, profiles: config/schema.yaml "
                f"describes them; restore it: git checkout -- {label})"]
    if not isinstance(data, dict):
        return [f"{label}, line 1: the top level is a {type(data).__name__}; it must be a mapping "
                "of settings (key: value lines, as in config/schema.yaml)"]
    return []


def stop(lines) -> None:
    """Stop the workflow before anything runs, with one ``error:`` line per problem."""
    if lines:
        for line in lines:
            print(f"error: {line}", file=sys.stderr)  # noqa: T201 - Snakemake's terminal, before its logger
        sys.exit(1)


# --------------------------------------------------------------------------- one run at a time
RUN_LOCK = Path(".snakemake") / "run.lock"
"""The lock file of a checkout (relative to its root): held, with an OS lock, by the one run
working there; the kernel releases it when that run ends, however it ends."""

_HELD: dict[str, int] = {}  # lock file -> open descriptor, kept for the life of the process


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take_run_lock(root: str | os.PathLike, wait_s: float = 3.0) -> int | None:
    """Take the run lock of the checkout *root*, or name the run that holds it.

    The lock is an OS lock (:func:`fcntl.flock`) on ``root/.snakemake/run.lock``, kept until this
    process ends: of two runs started at the same moment exactly one gets it, and a run that is
    killed releases it with its death (nothing stale remains). The holder writes its pid into the
    file.

    Parameters
    ----------
    root : str or path
        The checkout (the folder holding ``Snakefile``).
    wait_s : float, s
        How long a refused run waits for the holder's pid to appear in the file (the holder writes
        it just after taking the lock).

    Returns
    -------
    int or None
        ``None`` if this process now holds the lock (or held it already); otherwise the pid of the
        run holding it (0 if it could not be read within *wait_s*).
    """
    import fcntl

    path = Path(root) / RUN_LOCK
    key = os.path.realpath(path)
    if key in _HELD:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            _HELD[key] = fd
            return None
        try:
            holder = int(os.pread(fd, 32, 0).split()[0])
        except (ValueError, IndexError):
            holder = 0
        if holder and holder != os.getpid() and _pid_alive(holder):
            os.close(fd)
            return holder
        if time.monotonic() > deadline:
            os.close(fd)
            return 0
        time.sleep(0.05)


def stale_locks(root: str | os.PathLike) -> list[Path]:
    """Snakemake's lock files in *root*/.snakemake/locks (left behind only by a killed run)."""
    folder = Path(root) / ".snakemake" / "locks"
    return sorted(folder.glob("*.lock")) if folder.is_dir() else []


def partial_files(folders) -> list[Path]:
    """Temporary files of interrupted atomic writes below *folders*."""
    out = []
    for folder in folders:
        folder = Path(folder)
        if folder.is_dir():
            out.extend(p for p in folder.rglob(f".*{PARTIAL_MARKER}*") if p.is_file())
    return sorted(out)


# --------------------------------------------------------------------------- damaged outputs
# Each output type is read by a reader of its format, as its consumer would read it; a reader
# returns nothing for an intact file and raises for a damaged one.
def _read_netcdf(path: Path) -> None:
    from scipy.io import netcdf_file  # the library xarray's scipy engine reads these files with

    with netcdf_file(path, "r", mmap=False) as nc:
        if not nc.variables:
            msg = "no variables"
            raise ValueError(msg)
        for var in nc.variables.values():
            var.data.tobytes()  # every value (mmap=False: read from the file when opened, not mapped)


def _read_png(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        if image.format != "PNG":
            msg = f"a {image.format} image, not PNG"
            raise ValueError(msg)
        image.verify()  # chunk CRCs up to IEND
    with Image.open(path) as image:
        image.load()  # the whole compressed image stream, decoded


def _pdf_stream(stream) -> None:
    """Decode a PDF stream; a Flate one strictly (pypdf recovers what it can of a damaged
    stream, zlib checks the stream's own Adler-32 checksum)."""
    import io
    import zlib

    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, list) and filters else filters
    if first == "/FlateDecode":
        # the raw (encoded) bytes through pypdf's public writer: dictionary, "stream\n", the
        # bytes, "\nendstream"
        out = io.BytesIO()
        stream.write_to_stream(out)
        raw = out.getvalue().split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
        zlib.decompress(raw)
    stream.get_data()


def _read_pdf(path: Path) -> None:
    from pypdf import PdfReader

    # pypdf reports what it repairs (an object header not where the cross-reference table says,
    # …) as log warnings and reads on: for a file the workflow wrote, any such repair is damage.
    repairs = _Collect()
    log = logging.getLogger("pypdf")
    log.addHandler(repairs)
    propagate, log.propagate = log.propagate, False
    try:
        _walk_pdf(PdfReader(path, strict=True))
    finally:
        log.removeHandler(repairs)
        log.propagate = propagate
    if repairs.messages:
        raise ValueError(f"pypdf had to repair it: {repairs.messages[0]}")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _walk_pdf(reader) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if not len(reader.pages):
        msg = "no pages"
        raise ValueError(msg)
    # every object the document reaches from its trailer, every stream decoded
    seen, todo = set(), [reader.trailer]
    while todo:
        obj = todo.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            resolved = obj.get_object()
            if resolved is None:
                msg = f"object {obj.idnum} {obj.generation} R cannot be read"
                raise ValueError(msg)
            todo.append(resolved)
        elif isinstance(obj, StreamObject):
            _pdf_stream(obj)
            todo.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, DictionaryObject):
            todo.extend(v for k, v in obj.items() if k != "/Parent")
        elif isinstance(obj, ArrayObject):
            todo.extend(obj)


def _read_json(path: Path) -> None:
    json.loads(path.read_bytes().decode("utf-8"))


def _read_notebook(path: Path) -> None:
    nb = json.loads(path.read_bytes().decode("utf-8"))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or "nbformat" not in nb:
        msg = "not a notebook (no 'cells' list or 'nbformat')"
        raise ValueError(msg)


def _read_csv(path: Path) -> None:
    import csv
    import io

    text = path.read_bytes().decode("utf-8")
    if not text.endswith("\n"):
        msg = "the last line is incomplete"
        raise ValueError(msg)
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not rows or not rows[0]:
        msg = "no header row"
        raise ValueError(msg)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            msg = f"line {number} has {len(row)} fields, the header {len(rows[0])}"
            raise ValueError(msg)


def _read_html(path: Path) -> None:
    # html.parser accepts any text (HTML has no syntax errors, only repairs), so what a reader can
    # tell is the encoding and whether the document reaches its end: its closing </html> tag.
    import re

    text = path.read_bytes().decode("utf-8")
    if not re.search(r"</html\s*>\s*(<!--.*?-->\s*)*\Z", text[-4096:], re.IGNORECASE | re.DOTALL):
        msg = "no closing </html> tag at the end: the document is cut short"
        raise ValueError(msg)


def calibration_readers() -> dict:
    """Device model (:data:`analysis.physics.models.MODELS`) -> the check that reads its
    calibration file back as its calibrate stage writes it (a test keeps the two in step)."""
    from analysis.evidence.calibration import file_problem as multitrap_problem
    from analysis.physics.dd_calibration import file_problem as driftdiffusion_problem
    return {"multitrap": multitrap_problem, "driftdiffusion": driftdiffusion_problem}


def calibration_file_problem(path: Path) -> str | None:
    """Why the calibration file *path* (``<results>/calibration/<model>.yaml``) is not what its
    model's writer writes (each model reads its own file back), or ``None``."""
    from analysis.physics.models import MODELS
    checks = calibration_readers()
    if path.stem not in MODELS:
        return f"no device model writes a calibration file named {path.name} (models: {', '.join(MODELS)})"
    return checks[path.stem](path)


def _read_yaml(path: Path) -> None:
    # A calibration file (<results>/calibration/<model>.yaml, the only YAML outputs) is read back as
    # its model's writer writes it: YAML has no end marker, and a calibration cut short still parses.
    import yaml

    if path.parent.name == "calibration":
        problem = calibration_file_problem(path)
        if problem:
            raise ValueError(problem)
    elif yaml.safe_load(path.read_bytes().decode("utf-8")) is None:
        msg = "no content"
        raise ValueError(msg)


READERS = {".nc": ("NetCDF", _read_netcdf), ".png": ("PNG", _read_png), ".pdf": ("PDF", _read_pdf),
           ".json": ("JSON", _read_json), ".ipynb": ("notebook", _read_notebook),
           ".csv": ("CSV", _read_csv), ".html": ("HTML", _read_html), ".yaml": ("YAML", _read_yaml)}
"""Suffix -> (format, reader) of :func:`damage`; any other file is checked for being non-empty."""


def damage(path: str | os.PathLike) -> str | None:
    """Why the existing file *path* cannot be read as its format, or ``None`` if it reads.

    Each type is read by a reader of its format, as its consumer reads it: NetCDF by the NetCDF
    library (:class:`scipy.io.netcdf_file`, which xarray's scipy engine uses), every variable
    read; PNG by Pillow (``verify()`` of every chunk, then the whole image decoded); PDF by
    pypdf (strict cross-reference table and trailer, every object reachable from the trailer
    read and every stream decoded, Flate streams against their checksum); JSON and notebooks by
    :mod:`json`; CSV by :mod:`csv`
    (complete last line, as many fields in every row as in the header); HTML as UTF-8 text that
    ends with its closing ``</html>`` tag (an HTML parser accepts any text, so nothing more can
    be read from it); a calibration YAML read back and written again as its model's calibrate stage
    writes it (:func:`calibration_file_problem`). Text must be UTF-8. Other
    files must be non-empty.
    """
    path = Path(path)
    size = path.stat().st_size
    kind, reader = READERS.get(path.suffix.lower(), ("file", None))
    if size == 0:
        return f"{kind}: the file is empty"
    if reader is None:
        return None
    try:
        reader(path)
    except Exception as exc:  # noqa: BLE001 - any failure of the format's reader is damage
        text = str(exc).strip().splitlines()
        return f"{kind}: {type(exc).__name__}: {text[0] if text else 'unreadable'}"
    return None


def damaged(paths) -> dict[Path, str]:
    """The files among *paths* that exist but do not read as their format (see :func:`damage`).

    Returns
    -------
    dict
        ``path -> reason``, in the order of *paths*; missing files are skipped.
    """
    out = {}
    for path in map(Path, paths):
        if path.is_file():
            reason = damage(path)
            if reason:
                out[path] = reason
    return out


# --------------------------------------------------------------------------- input data
def _origin(mirror) -> str:
    from analysis.learning.digits import CONFIG_KEY, ENV_MIRROR

    if mirror not in (None, ""):
        return f"{CONFIG_KEY}={str(mirror)!r} (config/config.yaml)"
    return f"{ENV_MIRROR}={os.environ.get(ENV_MIRROR)!r}"


def _reachable(urls, timeout_s: float) -> tuple[bool, list[str]]:
    import urllib.error
    import urllib.request

    errors = []
    for url in urls:
        try:
            request = urllib.request.Request(url, method="HEAD")  # noqa: S310 - https addresses of data/mnist.yaml
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
                if response.status < 400:
                    return True, []
                errors.append(f"{url}: HTTP {response.status}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            errors.append(f"{url}: {reason}")
    return False, errors


def data_problem(mirror: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None,
                 timeout_s: float = 10.0) -> str | None:
    """Whether the MNIST files can be obtained, checked before any job runs; one message if not.

    The sources of :func:`analysis.learning.digits.fetch_file`, in its order: the cache (every file
    present with the decompressed SHA-256 of ``data/mnist.yaml``), else the local mirror
    (*mirror*, the workflow's ``data.mirror``, else ``SYNAPSE_DATA_MIRROR``): each missing file
    is decompressed from it and verified into the cache now, as the ``data`` job would; else the
    download addresses must answer (an HTTP ``HEAD`` request, *timeout_s* each).

    Parameters
    ----------
    mirror : str or path, optional
        The mirror folder set in the config (``""`` = unset).
    cache_dir : str or path, optional
        The cache folder (default :func:`analysis.learning.digits.default_cache_dir`).
    timeout_s : float, s
        Time allowed for each download address to answer.

    Returns
    -------
    str or None
        ``None`` if every file can be obtained; else one message naming what was found and
        what to do, fitting the source (mirror, cache or download).
    """
    from analysis.learning import digits as datasets

    registry = datasets.mnist_registry()
    names = list(registry["files"])
    cache = Path(cache_dir) if cache_dir else datasets.default_cache_dir()
    missing, bad_cache = [], []
    for name, entry in registry["files"].items():
        cached = cache / name[:-3]
        if cached.is_file() and datasets.sha256_file(cached) == entry["idx_sha256"]:
            continue
        missing.append(name)
        if cached.is_file():
            bad_cache.append(cached.name)
    if not missing:
        return None
    in_cache = (f"the cache {cache} held {len(names) - len(missing)} of the {len(names)} verified files"
                + (f" ({', '.join(bad_cache)} with a wrong digest)" if bad_cache else ""))
    how_to_set = (f"set {datasets.ENV_MIRROR}=DIR, or `data: {{mirror: DIR}}` in config/config.yaml, "
                  f"to a folder holding the four MNIST .gz files ({', '.join(names)})")
    try:
        mirror_dir = datasets.resolve_mirror(mirror)
    except FileNotFoundError:
        chosen = mirror if mirror not in (None, "") else os.environ.get(datasets.ENV_MIRROR)
        return (f"the MNIST data mirror {_origin(mirror)} is not a folder ({resolve(chosen)}); "
                f"{in_cache}. Point it to a folder holding the four MNIST .gz files "
                f"({', '.join(names)}), or unset it to download them (needs network access)")
    if mirror_dir is not None:
        problems = []
        for name in missing:
            src = mirror_dir / name
            if not src.is_file():
                problems.append(f"{name} is missing")
                continue
            try:
                datasets.decompress_verified(src, cache / name[:-3], registry["files"][name]["idx_sha256"])
            except datasets.DataIntegrityError as exc:
                detail = str(exc).split("failed verification: ", 1)[-1].split(". The file was not used")[0]
                problems.append(f"{name} is damaged ({detail})")
        if not problems:
            return None
        return (f"the MNIST data mirror {mirror_dir} ({_origin(mirror)}) cannot provide the data: "
                f"{'; '.join(problems)}; {in_cache}. Put intact copies of these files into the mirror "
                f"(the canonical downloads are listed in data/mnist.yaml), point {datasets.ENV_MIRROR} / "
                f"`{datasets.CONFIG_KEY}` to another folder, or unset both to download (needs network access)")
    urls = [base + missing[0] for base in registry["base_urls"]]
    ok, errors = _reachable(urls, timeout_s)
    if ok:
        return None
    return (f"the MNIST data cannot be obtained: {in_cache}, no local mirror is set "
            f"({datasets.ENV_MIRROR} is unset and `{datasets.CONFIG_KEY}` in config/config.yaml is empty) "
            f"and the download addresses do not answer ({'; '.join(errors)}). Without network access, "
            f"{how_to_set}")


__all__ = ["config_errors", "config_file_errors", "stop", "take_run_lock", "RUN_LOCK", "stale_locks",
           "partial_files", "damage", "damaged", "READERS", "data_problem"]
