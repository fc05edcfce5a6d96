"""Run CrossHair on every int kernel, condition by condition, and write what it established.

DESIGN, Arithmetic: "``crosshair check`` exiting 0 means only 'no counterexample found':
report what was actually confirmed." For each function of :mod:`perpspec.reference.kernels`
with a contract, this runs ``crosshair check --report_all`` with a stated per-condition
budget and sorts every postcondition into one of three outcomes:

- *confirmed*: CrossHair explored every path the preconditions allow (a proof, for the
  inputs the preconditions admit, modulo CrossHair's own soundness);
- *not confirmed*: the budget ran out first; no counterexample was found within it, which
  is evidence, not proof;
- *counterexample*: a concrete input breaks the condition (the run fails).

Usage: ``python -m perpspec.invariants.crosshair_report --timeout 60 --out docs/crosshair.md``
(``make crosshair``). Exit 0 when no counterexample was found, 1 otherwise.
"""

from __future__ import annotations

import argparse
import inspect
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perpspec.reference import kernels

__all__ = ["ConditionResult", "get_contract_functions", "main", "render_report", "run_function"]

_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<level>info|error): (?P<message>.*)$")


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One condition of one kernel and what CrossHair established about it."""

    function: str
    line: int
    condition: str
    outcome: str
    detail: str = ""


def get_contract_functions() -> list[str]:
    """The kernels' functions whose docstrings carry a ``post:`` condition, in file order."""
    names = [
        name
        for name, value in inspect.getmembers(kernels, inspect.isfunction)
        if value.__module__ == kernels.__name__ and "post:" in (value.__doc__ or "")
    ]
    return sorted(names, key=lambda name: inspect.getsourcelines(getattr(kernels, name))[1])


def _conditions(name: str) -> dict[int, str]:
    """Line number -> text of each ``pre:``/``post:`` line of the function's docstring."""
    lines, start = inspect.getsourcelines(getattr(kernels, name))
    found: dict[int, str] = {}
    for offset, text in enumerate(lines):
        stripped = text.strip()
        if stripped.startswith(("post:", "pre:")):
            found[start + offset] = stripped
    return found


def run_function(name: str, timeout: float) -> list[ConditionResult]:
    """``crosshair check`` on one kernel; one result per postcondition."""
    command = [
        sys.executable,
        "-m",
        "crosshair",
        "check",
        "--analysis_kind=PEP316",
        f"--per_condition_timeout={timeout}",
        "--report_all",
        f"{kernels.__name__}.{name}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    conditions = _conditions(name)
    results: dict[int, ConditionResult] = {}
    for raw in completed.stdout.splitlines():
        match = _LINE.match(raw.strip())
        if match is None:
            continue
        line = int(match["line"])
        message = match["message"]
        if match["level"] == "error":
            outcome, detail = "counterexample", message
        elif message.startswith("Confirmed"):
            outcome, detail = "confirmed", ""
        else:
            outcome, detail = "not confirmed", message
        text = conditions.get(line, f"line {line}")
        if line not in results or outcome == "counterexample":
            results[line] = ConditionResult(name, line, text, outcome, detail)
    for line, text in conditions.items():
        if text.startswith("post:") and line not in results:
            # Nothing reported for a postcondition means no path reached a verdict.
            results[line] = ConditionResult(name, line, text, "not confirmed", "no report")
    return [results[line] for line in sorted(results)]


def render_report(results: Sequence[ConditionResult], timeout: float, seconds: float) -> str:
    """The docs page ``docs/crosshair.md``."""
    counts = {
        kind: sum(r.outcome == kind for r in results)
        for kind in ("confirmed", "not confirmed", "counterexample")
    }
    lines = [
        "# CrossHair report",
        "",
        "Written by `make crosshair` (`python -m perpspec.invariants.crosshair_report`), which "
        "runs `crosshair check --analysis_kind=PEP316 --report_all` on each contract of "
        f"`perpspec/reference/kernels.py` with a budget of **{timeout:g} s of CPU per "
        f"condition** (the whole run took {seconds:.0f} s).",
        "",
        "Outcomes: **confirmed** means CrossHair explored every execution path the "
        "preconditions admit: for those inputs the condition holds (as far as CrossHair's "
        "own modelling of Python is sound). **not confirmed** means the budget ran out "
        "first: no counterexample was found within it, which is evidence, not a proof. "
        "**counterexample** means a concrete input breaks the condition. The hypothesis "
        "tests in `tests/reference/test_kernels.py` tie each kernel to the Fraction-level "
        "reference function it mirrors. `make test` runs the same contracts with a 4 s "
        "budget (`make crosshair-quick`), which only fails on a counterexample.",
        "",
        f"Summary: {counts['confirmed']} confirmed, {counts['not confirmed']} not confirmed "
        f"within the budget, {counts['counterexample']} counterexamples.",
        "",
        "| kernel | condition | outcome |",
        "|---|---|---|",
    ]
    for result in results:
        condition = result.condition.replace("|", "\\|")
        outcome = result.outcome + (
            f": {result.detail}" if result.outcome == "counterexample" else ""
        )
        lines.append(f"| `{result.function}` | `{condition}` | {outcome} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every kernel, write the report, exit 1 on any counterexample."""
    parser = argparse.ArgumentParser(prog="python -m perpspec.invariants.crosshair_report")
    parser.add_argument("--timeout", type=float, default=60.0, help="CPU seconds per condition")
    parser.add_argument("--out", default="docs/crosshair.md", help="report to write")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results: list[ConditionResult] = []
    for name in get_contract_functions():
        found = run_function(name, args.timeout)
        for result in found:
            print(f"{result.function}:{result.line}: {result.outcome}: {result.condition}")
        results += found
    report = render_report(results, args.timeout, time.monotonic() - started)
    Path(args.out).write_text(report, encoding="utf-8")
    print(f"wrote {args.out}")
    return 1 if any(r.outcome == "counterexample" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
