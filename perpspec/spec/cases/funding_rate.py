"""Cases of the ``funding_rate`` op: the exchanges' published examples, and by hand.

Rules ``mark.funding-premium``, ``mark.funding-clamp``, ``mark.funding-rate`` and
``engine.funding`` (:mod:`perpspec.reference.mark.funding_rate`): P = (max(0, impact bid -
index) - max(0, index - impact ask)) / index, averaged over the interval (weights 1..n, or
equal); F = P + clamp(I - P, -0.05%, +0.05%) (P + I without a dampener), times ``scale``,
within [floor, cap]; a position pays -q x value of one contract at the mark x F.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cases"]

_OP = "funding_rate"
_HAND = "hand"
_BITMEX_SUPPORT = (
    "published:https://support.bitmex.com/hc/en-gb/articles/24430352016157-Why-is-the-Funding-"
    "Rate-for-a-contract-higher-or-lower-than-I-expect (ONDOUSDT example)"
)
_BITMEX_GUIDE = (
    "published:https://www.bitmex.com/app/perpetualContractsGuideExamples (Long XBTUSD "
    "Perpetual Contract Example, Day 1, 12:00 UTC)"
)
_BYBIT = (
    "published:https://help.bybit.com/hc/en-us/articles/360039261114-What-is-funding-rate-and-"
    "predicted-rate- (interest rate example); the premium 0.03% by hand"
)
_KRAKEN = (
    "published:https://support.kraken.com/hc/en-us/articles/360022835911-Inverse-Crypto-"
    "Collateral-Perpetual-Contract-Specifications (Example Funding Rate 2: maximum rate)"
)
_CLAMP = "derivation:theorem funding-rate-interest-band (perpspec.spec.mark_theorems)"
_BOUNDS = "derivation:theorem funding-rate-bounds (perpspec.spec.mark_theorems)"


def _case(
    case_id: str, source: str, case_input: dict[str, Any], expected: dict[str, Any]
) -> dict[str, Any]:
    return {"id": case_id, "op": _OP, "source": source, "input": case_input, "expected": expected}


def _published_cases() -> list[dict[str, Any]]:
    return [
        # BitMEX ONDOUSDT: the previous window's 8-hour premium index -0.00184 and the fixed
        # interest 0.01%: F = -0.00184 + clamp(I - P, -0.0005, 0.0005) = -0.00184 + 0.0005
        # = -0.00134, the rate the page shows. (The page writes I - P as 0.00185; 0.0001 +
        # 0.00184 is 0.00194. Either clamps to 0.0005, so F is the same.)
        _case(
            "bitmex-ondousdt-clamped",
            _BITMEX_SUPPORT,
            {"premium_index": "-0.00184", "interest_rate": "0.0001"},
            {"premium_index": "-0.00184", "interest_rate": "0.0001", "funding_rate": "-0.00134"},
        ),
        # BitMEX guide: quote rate 1.00% a day, base 0.25% a day: I = (1.00% - 0.25%) / 3
        # = 0.25%. The example sets the premium aside ("do not consider Premium") and pays the
        # interest as the rate, so no dampener: F = 0 + 0.25%. The long of 15,000 XBTUSD
        # (1 USD each, inverse) at 750 is worth 15000 x 1 / 750 = 20 XBT and pays
        # 20 x 0.25% = 0.05 XBT.
        _case(
            "bitmex-guide-interest-and-payment",
            _BITMEX_GUIDE,
            {
                "premium_index": "0",
                "interest_quote_rate": "0.01",
                "interest_base_rate": "0.0025",
                "clamp_bound": "none",
                "position": {
                    "side": "long",
                    "qty": "15000",
                    "kind": "inverse",
                    "multiplier": "1",
                    "mark_price": "750",
                },
            },
            {"interest_rate": "0.0025", "funding_rate": "0.0025", "payment": "-0.05"},
        ),
        # Bybit: I = (0.06% - 0.03%) / 3 = 0.01%. With P = 0.03%, |I - P| = 0.02% <= 0.05%,
        # so "F = P + (I - P) = I" = 0.01%.
        _case(
            "bybit-interest-in-band",
            _BYBIT,
            {
                "premium_index": "0.0003",
                "interest_quote_rate": "0.0006",
                "interest_base_rate": "0.0003",
            },
            {"interest_rate": "0.0001", "funding_rate": "0.0001"},
        ),
        # Kraken: index 7,000, the perpetual at 7,500 the whole hour: premium 500/7000
        # = 1/14 (7.142%); realised over 24 hours, 1/14 / 24 = 1/336 (0.2976% an hour),
        # above the 0.25% maximum: capped to 0.25%. No interest, no dampener.
        _case(
            "kraken-maximum-rate",
            _KRAKEN,
            {
                "samples": [{"impact_bid": "7500", "impact_ask": "7500", "index": "7000"}],
                "averaging": "mean",
                "interest_rate": "0",
                "clamp_bound": "none",
                "scale": "1/24",
                "cap": "0.0025",
                "floor": "-0.0025",
            },
            {"premium_index": "1/14", "funding_rate": "0.0025"},
        ),
    ]


_SAMPLES = [
    # Index 100 throughout. Impact bid 100.1 > 100: P = 0.1/100 = 0.001.
    {"impact_bid": "100.1", "impact_ask": "100.2", "index": "100"},
    # Impact ask 99.9 < 100: P = -0.1/100 = -0.001.
    {"impact_bid": "99.8", "impact_ask": "99.9", "index": "100"},
    # Impact bid 100.2: P = 0.002.
    {"impact_bid": "100.2", "impact_ask": "100.3", "index": "100"},
]


def _hand_cases() -> list[dict[str, Any]]:
    return [
        # Weights 1, 2, 3: (0.001 - 0.002 + 0.006) / 6 = 0.005/6 = 1/1200. I - P = 0.0001 -
        # 1/1200 < -0.0005: clamped to -0.0005; F = 1/1200 - 1/2000 = 2/6000 = 1/3000.
        _case(
            "hand-samples-linear-weighted",
            _HAND,
            {"samples": _SAMPLES, "interest_rate": "0.0001"},
            {"premium_index": "1/1200", "funding_rate": "1/3000"},
        ),
        # Equal weights: (0.001 - 0.001 + 0.002) / 3 = 1/1500; I - P < -0.0005 again:
        # F = 1/1500 - 1/2000 = 1/6000.
        _case(
            "hand-samples-mean",
            _HAND,
            {"samples": _SAMPLES, "averaging": "mean", "interest_rate": "0.0001"},
            {"premium_index": "1/1500", "funding_rate": "1/6000"},
        ),
        # The index between the impact prices: P = 0; F = 0 + clamp(0.0001) = 0.0001.
        _case(
            "hand-index-inside-impact-prices",
            _HAND,
            {
                "samples": [{"impact_bid": "99.9", "impact_ask": "100.1", "index": "100"}],
                "interest_rate": "0.0001",
            },
            {"premium_index": "0", "funding_rate": "0.0001"},
        ),
        # Sampled premiums 0.0002, 0.0001 weighted 1, 2: 0.0004/3 = 1/7500; I - P = -1/30000,
        # inside the dampener: F = I.
        _case(
            "hand-premiums-in-band",
            _HAND,
            {"premiums": ["0.0002", "0.0001"], "interest_rate": "0.0001"},
            {"premium_index": "1/7500", "funding_rate": "0.0001"},
        ),
        # P = -1%: I - P = 1.01% clamps to 0.05%, F = -0.95%; the floor -0.75% (Binance's
        # "capped funding rate" of 0.75 x a 1% maintenance rate) applies: -0.0075.
        _case(
            "hand-floor",
            _HAND,
            {
                "premium_index": "-0.01",
                "interest_rate": "0.0001",
                "cap": "0.0075",
                "floor": "-0.0075",
            },
            {"funding_rate": "-0.0075"},
        ),
        # A 4-hour interval under Binance's F = [P + clamp(I - P)] / (8/N), N = 4: scale 1/2;
        # P = 0.03%, I = 0.01%: F = 0.01% / 2 = 0.005%.
        _case(
            "hand-scale-four-hours",
            _HAND,
            {"premium_index": "0.0003", "interest_rate": "0.0001", "scale": "1/2"},
            {"funding_rate": "0.00005"},
        ),
        # A linear short of 2 at mark 100 with F = 0.01%: receives 2 x 100 x 0.0001 = 0.02.
        _case(
            "hand-payment-linear-short",
            _HAND,
            {
                "premium_index": "0.0003",
                "interest_rate": "0.0001",
                "position": {"side": "short", "qty": "2", "mark_price": "100"},
            },
            {"funding_rate": "0.0001", "payment": "0.02"},
        ),
        # Within the dampener the rate is the interest: P = 0.04%, I = 0.01%, |I - P| = 0.03%.
        _case(
            "derived-interest-band",
            _CLAMP,
            {"premium_index": "0.0004", "interest_rate": "0.0001"},
            {"funding_rate": "0.0001"},
        ),
        # Far outside the cap: P = 50%, cap 0.3%: F = 0.3% whatever the dampener did.
        _case(
            "derived-cap",
            _BOUNDS,
            {
                "premium_index": "0.5",
                "interest_rate": "0.0001",
                "cap": "0.003",
                "floor": "-0.003",
            },
            {"funding_rate": "0.003"},
        ),
    ]


def _edge_clamp_cases() -> list[dict[str, Any]]:
    """The dampener's band exactly at either end and a hair beyond; no dampener; a zero one."""
    return [
        # P = -0.04%, I = 0.01%: I - P = 0.0005, exactly +b: inside the band (the clamp is
        # closed), so F = P + (I - P) = I = 0.0001.
        _case(
            "edge-interest-minus-premium-exactly-plus-clamp",
            _HAND,
            {"premium_index": "-0.0004", "interest_rate": "0.0001"},
            {"premium_index": "-0.0004", "interest_rate": "0.0001", "funding_rate": "0.0001"},
        ),
        # P = 0.06%, I = 0.01%: I - P = -0.0005, exactly -b: F = I = 0.0001.
        _case(
            "edge-interest-minus-premium-exactly-minus-clamp",
            _HAND,
            {"premium_index": "0.0006", "interest_rate": "0.0001"},
            {"premium_index": "0.0006", "interest_rate": "0.0001", "funding_rate": "0.0001"},
        ),
        # P = 0.060001%: I - P = -0.00050001, a hair beyond -b: clamped to -0.0005, so
        # F = 0.00060001 - 0.0005 = 0.00010001, no longer I.
        _case(
            "edge-interest-minus-premium-a-hair-beyond-minus-clamp",
            _HAND,
            {"premium_index": "0.00060001", "interest_rate": "0.0001"},
            {"funding_rate": "0.00010001"},
        ),
        # No dampener ("none"): F = P + I = 0.0007 + 0.0001 = 0.0008, though I - P = -0.0006
        # is beyond the default band.
        _case(
            "edge-clamp-none",
            _HAND,
            {"premium_index": "0.0007", "interest_rate": "0.0001", "clamp_bound": "none"},
            {"funding_rate": "0.0008"},
        ),
        # A dampener of 0: clamp(I - P, 0, 0) = 0, so F = P = 0.0007 (the interest takes no
        # part), where "none" above adds it whole.
        _case(
            "edge-clamp-zero",
            _HAND,
            {"premium_index": "0.0007", "interest_rate": "0.0001", "clamp_bound": "0"},
            {"funding_rate": "0.0007"},
        ),
    ]


def _edge_bound_cases() -> list[dict[str, Any]]:
    """The rate exactly at its cap and its floor, and a cap equal to the floor."""
    return [
        # P = 0.33%: I - P = -0.0032 clamps to -0.0005, F = 0.0033 - 0.0005 = 0.0028, exactly
        # the cap 0.28%: it stays 0.0028.
        _case(
            "edge-rate-exactly-at-cap",
            _HAND,
            {
                "premium_index": "0.0033",
                "interest_rate": "0.0001",
                "cap": "0.0028",
                "floor": "-0.0028",
            },
            {"funding_rate": "0.0028"},
        ),
        # P = -0.33%: I - P = 0.0034 clamps to 0.0005, F = -0.0033 + 0.0005 = -0.0028, exactly
        # the floor: it stays -0.0028.
        _case(
            "edge-rate-exactly-at-floor",
            _HAND,
            {
                "premium_index": "-0.0033",
                "interest_rate": "0.0001",
                "cap": "0.0028",
                "floor": "-0.0028",
            },
            {"funding_rate": "-0.0028"},
        ),
        # Cap = floor = 0.0001 (allowed: the floor is not above the cap): P = 1% gives
        # F = 0.01 - 0.0005 = 0.0095, capped to 0.0001, and the floor 0.0001 leaves it.
        _case(
            "edge-cap-equals-floor",
            _HAND,
            {
                "premium_index": "0.01",
                "interest_rate": "0.0001",
                "cap": "0.0001",
                "floor": "0.0001",
            },
            {"funding_rate": "0.0001"},
        ),
    ]


def _edge_premium_cases() -> list[dict[str, Any]]:
    """Impact prices exactly at the index, one sample, equal samples, prices near zero."""
    return [
        # Impact bid exactly at the index 100: max(0, 100 - 100) - max(0, 100 - 100.5) = 0,
        # P = 0; F = 0 + clamp(0.0001 - 0) = 0.0001.
        _case(
            "edge-impact-bid-at-index",
            _HAND,
            {
                "samples": [{"impact_bid": "100", "impact_ask": "100.5", "index": "100"}],
                "interest_rate": "0.0001",
            },
            {"premium_index": "0", "funding_rate": "0.0001"},
        ),
        # Impact ask exactly at the index: max(0, 99.5 - 100) - max(0, 100 - 100) = 0: P = 0.
        _case(
            "edge-impact-ask-at-index",
            _HAND,
            {
                "samples": [{"impact_bid": "99.5", "impact_ask": "100", "index": "100"}],
                "interest_rate": "0.0001",
            },
            {"premium_index": "0", "funding_rate": "0.0001"},
        ),
        # One sample: weight 1 of 1, so P is its premium, (100.07 - 100) / 100 = 0.0007;
        # I - P = -0.0006 clamps to -0.0005: F = 0.0002.
        _case(
            "edge-one-sample",
            _HAND,
            {
                "samples": [{"impact_bid": "100.07", "impact_ask": "100.09", "index": "100"}],
                "interest_rate": "0.0001",
            },
            {"premium_index": "0.0007", "funding_rate": "0.0002"},
        ),
        # Two equal samples under linear weights: (0.0004 x 1 + 0.0004 x 2) / (1 + 2) =
        # 0.0012 / 3 = 0.0004, the sample itself; without a dampener F = 0.0004 + 0.0001.
        _case(
            "edge-linear-weights-two-equal-samples",
            _HAND,
            {
                "premiums": ["0.0004", "0.0004"],
                "interest_rate": "0.0001",
                "clamp_bound": "none",
            },
            {"premium_index": "0.0004", "funding_rate": "0.0005"},
        ),
        # Two equal samples then a third: linear (0.0003 x 1 + 0.0003 x 2 + 0.0006 x 3) / 6 =
        # 0.0027 / 6 = 0.00045 (the mean would be 0.0004); F = 0.00045 + 0.0001 = 0.00055.
        _case(
            "edge-linear-weights-two-equal-then-one",
            _HAND,
            {
                "premiums": ["0.0003", "0.0003", "0.0006"],
                "interest_rate": "0.0001",
                "clamp_bound": "none",
            },
            {"premium_index": "0.00045", "funding_rate": "0.00055"},
        ),
        # Prices near zero: index 1/10^8, impact bid 1.0001/10^8: P = 10^-12 / 10^-8 = 0.0001
        # = I, so F = 0.0001. A long of 1/10^8 at the mark 1/10^8 pays 10^-8 x 10^-8 x 10^-4
        # = 10^-20.
        _case(
            "edge-funding-prices-near-zero",
            _HAND,
            {
                "samples": [
                    {
                        "impact_bid": "0.000000010001",
                        "impact_ask": "0.000000010002",
                        "index": "0.00000001",
                    }
                ],
                "interest_rate": "0.0001",
                "position": {"side": "long", "qty": "0.00000001", "mark_price": "0.00000001"},
            },
            {
                "premium_index": "0.0001",
                "funding_rate": "0.0001",
                "payment": "-0.00000000000000000001",
            },
        ),
        # A zero rate (P = I = 0) moves nothing: a long of 3 at 100 pays 3 x 100 x 0 = 0.
        _case(
            "edge-zero-rate-pays-nothing",
            _HAND,
            {
                "premium_index": "0",
                "interest_rate": "0",
                "position": {"side": "long", "qty": "3", "mark_price": "100"},
            },
            {"funding_rate": "0", "payment": "0"},
        ),
    ]


def cases() -> list[dict[str, Any]]:
    """Every valid ``funding_rate`` case."""
    return (
        _published_cases()
        + _hand_cases()
        + _edge_clamp_cases()
        + _edge_bound_cases()
        + _edge_premium_cases()
    )
