"""``perpspec demo``: the worked examples of the sources, then a simulated crash.

First each of the seeds' worked examples: the document's numbers, the rule that applies, and
what the reference computes, so a reader can check the spec against the documents it was read
from. Then the reference engine runs a crash under a seed profile, writes the ledger (and its
engine configuration) under ``out/demo/``, and prints what the waterfall did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from perpspec.audit.mutations import MUTATIONS
from perpspec.audit.render import format_text
from perpspec.audit.run import AuditOptions, audit_ledger
from perpspec.ledger.io import read_ledger, write_ledger
from perpspec.reference.adl.allocation import AllocationPolicy, LiquidatedRemainder, allocate_adl
from perpspec.reference.adl.formulas import AdlPosition, RankingFormula
from perpspec.reference.adl.ranking import ScoredPosition, rank_positions
from perpspec.reference.engine.config import render_engine_config
from perpspec.reference.events import Event
from perpspec.reference.instrument import ContractKind, make_tier_table
from perpspec.reference.liquidation.settlement import Fill, Side, settle_liquidation
from perpspec.reference.margin.requirements import MaintenanceBasis
from perpspec.reference.numbers import Rounding, format_number, quantize
from perpspec.reference.prices.position_prices import (
    MarginContext,
    MarginMode,
    compute_position_prices,
)
from perpspec.reference.profile import load_profile
from perpspec.reference.simulation.runner import SETTLEMENT_UNIT, build_config, run_simulation
from perpspec.reference.simulation.spec import Scenario, SimulationSpec
from perpspec.reference.simulation.summary import SummaryBuilder, format_summary
from perpspec.reference.socialized_loss.process import SocializedLossParams, compute_socialized_loss
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossMethod

__all__ = ["Example", "build_examples", "run_demo"]

F = Fraction


@dataclass(frozen=True, slots=True)
class Example:
    """One worked example: where it comes from, its rule, and the computed result."""

    source: str
    claim: str
    rule: str
    result: str


def _fmt(value: Fraction | None) -> str:
    return "none" if value is None else format_number(value)


def _seed004_leverage() -> Example:
    tiers = make_tier_table([F(0)], [F("0.005")])
    margin = MarginContext(MarginMode.ISOLATED, F(100))
    prices = {
        basis: compute_position_prices(
            ContractKind.LINEAR, tiers, 1, F(1), F(1), F(10_000), margin, basis
        )
        for basis in (MaintenanceBasis.ENTRY, MaintenanceBasis.MARK)
    }
    entry, mark = prices[MaintenanceBasis.ENTRY], prices[MaintenanceBasis.MARK]
    assert entry.liquidation_price is not None and mark.liquidation_price is not None
    move = 1 - mark.liquidation_price / 10_000
    return Example(
        "seed 004 (PANews), Part Three",
        "100x long, 1% initial, 0.5% maintenance: liquidation after a 0.5% drop, bankruptcy at 1%",
        "M + n(P - E) = 0 (bankruptcy); = m x value (liquidation, entry or mark basis)",
        f"E = 10,000, M = 100: bankruptcy {_fmt(entry.bankruptcy_price)}; liquidation "
        f"{_fmt(entry.liquidation_price)} on the entry basis (exactly 0.5%), "
        f"{_fmt(mark.liquidation_price)} = 9,900/0.995 on the mark basis (a "
        f"{format_number(quantize(move * 100, F(1, 10_000), Rounding.DOWN))}...% drop)",
    )


def _seed002_prices() -> Example:
    tiers = make_tier_table([F(0)], [F("0.01")])
    prices = compute_position_prices(
        ContractKind.LINEAR,
        tiers,
        1,
        F(10_000),
        F(1),
        F(20_000),
        MarginContext(MarginMode.ISOLATED, F(5_000_000)),
        MaintenanceBasis.ENTRY,
    )
    return Example(
        "seed 002 (CoinCatch)",
        "Smith long 10,000 at 20,000: liquidation 19,700, bankruptcy 19,500",
        "implied: margin 500 per contract (40x), mmr 1% on the entry basis",
        f"liquidation {_fmt(prices.liquidation_price)}, bankruptcy {_fmt(prices.bankruptcy_price)}",
    )


def _seed001_fund() -> list[Example]:
    long = settle_liquidation(Side.LONG, F(1), F(10_000), [Fill(F(1), F(10_100))], F(1_000))
    short = settle_liquidation(Side.SHORT, F(1), F(10_000), [Fill(F(1), F(10_050))], F(1_000))
    short_of_funds = settle_liquidation(
        Side.SHORT, F(1), F(10_000), [Fill(F(1), F(21_000))], F(1_000)
    )
    return [
        Example(
            "seed 001 (Gate)",
            "long, bankruptcy 10,000, filled at 10,100: +100 to the insurance fund",
            "surplus = fill - bankruptcy (long), to the fund (surplus_to = insurance)",
            f"insurance delta {_fmt(long.insurance_delta)}",
        ),
        Example(
            "seed 001 (Gate)",
            "short, bankruptcy 10,000, filled at 10,050: the fund pays 50, the trader nothing",
            "deficit = fill - bankruptcy (short), paid by the fund while it can",
            f"insurance delta {_fmt(short.insurance_delta)}, "
            f"trader refund {_fmt(short.trader_refund)}",
        ),
        Example(
            "seed 001 (Gate)",
            "fund 1,000, 11,000 needed: the fund cannot absorb it, ADL is triggered",
            "a fill the fund cannot pay is not executed; the remainder goes to the last resort",
            f"fills executed {short_of_funds.fills_executed}, "
            f"to the last resort {_fmt(short_of_funds.remaining_qty)}",
        ),
    ]


def _seed001_adl() -> Example:
    shorts = [
        ScoredPosition(name, Side.SHORT, F(qty), F(score))
        for name, qty, score in (
            ("A", 100, 5),
            ("B", 200, 4),
            ("C", 50, 3),
            ("D", 150, 2),
            ("E", 400, 1),
        )
    ]
    allocation = allocate_adl(
        LiquidatedRemainder(Side.LONG, F(350), F(8_500)), shorts, AllocationPolicy.QUEUE
    )
    fills = ", ".join(f"{f.id} {_fmt(f.qty)}" for f in allocation.fills)
    return Example(
        "seed 001 (Gate)",
        "350 contracts to deleverage against A 100, B 200, C 50, D 150, E 400 (ranked): A, B, C",
        "queue: consume each counterparty fully, in rank order, at the bankruptcy price",
        f"{fills} at {_fmt(allocation.fills[0].price)}",
    )


def _seed004_ranking() -> Example:
    # Table 2: PnL% and effective leverage; value q x price with q = 1, entry 100, long side:
    # PnL% = (mark - 100)/100, leverage = mark / (mark - bankruptcy) -> bankruptcy chosen so.
    rows = {"A": (F(350), F(15)), "B": (F(250), F(20)), "C": (F(600), F(5))}
    positions = [
        AdlPosition(name, Side.LONG, F(1), F(100), mark, bankruptcy_price=mark - mark / leverage)
        for name, (mark, leverage) in rows.items()
    ]
    ranking = rank_positions(positions, RankingFormula.PNL_TIMES_LEVERAGE)
    order = ", ".join(f"{p.id} {_fmt(p.score * 100)}" for p in ranking.longs)
    return Example(
        "seed 004 (PANews), Table 2",
        "A 250% x 15 = 3750 > B 150% x 20 = 3000 > C 500% x 5 = 2500",
        "pnl_times_leverage: PnL% x |mark value| / (mark value - bankrupt value)",
        f"order {order} (scores in %)",
    )


def _seed000_socialized() -> Example:
    profits = {"p1": 500, "p2": 300, "p3": 150, "p4": 50}
    result = compute_socialized_loss(
        SocializedLossParams(SocializedLossMethod.TOP_PROFIT, F("0.2"), F("0.9")),
        F(100),
        F(1_000),
        [SlPosition(name, F(profit)) for name, profit in profits.items()],
    )
    charges = ", ".join(f"{k} {_fmt(v)}" for k, v in result.charges.items())
    return Example(
        "seed 000 (socialized loss)",
        "the fund bears 20%, the top profits up to 90% of all profit share the rest pro rata",
        "charge_i = rest x profit_i / participants' profit, capped at the cycle profit",
        f"loss 100: fund {_fmt(result.insurance_paid)}; {charges} (p4 below the 90% line)",
    )


BUILDERS: tuple[Callable[[], Example | list[Example]], ...] = (
    _seed004_leverage,
    _seed002_prices,
    _seed001_fund,
    _seed001_adl,
    _seed004_ranking,
    _seed000_socialized,
)


def build_examples() -> list[Example]:
    """Every worked example, computed by the reference."""
    examples: list[Example] = []
    for build in BUILDERS:
        made = build()
        examples.extend(made if isinstance(made, list) else [made])
    return examples


def print_examples(console: Console) -> None:
    """The worked examples as one table."""
    table = Table(title="The seeds' worked examples, computed by the reference", show_lines=True)
    for column in ("source", "the document says", "rule", "perpspec computes"):
        table.add_column(column, overflow="fold")
    for example in build_examples():
        table.add_row(example.source, example.claim, example.rule, example.result)
    console.print(table)


#: The demo's market: small enough to run in seconds, large enough to exhaust the fund.
DEMO_SPEC = SimulationSpec(accounts=300, steps=2_000, seed=7, scenario=Scenario.CRASH)
DEMO_PROFILE = "seed-gate"


def simulate_crash(console: Console, out_dir: Path) -> Path:
    """Run the demo crash, write its ledger and engine configuration; return the ledger path."""
    config = dataclasses.replace(
        build_config(DEMO_SPEC, load_profile(DEMO_PROFILE)), profile_ref=DEMO_PROFILE
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger = out_dir / "crash.jsonl"
    summary = SummaryBuilder()

    def tee(events: Iterable[Event]) -> Iterator[Event]:
        for event in events:
            summary.apply_event(event)
            yield event

    with console.status(
        f"simulating a crash: {DEMO_SPEC.accounts} accounts, {DEMO_SPEC.steps} steps"
    ):
        write_ledger(tee(run_simulation(DEMO_SPEC, config)), ledger)
    ledger.with_name(ledger.name + ".engine.toml").write_text(
        render_engine_config(config), encoding="utf-8"
    )
    title = f"A simulated crash under the {DEMO_PROFILE} profile ({ledger})"
    console.print(Panel("\n".join(format_summary(summary.get_summary())), title=title))
    return ledger


def audit_twice(console: Console, ledger: Path) -> int:
    """Audit the crash's ledger as written (clean), then tampered once (an ADL fill moved off
    the bankruptcy price, booked so that cash still balances): the auditor's view of both.

    Returns 0 when the clean ledger passes and the tampered one is caught under ``adl-price``;
    the moved fill's cash also disagrees with the next stated balances of the accounts it paid
    (``conservation`` at those ``balance`` records, a second witness), and nothing else.
    """
    options = AuditOptions(
        profile=load_profile(DEMO_PROFILE), profile_name=DEMO_PROFILE, unit=SETTLEMENT_UNIT
    )
    clean = audit_ledger(ledger, None, options)
    console.rule(f"perpspec audit {ledger} --profile {DEMO_PROFILE}")
    for line in format_text(clean):
        console.print(line, markup=False, highlight=False)
    tampered_path = ledger.with_name("crash-tampered.jsonl")
    tampered, _seq = MUTATIONS["adl-price"](read_ledger(ledger))
    write_ledger(tampered, tampered_path)
    caught = audit_ledger(tampered_path, None, options)
    console.rule(f"perpspec audit {tampered_path} --profile {DEMO_PROFILE} (one ADL fill moved)")
    for line in format_text(caught, max_violations=5):
        console.print(line, markup=False, highlight=False)
    flagged = {violation.check for violation in caught.violations}
    witnesses = all(
        '"type":"balance"' in violation.record
        for violation in caught.violations
        if violation.check == "conservation"
    )
    as_shown = "adl-price" in flagged and flagged <= {"adl-price", "conservation"} and witnesses
    return 0 if not clean.violations and as_shown else 1


def run_demo(console: Console | None = None, out_dir: Path = Path("out/demo")) -> int:
    """Print the demo; return the exit status (0: every part did what it shows)."""
    console = console or Console()
    print_examples(console)
    ledger = simulate_crash(console, out_dir)
    return audit_twice(console, ledger)
