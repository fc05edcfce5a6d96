"""The streaming summary, on small hand-written ledgers."""

from __future__ import annotations

from fractions import Fraction as F

from perpspec.reference.events import (
    AdlEvent,
    DepositEvent,
    Event,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    MarkEvent,
    RejectionEvent,
    SocializedLossEvent,
    TierSpec,
    WithdrawalEvent,
)
from perpspec.reference.simulation.summary import MAX_PATH_POINTS, format_summary, summarize

TS = "2024-01-01T00:00:00Z"
TIERS = (TierSpec(F(0), F("0.005"), F(0), F(100)),)


def liquidation(seq: int, liq_id: str, side: str = "long", mode: str = "cross") -> LiquidationEvent:
    return LiquidationEvent(
        seq, TS, liq_id, "t1", "BTC-PERP", side, F(1), F(100), F(101), F(99), mode, F(0)
    )


def ledger() -> list[Event]:
    return [
        InstrumentEvent(
            1, TS, "BTC-PERP", "linear", F(1), F("0.1"), F("0.001"), TIERS, "f", "USDT"
        ),
        DepositEvent(2, TS, "insurance:f", "USDT", F(1_000)),
        # a rejected fund withdrawal moves nothing
        WithdrawalEvent(3, TS, "insurance:f", "USDT", F(5)),
        RejectionEvent(4, TS, 3, "account: 'insurance:f' is a system account"),
        MarkEvent(5, TS, "BTC-PERP", F(90)),
        liquidation(6, "L1"),
        InsuranceEvent(7, TS, "f", F(30), "liquidation_margin", "L1"),
        InsuranceEvent(8, TS, "f", F(-1_030), "liquidation_deficit", "L1"),
        AdlEvent(9, TS, "L1", "t2", F("0.5"), F(99), F(2), 1),
        AdlEvent(10, TS, "L1", "t3", F("0.25"), F(99), F(1), 2),
        liquidation(11, "L2", side="short", mode="isolated"),
        SocializedLossEvent(12, TS, "2024-01-01T00:00:00Z", "t4", F("7.5"), ("L2",)),
        SocializedLossEvent(13, TS, "2024-01-01T00:00:00Z", "t5", F("2.5"), ("L2",)),
        DepositEvent(14, TS, "insurance:f", "USDT", F(40)),
    ]


def test_summary_counts_and_attributes_every_movement() -> None:
    summary = summarize(ledger())
    assert summary.events == 14
    assert summary.counts["adl"] == 2 and summary.counts["rejection"] == 1
    assert summary.liquidations == 2
    assert summary.liquidations_by_side == {"long": 1, "short": 1}
    assert summary.liquidations_by_mode == {"cross": 1, "isolated": 1}
    assert summary.insurance_movements == 2
    assert summary.insurance_by_reason == {"liquidation_deficit": 1, "liquidation_margin": 1}
    # net 30 - 1,030 = -1,000; paid out 1,030
    assert summary.insurance_total == {("f", "USDT"): F(-1_000)}
    assert summary.insurance_paid == {("f", "USDT"): F(1_030)}
    assert summary.adl_fills == 2 and summary.adl_qty == {"BTC-PERP": F("0.75")}
    assert summary.socialized_charges == 2 and summary.socialized_total == {"USDT": F(10)}
    assert summary.rejections == 1 and summary.rejections_by_input == {"withdrawal": 1}
    path = summary.fund_paths[("f", "USDT")]
    # 1,000 (seq 2), +30 -> 1,030 (seq 7), -1,030 -> 0 (seq 8), +40 -> 40 (seq 14);
    # the rejected withdrawal (seq 3) is not a movement
    assert path.points == ((2, F(1_000)), (7, F(1_030)), (8, F(0)), (14, F(40)))
    assert (path.final, path.lowest, path.lowest_seq) == (F(40), F(0), 8)
    lines = format_summary(summary)
    assert "fund f (USDT): final 40, lowest 0 at seq 8, net movements -1000, paid out 1030" in lines


def test_fund_path_is_thinned_but_keeps_last_and_lowest() -> None:
    # the instrument maps fund f to USDT, so movements without a liquidation are in USDT
    events: list[Event] = [
        InstrumentEvent(
            0, TS, "BTC-PERP", "linear", F(1), F("0.1"), F("0.001"), TIERS, "f", "USDT"
        ),
        DepositEvent(1, TS, "insurance:f", "USDT", F(10_000)),
    ]
    # 3,000 movements of -1 then +1 alternately, except one dip of -9,000 at seq 1,235
    for seq in range(2, 3_002):
        amount = F(-1) if seq % 2 == 0 else F(1)
        if seq == 1_235:
            amount = F(-9_000)
        events.append(InsuranceEvent(seq, TS, "f", amount, "liquidation_surplus", None))
    summary = summarize(events)
    path = summary.fund_paths[("f", "USDT")]
    assert len(path.points) <= MAX_PATH_POINTS + 1
    assert path.points[0] == (1, F(10_000))
    # 1,500 odd and 1,500 even seqs from 2 to 3,001, but seq 1,235 (odd) is -9,000 not +1:
    # 10,000 - 1,500 + 1,499 - 9,000 = 999
    assert path.points[-1] == (3_001, F(999)) and path.final == 999
    # lowest: after seq 1,235 the balance is 10,000 - 617 + 616 - 9,000 = 999 (odd seqs 3..1,233
    # are 616 times +1, even seqs 2..1,234 are 617 times -1); seq 1,236 (-1) takes it to 998
    assert (path.lowest, path.lowest_seq) == (F(998), 1_236)
    assert [seq for seq, _ in path.points] == sorted(seq for seq, _ in path.points)


def test_empty_ledger() -> None:
    summary = summarize([])
    assert summary.events == 0 and summary.fund_paths == {} and summary.first_ts is None
