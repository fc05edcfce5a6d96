"""Settlement of a liquidated position: the book walk, the liquidation fee, the surplus split.

Rule (DESIGN, Liquidation and Insurance fund; seed 001; seed 004 Parts Four and Five):

- The liquidated position (``side``, ``qty`` > 0) is taken over by the liquidation engine at
  its bankruptcy price ``P_b`` and closed by ``fills`` ``[(qty, price)]`` in the given order
  (a walk down the book).
- The surplus of a fill of ``d`` units at price ``p`` (contract multiplier ``V``) is what the
  engine gains against having closed at ``P_b``: linear long ``d V (p - P_b)``, linear short
  ``d V (P_b - p)``, inverse long ``d V (1/P_b - 1/p)``, inverse short ``d V (1/p - 1/P_b)``.
  Positive means better than bankruptcy (seed 001: long, ``P_b`` 10,000, fill 10,100: +100 a
  unit to the fund); negative is a deficit the fund pays (seed 001: short, ``P_b`` 10,000, fill
  10,050: the fund pays 50 a unit, the trader owes nothing).
- The fund never goes below zero: fills execute in order while the fund plus the net surplus
  of the executed fills (the current one included) stays >= 0. The first fill that would push
  it below zero is not executed, nor is any later fill: the walk stops there, even when a later
  fill would have been better, because a book walk consumes levels in order. Fills execute
  whole. Everything not executed (including quantity no fill covered) is ``remaining_qty``,
  which goes to the last resort (ADL or socialized loss).
- Surplus is netted over all executed fills of the one liquidation before anything is split:
  earlier gains offset later deficits, and only the net is charged a fee or handed out.
- Liquidation fee (profile ``fee_rate``): ``fee_rate`` times the fee base, taken from the net
  surplus and never beyond it (DESIGN: it comes out of what is left above the bankruptcy
  price). Profile option ``fee_base`` names the base: ``fill_notional``, the executed fills'
  notional (dYdX v4, ``GetLiquidationInsuranceFundDelta``: the max fee is
  ``max_liquidation_fee_ppm`` of the fill's quote quantums); ``bankruptcy_value``, the executed
  quantity valued at the bankruptcy price; ``mark_value``, the executed quantity valued at the
  mark of the liquidation.
- Profile option ``fee_to``: ``insurance`` (seed 004 Part Five: liquidation fees are the fund's
  main source; dYdX v4: the fee "goes 100% to the insurance fund") or ``fees``.
- Profile option ``surplus_to``: ``insurance`` (seed 001 "User A will lose all balance", seed
  004 "the remaining margin after deducting the liquidation fees will also be injected into the
  insurance fund") or ``trader`` (dYdX v4: the trader keeps what is left after the fee).

Conservation: ``fee + surplus_delta + trader_refund == net_surplus`` exactly, where
``surplus_delta`` is the fund's share of the surplus (negative: the deficit it pays). The fund's
whole change is ``insurance_delta = surplus_delta + fee`` when ``fee_to = "insurance"`` and
``surplus_delta`` when ``fee_to = "fees"``; ``insurance_fund_after`` is the fund plus it.

No rounding happens here: inputs are exact, and every output is a sum of products and
quotients of them, so outputs are exact rationals (an inverse contract's surplus in coin is
often not a terminating decimal, e.g. ``1/120000``). Rounding amounts to the settlement
asset's unit is left to whoever books them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.insurance.fund import apply_insurance_delta, can_pay
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.numbers import format_number

__all__ = [
    "FeeBase",
    "FeeTo",
    "Fill",
    "LiquidationSettlement",
    "Side",
    "SurplusTo",
    "compute_fill_surplus",
    "compute_insurance_delta",
    "compute_liquidation_fee",
    "compute_liquidation_fee_base",
    "compute_net_surplus",
    "compute_surplus_split",
    "is_fill_executable",
    "select_executable_fills",
    "settle_liquidation",
]


class Side(Enum):
    """The side of the liquidated position (the engine closes it on the other side)."""

    LONG = "long"
    SHORT = "short"


class SurplusTo(Enum):
    """Profile option ``surplus_to``: who receives the net surplus left after the fee.

    ``INSURANCE``: the fund (seed 001, seed 004; the trader loses the whole margin).
    ``TRADER``: the trader (dYdX v4); the fund still pays any net deficit.
    """

    INSURANCE = "insurance"
    TRADER = "trader"


class FeeBase(Enum):
    """Profile option ``liquidation.fee_base``: what the liquidation fee rate is applied to.

    ``FILL_NOTIONAL``: the executed fills' notional, ``sum d V p`` (inverse ``sum d V / p``),
    as dYdX v4 charges it. ``BANKRUPTCY_VALUE``: the executed quantity at the bankruptcy price
    (the price the position is taken over at, seed 004 Part Four). ``MARK_VALUE``: the executed
    quantity at the mark of the liquidation.
    """

    FILL_NOTIONAL = "fill_notional"
    BANKRUPTCY_VALUE = "bankruptcy_value"
    MARK_VALUE = "mark_value"


class FeeTo(Enum):
    """Profile option ``liquidation.fee_to``: the account credited with the liquidation fee.

    ``INSURANCE``: the market's insurance fund (seed 004 Part Five; dYdX v4, Binance).
    ``FEES``: the exchange's ``fees`` account, outside the fund.
    """

    INSURANCE = "insurance"
    FEES = "fees"


@dataclass(frozen=True, slots=True)
class Fill:
    """One liquidation fill: ``qty`` units closed at ``price`` (both > 0)."""

    qty: Fraction
    price: Fraction


@dataclass(frozen=True, slots=True)
class LiquidationSettlement:
    """The outcome of settling one liquidation.

    ``fee + surplus_delta + trader_refund == net_surplus``; ``surplus_delta`` is the fund's
    signed share of the surplus (+ into the fund, - paid by it) and ``insurance_delta`` the
    fund's whole change (the fee included when it goes to the fund); ``fee_base`` is the amount
    the fee rate was applied to; ``remaining_qty = qty - executed_qty`` goes to the last resort;
    ``fills_executed`` counts the leading fills that were executed.
    """

    fee: Fraction
    fee_base: Fraction
    surplus_delta: Fraction
    insurance_delta: Fraction
    insurance_fund_after: Fraction
    trader_refund: Fraction
    remaining_qty: Fraction
    executed_qty: Fraction
    fills_executed: int
    net_surplus: Fraction


def compute_fill_surplus(
    side: Side,
    kind: ContractKind,
    bankruptcy_price: Fraction,
    fill: Fill,
    multiplier: Fraction = Fraction(1),
) -> Fraction:
    """Surplus of one fill against the bankruptcy price; negative is a deficit.

    Rule (DESIGN, Insurance fund; seed 001): the engine took the position over at ``P_b``, so
    closing a long at ``p`` gains ``d V (p - P_b)`` (linear) or ``d V (1/P_b - 1/p)`` in coin
    (inverse); a short mirrors it.

    Implements rule `liq.fill-surplus`.
    """
    if kind is ContractKind.LINEAR:
        gain_per_unit = fill.price - bankruptcy_price
    else:
        gain_per_unit = 1 / bankruptcy_price - 1 / fill.price
    direction = 1 if side is Side.LONG else -1
    return direction * fill.qty * multiplier * gain_per_unit


def compute_net_surplus(fill_surpluses: Sequence[Fraction]) -> Fraction:
    """Net surplus of a liquidation: gains of some fills offset deficits of others.

    Implements rule `liq.fill-surplus`.
    """
    return sum(fill_surpluses, Fraction(0))


def is_fill_executable(
    insurance_fund: Fraction, net_surplus_before: Fraction, fill_surplus: Fraction
) -> bool:
    """True when the fund can pay the walk's net deficit with this fill included.

    Rule (DESIGN, Insurance fund): a fill executes only if the fund can pay its deficit, i.e.
    ``insurance_fund + net_surplus_before + fill_surplus >= 0``. Gains of earlier fills count,
    because they are netted before anything leaves the liquidation.

    Implements rule `insurance.nonnegative`.
    """
    net_after = net_surplus_before + fill_surplus
    return can_pay(insurance_fund, max(Fraction(0), -net_after))


def select_executable_fills(
    fills: Sequence[Fill], fill_surpluses: Sequence[Fraction], insurance_fund: Fraction
) -> tuple[Fill, ...]:
    """The leading fills the engine executes; the walk stops at the first one it cannot.

    Rule (DESIGN, Insurance fund; seed 001 "the insurance fund is insufficient ... the
    auto-deleveraging will be triggered"): the first fill that would push the fund below zero
    is not executed, and the book walk ends there (later fills are deeper levels of the same
    book, consumed only after it).

    Implements rule `insurance.nonnegative`.
    """
    if len(fills) != len(fill_surpluses):
        raise SpecError("fill_surpluses: must have one surplus per fill")
    net = Fraction(0)
    for index, surplus in enumerate(fill_surpluses):
        if not is_fill_executable(insurance_fund, net, surplus):
            return tuple(fills[:index])
        net += surplus
    return tuple(fills)


def compute_liquidation_fee_base(
    fee_base: FeeBase,
    kind: ContractKind,
    executed: Sequence[Fill],
    bankruptcy_price: Fraction,
    mark_price: Fraction | None,
    multiplier: Fraction = Fraction(1),
) -> Fraction:
    """The amount the fee rate applies to, by profile option ``fee_base`` (see :class:`FeeBase`).

    Every base counts only the executed fills: what goes to the last resort is not closed by
    the liquidation engine and pays no liquidation fee. ``fill_notional`` follows dYdX v4
    (``GetLiquidationInsuranceFundDelta`` applies ``max_liquidation_fee_ppm`` to the absolute
    quote quantums of the fill); ``bankruptcy_value`` values the executed quantity at the price
    the position was taken over at (seed 004, Part Four: "settled internally at the bankruptcy
    price"); ``mark_value`` at the mark that triggered the liquidation.

    Implements rule `liq.fee`.
    """
    if fee_base is FeeBase.FILL_NOTIONAL:
        return sum(
            (compute_position_value(kind, fill.qty, multiplier, fill.price) for fill in executed),
            Fraction(0),
        )
    executed_qty = sum((fill.qty for fill in executed), Fraction(0))
    if fee_base is FeeBase.BANKRUPTCY_VALUE:
        return compute_position_value(kind, executed_qty, multiplier, bankruptcy_price)
    if mark_price is None:
        raise SpecError("mark_price: required by fee_base mark_value")
    return compute_position_value(kind, executed_qty, multiplier, mark_price)


def compute_liquidation_fee(
    fee_base: Fraction, fee_rate: Fraction, net_surplus: Fraction
) -> Fraction:
    """``min(fee_base * fee_rate, max(0, net_surplus))``.

    Rule (DESIGN, Liquidation): the fee comes out of what is left above the bankruptcy price,
    never beyond it, so it is capped by the net surplus and is zero on a net deficit (the
    trader is bankrupt and owes nothing more; seed 001, user B).

    Implements rule `liq.fee`.
    """
    return min(fee_base * fee_rate, max(Fraction(0), net_surplus))


def compute_surplus_split(
    net_surplus: Fraction, fee: Fraction, surplus_to: SurplusTo
) -> tuple[Fraction, Fraction]:
    """``(insurance_delta, trader_refund)`` of the net surplus left after the fee.

    Profile option ``surplus_to``: ``insurance`` gives all of ``net_surplus - fee`` to the fund
    (negative when the fund pays a deficit); ``trader`` refunds the positive part to the trader
    and leaves only a deficit to the fund. Either way ``fee + delta + refund == net_surplus``.

    Implements rule `liq.surplus-split`.
    """
    left = net_surplus - fee
    if surplus_to is SurplusTo.INSURANCE:
        return left, Fraction(0)
    return min(Fraction(0), left), max(Fraction(0), left)


def compute_insurance_delta(surplus_delta: Fraction, fee: Fraction, fee_to: FeeTo) -> Fraction:
    """The fund's whole change: its share of the surplus, plus the fee when ``fee_to`` is the
    fund (seed 004 Part Five; dYdX v4: the fee "goes 100% to the insurance fund").

    Implements rule `liq.surplus-split`.
    """
    return surplus_delta + fee if fee_to is FeeTo.INSURANCE else surplus_delta


def _check_inputs(
    side: Side,
    qty: Fraction,
    bankruptcy_price: Fraction,
    insurance_fund: Fraction,
    fee_rate: Fraction,
    surplus_to: SurplusTo,
    kind: ContractKind,
    multiplier: Fraction,
) -> None:
    # Python callers bypass the case parser, so the enum fields are checked here too.
    if not isinstance(side, Side):
        raise SpecError(f"side: expected long or short, found {side!r}")
    if not isinstance(surplus_to, SurplusTo):
        raise SpecError(f"surplus_to: expected insurance or trader, found {surplus_to!r}")
    if not isinstance(kind, ContractKind):
        raise SpecError(f"kind: expected linear or inverse, found {kind!r}")
    positive = (("qty", qty), ("bankruptcy_price", bankruptcy_price), ("multiplier", multiplier))
    for field, value in positive:
        if value <= 0:
            raise SpecError(f"{field}: must be > 0, found {format_number(value)}")
    for field, value in (("insurance_fund", insurance_fund), ("fee_rate", fee_rate)):
        if value < 0:
            raise SpecError(f"{field}: must be >= 0, found {format_number(value)}")


def _check_fee_options(fee_base: FeeBase, fee_to: FeeTo, mark_price: Fraction | None) -> None:
    if not isinstance(fee_base, FeeBase):
        names = ", ".join(base.value for base in FeeBase)
        raise SpecError(f"fee_base: expected one of {names}, found {fee_base!r}")
    if not isinstance(fee_to, FeeTo):
        raise SpecError(f"fee_to: expected insurance or fees, found {fee_to!r}")
    if mark_price is not None and mark_price <= 0:
        raise SpecError(f"mark_price: must be > 0, found {format_number(mark_price)}")
    if fee_base is FeeBase.MARK_VALUE and mark_price is None:
        raise SpecError("mark_price: required by fee_base mark_value")


def _check_fills(qty: Fraction, fills: Sequence[Fill]) -> None:
    for index, fill in enumerate(fills):
        if fill.qty <= 0:
            raise SpecError(f"fills[{index}].qty: must be > 0, found {format_number(fill.qty)}")
        if fill.price <= 0:
            raise SpecError(f"fills[{index}].price: must be > 0, found {format_number(fill.price)}")
    total = sum((fill.qty for fill in fills), Fraction(0))
    if total > qty:
        raise SpecError(
            f"fills: quantities sum to {format_number(total)}, more than qty {format_number(qty)}"
        )


def settle_liquidation(
    side: Side,
    qty: Fraction,
    bankruptcy_price: Fraction,
    fills: Sequence[Fill],
    insurance_fund: Fraction,
    *,
    fee_rate: Fraction = Fraction(0),
    surplus_to: SurplusTo = SurplusTo.INSURANCE,
    kind: ContractKind = ContractKind.LINEAR,
    multiplier: Fraction = Fraction(1),
    fee_base: FeeBase = FeeBase.BANKRUPTCY_VALUE,
    fee_to: FeeTo = FeeTo.FEES,
    mark_price: Fraction | None = None,
) -> LiquidationSettlement:
    """Settle one liquidation: walk the fills, charge the fee, split the net surplus.

    Rule: the module's rules, in order: surplus per fill, the walk that keeps the fund at or
    above zero, the fee (``fee_rate`` on the ``fee_base``) capped by the net surplus, the
    ``surplus_to`` split, the fee to ``fee_to``, and the fund's new balance
    (``fund-nonnegative``). ``mark_price`` is read only by ``fee_base = mark_value``.

    Implements rule `liq.surplus-split`.
    """
    _check_inputs(
        side, qty, bankruptcy_price, insurance_fund, fee_rate, surplus_to, kind, multiplier
    )
    _check_fee_options(fee_base, fee_to, mark_price)
    _check_fills(qty, fills)
    surpluses = [compute_fill_surplus(side, kind, bankruptcy_price, f, multiplier) for f in fills]
    executed = select_executable_fills(fills, surpluses, insurance_fund)
    net_surplus = compute_net_surplus(surpluses[: len(executed)])
    executed_qty = sum((fill.qty for fill in executed), Fraction(0))
    base = compute_liquidation_fee_base(
        fee_base, kind, executed, bankruptcy_price, mark_price, multiplier
    )
    fee = compute_liquidation_fee(base, fee_rate, net_surplus)
    surplus_delta, trader_refund = compute_surplus_split(net_surplus, fee, surplus_to)
    insurance_delta = compute_insurance_delta(surplus_delta, fee, fee_to)
    return LiquidationSettlement(
        fee=fee,
        fee_base=base,
        surplus_delta=surplus_delta,
        insurance_delta=insurance_delta,
        insurance_fund_after=apply_insurance_delta(insurance_fund, insurance_delta),
        trader_refund=trader_refund,
        remaining_qty=qty - executed_qty,
        executed_qty=executed_qty,
        fills_executed=len(executed),
        net_surplus=net_surplus,
    )
