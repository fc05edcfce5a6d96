"""The import benchmark behind ``make bench`` (docs/bench.md; issue 12, "Done when").

Issue 12's target: importing then auditing a 1M-row export takes less than twice the time of
auditing a canonical ledger of the same size. This script makes, under ``out/bench/`` (reused
on later runs: the file names hold every parameter):

- a Bybit v5 transaction-log export of ``--rows`` rows (:func:`write_export`): JSON Lines, one
  ``list`` item of ``GET /v5/account/transaction-log`` per line, newest first as the API pages
  them (what a script that pages the API and writes each item out has: the API gives at most
  50 rows a page); the adapter also reads a plain JSON array of the items (``--layout
  array``), about as fast (docs/bench.md);
- a canonical ledger of as many events as the export has rows, by bench_audit.py's simulator
  path (:func:`bench_audit.ledger_for`: crash scenario, ``seed-gate``, 1,000 accounts);

then measures, each in a fresh interpreter (:func:`bench_audit.measure`: CPU and wall time
without the interpreter's start and imports, peak resident memory):

- ``import``: ``perpspec import --from bybit EXPORT --out LEDGER`` (a);
- ``audit-imported``: ``perpspec audit LEDGER`` of that imported ledger (b);
- ``audit-from``: ``perpspec audit --from bybit EXPORT``, import and audit in one (c);
- ``audit``: bench_audit.py's audit of the canonical ledger, no profile (d);
- ``orjson``: ``orjson.loads`` of the export, the bare parse, as a yardstick (e);

and prints the table and the ratios (c)/(d) and (a+b)/(d) against the target "< 2".

The export tells one account's consistent story, so that its audit finds nothing: a transfer
in, then TRADE rows in a few linear USDT markets opening, adding to, reducing, closing and
flipping positions (``qty`` unsigned, ``size`` the signed position after, ``tradePrice``,
``cashFlow`` the closed PnL by average entry rounded to Bybit's 8 decimals, ``fee`` at a maker
or taker rate, ``change = cashFlow + funding - fee``, ``cashBalance`` running exactly); every
hour a SETTLEMENT row per open position (1-hour funding intervals, as some Bybit markets have)
whose ``funding`` is ``-size x mark x rate`` (longs pay a positive rate) and whose ``feeRate``
is the rate for side Buy and its negative for side Sell; now and then a transfer in or out.
All amounts are integers of 1e-8 USDT while generated, so the story is exact by construction.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import io
import json
import os
import pstats
import random
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import orjson
from bench_audit import ROOT, BaseParams, ledger_for, measure

TASKS = ("import", "audit-imported", "audit-from", "audit", "orjson")
LAYOUTS = ("jsonl", "array")
#: Where the time bar is read: (c)/(d) and (a+b)/(d) below this.
TARGET = 2

#: Amounts are generated as integers of 1e-8 (Bybit's 8 decimals).
SCALE = 10**8
HOUR_MS = 3_600_000
#: 2024-01-01T00:00:00Z in epoch milliseconds.
START_MS = 1_704_067_200_000


@dataclasses.dataclass(frozen=True)
class Market:
    """One linear USDT market: prices in units of ``10**-price_places``, quantities in lots
    of ``10**-qty_places`` (``price_places + qty_places == 4`` for every market, so a
    notional is an integer of 1e-4 USDT), the largest fill and the position it stays near."""

    symbol: str
    price_places: int
    qty_places: int
    price: int
    max_fill: int
    max_position: int


MARKETS = (
    Market("BTCUSDT", 1, 3, 600_000, 50, 300),
    Market("ETHUSDT", 2, 2, 300_000, 80, 500),
    Market("SOLUSDT", 3, 1, 100_000, 100, 600),
    Market("XRPUSDT", 4, 0, 6_000, 2_000, 20_000),
    Market("DOGEUSDT", 4, 0, 900, 20_000, 100_000),
    Market("LINKUSDT", 3, 1, 15_000, 400, 2_000),
)
#: Fee rates (maker, taker), in millionths.
FEE_RATES = (200, 550)


@dataclasses.dataclass(frozen=True)
class ExportParams:
    """The export's parameters (all in its file name)."""

    rows: int = 1_000_000
    markets: int = 4
    seed: int = 0
    layout: str = "jsonl"

    def path(self, folder: Path) -> Path:
        suffix = "jsonl" if self.layout == "jsonl" else "json"
        name = f"bybit-translog-r{self.rows}-m{self.markets}-s{self.seed}.{suffix}"
        return folder / name


def _decimal(units: int, places: int, fixed: bool = False) -> str:
    """``units x 10**-places`` as decimal text: ``fixed`` writes every place (Bybit's
    ``cashBalance`` "1000.00000000"), else trailing zeros are dropped ("-1.65")."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), 10**places)
    if places == 0:
        return f"{sign}{whole}"
    digits = str(part).rjust(places, "0")
    if not fixed:
        digits = digits.rstrip("0")
    if not digits:
        return "0" if units == 0 else f"{sign}{whole}"
    return f"{sign}{whole}.{digits}"


def _amount(units: int) -> str:
    return _decimal(units, 8)


@dataclasses.dataclass
class _Position:
    """One market's state: the price now, the signed position in lots, and its signed cost
    (position x average entry, in 1e-4 USDT, exact)."""

    market: Market
    price: int
    size: int = 0
    cost: Fraction = dataclasses.field(default_factory=Fraction)


class _Story:
    """The account's rows, oldest first, each a transaction-log item."""

    def __init__(self, params: ExportParams) -> None:
        self.rng = random.Random(params.seed)
        self.positions = [_Position(m, m.price) for m in MARKETS[: params.markets]]
        self.balance = 0
        self.ms = START_MS
        self.count = 0

    def _row(self, kind: str, **fields: str) -> dict[str, str]:
        self.count += 1
        row = {
            "id": f"tl-{self.count}",
            "symbol": "",
            "category": "",
            "side": "None",
            "transactionTime": str(self.ms),
            "type": kind,
            "transSubType": "",
            "qty": "",
            "size": "",
            "currency": "USDT",
            "tradePrice": "",
            "funding": "",
            "fee": "0",
            "cashFlow": "",
            "change": "",
            "cashBalance": "",
            "feeRate": "",
            "bonusChange": "",
            "tradeId": "",
            "orderId": "",
            "orderLinkId": "",
            "extraFees": "",
        }
        row.update(fields)
        return row

    def transfer(self, amount: int) -> dict[str, str]:
        """A transfer in (amount > 0) or out, in 1e-8 USDT."""
        self.balance += amount
        kind = "TRANSFER_IN" if amount > 0 else "TRANSFER_OUT"
        text = _amount(amount)
        return self._row(
            kind, cashFlow=text, change=text, cashBalance=_decimal(self.balance, 8, fixed=True)
        )

    def trade(self, position: _Position) -> dict[str, str]:
        """One fill: a random walk of the price, a side that keeps the position near its
        bound, the closed PnL by average entry (rounded to 1e-8) and the fee."""
        rng = self.rng
        market = position.market
        step = position.price // 2000 + 1
        position.price = max(1, position.price + rng.randint(-step, step))
        price = position.price
        qty = rng.randint(1, market.max_fill)
        if position.size > market.max_position:
            buy = False
        elif position.size < -market.max_position:
            buy = True
        else:
            buy = rng.random() < 0.5
        signed = qty if buy else -qty
        closed = 0
        if position.size and (position.size > 0) != buy:
            closed = min(qty, abs(position.size))
        pnl = 0
        if closed:
            # closed x (exit - entry), signed by the position's side, in 1e-4 USDT
            held = abs(position.size)
            side = 1 if position.size > 0 else -1
            exact = side * closed * (price - position.cost / position.size)
            pnl = round(exact * 10**4)
            position.cost = position.cost * (held - closed) / held
        position.size += signed
        if closed < qty:
            # the rest of the fill opens (or adds to) the position at this price
            position.cost += (signed - (closed if buy else -closed)) * price
        if position.size == 0:
            position.cost = Fraction(0)
        rate = FEE_RATES[rng.random() < 0.7]
        notional = qty * price * 10**4  # in 1e-8 USDT
        fee = notional * rate // 10**6
        change = pnl - fee
        self.balance += change
        ref = f"{self.count + 1}"
        return self._row(
            "TRADE",
            symbol=market.symbol,
            category="linear",
            side="Buy" if buy else "Sell",
            qty=_decimal(qty, market.qty_places),
            size=_decimal(position.size, market.qty_places),
            tradePrice=_decimal(price, market.price_places),
            fee=_decimal(fee, 8, fixed=True),
            cashFlow=_amount(pnl),
            change=_amount(change),
            cashBalance=_decimal(self.balance, 8, fixed=True),
            feeRate=_decimal(rate, 6),
            tradeId=f"tr-{ref}",
            orderId=f"or-{ref}",
        )

    def settlement(self, position: _Position) -> dict[str, str]:
        """The funding of an open position at the hour: ``-size x mark x rate`` (rate in
        millionths; rounded toward zero, so the sign is the rule's or the payment is 0)."""
        market = position.market
        rate = self.rng.randint(-300, 500)
        owed = position.size * position.price * rate  # in 1e-10 USDT
        funding = -(abs(owed) // 100) if owed > 0 else abs(owed) // 100
        self.balance += funding
        buy = position.size > 0
        return self._row(
            "SETTLEMENT",
            symbol=market.symbol,
            category="linear",
            side="Buy" if buy else "Sell",
            qty=_decimal(abs(position.size), market.qty_places),
            size=_decimal(position.size, market.qty_places),
            tradePrice=_decimal(position.price, market.price_places),
            funding=_amount(funding),
            cashFlow="0",
            change=_amount(funding),
            cashBalance=_decimal(self.balance, 8, fixed=True),
            feeRate=_decimal(rate if buy else -rate, 6),
            orderId=f"{self.ms // 1000}-1-{market.symbol}",
        )

    def rows(self, total: int) -> list[dict[str, str]]:
        """``total`` rows, oldest first."""
        rng = self.rng
        out = [self.transfer(1_000_000 * SCALE)]
        while len(out) < total:
            hour = self.ms // HOUR_MS
            self.ms += rng.randint(1_000, 90_000)
            if self.ms // HOUR_MS != hour:
                # the hour's funding, before any later trade
                trade_ms = self.ms
                self.ms = self.ms // HOUR_MS * HOUR_MS
                for position in self.positions:
                    if position.size and len(out) < total:
                        out.append(self.settlement(position))
                self.ms = trade_ms + (trade_ms % HOUR_MS == 0)
                if len(out) >= total:
                    break
            if rng.random() < 0.00002:
                # now and then money moves: out when well funded, in otherwise
                well_funded = self.balance > 500_000 * SCALE
                out.append(self.transfer(-(self.balance // 10) if well_funded else 250_000 * SCALE))
                continue
            out.append(self.trade(rng.choice(self.positions)))
        return out


def write_export(path: Path, params: ExportParams) -> int:
    """Write the export of ``params`` (module docstring) newest first, as the API lists it;
    return the number of rows."""
    rows = _Story(params).rows(params.rows)
    rows.reverse()
    partial = path.with_suffix(".partial")
    with open(partial, "wb") as out:
        if params.layout == "jsonl":
            for row in rows:
                out.write(orjson.dumps(row))
                out.write(b"\n")
        else:
            out.write(orjson.dumps(rows))
    partial.replace(path)
    return len(rows)


def export_for(params: ExportParams, folder: Path) -> Path:
    """The export of ``params``: reused when present, else written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = params.path(folder)
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        # In a child: the rows held while writing would otherwise stay in this process's
        # memory, and every measured child forked from it would start with that peak.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--out",
                str(folder),
                "--write-export",
                json.dumps(dataclasses.asdict(params)),
            ],
            check=True,
        )
    return path


def imported_path(export: Path) -> Path:
    """Where ``import`` writes the export's ledger (and ``audit-imported`` reads it)."""
    return export.with_name(export.stem + ".imported.jsonl")


# ---- the measured tasks (each in its own process) ----------------------------------------


def _cli(argv: list[str]) -> tuple[int, str]:
    """``perpspec ARGV`` in this process: its exit code and what it printed."""
    from perpspec.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(argv)
    return code, printed.getvalue()


def _violations(report_json: str) -> int:
    report: dict[str, Any] = json.loads(report_json)
    return sum(int(check["violations"]) for check in report["checks"])


def run_task(task: str, export: str) -> dict[str, Any]:
    """Run one task on ``export``; return its figures (time excludes start-up and imports)."""
    # The commands import these lazily; loaded here so that the timing is of the work.
    import perpspec.audit.command
    import perpspec.audit.run
    import perpspec.imports.bybit
    import perpspec.imports.command
    import perpspec.ledger.io  # noqa: F401

    ledger = str(imported_path(Path(export)))
    wall, cpu = time.perf_counter(), time.process_time()
    records = violations = 0
    if task == "import":
        code, printed = _cli(["import", "--from", "bybit", export, "--out", ledger])
        if code != 0:
            raise SystemExit(f"perpspec import failed (exit {code}): {printed}")
    elif task == "audit-imported":
        code, printed = _cli(["audit", ledger, "--json"])
        violations = _violations(printed)
        records = int(json.loads(printed)["events"])
    elif task == "audit-from":
        code, printed = _cli(["audit", "--from", "bybit", export, "--json"])
        violations = _violations(printed)
        records = int(json.loads(printed)["events"])
    elif task == "orjson":
        with open(export, "rb") as handle:
            if export.endswith(".jsonl"):
                for line in handle:
                    orjson.loads(line)
                    records += 1
            else:
                records = len(orjson.loads(handle.read()))
    else:
        raise SystemExit(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    figures = {
        "task": task,
        "events": records,
        "violations": violations,
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
    }
    if task == "import":
        with open(ledger, "rb") as handle:
            figures["events"] = sum(1 for _ in handle)
    return figures


def profile_import(export: Path, top: int = 20) -> str:
    """cProfile of the import of ``export`` and of the audit of the ledger it gives: the
    ``top`` functions of each by own time."""
    import tempfile

    from perpspec.audit.run import AuditOptions, audit_ledger
    from perpspec.imports.command import import_export
    from perpspec.ledger.io import write_ledger

    out = []
    with tempfile.TemporaryDirectory() as folder:
        ledger = os.path.join(folder, "imported.jsonl")
        profiler = cProfile.Profile()
        profiler.enable()
        result = import_export([str(export)], "bybit", "me")
        write_ledger(result.events, ledger, "jsonl")
        profiler.disable()
        del result
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
        out.append(f"cProfile: import of {export.name}\n{text.getvalue()}")
        profiler = cProfile.Profile()
        profiler.enable()
        audit_ledger(ledger, "jsonl", AuditOptions())
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
        out.append(f"cProfile: audit of the imported ledger\n{text.getvalue()}")
    return "\n".join(out)


# ---- the command -------------------------------------------------------------------------

_LETTERS = {"import": "a", "audit-imported": "b", "audit-from": "c", "audit": "d", "orjson": "e"}


def format_table(rows: list[dict[str, Any]]) -> list[str]:
    """One line per task: CPU and wall time, x orjson's CPU time, records, peak memory."""
    lines = [
        f"     {'task':<15} {'cpu s':>9} {'wall s':>9} {'x orjson':>9} {'records':>10} "
        f"{'peak MB':>8}  violations"
    ]
    bare = next((f["cpu"] for f in rows if f["task"] == "orjson"), 0)
    for f in rows:
        ratio = f"{f['cpu'] / bare:.1f}" if bare > 0 else "-"
        lines.append(
            f"({_LETTERS[f['task']]})  {f['task']:<15} {f['cpu']:>9.1f} {f['wall']:>9.1f} "
            f"{ratio:>9} {f['events']:>10} {f['peak_mb']:>8.0f}  {f['violations']}"
        )
    return lines


def format_ratios(rows: list[dict[str, Any]]) -> list[str]:
    """(c)/(d) and (a+b)/(d), CPU time, against the target."""
    cpu = {f["task"]: f["cpu"] for f in rows}
    if "audit" not in cpu or cpu["audit"] <= 0:
        return []
    lines = []
    pairs = (("(c)/(d)", ("audit-from",)), ("(a+b)/(d)", ("import", "audit-imported")))
    for name, tasks in pairs:
        if all(task in cpu for task in tasks):
            ratio = sum(cpu[task] for task in tasks) / cpu["audit"]
            verdict = "met" if ratio < TARGET else "NOT met"
            lines.append(f"{name:<10} {ratio:.2f}  (target < {TARGET}: {verdict})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ExportParams.rows, help="export rows")
    parser.add_argument("--markets", type=int, default=ExportParams.markets, choices=range(1, 7))
    parser.add_argument("--seed", type=int, default=ExportParams.seed)
    parser.add_argument("--layout", choices=LAYOUTS, default=ExportParams.layout)
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"of {', '.join(TASKS)}")
    parser.add_argument("--out", default=str(ROOT / "out" / "bench"))
    parser.add_argument(
        "--simulate-max",
        type=int,
        default=1_000_000,
        help="canonical ledgers above this many events repeat a simulated one (bench_audit.py)",
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="also profile the import and the audit"
    )
    parser.add_argument("--child", nargs=2, metavar=("TASK", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--write-export", metavar="PARAMS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder = Path(args.out)
    if args.child:
        print(json.dumps(run_task(*args.child)))
        return 0
    if args.write_export:
        params = ExportParams(**json.loads(args.write_export))
        started = time.perf_counter()
        written = write_export(params.path(folder), params)
        print(f"  wrote {written} rows in {time.perf_counter() - started:.0f} s", flush=True)
        return 0
    params = ExportParams(rows=args.rows, markets=args.markets, seed=args.seed, layout=args.layout)
    tasks = [task for task in args.tasks.split(",") if task]
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        raise SystemExit(f"unknown tasks {', '.join(unknown)} (known: {', '.join(TASKS)})")
    print(f"python {sys.version.split()[0]}, orjson {orjson.__version__}, {os.cpu_count()} cores")
    export = export_for(params, folder)
    print(f"{export.name}: {export.stat().st_size / 1e6:.0f} MB", flush=True)
    canonical = None
    if "audit" in tasks:
        canonical = ledger_for(args.rows, BaseParams(), folder, args.simulate_max)
        print(f"{canonical.name}: {canonical.stat().st_size / 1e6:.0f} MB", flush=True)
    rows: list[dict[str, Any]] = []
    for task in TASKS:
        if task not in tasks:
            continue
        if task == "audit":
            assert canonical is not None
            figures = measure("audit", canonical)
        else:
            figures = measure(task, export, script=__file__)
        rows.append(figures)
        print("  " + format_table(rows)[-1], flush=True)
    print()
    for line in [*format_table(rows), "", *format_ratios(rows)]:
        print(line)
    if args.cprofile:
        print()
        print(profile_import(export))
    return 0


if __name__ == "__main__":
    sys.exit(main())
