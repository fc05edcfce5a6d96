"""Mutation-found gaps in profile validation: fund lookup, socialized-loss bounds and reasons.

The rules are the option table of docs/profiles.md and the error format of
``perpspec.reference.profile``: every error is one line, ``FILE: section.option: reason``.
"""

from __future__ import annotations

import re
import tomllib
from fractions import Fraction
from typing import Any

import pytest

from perpspec.profiles import profile_path
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import SurplusTo
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.profile import (
    FeeTo,
    InsuranceScope,
    LiquidationMode,
    load_profile,
    parse_profile,
)


def _socialized_data(**options: object) -> dict[str, Any]:
    """The shipped seed-socialized profile with ``[socialized_loss]`` options replaced."""
    data = tomllib.loads(profile_path("seed-socialized").read_text(encoding="utf-8"))
    data["socialized_loss"] = dict(data["socialized_loss"]) | options
    return data


def _gate_data() -> dict[str, Any]:
    return tomllib.loads(profile_path("seed-gate").read_text(encoding="utf-8"))


def _exact(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_profile_keeps_its_one_line_description() -> None:
    # Profile shape: ``description = "one line"``, kept as written (perpspec/profiles/
    # seed-socialized.toml).
    profile = load_profile("seed-socialized")
    assert profile.description == "The socialized-loss system of seed 000 (top-profit sharing)"


def test_seed_gate_margin_and_liquidation_choices() -> None:
    # docs/profiles.md, seed-gate: maintenance on the mark, the whole position taken over
    # (seed 001 describes no partial step), surplus and fee both to the fund.
    profile = load_profile("seed-gate")
    assert profile.margin.maintenance_basis is MaintenanceBasis.MARK
    assert profile.liquidation.mode is LiquidationMode.FULL
    assert profile.liquidation.surplus_to is SurplusTo.INSURANCE
    assert profile.liquidation.fee_to is FeeTo.INSURANCE


def test_unknown_option_lists_the_section_options() -> None:
    # Unknown keys are errors, never ignored; the reason lists the options the section allows,
    # in the order of the profile shape ([liquidation] mode, fee_rate, fee_base,
    # surplus_to, fee_to).
    data = _gate_data()
    data["liquidation"] = dict(data["liquidation"]) | {"fees": "0"}
    with pytest.raises(
        SpecError,
        match=_exact(
            "mine.toml: liquidation.fees: unknown option "
            "(expected one of mode, fee_rate, fee_base, surplus_to, fee_to)"
        ),
    ):
        parse_profile(data, "mine.toml")


def test_unknown_choice_lists_the_allowed_values() -> None:
    # Profile shape: liquidation.mode is partial or full; another value is refused, listing both.
    data = _gate_data()
    data["liquidation"] = dict(data["liquidation"]) | {"mode": "half"}
    with pytest.raises(
        SpecError,
        match=_exact(
            "mine.toml: liquidation.mode: unknown value 'half' (expected one of partial, full)"
        ),
    ):
        parse_profile(data, "mine.toml")


def test_section_that_is_no_table_is_named() -> None:
    # Profile shape: [margin] is a table; a plain value in its place is refused, naming the
    # section and the TOML type found.
    data = _gate_data()
    data["margin"] = "mark"
    with pytest.raises(SpecError, match=_exact("mine.toml: margin: expected a table, found str")):
        parse_profile(data, "mine.toml")


def test_blank_text_option_is_refused() -> None:
    # Every text option but source.url must say something: blanks are refused as empty.
    data = _gate_data()
    data["name"] = "   "
    with pytest.raises(SpecError, match=_exact("mine.toml: name: must not be empty")):
        parse_profile(data, "mine.toml")


def test_assumed_entry_that_is_no_string_is_named_by_index() -> None:
    # Profile shape: ``assumed`` lists option names as strings; a number in it is refused with
    # the index of the entry and the type found.
    data = _gate_data()
    data["assumed"] = ["margin.close_fee_rate", 3]
    with pytest.raises(
        SpecError, match=_exact("mine.toml: assumed[1]: expected a string, found int")
    ):
        parse_profile(data, "mine.toml")


def test_maker_fee_rate_of_minus_one_is_refused() -> None:
    # docs/profiles.md, trading.maker_fee_rate: a negative maker rate is a rebate, but a rebate
    # of the whole traded value (-1) is refused with its own reason.
    data = _gate_data()
    data["trading"] = dict(data["trading"]) | {"maker_fee_rate": "-1"}
    with pytest.raises(SpecError, match=_exact("mine.toml: trading.maker_fee_rate: must be > -1")):
        parse_profile(data, "mine.toml")


def test_explicit_fund_mapping_wins_over_the_scope() -> None:
    # docs/profiles.md, insurance.funds: "explicit mappings, which win over the scope". Each
    # mapped market draws on its own mapped fund, not on the first or the last mapping, and an
    # unmapped market still follows per_market (a fund named after it).
    data = _gate_data()
    data["insurance"] = dict(data["insurance"]) | {
        "funds": {"ETH_USDT": "eth-fund", "BTC_USDT": "btc-fund"}
    }
    insurance = parse_profile(data, "mine.toml").insurance
    assert insurance.scope is InsuranceScope.PER_MARKET
    assert insurance.get_fund_id("ETH_USDT") == "eth-fund"
    assert insurance.get_fund_id("BTC_USDT") == "btc-fund"
    assert insurance.get_fund_id("SOL_USDT") == "SOL_USDT"


def test_shared_scope_sends_an_unmapped_market_to_the_default_fund() -> None:
    # docs/profiles.md, insurance.scope: shared means "the shared default_fund"; seed-socialized
    # is shared with default_fund "main" and no mappings, so every market draws on "main".
    insurance = load_profile("seed-socialized").insurance
    assert insurance.scope is InsuranceScope.SHARED
    assert insurance.get_fund_id("BTC_USDT") == "main"


@pytest.mark.parametrize("option", ["insurance_share", "threshold"])
def test_socialized_loss_shares_are_at_most_one(option: str) -> None:
    # docs/profiles.md: insurance_share is a fraction in [0, 1], threshold one in (0, 1]; a share
    # of 1.5 of the loss or of the profit means nothing. 1 itself is allowed.
    accepted = parse_profile(_socialized_data(**{option: "1"}), "mine.toml").socialized_loss
    assert accepted is not None
    assert getattr(accepted, option) == 1
    with pytest.raises(
        SpecError,
        match=_exact(f"mine.toml: socialized_loss.{option}: must be in [0, 1], found 1.5"),
    ):
        parse_profile(_socialized_data(**{option: "1.5"}), "mine.toml")


def test_zero_threshold_is_refused_with_its_reason() -> None:
    # docs/profiles.md, socialized_loss.threshold: a fraction in (0, 1]; 0 would stop the
    # top-profit search before any position, so it is refused, naming the option and the reason.
    with pytest.raises(
        SpecError,
        match=_exact(
            "mine.toml: socialized_loss.threshold: must be > 0 (a share of the total profit)"
        ),
    ):
        parse_profile(_socialized_data(threshold="0"), "mine.toml")
    # The smallest positive share is accepted as it is written.
    profile = parse_profile(_socialized_data(threshold="0.0001"), "mine.toml")
    assert profile.socialized_loss is not None
    assert profile.socialized_loss.threshold == Fraction(1, 10000)


def test_bad_cycle_names_the_file_and_the_option() -> None:
    # docs/profiles.md, socialized_loss.cycle: a duration <n>s, m, h, d or w; "8x" has no such
    # unit. The reason from the cycle parser is prefixed with the file, in the one-line format.
    with pytest.raises(
        SpecError,
        match=_exact(
            "mine.toml: socialized_loss.cycle: '8x' is not a cycle "
            '(write a duration such as "8h" or "1d")'
        ),
    ):
        parse_profile(_socialized_data(cycle="8x"), "mine.toml")


@pytest.mark.parametrize("source", ["socialized_loss", "soc", ""])
def test_bad_cycle_is_prefixed_whatever_the_file_is_called(source: str) -> None:
    # The one-line format FILE: section.option: reason holds for every file name, including
    # one that happens to be the start of the option's own name.
    with pytest.raises(SpecError) as caught:
        parse_profile(_socialized_data(cycle="8x"), source)
    assert str(caught.value) == (
        f"{source}: socialized_loss.cycle: '8x' is not a cycle "
        '(write a duration such as "8h" or "1d")'
    )


def test_missing_cycle_is_named_once() -> None:
    # A missing cycle is the table's own error, already in the one-line format: not prefixed
    # a second time.
    data = _socialized_data()
    del data["socialized_loss"]["cycle"]
    with pytest.raises(SpecError) as caught:
        parse_profile(data, "mine.toml")
    assert str(caught.value).startswith("mine.toml: socialized_loss.cycle: ")
    assert str(caught.value).count("mine.toml") == 1


def test_thresholds_that_are_no_list_name_the_type_found() -> None:
    # adl.thresholds must be a TOML array; the reason says what was found instead.
    data = _gate_data()
    data["adl"]["thresholds"] = "0.1"
    with pytest.raises(
        SpecError, match=_exact("mine.toml: adl.thresholds: expected a list, found str")
    ):
        parse_profile(data, "mine.toml")


def test_a_toml_float_is_refused_with_the_way_to_write_it() -> None:
    # Numbers are strings so they stay exact; a TOML float is refused with the fix spelled out.
    data = _gate_data()
    data["margin"]["close_fee_rate"] = 0.001
    message = (
        "mine.toml: margin.close_fee_rate: found the TOML float 0.001; write it as a string "
        '("0.001") so it stays exact'
    )
    with pytest.raises(SpecError, match=_exact(message)):
        parse_profile(data, "mine.toml")


def test_source_url_is_kept() -> None:
    # bitmex.toml, [source] url = "https://www.bitmex.com/app/autoDeleveraging"
    source = load_profile("bitmex").source
    assert source.url == "https://www.bitmex.com/app/autoDeleveraging"


def test_a_maker_fee_rate_of_one_is_refused() -> None:
    # trading.maker_fee_rate lies in [-1, 1): a rebate down to the whole notional, a fee below it.
    data = _gate_data()
    data["trading"]["maker_fee_rate"] = "1"
    message = "mine.toml: trading.maker_fee_rate: must be in [-1, 1), found 1"
    with pytest.raises(SpecError, match=_exact(message)):
        parse_profile(data, "mine.toml")


def test_adl_section_is_required_when_adl_is_the_last_resort() -> None:
    # seed-gate's last resort is ADL: without [adl] the profile is refused with the reason.
    data = _gate_data()
    del data["adl"]
    with pytest.raises(
        SpecError, match=_exact("mine.toml: adl: missing (last_resort.method uses it)")
    ):
        parse_profile(data, "mine.toml")
