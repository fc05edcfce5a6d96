"""What an ``index`` record gives: its index price, the mark it derives, its premium sample.

Rules ``mark.index-price``, ``mark.mark-price`` and ``mark.funding-premium`` applied to one
ledger record. An ``index`` record states the sources' quotes and what the profile's mark
method reads besides the index; the engine and the audit both derive from it through these
functions, so an engine that accepts a mark and an audit that checks it read one rule.

Choices (docs/mark-price.md, "In a ledger"):

* The index price is derived from the quotes under ``[index]`` at the record's own ``ts``
  (the staleness rule's "now"); the record's stated ``price`` must equal it exactly. Under
  ``mark.method = oracle`` no index is derived: the quotes are the oracle prices and
  ``price`` is null.
* The mark is derived from the derived index (never from the stated one, so a stated index
  that is off cannot hide behind itself) and the stated method inputs; a stated input the
  method does not read is refused, as :func:`compute_mark_price` refuses it.
* A premium sample needs both impact prices or neither; it is taken against the derived
  index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.events import IndexEvent, IndexQuote
from perpspec.reference.mark.funding_rate import (
    FundingRule,
    compute_average_premium,
    compute_premium_index,
)
from perpspec.reference.mark.funding_rate import compute_funding_rate as _funding_rate_of
from perpspec.reference.mark.index_price import IndexRule, SourcePrice, compute_index_price
from perpspec.reference.mark.mark_price import MarkInputs, MarkMethod, MarkRule, compute_mark_price
from perpspec.reference.numbers import format_number

__all__ = [
    "IndexDerivation",
    "compute_funding_rate_of_samples",
    "compute_record_index",
    "derive_from_index",
    "parse_quote_time",
]


def parse_quote_time(ts: str, field: str) -> datetime:
    """``ts`` as an aware UTC datetime (a time without an offset is UTC, the ledger's zone)."""
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        raise SpecError(f"{field}: not an ISO 8601 time: {ts!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_source(quote: IndexQuote, position: int) -> SourcePrice:
    return SourcePrice(
        quote.source,
        quote.price,
        quote.weight,
        parse_quote_time(quote.ts, f"sources[{position}].ts"),
    )


@dataclass(frozen=True, slots=True)
class IndexDerivation:
    """What one ``index`` record gives under a profile's rules: the index (None under the
    oracle method), the mark, and the premium sample (None without impact prices)."""

    index: Fraction | None
    mark: Fraction
    premium: Fraction | None


def compute_record_index(event: IndexEvent, rule: IndexRule) -> Fraction:
    """The index of ``event``'s quotes under ``rule``, at the record's ``ts`` (its stated
    ``price`` is not read: this is what it must state).

    Implements rule `mark.index-price`.
    """
    sources = [_to_source(quote, k) for k, quote in enumerate(event.sources)]
    return compute_index_price(sources, rule, parse_quote_time(event.ts, "ts"))


def _derive_index(event: IndexEvent, rule: IndexRule) -> Fraction:
    index = compute_record_index(event, rule)
    if event.price is None:
        raise SpecError(f"price: null, but [index] gives {format_number(index)}")
    if event.price != index:
        raise SpecError(
            f"price: {format_number(event.price)} is not the index of the sources under "
            f"[index] ({format_number(index)})"
        )
    return index


def _derive_mark(event: IndexEvent, index: Fraction | None, rule: MarkRule) -> Fraction:
    if rule.method is MarkMethod.ORACLE:
        if event.price is not None:
            raise SpecError("price: an oracle mark has no index; state null")
        oracle = tuple(_to_source(quote, k) for k, quote in enumerate(event.sources))
        inputs = MarkInputs(
            funding_rate=event.funding_rate,
            time_until_funding=event.time_until_funding,
            basis_average=event.basis_average,
            last_price=event.last_price,
            oracle_prices=oracle,
        )
    else:
        inputs = MarkInputs(
            index=index,
            funding_rate=event.funding_rate,
            time_until_funding=event.time_until_funding,
            basis_average=event.basis_average,
            last_price=event.last_price,
        )
    return compute_mark_price(inputs, rule)


def _derive_premium(event: IndexEvent, index: Fraction | None) -> Fraction | None:
    bid, ask = event.impact_bid, event.impact_ask
    if bid is None and ask is None:
        return None
    if bid is None or ask is None:
        missing = "impact_bid" if bid is None else "impact_ask"
        raise SpecError(f"{missing}: null, but the other impact price is stated")
    if index is None:
        raise SpecError("impact_bid: a premium needs an index, and an oracle mark has none")
    return compute_premium_index(bid, ask, index)


def derive_from_index(
    event: IndexEvent, index_rule: IndexRule | None, mark_rule: MarkRule | None
) -> IndexDerivation:
    """The index, mark and premium sample of ``event`` under the profile's ``[index]`` and
    ``[mark]`` (module docstring); a :class:`SpecError` naming the field when the record
    does not follow them or the profile has no such rule.

    Implements rules `mark.index-price`, `mark.mark-price` and `mark.funding-premium`.
    """
    if mark_rule is None:
        raise SpecError("type: an index record needs a profile with a [mark] section")
    index: Fraction | None = None
    if mark_rule.method is not MarkMethod.ORACLE:
        if index_rule is None:
            raise SpecError(
                f"type: mark.method = {mark_rule.method.value} derives an index: the profile "
                "needs an [index] section"
            )
        index = _derive_index(event, index_rule)
    mark = _derive_mark(event, index, mark_rule)
    return IndexDerivation(index, mark, _derive_premium(event, index))


def compute_funding_rate_of_samples(premiums: list[Fraction], rule: FundingRule) -> Fraction:
    """The funding rate of an interval's premium samples, in the order they were taken:
    averaged as ``funding.averaging`` says, then clamped, scaled and capped.

    Implements rule `mark.funding-rate`.
    """
    if not premiums:
        raise SpecError("rate: no premium sample in the interval to derive it from")
    return _funding_rate_of(compute_average_premium(premiums, rule.averaging), rule)
