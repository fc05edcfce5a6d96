"""The engine's reading of ``index`` records: the mark they derive and the premium samples
the next funding follows (rules ``mark.mark-price`` and ``mark.funding-rate``).

An ``index`` record changes no balance: it fixes the mark the market's next ``mark`` must
state and adds its premium sample to the interval's. A mark after no index record, and a
funding with no sample in its interval (or a profile without ``[funding]``), are taken as
given, as in every ledger before index records; a mark or a rate that differs from what the
records derive is refused (a ``rejection``), never silently replaced.
"""

from __future__ import annotations

from fractions import Fraction

from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.errors import SpecError
from perpspec.reference.events import FundingEvent, IndexEvent
from perpspec.reference.mark.from_index import compute_funding_rate_of_samples, derive_from_index
from perpspec.reference.numbers import format_number

__all__ = ["check_derived_mark", "check_funding_rate", "process_index"]


def check_funding_rate(ex: Exchange, event: FundingEvent) -> None:
    """Refuse a funding whose rate is not the profile's ``[funding]`` rule on the premium
    samples of the market's index records since its last funding; without a ``[funding]``
    section or without samples the rate is given (as every ledger before index records).

    Implements rule `mark.funding-rate`.
    """
    rule = ex.config.profile.funding
    premiums = ex.get_market(event.market).premiums
    if rule is None or not premiums:
        return
    expected = compute_funding_rate_of_samples(premiums, rule)
    if event.rate != expected:
        raise SpecError(
            f"rate: {format_number(event.rate)} is not the [funding] rule on the "
            f"{len(premiums)} premium samples since the last funding ({format_number(expected)})"
        )


def process_index(ex: Exchange, event: IndexEvent) -> None:
    """Derive the mark (and the premium sample) an index record gives; the next mark of the
    market must state that mark (:func:`check_derived_mark`).

    Implements rule `mark.mark-price`.
    """
    market = ex.get_market(event.market)
    profile = ex.config.profile
    derivation = derive_from_index(event, profile.index, profile.mark)
    market.derived_mark = (event.seq, derivation.mark)
    if derivation.premium is not None:
        market.premiums.append(derivation.premium)


def check_derived_mark(ex: Exchange, market_id: str, price: Fraction) -> None:
    """Refuse a mark that is not the one the market's last index record derived.

    Implements rule `mark.mark-price`.
    """
    derived = ex.get_market(market_id).derived_mark
    if derived is not None and price != derived[1]:
        seq, mark = derived
        raise SpecError(
            f"price: {format_number(price)} is not the mark the index record of seq {seq} "
            f"derives ({format_number(mark)})"
        )
