"""Margin requirements: initial and maintenance margin, margin balance and cross equity.

Rule (DESIGN, Margin): initial margin = value / leverage; MM = value * m - c with ``(m, c)``
from the tier containing the value; the value is taken at the mark (``maintenance_basis =
"mark"``: Binance, Hyperliquid) or at the entry price (``"entry"``: BitMEX, Bybit linear
examples). Isolated margin balance = M + uPnL; cross equity = W + sum of uPnL, against the
sum of MM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind, Tier, find_tier
from perpspec.reference.margin.pnl import compute_position_value

__all__ = [
    "MaintenanceBasis",
    "compute_close_fee",
    "compute_cross_equity",
    "compute_initial_margin",
    "compute_isolated_margin_balance",
    "compute_maintenance_margin",
    "compute_position_maintenance_margin",
    "get_maintenance_value",
]


class MaintenanceBasis(Enum):
    """Profile option ``maintenance_basis``: the price at which MM's value is taken."""

    MARK = "mark"
    ENTRY = "entry"


def compute_initial_margin(value: Fraction, leverage: Fraction) -> Fraction:
    """Initial margin: the value divided by the leverage (seed 004, Part Two).

    Implements rule `margin.initial`.
    """
    if leverage <= 0:
        raise SpecError("leverage: must be > 0")
    return value / leverage


def compute_maintenance_margin(tiers: Sequence[Tier], value: Fraction) -> Fraction:
    """MM = value * m - c, with the tier that contains ``value``.

    Implements rule `margin.maintenance`.
    """
    tier = find_tier(tiers, value)
    return value * tier.mmr - tier.maintenance_amount


def get_maintenance_value(
    kind: ContractKind,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    mark_price: Fraction,
    basis: MaintenanceBasis,
) -> Fraction:
    """The value MM is computed on: at the mark or at the entry price, by profile option.

    Implements rule `margin.maintenance-basis`.
    """
    price = mark_price if basis is MaintenanceBasis.MARK else entry_price
    return compute_position_value(kind, qty, multiplier, price)


def compute_position_maintenance_margin(
    kind: ContractKind,
    tiers: Sequence[Tier],
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    mark_price: Fraction,
    basis: MaintenanceBasis,
) -> Fraction:
    """MM of one position at ``mark_price`` on the profile's basis.

    Implements rule `margin.maintenance-basis`.
    """
    value = get_maintenance_value(kind, qty, multiplier, entry_price, mark_price, basis)
    return compute_maintenance_margin(tiers, value)


def compute_close_fee(
    kind: ContractKind,
    qty: Fraction,
    multiplier: Fraction,
    price: Fraction,
    close_fee_rate: Fraction,
) -> Fraction:
    """The fee to close the position at ``price``, reserved by profile option ``close_fee_rate``.

    Implements rule `price.close-fee`.
    """
    return compute_position_value(kind, qty, multiplier, price) * close_fee_rate


def compute_isolated_margin_balance(
    isolated_margin: Fraction, unrealized_pnl: Fraction
) -> Fraction:
    """Isolated margin balance = M + uPnL.

    Implements rule `margin.balance`.
    """
    return isolated_margin + unrealized_pnl


def compute_cross_equity(wallet_balance: Fraction, unrealized_pnls: Iterable[Fraction]) -> Fraction:
    """Cross equity = W + sum of the cross positions' uPnL.

    Implements rule `margin.balance`.
    """
    return wallet_balance + sum(unrealized_pnls, Fraction(0))
