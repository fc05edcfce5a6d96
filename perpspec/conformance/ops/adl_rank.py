"""Conformance op ``adl_rank`` (DESIGN, Conformance protocol).

Input: ``formula`` (pnl_times_leverage|leverage_pnl_margin_ratio|profit_ratio|roi_times_mmr|
mark_entry_notional), ``positions`` [{``id``, ``side``, ``qty``, ``entry_price``,
``mark_price``, and as the formula needs ``bankruptcy_price``, ``wallet_balance``,
``maintenance_margin``, ``account_value``}], optional ``thresholds`` (4 or 5 cumulative cut
points for 5..1 lights; default quintiles). Added optional fields: ``quantile_basis``
(rank|size, default rank) and, per position, ``unrealized_pnl``, ``multiplier`` (default 1),
``kind`` (linear|inverse, default linear).

Output: ``order`` (ids, highest priority first; longs then shorts, each side ranked on its
own), ``scores`` {id: score}, ``lights`` {id: "1".."5"}; added: ``orders`` {long: [...],
short: [...]}, ``ranks`` {id: rank within its side}, ``quantiles`` {id: quantile}.
The rules are those of :mod:`perpspec.reference.adl.ranking`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from perpspec.conformance.fields import (
    CaseError,
    get_choice,
    get_list,
    get_number,
    get_positive,
    get_str,
)
from perpspec.reference.adl.formulas import AdlPosition, RankingFormula
from perpspec.reference.adl.ranking import (
    DEFAULT_THRESHOLDS,
    QuantileBasis,
    RankedPosition,
    rank_positions,
    validate_thresholds,
)
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.numbers import format_number, parse_number

__all__ = ["run"]

_PATH = "input"
_FORMULAS = tuple(f.value for f in RankingFormula)
_NEEDS: Mapping[str, tuple[str, ...]] = {
    "pnl_times_leverage": ("bankruptcy_price",),
    "leverage_pnl_margin_ratio": ("wallet_balance", "maintenance_margin"),
    "profit_ratio": (),
    "roi_times_mmr": ("maintenance_margin", "account_value"),
    "mark_entry_notional": ("account_value",),
}
_OPTIONAL = (
    "bankruptcy_price",
    "wallet_balance",
    "maintenance_margin",
    "account_value",
    "unrealized_pnl",
)


def _get_optional_number(item: Mapping[str, Any], key: str, path: str) -> Fraction | None:
    if item.get(key) is None:
        return None
    return get_number(item, key, path)


def _get_position(item: object, index: int, formula: str) -> AdlPosition:
    path = f"{_PATH}.positions[{index}]"
    if not isinstance(item, Mapping):
        raise CaseError(f"{path}: expected an object, found {type(item).__name__}")
    for key in _NEEDS[formula]:
        if item.get(key) is None:
            raise CaseError(f"{path}.{key}: missing (the formula {formula} needs it)")
    extra = {key: _get_optional_number(item, key, path) for key in _OPTIONAL}
    return AdlPosition(
        id=get_str(item, "id", path),
        side=Side(get_choice(item, "side", ("long", "short"), path)),
        qty=get_positive(item, "qty", path),
        entry_price=get_positive(item, "entry_price", path),
        mark_price=get_positive(item, "mark_price", path),
        multiplier=get_positive(item, "multiplier", path, default=Fraction(1)),
        kind=ContractKind(get_choice(item, "kind", ("linear", "inverse"), path, default="linear")),
        **extra,
    )


def _get_thresholds(case_input: Mapping[str, Any]) -> tuple[Fraction, ...]:
    if case_input.get("thresholds") is None:
        return DEFAULT_THRESHOLDS
    values = get_list(case_input, "thresholds", _PATH)
    cuts = [parse_number(v, f"{_PATH}.thresholds[{i}]") for i, v in enumerate(values)]
    return validate_thresholds(cuts, f"{_PATH}.thresholds")


def _describe(queue: tuple[RankedPosition, ...], output: dict[str, Any]) -> None:
    for position in queue:
        output["scores"][position.id] = format_number(position.score)
        output["lights"][position.id] = str(position.lights)
        output["ranks"][position.id] = str(position.rank)
        output["quantiles"][position.id] = format_number(position.quantile)


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Rank the positions of ``case_input`` and return their order, scores and lights."""
    formula = get_choice(case_input, "formula", _FORMULAS, _PATH)
    basis = QuantileBasis(
        get_choice(case_input, "quantile_basis", ("rank", "size"), _PATH, default="rank")
    )
    items = get_list(case_input, "positions", _PATH)
    positions = [_get_position(item, index, formula) for index, item in enumerate(items)]
    ranking = rank_positions(positions, RankingFormula(formula), _get_thresholds(case_input), basis)
    output: dict[str, Any] = {
        "order": [p.id for p in ranking.longs + ranking.shorts],
        "orders": {"long": [p.id for p in ranking.longs], "short": [p.id for p in ranking.shorts]},
        "scores": {},
        "lights": {},
        "ranks": {},
        "quantiles": {},
    }
    _describe(ranking.longs, output)
    _describe(ranking.shorts, output)
    return output
