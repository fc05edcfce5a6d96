"""What each ledger field holds, derived from the typed event records.

Rule (DESIGN, Ledger: binding names): the fields of each event type are those of
:mod:`perpspec.reference.events`, in its order. This module reads their annotations, so a
field added there is known to every format and to the schema at once; an annotation of a new
shape stops the import until it is given a kind here.

The ranges DESIGN states are checked: ``amount`` > 0 on ``deposit``, ``withdrawal`` and
``socialized_loss``; the quantity and price of a trade, a liquidation fill and an ADL fill and
the mark price > 0 (a liquidation or bankruptcy price that would be <= 0 is written as null,
DESIGN, Prices, so a stated one is > 0 too). Output events, which only the engine writes, also
have the ranges the waterfall gives them: a liquidation's ``qty`` > 0 and ``fee`` >= 0, an ADL
``rank`` >= 1 (1 is the first counterparty, as in :mod:`perpspec.reference.adl.ranking`).
The instrument's sizes and tiers carry no range here: an unusable instrument is an input the
engine refuses with a ``rejection`` event, and a ledger recording that must stay readable.
Signed fields (trade fees, funding rate and payments, margin transfers, insurance movements,
scores, balances) take any exact number.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields
from enum import Enum
from fractions import Fraction
from typing import Union

from perpspec.reference.events import (
    EVENT_TYPES,
    FILL_ROLES,
    STATEMENT_ENTRIES,
    Event,
    FundingPayment,
    IndexQuote,
    TierSpec,
)

__all__ = [
    "BASE_FIELDS",
    "CHOICES",
    "MAX_INTEGER",
    "FieldKind",
    "FieldSpec",
    "get_field_specs",
    "get_number_kind",
    "get_payment_specs",
    "get_quote_specs",
    "get_tier_specs",
]

#: Fields every event has, in this order, before its type's own fields.
BASE_FIELDS: tuple[str, ...] = ("seq", "ts", "type")

#: Largest integer field value (``seq``, ``rank``, ``input``): a signed 64-bit integer, what
#: every engine and database stores a sequence number in.
MAX_INTEGER = 2**63 - 1

#: Fields that take one of a fixed set of words (DESIGN, Ledger and Margin).
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": ("linear", "inverse"),
    "side": ("long", "short"),
    "margin_mode": ("isolated", "cross"),
    "action": ("buy", "sell"),
    "role": FILL_ROLES,
    "entry": STATEMENT_ENTRIES,
    "liquidity": ("maker", "taker"),
}

_POSITIVE = frozenset(
    {
        "qty",
        "price",
        "mark_price",
        "liquidation_price",
        "bankruptcy_price",
        "precision",
        "entry_price",
    }
)
_POSITIVE_AMOUNT = frozenset({"deposit", "withdrawal", "socialized_loss"})
_NONNEGATIVE = frozenset({"fee"})
_INTEGER_MINIMUM = {"rank": 1}
_LIST_KINDS: dict[object, FieldKind] = {}


class FieldKind(Enum):
    """The shape of a field's value."""

    TEXT = "text"  # a non-empty string
    CHOICE = "choice"  # one word of CHOICES
    INTEGER = "integer"  # an integer from the spec's minimum up to MAX_INTEGER
    NUMBER = "number"  # an exact number, any sign
    POSITIVE = "positive"  # an exact number > 0
    NONNEGATIVE = "nonnegative"  # an exact number >= 0
    TIERS = "tiers"  # a list of tier records
    PAYMENTS = "payments"  # a list of funding payment records
    QUOTES = "quotes"  # a list of index source quotes
    TEXT_LIST = "text_list"  # a list of non-empty strings


_LIST_KINDS.update(
    {
        TierSpec: FieldKind.TIERS,
        FundingPayment: FieldKind.PAYMENTS,
        IndexQuote: FieldKind.QUOTES,
        str: FieldKind.TEXT_LIST,
    }
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field: its name, kind, whether null is allowed, and its words or minimum."""

    name: str
    kind: FieldKind
    nullable: bool = False
    choices: tuple[str, ...] = ()
    minimum: int = 0


def _split_optional(annotation: object) -> tuple[object, bool]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0], True
    return annotation, False


def _get_list_kind(annotation: object) -> FieldKind | None:
    if typing.get_origin(annotation) is not tuple:
        return None
    return _LIST_KINDS.get(typing.get_args(annotation)[0])


def get_number_kind(event_type: str, name: str) -> FieldKind:
    """The range of a number field (module docstring: DESIGN's ranges and the ledger's)."""
    if name in _POSITIVE or (name == "amount" and event_type in _POSITIVE_AMOUNT):
        return FieldKind.POSITIVE
    if name in _NONNEGATIVE:
        return FieldKind.NONNEGATIVE
    return FieldKind.NUMBER


def _make_spec(event_type: str, name: str, annotation: object) -> FieldSpec:
    inner, nullable = _split_optional(annotation)
    if inner is str:
        if name in CHOICES:
            return FieldSpec(name, FieldKind.CHOICE, nullable, choices=CHOICES[name])
        return FieldSpec(name, FieldKind.TEXT, nullable)
    if inner is int:
        return FieldSpec(name, FieldKind.INTEGER, nullable, minimum=_INTEGER_MINIMUM.get(name, 0))
    if inner is Fraction:
        return FieldSpec(name, get_number_kind(event_type, name), nullable)
    list_kind = _get_list_kind(inner)
    if list_kind is not None:
        return FieldSpec(name, list_kind, nullable)
    raise TypeError(f"{event_type}.{name}: no ledger kind for the annotation {annotation!r}")


def _make_specs(record: type[object], owner: str, skip: tuple[str, ...]) -> tuple[FieldSpec, ...]:
    hints = typing.get_type_hints(record)
    return tuple(
        _make_spec(owner, f.name, hints[f.name])
        for f in fields(record)  # type: ignore[arg-type]  # every record here is a dataclass
        if f.name not in skip
    )


def _make_event_specs(event_class: type[Event]) -> tuple[FieldSpec, ...]:
    return _make_specs(event_class, event_class.TYPE, ("seq", "ts"))


_EVENT_SPECS: dict[str, tuple[FieldSpec, ...]] = {
    name: _make_event_specs(cls) for name, cls in EVENT_TYPES.items()
}
_TIER_SPECS = _make_specs(TierSpec, "tier", ())
_PAYMENT_SPECS = _make_specs(FundingPayment, "payment", ())
_QUOTE_SPECS = _make_specs(IndexQuote, "quote", ())


def get_field_specs(event_type: str) -> tuple[FieldSpec, ...]:
    """The fields of ``event_type`` after ``seq`` and ``ts``, in DESIGN's order."""
    return _EVENT_SPECS[event_type]


def get_tier_specs() -> tuple[FieldSpec, ...]:
    """The fields of one ``instrument`` tier, in the record's order."""
    return _TIER_SPECS


def get_payment_specs() -> tuple[FieldSpec, ...]:
    """The fields of one ``funding`` payment, in the record's order."""
    return _PAYMENT_SPECS


def get_quote_specs() -> tuple[FieldSpec, ...]:
    """The fields of one ``index`` source quote, in the record's order."""
    return _QUOTE_SPECS
