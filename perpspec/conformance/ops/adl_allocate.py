"""Conformance op ``adl_allocate`` (DESIGN, Conformance protocol).

Input: ``liquidated`` {``side``, ``qty``, ``bankruptcy_price``}, ``counterparties`` [{``id``,
``side``, ``qty``, ``score``}] (positions of the liquidated side are not eligible and get no
fill), optional ``policy`` (queue|pro_rata, default queue), optional ``lot_size``. Added
optional fields: ``fill_price`` (the price of every fill when the profile's ``adl.fill_price``
is ``mark``; default the bankruptcy price), ``fee_policy`` (none|maker_rebate|maker_taker,
default none), ``maker_fee_rate``, ``taker_fee_rate`` (default 0), ``multiplier`` (default 1),
``kind`` (linear|inverse, default linear) and ``fee_unit`` (fees rounded to it).

Output: ``fills`` [{``id``, ``qty``, ``price``}] in execution order (ranking order for both
policies), ``remaining_qty`` (what the opposite side could not absorb). Added:
``cancelled_orders`` (ids whose open orders are cancelled), ``remaining_positions`` {id: size
left} for the eligible counterparties, and with a fee policy other than none each fill's
``counterparty_fee`` and ``liquidated_fee`` (< 0 is a rebate) and ``fees_account_delta``.
The rules are those of :mod:`perpspec.reference.adl.allocation` and :mod:`.fees`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from perpspec.conformance.fields import (
    CaseError,
    get_choice,
    get_list,
    get_mapping,
    get_nonnegative,
    get_number,
    get_positive,
    get_str,
)
from perpspec.reference.adl.allocation import (
    AdlAllocation,
    AllocationPolicy,
    LiquidatedRemainder,
    allocate_adl,
    apply_adl_fills,
    get_eligible_counterparties,
)
from perpspec.reference.adl.fees import (
    AdlFillFees,
    FeePolicy,
    compute_adl_fill_fees,
    compute_fees_account_delta,
    compute_fill_notional,
)
from perpspec.reference.adl.ranking import ScoredPosition
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import Side
from perpspec.reference.numbers import format_number

__all__ = ["run"]

_PATH = "input"
_SIDES = ("long", "short")


def _get_remainder(case_input: Mapping[str, Any]) -> LiquidatedRemainder:
    path = f"{_PATH}.liquidated"
    liquidated = get_mapping(case_input, "liquidated", _PATH)
    return LiquidatedRemainder(
        Side(get_choice(liquidated, "side", _SIDES, path)),
        get_positive(liquidated, "qty", path),
        get_positive(liquidated, "bankruptcy_price", path),
    )


def _get_counterparty(item: object, index: int) -> ScoredPosition:
    path = f"{_PATH}.counterparties[{index}]"
    if not isinstance(item, Mapping):
        raise CaseError(f"{path}: expected an object, found {type(item).__name__}")
    return ScoredPosition(
        get_str(item, "id", path),
        Side(get_choice(item, "side", _SIDES, path)),
        get_positive(item, "qty", path),
        get_number(item, "score", path),
    )


def _get_optional_positive(case_input: Mapping[str, Any], key: str) -> Fraction | None:
    if case_input.get(key) is None:
        return None
    return get_positive(case_input, key, _PATH)


def _compute_fees(case_input: Mapping[str, Any], allocation: AdlAllocation) -> list[AdlFillFees]:
    policy = FeePolicy(
        get_choice(
            case_input, "fee_policy", tuple(p.value for p in FeePolicy), _PATH, default="none"
        )
    )
    maker = get_nonnegative(case_input, "maker_fee_rate", _PATH, default=Fraction(0))
    taker = get_nonnegative(case_input, "taker_fee_rate", _PATH, default=Fraction(0))
    multiplier = get_positive(case_input, "multiplier", _PATH, default=Fraction(1))
    kind = ContractKind(
        get_choice(case_input, "kind", ("linear", "inverse"), _PATH, default="linear")
    )
    unit = _get_optional_positive(case_input, "fee_unit")
    if policy is FeePolicy.NONE:
        return []
    return [
        compute_adl_fill_fees(
            compute_fill_notional(f.qty, f.price, multiplier, kind), policy, maker, taker, unit
        )
        for f in allocation.fills
    ]


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate the liquidated remainder of ``case_input`` and return the fills."""
    remainder = _get_remainder(case_input)
    items = get_list(case_input, "counterparties", _PATH)
    counterparties = [_get_counterparty(item, index) for index, item in enumerate(items)]
    policy = AllocationPolicy(
        get_choice(case_input, "policy", ("queue", "pro_rata"), _PATH, default="queue")
    )
    lot_size = _get_optional_positive(case_input, "lot_size")
    price = _get_optional_positive(case_input, "fill_price")
    allocation = allocate_adl(remainder, counterparties, policy, lot_size, price)
    fees = _compute_fees(case_input, allocation)
    fills: list[dict[str, Any]] = []
    for index, fill in enumerate(allocation.fills):
        row: dict[str, Any] = {
            "id": fill.id,
            "qty": format_number(fill.qty),
            "price": format_number(fill.price),
        }
        if fees:
            row["counterparty_fee"] = format_number(fees[index].counterparty_fee)
            row["liquidated_fee"] = format_number(fees[index].liquidated_fee)
        fills.append(row)
    eligible = get_eligible_counterparties(remainder.side, counterparties)
    after = {p.id: p.qty for p in apply_adl_fills(eligible, allocation.fills)}
    output: dict[str, Any] = {
        "fills": fills,
        "remaining_qty": format_number(allocation.remaining_qty),
        "cancelled_orders": list(allocation.cancelled_orders),
        "remaining_positions": {
            p.id: format_number(after.get(p.id, Fraction(0))) for p in eligible
        },
    }
    if fees:
        output["fees_account_delta"] = format_number(compute_fees_account_delta(fees))
    return output
