"""The freqtrade and ccxt adapters' pure mapping (contrib/freqtrade), without freqtrade.

The adapters import freqtrade and ccxt only when they call them, so their case reading, the
arguments they build, the float-to-decimal conversion and the protocol answers are checked
here with a fake freqtrade. Expected values are hand computations written in each test.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

CONTRIB = Path(__file__).resolve().parents[2] / "contrib" / "freqtrade"


def _load(name: str, file: str | None = None) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CONTRIB / f"{file or name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # registered first: perpspec_ccxt imports perpspec_freqtrade by name, and dataclasses
    # look their module up while the class is built
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


adapter = _load("perpspec_freqtrade")
ccxt_adapter = _load("perpspec_ccxt")
classify = _load("perpspec_freqtrade_classify", "classify")

SMITH = {
    "instrument": {
        "kind": "linear",
        "multiplier": "0.001",
        "tiers": [{"floor": "0", "mmr": "0.01"}],
        "maintenance_basis": "entry",
    },
    "position": {"side": "long", "qty": "10000", "entry_price": "20000"},
    "margin": {"mode": "isolated", "balance": "5000"},
}

THREE_TIERS = [
    {"floor": "0", "mmr": "0.004"},
    {"floor": "50000", "mmr": "0.005"},
    {"floor": "250000", "mmr": "0.01"},
]


def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(json.dumps(SMITH))
    for path, value in changes.items():
        section, key = path.split("__")
        case[section][key] = value
    return case


def test_call_arguments_as_freqtrade_passes_a_trade() -> None:
    # amount = 10000 lots x 0.001 = 10 in the base currency; notional 10 x 20000 = 200000;
    # stake = wallet = the isolated margin 5000; leverage 200000 / 5000 = 40
    call = adapter.build_call(adapter.read_case(SMITH), "binance")
    assert call.arguments == {
        "pair": "CASE/USDT:USDT",
        "open_rate": 20000.0,
        "is_short": False,
        "amount": 10.0,
        "stake_amount": 5000.0,
        "leverage": 40.0,
        "wallet_balance": 5000.0,
    }
    assert call.margin_mode == "isolated"
    assert call.other_trade is None
    assert call.market["contractSize"] == 0.001
    assert call.market["linear"] is True
    assert call.unread == ("input.instrument.maintenance_basis",)


def test_maintenance_amounts_follow_the_recurrence() -> None:
    # c1 = 50000 x (0.005 - 0.004) = 50; c2 = 250000 x (0.01 - 0.005) + 50 = 1300
    amounts = adapter.derive_maintenance_amounts(
        [Fraction(0), Fraction(50000), Fraction(250000)],
        [Fraction(4, 1000), Fraction(5, 1000), Fraction(1, 100)],
        [None, None, None],
    )
    assert amounts == [0, 50, 1300]
    # a published amount is kept and the next one chains from it: 250000 x 0.005 + 70
    published = adapter.derive_maintenance_amounts(
        [Fraction(0), Fraction(50000), Fraction(250000)],
        [Fraction(4, 1000), Fraction(5, 1000), Fraction(1, 100)],
        [None, Fraction(70), None],
    )
    assert published == [0, 70, 1320]


def test_tiers_in_ccxt_shape_with_binance_cum() -> None:
    case = adapter.read_case(_case(instrument__tiers=THREE_TIERS))
    rows = adapter.build_leverage_tiers(case.tiers, True)
    assert [row["minNotional"] for row in rows] == [0.0, 50000.0, 250000.0]
    assert [row["maxNotional"] for row in rows] == [50000.0, 250000.0, float("inf")]
    assert [row["maintenanceMarginRate"] for row in rows] == [0.004, 0.005, 0.01]
    assert [row["info"] for row in rows] == [{"cum": "0.0"}, {"cum": "50.0"}, {"cum": "1300.0"}]
    assert all(row["info"] == {} for row in adapter.build_leverage_tiers(case.tiers, False))


def test_other_positions_become_one_trade_with_the_same_aggregates() -> None:
    # MM 30, uPnL -20: mark 1 + 20 + 30 = 51, open 51 + 20 = 71, rate 30/51
    other = adapter.build_other_trade(Fraction(30), Fraction(-20))
    assert other.mark_price == 51.0
    assert other.open_rate == 71.0
    assert other.amount * (other.mark_price - other.open_rate) == -20.0
    assert other.amount * other.mark_price * other.mmr == pytest.approx(30.0, rel=1e-15)
    assert adapter.build_other_trade(Fraction(0), Fraction(0)) is None


def test_float_to_decimal_keeps_repr_digits_without_an_exponent() -> None:
    assert adapter.float_to_decimal(99.49748743718592) == "99.49748743718592"
    assert adapter.float_to_decimal(1e-05) == "0.00001"
    assert adapter.float_to_decimal(2.5e20) == "250000000000000000000"
    with pytest.raises(ValueError, match="not a price"):
        adapter.float_to_decimal(float("nan"))


class _Fake:
    """A freqtrade stand-in: answers ``price`` and keeps the calls it was given."""

    def __init__(self, price: float | None) -> None:
        self.price = price
        self.seen: list[Any] = []

    def __call__(self, call: Any) -> Any:
        self.seen.append(call)
        return adapter.FreqtradeAnswer(
            price=self.price,
            unbuffered=self.price,
            rounded=None,
            tier_mmr=0.01,
            tier_maintenance_amount=0.0,
            taker_fee_rate=0.001,
            liquidation_buffer=0.0,
        )


def _fake(price: float | None) -> _Fake:
    return _Fake(price)


def _line(case_input: Any, op: str = "position_prices") -> str:
    return json.dumps({"id": "c1", "op": op, "input": case_input})


def test_answer_carries_the_liquidation_price_only() -> None:
    answer = adapter.answer_line(_line(SMITH), "bybit", _fake(19700.0))
    assert answer["id"] == "c1"
    output = answer["output"]
    assert output["liquidation_price"] == "19700.0"
    assert "bankruptcy_price" not in output
    assert output["freqtrade"]["tier_lookup_value"] == "5000.0"
    none = adapter.answer_line(_line(SMITH), "bybit", _fake(None))
    assert none["output"]["liquidation_price"] is None


@pytest.mark.parametrize(
    ("case_input", "reason"),
    [
        (_case(position__leverage="10"), "input.position.leverage: unknown field"),
        (_case(margin__entry_price="1"), "misplaced field (it belongs in input.position)"),
        (_case(position__qty=True), "input.position.qty: expected a number as a string"),
        (_case(instrument__kind="quanto"), "input.instrument.kind: unknown choice"),
        (_case(instrument__tiers=[]), "input.instrument.tiers: at least one tier"),
        (_case(instrument__kind="inverse"), "freqtrade trades linear futures only"),
    ],
)
def test_a_case_the_adapter_cannot_map_is_an_error_naming_the_field(
    case_input: Any, reason: str
) -> None:
    compute = _fake(1.0)
    answer = adapter.answer_line(_line(case_input), "binance", compute)
    assert reason in answer["error"]
    assert compute.seen == []


def test_other_ops_and_freqtrade_failures_are_errors() -> None:
    answer = adapter.answer_line(_line({}, "adl_rank"), "binance", _fake(1.0))
    assert answer == {"id": "c1", "error": "freqtrade does not compute an ADL ranking"}
    for op, what in (("funding_rate", "a funding rate"), ("mark_price", "a mark price")):
        read = adapter.answer_line(_line({}, op), "binance", _fake(1.0))
        assert read["error"] == f"freqtrade does not compute {what} (it reads the exchange's)"

    def broken(call: Any) -> Any:
        raise ZeroDivisionError("float division by zero")

    failed = adapter.answer_line(_line(SMITH), "binance", broken)
    assert failed["error"] == "freqtrade: ZeroDivisionError: float division by zero"


def test_ccxt_position_as_binance_reports_it() -> None:
    # a short of 10000 lots x 0.001: positionAmt -10, notional -10 x 20000 = -200000
    case = ccxt_adapter.read_case(_case(position__side="short"))
    position = ccxt_adapter.build_position(case)
    assert position["positionAmt"] == "-10"
    assert position["notional"] == "-200000"
    assert position["isolatedWallet"] == "5000"
    inverse = ccxt_adapter.read_case(
        _case(instrument__kind="inverse", instrument__multiplier="100")
    )
    # inverse: positionAmt in contracts (10000), value 10000 x 100 / 20000 = 50 coins
    coin = ccxt_adapter.build_position(inverse)
    assert coin["positionAmt"] == "10000"
    assert coin["notionalValue"] == "50"
    assert "notional" not in coin
    assert ccxt_adapter.decimal_string(Fraction(1, 8)) == "0.125"
    assert ccxt_adapter.decimal_string(Fraction(2, 3)) == "0." + "6" * 39 + "7"


def test_classify_buffer_and_lookup() -> None:
    # buffer 0.05 of |100 - 99.5| = 0.025 towards the entry: 99.525 for a long, 100.475 ...
    assert classify.apply_buffer(
        Fraction("99.5"), Fraction(100), "long", Fraction(5, 100)
    ) == Fraction("99.525")
    assert classify.apply_buffer(
        Fraction("100.5"), Fraction(100), "short", Fraction(5, 100)
    ) == Fraction("100.475")
    case_input = _case(instrument__tiers=THREE_TIERS)
    assert classify.looked_up_tier(case_input, Fraction(50000)) == 1
    assert classify.looked_up_tier(case_input, Fraction(49999)) == 0
    assert classify.case_amounts(case_input) == [0, 50, 1300]
    assert classify.relative_difference(Fraction(101), Fraction(100)) == Fraction(1, 100)


def test_classify_none_moved_by_the_buffer() -> None:
    # a 1x long of 1 at 100 with balance 100: the spec has no liquidation price (it would be
    # 0); freqtrade's formula gives 0, its buffer moves it 0.05 x |100 - 0| = 5 towards the
    # entry, and the floor at 0 comes after the buffer, so freqtrade answers 5
    case_input = _case(position__qty="1", position__entry_price="100", margin__balance="100")
    case_input["instrument"]["multiplier"] = "1"
    case = {"input": case_input}
    seen = {"unbuffered": "-0.0", "liquidation_buffer": "0.05", "program": "freqtrade"}
    moved = classify.none_moved_by_buffer(case, seen, Fraction(5), Fraction(1, 10**9))
    assert moved is not None
    assert moved[0] == "none reported as 0; liquidation buffer 0.05"
    assert classify.none_moved_by_buffer(case, seen, Fraction(6), Fraction(1, 10**9)) is None
    no_buffer = dict(seen, liquidation_buffer="0")
    assert classify.none_moved_by_buffer(case, no_buffer, Fraction(5), Fraction(1, 10**9)) is None
    priced = dict(seen, unbuffered="1.0")
    assert classify.none_moved_by_buffer(case, priced, Fraction(5), Fraction(1, 10**9)) is None


def test_ccxt_fine_precision_keeps_prices_near_1e_8() -> None:
    # ccxt reads the price precision back with str() and counts the exponent: 1e-18 is
    # 18 decimals, 10 significant digits of a price of 1.0101e-8 (1e-12 left 5)
    market = ccxt_adapter.build_market(ccxt_adapter.read_case(_case()), ccxt_adapter.FINE_PRECISION)
    assert str(market["precision"]["price"]) == "1e-18"
