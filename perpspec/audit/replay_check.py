"""The ``replay`` check: a ledger's inputs, run through the reference, give back its outputs.

Invariant ``replay``: for a ledger the engine wrote, replaying its inputs (with the same
profile and liquidity model) reproduces every emitted event exactly. The check streams: it
holds the engine's state and the events it still expects, never the ledger. Once the ledger
and the engine part ways, every later event differs too, so it reports the first difference
only, with the record, what the engine produced, and a hint.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

from perpspec.ledger.codec import encode_event
from perpspec.ledger.errors import LedgerError
from perpspec.reference.engine.config import EngineConfig
from perpspec.reference.engine.engine import Engine
from perpspec.reference.events import INPUT_TYPES, Event, FundingEvent

__all__ = ["ReplayDifference", "ReplayResult", "check_replay"]


@dataclass(frozen=True, slots=True)
class ReplayDifference:
    """Where the ledger and the replay first differ."""

    line: int
    found: str
    expected: str
    hint: str


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Events compared, and the first difference (None: the ledger replays exactly)."""

    events: int
    difference: ReplayDifference | None


def _render(event: Event | None) -> str:
    if event is None:
        return "(nothing)"
    fields = encode_event(event)
    return ", ".join(f"{key}={value}" for key, value in fields.items())


def _as_input(event: Event) -> Event:
    return replace(event, payments=()) if isinstance(event, FundingEvent) else event


def check_replay(
    config: EngineConfig, ledger: Iterable[tuple[int, Event] | LedgerError]
) -> ReplayResult:
    """Replay ``ledger`` (as :func:`perpspec.ledger.io.iter_ledger` yields it).

    A record the reader rejects raises its :class:`LedgerError`: a ledger that cannot be read
    cannot be replayed.
    """
    engine = Engine(config)
    pending: deque[Event] = deque()
    count = 0
    line = 0
    for item in ledger:
        if isinstance(item, LedgerError):
            raise item
        line, event = item
        count += 1
        if not pending:
            if event.TYPE not in INPUT_TYPES:
                hint = "the engine emitted nothing more here; is an input missing before it?"
                return ReplayResult(
                    count, ReplayDifference(line, _render(event), "an input event", hint)
                )
            pending.extend(engine.submit(_as_input(event)))
        produced = pending.popleft()
        if produced != event:
            hint = (
                "the first event where the ledger and the reference part ways; check the "
                "profile and liquidity model (LEDGER.engine.toml) before the exchange"
            )
            return ReplayResult(
                count, ReplayDifference(line, _render(event), _render(produced), hint)
            )
    if pending:
        hint = "the ledger ends before the events its last input caused"
        return ReplayResult(
            count, ReplayDifference(line + 1, "(end of ledger)", _render(pending[0]), hint)
        )
    return ReplayResult(count, None)
