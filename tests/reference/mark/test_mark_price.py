"""Mark price variants (rules ``mark.mark-price``, ``mark.funding-basis``)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.mark.index_price import SourcePrice
from perpspec.reference.mark.mark_price import (
    BasisSample,
    MarkInputs,
    MarkMethod,
    MarkRule,
    compute_basis_moving_average,
    compute_fair_price,
    compute_funding_basis,
    compute_mark_price,
    compute_median_of_three,
)

HOUR = F(3600)


def test_funding_basis_by_hand() -> None:
    # 0.01% with 2 of 8 hours left: 0.0001 x 1/4 = 0.000025.
    assert compute_funding_basis(F(1, 10000), 2 * HOUR, 8 * HOUR) == F(25, 1000000)
    with pytest.raises(SpecError, match=r"^time_until_funding: must be in"):
        compute_funding_basis(F(1, 10000), 9 * HOUR, 8 * HOUR)


def test_fair_price_by_hand() -> None:
    # Index 50000, 0.01%, 4 of 8 hours: 50000 x (1 + 0.00005) = 50002.5.
    assert compute_fair_price(F(50000), F(1, 10000), 4 * HOUR) == F(100005, 2)


def test_basis_moving_average_by_hand() -> None:
    # Mids 100.5 and 101 against index 100 and 100.25: basis 0.5 and 0.75, mean 0.625.
    samples = [BasisSample(F(100), F(101), F(100)), BasisSample(F(100), F(102), F(401, 4))]
    assert compute_basis_moving_average(samples) == F(5, 8)


def test_median_of_three() -> None:
    assert compute_median_of_three(F(1), F(2), F(3)) == 2
    assert compute_median_of_three(F(3), F(1), F(2)) == 2
    assert compute_median_of_three(F(2), F(3), F(1)) == 2
    assert compute_median_of_three(F(2), F(2), F(1)) == 2


def test_median_of_three_mark_by_hand() -> None:
    # Index 50000, last rate 0.01%, 4 of 8 hours: Price 1 = 50002.5. Basis average 10:
    # Price 2 = 50010. Last 50020: median 50010.
    inputs = MarkInputs(
        index=F(50000),
        funding_rate=F(1, 10000),
        time_until_funding=4 * HOUR,
        basis_average=F(10),
        last_price=F(50020),
    )
    assert compute_mark_price(inputs, MarkRule(MarkMethod.MEDIAN_OF_THREE)) == 50010
    # A last price below both: the lower of the two index-based prices.
    low = MarkInputs(
        index=F(50000),
        funding_rate=F(1, 10000),
        time_until_funding=4 * HOUR,
        basis_average=F(10),
        last_price=F(49000),
    )
    assert compute_mark_price(low, MarkRule(MarkMethod.MEDIAN_OF_THREE)) == F(100005, 2)


def test_oracle_mark() -> None:
    # Validators by stake 5, 3, 2 (half 5): 100(w5) reaches exactly half; mean with 101.
    prices = (
        SourcePrice("v1", F(100), F(5)),
        SourcePrice("v2", F(101), F(3)),
        SourcePrice("v3", F(102), F(2)),
    )
    inputs = MarkInputs(oracle_prices=prices)
    assert compute_mark_price(inputs, MarkRule(MarkMethod.ORACLE)) == F(201, 2)


def test_unused_or_missing_inputs_refused() -> None:
    fair = MarkRule(MarkMethod.FAIR_PRICE)
    with pytest.raises(SpecError, match=r"^last_price: not an input of mark.method = fair_price$"):
        compute_mark_price(MarkInputs(F(100), F(0), F(0), last_price=F(100)), fair)
    with pytest.raises(SpecError, match=r"^funding_rate: required by mark.method = fair_price$"):
        compute_mark_price(MarkInputs(index=F(100), time_until_funding=F(0)), fair)
    with pytest.raises(SpecError, match="exactly one of basis_average and basis_samples"):
        compute_mark_price(
            MarkInputs(F(100), F(0), F(0), last_price=F(100)),
            MarkRule(MarkMethod.MEDIAN_OF_THREE),
        )
