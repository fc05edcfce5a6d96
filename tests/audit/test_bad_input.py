"""Bad input (issue 6, item 5): every case gives a diagnostic with its line and exit 2 (an
unreadable record) or a violation (exit 1), never a traceback and never a clean pass."""

from __future__ import annotations

import json
import re
from pathlib import Path

import orjson
import pytest

from perpspec.cli import main
from perpspec.ledger.codec import encode_event
from perpspec.ledger.io import write_ledger
from tests.audit.conftest import SimulatedLedger, write_with_config

DIAGNOSTIC = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): \[(?P<check>[a-z-]+)\] expected ")


def lines_of(ledger: SimulatedLedger) -> list[str]:
    """The ledger's JSON Lines records."""
    return [orjson.dumps(encode_event(e)).decode() for e in ledger.events]


def run(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    """``perpspec audit PATH``: exit code and the diagnostic heads."""
    code = main(["audit", str(path), *extra])
    out = capsys.readouterr().out.splitlines()
    return code, [line for line in out if DIAGNOSTIC.match(line)]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def edit(line: str, **changes: object) -> str:
    record = json.loads(line)
    record.update(changes)
    return json.dumps(record)


def drop(line: str, key: str) -> str:
    record = json.loads(line)
    del record[key]
    return json.dumps(record)


def find(lines: list[str], kind: str) -> int:
    return next(i for i, line in enumerate(lines) if json.loads(line)["type"] == kind)


def assert_only(heads: list[str], line: int, check: str) -> None:
    found = {(int(m["line"]), m["check"]) for m in map(DIAGNOSTIC.match, heads) if m}
    assert (line, check) in found


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("invalid-json", lambda line: line[:-1]),
        ("wrong-type", lambda line: edit(line, amount=["1"])),
        ("nan", lambda line: edit(line, amount="NaN")),
        ("huge", lambda line: edit(line, amount="1e999999")),
        ("text-number", lambda line: edit(line, amount="abc")),
        ("missing-field", lambda line: drop(line, "amount")),
        ("unknown-type", lambda line: edit(line, type="bonus")),
        ("seq-not-integer", lambda line: edit(line, seq="12a")),
    ],
)
def test_unreadable_record_is_format_exit_2(
    name: str,
    change: object,
    gate_ledger: SimulatedLedger,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = lines_of(gate_ledger)
    at = find(lines, "deposit")
    assert callable(change)
    lines[at] = change(lines[at])
    code, heads = run(write_lines(tmp_path / f"{name}.jsonl", lines), capsys)
    assert code == 2
    assert_only(heads, at + 1, "format")


def test_every_unreadable_record_is_reported(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    lines[5], lines[40] = "{", "[]"
    code, heads = run(write_lines(tmp_path / "two.jsonl", lines), capsys)
    assert code == 2
    assert_only(heads, 6, "format")
    assert_only(heads, 41, "format")


def test_truncated_file(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\n".join(lines_of(gate_ledger)[:50])
    path = tmp_path / "cut.jsonl"
    path.write_text(text[: len(text) - 7], encoding="utf-8")
    code, heads = run(path, capsys)
    assert code == 2
    assert_only(heads, 50, "format")


def test_json_float_is_read_exactly(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DESIGN, Arithmetic: JSON numbers are accepted when parsed exactly, never via float;
    # 0.1 + 0.2 is exactly 0.3 only in exact arithmetic, so a deposit of 0.1 then a balance
    # assertion of 0.1 on a fresh account holds only if the number was never a float.
    lines = lines_of(gate_ledger)[:3]
    last = json.loads(lines[-1])["seq"]
    ts = json.loads(lines[-1])["ts"]
    lines.append(
        f'{{"seq":{last + 1},"ts":"{ts}","type":"deposit","account":"z",'
        f'"asset":"USDT","amount":0.1}}'
    )
    lines.append(
        f'{{"seq":{last + 2},"ts":"{ts}","type":"balance","account":"z",'
        f'"asset":"USDT","amount":"1/10"}}'
    )
    code, heads = run(write_lines(tmp_path / "float.jsonl", lines), capsys)
    assert (code, heads) == (0, [])


@pytest.mark.parametrize("kind", ["duplicate", "decreasing"])
def test_seq_order_is_a_violation(
    kind: str, gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    at = find(lines, "insurance")
    previous = json.loads(lines[at - 1])["seq"]
    lines[at] = edit(lines[at], seq=previous if kind == "duplicate" else previous - 1)
    code, heads = run(write_lines(tmp_path / "seq.jsonl", lines), capsys)
    assert code == 1
    assert_only(heads, at + 1, "seq-order")


def test_unknown_account_is_a_references_violation(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    at = find(lines, "trade")
    lines[at] = edit(lines[at], buyer="nobody")
    code, heads = run(write_lines(tmp_path / "who.jsonl", lines), capsys)
    assert code == 1
    assert_only(heads, at + 1, "references")


def test_unknown_market_is_a_references_violation(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    at = find(lines, "mark")
    lines[at] = edit(lines[at], market="DOGE-PERP")
    code, heads = run(write_lines(tmp_path / "where.jsonl", lines), capsys)
    assert code == 1
    assert_only(heads, at + 1, "references")


def test_csv_with_wrong_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("seq,when,what\n1,2024-01-01T00:00:00Z,deposit\n", encoding="utf-8")
    code, heads = run(path, capsys)
    assert code == 2
    assert_only(heads, 1, "format")


def test_binary_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "noise.jsonl"
    path.write_bytes(bytes(range(256)) * 4)
    code, _ = run(path, capsys)
    assert code == 2


def test_binary_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "noise.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)))
    assert main(["audit", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "\n \n", "\ufeff"])
def test_an_empty_ledger_is_not_a_clean_pass(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing in it can be violated, but it is no evidence either: an export that wrote
    # nothing is reported as unreadable.
    path = tmp_path / "empty.jsonl"
    path.write_text(text, encoding="utf-8")
    assert main(["audit", str(path)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{path}: [format] expected a record the ledger format accepts, found file: no events: "
        "an empty ledger (did the export write it?)"
    )


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_formats_give_the_same_result(
    suffix: str, gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    at = find(lines, "insurance")
    lines[at] = edit(lines[at], seq=json.loads(lines[at - 1])["seq"])
    jsonl = write_lines(tmp_path / "l.jsonl", lines)
    from perpspec.ledger.io import read_ledger

    other = tmp_path / f"l.{suffix}"
    write_ledger(read_ledger(jsonl), other)
    code, heads = run(other, capsys)
    assert code == 1
    # Same check and message; CSV lines count the header, so they are one further on.
    assert [h[h.index("[") :] for h in heads] == [h[h.index("[") :] for h in run(jsonl, capsys)[1]]


def test_usage_errors_exit_2(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "ok.jsonl", lines_of(gate_ledger)[:10])
    assert main(["audit", str(path), "--select", "no-such-check"]) == 2
    assert main(["audit", str(path), "--ignore", "conservation,bogus"]) == 2
    assert main(["audit", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["audit", str(tmp_path / "ledger.txt")]) == 2
    assert main(["audit", str(path), "--profile", "no-such-profile"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith("perpspec audit: ") for line in err.splitlines())


@pytest.mark.parametrize("seq", ["40.0", "41e0"])
def test_an_integer_written_with_a_point_or_exponent(
    seq: str, gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = lines_of(gate_ledger)
    lines[39] = lines[39].replace('"seq":40,', f'"seq":{seq},', 1)
    path = write_lines(tmp_path / "l.jsonl", lines)
    assert main(["audit", str(path)]) == 2
    out = capsys.readouterr().out
    assert (
        f"{path}:40: [format] expected a record the ledger format accepts, found seq: expected "
        f"an integer without a point or exponent, found number {seq.removesuffix('e0')}\n"
    ) in out


def test_an_engine_configuration_that_is_not_utf8(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_with_config(gate_ledger, tmp_path / "l.jsonl")
    sidecar = tmp_path / "l.jsonl.engine.toml"
    sidecar.write_bytes(b"# r\xe9sum\xe9\n" + sidecar.read_bytes())
    assert main(["audit", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"perpspec audit: {sidecar}: not UTF-8 text (byte 3): TOML is UTF-8\n"
    )
