"""Conformance op ``socialized_loss`` (DESIGN, Conformance protocol).

Input: ``method`` (top_profit|clawback|open_interest|haircut_ratio), ``loss``,
``insurance_fund``, optional ``insurance_share`` (the fraction of the loss the fund bears, up to
its balance; default 1), ``threshold`` (default 0.9), ``denominator`` (participants|
all_profitable, default participants), ``positions`` [{``id``, ``profit``, optional ``size``,
``equity``}]. ``open_interest`` needs ``size`` and ``equity`` (and no ``profit``). Added optional
fields: ``unit`` (charges rounded to it, see :mod:`perpspec.reference.socialized_loss.common`)
and, for ``haircut_ratio``, either ``vault`` and ``principal`` (the vault form:
``insurance_fund`` is the insurance I, which pays nothing; ``loss`` may be left out, and when
given must equal the vault's shortfall; ``insurance_share`` does not apply), or neither (the
written-off form, as the engine meets a loss: ``loss`` is required, the fund pays
``insurance_share`` of it first and the rest is written off against the claims,
:func:`perpspec.reference.socialized_loss.haircut_ratio.compute_written_off_haircut`).
``threshold`` and ``denominator`` are ``top_profit``'s only: given to another method they
make the case malformed, like any input the method would not read.

Output: ``insurance_paid``, ``charges`` {id: amount} (accounts charged > 0), ``uncovered``
(booked to ``system_loss``). Added: ``participants`` (ids the method selected),
``system_loss`` (= uncovered), ``insurance_fund_after``, and for ``haircut_ratio`` also
``haircut_ratio`` and ``paid`` {id: payout}.
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
    get_number,
    get_positive,
    get_str,
)
from perpspec.reference.numbers import format_number
from perpspec.reference.socialized_loss.haircut_ratio import (
    compute_haircut_shortfall,
    compute_written_off_haircut,
)
from perpspec.reference.socialized_loss.process import SocializedLossParams, compute_socialized_loss
from perpspec.reference.socialized_loss.result import (
    Denominator,
    SlPosition,
    SocializedLossMethod,
    SocializedLossResult,
)
from perpspec.reference.socialized_loss.top_profit import DEFAULT_THRESHOLD

__all__ = ["run"]

_PATH = "input"
_METHODS = tuple(m.value for m in SocializedLossMethod)


def _get_optional(item: Mapping[str, Any], key: str, path: str) -> Fraction | None:
    return None if item.get(key) is None else get_number(item, key, path)


def _get_position(item: object, index: int, method: SocializedLossMethod) -> SlPosition:
    path = f"{_PATH}.positions[{index}]"
    if not isinstance(item, Mapping):
        raise CaseError(f"{path}: expected an object, found {type(item).__name__}")
    if method is SocializedLossMethod.OPEN_INTEREST:
        for key in ("size", "equity"):
            if item.get(key) is None:
                raise CaseError(f"{path}.{key}: missing (the open_interest method needs it)")
        profit = get_number(item, "profit", path, default=Fraction(0))
    else:
        profit = get_number(item, "profit", path)
    return SlPosition(
        get_str(item, "id", path),
        profit,
        _get_optional(item, "size", path),
        _get_optional(item, "equity", path),
    )


def _get_params(
    case_input: Mapping[str, Any], method: SocializedLossMethod
) -> SocializedLossParams:
    """The method's options; a ``top_profit`` option given to another method is refused."""
    if method is not SocializedLossMethod.TOP_PROFIT:
        _refuse(case_input, ("threshold", "denominator"), f"the {method.value} method")
        share = get_nonnegative(case_input, "insurance_share", _PATH, default=Fraction(1))
        return SocializedLossParams(method, share)
    denominators = tuple(d.value for d in Denominator)
    return SocializedLossParams(
        method,
        get_nonnegative(case_input, "insurance_share", _PATH, default=Fraction(1)),
        get_positive(case_input, "threshold", _PATH, default=DEFAULT_THRESHOLD),
        Denominator(
            get_choice(case_input, "denominator", denominators, _PATH, default="participants")
        ),
    )


def _refuse(case_input: Mapping[str, Any], keys: tuple[str, ...], what: str) -> None:
    for key in keys:
        if key in case_input:
            raise CaseError(f"{_PATH}.{key}: does not apply to {what}")


def _is_vault_form(case_input: Mapping[str, Any]) -> bool:
    """``haircut_ratio`` with ``vault`` or ``principal`` given; neither: the written-off form."""
    return "vault" in case_input or "principal" in case_input


def _get_loss(
    case_input: Mapping[str, Any], method: SocializedLossMethod, positions: list[SlPosition]
) -> Fraction:
    if method is not SocializedLossMethod.HAIRCUT_RATIO or not _is_vault_form(case_input):
        return get_nonnegative(case_input, "loss", _PATH)
    total = sum((p.profit for p in positions if p.profit > 0), Fraction(0))
    shortfall = compute_haircut_shortfall(
        get_nonnegative(case_input, "vault", _PATH),
        get_nonnegative(case_input, "principal", _PATH),
        get_nonnegative(case_input, "insurance_fund", _PATH),
        total,
    )
    if (
        case_input.get("loss") is not None
        and get_nonnegative(case_input, "loss", _PATH) != shortfall
    ):
        raise CaseError(
            f"{_PATH}.loss: {case_input['loss']} differs from the vault's shortfall "
            f"principal + insurance_fund + positive PnL - vault = {format_number(shortfall)}"
        )
    return shortfall


def _describe(result: SocializedLossResult, fund: Fraction) -> dict[str, Any]:
    output: dict[str, Any] = {
        "insurance_paid": format_number(result.insurance_paid),
        "charges": {account: format_number(amount) for account, amount in result.charges.items()},
        "uncovered": format_number(result.uncovered),
        "system_loss": format_number(result.uncovered),
        "participants": list(result.participants),
        "insurance_fund_after": format_number(fund - result.insurance_paid),
    }
    if result.haircut_ratio is not None:
        output["haircut_ratio"] = format_number(result.haircut_ratio)
        output["paid"] = {account: format_number(amount) for account, amount in result.paid.items()}
    return output


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """Socialize the loss of ``case_input`` with its method and return who pays what."""
    method = SocializedLossMethod(get_choice(case_input, "method", _METHODS, _PATH))
    items = get_list(case_input, "positions", _PATH)
    positions = [_get_position(item, index, method) for index, item in enumerate(items)]
    fund = get_nonnegative(case_input, "insurance_fund", _PATH)
    loss = _get_loss(case_input, method, positions)
    unit = None if case_input.get("unit") is None else get_positive(case_input, "unit", _PATH)
    if method is SocializedLossMethod.HAIRCUT_RATIO and not _is_vault_form(case_input):
        params = _get_params(case_input, method)
        result = compute_written_off_haircut(loss, fund, positions, params.insurance_share, unit)
        return _describe(result, fund)
    vault = principal = None
    if method is SocializedLossMethod.HAIRCUT_RATIO:
        _refuse(case_input, ("insurance_share",), "the vault form of haircut_ratio")
        vault = get_nonnegative(case_input, "vault", _PATH)
        principal = get_nonnegative(case_input, "principal", _PATH)
    params = _get_params(case_input, method)
    result = compute_socialized_loss(params, loss, fund, positions, unit, vault, principal)
    return _describe(result, fund)
