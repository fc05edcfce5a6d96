"""Profiles: shipped files, validation, one-line errors (perpspec.reference.profile)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

from perpspec.profiles import list_profiles, profile_path
from perpspec.reference.adl.allocation import AllocationPolicy, FillPrice
from perpspec.reference.adl.fees import FeePolicy
from perpspec.reference.adl.formulas import RankingFormula
from perpspec.reference.adl.ranking import QuantileBasis
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import FeeBase, FeeTo, SurplusTo
from perpspec.reference.profile import (
    KNOWN_OPTIONS,
    InsuranceScope,
    LastResort,
    load_profile,
    parse_profile,
)
from perpspec.reference.socialized_loss.result import Denominator, SocializedLossMethod

SEED_PROFILES = {"seed-gate", "seed-coincatch", "seed-binance", "seed-panews", "seed-socialized"}


def _data(name: str = "seed-gate") -> dict[str, Any]:
    return tomllib.loads(profile_path(name).read_text(encoding="utf-8"))


def test_one_profile_per_seed_and_documented_others() -> None:
    names = set(list_profiles())
    assert names >= SEED_PROFILES
    assert {"bitmex", "bybit", "bitget", "hyperliquid", "drift", "percolator", "dydx-v4"} <= names


@pytest.mark.parametrize("name", list_profiles())
def test_every_shipped_profile_loads_and_is_documented(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.source.citation and profile.source.date
    assert (profile.adl is None) == (profile.last_resort is LastResort.SOCIALIZED_LOSS)
    docs = (Path(__file__).parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
    assert f"## {name}\n" in docs
    for option in KNOWN_OPTIONS["margin"] + KNOWN_OPTIONS["liquidation"]:
        assert option in docs


def test_seed_gate_values() -> None:
    # Seed 001: profit ranking by the opening price, top 10/30/50/80/100% lights, queue of
    # A 100, B 200, C 50 at the bankruptcy price, one fund per trading pair.
    profile = load_profile("seed-gate")
    assert profile.adl is not None
    assert profile.adl.ranking is RankingFormula.PROFIT_RATIO
    assert profile.adl.thresholds == (F(1, 10), F(3, 10), F(1, 2), F(4, 5), F(1))
    assert profile.adl.allocation is AllocationPolicy.QUEUE
    assert profile.adl.fill_price is FillPrice.BANKRUPTCY
    assert profile.liquidation.surplus_to is SurplusTo.INSURANCE
    assert profile.insurance.scope is InsuranceScope.PER_MARKET
    assert profile.insurance.get_fund_id("BTC_USDT") == "BTC_USDT"


def test_seed_fee_conflict_is_two_profiles() -> None:
    # Seed 002: maker fee and rebate; seed 004: no fee.
    coincatch, panews = load_profile("seed-coincatch"), load_profile("seed-panews")
    assert coincatch.adl is not None and panews.adl is not None
    assert coincatch.adl.fee_policy is FeePolicy.MAKER_REBATE
    assert panews.adl.fee_policy is FeePolicy.NONE


def test_seed_socialized_values() -> None:
    # Seed 000: 20% fund / 80% winners, stop at 90%; DESIGN's participants denominator.
    profile = load_profile("seed-socialized")
    assert profile.socialized_loss is not None
    assert profile.socialized_loss.method is SocializedLossMethod.TOP_PROFIT
    assert profile.socialized_loss.insurance_share == F(1, 5)
    assert profile.socialized_loss.threshold == F(9, 10)
    assert profile.socialized_loss.denominator is Denominator.PARTICIPANTS
    assert profile.socialized_loss.cycle == timedelta(hours=8)
    assert "socialized_loss.denominator" in profile.assumed


def test_bitmex_and_hyperliquid_options() -> None:
    bitmex, hyperliquid = load_profile("bitmex"), load_profile("hyperliquid")
    assert bitmex.adl is not None and hyperliquid.adl is not None
    assert bitmex.adl.quantile_basis is QuantileBasis.SIZE
    assert hyperliquid.adl.ranking is RankingFormula.MARK_ENTRY_NOTIONAL
    assert hyperliquid.adl.fill_price is FillPrice.MARK


def test_dydx_v4_values() -> None:
    # dYdX v4: the 1.5% maximum liquidation penalty on the fill's notional
    # (GetLiquidationInsuranceFundDelta), 100% to the insurance fund (liquidations_config.proto),
    # what is left to the trader, then deleveraging at the bankruptcy price.
    profile = load_profile("dydx-v4")
    options = profile.liquidation
    assert options.fee_rate == F(15, 1000)
    assert options.fee_base is FeeBase.FILL_NOTIONAL
    assert options.fee_to is FeeTo.INSURANCE
    assert options.surplus_to is SurplusTo.TRADER
    assert profile.margin.close_fee_rate == 0
    assert profile.last_resort is LastResort.ADL
    assert profile.adl is not None and profile.adl.fill_price is FillPrice.BANKRUPTCY
    # No ranking formula describes dYdX's pick of offsetting subaccounts: the choice is marked.
    assert "adl.ranking" in profile.assumed
    assert not {"liquidation.fee_rate", "liquidation.fee_base", "liquidation.fee_to"} & set(
        profile.assumed
    )


def test_user_profile_from_a_file(tmp_path: Path) -> None:
    text = (
        profile_path("seed-binance").read_text(encoding="utf-8").replace('"seed-binance"', '"mine"')
    )
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    assert load_profile(path).name == "mine"
    assert load_profile(str(path)).name == "mine"


def _edit(data: dict[str, Any], dotted: str, value: object) -> dict[str, Any]:
    section, _, key = dotted.partition(".")
    if key:
        data[section] = dict(data[section]) | {key: value}
    else:
        data[section] = value
    return data


@pytest.mark.parametrize(
    ("dotted", "value", "message"),
    [
        (
            "adl.ranking",
            "random",
            "mine.toml: adl.ranking: unknown value 'random' (expected one of",
        ),
        (
            "adl.maker_fee_rate",
            0.0002,
            "mine.toml: adl.maker_fee_rate: found the TOML float 0.0002; write it as a string",
        ),
        ("adl.extra", "1", "mine.toml: adl.extra: unknown option (expected one of"),
        (
            "adl.thresholds",
            ["0.5", "0.3", "0.8", "1"],
            r"mine.toml: adl.thresholds[1]: cut points must increase",
        ),
        (
            "margin.close_fee_rate",
            "1",
            "mine.toml: margin.close_fee_rate: must be in [0, 1), found 1",
        ),
        (
            "trading.taker_fee_rate",
            "abc",
            "mine.toml: trading.taker_fee_rate: 'abc' is not an exact number",
        ),
        ("source.date", "yesterday", "mine.toml: source.date: 'yesterday' is not a date"),
        (
            "assumed",
            ["margin.nothing"],
            "mine.toml: assumed[0]: 'margin.nothing' is not a profile option",
        ),
        ("color", "blue", "mine.toml: color: unknown option"),
        ("insurance.scope", 3, "mine.toml: insurance.scope: expected a string, found int"),
        (
            "last_resort.method",
            "socialized_loss",
            "mine.toml: socialized_loss: missing (last_resort.method uses it)",
        ),
    ],
)
def test_invalid_profile_is_one_line_naming_the_option(
    dotted: str, value: object, message: str
) -> None:
    data = _edit(_data(), dotted, value)
    with pytest.raises(SpecError) as info:
        parse_profile(data, "mine.toml")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_missing_option_is_named() -> None:
    data = _data()
    data["margin"] = {"maintenance_basis": "mark"}
    with pytest.raises(SpecError, match=r"^mine.toml: margin.close_fee_rate: missing$"):
        parse_profile(data, "mine.toml")


def test_unused_last_resort_section_is_still_validated() -> None:
    data = _data("seed-gate")
    data["socialized_loss"] = {"method": "top_profit"}
    with pytest.raises(SpecError, match=r"^mine.toml: socialized_loss.insurance_share: missing$"):
        parse_profile(data, "mine.toml")


def test_unknown_name_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no-such: no such file, and not a shipped profile"):
        load_profile("no-such")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x\n', encoding="utf-8")
    with pytest.raises(SpecError, match=r"broken.toml: invalid TOML: "):
        load_profile(broken)
    with pytest.raises(SpecError, match="nope: not a shipped profile"):
        profile_path("nope")
