"""Funding rate: premium index, average, clamp, cap and floor, payment (rules
``mark.funding-premium``, ``mark.funding-clamp``, ``mark.funding-rate``, ``engine.funding``)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.instrument import ContractKind
from perpspec.reference.mark.funding_rate import (
    FundingRule,
    PremiumAveraging,
    compute_average_premium,
    compute_clamped_rate,
    compute_funding_rate,
    compute_interest_rate,
    compute_position_funding,
    compute_premium_index,
)

BP = F(1, 10000)


def test_premium_index_by_hand() -> None:
    # Impact bid 100.2 above index 100: +0.2 / 100 = 0.2%.
    assert compute_premium_index(F(1002, 10), F(1003, 10), F(100)) == F(2, 1000)
    # Impact ask 99.9 below index 100: -0.1%.
    assert compute_premium_index(F(998, 10), F(999, 10), F(100)) == F(-1, 1000)
    # Index between the impact prices: zero.
    assert compute_premium_index(F(99), F(101), F(100)) == 0
    with pytest.raises(SpecError, match=r"^impact_bid: above impact_ask$"):
        compute_premium_index(F(101), F(100), F(100))


def test_average_premium_by_hand() -> None:
    # 1, 2, 3 weighted 1, 2, 3: (1 + 4 + 9) / 6 = 7/3; the mean is 2.
    premiums = [F(1), F(2), F(3)]
    assert compute_average_premium(premiums) == F(7, 3)
    assert compute_average_premium(premiums, PremiumAveraging.MEAN) == 2


def test_bitmex_published_example() -> None:
    # BitMEX support, "Why is the Funding Rate for a contract higher or lower than I expect":
    # ONDOUSDT, P = -0.00184, I = 0.01%: F = -0.00184 + clamp(0.00185, -0.0005, 0.0005)
    # = -0.00134.
    assert compute_clamped_rate(F(-184, 100000), BP, 5 * BP) == F(-134, 100000)


def test_interest_rate_published_examples() -> None:
    # BitMEX perpetual contracts guide: (1.00% - 0.25%) / 3 = 0.25%.
    assert compute_interest_rate(F(1, 100), F(1, 400)) == F(1, 400)
    # Bybit "What is funding rate": (0.06% - 0.03%) / 3 = 0.01%.
    assert compute_interest_rate(6 * BP, 3 * BP) == BP


def test_rate_equals_interest_inside_the_dampener() -> None:
    # |I - P| = 0.03% <= 0.05%: F = I.
    assert compute_funding_rate(F(4, 10000)) == BP


def test_cap_floor_and_scale() -> None:
    # Kraken example 2: premium 500 / 7000 over a 24-hour realisation, capped at 0.25%.
    rule = FundingRule(
        interest_rate=F(0), clamp_bound=None, cap=25 * BP, floor=-25 * BP, scale=F(1, 24)
    )
    assert compute_funding_rate(F(500, 7000), rule) == 25 * BP
    assert compute_funding_rate(F(-500, 7000), rule) == -25 * BP
    # Inside the bounds: 0.1% / 24.
    assert compute_funding_rate(F(1, 1000), rule) == F(1, 24000)


def test_position_funding() -> None:
    # BitMEX guide: long 15,000 XBTUSD (1 USD each) at mark 750 is worth 20 XBT; at 0.25% it
    # pays 0.05 XBT.
    assert compute_position_funding(ContractKind.INVERSE, F(15000), F(1), F(750), F(1, 400)) == F(
        -5, 100
    )
    # A linear short of 2 at mark 100, rate 0.01%: receives 2 x 100 x 0.0001 = 0.02.
    assert compute_position_funding(ContractKind.LINEAR, F(-2), F(1), F(100), BP) == F(2, 100)
