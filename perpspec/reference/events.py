"""The ledger's events as typed records (DESIGN, Ledger: binding names).

A ledger is an ordered stream of events. Every event has ``seq`` (strictly increasing),
``ts`` (ISO 8601 UTC, never earlier than the event before it) and a ``type``; the fields of
each type are DESIGN's, in its order. More fields may be added; none may be renamed.

Inputs and outputs. The engine consumes *input* events (instrument, deposit, withdrawal,
mark, trade, funding, margin_transfer, index) and emits *output* events (liquidation,
liquidation_fill, insurance, adl, socialized_loss, balance, rejection). A ``funding`` event
is both: its ``rate`` is the input, its ``payments`` what the engine computed. ``rejection``
is added by this spec: an input the engine refused, with the reason, so a ledger records
every input it was given (invariant ``frame``: a rejected input changes nothing else).
``index`` is added by this spec too: the inputs a mark is derived from (the sources' prices
and what the profile's mark method reads), stated before the ``mark`` they give, so an audit
can check the mark that triggered a liquidation (DESIGN names the mark only as an input).

Partial ledgers (DESIGN, Partial ledgers). A ledger translated from an exchange's export
opens with a ``source`` record: which export, whose view, what it covers, the precision of its
amounts. ``statement`` is a wallet movement the export states with its own reason (Binance's
income rows: realized PnL, funding fee, commission, insurance clearance); ``fill`` one of the
account's fills against a counterparty outside the export (``external``), with what the
export states about it (the start position, the closed PnL, whether it was a liquidation or
an ADL); ``position`` a snapshot of a position with its stated liquidation price. They are
added by this spec: a ``trade`` names both parties and moves both wallets, and no DESIGN type
can state a realized PnL or a start position as an export does. None is an input or an
output of the engine: ``METADATA_TYPES``. In a partial ledger only statements, deposits and
withdrawals move a wallet; fills and snapshots are what the account-level checks test the
statements against.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction
from typing import ClassVar

__all__ = [
    "EVENT_TYPES",
    "FILL_ROLES",
    "INPUT_TYPES",
    "METADATA_TYPES",
    "OUTPUT_TYPES",
    "STATEMENT_ENTRIES",
    "AdlEvent",
    "BalanceEvent",
    "DepositEvent",
    "Event",
    "FillEvent",
    "FundingEvent",
    "FundingPayment",
    "IndexEvent",
    "IndexQuote",
    "InstrumentEvent",
    "InsuranceEvent",
    "LiquidationEvent",
    "LiquidationFillEvent",
    "MarginTransferEvent",
    "MarkEvent",
    "PositionEvent",
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
class IndexQuote:
    """One source's price in an ``index`` event: the venue, its price, its weight in the
    index and when the venue quoted it (the staleness rule reads it)."""

    source: str
    price: Fraction
    weight: Fraction
    ts: str


@dataclass(frozen=True, slots=True)
class IndexEvent(Event):
    """The inputs of the next mark of ``market`` (rules ``mark.index-price`` and
    ``mark.mark-price``): the sources' quotes, the index ``price`` they give (None under the
    ``oracle`` method, whose mark is the median of the quotes), and what the profile's mark
    method reads besides the index: the last funding rate and the seconds until the next
    funding, the moving average of the basis, the last traded price. ``impact_bid`` and
    ``impact_ask`` give this moment's premium sample for the funding rate (rule
    ``mark.funding-premium``). A field the method does not read is None; a stated value the
    method does not read is an error, never ignored."""

    TYPE: ClassVar[str] = "index"
    market: str
    sources: tuple[IndexQuote, ...]
    price: Fraction | None
    funding_rate: Fraction | None
    time_until_funding: Fraction | None
    basis_average: Fraction | None
    last_price: Fraction | None
    impact_bid: Fraction | None
    impact_ask: Fraction | None


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
    credits it): ``entry`` what it is, one of :data:`STATEMENT_ENTRIES`, with the export's own
    word for it (``reason``), the market it names (None: none) and the export's id of the row
    (``ref``; None: none). A ``funding`` statement also carries the funding ``rate`` and the
    signed position ``size`` it was paid on when the export states them (else None)."""

    TYPE: ClassVar[str] = "statement"
    account: str
    asset: str
    amount: Fraction
    entry: str
    reason: str
    market: str | None
    ref: str | None
    rate: Fraction | None
    size: Fraction | None


@dataclass(frozen=True, slots=True)
class FillEvent(Event):
    """One fill of ``account`` as an export states it, against a counterparty outside the
    export (``external``): ``action`` buy or sell, ``qty`` and ``price`` > 0, ``role`` trade,
    liquidation (the account's position closed by the liquidation engine) or adl (the account
    deleveraged as a counterparty); ``commission`` signed (+ paid, - a rebate) in
    ``commission_asset``; the contract's ``kind`` (linear or inverse) and ``multiplier`` when
    the export states or implies them (None: it does not, and no PnL is recomputed from the
    fill); ``liquidity`` maker or taker when stated; ``start_position`` the signed position
    before the fill, ``realized_pnl`` the closed PnL and ``mark_price`` the mark the export
    states with the fill (Hyperliquid's ``liquidation.markPx``), each as the export states it
    (None: it does not); ``ref`` the export's id of the fill. A fill moves no wallet: in a partial
    ledger every wallet movement is a ``statement`` (or a deposit or withdrawal), so an export
    that states both a fill's realized PnL and the income row for it counts it once."""

    TYPE: ClassVar[str] = "fill"
    account: str
    market: str
    action: str
    qty: Fraction
    price: Fraction
    role: str
    kind: str | None
    multiplier: Fraction | None
    commission: Fraction | None
    commission_asset: str | None
    liquidity: str | None
    start_position: Fraction | None
    realized_pnl: Fraction | None
    mark_price: Fraction | None
    ref: str | None


@dataclass(frozen=True, slots=True)
class PositionEvent(Event):
    """A snapshot of ``account``'s position in ``market`` as an export states it: ``size``
    signed (+ long, in units of the contract's value: contracts times the contract size),
    and, when stated (else None), ``entry_price``, ``mark_price``, ``liquidation_price``, the
    ``margin_mode``, the isolated ``margin`` (the position's own equity at the mark: the margin
    given plus its unrealized PnL), under cross margin the account's ``equity`` (wallet plus
    every unrealized PnL, at the marks), the contract's ``kind`` and the position's
    ``maintenance_rate`` (the maintenance margin over the position's value, as the export
    states it or the exchange's documents derive it from what the export states)."""

    TYPE: ClassVar[str] = "position"
    account: str
    market: str
    size: Fraction
    entry_price: Fraction | None
    mark_price: Fraction | None
    liquidation_price: Fraction | None
    margin_mode: str | None
    margin: Fraction | None
    equity: Fraction | None
    kind: str | None
    maintenance_rate: Fraction | None


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
        FillEvent,
        PositionEvent,
        # last, so the columns of the earlier types keep their place in the CSV and Parquet
        IndexEvent,
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
        "index",
    }
)
#: What a ``statement`` is: ``trade`` a trade row's whole cash flow (its realized PnL less
#: its fee, Bybit's TRADE ``change``), ``realized_pnl``, ``commission`` (a trading fee, - paid),
#: ``funding``, ``liquidation`` (a liquidation's cash flow or its fee), ``adl`` (an ADL's cash
#: flow), ``insurance`` (a movement between the account and the insurance fund on a
#: liquidation: a credit covering its deficit, an "Insurance Fund Compensation", or a charge
#: into the fund, Binance's INSURANCE_CLEAR clearance fee), ``other`` (a movement no check
#: interprets: a bonus, a rebate program). Every entry counts in the wallet's running
#: balance.
STATEMENT_ENTRIES: tuple[str, ...] = (
    "trade",
    "realized_pnl",
    "commission",
    "funding",
    "liquidation",
    "adl",
    "insurance",
    "other",
)
#: What a ``fill`` was to the account: an ordinary trade, the liquidation of its position, or
#: an ADL of its position against someone else's liquidation.
FILL_ROLES: tuple[str, ...] = ("trade", "liquidation", "adl")

#: Records that describe the ledger or what an export states, neither input nor output.
METADATA_TYPES: frozenset[str] = frozenset({"source", "statement", "fill", "position"})
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
