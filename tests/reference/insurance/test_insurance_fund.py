"""The insurance fund as a value (DESIGN, Insurance fund; invariant fund-nonnegative)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.errors import SpecError
from perpspec.reference.insurance.fund import (
    InsuranceFund,
    apply_insurance_delta,
    can_pay,
    get_fund_account,
    process_insurance_delta,
)


def test_fund_account_name() -> None:
    # DESIGN, Ledger: system account insurance:<fund>.
    assert get_fund_account("BTC-USDT") == "insurance:BTC-USDT"
    with pytest.raises(SpecError, match="fund_id"):
        get_fund_account("")


def test_seed001_fund_cannot_pay_11000_from_1000() -> None:
    # Seed 001: fund 1,000 USDT, 11,000 needed -> insufficient, ADL is triggered.
    assert not can_pay(F(1_000), F(11_000))
    # Seed 001, user B: 50 from a fund of 1,000 is payable; so is the whole balance.
    assert can_pay(F(1_000), F(50))
    assert can_pay(F(1_000), F(1_000))
    with pytest.raises(SpecError, match="deficit"):
        can_pay(F(1_000), F(-1))


def test_apply_delta_and_refuse_going_below_zero() -> None:
    # 1,000 + 100 = 1,100; 1,000 - 50 = 950; 1,000 - 1,000 = 0 (allowed).
    assert apply_insurance_delta(F(1_000), F(100)) == 1_100
    assert apply_insurance_delta(F(1_000), F(-50)) == 950
    assert apply_insurance_delta(F(1_000), F(-1_000)) == 0
    # 1,000 - 11,000 = -10,000: refused, with the invariant id in a one-line reason.
    with pytest.raises(SpecError, match="fund-nonnegative") as info:
        apply_insurance_delta(F(1_000), F(-11_000))
    assert "\n" not in str(info.value)


def test_fund_value() -> None:
    fund = InsuranceFund("BTC-USDT", F(1_000))
    # 1,000 - 50 = 950, same id; the original value is untouched.
    assert process_insurance_delta(fund, F(-50)) == InsuranceFund("BTC-USDT", F(950))
    assert fund.balance == 1_000
    with pytest.raises(SpecError, match="fund-nonnegative"):
        process_insurance_delta(fund, F(-1_001))
    with pytest.raises(SpecError, match="fund-nonnegative"):
        InsuranceFund("BTC-USDT", F(-1))
    with pytest.raises(SpecError, match="fund_id"):
        InsuranceFund("", F(0))


_amounts = st.builds(F, st.integers(-10_000, 10_000), st.sampled_from([1, 3, 100]))


@given(st.builds(F, st.integers(0, 10_000), st.sampled_from([1, 3, 100])), _amounts)
def test_apply_matches_can_pay(balance: F, delta: F) -> None:
    # A change applies exactly when the fund can pay its negative part, and then adds up.
    payable = can_pay(balance, max(F(0), -delta))
    if payable:
        assert apply_insurance_delta(balance, delta) == balance + delta
    else:
        assert balance + delta < 0
        with pytest.raises(SpecError):
            apply_insurance_delta(balance, delta)
