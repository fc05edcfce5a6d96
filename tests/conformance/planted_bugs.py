"""The reference as a program under test, with one planted bug: ``python planted_bugs.py BUG``.

It answers every case as ``python -m perpspec.conformance.serve`` does, except the cases of
the bug's op, where it makes the one mistake an implementation of that op could make:

- ``adl_rank_swap``: the two last positions of ``order`` change places;
- ``adl_allocate_extra_lot``: the first fill gets one lot more (``lot_size``, else 1);
- ``socialized_loss_residual``: the charges are the exact shares rounded down to the unit, and
  the leftover (the residual the rounding rule hands out unit by unit) is never charged;
- ``replay_skip_funding``: funding events are dropped from the input before the replay.

The fuzzing tests drive it to check that ``--fuzz`` finds each bug and shrinks it to its
minimal case.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from perpspec.conformance.runner import answer_with_reference
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


BUGS: dict[str, tuple[str, Callable[[Mapping[str, Any]], Answer]]] = {
    "adl_rank_swap": ("adl_rank", swap_last_two),
    "adl_allocate_extra_lot": ("adl_allocate", give_an_extra_lot),
    "socialized_loss_residual": ("socialized_loss", drop_the_residual),
    "replay_skip_funding": ("replay", skip_funding),
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
