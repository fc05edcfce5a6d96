"""Conformance op ``liquidation_settlement`` (DESIGN, Conformance protocol).

Input: ``side`` (long|short), ``qty``, ``bankruptcy_price``, ``fills`` [{``qty``, ``price``}]
in execution order, ``insurance_fund``, optional ``fee_rate`` (default 0), optional
``surplus_to`` (insurance|trader, default insurance), and added optional fields: ``kind``
(linear|inverse, default linear), ``multiplier`` (default 1), ``fee_base``
(fill_notional|bankruptcy_value|mark_value, default bankruptcy_value), ``fee_to``
(insurance|fees, default fees) and ``mark_price`` (the mark of the liquidation; read, and
required, only with ``fee_base = mark_value``, so a mark no rule uses is refused as unread).

Output: ``fee``, ``insurance_delta`` (the fund's whole change: the fee is in it when
``fee_to = insurance``), ``insurance_fund_after``, ``trader_refund``, ``remaining_qty`` (what
goes to the last resort), and the added ``executed_qty``, ``fills_executed`` (the count of
leading fills executed) and ``fee_base`` (the amount the fee rate applied to). Numbers are
exact strings.

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
    FeeBase,
    FeeTo,
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
_FEE_BASES = tuple(base.value for base in FeeBase)
_FEE_TARGETS = tuple(target.value for target in FeeTo)


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
    fee_base = FeeBase(
        get_choice(case_input, "fee_base", _FEE_BASES, _PATH, default="bankruptcy_value")
    )
    fee_to = FeeTo(get_choice(case_input, "fee_to", _FEE_TARGETS, _PATH, default="fees"))
    mark_price = None
    if fee_base is FeeBase.MARK_VALUE:
        mark_price = get_positive(case_input, "mark_price", _PATH)
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
        fee_base=fee_base,
        fee_to=fee_to,
        mark_price=mark_price,
    )
    return {
        "fee": format_number(settlement.fee),
        "insurance_delta": format_number(settlement.insurance_delta),
        "insurance_fund_after": format_number(settlement.insurance_fund_after),
        "trader_refund": format_number(settlement.trader_refund),
        "remaining_qty": format_number(settlement.remaining_qty),
        "executed_qty": format_number(settlement.executed_qty),
        "fills_executed": format_number(Fraction(settlement.fills_executed)),
        "fee_base": format_number(settlement.fee_base),
    }
