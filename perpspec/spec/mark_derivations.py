"""The mark price and funding rate rules as sympy expressions: the forms the theorems use.

Rules ``mark.funding-basis``, ``mark.mark-price``, ``mark.funding-premium``,
``mark.funding-clamp`` and ``mark.funding-rate`` (:mod:`perpspec.reference.mark`). Each
expression is the reference function's computation written once more in sympy, in the same
order of operations (the clamp as ``min(max(x, lo), hi)``, the cap and floor as
``max(min(y, cap), floor)``, the median of three as ``max(min(a, b), min(max(a, b), c))``),
so that what :mod:`perpspec.spec.mark_theorems` proves is a statement about the code's
formula, and the property tests in ``tests/reference/mark`` hold the code to these forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

__all__ = [
    "CAP",
    "CLAMP_BOUND",
    "FLOOR",
    "FUNDING_INTERVAL",
    "FUNDING_RATE",
    "IMPACT_ASK",
    "IMPACT_BID",
    "INDEX_PRICE",
    "INTEREST_RATE",
    "MARK_SYMBOLS",
    "PREMIUM",
    "SCALE",
    "TIME_UNTIL_FUNDING",
    "MarkFormula",
    "clamp",
    "get_capped_rate",
    "get_clamped_rate",
    "get_fair_price",
    "get_funding_basis",
    "get_mark_formulas",
    "get_premium_index",
    "median_of_three",
]

#: The index price (> 0), the funding rate r (any sign), the time until funding t and the
#: funding interval T (> 0; 0 <= t <= T is each theorem's precondition).
INDEX_PRICE = sp.Symbol("index_price", positive=True)
FUNDING_RATE = sp.Symbol("funding_rate", real=True)
TIME_UNTIL_FUNDING = sp.Symbol("time_until_funding", nonnegative=True)
FUNDING_INTERVAL = sp.Symbol("funding_interval", positive=True)
#: The impact bid and ask prices (> 0), the premium P, the interest I, the dampener b >= 0,
#: the scale s > 0, the cap and the floor.
IMPACT_BID = sp.Symbol("impact_bid", positive=True)
IMPACT_ASK = sp.Symbol("impact_ask", positive=True)
PREMIUM = sp.Symbol("premium", real=True)
INTEREST_RATE = sp.Symbol("interest_rate", real=True)
CLAMP_BOUND = sp.Symbol("clamp_bound", nonnegative=True)
SCALE = sp.Symbol("scale", positive=True)
CAP = sp.Symbol("cap", real=True)
FLOOR = sp.Symbol("floor", real=True)

#: LaTeX names of the symbols (docs/mark-price.md uses the same letters).
MARK_SYMBOLS: dict[Any, str] = {
    INDEX_PRICE: "X",
    FUNDING_RATE: "r",
    TIME_UNTIL_FUNDING: "t",
    FUNDING_INTERVAL: "T",
    IMPACT_BID: "B_i",
    IMPACT_ASK: "A_i",
    PREMIUM: "P",
    INTEREST_RATE: "I",
    CLAMP_BOUND: "b",
    SCALE: "s",
    CAP: "F_{cap}",
    FLOOR: "F_{floor}",
}


def clamp(value: Any, low: Any, high: Any) -> Any:
    """``min(max(value, low), high)``, as :func:`perpspec.reference.mark.funding_rate.clamp`."""
    return sp.Min(sp.Max(value, low), high)


def median_of_three(a: Any, b: Any, c: Any) -> Any:
    """``max(min(a, b), min(max(a, b), c))``, as the reference's ``compute_median_of_three``."""
    return sp.Max(sp.Min(a, b), sp.Min(sp.Max(a, b), c))


def get_funding_basis() -> Any:
    """Funding basis = r t / T (BitMEX "Fair Price Marking")."""
    return FUNDING_RATE * TIME_UNTIL_FUNDING / FUNDING_INTERVAL


def get_fair_price() -> Any:
    """Fair price = X (1 + r t / T) (BitMEX; Binance's Price 1)."""
    return INDEX_PRICE * (1 + get_funding_basis())


def get_premium_index() -> Any:
    """P = (max(0, B_i - X) - max(0, X - A_i)) / X."""
    return (sp.Max(0, IMPACT_BID - INDEX_PRICE) - sp.Max(0, INDEX_PRICE - IMPACT_ASK)) / INDEX_PRICE


def get_clamped_rate() -> Any:
    """F = P + clamp(I - P, -b, b)."""
    return PREMIUM + clamp(INTEREST_RATE - PREMIUM, -CLAMP_BOUND, CLAMP_BOUND)


def get_capped_rate(rate: Any = None) -> Any:
    """The final rate: max(min(s F, cap), floor), F the clamped rate unless given."""
    scaled = SCALE * (get_clamped_rate() if rate is None else rate)
    return sp.Max(sp.Min(scaled, CAP), FLOOR)


@dataclass(frozen=True)
class MarkFormula:
    """One formula of the mark price and funding rate rules: its name, the quantity it
    defines (LaTeX) and its sympy expression."""

    name: str
    defines: str
    expression: Any
    description: str


@cache
def get_mark_formulas() -> tuple[MarkFormula, ...]:
    """The formulas of the mark and funding rules, in the order of docs/mark-price.md."""
    return (
        MarkFormula(
            "funding_basis",
            "\\beta",
            get_funding_basis(),
            "Funding basis: the funding rate times the share of the interval still to run "
            "(rule `mark.funding-basis`).",
        ),
        MarkFormula(
            "fair_price",
            "P_{fair}",
            get_fair_price(),
            "Fair price (BitMEX's mark, Binance's Price 1; rule `mark.mark-price`).",
        ),
        MarkFormula(
            "premium_index",
            "P",
            get_premium_index(),
            "Premium index of one sample (rule `mark.funding-premium`).",
        ),
        MarkFormula(
            "clamped_funding_rate",
            "F",
            get_clamped_rate(),
            "The rate before scale, cap and floor (rule `mark.funding-clamp`).",
        ),
        MarkFormula(
            "capped_funding_rate",
            "F_{final}",
            get_capped_rate(sp.Symbol("F", real=True)),
            "The final rate: scaled, then capped and floored (rule `mark.funding-rate`).",
        ),
    )
