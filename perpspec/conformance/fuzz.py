"""Differential fuzzing: ``perpspec conform --cmd PROGRAM --fuzz N --seed S [--op OP]``.

N random inputs of the op, drawn by the project's hypothesis strategies
(:data:`perpspec.invariants.strategies.OP_INPUTS`), go to the reference and, live, to the
program, one case at a time. The first disagreement (different outputs, an output where the
other rejects, or no usable answer) is shrunk by hypothesis to a minimal input; it is
printed and saved as a vector file, one case in the vector format with the reference's
output as ``expected`` (or its reason as ``reject_reason``) and ``source: "random:seed=S"``,
ready to commit in the implementer's suite. The run is reproducible: the same seed draws the
same inputs (no example database is read or written).

Hypothesis is a development dependency: without it, ``--fuzz`` says so and exits 2.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perpspec.conformance.driver import _EOF, DEFAULT_TIMEOUT, _parse_answer, _Process
from perpspec.conformance.fields import CaseError
from perpspec.conformance.registry import get_runner
from perpspec.conformance.runner import compare_output
from perpspec.reference.errors import SpecError

__all__ = ["Disagreement", "LiveProgram", "find_disagreement", "fuzz_command", "vector_line"]


class LiveProgram:
    """A program asked one case at a time; restarted after it crashes or times out."""

    def __init__(self, command: str, timeout: float) -> None:
        self.command = command
        self.timeout = timeout
        self.process: _Process | None = None

    def ask(self, case: Mapping[str, Any]) -> tuple[object, str | None]:
        """The program's ``(output, error)`` for ``case``; a lost answer is an error too."""
        if self.process is None:
            self.process = _Process(self.command, None)
        process = self.process
        if not process.send(json.dumps(case) + "\n"):
            self.close()
            return None, "program error: it stopped reading its input"
        while True:
            try:
                item = process.lines.get(timeout=self.timeout)
            except queue.Empty:
                self.close()
                return None, f"program error: timed out after {self.timeout:g} s"
            if item is _EOF:
                description = process.exit_description()
                self.close()
                return None, f"program error: it ended ({description})"
            assert isinstance(item, str)
            if not item.strip():
                continue
            parsed = _parse_answer(item)
            if isinstance(parsed, str):
                self.close()
                return None, f"program error: {parsed}"
            if parsed[0] != case["id"]:
                self.close()
                return None, f"program error: answered id {parsed[0]!r} for {case['id']!r}"
            return parsed[1].output, parsed[1].error

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process = None


def reference_answer(op: str, case_input: Mapping[str, Any]) -> tuple[object, str | None]:
    """The reference's ``(output, error)`` for one input of ``op``."""
    runner = get_runner(op)
    assert runner is not None
    try:
        return runner(dict(case_input)), None
    except (CaseError, SpecError) as error:
        return None, str(error)


def find_disagreement(
    reference: tuple[object, str | None], program: tuple[object, str | None]
) -> str | None:
    """Why the program's answer differs from the reference's, or None when they agree.

    Two rejections agree whatever their reasons (reasons are free text).
    """
    (want, want_error), (got, got_error) = reference, program
    if want_error is not None and got_error is not None:
        return None if not got_error.startswith("program error:") else got_error
    if want_error is not None:
        return f"the reference rejects ({want_error}); the program answered an output"
    if got_error is not None:
        return f"rejected: {got_error}"
    problems = compare_output(want, got, "output", open_keys=True)
    return problems[0] if problems else None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A shrunk input on which the program and the reference differ."""

    op: str
    input: dict[str, Any]
    reference: tuple[object, str | None]
    program: tuple[object, str | None]
    reason: str


def vector_line(found: Disagreement, seed: int) -> dict[str, Any]:
    """The disagreement as a case of the vector format, the reference's answer expected."""
    line: dict[str, Any] = {"id": f"fuzz-{found.op}-seed{seed}", "op": found.op}
    line["input"] = found.input
    output, error = found.reference
    if error is None:
        line["expected"] = output
    else:
        line["reject_reason"] = error
    line["source"] = f"random:seed={seed}"
    return line


def fuzz(
    command: str, op: str, examples: int, seed: int, timeout: float = DEFAULT_TIMEOUT
) -> Disagreement | None:
    """Compare ``examples`` random inputs of ``op``; the shrunk first disagreement, or None."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    from perpspec.invariants.strategies import OP_INPUTS

    program = LiveProgram(command, timeout)
    seen: list[Disagreement] = []
    counter = iter(range(1, 10**12))

    @fixed_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(OP_INPUTS[op])
    def compare(case_input: dict[str, Any]) -> None:
        case = {"id": f"fuzz-{next(counter)}", "op": op, "input": case_input}
        reference = reference_answer(op, case_input)
        answer = program.ask(case)
        reason = find_disagreement(reference, answer)
        if reason is not None:
            seen.append(Disagreement(op, case_input, reference, answer, reason))
            raise AssertionError(reason)

    try:
        compare()
    except AssertionError:
        # Hypothesis replays the shrunk example last, so the last disagreement is minimal.
        return seen[-1]
    finally:
        program.close()
    return None


def fuzz_command(command: str, args: argparse.Namespace) -> int:
    """``--fuzz N``: 0 when no disagreement was found, 1 with one (saved), 2 on usage."""
    try:
        import hypothesis  # noqa: F401  # only to know whether it is installed
    except ImportError:
        print("perpspec conform: --fuzz needs hypothesis (pip install hypothesis)", file=sys.stderr)
        return 2
    from perpspec.invariants.strategies import OP_INPUTS

    op = args.op or "position_prices"
    if op not in OP_INPUTS:
        ops = ", ".join(sorted(OP_INPUTS))
        print(f"perpspec conform: --op {op}: no input strategy (fuzzable: {ops})", file=sys.stderr)
        return 2
    if args.fuzz < 1:
        print("perpspec conform: --fuzz N needs N >= 1", file=sys.stderr)
        return 2
    found = fuzz(command, op, args.fuzz, args.seed, args.timeout or DEFAULT_TIMEOUT)
    if found is None:
        print(f"{op}: {args.fuzz} random cases (seed {args.seed}), no disagreement")
        return 0
    line = vector_line(found, args.seed)
    save = Path(args.save or f"conform-fuzz-{op}-{args.seed}.jsonl")
    save.write_text(json.dumps(line) + "\n", encoding="utf-8")
    print(f"{op}: disagreement (seed {args.seed}), shrunk: {found.reason}")
    print(f"    input: {json.dumps(found.input)}")
    print(f"    reference: {json.dumps(_shown(found.reference))}")
    print(f"    program: {json.dumps(_shown(found.program))}")
    print(f"saved {save}")
    return 1


def _shown(answer: tuple[object, str | None]) -> object:
    output, error = answer
    return {"error": error} if error is not None else output
