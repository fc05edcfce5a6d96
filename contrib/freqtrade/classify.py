"""Explain each difference between freqtrade's liquidation price and the vectors'.

Reads the vector file(s) a run was given and the run's ``perpspec conform --json`` report,
and puts every case in one class::

    PYTHONPATH=. python contrib/freqtrade/classify.py --report binance.json \\
        vectors/position_prices.jsonl

For a case freqtrade answered, the price compared is its ``liquidation_price``; the kit's own
verdict also fails the case on ``bankruptcy_price``, which freqtrade does not compute. The
explanation is searched, not guessed: the reference (``perpspec.conformance.ops``) is run
on the case with the inputs freqtrade actually used, one change at a time and then two and
three together, and the first set of changes that reproduces freqtrade's float is the cause:

- ``close_fee_rate`` set to the taker fee rate freqtrade read (its base formula adds the
  taker fee to the maintenance rate; Binance's and Bybit's read no fee at all);
- ``maintenance_basis`` set to ``entry`` or ``mark`` (a formula variant);
- the tier table replaced by the one tier freqtrade looked up: by the stake (the isolated
  margin), where the spec selects by the position value at the liquidation price;
- freqtrade's liquidation buffer, applied to the reproduced price.

"Reproduces" means a relative difference of at most ``--rtol`` (default 1e-9: a dozen float
operations lose ~1e-15, so anything within 1e-9 is float rounding and anything further is a
formula). A case that carries a ``tolerance`` agrees when the absolute difference is within
it. With no change needed, the difference is float rounding alone.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from perpspec.conformance.ops import position_prices
from perpspec.reference.instrument import make_tier_table
from perpspec.reference.numbers import format_number

AGREE = "agrees (float rounding only)"
REFUSED = "refused"
NONE_AS_ZERO = "none reported as 0"
UNEXPLAINED = "unexplained"


@dataclass(frozen=True)
class Verdict:
    """One case's class, the numbers side by side, and the changes that explain it."""

    case_id: str
    cause: str
    expected: str | None
    found: str | None
    relative_difference: Fraction | None
    detail: str


def read_cases(paths: list[Path]) -> list[dict[str, Any]]:
    """Every ``position_prices`` case of the files, in order."""
    cases: list[dict[str, Any]] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except ValueError as error:
                raise SystemExit(f"{path}:{number}: not JSON: {error}") from error
            if case.get("op") == "position_prices":
                cases.append(case)
    return cases


def read_actuals(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The answer of each failing case of a ``conform --json`` report, by id."""
    return {failure["id"]: failure for failure in report["failures"]}


def relative_difference(found: Fraction, expected: Fraction) -> Fraction:
    """``|found - expected| / |expected|`` (the absolute difference when expected is 0)."""
    difference = abs(found - expected)
    return difference / abs(expected) if expected != 0 else difference


def _number(value: object) -> Fraction | None:
    return None if value is None else Fraction(str(value))


def reference_price(case_input: Mapping[str, Any]) -> Fraction | None:
    """The spec's liquidation price of an input, from the reference."""
    return _number(position_prices.run(case_input)["liquidation_price"])


def apply_buffer(price: Fraction, entry: Fraction, side: str, buffer: Fraction) -> Fraction:
    """freqtrade's liquidation buffer (``Exchange.get_liquidation_price``): the price moved
    ``buffer x |entry - price|`` towards the entry, floored at 0."""
    amount = abs(entry - price) * buffer
    moved = price - amount if side == "short" else price + amount
    return max(moved, Fraction(0))


def case_amounts(case_input: Mapping[str, Any]) -> list[Fraction]:
    """The maintenance amount of each tier of the case, published or from the recurrence."""
    rows = case_input["instrument"]["tiers"]
    table = make_tier_table(
        [Fraction(row["floor"]) for row in rows],
        [Fraction(row["mmr"]) for row in rows],
        [_number(row.get("maintenance_amount")) for row in rows],
    )
    return [tier.maintenance_amount for tier in table]


def looked_up_tier(case_input: Mapping[str, Any], value: Fraction) -> int:
    """The index of the last tier whose floor is at most ``value`` (freqtrade's and ccxt's
    lookup); the first tier for a value below every floor."""
    index = 0
    for number, row in enumerate(case_input["instrument"]["tiers"]):
        if Fraction(row["floor"]) <= value:
            index = number
    return index


def _tier(floor: str, mmr: str, amount: Fraction) -> dict[str, str]:
    return {"floor": floor, "mmr": mmr, "maintenance_amount": format_number(amount)}


def variants(
    case_input: Mapping[str, Any], seen: Mapping[str, Any]
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """The case's input with freqtrade's inputs substituted, fewest changes first."""
    changes: list[tuple[str, Any]] = []
    fee = seen["taker_fee_rate"]
    who = seen.get("program", "freqtrade")
    if Fraction(fee) != 0 and Fraction(fee) != Fraction(str(case_input.get("close_fee_rate", "0"))):
        changes.append((f"close_fee_rate = the taker fee {who} read ({fee})", ("fee", fee)))
    if "input.close_fee_rate" in seen["unread"] and Fraction(
        str(case_input.get("close_fee_rate", "0"))
    ):
        changes.append((f"close_fee_rate not reserved ({who} reads no fee)", ("fee", None)))
    basis = case_input["instrument"].get("maintenance_basis", "mark")
    other = "entry" if basis == "mark" else "mark"
    changes.append((f"maintenance on the {other} price, not the {basis}", ("basis", other)))
    lookup = f"the tier looked up by the {seen.get('tier_lookup', 'stake')}"
    amounts = case_amounts(case_input)
    looked_up = looked_up_tier(case_input, Fraction(seen["tier_lookup_value"]))
    used_amount = seen["tier_maintenance_amount"] or "0"
    rows = case_input["instrument"]["tiers"]
    changes.append(
        (
            f"{lookup}, not the position value at the liquidation price",
            ("tier", [_tier("0", rows[looked_up]["mmr"], amounts[looked_up])]),
        )
    )
    if any(amount != 0 for amount in amounts) and Fraction(used_amount) == 0:
        changes.append(
            (
                "the maintenance amounts of the tiers not used",
                ("tier", [_tier(row["floor"], row["mmr"], Fraction(0)) for row in rows]),
            )
        )
        changes.append(
            (
                f"{lookup}, its maintenance amount not used",
                ("tier", [_tier("0", rows[looked_up]["mmr"], Fraction(0))]),
            )
        )
    margin = case_input["margin"]
    if (
        margin.get("other_maintenance_margin", "0") != "0"
        or margin.get("other_unrealized_pnl", "0") != "0"
    ):
        changes.append(("the other positions of the cross wallet ignored", ("others", None)))
    for size in range(len(changes) + 1):
        for chosen in itertools.combinations(changes, size):
            kinds = [change[1][0] for change in chosen]
            if len(set(kinds)) < len(kinds):
                continue
            edited: dict[str, Any] = copy.deepcopy(dict(case_input))
            for _, (kind, value) in chosen:
                if kind == "fee":
                    edited.pop("close_fee_rate", None)
                    if value is not None:
                        edited["close_fee_rate"] = value
                elif kind == "others":
                    edited["margin"].pop("other_maintenance_margin", None)
                    edited["margin"].pop("other_unrealized_pnl", None)
                elif kind == "basis":
                    edited["instrument"]["maintenance_basis"] = value
                else:
                    edited["instrument"]["tiers"] = value
            yield tuple(label for label, _ in chosen), edited


def none_moved_by_buffer(
    case: Mapping[str, Any], seen: Mapping[str, Any], found: Fraction, rtol: Fraction
) -> tuple[str, str] | None:
    """The cause when the spec has no liquidation price and freqtrade's formula gives one
    at or below 0 that its liquidation buffer then moves above 0 (``get_liquidation_price``
    applies the buffer before the floor at 0, so a price of exactly 0 becomes
    ``buffer x entry``); ``None`` when that does not reproduce the answer."""
    unbuffered = _number(seen.get("unbuffered"))
    buffer = Fraction(seen["liquidation_buffer"])
    if unbuffered is None or unbuffered > 0 or buffer == 0:
        return None
    entry = Fraction(case["input"]["position"]["entry_price"])
    side = str(case["input"]["position"]["side"])
    moved = apply_buffer(unbuffered, entry, side, buffer)
    if moved == 0 or relative_difference(found, moved) > rtol:
        return None
    return (
        f"{NONE_AS_ZERO}; liquidation buffer {seen['liquidation_buffer']}",
        f"{seen['program']}'s price before the buffer: {seen['unbuffered']}, moved "
        f"{seen['liquidation_buffer']} x |{format_number(entry)} - {seen['unbuffered']}| "
        "towards the entry",
    )


def explain(case: Mapping[str, Any], failure: Mapping[str, Any] | None, rtol: Fraction) -> Verdict:
    """The class of one valid case: agreed, refused, or the changes that reproduce freqtrade."""
    case_id = str(case["id"])
    expected = case["expected"].get("liquidation_price")
    expected_number = _number(expected)
    if failure is None:
        return Verdict(case_id, AGREE, expected, expected, Fraction(0), "passed as it stands")
    actual = failure.get("actual")
    if not isinstance(actual, Mapping) or not ({"freqtrade", "ccxt"} & set(actual)):
        return Verdict(case_id, REFUSED, expected, None, None, str(failure["reason"]))
    found = actual.get("liquidation_price")
    found_number = _number(found)
    seen = dict(actual.get("freqtrade") or actual["ccxt"])
    seen["program"] = "freqtrade" if "freqtrade" in actual else "ccxt"
    tolerance = _number(case.get("tolerance"))
    if found_number is None:
        if expected_number is None:
            return Verdict(case_id, AGREE, expected, found, None, "both none")
        return Verdict(case_id, UNEXPLAINED, expected, found, None, f"{seen['program']} gives none")
    if expected_number is None and found_number == 0:
        return Verdict(
            case_id,
            NONE_AS_ZERO,
            expected,
            found,
            None,
            f"{seen['program']}'s price before the floor at 0: {seen['unbuffered']}",
        )
    if expected_number is None:
        moved = none_moved_by_buffer(case, seen, found_number, rtol)
        if moved is not None:
            return Verdict(case_id, moved[0], expected, found, None, moved[1])
    difference = None
    if expected_number is not None:
        difference = relative_difference(found_number, expected_number)
        if tolerance is not None and abs(found_number - expected_number) <= tolerance:
            return Verdict(case_id, AGREE, expected, found, difference, f"within {tolerance}")
        if difference <= rtol:
            return Verdict(case_id, AGREE, expected, found, difference, "")
    buffer = Fraction(seen["liquidation_buffer"])
    entry = Fraction(case["input"]["position"]["entry_price"])
    side = str(case["input"]["position"]["side"])
    for labels, edited in variants(case["input"], seen):
        try:
            price = reference_price(edited)
        except Exception:  # a variant the spec refuses (mmr + fee >= 1) explains nothing
            continue
        if price is None:
            continue
        buffered = apply_buffer(price, entry, side, buffer) if buffer else price
        if relative_difference(found_number, buffered) <= rtol:
            causes = list(labels) + (
                [f"liquidation buffer {seen['liquidation_buffer']}"] if buffer else []
            )
            return Verdict(
                case_id,
                "; ".join(causes) or AGREE,
                expected,
                found,
                difference,
                f"reproduced: {format_fraction(buffered)} ({seen['program']}'s tier: mmr "
                f"{seen['tier_mmr']}, amount {seen['tier_maintenance_amount']}, looked up by "
                f"{seen['tier_lookup_value']}; taker fee read {seen['taker_fee_rate']})",
            )
    return Verdict(case_id, UNEXPLAINED, expected, found, difference, "")


def format_fraction(value: Fraction) -> str:
    """A rational as a decimal with 12 significant digits, for reading side by side."""
    return f"{float(value):.12g}"


def rounding_verdicts(
    cases: list[dict[str, Any]], failures: Mapping[str, Any], agreed: set[str]
) -> list[str]:
    """One line per case with a tick whose unrounded price agreed: the spec's rounded price
    and the one freqtrade stores (``Trade.set_liquidation_price``: ccxt's ROUND, to the
    nearest tick)."""
    lines = []
    for case in cases:
        expected = case.get("expected", {})
        if "liquidation_price_rounded" not in expected or case["id"] not in agreed:
            continue
        failure = failures.get(case["id"]) or {}
        actual = failure.get("actual") or {}
        found = actual.get("liquidation_price_rounded")
        want = expected["liquidation_price_rounded"]
        same = (found is None and want is None) or (
            found is not None and want is not None and Fraction(found) == Fraction(want)
        )
        side = case["input"]["position"]["side"]
        lines.append(
            f"  {case['id']} ({side}, tick {case['input']['instrument']['tick_size']}): "
            f"spec {want}, found {found}: {'same' if same else 'differs'}"
        )
    return lines


def invalid_verdicts(
    cases: list[dict[str, Any]], failures: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[str]:
    """One line per invalid case: rejected (a pass, with the reason given) or answered."""
    lines = []
    for case in cases:
        if "reject_reason" not in case:
            continue
        failure = failures.get(case["id"])
        if failure is None:
            reason = answers.get(case["id"], {}).get("error", "")
            lines.append(f"  {case['id']} ({case['reject_reason']}): rejected: {reason}")
        else:
            found = (failure.get("actual") or {}).get("liquidation_price")
            lines.append(
                f"  {case['id']} ({case['reject_reason']}): answered liquidation_price {found}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, required=True, help="conform --json output")
    parser.add_argument("--rtol", type=Fraction, default=Fraction(1, 10**9))
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument(
        "--answers", type=Path, help="the adapter's raw answer lines, for rejection reasons"
    )
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    answers: dict[str, Any] = {}
    if args.answers is not None:
        for line in args.answers.read_text(encoding="utf-8").splitlines():
            answer = json.loads(line)
            answers[str(answer.get("id"))] = answer
    failures = read_actuals(report)
    cases = read_cases(args.files)
    verdicts = [
        explain(case, failures.get(case["id"]), args.rtol) for case in cases if "expected" in case
    ]
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": verdict.case_id,
                        "cause": verdict.cause,
                        "expected": verdict.expected,
                        "found": verdict.found,
                        "relative_difference": (
                            None
                            if verdict.relative_difference is None
                            else float(verdict.relative_difference)
                        ),
                        "detail": verdict.detail,
                    }
                    for verdict in verdicts
                ],
                indent=1,
            )
        )
        return 0
    by_cause: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        by_cause.setdefault(verdict.cause, []).append(verdict)
    print(f"{len(verdicts)} valid cases, by cause:")
    for cause, group in sorted(by_cause.items(), key=lambda item: -len(item[1])):
        print(f"\n[{len(group)}] {cause}")
        print("  ids: " + ", ".join(verdict.case_id for verdict in group))
        worked = group[0]
        rel = (
            "n/a"
            if worked.relative_difference is None
            else f"{float(worked.relative_difference):.3g}"
        )
        expected = (
            worked.expected
            if worked.expected is None
            else format_fraction(Fraction(worked.expected))
        )
        print(
            f"  e.g. {worked.case_id}: expected {expected} ({worked.expected}), "
            f"found {worked.found}, relative difference {rel}; {worked.detail}"
        )
        worst = max(
            (
                verdict.relative_difference
                for verdict in group
                if verdict.relative_difference is not None
            ),
            default=None,
        )
        if worst is not None and cause == AGREE:
            print(f"  largest relative difference: {float(worst):.3g}")
    agreed = {verdict.case_id for verdict in verdicts if verdict.cause == AGREE}
    rounding = rounding_verdicts(cases, failures, agreed)
    if rounding:
        print("\nrounded to the tick (cases whose unrounded price agreed):")
        print("\n".join(rounding))
    invalid = invalid_verdicts(cases, failures, answers)
    if invalid:
        print("\ninvalid cases:")
        print("\n".join(invalid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
