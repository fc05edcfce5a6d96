"""Ledger mutations: each turns a valid ledger into one that breaks exactly one invariant.

The audit's teeth (issue 6, item 4): for every check in the default set, an operator that
takes a valid simulated ledger and returns ``(mutated ledger, seq)``, where ``seq`` is the
record the audit must flag with that check, and only that check. Each operator keeps every
other invariant intact: a moved price has its difference booked, a dropped entry leaves the
rest of the settlement as it was. An operator raises :class:`NoSiteError` when the ledger offers no
place for it (the self-test builds ledgers that do).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from fractions import Fraction

from perpspec.audit.book import AuditBook, get_side_sign
from perpspec.audit.run import AuditOptions, audit_events
from perpspec.reference.engine.inputs import compute_funding_payments
from perpspec.reference.engine.state import is_system_account
from perpspec.reference.events import (
    AdlEvent,
    Event,
    FundingEvent,
    IndexEvent,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarkEvent,
    RejectionEvent,
    SocializedLossEvent,
    TradeEvent,
    WithdrawalEvent,
)
from perpspec.reference.insurance.fund import get_fund_account
from perpspec.reference.margin.pnl import Position, apply_fill
from perpspec.reference.prices.position_prices import MarginMode

__all__ = ["MUTATIONS", "Mutation", "NoSiteError", "insert_event"]

Mutation = Callable[[list[Event]], tuple[list[Event], int]]


class NoSiteError(Exception):
    """The ledger has no place where this operator applies."""


# ---- helpers ----------------------------------------------------------------------------


def insert_event(events: Sequence[Event], index: int, event: Event) -> tuple[list[Event], int]:
    """Insert ``event`` before ``events[index]``, renumbering what follows (and the inputs
    rejections name); return the ledger and the inserted event's seq."""
    seq = events[index].seq if index < len(events) else events[-1].seq + 1
    out = [*events[:index], dataclasses.replace(event, seq=seq)]
    for later in events[index:]:
        moved = dataclasses.replace(later, seq=later.seq + 1)
        if isinstance(moved, RejectionEvent) and moved.input >= seq:
            moved = dataclasses.replace(moved, input=moved.input + 1)
        out.append(moved)
    return out, seq


def _book_before(events: Sequence[Event], index: int) -> AuditBook:
    """The audit's books after ``events[:index]`` (no checks)."""
    items = ((i + 1, e) for i, e in enumerate(events[:index]))
    _, auditor = audit_events(items, "-", AuditOptions(checks=frozenset()))
    return auditor.book


def _settlements(events: Sequence[Event]) -> list[tuple[int, list[int]]]:
    """(index of each liquidation, indexes of its tail events)."""
    found: list[tuple[int, list[int]]] = []
    for i, event in enumerate(events):
        if isinstance(event, LiquidationEvent):
            tail = []
            for j in range(i + 1, len(events)):
                later = events[j]
                if (
                    isinstance(later, LiquidationFillEvent | AdlEvent | InsuranceEvent)
                    and (later.liquidation == event.id)
                ) or (isinstance(later, SocializedLossEvent) and event.id in later.liquidations):
                    tail.append(j)
                else:
                    break
            found.append((i, tail))
    return found


def _of(events: Sequence[Event], indexes: list[int], kind: type[Event]) -> list[int]:
    return [i for i in indexes if isinstance(events[i], kind)]


def _reason(events: Sequence[Event], indexes: list[int], reason: str) -> list[int]:
    found = []
    for i in indexes:
        event = events[i]
        if isinstance(event, InsuranceEvent) and event.reason == reason:
            found.append(i)
    return found


def _instrument(events: Sequence[Event], market: str) -> tuple[Fraction, Fraction, Fraction]:
    for event in events:
        if isinstance(event, InstrumentEvent) and event.market == market:
            return event.tick_size, event.lot_size, event.multiplier
    raise NoSiteError(f"no instrument for {market}")


def _realized(
    kind: str, multiplier: Fraction, side: int, qty: Fraction, entry: Fraction, price: Fraction
) -> Fraction:
    from perpspec.reference.instrument import ContractKind

    _, realized = apply_fill(
        ContractKind(kind), multiplier, Position(side * qty, entry), -side * qty, price
    )
    return realized


def _kind(events: Sequence[Event], market: str) -> str:
    for event in events:
        if isinstance(event, InstrumentEvent) and event.market == market:
            return event.kind
    raise NoSiteError(market)


def _next_input(events: Sequence[Event], start: int) -> int:
    """The index of the first input at or after ``start`` (the end when none)."""
    from perpspec.reference.events import INPUT_TYPES

    for i in range(start, len(events)):
        if events[i].TYPE in INPUT_TYPES:
            return i
    return len(events)


def _append_after_last(events: list[Event], event: Event) -> tuple[list[Event], int]:
    return insert_event(events, len(events), event)


# ---- the operators ----------------------------------------------------------------------


def mutate_seq_order(events: list[Event]) -> tuple[list[Event], int]:
    """A repeated seq: an emitted event stamped with its predecessor's number."""
    for i in range(1, len(events)):
        if isinstance(events[i], InsuranceEvent):
            out = list(events)
            out[i] = dataclasses.replace(events[i], seq=events[i - 1].seq)
            return out, events[i - 1].seq
    raise NoSiteError("no insurance entry")


def mutate_references(events: list[Event]) -> tuple[list[Event], int]:
    """A withdrawal by an account the ledger never funded."""
    last = events[-1]
    return _append_after_last(
        events, WithdrawalEvent(0, last.ts, "ghost-account", "USDT", Fraction(1))
    )


def mutate_conservation(events: list[Event]) -> tuple[list[Event], int]:
    """An insurance entry outside any liquidation: the fund gains 1 from no account."""
    fund = next(e.fund for e in events if isinstance(e, InstrumentEvent))
    return _append_after_last(
        events, InsuranceEvent(0, events[-1].ts, fund, Fraction(1), "transfer", None)
    )


def mutate_funding(events: list[Event]) -> tuple[list[Event], int]:
    """A funding at the end of the ledger whose payments are those of twice its rate: still
    zero-sum, so only the rule sees it."""
    book = _book_before(events, len(events))
    rate = Fraction(1, 10_000)
    for market_id, market in sorted(book.ex.state.markets.items()):
        if market.mark is None:
            continue
        payments = compute_funding_payments(book.ex.state, market, 2 * rate)
        if payments:
            event = FundingEvent(0, events[-1].ts, market_id, rate, payments)
            return _append_after_last(events, event)
    raise NoSiteError("no market with open positions")


def mutate_oi_balance(events: list[Event]) -> tuple[list[Event], int]:
    """A liquidation that takes over one lot more than the isolated position held (the
    extra lot filled at the bankruptcy price, and bought back by the trader right after)."""
    for index, tail in _settlements(events):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        if liquidation.margin_mode != "isolated" or liquidation.bankruptcy_price is None:
            continue
        book = _book_before(events, index)
        wallet = book.ex.state.accounts[liquidation.account].wallet.get("USDT", Fraction(0))
        _, lot, _ = _instrument(events, liquidation.market)
        if wallet < 1000 or not tail:
            continue
        price = liquidation.bankruptcy_price
        out = list(events)
        out[index] = dataclasses.replace(liquidation, qty=liquidation.qty + lot)
        fill = LiquidationFillEvent(0, liquidation.ts, liquidation.id, lot, price, "market-maker")
        out, _ = insert_event(out, index + 1, fill)
        after = _next_input(out, index + 2 + len(tail))
        buyer, seller = (liquidation.account, "market-maker")
        if liquidation.side == "short":
            buyer, seller = seller, buyer
        back = TradeEvent(
            0,
            liquidation.ts,
            liquidation.market,
            buyer,
            seller,
            lot,
            price,
            Fraction(0),
            Fraction(0),
        )
        out, _ = insert_event(out, after, back)
        return out, liquidation.seq
    raise NoSiteError("no isolated liquidation with a funded wallet")


def mutate_fund_nonnegative(events: list[Event]) -> tuple[list[Event], int]:
    """A withdrawal from an insurance fund of more than it holds."""
    for event in events:
        if isinstance(event, InsuranceEvent):
            return _append_after_last(
                events,
                WithdrawalEvent(
                    0, events[-1].ts, f"insurance:{event.fund}", "USDT", Fraction(10**12)
                ),
            )
    raise NoSiteError("no insurance fund")


def mutate_liquidation_settled(events: list[Event]) -> tuple[list[Event], int]:
    """One more lot sold by the engine at the bankruptcy price after a walk without ADL: no
    surplus changes hands (so every settlement entry stays right), but the engine account is
    left short that lot."""
    lots = {e.market: e.lot_size for e in events if isinstance(e, InstrumentEvent)}
    for index, tail in reversed(_settlements(events)):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        fills = _of(events, tail, LiquidationFillEvent)
        lot = lots.get(liquidation.market)
        if not fills or _of(events, tail, AdlEvent) or liquidation.bankruptcy_price is None:
            continue
        if fills != tail[: len(fills)] or lot is None:
            continue
        fill = events[fills[-1]]
        assert isinstance(fill, LiquidationFillEvent)
        extra = dataclasses.replace(fill, qty=lot, price=liquidation.bankruptcy_price)
        out, _ = insert_event(events, fills[-1] + 1, extra)
        return out, liquidation.seq
    raise NoSiteError("no liquidation closed by fills alone")


def mutate_no_negative_balance(events: list[Event]) -> tuple[list[Event], int]:
    """A trader with no position withdraws 1 more than its wallet holds, then deposits it
    back at once: its cross equity is -1 between the two."""
    from perpspec.reference.events import DepositEvent

    for index, event in enumerate(events):
        if not isinstance(event, DepositEvent) or is_system_account(event.account):
            continue
        book = _book_before(events, index + 1)
        holder = book.ex.state.accounts[event.account]
        if any(p.qty for p in holder.positions.values()):
            continue
        amount = holder.wallet.get(event.asset, Fraction(0)) + 1
        withdrawal = WithdrawalEvent(0, event.ts, event.account, event.asset, amount)
        out, seq = insert_event(events, index + 1, withdrawal)
        deposit = DepositEvent(0, event.ts, event.account, event.asset, amount)
        out, _ = insert_event(out, index + 2, deposit)
        return out, seq
    raise NoSiteError("no deposit of a trader without a position")


def mutate_liq_settlement(events: list[Event]) -> tuple[list[Event], int]:
    """The entry handing a liquidated trader's remaining margin to the fund deleted: the trader
    keeps the money, the fund misses it, conservation still holds."""
    for index, tail in reversed(_settlements(events)):
        margin = _reason(events, tail, "liquidation_margin")
        if margin:
            return [e for i, e in enumerate(events) if i != margin[0]], events[index].seq
    raise NoSiteError("no liquidation_margin entry")


def _adl_sites(events: list[Event]) -> list[tuple[int, list[int]]]:
    return [
        (i, _of(events, tail, AdlEvent))
        for i, tail in _settlements(events)
        if _of(events, tail, AdlEvent)
    ]


def mutate_adl_side(events: list[Event]) -> tuple[list[Event], int]:
    """The last ADL fill of a liquidation given to a trader on the liquidated side."""
    for index, adls in reversed(_adl_sites(events)):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        book = _book_before(events, adls[-1])
        side = get_side_sign(liquidation.side)
        same = sorted(
            (book.ex.compute_equity(a, "USDT"), a)
            for a, h in book.ex.state.accounts.items()
            if not a.startswith(("engine:", "insurance:"))
            and a != liquidation.account
            and h.positions.get(liquidation.market) is not None
            and h.positions[liquidation.market].qty * side > 0
            and h.positions[liquidation.market].mode is MarginMode.CROSS
        )
        if same:
            out = list(events)
            fill = events[adls[-1]]
            assert isinstance(fill, AdlEvent)
            out[adls[-1]] = dataclasses.replace(fill, account=same[-1][1])
            return out, events[adls[-1]].seq
    raise NoSiteError("no same-side trader")


def mutate_adl_no_flip(events: list[Event]) -> tuple[list[Event], int]:
    """The first ADL fill takes one lot more than its counterparty holds (the last fill one
    lot less, so the total stays right)."""
    for index, adls in _adl_sites(events):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        _, lot, _ = _instrument(events, liquidation.market)
        first, last = events[adls[0]], events[adls[-1]]
        assert isinstance(first, AdlEvent) and isinstance(last, AdlEvent)
        if len(adls) < 2 or last.qty <= lot or first.account == last.account:
            continue
        out = list(events)
        out[adls[0]] = dataclasses.replace(first, qty=first.qty + lot)
        out[adls[-1]] = dataclasses.replace(last, qty=last.qty - lot)
        return out, first.seq
    raise NoSiteError("no liquidation with two ADL fills")


def mutate_adl_qty(events: list[Event]) -> tuple[list[Event], int]:
    """The last ADL fill of a liquidation one lot short of the remainder."""
    for index, adls in reversed(_adl_sites(events)):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        _, lot, _ = _instrument(events, liquidation.market)
        last = events[adls[-1]]
        assert isinstance(last, AdlEvent)
        if last.qty > lot:
            out = list(events)
            out[adls[-1]] = dataclasses.replace(last, qty=last.qty - lot)
            return out, liquidation.seq
    raise NoSiteError("no ADL fill above one lot")


def _covered_by_system_loss(
    events: list[Event], index: int, tail: list[int], gain: Fraction
) -> bool:
    """The settlement ends with the fund empty and ``system_loss`` taking at least ``gain`` of
    the engine's remaining loss: a fill at the mark whose gap the fund could not pay."""
    liquidation = events[index]
    assert isinstance(liquidation, LiquidationEvent)
    before, after = _book_before(events, index), _book_before(events, tail[-1] + 1)
    asset = after.ex.state.markets[liquidation.market].instrument.settle_asset
    fund = next(e.fund for e in (events[i] for i in tail) if isinstance(e, InsuranceEvent))
    taken = before.get_cash("system_loss", asset) - after.get_cash("system_loss", asset)
    return after.get_cash(get_fund_account(fund), asset) <= 0 and taken >= gain


def mutate_adl_price(events: list[Event]) -> tuple[list[Event], int]:
    """An ADL fill moved one tick off its price (the bankruptcy price, or the mark under
    ``adl.fill_price = "mark"``), in the engine's favour, cash still conserved and the engine
    ending flat: the gain booked to the fund, or, when the fund ended the settlement empty and
    ``system_loss`` takes the engine's remaining loss, left to lower that loss (a fund entry
    would make the fund non-empty and change how every later settlement is booked)."""
    for index, tail in _settlements(events):
        adls = _of(events, tail, AdlEvent)
        if not adls:
            continue
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        if liquidation.bankruptcy_price is None:
            continue
        tick, _, multiplier = _instrument(events, liquidation.market)
        side = get_side_sign(liquidation.side)
        fill = events[adls[-1]]
        assert isinstance(fill, AdlEvent)
        price = fill.price + side * tick
        gain = _realized(
            _kind(events, liquidation.market), multiplier, side, fill.qty, fill.price, price
        )
        fund = next(
            e.fund
            for e in events
            if isinstance(e, InsuranceEvent) and e.liquidation == liquidation.id
        )
        out = list(events)
        out[adls[-1]] = dataclasses.replace(fill, price=price)
        if _covered_by_system_loss(events, index, tail, gain):
            return out, fill.seq
        entry = InsuranceEvent(0, fill.ts, fund, gain, "liquidation_surplus", liquidation.id)
        out, _ = insert_event(out, adls[-1] + 1, entry)
        return out, fill.seq
    raise NoSiteError("no ADL fill")


def mutate_adl_order(events: list[Event]) -> tuple[list[Event], int]:
    """Two ADL fills of a liquidation in swapped order: rank 2 touched while rank 1 keeps
    its size."""
    for _, adls in _adl_sites(events):
        if len(adls) >= 2:
            first, second = events[adls[0]], events[adls[1]]
            out = list(events)
            out[adls[0]] = dataclasses.replace(second, seq=first.seq)
            out[adls[1]] = dataclasses.replace(first, seq=second.seq)
            return out, first.seq
    raise NoSiteError("no liquidation with two ADL fills")


def mutate_liq_trigger(events: list[Event]) -> tuple[list[Event], int]:
    """A liquidation at a mark where the account was still safe: the triggering mark (and
    the liquidation's ``mark_price``) set back to the market's previous mark."""
    marks: dict[str, tuple[int, Fraction]] = {}
    previous: dict[int, Fraction] = {}
    for i, event in enumerate(events):
        if isinstance(event, MarkEvent):
            if event.market in marks:
                previous[i] = marks[event.market][1]
            marks[event.market] = (i, event.price)
    for index, tail in _settlements(events):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        mark_index = index - 1
        if not isinstance(events[mark_index], MarkEvent) or mark_index not in previous:
            continue
        after = index + len(tail) + 1
        if _of(events, tail, AdlEvent) or liquidation.margin_mode != "isolated":
            continue
        if after < len(events) and events[after].TYPE == "liquidation":
            continue
        price = previous[mark_index]
        out = list(events)
        mark = events[mark_index]
        assert isinstance(mark, MarkEvent)
        out[mark_index] = dataclasses.replace(mark, price=price)
        out[index] = dataclasses.replace(liquidation, mark_price=price)
        return out, liquidation.seq
    raise NoSiteError("no isolated liquidation alone at its mark")


def mutate_liq_complete(events: list[Event]) -> tuple[list[Event], int]:
    """The last liquidation (and its settlement) removed: the account stands liquidatable."""
    index, tail = _settlements(events)[-1]
    liquidation = events[index]
    assert isinstance(liquidation, LiquidationEvent)
    marks = [e for e in events[:index] if isinstance(e, MarkEvent)]
    mark = next(m for m in reversed(marks) if m.market == liquidation.market)
    dropped = {index, *tail}
    return [e for i, e in enumerate(events) if i not in dropped], mark.seq


def mutate_bankruptcy_price(events: list[Event]) -> tuple[list[Event], int]:
    """A stated bankruptcy price one tick in the trader's favour, used consistently (the
    takeover, the ADL fills, and the fund's share of the margin all follow it)."""
    for index, tail in _settlements(events):
        liquidation = events[index]
        assert isinstance(liquidation, LiquidationEvent)
        adls = _of(events, tail, AdlEvent)
        margin = _reason(events, tail, "liquidation_margin")
        if (
            not adls
            or _of(events, tail, LiquidationFillEvent)
            or not margin
            or liquidation.bankruptcy_price is None
        ):
            continue
        tick, _, multiplier = _instrument(events, liquidation.market)
        side = get_side_sign(liquidation.side)
        price = liquidation.bankruptcy_price + side * tick
        gain = _realized(
            _kind(events, liquidation.market),
            multiplier,
            side,
            liquidation.qty,
            liquidation.bankruptcy_price,
            price,
        )
        entry = events[margin[0]]
        assert isinstance(entry, InsuranceEvent)
        out = list(events)
        out[index] = dataclasses.replace(liquidation, bankruptcy_price=price)
        # The trader loses ``gain`` less at the takeover, so it has that much more to hand
        # to the fund (liq-settlement recomputes the entry from the stated price).
        out[margin[0]] = dataclasses.replace(entry, amount=entry.amount + gain)
        for i in adls:
            fill = events[i]
            assert isinstance(fill, AdlEvent)
            out[i] = dataclasses.replace(fill, price=price)
        return out, liquidation.seq
    raise NoSiteError("no ADL-only liquidation with a margin entry")


def _socialized_entries(events: list[Event]) -> list[tuple[int, list[int], list[int]]]:
    sites = []
    for index, tail in _settlements(events):
        fund = _reason(events, tail, "socialized_loss")
        charges = _of(events, tail, SocializedLossEvent)
        if charges:
            sites.append((index, fund, charges))
    return sites


def mutate_fund_first(events: list[Event]) -> tuple[list[Event], int]:
    """The fund pays half its share of a socialized loss (the rest left to system_loss)."""
    for _, fund, _ in reversed(_socialized_entries(events)):
        for i in fund:
            entry = events[i]
            assert isinstance(entry, InsuranceEvent)
            if entry.amount < 0:
                out = list(events)
                out[i] = dataclasses.replace(entry, amount=entry.amount / 2)
                return out, entry.seq
    raise NoSiteError("no fund share of a socialized loss")


def mutate_sl_cap(events: list[Event]) -> tuple[list[Event], int]:
    """A socialized charge raised to one above the account's profit, in the ledger's last
    socialized loss, on the charged account with the most equity to spare (the excess booked
    to the fund so the engine still ends flat)."""
    from perpspec.reference.engine.accounts import compute_position_upnl

    sites = _socialized_entries(events)
    if not sites:
        raise NoSiteError("no socialized charge")
    index, _, charges = sites[-1]
    liquidation = events[index]
    assert isinstance(liquidation, LiquidationEvent)
    book = _book_before(events, charges[0])
    market = book.ex.state.markets[liquidation.market]
    options: list[tuple[Fraction, int, Fraction]] = []
    for at in charges:
        charge = events[at]
        assert isinstance(charge, SocializedLossEvent)
        position = book.get_position(charge.account, liquidation.market)
        if position is None:
            continue
        profit = compute_position_upnl(market, position)
        spare = book.ex.compute_equity(charge.account, market.instrument.settle_asset) - profit
        options.append((spare, at, profit + 1 - charge.amount))
    if not options:
        raise NoSiteError("no charged position")
    _, at, excess = max(options)
    charge = events[at]
    assert isinstance(charge, SocializedLossEvent)
    fund = next(e.fund for e in events if isinstance(e, InsuranceEvent))
    out = list(events)
    out[at] = dataclasses.replace(charge, amount=charge.amount + excess)
    entry = InsuranceEvent(0, charge.ts, fund, excess, "liquidation_surplus", liquidation.id)
    out, _ = insert_event(out, charges[-1] + 1, entry)
    return out, charge.seq


def mutate_sl_participants(events: list[Event]) -> tuple[list[Event], int]:
    """A participant charged half its share (the shortfall left to system_loss)."""
    for _, _, charges in reversed(_socialized_entries(events)):
        charge = events[charges[0]]
        assert isinstance(charge, SocializedLossEvent)
        out = list(events)
        out[charges[0]] = dataclasses.replace(charge, amount=charge.amount / 2)
        return out, charge.seq
    raise NoSiteError("no socialized charge")


#: One operator per check id of the default set.
def mutate_trade_fee(events: list[Event]) -> tuple[list[Event], int]:
    """The last accepted trade's buyer fee raised by 10**-8: booked as stated, so cash is
    conserved; only the profile's rates see it."""
    rejected = {e.input for e in events if isinstance(e, RejectionEvent)}
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, TradeEvent) and event.seq not in rejected:
            out = list(events)
            out[i] = dataclasses.replace(event, buyer_fee=event.buyer_fee + Fraction(1, 10**8))
            return out, event.seq
    raise NoSiteError("no accepted trade")


def _scale_index_record(record: IndexEvent, factor: Fraction) -> IndexEvent:
    """The record with every price scaled by ``factor``: its index and fair price scale
    with it, its premium sample (a ratio) does not."""
    quotes = tuple(dataclasses.replace(q, price=q.price * factor) for q in record.sources)

    def scaled(value: Fraction | None) -> Fraction | None:
        return None if value is None else value * factor

    return dataclasses.replace(
        record,
        sources=quotes,
        price=scaled(record.price),
        last_price=scaled(record.last_price),
        basis_average=scaled(record.basis_average),
        impact_bid=scaled(record.impact_bid),
        impact_ask=scaled(record.impact_ask),
    )


def mutate_mark_price(events: list[Event]) -> tuple[list[Event], int]:
    """A liquidation's mark stated below what its inputs give: the index record before the
    triggering mark scaled so that it derives the market's previous mark, at which the
    account was safe. The stated mark (and so the trigger) is unchanged; only the record
    betrays it."""
    last: dict[str, tuple[int, Fraction]] = {}
    for index, event in enumerate(events):
        if isinstance(event, MarkEvent):
            record = events[index - 1] if index else None
            previous = last.get(event.market)
            last[event.market] = (index, event.price)
            following = events[index + 1] if index + 1 < len(events) else None
            if (
                not isinstance(record, IndexEvent)
                or record.market != event.market
                or previous is None
                or previous[1] <= event.price
                or not isinstance(following, LiquidationEvent)
                or following.side != "long"
            ):
                continue
            out = list(events)
            out[index - 1] = _scale_index_record(record, previous[1] / event.price)
            return out, event.seq
    raise NoSiteError("no long liquidated at a falling mark derived from an index record")


def mutate_funding_rate(events: list[Event]) -> tuple[list[Event], int]:
    """A funding at the end of the ledger at a rate 0.01% above the one the premium samples
    since the market's last funding give, its payments those of that rate (so ``funding``
    holds)."""
    from perpspec.reference.mark.from_index import (
        compute_funding_rate_of_samples,
        derive_from_index,
    )
    from perpspec.reference.profile import load_profile

    profile = load_profile("bitmex")
    assert profile.funding is not None
    samples: dict[str, list[Fraction]] = {}
    for event in events:
        if isinstance(event, FundingEvent):
            samples.pop(event.market, None)
        elif isinstance(event, IndexEvent):
            premium = derive_from_index(event, profile.index, profile.mark).premium
            if premium is not None:
                samples.setdefault(event.market, []).append(premium)
    book = _book_before(events, len(events))
    for market_id, premiums in sorted(samples.items()):
        market = book.ex.state.markets[market_id]
        rate = compute_funding_rate_of_samples(premiums, profile.funding) + Fraction(1, 10_000)
        payments = compute_funding_payments(book.ex.state, market, rate)
        if payments and market.mark is not None:
            return _append_after_last(
                events, FundingEvent(0, events[-1].ts, market_id, rate, payments)
            )
    raise NoSiteError("no premium sample after a market's last funding")


MUTATIONS: dict[str, Mutation] = {
    "seq-order": mutate_seq_order,
    "references": mutate_references,
    "conservation": mutate_conservation,
    "funding": mutate_funding,
    "oi-balance": mutate_oi_balance,
    "fund-nonnegative": mutate_fund_nonnegative,
    "liquidation-settled": mutate_liquidation_settled,
    "liq-settlement": mutate_liq_settlement,
    "no-negative-balance": mutate_no_negative_balance,
    "adl-side": mutate_adl_side,
    "adl-no-flip": mutate_adl_no_flip,
    "adl-qty": mutate_adl_qty,
    "adl-price": mutate_adl_price,
    "trade-fee": mutate_trade_fee,
    "adl-order": mutate_adl_order,
    "liq-trigger": mutate_liq_trigger,
    "liq-complete": mutate_liq_complete,
    "bankruptcy-price": mutate_bankruptcy_price,
    "fund-first": mutate_fund_first,
    "sl-cap": mutate_sl_cap,
    "sl-participants": mutate_sl_participants,
    "mark-price": mutate_mark_price,
    "funding-rate": mutate_funding_rate,
}
