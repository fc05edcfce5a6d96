"""The ``[index]``, ``[mark]`` and ``[funding]`` profile options (perpspec.reference.profile)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from fractions import Fraction as F
from typing import Any

import pytest

from perpspec.profiles import list_profiles, profile_path
from perpspec.reference.errors import SpecError
from perpspec.reference.mark.funding_rate import FundingRule, PremiumAveraging
from perpspec.reference.mark.index_price import IndexMethod, IndexRule
from perpspec.reference.mark.mark_price import MarkMethod, MarkRule
from perpspec.reference.profile import load_profile, parse_profile


def _data() -> dict[str, Any]:
    return tomllib.loads(profile_path("seed-gate").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list_profiles())
def test_profiles_without_the_sections_have_none(name: str) -> None:
    profile = load_profile(name)
    data = tomllib.loads(profile_path(name).read_text(encoding="utf-8"))
    assert (profile.index is None) == ("index" not in data)
    assert (profile.mark is None) == ("mark" not in data)
    assert (profile.funding is None) == ("funding" not in data)


def test_sections_parse() -> None:
    data = _data()
    data["index"] = {
        "method": "weighted_mean",
        "max_deviation": "0.05",
        "max_age": "30s",
        "min_sources": 3,
    }
    data["mark"] = {"method": "median_of_three", "funding_interval": "8h"}
    data["funding"] = {
        "interest_rate": "0.0001",
        "clamp_bound": "0.0005",
        "cap": "0.003",
        "floor": "-0.003",
        "averaging": "linear_weighted",
        "scale": "1",
        "interval": "8h",
    }
    profile = parse_profile(data, "mine.toml")
    assert profile.index == IndexRule(
        IndexMethod.WEIGHTED_MEAN, F(5, 100), timedelta(seconds=30), 3
    )
    assert profile.mark == MarkRule(MarkMethod.MEDIAN_OF_THREE, F(28800))
    assert profile.funding == FundingRule(
        F(1, 10000),
        F(5, 10000),
        F(3, 1000),
        F(-3, 1000),
        PremiumAveraging.LINEAR_WEIGHTED,
        F(1),
        F(28800),
    )


def test_none_bounds() -> None:
    data = _data()
    data["index"] = {
        "method": "weighted_median",
        "max_deviation": "none",
        "max_age": "none",
        "min_sources": 1,
    }
    data["funding"] = {
        "interest_rate": "0",
        "clamp_bound": "none",
        "cap": "none",
        "floor": "none",
        "averaging": "mean",
        "scale": "1",
        "interval": "1h",
    }
    profile = parse_profile(data, "mine.toml")
    assert profile.index == IndexRule(IndexMethod.WEIGHTED_MEDIAN, None, None, 1)
    assert profile.funding is not None
    assert (profile.funding.clamp_bound, profile.funding.cap, profile.funding.interval) == (
        None,
        None,
        F(3600),
    )


@pytest.mark.parametrize(
    ("section", "values", "message"),
    [
        (
            "mark",
            {"method": "last", "funding_interval": "8h"},
            r"^mine.toml: mark.method: unknown value 'last'",
        ),
        ("mark", {"method": "oracle"}, r"^mine.toml: mark.funding_interval: missing$"),
        (
            "mark",
            {"method": "oracle", "funding_interval": "8h", "x": 1},
            r"^mine.toml: mark.x: unknown option",
        ),
        (
            "index",
            {
                "method": "weighted_mean",
                "max_deviation": "none",
                "max_age": "none",
                "min_sources": 0,
            },
            r"^mine.toml: index.min_sources: expected an integer >= 1",
        ),
        (
            "funding",
            {
                "interest_rate": "0",
                "clamp_bound": "none",
                "cap": "0.001",
                "floor": "0.002",
                "averaging": "mean",
                "scale": "1",
                "interval": "8h",
            },
            r"^mine.toml: funding.floor: must not be above funding.cap$",
        ),
    ],
)
def test_bad_options_refused(section: str, values: dict[str, object], message: str) -> None:
    data = _data()
    data[section] = values
    with pytest.raises(SpecError, match=message):
        parse_profile(data, "mine.toml")
