"""ADL ranking formulas (DESIGN, ADL; profile option ``adl.ranking``)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.formulas import (
    AdlPosition,
    RankingFormula,
    compute_effective_leverage,
    compute_leverage_pnl_margin_ratio_score,
    compute_mark_entry_notional_score,
    compute_pnl_percentage,
    compute_pnl_times_leverage_score,
    compute_position_value,
    compute_profit_ratio_score,
    compute_roi_times_mmr_score,
    compute_score,
    compute_unrealized_pnl,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import Side

LONG, SHORT = Side.LONG, Side.SHORT


def _pos(
    side: Side,
    qty: int,
    entry: F,
    mark: F,
    *,
    bankruptcy_price: F | None = None,
    wallet_balance: F | None = None,
    maintenance_margin: F | None = None,
    account_value: F | None = None,
    unrealized_pnl: F | None = None,
    kind: ContractKind = ContractKind.LINEAR,
) -> AdlPosition:
    return AdlPosition(
        "p",
        side,
        F(qty),
        entry,
        mark,
        bankruptcy_price=bankruptcy_price,
        wallet_balance=wallet_balance,
        maintenance_margin=maintenance_margin,
        account_value=account_value,
        unrealized_pnl=unrealized_pnl,
        kind=kind,
    )


def test_seed004_table2_figures_are_realized_exactly() -> None:
    # Seed 004, Table 2: A 250% x 15 = 3750, B 150% x 20 = 3000, C 500% x 5 = 2500. Longs at
    # mark 420: A entry 120 (300/120 = 5/2), bankruptcy 392 (420/28 = 15); B entry 168
    # (252/168 = 3/2), bankruptcy 399 (420/21 = 20); C entry 70 (350/70 = 5), bankruptcy 336
    # (420/84 = 5).
    a = _pos(LONG, 1, F(120), F(420), bankruptcy_price=F(392))
    b = _pos(LONG, 1, F(168), F(420), bankruptcy_price=F(399))
    c = _pos(LONG, 1, F(70), F(420), bankruptcy_price=F(336))
    assert (compute_pnl_percentage(a), compute_effective_leverage(a)) == (F(5, 2), F(15))
    assert (compute_pnl_percentage(b), compute_effective_leverage(b)) == (F(3, 2), F(20))
    assert (compute_pnl_percentage(c), compute_effective_leverage(c)) == (F(5), F(5))
    scores = [compute_pnl_times_leverage_score(p) for p in (a, b, c)]
    assert scores == [F(75, 2), 30, 25]  # 3750%, 3000%, 2500%
    assert scores == sorted(scores, reverse=True)  # the seed's order A, B, C


def test_seed004_printed_leverage_is_upside_down() -> None:
    # Seed 004 prints leverage = (wallet + uPnL) / |notional|, i.e. margin balance / notional,
    # the reciprocal of |mark value| / (mark value - bankrupt value). For A above: margin
    # balance = 420 - 392 = 28, notional 420: printed 28/420 = 1/15, not 15. With it, the
    # Table 2 order would not come out (below); the normative orientation gives 15.
    a = _pos(LONG, 1, F(120), F(420), bankruptcy_price=F(392))
    printed = (F(420) - F(392)) / F(420)
    assert printed == F(1, 15)
    assert compute_effective_leverage(a) == 1 / printed
    # Printed-formula scores, PnL% x (margin balance / notional): A 5/2 x 28/420 = 1/6,
    # B 3/2 x 21/420 = 3/40, C 5 x 84/420 = 1: the order would be C, A, B.
    printed_scores = {"A": F(5, 2) * F(28, 420), "B": F(3, 2) * F(21, 420), "C": 5 * F(84, 420)}
    assert printed_scores == {"A": F(1, 6), "B": F(3, 40), "C": 1}
    assert sorted(printed_scores, key=lambda k: -printed_scores[k]) == ["C", "A", "B"]


def test_effective_leverage_falls_as_profit_rises() -> None:
    # Seed 004's own sentence: "when a position's unrealized profit increases ... its effective
    # leverage decreases". Long, bankruptcy 90: mark 100 -> 100/10 = 10; mark 110 -> 110/20.
    lower = _pos(LONG, 1, F(95), F(100), bankruptcy_price=F(90))
    higher = _pos(LONG, 1, F(95), F(110), bankruptcy_price=F(90))
    assert compute_effective_leverage(lower) == 10
    assert compute_effective_leverage(higher) == F(11, 2)


def test_short_mirrors_long() -> None:
    # Short 2, E 100, P 80, B 96: values -200, -160, -192: PnL% 40/200 = 1/5, leverage
    # 160/32 = 5, score 1. The mirrored long (E 100, P 120, B 104): PnL% 1/5, leverage
    # 120/16 = 15/2, score 3/2: mirror in price is not mirror in ratio, but the sign logic is.
    short = _pos(SHORT, 2, F(100), F(80), bankruptcy_price=F(96))
    assert compute_unrealized_pnl(short) == 40
    assert compute_pnl_percentage(short) == F(1, 5)
    assert compute_effective_leverage(short) == 5
    assert compute_pnl_times_leverage_score(short) == 1


def test_losing_position_divides_by_leverage() -> None:
    # Long E 100, P 80, B 50: PnL% -1/5, leverage 80/30 = 8/3, score -1/5 / (8/3) = -3/40.
    position = _pos(LONG, 1, F(100), F(80), bankruptcy_price=F(50))
    assert compute_pnl_times_leverage_score(position) == F(-3, 40)


def test_position_at_bankruptcy_has_no_effective_leverage() -> None:
    # Mark 90 = bankruptcy 90: no margin left above bankruptcy; a liquidation, not a ranking.
    position = _pos(LONG, 1, F(100), F(90), bankruptcy_price=F(90))
    with pytest.raises(SpecError, match=r"p\.bankruptcy_price"):
        compute_effective_leverage(position)


def test_inverse_values_and_pnl() -> None:
    # Inverse long 100 contracts of V = 1 USD, E 20,000, P 25,000: v(p) = -100/p;
    # uPnL = -100/25000 + 100/20000 = 1/1000 coin = 100 (1/20000 - 1/25000): DESIGN's inverse
    # uPnL; PnL% = (1/1000) / (1/200) = 1/5.
    position = _pos(LONG, 100, F(20_000), F(25_000), kind=ContractKind.INVERSE)
    assert compute_position_value(position, F(20_000)) == F(-1, 200)
    assert compute_unrealized_pnl(position) == F(1, 1000)
    assert compute_profit_ratio_score(position) == F(1, 5)


def test_seed003_leverage_pnl_margin_ratio() -> None:
    # Long 2, E 100, P 150: uPnL 100; wallet 400, MM 30: PnL% 100/400 = 1/4; margin ratio
    # 30/500 = 3/50; score 3/200.
    position = _pos(LONG, 2, F(100), F(150), wallet_balance=F(400), maintenance_margin=F(30))
    assert compute_leverage_pnl_margin_ratio_score(position) == F(3, 200)


def test_seed003_small_wallet_uses_one() -> None:
    # max(1, wallet): wallet 1/2 counts as 1. uPnL 2: PnL% 2; ratio (1/2)/(5/2) = 1/5: 2/5.
    position = _pos(LONG, 1, F(10), F(12), wallet_balance=F(1, 2), maintenance_margin=F(1, 2))
    assert compute_leverage_pnl_margin_ratio_score(position) == F(2, 5)


def test_seed003_negative_equity_has_zero_margin_ratio() -> None:
    # wallet -5 + uPnL 3 = -2 <= 0: margin ratio 0, score 0 although PnL% is 3.
    position = _pos(LONG, 1, F(10), F(13), wallet_balance=F(-5), maintenance_margin=F(1))
    assert compute_leverage_pnl_margin_ratio_score(position) == 0


def test_seed003_account_upnl_overrides_position_upnl() -> None:
    # A cross account ranks on the account's uPnL: 40 given instead of the position's 100:
    # PnL% 40/400 = 1/10; ratio 30/440 = 3/44; score 3/440.
    position = _pos(
        LONG,
        2,
        F(100),
        F(150),
        wallet_balance=F(400),
        maintenance_margin=F(30),
        unrealized_pnl=F(40),
    )
    assert compute_leverage_pnl_margin_ratio_score(position) == F(3, 440)


def test_bitget_roi_times_mmr_profit_and_loss() -> None:
    # Profit: ROI 1/10, rate 20/400 = 1/20: 1/200. Loss: ROI -1/20, rate 1/10: -1/2.
    winner = _pos(LONG, 1, F(100), F(110), maintenance_margin=F(20), account_value=F(400))
    loser = _pos(LONG, 1, F(100), F(95), maintenance_margin=F(10), account_value=F(100))
    assert compute_roi_times_mmr_score(winner) == F(1, 200)
    assert compute_roi_times_mmr_score(loser) == F(-1, 2)


def test_roi_times_mmr_refuses_zero_rate() -> None:
    position = _pos(LONG, 1, F(100), F(95), maintenance_margin=F(0), account_value=F(100))
    with pytest.raises(SpecError, match=r"p\.maintenance_margin"):
        compute_roi_times_mmr_score(position)


def test_hyperliquid_index_long_and_short() -> None:
    # Long 2, E 50, P 60, account 300: 6/5 x 120/300 = 12/25. Short 4, E 75, P 60, account 480:
    # entry/mark 5/4 x 240/480 = 5/8.
    long_position = _pos(LONG, 2, F(50), F(60), account_value=F(300))
    short_position = _pos(SHORT, 4, F(75), F(60), account_value=F(480))
    assert compute_mark_entry_notional_score(long_position) == F(12, 25)
    assert compute_mark_entry_notional_score(short_position) == F(5, 8)


def test_hyperliquid_refuses_nonpositive_account_value() -> None:
    position = _pos(LONG, 1, F(50), F(60), account_value=F(0))
    with pytest.raises(SpecError, match=r"p\.account_value"):
        compute_mark_entry_notional_score(position)


@pytest.mark.parametrize(
    ("formula", "field"),
    [
        (RankingFormula.PNL_TIMES_LEVERAGE, "bankruptcy_price"),
        (RankingFormula.LEVERAGE_PNL_MARGIN_RATIO, "wallet_balance"),
        (RankingFormula.ROI_TIMES_MMR, "maintenance_margin"),
        (RankingFormula.MARK_ENTRY_NOTIONAL, "account_value"),
    ],
)
def test_missing_formula_input_names_the_field(formula: RankingFormula, field: str) -> None:
    position = _pos(LONG, 1, F(100), F(110))
    with pytest.raises(SpecError, match=rf"p\.{field}: required by the ADL ranking formula"):
        compute_score(formula, position)


def test_score_refuses_nonpositive_inputs() -> None:
    with pytest.raises(SpecError, match=r"p\.qty"):
        compute_score(RankingFormula.PROFIT_RATIO, _pos(LONG, 0, F(100), F(110)))
    with pytest.raises(SpecError, match=r"p\.entry_price"):
        compute_score(RankingFormula.PROFIT_RATIO, _pos(LONG, 1, F(0), F(110)))
