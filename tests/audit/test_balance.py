"""What a ``balance`` assertion asserts: the account's wallet balance in the asset as an
exchange statement states it (deposits - withdrawals + realized PnL - fees + funding, its
isolated margins included, unrealized PnL excluded), after every earlier event of the ledger
and before the next. The amounts here are worked out by hand, not read from the audit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from perpspec.cli import main
from tests.audit.test_command import INSTRUMENT, write_records


def trade(buyer: str, seller: str, price: str, fee: str) -> dict[str, object]:
    return {
        "type": "trade",
        "market": "X-PERP",
        "buyer": buyer,
        "seller": seller,
        "qty": "1",
        "price": price,
        "buyer_fee": fee,
        "seller_fee": fee,
    }


def balance(account: str, amount: str) -> dict[str, object]:
    return {"type": "balance", "account": account, "asset": "USD", "amount": amount}


def ledger(assertions_open: Sequence[Mapping[str, object]]) -> list[Mapping[str, object]]:
    """A opens long 1 at 100 against B (fee 1 each), the mark falls to 90, ``assertions_open``
    are stated, then A closes at 90 to B (no fee) and both balances are stated."""
    return [
        INSTRUMENT,
        {"type": "deposit", "account": "A", "asset": "USD", "amount": "1000"},
        {"type": "deposit", "account": "B", "asset": "USD", "amount": "1000"},
        {"type": "mark", "market": "X-PERP", "price": "100"},
        trade("A", "B", "100", "1"),
        {"type": "mark", "market": "X-PERP", "price": "90"},
        *assertions_open,
        trade("B", "A", "90", "0"),
        # A: 1000 - fee 1 + realized (90 - 100) * 1 = 989.
        balance("A", "989"),
        # B: 1000 - fee 1 + realized (100 - 90) * 1 = 1009.
        balance("B", "1009"),
    ]


def test_wallet_balance_excludes_unrealized_pnl(tmp_path: Path) -> None:
    # While open at the mark 90: A's wallet is 1000 - fee 1 = 999 (its uPnL of -10 is not
    # in it); B's is 1000 - 1 = 999 (its +10 is not in it either).
    path = write_records(tmp_path / "b.jsonl", ledger([balance("A", "999"), balance("B", "999")]))
    assert main(["audit", str(path)]) == 0


def test_margin_balance_is_not_the_wallet_balance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A's margin balance at the mark 90 is 999 + uPnL (90 - 100) = 989: stated as the
    # wallet balance it is off by 10, reported at the assertion (line 7).
    path = write_records(tmp_path / "b.jsonl", ledger([balance("A", "989")]))
    assert main(["audit", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{path}:7: [conservation] expected wallet balance 999 USD, found 989 (difference -10)"
    )


def test_assertion_holds_after_the_events_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Stated before the closing trade, A's balance is still 999, not the 989 it is after
    # it: an assertion does not look ahead (line 7).
    records = ledger([])
    records.insert(6, balance("A", "989"))
    path = write_records(tmp_path / "b.jsonl", records)
    assert main(["audit", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"{path}:7: [conservation] ")


def test_isolated_margin_is_in_the_wallet_balance(tmp_path: Path) -> None:
    # Moving margin into a position moves nothing out of the wallet balance an exchange
    # states (Binance: opening a position does not change the wallet balance); with no
    # position open, 1000 deposited, 300 into X-PERP's isolated margin: still 1000.
    records: list[Mapping[str, object]] = [
        INSTRUMENT,
        {"type": "deposit", "account": "A", "asset": "USD", "amount": "1000"},
        {"type": "margin_transfer", "account": "A", "market": "X-PERP", "amount": "300"},
        balance("A", "1000"),
    ]
    path = write_records(tmp_path / "b.jsonl", records)
    assert main(["audit", str(path)]) == 0
