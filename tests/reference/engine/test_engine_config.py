"""The engine configuration (``LEDGER.engine.toml``): parsing, defaults, errors, round trip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from perpspec.reference.engine.config import (
    EngineConfig,
    load_engine_config,
    parse_engine_config,
    parse_liquidity,
    render_engine_config,
)
from perpspec.reference.engine.liquidity import LiquidityModel
from perpspec.reference.errors import SpecError
from perpspec.reference.profile import load_profile


def test_absent_liquidity_keys_take_the_model_defaults() -> None:
    # LiquidityModel's stated defaults: market-maker, 10 levels, 0.001, 0.002, 10, seed 0.
    model = parse_liquidity({})
    assert model == LiquidityModel(
        "market-maker", 10, Fraction(1, 1000), Fraction(2, 1000), Fraction(10), 0
    )


def test_every_liquidity_key_is_read_exactly() -> None:
    model = parse_liquidity(
        {
            "account": "book",
            "levels": 3,
            "spread": "0.25",
            "spacing": "0.5",
            "depth": "7",
            "seed": 9,
        }
    )
    assert model == LiquidityModel("book", 3, Fraction(1, 4), Fraction(1, 2), Fraction(7), 9)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"acount": "x"}, "liquidity.acount: unknown option (known: account, levels, spread"),
        ({"account": ""}, "liquidity.account: expected a non-empty string"),
        ({"account": 3}, "liquidity.account: expected a non-empty string"),
        ({"levels": True}, "liquidity.levels: expected an integer, found True"),
        ({"levels": "3"}, "liquidity.levels: expected an integer, found '3'"),
        ({"seed": 1.5}, "liquidity.seed: expected an integer, found 1.5"),
        ({"spread": "-1"}, "liquidity.spread"),
        ({"spacing": "-0.1"}, "liquidity.spacing"),
        ({"depth": "0"}, "liquidity.depth"),
    ],
)
def test_bad_liquidity_is_refused_naming_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_liquidity(data)
    assert str(caught.value).startswith(message)


def test_the_path_prefixes_liquidity_errors() -> None:
    with pytest.raises(SpecError, match=r"^case\.liquidity\.levels: "):
        parse_liquidity({"levels": "x"}, "case.liquidity")


def test_engine_config_reads_profile_unit_and_liquidity() -> None:
    config = parse_engine_config(
        {"profile": "seed-gate", "unit": "0.00000001", "liquidity": {"levels": 2}}, "run"
    )
    assert config.profile == load_profile("seed-gate")
    assert config.profile_ref == "seed-gate"
    assert config.unit == Fraction(1, 10**8)
    assert config.liquidity.levels == 2
    assert config.liquidity.account == "market-maker"


def test_engine_config_without_unit_or_liquidity_is_exact_with_the_default_book() -> None:
    config = parse_engine_config({"profile": "seed-gate"}, "run")
    assert config.unit is None
    assert config.liquidity == LiquidityModel()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"profile": "seed-gate", "seed": 1}, "run: seed: unknown key (profile, unit, liquidity)"),
        ({}, "run: profile: expected a profile name or path"),
        ({"profile": ""}, "run: profile: expected a profile name or path"),
        ({"profile": 5}, "run: profile: expected a profile name or path"),
        ({"profile": "seed-gate", "liquidity": "deep"}, "run: liquidity: expected a table"),
        ({"profile": "seed-gate", "unit": "0"}, "run: unit"),
    ],
)
def test_bad_engine_config_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_engine_config(data, "run")
    assert str(caught.value).startswith(message)


def test_render_then_load_gives_the_same_configuration(tmp_path: Path) -> None:
    config = EngineConfig(
        load_profile("seed-socialized"),
        LiquidityModel("mm", 4, Fraction(3, 1000), Fraction(1, 200), Fraction(5, 2), 11),
        "seed-socialized",
        Fraction(1, 100),
    )
    text = render_engine_config(config)
    assert text == (
        'profile = "seed-socialized"\nunit = "0.01"\n\n[liquidity]\naccount = "mm"\n'
        'levels = 4\nspread = "0.003"\nspacing = "0.005"\ndepth = "2.5"\nseed = 11\n'
    )
    path = tmp_path / "run.engine.toml"
    path.write_text(text, encoding="utf-8")
    assert load_engine_config(path) == config


def test_render_without_unit_or_reference_names_the_profile() -> None:
    config = EngineConfig(load_profile("seed-gate"))
    text = render_engine_config(config)
    assert text.startswith('profile = "seed-gate"\n\n[liquidity]\n')
    assert "unit" not in text


def test_invalid_toml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.engine.toml"
    path.write_text('profile = "seed-gate\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_engine_config(path)
    assert str(caught.value).startswith(f"{path}: not valid TOML: ")
