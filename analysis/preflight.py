"""Workflow plumbing used by the Snakefile when it starts: config checks and a safe restart.

* :func:`config_file_errors` — ``config/config.yaml`` as YAML: a syntax error or an empty file
  named with its file and line (Snakemake's own message names neither).
* :func:`config_errors` — the run settings against ``config/config.yaml``'s schema, one
  line per problem, naming the key or value and what is allowed (Snakemake hands the parsed
  config in; no library module reads the config file).
* :func:`take_run_lock` — an OS lock on ``.snakemake/run.lock``: of two runs started together in
  one checkout exactly one works, the other stops naming its pid; a killed run's lock goes with
  it. :func:`stale_locks` — Snakemake's own locks, then left only by a killed run.
* :func:`partial_files` — temporary files of writes that a kill interrupted
  (:func:`analysis.io.atomic_path`), removed before the next run.
* :func:`damaged` — outputs that exist but are truncated or corrupt (a PNG whose chunks do
  not check out, a PDF without its trailer, JSON that does not parse, …), removed so that
  Snakemake rebuilds them.
"""
from __future__ import annotations

import json
import os
import struct
import sys
import time
import zlib
from pathlib import Path

from .io import PARTIAL_MARKER

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
        The films the compendium knows (:data:`analysis.dimensionality.N_VALUES`).

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
    # second); the config schema uses no such format, so skip it (as analysis.runner does).
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
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_ok(data: bytes) -> bool:
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            return False
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(data[pos + 4:end - 4]) & 0xFFFFFFFF != crc:
            return False
        if kind == b"IEND":
            return True
        pos = end
    return False


def _json_ok(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


_CHECKS = {
    ".png": _png_ok,
    ".pdf": lambda d: d.startswith(b"%PDF-") and b"%%EOF" in d[-1024:],
    ".json": _json_ok,
    ".ipynb": _json_ok,
    ".nc": lambda d: d[:3] == b"CDF" and len(d) > 32,
    ".html": lambda d: b"</html>" in d[-4096:].lower(),
    ".csv": lambda d: len(d) > 0 and d.endswith(b"\n"),
}


def damaged(paths) -> list[Path]:
    """The files among *paths* that exist but are empty, truncated or corrupt.

    Checked by type: PNG (signature, every chunk's CRC, the IEND chunk), PDF (header and
    ``%%EOF`` trailer), JSON and notebooks (parse), NetCDF (classic header), HTML (closing
    tag), CSV (complete last line). Other types are checked for being non-empty only.
    """
    out = []
    for path in map(Path, paths):
        if not path.is_file():
            continue
        data = path.read_bytes()
        check = _CHECKS.get(path.suffix.lower(), lambda d: len(d) > 0)
        if not data or not check(data):
            out.append(path)
    return out


__all__ = ["config_errors", "config_file_errors", "stop", "take_run_lock", "RUN_LOCK", "stale_locks", "partial_files", "damaged"]
