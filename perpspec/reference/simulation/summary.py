"""What a ledger holds, in one streaming pass: counts, the waterfall's activity, fund paths.

Memory is O(1) in the ledger's length (per market, fund and event type, not per event),
except each fund's balance path, which is thinned to at most :data:`MAX_PATH_POINTS` points
(plus its last one) by dropping every other point whenever it grows past the limit; its
lowest balance is kept exactly, so an exhausted fund is seen even when its path is thinned.

A fund's balance moves with deposits to and withdrawals from ``insurance:<fund>`` and with
``insurance`` events. An input the engine rejected (the ``rejection`` right after it names
its ``seq``) moves nothing. Insurance and socialized-loss events name no asset; theirs is the
settle asset of the market of the liquidation they follow (the engine emits them right after
it), else the one asset of the markets mapped to the fund.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from perpspec.reference.events import (
    INPUT_TYPES,
    AdlEvent,
    DepositEvent,
    Event,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    RejectionEvent,
    SocializedLossEvent,
    WithdrawalEvent,
)
from perpspec.reference.numbers import format_number

__all__ = [
    "MAX_PATH_POINTS",
    "FundPath",
    "SimulationSummary",
    "SummaryBuilder",
    "format_summary",
    "summarize",
]

#: A fund's balance path keeps at most this many points (plus its last).
MAX_PATH_POINTS = 500

_FUND_PREFIX = "insurance:"

FundKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class FundPath:
    """One fund's balance in one asset: thinned path of ``(seq, balance)``, last and lowest.

    ``lowest`` is the lowest balance after the fund's first movement, with its ``seq``.
    """

    fund: str
    asset: str
    points: tuple[tuple[int, Fraction], ...]
    final: Fraction
    lowest: Fraction
    lowest_seq: int


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """The figures of a ledger (module docstring says how each is attributed).

    - ``counts``: events per type; ``events``: all of them; ``first_ts``/``last_ts``.
    - ``liquidations`` and by side (``long``/``short``) and margin mode; ``liquidation_fills``.
    - ``insurance_movements`` (``insurance`` events) by reason; per ``(fund, asset)`` their
      net ``insurance_total`` and what the fund paid out (``insurance_paid``, positive).
    - ``fund_paths``: per ``(fund, asset)``, the balance path.
    - ``adl_fills`` and the ADL quantity per market; ``socialized_charges`` and their total
      per asset; ``rejections`` and by the rejected input's type.
    """

    events: int
    first_ts: str | None
    last_ts: str | None
    counts: dict[str, int]
    liquidations: int
    liquidations_by_side: dict[str, int]
    liquidations_by_mode: dict[str, int]
    liquidation_fills: int
    insurance_movements: int
    insurance_by_reason: dict[str, int]
    insurance_total: dict[FundKey, Fraction]
    insurance_paid: dict[FundKey, Fraction]
    fund_paths: dict[FundKey, FundPath]
    adl_fills: int
    adl_qty: dict[str, Fraction]
    socialized_charges: int
    socialized_total: dict[str, Fraction]
    rejections: int
    rejections_by_input: dict[str, int]


@dataclass(slots=True)
class _PathBuilder:
    """A fund's path as it streams: every ``stride``-th movement kept, thinned when full."""

    points: list[tuple[int, Fraction]] = field(default_factory=list)
    stride: int = 1
    seen: int = 0
    balance: Fraction = Fraction(0)
    last_seq: int = 0
    lowest: Fraction | None = None
    lowest_seq: int = 0

    def apply_movement(self, seq: int, amount: Fraction) -> None:
        """Add ``amount`` at ``seq`` to the balance and keep the point if it falls due."""
        self.balance += amount
        self.last_seq = seq
        if self.lowest is None or self.balance < self.lowest:
            self.lowest, self.lowest_seq = self.balance, seq
        if self.seen % self.stride == 0:
            self.points.append((seq, self.balance))
            if len(self.points) > MAX_PATH_POINTS:
                del self.points[1::2]
                self.stride *= 2
        self.seen += 1

    def get_path(self, fund: str, asset: str) -> FundPath:
        """The finished path, its last point appended when thinning skipped it."""
        points = list(self.points)
        if points and points[-1][0] != self.last_seq:
            points.append((self.last_seq, self.balance))
        lowest = self.lowest if self.lowest is not None else Fraction(0)
        return FundPath(fund, asset, tuple(points), self.balance, lowest, self.lowest_seq)


class SummaryBuilder:
    """Streams events into a :class:`SimulationSummary`.

    Call :meth:`apply_event` for each event, then :meth:`get_summary`. Use it to summarize
    while writing a ledger (one pass); :func:`summarize` wraps it.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.events = 0
        self.first_ts: str | None = None
        self.last_ts: str | None = None
        self.by_side: Counter[str] = Counter()
        self.by_mode: Counter[str] = Counter()
        self.by_reason: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.insurance_total: dict[FundKey, Fraction] = {}
        self.insurance_paid: dict[FundKey, Fraction] = {}
        self.paths: dict[FundKey, _PathBuilder] = {}
        self.adl_qty: dict[str, Fraction] = {}
        self.socialized_total: dict[str, Fraction] = {}
        self.market_assets: dict[str, str] = {}
        self.fund_assets: dict[str, set[str]] = {}
        self.liquidation: tuple[str, str] | None = None
        self.last_input: Event | None = None
        self.pending: Event | None = None

    def apply_event(self, event: Event) -> None:
        """Count one event and follow what it does to the funds."""
        if self.pending is not None and not (
            isinstance(event, RejectionEvent) and event.input == self.pending.seq
        ):
            self._apply_fund_cash(self.pending)
        self.pending = None
        self.events += 1
        self.counts[event.TYPE] += 1
        if self.first_ts is None:
            self.first_ts = event.ts
        self.last_ts = event.ts
        if event.TYPE in INPUT_TYPES:
            self.last_input = event
        if isinstance(event, InstrumentEvent):
            self.market_assets[event.market] = event.settle_asset
            self.fund_assets.setdefault(event.fund, set()).add(event.settle_asset)
        elif isinstance(event, DepositEvent | WithdrawalEvent):
            if event.account.startswith(_FUND_PREFIX):
                self.pending = event
        elif isinstance(event, LiquidationEvent):
            self.liquidation = (event.id, event.market)
            self.by_side[event.side] += 1
            self.by_mode[event.margin_mode] += 1
        elif isinstance(event, InsuranceEvent):
            self._apply_insurance(event)
        elif isinstance(event, AdlEvent):
            market = self._get_market(event.liquidation)
            self.adl_qty[market] = self.adl_qty.get(market, Fraction(0)) + event.qty
        elif isinstance(event, SocializedLossEvent):
            market = self._get_market(event.liquidations[0] if event.liquidations else None)
            asset = self.market_assets.get(market, "")
            self.socialized_total[asset] = (
                self.socialized_total.get(asset, Fraction(0)) + event.amount
            )
        elif isinstance(event, RejectionEvent):
            rejected = self.last_input
            if rejected is not None and rejected.seq == event.input:
                self.rejected[rejected.TYPE] += 1
            else:
                self.rejected["unknown"] += 1

    def _get_market(self, liquidation: str | None) -> str:
        if self.liquidation is not None and self.liquidation[0] == liquidation:
            return self.liquidation[1]
        return ""

    def _get_fund_asset(self, fund: str, liquidation: str | None) -> str:
        market = self._get_market(liquidation)
        if market in self.market_assets:
            return self.market_assets[market]
        assets = self.fund_assets.get(fund, set())
        return next(iter(assets)) if len(assets) == 1 else ""

    def _apply_fund_cash(self, event: Event) -> None:
        assert isinstance(event, DepositEvent | WithdrawalEvent)
        key = (event.account[len(_FUND_PREFIX) :], event.asset)
        amount = event.amount if isinstance(event, DepositEvent) else -event.amount
        self.paths.setdefault(key, _PathBuilder()).apply_movement(event.seq, amount)

    def _apply_insurance(self, event: InsuranceEvent) -> None:
        key = (event.fund, self._get_fund_asset(event.fund, event.liquidation))
        self.by_reason[event.reason] += 1
        self.insurance_total[key] = self.insurance_total.get(key, Fraction(0)) + event.amount
        if event.amount < 0:
            self.insurance_paid[key] = self.insurance_paid.get(key, Fraction(0)) - event.amount
        self.paths.setdefault(key, _PathBuilder()).apply_movement(event.seq, event.amount)

    def get_summary(self) -> SimulationSummary:
        """The summary of every event applied so far."""
        if self.pending is not None:
            self._apply_fund_cash(self.pending)
            self.pending = None
        return SimulationSummary(
            events=self.events,
            first_ts=self.first_ts,
            last_ts=self.last_ts,
            counts=dict(sorted(self.counts.items())),
            liquidations=self.counts["liquidation"],
            liquidations_by_side=dict(sorted(self.by_side.items())),
            liquidations_by_mode=dict(sorted(self.by_mode.items())),
            liquidation_fills=self.counts["liquidation_fill"],
            insurance_movements=self.counts["insurance"],
            insurance_by_reason=dict(sorted(self.by_reason.items())),
            insurance_total=dict(sorted(self.insurance_total.items())),
            insurance_paid=dict(sorted(self.insurance_paid.items())),
            fund_paths={key: self.paths[key].get_path(*key) for key in sorted(self.paths)},
            adl_fills=self.counts["adl"],
            adl_qty=dict(sorted(self.adl_qty.items())),
            socialized_charges=self.counts["socialized_loss"],
            socialized_total=dict(sorted(self.socialized_total.items())),
            rejections=self.counts["rejection"],
            rejections_by_input=dict(sorted(self.rejected.items())),
        )


def summarize(events: Iterable[Event]) -> SimulationSummary:
    """The summary of a ledger, in one streaming pass (module docstring)."""
    builder = SummaryBuilder()
    for event in events:
        builder.apply_event(event)
    return builder.get_summary()


def _format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items()) or "none"


def format_summary(summary: SimulationSummary) -> list[str]:
    """The summary as plain text lines (exact numbers, as the ledger writes them)."""
    lines = [
        f"events: {summary.events} ({summary.first_ts} to {summary.last_ts})",
        f"by type: {_format_counts(summary.counts)}",
        f"liquidations: {summary.liquidations} "
        f"(by side: {_format_counts(summary.liquidations_by_side)}; "
        f"by margin mode: {_format_counts(summary.liquidations_by_mode)}), "
        f"fills {summary.liquidation_fills}",
        f"insurance movements: {summary.insurance_movements} "
        f"({_format_counts(summary.insurance_by_reason)})",
    ]
    for (fund, asset), path in summary.fund_paths.items():
        net = summary.insurance_total.get((fund, asset), Fraction(0))
        paid = summary.insurance_paid.get((fund, asset), Fraction(0))
        lines.append(
            f"fund {fund} ({asset}): final {format_number(path.final)}, lowest "
            f"{format_number(path.lowest)} at seq {path.lowest_seq}, net movements "
            f"{format_number(net)}, paid out {format_number(paid)}"
        )
    adl = ", ".join(f"{m} {format_number(q)}" for m, q in summary.adl_qty.items()) or "none"
    lines.append(f"adl fills: {summary.adl_fills} (quantity: {adl})")
    charged = ", ".join(f"{a} {format_number(t)}" for a, t in summary.socialized_total.items())
    lines.append(f"socialized charges: {summary.socialized_charges} (total: {charged or 'none'})")
    lines.append(
        f"rejections: {summary.rejections} ({_format_counts(summary.rejections_by_input)})"
    )
    return lines
