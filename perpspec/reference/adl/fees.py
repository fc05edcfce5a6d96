"""ADL fee policy: what an ADL fill costs each side (profile option ``adl.fee_policy``).

The seeds disagree, so this is a profile option, never a guess:

- ``none``: seed 004, Part Five: "The trader subject to ADL does not need to pay any trading
  fees." (Bitget: "executed at bankruptcy price with no transaction fee".)
- ``maker_rebate``: seed 002 (CoinCatch): "The trader responsible for covering the loss incurs
  a Maker fee, and the trader whose loss is covered receives a Maker fee rebate." The
  deleveraged counterparty pays ``adl.maker_fee_rate`` on the fill's notional and the
  liquidated trader receives the same rate back.
- ``maker_taker``: Bybit ("What is Auto-Deleveraging (ADL)?"): "Maker fee will be charged to
  the positions of selected traders and Taker fee will be charged to the liquidated orders."

Signs: ``counterparty_fee`` is what the counterparty pays (>= 0); ``liquidated_fee`` is what
the liquidated trader pays, negative for a rebate. The fee account receives both, so its
change is their sum. With a ``unit``, charges round UP to the unit and a rebate (a payout)
rounds DOWN in magnitude (DESIGN, Arithmetic); the rounding residue stays in ``fees``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.numbers import Rounding, format_number, quantize

__all__ = [
    "AdlFillFees",
    "FeePolicy",
    "compute_adl_fill_fees",
    "compute_fees_account_delta",
    "compute_fill_notional",
]


class FeePolicy(Enum):
    """Profile option ``adl.fee_policy``."""

    NONE = "none"
    MAKER_REBATE = "maker_rebate"
    MAKER_TAKER = "maker_taker"


@dataclass(frozen=True, slots=True)
class AdlFillFees:
    """Fees of one fill: paid by the counterparty, and by the liquidated trader (< 0: rebate)."""

    counterparty_fee: Fraction
    liquidated_fee: Fraction


def compute_fill_notional(
    qty: Fraction,
    price: Fraction,
    multiplier: Fraction = Fraction(1),
    kind: ContractKind = ContractKind.LINEAR,
) -> Fraction:
    """Notional of a fill in the settlement asset: ``qty V P`` linear, ``qty V / P`` inverse.

    Implements rule `adl.fees`.
    """
    if kind is ContractKind.INVERSE:
        return qty * multiplier / price
    return qty * multiplier * price


def _round_charge(amount: Fraction, unit: Fraction | None) -> Fraction:
    """A charge to a trader rounds UP to the unit; a payout (negative) rounds toward zero."""
    if unit is None:
        return amount
    if amount >= 0:
        return quantize(amount, unit, Rounding.UP)
    return -quantize(-amount, unit, Rounding.DOWN)


def compute_adl_fill_fees(
    notional: Fraction,
    policy: FeePolicy,
    maker_fee_rate: Fraction = Fraction(0),
    taker_fee_rate: Fraction = Fraction(0),
    unit: Fraction | None = None,
) -> AdlFillFees:
    """Fees of one ADL fill of ``notional`` under ``policy`` (module docstring).

    Implements rules `round.charges-up-payouts-down` and `adl.fees`.
    """
    for field, rate in (("maker_fee_rate", maker_fee_rate), ("taker_fee_rate", taker_fee_rate)):
        if rate < 0:
            raise SpecError(f"{field}: must be >= 0, found {format_number(rate)}")
    if policy is FeePolicy.NONE:
        return AdlFillFees(Fraction(0), Fraction(0))
    counterparty = _round_charge(maker_fee_rate * notional, unit)
    if policy is FeePolicy.MAKER_REBATE:
        return AdlFillFees(counterparty, _round_charge(-maker_fee_rate * notional, unit))
    return AdlFillFees(counterparty, _round_charge(taker_fee_rate * notional, unit))


def compute_fees_account_delta(fees: Iterable[AdlFillFees]) -> Fraction:
    """Change of the ``fees`` account: every fee paid in, every rebate paid out.

    Implements rule `adl.fees`.
    """
    return sum((f.counterparty_fee + f.liquidated_fee for f in fees), Fraction(0))
