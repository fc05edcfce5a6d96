"""The insurance fund as a value: a fund id and its balance (invariant ``fund-nonnegative``).

Rule (DESIGN, Insurance fund; seed 001; seed 004 Part Five): there is one fund per fund id,
mapped from markets by the profile (per market in seed 001, shared elsewhere). A liquidation
fill better than the bankruptcy price adds its surplus to the fund; a worse fill is paid from
it. The fund never goes below zero: what it cannot pay goes to the last resort (ADL or
socialized loss), never into a negative balance. Its ledger account is ``insurance:<fund>``.

Balances are exact (:class:`fractions.Fraction`); nothing here rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import format_number

__all__ = [
    "FUND_ACCOUNT_PREFIX",
    "FUND_NONNEGATIVE",
    "InsuranceFund",
    "apply_insurance_delta",
    "can_pay",
    "get_fund_account",
    "process_insurance_delta",
]

#: Invariant id (DESIGN, Invariants): no insurance fund below zero.
FUND_NONNEGATIVE: Final = "fund-nonnegative"

#: System account prefix of a fund (DESIGN, Ledger: ``insurance:<fund>``).
FUND_ACCOUNT_PREFIX: Final = "insurance:"


def _check_fund_id(fund_id: str) -> None:
    # An empty id would make every fund's account the same bare "insurance:".
    if not isinstance(fund_id, str) or not fund_id:
        raise SpecError(f"fund_id: must be a non-empty string, found {fund_id!r}")


@dataclass(frozen=True, slots=True)
class InsuranceFund:
    """One insurance fund: its id (``fund`` in the ledger) and its balance, never below zero."""

    fund_id: str
    balance: Fraction

    def __post_init__(self) -> None:
        _check_fund_id(self.fund_id)
        if self.balance < 0:
            raise SpecError(
                f"balance: insurance fund {self.fund_id!r} is at {format_number(self.balance)}, "
                f"below zero ({FUND_NONNEGATIVE})"
            )


def get_fund_account(fund_id: str) -> str:
    """The ledger account of fund ``fund_id``: ``insurance:<fund>`` (DESIGN, Ledger)."""
    _check_fund_id(fund_id)
    return f"{FUND_ACCOUNT_PREFIX}{fund_id}"


def can_pay(balance: Fraction, deficit: Fraction) -> bool:
    """True when a fund holding ``balance`` can pay ``deficit`` and stay at or above zero.

    Rule (DESIGN, Insurance fund): the engine executes a liquidation fill only if the fund can
    pay its deficit. Paying exactly the whole balance is allowed: the fund then stands at zero,
    which ``fund-nonnegative`` permits. A deficit is an amount owed, so it is never negative.

    Implements rule `insurance.nonnegative`.
    """
    if deficit < 0:
        raise SpecError(f"deficit: must be >= 0, found {format_number(deficit)}")
    return balance >= deficit


def apply_insurance_delta(balance: Fraction, delta: Fraction) -> Fraction:
    """The fund's balance after a signed change ``delta`` (+ into the fund, - paid out).

    Rule (invariant ``fund-nonnegative``): a change that would take the fund below zero is
    refused, never applied; the caller must hand that deficit to the last resort instead.

    Implements rule `insurance.nonnegative`.
    """
    after = balance + delta
    if after < 0:
        raise SpecError(
            f"insurance_delta: {format_number(delta)} would take the fund from "
            f"{format_number(balance)} to {format_number(after)}, below zero ({FUND_NONNEGATIVE})"
        )
    return after


def process_insurance_delta(fund: InsuranceFund, delta: Fraction) -> InsuranceFund:
    """The fund after a signed change, by :func:`apply_insurance_delta` (same refusal)."""
    return InsuranceFund(fund.fund_id, apply_insurance_delta(fund.balance, delta))
