"""Workflow plumbing used by the Snakefile when it starts: config checks and a safe restart.

* :func:`config_errors` — the run settings against ``config/config.yaml``'s schema, one
  line per problem, naming the key or value and what is allowed (Snakemake hands the parsed
  config in; no library module reads the config file).
* :func:`stale_locks` / :func:`live_runs` — a lock left by a killed run is told apart from a
  run still working in the same folder.
* :func:`partial_files` — temporary files of writes that a kill interrupted
  (:func:`analysis.stage_io.atomic_path`), removed before the next run.
* :func:`damaged` — outputs that exist but are truncated or corrupt (a PNG whose chunks do
  not check out, a PDF without its trailer, JSON that does not parse, …), removed so that
  Snakemake rebuilds them.
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

from analysis.stage_io import PARTIAL_MARKER

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


# --------------------------------------------------------------------------- restarts
def live_runs(root: str | os.PathLike, own_pids=()) -> list[int]:
    """PIDs of other Snakemake processes working in the folder *root* (Linux ``/proc``)."""
    root = os.path.realpath(root)
    skip = {os.getpid(), *own_pids}
    pid = os.getpid()  # our own ancestors (make, a shell) are not other runs
    while pid > 1:
        skip.add(pid)
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        pid = int(entry.name)
        if pid in skip:
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.path.realpath(entry / "cwd")
        except OSError:
            continue
        if cwd == root and any(b"snakemake" in part for part in cmd[:3]):
            found.append(pid)
    return sorted(found)


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


__all__ = ["config_errors", "live_runs", "stale_locks", "partial_files", "damaged"]
