"""ADL fee policy (profile option ``adl.fee_policy``; seeds 002 and 004, Bybit)."""

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


def test_seed004_no_fee() -> None:
    # Seed 004: "The trader subject to ADL does not need to pay any trading fees."
    assert compute_adl_fill_fees(F(195_000_000), FeePolicy.NONE, F(2, 10_000)) == AdlFillFees(
        F(0), F(0)
    )


def test_seed002_maker_fee_and_rebate() -> None:
    # Seed 002: the covering trader pays a maker fee, the covered one gets it back. A's 10,000
    # contracts at 19,500 (V = 1): notional 195,000,000; at a rate of 0.0002: 39,000 each way.
    fees = compute_adl_fill_fees(F(10_000) * F(19_500), FeePolicy.MAKER_REBATE, F(2, 10_000))
    assert fees == AdlFillFees(F(39_000), F(-39_000))
    assert compute_fees_account_delta([fees]) == 0


def test_bybit_maker_and_taker() -> None:
    # Bybit: maker fee to the selected traders, taker fee to the liquidated order. Notional
    # 200: maker 0.0002 -> 0.04, taker 0.00055 -> 0.11; the fee account gets 0.15.
    fees = compute_adl_fill_fees(F(200), FeePolicy.MAKER_TAKER, F(2, 10_000), F(55, 100_000))
    assert fees == AdlFillFees(F(4, 100), F(11, 100))
    assert compute_fees_account_delta([fees]) == F(15, 100)


def test_unit_rounds_charges_up_and_rebates_down() -> None:
    # 202 x 0.0003 = 0.0606: charge 0.07 (up), rebate 0.06 (down); the fee account keeps 0.01.
    fees = compute_adl_fill_fees(F(202), FeePolicy.MAKER_REBATE, F(3, 10_000), unit=F(1, 100))
    assert fees == AdlFillFees(F(7, 100), F(-6, 100))
    assert compute_fees_account_delta([fees]) == F(1, 100)


def test_inverse_notional() -> None:
    # Inverse: 100 contracts of 1 USD at 20,000: 100/20000 = 1/200 coin.
    assert compute_fill_notional(F(100), F(20_000), F(1), ContractKind.INVERSE) == F(1, 200)
    assert compute_fill_notional(F(3), F(100), F(1, 10)) == 30


def test_negative_rate_is_refused() -> None:
    with pytest.raises(SpecError, match="maker_fee_rate: must be >= 0"):
        compute_adl_fill_fees(F(1), FeePolicy.MAKER_REBATE, F(-1, 1000))
