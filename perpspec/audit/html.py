"""The audit report as one self-contained HTML file (``perpspec audit --html REPORT``; issue 6).

One file an auditor can hand on and open anywhere, offline, and print: plain HTML with inline
CSS (print rules included), no script, no font or image to fetch. In reading order: the
verdict; the summary (file, SHA-256, events, the command line, the profile and the SHA-256 of
its TOML, the settlement unit, the checks run); every violation up to
:data:`MAX_HTML_VIOLATIONS` rows (the counts stay exact); one row per check (examined,
violations, or why it was skipped); the fields not read; and four plots drawn by matplotlib as
inline SVG: each insurance fund's balance over time, each market's mark price path with its
liquidations and ADL fills, and the socialized charges per cycle. The time plots run along the
events' ``ts`` and mark every violation where it happened (a red dashed line).

matplotlib is imported only here, inside :func:`render_plots`, so an audit without ``--html``
never loads it. Every text from the ledger goes through :func:`html.escape`.
"""

from __future__ import annotations

import hashlib
import html
import importlib.resources
import io
import itertools
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from perpspec import __version__
from perpspec.audit.report import AuditReport, CheckResult, Series, Violation

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MAX_HTML_VIOLATIONS",
    "MAX_PLOTTED_MARKETS",
    "CrashWindow",
    "ReportContext",
    "Timeline",
    "describe_profile_digest",
    "get_crash_window",
    "get_plot_coordinate",
    "get_timeline",
    "get_violation_moments",
    "parse_time",
    "plot_crash",
    "plot_funds",
    "plot_marks",
    "plot_socialized",
    "render_checks",
    "render_html",
    "render_plots",
    "render_summary",
    "render_verdict",
    "render_violations",
    "write_html",
]

#: Violation rows written into a report; beyond this a note says how many more there are.
MAX_HTML_VIOLATIONS = 10_000
#: The time plots run along the events' ``ts`` (UTC), the clock an auditor reads a crash by; a
#: ledger whose times cannot all be read as ISO 8601 is drawn along its seq instead, and says
#: so on the axis.
TIME_AXIS = "time (UTC, the events' ts)"
SEQ_AXIS = "event seq (ledger order; some ts not ISO 8601)"
#: Markets drawn on the mark-price plot (those with the most liquidations and ADL fills).
MAX_PLOTTED_MARKETS = 12

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a;
       margin: 2em auto; max-width: 1200px; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td { overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.vtable { table-layout: fixed; width: 100%; }
table.vtable td:first-child { overflow-wrap: normal; word-break: normal; }
tr.bad td { background: #fdecea; } tr.skip td { color: #777; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
              font-size: 0.9em; }
.record { max-height: 7.5em; overflow: auto; white-space: pre-wrap; word-break: break-all; }
.verdict { font-size: 1.1em; font-weight: 600; padding: 0.4em 0.7em; display: inline-block; }
.clean { background: #e6f4ea; } .violations { background: #fdecea; }
.unreadable { background: #fff4d6; }
.note { color: #555; } figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; }
.violations-marker { color: #c0392b; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { font-size: 9.5pt; margin: 0; max-width: none; padding: 0; }
  h2 { break-after: avoid; } tr, figure { break-inside: avoid; }
  .record { max-height: none; overflow: visible; }
  a { color: inherit; text-decoration: none; }
  .verdict, tr.bad td, th { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


# ---- numbers and times for drawing --------------------------------------------------------


def get_plot_coordinate(text: str) -> float:
    """A plot coordinate for the exact number ``text`` (a ``format_number`` string).

    This is the one place the audit turns a number into a float, and only because a plot
    places points in pixels: a float's rounding moves a mark by far less than a pixel and
    never reaches a figure the report states (those stay exact strings). Money is never
    computed with the result. The series are the audit's own ``format_number`` strings, so
    they are parsed as they are, whatever their length.
    """
    number = Fraction(text)
    try:
        return float(number)
    except OverflowError:
        # Beyond a float's range (a ledger may state numbers of up to 200 digits): the edge
        # of the plot, on the right side.
        return -sys.float_info.max if number < 0 else sys.float_info.max


# ---- plots --------------------------------------------------------------------------------


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    # A bare Figure draws through its own canvas: no pyplot, no global backend or state.
    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure: Figure, salt: str) -> str:
    """The figure as an inline ``<svg>`` element: text kept as text (no font to embed or
    fetch), no metadata, ids salted per plot so the plots' ids never collide."""
    import matplotlib

    buffer = io.StringIO()
    # Layout warnings (an axis spanning 200-digit values) would interleave with the audit's
    # own output on stderr; the plot is drawn either way.
    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", UserWarning)
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="#555")
    axes.set_xticks([])
    axes.set_yticks([])


#: A ledger's ``ts`` as the record text writes it (the time of a violation's record).
_RECORD_TS = re.compile(r'"ts"\s*:\s*"([^"]+)"')


def parse_time(ts: str) -> datetime | None:
    """``ts`` as an aware UTC datetime, or None when it is not ISO 8601 (``Z`` or an offset;
    a time with no offset is read as UTC, the ledger format's zone)."""
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Timeline:
    """How the time plots place an event: at its ``ts`` when every time the plots hold reads
    as ISO 8601, else at its seq (the axis label says which)."""

    by_time: bool

    def x(self, seq: int, ts: str) -> float:
        """The x coordinate of the event ``seq`` written at ``ts``: matplotlib's date number
        of the time (days since its epoch), else the seq."""
        if self.by_time:
            from matplotlib.dates import date2num

            moment = parse_time(ts)
            assert moment is not None  # by_time holds only when every ts parses
            # matplotlib.dates ships without annotations
            return float(date2num(moment))  # type: ignore[no-untyped-call]
        return float(seq)

    @property
    def label(self) -> str:
        return TIME_AXIS if self.by_time else SEQ_AXIS


def get_violation_moments(violations: Sequence[Violation], series: Series) -> list[tuple[int, str]]:
    """Each violation's ``(seq, ts)``, to mark it on the time plots: the ``ts`` its record
    states, else the time of the last plotted point at or before its seq (the ledger's times
    never go back, so that is no later than the violation). A violation with neither (an
    unreadable record) is not marked; the table lists it."""
    points = sorted(
        (seq, ts)
        for path in (*series.funds.values(), *series.marks.values())
        for seq, ts, _ in path
    )
    moments: list[tuple[int, str]] = []
    for violation in violations:
        found = _RECORD_TS.search(violation.record)
        seq = violation.seq
        if found is not None and seq is not None:
            moments.append((seq, found.group(1)))
        elif seq is not None:
            before = [point for point in points if point[0] <= seq]
            if before:
                moments.append((seq, before[-1][1]))
    return moments


def get_timeline(series: Series, moments: Sequence[tuple[int, str]]) -> Timeline:
    """Time when every ts of the time plots and of the marked violations parses."""
    times = [ts for path in (*series.funds.values(), *series.marks.values()) for _, ts, _ in path]
    times += [ts for _, ts, _, _ in (*series.liquidations, *series.adl)]
    times += [ts for _, ts in moments]
    return Timeline(all(parse_time(ts) is not None for ts in times))


def _mark_violations(
    axes: Axes, moments: Sequence[tuple[int, str]], timeline: Timeline, label: bool
) -> None:
    """A red dashed line at each violation's time (one legend entry for them all)."""
    xs = sorted({timeline.x(seq, ts) for seq, ts in moments})
    for index, x in enumerate(xs):
        axes.axvline(
            x,
            color="#c0392b",
            linestyle="--",
            linewidth=0.9,
            alpha=0.8,
            zorder=2,
            label=f"violation ({len(moments)})" if label and index == 0 else None,
        )


def _format_time_axis(axes: Axes, timeline: Timeline) -> None:
    if timeline.by_time:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        # matplotlib.dates ships without annotations
        locator = AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        formatter = ConciseDateFormatter(locator, tz=UTC)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_formatter(formatter)


def _get_last_point(series: Series) -> tuple[int, str]:
    """The last (seq, ts) any series reached (the funds' and marks' plots share this end)."""
    ends = [points[-1][:2] for points in (*series.funds.values(), *series.marks.values())]
    return max(ends, default=(0, ""))


def plot_funds(
    series: Series, moments: Sequence[tuple[int, str]] = (), timeline: Timeline | None = None
) -> str:
    """Each insurance fund's balance after every event that moved it, as steps over time,
    with the violations marked."""
    figure = _new_figure(10, 3.6 if series.funds else 1.2)
    axes = figure.add_subplot()
    axes.set_title("Insurance fund balance", loc="left")
    if not series.funds:
        _note(axes, "no insurance fund in this ledger")
        return _svg(figure, "perpspec-funds")
    timeline = timeline or get_timeline(series, moments)
    end = timeline.x(*_get_last_point(series))
    start = min(timeline.x(*path[0][:2]) for path in series.funds.values())
    for fund, points in series.funds.items():
        xs = [timeline.x(seq, ts) for seq, ts, _ in points]
        values = [get_plot_coordinate(value) for _, _, value in points]
        # No event after a fund's last point moved it: its balance holds to the end.
        axes.step([*xs, end], [*values, values[-1]], where="post", label=fund, linewidth=1.4)
    _mark_violations(axes, moments, timeline, label=True)
    if end > start:
        axes.set_xlim(start, end)
    axes.set_ylabel("balance (settle asset)")
    axes.set_xlabel(timeline.label)
    _format_time_axis(axes, timeline)
    axes.grid(alpha=0.3)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)
    axes.legend(fontsize="small")
    return _svg(figure, "perpspec-funds")


def _get_plotted_markets(series: Series) -> tuple[list[str], int]:
    """The markets to draw (most liquidations and ADL fills first, then by name) and how
    many were left out."""
    weight: dict[str, int] = dict.fromkeys(series.marks, 0)
    for _, _, market, _ in (*series.liquidations, *series.adl):
        weight[market] = weight.get(market, 0) + 1
    chosen = sorted(weight, key=lambda market: (-weight[market], market))[:MAX_PLOTTED_MARKETS]
    return sorted(chosen), len(weight) - len(chosen)


def plot_marks(
    series: Series, moments: Sequence[tuple[int, str]] = (), timeline: Timeline | None = None
) -> str:
    """Each market's mark price path with its liquidations (at their mark) and ADL fills
    (at their price), one panel a market, sharing the time axis, the violations marked."""
    markets, omitted = _get_plotted_markets(series)
    if not markets:
        figure = _new_figure(10, 1.2)
        axes = figure.add_subplot()
        axes.set_title("Mark price, liquidations and ADL fills", loc="left")
        _note(axes, "no mark price in this ledger")
        return _svg(figure, "perpspec-marks")
    timeline = timeline or get_timeline(series, moments)
    figure = _new_figure(10, 1.0 + 2.4 * len(markets))
    panels = figure.subplots(len(markets), 1, sharex=True, squeeze=False)[:, 0]
    title = "Mark price, liquidations and ADL fills"
    if omitted:
        title += f" ({omitted} quieter markets not drawn)"
    figure.suptitle(title, x=0.01, ha="left")
    for index, (axes, market) in enumerate(zip(panels, markets, strict=True)):
        marks = series.marks.get(market, [])
        axes.step(
            [timeline.x(seq, ts) for seq, ts, _ in marks],
            [get_plot_coordinate(price) for _, _, price in marks],
            where="post",
            color="#4a6fa5",
            linewidth=1.1,
            label="mark",
        )
        liquidations = [(s, t, p) for s, t, m, p in series.liquidations if m == market]
        adl = [(s, t, p) for s, t, m, p in series.adl if m == market]
        if liquidations:
            axes.scatter(
                [timeline.x(seq, ts) for seq, ts, _ in liquidations],
                [get_plot_coordinate(price) for _, _, price in liquidations],
                marker="v",
                s=28,
                color="#d62728",
                zorder=3,
                label=f"liquidation ({len(liquidations)})",
            )
        if adl:
            axes.scatter(
                [timeline.x(seq, ts) for seq, ts, _ in adl],
                [get_plot_coordinate(price) for _, _, price in adl],
                marker="x",
                s=30,
                color="#111111",
                linewidths=1.2,
                zorder=4,
                label=f"ADL fill ({len(adl)})",
            )
        _mark_violations(axes, moments, timeline, label=index == 0)
        axes.set_ylabel(market)
        axes.grid(alpha=0.3)
        axes.ticklabel_format(axis="y", style="plain", useOffset=False)
        axes.legend(fontsize="small", loc="best")
    starts = [timeline.x(*path[0][:2]) for path in series.marks.values() if path]
    end = timeline.x(*_get_last_point(series))
    if starts and end > min(starts):
        panels[-1].set_xlim(min(starts), end)
    panels[-1].set_xlabel(timeline.label)
    _format_time_axis(panels[-1], timeline)
    return _svg(figure, "perpspec-marks")


#: Liquidations and ADL fills further apart than this (in ts) belong to different bursts.
CRASH_GAP_SECONDS = 300
#: Without readable times, the same cut as a share of the ledger's seq span.
CRASH_GAP_SHARE = Fraction(1, 100)
#: Seq ticks labelled on the crash plot's event axis.
CRASH_TICKS = 8
CRASH_AXIS = "event seq within the crash (ledger order; each tick's ts below its seq)"


@dataclass(frozen=True, slots=True)
class CrashWindow:
    """The busiest burst of liquidations and ADL fills: its first and last event's seq and
    ts, and how many of each it holds."""

    first: tuple[int, str]
    last: tuple[int, str]
    liquidations: int
    adl: int


def _gap(earlier: tuple[int, str], later: tuple[int, str], by_time: bool, cut: Fraction) -> bool:
    if by_time:
        start, end = parse_time(earlier[1]), parse_time(later[1])
        assert start is not None and end is not None  # by_time: every ts parses
        return (end - start).total_seconds() > CRASH_GAP_SECONDS
    return later[0] - earlier[0] > cut


def get_crash_window(series: Series) -> CrashWindow | None:
    """The crash the report zooms into: the liquidations and ADL fills split into bursts
    wherever two in a row are more than :data:`CRASH_GAP_SECONDS` apart (or, when some ts is
    not ISO 8601, more than :data:`CRASH_GAP_SHARE` of the ledger's seq span), and the burst
    with the most events (the earliest of equals). A crash's events often share one second
    of ts, so the time plots draw them as one x position; this window is drawn event by
    event instead. None when the ledger has neither."""
    events = sorted(
        [(seq, ts, True) for seq, ts, _, _ in series.liquidations]
        + [(seq, ts, False) for seq, ts, _, _ in series.adl]
    )
    if not events:
        return None
    by_time = all(parse_time(ts) is not None for _, ts, _ in events)
    seqs = [seq for path in series.marks.values() for seq, _, _ in path] + [e[0] for e in events]
    cut = CRASH_GAP_SHARE * (max(seqs) - min(seqs))
    bursts: list[list[tuple[int, str, bool]]] = [[events[0]]]
    for before, event in itertools.pairwise(events):
        if _gap(before[:2], event[:2], by_time, cut):
            bursts.append([])
        bursts[-1].append(event)
    busiest = max(bursts, key=len)  # max keeps the first of equals
    liquidations = sum(1 for event in busiest if event[2])
    return CrashWindow(busiest[0][:2], busiest[-1][:2], liquidations, len(busiest) - liquidations)


def _clip_path(
    points: Sequence[tuple[int, str, str]], first: int, last: int
) -> list[tuple[int, str, str]]:
    """The points inside ``[first, last]`` and the one before (the step line enters the
    window from the level it held)."""
    inside = [point for point in points if first <= point[0] <= last]
    before = [point for point in points if point[0] < first]
    return before[-1:] + inside


def _label_event_axis(axes: Axes, ticks: Sequence[tuple[int, str]]) -> None:
    """Up to :data:`CRASH_TICKS` of the window's event seqs, spread evenly along the axis from
    its first to its last event, each with its ts's time of day."""
    first, last = ticks[0][0], ticks[-1][0]
    span = max(1, last - first)
    chosen: dict[int, str] = {}
    for k in range(CRASH_TICKS):
        target = first + Fraction(span * k, CRASH_TICKS - 1)
        seq, ts = min(ticks, key=lambda tick: (abs(tick[0] - target), tick[0]))
        chosen[seq] = ts
    labels = []
    for seq, ts in sorted(chosen.items()):
        moment = parse_time(ts)
        labels.append(f"{seq}\n{moment.strftime('%H:%M:%S') if moment else ts}")
    axes.set_xticks([float(seq) for seq in sorted(chosen)], labels, fontsize="small")


def plot_crash(series: Series, moments: Sequence[tuple[int, str]] = ()) -> str:
    """The crash window (:func:`get_crash_window`) event by event: x is the events' seq, so
    a burst within one second of ts spreads out in ledger order; a panel for the funds and
    one for each market with a liquidation or ADL fill in the window, the violations in it
    marked at their seq."""
    window = get_crash_window(series)
    if window is None:
        figure = _new_figure(10, 1.2)
        axes = figure.add_subplot()
        axes.set_title("The crash, event by event", loc="left")
        _note(axes, "no liquidation or ADL fill in this ledger")
        return _svg(figure, "perpspec-crash")
    first, last = window.first[0], window.last[0]
    inside = [event for event in (*series.liquidations, *series.adl) if first <= event[0] <= last]
    markets = sorted({market for _, _, market, _ in inside})[:MAX_PLOTTED_MARKETS]
    funds = {fund: _clip_path(path, first, last) for fund, path in series.funds.items()}
    funds = {fund: path for fund, path in funds.items() if path}
    figure = _new_figure(10, 1.4 + 2.2 * (len(markets) + 1))
    panels = figure.subplots(len(markets) + 1, 1, sharex=True, squeeze=False)[:, 0]
    figure.suptitle(
        f"The crash, event by event: {window.liquidations} liquidations and {window.adl} ADL "
        f"fills, seq {first} to {last}",
        x=0.01,
        ha="left",
    )
    marked = sorted({seq for seq, _ in moments if first <= seq <= last})
    for axes in panels:
        for index, seq in enumerate(marked):
            axes.axvline(
                seq,
                color="#c0392b",
                linestyle="--",
                linewidth=0.9,
                alpha=0.8,
                zorder=2,
                label=f"violation ({len(marked)})" if axes is panels[0] and index == 0 else None,
            )
    for fund, path in funds.items():
        panels[0].step(
            [seq for seq, _, _ in path],
            [get_plot_coordinate(value) for _, _, value in path],
            where="post",
            label=fund,
        )
    panels[0].set_ylabel("insurance fund")
    if not funds:
        _note(panels[0], "no insurance fund moved in this window")
    for axes, market in zip(panels[1:], markets, strict=True):
        marks = _clip_path(series.marks.get(market, []), first, last)
        axes.step(
            [seq for seq, _, _ in marks],
            [get_plot_coordinate(price) for _, _, price in marks],
            where="post",
            color="#4a6fa5",
            linewidth=1.1,
            label="mark",
        )
        for events, style in (
            (series.liquidations, {"marker": "v", "s": 28, "color": "#d62728", "zorder": 3}),
            (series.adl, {"marker": "x", "s": 30, "color": "#111111", "zorder": 4}),
        ):
            chosen = [e for e in events if e[2] == market and first <= e[0] <= last]
            if chosen:
                name = "liquidation" if events is series.liquidations else "ADL fill"
                axes.scatter(
                    [seq for seq, _, _, _ in chosen],
                    [get_plot_coordinate(price) for _, _, _, price in chosen],
                    label=f"{name} ({len(chosen)})",
                    **style,
                )
        axes.set_ylabel(market)
    for axes in panels:
        axes.grid(alpha=0.3)
        axes.ticklabel_format(axis="y", style="plain", useOffset=False)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize="small", loc="best")
    margin = max(1.0, (last - first) * 0.03)
    panels[-1].set_xlim(first - margin, last + margin)
    ticks = sorted({(seq, ts) for seq, ts, _, _ in inside})
    _label_event_axis(panels[-1], ticks)
    panels[-1].set_xlabel(CRASH_AXIS)
    return _svg(figure, "perpspec-crash")


def plot_socialized(series: Series) -> str:
    """The total socialized charge of each settlement cycle, one bar a cycle."""
    figure = _new_figure(10, 3.2 if series.socialized else 1.2)
    axes = figure.add_subplot()
    axes.set_title("Socialized charges per cycle", loc="left")
    if not series.socialized:
        _note(axes, "no socialized charge in this ledger")
        return _svg(figure, "perpspec-socialized")
    cycles = list(series.socialized)
    positions = list(range(len(cycles)))
    values = [get_plot_coordinate(series.socialized[c]) for c in cycles]
    axes.bar(positions, values, width=0.6, color="#b5523b")
    # A few cycles keep slim, centred bars instead of filling the panel's width.
    pad = max(0.5, (6 - len(cycles)) / 2)
    axes.set_xlim(-pad, len(cycles) - 1 + pad)
    step = max(1, len(cycles) // 30)
    axes.set_xticks(positions[::step], cycles[::step], rotation=45 if len(cycles) > 6 else 0)
    axes.set_xlabel("cycle")
    axes.set_ylabel("charged (settle asset)")
    axes.grid(axis="y", alpha=0.3)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)
    return _svg(figure, "perpspec-socialized")


def render_plots(series: Series, violations: Sequence[Violation] = ()) -> list[tuple[str, str]]:
    """The four plots as ``(caption, inline svg)``: funds, marks with liquidations and ADL,
    the crash event by event, socialized charges per cycle; the violations marked on the
    first three."""
    moments = get_violation_moments(violations, series)
    timeline = get_timeline(series, moments)
    marked = (
        f" Red dashed lines: the {len(moments):,} violations, at their records' time."
        if moments
        else ""
    )
    return [
        (
            "Insurance fund balance after each event that moved it (each series thinned to "
            "about 2,000 points, its lowest and highest kept)." + marked + _describe_span(series),
            plot_funds(series, moments, timeline),
        ),
        (
            "Mark price per market; red triangles are liquidations at their mark, black "
            "crosses ADL fills at their price." + marked + _describe_span(series),
            plot_marks(series, moments, timeline),
        ),
        (_describe_crash(series), plot_crash(series, moments)),
        ("Total socialized charge per settlement cycle.", plot_socialized(series)),
    ]


def _describe_crash(series: Series) -> str:
    window = get_crash_window(series)
    if window is None:
        return "The crash, event by event: this ledger has no liquidation or ADL fill."
    (first, start), (last, end) = window.first, window.last
    return (
        f"The crash, event by event: the busiest burst of liquidations and ADL fills (none "
        f"more than {CRASH_GAP_SECONDS // 60} minutes from the next), seq {first} ({start}) to "
        f"seq {last} ({end}), drawn along the events' seq so that events at one ts stand "
        "apart in ledger order; the ticks give each seq's time. Red dashed lines: violations "
        "in the window, at their seq."
    )


def _describe_span(series: Series) -> str:
    """Where the plots sit in the ledger: the first and last mark's seq and time."""
    points = sorted(point for marks in series.marks.values() for point in marks)
    if not points:
        return ""
    (first, start, _), (last, end, _) = points[0], points[-1]
    return f" Marks run from seq {first} ({start}) to seq {last} ({end})."


# ---- tables -------------------------------------------------------------------------------


def _cell(value: object, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    text = "" if value is None else html.escape(str(value))
    return f"<td{attribute}>{text}</td>"


def _verdict(report: AuditReport) -> tuple[str, str]:
    total = sum(check.violations for check in report.checks)
    if report.exit_code == 2:
        return "unreadable", f"unreadable records: {total:,} violations in all (exit 2)"
    if report.exit_code == 1:
        return "violations", f"{total:,} violations (exit 1)"
    return "clean", "no violations (exit 0)"


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What the summary states beyond the audit's result: the command line that ran it, the
    settlement unit the balances were checked in (None: exact), and the profile's digest
    (:func:`describe_profile_digest`)."""

    command_line: str | None = None
    settlement_unit: Fraction | None = None
    profile_digest: str | None = None


def describe_profile_digest(name: str) -> str:
    """The SHA-256 of the profile's TOML bytes as loaded: for a shipped profile (a name), of
    the file ``perpspec/profiles/NAME.toml`` this version of perpspec ships; for a file, of
    that file. The bytes, not a canonical form: the digest a reader recomputes with
    ``sha256sum`` on the same file."""
    from perpspec.reference.profile import SHIPPED_PACKAGE, get_shipped_profile_names

    if name in get_shipped_profile_names():
        data = (importlib.resources.files(SHIPPED_PACKAGE) / f"{name}.toml").read_bytes()
        where = f"of the shipped file perpspec/profiles/{name}.toml (perpspec {__version__})"
    else:
        data = Path(name).read_bytes()
        where = f"of the file {name}"
    return f"{hashlib.sha256(data).hexdigest()} {where}"


def render_verdict(report: AuditReport) -> str:
    """The verdict, first on the page."""
    css, verdict = _verdict(report)
    return f'<p class="verdict {css}" id="verdict">{html.escape(verdict)}</p>'


def render_summary(report: AuditReport, context: ReportContext | None = None) -> Iterator[str]:
    """The file's identity, size, the command, profile and its digest, settlement unit."""
    from perpspec.reference.numbers import format_number

    context = context or ReportContext()
    ran = sum(1 for check in report.checks if check.skipped is None)
    profile = report.profile or "none (the checks that need exchange choices are skipped)"
    unit = (
        "exact (no settlement unit: every amount checked to the last digit)"
        if context.settlement_unit is None
        else format_number(context.settlement_unit)
    )
    rows = [
        ("file", report.file),
        ("SHA-256", report.sha256),
        ("events", f"{report.events:,}"),
        ("command", context.command_line or "not recorded"),
        ("profile", profile),
        ("profile SHA-256", context.profile_digest or "no profile"),
        ("settlement unit", unit),
        ("checks", f"{ran} run, {len(report.checks) - ran} skipped"),
    ]
    source = report.source
    if source is not None:
        # a partial ledger: whose export, what it covers, what it left without a record
        rows[1:1] = [
            ("export", f"{source.format}, of {', '.join(source.accounts)}"),
            ("covers", ", ".join(source.covers) or "nothing"),
            ("rows without a record", ", ".join(source.unmapped) or "none"),
        ]
    yield '<table class="summary">'
    for label, value in rows:
        mono = label in ("SHA-256", "command", "profile SHA-256")
        yield f"<tr><th>{html.escape(label)}</th>{_cell(value, 'mono' if mono else '')}</tr>"
    yield "</table>"


def _check_row(check: CheckResult) -> str:
    if check.skipped is not None:
        css = "skip"
    elif check.violations:
        css = "bad"
    else:
        css = ""
    link = html.escape(check.id)
    name = f'<a href="#v-{link}">{link}</a>' if check.violations else link
    return (
        f'<tr id="check-{link}" class="{css}"><td><code>{name}</code></td>'
        f"{_cell(f'{check.examined:,}', 'num')}{_cell(f'{check.violations:,}', 'num')}"
        f"{_cell(check.skipped or 'ran')}</tr>"
    )


def render_checks(checks: Sequence[CheckResult]) -> Iterator[str]:
    """One row per check id: examined, violations, skipped reason."""
    yield "<table><tr><th>check</th><th>examined</th><th>violations</th><th>status</th></tr>"
    for check in checks:
        yield _check_row(check)
    yield "</table>"


def _violation_row(violation: Violation, first: bool) -> str:
    check = html.escape(violation.check)
    anchor = f' id="v-{check}"' if first else ""
    seq = "" if violation.seq is None else violation.seq
    return (
        f'<tr{anchor}><td><a href="#check-{check}"><code>{check}</code></a></td>'
        f"{_cell(violation.line, 'num')}{_cell(seq, 'num')}{_cell(violation.expected)}"
        f"{_cell(violation.found)}{_cell(violation.difference, 'num')}"
        f'<td><div class="record mono">{html.escape(violation.record)}</div></td>'
        f"{_cell(violation.hint)}</tr>"
    )


def render_violations(report: AuditReport, limit: int) -> Iterator[str]:
    """Every violation in ledger order, at most ``limit`` rows, then how many were left out."""
    total = sum(check.violations for check in report.checks)
    if not total:
        yield "<p>No violations.</p>"
        return
    shown = report.violations[:limit]
    yield (
        '<table class="vtable"><colgroup><col style="width:11em"><col style="width:4.5em">'
        '<col style="width:4.5em"><col><col><col style="width:11%"><col style="width:24%">'
        "<col></colgroup><tr><th>check</th><th>line</th><th>seq</th><th>expected</th>"
        "<th>found</th><th>difference</th><th>record</th><th>hint</th></tr>"
    )
    seen: set[str] = set()
    for violation in shown:
        yield _violation_row(violation, violation.check not in seen)
        seen.add(violation.check)
    yield "</table>"
    if total > len(shown):
        yield (
            f'<p class="note">{total - len(shown):,} more violations not shown; the counts '
            "above are exact (<code>perpspec audit --json</code> lists what the audit kept).</p>"
        )


def render_unread(report: AuditReport) -> Iterator[str]:
    """The fields the ledger holds that perpspec does not read, if any (one row each)."""
    if not report.unread:
        return
    yield '<h2 id="unread">Fields not read</h2>'
    yield (
        '<p class="note">The ledger holds these fields; perpspec does not know them, so no '
        "check used them.</p>"
    )
    yield "<table><tr><th>field</th><th>records</th><th>first line</th></tr>"
    for field in report.unread:
        yield (
            f"<tr><td><code>{html.escape(field.name)}</code></td>"
            f"{_cell(f'{field.records:,}', 'num')}{_cell(field.line, 'num')}</tr>"
        )
    yield "</table>"


# ---- the page -----------------------------------------------------------------------------


def render_html(
    report: AuditReport, max_violations: int | None = None, context: ReportContext | None = None
) -> str:
    """The whole report as one HTML document (module docstring): the verdict and the
    violations first, then the checks, the fields not read, the plots."""
    limit = (
        MAX_HTML_VIOLATIONS if max_violations is None else min(max_violations, MAX_HTML_VIOLATIONS)
    )
    name = html.escape(Path(report.file).name or report.file)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>perpspec audit: {name}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>perpspec audit: {name}</h1>",
        render_verdict(report),
        f'<p class="note">perpspec {html.escape(__version__)}; every number below is exact, '
        "as the ledger and the reference state it; the plots alone are drawn to pixel "
        "precision.</p>",
        '<h2 id="summary">Summary</h2>',
        *render_summary(report, context),
        '<h2 id="violations">Violations</h2>',
        *render_violations(report, limit),
        '<h2 id="checks">Checks</h2>',
        *render_checks(report.checks),
        *render_unread(report),
        '<h2 id="plots">Plots</h2>',
    ]
    for caption, svg in render_plots(report.series, report.violations):
        parts.append(f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_html(
    report: AuditReport,
    path: str | Path,
    max_violations: int | None = None,
    context: ReportContext | None = None,
) -> None:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    Path(path).write_text(render_html(report, max_violations, context), encoding="utf-8")
