"""Integer kernels with contracts, checked symbolically by CrossHair.

Rule (DESIGN, Arithmetic): CrossHair does well on int kernels and poorly on Fraction, so the
contracts it checks sit on small int-unit functions that the Fraction-level reference calls.
Contracts are PEP 316 docstrings (``pre:``/``post:``); ``make crosshair-quick`` checks them
with a small per-condition budget inside ``make test``, ``make crosshair`` with a deep one.
A CrossHair pass means "no counterexample found within the budget", not a proof.
"""

from __future__ import annotations

__all__ = ["cap_fee_units", "ceil_div", "floor_div", "quantize_units", "settle_fund_units"]


def floor_div(numerator: int, denominator: int) -> int:
    """The greatest integer <= numerator / denominator.

    pre: denominator > 0
    post: __return__ * denominator <= numerator < (__return__ + 1) * denominator
    """
    return numerator // denominator


def ceil_div(numerator: int, denominator: int) -> int:
    """The least integer >= numerator / denominator.

    pre: denominator > 0
    post: (__return__ - 1) * denominator < numerator <= __return__ * denominator
    """
    return -((-numerator) // denominator)


def quantize_units(value: int, step: int, up: bool) -> int:
    """``value`` rounded to a multiple of ``step`` (both in base units), up or down.

    pre: step > 0
    post: __return__ % step == 0
    post: (value <= __return__ < value + step) if up else (value - step < __return__ <= value)
    """
    quotient = ceil_div(value, step) if up else floor_div(value, step)
    return quotient * step


def cap_fee_units(fee_base: int, surplus: int) -> int:
    """Liquidation fee: never beyond what is left above the bankruptcy price.

    pre: fee_base >= 0
    post: 0 <= __return__ <= fee_base
    post: __return__ <= max(0, surplus)
    post: __return__ == fee_base or __return__ == max(0, surplus)
    """
    return min(fee_base, max(0, surplus))


def settle_fund_units(balance: int, deficit: int) -> tuple[int, bool]:
    """Pay ``deficit`` from an insurance fund only if it can pay all of it.

    Returns the new balance and whether it paid. The fund never goes below zero.

    pre: balance >= 0 and deficit >= 0
    post: __return__[0] >= 0
    post: __return__[1] == (deficit <= balance)
    post: __return__[0] == (balance - deficit if __return__[1] else balance)
    """
    if deficit <= balance:
        return balance - deficit, True
    return balance, False
