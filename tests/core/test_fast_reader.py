"""The compiled scanner and the reader on it give exactly what the reference reader gives.

Every test reads the same file with :func:`perpspec.ledger.jsonl.iter_jsonl` (the
definition) and :func:`perpspec._core.reader.iter_fast_jsonl`, and compares events, errors
(file, line, field, reason, record text) and unread keys. Tests that the scanner is really
used (not only the fallback) assert it handles the canonical lines.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perpspec import _core
from perpspec._core import reader
from perpspec._core.reader import iter_fast_jsonl
from perpspec.invariants.strategies import event_sequences
from perpspec.ledger import text_lines
from perpspec.ledger.codec import encode_event
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.exact_json import loads_exact
from perpspec.ledger.jsonl import iter_jsonl, write_jsonl
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.events import Event
from tests.ledger.conftest import SAMPLE_LINES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.jsonl"))

needs_core = pytest.mark.skipif(
    _core.load_core() is None, reason=f"the compiled core is not built ({_core.core_status()})"
)

Reader = Callable[[Path, UnreadFields | None], Iterator[tuple[int, Event] | LedgerError]]
Item = tuple[object, ...]


def _items(read: Reader, path: Path) -> tuple[list[Item], tuple[object, ...]]:
    unread = UnreadFields()
    items: list[Item] = []
    for item in read(path, unread):
        if isinstance(item, LedgerError):
            items.append(("error", item.file, item.line, item.field, item.reason, item.record))
        else:
            items.append(("event", *item))
    return items, unread.build()


def assert_same(path: Path) -> list[Item]:
    """Both readers on ``path``: the same items and the same unread keys."""
    expected = _items(iter_jsonl, path)
    assert _items(iter_fast_jsonl, path) == expected
    return expected[0]


def _lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


@needs_core
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_the_examples_are_read_the_same_and_every_line_is_scanned(path: Path) -> None:
    items = assert_same(path)
    assert items and all(item[0] == "event" for item in items)
    # the examples are written by write_jsonl: canonical, so the scanner takes every line
    assert all(line is not None for line in _core.scan_lines(path.read_bytes()))


@needs_core
def test_the_sample_ledger_is_scanned_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(SAMPLE_LINES) + "\n")
    assert len(assert_same(path)) == len(SAMPLE_LINES)
    for text, scanned in zip(SAMPLE_LINES, _core.scan_lines(path.read_bytes()), strict=True):
        assert scanned is not None
        parsed = orjson.loads(text)
        assert (scanned.seq, scanned.ts, scanned.type) == (
            parsed["seq"],
            parsed["ts"],
            parsed["type"],
        )
        assert [field.key for field in scanned.fields] == list(parsed)
        for field in scanned.fields:
            assert _value_of(field) == parsed[field.key]


def _value_of(field: _core.ScannedField) -> object:
    if field.kind is _core.FieldKind.STRING:
        return field.text
    if field.kind is _core.FieldKind.NULL:
        assert field.text == "null"
        return None
    return orjson.loads(field.text)


GOOD = (
    '{"seq":1,"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"alice","asset":"USDT",'
    '"amount":"1000"}'
)
TIERS = SAMPLE_LINES[0]


def deposit(seq: int, amount: str) -> str:
    return (
        f'{{"seq":{seq},"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"alice",'
        f'"asset":"USDT","amount":{amount}}}'
    )


# (the line, whether the scanner takes it): outside the subset goes to the general reader
LINES: list[tuple[str, bool]] = [
    (GOOD, True),
    (TIERS, True),
    ('{"seq":2,"ts":"2024-03-01T00:00:00Z","type":"deposit",', False),  # not JSON
    ("[1,2]", False),  # not an object
    ("{}", False),  # no seq
    (deposit(5, "0.1"), False),  # a JSON decimal: exact by the general reader
    (deposit(6, "NaN"), False),
    (deposit(7, "1e400"), False),
    (deposit(8, "1" * 300), False),  # beyond 18 digits
    (deposit(9, '"-5"'), True),  # in the subset; the codec refuses it
    (deposit(10, "123456789012345678"), True),  # 18 digits: an integer, the codec decides
    (deposit(11, "1234567890123456789"), False),  # 19 digits
    (deposit(12, "-0"), True),
    (deposit(13, "01"), False),  # not JSON
    (deposit(13, "12.5"), False),  # a JSON decimal
    (deposit(13, "125E-1"), False),  # an exponent
    (deposit(13, "-"), False),
    (deposit(13, "1-2"), False),
    (GOOD.replace('"seq":1', '"seq":1.0'), False),
    (deposit(14, "true"), False),
    (deposit(15, "null"), True),
    (deposit(16, '{"a":"1"}'), False),  # an object as a value
    (deposit(17, '"2\\u002e5"'), False),  # an escape
    (deposit(18, '"2.5"') + " ", False),  # a space
    (GOOD.replace('"seq":1', '"seq":"10"'), False),  # seq as a string
    (GOOD.replace('"seq":1', '"seq":-1'), True),  # the codec refuses it
    (GOOD.replace("00Z", "00"), True),
    (GOOD.replace('"deposit"', '"deposito"'), True),
    (GOOD.replace(',"asset":"USDT"', ""), True),
    (GOOD.replace('"alice"', "42"), True),
    (GOOD.replace('"alice"', '"alïce"'), False),  # non-ASCII text
    (GOOD.replace('"alice"', '""'), True),
    (GOOD.replace('"seq":1,"ts"', '"ts"').replace('"type"', '"seq":1,"type"'), False),  # order
    (GOOD.replace('"asset":"USDT"', '"asset":"USDT","asset":"USD"'), False),  # a repeat
    (GOOD.replace('"amount"', '"extra":[1,"x",null,{}],"amount"'), True),  # an unread key
    (GOOD.replace('"amount"', '"extra":[[1]],"amount"'), False),  # a nested list
    (GOOD.replace('"amount"', '"extra":{"a":1},"amount"'), False),
    (TIERS.replace('"mmr":"0.004"', '"mmr":"0.004","mmr":"0.005"'), False),  # a repeat inside
    (TIERS.replace('"mmr":"0.004"', '"mmr":0.004'), False),
    (TIERS.replace('"mmr":"0.004"', '"mmr":"0.004","note":"x"'), True),  # an unread tier key
    (TIERS.replace('"tiers":[', '"tiers":[,'), False),
    (TIERS.replace("}],", "},],"), False),
    (GOOD.replace('"seq":1', '"seq": 1'), False),
    (GOOD[:-1] + ',"seq":2}', False),  # seq twice
    (GOOD + "{}", False),  # two values
]


@needs_core
def test_the_scanner_takes_exactly_the_subset() -> None:
    for text, handled in LINES:
        scanned = _core.scan_record(text.encode())
        assert (scanned is not None) == handled, text
        if scanned is not None:
            parsed = loads_exact(text)
            assert isinstance(parsed, dict)
            assert [field.key for field in scanned.fields] == list(parsed)
            assert [_value_of(field) for field in scanned.fields] == list(parsed.values())


def test_malformed_lines_are_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    body = "\n".join(text for text, _ in LINES)
    path.write_text(body + "\n\n   \n" + GOOD[:40])  # blank lines, then truncated
    items = assert_same(path)
    assert sum(item[0] == "error" for item in items) > 20


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n\n  \n",
        b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n" + GOOD.encode() + b"\r\n",  # BOM, CRLF
        GOOD.encode() + b"\n\xef\xbb\xbf" + GOOD.encode() + b"\n",  # a BOM not at the start
        GOOD.encode() + b"\n\x00\x01\x02\n" + GOOD.encode(),  # binary
        GOOD.encode() + b"\n\xff\xfe{}\n" + GOOD.encode() + b"\n",  # one line not UTF-8
        GOOD.encode() + b"\n" + b"\xff\n" * text_lines.MAX_BAD_LINES + GOOD.encode() + b"\n",
        GOOD.encode() + b"\n" + b"\xff\n" * (text_lines.MAX_BAD_LINES - 1) + GOOD.encode(),
        GOOD.encode(),  # a good last line without its newline
        GOOD.encode() + b"\r",
        b"\x0c" + GOOD.encode() + b"\n",  # a form feed: not JSON whitespace
        ("\u2028" + GOOD + "\n").encode(),
    ],
)
def test_text_level_cases_are_read_the_same(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "case.jsonl"
    path.write_bytes(content)
    assert_same(path)


def test_an_overlong_line_stops_both_readers_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_lines, "MAX_LINE_BYTES", 200)
    path = tmp_path / "long.jsonl"
    for middle in ("x" * 500, "x" * 199, "x" * 200, GOOD + " " * (200 - len(GOOD))):
        path.write_text(GOOD + "\n" + middle + "\n" + GOOD + "\n")
        assert_same(path)
        path.write_text(GOOD + "\n" + middle)  # the long line last, without a newline
        assert_same(path)


def test_a_missing_file_is_the_same_error(tmp_path: Path) -> None:
    items = assert_same(tmp_path / "absent.jsonl")
    assert len(items) == 1 and items[0][0] == "error"


@needs_core
def test_chunk_and_batch_boundaries_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(SAMPLE_LINES + [text for text, _ in LINES]) + "\n")
    expected = _items(iter_jsonl, path)
    for chunk, batch in ((1, 1), (7, 3), (64, 2), (1000, 5)):
        monkeypatch.setattr(reader, "CHUNK_BYTES", chunk)
        monkeypatch.setattr(reader, "LINES_PER_CALL", batch)
        assert _items(iter_fast_jsonl, path) == expected


# Bytes a corruption inserts: JSON's structure, escapes, exponents, spaces, non-ASCII and
# control bytes, so the lines land both inside and outside the scanner's subset.
_NOISE = st.sampled_from(
    [b'"', b",", b":", b"{", b"}", b"[", b"]", b"\\", b"\\n", b"e5", b".", b"-", b"0", b"7",
     b" ", b"\t", b"null", b"true", b"\xc3\xa9", b"\xff", b"\r", b"\n", b"\x00", b'"seq":3,']
)  # fmt: skip


_QUOTED_NUMBER = re.compile(rb'"(-?[0-9]+(?:\.[0-9]+)?(?:/[0-9]+)?)"')


@st.composite
def corrupted_ledgers(draw: st.DrawFn) -> bytes:
    """A generated ledger written canonically, then a few bytes changed, cut or inserted."""
    events = [
        dataclasses.replace(event, seq=seq)
        for seq, event in enumerate(draw(event_sequences(max_steps=8)), start=1)
    ]
    data = bytearray(b"".join(orjson.dumps(encode_event(event)) + b"\n" for event in events))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.integers(0, 3))
        numbers = list(_QUOTED_NUMBER.finditer(data))
        if action == 3 and numbers:
            # a number string written as a JSON number: an integer stays in the subset, a
            # decimal or a fraction leaves it
            found = draw(st.sampled_from(numbers))
            data[found.start() : found.end()] = found.group(1)
        elif action == 0:
            data[at:at] = draw(_NOISE)
        elif action == 1:
            del data[at : at + draw(st.integers(1, 5))]
        else:
            data[at : at + 1] = draw(_NOISE)
    if draw(st.booleans()):
        data = data.rstrip(b"\n")
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=corrupted_ledgers())
def test_generated_and_corrupted_ledgers_are_read_the_same(data: bytes) -> None:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"perpspec-core-{os.getpid()}.jsonl"
    try:
        path.write_bytes(data)
        assert_same(path)
    finally:
        path.unlink(missing_ok=True)


@needs_core
def test_a_written_ledger_is_scanned_whole(tmp_path: Path) -> None:
    path = tmp_path / "written.jsonl"
    events = [item[1] for item in iter_jsonl(_sample(tmp_path)) if isinstance(item, tuple)]
    assert len(events) == len(SAMPLE_LINES)
    write_jsonl(events, path)
    assert all(line is not None for line in _core.scan_lines(path.read_bytes()))
    assert_same(path)


def _sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(SAMPLE_LINES) + "\n")
    return path


def test_without_the_core_the_same_results_and_one_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(SAMPLE_LINES + [text for text, _ in LINES]) + "\n")
    expected = _items(iter_jsonl, path)
    monkeypatch.setenv("PERPSPEC_NO_CORE", "1")
    _core.reset_core()
    try:
        capsys.readouterr()
        assert _items(iter_fast_jsonl, path) == expected
        assert _items(iter_fast_jsonl, path) == expected
        assert _core.load_core() is None
        notes = capsys.readouterr().err.splitlines()
        assert notes == [
            "perpspec: the compiled core is not built (PERPSPEC_NO_CORE is set); "
            "every command runs on the exact path"
        ]
    finally:
        monkeypatch.delenv("PERPSPEC_NO_CORE")
        _core.reset_core()
        capsys.readouterr()


def test_a_fresh_process_without_the_core_says_so_once(tmp_path: Path) -> None:
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(SAMPLE_LINES) + "\n")
    program = (
        "import sys\n"
        "from perpspec._core.reader import iter_fast_jsonl\n"
        "for _ in range(3):\n"
        "    print(sum(1 for item in iter_fast_jsonl(sys.argv[1]) if isinstance(item, tuple)))\n"
    )
    environment = {**os.environ, "PERPSPEC_NO_CORE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", program, str(path)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(len(SAMPLE_LINES))] * 3
    assert done.stderr.splitlines() == [
        "perpspec: the compiled core is not built (PERPSPEC_NO_CORE is set); "
        "every command runs on the exact path"
    ]
