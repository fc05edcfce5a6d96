"""The defining equations of the bankruptcy and liquidation prices, solved for the mark price.

Rule (DESIGN, The waterfall: Margin, Prices). One position of side ``s`` (+1 long, -1 short;
so ``s**2 == 1``), quantity ``n > 0``, multiplier ``V > 0`` and entry price ``E > 0``, at mark
price ``P > 0``:

- linear (quote-settled): ``uPnL(P) = s n V (P - E)``, ``value(P) = n V P``;
- inverse (coin-settled): ``uPnL(P) = s n V (1/E - 1/P)``, ``value(P) = n V / P``;
- margin balance ``B + uPnL(P) - f value(P)``: the fee to close at ``P`` is reserved
  (profile option ``close_fee_rate``; ``f = 0`` when the profile reserves none);
- maintenance margin ``MM = m value_basis - c``, with ``value_basis = value(P)`` under
  ``maintenance_basis = mark`` and ``value(E)`` under ``entry``;
- bankruptcy price: the ``P`` where the margin balance is 0;
- liquidation price: the ``P`` where the margin balance equals ``MM + O``.

One equation serves both margin modes. Isolated: ``B`` is the position's isolated margin and
``O = 0``. Cross: ``B`` is the wallet balance plus the other positions' unrealized PnL, and
``O`` is the other positions' maintenance margin; both are held at their current values, so
the price is the mark of this market at which the account reaches the threshold while the
other marks stand still (the reading behind Binance's published cross formula).

Each equation is linear in ``P`` (linear contracts) or in ``1/P`` (inverse), so it has one
solution exactly when the solved denominator is not zero. The generated module
``perpspec/reference/prices/closed_forms.py`` prints these solutions (see
:mod:`perpspec.spec.codegen`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import sympy as sp

__all__ = [
    "BASES",
    "CLOSED_FORM_PARAMETERS",
    "CLOSE_FEE_RATE",
    "COLLATERAL",
    "ENTRY_PRICE",
    "KINDS",
    "MAINTENANCE_AMOUNT",
    "MARK_PRICE",
    "MMR",
    "MULTIPLIER",
    "OTHER_MAINTENANCE_MARGIN",
    "QTY",
    "SIDE",
    "Basis",
    "ClosedForm",
    "Kind",
    "get_bankruptcy_equation",
    "get_closed_form",
    "get_closed_forms",
    "get_liquidation_equation",
    "get_maintenance_margin",
    "get_margin_balance",
    "get_position_value",
    "get_unrealized_pnl",
    "solve_for_mark_price",
]

Kind = Literal["linear", "inverse"]
Basis = Literal["mark", "entry"]

KINDS: tuple[Kind, ...] = ("linear", "inverse")
BASES: tuple[Basis, ...] = ("mark", "entry")

#: ``s``: +1 long, -1 short. Left without assumptions: sympy has no "one of +-1" symbol, and
#: the generated code takes it as an int.
SIDE = sp.Symbol("side")
#: ``n``, ``V``, ``E``, ``P``: positive by the model.
QTY = sp.Symbol("qty", positive=True)
MULTIPLIER = sp.Symbol("multiplier", positive=True)
ENTRY_PRICE = sp.Symbol("entry_price", positive=True)
MARK_PRICE = sp.Symbol("mark_price", positive=True)
#: ``B``: isolated margin, or cross wallet balance plus the other positions' uPnL (any sign).
COLLATERAL = sp.Symbol("collateral")
#: ``m``, ``c``, ``O``, ``f``: the maintenance rate and amount of the tier, the other
#: positions' maintenance margin (cross; 0 isolated) and the close fee rate.
MMR = sp.Symbol("mmr")
MAINTENANCE_AMOUNT = sp.Symbol("maintenance_amount")
OTHER_MAINTENANCE_MARGIN = sp.Symbol("other_maintenance_margin")
CLOSE_FEE_RATE = sp.Symbol("close_fee_rate")

#: Argument lists of the generated functions, in order.
CLOSED_FORM_PARAMETERS: dict[str, tuple[Any, ...]] = {
    "bankruptcy": (SIDE, QTY, MULTIPLIER, ENTRY_PRICE, COLLATERAL, CLOSE_FEE_RATE),
    "liquidation": (
        SIDE,
        QTY,
        MULTIPLIER,
        ENTRY_PRICE,
        COLLATERAL,
        MMR,
        MAINTENANCE_AMOUNT,
        OTHER_MAINTENANCE_MARGIN,
        CLOSE_FEE_RATE,
    ),
}


def get_unrealized_pnl(kind: Kind, price: Any = MARK_PRICE) -> Any:
    """Unrealized PnL at ``price`` (DESIGN, Margin): linear ``s n V (P - E)``, inverse
    ``s n V (1/E - 1/P)``."""
    if kind == "linear":
        return SIDE * QTY * MULTIPLIER * (price - ENTRY_PRICE)
    return SIDE * QTY * MULTIPLIER * (1 / ENTRY_PRICE - 1 / price)


def get_position_value(kind: Kind, price: Any = MARK_PRICE) -> Any:
    """Position value at ``price`` (DESIGN, Margin): linear ``n V P`` in the quote asset,
    inverse ``n V / P`` in the coin."""
    if kind == "linear":
        return QTY * MULTIPLIER * price
    return QTY * MULTIPLIER / price


def get_margin_balance(kind: Kind) -> Any:
    """Margin balance at the mark with the close fee reserved: ``B + uPnL(P) - f value(P)``
    (DESIGN, Prices; profile option ``close_fee_rate``)."""
    return COLLATERAL + get_unrealized_pnl(kind) - CLOSE_FEE_RATE * get_position_value(kind)


def get_maintenance_margin(kind: Kind, basis: Basis) -> Any:
    """Maintenance margin ``m value_basis - c`` (DESIGN, Margin; profile option
    ``maintenance_basis``: the value at the mark or at the entry price)."""
    price = MARK_PRICE if basis == "mark" else ENTRY_PRICE
    return MMR * get_position_value(kind, price) - MAINTENANCE_AMOUNT


def get_bankruptcy_equation(kind: Kind) -> Any:
    """Bankruptcy price's defining equation: margin balance = 0 (DESIGN, Prices; seed 004)."""
    return sp.Eq(get_margin_balance(kind), 0)


def get_liquidation_equation(kind: Kind, basis: Basis) -> Any:
    """Liquidation price's defining equation: margin balance = MM + O (DESIGN, Prices)."""
    threshold = get_maintenance_margin(kind, basis) + OTHER_MAINTENANCE_MARGIN
    return sp.Eq(get_margin_balance(kind), threshold)


def _normalize_sign(numerator: Any, denominator: Any) -> tuple[Any, Any]:
    """Make the side term of the denominator positive, so a long's denominator reads
    ``side - ...`` (positive in the usual regime) and the printed form is stable."""
    if sp.expand(denominator).coeff(SIDE).could_extract_minus_sign():
        return -numerator, -denominator
    return numerator, denominator


def solve_for_mark_price(equation: Any) -> tuple[Any, Any]:
    """Solve a defining equation for ``P``; return the solution as (numerator, denominator).

    Both are polynomials in the parameters (no ``1/x``), so the generated code divides once,
    after checking the denominator. Raises AssertionError if sympy does not find exactly one
    solution for generic parameters.
    """
    solutions = sp.solve(equation, MARK_PRICE, dict=False)
    assert len(solutions) == 1, f"expected one solution, sympy found {solutions!r}"
    numerator, denominator = sp.fraction(sp.cancel(sp.together(solutions[0])))
    numerator, denominator = _normalize_sign(sp.expand(numerator), sp.expand(denominator))
    numerator = sp.collect(numerator, [QTY * MULTIPLIER * ENTRY_PRICE, QTY * MULTIPLIER])
    denominator = sp.collect(denominator, [QTY * MULTIPLIER, ENTRY_PRICE])
    return numerator, denominator


@dataclass(frozen=True)
class ClosedForm:
    """One solved price: ``P = numerator / denominator`` of ``equation``.

    ``name`` is the function name in the generated module; ``basis`` is None for the
    bankruptcy price (its equation has no maintenance margin).
    """

    name: str
    kind: Kind
    price: Literal["bankruptcy", "liquidation"]
    basis: Basis | None
    equation: Any
    numerator: Any
    denominator: Any

    @property
    def parameters(self) -> tuple[Any, ...]:
        """The generated function's arguments, in order."""
        return CLOSED_FORM_PARAMETERS[self.price]

    @property
    def solution(self) -> Any:
        """``numerator / denominator`` as one sympy expression."""
        return self.numerator / self.denominator


def _make_closed_form(kind: Kind, basis: Basis | None) -> ClosedForm:
    """Derive one closed form from its defining equation."""
    if basis is None:
        equation = get_bankruptcy_equation(kind)
        name = f"{kind}_bankruptcy_price"
        price: Literal["bankruptcy", "liquidation"] = "bankruptcy"
    else:
        equation = get_liquidation_equation(kind, basis)
        name = f"{kind}_liquidation_price_{basis}_basis"
        price = "liquidation"
    numerator, denominator = solve_for_mark_price(equation)
    return ClosedForm(name, kind, price, basis, equation, numerator, denominator)


@cache
def get_closed_forms() -> tuple[ClosedForm, ...]:
    """The six closed forms: bankruptcy (linear, inverse), then liquidation (linear,
    inverse) x (mark basis, entry basis)."""
    forms = [_make_closed_form(kind, None) for kind in KINDS]
    forms += [_make_closed_form(kind, basis) for kind in KINDS for basis in BASES]
    return tuple(forms)


def get_closed_form(name: str) -> ClosedForm:
    """The closed form printed as function ``name`` in the generated module."""
    for form in get_closed_forms():
        if form.name == name:
            return form
    raise KeyError(name)
