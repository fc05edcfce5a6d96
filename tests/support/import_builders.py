"""Shared builders of the records an import adapter drafts, for the adapters' tests."""

from __future__ import annotations

from fractions import Fraction

from perpspec.reference.events import StatementEvent

__all__ = ["make_statement"]


def make_statement(
    ts: str,
    amount: Fraction,
    entry: str,
    reason: str,
    market: str | None,
    ref: str | None,
    asset: str = "USDT",
    account: str = "me",
) -> StatementEvent:
    """A statement as drafted (``seq`` 0), of no funding rate or size."""
    return StatementEvent(
        seq=0,
        ts=ts,
        account=account,
        asset=asset,
        amount=amount,
        entry=entry,
        reason=reason,
        market=market,
        ref=ref,
        rate=None,
        size=None,
    )
