"""The conformance case runner (DESIGN, Conformance protocol).

A case file is JSON Lines, one case a line: ``{"id", "op", "input", "expected"}`` with an
optional ``"tolerance"`` (absolute, a decimal string) for cases taken from published, rounded
figures. Outputs compare as exact rationals; every key of ``expected`` must match (lists in
order, maps by key); output keys not in ``expected`` are ignored. Unknown ops and malformed
cases are failures with a reason, never skipped.

Two ways to run: against the reference (:func:`run_reference`) or against a program under
test (:func:`run_program`) that reads cases without ``expected`` on stdin, one a line, and
writes ``{"id": ..., "output": {...}}`` lines.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from perpspec.conformance.fields import CaseError
from perpspec.conformance.manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    ManifestError,
    read_manifest,
)
from perpspec.conformance.reads import ReadLog, find_unread_keys, track_input
from perpspec.conformance.registry import get_runner
from perpspec.conformance.rejects import REJECT_REASONS
from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import format_number, parse_nonnegative, parse_number

__all__ = [
    "Case",
    "CaseResult",
    "FileRead",
    "RunSummary",
    "answer_with_reference",
    "check_manifests",
    "compare_output",
    "expand_case_paths",
    "read_case_file",
    "read_cases",
    "run_program",
    "run_reference",
]


@dataclass(frozen=True, slots=True)
class Case:
    """One well-formed case and where it came from."""

    source: str
    line: int
    case_id: str
    op: str
    input: Mapping[str, Any]
    expected: Mapping[str, Any]
    tolerance: Fraction
    #: The named reason an invalid case must be rejected for (``expected`` is then empty).
    reject_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case (or of one malformed line)."""

    source: str
    line: int
    case_id: str
    passed: bool
    reason: str = ""
    op: str = "?"
    #: ``failed`` (a wrong answer) or ``error`` (no usable answer, or a malformed case).
    kind: str = "failed"
    input: object = None
    expected: object = None
    actual: object = None

    def describe(self) -> str:
        """``FILE:LINE: case ID: reason``, the one line printed for a failure; ``FILE: reason``
        for a failure of a whole file (line 0, no case)."""
        if self.line == 0 and self.case_id == "?":
            return f"{self.source}: {self.reason}"
        return f"{self.source}:{self.line}: case {self.case_id}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FileRead:
    """What a run read of one case file: the SHA-256 of the bytes it parsed, and the
    well-formed cases it parsed from them, valid (no ``reject_reason``) and invalid."""

    sha256: str
    valid: int
    invalid: int


@dataclass(slots=True)
class RunSummary:
    """All results of a run, in file order."""

    results: list[CaseResult] = field(default_factory=list)
    protocol_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: What the run read of each case file, by resolved path (for the manifest check).
    files: dict[str, FileRead] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if not result.passed)

    @property
    def ok(self) -> bool:
        """True only when at least one case ran and none failed."""
        return self.failed == 0 and self.passed > 0 and not self.protocol_errors

    def closing_line(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


class _MalformedError(Exception):
    def __init__(self, case_id: str, reason: str) -> None:
        super().__init__(reason)
        self.case_id = case_id
        self.reason = reason


def expand_case_paths(paths: Iterable[str]) -> list[Path]:
    """Files as given; a directory stands for the ``*.jsonl`` files in it, sorted.

    A file named twice (itself and through its directory) is read once: its ids would
    otherwise all be reported as duplicates of themselves.
    """
    expanded: list[Path] = []
    seen: set[Path] = set()
    for name in paths:
        path = Path(name)
        for item in sorted(path.glob("*.jsonl")) if path.is_dir() else [path]:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                expanded.append(item)
    return expanded


#: The deepest nesting of arrays and objects a case may have. The deepest shipped case (a
#: replay's event with tiers) is 6 levels; 64 leaves room for any real case while keeping
#: every recursive reader (the comparison, the ops) far from the interpreter's limit.
MAX_DEPTH = 64


def compute_depth(value: object) -> int:
    """The nesting depth of a parsed JSON value (a scalar is 0), found without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


def load_json_line(text: str) -> object:
    """One JSON value, or ``ValueError`` with a one-line reason (too deep is one of them).

    The standard parser recurses, so a line of a few thousand brackets would end in a
    ``RecursionError``; the bracket count is bounded first, without parsing.
    """
    opened = 0
    deepest = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            opened += 1
            deepest = max(deepest, opened)
            if deepest > MAX_DEPTH:
                break
        elif char in "]}":
            opened -= 1
    if deepest > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels of arrays and objects")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"invalid JSON: {error}") from None


def _numbers_in(value: object) -> Iterator[Fraction]:
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif _is_number_text(item):
            yield parse_number(item)


def check_tolerance(tolerance: Fraction, expected: Mapping[str, Any]) -> None:
    """Refuse a tolerance that could pass a wrong answer (``CaseError`` with the reason).

    Rule: the tolerance is absolute (DESIGN: for cases taken from published, rounded figures),
    applies to every expected number, and may be at most a tenth of the smallest nonzero
    expected magnitude. Half a unit of a figure's last published digit is always within that
    bound (``0.05`` published to the cent needs ``0.005``); anything wider would admit a
    different answer (a zero, a sign flip, a figure off by its own size). A tolerance where
    every expected number is zero has nothing to be relative to, and is refused too.
    """
    if tolerance == 0:
        return
    magnitudes = [abs(number) for number in _numbers_in(expected) if number != 0]
    if not magnitudes:
        raise CaseError("tolerance: given, but no expected number is nonzero")
    bound = min(magnitudes) / 10
    if tolerance > bound:
        raise CaseError(
            f"tolerance: {format_number(tolerance)} is more than a tenth of the smallest "
            f"nonzero expected number ({format_number(bound)} at most)"
        )


#: The keys a case line may have; ``expected`` and ``reject_reason`` exclude each other.
CASE_KEYS = ("id", "op", "source", "input", "expected", "reject_reason", "tolerance")


def _parse_invalid_case(
    source: str, line_number: int, case_id: str, op: str, raw: Mapping[str, Any]
) -> Case:
    """An invalid case: a named ``reject_reason``, and neither ``expected`` nor ``tolerance``."""
    reason = raw["reject_reason"]
    if not isinstance(reason, str) or not reason:
        raise _MalformedError(case_id, "reject_reason: not a nonempty string")
    if "expected" in raw:
        raise _MalformedError(
            case_id, "expected and reject_reason both given (a case has one of them)"
        )
    if "tolerance" in raw:
        raise _MalformedError(case_id, "tolerance: given on a case with a reject_reason")
    return Case(source, line_number, case_id, op, raw["input"], {}, Fraction(0), reason)


def _parse_case(source: str, line_number: int, text: str) -> Case:
    try:
        raw = load_json_line(text)
    except ValueError as error:
        raise _MalformedError("?", str(error)) from None
    if not isinstance(raw, dict):
        raise _MalformedError("?", f"expected a JSON object, found {type(raw).__name__}")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id:
        raise _MalformedError("?", "id: missing or not a string")
    op = raw.get("op")
    if not isinstance(op, str):
        raise _MalformedError(case_id, "op: missing or not a string")
    if not isinstance(raw.get("input"), dict):
        raise _MalformedError(case_id, "input: missing or not an object")
    unknown = sorted(set(raw) - set(CASE_KEYS))
    if unknown:
        raise _MalformedError(
            case_id,
            f"unknown key {unknown[0]!r} (a case has {', '.join(CASE_KEYS)})",
        )
    provenance = raw.get("source")
    if provenance is not None and (not isinstance(provenance, str) or not provenance):
        raise _MalformedError(case_id, "source: not a nonempty string")
    if raw.get("reject_reason") is not None:
        return _parse_invalid_case(source, line_number, case_id, op, raw)
    if not isinstance(raw.get("expected"), dict):
        raise _MalformedError(
            case_id, "expected: missing or not an object (and no reject_reason is given)"
        )
    if not raw["expected"]:
        raise _MalformedError(case_id, "expected: empty (a case that expects nothing cannot fail)")
    tolerance = Fraction(0)
    if raw.get("tolerance") is not None:
        try:
            tolerance = parse_nonnegative(raw["tolerance"], "tolerance")
            check_tolerance(tolerance, raw["expected"])
        except SpecError as error:
            raise _MalformedError(case_id, str(error)) from None
    return Case(source, line_number, case_id, op, raw["input"], raw["expected"], tolerance)


def read_case_file(path: Path) -> tuple[list[Case | CaseResult], FileRead | None]:
    """The cases of one file, in order (a malformed line is a failed :class:`CaseResult`),
    and what was read of it; None for a file that could not be read (then one failure)."""
    source = str(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        return [CaseResult(source, 0, "?", False, f"cannot read the file: {reason}")], None
    items: list[Case | CaseResult] = []
    seen: set[str] = set()
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = _parse_case(source, line_number, line)
        except _MalformedError as error:
            items.append(CaseResult(source, line_number, error.case_id, False, error.reason))
            continue
        if case.case_id in seen:
            reason = "duplicate case id in this file"
            items.append(CaseResult(source, line_number, case.case_id, False, reason))
            continue
        seen.add(case.case_id)
        items.append(case)
    cases = [item for item in items if isinstance(item, Case)]
    invalid = sum(1 for case in cases if case.reject_reason is not None)
    digest = hashlib.sha256(data).hexdigest()
    return items, FileRead(digest, len(cases) - invalid, invalid)


def read_cases(path: Path) -> Iterator[Case | CaseResult]:
    """The cases of one file, in order; a malformed line yields a failed :class:`CaseResult`."""
    yield from read_case_file(path)[0]


def _is_number_text(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    try:
        parse_number(value)
    except SpecError:
        return False
    return True


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def compare_output(
    expected: object,
    actual: object,
    path: str,
    tolerance: Fraction = Fraction(0),
    open_keys: bool = True,
) -> list[str]:
    """Every mismatch between ``expected`` and ``actual`` under ``path``, as one-line reasons.

    Numbers (decimal or ``p/q`` strings, or integers) compare as exact rationals, within the
    case's absolute ``tolerance``; other strings compare as text; lists in order; maps by
    key. Keys not expected are ignored in the output itself and in records inside lists
    (``open_keys``: an implementation may add fields, as a ledger may); a map nested directly
    in another map is keyed by ids (``charges``, ``scores``) and must have exactly the
    expected keys, or an extra charged account would go unseen.
    """
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object, found {_show(actual)}"]
        problems: list[str] = []
        for key, value in expected.items():
            child = f"{path}.{key}"
            if key not in actual:
                problems.append(f"{child}: missing (expected {_show(value)})")
            else:
                problems.extend(compare_output(value, actual[key], child, tolerance, False))
        if not open_keys:
            extra = sorted(str(key) for key in actual if key not in expected)
            if extra:
                problems.append(
                    f"{path}.{extra[0]}: not expected (found {_show(actual[extra[0]])})"
                )
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, found {_show(actual)}"]
        if len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, found {len(actual)}"]
        problems = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problems.extend(compare_output(want, got, f"{path}[{index}]", tolerance, True))
        return problems
    if _is_number_text(expected):
        if not _is_number_text(actual):
            return [
                f"{path}: expected {_show(expected)}, found {_show(actual)} (not an exact number)"
            ]
        want = parse_number(expected)
        got = parse_number(actual)
        if abs(want - got) > tolerance:
            difference = format_number(got - want)
            found = f"found {_show(actual)} (difference {difference})"
            return [f"{path}: expected {_show(expected)}, {found}"]
        return []
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {_show(expected)}, found {_show(actual)}"]
    return []


@dataclass(frozen=True, slots=True)
class _Rejected:
    """A program's answer that rejects the case instead of giving an output."""

    reason: str


def _judge(case: Case, output: object) -> CaseResult:
    if case.reject_reason is not None:
        if isinstance(output, _Rejected):
            return CaseResult(case.source, case.line, case.case_id, True)
        reason = f"answered an invalid case with an output (must reject: {case.reject_reason})"
        return CaseResult(case.source, case.line, case.case_id, False, reason)
    if isinstance(output, _Rejected):
        return CaseResult(case.source, case.line, case.case_id, False, f"rejected: {output.reason}")
    problems = compare_output(case.expected, output, "output", case.tolerance)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return CaseResult(case.source, case.line, case.case_id, False, problems[0] + more)
    return CaseResult(case.source, case.line, case.case_id, True)


def _unread_reason(op: str, case_input: Mapping[str, Any], log: ReadLog) -> str | None:
    unread = find_unread_keys(dict(case_input), log)
    if not unread:
        return None
    more = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
    return f"malformed case: {unread[0].describe(op)}{more}"


def _reference_answer(case: Case) -> object:
    """The reference's output for ``case``; a refusal (bad field, bad value, unread field) is
    a :class:`_Rejected` with the reference's reason. ``None`` for an unknown op."""
    if get_runner(case.op) is None:
        return None
    output, refusal = answer_with_reference(case.op, case.input)
    return _Rejected(refusal) if refusal is not None else output


def answer_with_reference(op: str, case_input: Mapping[str, Any]) -> tuple[object, str | None]:
    """(output, None) from the reference for a known ``op``, or (None, the reason) when it
    refuses the input: a bad field or value, or a field it never read (an unknown or
    misplaced key), so that a case is never answered while part of it was ignored."""
    runner = get_runner(op)
    if runner is None:
        return None, f"unknown op {op!r}"
    log = ReadLog()
    try:
        output = runner(track_input(dict(case_input), log))
    except CaseError as error:
        return None, f"malformed case: {error}"
    except SpecError as error:
        return None, str(error)
    unread = _unread_reason(op, case_input, log)
    return (None, unread) if unread is not None else (output, None)


def _run_one_reference(case: Case) -> CaseResult:
    answer = _reference_answer(case)
    if answer is None:
        return CaseResult(case.source, case.line, case.case_id, False, f"unknown op {case.op!r}")
    if case.reject_reason is not None:
        return _judge_reference_rejection(case, answer)
    if isinstance(answer, _Rejected):
        reason = answer.reason
        if not reason.startswith("malformed case: "):
            reason = f"rejected: {reason}"
        return CaseResult(case.source, case.line, case.case_id, False, reason)
    return _judge(case, answer)


def _judge_reference_rejection(case: Case, answer: object) -> CaseResult:
    """An invalid case against the reference: it must reject it, for the named reason.

    Unlike a program under test (any rejection passes: wording is the implementer's), the
    reference must reject with a reason whose text matches the named reason's pattern
    (:data:`~perpspec.conformance.rejects.REJECT_REASONS`), so that a vector's
    ``reject_reason`` never names a refusal the reference does not make.
    """
    problem = check_reject_reason(case.reject_reason or "", answer)
    if problem is not None:
        return CaseResult(case.source, case.line, case.case_id, False, problem)
    return CaseResult(case.source, case.line, case.case_id, True)


def check_reject_reason(reject_reason: str, answer: object) -> str | None:
    """Why the reference's ``answer`` does not reject for ``reject_reason``, or None."""
    pattern = REJECT_REASONS.get(reject_reason)
    if pattern is None:
        names = ", ".join(sorted(REJECT_REASONS))
        return f"malformed case: reject_reason {reject_reason!r} is not a named reason ({names})"
    if not isinstance(answer, _Rejected):
        return f"the reference answers an invalid case ({reject_reason}) with an output"
    if re.search(pattern.wording, answer.reason) is None:
        return (
            f"the reference rejects it, but not for {reject_reason} "
            f"({pattern.meaning}): {answer.reason}"
        )
    return None


def find_malformed_reason(case: Case) -> str | None:
    """Why the reference finds ``case`` malformed (unknown op, a bad or unread field), or None.

    Used when a program is under test, so that a case the reference would refuse as malformed
    is never judged on the program's answer alone. A case the reference rejects for its
    values (``SpecError`` that is not a ``CaseError``) is not malformed: the program is
    judged on it as on any other.
    """
    if case.reject_reason is not None:
        answer = _reference_answer(case)
        if answer is None:
            return f"unknown op {case.op!r}"
        return check_reject_reason(case.reject_reason, answer)
    runner = get_runner(case.op)
    if runner is None:
        return f"unknown op {case.op!r}"
    log = ReadLog()
    try:
        runner(track_input(dict(case.input), log))
    except CaseError as error:
        return f"malformed case: {error}"
    except SpecError:
        return None
    return _unread_reason(case.op, case.input, log)


def _collect(paths: Sequence[Path]) -> tuple[list[Case], list[CaseResult], dict[str, FileRead]]:
    """Every case of ``paths`` and what was read of each file; a case id is unique across
    the whole run, not only a file."""
    cases: list[Case] = []
    malformed: list[CaseResult] = []
    files: dict[str, FileRead] = {}
    first_seen: dict[str, Case] = {}
    for path in paths:
        items, read = read_case_file(path)
        if read is not None:
            files[str(path.resolve())] = read
        for item in items:
            if not isinstance(item, Case):
                malformed.append(item)
                continue
            first = first_seen.get(item.case_id)
            if first is not None:
                reason = f"duplicate case id (first at {first.source}:{first.line})"
                malformed.append(CaseResult(item.source, item.line, item.case_id, False, reason))
                continue
            first_seen[item.case_id] = item
            cases.append(item)
    return cases, malformed, files


def _ordered(results: list[CaseResult]) -> list[CaseResult]:
    return sorted(results, key=lambda result: (result.source, result.line))


def run_reference(paths: Sequence[Path]) -> RunSummary:
    """Run every case of ``paths`` through the reference."""
    cases, malformed, files = _collect(paths)
    results = malformed + [
        replace(_run_one_reference(case), op=case.op, input=case.input, expected=case.expected)
        for case in cases
    ]
    return RunSummary(_ordered(results), files=files)


def judge_answer(case: Case, output: object, error: str | None) -> CaseResult:
    """The verdict on a program's answer: an ``output``, or a rejection with ``error``.

    An invalid case (one with a ``reject_reason``) passes only when rejected; a valid case
    passes only when its output matches ``expected``.
    """
    actual = {"error": error} if error is not None else output
    verdict = _judge(case, _Rejected(error) if error is not None else output)
    expected: object = (
        {"reject_reason": case.reject_reason} if case.reject_reason is not None else case.expected
    )
    return replace(verdict, op=case.op, input=case.input, expected=expected, actual=actual)


def run_program(command: str, paths: Sequence[Path], timeout: float | None = None) -> RunSummary:
    """Run every case of ``paths`` through the program ``command`` (a shell command line).

    The program gets every well-formed case, without ``expected``, on stdin; the driver
    (:mod:`perpspec.conformance.driver`) matches answers by id and survives crashes, hangs
    and garbage. A valid case the reference finds malformed is never sent. Every file must
    have been read whole (:func:`find_unread_files`).
    """
    from perpspec.conformance.driver import DEFAULT_TIMEOUT, drive_program

    cases, malformed, files = _collect(paths)
    results = [
        CaseResult(r.source, r.line, r.case_id, False, r.reason, kind="error") for r in malformed
    ]
    results.extend(find_unread_files(paths))
    sent: list[Case] = []
    for case in cases:
        reason = None if case.reject_reason is not None else find_malformed_reason(case)
        if reason is not None:
            results.append(
                CaseResult(
                    case.source,
                    case.line,
                    case.case_id,
                    False,
                    reason,
                    op=case.op,
                    kind="error",
                    input=case.input,
                )
            )
        else:
            sent.append(case)
    run = drive_program(command, sent, DEFAULT_TIMEOUT if timeout is None else timeout)
    for case in sent:
        if case.case_id in run.errors:
            results.append(
                CaseResult(
                    case.source,
                    case.line,
                    case.case_id,
                    False,
                    run.errors[case.case_id],
                    op=case.op,
                    kind="error",
                    input=case.input,
                    expected=case.expected,
                )
            )
        else:
            answer = run.answers[case.case_id]
            results.append(judge_answer(case, answer.output, answer.error))
    return RunSummary(_ordered(results), run.protocol_errors, run.notes, files)


#: Files a directory of vectors may hold besides its case files.
NOT_CASE_FILES = frozenset({MANIFEST_NAME})


def find_unread_files(paths: Sequence[Path]) -> list[CaseResult]:
    """A failure per file given that was not read whole ("all files accessed").

    A case file is read whole when its bytes decode and every line is parsed (a last line
    without a newline counts). Unreadable files are already failures of :func:`read_cases`;
    here the check is that the bytes read are the file's bytes, so a file changed or cut
    short while the run read it fails too.
    """
    problems: list[CaseResult] = []
    for path in paths:
        try:
            size = path.stat().st_size
            data = path.read_bytes()
        except OSError:
            continue
        if len(data) != size:
            problems.append(_file_failure(path, "file not read whole"))
    return problems


def _file_failure(path: Path, reason: str) -> CaseResult:
    """A failure of a whole file (no line, no case): printed ``FILE: reason``."""
    return CaseResult(str(path), 0, "?", False, reason, op="files", kind="error")


def _holds_manifest(directory: Path) -> bool:
    return directory.is_dir() and (directory / MANIFEST_NAME).exists()


def find_stray_files(names: Sequence[str]) -> list[CaseResult]:
    """A failure per file of a directory given that is neither a case file nor the manifest.

    Only ``*.jsonl`` files are read as cases; any other file there would silently not be
    consumed, so it fails the run. A directory holding a manifest is checked against it
    instead (:func:`check_manifests`), which fails a file it does not list, whatever its name.
    """
    problems: list[CaseResult] = []
    for name in names:
        directory = Path(name)
        if not directory.is_dir() or _holds_manifest(directory):
            continue
        for item in sorted(directory.iterdir()):
            if item.name.startswith(".") or item.name in NOT_CASE_FILES:
                continue
            if not item.is_file() or item.suffix != ".jsonl":
                reason = "not a case file (*.jsonl), so it would not be read"
                problems.append(_file_failure(item, reason))
    return problems


def check_manifests(names: Sequence[str], files: Mapping[str, FileRead]) -> list[CaseResult]:
    """A failure per disagreement between a directory given and its ``MANIFEST.json``.

    For every directory of ``names`` that holds a manifest (:func:`read_manifest`, the one
    reader): every file it lists must be present and have been read by the run (``files``,
    by resolved path) with the listed SHA-256 over the bytes the run parsed and the listed
    counts of valid and invalid cases among the cases the run parsed; every file of the
    directory must be listed (hidden files aside, as everywhere in a vector directory). So a
    changed byte, a deleted or added file, an edited count, or a file the run did not read
    whole each fail the run, naming the file, what the manifest says and what was found. A
    manifest that cannot be read fails the run once, with its reason. Directories without a
    manifest are left to :func:`find_stray_files`.
    """
    problems: list[CaseResult] = []
    checked: set[Path] = set()
    for name in names:
        directory = Path(name)
        if not _holds_manifest(directory) or directory.resolve() in checked:
            continue
        checked.add(directory.resolve())
        manifest_path = directory / MANIFEST_NAME
        try:
            manifest = read_manifest(manifest_path)
        except ManifestError as error:
            reason = str(error).removeprefix(f"{manifest_path}: ")
            problems.append(_file_failure(manifest_path, f"unreadable manifest: {reason}"))
            continue
        for item in sorted(directory.iterdir()):
            if item.name.startswith(".") or item.name in NOT_CASE_FILES:
                continue
            if item.name not in manifest.files:
                problems.append(_file_failure(item, f"not listed in {MANIFEST_NAME}"))
        for file_name, entry in sorted(manifest.files.items()):
            problems.extend(_check_listed_file(directory / file_name, entry, files))
    return problems


def _check_listed_file(
    path: Path, entry: ManifestEntry, files: Mapping[str, FileRead]
) -> list[CaseResult]:
    if not path.is_file():
        return [_file_failure(path, f"listed in {MANIFEST_NAME}, but missing")]
    read = files.get(str(path.resolve()))
    if read is None:
        reason = f"listed in {MANIFEST_NAME}, but not read (only *.jsonl files are case files)"
        return [_file_failure(path, reason)]
    problems: list[CaseResult] = []
    for label, want, got in (
        ("sha256", entry.sha256, read.sha256),
        ("valid cases", entry.valid, read.valid),
        ("invalid cases", entry.invalid, read.invalid),
    ):
        if want != got:
            reason = f"{label}: expected {want} ({MANIFEST_NAME}), found {got}"
            problems.append(_file_failure(path, reason))
    return problems
