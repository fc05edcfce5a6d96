"""Reading streams: memory bounded by a line, not by the file (DESIGN, Ledger; audit of
large exports).

The peak is measured in a fresh interpreter, as the growth of its maximum resident set while
it reads a 200,000-line ledger. tracemalloc would measure the same thing but slows every
allocation several times over, which would make this test take tens of seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

LINES = 200_000

MEASURE = """
import json, resource, sys, time
from perpspec.ledger.io import iter_ledger

def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes

path, fmt = sys.argv[1], sys.argv[2]
items = iter_ledger(path, fmt)
first = next(items)  # the file is open and every module imported
start, clock = peak(), time.perf_counter()
events = errors = 0
for item in items:
    if isinstance(item, tuple):
        events += 1
    else:
        errors += 1
print(json.dumps({"events": events, "errors": errors, "growth": peak() - start,
                  "seconds": time.perf_counter() - clock}))
"""


def write_big_ledger(path: Path) -> None:
    """200,000 lines: marks at varying prices and, every tenth line, a trade."""
    trade = (
        b'{"seq":%d,"ts":"2024-03-01T00:00:00.%03dZ","type":"trade","market":"BTCUSDT",'
        b'"buyer":"trader-%d","seller":"trader-%d","qty":"0.%03d","price":"%d.5",'
        b'"buyer_fee":"0.01","seller_fee":"-0.002"}\n'
    )
    mark = (
        b'{"seq":%d,"ts":"2024-03-01T00:00:00.%03dZ","type":"mark","market":"BTCUSDT",'
        b'"price":"%d.5"}\n'
    )
    with open(path, "wb") as handle:
        for start in range(1, LINES + 1, 10_000):
            chunk = []
            for seq in range(start, start + 10_000):
                price = 20_000 + seq % 700
                if seq % 10 == 0:
                    chunk.append(
                        trade % (seq, seq % 1000, seq % 97, seq % 89, seq % 999 + 1, price)
                    )
                else:
                    chunk.append(mark % (seq, seq % 1000, price))
            handle.write(b"".join(chunk))


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kilobytes on Linux")
def test_reading_200k_lines_keeps_memory_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_big_ledger(path)
    size = path.stat().st_size
    assert size > 18_000_000  # about 19 MB of text; as typed events several times that
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), "jsonl"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    measured = json.loads(result.stdout)
    assert (measured["events"], measured["errors"]) == (LINES - 1, 0)  # after the first
    # Holding the file would grow the process by its size at least; streaming stays flat.
    assert measured["growth"] < min(20_000_000, size // 4), measured
