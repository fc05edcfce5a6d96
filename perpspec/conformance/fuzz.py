"""Differential fuzzing: ``perpspec conform --cmd PROGRAM --fuzz N --seed S [--op OP]``.

N random inputs of the op (without ``--op``: of every op in turn), drawn by the project's
hypothesis strategies (:data:`perpspec.invariants.strategies.OP_INPUTS`, one for each of the
eight ops), go to the reference and, live, to the program, one case at a time. The first
disagreement (different outputs, an output where the other rejects, or no usable answer) is
shrunk by hypothesis to a minimal input; it is printed and saved as a vector file, one case
in the vector format with the reference's output as ``expected`` (or its refusal's named
``reject_reason``) and ``source: "random:seed=S"``, ready to commit in the implementer's
suite. The run is reproducible: the same seed draws the same inputs (no example database is
read or written).

Hypothesis is a development dependency: without it, ``--fuzz`` says so and exits 2.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perpspec.conformance.driver import _EOF, DEFAULT_TIMEOUT, _parse_answer, _Process
from perpspec.conformance.rejects import REJECT_REASONS
from perpspec.conformance.runner import answer_with_reference, compare_output

__all__ = [
    "Disagreement",
    "LiveProgram",
    "find_disagreement",
    "fuzz_command",
    "name_reject_reason",
    "vector_line",
]


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
    """The reference's ``(output, error)`` for one input of ``op``, as ``conform`` judges it:
    a field the op never reads is a refusal too, so a saved vector is never malformed."""
    return answer_with_reference(op, case_input)


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


def name_reject_reason(refusal: str) -> str | None:
    """The named ``reject_reason`` whose wording the reference's ``refusal`` matches, or None.

    A saved invalid case must name its reason (``--reference`` checks the reference rejects
    it for that reason); the first name of :data:`REJECT_REASONS` that matches is taken.
    """
    for name, reason in REJECT_REASONS.items():
        if re.search(reason.wording, refusal) is not None:
            return name
    return None


def vector_line(found: Disagreement, seed: int) -> dict[str, Any]:
    """The disagreement as a case of the vector format, the reference's answer expected.

    A refusal of the reference is saved as its named ``reject_reason``; one that matches no
    name keeps the reference's text, which ``conform`` then reports as not a named reason
    (the case needs one before it is committed; :func:`fuzz_command` says so).
    """
    line: dict[str, Any] = {"id": f"fuzz-{found.op}-seed{seed}", "op": found.op}
    line["input"] = found.input
    output, error = found.reference
    if error is None:
        line["expected"] = output
    else:
        line["reject_reason"] = name_reject_reason(error) or error
    line["source"] = f"random:seed={seed}"
    return line


def fuzz(
    command: str, op: str, examples: int, seed: int, timeout: float = DEFAULT_TIMEOUT
) -> Disagreement | None:
    """Compare ``examples`` random inputs of ``op``; the shrunk first disagreement, or None.

    The settings derive from hypothesis' ``default`` profile, not the one loaded (a test
    suite's ``derandomize``, say), so a seed draws the same inputs wherever it is run.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    from perpspec.invariants.strategies import OP_INPUTS

    program = LiveProgram(command, timeout)
    seen: list[Disagreement] = []
    counter = iter(range(1, 10**12))

    @fixed_seed(seed)
    @settings(
        parent=settings.get_profile("default"),
        max_examples=examples,
        derandomize=False,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
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
    except Exception:
        # A live program need not answer one input the same way twice (hypothesis then
        # raises FlakyFailure); the last disagreement seen is still a real one.
        if seen:
            return seen[-1]
        raise
    finally:
        program.close()
    return None


def fuzz_command(command: str, args: argparse.Namespace) -> int:
    """``--fuzz N``: 0 when no disagreement was found, 1 with one (saved), 2 on usage.

    With ``--op``, N cases of that op; without, N cases of every op with a strategy, in
    turn. Every disagreement found (at most one an op) is printed and saved, one case a line,
    in one file: ``--save``, else ``conform-fuzz-OP-SEED.jsonl`` (``all`` for every op).
    """
    try:
        import hypothesis  # noqa: F401  # only to know whether it is installed
    except ImportError:
        print("perpspec conform: --fuzz needs hypothesis (pip install hypothesis)", file=sys.stderr)
        return 2
    from perpspec.invariants.strategies import OP_INPUTS

    if args.op is not None and args.op not in OP_INPUTS:
        fuzzable = ", ".join(sorted(OP_INPUTS))
        print(
            f"perpspec conform: --op {args.op}: no input strategy (fuzzable: {fuzzable})",
            file=sys.stderr,
        )
        return 2
    if args.fuzz < 1:
        print("perpspec conform: --fuzz N needs N >= 1", file=sys.stderr)
        return 2
    ops = [args.op] if args.op is not None else list(OP_INPUTS)
    lines: list[dict[str, Any]] = []
    for op in ops:
        found = fuzz(command, op, args.fuzz, args.seed, args.timeout or DEFAULT_TIMEOUT)
        if found is None:
            print(f"{op}: {args.fuzz} random cases (seed {args.seed}), no disagreement")
            continue
        lines.append(vector_line(found, args.seed))
        _print_disagreement(found, args.seed)
        reason = lines[-1].get("reject_reason")
        if reason is not None and reason not in REJECT_REASONS:
            print("    note: the reference's refusal matches no named reject_reason; name one")
    if not lines:
        return 0
    save = Path(args.save or f"conform-fuzz-{args.op or 'all'}-{args.seed}.jsonl")
    save.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    print(f"saved {save}")
    return 1


def _print_disagreement(found: Disagreement, seed: int) -> None:
    print(f"{found.op}: disagreement (seed {seed}), shrunk: {found.reason}")
    print(f"    input: {json.dumps(found.input)}")
    print(f"    reference: {json.dumps(_shown(found.reference))}")
    print(f"    program: {json.dumps(_shown(found.program))}")


def _shown(answer: tuple[object, str | None]) -> object:
    output, error = answer
    return {"error": error} if error is not None else output
