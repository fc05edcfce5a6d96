"""The crash readable in the HTML report: the busiest burst of liquidations and ADL fills is
drawn again event by event (x the events' seq), since a crash's events often share one second
of ts and the time plots draw them at one x position."""

from __future__ import annotations

import re

from perpspec.audit.html import (
    CRASH_AXIS,
    CRASH_GAP_SECONDS,
    CrashWindow,
    get_crash_window,
    plot_crash,
    render_plots,
)
from perpspec.audit.report import Series

#: A quiet liquidation at 00:10, then the crash: three liquidations at one ts (01:00:00) and
#: two ADL fills 4 and 5 minutes after it (each within 5 minutes of the one before).
CRASH = Series(
    funds={"main": [(1, "2024-01-01T00:00:00Z", "1000"), (12, "2024-01-01T01:00:00Z", "200")]},
    marks={
        "BTC-PERP": [
            (2, "2024-01-01T00:00:00Z", "50000"),
            (10, "2024-01-01T01:00:00Z", "41000"),
            (30, "2024-01-01T02:00:00Z", "40000"),
        ]
    },
    liquidations=[
        (3, "2024-01-01T00:10:00Z", "BTC-PERP", "49000"),
        (11, "2024-01-01T01:00:00Z", "BTC-PERP", "41000"),
        (13, "2024-01-01T01:00:00Z", "BTC-PERP", "41000"),
        (15, "2024-01-01T01:00:00Z", "BTC-PERP", "41000"),
    ],
    adl=[
        (17, "2024-01-01T01:04:00Z", "BTC-PERP", "41500"),
        (19, "2024-01-01T01:09:00Z", "BTC-PERP", "41600"),
    ],
)


def test_the_window_is_the_busiest_burst() -> None:
    # 00:10 -> 01:00 is 50 minutes (> 5): two bursts, {3} and {11, 13, 15, 17, 19}; the 01:04
    # -> 01:09 step is exactly 5 minutes, not more, so it stays in the burst.
    assert CRASH_GAP_SECONDS == 300
    assert get_crash_window(CRASH) == CrashWindow(
        (11, "2024-01-01T01:00:00Z"), (19, "2024-01-01T01:09:00Z"), 3, 2
    )


def test_of_equal_bursts_the_earliest_is_the_window() -> None:
    series = Series(
        liquidations=[
            (1, "2024-01-01T00:00:00Z", "M", "1"),
            (9, "2024-01-01T03:00:00Z", "M", "1"),
        ]
    )
    assert get_crash_window(series) == CrashWindow(
        (1, "2024-01-01T00:00:00Z"), (1, "2024-01-01T00:00:00Z"), 1, 0
    )


def test_without_readable_times_bursts_are_cut_by_seq() -> None:
    # Seq span 0..1000 (the mark at 0, the last event at 1000): the cut is 1% of it, 10 seqs.
    # 500 -> 505 -> 515 are within 10; 515 -> 1000 is not.
    series = Series(
        marks={"M": [(0, "t0", "10")]},
        liquidations=[(500, "t1", "M", "9"), (505, "t1", "M", "9"), (1000, "t3", "M", "8")],
        adl=[(515, "t2", "M", "9")],
    )
    assert get_crash_window(series) == CrashWindow((500, "t1"), (515, "t2"), 2, 1)


def test_events_at_one_ts_stand_apart_in_ledger_order() -> None:
    svg = plot_crash(CRASH)
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    flat = " ".join(re.sub(r"<[^>]+>", " ", text) for text in texts)
    # The three liquidations at 01:00:00 have ticks of their own seq, 11, 13 and 15, each
    # above the same time of day; the window's last event, 19, is ticked at 01:09:00.
    for seq in ("11", "13", "15", "19"):
        assert re.search(rf"\b{seq}\b", flat), seq
    assert flat.count("01:00:00") >= 3
    assert "01:09:00" in flat
    assert "3 liquidations and 2 ADL fills, seq 11 to 19" in flat
    assert "event seq within the crash" in flat and CRASH_AXIS.startswith("event seq")


def test_the_report_has_the_crash_plot_after_the_marks() -> None:
    captions = [caption for caption, _ in render_plots(CRASH)]
    assert captions[2].startswith("The crash, event by event: the busiest burst")
    assert "seq 11 (2024-01-01T01:00:00Z) to seq 19 (2024-01-01T01:09:00Z)" in captions[2]


def test_a_ledger_without_liquidations_says_so() -> None:
    assert "no liquidation or ADL fill in this ledger" in plot_crash(Series())
