"""Theorems about the liquidation and bankruptcy prices, each proved with sympy.

Rule (DESIGN, Prices): "prove there, with exact preconditions". Every ``prove_*`` function
establishes its statement symbolically (substitution, cancellation, factoring and sign
arguments over positive symbols; never numeric sampling) and returns a :class:`Theorem`
record, or raises AssertionError naming the step sympy could not establish.

Sign arguments. An expression is accepted as positive when, written as one fraction with
expanded numerator and denominator, sympy's assumption system decides both are positive (or
both negative) from the declared signs of the symbols: a sum of products of positive and
non-negative symbols with positive coefficients, at least one term strictly positive. The
open regions of the preconditions are parametrized so that every constraint becomes the
sign of a symbol: ``L = 1 + lam`` with ``lam > 0``; the rates ``m, f >= 0`` with
``m + f < 1`` as homogeneous coordinates ``m = a/T``, ``f = b/T``, ``1 - m - f = e/T``,
``T = a + b + e``, ``a, b >= 0``, ``e > 0``. Statements of the form "X < Y exactly when
k > 0" are proved by showing ``(Y - X) / k`` is positive on the whole region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp

from perpspec.spec.derivations import (
    BASES,
    CLOSE_FEE_RATE,
    COLLATERAL,
    ENTRY_PRICE,
    KINDS,
    MAINTENANCE_AMOUNT,
    MARK_PRICE,
    MMR,
    OTHER_MAINTENANCE_MARGIN,
    SIDE,
    Basis,
    Kind,
    get_closed_form,
    get_maintenance_margin,
    get_margin_balance,
    get_position_value,
)

__all__ = [
    "Theorem",
    "all_theorems",
    "is_manifestly_positive",
    "prove_distance_shrinks_with_leverage",
    "prove_mm_continuity",
    "prove_price_order",
    "prove_seed004_example",
    "prove_tier_fixed_point_unique",
    "render_theorems_markdown",
]


@dataclass(frozen=True, slots=True)
class Theorem:
    """A proved statement: stable ``id`` (docs anchor), the statement, its preconditions and
    how sympy proves it."""

    id: str
    statement: str
    preconditions: tuple[str, ...]
    method: str


#: Leverage L > 1 as L = 1 + lam.
_LAM = sp.Symbol("lam", positive=True)
_LEVERAGE = sp.Symbol("L", positive=True)
#: Homogeneous coordinates of the rates: m = a/T, f = b/T, 1 - m - f = e/T.
_A = sp.Symbol("a", nonnegative=True)
_B = sp.Symbol("b", nonnegative=True)
_E = sp.Symbol("e", positive=True)
_T = _A + _B + _E
_REGIME = {_LEVERAGE: 1 + _LAM, MMR: _A / _T, CLOSE_FEE_RATE: _B / _T}
_SIDES = {"long": 1, "short": -1}


def is_manifestly_positive(expr: Any) -> bool:
    """True when sympy decides ``expr > 0`` from the symbols' declared signs alone.

    The expression is put over one denominator; numerator and denominator are expanded and
    must both be positive or both negative by sympy's assumptions (see the module docstring).
    """
    numerator, denominator = sp.fraction(sp.cancel(sp.together(expr)))
    numerator, denominator = sp.expand(numerator), sp.expand(denominator)
    both_positive = numerator.is_positive is True and denominator.is_positive is True
    both_negative = numerator.is_negative is True and denominator.is_negative is True
    return both_positive or both_negative


def _require_positive(expr: Any, substitutions: dict[Any, Any], reason: str) -> None:
    """Prove ``expr > 0`` on the region that ``substitutions`` parametrizes, or fail."""
    parametrized = sp.cancel(sp.together(expr)).subs(substitutions)
    if not is_manifestly_positive(parametrized):
        raise AssertionError(f"{reason}: sympy could not show {parametrized} > 0")


def _require_sign_factor(
    difference: Any, factor: Any, substitutions: dict[Any, Any], reason: str
) -> None:
    """Prove ``difference = factor * (positive)`` on the region, so both have one sign."""
    _require_positive(sp.cancel(difference / factor), substitutions, reason)


def _initial_margin(kind: Kind) -> Any:
    """Isolated margin opened at leverage L: value(E) / L (DESIGN, Margin)."""
    return get_position_value(kind, ENTRY_PRICE) / _LEVERAGE


def _opened_isolated_price(name: str, side: str, kind: Kind) -> Any:
    """A closed form for a position opened isolated at leverage L, in the lowest tier."""
    opening = {
        SIDE: _SIDES[side],
        COLLATERAL: _initial_margin(kind),
        OTHER_MAINTENANCE_MARGIN: 0,
        MAINTENANCE_AMOUNT: 0,
    }
    form = get_closed_form(name)
    denominator = sp.cancel(form.denominator.subs(opening))
    if not (
        is_manifestly_positive(denominator.subs(_REGIME))
        or is_manifestly_positive(-denominator.subs(_REGIME))
    ):
        raise AssertionError(f"{name}, {side}: denominator {denominator} may vanish")
    return sp.cancel(form.numerator.subs(opening) / denominator)


def _liquidation_name(kind: Kind, basis: Basis) -> str:
    return f"{kind}_liquidation_price_{basis}_basis"


_PRICE_ORDER_PRECONDITIONS = (
    "isolated margin (O = 0) equal to the initial margin value(E)/L",
    "leverage L > 1",
    "the lowest tier: maintenance amount c = 0",
    "maintenance rate m >= 0 and close fee rate f >= 0 with m + f < 1",
    "qty, multiplier and entry price > 0",
)


def _prove_price_order_case(kind: Kind, side: str, basis: Basis) -> None:
    """The three comparisons of one (kind, side, basis), each with its exact sign factor."""
    bankrupt = _opened_isolated_price(f"{kind}_bankruptcy_price", side, kind)
    liquidation = _opened_isolated_price(_liquidation_name(kind, basis), side, kind)
    sign = _SIDES[side]
    where = f"price-order {kind} {side} {basis} basis"
    entry_gap = 1 / _LEVERAGE - MMR - CLOSE_FEE_RATE
    _require_sign_factor(
        sign * (ENTRY_PRICE - bankrupt), 1 / _LEVERAGE - CLOSE_FEE_RATE, _REGIME, where
    )
    _require_sign_factor(sign * (liquidation - bankrupt), MMR, _REGIME, where)
    _require_sign_factor(sign * (ENTRY_PRICE - liquidation), entry_gap, _REGIME, where)
    _require_positive(bankrupt, _REGIME, f"{where}: bankruptcy price")


def prove_price_order() -> Theorem:
    """Theorem ``price-order`` (DESIGN, Prices; invariant ``price-order``)."""
    for kind in KINDS:
        for side in _SIDES:
            for basis in BASES:
                _prove_price_order_case(kind, side, basis)
    return Theorem(
        id="price-order",
        statement=(
            "For linear and inverse contracts and both maintenance bases, a position opened "
            "isolated at leverage L has 0 < P_bankrupt, and: P_bankrupt < P_liq (long) or "
            "P_liq < P_bankrupt (short) exactly when m > 0; P_liq < E (long) or E < P_liq "
            "(short) exactly when m + f < 1/L; P_bankrupt < E (long) or E < P_bankrupt "
            "(short) exactly when f < 1/L. Hence long 0 < P_bankrupt < P_liq < E and short "
            "E < P_liq < P_bankrupt exactly when m > 0 and m + f < 1/L. Both closed forms' "
            "denominators are nonzero throughout."
        ),
        preconditions=_PRICE_ORDER_PRECONDITIONS,
        method=(
            "Substitute s = +-1, B = value(E)/L, O = c = 0 into the closed forms; for each "
            "comparison X < Y with key factor k (m, 1/L - m - f, 1/L - f), cancel (Y - X)/k "
            "and show it positive over L = 1 + lam, m = a/T, f = b/T, T = a + b + e "
            "(lam, e > 0; a, b >= 0), which covers the whole precondition region."
        ),
    )


def _liquidation_distance(kind: Kind, side: str, basis: Basis) -> Any:
    """(E - P_liq)/E for a long, (P_liq - E)/E for a short, as a function of L."""
    liquidation = _opened_isolated_price(_liquidation_name(kind, basis), side, kind)
    return _SIDES[side] * (ENTRY_PRICE - liquidation) / ENTRY_PRICE


def _bankruptcy_distance(kind: Kind, side: str) -> Any:
    """(E - P_bankrupt)/E for a long, (P_bankrupt - E)/E for a short, as a function of L."""
    bankrupt = _opened_isolated_price(f"{kind}_bankruptcy_price", side, kind)
    return _SIDES[side] * (ENTRY_PRICE - bankrupt) / ENTRY_PRICE


def prove_distance_shrinks_with_leverage() -> Theorem:
    """Theorem ``liq-distance-leverage`` (DESIGN, Prices; seed 004: "the higher the leverage,
    ... the narrower this buffer zone")."""
    for kind in KINDS:
        for side in _SIDES:
            distances = [_liquidation_distance(kind, side, basis) for basis in BASES]
            distances.append(_bankruptcy_distance(kind, side))
            for distance in distances:
                slope = sp.diff(distance, _LEVERAGE)
                _require_positive(-slope, _REGIME, f"distance {kind} {side}: d/dL < 0")
    return Theorem(
        id="liq-distance-leverage",
        statement=(
            "The relative distance from entry to the liquidation price, (E - P_liq)/E for a "
            "long and (P_liq - E)/E for a short, is strictly decreasing in the leverage L on "
            "L > 1, for linear and inverse contracts and both maintenance bases; so is the "
            "distance to the bankruptcy price."
        ),
        preconditions=_PRICE_ORDER_PRECONDITIONS,
        method=(
            "Differentiate the distance (closed form with B = value(E)/L, O = c = 0) with "
            "respect to L and show -d/dL positive over the parametrized region of price-order; "
            "a negative derivative on the interval L > 1 means strictly decreasing."
        ),
    )


def _seed004_prices(side: str, basis: Basis | None) -> Any:
    """A linear position at L = 100, m = 0.005, f = c = 0, as a multiple of E."""
    name = "linear_bankruptcy_price" if basis is None else _liquidation_name("linear", basis)
    price = _opened_isolated_price(name, side, "linear")
    example = {_LEVERAGE: 100, MMR: sp.Rational(5, 1000), CLOSE_FEE_RATE: 0}
    return sp.cancel(price.subs(example) / ENTRY_PRICE)


def prove_seed004_example() -> Theorem:
    """Theorem ``seed004-100x`` (seed 004, Part Three: 100x, 1% initial, 0.5% maintenance)."""
    expected: dict[tuple[str, Basis | None], Any] = {
        ("long", None): sp.Rational(99, 100),
        ("long", "entry"): sp.Rational(995, 1000),
        ("long", "mark"): sp.Rational(99, 100) / sp.Rational(995, 1000),
        ("short", None): sp.Rational(101, 100),
        ("short", "entry"): sp.Rational(1005, 1000),
        ("short", "mark"): sp.Rational(101, 100) / sp.Rational(1005, 1000),
    }
    for (side, basis), ratio in expected.items():
        found = _seed004_prices(side, basis)
        if sp.simplify(found - ratio) != 0:
            raise AssertionError(f"seed004 {side} {basis}: P/E = {found}, expected {ratio}")
    if 1 - expected[("long", "mark")] != sp.Rational(1, 199):
        raise AssertionError("seed004: the mark-basis move is not 1 - 0.99/0.995 = 1/199")
    return Theorem(
        id="seed004-100x",
        statement=(
            "A linear isolated position at 100x (initial margin 1% of value(E)), maintenance "
            "rate 0.5%, no close fee, lowest tier: the bankruptcy price is exactly a 1% move "
            "(long 0.99 E, short 1.01 E); the liquidation price is exactly a 0.5% move under "
            "entry basis (0.995 E, 1.005 E) and under mark basis 0.99 E / 0.995 (a move of "
            "1 - 0.99/0.995 = 1/199, about 0.5025%) for a long, 1.01 E / 1.005 (1/201) for a "
            "short."
        ),
        preconditions=("L = 100", "m = 0.005", "f = 0", "c = 0", "O = 0"),
        method="Substitution into the closed forms and exact rational simplification.",
    )


def prove_mm_continuity() -> Theorem:
    """Theorem ``mm-continuity`` (DESIGN, Margin: the recurrence makes MM continuous)."""
    k = sp.Symbol("k", integer=True, positive=True)
    floor, rate, amount = sp.IndexedBase("F"), sp.IndexedBase("m"), sp.IndexedBase("c")
    value = sp.Symbol("v", nonnegative=True)
    recurrence = floor[k] * (rate[k] - rate[k - 1]) + amount[k - 1]
    below = (rate[k - 1] * value - amount[k - 1]).subs(value, floor[k])
    above = (rate[k] * value - recurrence).subs(value, floor[k])
    if sp.simplify(above - below) != 0:
        raise AssertionError(f"mm-continuity: MM jumps by {sp.simplify(above - below)}")
    return Theorem(
        id="mm-continuity",
        statement=(
            "With c_0 = 0 and c_k = F_k (m_k - m_{k-1}) + c_{k-1}, the maintenance margin "
            "MM(v) = m_i v - c_i (tier i containing the value v) takes the same value at "
            "every tier floor F_k from tier k-1 and from tier k; being linear inside each "
            "tier, MM is continuous in v, and so in the mark price."
        ),
        preconditions=("any tier index k >= 1, any floors F_k, rates m_k and amounts c_{k-1}",),
        method=(
            "Symbolic in k with indexed symbols F[k], m[k], c[k-1]: substitute the recurrence "
            "and v = F[k]; the difference simplifies to 0."
        ),
    )


def _threshold_gap(kind: Kind, basis: Basis, side: str) -> Any:
    """Margin balance minus (MM + O) with one tier's (m, c), as a function of P."""
    gap = get_margin_balance(kind) - get_maintenance_margin(kind, basis)
    return (gap - OTHER_MAINTENANCE_MARGIN).subs(SIDE, _SIDES[side])


def prove_tier_fixed_point_unique() -> Theorem:
    """Theorem ``tier-fixed-point`` (DESIGN, Prices: the tier fixed point)."""
    for kind in KINDS:
        for side, sign in _SIDES.items():
            for basis in BASES:
                slope = sp.diff(_threshold_gap(kind, basis, side), MARK_PRICE)
                where = f"tier fixed point {kind} {side} {basis} basis"
                _require_positive(sign * slope, _REGIME, where)
            value_slope = sp.diff(get_position_value(kind), MARK_PRICE)
            if not (is_manifestly_positive(value_slope) or is_manifestly_positive(-value_slope)):
                raise AssertionError(f"value({kind}) is not strictly monotone in P")
    return Theorem(
        id="tier-fixed-point",
        statement=(
            "Let g(P) = margin balance - (MM + O), with MM piecewise linear in the value and "
            "continuous (mm-continuity). Mark basis: on every tier g is strictly increasing in "
            "P for a long and strictly decreasing for a short, and g is continuous, so g is "
            "strictly monotone and has at most one zero; a tier's solution that lies in its "
            "own tier is a zero of g, so at most one tier's solution lies in its own tier "
            "(the liquidation price, when it exists, is unique; for a long the margin "
            "balance falls below MM + O exactly as P falls below it, for a short as P rises "
            "above it). Entry basis: the tier is fixed by value(E), g has the same strict "
            "monotonicity, and the solution is unique."
        ),
        preconditions=(
            "tier rates 0 <= m_i <= m_max and close fee rate f >= 0 with m_max + f < 1",
            "the maintenance amounts follow the recurrence (MM continuous)",
            "qty, multiplier, entry price and mark price > 0",
            "only linear longs and inverse shorts need m_max + f < 1; the other "
            "combinations are monotone for any m_i, f >= 0",
        ),
        method=(
            "For each kind, side and basis, differentiate g with one tier's (m, c) in P and "
            "show side * dg/dP positive over m = a/T, f = b/T (m + f < 1); value(P) is "
            "strictly monotone in P. A continuous function that is strictly monotone on each "
            "of finitely many consecutive intervals, with one direction, is strictly "
            "monotone."
        ),
    )


_PROOFS: tuple[Callable[[], Theorem], ...] = (
    prove_price_order,
    prove_distance_shrinks_with_leverage,
    prove_seed004_example,
    prove_mm_continuity,
    prove_tier_fixed_point_unique,
)


@cache
def _run_proofs() -> tuple[Theorem, ...]:
    # Imported here: the mark theorems build on this module's Theorem and sign decision.
    from perpspec.spec.mark_theorems import MARK_PROOFS

    return tuple(prove() for prove in _PROOFS + MARK_PROOFS)


def all_theorems() -> list[Theorem]:
    """Run every proof (once a process: the proofs are pure); the theorems in catalogue
    order."""
    return list(_run_proofs())


def render_theorems_markdown() -> str:
    """The docs page of the theorems: each id as a heading, then statement, preconditions and
    method. Runs every proof, so the page lists only what sympy established."""
    lines = [
        "# Theorems",
        "",
        "Proved with sympy in `perpspec/spec/theorems.py` (symbolic sign arguments, no "
        "sampling); the docs build runs every proof.",
        "",
    ]
    for theorem in all_theorems():
        lines += [
            f"## `{theorem.id}` {{#{theorem.id}}}",
            "",
            theorem.statement,
            "",
            "**Preconditions**",
            "",
            *(f"- {condition}" for condition in theorem.preconditions),
            "",
            f"**Proof method.** {theorem.method}",
            "",
        ]
    return "\n".join(lines)
