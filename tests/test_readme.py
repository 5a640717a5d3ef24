"""The README stays a five-minute read whose statements cannot drift from a run.

Numbers that a run produces (claim counts, verdicts, run times, accuracies) are not typed into
README.md: the report generates them. The README links the longer documents, and defines the
outcomes with the same names as the code.
"""
import re

from analysis.evidence import claims
from analysis.stage_io import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PROSE = re.sub(r"```.*?```", "", README, flags=re.S)   # (commands in code blocks are not prose)

RUN_NUMBERS = [
    (r"\b\d+ (?:claims|predictions|findings)\b", "a claim count"),
    (r"\b\d+(?:\.\d+)? ?%", "a percentage (accuracy, robustness)"),
    (r"\b\d+(?:\.\d+)? ?(?:s|min|ms|h)\b(?! *\[)", "a run time"),
    (r"\b\d+ (?:hold|fail|depend)", "a verdict count"),
    (r"\b\d+ of \d+\b", "a tally"),
]


def test_the_readme_types_no_number_a_run_produces():
    found = [(what, m.group(0)) for pattern, what in RUN_NUMBERS for m in re.finditer(pattern, PROSE)]
    assert found == [], f"run numbers typed into README.md (the report generates them): {found}"


def test_the_readme_is_a_five_minute_read():
    words = len(re.findall(r"\w+", PROSE))
    assert words <= 1000, f"README.md has {words} words of prose; move detail into docs/"


def test_the_readme_names_the_commands_prerequisites_and_outputs():
    for needed in ("make figures", "make test", "Python ≥ 3.11", "PyPI", "SYNAPSE_DATA_MIRROR",
                   "results/report/index.html", "figures/", "PROFILE=quick", "--dry-run",
                   "LAB_ARGS=--allow-root", "`paper`"):
        assert needed in README, f"README.md does not mention {needed!r}"


def test_every_document_the_readme_links_exists_or_is_announced():
    links = re.findall(r"\]\((docs/[\w.-]+\.md|[\w.-]+\.md)\)", README)
    assert "docs/workflow.md" in links and "docs/findings.md" in links
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert missing == [], f"README.md links missing documents: {missing}"


def test_the_readme_defines_every_outcome_by_the_codes_name():
    for outcome in claims.OUTCOME_MEANINGS:
        assert f"**{outcome}**" in README, f"README.md does not define the outcome {outcome!r}"


def test_known_stale_statements_are_gone_from_readme_and_docs():
    texts = [README] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))]
    for text in texts:
        assert "113 claims" not in text
        assert "reruns only the report" not in text
