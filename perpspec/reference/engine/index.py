"""Positions indexed by their liquidation price, as matching engines keep them.

Rule (issue: "a mark update must not rescan every account"). Per market, longs and shorts
sit in lists sorted by liquidation price. A long is liquidatable exactly when the mark is at
or below its liquidation price (margin balance minus requirement is increasing in the mark
for a long, theorem ``tier-fixed-point``), a short when at or above; so a mark update reads
only the entries it crosses.

What a single price cannot describe is kept aside and checked exactly at every mark of its
asset: cross accounts with positions in more than one market (their price depends on
several marks), and positions whose price is "none" but which are liquidatable at every
price. Positions that can never be liquidated are not indexed at all.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["LiquidationIndex", "MarketIndex"]


@dataclass(slots=True)
class MarketIndex:
    """Sorted (price, account) entries of one market's longs and shorts."""

    longs: list[tuple[Fraction, str]] = field(default_factory=list)
    shorts: list[tuple[Fraction, str]] = field(default_factory=list)

    def crossed(self, mark: Fraction) -> list[str]:
        """Accounts whose entry the mark has reached: longs with price >= mark, shorts <=."""
        first_long = bisect.bisect_left(self.longs, (mark, ""))
        last_short = bisect.bisect_right(self.shorts, (mark, "\U0010ffff"))
        return [a for _, a in self.longs[first_long:]] + [a for _, a in self.shorts[:last_short]]


@dataclass(slots=True)
class LiquidationIndex:
    """The index of every market, plus the entries checked at every mark of their asset.

    ``entries`` remembers where each (account, market) sits so it can be removed in
    O(log n) search plus the list shift.
    """

    markets: dict[str, MarketIndex] = field(default_factory=dict)
    entries: dict[tuple[str, str], tuple[str, Fraction]] = field(default_factory=dict)
    always: dict[str, set[str]] = field(default_factory=dict)

    def remove_account(self, account: str, markets: list[str], assets: list[str]) -> None:
        """Drop every entry of ``account`` in ``markets`` and its always-check entries."""
        for market in markets:
            placed = self.entries.pop((account, market), None)
            if placed is None:
                continue
            side, price = placed
            book = self.markets[market]
            entries = book.longs if side == "long" else book.shorts
            position = bisect.bisect_left(entries, (price, account))
            if position < len(entries) and entries[position] == (price, account):
                entries.pop(position)
        for asset in assets:
            self.always.get(asset, set()).discard(account)

    def add_price(self, account: str, market: str, side: str, price: Fraction) -> None:
        """Index a position by its liquidation price."""
        book = self.markets.setdefault(market, MarketIndex())
        entries = book.longs if side == "long" else book.shorts
        bisect.insort(entries, (price, account))
        self.entries[(account, market)] = (side, price)

    def add_always(self, account: str, asset: str) -> None:
        """Check ``account`` exactly at every mark of a market settled in ``asset``."""
        self.always.setdefault(asset, set()).add(account)

    def candidates(self, market: str, asset: str, mark: Fraction) -> list[str]:
        """Accounts that may be liquidatable after ``market``'s mark moved to ``mark``."""
        book = self.markets.get(market)
        crossed = book.crossed(mark) if book is not None else []
        return sorted(set(crossed) | self.always.get(asset, set()))
