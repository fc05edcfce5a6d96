"""The audit of a partial ledger (perpspec.audit.partial, perpspec.audit.account_checks).

Every expected figure is worked by hand in the test. The ledgers are one account's export as
an adapter would write it; each mutation breaks one account-level check, and the audit must
flag it at its record with that check alone.
"""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.audit.run import AuditOptions, audit_ledger
from perpspec.cli import main
from perpspec.reference.profile import Profile, TradingOptions, load_profile

SOURCE = (
    '{"seq":0,"ts":"2024-03-01T00:00:00Z","type":"source","format":"bybit","accounts":["me"],'
    '"covers":[COVERS],"precision":"0.01","files":["log.json"],"unmapped":["BONUS: 1"]}'
)
ALL_COVERS = '"wallet","balances","fills","roles","start_positions","realized_pnl","funding"'


def _fill(
    seq: int, ts: str, action: str, qty: str, price: str, start: str, pnl: str, ref: str
) -> str:
    return (
        f'{{"seq":{seq},"ts":"{ts}","type":"fill","account":"me","market":"BTCUSDT",'
        f'"action":"{action}","qty":"{qty}","price":"{price}","role":"trade","kind":"linear",'
        f'"multiplier":"1","commission":null,"commission_asset":null,"liquidity":null,'
        f'"start_position":"{start}","realized_pnl":"{pnl}","mark_price":null,"ref":"{ref}"}}'
    )


def _statement(seq: int, ts: str, amount: str, entry: str, reason: str) -> str:
    return (
        f'{{"seq":{seq},"ts":"{ts}","type":"statement","account":"me","asset":"USDT",'
        f'"amount":"{amount}","entry":"{entry}","reason":"{reason}","market":"BTCUSDT",'
        f'"ref":null,"rate":null,"size":null}}'
    )


def _balance(seq: int, ts: str, amount: str) -> str:
    return (
        f'{{"seq":{seq},"ts":"{ts}","type":"balance","account":"me","asset":"USDT",'
        f'"amount":"{amount}"}}'
    )


T1, T2, T3, T4 = (f"2024-03-01T0{h}:00:00Z" for h in (1, 2, 3, 4))

# One account: deposit 1000; buy 0.1 at 60000 (fee 3.30 = 0.1 x 60000 x 0.00055); buy 0.1 at
# 62000 (entry becomes (6000 + 6200) / 0.2 = 61000); sell 0.3 at 61500, closing 0.2 at entry
# 61000 (PnL 0.2 x 500 = 100) and opening 0.1 short; funding at +0.0001 on -0.1: received.
# Balances: 1000 - 3.30 = 996.70; - 3.41 = 993.29; + 100 - 10.15 = 1083.14; + 0.62 = 1083.76.
CLEAN = [
    SOURCE.replace("COVERS", ALL_COVERS),
    '{"seq":1,"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"me","asset":"USDT",'
    '"amount":"1000"}',
    _balance(2, "2024-03-01T00:00:00Z", "1000"),
    _fill(3, T1, "buy", "0.1", "60000", "0", "0", "t1"),
    _statement(4, T1, "-3.30", "trade", "TRADE"),
    _balance(5, T1, "996.70"),
    _fill(6, T2, "buy", "0.1", "62000", "0.1", "0", "t2"),
    _statement(7, T2, "-3.41", "trade", "TRADE"),
    _balance(8, T2, "993.29"),
    _fill(9, T3, "sell", "0.3", "61500", "0.2", "100", "t3"),
    _statement(10, T3, "89.85", "trade", "TRADE"),
    _balance(11, T3, "1083.14"),
    '{"seq":12,"ts":"2024-03-01T04:00:00Z","type":"statement","account":"me","asset":"USDT",'
    '"amount":"0.62","entry":"funding","reason":"SETTLEMENT","market":"BTCUSDT","ref":null,'
    '"rate":"0.0001","size":"-0.1"}',
    _balance(13, T4, "1083.76"),
]


def _audit(tmp_path: Path, lines: list[str], name: str = "partial.jsonl") -> dict[str, object]:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    report = audit_ledger(path, None, AuditOptions())
    return {
        "exit": report.exit_code,
        "violations": [(v.check, v.line) for v in report.violations],
        "checks": {c.id: (c.examined, c.violations, c.skipped) for c in report.checks},
        "found": [v.found for v in report.violations],
    }


def test_a_clean_export_passes_every_check_it_supports(tmp_path: Path) -> None:
    result = _audit(tmp_path, CLEAN)
    assert result["violations"] == [] and result["exit"] == 0
    checks = result["checks"]
    assert isinstance(checks, dict)
    # balances at lines 6, 9, 12 and 14 follow the one at line 3 that opens the chain
    assert checks["balance-continuity"] == (4, 0, None)
    # the fills at lines 7 and 10 chain from the first (which opens the market's chain)
    assert checks["position-continuity"] == (2, 0, None)
    assert checks["realized-pnl"] == (3, 0, None)
    assert checks["funding-sign"] == (1, 0, None)
    # no insurance credit in this export: named as nothing to check, never as passed
    assert checks["insurance-clears-balance"] == (
        0,
        0,
        "nothing to check: the export covers what it needs but holds no record it compares "
        "(an insurance credit followed by a stated balance); a check that examined nothing is "
        "not reported as passed",
    )


def test_global_and_exchange_checks_are_named_not_passed(tmp_path: Path) -> None:
    checks = _audit(tmp_path, CLEAN)["checks"]
    assert isinstance(checks, dict)
    for global_check in ("conservation", "oi-balance", "fund-nonnegative", "adl-order"):
        examined, _, reason = checks[global_check]
        assert examined == 0 and reason is not None and reason.startswith("a global check")
    assert checks["adl-price"][2] is not None and "exchange's own records" in checks["adl-price"][2]
    # insurance-on-liquidation needs fills and wallet: covered; a missing cover is named
    no_fills = [CLEAN[0].replace('"fills","roles",', ""), *CLEAN[1:3]]
    skipped = _audit(tmp_path, no_fills, "nofills.jsonl")["checks"]
    assert isinstance(skipped, dict)
    reason = skipped["position-continuity"][2]
    assert reason == (
        "not checkable from this export: needs fills, which the bybit export does not cover "
        "(covers: wallet, balances, start_positions, realized_pnl, funding)"
    )


@pytest.mark.parametrize(
    ("index", "old", "new", "check", "found"),
    [
        # 993.29 stated one cent high: expected 996.70 - 3.41 = 993.29
        (8, '"993.29"', '"993.30"', "balance-continuity", "balance 993.3"),
        # the second buy says it started flat: the first left 0.1
        (6, '"start_position":"0.1"', '"start_position":"0"', "position-continuity", None),
        # 0.2 closed at 61500 against 61000: 100, not 110 (one unit is 0.01, 10 is beyond)
        (9, '"realized_pnl":"100"', '"realized_pnl":"110"', "realized-pnl", None),
        # a short receives a positive rate: a payment of -0.62 has the wrong sign
        (12, '"amount":"0.62"', '"amount":"-0.62"', "funding-sign", None),
    ],
)
def test_each_tamper_is_caught_by_its_check_alone(
    tmp_path: Path, index: int, old: str, new: str, check: str, found: str | None
) -> None:
    lines = list(CLEAN)
    assert old in lines[index]
    lines[index] = lines[index].replace(old, new)
    if check == "funding-sign":
        # keep the balances chaining: 1083.14 - 0.62 = 1082.52
        lines[13] = _balance(13, T4, "1082.52")
    result = _audit(tmp_path, lines)
    assert result["violations"] == [(check, index + 1)]
    if found is not None:
        assert result["found"] == [found]


def test_rows_of_one_instant_in_any_order_chain(tmp_path: Path) -> None:
    # Two rows at T1 written in the other order: (-3.30 then 996.70) after (+5 then 1001.70)
    # taken first would break the chain (1000 + 5 = 1005, not 1001.70); 1000 - 3.30 = 996.70
    # then + 5 = 1001.70 chains, so the instant passes.
    lines = [
        CLEAN[0],
        *CLEAN[1:3],
        _statement(3, T1, "5", "other", "BONUS"),
        _balance(4, T1, "1001.70"),
        _statement(5, T1, "-3.30", "commission", "FEE"),
        _balance(6, T1, "996.70"),
    ]
    result = _audit(tmp_path, lines)
    assert result["violations"] == []
    # and a real gap is still reported, at the file's order
    lines[6] = _balance(6, T1, "996.71")
    assert _audit(tmp_path, lines, "gap.jsonl")["violations"] == [
        ("balance-continuity", 5),
        ("balance-continuity", 7),
    ]


def test_a_self_trade_keeps_the_position(tmp_path: Path) -> None:
    # Both sides of the account's trade against itself state the pair's start, 0.1 (after the
    # first buy); afterwards the position is 0.1 + 0.05 - 0.05 = 0.1, as the next fill says.
    covers = '"fills","start_positions"'
    lines = [
        SOURCE.replace("COVERS", covers),
        _fill(1, T1, "buy", "0.1", "60000", "0", "0", "t1"),
        _fill(2, T2, "buy", "0.05", "60000", "0.1", "0", "s1"),
        _fill(3, T2, "sell", "0.05", "60000", "0.1", "0", "s1"),
        _fill(4, T3, "sell", "0.1", "60000", "0.1", "0", "t2"),
    ]
    result = _audit(tmp_path, lines)
    assert result["violations"] == []
    checks = result["checks"]
    assert isinstance(checks, dict) and checks["position-continuity"][0] == 3


def test_insurance_only_on_a_liquidation(tmp_path: Path) -> None:
    covers = '"wallet","balances","fills","roles"'
    liquidation = _fill(3, T1, "sell", "0.1", "50000", "0.1", "-1000", "l1").replace(
        '"role":"trade"', '"role":"liquidation"'
    )
    # balance 1000 - 1010 (the liquidation's loss and fee) = -10, then the fund's +10 = 0
    lines = [
        SOURCE.replace("COVERS", covers),
        '{"seq":1,"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"me","asset":"USDT",'
        '"amount":"1000"}',
        _balance(2, "2024-03-01T00:00:00Z", "1000"),
        liquidation,
        _statement(4, T1, "-1010", "liquidation", "LIQUIDATION"),
        _balance(5, T1, "-10"),
        _statement(6, T2, "10", "insurance", "INSURANCE_CLEAR"),
        _balance(7, T2, "0"),
    ]
    result = _audit(tmp_path, lines)
    assert result["violations"] == []
    checks = result["checks"]
    assert isinstance(checks, dict)
    assert checks["insurance-on-liquidation"][:2] == (1, 0)
    assert checks["insurance-clears-balance"][:2] == (1, 0)
    # without the liquidation (its fill and statement replaced by an ordinary loss) the credit
    # is on nothing; and a credit of 5 leaves -5: both reported at their records
    tampered = list(lines)
    tampered[3] = tampered[3].replace('"role":"liquidation"', '"role":"trade"')
    tampered[4] = tampered[4].replace('"entry":"liquidation"', '"entry":"trade"')
    tampered[6] = _statement(6, T2, "5", "insurance", "INSURANCE_CLEAR")
    tampered[7] = _balance(7, T2, "-5")
    found = _audit(tmp_path, tampered, "t.jsonl")["violations"]
    assert found == [("insurance-on-liquidation", 7), ("insurance-clears-balance", 8)]


def test_records_outside_a_partial_ledger_and_strangers_are_reported(tmp_path: Path) -> None:
    stranger = CLEAN[4].replace('"account":"me"', '"account":"bob"')
    trade = (
        '{"seq":14,"ts":"2024-03-01T05:00:00Z","type":"trade","market":"BTCUSDT",'
        '"buyer":"me","seller":"bob","price":"1","qty":"1","buyer_fee":"0","seller_fee":"0"}'
    )
    lines = [*CLEAN[:4], stranger, *CLEAN[5:], trade]
    result = _audit(tmp_path, lines)
    # bob's record is not booked to me, so me's balance after it (996.70 = 1000 - 3.30) no
    # longer chains: 1000 expected
    assert result["violations"] == [("references", 5), ("balance-continuity", 6), ("format", 15)]
    assert result["exit"] == 2


def test_partial_records_in_a_full_ledger_are_refused(tmp_path: Path) -> None:
    lines = [CLEAN[1], CLEAN[0].replace('"seq":0', '"seq":2').replace("COVERS", ""), CLEAN[4]]
    lines[2] = lines[2].replace('"seq":4', '"seq":3')
    result = _audit(tmp_path, lines)
    assert result["violations"] == [("format", 2), ("format", 3)] and result["exit"] == 2


def test_unknown_cover_words_are_refused(tmp_path: Path) -> None:
    lines = [SOURCE.replace("COVERS", '"wallet","everything"'), CLEAN[1]]
    result = _audit(tmp_path, lines)
    assert result["violations"] == [("format", 1)]


def test_the_reports_name_the_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partial.jsonl"
    path.write_text("\n".join(CLEAN) + "\n")
    assert main(["audit", str(path)]) == 0
    text = capsys.readouterr().out
    assert (
        f"{path}: a partial ledger: the bybit export of me (log.json); covers wallet, "
        "balances, fills, roles, start_positions, realized_pnl, funding; rows without a record: "
        "BONUS: 1"
    ) in text
    assert main(["audit", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["source"]["format"] == "bybit" and report["source"]["unmapped"] == ["BONUS: 1"]
    skipped = {c["id"]: c["skipped"] for c in report["checks"]}
    assert skipped["conservation"].startswith("a global check")


def _with_profile(
    tmp_path: Path, lines: list[str], profile_name: str, profile: Profile | None = None
) -> dict[str, object]:
    path = tmp_path / f"{profile_name}.jsonl"
    path.write_text("\n".join(lines) + "\n")
    chosen = profile if profile is not None else load_profile(profile_name)
    options = AuditOptions(profile=chosen, profile_name=profile_name)
    report = audit_ledger(path, None, options)
    return {
        "violations": [(v.check, v.line) for v in report.violations],
        "checks": {c.id: (c.examined, c.violations, c.skipped) for c in report.checks},
    }


def test_commission_at_the_profile_rates(tmp_path: Path) -> None:
    # An account's own tier: taker 0.00055 (a profile of the user's rates). A taker buy of
    # 0.1 at 60000 pays 0.1 x 60000 x 0.00055 = 3.30; 3.31 is one unit (0.01) over: allowed;
    # 3.40 is not.
    covers = '"fills","commissions"'

    def taker(seq: int, fee: str) -> str:
        line = _fill(seq, T1, "buy", "0.1", "60000", "0", "0", f"c{seq}")
        return line.replace('"commission":null', f'"commission":"{fee}"').replace(
            '"liquidity":null', '"liquidity":"taker"'
        )

    lines = [SOURCE.replace("COVERS", covers), taker(1, "3.30"), taker(2, "3.31"), taker(3, "3.40")]
    bybit = load_profile("bybit")
    # the account's own rates, no longer assumed
    own = tuple(option for option in bybit.assumed if not option.startswith("trading."))
    tier = replace(bybit, trading=TradingOptions(F(2, 10_000), F(55, 100_000)), assumed=own)
    result = _with_profile(tmp_path, lines, "my-tier", tier)
    assert result["violations"] == [("commission-rate", 4)]
    checks = result["checks"]
    assert isinstance(checks, dict) and checks["commission-rate"][:2] == (3, 1)
    # without a profile the rates are unknown: named, not passed
    unprofiled = _audit(tmp_path, lines, "none.jsonl")["checks"]
    assert isinstance(unprofiled, dict)
    assert unprofiled["commission-rate"][2] == (
        "needs --profile (the exchange's rules it compares the export with)"
    )
    # a shipped profile whose rates are assumed (not from its source): named, not judged
    shipped = _with_profile(tmp_path, lines, "bybit")["checks"]
    assert isinstance(shipped, dict)
    assert shipped["commission-rate"] == (
        0,
        0,
        "the profile bybit assumes its fee rates (trading.maker_fee_rate, "
        "trading.taker_fee_rate: not from its source); give a profile with the account's own "
        "rates",
    )


def _adl_fill(seq: int, price: str, mark: str) -> str:
    line = _fill(seq, T1, "buy", "1", price, "-1", "0", f"a{seq}")
    return line.replace('"role":"trade"', '"role":"adl"').replace(
        '"mark_price":null', f'"mark_price":"{mark}"'
    )


def test_an_adl_fill_at_its_mark(tmp_path: Path) -> None:
    # hyperliquid's profile fills ADL at the mark: 3405 at mark 3405 passes, 3400 does not
    covers = '"fills","roles"'
    lines = [
        SOURCE.replace("COVERS", covers),
        _adl_fill(1, "3405", "3405"),
        _adl_fill(2, "3400", "3405"),
    ]
    result = _with_profile(tmp_path, lines, "hyperliquid")
    assert result["violations"] == [("adl-fill-price", 3)]
    # seed-gate fills ADL at the liquidated position's bankruptcy price: not checkable
    gate = _with_profile(tmp_path, lines, "seed-gate")["checks"]
    assert isinstance(gate, dict)
    assert gate["adl-fill-price"] == (
        0,
        0,
        "the profile seed-gate fills ADL at the liquidated position's bankruptcy price, which "
        "an export of the counterparty does not state",
    )


@given(price=st.integers(1, 10_000), mark=st.integers(1, 10_000))
def test_adl_fills_pass_exactly_at_their_mark(
    tmp_path_factory: pytest.TempPathFactory, price: int, mark: int
) -> None:
    lines = [SOURCE.replace("COVERS", '"fills","roles"'), _adl_fill(1, str(price), str(mark))]
    result = _with_profile(tmp_path_factory.mktemp("adl"), lines, "hyperliquid")
    expected = [] if price == mark else [("adl-fill-price", 2)]
    assert result["violations"] == expected


def test_the_html_report_names_the_export_and_every_check_not_run(tmp_path: Path) -> None:
    path = tmp_path / "partial.jsonl"
    path.write_text("\n".join(CLEAN) + "\n")
    report = tmp_path / "report.html"
    assert main(["audit", str(path), "--html", str(report)]) == 0
    page = report.read_text(encoding="utf-8")
    assert "<tr><th>export</th><td>bybit, of me</td></tr>" in page
    assert "<tr><th>rows without a record</th><td>BONUS: 1</td></tr>" in page
    # a global check is listed with its reason, not as run
    assert '<tr id="check-conservation" class="skip">' in page
    assert "a global check: it needs every account of the exchange" in page
