"""The ordinary trading fee of one side of a trade (profile ``[trading]``).

Rule: fee = notional x rate, where the notional is the trade's value at its price
(:func:`~perpspec.reference.margin.pnl.compute_position_value`: ``|q| V P`` linear,
``|q| V / P`` inverse) and the rate is the profile's ``maker_fee_rate`` for the resting side
and ``taker_fee_rate`` for the aggressing one (a negative rate is a rebate). When the exchange
books cash in a settlement unit, the fee is rounded UP to it: toward plus infinity, so a
charge is never below the exact fee and a rebate never above it (DESIGN, Arithmetic: charges
up, payouts down). The whole rounded fee goes to ``fees``, so no residual is left to book.
Without a unit the fee is exact.
"""

from __future__ import annotations

from fractions import Fraction

from perpspec.reference.numbers import Rounding, quantize

__all__ = ["compute_trading_fee"]


def compute_trading_fee(notional: Fraction, rate: Fraction, unit: Fraction | None) -> Fraction:
    """``notional x rate``, rounded up to ``unit`` when one is given (module docstring).

    Implements rule `round.charges-up-payouts-down`.
    """
    fee = notional * rate
    return fee if unit is None else quantize(fee, unit, Rounding.UP)
