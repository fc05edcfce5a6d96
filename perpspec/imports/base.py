"""What every import adapter gives and the reading it shares (DESIGN, Partial ledgers).

An adapter reads one exchange's export files and returns an :class:`Imported`: the drafts of
the ledger's records (each an event with its time and the file line it came from, its ``seq``
not yet given), the words of what the export covers, the stated precision and the count of
rows it has no record for. :mod:`perpspec.imports.assemble` orders the drafts by time and
numbers them behind the ``source`` record.

Every value is read exactly: a number is a :class:`~fractions.Fraction` of its decimal text
(scientific notation and, in CSV, thousands separators accepted, a float never formed); a time
is normalized to the ledger's UTC form. A value that cannot be read is an
:class:`ExportError` naming the file, the line and the field, and reading goes on, so that
every bad row is reported (exit 2), never dropped.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from perpspec.ledger.errors import LedgerError
from perpspec.ledger.exact_json import ExactJSONError, loads_exact
from perpspec.reference.events import Event
from perpspec.reference.numbers import compose_decimal

__all__ = [
    "COVERS",
    "DEFAULT_ACCOUNT",
    "EMPTY_RESPONSE",
    "Adapter",
    "Draft",
    "ExportError",
    "Imported",
    "Sniff",
    "get_field",
    "is_empty_response",
    "parse_amount",
    "parse_time",
    "read_csv_rows",
    "read_json_records",
]

#: The unmapped word of a file that is an API response of no rows (a ``[]``, or an envelope
#: whose list is empty: an account never liquidated has no forced orders).
EMPTY_RESPONSE = "empty response (a file of no rows)"

#: The account an export's view is booked to when the export names none (``--account``).
DEFAULT_ACCOUNT = "me"

#: What an export can cover (``source.covers``); the audit runs a check only when every word it
#: needs is here (perpspec.audit.coverage).
#:
#: - ``wallet``: every movement of the accounts' wallets in the period, as statements,
#:   deposits and withdrawals (no movement left out);
#: - ``balances``: running or snapshot balances, as ``balance`` assertions;
#: - ``fills``: the accounts' fills;
#: - ``roles``: each fill says whether it was a liquidation or an ADL of the account (an
#:   export whose fills all read ``trade`` because it cannot tell does not cover it);
#: - ``start_positions``: each fill states the position before it;
#: - ``realized_pnl``: each closing fill states its realized PnL;
#: - ``commissions``: each fill states its commission;
#: - ``funding``: the funding payments as statements, with the position and rate behind them
#:   when the export states them;
#: - ``positions``: position snapshots (``position`` records), with stated liquidation prices.
COVERS: tuple[str, ...] = (
    "wallet",
    "balances",
    "fills",
    "roles",
    "start_positions",
    "realized_pnl",
    "commissions",
    "funding",
    "positions",
)


class ExportError(LedgerError):
    """One value or row of an export that cannot be read: file, line, field and reason."""


@dataclass(frozen=True, slots=True)
class Draft:
    """One record of the ledger to be: ``event`` (its ``seq`` is 0 until assembled), from
    ``line`` of ``file``. ``ts`` is the event's own time, the order key."""

    file: str
    line: int
    event: Event

    @property
    def ts(self) -> str:
        return self.event.ts


@dataclass(slots=True)
class Imported:
    """What an adapter read: the drafts, the accounts whose view it is, what the export
    covers (words of :data:`COVERS`), its precision (None: it states none), the rows with
    no record (by the export's type, counted) and the problems found (each a bad value)."""

    accounts: tuple[str, ...]
    drafts: list[Draft] = field(default_factory=list)
    covers: set[str] = field(default_factory=set)
    precision: Fraction | None = None
    unmapped: Counter[str] = field(default_factory=Counter)
    problems: list[ExportError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Sniff:
    """The start of one file, for ``--from auto``: its name, its first line of text (a CSV
    header), and the keys of its first JSON record (empty when it is not JSON)."""

    name: str
    first_line: str
    keys: frozenset[str]


class Adapter(Protocol):
    """One export format (``perpspec import --from NAME``)."""

    @property
    def name(self) -> str:
        """The format's name as ``--from`` takes it."""
        ...

    @property
    def summary(self) -> str:
        """One line: the exchange, the endpoints and files it reads."""
        ...

    def detect(self, sniff: Sniff) -> bool:
        """Whether the file looks like one of this format's (a header or keys of its own)."""
        ...

    def read(self, paths: Sequence[str], account: str) -> Imported:
        """Translate the files; ``account`` names the view when the export names none."""
        ...


# ---- numbers ------------------------------------------------------------------------------

_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)

#: Longest number text read, and the largest exponent: ``1e999999999`` would be a
#: billion-digit integer, which no export states and which would stall the reader.
MAX_AMOUNT_LENGTH = 200
MAX_EXPONENT = 400


def parse_amount(
    text: object, file: str, line: int, name: str, *, grouped: bool = False
) -> Fraction:
    """The exact value of a number as an export writes it: decimal text, with an exponent
    (``1E-8``) or, when ``grouped`` (CSV cells), thousands separators (``1,234.5``); a JSON
    number read exactly (an int or a Decimal from :func:`read_json_records`). A float is
    refused: its decimal text is lost before it reaches here. The digits are read by
    :func:`perpspec.reference.numbers.compose_decimal`."""
    if isinstance(text, bool) or text is None:
        raise ExportError(file, line, name, f"expected a number, found {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, Decimal):
        if not text.is_finite() or abs(text.adjusted()) > MAX_EXPONENT:
            raise ExportError(file, line, name, f"expected a finite number, found {text}")
        return Fraction(text)
    if not isinstance(text, str):
        raise ExportError(file, line, name, f"expected a number, found {text!r}")
    cleaned = text.strip()
    if grouped and _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    match = _DECIMAL.fullmatch(cleaned) if len(cleaned) <= MAX_AMOUNT_LENGTH else None
    if match is None or not (match.group(2) or match.group(3)):
        raise ExportError(file, line, name, f"expected a number, found {text!r}")
    sign, whole, fraction, exponent = match.groups()
    fraction = fraction or ""
    if abs(len(fraction) - int(exponent or 0)) > MAX_EXPONENT:
        raise ExportError(file, line, name, f"exponent out of range in {text!r}")
    return compose_decimal(sign + whole, fraction, int(exponent or 0))


# ---- times --------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def _format_time(moment: datetime, fraction: str) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{fraction}Z" if fraction.strip("0") else f"{text}Z"


def parse_time(
    value: object, file: str, line: int, name: str, *, unit: str = "auto", naive: str = "UTC"
) -> str:
    """A time as the ledger writes it (UTC, ``2024-03-01T08:00:00.123Z``).

    Accepted: epoch integers or digit strings (``unit`` ms, s, us or ns; ``auto`` takes 13
    digits as ms, 10 as s, 16 as us and 19 as ns); ISO 8601 or ``YYYY-MM-DD HH:MM:SS[.fff]``
    text with an offset (``Z``, ``+08:00``), converted to UTC; such text without an offset is
    in ``naive`` (only ``UTC`` is accepted: an export that writes local times without saying so
    needs its offset, and a guess would move events across a funding or a liquidation)."""
    if isinstance(value, bool):
        raise ExportError(file, line, name, f"expected a time, found {value!r}")
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        digits = str(value).strip()
        scale = unit
        if scale == "auto":
            scale = {10: "s", 13: "ms", 16: "us", 19: "ns"}.get(len(digits), "")
        divisor = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}.get(scale)
        if divisor is None:
            raise ExportError(file, line, name, f"expected epoch s, ms, us or ns, found {value!r}")
        whole, rest = divmod(int(digits), divisor)
        moment = _EPOCH + timedelta(seconds=whole)
        width = len(str(divisor)) - 1
        return _format_time(moment, str(rest).rjust(width, "0") if width else "")
    if not isinstance(value, str) or not value.strip():
        raise ExportError(file, line, name, f"expected a time, found {value!r}")
    text = value.strip().replace(" ", "T", 1)
    offset = _OFFSET.search(text)
    body = text[: offset.start()] if offset else text
    zone = offset.group(0) if offset else None
    if zone is None and naive != "UTC":
        raise ExportError(file, line, name, f"a time without an offset: {value!r}")
    fraction = ""
    if "." in body:
        body, fraction = body.split(".", 1)
        if not fraction.isdigit() or len(fraction) > 9:
            raise ExportError(file, line, name, f"expected a time, found {value!r}")
    try:
        moment = datetime.strptime(body, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ExportError(file, line, name, f"expected a time, found {value!r}") from None
    if zone not in (None, "Z"):
        sign = -1 if zone[0] == "+" else 1
        digits = zone[1:].replace(":", "")
        moment += sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return _format_time(moment, fraction)


# ---- files --------------------------------------------------------------------------------


def get_field(record: Mapping[str, object], name: str, file: str, line: int) -> object:
    """``record[name]``, or an :class:`ExportError` naming the missing field."""
    if name not in record or record[name] in (None, ""):
        raise ExportError(file, line, name, "missing")
    return record[name]


def read_csv_rows(
    path: str, preamble: int = 0
) -> Iterator[tuple[int, dict[str, str]] | ExportError]:
    """The rows of an export's CSV as ``(line, {header: cell})`` (a byte-order mark and
    surrounding spaces in the header dropped); a row whose width is not the header's is a
    problem, and reading goes on. ``preamble`` lines before the header are not read (an
    export that opens with a line of its own, such as Bybit's ``UID: ...``); lines keep their
    numbers in the file."""
    file = os.fspath(path)
    try:
        text = open(path, encoding="utf-8-sig", newline="").read()  # noqa: SIM115
    except (OSError, UnicodeDecodeError) as error:
        yield ExportError(file, 0, "file", f"cannot read: {error}")
        return
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield ExportError(file, line, "record", f"not CSV: {error}")
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        if line <= preamble:
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        if len(row) != len(header):
            yield ExportError(
                file,
                line,
                "record",
                f"expected {len(header)} cells as in the header, found {len(row)}",
            )
            continue
        yield line, {name: cell.strip() for name, cell in zip(header, row, strict=True)}
    if header is None:
        yield ExportError(file, 1, "header", "an empty file: no header")


def read_json_records(
    path: str, envelopes: Sequence[Sequence[str]] = ()
) -> Iterator[tuple[int, dict[str, object]] | ExportError]:
    """The records of an export's JSON as ``(line, record)``: a JSON array of objects, an API
    response whose list sits under one of ``envelopes`` (a key path such as
    ``("result", "list")``), or JSON Lines of such. Numbers are exact (ints and Decimals,
    :func:`perpspec.ledger.exact_json.loads_exact`), so adapters parse them with
    :func:`parse_amount`. ``line`` is the record's line in the file (JSON Lines) or its
    position in the list, from 1 (a single JSON document)."""
    file = os.fspath(path)
    try:
        data = open(path, "rb").read()  # noqa: SIM115
    except OSError as error:
        yield ExportError(file, 0, "file", f"cannot read: {error.strerror or error}")
        return
    documents: list[tuple[int, object]] = []
    try:
        documents.append((0, loads_exact(data)))
    except ExactJSONError:
        for number, raw in enumerate(data.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                documents.append((number, loads_exact(raw)))
            except ExactJSONError as error:
                yield ExportError(file, number, "record", f"not JSON: {error}")
    if not data.strip():
        yield ExportError(file, 1, "file", "an empty file: no records")
    for number, document in documents:
        records = _unwrap(document, envelopes)
        if records is None:
            yield ExportError(
                file, max(number, 1), "record", "expected a JSON object or a list of objects"
            )
            continue
        for index, record in enumerate(records, start=1):
            where = number if number else index
            if not isinstance(record, dict):
                yield ExportError(file, where, "record", "expected a JSON object")
                continue
            yield where, record


def _unwrap(document: object, envelopes: Sequence[Sequence[str]]) -> list[object] | None:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    for path in envelopes:
        node: object = document
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, list):
            return node
    return [document]


def is_empty_response(path: str) -> bool:
    """Whether the file is a valid JSON response holding no row: an empty list, or an object
    (an API envelope, one level of nesting at most) whose lists are all empty. An error
    envelope is that too: each adapter reads its exchange's error fields first."""
    try:
        document = loads_exact(open(path, "rb").read())  # noqa: SIM115
    except (OSError, ExactJSONError, RecursionError):
        return False
    return _holds_no_row(document, depth=0)


def _holds_no_row(document: object, depth: int) -> bool:
    if isinstance(document, list):
        return not document
    if not isinstance(document, dict) or depth > 1:
        return False
    nested = [v for v in document.values() if isinstance(v, list | dict)]
    return bool(nested) and all(_holds_no_row(value, depth + 1) for value in nested)
