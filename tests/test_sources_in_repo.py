"""Every source the repository cites is inside it (issue 18 item 7): no tracked file points a
reader to a path outside the repository, and the literature notes it cites exist."""
import re
import subprocess

from analysis.stage_io import ROOT

OUTSIDE = re.compile(r"\.\./shared/[^\s`'\")]*")
MIRROR = "../" + "shared/data/mnist"
"""The one allowed mention: the optional local MNIST mirror beside a checkout (a place the data
may be found, never a source; data/mnist.yaml records the digests)."""


def _tracked_text_files():
    proc = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=False)
    if proc.returncode == 0:
        paths = [ROOT / line for line in proc.stdout.splitlines()]
    else:   # an exported tree without git: every file outside generated folders
        skip = {".git", ".venv", "results", "figures", "logs", ".snakemake", ".cache"}
        paths = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    for path in paths:
        if not path.is_file():
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def _outside_citations(text: str) -> list[str]:
    return [m.group(0) for m in OUTSIDE.finditer(text) if not m.group(0).startswith(MIRROR)]


def test_no_tracked_file_cites_a_path_outside_the_repository():
    offenders = []
    for path, text in _tracked_text_files():
        for lineno, line in enumerate(text.splitlines(), 1):
            for hit in _outside_citations(line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {hit}")
    assert offenders == [], "cite the copy inside the repository instead:\n" + "\n".join(offenders)


def test_the_check_catches_an_outside_citation_and_allows_the_mirror():
    up = "../" + "shared/"          # split, so that this file does not cite what it tests
    assert _outside_citations(f"Tags as in {up}reference/literature.md.") == [f"{up}reference/literature.md."]
    assert _outside_citations(f"Source text: {up}paper/kim2019.md") == [f"{up}paper/kim2019.md"]
    assert _outside_citations(f"e.g. SYNAPSE_DATA_MIRROR={up}data/mnist") == []


def test_cited_literature_notes_exist_with_their_tags_and_references():
    notes = ROOT / "data" / "literature"
    lit = (notes / "literature.md").read_text(encoding="utf-8")
    energy = (notes / "literature_energy.md").read_text(encoding="utf-8")
    assert "[V]" in lit and "[D]" in lit and "[M]" in lit
    assert "## 6. Full references" in lit and "doi:10.1002/aelm.201900008" in lit
    assert "## Full references" in energy and "[37] W. Xu, S. Min, H. Hwang, T. Lee" in energy
    cited = set()
    for path, text in _tracked_text_files():
        cited |= set(re.findall(r"data/literature/[\w.-]+\.(?:md|csv)", text))
    missing = sorted(c for c in cited if not (ROOT / c).is_file())
    assert "data/literature/literature.md" in cited and missing == []
