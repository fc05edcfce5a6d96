"""Mutant-found gaps in settlement cycles (profile option ``socialized_loss.cycle``).

A cycle that is not text (a profile may carry a bare number) and a time whose zone gives no UTC
offset are refused with the one-line reason of any other bad input, never a raw Python error.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import cast

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.cycles import get_cycle_index, parse_cycle


class _NoOffset(tzinfo):
    """A zone that names itself but gives no UTC offset: the time is still naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return "nowhere"

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


def test_a_cycle_that_is_not_text_is_refused_by_name() -> None:
    # A TOML profile may write ``cycle = 8``: an integer, not a duration such as "8h".
    with pytest.raises(
        SpecError,
        match=r'^socialized_loss\.cycle: 8 is not a cycle \(write a duration such as "8h" or '
        r'"1d"\)$',
    ):
        parse_cycle(cast("str", 8))


def test_a_zone_without_offset_is_refused() -> None:
    # Ledger times are UTC: a tzinfo whose utcoffset() is None does not make a time aware.
    ts = datetime(2024, 1, 1, tzinfo=_NoOffset())
    with pytest.raises(
        SpecError, match=r"^ts: 2024-01-01T00:00:00 has no time zone \(ledger times are UTC\)$"
    ):
        get_cycle_index(ts, timedelta(hours=8))
