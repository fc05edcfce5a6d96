"""The named reasons an invalid case is rejected for (``reject_reason``).

A program under test passes an invalid case by rejecting it (``{"id": ..., "error": ...}``)
with any wording: error texts are the implementer's. The reference is held to more: its
rejection must match the named reason's ``wording`` (a regular expression over the
reference's own messages), so that a vector never names a reason the reference does not give.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REJECT_REASONS", "RejectReason"]


@dataclass(frozen=True, slots=True)
class RejectReason:
    """What a named reason means, and how the reference words it."""

    meaning: str
    wording: str


REJECT_REASONS: dict[str, RejectReason] = {
    "negative_quantity": RejectReason("a quantity below zero", r"qty: .*found -"),
    "nonpositive_quantity": RejectReason("a quantity of zero", r"qty: must be > 0, found 0\b"),
    "nonpositive_price": RejectReason("a price of zero or below", r"price: must be > 0"),
    "negative_amount": RejectReason("an amount below zero", r": must be >= 0, found -"),
    "unknown_choice": RejectReason(
        "a kind, side, formula, method or profile the spec does not name",
        r"(unknown value|not a shipped)",
    ),
    "unknown_field": RejectReason("a field the op never reads", r"unknown key"),
    "misplaced_field": RejectReason("a field of one object given in another", r"misplaced key"),
    "missing_field": RejectReason("a required field absent", r": missing$"),
    "not_a_number": RejectReason("a number given as another JSON type", r"expected a number"),
    "empty_list": RejectReason("a list that must not be empty, empty", r"at least one"),
    "conflicting_fields": RejectReason(
        "two forms of one input given, or neither (index and index_sources, ...)",
        r"give exactly one of",
    ),
    "too_few_sources": RejectReason(
        "fewer usable index sources than the rule's minimum", r"fewer than index\.min_sources"
    ),
    "fills_exceed_quantity": RejectReason(
        "fills whose quantities add up to more than the position", r"more than qty"
    ),
}
