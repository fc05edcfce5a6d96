"""The audit's checks of the trigger itself: ``mark-price`` and ``funding-rate``.

A ledger that states ``index`` records (the sources' quotes and what the profile's mark
method reads, docs/ledger.md) lets the audit check the one number every liquidation depends
on. Both checks need the profile's rules (``--profile`` with ``[index]``/``[mark]``, and
``[funding]`` for the rate) and read them through the functions the engine reads
(:mod:`perpspec.reference.mark.from_index`), so the audit and the engine cannot disagree on
the rule.

- ``mark-price``: an index record follows the profile's ``[index]`` and ``[mark]`` (its
  stated index is the sources' under ``[index]``, its inputs are those the method reads),
  and the next ``mark`` of its market states exactly the mark the record derives. Exact: the
  rules round nothing, and a stated mark is an exact number.
- ``funding-rate``: a ``funding`` whose interval (since the market's previous funding) holds
  premium samples (index records with impact prices) states exactly the rate ``[funding]``
  gives on them.

A mark with no index record before it, and a funding with no sample in its interval, are
not checkable and not counted; with none at all the report names the check as not checkable
and why, never as passed.
"""

from __future__ import annotations

from fractions import Fraction

from perpspec.audit.checks import AuditContext, Check, fmt
from perpspec.audit.report import Violation
from perpspec.reference.errors import SpecError
from perpspec.reference.events import Event, FundingEvent, IndexEvent, MarkEvent
from perpspec.reference.mark.from_index import (
    IndexDerivation,
    compute_funding_rate_of_samples,
    derive_from_index,
)
from perpspec.reference.profile import Profile

__all__ = ["MARK_CHECK_CLASSES", "FundingRate", "MarkPrice", "get_unchecked_reason"]

_NO_INDEX = (
    "not checkable: the ledger states no index record (the inputs a mark is derived from, "
    "docs/ledger.md)"
)


def _derive(event: IndexEvent, profile: Profile) -> IndexDerivation | SpecError:
    try:
        return derive_from_index(event, profile.index, profile.mark)
    except SpecError as error:
        return error


class MarkPrice(Check):
    """``mark-price``: every index record follows the profile's rules and the next mark of
    its market is the one it derives (module docstring)."""

    id = "mark-price"
    needs_profile = True

    def __init__(self) -> None:
        super().__init__()
        self.derived: dict[str, tuple[int, Fraction]] = {}
        self.records = 0

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        if ctx.skip or ctx.profile is None:
            return []
        if isinstance(event, IndexEvent):
            self.records += 1
            if ctx.profile.mark is None:
                return []  # no rule to hold the record to: not checkable (the report says)
            return self._check_record(event, line, ctx, ctx.profile)
        if isinstance(event, MarkEvent) and event.market in self.derived:
            record_line, mark = self.derived.pop(event.market)
            self.examined += 1
            if event.price == mark:
                return []
            return [
                ctx.violation(
                    self.id,
                    line,
                    event,
                    f"mark {fmt(mark)} (the [mark] rule on the index record at line {record_line})",
                    f"mark {fmt(event.price)}",
                    fmt(event.price - mark),
                    "a mark not derived from its stated inputs triggers liquidations no rule "
                    "called for; compare the index record's quotes and inputs with the profile",
                )
            ]
        return []

    def _check_record(
        self, event: IndexEvent, line: int, ctx: AuditContext, profile: Profile
    ) -> list[Violation]:
        self.examined += 1
        derived = _derive(event, profile)
        if isinstance(derived, IndexDerivation):
            self.derived[event.market] = (line, derived.mark)
            return []
        self.derived.pop(event.market, None)
        return [
            ctx.violation(
                self.id,
                line,
                event,
                "an index record the profile's [index] and [mark] rules accept",
                str(derived),
                None,
                "the stated index or an input is not what the profile's rules give; the next "
                "mark of this market is not checked",
            )
        ]

    def get_unchecked_reason(self, profile: Profile | None) -> str:
        if self.records == 0:
            return _NO_INDEX
        return "not checkable: the profile has no [mark] section (its mark rule)"


class FundingRate(Check):
    """``funding-rate``: a funding's rate is ``[funding]`` on its interval's premium samples
    (module docstring)."""

    id = "funding-rate"
    needs_profile = True

    def __init__(self) -> None:
        super().__init__()
        self.samples: dict[str, list[Fraction]] = {}
        self.records = 0

    def before(self, event: Event, line: int, ctx: AuditContext) -> list[Violation]:
        profile = ctx.profile
        if ctx.skip or profile is None:
            return []
        if isinstance(event, IndexEvent):
            self.records += 1
        if profile.funding is None or profile.mark is None:
            return []  # no rule to hold the rate to: not checkable (the report says)
        if isinstance(event, IndexEvent):
            derived = _derive(event, profile)
            # a record the rules refuse is mark-price's violation; it gives no sample
            if isinstance(derived, IndexDerivation) and derived.premium is not None:
                self.samples.setdefault(event.market, []).append(derived.premium)
            return []
        if not isinstance(event, FundingEvent):
            return []
        samples = self.samples.pop(event.market, [])
        if not samples:
            return []
        self.examined += 1
        expected = compute_funding_rate_of_samples(samples, profile.funding)
        if event.rate == expected:
            return []
        return [
            ctx.violation(
                self.id,
                line,
                event,
                f"rate {fmt(expected)} ([funding] on the {len(samples)} premium samples since "
                "the previous funding)",
                f"rate {fmt(event.rate)}",
                fmt(event.rate - expected),
                "the rate does not follow the premium and clamp rule on the stated impact "
                "prices; compare the interval's index records with the profile's [funding]",
            )
        ]

    def get_unchecked_reason(self, profile: Profile | None) -> str:
        if self.records == 0:
            return _NO_INDEX
        if profile is not None and (profile.funding is None or profile.mark is None):
            return "not checkable: the profile has no [funding] or [mark] section (the rules)"
        return (
            "not checkable: no funding follows an index record with impact prices (the "
            "premium samples a rate is derived from)"
        )


MARK_CHECK_CLASSES: tuple[type[Check], ...] = (MarkPrice, FundingRate)


def get_unchecked_reason(check: Check, profile: Profile | None) -> str | None:
    """Why a check of this module that examined nothing could not check anything (None for
    other checks, or one that examined something)."""
    if check.examined or not isinstance(check, MarkPrice | FundingRate):
        return None
    return check.get_unchecked_reason(profile)


def _register_checks() -> None:
    """Record both checks in the invariant catalogue."""
    from perpspec.invariants.catalogue import register_audit_checks

    note = "needs --profile with [index] and [mark] ([funding] for the rate)"
    register_audit_checks(__name__, ((c.id, c.__name__, note) for c in MARK_CHECK_CLASSES))


_register_checks()
