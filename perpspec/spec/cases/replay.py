"""Cases of the ``replay`` op: small markets whose every emitted event is worked by hand.

The market: BTC-PERP, linear, tick 0.5, lot 0.001, tiers 0.5% (100x) and from 100,000 1%
(amount 100,000 x 0.005 = 500, 50x). alice 1,000 long 1 @ 20,000 from bob (cross, 20x);
carol short 0.5 @ 20,000 against the book account mm. The book: levels 0.1% and 0.3% (then
0.5%) from the mark, depth 2 x a jitter >= 1/2, so at least 1 at the best level.

alice: bankruptcy 1,000 + (P - 20,000) = 0 -> 19,000; liquidation 1,000 + P - 20,000 =
0.005 P -> 19,000 / 0.995 = 19,095.47..., up to the tick: 19,095.5.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from perpspec.spec.cases.brute import text

__all__ = ["RANDOM_SEED", "cases"]

#: The seed of the random cases; changing it changes the vectors (and the spec version's files).
RANDOM_SEED = 1506
#: The market's tick (``_setup``'s instrument).
_TICK = Fraction(1, 2)

TS = "2026-01-01T00:00:00Z"
LIQUIDITY = {
    "account": "mm",
    "levels": 3,
    "spread": "0.001",
    "spacing": "0.002",
    "depth": "2",
    "seed": 0,
}
TIERS = [
    {"floor": "0", "mmr": "0.005", "maintenance_amount": "0", "max_leverage": "100"},
    {"floor": "100000", "mmr": "0.01", "maintenance_amount": "500", "max_leverage": "50"},
]


def _event(seq: int, event_type: str, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "ts": TS, "type": event_type, **fields}


def _setup(fund: str, fund_balance: str) -> list[dict[str, Any]]:
    deposits = [
        ("alice", "1000"),
        ("bob", "100000"),
        ("carol", "5000"),
        ("mm", "1000000000"),
        (f"insurance:{fund}", fund_balance),
    ]
    events = [
        _event(
            1,
            "instrument",
            market="BTC-PERP",
            kind="linear",
            multiplier="1",
            tick_size="0.5",
            lot_size="0.001",
            tiers=TIERS,
            fund=fund,
            settle_asset="USDT",
        ),
    ]
    events += [
        _event(2 + i, "deposit", account=account, asset="USDT", amount=amount)
        for i, (account, amount) in enumerate(deposits)
    ]
    events += [
        _event(7, "mark", market="BTC-PERP", price="20000"),
        _event(
            8,
            "trade",
            market="BTC-PERP",
            buyer="alice",
            seller="bob",
            qty="1",
            price="20000",
            buyer_fee="0",
            seller_fee="0",
        ),
        _event(
            9,
            "trade",
            market="BTC-PERP",
            buyer="mm",
            seller="carol",
            qty="0.5",
            price="20000",
            buyer_fee="0",
            seller_fee="0",
        ),
    ]
    return events


def _liquidation(seq: int, mark: str) -> dict[str, Any]:
    return _event(
        seq,
        "liquidation",
        id="L1",
        account="alice",
        market="BTC-PERP",
        side="long",
        qty="1",
        mark_price=mark,
        liquidation_price="19095.5",
        bankruptcy_price="19000",
        margin_mode="cross",
        fee="0",
    )


def _case(
    case_id: str, profile: str, events: list[dict[str, Any]], expected: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": case_id,
        "op": "replay",
        "input": {"profile": profile, "liquidity": LIQUIDITY, "events": events},
        "expected": {"events": expected},
    }


def cases() -> list[dict[str, Any]]:
    """Replay cases with hand-computed outputs."""
    adl_inputs = [*_setup("BTC", "50"), _event(10, "mark", market="BTC-PERP", price="18000")]
    # Mark 18,000: best bid 18,000 x 0.999 = 17,982, deficit 1,018 > fund 50: no fill; ADL.
    # bob and carol both score (20,000 - 18,000)/20,000 = 0.1 (profit_ratio); bob's larger
    # position ranks first and absorbs the whole 1 at 19,000.
    adl = _case(
        "hand-seed001-adl-when-fund-short",
        "seed-gate",
        adl_inputs,
        [
            *adl_inputs,
            _liquidation(11, "18000"),
            _event(
                12,
                "adl",
                liquidation="L1",
                account="bob",
                qty="1",
                price="19000",
                score="0.1",
                rank=1,
            ),
        ],
    )
    fund_inputs = [*_setup("BTC", "5000"), _event(10, "mark", market="BTC-PERP", price="18500")]
    # Mark 18,500: best bid 18,481.5, deficit 518.5 <= 5,000: the fund pays it.
    fund = _case(
        "hand-seed001-fund-pays-deficit",
        "seed-gate",
        fund_inputs,
        [
            *fund_inputs,
            _liquidation(11, "18500"),
            _event(
                12,
                "liquidation_fill",
                liquidation="L1",
                qty="1",
                price="18481.5",
                counterparty="mm",
            ),
            _event(
                13,
                "insurance",
                fund="BTC",
                amount="-518.5",
                reason="liquidation_deficit",
                liquidation="L1",
            ),
        ],
    )
    social_inputs = [*_setup("main", "50"), _event(10, "mark", market="BTC-PERP", price="18000")]
    # Seed 000: sweep 1 @ 17,982: loss 1,018; the fund's 20% (203.6) is capped at its 50; the
    # rest 968 is shared by bob (profit 2,000) and carol (1,000), both within the 90% line:
    # 968 x 2/3 = 1,936/3 and 968/3.
    social = _case(
        "hand-seed000-socialized",
        "seed-socialized",
        social_inputs,
        [
            *social_inputs,
            _liquidation(11, "18000"),
            _event(
                12, "liquidation_fill", liquidation="L1", qty="1", price="17982", counterparty="mm"
            ),
            _event(
                13,
                "insurance",
                fund="main",
                amount="-50",
                reason="socialized_loss",
                liquidation="L1",
            ),
            _event(
                14, "socialized_loss", cycle=TS, account="bob", amount="1936/3", liquidations=["L1"]
            ),
            _event(
                15,
                "socialized_loss",
                cycle=TS,
                account="carol",
                amount="968/3",
                liquidations=["L1"],
            ),
        ],
    )
    misc_inputs = [
        *_setup("BTC", "50"),
        _event(
            10,
            "trade",
            market="BTC-PERP",
            buyer="nobody",
            seller="bob",
            qty="1",
            price="20000",
            buyer_fee="0",
            seller_fee="0",
        ),
        _event(12, "funding", market="BTC-PERP", rate="0.0001", payments=[]),
    ]
    # An unknown buyer is rejected; funding at 0.0001 x 20,000 = 2 per unit, longs pay.
    misc = _case(
        "hand-rejection-and-funding",
        "seed-gate",
        misc_inputs,
        [
            *misc_inputs[:-1],
            _event(11, "rejection", input=10, reason="buyer: unknown account 'nobody'"),
            _event(
                12,
                "funding",
                market="BTC-PERP",
                rate="0.0001",
                payments=[
                    {"account": "alice", "amount": "-2"},
                    {"account": "bob", "amount": "2"},
                    {"account": "carol", "amount": "1"},
                    {"account": "mm", "amount": "-1"},
                ],
            ),
        ],
    )
    return [adl, fund, social, misc, *_edge_cases(), *_random_cases()]


def _family_setup(deposit: str, qty: str, entry: str, fund: str) -> list[dict[str, Any]]:
    """One market (``_setup``'s instrument, fund ``BTC``), alice long ``qty`` @ ``entry`` from
    bob with ``deposit`` in her cross wallet; bob, the book ``mm`` and the fund (unless 0)
    funded. Always 7 events, so the mark that follows is seq 8."""
    instrument = _setup("BTC", "1")[0]
    deposits = [("alice", deposit), ("bob", "100000"), ("mm", "1000000000")]
    # A deposit must be > 0: an empty fund is a second deposit to bob instead, so the events
    # keep their numbers.
    deposits.append(("insurance:BTC", fund) if fund != "0" else ("bob", "1"))
    return [
        instrument,
        *(
            _event(2 + i, "deposit", account=account, asset="USDT", amount=amount)
            for i, (account, amount) in enumerate(deposits)
        ),
        _event(6, "mark", market="BTC-PERP", price=entry),
        _event(
            7,
            "trade",
            market="BTC-PERP",
            buyer="alice",
            seller="bob",
            qty=qty,
            price=entry,
            buyer_fee="0",
            seller_fee="0",
        ),
    ]


def _family_liquidation(
    qty: str, mark: str, liquidation_price: str, bankruptcy_price: str
) -> dict[str, Any]:
    return _event(
        9,
        "liquidation",
        id="L1",
        account="alice",
        market="BTC-PERP",
        side="long",
        qty=qty,
        mark_price=mark,
        liquidation_price=liquidation_price,
        bankruptcy_price=bankruptcy_price,
        margin_mode="cross",
        fee="0",
    )


def _family_fill_events(
    qty: Fraction, mark: Fraction, bankruptcy: Fraction, liquidation: Fraction
) -> list[dict[str, Any]]:
    """What the engine emits when alice (bankruptcy price ``bankruptcy`` on the tick, no margin
    left there) is liquidated at ``mark``, the fund covering any deficit: the liquidation at
    seq 9, its one fill of ``qty`` at the best bid ``mark x 0.999`` rounded down to the tick
    (depth >= 1 >= qty), and the fund's entry ``qty x (bid - bankruptcy)`` (a surplus > 0, a
    deficit < 0, none at 0)."""
    bid = (mark * Fraction(999, 1000) // _TICK) * _TICK
    events = [
        _family_liquidation(text(qty), text(mark), text(liquidation), text(bankruptcy)),
        _event(
            10,
            "liquidation_fill",
            liquidation="L1",
            qty=text(qty),
            price=text(bid),
            counterparty="mm",
        ),
    ]
    surplus = qty * (bid - bankruptcy)
    if surplus != 0:
        reason = "liquidation_surplus" if surplus > 0 else "liquidation_deficit"
        events.append(
            _event(
                11, "insurance", fund="BTC", amount=text(surplus), reason=reason, liquidation="L1"
            )
        )
    return events


def _edge_cases() -> list[dict[str, Any]]:
    """A mark exactly at the liquidation price and one tick above, a fund of exactly the
    deficit and a hair below, a funding of zero, an account with no position."""
    # alice 1,095 long 1 @ 20,000: bankruptcy 1095 + (P - 20000) = 0 -> 18,905; liquidation
    # 1095 + P - 20000 = 0.005 P -> 0.995 P = 18905 -> P = 19,000 exactly (on the tick).
    family = _family_setup("1095", "1", "20000", "0")
    at_price = [*family, _event(8, "mark", market="BTC-PERP", price="19000")]
    # At 19,000 margin 95 = MM 0.005 x 19,000 = 95: liquidated ("margin balance <= MM"). Best
    # bid 19,000 x 0.999 = 18,981 > 18,905: a surplus 76 to the fund (surplus_to insurance).
    exactly = _case(
        "edge-mark-exactly-at-liquidation-price",
        "seed-gate",
        at_price,
        [
            *at_price,
            *_family_fill_events(Fraction(1), Fraction(19000), Fraction(18905), Fraction(19000)),
        ],
    )
    # One tick above, 19,000.5: margin 95.5 > MM 95.0025: nothing happens.
    above_inputs = [*family, _event(8, "mark", market="BTC-PERP", price="19000.5")]
    above = _case(
        "edge-mark-one-tick-above-liquidation-price", "seed-gate", above_inputs, above_inputs
    )
    # hand-seed001-fund-pays-deficit with the fund exactly its deficit 518.5: the fill
    # executes and the fund ends at 0.
    exact_inputs = [*_setup("BTC", "518.5"), _event(10, "mark", market="BTC-PERP", price="18500")]
    fund_exact = _case(
        "edge-fund-exactly-the-deficit",
        "seed-gate",
        exact_inputs,
        [
            *exact_inputs,
            _liquidation(11, "18500"),
            _event(
                12,
                "liquidation_fill",
                liquidation="L1",
                qty="1",
                price="18481.5",
                counterparty="mm",
            ),
            _event(
                13,
                "insurance",
                fund="BTC",
                amount="-518.5",
                reason="liquidation_deficit",
                liquidation="L1",
            ),
        ],
    )
    # The fund 0.5 short of it (518): the fill is not executed; ADL: bob and carol both score
    # (20,000 - 18,500)/20,000 = 0.075, bob's larger short first absorbs the 1 at 19,000.
    below_inputs = [*_setup("BTC", "518"), _event(10, "mark", market="BTC-PERP", price="18500")]
    fund_below = _case(
        "edge-fund-a-hair-below-the-deficit",
        "seed-gate",
        below_inputs,
        [
            *below_inputs,
            _liquidation(11, "18500"),
            _event(
                12,
                "adl",
                liquidation="L1",
                account="bob",
                qty="1",
                price="19000",
                score="0.075",
                rank=1,
            ),
        ],
    )
    # Funding at rate 0: every open position (alice 1, bob -1, carol -0.5, mm 0.5) pays
    # -q x 20,000 x 0 = 0; each is still listed, by account.
    zero_inputs = [
        *_setup("BTC", "50"),
        _event(10, "funding", market="BTC-PERP", rate="0", payments=[]),
    ]
    zero = _case(
        "edge-funding-zero",
        "seed-gate",
        zero_inputs,
        [
            *zero_inputs[:-1],
            _event(
                10,
                "funding",
                market="BTC-PERP",
                rate="0",
                payments=[
                    {"account": account, "amount": "0"}
                    for account in ("alice", "bob", "carol", "mm")
                ],
            ),
        ],
    )
    # dave deposits and never trades: funding at 0.0001 pays -q x 2 (alice -2, bob 2,
    # carol 1, mm -1) and skips him; a mark at 18,000 would liquidate alice, never him (kept
    # above her 19,095.5 here: 19,500, no liquidation).
    idle_inputs = [
        *_setup("BTC", "50"),
        _event(10, "deposit", account="dave", asset="USDT", amount="500"),
        _event(11, "funding", market="BTC-PERP", rate="0.0001", payments=[]),
        _event(12, "mark", market="BTC-PERP", price="19500"),
    ]
    idle = _case(
        "edge-account-without-position",
        "seed-gate",
        idle_inputs,
        [
            *idle_inputs[:-2],
            _event(
                11,
                "funding",
                market="BTC-PERP",
                rate="0.0001",
                payments=[
                    {"account": "alice", "amount": "-2"},
                    {"account": "bob", "amount": "2"},
                    {"account": "carol", "amount": "1"},
                    {"account": "mm", "amount": "-1"},
                ],
            ),
            idle_inputs[-1],
        ],
    )
    return [exactly, above, fund_exact, fund_below, zero, idle]


def _random_cases(count: int = 12) -> list[dict[str, Any]]:
    """Seeded random draws of one tiny family, where the engine's output is a short formula:
    alice alone long ``q`` (at most 1, so the best bid's depth covers it) @ ``E`` with just
    enough margin for a bankruptcy price ``P_b`` on the tick, 2% to 10% below ``E``; one mark
    ``M`` at or below her liquidation price ``P_b / 0.995`` (margin ``q (P - P_b)`` against MM
    ``0.005 q P``); the fund at least the deficit (sometimes exactly). Expected: the
    liquidation, its fill at ``M x 0.999`` down to the tick, and the fund's entry (see
    :func:`_family_fill_events`)."""
    rng = random.Random(RANDOM_SEED)
    built = []
    for index in range(count):
        qty = Fraction(rng.randint(1, 1000), 1000)
        entry = Fraction(rng.randint(10000, 60000))
        bankruptcy = (entry * (1 - Fraction(rng.randint(20, 100), 1000)) // _TICK) * _TICK
        exact_liquidation = bankruptcy / Fraction(995, 1000)
        liquidation = -((-exact_liquidation) // _TICK) * _TICK  # a long's rounds up
        mark = (exact_liquidation * (1 - Fraction(rng.randint(0, 80), 10000)) // _TICK) * _TICK
        bid = (mark * Fraction(999, 1000) // _TICK) * _TICK
        deficit = max(Fraction(0), qty * (bankruptcy - bid))
        fund = deficit + rng.choice((0, 0, Fraction(rng.randint(1, 10000), 100)))
        inputs = [
            *_family_setup(text(qty * (entry - bankruptcy)), text(qty), text(entry), text(fund)),
            _event(8, "mark", market="BTC-PERP", price=text(mark)),
        ]
        expected = [*inputs, *_family_fill_events(qty, mark, bankruptcy, liquidation)]
        case = _case(f"random-replay-{index:02d}", "seed-gate", inputs, expected)
        case["source"] = (
            f"random:seed={RANDOM_SEED} (expected: closed formula of one tiny family, one long "
            "liquidated into the book's best bid with the fund covering the deficit; "
            "perpspec.spec.cases.replay)"
        )
        built.append(case)
    return built
