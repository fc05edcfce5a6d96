"""Profiles: every choice DESIGN.md leaves to the exchange, named, in one TOML file.

A profile names the choices of one documented system (DESIGN, introduction): where the seeds
disagree or are vague, the resolution is an option here, never a silent guess. Shipped profiles
live in :mod:`perpspec.profiles` (one per seed, and further documented exchanges); a user's
profile is any TOML file of the same shape. ``docs/profiles.md`` explains every shipped value.

Shape (every option is required; only the last-resort section that the profile does not use may
be left out; unknown keys are errors, never ignored)::

    name = "seed-gate"
    description = "one line"
    assumed = ["margin.close_fee_rate"]   # options whose value is not from the source

    [source]        citation, date ("YYYY-MM-DD", "YYYY-MM", "YYYY" or "undated"), url
    [margin]        maintenance_basis (mark|entry), close_fee_rate
    [liquidation]   mode (partial|full), fee_rate, fee_base (fill_notional|
                    bankruptcy_value|mark_value), surplus_to (insurance|trader),
                    fee_to (insurance|fees)
    [insurance]     scope (per_market|shared), default_fund, funds = {market = "fund"}
    [last_resort]   method (adl|socialized_loss)
    [adl]           ranking (pnl_times_leverage|leverage_pnl_margin_ratio|profit_ratio|
                    roi_times_mmr|mark_entry_notional), quantile_basis (rank|size),
                    thresholds (4 or 5 cut points), allocation (queue|pro_rata),
                    fill_price (bankruptcy|mark), fee_policy (none|maker_rebate|maker_taker),
                    maker_fee_rate, taker_fee_rate
    [socialized_loss] method (top_profit|clawback|open_interest|haircut_ratio),
                    insurance_share, threshold, denominator (participants|all_profitable),
                    cycle ("8h", "1d", ...)
    [trading]       maker_fee_rate, taker_fee_rate

Optional sections (a profile without them takes the mark price and the funding rate as given
inputs, as every profile did before they existed; each section, when present, needs every one
of its options; ``"none"`` turns a bound off):

    [index]         method (weighted_mean|weighted_median), max_deviation (a rate or "none"),
                    max_age ("30s", "5m", ... or "none"), min_sources (an integer >= 1)
    [mark]          method (median_of_three|fair_price|oracle), funding_interval ("8h", ...)
    [funding]       interest_rate, clamp_bound (or "none"), cap (or "none"), floor (or
                    "none"), averaging (linear_weighted|mean), scale (> 0), interval ("8h")

Numbers are strings (``"0.0005"``) or integers, so they stay exact: a TOML float is refused
with a hint. Every error is one line, ``FILE: section.option: reason``.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

from perpspec.reference.adl.allocation import AllocationPolicy, FillPrice
from perpspec.reference.adl.fees import FeePolicy
from perpspec.reference.adl.formulas import RankingFormula
from perpspec.reference.adl.ranking import QuantileBasis, validate_thresholds
from perpspec.reference.errors import SpecError
from perpspec.reference.liquidation.settlement import FeeBase, FeeTo, SurplusTo
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.mark.funding_rate import FundingRule, PremiumAveraging
from perpspec.reference.mark.index_price import IndexMethod, IndexRule
from perpspec.reference.mark.mark_price import MarkMethod, MarkRule
from perpspec.reference.numbers import NumberError, format_number, parse_number
from perpspec.reference.socialized_loss.cycles import parse_cycle
from perpspec.reference.socialized_loss.result import Denominator, SocializedLossMethod

__all__ = [
    "KNOWN_OPTIONS",
    "OPTIONAL_SECTIONS",
    "AdlOptions",
    "FeeBase",
    "FeeTo",
    "InsuranceOptions",
    "InsuranceScope",
    "LastResort",
    "LiquidationMode",
    "LiquidationOptions",
    "MarginOptions",
    "Profile",
    "SocializedLossOptions",
    "SourceInfo",
    "TradingOptions",
    "get_shipped_profile_names",
    "load_profile",
    "parse_profile",
]

E = TypeVar("E", bound=Enum)

#: The package that holds the shipped profiles as ``<name>.toml`` data files.
SHIPPED_PACKAGE = "perpspec.profiles"


class LiquidationMode(Enum):
    """Option ``liquidation.mode``: ``partial`` above the lowest tier where possible, or ``full``.

    DESIGN, Liquidation (seed 004, Part Four).
    """

    PARTIAL = "partial"
    FULL = "full"


class InsuranceScope(Enum):
    """Option ``insurance.scope``: one fund per market (seed 001) or shared funds."""

    PER_MARKET = "per_market"
    SHARED = "shared"


class LastResort(Enum):
    """Option ``last_resort.method``: what follows an exhausted insurance fund."""

    ADL = "adl"
    SOCIALIZED_LOSS = "socialized_loss"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the profile's values come from: a citation, its date, an address."""

    citation: str
    date: str
    url: str


@dataclass(frozen=True, slots=True)
class MarginOptions:
    """``[margin]``: the basis of maintenance margin and the close fee reserved in prices."""

    maintenance_basis: MaintenanceBasis
    close_fee_rate: Fraction


@dataclass(frozen=True, slots=True)
class LiquidationOptions:
    """``[liquidation]``: partial or full, the fee and its base, who gets surplus and fee."""

    mode: LiquidationMode
    fee_rate: Fraction
    fee_base: FeeBase
    surplus_to: SurplusTo
    fee_to: FeeTo


@dataclass(frozen=True, slots=True)
class InsuranceOptions:
    """``[insurance]``: which fund a market draws on."""

    scope: InsuranceScope
    default_fund: str
    funds: tuple[tuple[str, str], ...]

    def get_fund_id(self, market: str) -> str:
        """The fund of ``market``: its mapping, else its own (per_market) or the default."""
        for mapped_market, fund in self.funds:
            if mapped_market == market:
                return fund
        return market if self.scope is InsuranceScope.PER_MARKET else self.default_fund


@dataclass(frozen=True, slots=True)
class AdlOptions:
    """``[adl]``: ranking, indicator, allocation, fill price and fee policy."""

    ranking: RankingFormula
    quantile_basis: QuantileBasis
    thresholds: tuple[Fraction, ...]
    allocation: AllocationPolicy
    fill_price: FillPrice
    fee_policy: FeePolicy
    maker_fee_rate: Fraction
    taker_fee_rate: Fraction


@dataclass(frozen=True, slots=True)
class SocializedLossOptions:
    """``[socialized_loss]``: the method and its parameters, and the settlement cycle."""

    method: SocializedLossMethod
    insurance_share: Fraction
    threshold: Fraction
    denominator: Denominator
    cycle: timedelta


@dataclass(frozen=True, slots=True)
class TradingOptions:
    """``[trading]``: ordinary fee rates (a negative maker rate is a rebate)."""

    maker_fee_rate: Fraction
    taker_fee_rate: Fraction


@dataclass(frozen=True, slots=True)
class Profile:
    """One documented system's choices. ``adl`` or ``socialized_loss`` is None when unused."""

    name: str
    description: str
    source: SourceInfo
    assumed: tuple[str, ...]
    margin: MarginOptions
    liquidation: LiquidationOptions
    insurance: InsuranceOptions
    last_resort: LastResort
    adl: AdlOptions | None
    socialized_loss: SocializedLossOptions | None
    trading: TradingOptions
    #: ``[index]``, ``[mark]``, ``[funding]``: None when the profile has no such section.
    index: IndexRule | None = None
    mark: MarkRule | None = None
    funding: FundingRule | None = None


#: Every option a profile names, as ``section.option`` (the keys ``assumed`` may list).
KNOWN_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "source": ("citation", "date", "url"),
    "margin": ("maintenance_basis", "close_fee_rate"),
    "liquidation": ("mode", "fee_rate", "fee_base", "surplus_to", "fee_to"),
    "insurance": ("scope", "default_fund", "funds"),
    "last_resort": ("method",),
    "adl": (
        "ranking",
        "quantile_basis",
        "thresholds",
        "allocation",
        "fill_price",
        "fee_policy",
        "maker_fee_rate",
        "taker_fee_rate",
    ),
    "socialized_loss": ("method", "insurance_share", "threshold", "denominator", "cycle"),
    "trading": ("maker_fee_rate", "taker_fee_rate"),
    "index": ("method", "max_deviation", "max_age", "min_sources"),
    "mark": ("method", "funding_interval"),
    "funding": (
        "interest_rate",
        "clamp_bound",
        "cap",
        "floor",
        "averaging",
        "scale",
        "interval",
    ),
}

#: The sections a profile may leave out whatever its other options say.
OPTIONAL_SECTIONS = ("index", "mark", "funding")

_TOP_LEVEL = ("name", "description", "assumed")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?|undated")


class _Table:
    """One TOML table being read: typed getters, one-line errors, unknown keys refused."""

    def __init__(self, data: Mapping[str, object], path: str, source: str) -> None:
        self.data = data
        self.path = path
        self.source = source

    def name_of(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, reason: str) -> SpecError:
        return SpecError(f"{self.source}: {self.name_of(key)}: {reason}")

    def check_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown option (expected one of {', '.join(allowed)})")

    def get(self, key: str) -> object:
        if key not in self.data:
            raise self.error(key, "missing")
        return self.data[key]

    def get_text(self, key: str, allow_empty: bool = False) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            raise self.error(key, f"expected a string, found {type(value).__name__}")
        if not allow_empty and not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def get_choice(self, key: str, choices: type[E]) -> E:
        value = self.get_text(key)
        for member in choices:
            if member.value == value:
                return member
        names = ", ".join(str(m.value) for m in choices)
        raise self.error(key, f"unknown value {value!r} (expected one of {names})")

    def parse_number(self, value: object, key: str) -> Fraction:
        if isinstance(value, float):
            raise self.error(
                key,
                f'found the TOML float {value!r}; write it as a string ("{value!r}") '
                "so it stays exact",
            )
        try:
            return parse_number(value, self.name_of(key))
        except NumberError as error:
            raise SpecError(f"{self.source}: {error}") from None

    def get_number(
        self, key: str, low: Fraction, high: Fraction, high_open: bool = False
    ) -> Fraction:
        number = self.parse_number(self.get(key), key)
        if number < low or number > high or (high_open and number == high):
            bracket = ")" if high_open else "]"
            raise self.error(
                key,
                f"must be in [{format_number(low)}, {format_number(high)}{bracket}, "
                f"found {format_number(number)}",
            )
        return number

    def get_rate(self, key: str) -> Fraction:
        return self.get_number(key, Fraction(0), Fraction(1), high_open=True)

    def get_optional_number(self, key: str, low: Fraction, high: Fraction) -> Fraction | None:
        if self.get(key) == "none":
            return None
        return self.get_number(key, low, high)

    def get_duration(self, key: str) -> timedelta:
        text = self.get_text(key)
        try:
            return parse_cycle(text, self.name_of(key))
        except SpecError as error:
            raise SpecError(f"{self.source}: {error}") from None

    def get_table(self, key: str) -> _Table:
        value = self.get(key)
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a table, found {type(value).__name__}")
        return _Table(value, self.name_of(key), self.source)

    def get_list(self, key: str) -> list[object]:
        value = self.get(key)
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, found {type(value).__name__}")
        return value


def _parse_source(table: _Table) -> SourceInfo:
    table.check_keys(KNOWN_OPTIONS["source"])
    date = table.get_text("date")
    if not _DATE.fullmatch(date):
        raise table.error(
            "date", f'{date!r} is not a date ("YYYY-MM-DD", "YYYY-MM", "YYYY" or "undated")'
        )
    return SourceInfo(table.get_text("citation"), date, table.get_text("url", allow_empty=True))


def _parse_margin(table: _Table) -> MarginOptions:
    table.check_keys(KNOWN_OPTIONS["margin"])
    return MarginOptions(
        table.get_choice("maintenance_basis", MaintenanceBasis), table.get_rate("close_fee_rate")
    )


def _parse_liquidation(table: _Table) -> LiquidationOptions:
    table.check_keys(KNOWN_OPTIONS["liquidation"])
    return LiquidationOptions(
        table.get_choice("mode", LiquidationMode),
        table.get_rate("fee_rate"),
        table.get_choice("fee_base", FeeBase),
        table.get_choice("surplus_to", SurplusTo),
        table.get_choice("fee_to", FeeTo),
    )


def _parse_insurance(table: _Table) -> InsuranceOptions:
    table.check_keys(KNOWN_OPTIONS["insurance"])
    funds_table = table.get_table("funds")
    funds: list[tuple[str, str]] = []
    for market in funds_table.data:
        funds.append((market, funds_table.get_text(market)))
    return InsuranceOptions(
        table.get_choice("scope", InsuranceScope), table.get_text("default_fund"), tuple(funds)
    )


def _parse_thresholds(table: _Table) -> tuple[Fraction, ...]:
    values = [
        table.parse_number(v, f"thresholds[{i}]")
        for i, v in enumerate(table.get_list("thresholds"))
    ]
    try:
        return validate_thresholds(values, table.name_of("thresholds"))
    except SpecError as error:
        raise SpecError(f"{table.source}: {error}") from None


def _parse_adl(table: _Table) -> AdlOptions:
    table.check_keys(KNOWN_OPTIONS["adl"])
    return AdlOptions(
        table.get_choice("ranking", RankingFormula),
        table.get_choice("quantile_basis", QuantileBasis),
        _parse_thresholds(table),
        table.get_choice("allocation", AllocationPolicy),
        table.get_choice("fill_price", FillPrice),
        table.get_choice("fee_policy", FeePolicy),
        table.get_rate("maker_fee_rate"),
        table.get_rate("taker_fee_rate"),
    )


def _parse_socialized_loss(table: _Table) -> SocializedLossOptions:
    table.check_keys(KNOWN_OPTIONS["socialized_loss"])
    method = table.get_choice("method", SocializedLossMethod)
    insurance_share = table.get_number("insurance_share", Fraction(0), Fraction(1))
    threshold = table.get_number("threshold", Fraction(0), Fraction(1))
    if threshold == 0:
        raise table.error("threshold", "must be > 0 (a share of the total profit)")
    denominator = table.get_choice("denominator", Denominator)
    text = table.get_text("cycle")
    try:
        cycle = parse_cycle(text, table.name_of("cycle"))
    except SpecError as error:
        raise SpecError(f"{table.source}: {error}") from None
    return SocializedLossOptions(method, insurance_share, threshold, denominator, cycle)


def _parse_trading(table: _Table) -> TradingOptions:
    table.check_keys(KNOWN_OPTIONS["trading"])
    maker = table.get_number("maker_fee_rate", Fraction(-1), Fraction(1), high_open=True)
    if maker == -1:
        raise table.error("maker_fee_rate", "must be > -1")
    return TradingOptions(maker, table.get_rate("taker_fee_rate"))


def _seconds(duration: timedelta) -> Fraction:
    return Fraction(duration // timedelta(seconds=1))


def _parse_index(table: _Table) -> IndexRule:
    table.check_keys(KNOWN_OPTIONS["index"])
    max_age = None if table.get("max_age") == "none" else table.get_duration("max_age")
    count = table.get("min_sources")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise table.error("min_sources", f"expected an integer >= 1, found {count!r}")
    return IndexRule(
        table.get_choice("method", IndexMethod),
        table.get_optional_number("max_deviation", Fraction(0), Fraction(1)),
        max_age,
        count,
    )


def _parse_mark(table: _Table) -> MarkRule:
    table.check_keys(KNOWN_OPTIONS["mark"])
    return MarkRule(
        table.get_choice("method", MarkMethod), _seconds(table.get_duration("funding_interval"))
    )


def _parse_funding(table: _Table) -> FundingRule:
    table.check_keys(KNOWN_OPTIONS["funding"])
    one = Fraction(1)
    cap = table.get_optional_number("cap", -one, one)
    floor = table.get_optional_number("floor", -one, one)
    if cap is not None and floor is not None and floor > cap:
        raise table.error("floor", "must not be above funding.cap")
    scale = table.get_number("scale", Fraction(0), one)
    if scale == 0:
        raise table.error("scale", "must be > 0")
    return FundingRule(
        interest_rate=table.get_number("interest_rate", -one, one),
        clamp_bound=table.get_optional_number("clamp_bound", Fraction(0), one),
        cap=cap,
        floor=floor,
        averaging=table.get_choice("averaging", PremiumAveraging),
        scale=scale,
        interval=_seconds(table.get_duration("interval")),
    )


def _parse_assumed(root: _Table) -> tuple[str, ...]:
    names: list[str] = []
    for index, item in enumerate(root.get_list("assumed")):
        if not isinstance(item, str):
            raise root.error(f"assumed[{index}]", f"expected a string, found {type(item).__name__}")
        section, _, option = item.partition(".")
        if option not in KNOWN_OPTIONS.get(section, ()):
            raise root.error(
                f"assumed[{index}]", f"{item!r} is not a profile option (section.option)"
            )
        names.append(item)
    return tuple(names)


def _parse_optional_section(root: _Table, key: str, used: bool) -> _Table | None:
    if key in root.data:
        return root.get_table(key)
    if used:
        raise root.error(key, "missing (last_resort.method uses it)")
    return None


def parse_profile(data: Mapping[str, object], source: str) -> Profile:
    """Validate parsed TOML ``data`` into a :class:`Profile`.

    ``source`` names the file in every error: ``FILE: section.option: reason``.
    """
    root = _Table(data, "", source)
    root.check_keys(_TOP_LEVEL + tuple(KNOWN_OPTIONS))
    last_resort_table = root.get_table("last_resort")
    last_resort_table.check_keys(KNOWN_OPTIONS["last_resort"])
    last_resort = last_resort_table.get_choice("method", LastResort)
    adl_table = _parse_optional_section(root, "adl", last_resort is LastResort.ADL)
    sl_table = _parse_optional_section(
        root, "socialized_loss", last_resort is LastResort.SOCIALIZED_LOSS
    )
    return Profile(
        name=root.get_text("name"),
        description=root.get_text("description"),
        source=_parse_source(root.get_table("source")),
        assumed=_parse_assumed(root),
        margin=_parse_margin(root.get_table("margin")),
        liquidation=_parse_liquidation(root.get_table("liquidation")),
        insurance=_parse_insurance(root.get_table("insurance")),
        last_resort=last_resort,
        adl=None if adl_table is None else _parse_adl(adl_table),
        socialized_loss=None if sl_table is None else _parse_socialized_loss(sl_table),
        trading=_parse_trading(root.get_table("trading")),
        index=_parse_index(root.get_table("index")) if "index" in root.data else None,
        mark=_parse_mark(root.get_table("mark")) if "mark" in root.data else None,
        funding=_parse_funding(root.get_table("funding")) if "funding" in root.data else None,
    )


def get_shipped_profile_names() -> list[str]:
    """Names of the profiles shipped in :mod:`perpspec.profiles`, sorted."""
    folder = importlib.resources.files(SHIPPED_PACKAGE)
    return sorted(
        item.name[: -len(".toml")] for item in folder.iterdir() if item.name.endswith(".toml")
    )


def _read_profile_text(path_or_name: str | os.PathLike[str]) -> tuple[str, str]:
    """The profile's text and the name to report it by (a shipped name or a file path)."""
    text = os.fspath(path_or_name)
    if text in get_shipped_profile_names():
        shipped = importlib.resources.files(SHIPPED_PACKAGE) / f"{text}.toml"
        return shipped.read_text(encoding="utf-8"), f"{text}.toml"
    path = Path(text)
    try:
        return path.read_text(encoding="utf-8"), text
    except FileNotFoundError:
        shipped_names = ", ".join(get_shipped_profile_names())
        raise SpecError(
            f"{text}: no such file, and not a shipped profile ({shipped_names})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"{text}: cannot read: {error}") from None


def load_profile(path_or_name: str | os.PathLike[str]) -> Profile:
    """Load a shipped profile by name (``"seed-gate"``) or a user's profile by file path."""
    text, source = _read_profile_text(path_or_name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{source}: invalid TOML: {error}") from None
    return parse_profile(data, source)
