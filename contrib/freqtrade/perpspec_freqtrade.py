"""freqtrade's liquidation price behind the perpspec conformance protocol.

Run with a Python that has freqtrade installed (never the project's environment)::

    perpspec conform --cmd "PYTHON contrib/freqtrade/perpspec_freqtrade.py --exchange binance" \\
        vectors/position_prices.jsonl

One case a line on stdin (``{"id", "op", "input"}``), one answer a line on stdout:
``{"id", "output"}`` or ``{"id", "error"}``. Only ``position_prices`` is asked of freqtrade,
and only its ``liquidation_price``: freqtrade computes no bankruptcy price, no liquidation
settlement, no ADL ranking or allocation and no socialized loss, so every other op is
answered with an error saying so, and ``bankruptcy_price`` is left out of the output (the
kit then fails the case on that key; ``classify.py`` compares the liquidation price alone).

What the adapter does, per case:

- reads the case strictly (an unknown, misplaced or missing field, a number that is not a
  decimal or ``p/q`` string, an unknown choice, an empty tier table: an error naming the
  field), because a field it cannot hand to freqtrade must not be dropped silently. Values
  freqtrade can be given (a negative quantity, a zero price) are passed on unjudged: how
  freqtrade treats them is what the run is for;
- builds one futures market ``CASE/USDT:USDT`` (linear, ``contractSize`` = the multiplier,
  ``taker`` = ``close_fee_rate`` or 0) and the case's tier table in ccxt's leverage-tier
  shape (``minNotional`` = floor, ``maintenanceMarginRate`` = mmr, Binance's ``info.cum`` =
  the maintenance amount, published or from the recurrence the case format defines), and
  loads both through freqtrade's own ``reload_markets`` / ``fill_leverage_tiers``, with only
  the network fetches replaced (``_api_reload_markets``, ``load_leverage_tiers``,
  ``fetch_trading_fees``, Binance's ``fetch_funding_rates``);
- calls ``Exchange.get_liquidation_price`` as freqtrade's ``update_liquidation_prices``
  does: ``amount`` = qty x multiplier (freqtrade's amounts are in the base currency),
  ``stake_amount`` = ``wallet_balance`` = the balance, ``leverage`` = entry notional /
  balance (a cross case gives no stake of its own position: the wallet balance is passed,
  which only the tier lookup reads). In cross margin, which freqtrade computes for Binance
  only (the others refuse it), ``wallet_balance`` is the wallet and the other
  positions' maintenance margin and unrealized PnL are one synthetic open trade
  ``OTHER/USDT:USDT`` (amount 1, one tier, cum 0) whose mark price (the patched funding-rate
  fetch) and rate give exactly those two aggregates;
- answers ``liquidation_price`` as the decimal digits of ``repr`` of freqtrade's float (the
  shortest string that reads back as the same double, written without an exponent), and
  ``null`` when freqtrade returns ``None``. A float can agree with an exact expected value
  only within a tolerance; ``classify.py`` measures the relative difference.

Extra output keys (ignored by the kit, read by ``classify.py``) under ``freqtrade``: the
price before freqtrade's liquidation buffer, the buffer, the tier rate and amount freqtrade
looked up, the taker fee rate it saw, and the case fields it has no parameter for.

Inverse contracts are refused: freqtrade trades linear futures only (its ``market_is_future``
requires ``linear``), and its amounts in the base currency have no meaning for a contract
denominated in the quote currency.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TextIO

PAIR = "CASE/USDT:USDT"
OTHER_PAIR = "OTHER/USDT:USDT"

# Which of freqtrade's liquidation functions reads which case data, from its source
# (freqtrade/exchange/*.py, 2025.10). Exchanges not listed use the base class's formula.
TAKER_FEE_READERS = frozenset({"okx", "gate", "bitget"})
MAINTENANCE_AMOUNT_READERS = frozenset({"binance"})
EXCHANGES = ("binance", "bybit", "okx", "gate", "bitget")

_INPUT_KEYS = frozenset({"instrument", "position", "margin", "close_fee_rate"})
_INSTRUMENT_KEYS = frozenset({"kind", "multiplier", "tick_size", "tiers", "maintenance_basis"})
_TIER_KEYS = frozenset({"floor", "mmr", "maintenance_amount"})
_POSITION_KEYS = frozenset({"side", "qty", "entry_price"})
_ISOLATED_KEYS = frozenset({"mode", "balance"})
_CROSS_KEYS = frozenset({"mode", "balance", "other_maintenance_margin", "other_unrealized_pnl"})
# Where a key belongs, to say so when a case puts it elsewhere.
_HOMES = {
    **{key: "input.instrument" for key in _INSTRUMENT_KEYS},
    **{key: "input.position" for key in _POSITION_KEYS},
    **{key: "input.margin" for key in _CROSS_KEYS},
    "close_fee_rate": "input",
}


class CaseError(ValueError):
    """A case the adapter cannot map to a freqtrade call; the message names the field."""


@dataclass(frozen=True)
class TierRow:
    """One tier of the case: floor (position value), rate, maintenance amount."""

    floor: Fraction
    mmr: Fraction
    maintenance_amount: Fraction


@dataclass(frozen=True)
class PositionCase:
    """A ``position_prices`` case, read exactly."""

    kind: str
    multiplier: Fraction
    tiers: tuple[TierRow, ...]
    maintenance_basis: str | None
    tick_size: Fraction | None
    side: str
    qty: Fraction
    entry_price: Fraction
    mode: str
    balance: Fraction
    other_maintenance_margin: Fraction
    other_unrealized_pnl: Fraction
    close_fee_rate: Fraction | None


@dataclass(frozen=True)
class OtherTrade:
    """The synthetic other open trade that carries a cross case's other positions."""

    pair: str
    amount: float
    open_rate: float
    mark_price: float
    mmr: float
    stake_amount: float


@dataclass(frozen=True)
class FreqtradeCall:
    """Everything one freqtrade call takes: the keyword arguments, the market, the tiers."""

    arguments: dict[str, Any]
    market: dict[str, Any]
    leverage_tiers: dict[str, list[dict[str, Any]]]
    other_trade: OtherTrade | None
    margin_mode: str
    unread: tuple[str, ...] = field(default=())


def _check_keys(obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    for key in obj:
        if key in allowed:
            continue
        home = _HOMES.get(key)
        if home is not None and home != path:
            raise CaseError(f"{path}.{key}: misplaced field (it belongs in {home})")
        raise CaseError(f"{path}.{key}: unknown field")


def _mapping(obj: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise CaseError(f"{path}.{key}: missing or not an object")
    return value


def parse_number(value: object, path: str) -> Fraction:
    """An exact number from the case format's string (decimal or ``p/q``)."""
    if not isinstance(value, str):
        raise CaseError(f"{path}: expected a number as a string, found {value!r}")
    try:
        return Fraction(value.strip())
    except (ValueError, ZeroDivisionError) as error:
        raise CaseError(f"{path}: not a number: {value!r}") from error


def _number(
    obj: Mapping[str, Any], key: str, path: str, default: Fraction | None = None
) -> Fraction:
    if key not in obj:
        if default is None:
            raise CaseError(f"{path}.{key}: missing field")
        return default
    return parse_number(obj[key], f"{path}.{key}")


def _choice(obj: Mapping[str, Any], key: str, path: str, choices: Iterable[str]) -> str:
    value = obj.get(key)
    if value is None:
        raise CaseError(f"{path}.{key}: missing field")
    if value not in tuple(choices):
        raise CaseError(f"{path}.{key}: unknown choice {value!r}")
    return str(value)


def derive_maintenance_amounts(
    floors: list[Fraction], mmrs: list[Fraction], published: list[Fraction | None]
) -> list[Fraction]:
    """Maintenance amounts as the case format defines them: published, else the recurrence.

    ``c_0 = 0`` and ``c_n = floor_n (mmr_n - mmr_(n-1)) + c_(n-1)`` (the amount that keeps
    the maintenance margin continuous at each floor), chained from the previous tier's
    amount as it stands, published or derived.
    """
    amounts: list[Fraction] = []
    for index, (floor, mmr, given) in enumerate(zip(floors, mmrs, published, strict=True)):
        if given is not None:
            amounts.append(given)
        elif index == 0:
            amounts.append(Fraction(0))
        else:
            amounts.append(floor * (mmr - mmrs[index - 1]) + amounts[index - 1])
    return amounts


def _read_tiers(instrument: Mapping[str, Any]) -> tuple[TierRow, ...]:
    rows = instrument.get("tiers")
    if not isinstance(rows, list):
        raise CaseError("input.instrument.tiers: missing or not a list")
    if not rows:
        raise CaseError("input.instrument.tiers: at least one tier is required")
    floors: list[Fraction] = []
    mmrs: list[Fraction] = []
    published: list[Fraction | None] = []
    for index, row in enumerate(rows):
        path = f"input.instrument.tiers[{index}]"
        if not isinstance(row, Mapping):
            raise CaseError(f"{path}: expected an object")
        _check_keys(row, _TIER_KEYS, path)
        floors.append(_number(row, "floor", path))
        mmrs.append(_number(row, "mmr", path))
        published.append(
            parse_number(row["maintenance_amount"], f"{path}.maintenance_amount")
            if "maintenance_amount" in row
            else None
        )
    amounts = derive_maintenance_amounts(floors, mmrs, published)
    return tuple(TierRow(*row) for row in zip(floors, mmrs, amounts, strict=True))


def read_case(case_input: Mapping[str, Any]) -> PositionCase:
    """Read a ``position_prices`` input, refusing any field the adapter would not pass on."""
    _check_keys(case_input, _INPUT_KEYS, "input")
    instrument = _mapping(case_input, "instrument", "input")
    _check_keys(instrument, _INSTRUMENT_KEYS, "input.instrument")
    position = _mapping(case_input, "position", "input")
    _check_keys(position, _POSITION_KEYS, "input.position")
    margin = _mapping(case_input, "margin", "input")
    mode = _choice(margin, "mode", "input.margin", ("isolated", "cross"))
    _check_keys(margin, _ISOLATED_KEYS if mode == "isolated" else _CROSS_KEYS, "input.margin")
    basis = instrument.get("maintenance_basis")
    if basis is not None:
        basis = _choice(instrument, "maintenance_basis", "input.instrument", ("mark", "entry"))
    return PositionCase(
        kind=_choice(instrument, "kind", "input.instrument", ("linear", "inverse")),
        multiplier=_number(instrument, "multiplier", "input.instrument", Fraction(1)),
        tiers=_read_tiers(instrument),
        maintenance_basis=basis,
        tick_size=(
            _number(instrument, "tick_size", "input.instrument")
            if "tick_size" in instrument
            else None
        ),
        side=_choice(position, "side", "input.position", ("long", "short")),
        qty=_number(position, "qty", "input.position"),
        entry_price=_number(position, "entry_price", "input.position"),
        mode=mode,
        balance=_number(margin, "balance", "input.margin"),
        other_maintenance_margin=_number(
            margin, "other_maintenance_margin", "input.margin", Fraction(0)
        ),
        other_unrealized_pnl=_number(margin, "other_unrealized_pnl", "input.margin", Fraction(0)),
        close_fee_rate=(
            _number(case_input, "close_fee_rate", "input")
            if "close_fee_rate" in case_input
            else None
        ),
    )


def build_market(case: PositionCase, symbol: str = PAIR) -> dict[str, Any]:
    """A ccxt futures market for the case: linear, the multiplier as contract size.

    ``taker`` is the case's ``close_fee_rate`` (0 when absent): the only fee rate freqtrade's
    liquidation formulas read. Note that freqtrade reads it as ``market["taker"] or <the
    exchange's default taker fee>``, so a zero rate is replaced by the default.
    """
    base, quote = symbol.split("/", maxsplit=1)[0], "USDT"
    fee = float(case.close_fee_rate) if case.close_fee_rate is not None else 0.0
    return {
        "id": f"{base}{quote}",
        "symbol": symbol,
        "base": base,
        "quote": quote,
        "settle": quote,
        "baseId": base,
        "quoteId": quote,
        "settleId": quote,
        "type": "swap",
        "spot": False,
        "margin": False,
        "swap": True,
        "future": False,
        "option": False,
        "contract": True,
        "linear": True,
        "inverse": False,
        "active": True,
        "contractSize": float(case.multiplier),
        "taker": fee,
        "maker": fee,
        "precision": {
            "amount": None,
            "price": float(case.tick_size) if case.tick_size is not None else None,
        },
        "limits": {
            "amount": {"min": None, "max": None},
            "price": {"min": None, "max": None},
            "cost": {"min": None, "max": None},
            "leverage": {"min": 1.0, "max": None},
        },
        "info": {},
    }


def build_leverage_tiers(tiers: tuple[TierRow, ...], with_cum: bool) -> list[dict[str, Any]]:
    """The tier table in ccxt's ``fetch_leverage_tiers`` shape, floors as ``minNotional``.

    Binance's brackets carry the maintenance amount as ``info.cum`` (a string), which is
    where freqtrade's ``parse_leverage_tier`` reads it; other exchanges' ccxt tiers carry no
    amount, so ``with_cum`` is False for them.
    """
    rows: list[dict[str, Any]] = []
    for index, tier in enumerate(tiers):
        ceiling = tiers[index + 1].floor if index + 1 < len(tiers) else None
        info: dict[str, Any] = {"cum": str(float(tier.maintenance_amount))} if with_cum else {}
        rows.append(
            {
                "tier": index + 1,
                "minNotional": float(tier.floor),
                "maxNotional": float(ceiling) if ceiling is not None else float("inf"),
                "maintenanceMarginRate": float(tier.mmr),
                "maxLeverage": float(1 / tier.mmr) if tier.mmr > 0 else float("inf"),
                "info": info,
            }
        )
    return rows


def build_other_trade(
    other_maintenance_margin: Fraction, other_unrealized_pnl: Fraction
) -> OtherTrade | None:
    """One open trade whose maintenance margin and uPnL, as Binance's cross formula computes
    them (``amount x mark x mmr - cum`` and ``amount x (mark - open_rate)``), are the case's.

    Amount 1, cum 0, mark ``1 + |uPnL| + MM`` (positive, above the uPnL, so the open rate
    ``mark - uPnL`` is positive too), rate ``MM / mark`` (below 1). None when both are zero.
    """
    if other_maintenance_margin == 0 and other_unrealized_pnl == 0:
        return None
    mark = 1 + abs(other_unrealized_pnl) + other_maintenance_margin
    return OtherTrade(
        pair=OTHER_PAIR,
        amount=1.0,
        open_rate=float(mark - other_unrealized_pnl),
        mark_price=float(mark),
        mmr=float(other_maintenance_margin / mark),
        stake_amount=float(mark - other_unrealized_pnl),
    )


def build_call(case: PositionCase, exchange: str) -> FreqtradeCall:
    """The arguments of ``get_liquidation_price`` for the case, as freqtrade's own
    ``update_liquidation_prices`` passes a trade's: amount in the base currency, the stake
    (the isolated margin; in cross the wallet, the case giving no stake of the position's
    own) as ``stake_amount`` and ``wallet_balance``, leverage = notional / stake."""
    if case.kind == "inverse":
        raise CaseError(
            "input.instrument.kind: freqtrade trades linear futures only; an inverse contract "
            "cannot be asked"
        )
    amount = case.qty * case.multiplier
    notional = amount * case.entry_price
    if case.balance == 0:
        raise CaseError(
            "input.margin.balance: freqtrade's leverage (notional / stake) needs a stake"
        )
    other = build_other_trade(case.other_maintenance_margin, case.other_unrealized_pnl)
    tiers = {PAIR: build_leverage_tiers(case.tiers, exchange in MAINTENANCE_AMOUNT_READERS)}
    if other is not None:
        tiers[OTHER_PAIR] = [
            {
                "tier": 1,
                "minNotional": 0.0,
                "maxNotional": float("inf"),
                "maintenanceMarginRate": other.mmr,
                "maxLeverage": 1.0,
                "info": {"cum": "0"} if exchange in MAINTENANCE_AMOUNT_READERS else {},
            }
        ]
    unread = []
    if case.maintenance_basis is not None:
        unread.append("input.instrument.maintenance_basis")
    if case.close_fee_rate is not None and exchange not in TAKER_FEE_READERS:
        unread.append("input.close_fee_rate")
    if exchange not in MAINTENANCE_AMOUNT_READERS and any(
        tier.maintenance_amount != 0 for tier in case.tiers
    ):
        unread.append("input.instrument.tiers[].maintenance_amount")
    return FreqtradeCall(
        arguments={
            "pair": PAIR,
            "open_rate": float(case.entry_price),
            "is_short": case.side == "short",
            "amount": float(amount),
            "stake_amount": float(case.balance),
            "leverage": float(notional / case.balance),
            "wallet_balance": float(case.balance),
        },
        market=build_market(case),
        leverage_tiers=tiers,
        other_trade=other,
        margin_mode=case.mode,
        unread=tuple(unread),
    )


def float_to_decimal(value: float) -> str:
    """freqtrade's float as a decimal string: the digits of ``repr`` (the shortest string
    that reads back as the same double), without an exponent. Refuses inf and nan."""
    if not math.isfinite(value):
        raise ValueError(f"freqtrade returned {value!r}, not a price")
    return format(Decimal(repr(value)), "f")


@dataclass(frozen=True)
class FreqtradeAnswer:
    """What freqtrade gave for one call."""

    price: float | None  # get_liquidation_price: with freqtrade's liquidation buffer
    unbuffered: float | None  # dry_run_liquidation_price: before the buffer
    rounded: float | None  # the price as Trade.set_liquidation_price stores it (with a tick)
    tier_mmr: float  # get_maintenance_ratio_and_amt(pair, stake_amount)
    tier_maintenance_amount: float | None
    taker_fee_rate: float  # market["taker"] or the exchange's default, as freqtrade reads it
    liquidation_buffer: float


# What the adapter asks of freqtrade for one case.
Compute = Callable[[FreqtradeCall], FreqtradeAnswer]


def _decimal_or_none(value: float | None) -> str | None:
    return None if value is None else float_to_decimal(float(value))


def answer_position_prices(
    case_input: Mapping[str, Any], exchange: str, compute: Compute
) -> dict[str, Any]:
    """The output for one ``position_prices`` case, freqtrade being ``compute``."""
    # A cross case on an exchange freqtrade runs isolated only is asked anyway: freqtrade's
    # own refusal is the answer.
    call = build_call(read_case(case_input), exchange)
    answer = compute(call)
    output: dict[str, Any] = {"liquidation_price": _decimal_or_none(answer.price)}
    if call.market["precision"]["price"] is not None:
        output["liquidation_price_rounded"] = _decimal_or_none(answer.rounded)
    output["freqtrade"] = {
        "exchange": exchange,
        "unbuffered": _decimal_or_none(answer.unbuffered),
        "liquidation_buffer": float_to_decimal(answer.liquidation_buffer),
        "tier_mmr": float_to_decimal(answer.tier_mmr),
        "tier_maintenance_amount": _decimal_or_none(answer.tier_maintenance_amount),
        "taker_fee_rate": float_to_decimal(answer.taker_fee_rate),
        "tier_lookup": "stake",
        "tier_lookup_value": float_to_decimal(call.arguments["stake_amount"]),
        "unread": list(call.unread),
    }
    return output


UNSUPPORTED_OPS = {
    "liquidation_settlement": "freqtrade does not compute a liquidation settlement",
    "adl_rank": "freqtrade does not compute an ADL ranking",
    "adl_allocate": "freqtrade does not compute an ADL allocation",
    "socialized_loss": "freqtrade does not compute a socialized loss",
    "replay": "freqtrade does not replay an exchange's event stream",
    # both are read from the exchange (funding rate history, mark price candles), never derived
    "funding_rate": "freqtrade does not compute a funding rate (it reads the exchange's)",
    "mark_price": "freqtrade does not compute a mark price (it reads the exchange's)",
}


def answer_line(line: str, exchange: str, compute: Compute) -> dict[str, Any]:
    """The protocol answer to one case line."""
    try:
        case = json.loads(line)
    except ValueError as error:
        return {"id": None, "error": f"invalid JSON: {error}"}
    if not isinstance(case, dict):
        return {"id": None, "error": "expected a JSON object"}
    case_id = case.get("id")
    op = case.get("op")
    if op in UNSUPPORTED_OPS:
        return {"id": case_id, "error": UNSUPPORTED_OPS[str(op)]}
    if op != "position_prices":
        return {"id": case_id, "error": f"unknown op {op!r}"}
    case_input = case.get("input")
    if not isinstance(case_input, dict):
        return {"id": case_id, "error": "input: missing or not an object"}
    try:
        return {"id": case_id, "output": answer_position_prices(case_input, exchange, compute)}
    except CaseError as error:
        return {"id": case_id, "error": str(error)}
    except Exception as error:
        # freqtrade's own refusal (OperationalException, a division by zero...) is an answer
        return {"id": case_id, "error": f"freqtrade: {type(error).__name__}: {error}"}


class FreqtradeBackend:
    """freqtrade's exchange classes, built as freqtrade builds them, loaded offline per case."""

    def __init__(self, exchange: str, liquidation_buffer: float | None) -> None:
        self.exchange = exchange
        self.liquidation_buffer = liquidation_buffer
        self._instances: dict[str, Any] = {}
        self._call: FreqtradeCall | None = None

    def _instance(self, margin_mode: str) -> Any:
        if margin_mode not in self._instances:
            from freqtrade.enums import RunMode
            from freqtrade.resolvers import ExchangeResolver

            config: dict[str, Any] = {
                "dry_run": True,
                "runmode": RunMode.DRY_RUN,
                "trading_mode": "futures",
                "margin_mode": margin_mode,
                "stake_currency": "USDT",
                "exchange": {"name": self.exchange, "key": "", "secret": "", "enable_ws": False},
            }
            if self.liquidation_buffer is not None:
                config["liquidation_buffer"] = self.liquidation_buffer
            # validate=False: freqtrade's startup validation wants a whole bot configuration
            # (pairlists, timeframe); the markets are loaded below, through reload_markets.
            instance = ExchangeResolver.load_exchange(config, validate=False)
            self._patch_network(instance)
            self._instances[margin_mode] = instance
        return self._instances[margin_mode]

    def _patch_network(self, instance: Any) -> None:
        """Replace freqtrade's network fetches, and nothing else, with the case's data."""
        backend = self

        async def reload_markets_offline(reload: bool = False) -> None:
            call = backend._require_call()
            markets = [call.market]
            if call.other_trade is not None:
                other = dict(call.market)
                other.update(symbol=OTHER_PAIR, id="OTHERUSDT", base="OTHER", baseId="OTHER")
                markets.append(other)
            instance._api_async.set_markets(markets)

        def load_leverage_tiers_offline() -> dict[str, list[dict[str, Any]]]:
            return backend._require_call().leverage_tiers

        def fetch_funding_rates_offline(symbols: list[str] | None = None) -> dict[str, Any]:
            call = backend._require_call()
            rates: dict[str, Any] = {PAIR: {"markPrice": call.arguments["open_rate"]}}
            if call.other_trade is not None:
                rates[OTHER_PAIR] = {"markPrice": call.other_trade.mark_price}
            return rates

        instance._api_reload_markets = reload_markets_offline
        instance.load_leverage_tiers = load_leverage_tiers_offline
        instance.fetch_trading_fees = dict
        instance.fetch_funding_rates = fetch_funding_rates_offline

    def _require_call(self) -> FreqtradeCall:
        if self._call is None:
            raise RuntimeError("no case loaded")
        return self._call

    def _open_trades(self, call: FreqtradeCall) -> list[Any]:
        from freqtrade.persistence import LocalTrade

        arguments = call.arguments
        trades = [
            LocalTrade(
                pair=arguments["pair"],
                open_rate=arguments["open_rate"],
                amount=arguments["amount"],
                stake_amount=arguments["stake_amount"],
                is_short=arguments["is_short"],
                leverage=arguments["leverage"],
                exchange=self.exchange,
                fee_open=0.0,
                fee_close=0.0,
                is_open=True,
            )
        ]
        if call.other_trade is not None:
            other = call.other_trade
            trades.append(
                LocalTrade(
                    pair=other.pair,
                    open_rate=other.open_rate,
                    amount=other.amount,
                    stake_amount=other.stake_amount,
                    is_short=False,
                    leverage=1.0,
                    exchange=self.exchange,
                    fee_open=0.0,
                    fee_close=0.0,
                    is_open=True,
                )
            )
        return trades

    def compute(self, call: FreqtradeCall) -> FreqtradeAnswer:
        """freqtrade's liquidation price for the call, with and without its buffer."""
        margin_mode = call.margin_mode
        instance = self._instance(margin_mode)
        self._call = call
        with contextlib.redirect_stdout(sys.stderr):
            instance._markets = {}
            instance._leverage_tiers = {}
            instance.reload_markets(True, load_leverage_tiers=True)
            market = instance.markets[PAIR]
            taker = market["taker"] or instance._api.describe().get("fees", {}).get(
                "trading", {}
            ).get("taker", 0.001)
            mmr, maintenance_amount = instance.get_maintenance_ratio_and_amt(
                PAIR, call.arguments["stake_amount"]
            )
            open_trades = self._open_trades(call) if margin_mode == "cross" else None
            price = instance.get_liquidation_price(**call.arguments, open_trades=open_trades)
            unbuffered = instance.dry_run_liquidation_price(
                **call.arguments, open_trades=open_trades or []
            )
            rounded = None
            if price is not None and market["precision"]["price"] is not None:
                from freqtrade.exchange import price_to_precision

                # as Trade.set_liquidation_price stores it: the market's tick, ccxt's ROUND
                rounded = price_to_precision(
                    price, market["precision"]["price"], instance.precision_mode_price
                )
        return FreqtradeAnswer(
            price=price,
            unbuffered=unbuffered,
            rounded=rounded,
            tier_mmr=float(mmr),
            tier_maintenance_amount=(
                None if maintenance_amount is None else float(maintenance_amount)
            ),
            taker_fee_rate=float(taker),
            liquidation_buffer=float(instance.liquidation_buffer),
        )


def serve(stdin: TextIO, stdout: TextIO, exchange: str, compute: Compute) -> None:
    """Answer every case line of ``stdin`` on ``stdout``, flushing after each."""
    for line in stdin:
        if line.strip():
            stdout.write(json.dumps(answer_line(line, exchange, compute)) + "\n")
            stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchange", choices=EXCHANGES, required=True)
    parser.add_argument(
        "--liquidation-buffer",
        type=float,
        default=None,
        help="freqtrade's liquidation_buffer setting (default: freqtrade's own, 0.05)",
    )
    args = parser.parse_args(argv)
    # freqtrade logs at startup; the protocol owns stdout, so logs go to stderr, warnings only.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    backend = FreqtradeBackend(args.exchange, args.liquidation_buffer)
    serve(sys.stdin, sys.stdout, args.exchange, backend.compute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
