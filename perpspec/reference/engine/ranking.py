"""The ADL queue of a market side during one mark update, kept current incrementally.

Rule (DESIGN, ADL): opposite-side positions in ranking order (score, then size, then account
id), scored by the profile's formula at the current mark. Within one mark update a score
changes only when its account changes, so the queue re-scores only the accounts the waterfall
touched since it was last read (:attr:`Exchange.changed`), instead of every position for every
liquidation; the queue hands the allocation only the prefix it can consume.

A counterparty the formula cannot score (no bankruptcy price, equity at or below zero) ranks
after every scored one, by size then id, recorded with a placeholder score one below the
lowest real score: the formulas refuse such positions, the engine must still place them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

from perpspec.reference.adl.formulas import AdlPosition, RankingFormula, compute_score
from perpspec.reference.adl.ranking import ScoredPosition, get_priority_key
from perpspec.reference.errors import SpecError

__all__ = ["SideQueue"]

_Key = tuple[Fraction, Fraction, str]
_TailKey = tuple[Fraction, str]
_K = TypeVar("_K")


def _first(item: tuple[_K, ScoredPosition]) -> _K:
    return item[0]


@dataclass(slots=True)
class SideQueue:
    """One market side's queue: scored entries sorted by priority, unscored ones after."""

    formula: RankingFormula
    scored: list[tuple[_Key, ScoredPosition]] = field(default_factory=list)
    unscored: list[tuple[_TailKey, ScoredPosition]] = field(default_factory=list)
    scored_keys: dict[str, _Key] = field(default_factory=dict)
    unscored_keys: dict[str, _TailKey] = field(default_factory=dict)

    def remove(self, account: str) -> None:
        """Drop ``account``'s entry, if any."""
        key = self.scored_keys.pop(account, None)
        if key is not None:
            del self.scored[bisect.bisect_left(self.scored, key, key=_first)]
        tail_key = self.unscored_keys.pop(account, None)
        if tail_key is not None:
            del self.unscored[bisect.bisect_left(self.unscored, tail_key, key=_first)]

    def add(self, candidate: AdlPosition) -> None:
        """Score ``candidate`` and insert it in order."""
        try:
            score = compute_score(self.formula, candidate)
        except SpecError:
            entry = ScoredPosition(candidate.id, candidate.side, candidate.qty, Fraction(0))
            tail_key = (-candidate.qty, candidate.id)
            bisect.insort(self.unscored, (tail_key, entry), key=_first)
            self.unscored_keys[candidate.id] = tail_key
            return
        entry = ScoredPosition(candidate.id, candidate.side, candidate.qty, score)
        key = get_priority_key(entry)
        bisect.insort(self.scored, (key, entry), key=_first)
        self.scored_keys[candidate.id] = key

    def refresh(self, accounts: set[str], build: Callable[[str], AdlPosition | None]) -> None:
        """Re-score ``accounts``: ``build`` gives an account's candidate, None if it is off
        this side now."""
        for account in sorted(accounts):
            self.remove(account)
            candidate = build(account)
            if candidate is not None:
                self.add(candidate)

    def get_prefix(self, qty: Fraction | None) -> list[ScoredPosition]:
        """The queue in order, cut once the sizes cover ``qty`` (None: the whole queue)."""
        floor = (self.scored[-1][1].score if self.scored else Fraction(0)) - 1
        ordered = [entry for _, entry in self.scored] + [
            ScoredPosition(e.id, e.side, e.qty, floor) for _, e in self.unscored
        ]
        if qty is None:
            return ordered
        covered = Fraction(0)
        for count, entry in enumerate(ordered, start=1):
            covered += entry.qty
            if covered >= qty:
                return ordered[:count]
        return ordered
