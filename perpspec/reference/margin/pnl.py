"""Position value and PnL, linear and inverse, with average-entry accounting.

Rule (DESIGN, Margin): linear uPnL = q V (P - E) and value = |q| V P; inverse uPnL =
q V (1/E - 1/P) and value = |q| V / P (in the coin). q is signed: > 0 long, < 0 short.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.numbers import Rounding, quantize

__all__ = [
    "Position",
    "apply_fill",
    "can_carry_dust",
    "compute_average_entry",
    "compute_carried_entry",
    "compute_position_value",
    "compute_realized_pnl",
    "compute_unrealized_pnl",
    "get_side",
]


@dataclass(frozen=True, slots=True)
class Position:
    """A signed position: ``qty`` > 0 long, < 0 short, 0 flat (entry price then irrelevant)."""

    qty: Fraction
    entry_price: Fraction


def get_side(qty: Fraction) -> int:
    """+1 for a long, -1 for a short; a flat position has no side."""
    if qty == 0:
        raise SpecError("qty: a flat position has no side")
    return 1 if qty > 0 else -1


def compute_position_value(
    kind: ContractKind, qty: Fraction, multiplier: Fraction, price: Fraction
) -> Fraction:
    """Value of the position at ``price``: ``|q| V P`` (linear) or ``|q| V / P`` (inverse).

    Implements rule `margin.upnl`.
    """
    if price <= 0:
        raise SpecError("price: must be > 0")
    if kind is ContractKind.LINEAR:
        return abs(qty) * multiplier * price
    return abs(qty) * multiplier / price


def compute_unrealized_pnl(
    kind: ContractKind,
    qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    mark_price: Fraction,
) -> Fraction:
    """Unrealized PnL at the mark: ``q V (P - E)`` or ``q V (1/E - 1/P)``.

    Implements rule `margin.upnl`.
    """
    if entry_price <= 0 or mark_price <= 0:
        raise SpecError("price: entry and mark prices must be > 0")
    if kind is ContractKind.LINEAR:
        return qty * multiplier * (mark_price - entry_price)
    return qty * multiplier * (1 / entry_price - 1 / mark_price)


def compute_realized_pnl(
    kind: ContractKind,
    closed_qty: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    exit_price: Fraction,
) -> Fraction:
    """PnL realized by closing ``closed_qty`` (signed like the closed position) at ``exit_price``.

    It is the unrealized PnL of the closed part at the exit price, so realizing never
    changes equity at that price.

    Implements rule `margin.average-entry`.
    """
    return compute_unrealized_pnl(kind, closed_qty, multiplier, entry_price, exit_price)


def compute_average_entry(
    kind: ContractKind,
    qty: Fraction,
    entry_price: Fraction,
    added_qty: Fraction,
    price: Fraction,
) -> Fraction:
    """Entry price after adding ``added_qty`` (same side) at ``price``.

    Linear contracts average the price weighted by quantity. Inverse contracts average the
    reciprocal (1/E is what their PnL is linear in), so the entry is the harmonic mean: the
    uPnL of the merged position equals the sum of the parts' uPnL at every mark.

    Implements rule `margin.average-entry`.
    """
    total = abs(qty) + abs(added_qty)
    if kind is ContractKind.LINEAR:
        return (abs(qty) * entry_price + abs(added_qty) * price) / total
    return total / (abs(qty) / entry_price + abs(added_qty) / price)


def compute_carried_entry(
    kind: ContractKind,
    remaining: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    dust: Fraction,
) -> Fraction:
    """The entry price that carries ``dust`` of unbooked realized PnL in the open position.

    It solves ``uPnL(remaining, new entry, P) = uPnL(remaining, entry, P) + dust`` for every
    mark ``P`` (both PnLs are affine in the same term of ``P``): linear ``E - dust / (q V)``,
    inverse ``1 / (1/E + dust / (q V))``.

    Implements rule `engine.settlement-unit`.
    """
    shift = dust / (remaining * multiplier)
    if kind is ContractKind.LINEAR:
        return entry_price - shift
    return 1 / (1 / entry_price + shift)


def can_carry_dust(
    kind: ContractKind,
    remaining: Fraction,
    multiplier: Fraction,
    entry_price: Fraction,
    dust: Fraction,
) -> bool:
    """Whether :func:`compute_carried_entry` gives a price (> 0).

    Carrying ``dust`` moves a long's entry down (a short's reciprocal entry, inverse) by
    ``dust / (q V)``: past zero exactly when the dust is at least the remaining position's
    value at its entry (``q V E`` linear, ``q V / E`` inverse), a position smaller than one
    settlement unit. Such a position cannot carry it.

    Implements rule `engine.settlement-unit`.
    """
    shift = dust / (remaining * multiplier)
    if kind is ContractKind.LINEAR:
        return entry_price - shift > 0
    return 1 / entry_price + shift > 0


def apply_fill(
    kind: ContractKind,
    multiplier: Fraction,
    position: Position,
    fill_qty: Fraction,
    price: Fraction,
    unit: Fraction | None = None,
) -> tuple[Position, Fraction]:
    """Apply a signed fill to a position; return the new position and the realized PnL.

    Average-entry accounting: a fill on the position's side moves the entry to the average
    (:func:`compute_average_entry`); a fill against it first closes at the old entry and
    realizes PnL; whatever exceeds the position opens the other side at the fill price.

    With a settlement ``unit``, a partial reduction realizes its PnL rounded DOWN to the unit
    (a payout down, a charge up: DESIGN, Arithmetic) and the remainder, less than one unit,
    stays in the open position through its entry price (:func:`compute_carried_entry`), so
    the account's equity at the fill price is exactly what it was and no residual needs
    booking. Without it an exact average entry's denominator grows with every fill. A close
    to flat (or past it) returns the exact PnL: the caller books it; so does a reduction whose
    remaining position is too small to carry the remainder (:func:`can_carry_dust`).

    Implements rule `margin.average-entry`.
    """
    if fill_qty == 0:
        raise SpecError("qty: a fill must not be zero")
    if price <= 0:
        raise SpecError("price: must be > 0")
    if position.qty == 0:
        return Position(fill_qty, price), Fraction(0)
    if (position.qty > 0) == (fill_qty > 0):
        entry = compute_average_entry(kind, position.qty, position.entry_price, fill_qty, price)
        return Position(position.qty + fill_qty, entry), Fraction(0)
    closed = -fill_qty if abs(fill_qty) <= abs(position.qty) else position.qty
    realized = compute_realized_pnl(kind, closed, multiplier, position.entry_price, price)
    remaining = position.qty + fill_qty
    if remaining == 0:
        return Position(Fraction(0), Fraction(0)), realized
    if (remaining > 0) == (position.qty > 0):
        if unit is None:
            return Position(remaining, position.entry_price), realized
        booked = quantize(realized, unit, Rounding.DOWN)
        dust = realized - booked
        if not can_carry_dust(kind, remaining, multiplier, position.entry_price, dust):
            # As on a close: the exact PnL, which the caller books (its dust to ``fees``).
            return Position(remaining, position.entry_price), realized
        entry = compute_carried_entry(kind, remaining, multiplier, position.entry_price, dust)
        return Position(remaining, entry), booked
    return Position(remaining, price), realized
