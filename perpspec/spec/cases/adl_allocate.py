"""Cases of the ``adl_allocate`` op: seeds 001, 002, 004, BitMEX's example, hand computations.

Rules (DESIGN, ADL; :mod:`perpspec.reference.adl.allocation`): opposite-side counterparties in
order score desc, size desc, id; ``queue`` takes each whole before the next; ``pro_rata``
takes ``r = min(qty, total) / total`` of each, rounded DOWN to a lot, leftover lots one at a
time in ranking order to the shares that were rounded. Every fill is at the bankruptcy price
(or ``fill_price``); ``remaining_qty`` is what the opposite side cannot absorb. Fees
(``fee_policy``) on the notional ``qty x price``: ``maker_rebate`` charges the counterparty
``maker x notional`` and pays the liquidated trader as much; ``maker_taker`` charges the
liquidated ``taker x notional``.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from perpspec.spec.cases.brute import allocate_by_lots, text

__all__ = ["RANDOM_SEED", "cases"]

_OP = "adl_allocate"

#: The seed of the random cases; changing it changes the vectors (and the spec version's files).
RANDOM_SEED = 1502


def _cp(pid: str, side: str, qty: str, score: str) -> dict[str, str]:
    return {"id": pid, "side": side, "qty": qty, "score": score}


def _fill(pid: str, qty: str, price: str, **fees: str) -> dict[str, str]:
    return {"id": pid, "qty": qty, "price": price, **fees}


def _liq(side: str, qty: str, bankruptcy_price: str) -> dict[str, str]:
    return {"side": side, "qty": qty, "bankruptcy_price": bankruptcy_price}


def _case(case_id: str, case_input: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "input": case_input, "expected": expected}


def _seed_cases() -> list[dict[str, Any]]:
    # Seed 001's shorts with 5..1 lights, as scores 5..1: A 100, B 200, C 50, D 150, E 400.
    seed001 = [
        _cp("A", "short", "100", "5"),
        _cp("B", "short", "200", "4"),
        _cp("C", "short", "50", "3"),
        _cp("D", "short", "150", "2"),
        _cp("E", "short", "400", "1"),
    ]
    # Seed 002's shorts ranked 1, 2, 3: A 10,000, B 7,000, C 3,000.
    seed002 = [
        _cp("A", "short", "10000", "3"),
        _cp("B", "short", "7000", "2"),
        _cp("C", "short", "3000", "1"),
    ]
    return [
        # Seed 001: "If there are 350 positions facing liquidation, then user A, B, C will be
        # selected ... to fill all contract at the bankruptcy price" (8,500):
        # A 100 (250 left), B 200 (50 left), C 50.
        _case(
            "seed001-queue-350",
            {"liquidated": _liq("long", "350", "8500"), "counterparties": seed001},
            {
                "fills": [
                    _fill("A", "100", "8500"),
                    _fill("B", "200", "8500"),
                    _fill("C", "50", "8500"),
                ],
                "remaining_qty": "0",
            },
        ),
        # Seed 002: Smith's 10,000 contracts are all taken from A at $19,500.
        _case(
            "seed002-queue-10000",
            {"liquidated": _liq("long", "10000", "19500"), "counterparties": seed002},
            {"fills": [_fill("A", "10000", "19500")], "remaining_qty": "0"},
        ),
        # Seed 002: "a loss of 20,000 contracts, then Trader A's 10,000 contracts, followed by
        # B's 7,000 contracts, and C's 3,000 ... at $19,500".
        _case(
            "seed002-queue-20000",
            {"liquidated": _liq("long", "20000", "19500"), "counterparties": seed002},
            {
                "fills": [
                    _fill("A", "10000", "19500"),
                    _fill("B", "7000", "19500"),
                    _fill("C", "3000", "19500"),
                ],
                "remaining_qty": "0",
            },
        ),
        # Seed 002's book facing 25,000: the shorts hold 10,000 + 7,000 + 3,000 = 20,000, so
        # 25,000 - 20,000 = 5,000 is returned, never invented.
        _case(
            "hand-seed002-book-remainder",
            {"liquidated": _liq("long", "25000", "19500"), "counterparties": seed002},
            {
                "fills": [
                    _fill("A", "10000", "19500"),
                    _fill("B", "7000", "19500"),
                    _fill("C", "3000", "19500"),
                ],
                "remaining_qty": "5000",
            },
        ),
        # Seed 004, Part Five: a gap of 100 BTC, the top-ranked short holds 20 BTC: it gives 20,
        # "there is still an 80 BTC loss gap", then the second and third: 50 and 30 of 60.
        _case(
            "seed004-appendix-100btc",
            {
                "liquidated": _liq("long", "100", "30000"),
                "counterparties": [
                    _cp("T1", "short", "20", "9"),
                    _cp("T2", "short", "50", "8"),
                    _cp("T3", "short", "60", "7"),
                ],
            },
            {
                "fills": [
                    _fill("T1", "20", "30000"),
                    _fill("T2", "50", "30000"),
                    _fill("T3", "30", "30000"),
                ],
                "remaining_qty": "0",
            },
        ),
        # BitMEX: "a short position that has been liquidated with size 20 and bankruptcy price
        # of USD 650. Accounts 2 and 5 will be deleveraged ... Account 2 will have their entire
        # position of 10 contracts closed, while the remaining 10 contracts ... to account 5."
        _case(
            "bitmex-example-short-20",
            {
                "liquidated": _liq("short", "20", "650"),
                "counterparties": [
                    _cp("1", "long", "10", "3"),
                    _cp("2", "long", "10", "6"),
                    _cp("3", "long", "20", "1"),
                    _cp("4", "long", "30", "4"),
                    _cp("5", "long", "20", "5"),
                    _cp("6", "long", "10", "2"),
                ],
            },
            {"fills": [_fill("2", "10", "650"), _fill("5", "10", "650")], "remaining_qty": "0"},
        ),
    ]


def _queue_cases() -> list[dict[str, Any]]:
    return [
        # Same-side positions are not counterparties: the long L (score 100) is skipped; the
        # shorts S1 (score 2, 3) and S2 (score 1, 4) give 3 and 1 of the 4.
        _case(
            "hand-queue-same-side-ignored",
            {
                "liquidated": _liq("long", "4", "100"),
                "counterparties": [
                    _cp("L", "long", "50", "100"),
                    _cp("S2", "short", "4", "1"),
                    _cp("S1", "short", "3", "2"),
                ],
            },
            {"fills": [_fill("S1", "3", "100"), _fill("S2", "1", "100")], "remaining_qty": "0"},
        ),
        # Equal scores: the larger Y and Z (8) before X (5), Y before Z by id: Y 8, Z 2.
        _case(
            "hand-queue-ties",
            {
                "liquidated": _liq("short", "10", "50"),
                "counterparties": [
                    _cp("X", "long", "5", "1"),
                    _cp("Z", "long", "8", "1"),
                    _cp("Y", "long", "8", "1"),
                ],
            },
            {"fills": [_fill("Y", "8", "50"), _fill("Z", "2", "50")], "remaining_qty": "0"},
        ),
        # Negative scores still rank: Q (1/2) gives 3, then P (-1) gives 3 of 5.
        _case(
            "hand-queue-negative-score",
            {
                "liquidated": _liq("long", "6", "10"),
                "counterparties": [_cp("P", "short", "5", "-1"), _cp("Q", "short", "3", "0.5")],
            },
            {"fills": [_fill("Q", "3", "10"), _fill("P", "3", "10")], "remaining_qty": "0"},
        ),
        # Lots of 1: 3 lots from K (2, first) and M (5): K 2, M 1.
        _case(
            "hand-queue-lots",
            {
                "liquidated": _liq("long", "3", "100"),
                "counterparties": [_cp("K", "short", "2", "2"), _cp("M", "short", "5", "1")],
                "lot_size": "1",
            },
            {"fills": [_fill("K", "2", "100"), _fill("M", "1", "100")], "remaining_qty": "0"},
        ),
        # Hyperliquid closes at the mark: fill_price 97 replaces the bankruptcy price 95.
        _case(
            "hyperliquid-fill-at-mark",
            {
                "liquidated": _liq("long", "5", "95"),
                "counterparties": [_cp("A", "short", "3", "2"), _cp("B", "short", "4", "1")],
                "fill_price": "97",
            },
            {"fills": [_fill("A", "3", "97"), _fill("B", "2", "97")], "remaining_qty": "0"},
        ),
    ]


def _pro_rata_cases() -> list[dict[str, Any]]:
    return [
        # r = 30 / (40 + 20) = 1/2: A 20, B 10.
        _case(
            "hand-pro-rata-exact",
            {
                "liquidated": _liq("long", "30", "100"),
                "counterparties": [_cp("A", "short", "40", "1"), _cp("B", "short", "20", "2")],
                "policy": "pro_rata",
            },
            {"fills": [_fill("B", "10", "100"), _fill("A", "20", "100")], "remaining_qty": "0"},
        ),
        # r = 10/21; 7 x 10/21 = 10/3 -> 3 lots each (9); 1 lot left, to the first in ranking
        # order (A, score 3): A 4, B 3, C 3.
        _case(
            "hand-pro-rata-lot-remainder",
            {
                "liquidated": _liq("long", "10", "100"),
                "counterparties": [
                    _cp("C", "short", "7", "1"),
                    _cp("A", "short", "7", "3"),
                    _cp("B", "short", "7", "2"),
                ],
                "policy": "pro_rata",
                "lot_size": "1",
            },
            {
                "fills": [_fill("A", "4", "100"), _fill("B", "3", "100"), _fill("C", "3", "100")],
                "remaining_qty": "0",
            },
        ),
        # r = 9/51 = 3/17: P 17 -> 3 exactly; R 20 -> 60/17 = 3.53 -> 3; Q 14 -> 42/17 = 2.47
        # -> 2 (8 in all). The leftover lot skips P, the top-ranked, whose share was exact, and
        # goes to R (next: score 0, larger than Q): P 3, R 4, Q 2.
        _case(
            "hand-pro-rata-exact-share-keeps",
            {
                "liquidated": _liq("long", "9", "100"),
                "counterparties": [
                    _cp("P", "short", "17", "1"),
                    _cp("Q", "short", "14", "0"),
                    _cp("R", "short", "20", "0"),
                ],
                "policy": "pro_rata",
                "lot_size": "1",
            },
            {
                "fills": [_fill("P", "3", "100"), _fill("R", "4", "100"), _fill("Q", "2", "100")],
                "remaining_qty": "0",
            },
        ),
        # Lot 0.5; total 3 + 4.5 + 1.5 = 9, r = 5/9: A 5/3 -> 1.5, B 2.5 -> 2.5, C 5/6 -> 0.5;
        # 4.5 taken, one lot left to C (score 3, first in ranking order): C 1.
        _case(
            "hand-pro-rata-half-lots",
            {
                "liquidated": _liq("long", "5", "100"),
                "counterparties": [
                    _cp("A", "short", "3", "1"),
                    _cp("B", "short", "4.5", "2"),
                    _cp("C", "short", "1.5", "3"),
                ],
                "policy": "pro_rata",
                "lot_size": "0.5",
            },
            {
                "fills": [
                    _fill("C", "1", "100"),
                    _fill("B", "2.5", "100"),
                    _fill("A", "1.5", "100"),
                ],
                "remaining_qty": "0",
            },
        ),
        # 100 against 60: r capped at 1, everyone closes fully, 40 returned.
        _case(
            "hand-pro-rata-over-capacity",
            {
                "liquidated": _liq("short", "100", "100"),
                "counterparties": [_cp("A", "long", "40", "1"), _cp("B", "long", "20", "2")],
                "policy": "pro_rata",
            },
            {"fills": [_fill("B", "20", "100"), _fill("A", "40", "100")], "remaining_qty": "40"},
        ),
    ]


def _fee_cases() -> list[dict[str, Any]]:
    book = [_cp("A", "short", "2", "2"), _cp("B", "short", "5", "1")]
    return [
        # maker_rebate (seed 002) at a rate of 0.0002: A 2 @ 100: notional 200, fee 0.04,
        # rebate -0.04; B 1 @ 100: notional 100, fee 0.02, rebate -0.02.
        _case(
            "hand-maker-rebate",
            {
                "liquidated": _liq("long", "3", "100"),
                "counterparties": book,
                "fee_policy": "maker_rebate",
                "maker_fee_rate": "0.0002",
            },
            {
                "fills": [
                    _fill("A", "2", "100", counterparty_fee="0.04", liquidated_fee="-0.04"),
                    _fill("B", "1", "100", counterparty_fee="0.02", liquidated_fee="-0.02"),
                ],
                "remaining_qty": "0",
            },
        ),
        # maker_taker (Bybit) at rates maker 0.0002, taker 0.00055: A: 0.04 and
        # 200 x 0.00055 = 0.11; B: 0.02 and 0.055.
        _case(
            "hand-maker-taker",
            {
                "liquidated": _liq("long", "3", "100"),
                "counterparties": book,
                "fee_policy": "maker_taker",
                "maker_fee_rate": "0.0002",
                "taker_fee_rate": "0.00055",
            },
            {
                "fills": [
                    _fill("A", "2", "100", counterparty_fee="0.04", liquidated_fee="0.11"),
                    _fill("B", "1", "100", counterparty_fee="0.02", liquidated_fee="0.055"),
                ],
                "remaining_qty": "0",
            },
        ),
        # Rounding to 0.01: A 2 @ 101: 202 x 0.0003 = 0.0606: charge up 0.07, rebate down
        # -0.06; B 1 @ 101: 0.0303: 0.04 and -0.03.
        _case(
            "hand-maker-rebate-unit",
            {
                "liquidated": _liq("long", "3", "101"),
                "counterparties": book,
                "fee_policy": "maker_rebate",
                "maker_fee_rate": "0.0003",
                "fee_unit": "0.01",
            },
            {
                "fills": [
                    _fill("A", "2", "101", counterparty_fee="0.07", liquidated_fee="-0.06"),
                    _fill("B", "1", "101", counterparty_fee="0.04", liquidated_fee="-0.03"),
                ],
                "remaining_qty": "0",
            },
        ),
    ]


def _edge_cases() -> list[dict[str, Any]]:
    """Empty and ineligible books, one lot, the exact capacity, a price near zero."""
    return [
        # No counterparties at all: nothing to fill; the whole 5 come back.
        _case(
            "edge-no-counterparties",
            {"liquidated": _liq("long", "5", "100"), "counterparties": []},
            {"fills": [], "remaining_qty": "5"},
        ),
        # Only same-side positions, pro-rata: none is eligible (total opposite size 0), so
        # no fill and all 2 come back.
        _case(
            "edge-no-eligible-counterparty",
            {
                "liquidated": _liq("short", "2", "100"),
                "counterparties": [_cp("A", "short", "4", "3"), _cp("B", "short", "1", "9")],
                "policy": "pro_rata",
            },
            {"fills": [], "remaining_qty": "2"},
        ),
        # One lot of 0.001 in the queue: the top-ranked A (score 2) gives 0.001 of its 0.002.
        _case(
            "edge-queue-one-lot",
            {
                "liquidated": _liq("long", "0.001", "20000"),
                "counterparties": [
                    _cp("A", "short", "0.002", "2"),
                    _cp("B", "short", "0.001", "1"),
                ],
                "lot_size": "0.001",
            },
            {"fills": [_fill("A", "0.001", "20000")], "remaining_qty": "0"},
        ),
        # One lot pro-rata over three holders of one lot each: r = 1/3, every share 1/3 of a
        # lot floors to 0, and the one leftover lot goes to the top-ranked (C, score 5).
        _case(
            "edge-pro-rata-one-lot",
            {
                "liquidated": _liq("long", "1", "50"),
                "counterparties": [
                    _cp("A", "short", "1", "1"),
                    _cp("B", "short", "1", "2"),
                    _cp("C", "short", "1", "5"),
                ],
                "policy": "pro_rata",
                "lot_size": "1",
            },
            {"fills": [_fill("C", "1", "50")], "remaining_qty": "0"},
        ),
        # The amount exactly the opposite side's capacity: 3 + 4 = 7; both close fully and
        # nothing remains (not a lot more, not a lot less).
        _case(
            "edge-queue-exact-capacity",
            {
                "liquidated": _liq("short", "7", "100"),
                "counterparties": [_cp("A", "long", "3", "1"), _cp("B", "long", "4", "2")],
            },
            {"fills": [_fill("B", "4", "100"), _fill("A", "3", "100")], "remaining_qty": "0"},
        ),
        # Pro-rata at exactly the capacity: r = 6/6 = 1, every share exact.
        _case(
            "edge-pro-rata-exact-capacity",
            {
                "liquidated": _liq("long", "6", "100"),
                "counterparties": [_cp("A", "short", "2", "1"), _cp("B", "short", "4", "1")],
                "policy": "pro_rata",
                "lot_size": "1",
            },
            {"fills": [_fill("B", "4", "100"), _fill("A", "2", "100")], "remaining_qty": "0"},
        ),
        # A bankruptcy price near zero, 10^-8: every fill at exactly that price.
        _case(
            "edge-allocate-price-near-zero",
            {
                "liquidated": _liq("long", "300000000", "0.00000001"),
                "counterparties": [
                    _cp("A", "short", "100000000", "2"),
                    _cp("B", "short", "500000000", "1"),
                ],
            },
            {
                "fills": [
                    _fill("A", "100000000", "0.00000001"),
                    _fill("B", "200000000", "0.00000001"),
                ],
                "remaining_qty": "0",
            },
        ),
    ]


def _random_input(rng: random.Random) -> dict[str, Any]:
    """One draw: 0 to 6 counterparties on either side, scores with ties, whole lots, and now
    and then a fee policy (with a unit, an inverse notional or a multiplier)."""
    lot = rng.choice((None, "1", "0.5", "0.001"))
    step = Fraction(lot or "1")
    side = rng.choice(("long", "short"))
    counterparties = [
        _cp(
            f"C{index}",
            rng.choice(("long", "short", "short" if side == "long" else "long")),
            text(step * rng.randint(1, 30)),
            text(Fraction(rng.randint(-4, 8), rng.choice((1, 2, 4)))),
        )
        for index in range(rng.randint(0, 6))
    ]
    rng.shuffle(counterparties)
    case_input: dict[str, Any] = {
        "liquidated": _liq(side, text(step * rng.randint(1, 60)), str(rng.randint(1, 90000))),
        "counterparties": counterparties,
    }
    if rng.random() < 0.6:
        case_input["policy"] = rng.choice(("queue", "pro_rata"))
    if lot is not None:
        case_input["lot_size"] = lot
    if rng.random() < 0.2:
        case_input["fill_price"] = str(rng.randint(1, 90000))
    if rng.random() < 0.4:
        policy = rng.choice(("none", "maker_rebate", "maker_taker"))
        case_input["fee_policy"] = policy
        case_input["maker_fee_rate"] = rng.choice(("0", "0.0002", "0.00025"))
        if policy == "maker_taker":
            case_input["taker_fee_rate"] = rng.choice(("0.00055", "0.0006"))
        if rng.random() < 0.5:
            case_input["fee_unit"] = rng.choice(("0.01", "0.00000001"))
        if rng.random() < 0.3:
            case_input["kind"] = rng.choice(("linear", "inverse"))
            case_input["multiplier"] = rng.choice(("1", "0.01", "100"))
    return case_input


def _random_cases(count: int = 20) -> list[dict[str, Any]]:
    """Seeded random allocations, expected by counting lots (:mod:`.brute`)."""
    rng = random.Random(RANDOM_SEED)
    built = []
    for index in range(count):
        case_input = _random_input(rng)
        case = _case(f"random-allocate-{index:02d}", case_input, allocate_by_lots(case_input))
        case["source"] = (
            f"random:seed={RANDOM_SEED} (expected: brute-force walk of the ranked queue in lots, "
            "perpspec.spec.cases.brute)"
        )
        built.append(case)
    return built


def cases() -> list[dict[str, Any]]:
    """Every ``adl_allocate`` case."""
    return (
        _seed_cases()
        + _queue_cases()
        + _pro_rata_cases()
        + _fee_cases()
        + _edge_cases()
        + _random_cases()
    )
