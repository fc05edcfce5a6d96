"""The audit's checks: one small stateful visitor per check id (DESIGN, Invariants).

Every check sees the events in ledger order through four hooks, each returning the
violations it found (and counting the events it examined):

- ``before(event, line, ctx)``: before the event's bookkeeping (the state it acted on);
- ``examine(event, line, ctx)``: after it;
- ``on_close(settlement, ctx)``: when a liquidation's settlement has ended;
- ``on_mark_settled(event, line, ctx)``: when every event a mark caused has been read.

Rules come from the reference, never re-derived here: prices from
``compute_bankruptcy_price`` / ``compute_liquidation_price`` and ``round_position_price``,
trigger conditions from the engine's account functions, the ADL ranking from
``rank_counterparties``, socialized-loss shares from ``compute_liquidation_share``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from perpspec.audit.book import AuditBook, Settlement, get_side_sign, get_takeover_price
from perpspec.audit.report import Violation
from perpspec.reference.adl.allocation import AllocationPolicy, FillPrice, get_adl_fill_price
from perpspec.reference.engine.accounts import (
    compute_cross_equity,
    compute_position_mm,
    compute_position_upnl,
    is_position_isolated_liquidatable,
    iter_cross_positions,
)
from perpspec.reference.engine.inputs import compute_funding_payments
from perpspec.reference.engine.state import get_engine_account, is_system_account
from perpspec.reference.engine.waterfall import list_sl_positions, rank_counterparties
from perpspec.reference.errors import SpecError
from perpspec.reference.events import (
    AdlEvent,
    BalanceEvent,
    DepositEvent,
    Event,
    FundingEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    SocializedLossEvent,
    TradeEvent,
    WithdrawalEvent,
    get_time_key,
)
from perpspec.reference.insurance.fund import get_fund_account
from perpspec.reference.liquidation.settlement import (
    FeeTo,
    SurplusTo,
    compute_liquidation_fee,
    compute_liquidation_fee_base,
    compute_surplus_split,
)
from perpspec.reference.margin.pnl import compute_position_value
from perpspec.reference.numbers import format_number
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_bankruptcy_price,
    compute_liquidation_price,
    round_position_price,
)
from perpspec.reference.profile import LastResort, LiquidationMode, Profile
from perpspec.reference.socialized_loss.process import (
    SocializedLossParams,
    compute_liquidation_share,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossMethod
from perpspec.reference.trading_fee import compute_trading_fee

__all__ = [
    "ALL_CHECKS",
    "CHECK_CLASSES",
    "AuditContext",
    "Check",
    "fmt",
]

ZERO = Fraction(0)

#: (fund payment, charges by account, the positions the method saw, by account).
SocializedShare = tuple[Fraction, dict[str, Fraction], dict[str, SlPosition]]


def fmt(value: Fraction | None) -> str:
    """An exact number as the ledger writes it; ``none`` for None."""
    return "none" if value is None else format_number(value)


def _diff(found: Fraction | None, expected: Fraction | None) -> str | None:
    if found is None or expected is None:
        return None
    return format_number(found - expected)


class AuditContext:
    """What a check may read: the rebuilt book, the profile, and how to make a violation."""

    def __init__(
        self, file: str, book: AuditBook, profile: Profile | None, unit: Fraction | None = None
    ) -> None:
        self.file = file
        self.book = book
        self.profile = profile
        #: The settlement unit the ledger's engine booked socialized charges in (None: exact).
        self.unit = unit
        self.pending_rejection: int | None = None
        self.skip = False
        self.shares: dict[str, SocializedShare | None] = {}

    def prepare(self, event: Event) -> None:
        """Before the first socialized entry of a settlement is booked, recompute the
        method's shares from the state it acted on."""
        settlement = self.book.settlement
        if self.profile is None or settlement is None or settlement.event.id in self.shares:
            return
        if isinstance(event, SocializedLossEvent) or (
            isinstance(event, InsuranceEvent) and event.reason == "socialized_loss"
        ):
            self.shares = {settlement.event.id: compute_share(self, settlement)}

    def get_share(self, settlement: Settlement) -> SocializedShare | None:
        """The recomputed shares of ``settlement`` (None: not computable or no loss)."""
        return self.shares.get(settlement.event.id)

    def violation(
        self,
        check: str,
        line: int,
        event: Event,
        expected: str,
        found: str,
        difference: str | None,
        hint: str,
    ) -> Violation:
        """A violation at ``line``, with the record re-encoded from ``event``."""
        from perpspec.audit.records import make_violation

        return make_violation(self.file, check, line, event, expected, found, difference, hint)


class Check:
    """One check id: hooks that return violations, and a counter of examined events."""

    id: ClassVar[str] = ""
    needs_profile: ClassVar[bool] = False

    def __init__(self) -> None:
        self.examined = 0

    def arrive(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        """As the event is read (before the rejection look-ahead)."""
        return []

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        """Before the event's bookkeeping."""
        return []

    def examine(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        """After the event's bookkeeping."""
        return []

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        """When a liquidation's settlement has ended."""
        return []

    def on_mark_settled(self, event: MarkEvent, line: int, ctx: AuditContext) -> list[Violation]:
        """When every event a mark caused has been read."""
        return []


# ---- no profile needed ----------------------------------------------------------------


class SeqOrder(Check):
    """``seq-order``: sequence numbers strictly increase, and timestamps never decrease,
    along the ledger (one violation per record: the seq's, when both are out of order; a
    time is compared with the event before it)."""

    id = "seq-order"

    def __init__(self) -> None:
        super().__init__()
        self.last: int | None = None
        self.last_ts = ""
        self.last_time_key = ""

    def arrive(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        last, self.last = self.last, event.seq if self.last is None else max(self.last, event.seq)
        if last is None or event.seq > last:
            return self._check_time(event, line, ctx)
        kind = "duplicate" if event.seq == last else "decreasing"
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"seq > {last}",
                f"seq {event.seq} ({kind})",
                str(event.seq - last),
                "a ledger is ordered by seq; look for a dropped, repeated or reordered line",
            )
        ]

    def _check_time(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        # Against the event before, not the latest time so far: one line dated wrong is then
        # one violation (at itself if dated back, at the next line if dated ahead), not one
        # for every line after it.
        if event.ts == self.last_ts:
            return []
        key = get_time_key(event.ts)
        previous, previous_key = self.last_ts, self.last_time_key
        self.last_ts, self.last_time_key = event.ts, key
        if key >= previous_key:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"ts at or after {previous} (the event before)",
                f"ts {event.ts} (earlier)",
                None,
                "events are written in time order; this line or the one before is dated "
                "wrong (a moved line, or a clock that jumped)",
            )
        ]


def _market_of(event: Event) -> str | None:
    market = getattr(event, "market", None)
    return market if isinstance(market, str) else None


class References(Check):
    """``references``: every event names a defined market, a known account, the liquidation
    being settled. An event that cannot be booked is reported and left out of the books.

    "Known" includes the account's role (DESIGN, Ledger: the system accounts are the
    ``insurance:<fund>``, ``engine:<market>``, ``fees`` and ``system_loss`` books, moved only
    by the waterfall's own rules): a trade, a liquidation fill, an ADL fill or a socialized
    charge names trader accounts only; a fill never names the liquidated account as its own
    counterparty; a liquidation's insurance entries name the fund its market's instrument
    names; a socialized charge names only liquidation ids the ledger has stated. Deposits and
    withdrawals may also move an insurance fund (a top-up) or ``fees`` (revenue taken out),
    never ``engine:<market>`` or ``system_loss``; a margin transfer is a trader's only.
    """

    id = "references"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        problem = self._find_problem(event, ctx)
        if problem is not None:
            ctx.skip = True
        else:
            # A misused account or fund can still be booked: the rest of the ledger is then
            # audited as written, so only this record is flagged.
            problem = self._find_role_problem(event) or self._find_misuse(event, ctx)
        if problem is None:
            return []
        expected, found, hint = problem
        return [ctx.violation(self.id, line, event, expected, found, None, hint)]

    def _find_problem(self, event: Event, ctx: AuditContext) -> tuple[str, str, str] | None:
        book = ctx.book
        market = _market_of(event)
        if market is not None and not isinstance(
            event, LiquidationEvent | MarkEvent | TradeEvent | FundingEvent | MarginTransferEvent
        ):
            market = None
        if market is not None and book.get_market(market) is None:
            return (
                "a market defined by an earlier instrument event",
                f"market {market!r}",
                "an instrument event must precede every event on its market",
            )
        for account in _accounts_of(event):
            if not book.is_known_account(account):
                return (
                    "an account funded by an earlier deposit",
                    f"account {account!r}",
                    "every trader appears first in a deposit; is one missing, or is this "
                    "account misspelled?",
                )
        return self._find_settlement_problem(event, ctx)

    @staticmethod
    def _find_role_problem(event: Event) -> tuple[str, str, str] | None:
        if isinstance(event, DepositEvent | WithdrawalEvent | MarginTransferEvent) and (
            event.account.startswith("engine:")
            or event.account == "system_loss"
            or (isinstance(event, MarginTransferEvent) and is_system_account(event.account))
        ):
            others = "" if isinstance(event, MarginTransferEvent) else ", an insurance fund or fees"
            return (
                f"a {event.TYPE.replace('_', ' ')} by a trader{others}",
                f"the account {event.account!r}",
                "the engine accounts and system_loss are the waterfall's own books: cash "
                "reaches them only through its entries",
            )
        if isinstance(event, TradeEvent | LiquidationFillEvent | AdlEvent | SocializedLossEvent):
            for account in _accounts_of(event):
                if is_system_account(account):
                    return (
                        f"a trader account in a {event.TYPE} event",
                        f"the system account {account!r}",
                        "insurance funds, engine accounts, fees and system_loss move only "
                        "through the waterfall's own entries, never as a party to a fill or "
                        "a charge",
                    )
        return None

    @staticmethod
    def _find_misuse(event: Event, ctx: AuditContext) -> tuple[str, str, str] | None:
        """Inside the open settlement (``_find_settlement_problem`` has placed the event)."""
        settlement = ctx.book.settlement
        if settlement is None:
            return None
        open_id = settlement.event.id
        if isinstance(event, LiquidationFillEvent | AdlEvent):
            party = event.counterparty if isinstance(event, LiquidationFillEvent) else event.account
            if party == settlement.event.account:
                return (
                    f"a counterparty other than {party}, whose position {open_id} took over",
                    f"{event.TYPE} with {party!r}",
                    "the liquidated account cannot take the other side of its own liquidation",
                )
        if isinstance(event, SocializedLossEvent):
            known = ctx.book.liquidation_ids
            if len(set(event.liquidations)) != len(event.liquidations) or not all(
                lid in known for lid in event.liquidations
            ):
                return (
                    "liquidations stated earlier in the ledger, each once",
                    f"liquidations {list(event.liquidations)!r}",
                    "a socialized charge names the liquidations whose loss it covers",
                )
        if (
            isinstance(event, InsuranceEvent)
            and event.liquidation is not None
            and event.fund != settlement.fund
        ):
            return (
                f"fund {settlement.fund!r}, the fund of {settlement.event.market}",
                f"fund {event.fund!r}",
                "a liquidation's insurance entries go to the fund its market's instrument names",
            )
        return None

    def _find_settlement_problem(
        self, event: Event, ctx: AuditContext
    ) -> tuple[str, str, str] | None:
        book = ctx.book
        settlement = book.settlement
        open_id = settlement.event.id if settlement is not None else None
        hint = "outputs of a liquidation follow its liquidation event, before any other event"
        if isinstance(event, LiquidationFillEvent | AdlEvent) and event.liquidation != open_id:
            return (
                f"liquidation {open_id or '(none open)'!s}",
                f"liquidation {event.liquidation!r}",
                hint,
            )
        if isinstance(event, SocializedLossEvent) and open_id not in event.liquidations:
            return (
                f"liquidations naming {open_id or '(none open)'!s}",
                f"liquidations {list(event.liquidations)!r}",
                hint,
            )
        if isinstance(event, InsuranceEvent):
            if event.fund not in book.fund_assets:
                return (
                    "a fund named by an instrument",
                    f"fund {event.fund!r}",
                    "an insurance fund exists once an instrument names it",
                )
            assets = book.fund_assets[event.fund]
            if event.liquidation is None and len(assets) > 1:
                return (
                    "a liquidation named (its market gives the asset)",
                    f"fund {event.fund!r} of {', '.join(sorted(assets))}, no liquidation",
                    "an insurance entry names no asset: outside a liquidation, a fund shared "
                    "by markets of several settle assets leaves it unknown",
                )
            if event.liquidation is not None and event.liquidation != open_id:
                return (
                    f"liquidation {open_id or '(none open)'!s}",
                    f"liquidation {event.liquidation!r}",
                    hint,
                )
        if isinstance(event, LiquidationEvent) and event.id in book.liquidation_ids:
            return (
                "a new liquidation id",
                f"id {event.id!r} again",
                "liquidation ids are unique in a ledger",
            )
        if isinstance(event, RejectionEvent) and ctx.pending_rejection != event.input:
            return (
                "a rejection right after the input it names",
                f"input {event.input}",
                "a rejection follows its input immediately",
            )
        return None


def _accounts_of(event: Event) -> tuple[str, ...]:
    if isinstance(event, TradeEvent):
        return (event.buyer, event.seller)
    if isinstance(
        event,
        WithdrawalEvent
        | MarginTransferEvent
        | LiquidationEvent
        | AdlEvent
        | SocializedLossEvent
        | BalanceEvent,
    ):
        return (event.account,)
    if isinstance(event, LiquidationFillEvent):
        return (event.counterparty,)
    if isinstance(event, FundingEvent):
        return tuple(payment.account for payment in event.payments)
    return ()


class Conservation(Check):
    """``conservation``: per asset, all cash plus open positions' uPnL at the latest marks
    equals deposits minus withdrawals, after every event; ``balance`` assertions hold.

    A ``balance`` asserts the account's wallet balance in the asset as exchange statements
    state it (Binance: deposits - withdrawals + realized PnL + funding - fees): its isolated
    margins in (moving margin into a position does not change it), unrealized PnL out,
    after every earlier event of the ledger and before the next (docs/ledger.md)."""

    id = "conservation"

    def __init__(self) -> None:
        super().__init__()
        self.reported: dict[str, Fraction] = {}

    def examine(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        book = ctx.book
        found: list[Violation] = []
        if isinstance(event, BalanceEvent):
            cash = book.get_cash(event.account, event.asset)
            if cash != event.amount:
                found.append(
                    ctx.violation(
                        self.id,
                        line,
                        event,
                        f"wallet balance {fmt(cash)} {event.asset}",
                        fmt(event.amount),
                        _diff(event.amount, cash),
                        "the ledger's own balance assertion disagrees with its movements",
                    )
                )
        state = book.ex.state
        for asset in book.get_assets():
            expected = state.deposits.get(asset, ZERO) - state.withdrawals.get(asset, ZERO)
            total = book.cash_total.get(asset, ZERO) + book.compute_total_upnl(asset)
            gap = total - expected
            if gap == self.reported.get(asset, ZERO):
                continue
            self.reported[asset] = gap
            if gap:
                found.append(
                    ctx.violation(
                        self.id,
                        line,
                        event,
                        f"cash + uPnL = deposits - withdrawals = {fmt(expected)} {asset}",
                        fmt(total),
                        fmt(gap),
                        "money appeared or vanished here: a funding that does not sum to zero, "
                        "an insurance movement with no source, or a missing entry",
                    )
                )
        return found


class Funding(Check):
    """``funding``: a funding event pays every open position of its market, and only those,
    ``-q`` times the value of one unit at the current mark times the rate
    (:func:`~perpspec.reference.engine.inputs.compute_funding_payments`; longs pay a positive
    rate), each account once. Exact, as the engine computes it: no rounding, so the payments
    sum to zero (``conservation`` checks that sum, this check who pays what).
    """

    id = "funding"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, FundingEvent) or ctx.skip:
            return []
        market = ctx.book.get_market(event.market)
        if market is None or market.mark is None:
            return []  # references, or a funding the engine refuses (no mark yet)
        self.examined += 1
        expected = {
            payment.account: payment.amount
            for payment in compute_funding_payments(ctx.book.ex.state, market, event.rate)
        }
        found: dict[str, Fraction] = {}
        wrong: list[str] = []
        for payment in event.payments:
            if payment.account in found:
                wrong.append(f"{payment.account} paid twice")
            found[payment.account] = payment.amount
        for account in sorted(expected.keys() | found.keys()):
            want, got = expected.get(account), found.get(account)
            if want != got:
                wrong.append(f"{account} {fmt(got)} (expected {fmt(want)})")
        if not wrong:
            return []
        shown = "; ".join(wrong[:3]) + (f"; and {len(wrong) - 3} more" if len(wrong) > 3 else "")
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"{len(expected)} payments, one per open position: -q x value at the mark "
                f"{fmt(market.mark)} x rate {fmt(event.rate)}",
                shown,
                None,
                "funding is computed from the positions the ledger built; look for a payment "
                "redirected, scaled, dropped or added",
            )
        ]


class OiBalance(Check):
    """``oi-balance``: per market long size = short size; a liquidation takes over at most
    the position the account holds, on its side."""

    id = "oi-balance"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, LiquidationEvent):
            return []
        self.examined += 1
        held = ctx.book.get_qty(event.account, event.market)
        side = get_side_sign(event.side)
        if held * side > 0 and event.qty <= abs(held):
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"a {event.side} of at least {fmt(event.qty)} held",
                f"position {fmt(held)}",
                _diff(event.qty, abs(held)),
                "a liquidation takes over part of an open position; more would create open "
                "interest out of nothing",
            )
        ]

    def examine(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        market = _market_of(event)
        settlement = ctx.book.settlement
        if market is None and settlement is not None:
            market = settlement.event.market
        if market is None or ctx.book.get_market(market) is None:
            return []
        self.examined += 1
        total = ctx.book.open_qty.get(market, ZERO)
        if total == 0:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"long size = short size in {market}",
                f"longs - shorts = {fmt(total)}",
                fmt(total),
                "every fill has two sides; look for a fill booked on one side only",
            )
        ]


class FundNonnegative(Check):
    """``fund-nonnegative``: no insurance fund below zero."""

    id = "fund-nonnegative"

    def examine(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        account = _fund_account_of(event)
        if account is None:
            return []
        self.examined += 1
        book = ctx.book
        if isinstance(event, InsuranceEvent):
            asset = book.get_insurance_asset(event)
        else:
            asset = getattr(event, "asset", None)
        if asset is None:
            return []
        balance = book.get_cash(account, asset)
        if balance >= 0:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"{account} >= 0",
                fmt(balance),
                fmt(balance),
                "a fund pays only what it holds; the rest goes to the last resort (ADL, "
                "socialized loss, system_loss)",
            )
        ]


def _fund_account_of(event: Event) -> str | None:
    if isinstance(event, InsuranceEvent):
        return get_fund_account(event.fund)
    if isinstance(event, DepositEvent | WithdrawalEvent) and event.account.startswith("insurance:"):
        return event.account
    return None


class AdlSide(Check):
    """``adl-side``: an ADL counterparty holds the side opposite the liquidated position."""

    id = "adl-side"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, AdlEvent) or settlement is None:
            return []
        self.examined += 1
        liquidation = settlement.event
        held = ctx.book.get_qty(event.account, liquidation.market)
        if held * get_side_sign(liquidation.side) < 0 and not is_system_account(event.account):
            return []
        wanted = "short" if liquidation.side == "long" else "long"
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"{event.account} holds a {wanted} position",
                f"position {fmt(held)}",
                None,
                "ADL closes the liquidated position against opposite-side traders only",
            )
        ]


class AdlNoFlip(Check):
    """``adl-no-flip``: ADL only reduces a counterparty, never flips it."""

    id = "adl-no-flip"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, AdlEvent) or settlement is None:
            return []
        self.examined += 1
        held = ctx.book.get_qty(event.account, settlement.event.market)
        if held * get_side_sign(settlement.event.side) >= 0 or event.qty <= abs(held):
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"qty <= {fmt(abs(held))} (the counterparty's size)",
                f"qty {fmt(event.qty)}",
                _diff(event.qty, abs(held)),
                "a counterparty is consumed at most fully; the rest goes to the next in rank",
            )
        ]


class AdlQty(Check):
    """``adl-qty``: a liquidation's ADL quantity is its qty minus its executed fills."""

    id = "adl-qty"

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        if settlement.adl_count == 0:
            return []
        self.examined += 1
        liquidation = settlement.event
        remainder = liquidation.qty - settlement.filled
        if settlement.adl == remainder:
            return []
        return [
            ctx.violation(
                self.id,
                settlement.line,
                liquidation,
                f"ADL total {fmt(remainder)} (qty {fmt(liquidation.qty)} - fills "
                f"{fmt(settlement.filled)})",
                f"ADL total {fmt(settlement.adl)}",
                _diff(settlement.adl, remainder),
                "the last resort takes exactly what the market fills left",
            )
        ]


class LiquidationSettled(Check):
    """``liquidation-settled``: once a liquidation is settled, the engine account holds no
    inventory from it and no cash (fee, fund share and refund all booked). Whether those
    amounts are the rule's is ``liq-settlement``'s (with a profile)."""

    id = "liquidation-settled"

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        book = ctx.book
        liquidation = settlement.event
        engine = get_engine_account(liquidation.market)
        cash = book.get_cash(engine, settlement.asset) - settlement.engine_cash_at_open
        qty = book.get_qty(engine, liquidation.market) - settlement.engine_qty_at_open
        found: list[Violation] = []
        if qty and settlement.adl_count == 0:
            found.append(
                ctx.violation(
                    self.id,
                    settlement.line,
                    liquidation,
                    f"{engine} flat after {liquidation.id}",
                    f"holds {fmt(qty)}",
                    fmt(qty),
                    "fills and ADL must close the whole slice taken over",
                )
            )
        if cash:
            found.append(
                ctx.violation(
                    self.id,
                    settlement.line,
                    liquidation,
                    f"{engine} cash 0 after {liquidation.id}",
                    f"cash {fmt(cash)}",
                    fmt(cash),
                    "the fills' surplus or deficit must be booked (insurance entries, fee, "
                    "refund); look for a missing or altered insurance entry",
                )
            )
        return found


#: Insurance reasons a liquidated trader's own settlement books (``waterfall._settle_leftover``
#: and ``_split_surplus``), before any last resort.
_SETTLEMENT_REASONS = (
    "liquidation_margin",
    "negative_balance",
    "liquidation_fee",
    "liquidation_surplus",
    "liquidation_deficit",
)


@dataclass(frozen=True, slots=True)
class _Entry:
    line: int
    event: InsuranceEvent


@dataclass(frozen=True, slots=True)
class _Expected:
    """The trader's settlement entries the profile's rules give, by amount (0: no entry)."""

    margin: Fraction
    negative: Fraction
    fee: Fraction
    fee_base: Fraction
    fee_entry: Fraction
    share: Fraction
    refund: Fraction


def compute_expected_entries(
    ctx: AuditContext, settlement: Settlement, profile: Profile
) -> _Expected:
    """Recompute the settlement's own entries from the state the takeover acted on.

    Rule (DESIGN, Liquidation and Insurance fund; ``waterfall._settle_leftover`` and
    ``_split_surplus``): what the trader had above the takeover price goes to the fund
    (``liquidation_margin``) under ``surplus_to = "insurance"`` and stays with the trader under
    ``"trader"``; a negative leftover is paid by the fund as far as it can
    (``negative_balance``, the rest is ``system_loss``'s). The walk's net surplus pays the fee
    (``fee_rate`` on ``fee_base``, capped by the surplus) and is split by ``surplus_to``
    (:func:`~perpspec.reference.liquidation.settlement.compute_surplus_split`); the fee is a
    ``liquidation_fee`` entry when ``fee_to = "insurance"`` and no entry otherwise.
    """
    options = profile.liquidation
    leftover = settlement.leftover if settlement.leftover is not None else ZERO
    keeps = options.surplus_to is SurplusTo.TRADER
    margin = leftover if leftover > 0 and not keeps else ZERO
    negative = ZERO
    if leftover < 0:
        negative = -min(-leftover, max(settlement.fund_at_open, ZERO))
    liquidation = settlement.event
    inst = ctx.book.ex.state.markets[liquidation.market].instrument
    base = compute_liquidation_fee_base(
        options.fee_base,
        inst.kind,
        settlement.walk_fills,
        get_takeover_price(liquidation),
        liquidation.mark_price,
        inst.multiplier,
    )
    fee = compute_liquidation_fee(base, options.fee_rate, settlement.walk_surplus)
    share, refund = compute_surplus_split(settlement.walk_surplus, fee, options.surplus_to)
    fee_entry = fee if options.fee_to is FeeTo.INSURANCE else ZERO
    return _Expected(margin, negative, fee, base, fee_entry, share, refund)


class LiqSettlement(Check):
    """``liq-settlement``: a liquidated trader's own settlement entries are the ones the
    profile's rules give (:func:`compute_expected_entries`): the margin handed to the fund
    (``liquidation_margin``), the negative balance the fund covers (``negative_balance``), the
    fund's share of the walk's surplus (``liquidation_surplus`` / ``liquidation_deficit``; the
    rest is the trader's refund), and the fee: its amount on the profile's ``fee_base`` and its
    destination (a ``liquidation_fee`` entry exactly when ``fee_to = "insurance"``). A wrong
    entry is flagged at its line, a missing one at the liquidation's; one booked to another
    market's fund is ``references``'s.
    """

    id = "liq-settlement"
    needs_profile = True

    def __init__(self) -> None:
        super().__init__()
        self.liquidation = ""
        self.entries: dict[str, list[_Entry]] = {}

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if (
            not isinstance(event, InsuranceEvent)
            or settlement is None
            or event.liquidation != settlement.event.id
            or event.reason not in _SETTLEMENT_REASONS
        ):
            return []
        if self.liquidation != settlement.event.id:
            self.liquidation, self.entries = settlement.event.id, {}
        if settlement.resort_started:
            return []
        # An entry booked to another fund is ``references``'s; its amount is still checked.
        self.entries.setdefault(event.reason, []).append(_Entry(line, event))
        return []

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        if ctx.profile is None:
            return []
        self.examined += 1
        entries = self.entries if self.liquidation == settlement.event.id else {}
        self.liquidation, self.entries = "", {}
        expected = compute_expected_entries(ctx, settlement, ctx.profile)
        found = self._check_stated_fee(settlement, ctx, expected)
        share_entries = entries.get("liquidation_surplus", []) + entries.get(
            "liquidation_deficit", []
        )
        share_entries.sort(key=lambda entry: entry.line)
        for label, wanted, got, hint in (
            (
                "liquidation_margin",
                expected.margin,
                entries.get("liquidation_margin", []),
                "the trader's margin left above the takeover price goes to the fund under "
                "surplus_to = insurance, and stays with the trader under trader",
            ),
            (
                "negative_balance",
                expected.negative,
                entries.get("negative_balance", []),
                "the fund makes a trader left below zero whole, as far as it holds",
            ),
            (
                "liquidation_fee",
                expected.fee_entry,
                entries.get("liquidation_fee", []),
                "the fee is booked to the fund only when fee_to = insurance",
            ),
            (
                "liquidation_surplus/deficit",
                expected.share,
                share_entries,
                "the walk's surplus after the fee is the fund's under surplus_to = insurance "
                "and the trader's under trader; a deficit is the fund's",
            ),
        ):
            found.extend(self._compare(settlement, ctx, label, wanted, got, hint))
        return found

    def _compare(
        self,
        settlement: Settlement,
        ctx: AuditContext,
        label: str,
        wanted: Fraction,
        got: list[_Entry],
        hint: str,
    ) -> list[Violation]:
        amount = sum((entry.event.amount for entry in got), ZERO)
        if amount == wanted and len(got) <= (1 if wanted else 0):
            return []
        where = got[-1] if got else None
        return [
            ctx.violation(
                self.id,
                where.line if where is not None else settlement.line,
                where.event if where is not None else settlement.event,
                f"{label} {fmt(wanted)} for {settlement.event.id}"
                if wanted
                else f"no {label} entry for {settlement.event.id}",
                f"{label} {fmt(amount)} in {len(got)} entries",
                _diff(amount, wanted),
                hint,
            )
        ]

    def _check_stated_fee(
        self, settlement: Settlement, ctx: AuditContext, expected: _Expected
    ) -> list[Violation]:
        liquidation = settlement.event
        assert ctx.profile is not None
        options = ctx.profile.liquidation
        if liquidation.fee == expected.fee:
            return []
        return [
            ctx.violation(
                self.id,
                settlement.line,
                liquidation,
                f"fee {fmt(expected.fee)} (fee_rate {fmt(options.fee_rate)} on the "
                f"{options.fee_base.value} {fmt(expected.fee_base)} of the walk's "
                f"{fmt(settlement.walk_qty)}, capped by its net surplus "
                f"{fmt(settlement.walk_surplus)})",
                f"fee {fmt(liquidation.fee)}",
                _diff(liquidation.fee, expected.fee),
                "the liquidation fee comes out of what the fills leave above the bankruptcy "
                "price, never beyond it",
            )
        ]


class NoNegativeBalance(Check):
    """``no-negative-balance``: no trader below zero once a liquidation is settled.

    The same floor holds after a trader moves its own cash: a withdrawal or a margin transfer
    never leaves its cross equity (wallet plus cross uPnL, in the asset moved) below zero,
    nor an isolated position's margin balance (the engine refuses such an input, checking
    initial margin, which is stricter). A ledger that books one anyway is flagged at it.
    """

    id = "no-negative-balance"

    def examine(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, WithdrawalEvent | MarginTransferEvent):
            return []
        if is_system_account(event.account):
            return []
        self.examined += 1
        book = ctx.book
        holder = book.ex.state.accounts[event.account]
        if isinstance(event, WithdrawalEvent):
            asset = event.asset
        else:
            market = book.ex.state.markets[event.market]
            asset = market.instrument.settle_asset
            position = holder.positions.get(event.market)
            if position is not None and position.mode is MarginMode.ISOLATED:
                balance = position.isolated_margin
                if position.qty:
                    balance += compute_position_upnl(market, position)
                if balance < 0:
                    return [self._below(event, line, ctx, "isolated margin balance", balance)]
        equity = compute_cross_equity(holder, book.ex.state, asset)
        return [self._below(event, line, ctx, "cross equity", equity)] if equity < 0 else []

    def _below(
        self, event: WithdrawalEvent | MarginTransferEvent, line: int, ctx: AuditContext,
        what: str, value: Fraction,
    ) -> Violation:  # fmt: skip
        return ctx.violation(
            self.id,
            line,
            event,
            f"{event.account} {what} >= 0 after its {event.TYPE.replace('_', ' ')}",
            fmt(value),
            fmt(value),
            "an exchange refuses a withdrawal or transfer the account cannot cover; was its "
            "rejection dropped?",
        )

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        book = ctx.book
        liquidation = settlement.event
        equity = book.ex.compute_equity(liquidation.account, settlement.asset)
        if equity >= 0:
            return []
        return [
            ctx.violation(
                self.id,
                settlement.line,
                liquidation,
                f"{liquidation.account} equity >= 0 after {liquidation.id}",
                fmt(equity),
                fmt(equity),
                "the trader loses at most the margin; what the takeover leaves below zero is the "
                "fund's or system_loss's",
            )
        ]


class AdlPrice(Check):
    """``adl-price``: every ADL fill at the liquidated position's bankruptcy price (the mark
    when it has none), or at the update's mark when the profile's ``adl.fill_price`` is
    ``mark`` (Hyperliquid); the rule is ``get_adl_fill_price`` (``reference/adl/allocation``),
    shared with the invariant and the engine. Without a profile the bankruptcy price is expected."""

    id = "adl-price"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, AdlEvent) or settlement is None:
            return []
        self.examined += 1
        liquidation = settlement.event
        options = ctx.profile.adl if ctx.profile is not None else None
        rule = options.fill_price if options is not None else FillPrice.BANKRUPTCY
        expected = get_adl_fill_price(rule, liquidation.bankruptcy_price, liquidation.mark_price)
        if event.price == expected:
            return []
        at_mark = rule is FillPrice.MARK or liquidation.bankruptcy_price is None
        name = "mark of the update" if at_mark else "bankruptcy price"
        hint = (
            "the profile fills ADL at the mark (adl.fill_price = mark); the gap to the "
            "takeover price is the fund's or system_loss's"
            if at_mark
            else "ADL fills at the bankruptcy price so the liquidated position's loss stops there"
        )
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"price {fmt(expected)} ({liquidation.id}'s {name})",
                f"price {fmt(event.price)}",
                _diff(event.price, expected),
                hint,
            )
        ]


# ---- profile checks -------------------------------------------------------------------


class TradeFee(Check):
    """``trade-fee``: each trade's stated ``buyer_fee`` and ``seller_fee`` are the profile's
    trading fees (:func:`~perpspec.reference.trading_fee.compute_trading_fee`): the notional at
    the trade's price times ``maker_fee_rate`` for one side and ``taker_fee_rate`` for the
    other, rounded up to the settlement unit when one is known (``--settlement-unit`` or the
    engine configuration's ``unit``), exact otherwise. A trade record does not say which side
    was the maker, so either assignment passes; what a ledger cannot pass is a fee off both
    rates (a fee of 5 under a zero-fee profile) or rounded another way. With equal rates the
    check is complete; with unequal ones it cannot tell a maker and taker swapped (docs/audit.md).
    A rejected trade books no fee and is not examined.
    """

    id = "trade-fee"
    needs_profile = True

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, TradeEvent) or ctx.skip or ctx.profile is None:
            return []
        market = ctx.book.get_market(event.market)
        if market is None or event.price <= 0:
            return []  # references, or a trade the engine refuses
        self.examined += 1
        inst = market.instrument
        notional = compute_position_value(inst.kind, event.qty, inst.multiplier, event.price)
        rates = ctx.profile.trading
        maker = compute_trading_fee(notional, rates.maker_fee_rate, ctx.unit)
        taker = compute_trading_fee(notional, rates.taker_fee_rate, ctx.unit)
        found = (event.buyer_fee, event.seller_fee)
        if found in ((maker, taker), (taker, maker)):
            return []
        rounding = f", rounded up to {fmt(ctx.unit)}" if ctx.unit is not None else ", exact"
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"fees {fmt(maker)} (maker rate {fmt(rates.maker_fee_rate)}) and {fmt(taker)} "
                f"(taker rate {fmt(rates.taker_fee_rate)}) on notional {fmt(notional)}"
                f"{rounding}, either side the maker",
                f"buyer_fee {fmt(event.buyer_fee)}, seller_fee {fmt(event.seller_fee)}",
                None,
                "a trade's fees are the profile's [trading] rates on its notional; look for a "
                "fee changed, or a rounding unit the audit was not told (--settlement-unit)",
            )
        ]


class LiqTrigger(Check):
    """``liq-trigger``: a liquidation only when margin balance <= MM at the current mark; it
    states that mark and the position's margin mode, and under a profile whose
    ``liquidation.mode`` is ``full`` it takes the whole position."""

    id = "liq-trigger"
    needs_profile = True

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, LiquidationEvent):
            return []
        self.examined += 1
        book = ctx.book
        market = book.get_market(event.market)
        position = book.get_position(event.account, event.market)
        if market is None or position is None or position.qty == 0:
            return []
        if market.mark != event.mark_price:
            return [
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"mark_price {fmt(market.mark)} (the current mark)",
                    f"mark_price {fmt(event.mark_price)}",
                    _diff(event.mark_price, market.mark),
                    "the mark is the only trigger; a liquidation states the mark it acted on",
                )
            ]
        is_cross = position.mode is MarginMode.CROSS
        if event.margin_mode != position.mode.value:
            return [
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"margin_mode {position.mode.value}",
                    f"margin_mode {event.margin_mode}",
                    None,
                    "the margin mode follows from the margin transfers into the market",
                )
            ]
        assert ctx.profile is not None
        held = abs(position.qty)
        # More than the position held is oi-balance's (reported once, there).
        if ctx.profile.liquidation.mode is LiquidationMode.FULL and event.qty < held:
            return [
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"qty {fmt(held)} (the whole position: profile {ctx.profile.name} "
                    "liquidates in full)",
                    f"qty {fmt(event.qty)}",
                    _diff(event.qty, held),
                    "a full-mode exchange takes the whole position over at once",
                )
            ]
        if book.ex.is_liquidatable(event.account, event.market, is_cross):
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                "margin balance <= maintenance margin at the mark",
                "the account is safe at the mark",
                None,
                "the account was liquidated while its margin still covered maintenance",
            )
        ]


class LiqComplete(Check):
    """``liq-complete``: after a mark and everything it caused, no account the ledger shows
    as liquidatable is left standing."""

    id = "liq-complete"
    needs_profile = True

    def on_mark_settled(self, event: MarkEvent, line: int, ctx: AuditContext) -> list[Violation]:
        self.examined += 1
        ex = ctx.book.ex
        market = ex.state.markets.get(event.market)
        if market is None or market.mark is None:
            return []
        asset = market.instrument.settle_asset
        ex.flush()
        found: list[Violation] = []
        for account in ex.index.candidates(event.market, asset, market.mark):
            if is_system_account(account):
                continue
            standing = _find_liquidatable(ctx, account, asset)
            if standing is not None:
                found.append(
                    ctx.violation(
                        self.id,
                        line,
                        event,
                        f"{account} liquidated or safe after this mark",
                        f"{account} liquidatable ({standing})",
                        None,
                        "every account the mark made liquidatable is liquidated in its waterfall",
                    )
                )
        return found


def _find_liquidatable(ctx: AuditContext, account: str, asset: str) -> str | None:
    ex = ctx.book.ex
    holder = ex.state.accounts[account]
    assert ctx.profile is not None
    options = ctx.profile.margin
    for market_id in sorted(holder.positions):
        market = ex.state.markets[market_id]
        if market.instrument.settle_asset == asset and is_position_isolated_liquidatable(
            market, holder.positions[market_id], options.maintenance_basis, options.close_fee_rate
        ):
            return f"isolated {market_id}"
    for market, _ in iter_cross_positions(holder, ex.state, asset):
        if ex.is_liquidatable(account, market.instrument.market, is_cross=True):
            return "cross"
        break
    return None


class BankruptcyPrice(Check):
    """``bankruptcy-price``: the stated bankruptcy and liquidation prices are the spec's for
    the position the ledger built, tick-rounded (long up, short down)."""

    id = "bankruptcy-price"
    needs_profile = True

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if not isinstance(event, LiquidationEvent):
            return []
        book = ctx.book
        market = book.get_market(event.market)
        position = book.get_position(event.account, event.market)
        if market is None or position is None or position.qty == 0:
            return []
        self.examined += 1
        assert ctx.profile is not None
        options = ctx.profile.margin
        inst = market.instrument
        side = 1 if position.qty > 0 else -1
        context = _get_margin_context(ctx, event, position.mode)
        args = (inst.kind, side, abs(position.qty), inst.multiplier, position.entry_price)
        try:
            bankruptcy = compute_bankruptcy_price(*args, context, options.close_fee_rate)
            liquidation = compute_liquidation_price(
                inst.kind,
                inst.tiers,
                *args[1:],
                context,
                options.maintenance_basis,
                options.close_fee_rate,
            )
        except SpecError:
            return []
        tick = inst.tick_size
        found: list[Violation] = []
        for name, exact, stated in (
            ("bankruptcy_price", bankruptcy, event.bankruptcy_price),
            ("liquidation_price", liquidation, event.liquidation_price),
        ):
            expected = round_position_price(exact, side, tick) if tick else exact
            if expected != stated:
                found.append(
                    ctx.violation(
                        self.id,
                        line,
                        event,
                        f"{name} {fmt(expected)}",
                        f"{name} {fmt(stated)}",
                        _diff(stated, expected),
                        f"recomputed from the position (qty {fmt(position.qty)}, entry "
                        f"{fmt(position.entry_price)}) and its margin; rounded "
                        f"{'up' if side > 0 else 'down'} to the tick {fmt(tick)}",
                    )
                )
        return found


def _get_margin_context(
    ctx: AuditContext, event: LiquidationEvent, mode: MarginMode
) -> MarginContext:
    """The margin a takeover prices against (``waterfall._liquidate_isolated`` / ``_cross``):
    an isolated position's margin, or the cross wallet with the other cross positions' MM
    and uPnL at their marks."""
    book = ctx.book
    position = book.get_position(event.account, event.market)
    assert position is not None and ctx.profile is not None
    if mode is MarginMode.ISOLATED:
        return MarginContext(MarginMode.ISOLATED, position.isolated_margin)
    asset = book.ex.state.markets[event.market].instrument.settle_asset
    holder = book.ex.state.accounts[event.account]
    basis = ctx.profile.margin.maintenance_basis
    others = [
        (m, p) for m, p in iter_cross_positions(holder, book.ex.state, asset) if p is not position
    ]
    return MarginContext(
        MarginMode.CROSS,
        holder.wallet.get(asset, ZERO),
        sum((compute_position_mm(m, p, basis) for m, p in others), ZERO),
        sum((compute_position_upnl(m, p) for m, p in others), ZERO),
    )


@dataclass(slots=True)
class _Ranking:
    liquidation: str
    order: list[str]
    sizes: dict[str, Fraction]


class AdlOrder(Check):
    """``adl-order``: ADL follows the profile's ranking, recomputed from the rebuilt
    positions: nobody lower-ranked is touched while a higher-ranked position keeps size, and
    each fill's ``rank`` is its place in that ranking. Under a profile whose last resort is
    not ADL there is no ranking, and any ADL fill is out of order.

    The recorded ``score`` is not compared: it is informative (DESIGN: the exact order is
    ``rank``), and it depends on every earlier event of the account, so one tampered record
    upstream would be reported again at every later ADL fill instead of once, at itself."""

    id = "adl-order"
    needs_profile = True

    def __init__(self) -> None:
        super().__init__()
        self.ranking: _Ranking | None = None

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, AdlEvent) or settlement is None:
            return []
        self.examined += 1
        liquidation = settlement.event
        assert ctx.profile is not None
        if ctx.profile.last_resort is not LastResort.ADL:
            return [
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"no ADL (profile {ctx.profile.name}: last resort "
                    f"{ctx.profile.last_resort.value})",
                    f"an ADL fill of {event.account}",
                    None,
                    "is the ledger audited with the exchange's own profile?",
                )
            ]
        if self.ranking is None or self.ranking.liquidation != liquidation.id:
            self.ranking = _rank(ctx, settlement)
        ranking = self.ranking
        if ranking is None or event.account not in ranking.order:
            return []
        place = ranking.order.index(event.account)
        found: list[Violation] = []
        if event.rank != place + 1:
            found.append(
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"rank {place + 1}",
                    f"rank {event.rank}",
                    str(event.rank - place - 1),
                    "the ranking recomputed with the profile's formula",
                )
            )
        assert ctx.profile is not None and ctx.profile.adl is not None
        if ctx.profile.adl.allocation is AllocationPolicy.QUEUE:
            for above in ranking.order[:place]:
                left = ranking.sizes[above] - settlement.adl_taken.get(above, ZERO)
                if left > 0:
                    found.append(
                        ctx.violation(
                            self.id,
                            line,
                            event,
                            f"{above} (ranked above) consumed first",
                            f"{above} keeps {fmt(left)}",
                            fmt(left),
                            "ADL consumes each counterparty fully, in ranking order "
                            f"({', '.join(ranking.order[: place + 1])}, ...)",
                        )
                    )
                    break
        return found


def _rank(ctx: AuditContext, settlement: Settlement) -> _Ranking | None:
    liquidation = settlement.event
    book = ctx.book
    market = book.ex.state.markets[liquidation.market]
    try:
        ranked = rank_counterparties(book.ex, market, get_side_sign(liquidation.side))
    except SpecError:
        return None
    return _Ranking(liquidation.id, [p.id for p in ranked], {p.id: p.qty for p in ranked})


class _SocializedShare(Check):
    """Shared by the socialized-loss checks: the method's result, recomputed once per
    liquidation before its first socialized entry is booked (:meth:`AuditContext.prepare`)."""

    needs_profile = True

    def __init__(self) -> None:
        super().__init__()
        self.liquidation: str | None = None
        self.charged: set[str] = set()
        self.result: SocializedShare | None = None

    def _recompute(self, ctx: AuditContext, settlement: Settlement) -> None:
        if self.liquidation == settlement.event.id:
            return
        self.liquidation = settlement.event.id
        self.charged = set()
        self.result = ctx.get_share(settlement)


def compute_share(ctx: AuditContext, settlement: Settlement) -> SocializedShare | None:
    """(fund payment, charges, positions) the profile's method gives for this loss.

    The loss is the engine's shortfall so far, before the fee a ``fees`` profile books
    without an entry (``waterfall._split_surplus`` moves it before the sweep).
    """
    profile = ctx.profile
    options = profile.socialized_loss if profile is not None else None
    if options is None:
        return None
    book = ctx.book
    liquidation = settlement.event
    engine = get_engine_account(liquidation.market)
    unbooked_fee = ZERO if settlement.fee_recorded else liquidation.fee
    loss = -(
        book.get_cash(engine, settlement.asset) - settlement.engine_cash_at_open - unbooked_fee
    )
    if loss <= 0:
        return None
    fund = max(book.get_cash(get_fund_account(settlement.fund), settlement.asset), ZERO)
    market = book.ex.state.markets[liquidation.market]
    positions = list_sl_positions(book.ex, market, liquidation.account)
    params = SocializedLossParams(
        options.method, options.insurance_share, options.threshold, options.denominator
    )
    try:
        result = compute_liquidation_share(params, loss, fund, positions, ctx.unit)
    except SpecError:
        return None
    return result.insurance_paid, dict(result.charges), {p.id: p for p in positions}


class FundFirst(_SocializedShare):
    """``fund-first``: the fund pays its share of a socialized loss (``insurance_share`` of
    it, up to its balance) before profits are touched."""

    id = "fund-first"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        is_fund_entry = isinstance(event, InsuranceEvent) and event.reason == "socialized_loss"
        if settlement is None or not (is_fund_entry or isinstance(event, SocializedLossEvent)):
            return []
        first = self.liquidation != settlement.event.id
        self._recompute(ctx, settlement)
        if not first or self.result is None:
            return []
        self.examined += 1
        expected = self.result[0]
        paid = -event.amount if isinstance(event, InsuranceEvent) else ZERO
        if paid == expected:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"fund pays {fmt(expected)}",
                f"fund pays {fmt(paid)}",
                _diff(paid, expected),
                "the fund bears its share of the loss, up to its balance, before profitable "
                "positions are charged",
            )
        ]


class SlCap(_SocializedShare):
    """``sl-cap``: a socialized charge never exceeds the position's cycle profit
    (``top_profit``, ``clawback``) or the account's equity (``open_interest``)."""

    id = "sl-cap"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, SocializedLossEvent) or settlement is None:
            return []
        self._recompute(ctx, settlement)
        if self.result is None:
            return []
        self.examined += 1
        cap = _get_cap(ctx, self.result[2].get(event.account))
        if event.amount <= cap:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"charge <= {fmt(cap)} (its cap)",
                f"charge {fmt(event.amount)}",
                _diff(event.amount, cap),
                "socialized loss never takes more than a position's profit (or equity)",
            )
        ]


def _get_cap(ctx: AuditContext, position: SlPosition | None) -> Fraction:
    if position is None:
        return ZERO
    options = ctx.profile.socialized_loss if ctx.profile is not None else None
    if options is not None and options.method is SocializedLossMethod.OPEN_INTEREST:
        return position.equity or ZERO
    return position.profit


class SlParticipants(_SocializedShare):
    """``sl-participants``: only the method's participants are charged, each its share
    (a charge above its cap is ``sl-cap``'s)."""

    id = "sl-participants"

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        settlement = ctx.book.settlement
        if not isinstance(event, SocializedLossEvent) or settlement is None:
            return []
        self._recompute(ctx, settlement)
        if self.result is None:
            return []
        self.examined += 1
        charges = self.result[1]
        expected = charges.get(event.account)
        again = event.account in self.charged
        self.charged.add(event.account)
        cap = _get_cap(ctx, self.result[2].get(event.account))
        if expected is not None and not again and (event.amount == expected or event.amount > cap):
            return []
        wanted = "not charged" if expected is None or again else f"charge {fmt(expected)}"
        return [
            ctx.violation(
                self.id,
                line,
                event,
                wanted,
                f"charge {fmt(event.amount)}",
                _diff(event.amount, expected) if not again else None,
                f"participants recomputed with the profile's method: "
                f"{', '.join(f'{k} {fmt(v)}' for k, v in sorted(charges.items())) or 'none'}",
            )
        ]

    def on_close(self, settlement: Settlement, ctx: AuditContext) -> list[Violation]:
        if self.liquidation != settlement.event.id or self.result is None:
            return []
        missing = sorted(k for k, v in self.result[1].items() if v and k not in self.charged)
        if not missing:
            return []
        return [
            ctx.violation(
                self.id,
                settlement.line,
                settlement.event,
                f"charges to {', '.join(missing)}",
                "no charge",
                None,
                "a participant the method selects was not charged",
            )
        ]


CHECK_CLASSES: tuple[type[Check], ...] = (
    SeqOrder,
    References,
    Conservation,
    Funding,
    OiBalance,
    FundNonnegative,
    LiquidationSettled,
    LiqSettlement,
    NoNegativeBalance,
    AdlSide,
    AdlNoFlip,
    AdlQty,
    AdlPrice,
    TradeFee,
    LiqTrigger,
    LiqComplete,
    BankruptcyPrice,
    AdlOrder,
    FundFirst,
    SlCap,
    SlParticipants,
)

ALL_CHECKS: tuple[str, ...] = tuple(cls.id for cls in CHECK_CLASSES)


def _register_checks() -> None:
    """Record every audit check in the invariant catalogue."""
    from perpspec.invariants.catalogue import register_audit_checks

    register_audit_checks(
        __name__,
        ((c.id, c.__name__, "needs --profile" if c.needs_profile else "") for c in CHECK_CLASSES),
    )


_register_checks()
