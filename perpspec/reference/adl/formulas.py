"""ADL ranking formulas: the score of one position (DESIGN, ADL; profile option ``adl.ranking``).

Every formula is written on *signed position values*, so that shorts mirror longs without a
case per side. For a position of signed size ``q`` (> 0 long, < 0 short) and multiplier ``V``:

- linear contracts: ``value(price) = q * V * price`` (in the quote asset);
- inverse contracts: ``value(price) = -q * V / price`` (in the coin), chosen so that
  ``value(mark) - value(entry) = q V (1/E - 1/P)`` is the inverse uPnL of DESIGN, Margin.

Then ``uPnL = value(mark) - value(entry)``, ``notional = |value(mark)|`` and the margin balance
left above bankruptcy is ``value(mark) - value(bankruptcy)`` for either kind and side.

Division by zero never happens silently: each formula states which input must be non-zero and
raises :class:`~perpspec.reference.errors.SpecError` naming the field otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.numbers import format_number

__all__ = [
    "AdlPosition",
    "RankingFormula",
    "compute_effective_leverage",
    "compute_leverage_pnl_margin_ratio_score",
    "compute_mark_entry_notional_score",
    "compute_pnl_percentage",
    "compute_pnl_times_leverage_score",
    "compute_position_value",
    "compute_profit_ratio_score",
    "compute_roi_times_mmr_score",
    "compute_score",
    "compute_unrealized_pnl",
    "get_signed_qty",
]


class RankingFormula(Enum):
    """Profile option ``adl.ranking``: which score orders the ADL queue."""

    PNL_TIMES_LEVERAGE = "pnl_times_leverage"
    LEVERAGE_PNL_MARGIN_RATIO = "leverage_pnl_margin_ratio"
    PROFIT_RATIO = "profit_ratio"
    ROI_TIMES_MMR = "roi_times_mmr"
    MARK_ENTRY_NOTIONAL = "mark_entry_notional"


@dataclass(frozen=True, slots=True)
class AdlPosition:
    """One open position as the ADL ranking sees it.

    ``qty`` is the absolute size (> 0); ``side`` gives the sign. The optional fields are the
    ones only some formulas need: ``bankruptcy_price`` (``pnl_times_leverage``),
    ``wallet_balance`` and ``maintenance_margin`` (``leverage_pnl_margin_ratio``),
    ``maintenance_margin`` and ``account_value`` (``roi_times_mmr``), ``account_value``
    (``mark_entry_notional``). ``unrealized_pnl``, when given, replaces the position's own
    uPnL in ``leverage_pnl_margin_ratio`` (a cross account ranks on the account's uPnL).
    """

    id: str
    side: Side
    qty: Fraction
    entry_price: Fraction
    mark_price: Fraction
    bankruptcy_price: Fraction | None = None
    wallet_balance: Fraction | None = None
    maintenance_margin: Fraction | None = None
    account_value: Fraction | None = None
    unrealized_pnl: Fraction | None = None
    multiplier: Fraction = Fraction(1)
    kind: ContractKind = ContractKind.LINEAR


def _require(value: Fraction | None, field: str, formula: RankingFormula) -> Fraction:
    if value is None:
        raise SpecError(f"{field}: required by the ADL ranking formula {formula.value}")
    return value


def get_signed_qty(position: AdlPosition) -> Fraction:
    """The signed size ``q``: ``+qty`` for a long, ``-qty`` for a short."""
    return position.qty if position.side is Side.LONG else -position.qty


def compute_position_value(position: AdlPosition, price: Fraction) -> Fraction:
    """Signed position value at ``price`` (module docstring: linear ``qVP``, inverse ``-qV/P``)."""
    if price <= 0:
        raise SpecError(f"{position.id}: price must be > 0, found {format_number(price)}")
    q = get_signed_qty(position)
    if position.kind is ContractKind.INVERSE:
        return -q * position.multiplier / price
    return q * position.multiplier * price


def compute_unrealized_pnl(position: AdlPosition) -> Fraction:
    """uPnL = value(mark) - value(entry) (DESIGN, Margin; linear and inverse alike)."""
    mark_value = compute_position_value(position, position.mark_price)
    return mark_value - compute_position_value(position, position.entry_price)


def compute_pnl_percentage(position: AdlPosition) -> Fraction:
    """PnL% = (mark value - entry value) / |entry value| (BitMEX, Bybit, seed 004 "opening value").

    The entry value is never zero: prices and sizes are > 0.

    Implements rule `adl.score`.
    """
    entry_value = compute_position_value(position, position.entry_price)
    return compute_unrealized_pnl(position) / abs(entry_value)


def compute_effective_leverage(position: AdlPosition) -> Fraction:
    """Effective leverage = |mark value| / (mark value - bankrupt value) (BitMEX, Bybit).

    Seed 004 prints the reciprocal: "Effective Leverage = (Wallet Balance + Unrealized Profit
    and Loss) / |Position Nominal Value|". Its own text ("when a position's unrealized profit
    increases, the denominator grows, and its effective leverage decreases") and its Table 2
    (15x, 20x, 5x) only fit this orientation, so this one is normative for profile option
    ``adl.ranking = "pnl_times_leverage"``. The denominator is the
    margin left above bankruptcy; a position at or beyond its bankruptcy price has none and is
    rejected (it belongs to liquidation, not to the ADL queue).

    Implements rule `adl.score`.
    """
    bankruptcy = _require(
        position.bankruptcy_price,
        f"{position.id}.bankruptcy_price",
        RankingFormula.PNL_TIMES_LEVERAGE,
    )
    mark_value = compute_position_value(position, position.mark_price)
    cushion = mark_value - compute_position_value(position, bankruptcy)
    if cushion <= 0:
        raise SpecError(
            f"{position.id}.bankruptcy_price: the mark {format_number(position.mark_price)} "
            "is at or "
            f"beyond the bankruptcy price {format_number(bankruptcy)}, so the position has no "
            "effective leverage"
        )
    return abs(mark_value) / cushion


def compute_pnl_times_leverage_score(position: AdlPosition) -> Fraction:
    """``pnl_times_leverage`` (seed 004, BitMEX, Bybit).

    Score = PnL% x leverage if PnL% > 0, else PnL% / leverage.

    Seed 004, Table 2: A 250% x 15 = 3750 > B 150% x 20 = 3000 > C 500% x 5 = 2500. A zero PnL%
    scores 0 either way.

    Implements rule `adl.score`.
    """
    pnl_pct = compute_pnl_percentage(position)
    leverage = compute_effective_leverage(position)
    return pnl_pct * leverage if pnl_pct > 0 else pnl_pct / leverage


def compute_leverage_pnl_margin_ratio_score(position: AdlPosition) -> Fraction:
    """``leverage_pnl_margin_ratio`` (seed 003, Binance), quoted from the seed's closing formulas:

    "Odstotek dobička/izgube = maks (0, neunovčen dobiček)/maks (1, stanje denarnice)";
    "Če je (stanje denarnice+neunovčen dobiček) ≤0, potem je razmerje kritja = 0", else
    "razmerje kritja = vzdrževalno kritje/(stanje denarnice+neunovčen dobiček)";
    "Vzvod dobiček/izguba = odstotek dobiček/izguba × razmerje kritja".

    That is PnL% = max(0, uPnL) / max(1, wallet), margin ratio = 0 when wallet + uPnL <= 0,
    else MM / (wallet + uPnL), and score = PnL% x margin ratio. The ``1`` of ``max(1, wallet)``
    is one unit of the settlement asset, so no division by zero can occur.

    Implements rule `adl.score`.
    """
    formula = RankingFormula.LEVERAGE_PNL_MARGIN_RATIO
    wallet = _require(position.wallet_balance, f"{position.id}.wallet_balance", formula)
    maintenance = _require(
        position.maintenance_margin, f"{position.id}.maintenance_margin", formula
    )
    upnl = position.unrealized_pnl
    if upnl is None:
        upnl = compute_unrealized_pnl(position)
    pnl_pct = max(Fraction(0), upnl) / max(Fraction(1), wallet)
    equity = wallet + upnl
    margin_ratio = Fraction(0) if equity <= 0 else maintenance / equity
    return pnl_pct * margin_ratio


def compute_profit_ratio_score(position: AdlPosition) -> Fraction:
    """``profit_ratio`` (seed 001, Gate): uPnL relative to the entry value.

    Seed 001: "Profit ranking refers to only the opening price, instead of the leverage and
    position." The score is PnL% with no leverage factor.

    Implements rule `adl.score`.
    """
    return compute_pnl_percentage(position)


def compute_roi_times_mmr_score(position: AdlPosition) -> Fraction:
    """``roi_times_mmr`` (Bitget, "Introduction to auto-deleveraging (ADL)", 2025-09-27).

    Bitget's cross-margin rule, quoted:

    "Profitable position: ADL score = position ROI x account maintenance margin rate;
    loss-making position: ADL score = position ROI / account maintenance margin rate;
    position ROI = unrealized PnL / abs(position value calculated at average entry price)".
    The account maintenance margin rate is ``maintenance_margin / account_value`` (Bitget's
    risk rate, 100% at liquidation); both must be > 0 here, since a rate of 0 would divide a
    loss by zero and an account at or below zero equity is being liquidated, not ranked.

    Implements rule `adl.score`.
    """
    formula = RankingFormula.ROI_TIMES_MMR
    maintenance = _require(
        position.maintenance_margin, f"{position.id}.maintenance_margin", formula
    )
    account_value = _require(position.account_value, f"{position.id}.account_value", formula)
    if maintenance <= 0:
        raise SpecError(f"{position.id}.maintenance_margin: must be > 0 for {formula.value}")
    if account_value <= 0:
        raise SpecError(f"{position.id}.account_value: must be > 0 for {formula.value}")
    roi = compute_pnl_percentage(position)
    rate = maintenance / account_value
    return roi * rate if roi > 0 else roi / rate


def compute_mark_entry_notional_score(position: AdlPosition) -> Fraction:
    """``mark_entry_notional`` (Hyperliquid docs, "Auto-deleveraging").

    The docs' sorting index is "(mark_price / entry_price) * (notional_position /
    account_value)". They give one expression for both sides and say the ranking is "by
    unrealized pnl and leverage used"; the price ratio is therefore taken in the direction of
    profit: ``mark / entry`` for a long, ``entry / mark`` for a short (a literal mark/entry would
    put the most losing shorts first). ``notional = |value(mark)|``; ``account_value`` must be
    > 0 (an account at or below zero is the one being deleveraged, not a counterparty).

    Implements rule `adl.score`.
    """
    formula = RankingFormula.MARK_ENTRY_NOTIONAL
    account_value = _require(position.account_value, f"{position.id}.account_value", formula)
    if account_value <= 0:
        raise SpecError(f"{position.id}.account_value: must be > 0 for {formula.value}")
    if position.side is Side.LONG:
        ratio = position.mark_price / position.entry_price
    else:
        ratio = position.entry_price / position.mark_price
    notional = abs(compute_position_value(position, position.mark_price))
    return ratio * notional / account_value


SCORE_FORMULAS: Mapping[RankingFormula, Callable[[AdlPosition], Fraction]] = {
    RankingFormula.PNL_TIMES_LEVERAGE: compute_pnl_times_leverage_score,
    RankingFormula.LEVERAGE_PNL_MARGIN_RATIO: compute_leverage_pnl_margin_ratio_score,
    RankingFormula.PROFIT_RATIO: compute_profit_ratio_score,
    RankingFormula.ROI_TIMES_MMR: compute_roi_times_mmr_score,
    RankingFormula.MARK_ENTRY_NOTIONAL: compute_mark_entry_notional_score,
}


def compute_score(formula: RankingFormula, position: AdlPosition) -> Fraction:
    """The ADL score of ``position`` under the profile's ``adl.ranking`` formula.

    Implements rule `adl.score`.
    """
    if position.qty <= 0:
        raise SpecError(f"{position.id}.qty: must be > 0, found {format_number(position.qty)}")
    for field, price in (
        ("entry_price", position.entry_price),
        ("mark_price", position.mark_price),
    ):
        if price <= 0:
            raise SpecError(f"{position.id}.{field}: must be > 0, found {format_number(price)}")
    return SCORE_FORMULAS[formula](position)
