"""ccxt's own liquidation-price computations behind the perpspec conformance protocol.

ccxt mostly parses the liquidation price an exchange returns. Two places compute one
(ccxt 4.5.90, the Python package):

- ``binance.py`` ``parse_account_position`` (``fetch_account_positions``: Binance's account
  endpoint returns positions without a liquidation price): from the wallet, the position
  and the maintenance rate of the leverage bracket its notional falls in
  (``options['leverageBrackets']``), in ``Precise`` decimal-string arithmetic, for USDⓈ-M
  (linear) and COIN-M (inverse) contracts, then rounded half up to the market's price
  precision; a negative result is ``None``. The bracket's maintenance amount (``cum``) is
  not used, nor any other position of a cross wallet. ``aster.py`` carries the same code.
- ``bitget.py`` ``parse_position``: when Bitget omits the price of an isolated position,
  ccxt derives one with the taker fee; that path needs Bitget's own position fields and is
  not asked here.

This program asks the first with ``--exchange binance``: per case it builds the market
(``CASE/USDT:USDT`` linear or ``CASE/USD:CASE`` inverse, ``contractSize`` = the multiplier,
price precision 1e-18, the 18 decimals ``Precise.string_div`` keeps, so the rounding
hides nothing its arithmetic has, even for prices near 1e-8), the brackets
(``[floor, mmr]`` strings) and one position as Binance's account endpoint reports it at
entry (``positionAmt`` = qty x multiplier for linear, qty for inverse; ``notional`` /
``notionalValue`` = the signed value at the entry price; ``isolatedWallet`` or
``crossWalletBalance`` = the balance; no unrealized PnL), calls ``parse_account_position``
offline, and answers its ``liquidationPrice`` (a float: ``repr`` digits, as the freqtrade
adapter). With a ``tick_size`` it asks again with the tick as the precision and answers
that as ``liquidation_price_rounded``. Case reading is the freqtrade adapter's (strict);
every other op, and the bankruptcy price, are not computed by ccxt.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, TextIO

from perpspec_freqtrade import (
    UNSUPPORTED_OPS,
    CaseError,
    PositionCase,
    float_to_decimal,
    read_case,
)

LINEAR = ("CASE/USDT:USDT", "CASEUSDT")
INVERSE = ("CASE/USD:CASE", "CASEUSD_PERP")
# ccxt rounds its result to the market's price precision. Its divisions keep 18 decimals
# (``Precise.string_div``), so a precision of 1e-18 hides nothing they have; 1e-12 did,
# at prices near 1e-8 (five significant digits left).
FINE_PRECISION = "1e-18"


def decimal_string(value: Fraction) -> str:
    """An exact rational as the decimal string ``Precise`` reads: exact when it terminates,
    else 40 significant digits (ccxt's arithmetic is decimal, so a ``p/q`` cannot be
    handed over exactly)."""
    with localcontext() as context:
        context.prec = 40
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def build_market(case: PositionCase, precision: str) -> dict[str, Any]:
    """A ccxt swap market for the case, as ``load_markets`` would leave it."""
    inverse = case.kind == "inverse"
    symbol, market_id = INVERSE if inverse else LINEAR
    quote = "USD" if inverse else "USDT"
    settle = "CASE" if inverse else "USDT"
    return {
        "id": market_id,
        "symbol": symbol,
        "base": "CASE",
        "quote": quote,
        "settle": settle,
        "baseId": "CASE",
        "quoteId": quote,
        "settleId": settle,
        "type": "swap",
        "spot": False,
        "margin": False,
        "swap": True,
        "future": False,
        "option": False,
        "contract": True,
        "linear": not inverse,
        "inverse": inverse,
        "active": True,
        "contractSize": float(case.multiplier),
        "precision": {"amount": None, "price": float(precision)},
        "limits": {},
        "info": {},
    }


def build_brackets(case: PositionCase) -> list[list[str]]:
    """``options['leverageBrackets'][symbol]`` as ``load_leverage_brackets`` stores it:
    ``[notionalFloor, maintMarginRatio]`` strings (no maintenance amount: ccxt keeps none)."""
    return [[decimal_string(tier.floor), decimal_string(tier.mmr)] for tier in case.tiers]


def build_position(case: PositionCase) -> dict[str, Any]:
    """One position as Binance's account endpoint reports it, at the entry price."""
    sign = 1 if case.side == "long" else -1
    inverse = case.kind == "inverse"
    amount = case.qty if inverse else case.qty * case.multiplier
    value = case.qty * case.multiplier / case.entry_price if inverse else amount * case.entry_price
    balance = decimal_string(case.balance)
    position: dict[str, Any] = {
        "symbol": INVERSE[1] if inverse else LINEAR[1],
        "initialMargin": balance,
        "maintMargin": "0",
        "unrealizedProfit": "0",
        "leverage": "1",
        "entryPrice": decimal_string(case.entry_price),
        "positionAmt": decimal_string(sign * amount),
        "isolated": case.mode == "isolated",
        "isolatedWallet": balance if case.mode == "isolated" else "0",
        "crossWalletBalance": balance,
        "crossMargin": balance,
        "positionSide": "BOTH",
        "updateTime": 1,
    }
    position["notionalValue" if inverse else "notional"] = decimal_string(sign * value)
    return position


def unread_fields(case: PositionCase) -> list[str]:
    """The case fields ``parse_account_position`` has no place for."""
    unread = []
    if case.maintenance_basis is not None:
        unread.append("input.instrument.maintenance_basis")
    if case.close_fee_rate is not None:
        unread.append("input.close_fee_rate")
    if any(tier.maintenance_amount != 0 for tier in case.tiers):
        unread.append("input.instrument.tiers[].maintenance_amount")
    if case.other_maintenance_margin != 0 or case.other_unrealized_pnl != 0:
        unread.append("input.margin.other_*")
    return unread


class CcxtBinance:
    """``ccxt.binance`` with the case's market and brackets, no network."""

    def __init__(self) -> None:
        import ccxt

        self.api = ccxt.binance()

    def parse(self, case: PositionCase, precision: str) -> dict[str, Any]:
        market = build_market(case, precision)
        self.api.set_markets([market])
        self.api.options["leverageBrackets"] = {market["symbol"]: build_brackets(case)}
        with contextlib.redirect_stdout(sys.stderr):
            result: dict[str, Any] = self.api.parse_account_position(
                build_position(case), self.api.market(market["symbol"])
            )
        return result


def answer_position_prices(case_input: Mapping[str, Any], api: CcxtBinance) -> dict[str, Any]:
    """The output for one ``position_prices`` case, ccxt being ``api``."""
    case = read_case(case_input)
    parsed = api.parse(case, FINE_PRECISION)
    price = parsed["liquidationPrice"]
    output: dict[str, Any] = {
        "liquidation_price": None if price is None else float_to_decimal(float(price))
    }
    if case.tick_size is not None:
        rounded = api.parse(case, decimal_string(case.tick_size))["liquidationPrice"]
        output["liquidation_price_rounded"] = (
            None if rounded is None else float_to_decimal(float(rounded))
        )
    mmp = parsed["maintenanceMarginPercentage"]
    output["ccxt"] = {
        "exchange": "binance",
        "unbuffered": output["liquidation_price"],
        "liquidation_buffer": "0",
        "tier_mmr": "0" if mmp is None else float_to_decimal(float(mmp)),
        "tier_maintenance_amount": "0",
        "taker_fee_rate": "0",
        "tier_lookup": "notional at the entry price",
        # ccxt compares the absolute notional with the brackets' floors
        "tier_lookup_value": build_position(case)[
            "notionalValue" if case.kind == "inverse" else "notional"
        ].lstrip("-"),
        "unread": unread_fields(case),
    }
    return output


def answer_line(line: str, api: CcxtBinance) -> dict[str, Any]:
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
        return {"id": case_id, "error": UNSUPPORTED_OPS[str(op)].replace("freqtrade", "ccxt")}
    if op != "position_prices":
        return {"id": case_id, "error": f"unknown op {op!r}"}
    case_input = case.get("input")
    if not isinstance(case_input, dict):
        return {"id": case_id, "error": "input: missing or not an object"}
    try:
        return {"id": case_id, "output": answer_position_prices(case_input, api)}
    except CaseError as error:
        return {"id": case_id, "error": str(error)}
    except Exception as error:
        # ccxt's own failure (a division by zero in Precise...) is an answer
        return {"id": case_id, "error": f"ccxt: {type(error).__name__}: {error}"}


def serve(stdin: TextIO, stdout: TextIO, api: CcxtBinance) -> None:
    """Answer every case line of ``stdin`` on ``stdout``, flushing after each."""
    for line in stdin:
        if line.strip():
            stdout.write(json.dumps(answer_line(line, api)) + "\n")
            stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchange", choices=("binance",), default="binance")
    parser.parse_args(argv)
    serve(sys.stdin, sys.stdout, CcxtBinance())
    return 0


if __name__ == "__main__":
    sys.exit(main())
