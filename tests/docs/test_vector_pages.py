"""The published vector pages list every case of vectors/, each anchored by its id."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from docs_hooks.vectors import render_index_page, write_vector_pages

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"


def _case_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()]


def test_every_case_id_has_an_anchored_heading(tmp_path: Path) -> None:
    write_vector_pages(tmp_path)
    files = sorted(VECTORS.glob("*.jsonl"))
    assert files, "no vector files to publish"
    for path in files:
        page = (tmp_path / "vectors" / f"{path.stem}.md").read_text()
        anchors = re.findall(r"^## (\S+) \{#(\S+)\}$", page, flags=re.MULTILINE)
        assert [a for a, _ in anchors] == _case_ids(path)
        assert all(a == b for a, b in anchors)


def test_index_lists_each_file_with_its_count_and_digest(tmp_path: Path) -> None:
    write_vector_pages(tmp_path)
    index = (tmp_path / "vectors" / "index.md").read_text()
    for path in sorted(VECTORS.glob("*.jsonl")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        cases = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        invalid = sum(1 for case in cases if "reject_reason" in case)
        row = f"| `vectors/{path.name}` | {len(cases) - invalid} | {invalid} | `{digest}` |"
        assert row in index


def test_a_stale_manifest_stops_the_build(tmp_path: Path) -> None:
    files: dict[str, list[dict[str, object]]] = {"adl_rank": []}
    stale = {"files": {"adl_rank.jsonl": {"valid": 0, "invalid": 0, "sha256": "0" * 64}}}
    with pytest.raises(ValueError, match="stale or missing entry"):
        render_index_page(files, stale)
    with pytest.raises(ValueError, match=r"MANIFEST\.json: missing"):
        render_index_page(files, None)


def test_a_case_shows_its_source_or_says_it_is_not_stated() -> None:
    from docs_hooks.vectors import render_op_page

    stated = {"id": "x-1", "op": "adl_rank", "input": {}, "expected": {"order": []}}
    stated["source"] = "seed 004, Table 2"
    silent = {"id": "x-2", "op": "adl_rank", "input": {}, "expected": {"order": []}}
    page = render_op_page("adl_rank", [stated, silent])
    assert "## x-1 {#x-1}\n\n**Source:** seed 004, Table 2" in page
    assert "## x-2 {#x-2}\n\n**Source:** not stated" in page


def test_a_rejected_case_shows_its_reason_instead_of_an_output() -> None:
    from docs_hooks.vectors import render_op_page

    case = {"id": "bad-1", "op": "adl_rank", "input": {}, "reject_reason": "qty: negative"}
    page = render_op_page("adl_rank", [case])
    assert "refuses this case): qty: negative" in page
    assert "**Expected**" not in page
