"""The conformance ops: one module an op, each with ``run(input) -> output``.

An op's ``run`` takes the case's ``input`` object (parsed JSON, numbers as strings) and
returns its ``output`` object (numbers formatted exactly by
:func:`perpspec.reference.numbers.format_number`, or None where the spec says "none"). It
raises :class:`perpspec.reference.errors.SpecError` (``CaseError`` for malformed fields) with a
one-line reason for any input it cannot accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["OPS", "OpRunner"]

OpRunner = Callable[[Mapping[str, Any]], dict[str, Any]]

#: op name -> runner. Filled in by :mod:`perpspec.conformance.registry`, which imports the op
#: modules; kept here as the one table of ops.
OPS: dict[str, OpRunner] = {}
