"""``position-liquidation-price``: a snapshot's stated liquidation price against the formula.

The hand-worked figures use Hyperliquid's own formula (docs, "Liquidations"):
``liq_price = price - side x margin_available / position_size / (1 - l x side)``, with
``l = 1 / (2 x maxLeverage)`` and ``margin_available`` the account value (cross) or the
isolated margin less the maintenance margin at the mark. The reference's formula
(margin balance = MM) is a different computation of the same price, so agreement is evidence.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction as F
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from perpspec.audit.run import AuditOptions, audit_ledger
from perpspec.reference.numbers import format_number
from perpspec.reference.profile import load_profile

SOURCE = (
    '{"seq":0,"ts":"2025-01-01T00:00:00Z","type":"source","format":"hyperliquid",'
    '"accounts":["me"],"covers":["positions"],"precision":"0.000001","files":["state.json"],'
    '"unmapped":[]}'
)


def _position(
    seq: int,
    size: str,
    entry: str,
    mark: str,
    liquidation: str | None,
    mode: str,
    margin: str | None,
    equity: str | None,
    rate: str,
    market: str = "BTC",
) -> str:
    def text(value: str | None) -> str:
        return "null" if value is None else f'"{value}"'

    return (
        f'{{"seq":{seq},"ts":"2025-01-01T05:30:00Z","type":"position","account":"me",'
        f'"market":"{market}","size":"{size}","entry_price":"{entry}","mark_price":"{mark}",'
        f'"liquidation_price":{text(liquidation)},"margin_mode":"{mode}",'
        f'"margin":{text(margin)},"equity":{text(equity)},"kind":"linear",'
        f'"maintenance_rate":"{rate}"}}'
    )


def _audit(tmp_path: Path, lines: list[str]) -> tuple[list[tuple[str, int]], int]:
    path = tmp_path / "snapshot.jsonl"
    path.write_text("\n".join(lines) + "\n")
    profile = load_profile("hyperliquid")
    report = audit_ledger(path, None, AuditOptions(profile=profile, profile_name="hyperliquid"))
    examined = {c.id: c.examined for c in report.checks}["position-liquidation-price"]
    return [(v.check, v.line) for v in report.violations], examined


# Cross long 0.5 at 60000, mark 62000 (positionValue 31000), maxLeverage 40 (l = 1/80),
# accountValue 2000: MM = 31000 / 80 = 387.5, margin_available = 1612.5, and
# liq = 62000 - 1612.5 / 0.5 / (1 - 1/80) = 62000 - 3225 x 80/79 = 4640000/79 = 58734.177...
CROSS = _position(1, "0.5", "60000", "62000", "58734.18", "cross", None, "2000", "0.0125")
# Isolated short 2 at 3100, mark 3050 (positionValue 6100), maxLeverage 25 (l = 1/50),
# marginUsed 720: margin_available = 720 - 6100/50 = 598, and
# liq = 3050 + 598 / 2 / (1 + 1/50) = 3050 + 14950/51 = 170500/51 = 3343.137...
ISOLATED = _position(
    2, "-2", "3100", "3050", "3343.14", "isolated", "720", None, "0.02", market="ETH"
)


def test_hyperliquid_figures_worked_by_hand(tmp_path: Path) -> None:
    assert _audit(tmp_path, [SOURCE, CROSS, ISOLATED]) == ([], 2)
    # 0.12 off the cross price: beyond its last decimal (0.01) and the figures' rounding
    moved = CROSS.replace('"58734.18"', '"58734.30"')
    assert _audit(tmp_path, [SOURCE, moved, ISOLATED]) == ([("position-liquidation-price", 2)], 2)
    # "none" stated where the formula gives 3343.137...
    gone = ISOLATED.replace('"3343.14"', "null")
    assert _audit(tmp_path, [SOURCE, CROSS, gone]) == ([("position-liquidation-price", 3)], 2)


def test_other_cross_positions_share_the_wallet(tmp_path: Path) -> None:
    # A second cross position, short 1 ETH at 3000, mark 3100 (l = 1/50): its uPnL is -100
    # and its MM 3100/50 = 62. Hyperliquid: margin_available = 2000 - 387.5 - 62 = 1550.5;
    # BTC: liq = 62000 - 1550.5 / 0.5 / (79/80) = 62000 - 248080/79 = 4649920/79 =
    # 58859.746...; ETH: liq = 3100 + 1550.5 / 1 / (1 + 1/50) = 3100 + 77525/51 =
    # 235625/51 = 4620.098...
    btc = _position(1, "0.5", "60000", "62000", "58859.75", "cross", None, "2000", "0.0125")
    eth = _position(2, "-1", "3000", "3100", "4620.10", "cross", None, "2000", "0.02", "ETH")
    assert _audit(tmp_path, [SOURCE, btc, eth]) == ([], 2)
    # priced alone (as if the ETH position were not there), BTC would be 58734.18: flagged
    alone = btc.replace('"58859.75"', '"58734.18"')
    assert _audit(tmp_path, [SOURCE, alone, eth]) == ([("position-liquidation-price", 2)], 2)


def _decimal(value: F) -> str:
    quantized = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )
    return str(quantized)


@given(
    qty=st.integers(-50, 50).filter(bool),
    entry=st.integers(100, 1000),
    mark=st.integers(100, 1000),
    leverage=st.integers(3, 50),
    cushion=st.integers(0, 400),
)
def test_the_closed_form_passes_and_a_tick_off_is_caught(
    tmp_path_factory: object, qty: int, entry: int, mark: int, leverage: int, cushion: int
) -> None:
    import pytest

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    q, e, m = F(qty, 10), F(entry), F(mark)
    rate = F(1, 2 * leverage)
    # the account value: the maintenance margin at the mark plus a cushion, so the account
    # stands; the wallet W = AV - q (M - E)
    account_value = abs(q) * m * rate + F(cushion)
    wallet = account_value - q * (m - e)
    # margin balance = MM at P: W + q (P - E) = |q| P l, so P = (q E - W) / (q - |q| l)
    price = (q * e - wallet) / (q - abs(q) * rate)
    assume(price > 1)
    stated = _decimal(price)
    line = _position(
        1, format_number(q), str(entry), str(mark), stated, "cross", None,
        format_number(account_value), format_number(rate),
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("p")
    assert _audit(folder, [SOURCE, line]) == ([], 1)
    # 0.37, 0.38 or 0.39 off, the first that leaves a last decimal that is not 0 (an exact
    # number keeps no trailing zero, so "90.00" would read as written to the unit): beyond the
    # stated last decimal 0.01 and the rounding of a 10^-6 figure (which moves the price by
    # at most 10^-6 / (0.1 x (1 - 1/6)) < 0.0001)
    shifted = next(
        text
        for text in (_decimal(price + F(cents, 100)) for cents in (37, 38, 39))
        if not text.endswith("0")
    )
    moved = line.replace(f'"{stated}"', f'"{shifted}"')
    assert _audit(folder, [SOURCE, moved]) == ([("position-liquidation-price", 2)], 1)
