"""Settlement cycles and several losses in one cycle (profile option ``socialized_loss.cycle``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.cycles import get_cycle_index, get_cycle_start, parse_cycle
from perpspec.reference.socialized_loss.process import (
    SocializedLossParams,
    compute_socialized_loss,
    process_cycle_losses,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossMethod


def test_parse_cycle_units() -> None:
    assert parse_cycle("8h") == timedelta(hours=8)
    assert parse_cycle("1d") == timedelta(days=1)
    assert parse_cycle("30m") == timedelta(minutes=30)
    assert parse_cycle("1w") == timedelta(weeks=1)


@pytest.mark.parametrize("text", ["", "8", "0h", "1.5h", "h8", "8 hours"])
def test_bad_cycles_are_refused(text: str) -> None:
    with pytest.raises(SpecError, match=r"socialized_loss\.cycle: .* is not a cycle"):
        parse_cycle(text)


def test_cycle_index_from_the_epoch() -> None:
    # 1970-01-02T07:59:59Z is 31 h 59 m 59 s after the epoch: 8 h cycles 0..3 end at 32 h, so
    # it is in cycle 3; 08:00:00 starts cycle 4.
    cycle = timedelta(hours=8)
    assert get_cycle_index(datetime(1970, 1, 2, 7, 59, 59, tzinfo=UTC), cycle) == 3
    assert get_cycle_index(datetime(1970, 1, 2, 8, tzinfo=UTC), cycle) == 4
    assert get_cycle_start(4, cycle) == datetime(1970, 1, 2, 8, tzinfo=UTC)


def test_naive_time_is_refused() -> None:
    with pytest.raises(SpecError, match=r"ts: .* has no time zone"):
        get_cycle_index(datetime(2024, 1, 1), timedelta(hours=8))


def test_second_loss_in_a_cycle_sees_the_reduced_profit() -> None:
    # top_profit, fund share 0, threshold 1 (every winner takes part). Profits A 300, B 100.
    # Loss 1: 200 over 400: A 150, B 50 -> A 150, B 50 left. Loss 2: 300 over 200: capped
    # at A 150, B 50; 100 uncovered. Cycle caps hold: A paid 300, B 100, never more.
    choice = SocializedLossParams(SocializedLossMethod.TOP_PROFIT, F(0), F(1))
    book = [SlPosition("A", F(300)), SlPosition("B", F(100))]
    results, after, fund = process_cycle_losses(choice, [F(200), F(300)], F(0), book)
    assert dict(results[0].charges) == {"A": 150, "B": 50}
    assert dict(results[1].charges) == {"A": 150, "B": 50}
    assert results[1].uncovered == 100
    assert [(p.id, p.profit) for p in after] == [("A", F(0)), ("B", F(0))]
    assert fund == 0


def test_fund_pays_each_loss_from_what_is_left() -> None:
    # Share 1/2, fund 60: loss 100 -> fund 50 (10 left); loss 100 -> fund 10.
    choice = SocializedLossParams(SocializedLossMethod.CLAWBACK, F(1, 2))
    book = [SlPosition("A", F(1000))]
    results, _, fund = process_cycle_losses(choice, [F(100), F(100)], F(60), book)
    assert [r.insurance_paid for r in results] == [50, 10]
    assert fund == 0


def test_open_interest_charges_reduce_equity() -> None:
    choice = SocializedLossParams(SocializedLossMethod.OPEN_INTEREST)
    book = [SlPosition("A", size=F(1), equity=F(30))]
    results, after, _ = process_cycle_losses(choice, [F(20), F(20)], F(0), book)
    assert [dict(r.charges) for r in results] == [{"A": 20}, {"A": 10}]
    assert after[0].equity == 0


def test_haircut_ratio_is_not_chained_and_needs_the_vault() -> None:
    choice = SocializedLossParams(SocializedLossMethod.HAIRCUT_RATIO)
    with pytest.raises(SpecError, match="haircut_ratio is computed on the state"):
        process_cycle_losses(choice, [F(1)], F(0), [])
    with pytest.raises(SpecError, match="vault, principal: required"):
        compute_socialized_loss(choice, F(1), F(0), [])
