"""Write the published conformance vectors: one page per op and a manifest page.

The pages are generated from ``vectors/<op>.jsonl`` at every build, so the site lists exactly
the cases the conformance runner reads. Every case is a heading anchored ``#<case-id>`` with
its source, its inputs and its expected outputs (or, for a case that must be refused, its
``reject_reason``). The manifest page shows ``vectors/MANIFEST.json``, checked against the
files' bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["read_cases", "render_index_page", "render_op_page", "write_vector_pages"]

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "vectors"

#: What each op's input and output mean, in the reader's terms; the full schema is on the
#: conformance page.
OP_DESCRIPTIONS: dict[str, str] = {
    "mark_price": (
        "The mark price, the trigger of every liquidation (see "
        "[Mark price and funding rate](../../mark-price.md)). Input: the `method` "
        "(`fair_price`, `median_of_three` or `oracle`), the `index` or the `index_sources` it "
        "is derived from (with an optional `index_rule`: outlier bound, maximum age, minimum "
        "count), the `funding_rate` and `time_until_funding` of the funding basis, and for the "
        "median the basis average or samples and the `last_price`; for the oracle, the "
        "`oracle_prices` and their stakes. Output: `mark_price`, and the `index_price`, "
        "`funding_basis`, `price_1`, `price_2` and kept `index_weights` on the way."
    ),
    "funding_rate": (
        "The funding rate of an interval (see "
        "[Mark price and funding rate](../../mark-price.md)). Input: the premium (as "
        "published, as sampled premium indices, or as impact bid / ask / index samples), the "
        "interest (per interval, or from daily quote and base rates), the dampener, scale, cap "
        "and floor, and optionally a `position`. Output: the `premium_index` used, the "
        "`interest_rate`, the `funding_rate`, and the position's `payment`."
    ),
    "position_prices": (
        "The liquidation and bankruptcy prices of one position (see "
        "[Margin and prices](../../prices.md)). Input: `instrument` (kind, multiplier, "
        "maintenance tiers, optional tick and maintenance basis), `position` (side, qty, "
        "entry price) and `margin` (isolated balance, or cross balance with the other "
        "positions' maintenance margin and unrealised PnL). Output: `liquidation_price` and "
        "`bankruptcy_price` (null where none exists), with a tick also their rounded forms."
    ),
    "liquidation_settlement": (
        "Closing a liquidated position at its fills (see "
        "[Liquidation and insurance fund](../../liquidation.md)). Input: the position (side, "
        "qty, bankruptcy price), the `fills`, the `insurance_fund` before, and the fee "
        "settings. Output: the `fee`, the fund's change `insurance_delta` and its balance "
        "after, any `trader_refund`, and the `remaining_qty` left for the last resorts."
    ),
    "adl_rank": (
        "Ranking the ADL queue (see [The last resorts](../../last-resorts.md)). Input: the "
        "ranking `formula` and the `positions`. Output: the queue `order`, each position's "
        "`scores` and its indicator `lights`."
    ),
    "adl_allocate": (
        "Allocating a liquidated quantity to the ADL queue (see "
        "[The last resorts](../../last-resorts.md)). Input: the `liquidated` position and the "
        "ranked `counterparties`. Output: the `fills` (who closes how much at which price) and "
        "the `remaining_qty` no counterparty took."
    ),
    "socialized_loss": (
        "Spreading a loss the fund cannot cover (see "
        "[The last resorts](../../last-resorts.md)). Input: the `method`, the `loss`, the "
        "`insurance_fund` and the `positions`' profits. Output: what the fund paid "
        "(`insurance_paid`), each position's `charges` and the `uncovered` rest."
    ),
    "replay": (
        "The whole waterfall end to end: what the reference engine (see "
        "[The engine](../../engine.md)) emits for a ledger's inputs. Input: `profile` (the "
        "name of a shipped profile, see [Profiles](../../profiles.md), or a path to one), "
        "optional `liquidity` (the synthetic book the engine liquidates into: the market "
        "maker's account, its number of price levels, spread, spacing, depth per level and "
        "random seed) and `events` (a ledger prefix in [ledger form](../../ledger.md), inputs "
        "only: instruments, deposits, withdrawals, marks, trades, funding without payments, "
        "margin transfers). Output: `events`, the whole ledger the engine produces from them, "
        "the inputs echoed and its own records (liquidations, insurance entries, ADL fills, "
        "funding payments) in sequence order. To read a case, follow the input events in "
        "order, then read the expected events after the last input: they are what the profile "
        "makes of that market."
    ),
}

_NOT_STATED = "not stated"


def read_cases(path: Path) -> list[dict[str, Any]]:
    """Every case of one vector file, in file order; a malformed line is a build error."""
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path.name}:{number}: not JSON ({error.msg})") from error
        if not isinstance(case, dict) or not isinstance(case.get("id"), str):
            raise ValueError(f"{path.name}:{number}: id: a case needs a string id")
        cases.append(case)
    return cases


def _json_block(value: object) -> str:
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```\n"


def _source_text(case: dict[str, Any]) -> str:
    source = case.get("source")
    if source is None:
        return _NOT_STATED
    if isinstance(source, str):
        return source
    return "`" + json.dumps(source, ensure_ascii=False) + "`"


def _render_case(case: dict[str, Any]) -> str:
    case_id = case["id"]
    parts = [f"## {case_id} {{#{case_id}}}\n", f"**Source:** {_source_text(case)}\n"]
    if "tolerance" in case:
        parts.append(f"**Tolerance:** `{json.dumps(case['tolerance'])}`\n")
    parts.append("**Input**\n\n" + _json_block(case.get("input")))
    if "reject_reason" in case:
        parts.append(
            "**Rejected** (a conforming implementation refuses this case): "
            f"{case['reject_reason']}\n"
        )
    else:
        parts.append("**Expected**\n\n" + _json_block(case.get("expected")))
    return "\n".join(parts)


def render_op_page(op: str, cases: list[dict[str, Any]]) -> str:
    """The page of one op: what it computes, a table of its cases, then every case."""
    lines = [
        f"# Vectors: `{op}`\n",
        OP_DESCRIPTIONS.get(op, "See [Conformance](../../conformance.md) for its schema.") + "\n",
        f"{len(cases)} cases, from `vectors/{op}.jsonl`. The schema of every op is on the "
        "[conformance page](../../conformance.md); the counts and checksums are on the "
        "[manifest](index.md).\n",
        "| case | source | kind |",
        "|---|---|---|",
    ]
    for case in cases:
        kind = "rejected" if "reject_reason" in case else "expected output"
        source = _source_text(case).replace("|", "\\|")
        lines.append(f"| [{case['id']}](#{case['id']}) | {source} | {kind} |")
    lines.append("")
    lines.extend(_render_case(case) for case in cases)
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_index_page(files: dict[str, list[dict[str, Any]]], manifest: object) -> str:
    """The manifest page: spec version, valid and invalid cases per op, SHA-256 per file, all
    from ``vectors/MANIFEST.json`` (``perpspec vectors`` writes it); a manifest that is
    missing or disagrees with a file's bytes stops the build (``perpspec vectors`` refreshes
    it), so the page never publishes a digest the files do not have."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ValueError("vectors/MANIFEST.json: missing or has no files; run `perpspec vectors`")
    stated: dict[str, Any] = manifest["files"]
    lines = ["# Conformance vectors\n"]
    lines.append(
        "The cases `perpspec conform` runs, published from `vectors/`. Each op has its page; "
        "every case is anchored by its id. The counts and digests below are those of "
        "`vectors/MANIFEST.json`, checked against the files when the site is built.\n"
    )
    lines.append(f"**Spec version:** `{manifest.get('spec_version', _NOT_STATED)}`\n")
    lines.extend(["| op | file | valid | invalid | SHA-256 |", "|---|---|---|---|---|"])
    for op in files:
        name = f"{op}.jsonl"
        entry = stated.get(name)
        digest = _sha256(VECTORS / name)
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            raise ValueError(
                f"vectors/MANIFEST.json: {name}: stale or missing entry; run `perpspec vectors`"
            )
        lines.append(
            f"| [`{op}`]({op}.md) | `vectors/{name}` | {entry.get('valid')} | "
            f"{entry.get('invalid')} | `{digest}` |"
        )
    total = sum(len(cases) for cases in files.values())
    lines.append(f"\n{total} cases in all.\n")
    return "\n".join(lines)


def write_vector_pages(generated: Path, vectors: Path = VECTORS) -> None:
    """Write docs/generated/vectors/<op>.md for every vector file, and its index."""
    out = generated / "vectors"
    out.mkdir(parents=True, exist_ok=True)
    files = {path.stem: read_cases(path) for path in sorted(vectors.glob("*.jsonl"))}
    for op, cases in files.items():
        (out / f"{op}.md").write_text(render_op_page(op, cases), encoding="utf-8")
    manifest_path = vectors / "MANIFEST.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else None
    )
    (out / "index.md").write_text(render_index_page(files, manifest), encoding="utf-8")
