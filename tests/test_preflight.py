"""analysis.preflight: config file mistakes named with their line."""
import pytest

from analysis import preflight
from analysis.io import ROOT


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
