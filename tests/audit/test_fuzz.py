"""Random corruptions of a valid ledger (issue 6, item 5): the audit never raises, exits 1 or
2 (an unreadable record: 2), prints every diagnostic as ``FILE:LINE:`` or ``FILE:``, and
passes clean only when the corrupted file still holds a ledger the reference engine itself
produces (the corruption was a no-op, or made another valid ledger)."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import orjson
from hypothesis import given, note
from hypothesis import strategies as st

from perpspec.audit.replay_check import check_replay
from perpspec.audit.run import DEFAULT_CHECKS
from perpspec.cli import main
from perpspec.ledger.codec import encode_event
from perpspec.ledger.errors import LedgerError
from perpspec.ledger.io import iter_ledger
from perpspec.reference.engine.config import render_engine_config
from perpspec.reference.events import Event
from tests.audit.conftest import SimulatedLedger, simulate

LEDGER: SimulatedLedger = simulate("seed-gate", 0, 6, 12)
LINES: list[bytes] = [orjson.dumps(encode_event(e)) for e in LEDGER.events]
ORIGINAL = b"\n".join(LINES) + b"\n"
NUMBERS = [
    b"1.5",
    b'"NaN"',
    b"NaN",
    b"1e400",
    b'"1e400"',
    b'"abc"',
    b"true",
    b"[1]",
    b'"' + b"9" * 300 + b'"',
    b"-0",
    b'"-1"',
    b"{}",
]


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[str, bytes]:
    """One corruption of the ledger's bytes, named."""
    n = len(LINES)
    kind = draw(
        st.sampled_from(
            ["truncate", "drop", "duplicate", "swap", "flip", "number", "delete", "garbage"]
        )
    )
    lines = list(LINES)
    if kind == "truncate":
        return kind, ORIGINAL[: draw(st.integers(0, len(ORIGINAL) - 1))]
    i = draw(st.integers(0, n - 1))
    if kind == "drop":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = draw(st.integers(0, n - 1).filter(lambda j: j != i))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "flip":
        at = draw(st.integers(0, len(lines[i]) - 1))
        char = draw(st.sampled_from(b'0123456789"{}[],:.-eaz \\'))
        lines[i] = lines[i][:at] + bytes([char]) + lines[i][at + 1 :]
    elif kind in ("number", "delete"):
        record = orjson.loads(lines[i])
        key = draw(st.sampled_from(sorted(record)))
        if kind == "delete":
            del record[key]
            lines[i] = orjson.dumps(record)
        else:
            value = draw(st.sampled_from(NUMBERS))
            record[key] = "\0"
            lines[i] = orjson.dumps(record).replace(b'"\\u0000"', value)
    else:
        at = draw(st.integers(0, len(ORIGINAL)))
        junk = draw(st.binary(min_size=1, max_size=16))
        return kind, ORIGINAL[:at] + junk + ORIGINAL[at:]
    return kind, b"\n".join(lines) + b"\n"


def read(path: Path) -> tuple[list[Event], bool]:
    """The decoded events, and whether any record was unreadable."""
    events: list[Event] = []
    broken = False
    for item in iter_ledger(path):
        if isinstance(item, LedgerError):
            broken = True
        else:
            events.append(item[1])
    return events, broken


@given(corruptions())
def test_corrupted_ledger_is_never_a_clean_pass(corruption: tuple[str, bytes]) -> None:
    kind, data = corruption
    note(kind)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.jsonl"
        config = Path(folder) / "ledger.jsonl.engine.toml"
        path.write_bytes(data)
        config.write_text(render_engine_config(LEDGER.config), encoding="utf-8")
        out = io.StringIO()
        err = io.StringIO()
        selected = ",".join((*DEFAULT_CHECKS, "replay"))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["audit", str(path), "--profile", "seed-gate", "--select", selected])
        events, broken = read(path)
    assert "Traceback" not in err.getvalue()
    assert code in (0, 1, 2)
    if broken:
        assert code == 2
    if code == 0:
        # Clean: a no-op, or a ledger the reference produces from its own inputs.
        assert (
            events == list(LEDGER.events)
            or check_replay(LEDGER.config, enumerate(events, start=1)).difference is None
        )
    for line in out.getvalue().splitlines():
        if not line.startswith(" "):
            assert line.startswith(f"{path}:") or line.startswith("...")


def test_fuzz_covers_clean_and_broken() -> None:
    # The cases the property depends on occur: the untouched ledger is clean, a broken one is 2.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.jsonl"
        path.write_bytes(ORIGINAL)
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["audit", str(path), "--profile", "seed-gate"]) == 0
            path.write_bytes(ORIGINAL[:-9])
            assert main(["audit", str(path), "--profile", "seed-gate"]) == 2
