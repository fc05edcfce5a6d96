"""The audit benchmark behind ``make bench`` (docs/bench.md; issue 6, item 6).

For each size (events) it makes a ledger under ``out/bench/`` (or reuses the one already
there: the file name holds every parameter), then measures, each in a fresh subprocess so
that peak memory is that task's alone:

- ``orjson``: bare parsing, ``orjson.loads`` of every line (the fastest JSON parser
  installed), and ``json``: the same with the standard library;
- ``floor-decimal`` and ``floor-fraction``: the least any exact audit written in Python does
  per record, and nothing more: ``orjson.loads``, every top-level number field made an exact
  number (``decimal.Decimal``, the standard library's C decoder, or ``fractions.Fraction``),
  and each account's position per market kept from the trades. No check, no validation: a
  lower bound on the audit's time, against which the 3x target is read (docs/bench.md);
- ``floor-book``: ``floor-decimal`` plus the least bookkeeping any audit does, still with no
  check: ``seq`` compared, each trade side's size and cost basis (``q`` and ``q x price``)
  and fees, deposits and withdrawals in a cash total, all in ``Decimal`` with inexact
  results trapped (they are exact: sums and products of short decimals);
- ``read``: the ledger reader alone (exact JSON numbers, every record decoded to an event);
- ``audit``: the full audit without a profile (``perpspec audit LEDGER``);
- ``audit-profile``: the full audit with ``--profile seed-gate``.

Time is the task's own CPU time (``time.process_time``, the interpreter's start and imports
excluded) and its wall time; the ratios use CPU time, which other load on the machine
disturbs far less than wall time. Peak memory is the child's maximum resident set
(``os.wait4``), interpreter included.

How the ledgers are made: sizes up to ``--simulate-max`` events are simulated by the
reference engine (crash scenario, ``seed-gate``), cut before the first input at or after the
size, so the ledger ends between two inputs and stays complete. Larger sizes are the
simulated base ledger repeated: copy ``k`` renames every account, market, fund, liquidation
and cycle with the prefix ``c<k>.``, shifts ``seq`` (and the input a rejection names) past the
previous copy and its times past the previous copy's last instant. Each copy is then a
separate market with its own traders, so the file is a valid ledger (checked before the big
file is built: a small simulated ledger repeated three times audits clean under the
profile). The engine simulates about a thousand events a second on this kind of machine, so
ten million simulated events would take hours.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import decimal
import io
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
TASKS = (
    "orjson",
    "json",
    "floor-decimal",
    "floor-fraction",
    "floor-book",
    "read",
    "audit",
    "audit-profile",
)
PROFILE = "seed-gate"


@dataclasses.dataclass(frozen=True)
class BaseParams:
    """The simulated base ledger's parameters (all in its file name)."""

    accounts: int = 1000
    steps: int = 200_000
    seed: int = 0
    scenario: str = "crash"
    profile: str = PROFILE

    def stem(self) -> str:
        """The file name's stem: every parameter, and the settlement unit the simulator books
        in (a ledger made with another unit is another ledger)."""
        from perpspec.reference.numbers import format_number
        from perpspec.reference.simulation.runner import SETTLEMENT_UNIT

        unit = format_number(SETTLEMENT_UNIT)
        return f"{self.scenario}-{self.profile}-a{self.accounts}-t{self.steps}-s{self.seed}-u{unit}"


def get_audit_options(with_profile: bool) -> Any:
    """The audit's options for a simulated ledger, as ``perpspec audit`` takes them from the
    engine configuration: its settlement unit, and with ``with_profile`` the profile."""
    from perpspec.audit.run import AuditOptions
    from perpspec.reference.profile import load_profile
    from perpspec.reference.simulation.runner import SETTLEMENT_UNIT

    if not with_profile:
        return AuditOptions(unit=SETTLEMENT_UNIT)
    return AuditOptions(profile=load_profile(PROFILE), profile_name=PROFILE, unit=SETTLEMENT_UNIT)


# ---- making the ledgers ----------------------------------------------------------------


def _cut_at_input(events: Iterable[Any], target: int) -> Iterator[Any]:
    """The events up to, not including, the first input at or after ``target`` events:
    the cut falls between two inputs, so no liquidation or rejection is left half written."""
    from perpspec.reference.events import INPUT_TYPES

    for count, event in enumerate(events):
        if count >= target and event.TYPE in INPUT_TYPES:
            return
        yield event


def simulate_ledger(path: Path, target: int, params: BaseParams) -> int:
    """Simulate ``params`` and write its first ``target`` events (cut at an input)."""
    from perpspec.ledger.jsonl import write_jsonl
    from perpspec.reference.profile import load_profile
    from perpspec.reference.simulation.runner import build_config, run_simulation
    from perpspec.reference.simulation.spec import Scenario, SimulationSpec

    spec = SimulationSpec(
        accounts=params.accounts,
        steps=params.steps,
        seed=params.seed,
        scenario=Scenario(params.scenario),
    )
    config = build_config(spec, load_profile(params.profile))
    started = time.perf_counter()
    last = [started]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 60:
            last[0] = now
            print(f"  simulated {done}/{total} steps, {now - started:.0f} s", flush=True)

    partial = path.with_suffix(".partial")
    written = write_jsonl(_cut_at_input(run_simulation(spec, config, progress), target), partial)
    partial.replace(path)
    print(f"  simulated {written} events in {time.perf_counter() - started:.0f} s", flush=True)
    return written


_ACCOUNT_FIELDS = ("account", "buyer", "seller", "counterparty")


def _rename_account(name: str, prefix: str) -> str:
    for system in ("insurance:", "engine:"):
        if name.startswith(system):
            return system + prefix + name[len(system) :]
    if name in ("fees", "system_loss"):
        return name
    return prefix + name


def rename_record(
    record: dict[str, Any], prefix: str, seq_offset: int, shift: timedelta, times: dict[str, str]
) -> dict[str, Any]:
    """One record of copy ``prefix``: names prefixed, seq and times shifted (module doc)."""
    record["seq"] += seq_offset
    ts = record["ts"]
    moved = times.get(ts)
    if moved is None:
        moved = (datetime.fromisoformat(ts.replace("Z", "+00:00")) + shift).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        times[ts] = moved
    record["ts"] = moved
    for key in _ACCOUNT_FIELDS:
        if key in record:
            record[key] = _rename_account(record[key], prefix)
    for key in ("market", "fund", "cycle"):
        if key in record:
            record[key] = prefix + record[key]
    if record["type"] == "liquidation":
        record["id"] = prefix + record["id"]
    if record.get("liquidation") is not None:
        record["liquidation"] = prefix + record["liquidation"]
    if "liquidations" in record:
        record["liquidations"] = [prefix + item for item in record["liquidations"]]
    if "payments" in record:
        for payment in record["payments"]:
            payment["account"] = _rename_account(payment["account"], prefix)
    if record["type"] == "rejection":
        record["input"] += seq_offset
    return record


def _span(base: Path) -> tuple[int, timedelta]:
    """The base ledger's last seq, and its length in time plus one minute."""
    first = last = None
    last_seq = 0
    with open(base, "rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            first = first or record["ts"]
            last = record["ts"]
            last_seq = record["seq"]
    assert first is not None and last is not None
    start = datetime.fromisoformat(first.replace("Z", "+00:00"))
    end = datetime.fromisoformat(last.replace("Z", "+00:00"))
    return last_seq, end - start + timedelta(minutes=1)


def repeat_ledger(base: Path, path: Path, target: int) -> int:
    """Write copies of ``base`` (renamed, module doc) until ``target`` events, cut at an
    input; return the number of events written."""
    from perpspec.reference.events import INPUT_TYPES

    last_seq, span = _span(base)
    partial = path.with_suffix(".partial")
    count = 0
    copy = 0
    with open(partial, "wb") as out:
        while True:
            times: dict[str, str] = {}
            prefix = f"c{copy}."
            with open(base, "rb") as handle:
                for line in handle:
                    record = orjson.loads(line)
                    if count >= target and record["type"] in INPUT_TYPES:
                        partial.replace(path)
                        return count
                    if copy:
                        record = rename_record(record, prefix, copy * last_seq, copy * span, times)
                    out.write(orjson.dumps(record))
                    out.write(b"\n")
                    count += 1
            copy += 1


def check_repetition() -> None:
    """A small simulated crash ledger repeated three times must audit clean with the
    profile: the repetition makes valid ledgers (module doc)."""
    import tempfile

    from perpspec.audit.run import audit_ledger

    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.jsonl"
        simulate_ledger(small, 10**9, BaseParams(accounts=30, steps=200, seed=0))
        lines = len(small.read_bytes().splitlines())
        repeated = Path(folder) / "repeated.jsonl"
        written = repeat_ledger(small, repeated, 3 * lines)
        report = audit_ledger(repeated, None, get_audit_options(True))
        liquidations = repeated.read_bytes().count(b'"type":"liquidation"')
        if report.violations or written != 3 * lines:
            raise SystemExit(
                f"repetition self-check failed: {len(report.violations)} violations, "
                f"{written} events for 3 x {lines}; first: {report.violations[:1]}"
            )
        print(
            f"  repetition self-check: 3 x {lines} events ({liquidations} liquidations) audit "
            f"clean under {PROFILE}",
            flush=True,
        )


def ledger_for(size: int, params: BaseParams, folder: Path, simulate_max: int) -> Path:
    """The ledger of ``size`` events: reused when present, else simulated or repeated."""
    folder.mkdir(parents=True, exist_ok=True)
    if size <= simulate_max:
        path = folder / f"{params.stem()}-n{size}.jsonl"
        if not path.exists():
            print(f"simulating {path} ...", flush=True)
            simulate_ledger(path, size, params)
        return path
    base = ledger_for(simulate_max, params, folder, simulate_max)
    path = folder / f"{params.stem()}-n{simulate_max}-x-n{size}.jsonl"
    if not path.exists():
        check_repetition()
        print(f"repeating {base.name} into {path} ...", flush=True)
        started = time.perf_counter()
        written = repeat_ledger(base, path, size)
        print(f"  wrote {written} events in {time.perf_counter() - started:.0f} s", flush=True)
    return path


# ---- the measured tasks (each in its own process) ----------------------------------------


def _get_number_fields() -> dict[str, tuple[str, ...]]:
    """Per event type, its top-level exact-number fields (the ledger's own field table)."""
    from perpspec.ledger.fields import FieldKind, get_field_specs
    from perpspec.reference.events import EVENT_TYPES

    numbers = (FieldKind.NUMBER, FieldKind.POSITIVE, FieldKind.NONNEGATIVE)
    return {
        event_type: tuple(spec.name for spec in get_field_specs(event_type) if spec.kind in numbers)
        for event_type in EVENT_TYPES
    }


def _decode_numbers(
    record: dict[str, Any], number_fields: dict[str, tuple[str, ...]], exact: Any
) -> dict[str, Any]:
    """The record's top-level number fields as ``exact`` numbers (absent or null ones left
    out: the floors bound a reader, they are not one)."""
    return {
        name: exact(record[name])
        for name in number_fields.get(record["type"], ())
        if record.get(name) is not None
    }


def run_floor(path: str, exact: Any) -> int:
    """The floor tasks (module docstring): parse, decode the numbers with ``exact``, keep the
    positions; return the number of records. Absent or null fields are skipped, not refused:
    this is a bound, not a reader."""
    number_fields = _get_number_fields()
    positions: dict[tuple[str, str], Any] = {}
    zero = exact(0)
    records = 0
    with open(path, "rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            records += 1
            values = _decode_numbers(record, number_fields, exact)
            if record["type"] == "trade":
                market, qty = record["market"], values["qty"]
                buyer, seller = (record["buyer"], market), (record["seller"], market)
                positions[buyer] = positions.get(buyer, zero) + qty
                positions[seller] = positions.get(seller, zero) - qty
    return records


def run_floor_book(path: str) -> int:
    """The ``floor-book`` task (module docstring); return the number of records."""
    context = decimal.Context(prec=80, traps=[decimal.Inexact, decimal.InvalidOperation])
    decimal.setcontext(context)
    number_fields = _get_number_fields()
    zero = Decimal(0)
    sizes: dict[tuple[str, str], Decimal] = {}
    costs: dict[tuple[str, str], Decimal] = {}
    cash: dict[str, Decimal] = {}
    last_seq = records = 0
    with open(path, "rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            records += 1
            if record["seq"] <= last_seq:
                raise SystemExit(f"seq {record['seq']} after {last_seq}")
            last_seq = record["seq"]
            kind = record["type"]
            values = _decode_numbers(record, number_fields, Decimal)
            if kind == "trade":
                market, qty, price = record["market"], values["qty"], values["price"]
                for account, signed, fee in (
                    (record["buyer"], qty, values["buyer_fee"]),
                    (record["seller"], -qty, values["seller_fee"]),
                ):
                    key = (account, market)
                    sizes[key] = sizes.get(key, zero) + signed
                    costs[key] = costs.get(key, zero) + signed * price
                    cash[account] = cash.get(account, zero) - fee
            elif kind in ("deposit", "withdrawal"):
                amount = values["amount"] if kind == "deposit" else -values["amount"]
                cash[record["account"]] = cash.get(record["account"], zero) + amount
    return records


def run_task(task: str, path: str) -> dict[str, Any]:
    """Run one task on ``path``; return its figures (time excludes start-up and imports)."""
    from perpspec.audit.run import audit_ledger
    from perpspec.ledger.io import iter_ledger

    options = None
    if task in ("audit", "audit-profile"):
        options = get_audit_options(task == "audit-profile")
    wall, cpu = time.perf_counter(), time.process_time()
    events = violations = 0
    if task in ("orjson", "json"):
        decode = orjson.loads if task == "orjson" else json.loads
        with open(path, "rb") as handle:
            for line in handle:
                decode(line)
                events += 1
    elif task in ("floor-decimal", "floor-fraction"):
        events = run_floor(path, Decimal if task == "floor-decimal" else Fraction)
    elif task == "floor-book":
        events = run_floor_book(path)
    elif task == "read":
        for _ in iter_ledger(path):
            events += 1
    elif options is not None:
        report = audit_ledger(path, None, options)
        events = report.events
        violations = sum(check.violations for check in report.checks)
    else:
        raise SystemExit(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    return {
        "task": task,
        "events": events,
        "violations": violations,
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
    }


def measure(task: str, path: Path, script: str = __file__) -> dict[str, Any]:
    """Run ``task`` in a fresh interpreter (``script --child TASK FILE``: this one's tasks by
    default, bench_import.py's when it passes its own); add its peak resident memory (MB)."""
    child = subprocess.Popen(
        [sys.executable, script, "--child", task, str(path)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{task} on {path} failed (exit {child.returncode})")
    figures: dict[str, Any] = json.loads(output)
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures


def profile_audit(path: Path, with_profile: bool, top: int = 15) -> str:
    """cProfile of the audit of ``path``: the ``top`` functions by own time."""
    from perpspec.audit.run import audit_ledger

    options = get_audit_options(with_profile)
    profiler = cProfile.Profile()
    profiler.enable()
    audit_ledger(path, None, options)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()


# ---- the command -------------------------------------------------------------------------


def format_table(rows: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """The results: one line per (size, task), ratios against orjson's CPU time."""
    lines = [
        f"{'events':>10}  {'task':<13} {'cpu s':>9} {'wall s':>9} {'x orjson':>9} "
        f"{'events/s':>10} {'peak MB':>8}  violations"
    ]
    bare = {size: f["cpu"] for size, f in rows if f["task"] == "orjson"}
    for size, f in rows:
        ratio = f"{f['cpu'] / bare[size]:.1f}" if size in bare and bare[size] > 0 else "-"
        rate = f"{f['events'] / f['cpu']:.0f}" if f["cpu"] > 0 else "-"
        lines.append(
            f"{f['events']:>10}  {f['task']:<13} {f['cpu']:>9.1f} {f['wall']:>9.1f} {ratio:>9} "
            f"{rate:>10} {f['peak_mb']:>8.0f}  {f['violations']}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="ledger sizes in events")
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"of {', '.join(TASKS)}")
    parser.add_argument(
        "--large-tasks", help="tasks for sizes above --simulate-max (default: --tasks)"
    )
    parser.add_argument("--simulate-max", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(ROOT / "out" / "bench"))
    parser.add_argument("--accounts", type=int, default=BaseParams.accounts)
    parser.add_argument("--steps", type=int, default=BaseParams.steps)
    parser.add_argument("--seed", type=int, default=BaseParams.seed)
    parser.add_argument(
        "--cprofile",
        metavar="EVENTS",
        type=int,
        help="also profile the audit of a ledger this size",
    )
    parser.add_argument("--child", nargs=2, metavar=("TASK", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_task(*args.child)))
        return 0
    params = BaseParams(accounts=args.accounts, steps=args.steps, seed=args.seed)
    folder = Path(args.out)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    tasks = [task for task in args.tasks.split(",") if task]
    large = [task for task in (args.large_tasks or args.tasks).split(",") if task]
    print(f"python {sys.version.split()[0]}, orjson {orjson.__version__}, {os.cpu_count()} cores")
    rows: list[tuple[int, dict[str, Any]]] = []
    for size in sizes:
        path = ledger_for(size, params, folder, args.simulate_max)
        megabytes = path.stat().st_size / 1e6
        print(f"{path.name}: {megabytes:.0f} MB", flush=True)
        for task in tasks if size <= args.simulate_max else large:
            figures = measure(task, path)
            rows.append((size, figures))
            print("  " + format_table(rows)[-1], flush=True)
    print()
    for line in format_table(rows):
        print(line)
    if args.cprofile:
        path = ledger_for(args.cprofile, params, folder, args.simulate_max)
        for with_profile in (False, True):
            print(f"\ncProfile: audit of {path.name}" + (f" --profile {PROFILE}" * with_profile))
            print(profile_audit(path, with_profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
