"""Settlement cycles (profile option ``socialized_loss.cycle``; seed 000).

Seed 000 measures profit "in this settlement cycle" and charges it "in this settlement cycle".
A cycle is a fixed duration written ``<n><unit>`` with unit ``s``, ``m``, ``h``, ``d`` or ``w``
(``"8h"``, ``"1d"``); cycles are aligned to the Unix epoch in UTC, so cycle ``k`` covers
``[epoch + k * cycle, epoch + (k + 1) * cycle)``. The ledger's ``socialized_loss`` event names
its cycle by this index.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from perpspec.reference.errors import SpecError

__all__ = ["EPOCH", "get_cycle_index", "get_cycle_start", "parse_cycle"]

#: Cycles count from the Unix epoch, in UTC.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_CYCLE = re.compile(r"([1-9]\d{0,5})([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_cycle(text: str, field: str = "socialized_loss.cycle") -> timedelta:
    """Parse ``<n><unit>`` (module docstring) into a positive duration.

    Implements rule `sl.cycle`.
    """
    match = _CYCLE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise SpecError(f'{field}: {text!r} is not a cycle (write a duration such as "8h" or "1d")')
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _check_aware(ts: datetime) -> None:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise SpecError(f"ts: {ts.isoformat()} has no time zone (ledger times are UTC)")


def get_cycle_index(ts: datetime, cycle: timedelta) -> int:
    """The index of the settlement cycle that contains ``ts``.

    Implements rule `sl.cycle`.
    """
    _check_aware(ts)
    return (ts - EPOCH) // cycle


def get_cycle_start(index: int, cycle: timedelta) -> datetime:
    """The first instant of cycle ``index``."""
    return EPOCH + index * cycle
