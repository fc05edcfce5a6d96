"""Conformance op ``funding_rate``: the funding rate of an interval, and a position's payment.

Input (any field not named for the chosen form is refused as unread):

* the premium, exactly one of: ``premium_index`` (the interval's average premium, as an
  exchange publishes it), ``premiums`` (the sampled premium indices, in time order) or
  ``samples`` [{``impact_bid``, ``impact_ask``, ``index``}] (each gives a premium index);
  with ``premiums`` or ``samples``, optional ``averaging`` (linear_weighted|mean, default
  linear_weighted);
* the interest, exactly one of: ``interest_rate`` (per interval), or ``interest_quote_rate``
  and ``interest_base_rate`` (daily) with optional ``intervals_per_day`` (default 3);
* optional ``clamp_bound`` (default 0.0005; ``"none"``: no dampener, F = P + I), ``scale``
  (default 1), ``cap`` and ``floor`` (default unbounded);
* optional ``position`` {``side`` (long|short), ``qty``, optional ``kind`` (linear|inverse,
  default linear), optional ``multiplier`` (default 1), ``mark_price``}.

Output: ``premium_index`` (the average used), ``interest_rate``, ``funding_rate``, and with a
position its ``payment`` (+ receives).

The rules are those of :mod:`perpspec.reference.mark.funding_rate`.
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
    get_number,
    get_positive,
)
from perpspec.reference.instrument import ContractKind
from perpspec.reference.mark.funding_rate import (
    DEFAULT_CLAMP,
    FundingRule,
    PremiumAveraging,
    compute_average_premium,
    compute_funding_rate,
    compute_interest_rate,
    compute_position_funding,
    compute_premium_index,
)
from perpspec.reference.numbers import format_number, parse_number

__all__ = ["run"]

_PATH = "input"
_AVERAGING = tuple(mode.value for mode in PremiumAveraging)
_SIDES = {"long": 1, "short": -1}
_KINDS = tuple(kind.value for kind in ContractKind)
_PREMIUM_FORMS = ("premium_index", "premiums", "samples")


def _read_premium(case_input: Mapping[str, Any]) -> Fraction:
    given = [form for form in _PREMIUM_FORMS if case_input.get(form) is not None]
    if len(given) != 1:
        raise CaseError(f"{_PATH}.premium_index: give exactly one of {', '.join(_PREMIUM_FORMS)}")
    form = given[0]
    if form == "premium_index":
        return get_number(case_input, "premium_index", _PATH)
    averaging = PremiumAveraging(
        get_choice(case_input, "averaging", _AVERAGING, _PATH, default="linear_weighted")
    )
    premiums: list[Fraction] = []
    for position, item in enumerate(get_list(case_input, form, _PATH)):
        where = f"{_PATH}.{form}[{position}]"
        if form == "premiums":
            premiums.append(parse_number(item, where))
            continue
        if not isinstance(item, Mapping):
            raise CaseError(f"{where}: expected an object, found {type(item).__name__}")
        premiums.append(
            compute_premium_index(
                get_positive(item, "impact_bid", where),
                get_positive(item, "impact_ask", where),
                get_positive(item, "index", where),
            )
        )
    return compute_average_premium(premiums, averaging)


def _read_interest(case_input: Mapping[str, Any]) -> Fraction:
    has_rate = case_input.get("interest_rate") is not None
    has_quote = case_input.get("interest_quote_rate") is not None
    if has_rate == has_quote:
        raise CaseError(
            f"{_PATH}.interest_rate: give exactly one of interest_rate and interest_quote_rate"
        )
    if has_rate:
        return get_number(case_input, "interest_rate", _PATH)
    intervals = get_positive(case_input, "intervals_per_day", _PATH, default=Fraction(3))
    if intervals.denominator != 1:
        raise CaseError(f"{_PATH}.intervals_per_day: must be a whole number")
    return compute_interest_rate(
        get_number(case_input, "interest_quote_rate", _PATH),
        get_number(case_input, "interest_base_rate", _PATH),
        int(intervals),
    )


def _optional_bound(case_input: Mapping[str, Any], key: str) -> Fraction | None:
    if case_input.get(key) is None:
        return None
    return get_number(case_input, key, _PATH)


def _read_rule(case_input: Mapping[str, Any], interest: Fraction) -> FundingRule:
    bound: Fraction | None = DEFAULT_CLAMP
    if case_input.get("clamp_bound") == "none":
        bound = None
    elif case_input.get("clamp_bound") is not None:
        bound = get_number(case_input, "clamp_bound", _PATH)
        if bound < 0:
            raise CaseError(f"{_PATH}.clamp_bound: must be >= 0, found {format_number(bound)}")
    return FundingRule(
        interest_rate=interest,
        clamp_bound=bound,
        cap=_optional_bound(case_input, "cap"),
        floor=_optional_bound(case_input, "floor"),
        scale=get_positive(case_input, "scale", _PATH, default=Fraction(1)),
    )


def _read_payment(case_input: Mapping[str, Any], rate: Fraction) -> Fraction:
    path = f"{_PATH}.position"
    position = get_mapping(case_input, "position", _PATH)
    sign = _SIDES[get_choice(position, "side", tuple(_SIDES), path)]
    qty = get_positive(position, "qty", path)
    kind = ContractKind(get_choice(position, "kind", _KINDS, path, default="linear"))
    multiplier = get_positive(position, "multiplier", path, default=Fraction(1))
    mark = get_positive(position, "mark_price", path)
    return compute_position_funding(kind, sign * qty, multiplier, mark, rate)


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """The funding rate of ``case_input`` (and the payment of its position, when given)."""
    premium = _read_premium(case_input)
    interest = _read_interest(case_input)
    rate = compute_funding_rate(premium, _read_rule(case_input, interest))
    output = {
        "premium_index": format_number(premium),
        "interest_rate": format_number(interest),
        "funding_rate": format_number(rate),
    }
    if case_input.get("position") is not None:
        output["payment"] = format_number(_read_payment(case_input, rate))
    return output
