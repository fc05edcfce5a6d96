"""Write and check the conformance vectors (``vectors/<op>.jsonl``).

The cases come from :mod:`perpspec.spec.cases` (seed examples, published examples, hand
computations and sympy derivations), never from the reference implementation. The text of
each file is canonical (one case a line, keys in protocol order, sorted nowhere else), so a
regenerated file that differs from the committed one means the committed vectors are stale.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from perpspec.conformance.registry import OP_NAMES

__all__ = [
    "collect_cases",
    "find_stale_vectors",
    "render_vectors",
    "validate_case",
    "write_vectors",
]

_CASE_KEYS = ("id", "op", "input", "expected", "tolerance")


def _check_no_floats(value: object, path: str) -> None:
    if isinstance(value, float):
        raise ValueError(f"{path}: a float ({value!r}); vectors carry numbers as strings")
    if isinstance(value, Mapping):
        for key, child in value.items():
            _check_no_floats(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check_no_floats(child, f"{path}[{index}]")


def validate_case(case: Mapping[str, Any], op: str) -> None:
    """Reject a case source that would write a malformed vector."""
    unknown = set(case) - set(_CASE_KEYS)
    if unknown:
        raise ValueError(f"case {case.get('id')!r}: unknown keys {sorted(unknown)}")
    if case.get("op") != op:
        raise ValueError(f"case {case.get('id')!r}: op {case.get('op')!r} in the source of {op!r}")
    if not isinstance(case.get("id"), str) or not isinstance(case.get("input"), Mapping):
        raise ValueError(f"case {case.get('id')!r}: id and input are required")
    if not isinstance(case.get("expected"), Mapping):
        raise ValueError(f"case {case.get('id')!r}: expected is required")
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
        cases: list[dict[str, Any]] = module.cases()
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
    """File name -> file text for every op with a case source."""
    return {
        f"{op}.jsonl": "".join(_render_case(case) + "\n" for case in cases)
        for op, cases in collect_cases().items()
    }


def write_vectors(directory: Path) -> list[Path]:
    """Write every vector file under ``directory``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_vectors().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def find_stale_vectors(directory: Path) -> list[str]:
    """Names of vector files that are missing or differ from what the sources produce."""
    stale = []
    for name, text in render_vectors().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
