"""The time series a report draws, kept small while the ledger streams by.

Each series holds at most ``2 * MAX_SERIES_POINTS`` points while reading; when it fills, it is
halved, keeping every other point plus its lowest and highest, so the extremes survive any
thinning. At the end each is thinned the same way to at most about ``MAX_SERIES_POINTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TypeVar

from perpspec.audit.report import MAX_SERIES_POINTS, Series
from perpspec.reference.numbers import format_number

__all__ = ["SeriesBuilder", "thin_points"]

T = TypeVar("T")


def thin_points(points: list[T], limit: int, value: Callable[[T], Fraction]) -> list[T]:
    """At most about ``limit`` points of ``points``, in order, extremes kept."""
    while len(points) > limit:
        low = min(range(len(points)), key=lambda i: value(points[i]))
        high = max(range(len(points)), key=lambda i: value(points[i]))
        keep = set(range(0, len(points), 2)) | {low, high, len(points) - 1}
        points = [p for i, p in enumerate(points) if i in keep]
    return points


def _value(point: tuple[int, str, Fraction]) -> Fraction:
    return point[2]


def _price(point: tuple[int, str, str, Fraction]) -> Fraction:
    return point[3]


class SeriesBuilder:
    """Collects funds, marks, liquidations, ADL fills and socialized totals."""

    def __init__(self) -> None:
        self.funds: dict[str, list[tuple[int, str, Fraction]]] = {}
        self.marks: dict[str, list[tuple[int, str, Fraction]]] = {}
        self.liquidations: list[tuple[int, str, str, Fraction]] = []
        self.adl: list[tuple[int, str, str, Fraction]] = []
        self.socialized: dict[str, Fraction] = {}

    def add_fund(self, fund: str, seq: int, ts: str, balance: Fraction) -> None:
        """A fund's balance after an event that moved it."""
        self._push(self.funds.setdefault(fund, []), (seq, ts, balance), _value)

    def add_mark(self, market: str, seq: int, ts: str, price: Fraction) -> None:
        """A mark."""
        self._push(self.marks.setdefault(market, []), (seq, ts, price), _value)

    def add_liquidation(self, seq: int, ts: str, market: str, mark: Fraction) -> None:
        """A liquidation at its mark."""
        self._push(self.liquidations, (seq, ts, market, mark), _price)

    def add_adl(self, seq: int, ts: str, market: str, price: Fraction) -> None:
        """An ADL fill."""
        self._push(self.adl, (seq, ts, market, price), _price)

    def add_socialized(self, cycle: str, amount: Fraction) -> None:
        """A socialized charge in ``cycle``."""
        self.socialized[cycle] = self.socialized.get(cycle, Fraction(0)) + amount

    @staticmethod
    def _push(points: list[T], point: T, value: Callable[[T], Fraction]) -> None:
        points.append(point)
        if len(points) > 2 * MAX_SERIES_POINTS:
            points[:] = thin_points(points, MAX_SERIES_POINTS, value)

    def build(self) -> Series:
        """The thinned series, numbers as exact strings."""
        limit = MAX_SERIES_POINTS

        def scalar(points: list[tuple[int, str, Fraction]]) -> list[tuple[int, str, str]]:
            return [(s, t, format_number(v)) for s, t, v in thin_points(points, limit, _value)]

        def tagged(points: list[tuple[int, str, str, Fraction]]) -> list[tuple[int, str, str, str]]:
            kept = thin_points(points, limit, _price)
            return [(s, t, m, format_number(v)) for s, t, m, v in kept]

        return Series(
            funds={k: scalar(v) for k, v in sorted(self.funds.items())},
            marks={k: scalar(v) for k, v in sorted(self.marks.items())},
            liquidations=tagged(self.liquidations),
            adl=tagged(self.adl),
            socialized={k: format_number(v) for k, v in sorted(self.socialized.items())},
        )
