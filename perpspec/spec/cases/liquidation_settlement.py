"""Cases of the ``liquidation_settlement`` op: seed 001 and 004 examples and hand computations.

Notation in the comments: ``P_b`` the bankruptcy price, ``V`` the multiplier (1 unless
given), ``s_i`` the surplus of fill i (DESIGN, Insurance fund): linear long ``d V (p - P_b)``,
linear short ``d V (P_b - p)``, inverse long ``d V (1/P_b - 1/p)``, inverse short
``d V (1/p - 1/P_b)``. A fill executes while ``fund + s_1 + ... + s_i >= 0``; the walk stops at
the first that fails. ``fee = min(rate x base, max(0, net))`` with base ``d_exec V P_b``
(linear) or ``d_exec V / P_b`` (inverse) unless ``fee_base`` says otherwise:
``fill_notional`` is ``sum d V p`` over the executed fills (inverse ``sum d V / p``),
``mark_value`` ``d_exec V P_mark``. ``surplus_to`` insurance: the fund's share
``share = net - fee``, refund 0; trader: ``refund = max(0, net - fee)``,
``share = min(0, net - fee)``. Without ``fee_to`` (or with ``fees``) ``delta = share``; with
``fee_to = insurance`` ``delta = share + fee``. ``fund_after = fund + delta``.

Expected values list the five outputs DESIGN names, so an engine that implements only the
protocol's fields can run every case (``executed_qty`` and ``fills_executed`` are extra
outputs, checked by the tests instead).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from perpspec.spec.cases.brute import settle_liquidation_by_walk, text

__all__ = ["RANDOM_SEED", "cases"]

_OP = "liquidation_settlement"

#: The seed of the random cases; changing it changes the vectors (and the spec version's files).
RANDOM_SEED = 1501


def _fill(qty: str, price: str) -> dict[str, str]:
    return {"qty": qty, "price": price}


def _case(case_id: str, case_input: dict[str, Any], expected: dict[str, str]) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "input": case_input, "expected": expected}


def _expected(fee: str, delta: str, fund_after: str, refund: str, remaining: str) -> dict[str, str]:
    return {
        "fee": fee,
        "insurance_delta": delta,
        "insurance_fund_after": fund_after,
        "trader_refund": refund,
        "remaining_qty": remaining,
    }


def _seed_cases() -> list[dict[str, Any]]:
    return [
        # Seed 001, user A: long, P_b 10,000, fill 10,100, "the 100USDT will be added to the
        # insurance fund. User A will lose all balance". s = 1 x (10100 - 10000) = 100; the
        # fund (0 here: a surplus needs no fund) gets 0 + 100 = 100.
        _case(
            "seed001-long-surplus",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10100")],
                "insurance_fund": "0",
            },
            _expected("0", "100", "100", "0", "0"),
        ),
        # Seed 001, user B: short, P_b 10,000, fill 10,050, "the insurance fund will be used ...
        # user B does not have to pay the extra 50USDT". s = 1 x (10000 - 10050) = -50;
        # fund 1000 (chosen): 1000 - 50 = 950 >= 0, executes; fund after 950.
        _case(
            "seed001-short-deficit",
            {
                "side": "short",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10050")],
                "insurance_fund": "1000",
            },
            _expected("0", "-50", "950", "0", "0"),
        ),
        # Seed 001: "The current balance of the insurance fund is 1000USDT ... a balance of
        # 11,000USDT is needed ... the auto-deleveraging will be triggered." A long of 110 at
        # P_b 10,000 whose only fill is at 9,900: s = 110 x (9900 - 10000) = -11000;
        # 1000 - 11000 = -10000 < 0, so the fill is not executed and all 110 go to ADL.
        _case(
            "seed001-fund-insufficient-adl",
            {
                "side": "long",
                "qty": "110",
                "bankruptcy_price": "10000",
                "fills": [_fill("110", "9900")],
                "insurance_fund": "1000",
            },
            _expected("0", "0", "1000", "0", "110"),
        ),
        # Seed 004: "the remaining margin after deducting the liquidation fees will also be
        # injected into the insurance fund". Long 2 at P_b 20,000, fill 20,100, rate 0.001:
        # s = 2 x 100 = 200; base = 2 x 20000 = 40000; fee = min(40000 x 0.001 = 40, 200) = 40;
        # delta = 200 - 40 = 160; fund 500 + 160 = 660.
        _case(
            "seed004-surplus-after-fee-to-fund",
            {
                "side": "long",
                "qty": "2",
                "bankruptcy_price": "20000",
                "fills": [_fill("2", "20100")],
                "insurance_fund": "500",
                "fee_rate": "0.001",
            },
            _expected("40", "160", "660", "0", "0"),
        ),
    ]


def _surplus_to_trader_cases() -> list[dict[str, Any]]:
    return [
        # The seed 004 example under surplus_to trader (dYdX v4): net 200, fee 40,
        # refund = max(0, 160) = 160, delta = min(0, 160) = 0, fund stays 500.
        _case(
            "trader-surplus-after-fee",
            {
                "side": "long",
                "qty": "2",
                "bankruptcy_price": "20000",
                "fills": [_fill("2", "20100")],
                "insurance_fund": "500",
                "fee_rate": "0.001",
                "surplus_to": "trader",
            },
            _expected("40", "0", "500", "160", "0"),
        ),
        # Seed 001's user B under surplus_to trader: s = -50, fee 0 (net <= 0),
        # refund = max(0, -50) = 0, delta = min(0, -50) = -50; fund 1000 - 50 = 950.
        _case(
            "trader-deficit-paid-by-fund",
            {
                "side": "short",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10050")],
                "insurance_fund": "1000",
                "surplus_to": "trader",
            },
            _expected("0", "-50", "950", "0", "0"),
        ),
        # Fee capped, trader gets nothing: long 1, P_b 10000, fill 10005, rate 0.001:
        # s = 5; base 10000 x 0.001 = 10; fee = min(10, 5) = 5; left 0: refund 0, delta 0.
        _case(
            "trader-fee-capped-no-refund",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10005")],
                "insurance_fund": "0",
                "fee_rate": "0.001",
                "surplus_to": "trader",
            },
            _expected("5", "0", "0", "0", "0"),
        ),
        # Two fills, fee fully covered: long 4, P_b 500, rate 0.002, fills 1 @ 510, 3 @ 520:
        # s = 1 x 10 + 3 x 20 = 70; base 4 x 500 = 2000, x 0.002 = 4; fee = min(4, 70) = 4;
        # refund 70 - 4 = 66, delta 0; fund stays 0.
        _case(
            "trader-two-fills-refund",
            {
                "side": "long",
                "qty": "4",
                "bankruptcy_price": "500",
                "fills": [_fill("1", "510"), _fill("3", "520")],
                "insurance_fund": "0",
                "fee_rate": "0.002",
                "surplus_to": "trader",
            },
            _expected("4", "0", "0", "66", "0"),
        ),
        # Walk stops, trader keeps the executed gain: short 4, P_b 200, fund 5, fills
        # 2 @ 199, 2 @ 205: s1 = 2 x (200 - 199) = 2, 5 + 2 = 7 >= 0 executes;
        # s2 = 2 x (200 - 205) = -10, 7 - 10 = -3 < 0 stops. net 2, fee 0, refund 2, delta 0,
        # fund 5, remaining 4 - 2 = 2.
        _case(
            "trader-walk-stops",
            {
                "side": "short",
                "qty": "4",
                "bankruptcy_price": "200",
                "fills": [_fill("2", "199"), _fill("2", "205")],
                "insurance_fund": "5",
                "surplus_to": "trader",
            },
            _expected("0", "0", "5", "2", "2"),
        ),
    ]


def _walk_cases() -> list[dict[str, Any]]:
    return [
        # Long 10, P_b 100, fund 30, fills 4 @ 101, 3 @ 95, 3 @ 90: s1 = 4 x 1 = 4 (30 + 4 = 34,
        # executes); s2 = 3 x -5 = -15 (34 - 15 = 19, executes); s3 = 3 x -10 = -30
        # (19 - 30 = -11 < 0, stops). net 4 - 15 = -11, fee 0, delta -11, fund 30 - 11 = 19,
        # remaining 10 - 7 = 3.
        _case(
            "walk-stops-midway",
            {
                "side": "long",
                "qty": "10",
                "bankruptcy_price": "100",
                "fills": [_fill("4", "101"), _fill("3", "95"), _fill("3", "90")],
                "insurance_fund": "30",
            },
            _expected("0", "-11", "19", "0", "3"),
        ),
        # The walk does not skip a level: short 6, P_b 50, fund 10, fills 2 @ 49, 2 @ 60,
        # 2 @ 40: s1 = 2 x 1 = 2 (12, executes); s2 = 2 x -10 = -20 (12 - 20 = -8, stops);
        # s3 = +20 would have helped but is never reached. net 2, delta 2, fund 12,
        # remaining 6 - 2 = 4.
        _case(
            "walk-stops-later-fill-not-reached",
            {
                "side": "short",
                "qty": "6",
                "bankruptcy_price": "50",
                "fills": [_fill("2", "49"), _fill("2", "60"), _fill("2", "40")],
                "insurance_fund": "10",
            },
            _expected("0", "2", "12", "0", "4"),
        ),
        # The fund may reach exactly zero: long 3, P_b 100, fund 15, fill 3 @ 95:
        # s = 3 x -5 = -15; 15 - 15 = 0 >= 0 executes; fund after 0.
        _case(
            "walk-fund-exactly-exhausted",
            {
                "side": "long",
                "qty": "3",
                "bankruptcy_price": "100",
                "fills": [_fill("3", "95")],
                "insurance_fund": "15",
            },
            _expected("0", "-15", "0", "0", "0"),
        ),
        # The first fill is already too deep: short 2, P_b 100, fund 0, rate 0.01, fills
        # 1 @ 101, 1 @ 99: s1 = 1 x (100 - 101) = -1, 0 - 1 < 0 stops at once. Nothing executed:
        # base 0, fee 0, delta 0, remaining 2.
        _case(
            "walk-first-fill-blocked",
            {
                "side": "short",
                "qty": "2",
                "bankruptcy_price": "100",
                "fills": [_fill("1", "101"), _fill("1", "99")],
                "insurance_fund": "0",
                "fee_rate": "0.01",
            },
            _expected("0", "0", "0", "0", "2"),
        ),
        # Fills covering part of the position: long 5, P_b 100, fund 0, fill 2 @ 102:
        # s = 2 x 2 = 4 executes; delta 4, fund 4, remaining 5 - 2 = 3.
        _case(
            "walk-fills-cover-part",
            {
                "side": "long",
                "qty": "5",
                "bankruptcy_price": "100",
                "fills": [_fill("2", "102")],
                "insurance_fund": "0",
            },
            _expected("0", "4", "4", "0", "3"),
        ),
        # No fills at all (an empty book): nothing executes; fund 100 unchanged; all 7 remain.
        _case(
            "walk-zero-fills",
            {
                "side": "short",
                "qty": "7",
                "bankruptcy_price": "100",
                "fills": [],
                "insurance_fund": "100",
                "fee_rate": "0.01",
            },
            _expected("0", "0", "100", "0", "7"),
        ),
        # A gain then a deficit, both paid within the fund: long 2, P_b 100, fund 100, rate
        # 0.01, fills 1 @ 105, 1 @ 90: s1 = 5 (105), s2 = -10 (95 >= 0). net -5, so
        # fee = min(2 x 100 x 0.01 = 2, max(0, -5) = 0) = 0; delta -5, fund 95.
        _case(
            "walk-gain-offsets-deficit",
            {
                "side": "long",
                "qty": "2",
                "bankruptcy_price": "100",
                "fills": [_fill("1", "105"), _fill("1", "90")],
                "insurance_fund": "100",
                "fee_rate": "0.01",
            },
            _expected("0", "-5", "95", "0", "0"),
        ),
    ]


def _fee_cases() -> list[dict[str, Any]]:
    return [
        # Fee capped by the surplus: long 1, P_b 10000, fill 10005, rate 0.001: s = 5;
        # base 10000 x 0.001 = 10; fee = min(10, 5) = 5; delta 5 - 5 = 0; fund stays 0.
        _case(
            "fee-capped-by-surplus",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10005")],
                "insurance_fund": "0",
                "fee_rate": "0.001",
            },
            _expected("5", "0", "0", "0", "0"),
        ),
        # No fee on a deficit: seed 001's user B with rate 0.001: s = -50, fee = min(10, 0) = 0,
        # delta -50, fund 1000 - 50 = 950.
        _case(
            "fee-none-on-deficit",
            {
                "side": "short",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10050")],
                "insurance_fund": "1000",
                "fee_rate": "0.001",
            },
            _expected("0", "-50", "950", "0", "0"),
        ),
        # Fee capped over two fills: long 10, P_b 1000, rate 0.01, fund 0, fills 6 @ 1010,
        # 4 @ 995: s1 = 6 x 10 = 60 (60), s2 = 4 x -5 = -20 (40 >= 0). net 40;
        # base 10 x 1000 x 0.01 = 100; fee = min(100, 40) = 40; delta 0; fund 0.
        _case(
            "fee-capped-two-fills",
            {
                "side": "long",
                "qty": "10",
                "bankruptcy_price": "1000",
                "fills": [_fill("6", "1010"), _fill("4", "995")],
                "insurance_fund": "0",
                "fee_rate": "0.01",
            },
            _expected("40", "0", "0", "0", "0"),
        ),
        # Fee only on the executed quantity: long 10, P_b 100, rate 0.01, fund 0, fills
        # 5 @ 104, 5 @ 90: s1 = 5 x 4 = 20 (20); s2 = 5 x -10 = -50 (20 - 50 = -30, stops).
        # base 5 x 100 x 0.01 = 5; fee = min(5, 20) = 5; delta 15; fund 15; remaining 5.
        _case(
            "fee-on-executed-qty-only",
            {
                "side": "long",
                "qty": "10",
                "bankruptcy_price": "100",
                "fills": [_fill("5", "104"), _fill("5", "90")],
                "insurance_fund": "0",
                "fee_rate": "0.01",
            },
            _expected("5", "15", "15", "0", "5"),
        ),
        # A fill exactly at the bankruptcy price: long 1, P_b 100, fill 100, rate 0.01:
        # s = 0, executes even with fund 0; fee = min(1, 0) = 0; delta 0.
        _case(
            "fee-zero-at-bankruptcy-price",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "100",
                "fills": [_fill("1", "100")],
                "insurance_fund": "0",
                "fee_rate": "0.01",
            },
            _expected("0", "0", "0", "0", "0"),
        ),
        # Contract multiplier (linear): short 3 contracts of 0.01 BTC, P_b 30000, fill 29000,
        # rate 0.0005: s = 3 x 0.01 x (30000 - 29000) = 30; base 3 x 0.01 x 30000 = 900,
        # x 0.0005 = 0.45; fee = min(0.45, 30) = 0.45; delta 29.55; fund 0 + 29.55.
        _case(
            "fee-linear-multiplier",
            {
                "side": "short",
                "qty": "3",
                "bankruptcy_price": "30000",
                "fills": [_fill("3", "29000")],
                "insurance_fund": "0",
                "fee_rate": "0.0005",
                "multiplier": "0.01",
            },
            _expected("0.45", "29.55", "29.55", "0", "0"),
        ),
    ]


def _fee_base_cases() -> list[dict[str, Any]]:
    dydx = {"fee_base": "fill_notional", "fee_to": "insurance", "surplus_to": "trader"}
    return [
        # dYdX v4 (GetLiquidationInsuranceFundDelta: the fee is max_liquidation_fee_ppm of the
        # fill's quote quantums, capped by what the fill leaves above bankruptcy, to the fund;
        # the rest stays with the trader). Long 1, P_b 5100, fill 1 @ 5610, rate 0.005:
        # s = 5610 - 5100 = 510; base = 1 x 5610 = 5610, x 0.005 = 28.05; fee = min(28.05, 510)
        # = 28.05; share = min(0, 510 - 28.05) = 0, refund 481.95; delta = 0 + 28.05 = 28.05.
        _case(
            "dydx-v4-fee-on-fill-notional",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "5100",
                "fills": [_fill("1", "5610")],
                "insurance_fund": "0",
                "fee_rate": "0.005",
                **dydx,
            },
            _expected("28.05", "28.05", "28.05", "481.95", "0"),
        ),
        # The same at rate 1 (100%): base 5610 x 1 = 5610; fee = min(5610, 510) = 510, capped by
        # the surplus; refund = max(0, 510 - 510) = 0; delta = 0 + 510 = 510.
        _case(
            "dydx-v4-fee-capped-by-surplus",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "5100",
                "fills": [_fill("1", "5610")],
                "insurance_fund": "0",
                "fee_rate": "1",
                **dydx,
            },
            _expected("510", "510", "510", "0", "0"),
        ),
        # Seed 004 Part Five: liquidation fees and the surplus left after them both go into the
        # fund. The seed 004 case above with fee_to insurance: fee 40, share 160,
        # delta = 160 + 40 = 200; fund 500 + 200 = 700.
        _case(
            "seed004-fee-and-surplus-to-fund",
            {
                "side": "long",
                "qty": "2",
                "bankruptcy_price": "20000",
                "fills": [_fill("2", "20100")],
                "insurance_fund": "500",
                "fee_rate": "0.001",
                "fee_to": "insurance",
            },
            _expected("40", "200", "700", "0", "0"),
        ),
        # Fee on the mark value: long 2, P_b 20000, mark 20050, fill 2 @ 20100, rate 0.001:
        # s = 200; base = 2 x 20050 = 40100, x 0.001 = 40.1; fee 40.1; share 200 - 40.1 = 159.9;
        # fee to fees: delta 159.9; fund 500 + 159.9 = 659.9.
        _case(
            "fee-on-mark-value",
            {
                "side": "long",
                "qty": "2",
                "bankruptcy_price": "20000",
                "fills": [_fill("2", "20100")],
                "insurance_fund": "500",
                "fee_rate": "0.001",
                "fee_base": "mark_value",
                "mark_price": "20050",
            },
            _expected("40.1", "159.9", "659.9", "0", "0"),
        ),
        # Fill notional counts executed fills only: long 10, P_b 100, fund 0, rate 0.01, fills
        # 5 @ 104 (s = 20, executes), 5 @ 90 (s = -50, 20 - 50 < 0, stops). base = 5 x 104 = 520,
        # x 0.01 = 5.2; fee = min(5.2, 20) = 5.2; share 14.8 = delta; fund 14.8; remaining 5.
        _case(
            "fee-fill-notional-executed-only",
            {
                "side": "long",
                "qty": "10",
                "bankruptcy_price": "100",
                "fills": [_fill("5", "104"), _fill("5", "90")],
                "insurance_fund": "0",
                "fee_rate": "0.01",
                "fee_base": "fill_notional",
            },
            _expected("5.2", "14.8", "14.8", "0", "5"),
        ),
        # Inverse fill notional in coin: long 100 contracts of 1 USD, P_b 10000, fill 12500,
        # rate 0.005: s = 100 x (1/10000 - 1/12500) = 0.002; base = 100 / 12500 = 0.008,
        # x 0.005 = 0.00004; fee 0.00004; share = delta = 0.002 - 0.00004 = 0.00196.
        _case(
            "inverse-fee-fill-notional",
            {
                "side": "long",
                "qty": "100",
                "bankruptcy_price": "10000",
                "fills": [_fill("100", "12500")],
                "insurance_fund": "0",
                "fee_rate": "0.005",
                "kind": "inverse",
                "fee_base": "fill_notional",
            },
            _expected("0.00004", "0.00196", "0.00196", "0", "0"),
        ),
        # A deficit pays no fee wherever it would go: seed 001's user B with a fee to the fund:
        # s = -50, fee = min(10000 x 0.001, max(0, -50)) = 0; delta = -50 + 0; fund 950.
        _case(
            "fee-to-fund-none-on-deficit",
            {
                "side": "short",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10050")],
                "insurance_fund": "1000",
                "fee_rate": "0.001",
                "fee_base": "fill_notional",
                "fee_to": "insurance",
            },
            _expected("0", "-50", "950", "0", "0"),
        ),
    ]


def _inverse_cases() -> list[dict[str, Any]]:
    return [
        # Inverse long 100 contracts of 100 USD, P_b 20000, fill 25000:
        # s = 100 x 100 x (1/20000 - 1/25000) = 10000 x (5 - 4)/100000 = 0.1 coin; fund 0.1.
        _case(
            "inverse-long-surplus",
            {
                "side": "long",
                "qty": "100",
                "bankruptcy_price": "20000",
                "fills": [_fill("100", "25000")],
                "insurance_fund": "0",
                "kind": "inverse",
                "multiplier": "100",
            },
            _expected("0", "0.1", "0.1", "0", "0"),
        ),
        # Inverse short 50 contracts of 10 USD, P_b 40000, fill 50000, fund 1:
        # s = 50 x 10 x (1/50000 - 1/40000) = 500 x (4 - 5)/200000 = -0.0025;
        # 1 - 0.0025 = 0.9975 >= 0, executes.
        _case(
            "inverse-short-deficit",
            {
                "side": "short",
                "qty": "50",
                "bankruptcy_price": "40000",
                "fills": [_fill("50", "50000")],
                "insurance_fund": "1",
                "kind": "inverse",
                "multiplier": "10",
            },
            _expected("0", "-0.0025", "0.9975", "0", "0"),
        ),
        # Inverse fee: long 100 contracts of 1 USD, P_b 10000, fill 12500, rate 0.005:
        # s = 100 x (1/10000 - 1/12500) = 100 x (5 - 4)/50000 = 0.002;
        # base = 100 / 10000 = 0.01 coin, x 0.005 = 0.00005; fee = min(0.00005, 0.002);
        # delta 0.002 - 0.00005 = 0.00195.
        _case(
            "inverse-fee-covered",
            {
                "side": "long",
                "qty": "100",
                "bankruptcy_price": "10000",
                "fills": [_fill("100", "12500")],
                "insurance_fund": "0",
                "fee_rate": "0.005",
                "kind": "inverse",
            },
            _expected("0.00005", "0.00195", "0.00195", "0", "0"),
        ),
        # Exact, non-terminating result: inverse long 1, P_b 30000, fill 40000:
        # s = 1/30000 - 1/40000 = (4 - 3)/120000 = 1/120000 coin.
        _case(
            "inverse-exact-rational",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "30000",
                "fills": [_fill("1", "40000")],
                "insurance_fund": "0",
                "kind": "inverse",
            },
            _expected("0", "1/120000", "1/120000", "0", "0"),
        ),
        # Inverse walk that stops: short 2 contracts of 100 USD, P_b 20000, fund 0, fills
        # 1 @ 19000, 1 @ 25000: s1 = 100 x (1/19000 - 1/20000) = 100 x 1000/380000000
        # = 1/3800 (executes); s2 = 100 x (1/25000 - 1/20000) = 100 x (-5000/500000000)
        # = -1/1000; 1/3800 - 1/1000 = (10 - 38)/38000 < 0, stops. net 1/3800, delta 1/3800,
        # fund 1/3800, remaining 1.
        _case(
            "inverse-walk-stops",
            {
                "side": "short",
                "qty": "2",
                "bankruptcy_price": "20000",
                "fills": [_fill("1", "19000"), _fill("1", "25000")],
                "insurance_fund": "0",
                "kind": "inverse",
                "multiplier": "100",
            },
            _expected("0", "1/3800", "1/3800", "0", "1"),
        ),
    ]


def _edge_cases() -> list[dict[str, Any]]:
    """Boundaries: the fund exactly the deficit and a hair below, one lot, tiny prices."""
    return [
        # Two deficits summing exactly to the fund: long 4, P_b 1000, fund 30, fills 2 @ 995
        # (s = 2 x -5 = -10, 30 - 10 = 20) and 2 @ 990 (s = 2 x -10 = -20, 20 - 20 = 0 >= 0,
        # executes). net -30, delta -30, fund after exactly 0, nothing remains.
        _case(
            "edge-fund-exactly-deficit-two-fills",
            {
                "side": "long",
                "qty": "4",
                "bankruptcy_price": "1000",
                "fills": [_fill("2", "995"), _fill("2", "990")],
                "insurance_fund": "30",
            },
            _expected("0", "-30", "0", "0", "0"),
        ),
        # The same with the fund one hundred-millionth short: 29.99999999 - 10 = 19.99999999,
        # then 19.99999999 - 20 < 0 stops. net -10, delta -10, fund 19.99999999, 2 remain.
        _case(
            "edge-fund-a-hair-below-deficit",
            {
                "side": "long",
                "qty": "4",
                "bankruptcy_price": "1000",
                "fills": [_fill("2", "995"), _fill("2", "990")],
                "insurance_fund": "29.99999999",
            },
            _expected("0", "-10", "19.99999999", "0", "2"),
        ),
        # Short, the fund exactly one fill's deficit and the fee rate irrelevant (net < 0):
        # short 1, P_b 100, fund 7, rate 0.01, fill 1 @ 107: s = 1 x (100 - 107) = -7,
        # 7 - 7 = 0 executes; fee = min(1, max(0, -7)) = 0; delta -7; fund 0.
        _case(
            "edge-short-fund-exactly-deficit",
            {
                "side": "short",
                "qty": "1",
                "bankruptcy_price": "100",
                "fills": [_fill("1", "107")],
                "insurance_fund": "7",
                "fee_rate": "0.01",
            },
            _expected("0", "-7", "0", "0", "0"),
        ),
        # One lot of 0.001: long 0.001, P_b 20000, fund 0.01, fill 0.001 @ 19990:
        # s = 0.001 x (19990 - 20000) = -0.01; 0.01 - 0.01 = 0 executes; fund after 0.
        _case(
            "edge-settle-one-lot",
            {
                "side": "long",
                "qty": "0.001",
                "bankruptcy_price": "20000",
                "fills": [_fill("0.001", "19990")],
                "insurance_fund": "0.01",
            },
            _expected("0", "-0.01", "0", "0", "0"),
        ),
        # Prices near zero: long 10^8 at P_b 10^-8, fill 10^8 @ 2 x 10^-8, rate 0.001:
        # s = 10^8 x 10^-8 = 1; base 10^8 x 10^-8 = 1, fee = min(0.001, 1) = 0.001;
        # delta 1 - 0.001 = 0.999; fund 0.999.
        _case(
            "edge-settle-price-near-zero",
            {
                "side": "long",
                "qty": "100000000",
                "bankruptcy_price": "0.00000001",
                "fills": [_fill("100000000", "0.00000002")],
                "insurance_fund": "0",
                "fee_rate": "0.001",
            },
            _expected("0.001", "0.999", "0.999", "0", "0"),
        ),
        # The fee exactly equal to the surplus: long 1, P_b 10000, fill 10010, rate 0.001:
        # s = 10; base 10000 x 0.001 = 10; fee = min(10, 10) = 10; delta 0; fund stays 5.
        _case(
            "edge-fee-equals-surplus",
            {
                "side": "long",
                "qty": "1",
                "bankruptcy_price": "10000",
                "fills": [_fill("1", "10010")],
                "insurance_fund": "5",
                "fee_rate": "0.001",
            },
            _expected("10", "0", "5", "0", "0"),
        ),
        # An empty fund and an empty book under surplus_to trader: nothing executes, the
        # whole 3 go to the last resort, every amount 0.
        _case(
            "edge-empty-fund-empty-book",
            {
                "side": "long",
                "qty": "3",
                "bankruptcy_price": "100",
                "fills": [],
                "insurance_fund": "0",
                "surplus_to": "trader",
            },
            _expected("0", "0", "0", "0", "3"),
        ),
    ]


def _random_input(rng: random.Random) -> dict[str, Any]:
    """One draw: linear or inverse, 1 to 3 fills within the quantity (often all of it), every
    fee option, a fund of up to 4% of the position's value."""
    kind = rng.choice(("linear", "linear", "inverse"))
    qty = rng.randint(1, 40)
    bankruptcy = rng.randint(100, 50000)
    multiplier = rng.choice(("1", "1", "0.01", "10", "100"))
    case_input: dict[str, Any] = {
        "side": rng.choice(("long", "short")),
        "qty": str(qty),
        "bankruptcy_price": str(bankruptcy),
    }
    fills = []
    left = qty
    count = rng.randint(1, 3)
    for number in range(count):
        if left == 0:
            break
        size = left if number == count - 1 and rng.random() < 0.6 else rng.randint(1, left)
        left -= size
        # Within 2% either side of the bankruptcy price, to the cent.
        cents = bankruptcy * (10000 + rng.randint(-200, 200)) // 100
        fills.append(_fill(str(size), text(Fraction(cents, 100))))
    case_input["fills"] = fills
    value = qty * Fraction(multiplier) * bankruptcy
    if kind == "inverse":
        value = qty * Fraction(multiplier) / bankruptcy
        case_input["kind"] = "inverse"
    if multiplier != "1" or rng.random() < 0.2:
        case_input["multiplier"] = multiplier
    case_input["insurance_fund"] = text(value * rng.randint(0, 40) / 1000)
    if rng.random() < 0.7:
        case_input["fee_rate"] = rng.choice(("0.0005", "0.001", "0.005", "0.02"))
    if rng.random() < 0.5:
        case_input["surplus_to"] = rng.choice(("insurance", "trader"))
    if rng.random() < 0.5:
        base = rng.choice(("fill_notional", "bankruptcy_value", "mark_value"))
        case_input["fee_base"] = base
        if base == "mark_value":
            case_input["mark_price"] = str(bankruptcy + rng.randint(-50, 50))
    if rng.random() < 0.4:
        case_input["fee_to"] = rng.choice(("insurance", "fees"))
    return case_input


def _random_cases(count: int = 20) -> list[dict[str, Any]]:
    """Seeded random settlements, expected by walking the fills (:mod:`.brute`)."""
    rng = random.Random(RANDOM_SEED)
    built = []
    for index in range(count):
        case_input = _random_input(rng)
        case = _case(
            f"random-settle-{index:02d}", case_input, settle_liquidation_by_walk(case_input)
        )
        case["source"] = (
            f"random:seed={RANDOM_SEED} (expected: brute-force walk of the fills, "
            "perpspec.spec.cases.brute)"
        )
        built.append(case)
    return built


def cases() -> list[dict[str, Any]]:
    """All cases of the op, seeds first."""
    return [
        *_seed_cases(),
        *_surplus_to_trader_cases(),
        *_walk_cases(),
        *_fee_cases(),
        *_fee_base_cases(),
        *_inverse_cases(),
        *_edge_cases(),
        *_random_cases(),
    ]
