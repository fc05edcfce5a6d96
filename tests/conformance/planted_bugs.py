"""The reference as a program under test, with one planted bug: ``python planted_bugs.py BUG``.

It answers every case as ``python -m perpspec.conformance.serve`` does, except the cases of
the bug's op, where it makes the one mistake an implementation of that op could make:

- ``adl_rank_swap``: the two last positions of ``order`` change places;
- ``adl_allocate_extra_lot``: the first fill gets one lot more (``lot_size``, else 1);
- ``socialized_loss_residual``: the charges are the exact shares rounded down to the unit, and
  the leftover (the residual the rounding rule hands out unit by unit) is never charged;
- ``replay_skip_funding``: funding events are dropped from the input before the replay;
- ``mark_price_full_rate``: the funding basis is the whole last funding rate, not the rate x
  time until funding / interval (so Price 1, the fair price, too);
- ``mark_price_unnormalized``: the index is sum of weight x price over the kept sources with
  their weights as stated, never divided by their sum;
- ``funding_rate_reversed_weights``: the linear-weighted average of the premiums weighs them
  n, ..., 1 (the earliest most) instead of 1, ..., n;
- ``funding_rate_clamp_swapped``: the dampener's bounds change places, clamp(I - P, +b, -b)
  taken as min(max(I - P, b), -b), which is -b whatever the premium and the interest.

The fuzzing tests drive it to check that ``--fuzz`` finds each bug and shrinks it to its
minimal case.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from perpspec.conformance.ops import funding_rate as funding_rate_op
from perpspec.conformance.ops import mark_price as mark_price_op
from perpspec.conformance.runner import answer_with_reference
from perpspec.reference.mark import funding_rate, index_price, mark_price
from perpspec.reference.mark.funding_rate import PremiumAveraging, compute_average_premium
from perpspec.reference.numbers import Rounding, format_number, parse_number, quantize
from perpspec.reference.socialized_loss import clawback, open_interest, top_profit

Answer = tuple[object, str | None]


def swap_last_two(case_input: Mapping[str, Any]) -> Answer:
    output, error = answer_with_reference("adl_rank", case_input)
    if isinstance(output, dict) and len(output["order"]) >= 2:
        order = output["order"]
        order[-2], order[-1] = order[-1], order[-2]
    return output, error


def give_an_extra_lot(case_input: Mapping[str, Any]) -> Answer:
    output, error = answer_with_reference("adl_allocate", case_input)
    if isinstance(output, dict) and output["fills"]:
        lot = parse_number(case_input.get("lot_size", "1"))
        first = output["fills"][0]
        first["qty"] = format_number(parse_number(first["qty"]) + lot)
    return output, error


def _round_down_only(
    shares: Sequence[tuple[str, Fraction]], caps: Mapping[str, Fraction], unit: Fraction | None
) -> dict[str, Fraction]:
    if unit is None:
        return dict(shares)
    return {account: quantize(share, unit, Rounding.DOWN) for account, share in shares}


def drop_the_residual(case_input: Mapping[str, Any]) -> Answer:
    # The planted bug: every method that rounds charges rounds them down only.
    for module in (top_profit, clawback, open_interest):
        setattr(module, "round_charges", _round_down_only)  # noqa: B010  # not exported
    return answer_with_reference("socialized_loss", case_input)


def skip_funding(case_input: Mapping[str, Any]) -> Answer:
    events = [event for event in case_input["events"] if event.get("type") != "funding"]
    return answer_with_reference("replay", {**case_input, "events": events})


@contextmanager
def _patched(modules: Sequence[object], name: str, value: object) -> Iterator[None]:
    """``name`` replaced by ``value`` in ``modules`` while one case is answered, so the bug
    never leaks into the answers of another op."""
    saved = [getattr(module, name) for module in modules]
    for module in modules:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            setattr(module, name, original)


def _whole_rate_basis(
    funding_rate: Fraction, time_until_funding: Fraction, funding_interval: Fraction
) -> Fraction:
    return funding_rate


def use_the_whole_rate(case_input: Mapping[str, Any]) -> Answer:
    # The planted bug: the basis never decays towards the funding time.
    with _patched((mark_price, mark_price_op), "compute_funding_basis", _whole_rate_basis):
        return answer_with_reference("mark_price", case_input)


def _weights_as_stated(sources: Sequence[index_price.SourcePrice]) -> tuple[Any, ...]:
    return tuple(sources)


def skip_renormalizing(case_input: Mapping[str, Any]) -> Answer:
    with _patched((index_price,), "renormalize_weights", _weights_as_stated):
        return answer_with_reference("mark_price", case_input)


def _earliest_weighs_most(
    premiums: Sequence[Fraction], averaging: PremiumAveraging = PremiumAveraging.LINEAR_WEIGHTED
) -> Fraction:
    return compute_average_premium(list(reversed(premiums)), averaging)


def reverse_the_weights(case_input: Mapping[str, Any]) -> Answer:
    with _patched((funding_rate_op,), "compute_average_premium", _earliest_weighs_most):
        return answer_with_reference("funding_rate", case_input)


def _bounds_swapped(value: Fraction, low: Fraction, high: Fraction) -> Fraction:
    return min(max(value, high), low)


def swap_the_clamp_bounds(case_input: Mapping[str, Any]) -> Answer:
    with _patched((funding_rate,), "clamp", _bounds_swapped):
        return answer_with_reference("funding_rate", case_input)


BUGS: dict[str, tuple[str, Callable[[Mapping[str, Any]], Answer]]] = {
    "adl_rank_swap": ("adl_rank", swap_last_two),
    "adl_allocate_extra_lot": ("adl_allocate", give_an_extra_lot),
    "socialized_loss_residual": ("socialized_loss", drop_the_residual),
    "replay_skip_funding": ("replay", skip_funding),
    "mark_price_full_rate": ("mark_price", use_the_whole_rate),
    "mark_price_unnormalized": ("mark_price", skip_renormalizing),
    "funding_rate_reversed_weights": ("funding_rate", reverse_the_weights),
    "funding_rate_clamp_swapped": ("funding_rate", swap_the_clamp_bounds),
}


def main(bug: str) -> None:
    buggy_op, answer = BUGS[bug]
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        if case["op"] == buggy_op:
            output, error = answer(case["input"])
        else:
            output, error = answer_with_reference(case["op"], case["input"])
        reply = (
            {"id": case["id"], "error": error} if error else {"id": case["id"], "output": output}
        )
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
