"""Write and check the conformance vectors (``vectors/<op>.jsonl``).

The cases come from :mod:`perpspec.spec.cases` (seed examples, published examples, hand
computations, sympy derivations and seeded random cases whose expected values come from an
independent computation), never from the reference implementation. Every case names its
``source``; an invalid case carries a ``reject_reason`` instead of ``expected``. The text of
each file is canonical (one case a line, keys in protocol order, sorted nowhere else), so a
regenerated file that differs from the committed one means the committed vectors are stale.

``vectors/MANIFEST.json`` names the spec version the vectors belong to and, per file, its
count of valid and invalid cases and its SHA-256; it is written with the files and checked
with them (a stale manifest is a stale vector set).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perpspec.conformance.manifest import MANIFEST_NAME, describe_vector_file
from perpspec.conformance.registry import OP_NAMES
from perpspec.conformance.rejects import REJECT_REASONS
from perpspec.spec.cases.invalid import build_invalid_cases
from perpspec.spec.cases.sources import attach_sources

__all__ = [
    "MANIFEST_NAME",
    "SOURCE_FORMS",
    "SPEC_VERSION",
    "collect_cases",
    "find_stale_vectors",
    "render_manifest",
    "render_vectors",
    "validate_case",
    "write_vectors",
]

#: The version of the spec the vectors belong to: the package version (pyproject.toml), kept
#: equal to it by a test. A release that changes any vector changes it.
SPEC_VERSION = "0.1.0"

#: The forms a case's ``source`` takes (its text up to the first ``:``, or all of it).
SOURCE_FORMS = ("seed", "published", "derivation", "hand", "random")

_CASE_KEYS = ("id", "op", "source", "input", "expected", "reject_reason", "tolerance")


def _check_no_floats(value: object, path: str) -> None:
    if isinstance(value, float):
        raise ValueError(f"{path}: a float ({value!r}); vectors carry numbers as strings")
    if isinstance(value, Mapping):
        for key, child in value.items():
            _check_no_floats(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check_no_floats(child, f"{path}[{index}]")


def _check_source(case: Mapping[str, Any]) -> None:
    """A case's ``source`` is one of :data:`SOURCE_FORMS`, with its detail where one is due."""
    source = case.get("source")
    if not isinstance(source, str) or not source:
        raise ValueError(f"case {case.get('id')!r}: source is required")
    form, _, detail = source.partition(":")
    if form not in SOURCE_FORMS:
        raise ValueError(f"case {case.get('id')!r}: source {source!r} is not one of {SOURCE_FORMS}")
    if form != "hand" and not detail.strip():
        raise ValueError(f"case {case.get('id')!r}: source {source!r} names no example or seed")
    if form == "random" and not detail.startswith("seed="):
        raise ValueError(f"case {case.get('id')!r}: a random source names its seed=<S>")


def validate_case(case: Mapping[str, Any], op: str) -> None:
    """Reject a case source that would write a malformed vector."""
    unknown = set(case) - set(_CASE_KEYS)
    if unknown:
        raise ValueError(f"case {case.get('id')!r}: unknown keys {sorted(unknown)}")
    if case.get("op") != op:
        raise ValueError(f"case {case.get('id')!r}: op {case.get('op')!r} in the source of {op!r}")
    if not isinstance(case.get("id"), str) or not isinstance(case.get("input"), Mapping):
        raise ValueError(f"case {case.get('id')!r}: id and input are required")
    _check_source(case)
    reason = case.get("reject_reason")
    if reason is None:
        if not isinstance(case.get("expected"), Mapping):
            raise ValueError(f"case {case.get('id')!r}: expected (or reject_reason) is required")
    else:
        if "expected" in case or "tolerance" in case:
            raise ValueError(f"case {case.get('id')!r}: reject_reason with expected/tolerance")
        if reason not in REJECT_REASONS:
            raise ValueError(f"case {case.get('id')!r}: reject_reason {reason!r} is not named")
    _check_no_floats(case, f"case {case['id']}")


def collect_cases() -> dict[str, list[dict[str, Any]]]:
    """Every op's cases from its source module, validated; ops without a source are left out."""
    collected: dict[str, list[dict[str, Any]]] = {}
    for op in OP_NAMES:
        try:
            module = importlib.import_module(f"perpspec.spec.cases.{op}")
        except ModuleNotFoundError as error:
            if error.name != f"perpspec.spec.cases.{op}":
                raise
            continue
        cases: list[dict[str, Any]] = attach_sources(op, module.cases())
        cases += build_invalid_cases(op, cases)
        ids = [case.get("id") for case in cases]
        duplicates = sorted({i for i in ids if ids.count(i) > 1}, key=str)
        if duplicates:
            raise ValueError(f"{op}: duplicate case ids {duplicates}")
        for case in cases:
            validate_case(case, op)
        collected[op] = cases
    return collected


def _render_case(case: Mapping[str, Any]) -> str:
    ordered = {key: case[key] for key in _CASE_KEYS if key in case}
    return json.dumps(ordered, ensure_ascii=False)


def render_vectors() -> dict[str, str]:
    """File name -> file text for every op with a case source, and the manifest."""
    files = {
        f"{op}.jsonl": "".join(_render_case(case) + "\n" for case in cases)
        for op, cases in collect_cases().items()
    }
    files[MANIFEST_NAME] = render_manifest(files)
    return files


def render_manifest(files: Mapping[str, str]) -> str:
    """The manifest of the vector files ``files`` (name -> text; the manifest itself skipped).

    Each entry is :func:`~perpspec.conformance.manifest.describe_vector_file` of the file's
    text (the definition ``conform`` checks the files against).
    """
    entries = {
        name: describe_vector_file(files[name]).to_json()
        for name in sorted(files)
        if name != MANIFEST_NAME
    }
    manifest = {"spec_version": SPEC_VERSION, "files": entries}
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def write_vectors(directory: Path) -> list[Path]:
    """Write every vector file and the manifest under ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_vectors().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def find_stale_vectors(directory: Path) -> list[str]:
    """Names of vector files (and the manifest) missing or differing from what the sources
    produce, and of ``*.jsonl`` files in ``directory`` that no source produces."""
    expected = render_vectors()
    stale = []
    for name, text in expected.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    stale += sorted(p.name for p in directory.glob("*.jsonl") if p.name not in expected)
    return stale
