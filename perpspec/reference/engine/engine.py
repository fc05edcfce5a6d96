"""The engine's one step: ``apply(state, input event) -> (state, emitted events)``.

The engine owns the sequence numbers: it stamps the input with the next ``seq`` and every
event it emits with the following ones, all with the input's ``ts``. The stamped input comes
first (a ``funding`` input carries the payments the engine computed), then what it emitted.

A rejected input (invariant ``frame``) is recorded and answered with a ``rejection`` event
naming the reason; the state is left exactly as it was, but for ``seq``. A loop that ran past
its bound (:class:`~perpspec.reference.errors.LoopBoundError`) is no rejection: it propagates.

:func:`apply` is pure: it works on a copy of the state. :class:`Engine` runs the same step in
place, for long runs where copying a large state every event would dominate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.exchange import Exchange
from perpspec.reference.engine.inputs import (
    process_balance,
    process_deposit,
    process_funding,
    process_instrument,
    process_margin_transfer,
    process_trade,
    process_withdrawal,
)
from perpspec.reference.engine.mark_inputs import process_index
from perpspec.reference.engine.state import ExchangeState
from perpspec.reference.engine.waterfall import process_mark
from perpspec.reference.errors import LoopBoundError, SpecError
from perpspec.reference.events import (
    INPUT_TYPES,
    BalanceEvent,
    DepositEvent,
    Event,
    FundingEvent,
    IndexEvent,
    InstrumentEvent,
    MarginTransferEvent,
    MarkEvent,
    RejectionEvent,
    TradeEvent,
    WithdrawalEvent,
)

__all__ = ["Engine", "apply", "get_inputs", "replay"]


class Engine:
    """The reference engine, stepping in place."""

    def __init__(self, config: EngineConfig, state: ExchangeState | None = None) -> None:
        self.exchange = Exchange(config, state)

    @property
    def state(self) -> ExchangeState:
        """The current state (do not change it from outside)."""
        return self.exchange.state

    def submit(self, event: Event) -> list[Event]:
        """Process one input; return it stamped, followed by every event it caused."""
        if event.TYPE not in INPUT_TYPES:
            raise SpecError(f"type: {event.TYPE!r} is not an input the engine accepts")
        ex = self.exchange
        stamped = dataclasses.replace(event, seq=ex.next_seq())
        try:
            emitted = self._dispatch(stamped)
        except LoopBoundError:
            # A defect, not a rejected input: the state is half-changed, so answering with a
            # rejection would claim a frame the step did not keep.
            raise
        except SpecError as error:
            # Every process_* step validates before it changes anything, so the state is
            # as it was (the frame property tests hold the engine to that).
            if isinstance(stamped, FundingEvent):
                stamped = dataclasses.replace(stamped, payments=())
            return [stamped, RejectionEvent(ex.next_seq(), stamped.ts, stamped.seq, str(error))]
        ex.flush()
        if isinstance(emitted, FundingEvent):
            return [emitted]
        restamped = [dataclasses.replace(e, seq=ex.next_seq()) for e in emitted]
        return [stamped, *restamped]

    def _dispatch(self, event: Event) -> list[Event] | FundingEvent:
        ex = self.exchange
        if isinstance(event, MarkEvent):
            return process_mark(ex, event)
        if isinstance(event, TradeEvent):
            process_trade(ex, event)
        elif isinstance(event, DepositEvent):
            process_deposit(ex, event)
        elif isinstance(event, WithdrawalEvent):
            process_withdrawal(ex, event)
        elif isinstance(event, MarginTransferEvent):
            process_margin_transfer(ex, event)
        elif isinstance(event, InstrumentEvent):
            process_instrument(ex, event)
        elif isinstance(event, FundingEvent):
            return process_funding(ex, event)
        elif isinstance(event, BalanceEvent):
            process_balance(ex, event)
        elif isinstance(event, IndexEvent):
            process_index(ex, event)
        return []


def apply(
    config: EngineConfig, state: ExchangeState, event: Event
) -> tuple[ExchangeState, list[Event]]:
    """The pure step: the state after ``event`` and the events it produced (state untouched).

    Implements rule `engine.rejection`.
    """
    engine = Engine(config, state.clone())
    emitted = engine.submit(event)
    return engine.state, emitted


def get_inputs(ledger: Iterable[Event]) -> list[Event]:
    """The inputs of a ledger, as the engine was given them (funding without payments).

    Implements rule `engine.replay`.
    """
    inputs: list[Event] = []
    for event in ledger:
        if event.TYPE not in INPUT_TYPES:
            continue
        if isinstance(event, FundingEvent):
            inputs.append(dataclasses.replace(event, payments=()))
        else:
            inputs.append(event)
    return inputs


def replay(config: EngineConfig, ledger: Iterable[Event]) -> list[Event]:
    """Run a ledger's inputs through a fresh engine; return the ledger it produces.

    Invariant ``replay``: for a ledger the engine wrote, the result equals the ledger.

    Implements rule `engine.replay`.
    """
    engine = Engine(config)
    produced: list[Event] = []
    for event in get_inputs(ledger):
        produced.extend(engine.submit(event))
    return produced
