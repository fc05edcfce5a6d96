"""The simulation's spec: validation, the shipped tier tables, the exact random draws."""

from __future__ import annotations

import math
import random
from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.simulation.draws import (
    LOG_MANTISSAS,
    draw_fraction,
    draw_log_uniform,
    draw_move_ppm,
    is_drawn,
)
from perpspec.reference.simulation.spec import (
    BTC_COIN_TIERS,
    BTC_PERP,
    BTC_TIERS,
    Scenario,
    SimulationSpec,
)


def test_btc_tiers_follow_binance_brackets() -> None:
    # recurrence c_n = floor_n (m_n - m_{n-1}) + c_{n-1}:
    # 50,000 x (0.005 - 0.004) = 50; 250,000 x (0.01 - 0.005) + 50 = 1,300;
    # 1,000,000 x (0.025 - 0.01) + 1,300 = 16,300 (Binance's published amounts)
    assert [t.floor for t in BTC_TIERS] == [0, 50_000, 250_000, 1_000_000]
    assert [t.mmr for t in BTC_TIERS] == [F("0.004"), F("0.005"), F("0.01"), F("0.025")]
    assert [t.maintenance_amount for t in BTC_TIERS] == [0, 50, 1_300, 16_300]
    assert [t.max_leverage for t in BTC_TIERS] == [125, 100, 50, 20]


def test_coin_tiers_follow_the_recurrence() -> None:
    # 5 x 0.001 = 0.005; 25 x 0.005 + 0.005 = 0.13; 100 x 0.015 + 0.13 = 1.63
    assert [t.maintenance_amount for t in BTC_COIN_TIERS] == [0, F("0.005"), F("0.13"), F("1.63")]


def test_scenario_text_is_accepted_and_unknown_refused() -> None:
    assert SimulationSpec(1, 1, 0, "crash").scenario is Scenario.CRASH  # type: ignore[arg-type]  # the CLI passes text
    with pytest.raises(SpecError, match=r"^scenario: 'boom' is not one of calm, crash, squeeze$"):
        SimulationSpec(1, 1, 0, "boom")  # type: ignore[arg-type]  # deliberately wrong


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"accounts": 0}, "accounts: must be an integer >= 1, found 0"),
        ({"steps": -1}, "steps: must be an integer >= 0, found -1"),
        ({"seed": -3}, "seed: must be an integer >= 0, found -3"),
        ({"funding_interval": 0}, "funding_interval: must be an integer >= 1, found 0"),
        ({"markets": ()}, "markets: at least one market is required"),
        ({"markets": (BTC_PERP, BTC_PERP)}, "markets: market names must differ"),
        ({"start_ts": "yesterday"}, "start_ts: 'yesterday' is not an ISO 8601 time"),
        ({"start_ts": "2024-01-01T00:00:00+02:00"}, "start_ts: .* is not in UTC"),
    ],
)
def test_invalid_specs_are_refused_with_a_one_line_reason(
    changes: dict[str, object], reason: str
) -> None:
    fields: dict[str, object] = {"accounts": 1, "steps": 1, "seed": 0, "scenario": Scenario.CALM}
    fields.update(changes)
    with pytest.raises(SpecError, match=reason) as error:
        SimulationSpec(**fields)  # type: ignore[arg-type]  # fields of mixed types on purpose
    assert "\n" not in str(error.value)


def test_log_mantissas_are_twenty_points_a_decade() -> None:
    # each is round(1000 * 10 ** (j / 20)): its log10 is within half a unit of j / 20
    for j, mantissa in enumerate(LOG_MANTISSAS):
        assert abs(math.log10(mantissa / 1000) - j / 20) < math.log10(1 + 0.5 / mantissa) + 1e-12


def test_log_uniform_draws_stay_in_range_and_cover_every_decade() -> None:
    rng = random.Random(7)
    draws = [draw_log_uniform(rng, -3, 1) for _ in range(2_000)]
    assert all(F(1, 1000) <= d < 10 for d in draws)
    decades = {math.floor(math.log10(d)) for d in draws}
    assert decades == {-3, -2, -1, 0}
    assert all(isinstance(d, F) for d in draws)


def test_draws_are_exact_and_bounded() -> None:
    rng = random.Random(1)
    shares = [draw_fraction(rng, 10, 90) for _ in range(500)]
    assert min(shares) >= F(1, 10) and max(shares) <= F(9, 10)
    moves = [draw_move_ppm(rng, 300) for _ in range(2_000)]
    assert max(abs(m) for m in moves) <= 900
    # three uniform terms of variance about 300**2 / 3 each: standard deviation about 300
    deviation = math.sqrt(sum(m * m for m in moves) / len(moves))
    assert 250 < deviation < 350
    assert draw_move_ppm(rng, 0) == 0
    assert not any(is_drawn(rng, 0) for _ in range(200))
    assert all(is_drawn(rng, 1000) for _ in range(200))
