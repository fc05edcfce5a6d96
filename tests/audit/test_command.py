"""``perpspec audit``: the JSON shape, selection, the violation cap, skipped checks, the
catalogue, and diagnostics computed by hand."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.audit.checks import ALL_CHECKS
from perpspec.audit.run import DEFAULT_CHECKS, NEEDS_PROFILE
from perpspec.cli import main
from perpspec.invariants.catalogue import CATALOGUE
from perpspec.ledger.io import write_ledger
from tests.audit.conftest import SimulatedLedger, write_with_config

TS = "2024-01-01T00:00:00Z"
INSTRUMENT: dict[str, object] = {
    "type": "instrument",
    "market": "X-PERP",
    "kind": "linear",
    "multiplier": "1",
    "tick_size": "1",
    "lot_size": "1",
    "fund": "X",
    "settle_asset": "USD",
    "tiers": [{"floor": "0", "mmr": "1/100", "maintenance_amount": "0", "max_leverage": "10"}],
}


def write_records(path: Path, records: Sequence[Mapping[str, object]]) -> Path:
    lines = [json.dumps({"seq": n, "ts": TS, **r}) for n, r in enumerate(records, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_trade(qty: str, price: str, buyer_fee: str, seller_fee: str) -> list[dict[str, object]]:
    """Lines 1-5: the market, A and B with 1,000 each, the mark 100, and A buying ``qty`` from
    B at ``price`` with the fees given."""
    return [
        INSTRUMENT,
        {"type": "deposit", "account": "A", "asset": "USD", "amount": "1000"},
        {"type": "deposit", "account": "B", "asset": "USD", "amount": "1000"},
        {"type": "mark", "market": "X-PERP", "price": "100"},
        {
            "type": "trade",
            "market": "X-PERP",
            "buyer": "A",
            "seller": "B",
            "qty": qty,
            "price": price,
            "buyer_fee": buyer_fee,
            "seller_fee": seller_fee,
        },
    ]


def funding_ledger(path: Path, payments: list[tuple[str, str]]) -> Path:
    return write_records(
        path,
        [
            *open_trade("1", "100", "0", "0"),
            {"type": "mark", "market": "X-PERP", "price": "90"},
            {
                "type": "funding",
                "market": "X-PERP",
                "rate": "1/90",
                "payments": [{"account": a, "amount": v} for a, v in payments],
            },
        ],
    )


def test_funding_that_creates_money_is_a_conservation_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Deposits 1000 + 1000 = 2000. A long 1 at 100, B short 1 at 100; at the mark 90 their
    # uPnL is -10 and +10 (sum 0). Funding: A pays 1, B receives 2: cash 999 + 1002 = 2001,
    # so cash + uPnL = 2001 against 2000: found 2001, difference 1, at line 7.
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "2")])
    assert main(["audit", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{path}:7: [conservation] expected cash + uPnL = deposits - withdrawals = 2000 USD, "
        "found 2001 (difference 1)"
    )
    assert out[1].startswith('  {"seq":7,')
    assert out[2].startswith("  hint: ")


def test_balanced_funding_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A pays 1, B receives 1 (1/90 of the value 90): zero-sum, nothing to report.
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "1")])
    assert main(["audit", str(path)]) == 0


def test_json_shape(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "2")])
    assert main(["audit", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {
        *("file", "sha256", "events", "profile", "checks", "violations"),
        *("source", "unread_fields", "exit"),
    }
    assert report["source"] is None  # a full ledger: no export it was read from
    assert report["events"] == 7 and report["exit"] == 1 and report["profile"] is None
    assert re.fullmatch("[0-9a-f]{64}", report["sha256"])
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["conservation"] == {
        "id": "conservation",
        "examined": 7,
        "violations": 1,
        "skipped": None,
    }
    assert checks["adl-order"]["skipped"] == NEEDS_PROFILE
    assert checks["replay"]["skipped"] is not None
    assert checks["frame"]["skipped"] is not None and checks["price-order"]["skipped"]
    # The payments are not the rule's either (B should receive 1): funding, at the same line.
    violation, funding = report["violations"]
    assert (funding["check"], funding["line"]) == ("funding", 7)
    assert violation == {
        "check": "conservation",
        "file": str(path),  # each violation names its file (an export's may be several)
        "line": 7,
        "seq": 7,
        "expected": "cash + uPnL = deposits - withdrawals = 2000 USD",
        "found": "2001",
        "difference": "1",
        "record": violation["record"],
        "hint": violation["hint"],
    }


def test_select_ignore_and_cap(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two funding lines that each add 1: two conservation violations.
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "2")])
    text = path.read_text(encoding="utf-8")
    last = text.splitlines()[-1].replace('"seq": 7', '"seq": 8')
    path.write_text(text + last + "\n", encoding="utf-8")
    assert main(["audit", str(path), "--json", "--max-violations", "1"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["violations"]) == 1
    assert {c["id"]: c["violations"] for c in report["checks"]}["conservation"] == 2
    assert main(["audit", str(path), "--ignore", "conservation,funding"]) == 0
    assert main(["audit", str(path), "--select", "seq-order,oi-balance"]) == 0
    assert main(["audit", str(path), "--select", "seq-order", "--select", "conservation"]) == 1


def test_replay_runs_when_selected(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_with_config(gate_ledger, tmp_path / "g.jsonl")
    assert main(["audit", str(path), "--select", "replay", "--json"]) == 0
    checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["replay"]["examined"] == len(gate_ledger.events)
    assert checks["replay"]["skipped"] is None
    tampered = list(gate_ledger.events)
    del tampered[10]
    write_ledger(tampered, path)
    assert main(["audit", str(path), "--select", "replay"]) == 1


def test_without_profile_the_rule_checks_are_skipped_and_named(
    gate_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_with_config(gate_ledger, tmp_path / "g.jsonl")
    assert main(["audit", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "skipped liq-settlement, trade-fee, liq-trigger, liq-complete, bankruptcy-price, "
        "adl-order" in out
    )
    assert out.splitlines()[-1].endswith("no violations")


def test_every_check_is_in_the_catalogue() -> None:
    assert set(ALL_CHECKS) <= set(CATALOGUE)
    assert {"replay", "frame", "price-order"} <= set(CATALOGUE) - set(DEFAULT_CHECKS)


def test_every_catalogue_invariant_is_run_or_skipped_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "1")])
    assert main(["audit", str(path), "--json", "--profile", "seed-gate"]) == 0
    checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert set(CATALOGUE) <= set(checks)
    for invariant in CATALOGUE:
        skipped = checks[invariant]["skipped"]
        if invariant in ("mark-price", "funding-rate"):
            # default checks, but this ledger states no index record: not checkable, said so
            assert skipped.startswith("not checkable: the ledger states no index record")
            continue
        ran = invariant in DEFAULT_CHECKS
        assert (skipped is None) == ran


def test_a_deselected_references_reports_nothing_but_still_guards_the_books(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The second instrument redefines X-PERP: the books refuse it (a SpecError), which is a
    # references violation when references runs, and nothing at all when it is deselected.
    path = write_records(tmp_path / "r.jsonl", [INSTRUMENT, {**INSTRUMENT, "multiplier": "10"}])
    assert main(["audit", str(path)]) == 1
    assert "r.jsonl:2: [references]" in capsys.readouterr().out
    for deselect in (["--ignore", "references"], ["--select", "conservation"]):
        assert main(["audit", str(path), *deselect]) == 0
        assert capsys.readouterr().out.splitlines()[-1].endswith("no violations")


def test_settlement_unit_for_an_export_without_engine_configuration(
    socialized_ledger: SimulatedLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The simulator books socialized charges rounded to its unit, 1e-8; an export carries no
    # engine configuration, so the auditor states the unit. Without it, the charges booked
    # exactly also put the stated balances of the charged accounts off by the dust.
    assert socialized_ledger.config.unit == Fraction(1, 10**8)
    path = tmp_path / "export.jsonl"
    write_ledger(socialized_ledger.events, path)
    audit = ["audit", str(path), "--profile", "seed-socialized", "--json"]
    assert main(audit) == 1
    flagged = {c["id"] for c in json.loads(capsys.readouterr().out)["checks"] if c["violations"]}
    assert flagged <= {"sl-participants", "sl-cap", "fund-first", "conservation"} and flagged
    assert main([*audit, "--settlement-unit", "0.00000001"]) == 0
    capsys.readouterr()
    for bad in ("0", "-1", "1e-8"):
        assert main([*audit, "--settlement-unit", bad]) == 2
        assert capsys.readouterr().err.startswith("perpspec audit: --settlement-unit")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--select", ""], "no check id given (an empty --select or --ignore)"),
        (["--select", " , "], "no check id given (an empty --select or --ignore)"),
        (["--profile", ""], "--profile: an empty name"),
        (["--html", ""], "--html: an empty path"),
    ],
)
def test_empty_options_are_usage_errors(
    extra: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "1")])
    assert main(["audit", str(path), *extra]) == 2
    assert capsys.readouterr().err.startswith(f"perpspec audit: {message}")


def test_the_report_never_overwrites_the_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "-1"), ("B", "1")])
    before = path.read_bytes()
    assert main(["audit", str(path), "--html", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"perpspec audit: --html: {path} is the ledger being audited\n"
    assert path.read_bytes() == before


def test_a_ledger_read_from_a_pipe_is_audited_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Funding that creates 1 from nothing: a conservation violation at line 7, whether the
    # ledger is a file or a FIFO (read once: digest and audit both see every byte).
    path = funding_ledger(tmp_path / "f.jsonl", [("A", "1"), ("B", "0")])
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(path.read_bytes()))
    writer.start()
    assert main(["audit", str(fifo), "--json"]) == 1
    writer.join()
    report = json.loads(capsys.readouterr().out)
    assert report["file"] == str(fifo)
    assert report["events"] == 7
    assert report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(v["check"], v["line"]) for v in report["violations"]] == [
        ("conservation", 7),
        ("funding", 7),
    ]


def _cash_ledger(path: Path, *records: Mapping[str, object]) -> Path:
    deposit = {"type": "deposit", "asset": "USD", "amount": "100"}
    return write_records(
        path,
        [
            INSTRUMENT,
            {**deposit, "account": "A"},
            {**deposit, "account": "B", "amount": "1000"},
            {"type": "mark", "market": "X-PERP", "price": "100"},
            *records,
        ],
    )


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # A holds 100 and takes out 150: its wallet, its whole cross equity, is -50.
        (
            {"type": "withdrawal", "account": "A", "asset": "USD", "amount": "150"},
            "[no-negative-balance] expected A cross equity >= 0 after its withdrawal, "
            "found -50 (difference -50)",
        ),
        (
            {"type": "deposit", "account": "engine:X-PERP", "asset": "USD", "amount": "1"},
            "[references] expected a deposit by a trader, an insurance fund or fees, found the "
            "account 'engine:X-PERP'",
        ),
        (
            {"type": "deposit", "account": "system_loss", "asset": "USD", "amount": "1"},
            "[references] expected a deposit by a trader, an insurance fund or fees, found the "
            "account 'system_loss'",
        ),
    ],
)
def test_cash_moved_beyond_what_an_account_may(
    record: dict[str, object], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _cash_ledger(tmp_path / "c.jsonl", record)
    assert main(["audit", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}:5: {expected}"
    check = expected[1:].split("]", maxsplit=1)[0]
    assert out[-1].endswith(f"1 violations ({check} 1)")


def test_a_margin_transfer_beyond_the_wallet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A buys 1 at the mark 100 (uPnL 0) and moves 150 of its 100 into the position's isolated
    # margin: its wallet, now its whole cross equity, is -50 (the position is isolated).
    trade = {
        "type": "trade", "market": "X-PERP", "buyer": "A", "seller": "B", "qty": "1",
        "price": "100", "buyer_fee": "0", "seller_fee": "0",
    }  # fmt: skip
    transfer = {"type": "margin_transfer", "account": "A", "market": "X-PERP", "amount": "150"}
    path = _cash_ledger(tmp_path / "m.jsonl", trade, transfer)
    assert main(["audit", str(path)]) == 1
    assert capsys.readouterr().out.startswith(
        f"{path}:6: [no-negative-balance] expected A cross equity >= 0 after its margin "
        "transfer, found -50 (difference -50)"
    )


def test_a_margin_transfer_out_of_a_market_with_no_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A holds no X-PERP position and takes 30 out of its (empty) isolated margin there.
    transfer = {"type": "margin_transfer", "account": "A", "market": "X-PERP", "amount": "-30"}
    path = _cash_ledger(tmp_path / "m.jsonl", transfer)
    assert main(["audit", str(path)]) == 1
    assert capsys.readouterr().out.startswith(
        f"{path}:5: [no-negative-balance] expected A isolated margin balance >= 0 after its "
        "margin transfer, found -30 (difference -30)"
    )
