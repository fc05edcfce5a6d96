"""Liquidation settlement: seed examples and hand-computed walks (DESIGN, Liquidation)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import (
    FeeBase,
    FeeTo,
    Fill,
    Side,
    SurplusTo,
    compute_fill_surplus,
    compute_liquidation_fee,
    compute_liquidation_fee_base,
    compute_surplus_split,
    is_fill_executable,
    select_executable_fills,
    settle_liquidation,
)

LONG, SHORT = Side.LONG, Side.SHORT
LINEAR, INVERSE = ContractKind.LINEAR, ContractKind.INVERSE
TRADER = SurplusTo.TRADER
FILL_NOTIONAL, BANKRUPTCY_VALUE, MARK_VALUE = (
    FeeBase.FILL_NOTIONAL,
    FeeBase.BANKRUPTCY_VALUE,
    FeeBase.MARK_VALUE,
)


def test_seed001_long_fill_above_bankruptcy_adds_to_fund() -> None:
    # Seed 001, user A: P_b 10,000, fill 10,100: 10,100 - 10,000 = +100 to the fund.
    result = settle_liquidation(LONG, F(1), F(10_000), [Fill(F(1), F(10_100))], F(0))
    assert result.insurance_delta == 100
    assert result.insurance_fund_after == 100
    assert result.trader_refund == 0  # "User A will lose all balance"
    assert result.remaining_qty == 0


def test_seed001_short_fill_above_bankruptcy_is_paid_by_fund() -> None:
    # Seed 001, user B: short, P_b 10,000, fill 10,050: 10,000 - 10,050 = -50, paid by the
    # fund (1,000 - 50 = 950); the trader pays nothing extra.
    result = settle_liquidation(SHORT, F(1), F(10_000), [Fill(F(1), F(10_050))], F(1_000))
    assert result.insurance_delta == -50
    assert result.insurance_fund_after == 950
    assert result.trader_refund == 0
    assert result.fee == 0


def test_seed001_fund_too_small_hands_everything_to_adl() -> None:
    # Seed 001: fund 1,000, 11,000 needed. Long 110, P_b 10,000, fill 9,900:
    # 110 x (9,900 - 10,000) = -11,000; 1,000 - 11,000 < 0, so the fill is refused.
    result = settle_liquidation(LONG, F(110), F(10_000), [Fill(F(110), F(9_900))], F(1_000))
    assert result.fills_executed == 0
    assert result.executed_qty == 0
    assert result.remaining_qty == 110
    assert result.insurance_delta == 0
    assert result.insurance_fund_after == 1_000


def test_seed004_surplus_after_fee_goes_to_fund() -> None:
    # Seed 004: long 2, P_b 20,000, fill 20,100, rate 0.001. Surplus 2 x 100 = 200;
    # fee = 2 x 20,000 x 0.001 = 40 (< 200); the fund gets 200 - 40 = 160.
    result = settle_liquidation(
        LONG, F(2), F(20_000), [Fill(F(2), F(20_100))], F(500), fee_rate=F(1, 1000)
    )
    assert (result.fee, result.insurance_delta, result.trader_refund) == (F(40), F(160), F(0))
    assert result.insurance_fund_after == 660  # 500 + 160


def test_surplus_to_trader_refunds_what_is_left_after_fee() -> None:
    # Same as seed 004 under dYdX v4's rule: refund 200 - 40 = 160, fund unchanged.
    result = settle_liquidation(
        LONG,
        F(2),
        F(20_000),
        [Fill(F(2), F(20_100))],
        F(500),
        fee_rate=F(1, 1000),
        surplus_to=TRADER,
    )
    assert (result.fee, result.insurance_delta, result.trader_refund) == (F(40), F(0), F(160))
    assert result.insurance_fund_after == 500


def test_walk_stops_at_first_fill_the_fund_cannot_pay() -> None:
    # Short 6, P_b 50, fund 10. s1 = 2 x (50 - 49) = 2 -> 12; s2 = 2 x (50 - 60) = -20 ->
    # -8 < 0: stop. s3 = 2 x (50 - 40) = +20 is never reached.
    fills = [Fill(F(2), F(49)), Fill(F(2), F(60)), Fill(F(2), F(40))]
    result = settle_liquidation(SHORT, F(6), F(50), fills, F(10))
    assert result.fills_executed == 1
    assert result.executed_qty == 2
    assert result.remaining_qty == 4
    assert result.insurance_delta == 2
    assert result.net_surplus == 2


def test_walk_may_take_the_fund_to_exactly_zero() -> None:
    # Long 3, P_b 100, fund 15, fill 3 @ 95: 3 x -5 = -15 and 15 - 15 = 0 is allowed.
    result = settle_liquidation(LONG, F(3), F(100), [Fill(F(3), F(95))], F(15))
    assert result.fills_executed == 1
    assert result.insurance_fund_after == 0


def test_better_price_can_extend_the_walk_and_lower_the_split() -> None:
    # Why monotonicity holds only for a fixed executed set. Long 2, P_b 100, fund 10.
    # Worse: 1 @ 85 (s = -15, 10 - 15 < 0: stop): nothing executed, delta 0, 2 to ADL.
    worse = settle_liquidation(LONG, F(2), F(100), [Fill(F(1), F(85)), Fill(F(1), F(92))], F(10))
    assert (worse.fills_executed, worse.insurance_delta, worse.remaining_qty) == (0, F(0), F(2))
    # Better: 1 @ 98 (s = -2 -> 8), then 1 @ 92 (s = -8 -> 0): both execute, delta -10, none
    # to ADL. The fund pays more, and the last resort gets less.
    better = settle_liquidation(LONG, F(2), F(100), [Fill(F(1), F(98)), Fill(F(1), F(92))], F(10))
    assert better.fills_executed == 2
    assert (better.insurance_delta, better.remaining_qty) == (F(-10), F(0))


def test_fill_surplus_in_all_four_directions() -> None:
    # Linear long d V (p - P_b) = 2 x 3 x (110 - 100) = 60; short mirrors: -60.
    assert compute_fill_surplus(LONG, LINEAR, F(100), Fill(F(2), F(110)), F(3)) == 60
    assert compute_fill_surplus(SHORT, LINEAR, F(100), Fill(F(2), F(110)), F(3)) == -60
    # Inverse long d V (1/P_b - 1/p) = 1 x 1 x (1/30,000 - 1/40,000) = 1/120,000; short mirrors.
    assert compute_fill_surplus(LONG, INVERSE, F(30_000), Fill(F(1), F(40_000))) == F(1, 120_000)
    assert compute_fill_surplus(SHORT, INVERSE, F(30_000), Fill(F(1), F(40_000))) == F(-1, 120_000)


def test_fee_base_is_value_at_bankruptcy_price() -> None:
    # Linear: 3 x 0.01 x 30,000 = 900. Inverse: 100 x 1 / 10,000 = 0.01 coin. The fill
    # prices (29,000) play no part in this base.
    fills = [Fill(F(3), F(29_000))]
    assert (
        compute_liquidation_fee_base(BANKRUPTCY_VALUE, LINEAR, fills, F(30_000), None, F(1, 100))
        == 900
    )
    inverse = [Fill(F(100), F(12_500))]
    assert compute_liquidation_fee_base(BANKRUPTCY_VALUE, INVERSE, inverse, F(10_000), None) == (
        F(1, 100)
    )


def test_fee_base_fill_notional_and_mark_value() -> None:
    # Fill notional, linear: 2 x 0.1 x 105 + 3 x 0.1 x 110 = 21 + 33 = 54; inverse:
    # 100 / 12,500 + 100 / 10,000 = 0.008 + 0.01 = 0.018 coin.
    fills = [Fill(F(2), F(105)), Fill(F(3), F(110))]
    assert compute_liquidation_fee_base(FILL_NOTIONAL, LINEAR, fills, F(100), None, F(1, 10)) == 54
    inverse = [Fill(F(100), F(12_500)), Fill(F(100), F(10_000))]
    assert compute_liquidation_fee_base(FILL_NOTIONAL, INVERSE, inverse, F(9_000), None) == F(
        18, 1000
    )
    # Mark value: (2 + 3) x 0.1 x 120 = 60; without a mark it cannot be computed.
    assert compute_liquidation_fee_base(MARK_VALUE, LINEAR, fills, F(100), F(120), F(1, 10)) == 60
    with pytest.raises(SpecError, match="mark_price"):
        compute_liquidation_fee_base(MARK_VALUE, LINEAR, fills, F(100), None)


def test_dydx_v4_worked_check_fee_on_the_fill_to_the_fund() -> None:
    # Issue 11 (dYdX v4, surplus to the trader): long 1 at bankruptcy 5,100 filled at 5,610.
    # Surplus 5,610 - 5,100 = 510. Rate 0.5% on the fill: 0.005 x 5,610 = 28.05 to the fund,
    # the trader keeps 510 - 28.05 = 481.95. Rate 100%: min(5,610, 510) = 510, refund 0.
    for rate, fee, refund in ((F(5, 1000), F(2805, 100), F(48195, 100)), (F(1), F(510), F(0))):
        result = settle_liquidation(
            LONG,
            F(1),
            F(5_100),
            [Fill(F(1), F(5_610))],
            F(0),
            fee_rate=rate,
            surplus_to=TRADER,
            fee_base=FILL_NOTIONAL,
            fee_to=FeeTo.INSURANCE,
        )
        assert (result.fee, result.trader_refund, result.surplus_delta) == (fee, refund, F(0))
        assert (result.insurance_delta, result.insurance_fund_after) == (fee, fee)
        assert result.fee_base == 5_610


def test_fee_to_decides_whether_the_fund_change_includes_the_fee() -> None:
    # Seed 004 example (surplus 200, fee 40 on 2 x 20,000): to the fund 160 + 40 = 200; to
    # fees the fund gets the 160 only. The fund's share of the surplus is 160 either way.
    fill = [Fill(F(2), F(20_100))]
    to_fund = settle_liquidation(
        LONG, F(2), F(20_000), fill, F(500), fee_rate=F(1, 1000), fee_to=FeeTo.INSURANCE
    )
    to_fees = settle_liquidation(
        LONG, F(2), F(20_000), fill, F(500), fee_rate=F(1, 1000), fee_to=FeeTo.FEES
    )
    assert (to_fund.insurance_delta, to_fund.insurance_fund_after) == (F(200), F(700))
    assert (to_fees.insurance_delta, to_fees.insurance_fund_after) == (F(160), F(660))
    assert to_fund.surplus_delta == to_fees.surplus_delta == 160


def test_fee_capped_by_surplus_and_zero_on_deficit() -> None:
    # base 10,000 x rate 0.001 = 10.
    assert compute_liquidation_fee(F(10_000), F(1, 1000), F(5)) == 5  # min(10, 5)
    assert compute_liquidation_fee(F(10_000), F(1, 1000), F(30)) == 10  # min(10, 30)
    assert compute_liquidation_fee(F(10_000), F(1, 1000), F(-50)) == 0  # min(10, max(0, -50))


def test_surplus_split_both_options() -> None:
    # net 70, fee 4: insurance -> (66, 0); trader -> (0, 66).
    assert compute_surplus_split(F(70), F(4), SurplusTo.INSURANCE) == (F(66), F(0))
    assert compute_surplus_split(F(70), F(4), TRADER) == (F(0), F(66))
    # net -5, fee 0: the fund pays 5 either way.
    assert compute_surplus_split(F(-5), F(0), TRADER) == (F(-5), F(0))


def test_is_fill_executable_counts_earlier_gains() -> None:
    # fund 0, earlier gain 5, this fill -5: 0 + 5 - 5 = 0 >= 0; -6 would make it -1.
    assert is_fill_executable(F(0), F(5), F(-5))
    assert not is_fill_executable(F(0), F(5), F(-6))


def test_select_executable_fills_returns_leading_prefix() -> None:
    # fund 30; surpluses 4, -15, -30: 34, 19, -11 -> the first two.
    fills = [Fill(F(4), F(101)), Fill(F(3), F(95)), Fill(F(3), F(90))]
    assert select_executable_fills(fills, [F(4), F(-15), F(-30)], F(30)) == tuple(fills[:2])
    with pytest.raises(SpecError, match="fill_surpluses"):
        select_executable_fills(fills, [F(4)], F(30))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"qty": F(0)}, "qty"),
        ({"qty": F(-1)}, "qty"),
        ({"bankruptcy_price": F(0)}, "bankruptcy_price"),
        ({"insurance_fund": F(-1)}, "insurance_fund"),
        ({"fee_rate": F(-1, 100)}, "fee_rate"),
        ({"multiplier": F(0)}, "multiplier"),
        ({"fills": [Fill(F(0), F(100))]}, r"fills\[0\].qty"),
        ({"fills": [Fill(F(1), F(100)), Fill(F(1), F(-1))]}, r"fills\[1\].price"),
        ({"fills": [Fill(F(3), F(100)), Fill(F(3), F(100))]}, "fills: quantities sum to 6"),
        ({"side": "long"}, "side"),
        ({"surplus_to": "trader"}, "surplus_to"),
        ({"kind": "linear"}, "kind"),
        ({"fee_base": "fill_notional"}, "fee_base"),
        ({"fee_to": "fees"}, "fee_to"),
        ({"fee_base": MARK_VALUE}, "mark_price: required"),
        ({"mark_price": F(0)}, "mark_price: must be > 0"),
    ],
)
def test_invalid_inputs_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "side": LONG,
        "qty": F(5),
        "bankruptcy_price": F(100),
        "fills": [Fill(F(1), F(100))],
        "insurance_fund": F(0),
        "fee_rate": F(0),
        "surplus_to": SurplusTo.INSURANCE,
        "kind": LINEAR,
        "multiplier": F(1),
    } | kwargs
    with pytest.raises(SpecError, match=field) as info:
        settle_liquidation(**args)  # type: ignore[arg-type]  # deliberately ill-typed inputs
    assert "\n" not in str(info.value)
