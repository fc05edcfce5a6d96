"""Random account histories: a shadow model writes the export, the audit must pass it, and
each one-record tamper must be flagged by its own check alone (perpspec.audit.account_checks).

The model here is independent of the reference: average entry as a weighted mean written out,
PnL as ``closed x (exit - entry)``, a fee of 5 bp on the notional, funding on a fixed value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction as F
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from perpspec.audit.run import AuditOptions, audit_ledger
from perpspec.reference.numbers import format_number
from perpspec.reference.profile import TradingOptions, load_profile

FEE = F(5, 10_000)
FUNDING_VALUE = F(60_000)
#: A profile whose taker rate is the model's fee (seed-gate's other rules: ADL at bankruptcy).
_GATE = load_profile("seed-gate")
PROFILE = replace(
    _GATE,
    trading=TradingOptions(F(2, 10_000), FEE),
    assumed=tuple(option for option in _GATE.assumed if not option.startswith("trading.")),
)


@dataclass
class History:
    """The export's records as JSON lines, and where each kind of record sits."""

    lines: list[str] = field(default_factory=list)
    balances: list[int] = field(default_factory=list)
    fills: list[int] = field(default_factory=list)
    fundings: list[int] = field(default_factory=list)
    credits: list[int] = field(default_factory=list)
    liquidation: int | None = None

    def add(self, record: str) -> int:
        self.lines.append(record.replace("SEQ", str(len(self.lines))))
        return len(self.lines) - 1


def _n(value: F) -> str:
    return format_number(value)


def _ts(step: int) -> str:
    return f"2024-03-01T{step // 60:02d}:{step % 60:02d}:00Z"


def _balance(ts: str, amount: F) -> str:
    return (
        f'{{"seq":SEQ,"ts":"{ts}","type":"balance","account":"me","asset":"USDT",'
        f'"amount":"{_n(amount)}"}}'
    )


def _statement(ts: str, amount: F, entry: str, rate: F | None = None, size: F | None = None) -> str:
    extra = (
        f'"rate":"{_n(rate)}","size":"{_n(size)}"'
        if rate is not None and size is not None
        else '"rate":null,"size":null'
    )
    return (
        f'{{"seq":SEQ,"ts":"{ts}","type":"statement","account":"me","asset":"USDT",'
        f'"amount":"{_n(amount)}","entry":"{entry}","reason":"{entry.upper()}",'
        f'"market":"BTCUSDT","ref":null,{extra}}}'
    )


def _fill(ts: str, qty: F, price: F, start: F, pnl: F, role: str = "trade") -> str:
    action = "buy" if qty > 0 else "sell"
    return (
        f'{{"seq":SEQ,"ts":"{ts}","type":"fill","account":"me","market":"BTCUSDT",'
        f'"action":"{action}","qty":"{_n(abs(qty))}","price":"{_n(price)}","role":"{role}",'
        f'"kind":"linear","multiplier":"1","commission":"{_n(abs(qty) * price * FEE)}",'
        f'"commission_asset":"USDT","liquidity":"taker","start_position":"{_n(start)}",'
        f'"realized_pnl":"{_n(pnl)}","mark_price":null,"ref":"f{len(ts)}"}}'
    )


def _apply(position: F, entry: F, qty: F, price: F) -> tuple[F, F, F]:
    """(new position, new entry, realized PnL) by average entry, written out."""
    if position == 0 or (position > 0) == (qty > 0):
        size = abs(position) + abs(qty)
        return position + qty, (abs(position) * entry + abs(qty) * price) / size, F(0)
    closed = min(abs(qty), abs(position))
    side = 1 if position > 0 else -1
    pnl = closed * (price - entry) * side
    after = position + qty
    if after == 0:
        return after, F(0), pnl
    if (after > 0) == (position > 0):
        return after, entry, pnl
    return after, price, pnl


steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("fill"),
            st.integers(-10, 10).filter(bool),
            st.integers(500, 700),
        ),
        st.tuples(st.just("funding"), st.integers(-3, 3), st.just(0)),
    ),
    min_size=2,
    max_size=12,
)


def build(plan: list[tuple[str, int, int]], deficit: int) -> History:
    """The export of one account following ``plan``, ending with a liquidation that leaves
    ``deficit`` (> 0) for the insurance fund to clear, when a position is open."""
    history = History()
    history.add(
        '{"seq":SEQ,"ts":"2024-03-01T00:00:00Z","type":"source","format":"test",'
        '"accounts":["me"],"covers":["wallet","balances","fills","roles","start_positions",'
        '"realized_pnl","commissions","funding"],"precision":null,"files":["x"],"unmapped":[]}'
    )
    balance = F(100_000)
    history.add(
        '{"seq":SEQ,"ts":"2024-03-01T00:00:00Z","type":"deposit","account":"me",'
        '"asset":"USDT","amount":"100000"}'
    )
    history.balances.append(history.add(_balance(_ts(0), balance)))
    position, entry = F(0), F(0)
    for step, (kind, a, b) in enumerate(plan, start=1):
        ts = _ts(step)
        if kind == "fill":
            qty, price = F(a, 10), F(b * 100)
            after, new_entry, pnl = _apply(position, entry, qty, price)
            history.fills.append(history.add(_fill(ts, qty, price, position, pnl)))
            move = pnl - abs(qty) * price * FEE
            history.add(_statement(ts, move, "trade"))
            position, entry, balance = after, new_entry, balance + move
        else:
            rate = F(a, 10_000)
            amount = -position * FUNDING_VALUE * rate
            history.fundings.append(history.add(_statement(ts, amount, "funding", rate, position)))
            balance += amount
        history.balances.append(history.add(_balance(ts, balance)))
    if position != 0:
        ts = _ts(len(plan) + 1)
        history.liquidation = history.add(
            _fill(ts, -position, F(1), position, F(0), "liquidation").replace(
                '"realized_pnl":"0"', '"realized_pnl":null'
            )
        )
        history.add(_statement(ts, -balance - deficit, "liquidation"))
        history.balances.append(history.add(_balance(ts, F(-deficit))))
        later = _ts(len(plan) + 2)
        history.credits.append(history.add(_statement(later, F(deficit), "insurance")))
        history.balances.append(history.add(_balance(later, F(0))))
    return history


def audit(tmp_path: Path, lines: list[str]) -> tuple[list[tuple[str, int]], dict[str, int]]:
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = audit_ledger(path, None, AuditOptions(profile=PROFILE, profile_name="test"))
    examined = {c.id: c.examined for c in report.checks}
    return [(v.check, v.line) for v in report.violations], examined


@given(plan=steps, deficit=st.integers(1, 50))
def test_a_consistent_history_passes(
    tmp_path_factory: object, plan: list[tuple[str, int, int]], deficit: int
) -> None:
    import pytest

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    history = build(plan, deficit)
    found, examined = audit(tmp_path_factory.mktemp("h"), history.lines)
    assert found == []
    assert examined["balance-continuity"] == len(history.balances) - 1
    liquidation = 0 if history.liquidation is None else 1
    # the first fill opens the chain; every later one (and the liquidation's) is compared
    assert examined["position-continuity"] == max(0, len(history.fills) + liquidation - 1)
    assert examined["realized-pnl"] == len(history.fills)
    assert examined["funding-sign"] == len(history.fundings)
    assert examined["insurance-on-liquidation"] == len(history.credits)
    assert examined["insurance-clears-balance"] == len(history.credits)
    # every ordinary trade is a taker at 5 bp (the liquidation's fill pays other fees)
    assert examined["commission-rate"] == len(history.fills)


@given(
    plan=steps,
    deficit=st.integers(1, 50),
    which=st.sampled_from(
        [
            "balance-continuity",
            "position-continuity",
            "realized-pnl",
            "funding-sign",
            "insurance-on-liquidation",
            "insurance-clears-balance",
            "commission-rate",
        ]
    ),
    pick=st.integers(0, 1000),
)
def test_a_one_record_tamper_is_caught_by_its_check_alone(
    tmp_path_factory: object,
    plan: list[tuple[str, int, int]],
    deficit: int,
    which: str,
    pick: int,
) -> None:
    import pytest
    from hypothesis import assume

    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    history = build(plan, deficit)
    lines = list(history.lines)
    if which == "balance-continuity":
        # one cent more on a balance after the first
        index = history.balances[1:][pick % (len(history.balances) - 1)]
        amount = lines[index].split('"amount":"')[1].split('"')[0]
        lines[index] = lines[index].replace(f'"{amount}"', f'"{_n(F(amount) + F(1, 100))}"')
    elif which == "position-continuity":
        assume(len(history.fills) >= 2)
        index = history.fills[1:][pick % (len(history.fills) - 1)]
        start = lines[index].split('"start_position":"')[1].split('"')[0]
        lines[index] = lines[index].replace(
            f'"start_position":"{start}"', f'"start_position":"{_n(F(start) + F(1, 10))}"'
        )
    elif which == "realized-pnl":
        assume(history.fills)
        index = history.fills[pick % len(history.fills)]
        pnl = lines[index].split('"realized_pnl":"')[1].split('"')[0]
        lines[index] = lines[index].replace(
            f'"realized_pnl":"{pnl}"', f'"realized_pnl":"{_n(F(pnl) + 1)}"'
        )
    elif which == "commission-rate":
        assume(history.fills)
        # one unit (0.01) more fee than 5 bp of the notional
        index = history.fills[pick % len(history.fills)]
        fee = lines[index].split('"commission":"')[1].split('"')[0]
        lines[index] = lines[index].replace(
            f'"commission":"{fee}"', f'"commission":"{_n(F(fee) + F(1, 100))}"'
        )
    elif which == "funding-sign":
        # the rate's sign reversed on a payment that is not zero (the amount stays)
        paying = [i for i in history.fundings if '"amount":"0"' not in lines[i]]
        assume(paying)
        index = paying[pick % len(paying)]
        rate = lines[index].split('"rate":"')[1].split('"')[0]
        lines[index] = lines[index].replace(f'"rate":"{rate}"', f'"rate":"{_n(-F(rate))}"')
    elif which == "insurance-on-liquidation":
        assume(history.liquidation is not None)
        index = history.credits[0]
        assert history.liquidation is not None
        lines[history.liquidation] = lines[history.liquidation].replace(
            '"role":"liquidation"', '"role":"trade"'
        )
        lines[history.liquidation + 1] = lines[history.liquidation + 1].replace(
            '"entry":"liquidation"', '"entry":"trade"'
        )
    else:
        assume(history.liquidation is not None and deficit > 1)
        # the credit one short of the deficit, and the balance after it -1 (still chaining)
        index = history.credits[0] + 1
        credit = history.credits[0]
        lines[credit] = lines[credit].replace(f'"amount":"{deficit}"', f'"amount":"{deficit - 1}"')
        lines[index] = lines[index].replace('"amount":"0"', '"amount":"-1"')
    found, _ = audit(tmp_path_factory.mktemp("t"), lines)
    line = index + 1 if which != "insurance-on-liquidation" else history.credits[0] + 1
    assert found == [(which, line)]
