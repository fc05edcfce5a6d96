"""The reference as a program under test: ``python -m perpspec.conformance.serve``.

It speaks the protocol an implementation under test speaks: one case a line on stdin
(``{"id", "op", "input"}``), one ``{"id": ..., "output": {...}}`` line on stdout per case. A
case the reference rejects is answered with ``{"id": ..., "error": "reason"}``, which the
runner counts as a failure with that reason. Implementers can diff their program's output
against this one line by line.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from perpspec.conformance.registry import get_runner
from perpspec.reference.errors import SpecError

__all__ = ["answer_case", "serve"]


def answer_case(line: str) -> dict[str, Any]:
    """The answer to one case line."""
    try:
        case = json.loads(line)
    except ValueError as error:
        return {"id": None, "error": f"invalid JSON: {error}"}
    if not isinstance(case, dict):
        return {"id": None, "error": "expected a JSON object"}
    case_id = case.get("id")
    runner = get_runner(str(case.get("op")))
    if runner is None:
        return {"id": case_id, "error": f"unknown op {case.get('op')!r}"}
    case_input = case.get("input")
    if not isinstance(case_input, dict):
        return {"id": case_id, "error": "input: missing or not an object"}
    try:
        return {"id": case_id, "output": runner(case_input)}
    except SpecError as error:
        return {"id": case_id, "error": str(error)}


def serve(stdin: TextIO, stdout: TextIO) -> None:
    """Answer every case line of ``stdin`` on ``stdout``."""
    for line in stdin:
        if line.strip():
            stdout.write(json.dumps(answer_case(line)) + "\n")


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
