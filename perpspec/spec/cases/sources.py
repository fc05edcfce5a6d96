"""Where each shipped case comes from: the ``source`` of the cases written before cases named it.

A case source module may set ``"source"`` on a case itself (the invalid and random cases do);
a case without one takes it here, by the prefix of its id. A case whose prefix is not listed
and that names no source is refused by :func:`attach_sources`: no vector ships without one.

The forms (docs/conformance.md, The vectors): ``seed:<NNN> <where>``, ``published:<URL or
document>``, ``derivation:<closed form or theorem>``, ``hand``, ``random:seed=<S>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SOURCE_BY_PREFIX", "attach_sources"]

_HAND = "hand"
_DERIVED = "derivation:sympy solution of the margin-balance equations (perpspec.spec.derivations)"

#: op -> id prefix (up to the first ``-``, or a whole id) -> source.
SOURCE_BY_PREFIX: Mapping[str, Mapping[str, str]] = {
    "position_prices": {
        "seed002": "seed:002 worked example",
        "seed004": "seed:004 worked example",
        "bybit-usdt-isolated-long-entry-basis": (
            "published:https://testnet.bybit.com/en-US/help-center/s/article/"
            "Liquidation-Price-USDT-Contract"
        ),
        "bybit-inverse-isolated-long-entry-basis": (
            "published:Bybit help center, Liquidation Price Calculation under Isolated Mode "
            "(inverse contract)"
        ),
        "bitmex": "published:https://www.bitmex.com/app/isolatedMarginExamples",
        "binance": "published:Binance USDS-M futures liquidation price formula (cross margin)",
        "derived": _DERIVED,
        "hand": _HAND,
        "edge": _HAND,
    },
    "liquidation_settlement": {
        "seed001": "seed:001 worked example",
        "seed004": "seed:004 worked example",
        "dydx": "published:dYdX v4 documentation, liquidation fee on the fill notional",
        "trader": _HAND,
        "walk": _HAND,
        "fee": _HAND,
        "inverse": _HAND,
        "edge": _HAND,
    },
    "adl_rank": {
        "seed001": "seed:001 worked example",
        "seed003": "seed:003 worked example",
        "seed004": "seed:004 Table 2",
        "bitmex": "published:BitMEX documentation, auto-deleveraging ranking example",
        "bitget": "published:Bitget documentation, ADL ranking (ROI x maintenance margin rate)",
        "hyperliquid": "published:Hyperliquid documentation, auto-deleveraging",
        "hand": _HAND,
        "edge": _HAND,
    },
    "adl_allocate": {
        "seed001": "seed:001 worked example",
        "seed002": "seed:002 worked example",
        "seed004": "seed:004 worked example",
        "bitmex": "published:BitMEX documentation, auto-deleveraging example",
        "hyperliquid": "published:Hyperliquid documentation, auto-deleveraging at the mark",
        "hand": _HAND,
        "edge": _HAND,
    },
    "socialized_loss": {
        "seed000": "seed:000 worked example",
        "drift": "published:Drift protocol documentation, socialized loss by open interest",
        "percolator": "published:Percolator documentation, haircut ratio",
        "hand": _HAND,
        "edge": _HAND,
    },
    "replay": {"hand": _HAND, "edge": _HAND},
}


def _prefix_source(op: str, case_id: str) -> str | None:
    table = SOURCE_BY_PREFIX.get(op, {})
    return table.get(case_id) or table.get(case_id.split("-", 1)[0])


def attach_sources(op: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``cases`` with every case's ``source`` set; ``ValueError`` for a case that has none."""
    for case in cases:
        if "source" in case:
            continue
        source = _prefix_source(op, str(case.get("id")))
        if source is None:
            raise ValueError(f"{op}: case {case.get('id')!r} names no source")
        case["source"] = source
    return cases
