"""``trade-fee``: a trade's stated fees against the profile's trading rates, worked by hand."""

from __future__ import annotations

import dataclasses
import tempfile
from fractions import Fraction as F
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from perpspec.audit.report import AuditReport
from perpspec.audit.run import NEEDS_PROFILE, AuditOptions, audit_ledger
from perpspec.reference.profile import Profile, TradingOptions, load_profile
from tests.audit.test_command import open_trade, write_records


def trade_ledger(path: Path, qty: str, price: str, buyer_fee: str, seller_fee: str) -> Path:
    """Line 5 is the trade (A buys from B); both start with 1,000 and the mark is 100."""
    return write_records(path, open_trade(qty, price, buyer_fee, seller_fee))


def with_rates(maker: F, taker: F) -> Profile:
    return dataclasses.replace(load_profile("seed-gate"), trading=TradingOptions(maker, taker))


def trade_fee_lines(report: AuditReport) -> list[int]:
    return [v.line for v in report.violations if v.check == "trade-fee"]


def test_a_fee_off_the_profile_rates_is_caught(tmp_path: Path) -> None:
    # seed-gate states zero trading fees: a fee of 5 (the red team's change from 0) is off.
    zero = AuditOptions(profile=load_profile("seed-gate"), profile_name="seed-gate")
    clean = audit_ledger(trade_ledger(tmp_path / "a.jsonl", "2", "100", "0", "0"), None, zero)
    assert trade_fee_lines(clean) == []
    tampered = audit_ledger(trade_ledger(tmp_path / "b.jsonl", "2", "100", "5", "0"), None, zero)
    assert trade_fee_lines(tampered) == [5]
    # The fee is booked as stated, so cash is still conserved: only this check sees it.
    assert {v.check for v in tampered.violations} == {"trade-fee"}


def test_either_side_may_be_the_maker(tmp_path: Path) -> None:
    # Notional 2 x 100 = 200; maker 0.02% -> 0.04, taker 0.05% -> 0.1 (exact, no unit).
    options = AuditOptions(profile=with_rates(F(2, 10_000), F(5, 10_000)))
    for index, (buyer, seller, flagged) in enumerate(
        [("0.1", "0.04", []), ("0.04", "0.1", []), ("0.1", "0.1", [5]), ("0", "0", [5])]
    ):
        path = trade_ledger(tmp_path / f"t{index}.jsonl", "2", "100", buyer, seller)
        assert trade_fee_lines(audit_ledger(path, None, options)) == flagged, (buyer, seller)


def test_fees_round_up_to_the_settlement_unit(tmp_path: Path) -> None:
    # Notional 3 x 101 = 303; taker 0.05% -> 0.1515, maker 0.02% -> 0.0606. Up to the unit
    # 0.01: 0.16 and 0.07 (toward plus infinity: a charge never below the exact fee).
    profile = with_rates(F(2, 10_000), F(5, 10_000))
    cents = AuditOptions(profile=profile, unit=F(1, 100))
    exact = AuditOptions(profile=profile)
    rounded = trade_ledger(tmp_path / "r.jsonl", "3", "101", "0.16", "0.07")
    unrounded = trade_ledger(tmp_path / "u.jsonl", "3", "101", "0.1515", "0.0606")
    down = trade_ledger(tmp_path / "d.jsonl", "3", "101", "0.15", "0.06")
    assert trade_fee_lines(audit_ledger(rounded, None, cents)) == []
    assert trade_fee_lines(audit_ledger(unrounded, None, cents)) == [5]
    assert trade_fee_lines(audit_ledger(down, None, cents)) == [5]
    assert trade_fee_lines(audit_ledger(unrounded, None, exact)) == []
    assert trade_fee_lines(audit_ledger(rounded, None, exact)) == [5]


def test_a_rebate_rounds_toward_plus_infinity(tmp_path: Path) -> None:
    # Maker -0.01% on 303: -0.0303 -> up to 0.01: -0.03 (a rebate never above the exact one);
    # taker 0.05%: 0.1515 -> 0.16.
    options = AuditOptions(profile=with_rates(F(-1, 10_000), F(5, 10_000)), unit=F(1, 100))
    good = trade_ledger(tmp_path / "g.jsonl", "3", "101", "-0.03", "0.16")
    generous = trade_ledger(tmp_path / "x.jsonl", "3", "101", "-0.04", "0.16")
    assert trade_fee_lines(audit_ledger(good, None, options)) == []
    assert trade_fee_lines(audit_ledger(generous, None, options)) == [5]


def test_without_a_profile_the_check_is_skipped_by_name(tmp_path: Path) -> None:
    report = audit_ledger(
        trade_ledger(tmp_path / "n.jsonl", "2", "100", "5", "0"), None, AuditOptions()
    )
    [check] = [c for c in report.checks if c.id == "trade-fee"]
    assert check.skipped == NEEDS_PROFILE


@settings(max_examples=25)
@given(
    qty=st.integers(1, 50),
    price=st.integers(1, 10_000),
    maker_bp=st.integers(-5, 10),
    taker_bp=st.integers(0, 20),
    unit_exponent=st.integers(0, 4),
    maker_is_buyer=st.booleans(),
)
def test_fees_at_the_rates_pass_and_one_unit_more_is_caught(
    qty: int,
    price: int,
    maker_bp: int,
    taker_bp: int,
    unit_exponent: int,
    maker_is_buyer: bool,
) -> None:
    # Independent of the reference: fee in units = ceil(qty x price x bp / 10,000 / unit),
    # by integer ceiling division: -(-a // b).
    scale = 10**unit_exponent
    unit = F(1, scale)

    def fee(bp: int) -> F:
        return F(-(-(qty * price * bp * scale) // 10_000), scale)

    maker, taker = fee(maker_bp), fee(taker_bp)
    buyer, seller = (maker, taker) if maker_is_buyer else (taker, maker)
    options = AuditOptions(profile=with_rates(F(maker_bp, 10_000), F(taker_bp, 10_000)), unit=unit)
    with tempfile.TemporaryDirectory() as folder:
        good = trade_ledger(Path(folder) / "g.jsonl", str(qty), str(price), str(buyer), str(seller))
        assert trade_fee_lines(audit_ledger(good, None, options)) == []
        off = buyer + unit
        bad = trade_ledger(Path(folder) / "b.jsonl", str(qty), str(price), str(off), str(seller))
        # One unit more on the buyer matches neither assignment unless it equals the other fee
        # and the seller's is the same too (impossible: seller keeps its own).
        expected = [] if (off, seller) in ((maker, taker), (taker, maker)) else [5]
        assert trade_fee_lines(audit_ledger(bad, None, options)) == expected
