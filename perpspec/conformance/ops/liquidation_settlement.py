"""Conformance op ``liquidation_settlement`` (DESIGN, Conformance protocol).

Input: ``side`` (long|short), ``qty``, ``bankruptcy_price``, ``fills`` [{``qty``, ``price``}]
in execution order, ``insurance_fund``, optional ``fee_rate`` (default 0), optional
``surplus_to`` (insurance|trader, default insurance), and two added optional fields:
``kind`` (linear|inverse, default linear) and ``multiplier`` (default 1).

Output: ``fee``, ``insurance_delta``, ``insurance_fund_after``, ``trader_refund``,
``remaining_qty`` (what goes to the last resort), and the added ``executed_qty`` and
``fills_executed`` (the count of leading fills executed). Numbers are exact strings.

The rules are those of :mod:`perpspec.reference.liquidation.settlement`.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from perpspec.conformance.fields import (
    CaseError,
    get_choice,
    get_list,
    get_nonnegative,
    get_positive,
)
from perpspec.reference.instrument import ContractKind
from perpspec.reference.liquidation.settlement import (
    Fill,
    Side,
    SurplusTo,
    settle_liquidation,
)
from perpspec.reference.numbers import format_number

__all__ = ["run"]

_PATH = "input"
_SIDES = ("long", "short")
_SURPLUS_TARGETS = ("insurance", "trader")
_KINDS = ("linear", "inverse")


def _get_fills(case_input: Mapping[str, Any]) -> list[Fill]:
    fills: list[Fill] = []
    for index, item in enumerate(get_list(case_input, "fills", _PATH)):
        path = f"{_PATH}.fills[{index}]"
        if not isinstance(item, Mapping):
            raise CaseError(f"{path}: expected an object, found {type(item).__name__}")
        fills.append(Fill(get_positive(item, "qty", path), get_positive(item, "price", path)))
    return fills


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Settle the liquidation described by ``case_input`` and return its output object."""
    side = Side(get_choice(case_input, "side", _SIDES, _PATH))
    qty = get_positive(case_input, "qty", _PATH)
    bankruptcy_price = get_positive(case_input, "bankruptcy_price", _PATH)
    fills = _get_fills(case_input)
    insurance_fund = get_nonnegative(case_input, "insurance_fund", _PATH)
    fee_rate = get_nonnegative(case_input, "fee_rate", _PATH, default=Fraction(0))
    surplus_to = SurplusTo(
        get_choice(case_input, "surplus_to", _SURPLUS_TARGETS, _PATH, default="insurance")
    )
    kind = ContractKind(get_choice(case_input, "kind", _KINDS, _PATH, default="linear"))
    multiplier = get_positive(case_input, "multiplier", _PATH, default=Fraction(1))
    settlement = settle_liquidation(
        side,
        qty,
        bankruptcy_price,
        fills,
        insurance_fund,
        fee_rate=fee_rate,
        surplus_to=surplus_to,
        kind=kind,
        multiplier=multiplier,
    )
    return {
        "fee": format_number(settlement.fee),
        "insurance_delta": format_number(settlement.insurance_delta),
        "insurance_fund_after": format_number(settlement.insurance_fund_after),
        "trader_refund": format_number(settlement.trader_refund),
        "remaining_qty": format_number(settlement.remaining_qty),
        "executed_qty": format_number(settlement.executed_qty),
        "fills_executed": format_number(Fraction(settlement.fills_executed)),
    }
