"""Theorems about the mark price, index price and funding rate rules, proved with sympy.

Each ``prove_*`` function establishes its statement symbolically over the forms of
:mod:`perpspec.spec.mark_derivations` and returns a :class:`~perpspec.spec.theorems.Theorem`,
or raises AssertionError naming the step sympy could not establish (never numeric sampling).

Case arguments. ``min`` and ``max`` are decided by sympy when the difference of their
arguments has a sign the symbols' declarations fix; so every statement about a clamp or a
median is proved by splitting the real line into the cases the arguments' order allows and
writing each case with nonnegative gaps: ``x = lo - d`` (d > 0), ``lo = x - h, hi = x + g``
(g, h >= 0), ``x = hi + d``; three numbers as ``x, x + d1, x + d1 + d2`` (d1, d2 >= 0) in each
of the six orders.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import sympy as sp

from perpspec.spec.mark_derivations import (
    CAP,
    CLAMP_BOUND,
    FLOOR,
    FUNDING_INTERVAL,
    FUNDING_RATE,
    INDEX_PRICE,
    INTEREST_RATE,
    PREMIUM,
    SCALE,
    TIME_UNTIL_FUNDING,
    get_capped_rate,
    get_clamped_rate,
    get_fair_price,
    get_funding_basis,
    median_of_three,
)
from perpspec.spec.theorems import Theorem, is_manifestly_positive

__all__ = [
    "MARK_PROOFS",
    "prove_funding_basis_decay",
    "prove_funding_rate_bounds",
    "prove_funding_rate_interest_band",
    "prove_index_single_source",
    "prove_mark_median_bounds",
]

_X = sp.Symbol("x", real=True)
_D = sp.Symbol("d", positive=True)
_G = sp.Symbol("g", nonnegative=True)
_H = sp.Symbol("h", nonnegative=True)
_W = sp.Symbol("w", nonnegative=True)


def _require_zero(expr: Any, reason: str) -> None:
    if sp.simplify(expr) != 0:
        raise AssertionError(f"{reason}: sympy could not show {sp.simplify(expr)} = 0")


def _require_nonnegative(expr: Any, reason: str) -> None:
    simplified = sp.simplify(expr)
    if not (simplified == 0 or simplified.is_nonnegative is True):
        raise AssertionError(f"{reason}: sympy could not show {simplified} >= 0")


def prove_funding_rate_bounds() -> Theorem:
    """Theorem ``funding-rate-bounds`` (rule ``mark.funding-rate``)."""
    # The scaled rate s F as x: the final rate is max(min(x, cap), floor).
    final = get_capped_rate(_X / SCALE)
    # (case, substitution, the value the final rate must take, the cap in that case)
    cases = [
        ("below", {CAP: FLOOR + _W, _X: FLOOR - _D}, FLOOR, FLOOR + _W),
        ("inside", {CAP: FLOOR + _H + _G, _X: FLOOR + _H}, FLOOR + _H, FLOOR + _H + _G),
        ("above", {CAP: FLOOR + _W, _X: FLOOR + _W + _D}, FLOOR + _W, FLOOR + _W),
    ]
    for name, substitution, value, cap in cases:
        found = final.subs(substitution)
        _require_zero(found - value, f"funding-rate-bounds, {name}")
        _require_nonnegative(found - FLOOR, f"funding-rate-bounds, {name}: floor")
        _require_nonnegative(cap - found, f"funding-rate-bounds, {name}: cap")
    return Theorem(
        id="funding-rate-bounds",
        statement=(
            "Whatever the premium, the interest and the dampener, the final funding rate "
            "max(min(s F, cap), floor) lies in [floor, cap] when floor <= cap: it is the floor "
            "when s F < floor, s F itself when floor <= s F <= cap, and the cap when s F > cap."
        ),
        preconditions=("floor <= cap (the profile refuses floor > cap)", "scale s > 0"),
        method=(
            "Write cap = floor + w (w >= 0) and s F as floor - d, floor + h (w = h + g) or "
            "floor + w + d (d > 0; g, h >= 0); in each case sympy decides the min and the max "
            "and the result minus floor and cap minus the result are nonnegative."
        ),
    )


def prove_funding_rate_interest_band() -> Theorem:
    """Theorem ``funding-rate-interest-band`` (rule ``mark.funding-clamp``)."""
    rate = get_clamped_rate()
    gap = INTEREST_RATE - PREMIUM
    # I - P = -b - d, I - P in [-b, b] (b = (h + g) / 2, I - P = (h - g) / 2), I - P = b + d.
    cases = [
        ("below", {INTEREST_RATE: PREMIUM - CLAMP_BOUND - _D}, PREMIUM - CLAMP_BOUND),
        (
            "inside",
            {CLAMP_BOUND: (_H + _G) / 2, INTEREST_RATE: PREMIUM + (_H - _G) / 2},
            PREMIUM + (_H - _G) / 2,
        ),
        ("above", {INTEREST_RATE: PREMIUM + CLAMP_BOUND + _D}, PREMIUM + CLAMP_BOUND),
    ]
    for name, substitution, value in cases:
        found = rate.subs(substitution)
        _require_zero(found - value, f"funding-rate-interest-band, {name}")
        bound = CLAMP_BOUND.subs(substitution)
        _require_nonnegative(found - (PREMIUM - bound), f"interest band {name}: P - b")
        _require_nonnegative(PREMIUM + bound - found, f"interest band {name}: P + b")
    if gap.subs(cases[1][1]) != (_H - _G) / 2:
        raise AssertionError("funding-rate-interest-band: the inside case is not I - P")
    return Theorem(
        id="funding-rate-interest-band",
        statement=(
            "F = P + clamp(I - P, -b, b) equals the interest I exactly when |I - P| <= b; "
            "otherwise it is P - b (I - P < -b) or P + b (I - P > b). So F always lies in "
            "[P - b, P + b]: the dampener b = 0.05% keeps the rate within 0.05% of the premium."
        ),
        preconditions=("dampener b >= 0",),
        method=(
            "Three cases for I - P: below -b (I = P - b - d), inside (b = (h + g)/2, I - P = "
            "(h - g)/2 with g, h >= 0), above b (I = P + b + d); sympy decides the clamp in "
            "each and the distances to P - b and P + b are nonnegative."
        ),
    )


def prove_mark_median_bounds() -> Theorem:
    """Theorem ``mark-median-bounds`` (rule ``mark.mark-price``)."""
    d1, d2 = sp.Symbol("d1", nonnegative=True), sp.Symbol("d2", nonnegative=True)
    ordered = (_X, _X + d1, _X + d1 + d2)
    for order in itertools.permutations(ordered):
        found = median_of_three(*order)
        _require_zero(found - ordered[1], f"mark-median-bounds, order {order}")
    return Theorem(
        id="mark-median-bounds",
        statement=(
            "The median max(min(a, b), min(max(a, b), c)) of three numbers is, in every one of "
            "their six orders, the middle one. Under mark.method = median_of_three the mark "
            "therefore lies between min(Price 1, Price 2, last price) and max(Price 1, Price 2, "
            "last price); it is the last price exactly when the last price lies between "
            "Price 1 and Price 2, and otherwise the one of Price 1, Price 2 nearer to it."
        ),
        preconditions=("any three real numbers",),
        method=(
            "Write the three as x <= x + d1 <= x + d1 + d2 (d1, d2 >= 0) and substitute them in "
            "each of the six orders; sympy decides every min and max and the median minus "
            "x + d1 simplifies to 0."
        ),
    )


def prove_index_single_source() -> Theorem:
    """Theorem ``index-single-source`` (rule ``mark.index-price``)."""
    price, weight = sp.Symbol("p", positive=True), sp.Symbol("w_1", positive=True)
    _require_zero(weight / weight * price - price, "index-single-source: weighted mean")
    weights, i = sp.IndexedBase("w"), sp.Symbol("i", integer=True)
    n = sp.Symbol("n", integer=True, positive=True)
    total = sp.Sum(weights[i], (i, 1, n))
    _require_zero(sp.Sum(weights[i] / total, (i, 1, n)).doit() - 1, "renormalized weights")
    return Theorem(
        id="index-single-source",
        statement=(
            "With one usable source of any weight w > 0 the index is that source's price p "
            "(weighted mean w p / w = p; the weighted median of one value is it); and for any "
            "n usable sources with positive total weight, the renormalized weights w_i / sum "
            "w_j sum to exactly 1, so the index is a weighted average of the kept prices."
        ),
        preconditions=(
            "the source's weight > 0 (a zero-weight source is not usable)",
            "n >= 1 sources, total weight > 0",
        ),
        method=(
            "Exact cancellation w p / w = p; the sum over i = 1..n of w_i / S with S the sum "
            "of the w_j, for symbolic n, simplifies to 1."
        ),
    )


def prove_funding_basis_decay() -> Theorem:
    """Theorem ``funding-basis-decay`` (rules ``mark.funding-basis``, ``mark.mark-price``)."""
    basis, fair = get_funding_basis(), get_fair_price()
    _require_zero(fair.subs(TIME_UNTIL_FUNDING, 0) - INDEX_PRICE, "fair price at funding")
    at_start = fair.subs(TIME_UNTIL_FUNDING, FUNDING_INTERVAL)
    _require_zero(at_start - INDEX_PRICE * (1 + FUNDING_RATE), "fair price a whole interval out")
    slope = sp.diff(basis, TIME_UNTIL_FUNDING)
    _require_zero(slope - FUNDING_RATE / FUNDING_INTERVAL, "basis slope")
    _require_zero(sp.diff(slope, TIME_UNTIL_FUNDING), "basis is linear in t")
    a, c = sp.Symbol("a", positive=True), sp.Symbol("c", positive=True)
    inside = {TIME_UNTIL_FUNDING: FUNDING_INTERVAL * a / (a + c)}
    for difference in (fair - INDEX_PRICE, INDEX_PRICE * (1 + FUNDING_RATE) - fair):
        share = sp.cancel((difference / FUNDING_RATE).subs(inside))
        if not is_manifestly_positive(share):
            raise AssertionError(f"funding-basis-decay: {share} is not positive")
    return Theorem(
        id="funding-basis-decay",
        statement=(
            "The funding basis r t / T is linear in the time until funding t, with slope r / T: "
            "the fair price X (1 + r t / T) is X at the funding time (t = 0) and X (1 + r) a "
            "whole interval before it (t = T), and for 0 < t < T it lies strictly between them "
            "when r != 0 (both differences have the sign of r)."
        ),
        preconditions=("index X > 0", "interval T > 0", "0 <= t <= T"),
        method=(
            "Substitution at t = 0 and t = T; differentiation in t; for 0 < t < T write "
            "t = T a / (a + c) (a, c > 0) and show (P_fair - X) / r and (X (1 + r) - P_fair) / r "
            "positive."
        ),
    )


#: The proofs of this module, in the order the theorems page lists them.
MARK_PROOFS: tuple[Callable[[], Theorem], ...] = (
    prove_index_single_source,
    prove_funding_basis_decay,
    prove_mark_median_bounds,
    prove_funding_rate_interest_band,
    prove_funding_rate_bounds,
)
