"""Cases of the ``replay`` op: small markets whose every emitted event is worked by hand.

The market: BTC-PERP, linear, tick 0.5, lot 0.001, tiers 0.5% (100x) and from 100,000 1%
(amount 100,000 x 0.005 = 500, 50x). alice 1,000 long 1 @ 20,000 from bob (cross, 20x);
carol short 0.5 @ 20,000 against the book account mm. The book: levels 0.1% and 0.3% (then
0.5%) from the mark, depth 2 x a jitter >= 1/2, so at least 1 at the best level.

alice: bankruptcy 1,000 + (P - 20,000) = 0 -> 19,000; liquidation 1,000 + P - 20,000 =
0.005 P -> 19,000 / 0.995 = 19,095.47..., up to the tick: 19,095.5.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cases"]

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
    return [adl, fund, social, misc]
