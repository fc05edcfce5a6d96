"""Invalid cases of every op: a valid case with one field made wrong, and the named reason an
implementation must reject it for (``reject_reason``; DESIGN, Conformance protocol).

Each invalid case is built from one of the op's own valid cases (named by id) by one edit:
a field set to a bad value, a required field removed, or a field added where the op has none.
An implementation passes such a case by answering ``{"id": ..., "error": "..."}``; answering
with an output fails it. The names are those of
:data:`perpspec.conformance.rejects.REJECT_REASONS`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

__all__ = ["build_invalid_cases"]

#: Stands for "remove this field" in an edit.
_REMOVE = object()

#: op -> (id suffix, base case id, path inside input, new value or _REMOVE, reject reason).
#: A path segment that is an int indexes a list. A new key at the end of a path adds it.
_EDITS: dict[str, Sequence[tuple[str, str, tuple[str | int, ...], object, str]]] = {
    "mark_price": (
        (
            "negative-source-price",
            "hand-index-outlier-excluded",
            ("index_sources", 0, "price"),
            "-1",
            "nonpositive_price",
        ),
        ("unknown-method", "hand-median-price-2", ("method",), "last", "unknown_choice"),
        (
            "missing-funding-rate",
            "hand-fair-price-half-interval",
            ("funding_rate",),
            _REMOVE,
            "missing_field",
        ),
        ("unknown-field", "hand-fair-price-half-interval", ("leverage",), "10", "unknown_field"),
        (
            "input-of-another-method",
            "hand-fair-price-half-interval",
            ("last_price",),
            "50020",
            "unknown_field",
        ),
        (
            "ts-without-max-age",
            "hand-index-outlier-excluded",
            ("index_sources", 0, "ts"),
            "2026-01-01T08:00:00Z",
            "unknown_field",
        ),
        (
            "index-and-sources",
            "hand-index-outlier-excluded",
            ("index",),
            "100",
            "conflicting_fields",
        ),
        ("empty-oracle-prices", "hand-oracle-exact-half", ("oracle_prices",), [], "empty_list"),
        (
            "too-few-sources",
            "hand-index-outlier-excluded",
            ("index_rule", "min_sources"),
            "3",
            "too_few_sources",
        ),
        (
            "every-source-stale",
            "edge-index-source-a-second-past-max-age",
            ("index_sources", 0, "ts"),
            "2026-01-01T07:59:00Z",
            "too_few_sources",
        ),
    ),
    "funding_rate": (
        (
            "negative-mark-price",
            "hand-payment-linear-short",
            ("position", "mark_price"),
            "-100",
            "nonpositive_price",
        ),
        ("unknown-averaging", "hand-samples-mean", ("averaging",), "twap", "unknown_choice"),
        (
            "missing-position-qty",
            "hand-payment-linear-short",
            ("position", "qty"),
            _REMOVE,
            "missing_field",
        ),
        ("unknown-field", "bitmex-ondousdt-clamped", ("leverage",), "10", "unknown_field"),
        (
            "averaging-of-a-given-premium",
            "bitmex-ondousdt-clamped",
            ("averaging",),
            "mean",
            "unknown_field",
        ),
        (
            "no-interest",
            "bitmex-ondousdt-clamped",
            ("interest_rate",),
            _REMOVE,
            "conflicting_fields",
        ),
        ("empty-samples", "hand-samples-mean", ("samples",), [], "empty_list"),
    ),
    "position_prices": (
        (
            "negative-qty",
            "seed004-100x-long-mark-basis",
            ("position", "qty"),
            "-1",
            "negative_quantity",
        ),
        (
            "zero-qty",
            "seed004-100x-long-mark-basis",
            ("position", "qty"),
            "0",
            "nonpositive_quantity",
        ),
        (
            "zero-entry-price",
            "seed004-100x-long-mark-basis",
            ("position", "entry_price"),
            "0",
            "nonpositive_price",
        ),
        (
            "unknown-kind",
            "seed004-100x-long-mark-basis",
            ("instrument", "kind"),
            "quanto",
            "unknown_choice",
        ),
        (
            "unknown-side",
            "seed004-100x-long-mark-basis",
            ("position", "side"),
            "buy",
            "unknown_choice",
        ),
        (
            "unknown-field",
            "seed004-100x-long-mark-basis",
            ("position", "leverage"),
            "100",
            "unknown_field",
        ),
        (
            "misplaced-field",
            "seed004-100x-long-mark-basis",
            ("margin", "entry_price"),
            "100",
            "misplaced_field",
        ),
        (
            "missing-balance",
            "seed004-100x-long-mark-basis",
            ("margin", "balance"),
            _REMOVE,
            "missing_field",
        ),
        ("boolean-qty", "seed004-100x-long-mark-basis", ("position", "qty"), True, "not_a_number"),
        ("empty-tiers", "seed004-100x-long-mark-basis", ("instrument", "tiers"), [], "empty_list"),
    ),
    "liquidation_settlement": (
        ("negative-qty", "seed001-long-surplus", ("qty",), "-1", "negative_quantity"),
        (
            "fills-beyond-qty",
            "seed001-long-surplus",
            ("fills", 0, "qty"),
            "2",
            "fills_exceed_quantity",
        ),
        (
            "zero-fill-price",
            "seed001-long-surplus",
            ("fills", 0, "price"),
            "0",
            "nonpositive_price",
        ),
        (
            "zero-bankruptcy-price",
            "seed001-long-surplus",
            ("bankruptcy_price",),
            "0",
            "nonpositive_price",
        ),
        ("negative-fund", "seed001-long-surplus", ("insurance_fund",), "-1", "negative_amount"),
        ("unknown-side", "seed001-long-surplus", ("side",), "flat", "unknown_choice"),
        ("unknown-field", "seed001-long-surplus", ("leverage",), "10", "unknown_field"),
        ("missing-fills", "seed001-long-surplus", ("fills",), _REMOVE, "missing_field"),
    ),
    "adl_rank": (
        ("unknown-formula", "seed004-table2-order", ("formula",), "pnl_squared", "unknown_choice"),
        (
            "negative-qty",
            "seed004-table2-order",
            ("positions", 0, "qty"),
            "-1",
            "negative_quantity",
        ),
        (
            "zero-mark-price",
            "seed004-table2-order",
            ("positions", 0, "mark_price"),
            "0",
            "nonpositive_price",
        ),
        (
            "unknown-field",
            "seed004-table2-order",
            ("positions", 0, "colour"),
            "red",
            "unknown_field",
        ),
        ("missing-formula", "seed004-table2-order", ("formula",), _REMOVE, "missing_field"),
    ),
    "adl_allocate": (
        ("negative-qty", "seed002-queue-10000", ("liquidated", "qty"), "-1", "negative_quantity"),
        (
            "zero-bankruptcy-price",
            "seed002-queue-10000",
            ("liquidated", "bankruptcy_price"),
            "0",
            "nonpositive_price",
        ),
        (
            "unknown-side",
            "seed002-queue-10000",
            ("counterparties", 0, "side"),
            "sell",
            "unknown_choice",
        ),
        (
            "unknown-field",
            "seed002-queue-10000",
            ("counterparties", 0, "leverage"),
            "3",
            "unknown_field",
        ),
        (
            "missing-counterparties",
            "seed002-queue-10000",
            ("counterparties",),
            _REMOVE,
            "missing_field",
        ),
    ),
    "socialized_loss": (
        (
            "unknown-method",
            "seed000-top-profit-participants",
            ("method",),
            "lottery",
            "unknown_choice",
        ),
        ("negative-loss", "seed000-top-profit-participants", ("loss",), "-1000", "negative_amount"),
        (
            "negative-fund",
            "seed000-top-profit-participants",
            ("insurance_fund",),
            "-1",
            "negative_amount",
        ),
        ("unknown-field", "seed000-top-profit-participants", ("haircut",), "0.1", "unknown_field"),
        ("missing-loss", "seed000-top-profit-participants", ("loss",), _REMOVE, "missing_field"),
    ),
    "replay": (
        (
            "unknown-profile",
            "hand-seed001-adl-when-fund-short",
            ("profile",),
            "no-such",
            "unknown_choice",
        ),
        (
            "missing-events",
            "hand-seed001-adl-when-fund-short",
            ("events",),
            _REMOVE,
            "missing_field",
        ),
        ("unknown-field", "hand-seed001-adl-when-fund-short", ("speed",), "2", "unknown_field"),
    ),
}


def _apply(case_input: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    target: Any = case_input
    for key in path[:-1]:
        target = target[key]
    last = path[-1]
    if value is _REMOVE:
        del target[last]
    else:
        target[last] = copy.deepcopy(value)


def build_invalid_cases(op: str, valid: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The invalid cases of ``op``, each an edit of one of ``valid`` (the op's valid cases)."""
    by_id = {case["id"]: case for case in valid}
    built = []
    for suffix, base_id, path, value, reason in _EDITS.get(op, ()):
        case_input = copy.deepcopy(by_id[base_id]["input"])
        _apply(case_input, path, value)
        edit = "removed" if value is _REMOVE else f"set to {value!r}"
        built.append(
            {
                "id": f"invalid-{op.replace('_', '-')}-{suffix}",
                "op": op,
                "source": f"hand: {base_id} with input.{'.'.join(map(str, path))} {edit}",
                "input": case_input,
                "reject_reason": reason,
            }
        )
    return built
