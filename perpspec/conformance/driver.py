"""Driving a program under test through the conformance protocol, hardened.

The program reads ``{"id", "op", "input"}`` lines on stdin and answers ``{"id", "output"}``
or ``{"id", "error"}`` lines on stdout. Answers are matched by id, so a program may answer
out of order (reported as a note, not a failure). Every case gets exactly one verdict:

- a second answer to a case makes it an error (``answered twice``);
- no answer within ``timeout`` seconds of the previous answer (or of the start): the program
  is killed, the first unanswered case is an error (``timed out``) and the program is
  restarted on the cases after it;
- the program exits with a nonzero status (or a signal) before answering every case: the
  first unanswered case is an error (``crashed``) and the program is restarted on the rest;
  after three crashes in a row without a single answer the rest are errors (``not run``);
- the program exits with status 0 without answering some cases: each is ``skipped``;
- a line that is not an answer, or an answer to an id never sent, is a protocol error of the
  run (printed, and the run fails).

Attributing a crash or hang to the first unanswered case is exact for a program that
answers case by case, which the protocol asks for; a program that buffers every answer until
its input ends is charged on its first case instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from perpspec.conformance.runner import Case, load_json_line

__all__ = ["DEFAULT_TIMEOUT", "MAX_CRASHES_IN_A_ROW", "Answer", "ProgramRun", "drive_program"]

#: Seconds a program may take to answer a case (after the previous answer, or its start).
DEFAULT_TIMEOUT = 10.0

#: Restarts allowed without a single answer in between before the rest are not run.
MAX_CRASHES_IN_A_ROW = 3

_EOF = object()


@dataclass(frozen=True, slots=True)
class Answer:
    """A program's one answer to a case: an ``output`` or an ``error`` (a rejection)."""

    output: object
    error: str | None


@dataclass(slots=True)
class ProgramRun:
    """What came back: an answer or an error reason per case id, notes and protocol errors."""

    answers: dict[str, Answer]
    errors: dict[str, str]
    protocol_errors: list[str]
    notes: list[str]


class _Process:
    """One start of the program, fed ``lines`` by a writer thread, read by a reader thread."""

    def __init__(self, command: str, lines: Sequence[str] | None) -> None:
        self.process = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[object] = queue.Queue()
        self.stderr: list[str] = []
        if lines is not None:
            threading.Thread(target=self._write, args=(list(lines),), daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _write(self, lines: list[str]) -> None:
        assert self.process.stdin is not None
        try:
            for line in lines:
                self.process.stdin.write(line)
                self.process.stdin.flush()
            self.process.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            # The program stopped reading (it crashed or was killed): the verdicts say so.
            return

    def send(self, line: str) -> bool:
        """Write one line to a program started without ``lines``; False if it stopped reading."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(line)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line.rstrip())
            del self.stderr[:-3]

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def exit_description(self) -> str:
        status = self.process.wait()
        text = f"killed by signal {-status}" if status < 0 else f"exit status {status}"
        tail = f"; stderr: {self.stderr[-1][:200]}" if self.stderr else ""
        return text + tail


def case_line(case: Case) -> str:
    """The line a program is sent for ``case``: no ``expected``, no ``reject_reason``."""
    return json.dumps({"id": case.case_id, "op": case.op, "input": case.input}) + "\n"


def _parse_answer(line: str) -> tuple[str, Answer] | str:
    try:
        raw = load_json_line(line)
    except ValueError as error:
        return f"garbage line from the program ({error}): {line.strip()[:120]}"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return f'not an {{"id": ..., "output": ...}} answer: {line.strip()[:120]}'
    if "output" in raw and "error" in raw:
        return f"an answer with both output and error: {line.strip()[:120]}"
    if "output" in raw:
        return raw["id"], Answer(raw["output"], None)
    if "error" in raw:
        return raw["id"], Answer(None, str(raw["error"]))
    return f"an answer with neither output nor error: {line.strip()[:120]}"


# One loop over the verdict rules, read top to bottom, so: noqa PLR0915.
def drive_program(  # noqa: PLR0915
    command: str, cases: Sequence[Case], timeout: float = DEFAULT_TIMEOUT
) -> ProgramRun:
    """Send ``cases`` to ``command`` (a shell command line) and collect one verdict each."""
    known = {case.case_id for case in cases}
    run = ProgramRun({}, {}, [], [])
    pending = [case.case_id for case in cases]
    line_of = {case.case_id: case_line(case) for case in cases}
    crashes_in_a_row = 0
    out_of_order = False
    while pending:
        process = _Process(command, [line_of[case_id] for case_id in pending])
        answered_here = 0
        while pending:
            try:
                item = process.lines.get(timeout=timeout)
            except queue.Empty:
                process.kill()
                run.errors[pending.pop(0)] = (
                    f"timed out: no answer within {timeout:g} s (program killed, restarted)"
                )
                break
            if item is _EOF:
                description = process.exit_description()
                if process.process.returncode == 0:
                    for case_id in pending:
                        run.errors[case_id] = f"skipped: the program ended ({description}) "
                        run.errors[case_id] += "without answering this case"
                    pending.clear()
                    break
                crashes_in_a_row = 0 if answered_here else crashes_in_a_row + 1
                if crashes_in_a_row >= MAX_CRASHES_IN_A_ROW:
                    for case_id in pending:
                        run.errors[case_id] = (
                            f"not run: the program crashed {crashes_in_a_row} times "
                            f"in a row without answering ({description})"
                        )
                    pending.clear()
                    break
                run.errors[pending.pop(0)] = f"crashed: {description} (restarted on the rest)"
                break
            assert isinstance(item, str)
            parsed = _read_answer(item, known, run)
            if parsed is None:
                continue
            case_id, answer = parsed
            if case_id in run.answers or case_id in run.errors:
                run.answers.pop(case_id, None)
                run.errors[case_id] = "answered twice"
            else:
                if pending and pending[0] != case_id:
                    out_of_order = True
                if case_id in pending:
                    pending.remove(case_id)
                run.answers[case_id] = answer
                answered_here += 1
        else:
            # Every case answered: let a second answer still in flight be seen, then stop.
            _drain(process, run, known, timeout)
            continue
        if process.process.poll() is None:
            process.kill()
    if out_of_order:
        run.notes.append("the program answered out of order (answers matched by id)")
    return run


def _read_answer(item: str, known: set[str], run: ProgramRun) -> tuple[str, Answer] | None:
    """The (id, answer) of one line the program printed, for an id that was sent; a garbage
    line or an answer to an id never sent is a protocol error of the run (None)."""
    if not item.strip():
        return None
    parsed = _parse_answer(item)
    if isinstance(parsed, str):
        run.protocol_errors.append(parsed)
        return None
    if parsed[0] not in known:
        run.protocol_errors.append(f"an answer for id {parsed[0]!r}, never sent")
        return None
    return parsed


def _drain(process: _Process, run: ProgramRun, known: set[str], timeout: float) -> None:
    """Read what the program prints after its last expected answer, until it exits."""
    while True:
        try:
            item = process.lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            return
        if item is _EOF:
            process.process.wait()
            return
        assert isinstance(item, str)
        parsed = _read_answer(item, known, run)
        if parsed is not None:
            run.answers.pop(parsed[0], None)
            run.errors[parsed[0]] = "answered twice"
