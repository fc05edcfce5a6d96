"""A hand-written ledger with every event type, as canonical JSON Lines and as typed records.

The text is written by hand in the canonical form (keys in DESIGN's order, numbers as exact
strings with no trailing zeros, compact separators), and the records are written by hand from
it, so the tests compare the formats against both without trusting the code under test.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.events import (
    AdlEvent,
    BalanceEvent,
    DepositEvent,
    Event,
    FillEvent,
    FundingEvent,
    FundingPayment,
    IndexEvent,
    IndexQuote,
    InstrumentEvent,
    InsuranceEvent,
    LiquidationEvent,
    LiquidationFillEvent,
    MarginTransferEvent,
    MarkEvent,
    PositionEvent,
    RejectionEvent,
    SocializedLossEvent,
    SourceEvent,
    StatementEvent,
    TierSpec,
    TradeEvent,
    WithdrawalEvent,
)

SAMPLE_LINES = [
    '{"seq":1,"ts":"2024-03-01T00:00:00Z","type":"instrument","market":"BTCUSDT","kind":"linear",'
    '"multiplier":"1","tick_size":"0.1","lot_size":"0.001","tiers":[{"floor":"0","mmr":"0.004",'
    '"maintenance_amount":"0","max_leverage":"125"},{"floor":"50000","mmr":"0.005",'
    '"maintenance_amount":"50","max_leverage":null}],"fund":"BTCUSDT","settle_asset":"USDT"}',
    '{"seq":2,"ts":"2024-03-01T00:00:01Z","type":"deposit","account":"alice","asset":"USDT",'
    '"amount":"1000"}',
    '{"seq":3,"ts":"2024-03-01T00:00:02+00:00","type":"deposit","account":"bob","asset":"USDT",'
    '"amount":"5000.25"}',
    '{"seq":4,"ts":"2024-03-01T00:00:03.250Z","type":"mark","market":"BTCUSDT","price":"20000"}',
    '{"seq":5,"ts":"2024-03-01T00:00:04Z","type":"trade","market":"BTCUSDT","buyer":"alice",'
    '"seller":"bob","qty":"0.5","price":"20000","buyer_fee":"4","seller_fee":"-1"}',
    '{"seq":6,"ts":"2024-03-01T08:00:00Z","type":"funding","market":"BTCUSDT","rate":"0.0001",'
    '"payments":[{"account":"alice","amount":"-1"},{"account":"bob","amount":"1"}]}',
    '{"seq":7,"ts":"2024-03-01T08:00:01Z","type":"margin_transfer","account":"alice",'
    '"market":"BTCUSDT","amount":"-100"}',
    '{"seq":8,"ts":"2024-03-01T09:00:00Z","type":"mark","market":"BTCUSDT","price":"18100"}',
    '{"seq":9,"ts":"2024-03-01T09:00:00Z","type":"liquidation","id":"liq-1","account":"alice",'
    '"market":"BTCUSDT","side":"long","qty":"0.5","mark_price":"18100",'
    '"liquidation_price":"18120.5","bankruptcy_price":"18000.1","margin_mode":"isolated",'
    '"fee":"0"}',
    '{"seq":10,"ts":"2024-03-01T09:00:01Z","type":"liquidation_fill","liquidation":"liq-1",'
    '"qty":"0.3","price":"18050","counterparty":"carol"}',
    '{"seq":11,"ts":"2024-03-01T09:00:01Z","type":"insurance","fund":"BTCUSDT","amount":"14.97",'
    '"reason":"liquidation_surplus","liquidation":"liq-1"}',
    '{"seq":12,"ts":"2024-03-01T09:00:02Z","type":"adl","liquidation":"liq-1","account":"bob",'
    '"qty":"0.2","price":"18000.1","score":"625/49313","rank":1}',
    '{"seq":13,"ts":"2024-03-01T09:00:03Z","type":"socialized_loss","cycle":"19783",'
    '"account":"dave","amount":"100/3","liquidations":["liq-1","liq-2"]}',
    '{"seq":14,"ts":"2024-03-01T09:00:04Z","type":"insurance","fund":"default","amount":"-3",'
    '"reason":"top_up","liquidation":null}',
    '{"seq":15,"ts":"2024-03-01T09:00:05Z","type":"liquidation","id":"liq-2","account":"erin",'
    '"market":"BTCUSDT","side":"short","qty":"1","mark_price":"18100","liquidation_price":null,'
    '"bankruptcy_price":null,"margin_mode":"cross","fee":"0.25"}',
    '{"seq":16,"ts":"2024-03-01T10:00:00Z","type":"balance","account":"alice","asset":"USDT",'
    '"amount":"0"}',
    '{"seq":17,"ts":"2024-03-01T10:00:01Z","type":"withdrawal","account":"bob","asset":"USDT",'
    '"amount":"100"}',
    '{"seq":18,"ts":"2024-03-01T10:00:02Z","type":"withdrawal","account":"carol","asset":"USDT",'
    '"amount":"1000000000"}',
    '{"seq":19,"ts":"2024-03-01T10:00:02Z","type":"rejection","input":18,'
    '"reason":"amount: exceeds the available balance"}',
    # The records of a partial ledger (a source opens one; here only their format is tested).
    '{"seq":20,"ts":"2024-03-01T10:00:03Z","type":"source","format":"binance-um",'
    '"accounts":["alice"],"covers":["transfers","statement"],"precision":"0.00000001",'
    '"files":["income.json"],"unmapped":["WELCOME_BONUS: 2"]}',
    '{"seq":21,"ts":"2024-03-01T10:00:04Z","type":"statement","account":"alice","asset":"USDT",'
    '"amount":"-0.5","entry":"commission","reason":"COMMISSION","market":"BTCUSDT","ref":null,'
    '"rate":null,"size":null}',
    '{"seq":22,"ts":"2024-03-01T10:00:05Z","type":"fill","account":"alice","market":"BTCUSDT",'
    '"action":"sell","qty":"0.5","price":"61000","role":"liquidation","kind":"linear",'
    '"multiplier":"1","commission":"-0.25","commission_asset":"USDT","liquidity":"taker","start_position":"1.5","realized_pnl":null,"mark_price":"60990","ref":"t-9"}',
    '{"seq":23,"ts":"2024-03-01T10:00:06Z","type":"position","account":"alice",'
    '"market":"BTCUSDT","size":"-2","entry_price":"60000","mark_price":null,'
    '"liquidation_price":"65000.5","margin_mode":"cross","margin":null,"equity":"3000",'
    '"kind":"linear","maintenance_rate":"0.005"}',
    # The inputs of a mark (a source quoted a second earlier; fair_price reads no last price).
    '{"seq":24,"ts":"2024-03-01T10:00:07Z","type":"index","market":"BTCUSDT","sources":'
    '[{"source":"venue-a","price":"60000","weight":"0.5","ts":"2024-03-01T10:00:06Z"},'
    '{"source":"venue-b","price":"60010.5","weight":"0.5","ts":"2024-03-01T10:00:07Z"}],'
    '"price":"60005.25","funding_rate":"-0.0001","time_until_funding":"3600",'
    '"basis_average":null,"last_price":null,"impact_bid":"60001","impact_ask":"60009"}',
]

SAMPLE_EVENTS: list[Event] = [
    InstrumentEvent(
        seq=1,
        ts="2024-03-01T00:00:00Z",
        market="BTCUSDT",
        kind="linear",
        multiplier=F(1),
        tick_size=F(1, 10),
        lot_size=F(1, 1000),
        tiers=(
            TierSpec(floor=F(0), mmr=F(4, 1000), maintenance_amount=F(0), max_leverage=F(125)),
            TierSpec(floor=F(50000), mmr=F(5, 1000), maintenance_amount=F(50), max_leverage=None),
        ),
        fund="BTCUSDT",
        settle_asset="USDT",
    ),
    DepositEvent(seq=2, ts="2024-03-01T00:00:01Z", account="alice", asset="USDT", amount=F(1000)),
    DepositEvent(
        seq=3, ts="2024-03-01T00:00:02+00:00", account="bob", asset="USDT", amount=F(500025, 100)
    ),
    MarkEvent(seq=4, ts="2024-03-01T00:00:03.250Z", market="BTCUSDT", price=F(20000)),
    TradeEvent(
        seq=5,
        ts="2024-03-01T00:00:04Z",
        market="BTCUSDT",
        buyer="alice",
        seller="bob",
        qty=F(1, 2),
        price=F(20000),
        buyer_fee=F(4),
        seller_fee=F(-1),
    ),
    FundingEvent(
        seq=6,
        ts="2024-03-01T08:00:00Z",
        market="BTCUSDT",
        rate=F(1, 10000),
        payments=(FundingPayment("alice", F(-1)), FundingPayment("bob", F(1))),
    ),
    MarginTransferEvent(
        seq=7, ts="2024-03-01T08:00:01Z", account="alice", market="BTCUSDT", amount=F(-100)
    ),
    MarkEvent(seq=8, ts="2024-03-01T09:00:00Z", market="BTCUSDT", price=F(18100)),
    LiquidationEvent(
        seq=9,
        ts="2024-03-01T09:00:00Z",
        id="liq-1",
        account="alice",
        market="BTCUSDT",
        side="long",
        qty=F(1, 2),
        mark_price=F(18100),
        liquidation_price=F(181205, 10),
        bankruptcy_price=F(180001, 10),
        margin_mode="isolated",
        fee=F(0),
    ),
    LiquidationFillEvent(
        seq=10,
        ts="2024-03-01T09:00:01Z",
        liquidation="liq-1",
        qty=F(3, 10),
        price=F(18050),
        counterparty="carol",
    ),
    InsuranceEvent(
        seq=11,
        ts="2024-03-01T09:00:01Z",
        fund="BTCUSDT",
        amount=F(1497, 100),
        reason="liquidation_surplus",
        liquidation="liq-1",
    ),
    AdlEvent(
        seq=12,
        ts="2024-03-01T09:00:02Z",
        liquidation="liq-1",
        account="bob",
        qty=F(1, 5),
        price=F(180001, 10),
        score=F(625, 49313),
        rank=1,
    ),
    SocializedLossEvent(
        seq=13,
        ts="2024-03-01T09:00:03Z",
        cycle="19783",
        account="dave",
        amount=F(100, 3),
        liquidations=("liq-1", "liq-2"),
    ),
    InsuranceEvent(
        seq=14,
        ts="2024-03-01T09:00:04Z",
        fund="default",
        amount=F(-3),
        reason="top_up",
        liquidation=None,
    ),
    LiquidationEvent(
        seq=15,
        ts="2024-03-01T09:00:05Z",
        id="liq-2",
        account="erin",
        market="BTCUSDT",
        side="short",
        qty=F(1),
        mark_price=F(18100),
        liquidation_price=None,
        bankruptcy_price=None,
        margin_mode="cross",
        fee=F(1, 4),
    ),
    BalanceEvent(seq=16, ts="2024-03-01T10:00:00Z", account="alice", asset="USDT", amount=F(0)),
    WithdrawalEvent(seq=17, ts="2024-03-01T10:00:01Z", account="bob", asset="USDT", amount=F(100)),
    WithdrawalEvent(
        seq=18, ts="2024-03-01T10:00:02Z", account="carol", asset="USDT", amount=F(10**9)
    ),
    RejectionEvent(
        seq=19, ts="2024-03-01T10:00:02Z", input=18, reason="amount: exceeds the available balance"
    ),
    SourceEvent(
        seq=20,
        ts="2024-03-01T10:00:03Z",
        format="binance-um",
        accounts=("alice",),
        covers=("transfers", "statement"),
        precision=F(1, 10**8),
        files=("income.json",),
        unmapped=("WELCOME_BONUS: 2",),
    ),
    StatementEvent(
        seq=21,
        ts="2024-03-01T10:00:04Z",
        account="alice",
        asset="USDT",
        amount=F(-1, 2),
        entry="commission",
        reason="COMMISSION",
        market="BTCUSDT",
        ref=None,
        rate=None,
        size=None,
    ),
    FillEvent(
        seq=22,
        ts="2024-03-01T10:00:05Z",
        account="alice",
        market="BTCUSDT",
        action="sell",
        qty=F(1, 2),
        price=F(61000),
        role="liquidation",
        kind="linear",
        multiplier=F(1),
        commission=F(-1, 4),
        commission_asset="USDT",
        liquidity="taker",
        start_position=F(3, 2),
        realized_pnl=None,
        mark_price=F(60990),
        ref="t-9",
    ),
    PositionEvent(
        seq=23,
        ts="2024-03-01T10:00:06Z",
        account="alice",
        market="BTCUSDT",
        size=F(-2),
        entry_price=F(60000),
        mark_price=None,
        liquidation_price=F(130001, 2),
        margin_mode="cross",
        margin=None,
        equity=F(3000),
        kind="linear",
        maintenance_rate=F(1, 200),
    ),
    IndexEvent(
        seq=24,
        ts="2024-03-01T10:00:07Z",
        market="BTCUSDT",
        sources=(
            IndexQuote("venue-a", F(60000), F(1, 2), "2024-03-01T10:00:06Z"),
            IndexQuote("venue-b", F(120021, 2), F(1, 2), "2024-03-01T10:00:07Z"),
        ),
        price=F(240021, 4),
        funding_rate=F(-1, 10000),
        time_until_funding=F(3600),
        basis_average=None,
        last_price=None,
        impact_bid=F(60001),
        impact_ask=F(60009),
    ),
]


@pytest.fixture
def sample_lines() -> list[str]:
    """The canonical JSON Lines of the sample ledger, one string a line (no newline)."""
    return list(SAMPLE_LINES)


@pytest.fixture
def sample_events() -> list[Event]:
    """The typed records of the sample ledger, written by hand."""
    return list(SAMPLE_EVENTS)
