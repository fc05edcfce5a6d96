"""The invariant catalogue: every invariant's id, statement, rule, and the checks behind it.

Rule (DESIGN, Invariants): each invariant has a stable id, which is also the audit's check
name, the docs anchor and the golden test's name; a one-line statement; the rule it protects;
and the methods that check it, each with its strength, so nobody mistakes an example for a
proof. The docs' catalogue page and ``perpspec invariants`` are generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "CATALOGUE",
    "Check",
    "Invariant",
    "Method",
    "Strength",
    "get_invariant",
    "register_check",
]


class Method(Enum):
    """How a check is carried out."""

    SYMPY = "sympy"
    CROSSHAIR = "crosshair"
    HYPOTHESIS = "hypothesis"
    STATE_MACHINE = "state_machine"
    EXHAUSTIVE = "exhaustive"
    EXAMPLE = "example"
    AUDIT = "audit"
    REPLAY = "replay"


class Strength(Enum):
    """What a passing check establishes, strongest first."""

    SYMBOLIC_PROOF = "symbolic proof"
    EXHAUSTIVE = "exhaustive over a small stated domain"
    BOUNDED_SYMBOLIC = "bounded symbolic execution"
    RANDOM_PROPERTY = "random property"
    EXAMPLE = "example"
    LEDGER_CHECK = "checked on every event of a ledger"


@dataclass(frozen=True, slots=True)
class Check:
    """One way an invariant is checked: method, strength, and where it lives (a test or
    module path a reader can open)."""

    method: Method
    strength: Strength
    where: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Invariant:
    """One invariant of the catalogue."""

    id: str
    statement: str
    rule: str
    checks: tuple[Check, ...] = ()


_INVARIANTS: list[Invariant] = [
    Invariant(
        "conservation",
        "trader balances + insurance funds + fees + system_loss (+ the liquidation engine's "
        "accounts) plus open positions' unrealized PnL = deposits - withdrawals, exactly, "
        "after every event",
        "DESIGN, Ledger and Invariants; perpspec/reference/engine/state.py",
    ),
    Invariant(
        "oi-balance",
        "per market, long size = short size, the engine's taken-over inventory included",
        "DESIGN, Invariants",
    ),
    Invariant(
        "fund-nonnegative",
        "no insurance fund below zero",
        "DESIGN, Insurance fund; seed 001",
    ),
    Invariant(
        "fund-first",
        "no ADL or socialized loss while the fund could pay the deficit (beyond the share the "
        "profile's insurance_share leaves to profits)",
        "DESIGN, Insurance fund and Socialized loss; seeds 001, 002, 004, 000",
    ),
    Invariant(
        "liq-trigger",
        "a liquidation only when margin balance <= MM at the current mark",
        "DESIGN, Prices; seed 004 Part Three",
    ),
    Invariant(
        "liq-complete",
        "no liquidatable account left standing after a mark update",
        "DESIGN, Liquidation",
    ),
    Invariant(
        "no-negative-balance",
        "no trader below zero once a liquidation is settled",
        "DESIGN, Liquidation; seed 001 (the trader does not pay the extra)",
    ),
    Invariant(
        "bankruptcy-price",
        "the stated bankruptcy and liquidation prices equal the spec's, tick-rounded as "
        "specified (long up, short down)",
        "DESIGN, Prices and Arithmetic",
    ),
    Invariant(
        "adl-price",
        "every ADL fill at the liquidated position's bankruptcy price",
        "DESIGN, ADL; seeds 001, 002, 003, 004",
    ),
    Invariant(
        "adl-side",
        "ADL counterparties hold the opposite side",
        "DESIGN, ADL",
    ),
    Invariant(
        "adl-order",
        "ADL follows the ranking: nobody lower-ranked is touched while a higher-ranked "
        "position keeps size",
        "DESIGN, ADL; seed 001 (350 -> A 100, B 200, C 50), seed 002",
    ),
    Invariant(
        "adl-no-flip",
        "ADL only reduces a counterparty, never flips it",
        "DESIGN, ADL",
    ),
    Invariant(
        "adl-qty",
        "ADL quantity equals the liquidation's unfilled remainder",
        "DESIGN, ADL",
    ),
    Invariant(
        "sl-cap",
        "a socialized charge never exceeds its cap (cycle profit or equity)",
        "DESIGN, Socialized loss; seed 000",
    ),
    Invariant(
        "sl-participants",
        "only selected participants are charged, pro rata as the method says",
        "DESIGN, Socialized loss; seed 000",
    ),
    Invariant(
        "price-order",
        "long: bankruptcy < liquidation < entry; short: mirrored (under its preconditions)",
        "DESIGN, Prices; seed 004",
    ),
    Invariant(
        "replay",
        "replaying a ledger's inputs through the reference reproduces its outputs exactly",
        "DESIGN, Invariants",
    ),
    Invariant(
        "frame",
        "a rejected input leaves the state exactly as it was; an accepted one changes only "
        "what its rule says",
        "DESIGN, Invariants",
    ),
]

#: Every check, by invariant id. Checks register themselves here (see :func:`register_check`)
#: so the table can never claim a check that does not exist.
_CHECKS: dict[str, list[Check]] = {invariant.id: [] for invariant in _INVARIANTS}


def register_check(invariant_id: str, check: Check) -> None:
    """Record that ``check`` checks ``invariant_id``."""
    if invariant_id not in _CHECKS:
        raise KeyError(f"unknown invariant {invariant_id!r}")
    if check not in _CHECKS[invariant_id]:
        _CHECKS[invariant_id].append(check)


def get_invariant(invariant_id: str) -> Invariant:
    """The invariant with ``invariant_id``, with every check registered for it."""
    for invariant in _INVARIANTS:
        if invariant.id == invariant_id:
            return Invariant(
                invariant.id, invariant.statement, invariant.rule, tuple(_CHECKS[invariant.id])
            )
    raise KeyError(f"unknown invariant {invariant_id!r}")


CATALOGUE: tuple[str, ...] = tuple(invariant.id for invariant in _INVARIANTS)
