"""The reference as a program under test: ``python -m perpspec.conformance.serve``.

It speaks the protocol an implementation under test speaks: one case a line on stdin
(``{"id", "op", "input"}``), one ``{"id": ..., "output": {...}}`` line on stdout per case. A
case the reference rejects (a bad value, or a field it never read) is answered with
``{"id": ..., "error": "reason"}``: a failure for a valid case, a pass for an invalid one.
Implementers can diff their program's output against this one line by line.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import answer_with_reference

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
    output, refusal = answer_with_reference(str(case.get("op")), case_input)
    if refusal is not None:
        return {"id": case_id, "error": refusal}
    return {"id": case_id, "output": output}


def serve(stdin: TextIO, stdout: TextIO) -> None:
    """Answer every case line of ``stdin`` on ``stdout``."""
    for line in stdin:
        if line.strip():
            stdout.write(json.dumps(answer_case(line)) + "\n")


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
