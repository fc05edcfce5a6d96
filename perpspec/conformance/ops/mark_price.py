"""Conformance op ``mark_price``: the mark price of one of the documented variants.

Input: ``method`` (median_of_three|fair_price|oracle), and per method (any other field is
refused as unread):

* ``fair_price``: the index (``index``, or ``index_sources`` below), ``funding_rate``,
  ``time_until_funding`` (seconds, in [0, funding_interval]), optional ``funding_interval``
  (seconds, default 28800);
* ``median_of_three``: the same, with ``last_price`` and one of ``basis_average`` (the moving
  average of the basis) or ``basis_samples`` [{``bid``, ``ask``, ``index``}];
* ``oracle``: ``oracle_prices`` [{``source``, ``price``, ``weight``}] (weight default 1).

The index is ``index`` (a price) or ``index_sources`` [{``source``, ``price``, optional
``weight`` (default 1), ``ts`` (ISO 8601, read only with ``index_rule.max_age``)}] with an
optional ``index_rule`` {``method`` (weighted_mean|weighted_median, default weighted_mean),
``max_deviation`` (relative), ``max_age`` (seconds), ``min_sources`` (default 1)} and ``now``
(ISO 8601, read only with ``max_age``).

Output: ``mark_price``; with an index, ``index_price``, ``funding_basis`` and ``price_1``
(index x (1 + funding basis)); with median_of_three, ``price_2`` (index + basis average);
with ``index_sources``, ``index_weights`` {source: renormalized weight} of the sources kept.

The rules are those of :mod:`perpspec.reference.mark`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
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
from perpspec.reference.mark.index_price import (
    IndexMethod,
    IndexRule,
    SourcePrice,
    compute_index_price,
    select_index_sources,
)
from perpspec.reference.mark.mark_price import (
    EIGHT_HOURS,
    BasisSample,
    MarkInputs,
    MarkMethod,
    MarkRule,
    compute_basis_moving_average,
    compute_fair_price,
    compute_funding_basis,
    compute_mark_price,
)
from perpspec.reference.numbers import format_number

__all__ = ["read_time", "run"]

_PATH = "input"
_METHODS = tuple(method.value for method in MarkMethod)
_INDEX_METHODS = tuple(method.value for method in IndexMethod)


def read_time(obj: Mapping[str, Any], key: str, path: str) -> datetime:
    """An ISO 8601 time with a zone (``Z`` or an offset), named by its path when bad."""
    text = get_str(obj, key, path)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CaseError(f"{path}.{key}: {text!r} is not an ISO 8601 time") from None
    if moment.utcoffset() is None:
        raise CaseError(f"{path}.{key}: {text!r} has no time zone")
    return moment


def _objects(case_input: Mapping[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
    items = get_list(case_input, key, path)
    if not items:
        raise CaseError(f"{path}.{key}: at least one entry is needed")
    found: list[tuple[str, Any]] = []
    for position, item in enumerate(items):
        where = f"{path}.{key}[{position}]"
        if not isinstance(item, Mapping):
            raise CaseError(f"{where}: expected an object, found {type(item).__name__}")
        found.append((where, item))
    return found


def _read_sources(
    case_input: Mapping[str, Any], key: str, with_ts: bool
) -> tuple[SourcePrice, ...]:
    sources: list[SourcePrice] = []
    for where, item in _objects(case_input, key, _PATH):
        sources.append(
            SourcePrice(
                get_str(item, "source", where),
                get_positive(item, "price", where),
                get_nonnegative(item, "weight", where, default=Fraction(1)),
                read_time(item, "ts", where) if with_ts else None,
            )
        )
    return tuple(sources)


def _read_index_rule(case_input: Mapping[str, Any]) -> IndexRule:
    if case_input.get("index_rule") is None:
        return IndexRule()
    rule = get_mapping(case_input, "index_rule", _PATH)
    path = f"{_PATH}.index_rule"
    method = get_choice(rule, "method", _INDEX_METHODS, path, default="weighted_mean")
    deviation = (
        None if rule.get("max_deviation") is None else get_nonnegative(rule, "max_deviation", path)
    )
    max_age = None
    if rule.get("max_age") is not None:
        seconds = get_nonnegative(rule, "max_age", path)
        if seconds.denominator != 1:
            raise CaseError(f"{path}.max_age: must be a whole number of seconds")
        max_age = timedelta(seconds=int(seconds))
    count = get_number(rule, "min_sources", path, default=Fraction(1))
    if count.denominator != 1 or count < 1:
        raise CaseError(f"{path}.min_sources: must be an integer >= 1")
    return IndexRule(IndexMethod(method), deviation, max_age, int(count))


def _read_index(case_input: Mapping[str, Any], output: dict[str, Any]) -> Fraction:
    """The index price, given or derived from sources; notes the sources used in ``output``."""
    has_index = case_input.get("index") is not None
    has_sources = case_input.get("index_sources") is not None
    if has_index == has_sources:
        raise CaseError(f"{_PATH}.index: give exactly one of index and index_sources")
    if has_index:
        index = get_positive(case_input, "index", _PATH)
    else:
        rule = _read_index_rule(case_input)
        sources = _read_sources(case_input, "index_sources", rule.max_age is not None)
        now = read_time(case_input, "now", _PATH) if rule.max_age is not None else None
        kept = select_index_sources(sources, rule, now)
        output["index_weights"] = {item.source: format_number(item.weight) for item in kept}
        index = compute_index_price(sources, rule, now)
    output["index_price"] = format_number(index)
    return index


def _read_basis(case_input: Mapping[str, Any]) -> Fraction:
    has_average = case_input.get("basis_average") is not None
    has_samples = case_input.get("basis_samples") is not None
    if has_average == has_samples:
        raise CaseError(
            f"{_PATH}.basis_average: give exactly one of basis_average and basis_samples"
        )
    if has_average:
        return get_number(case_input, "basis_average", _PATH)
    samples = [
        BasisSample(
            get_positive(item, "bid", where),
            get_positive(item, "ask", where),
            get_positive(item, "index", where),
        )
        for where, item in _objects(case_input, "basis_samples", _PATH)
    ]
    return compute_basis_moving_average(samples)


def run(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """The mark price of ``case_input`` and the intermediate prices of its method."""
    method = MarkMethod(get_choice(case_input, "method", _METHODS, _PATH))
    output: dict[str, Any] = {}
    if method is MarkMethod.ORACLE:
        prices = _read_sources(case_input, "oracle_prices", with_ts=False)
        mark = compute_mark_price(MarkInputs(oracle_prices=prices), MarkRule(method))
        return {"mark_price": format_number(mark)}
    interval = get_positive(case_input, "funding_interval", _PATH, default=EIGHT_HOURS)
    index = _read_index(case_input, output)
    rate = get_number(case_input, "funding_rate", _PATH)
    until = get_nonnegative(case_input, "time_until_funding", _PATH)
    basis = compute_funding_basis(rate, until, interval)
    output["funding_basis"] = format_number(basis)
    output["price_1"] = format_number(compute_fair_price(index, rate, until, interval))
    rule = MarkRule(method, interval)
    if method is MarkMethod.FAIR_PRICE:
        inputs = MarkInputs(index=index, funding_rate=rate, time_until_funding=until)
    else:
        basis_average = _read_basis(case_input)
        output["price_2"] = format_number(index + basis_average)
        inputs = MarkInputs(
            index=index,
            funding_rate=rate,
            time_until_funding=until,
            basis_average=basis_average,
            last_price=get_positive(case_input, "last_price", _PATH),
        )
    output["mark_price"] = format_number(compute_mark_price(inputs, rule))
    return {"mark_price": output.pop("mark_price"), **output}
