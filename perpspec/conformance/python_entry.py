"""A Python implementation as a program under test: ``--python module:function``.

``python -m perpspec.conformance.python_entry module:function`` speaks the line protocol on
behalf of ``function``, which takes the case dict ``{"id", "op", "input"}`` and returns the
output dict, or raises any exception to reject the case (its message is the reason). Running
it as its own process gives a Python implementation the same timeouts and crash handling
as any other program. The current directory is on the import path.
"""

from __future__ import annotations

import importlib
import json
import shlex
import sys
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["load_function", "python_command", "serve_function"]


def load_function(spec: str) -> Callable[[dict[str, Any]], Any]:
    """The function named ``module:function`` (``ValueError`` with a one-line reason)."""
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise ValueError(f"--python: expected module:function, found {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"--python: cannot import {module_name!r}: {error}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise ValueError(f"--python: {module_name!r} has no function {name!r}")
    return function  # type: ignore[no-any-return]  # a callable found by name is untyped


def check_function(spec: str) -> str | None:
    """Why ``spec`` names no function the cases can run through (None: it does), found as the
    program will find it (the working folder first), so a typo is one usage error, not a
    crash charged to every case."""
    sys.path.insert(0, "")
    try:
        load_function(spec)
    except ValueError as problem:
        return str(problem)
    finally:
        sys.path.remove("")
    return None


def serve_function(
    function: Callable[[dict[str, Any]], Any], stdin: TextIO, stdout: TextIO
) -> None:
    """Answer each case line of ``stdin`` with ``function``'s output, or its exception."""
    for line in stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            answer: dict[str, Any] = {"id": case["id"], "output": function(case)}
            text = json.dumps(answer)
        except Exception as error:  # any exception is the function rejecting
            text = json.dumps({"id": case["id"], "error": f"{type(error).__name__}: {error}"})
        stdout.write(text + "\n")
        stdout.flush()


def python_command(spec: str) -> str:
    """The shell command line that runs ``spec`` under this module."""
    return shlex.join([sys.executable, "-m", "perpspec.conformance.python_entry", spec])


if __name__ == "__main__":
    sys.path.insert(0, "")
    try:
        loaded = load_function(sys.argv[1] if len(sys.argv) > 1 else "")
    except ValueError as problem:
        print(problem, file=sys.stderr)
        sys.exit(2)
    serve_function(loaded, sys.stdin, sys.stdout)
