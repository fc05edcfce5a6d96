"""Cases of the ``adl_rank`` op: seed 001, seed 004 Table 2, BitMEX's example, hand computations.

Notation in the comments (DESIGN, ADL; :mod:`perpspec.reference.adl.formulas`): linear value
``v(p) = q p`` with signed ``q``; ``PnL% = (v(P) - v(E)) / |v(E)|``; effective leverage
``lev = |v(P)| / (v(P) - v(B))``; ``pnl_times_leverage`` = PnL% x lev if PnL% > 0 else
PnL% / lev. Order: score desc, then size desc, then id; longs listed before shorts. Quantile
``rank / n`` (or the cumulative size share with ``quantile_basis = size``); lights: the first
cut point at or above the quantile, counted 5, 4, 3, 2, else 1. Default cut points: quintiles.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from perpspec.spec.cases.brute import rank_by_definition, text

__all__ = ["RANDOM_SEED", "cases"]

_OP = "adl_rank"

#: The seed of the random cases; changing it changes the vectors (and the spec version's files).
RANDOM_SEED = 1503
SEED001_CUTS = ["0.1", "0.3", "0.5", "0.8", "1"]


def _pos(pid: str, side: str, qty: str, entry: str, mark: str, **extra: str) -> dict[str, str]:
    return {"id": pid, "side": side, "qty": qty, "entry_price": entry, "mark_price": mark, **extra}


def _case(case_id: str, case_input: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "input": case_input, "expected": expected}


def _seed004_cases() -> list[dict[str, Any]]:
    # Seed 004, Table 2: A 250% x 15 = 3750 > B 150% x 20 = 3000 > C 500% x 5 = 2500. Longs at
    # one mark P = 420 realize exactly those figures (cross accounts whose other positions lose,
    # so a bankruptcy price can sit above the entry):
    # A: E = 120: PnL% = 300/120 = 5/2; B_A = 392: lev = 420/28 = 15; score 75/2.
    # B: E = 168: PnL% = 252/168 = 3/2; B_B = 399: lev = 420/21 = 20; score 30.
    # C: E = 70: PnL% = 350/70 = 5; B_C = 336: lev = 420/84 = 5; score 25.
    # Quantiles 1/3, 2/3, 1 -> lights 4 (1/3 <= 0.4), 2 (2/3 <= 0.8), 1.
    positions = [
        _pos("A", "long", "1", "120", "420", bankruptcy_price="392"),
        _pos("B", "long", "1", "168", "420", bankruptcy_price="399"),
        _pos("C", "long", "1", "70", "420", bankruptcy_price="336"),
    ]
    return [
        _case(
            "seed004-table2-order",
            {"formula": "pnl_times_leverage", "positions": positions},
            {
                "order": ["A", "B", "C"],
                "scores": {"A": "37.5", "B": "30", "C": "25"},
                "lights": {"A": "4", "B": "2", "C": "1"},
            },
        )
    ]


def _seed001_book() -> list[dict[str, str]]:
    # Ten shorts at mark 100, entry 210 - 10 r for rank r: short PnL% = (E - 100) / E.
    # r1 E 200: 1/2; r2 190: 9/19; r3 180: 4/9; r4 170: 7/17; r5 160: 3/8; r6 150: 1/3;
    # r7 140: 2/7; r8 130: 3/13; r9 120: 1/6; r10 110: 1/11. Seed 001's users sit at
    # A r1, B r3, C r5, D r8, E r10 with their sizes 100, 200, 50, 150, 400.
    ranks = {"A": 1, "F1": 2, "B": 3, "F2": 4, "C": 5, "F3": 6, "F4": 7, "D": 8, "F5": 9, "E": 10}
    sizes = {"A": "100", "B": "200", "C": "50", "D": "150", "E": "400"}
    return [
        _pos(pid, "short", sizes.get(pid, "10"), str(210 - 10 * rank), "100")
        for pid, rank in ranks.items()
    ]


_SEED001_SCORES = {
    "A": "0.5", "F1": "9/19", "B": "4/9", "F2": "7/17", "C": "0.375",
    "F3": "1/3", "F4": "2/7", "D": "3/13", "F5": "1/6", "E": "1/11",
}  # fmt: skip
_SEED001_ORDER = ["A", "F1", "B", "F2", "C", "F3", "F4", "D", "F5", "E"]


def _seed001_cases() -> list[dict[str, Any]]:
    return [
        # Seed 001: "User A ... top 10%, 5 lights; B top 30%, 4; C top 50%, 3; D top 80%, 2;
        # E top 100%, 1". Quantiles r/10 under cut points 0.1, 0.3, 0.5, 0.8, 1: r1 -> 5;
        # r2, r3 -> 4; r4, r5 -> 3; r6..r8 -> 2; r9, r10 -> 1.
        _case(
            "seed001-indicator-lights",
            {"formula": "profit_ratio", "positions": _seed001_book(), "thresholds": SEED001_CUTS},
            {
                "order": _SEED001_ORDER,
                "scores": _SEED001_SCORES,
                "lights": {
                    "A": "5",
                    "F1": "4",
                    "B": "4",
                    "F2": "3",
                    "C": "3",
                    "F3": "2",
                    "F4": "2",
                    "D": "2",
                    "F5": "1",
                    "E": "1",
                },
            },
        ),
        # The same book with four cut points 0.25, 0.5, 0.75, 0.9: r1, r2 -> 5; r3..r5 -> 4;
        # r6, r7 -> 3; r8, r9 -> 2; r10 above every cut point -> 1.
        _case(
            "hand-four-cut-points",
            {
                "formula": "profit_ratio",
                "positions": _seed001_book(),
                "thresholds": ["0.25", "0.5", "0.75", "0.9"],
            },
            {
                "order": _SEED001_ORDER,
                "lights": {
                    "A": "5",
                    "F1": "5",
                    "B": "4",
                    "F2": "4",
                    "C": "4",
                    "F3": "3",
                    "F4": "3",
                    "D": "2",
                    "F5": "2",
                    "E": "1",
                },
            },
        ),
    ]


def _bitmex_book() -> list[dict[str, str]]:
    # BitMEX's example book: six longs, quantities 10, 10, 20, 30, 20, 10 for accounts 1..6 and
    # "PNL Ranking" 3, 6, 1, 4, 5, 2. Isolated longs at E 100, P 102 (PnL% 1/50) with bankruptcy
    # B = 100 - 100/L for initial leverage L give lev = 102 / (102 - B):
    # acct 2: L 50, B 98: lev 51/2, score 51/100; acct 5: L 25, B 96: lev 17, score 17/50;
    # acct 4: L 20, B 95: lev 102/7, score 51/175; acct 1: L 10, B 90: lev 17/2, score 17/100;
    # acct 6: L 5, B 80: lev 51/11, score 51/550; acct 3: L 2, B 50: lev 51/26, score 51/1300.
    spec = {"1": ("10", "90"), "2": ("10", "98"), "3": ("20", "50"),
            "4": ("30", "95"), "5": ("20", "96"), "6": ("10", "80")}  # fmt: skip
    return [
        _pos(acct, "long", qty, "100", "102", bankruptcy_price=bankrupt)
        for acct, (qty, bankrupt) in spec.items()
    ]


_BITMEX_SCORES = {
    "2": "0.51",
    "5": "0.34",
    "4": "51/175",
    "1": "0.17",
    "6": "51/550",
    "3": "51/1300",
}


def _bitmex_cases() -> list[dict[str, Any]]:
    return [
        # BitMEX's percentiles 20%, 40%, 60%, 80%, 80%, 100% for accounts 2, 5, 4, 1, 6, 3 are
        # cumulative size shares 10/100, 30/100, 60/100, 70/100, 80/100, 100/100 in 20% steps:
        # lights 5, 4, 3, 2, 2, 1 under quintiles.
        _case(
            "bitmex-example-size-quantiles",
            {
                "formula": "pnl_times_leverage",
                "positions": _bitmex_book(),
                "quantile_basis": "size",
            },
            {
                "order": ["2", "5", "4", "1", "6", "3"],
                "scores": _BITMEX_SCORES,
                "lights": {"2": "5", "5": "4", "4": "3", "1": "2", "6": "2", "3": "1"},
            },
        ),
        # Same book, rank basis: quantiles 1/6, 1/3, 1/2, 2/3, 5/6, 1 -> lights 5, 4, 3, 2, 1, 1
        # (5/6 > 0.8): account 6 differs from the size basis.
        _case(
            "hand-bitmex-book-rank-quantiles",
            {"formula": "pnl_times_leverage", "positions": _bitmex_book()},
            {
                "order": ["2", "5", "4", "1", "6", "3"],
                "lights": {"2": "5", "5": "4", "4": "3", "1": "2", "6": "1", "3": "1"},
            },
        ),
    ]


def _hand_cases() -> list[dict[str, Any]]:
    return [
        # pnl_times_leverage on both sides, losses included.
        # L1 long E 100 P 110 B 90: PnL% 1/10, lev 110/20 = 11/2, score 11/20.
        # L2 long E 100 P 80 B 50: PnL% -1/5, lev 80/30 = 8/3, score -1/5 / 8/3 = -3/40.
        # S1 short 2 E 100 P 80 B 96: v(P) = -160, v(E) = -200, v(B) = -192: PnL% 40/200 = 1/5,
        #   lev 160/32 = 5, score 1.
        # S2 short 1 E 100 P 105 B 110: PnL% (-105 + 100)/100 = -1/20, lev 105/5 = 21,
        #   score -1/420. Each side has two: quantiles 1/2 -> 3 lights, 1 -> 1.
        _case(
            "hand-pnl-times-leverage-both-sides",
            {
                "formula": "pnl_times_leverage",
                "positions": [
                    _pos("L1", "long", "1", "100", "110", bankruptcy_price="90"),
                    _pos("L2", "long", "1", "100", "80", bankruptcy_price="50"),
                    _pos("S1", "short", "2", "100", "80", bankruptcy_price="96"),
                    _pos("S2", "short", "1", "100", "105", bankruptcy_price="110"),
                ],
            },
            {
                "order": ["L1", "L2", "S1", "S2"],
                "scores": {"L1": "0.55", "L2": "-0.075", "S1": "1", "S2": "-1/420"},
                "lights": {"L1": "3", "L2": "1", "S1": "3", "S2": "1"},
            },
        ),
        # Ties: profit_ratio W 20/100 = 1/5; X, Y, Z all 1/10. Y and Z hold 7, X holds 5, so
        # Y and Z come before X, and Y before Z by id. Quantiles 1/4, 1/2, 3/4, 1 -> 4, 3, 2, 1.
        _case(
            "hand-ties-size-then-id",
            {
                "formula": "profit_ratio",
                "positions": [
                    _pos("X", "long", "5", "100", "110"),
                    _pos("Z", "long", "7", "200", "220"),
                    _pos("Y", "long", "7", "100", "110"),
                    _pos("W", "long", "1", "100", "120"),
                ],
            },
            {
                "order": ["W", "Y", "Z", "X"],
                "scores": {"W": "0.2", "X": "0.1", "Y": "0.1", "Z": "0.1"},
                "lights": {"W": "4", "Y": "3", "Z": "2", "X": "1"},
            },
        ),
        # Seed 003's formulas (leverage_pnl_margin_ratio):
        # P1 long 2 E 100 P 150: uPnL 100; wallet 400: PnL% 100/400 = 1/4; margin ratio
        #   30/(400 + 100) = 3/50; score 3/200.
        # P2 long 1 E 100 P 90: uPnL -10: PnL% max(0, -10)/50 = 0; score 0.
        # P3 long 1 E 10 P 12: uPnL 2; wallet 1/2 -> max(1, 1/2) = 1: PnL% 2; ratio
        #   (1/2)/(1/2 + 2) = 1/5; score 2/5.
        # P4 long 1 E 10 P 13: uPnL 3; wallet -5: wallet + uPnL = -2 <= 0 -> ratio 0; score 0.
        # Order P3, P1, then P2 and P4 tie at 0 with equal size: by id. Lights 4, 3, 2, 1.
        _case(
            "seed003-leverage-pnl-margin-ratio",
            {
                "formula": "leverage_pnl_margin_ratio",
                "positions": [
                    _pos(
                        "P1",
                        "long",
                        "2",
                        "100",
                        "150",
                        wallet_balance="400",
                        maintenance_margin="30",
                    ),
                    _pos(
                        "P2", "long", "1", "100", "90", wallet_balance="50", maintenance_margin="5"
                    ),
                    _pos(
                        "P3",
                        "long",
                        "1",
                        "10",
                        "12",
                        wallet_balance="0.5",
                        maintenance_margin="0.5",
                    ),
                    _pos(
                        "P4", "long", "1", "10", "13", wallet_balance="-5", maintenance_margin="1"
                    ),
                ],
            },
            {
                "order": ["P3", "P1", "P2", "P4"],
                "scores": {"P1": "0.015", "P2": "0", "P3": "0.4", "P4": "0"},
                "lights": {"P3": "4", "P1": "3", "P2": "2", "P4": "1"},
            },
        ),
        # Bitget's roi_times_mmr, rate = MM / account value:
        # G1 long E 100 P 110: ROI 1/10; rate 20/400 = 1/20; score 1/200.
        # G2 short 2 E 100 P 90: ROI (-180 + 200)/200 = 1/10; rate 50/250 = 1/5; score 1/50.
        # G3 long E 100 P 95: ROI -1/20; rate 10/100 = 1/10; score -1/20 / 1/10 = -1/2.
        # G4 long 3 E 100 P 100: ROI 0; score 0 x 1/10 = 0.
        # Longs G1, G4, G3 (quantiles 1/3, 2/3, 1 -> 4, 2, 1); the one short G2 -> 1 light.
        _case(
            "bitget-roi-times-mmr",
            {
                "formula": "roi_times_mmr",
                "positions": [
                    _pos(
                        "G1",
                        "long",
                        "1",
                        "100",
                        "110",
                        maintenance_margin="20",
                        account_value="400",
                    ),
                    _pos(
                        "G2",
                        "short",
                        "2",
                        "100",
                        "90",
                        maintenance_margin="50",
                        account_value="250",
                    ),
                    _pos(
                        "G3", "long", "1", "100", "95", maintenance_margin="10", account_value="100"
                    ),
                    _pos(
                        "G4", "long", "3", "100", "100", maintenance_margin="1", account_value="10"
                    ),
                ],
            },
            {
                "order": ["G1", "G4", "G3", "G2"],
                "scores": {"G1": "0.005", "G2": "0.02", "G3": "-0.5", "G4": "0"},
                "lights": {"G1": "4", "G4": "2", "G3": "1", "G2": "1"},
            },
        ),
        # Hyperliquid's (mark/entry) x (notional/account value), entry/mark for shorts:
        # H1 long 2 E 50 P 60: 6/5 x 120/300 = 12/25. H2 long 1 E 60 P 60: 1 x 60/30 = 2.
        # H3 short 4 E 75 P 60: 5/4 x 240/480 = 5/8. H4 short 1 E 50 P 60: 5/6 x 60/120 = 5/12.
        # Two a side: lights 3, 1.
        _case(
            "hyperliquid-mark-entry-notional",
            {
                "formula": "mark_entry_notional",
                "positions": [
                    _pos("H1", "long", "2", "50", "60", account_value="300"),
                    _pos("H2", "long", "1", "60", "60", account_value="30"),
                    _pos("H3", "short", "4", "75", "60", account_value="480"),
                    _pos("H4", "short", "1", "50", "60", account_value="120"),
                ],
            },
            {
                "order": ["H2", "H1", "H3", "H4"],
                "scores": {"H1": "0.48", "H2": "2", "H3": "0.625", "H4": "5/12"},
                "lights": {"H2": "3", "H1": "1", "H3": "3", "H4": "1"},
            },
        ),
        # Inverse contracts, v(p) = -q V / p with V = 1:
        # I1 long 100 E 20000 P 25000: v(E) = -1/200, v(P) = -1/250: PnL% (1/1000)/(1/200) = 1/5.
        # I2 short 100 E 25000 P 20000: v(E) = 1/250, v(P) = 1/200: PnL% (1/1000)/(1/250) = 1/4.
        _case(
            "hand-profit-ratio-inverse",
            {
                "formula": "profit_ratio",
                "positions": [
                    _pos("I1", "long", "100", "20000", "25000", kind="inverse"),
                    _pos("I2", "short", "100", "25000", "20000", kind="inverse"),
                ],
            },
            {
                "order": ["I1", "I2"],
                "scores": {"I1": "0.2", "I2": "0.25"},
                "lights": {"I1": "1", "I2": "1"},
            },
        ),
    ]


def _edge_cases() -> list[dict[str, Any]]:
    """Quantiles exactly at a cut point and a hair above, empty sides, one lot, tiny prices."""
    # Five longs with profit ratios 5/10 .. 1/10 (entry 100, marks 150 .. 110).
    five = [_pos(f"L{k}", "long", "1", "100", str(100 + 10 * k)) for k in range(1, 6)]
    return [
        # Rank quantiles 1/5, 2/5, 3/5, 4/5, 1 each exactly at a quintile cut point ("at or
        # below" lights the higher count): 5, 4, 3, 2, 1.
        _case(
            "edge-rank-quantile-exactly-at-cut",
            {"formula": "profit_ratio", "positions": five},
            {
                "order": ["L5", "L4", "L3", "L2", "L1"],
                "scores": {"L5": "0.5", "L4": "0.4", "L3": "0.3", "L2": "0.2", "L1": "0.1"},
                "lights": {"L5": "5", "L4": "4", "L3": "3", "L2": "2", "L1": "1"},
            },
        ),
        # Size basis, cumulative shares exactly 1/5, 2/5, 4/5, 1 (sizes 1, 1, 2, 1 of 5):
        # lights 5, 4, 2, 1.
        _case(
            "edge-size-quantile-exactly-at-cut",
            {
                "formula": "profit_ratio",
                "quantile_basis": "size",
                "positions": [
                    _pos("A", "short", "1", "100", "60"),
                    _pos("B", "short", "1", "100", "70"),
                    _pos("C", "short", "2", "100", "80"),
                    _pos("D", "short", "1", "100", "90"),
                ],
            },
            {
                "order": ["A", "B", "C", "D"],
                "scores": {"A": "0.4", "B": "0.3", "C": "0.2", "D": "0.1"},
                "lights": {"A": "5", "B": "4", "C": "2", "D": "1"},
            },
        ),
        # A hair above a cut point: sizes 1.000001 and 3.999999 (total 5): the first's share
        # 0.2000002 > 0.2 lights 4, not 5; the second's share 1 lights 1.
        _case(
            "edge-size-quantile-a-hair-above-cut",
            {
                "formula": "profit_ratio",
                "quantile_basis": "size",
                "positions": [
                    _pos("A", "long", "1.000001", "100", "120"),
                    _pos("B", "long", "3.999999", "100", "110"),
                ],
            },
            {
                "order": ["A", "B"],
                "scores": {"A": "0.2", "B": "0.1"},
                "lights": {"A": "4", "B": "1"},
            },
        ),
        # No positions: empty order, scores and lights.
        _case(
            "edge-no-positions",
            {"formula": "pnl_times_leverage", "positions": []},
            {"order": [], "scores": {}, "lights": {}},
        ),
        # One lot on one side only: short 0.001 E 100 P 90 B 105: v(P) = -0.09, v(E) = -0.1,
        # v(B) = -0.105: PnL% 0.01/0.1 = 1/10, lev 0.09/0.015 = 6, score 3/5; alone on its
        # side, quantile 1: 1 light.
        _case(
            "edge-one-lot-one-side",
            {
                "formula": "pnl_times_leverage",
                "positions": [_pos("S", "short", "0.001", "100", "90", bankruptcy_price="105")],
            },
            {"order": ["S"], "scores": {"S": "0.6"}, "lights": {"S": "1"}},
        ),
        # Prices near zero: long E 10^-8 P 3 x 10^-8: PnL% 2; short E 4 x 10^-8 P 10^-8:
        # PnL% (4 - 1)/4 = 3/4.
        _case(
            "edge-prices-near-zero",
            {
                "formula": "profit_ratio",
                "positions": [
                    _pos("L", "long", "100000000", "0.00000001", "0.00000003"),
                    _pos("S", "short", "100000000", "0.00000004", "0.00000001"),
                ],
            },
            {
                "order": ["L", "S"],
                "scores": {"L": "2", "S": "0.75"},
                "lights": {"L": "1", "S": "1"},
            },
        ),
        # A zero PnL scores 0 whatever the leverage: long E 100 P 100 B 50 (lev 2) and long
        # E 100 P 100 B 99 (lev 100) tie at 0; the larger (B2, 3) first.
        _case(
            "edge-zero-pnl-scores-zero",
            {
                "formula": "pnl_times_leverage",
                "positions": [
                    _pos("B1", "long", "1", "100", "100", bankruptcy_price="50"),
                    _pos("B2", "long", "3", "100", "100", bankruptcy_price="99"),
                ],
            },
            {
                "order": ["B2", "B1"],
                "scores": {"B1": "0", "B2": "0"},
                "lights": {"B2": "3", "B1": "1"},
            },
        ),
    ]


_RANDOM_CUTS = (None, ["0.1", "0.3", "0.5", "0.8", "1"], ["0.25", "0.5", "0.75", "0.9"])


def _random_position(rng: random.Random, formula: str, index: int) -> dict[str, str]:
    """A position on a coarse price grid, so scores and sizes tie now and then, with the
    fields its formula needs (each kept where the formula's divisions are defined)."""
    side = rng.choice(("long", "short"))
    entry, mark = rng.choice((100, 200, 250, 400)), rng.choice((100, 150, 200, 300, 400))
    extra: dict[str, str] = {}
    if rng.random() < 0.25:
        extra["kind"] = "inverse"
    if rng.random() < 0.25:
        extra["multiplier"] = rng.choice(("0.01", "10"))
    if formula == "pnl_times_leverage":
        # Strictly on the safe side of the mark: below it for a long, above for a short.
        cushion = Fraction(rng.randint(1, 60), 100)
        bankruptcy = mark * (1 - cushion) if side == "long" else mark * (1 + cushion)
        extra["bankruptcy_price"] = text(bankruptcy)
    elif formula == "leverage_pnl_margin_ratio":
        extra["wallet_balance"] = text(Fraction(rng.randint(-200, 2000), rng.choice((1, 4))))
        extra["maintenance_margin"] = str(rng.randint(1, 50))
        if rng.random() < 0.3:
            extra["unrealized_pnl"] = str(rng.randint(-300, 300))
    elif formula == "roi_times_mmr":
        extra["maintenance_margin"] = str(rng.randint(1, 50))
        extra["account_value"] = str(rng.randint(50, 2000))
    elif formula == "mark_entry_notional":
        extra["account_value"] = str(rng.randint(50, 2000))
    qty = text(Fraction(rng.randint(1, 5), rng.choice((1, 1000))))
    return _pos(f"P{index}", side, qty, str(entry), str(mark), **extra)


_RANDOM_FORMULAS = (
    "profit_ratio",
    "pnl_times_leverage",
    "leverage_pnl_margin_ratio",
    "roi_times_mmr",
    "mark_entry_notional",
)


def _random_input(rng: random.Random) -> dict[str, Any]:
    formula = rng.choice(_RANDOM_FORMULAS)
    case_input: dict[str, Any] = {
        "formula": formula,
        "positions": [_random_position(rng, formula, index) for index in range(rng.randint(1, 9))],
    }
    cuts = rng.choice(_RANDOM_CUTS)
    if cuts is not None:
        case_input["thresholds"] = cuts
    if rng.random() < 0.4:
        case_input["quantile_basis"] = rng.choice(("rank", "size"))
    return case_input


def _random_cases(count: int = 20) -> list[dict[str, Any]]:
    """Seeded random books, expected by scoring each position from its definition and sorting
    by the stated keys (:mod:`.brute`)."""
    rng = random.Random(RANDOM_SEED)
    built = []
    for index in range(count):
        case_input = _random_input(rng)
        case = _case(f"random-rank-{index:02d}", case_input, rank_by_definition(case_input))
        case["source"] = (
            f"random:seed={RANDOM_SEED} (expected: brute-force scores from the definitions, "
            "sorted by score, size, id; perpspec.spec.cases.brute)"
        )
        built.append(case)
    return built


def cases() -> list[dict[str, Any]]:
    """Every ``adl_rank`` case: seeds first, then published examples, then hand computations."""
    return (
        _seed004_cases()
        + _seed001_cases()
        + _bitmex_cases()
        + _hand_cases()
        + _edge_cases()
        + _random_cases()
    )
