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
- Liquidation fee (profile ``fee_rate``): ``fee_rate`` times the executed quantity valued at
  the bankruptcy price, taken from the net surplus and never beyond it (DESIGN: it comes out
  of what is left above the bankruptcy price).
- Profile option ``surplus_to``: ``insurance`` (seed 001 "User A will lose all balance", seed
  004 "the remaining margin after deducting the liquidation fees will also be injected into the
  insurance fund") or ``trader`` (dYdX v4: the trader keeps what is left after the fee).

Conservation: ``fee + insurance_delta + trader_refund == net_surplus`` exactly. The fee is
reported on its own; where it is booked (the ``fees`` account, or a fund that a profile feeds
with fees) is the ledger's concern, and ``insurance_fund_after`` excludes it.

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
from perpspec.reference.numbers import format_number

__all__ = [
    "Fill",
    "LiquidationSettlement",
    "Side",
    "SurplusTo",
    "compute_fill_surplus",
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


@dataclass(frozen=True, slots=True)
class Fill:
    """One liquidation fill: ``qty`` units closed at ``price`` (both > 0)."""

    qty: Fraction
    price: Fraction


@dataclass(frozen=True, slots=True)
class LiquidationSettlement:
    """The outcome of settling one liquidation.

    ``fee + insurance_delta + trader_refund == net_surplus``; ``insurance_delta`` is signed
    (+ into the fund, - paid by it); ``remaining_qty = qty - executed_qty`` goes to the last
    resort; ``fills_executed`` counts the leading fills that were executed.
    """

    fee: Fraction
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
    """
    if kind is ContractKind.LINEAR:
        gain_per_unit = fill.price - bankruptcy_price
    else:
        gain_per_unit = 1 / bankruptcy_price - 1 / fill.price
    direction = 1 if side is Side.LONG else -1
    return direction * fill.qty * multiplier * gain_per_unit


def compute_net_surplus(fill_surpluses: Sequence[Fraction]) -> Fraction:
    """Net surplus of a liquidation: gains of some fills offset deficits of others."""
    return sum(fill_surpluses, Fraction(0))


def is_fill_executable(
    insurance_fund: Fraction, net_surplus_before: Fraction, fill_surplus: Fraction
) -> bool:
    """True when the fund can pay the walk's net deficit with this fill included.

    Rule (DESIGN, Insurance fund): a fill executes only if the fund can pay its deficit, i.e.
    ``insurance_fund + net_surplus_before + fill_surplus >= 0``. Gains of earlier fills count,
    because they are netted before anything leaves the liquidation.
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
    kind: ContractKind,
    executed_qty: Fraction,
    bankruptcy_price: Fraction,
    multiplier: Fraction = Fraction(1),
) -> Fraction:
    """Value of the executed quantity at the bankruptcy price: ``d V P_b`` or ``d V / P_b``.

    The bankruptcy price is the base because the position is taken over at it (seed 004, Part
    Four: "settled internally at the bankruptcy price"): that is the price at which the
    trader's position is closed, while the fill prices are the engine's own trades. It also
    keeps the fee independent of how well the engine happens to fill.
    """
    if kind is ContractKind.LINEAR:
        return executed_qty * multiplier * bankruptcy_price
    return executed_qty * multiplier / bankruptcy_price


def compute_liquidation_fee(
    fee_base: Fraction, fee_rate: Fraction, net_surplus: Fraction
) -> Fraction:
    """``min(fee_base * fee_rate, max(0, net_surplus))``.

    Rule (DESIGN, Liquidation): the fee comes out of what is left above the bankruptcy price,
    never beyond it, so it is capped by the net surplus and is zero on a net deficit (the
    trader is bankrupt and owes nothing more; seed 001, user B).
    """
    return min(fee_base * fee_rate, max(Fraction(0), net_surplus))


def compute_surplus_split(
    net_surplus: Fraction, fee: Fraction, surplus_to: SurplusTo
) -> tuple[Fraction, Fraction]:
    """``(insurance_delta, trader_refund)`` of the net surplus left after the fee.

    Profile option ``surplus_to``: ``insurance`` gives all of ``net_surplus - fee`` to the fund
    (negative when the fund pays a deficit); ``trader`` refunds the positive part to the trader
    and leaves only a deficit to the fund. Either way ``fee + delta + refund == net_surplus``.
    """
    left = net_surplus - fee
    if surplus_to is SurplusTo.INSURANCE:
        return left, Fraction(0)
    return min(Fraction(0), left), max(Fraction(0), left)


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
) -> LiquidationSettlement:
    """Settle one liquidation: walk the fills, charge the fee, split the net surplus.

    Rule: the module's rules, in order: surplus per fill, the walk that keeps the fund at or
    above zero, the fee on the executed quantity at the bankruptcy price capped by the net
    surplus, the ``surplus_to`` split, and the fund's new balance (``fund-nonnegative``).
    """
    _check_inputs(
        side, qty, bankruptcy_price, insurance_fund, fee_rate, surplus_to, kind, multiplier
    )
    _check_fills(qty, fills)
    surpluses = [compute_fill_surplus(side, kind, bankruptcy_price, f, multiplier) for f in fills]
    executed = select_executable_fills(fills, surpluses, insurance_fund)
    net_surplus = compute_net_surplus(surpluses[: len(executed)])
    executed_qty = sum((fill.qty for fill in executed), Fraction(0))
    fee_base = compute_liquidation_fee_base(kind, executed_qty, bankruptcy_price, multiplier)
    fee = compute_liquidation_fee(fee_base, fee_rate, net_surplus)
    insurance_delta, trader_refund = compute_surplus_split(net_surplus, fee, surplus_to)
    return LiquidationSettlement(
        fee=fee,
        insurance_delta=insurance_delta,
        insurance_fund_after=apply_insurance_delta(insurance_fund, insurance_delta),
        trader_refund=trader_refund,
        remaining_qty=qty - executed_qty,
        executed_qty=executed_qty,
        fills_executed=len(executed),
        net_surplus=net_surplus,
    )
