"""Exact whole-state checks of the engine as assertions, over :mod:`perpspec.invariants.predicates`.

The predicates live in the package (the audit and other projects' suites use them); these
wrappers keep the tests' assert style.
"""

from __future__ import annotations

from fractions import Fraction

from perpspec.invariants.predicates import (
    compute_total_value,
    find_conservation_violations,
    find_liquidatable,
    find_negative_funds,
    find_oi_violations,
)
from perpspec.reference.engine.exchange import Exchange


def total_value(ex: Exchange, asset: str) -> Fraction:
    """Cash of every account plus the uPnL of every position settled in ``asset``."""
    return compute_total_value(ex.state, asset)


def check_conservation(ex: Exchange) -> None:
    """``conservation``: value of all accounts = deposits - withdrawals, per asset."""
    violations = find_conservation_violations(ex.state)
    assert not violations, [v.describe() for v in violations]


def check_open_interest(ex: Exchange) -> None:
    """``oi-balance``: longs = shorts in every market, the engine's inventory included."""
    violations = find_oi_violations(ex.state)
    assert not violations, [v.describe() for v in violations]


def check_funds(ex: Exchange) -> None:
    """``fund-nonnegative``: no insurance fund below zero."""
    violations = find_negative_funds(ex.state)
    assert not violations, [v.describe() for v in violations]


def check_nobody_liquidatable(ex: Exchange) -> None:
    """``liq-complete``: after a mark, no trader position or account is liquidatable."""
    violations = find_liquidatable(ex.state, ex.config.profile.margin)
    assert not violations, [v.describe() for v in violations]
