"""Conformance op ``position_prices``: the liquidation and bankruptcy prices of a position.

Input and output as DESIGN's conformance protocol names them. Tier maintenance amounts are
taken as published when given, else derived by the recurrence. ``maintenance_basis`` (mark
or entry, default mark) is a property of the product, so it lives in ``instrument``; given
anywhere else it is a misplaced key and the case is malformed, never computed on the mark.
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
)
from perpspec.reference.instrument import ContractKind, Tier, make_tier_table
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.numbers import format_number
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_position_prices,
)

__all__ = ["run"]

_SIDES = {"long": 1, "short": -1}


def _parse_tiers(instrument: Mapping[str, Any]) -> tuple[Tier, ...]:
    rows = get_list(instrument, "tiers", "input.instrument")
    if not rows:
        raise CaseError("input.instrument.tiers: at least one tier is required")
    floors: list[Fraction] = []
    mmrs: list[Fraction] = []
    amounts: list[Fraction | None] = []
    for index, row in enumerate(rows):
        path = f"input.instrument.tiers[{index}]"
        if not isinstance(row, Mapping):
            raise CaseError(f"{path}: expected an object")
        floors.append(get_nonnegative(row, "floor", path))
        mmrs.append(get_nonnegative(row, "mmr", path))
        amount = row.get("maintenance_amount")
        amounts.append(None if amount is None else get_number(row, "maintenance_amount", path))
    return make_tier_table(floors, mmrs, amounts)


def _parse_margin(case_input: Mapping[str, Any]) -> MarginContext:
    margin = get_mapping(case_input, "margin", "input")
    mode = MarginMode(get_choice(margin, "mode", ("isolated", "cross"), "input.margin"))
    balance = get_number(margin, "balance", "input.margin")
    if mode is MarginMode.ISOLATED:
        return MarginContext(mode, balance)
    return MarginContext(
        mode,
        balance,
        get_nonnegative(margin, "other_maintenance_margin", "input.margin", Fraction(0)),
        get_number(margin, "other_unrealized_pnl", "input.margin", Fraction(0)),
    )


def _format(value: Fraction | None) -> str | None:
    return None if value is None else format_number(value)


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Compute ``liquidation_price`` and ``bankruptcy_price`` (and rounded ones with a tick)."""
    instrument = get_mapping(case_input, "instrument", "input")
    kind = ContractKind(get_choice(instrument, "kind", ("linear", "inverse"), "input.instrument"))
    multiplier = get_positive(instrument, "multiplier", "input.instrument", Fraction(1))
    tick = instrument.get("tick_size")
    tick_size = None if tick is None else get_positive(instrument, "tick_size", "input.instrument")
    tiers = _parse_tiers(instrument)
    basis = MaintenanceBasis(
        get_choice(instrument, "maintenance_basis", ("mark", "entry"), "input.instrument", "mark")
    )
    position = get_mapping(case_input, "position", "input")
    side = _SIDES[get_choice(position, "side", ("long", "short"), "input.position")]
    prices = compute_position_prices(
        kind,
        tiers,
        side,
        get_positive(position, "qty", "input.position"),
        multiplier,
        get_positive(position, "entry_price", "input.position"),
        _parse_margin(case_input),
        basis,
        get_nonnegative(case_input, "close_fee_rate", "input", Fraction(0)),
        tick_size,
    )
    output: dict[str, Any] = {
        "liquidation_price": _format(prices.liquidation_price),
        "bankruptcy_price": _format(prices.bankruptcy_price),
    }
    if tick_size is not None:
        output["liquidation_price_rounded"] = _format(prices.liquidation_price_rounded)
        output["bankruptcy_price_rounded"] = _format(prices.bankruptcy_price_rounded)
    return output
