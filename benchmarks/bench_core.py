"""The compiled scanner's benchmark behind ``make bench-core`` (docs/bench.md, the compiled
core).

On one simulated ledger (1M events by default, made or reused as ``make bench`` makes them:
``bench_audit.ledger_for``), in one run, each task in a fresh interpreter:

- ``orjson``: bare parsing, ``orjson.loads`` of every line: the yardstick;
- ``scan``: the compiled scanner alone over the file (``perpspec_scan_lines``, 4 MiB
  chunks): every line split and checked against the canonical subset, nothing decoded;
- ``fast``: :func:`perpspec._core.reader.iter_fast_jsonl`, every record decoded to an event;
- ``reference``: :func:`perpspec.ledger.jsonl.iter_jsonl`, the same, by the reference path.

Time is each task's own CPU time (start-up and imports excluded); ratios divide CPU times by
orjson's; peak memory is the child's maximum resident set. The fast and reference readers are
also checked to yield the same number of events and errors.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from bench_audit import ROOT, BaseParams, format_table, ledger_for, measure

TASKS = ("orjson", "scan", "fast", "reference")


def _run_scan(path: str) -> tuple[int, int]:
    from perpspec._core import LINE_HANDLED, load_core
    from perpspec._core.reader import CHUNK_BYTES, LINES_PER_CALL

    core = load_core()
    if core is None:
        raise SystemExit("the compiled core is not built: nothing to measure")
    out = (ctypes.c_int64 * (2 * LINES_PER_CALL))()
    lines = handled = 0
    with open(path, "rb") as handle:
        pending = b""
        at_end = False
        while not at_end:
            chunk = handle.read(CHUNK_BYTES)
            at_end = not chunk
            data = pending + chunk
            offset = 0
            while offset < len(data):
                count = core.scan_lines(data, offset, at_end, 1 << 20, out)
                if count == 0:
                    break
                lines += count
                handled += sum(1 for status in out[1 : 2 * count : 2] if status == LINE_HANDLED)
                offset += out[2 * count - 2]
            pending = data[offset:]
    return lines, handled


def run_task(task: str, path: str) -> dict[str, Any]:
    """Run one task on ``path``; its figures (time excludes start-up and imports)."""
    from perpspec._core import load_core
    from perpspec._core.reader import iter_fast_jsonl
    from perpspec.ledger.errors import LedgerError
    from perpspec.ledger.jsonl import iter_jsonl

    load_core()
    wall, cpu = time.perf_counter(), time.process_time()
    events = errors = 0
    if task == "orjson":
        with open(path, "rb") as handle:
            for line in handle:
                orjson.loads(line)
                events += 1
    elif task == "scan":
        events, handled = _run_scan(path)
        errors = events - handled  # lines not handled: the general reader's
    elif task in ("fast", "reference"):
        read = iter_fast_jsonl if task == "fast" else iter_jsonl
        for item in read(path):
            if isinstance(item, LedgerError):
                errors += 1
            else:
                events += 1
    else:
        raise SystemExit(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    return {
        "task": task,
        "events": events,
        "violations": errors,
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--simulate-max",
        type=int,
        default=1_000_000,
        help="simulate at most this many events; a larger ledger repeats them (bench_audit)",
    )
    parser.add_argument("--out", default=str(ROOT / "out" / "bench"))
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"of {', '.join(TASKS)}")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_task(*args.child)))
        return 0
    path = ledger_for(args.events, BaseParams(), Path(args.out), args.simulate_max)
    print(f"python {sys.version.split()[0]}, orjson {orjson.__version__}, {os.cpu_count()} cores")
    print(
        f"{path.name}: {path.stat().st_size / 1e6:.0f} MB (last column: errors; for scan, "
        "lines not handled)",
        flush=True,
    )
    rows: list[tuple[int, dict[str, Any]]] = []
    for task in (task for task in args.tasks.split(",") if task):
        rows.append((args.events, measure(task, path, __file__)))
        print("  " + format_table(rows)[-1], flush=True)
    print()
    for line in format_table(rows):
        print(line)
    read = {f["task"]: (f["events"], f["violations"]) for _, f in rows}
    if "fast" in read and "reference" in read and read["fast"] != read["reference"]:
        raise SystemExit(f"the readers differ: fast {read['fast']}, reference {read['reference']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
