"""The ledger's events as typed records (DESIGN, Ledger: binding names).

A ledger is an ordered stream of events. Every event has ``seq`` (strictly increasing),
``ts`` (ISO 8601 UTC, never earlier than the event before it) and a ``type``; the fields of
each type are DESIGN's, in its order. More fields may be added; none may be renamed.

Inputs and outputs. The engine consumes *input* events (instrument, deposit, withdrawal,
mark, trade, funding, margin_transfer) and emits *output* events (liquidation,
liquidation_fill, insurance, adl, socialized_loss, balance, rejection). A ``funding`` event
is both: its ``rate`` is the input, its ``payments`` what the engine computed. ``rejection``
is added by this spec: an input the engine refused, with the reason, so a ledger records
every input it was given (invariant ``frame``: a rejected input changes nothing else).

Partial ledgers (DESIGN, Partial ledgers). A ledger translated from an exchange's export
opens with a ``source`` record: which export, whose view, what it covers, the precision of its
amounts. ``statement`` is a wallet movement the export states with its own reason (Binance's
income rows: realized PnL, funding fee, commission, insurance clearance) when the export does
not hold the events that caused it; it is added by this spec, since no DESIGN type can state
a realized PnL without the trades behind it. Neither is an input or an output of the engine:
``METADATA_TYPES``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import ClassVar

__all__ = [
    "EVENT_TYPES",
    "INPUT_TYPES",
    "METADATA_TYPES",
    "OUTPUT_TYPES",
    "AdlEvent",
    "BalanceEvent",
    "DepositEvent",
    "Event",
    "FundingEvent",
    "FundingPayment",
    "InstrumentEvent",
    "InsuranceEvent",
    "LiquidationEvent",
    "LiquidationFillEvent",
    "MarginTransferEvent",
    "MarkEvent",
    "RejectionEvent",
    "SocializedLossEvent",
    "SourceEvent",
    "StatementEvent",
    "TierSpec",
    "TradeEvent",
    "WithdrawalEvent",
    "get_event_fields",
    "get_time_key",
]


@dataclass(frozen=True, slots=True)
class Event:
    """Fields every event has."""

    TYPE: ClassVar[str] = ""
    seq: int
    ts: str


@dataclass(frozen=True, slots=True)
class TierSpec:
    """One tier of an ``instrument`` event.

    ``max_leverage`` is the tier's maximum leverage (initial margin = value / max_leverage);
    None when the exchange does not publish one.
    """

    floor: Fraction
    mmr: Fraction
    maintenance_amount: Fraction
    max_leverage: Fraction | None


@dataclass(frozen=True, slots=True)
class InstrumentEvent(Event):
    """A market's contract specification; must precede any event on the market."""

    TYPE: ClassVar[str] = "instrument"
    market: str
    kind: str
    multiplier: Fraction
    tick_size: Fraction
    lot_size: Fraction
    tiers: tuple[TierSpec, ...]
    fund: str
    settle_asset: str


@dataclass(frozen=True, slots=True)
class DepositEvent(Event):
    """Funds in: ``amount`` > 0 of ``asset`` to ``account``'s wallet."""

    TYPE: ClassVar[str] = "deposit"
    account: str
    asset: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class WithdrawalEvent(Event):
    """Funds out: ``amount`` > 0 of ``asset`` from ``account``'s wallet."""

    TYPE: ClassVar[str] = "withdrawal"
    account: str
    asset: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class MarkEvent(Event):
    """A new mark price: the only liquidation trigger."""

    TYPE: ClassVar[str] = "mark"
    market: str
    price: Fraction


@dataclass(frozen=True, slots=True)
class TradeEvent(Event):
    """A matched trade of ``qty`` > 0 at ``price``; each side pays its fee (negative: rebate)."""

    TYPE: ClassVar[str] = "trade"
    market: str
    buyer: str
    seller: str
    qty: Fraction
    price: Fraction
    buyer_fee: Fraction
    seller_fee: Fraction


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """One account's funding: signed, + receives."""

    account: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class FundingEvent(Event):
    """A funding settlement: ``rate`` (input) and the resulting ``payments`` (output)."""

    TYPE: ClassVar[str] = "funding"
    market: str
    rate: Fraction
    payments: tuple[FundingPayment, ...]


@dataclass(frozen=True, slots=True)
class MarginTransferEvent(Event):
    """Move ``amount`` between the wallet and an isolated position (+ into the position)."""

    TYPE: ClassVar[str] = "margin_transfer"
    account: str
    market: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class LiquidationEvent(Event):
    """A position taken over by the liquidation engine.

    ``side`` is the liquidated position's side (long|short), ``qty`` the quantity taken over,
    ``margin_mode`` isolated|cross, ``fee`` the liquidation fee charged.
    """

    TYPE: ClassVar[str] = "liquidation"
    id: str
    account: str
    market: str
    side: str
    qty: Fraction
    mark_price: Fraction
    liquidation_price: Fraction | None
    bankruptcy_price: Fraction | None
    margin_mode: str
    fee: Fraction


@dataclass(frozen=True, slots=True)
class LiquidationFillEvent(Event):
    """The liquidation engine closing part of a taken-over position in the market."""

    TYPE: ClassVar[str] = "liquidation_fill"
    liquidation: str
    qty: Fraction
    price: Fraction
    counterparty: str


@dataclass(frozen=True, slots=True)
class InsuranceEvent(Event):
    """A movement of an insurance fund (signed), with its reason and cause."""

    TYPE: ClassVar[str] = "insurance"
    fund: str
    amount: Fraction
    reason: str
    liquidation: str | None


@dataclass(frozen=True, slots=True)
class AdlEvent(Event):
    """A counterparty deleveraged against a liquidation at its bankruptcy price.

    ``rank`` is the counterparty's place in the ranking (1 = first); ``score`` its ranking
    score, rounded down to 10^-18 (the exact order is ``rank``).
    """

    TYPE: ClassVar[str] = "adl"
    liquidation: str
    account: str
    qty: Fraction
    price: Fraction
    score: Fraction
    rank: int


@dataclass(frozen=True, slots=True)
class SocializedLossEvent(Event):
    """A socialized-loss charge (> 0) to one account in a settlement cycle."""

    TYPE: ClassVar[str] = "socialized_loss"
    cycle: str
    account: str
    amount: Fraction
    liquidations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BalanceEvent(Event):
    """Asserts the account's wallet balance in ``asset`` (isolated margins in, uPnL out).

    A balance assertion, as in double-entry bookkeeping, of the amount exchange statements
    call the wallet balance (Binance: deposits - withdrawals + realized PnL + funding - fees);
    it holds after every earlier event of the ledger and before the next."""

    TYPE: ClassVar[str] = "balance"
    account: str
    asset: str
    amount: Fraction


@dataclass(frozen=True, slots=True)
class RejectionEvent(Event):
    """An input the engine refused (``input`` is its seq), with a one-line reason."""

    TYPE: ClassVar[str] = "rejection"
    input: int
    reason: str


@dataclass(frozen=True, slots=True)
class SourceEvent(Event):
    """Opens a partial ledger: the export it was translated from and what that export covers.

    ``format`` names the export (``binance-um``); ``accounts`` are the accounts whose view it
    is (every other party is ``external`` or a system account outside the export); ``covers``
    the kinds of data the export holds (docs/ledger.md lists the words, and the audit runs a
    check only when its needs are among them); ``precision`` the smallest unit the export
    states amounts in (None: it states none); ``files`` the files read, in order; ``unmapped``
    the export's rows the adapter has no event for, as ``"TYPE: count"`` (they are reported,
    never dropped silently)."""

    TYPE: ClassVar[str] = "source"
    format: str
    accounts: tuple[str, ...]
    covers: tuple[str, ...]
    precision: Fraction | None
    files: tuple[str, ...]
    unmapped: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatementEvent(Event):
    """A movement of ``account``'s wallet in ``asset`` that an export states (signed: +
    credits it), with the export's own word for it (``reason``), the market it names (None:
    none) and the export's id of the row (``ref``; None: none)."""

    TYPE: ClassVar[str] = "statement"
    account: str
    asset: str
    amount: Fraction
    reason: str
    market: str | None
    ref: str | None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        InstrumentEvent,
        DepositEvent,
        WithdrawalEvent,
        MarkEvent,
        TradeEvent,
        FundingEvent,
        MarginTransferEvent,
        LiquidationEvent,
        LiquidationFillEvent,
        InsuranceEvent,
        AdlEvent,
        SocializedLossEvent,
        BalanceEvent,
        RejectionEvent,
        SourceEvent,
        StatementEvent,
    )
}

INPUT_TYPES: frozenset[str] = frozenset(
    {
        "instrument",
        "deposit",
        "withdrawal",
        "mark",
        "trade",
        "funding",
        "margin_transfer",
        "balance",
    }
)
#: Records that describe the ledger or what an export states, neither input nor output.
METADATA_TYPES: frozenset[str] = frozenset({"source", "statement"})
OUTPUT_TYPES: frozenset[str] = frozenset(EVENT_TYPES) - INPUT_TYPES - METADATA_TYPES | {"funding"}


def get_event_fields(event_type: str) -> tuple[str, ...]:
    """The field names of ``event_type`` after ``seq`` and ``ts``, in DESIGN's order."""
    return tuple(f.name for f in fields(EVENT_TYPES[event_type]) if f.name not in ("seq", "ts"))


def get_time_key(ts: str) -> str:
    """A key that orders ledger timestamps by the instant they name.

    The ledger format (``perpspec schema``) writes ``YYYY-MM-DDTHH:MM:SS``, an optional
    fraction of up to nine digits, then ``Z`` or ``+00:00``: the key drops the zone (always
    UTC) and pads the fraction to nine digits, so ``...:05Z`` and ``...:05.000+00:00`` get
    equal keys and plain string order is time order. Timestamps outside that form (which the
    reader refuses) keep their own text.
    """
    body = ts.removesuffix("Z") if ts.endswith("Z") else ts.removesuffix("+00:00")
    seconds, _, fraction = body.partition(".")
    return f"{seconds}.{fraction:0<9}"
