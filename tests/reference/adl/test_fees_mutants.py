"""Mutation-found gaps in ADL fees (profile option ``adl.fee_policy``).

Rules protected: the inverse notional ``qty V / P``; a negative rate is refused naming the
rate; with a ``unit`` every charge rounds UP, the taker fee too; the fee account's change is an
exact Fraction.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.adl.fees import (
    AdlFillFees,
    FeePolicy,
    compute_adl_fill_fees,
    compute_fees_account_delta,
    compute_fill_notional,
)
from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind


def test_inverse_notional_multiplies_by_the_contract_value() -> None:
    # Inverse: 100 contracts of 10 USD at 20,000: 100 x 10 / 20,000 = 1/20 coin.
    assert compute_fill_notional(F(100), F(20_000), F(10), ContractKind.INVERSE) == F(1, 20)


def test_negative_taker_rate_is_refused_by_name() -> None:
    with pytest.raises(SpecError, match=r"^taker_fee_rate: must be >= 0, found -0\.001$"):
        compute_adl_fill_fees(F(1), FeePolicy.MAKER_TAKER, F(0), F(-1, 1000))


def test_maker_taker_charges_round_up_to_the_unit() -> None:
    # Bybit: maker fee to the counterparty, taker fee to the liquidated trader. Notional 202,
    # unit 0.01: maker 202 x 0.0002 = 0.0404 -> 0.05; taker 202 x 0.0005 = 0.101 -> 0.11.
    fees = compute_adl_fill_fees(
        F(202), FeePolicy.MAKER_TAKER, F(2, 10_000), F(5, 10_000), unit=F(1, 100)
    )
    assert fees == AdlFillFees(F(5, 100), F(11, 100))


def test_fees_account_delta_is_an_exact_fraction_without_fills() -> None:
    # No fill: the fee account does not move, and the change is still the declared exact
    # Fraction (the type every money amount of the reference has), not a bare int.
    delta = compute_fees_account_delta([])
    assert delta == 0
    assert type(delta) is F
    # One maker fee 39,000 paid in and its rebate 39,000 paid out (seed 002): 0 net.
    assert compute_fees_account_delta([AdlFillFees(F(39_000), F(-39_000))]) == 0
