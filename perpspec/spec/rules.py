"""The numbered rules of the waterfall: one table, the single source of every rule id.

A rule id (``liq.bankruptcy-price``) names one normative statement of the specification. It
is stable: once published it keeps its meaning, and a withdrawn id is never given to another
rule (it stays in :data:`WITHDRAWN`). The docs show each rule where its prose states it, as a
label anchored ``#rule-<id>``; the generated index ``docs/generated/rules.md`` gives per rule
its statement, the derived formula (if the rule is one), the functions that implement it, the
invariants that protect it and the conformance vectors that exercise it. A rule without an
invariant or without a vector says why in ``why_no_invariant`` / ``why_no_vector``.

Implementing functions name their rule in their docstring ("Implements rule ``<id>``."), so
a reader of the code finds the rule and a reader of the rule finds the code;
:func:`check_rules` holds the two sides together and the docs build fails on any mismatch.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "RULES",
    "WITHDRAWN",
    "Rule",
    "check_rules",
    "find_rule_mentions",
    "get_rule",
    "get_rules_protected_by",
    "get_vector_case_ids",
    "resolve_function",
    "rule_label",
]

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors"
DOCS = ROOT / "docs"

#: A rule id: a lower-case area, then one or more dot-separated lower-case words.
RULE_ID = re.compile(r"^[a-z]+(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$")

#: How code names the rules it implements: the words, then one or more ticked ids.
_MENTION = re.compile(r"[Ii]mplements rules? ((?:`[a-z0-9.-]+`(?:,? and |, )?)+)")
_TICKED = re.compile(r"`([a-z0-9.-]+)`")

_P = "perpspec.reference."


@dataclass(frozen=True)
class Rule:
    """One numbered rule: its statement and everything that makes it checkable."""

    id: str
    title: str
    statement: str
    #: The docs page (under docs/) whose prose states the rule and carries its label.
    page: str
    #: Dotted paths of the implementing functions (or methods), each naming the rule.
    functions: tuple[str, ...]
    #: Catalogue ids of the invariants that protect the rule.
    invariants: tuple[str, ...] = ()
    #: Conformance vectors that exercise the rule, as ``<op>/<case-id>``.
    vectors: tuple[str, ...] = ()
    #: Closed forms derived with sympy (names in docs/generated/formulas.md).
    formulas: tuple[str, ...] = ()
    why_no_invariant: str = ""
    why_no_vector: str = ""


def _r(
    rule_id: str,
    title: str,
    page: str,
    statement: str,
    functions: tuple[str, ...],
    invariants: tuple[str, ...] = (),
    vectors: tuple[str, ...] = (),
    formulas: tuple[str, ...] = (),
    why_no_invariant: str = "",
    why_no_vector: str = "",
) -> Rule:
    return Rule(
        rule_id,
        title,
        statement,
        page,
        tuple(_P + f for f in functions),
        invariants,
        vectors,
        formulas,
        why_no_invariant,
        why_no_vector,
    )


_PRICE_FORMS = (
    "linear_bankruptcy_price",
    "inverse_bankruptcy_price",
    "linear_liquidation_price_mark_basis",
    "linear_liquidation_price_entry_basis",
    "inverse_liquidation_price_mark_basis",
    "inverse_liquidation_price_entry_basis",
)

RULES: tuple[Rule, ...] = (
    # Arithmetic
    _r(
        "num.exact",
        "Exact numbers",
        "arithmetic.md",
        "No float touches money, prices or quantities: numbers are decimal or p/q strings, "
        "computed as exact fractions; NaN, infinities, empty strings, zero denominators and "
        "numbers longer than 200 characters are refused; output is a plain decimal when the "
        "value has a finite decimal expansion, p/q otherwise.",
        ("numbers.parse_number", "numbers.format_number"),
        vectors=(
            "liquidation_settlement/inverse-exact-rational",
            "position_prices/derived-inverse-long-isolated-mark",
        ),
        why_no_invariant="A property of the number reader and writer, not of a ledger's "
        "state: tests/reference/test_numbers.py checks the refusals and the exact round trip.",
    ),
    _r(
        "round.quantize",
        "One rounding primitive with a stated direction",
        "arithmetic.md",
        "Every place where an exchange rounds calls quantize(value, step, direction) with an "
        "explicit direction, UP (toward plus infinity) or DOWN (toward minus infinity).",
        ("numbers.quantize", "kernels.quantize_units", "kernels.floor_div", "kernels.ceil_div"),
        invariants=("bankruptcy-price",),
        vectors=("position_prices/seed004-100x-long-mark-basis-tick",),
    ),
    _r(
        "round.price-to-tick",
        "Prices round to the tick against the trader",
        "arithmetic.md",
        "A long's liquidation and bankruptcy prices round up to the tick, a short's down: "
        "the bankrupt trader never ends below zero and liquidation never comes later than the "
        "exact price.",
        ("prices.position_prices.round_position_price",),
        invariants=("bankruptcy-price", "no-negative-balance"),
        vectors=(
            "position_prices/seed004-100x-long-mark-basis-tick",
            "position_prices/derived-linear-short-close-fee-tick",
            "position_prices/edge-tick-long-a-hair-above",
            "position_prices/edge-tick-short-a-hair-below",
        ),
    ),
    _r(
        "round.charges-up-payouts-down",
        "Charges round up, payouts down",
        "arithmetic.md",
        "A charge to a trader rounds up to the asset's unit and a payout rounds down, so the "
        "book never lends a trader a fraction of a unit; every rounding residual is booked to "
        "a named account (fees, system_loss, insurance:<fund>) and conservation stays exact.",
        ("trading_fee.compute_trading_fee", "adl.fees.compute_adl_fill_fees"),
        invariants=("trade-fee", "conservation"),
        vectors=("adl_allocate/hand-maker-rebate-unit", "socialized_loss/seed000-top-profit-unit"),
    ),
    # Mark price, index price and funding rate
    _r(
        "mark.index-price",
        "The index price",
        "mark-price.md",
        "The index is the weighted average (or, under index.method = weighted_median, the "
        "weighted median) of the usable sources' prices: a source read more than max_age "
        "before now is stale and excluded, then a source farther than max_deviation x median "
        "from the median of the fresh prices is excluded, and the kept weights are divided "
        "by their sum; fewer than min_sources usable sources is refused (IndexSourcesError).",
        (
            "mark.index_price.compute_index_price",
            "mark.index_price.select_index_sources",
            "mark.index_price.exclude_stale_sources",
            "mark.index_price.exclude_outlying_sources",
            "mark.index_price.renormalize_weights",
            "mark.index_price.compute_median",
            "mark.index_price.compute_weighted_median",
            "mark.from_index.compute_record_index",
            "mark.from_index.derive_from_index",
        ),
        invariants=("mark-price",),
        vectors=(
            "mark_price/hand-index-weighted-mean",
            "mark_price/hand-index-outlier-excluded",
            "mark_price/hand-index-stale-excluded",
            "mark_price/hand-index-weighted-median",
            "mark_price/derived-index-single-source",
            "mark_price/invalid-mark-price-too-few-sources",
            "mark_price/edge-index-one-source",
            "mark_price/edge-index-source-exactly-at-max-deviation",
            "mark_price/edge-index-source-a-hair-beyond-max-deviation",
            "mark_price/edge-index-deviation-from-the-median-of-an-even-count",
            "mark_price/edge-index-source-exactly-max-age-old",
            "mark_price/edge-index-source-a-second-past-max-age",
            "mark_price/edge-index-weighted-median-exactly-half",
            "mark_price/edge-index-exactly-min-sources",
            "mark_price/edge-index-prices-near-zero",
            "mark_price/invalid-mark-price-every-source-stale",
        ),
    ),
    _r(
        "mark.funding-basis",
        "The funding basis",
        "mark-price.md",
        "Funding basis = funding rate x time until funding / funding interval, with the time "
        "in [0, interval]: it decays linearly to 0 at the funding time.",
        ("mark.mark_price.compute_funding_basis",),
        invariants=("mark-price",),
        vectors=(
            "mark_price/hand-fair-price-half-interval",
            "mark_price/hand-fair-price-at-funding",
            "mark_price/hand-fair-price-hourly-interval",
            "mark_price/derived-fair-price",
            "mark_price/edge-index-one-source",
        ),
        formulas=("funding_basis",),
    ),
    _r(
        "mark.mark-price",
        "The mark price",
        "mark-price.md",
        "Under mark.method = fair_price the mark is index x (1 + funding basis); under "
        "median_of_three it is the median of Price 1 = index x (1 + last funding rate x time "
        "until funding / interval), Price 2 = index + the moving average of the basis "
        "(mid price minus index) and the last price; under oracle it is the stake-weighted "
        "median of the submitted oracle prices. An input the method does not use is refused.",
        (
            "mark.mark_price.compute_mark_price",
            "mark.mark_price.compute_fair_price",
            "mark.mark_price.compute_median_of_three_mark",
            "mark.mark_price.compute_median_of_three",
            "mark.mark_price.compute_basis_moving_average",
            "mark.mark_price.compute_oracle_price",
            "mark.from_index.derive_from_index",
            "engine.mark_inputs.process_index",
            "engine.mark_inputs.check_derived_mark",
        ),
        invariants=("mark-price",),
        vectors=(
            "mark_price/hand-fair-price-half-interval",
            "mark_price/hand-fair-price-negative-rate",
            "mark_price/hand-median-price-2",
            "mark_price/hand-median-last-price",
            "mark_price/hand-median-price-1",
            "mark_price/hand-median-basis-samples",
            "mark_price/derived-median-between",
            "mark_price/hand-oracle-source-weights",
            "mark_price/hand-oracle-exact-half",
            "mark_price/invalid-mark-price-input-of-another-method",
            "mark_price/edge-median-price-1-equals-price-2",
            "mark_price/edge-median-last-price-equals-price-2",
            "mark_price/edge-oracle-one-price-near-zero",
            "mark_price/edge-oracle-zero-stake-takes-no-part",
        ),
        formulas=("fair_price",),
    ),
    _r(
        "mark.funding-premium",
        "The premium index",
        "mark-price.md",
        "Premium index = (max(0, impact bid - index) - max(0, index - impact ask)) / index; "
        "the interval's premium is the average of its samples, weighted 1, 2, ..., n "
        "(linear_weighted) or equally (mean).",
        (
            "mark.funding_rate.compute_premium_index",
            "mark.funding_rate.compute_average_premium",
            "mark.from_index.derive_from_index",
        ),
        invariants=("funding-rate",),
        vectors=(
            "funding_rate/kraken-maximum-rate",
            "funding_rate/hand-samples-linear-weighted",
            "funding_rate/hand-samples-mean",
            "funding_rate/hand-index-inside-impact-prices",
            "funding_rate/hand-premiums-in-band",
            "funding_rate/edge-impact-bid-at-index",
            "funding_rate/edge-impact-ask-at-index",
            "funding_rate/edge-one-sample",
            "funding_rate/edge-linear-weights-two-equal-samples",
            "funding_rate/edge-linear-weights-two-equal-then-one",
            "funding_rate/edge-funding-prices-near-zero",
        ),
        formulas=("premium_index",),
    ),
    _r(
        "mark.funding-clamp",
        "The clamped interest component",
        "mark-price.md",
        "Funding rate F = P + clamp(I - P, -b, +b) with interest I and dampener b (0.05% at "
        "Binance, BitMEX and Bybit); F = P + I without a dampener. F = I exactly when "
        "|I - P| <= b.",
        ("mark.funding_rate.compute_clamped_rate", "mark.funding_rate.clamp"),
        invariants=("funding-rate",),
        vectors=(
            "funding_rate/bitmex-ondousdt-clamped",
            "funding_rate/bybit-interest-in-band",
            "funding_rate/derived-interest-band",
            "funding_rate/hand-samples-linear-weighted",
            "funding_rate/edge-interest-minus-premium-exactly-plus-clamp",
            "funding_rate/edge-interest-minus-premium-exactly-minus-clamp",
            "funding_rate/edge-interest-minus-premium-a-hair-beyond-minus-clamp",
            "funding_rate/edge-clamp-none",
            "funding_rate/edge-clamp-zero",
        ),
        formulas=("clamped_funding_rate",),
    ),
    _r(
        "mark.funding-rate",
        "The funding rate",
        "mark-price.md",
        "The rate of an interval is the clamped rate times funding.scale, then capped at "
        "funding.cap and floored at funding.floor (each optional; floor <= cap); the interest "
        "from borrowing rates is (quote rate - base rate) / intervals a day.",
        (
            "mark.funding_rate.compute_funding_rate",
            "mark.funding_rate.compute_capped_rate",
            "mark.funding_rate.compute_interest_rate",
            "mark.from_index.compute_funding_rate_of_samples",
            "engine.mark_inputs.check_funding_rate",
        ),
        invariants=("funding-rate",),
        vectors=(
            "funding_rate/kraken-maximum-rate",
            "funding_rate/bitmex-guide-interest-and-payment",
            "funding_rate/bybit-interest-in-band",
            "funding_rate/hand-floor",
            "funding_rate/hand-scale-four-hours",
            "funding_rate/derived-cap",
            "funding_rate/edge-rate-exactly-at-cap",
            "funding_rate/edge-rate-exactly-at-floor",
            "funding_rate/edge-cap-equals-floor",
        ),
        formulas=("capped_funding_rate",),
    ),
    # Margin and prices
    _r(
        "margin.upnl",
        "Unrealized PnL and value",
        "prices.md",
        "Unrealized PnL is qV(P - E) for a linear contract and qV(1/E - 1/P) for an inverse "
        "one; the value is nVP (linear) or nV/P in the coin (inverse).",
        ("margin.pnl.compute_unrealized_pnl", "margin.pnl.compute_position_value"),
        invariants=("conservation", "realized-pnl"),
        vectors=(
            "position_prices/derived-linear-long-isolated-mark",
            "position_prices/hand-inverse-long-coin-margined",
        ),
    ),
    _r(
        "margin.initial",
        "Initial margin",
        "prices.md",
        "Initial margin is the value over the leverage (the engine: the value at the mark over "
        "the tier's max_leverage); a trade that adds risk, a withdrawal and a transfer out "
        "must leave it met.",
        ("margin.requirements.compute_initial_margin",),
        invariants=("frame",),
        why_no_vector="No conformance op takes a leverage: the rule decides which inputs the "
        "engine accepts, tested in tests/reference/engine and by the frame invariant on the "
        "rejections it causes.",
    ),
    _r(
        "margin.maintenance",
        "Maintenance margin by tier",
        "prices.md",
        "Maintenance margin is value x m - c with (m, c) from the tier whose range contains "
        "the value, the floor inclusive.",
        ("margin.requirements.compute_maintenance_margin", "instrument.find_tier"),
        invariants=("mm-continuity", "liq-trigger"),
        vectors=(
            "position_prices/binance-cross-long-bracket2",
            "position_prices/binance-cross-short-bracket3",
        ),
    ),
    _r(
        "margin.maintenance-amounts",
        "The maintenance amounts' recurrence",
        "prices.md",
        "The maintenance amounts follow c_0 = 0, c_n = floor_n (m_n - m_(n-1)) + c_(n-1), "
        "which makes maintenance margin continuous; published amounts are taken as published "
        "and a table that breaks the recurrence is named as such.",
        ("instrument.compute_maintenance_amounts", "instrument.validate_tier_table"),
        invariants=("mm-continuity",),
        vectors=(
            "position_prices/seed004-bitget-tiers-long-100x",
            "position_prices/derived-broken-table-long-two-solutions",
        ),
    ),
    _r(
        "margin.maintenance-basis",
        "Maintenance on the mark or the entry value",
        "prices.md",
        "The profile's maintenance_basis puts maintenance margin on the value at the mark "
        "(mark) or at the entry price (entry).",
        (
            "margin.requirements.get_maintenance_value",
            "margin.requirements.compute_position_maintenance_margin",
        ),
        invariants=("bankruptcy-price", "position-liquidation-price"),
        vectors=(
            "position_prices/seed004-100x-long-entry-basis",
            "position_prices/seed004-100x-long-mark-basis",
        ),
    ),
    _r(
        "margin.balance",
        "Margin balance and cross equity",
        "prices.md",
        "An isolated position's margin balance is its margin plus its uPnL; a cross "
        "account's equity is its wallet plus the sum of its uPnL, held against the sum of its "
        "maintenance margins.",
        (
            "margin.requirements.compute_isolated_margin_balance",
            "margin.requirements.compute_cross_equity",
        ),
        invariants=("liq-trigger",),
        vectors=(
            "position_prices/derived-linear-long-cross-mark",
            "position_prices/bitmex-cross-long-entry-basis",
        ),
    ),
    _r(
        "margin.average-entry",
        "Average-entry accounting",
        "prices.md",
        "Adding to a position moves the entry to the quantity-weighted mean (linear) or the "
        "harmonic mean (inverse), so the merged position's PnL equals its parts' at every "
        "mark; reducing realizes PnL at the old entry.",
        (
            "margin.pnl.compute_average_entry",
            "margin.pnl.compute_realized_pnl",
            "margin.pnl.apply_fill",
        ),
        invariants=("realized-pnl", "position-continuity"),
        vectors=("replay/hand-seed001-fund-pays-deficit",),
    ),
    _r(
        "liq.liquidation-price",
        "Liquidation price",
        "prices.md",
        "The liquidation price is the mark at which margin balance less the close fee equals "
        "maintenance margin (plus the other positions' maintenance margin in cross mode).",
        (
            "prices.position_prices.compute_liquidation_price",
            "prices.closed_forms.linear_liquidation_price_mark_basis",
            "prices.closed_forms.linear_liquidation_price_entry_basis",
            "prices.closed_forms.inverse_liquidation_price_mark_basis",
            "prices.closed_forms.inverse_liquidation_price_entry_basis",
        ),
        invariants=("bankruptcy-price", "position-liquidation-price", "price-order"),
        vectors=(
            "position_prices/seed004-100x-long-entry-basis",
            "position_prices/seed002-smith-implied-entry-basis",
            "position_prices/derived-linear-short-cross-mark-fee",
        ),
        formulas=_PRICE_FORMS[2:],
    ),
    _r(
        "liq.bankruptcy-price",
        "Bankruptcy price",
        "prices.md",
        "The bankruptcy price is the mark at which margin balance less the close fee is zero.",
        (
            "prices.position_prices.compute_bankruptcy_price",
            "prices.closed_forms.linear_bankruptcy_price",
            "prices.closed_forms.inverse_bankruptcy_price",
        ),
        invariants=("bankruptcy-price", "price-order"),
        vectors=(
            "position_prices/seed004-100x-long-entry-basis",
            "position_prices/seed002-smith-implied-entry-basis",
            "position_prices/derived-inverse-short-isolated-entry-fee",
        ),
        formulas=_PRICE_FORMS[:2],
    ),
    _r(
        "price.close-fee",
        "The close fee is reserved",
        "prices.md",
        "With the profile's close_fee_rate, the fee to close at the price in question is "
        "reserved in both the liquidation and the bankruptcy condition.",
        ("margin.requirements.compute_close_fee",),
        invariants=("bankruptcy-price", "liq-trigger"),
        vectors=(
            "position_prices/derived-linear-long-isolated-mark-fee",
            "position_prices/derived-inverse-long-cross-entry-fee",
        ),
        formulas=_PRICE_FORMS,
    ),
    _r(
        "price.collateral",
        "One closed form for isolated and cross",
        "prices.md",
        "The collateral B is the isolated margin, or the cross wallet balance plus the other "
        "positions' uPnL; the other positions' maintenance margin O is 0 in isolated mode.",
        ("prices.position_prices.compute_collateral",),
        invariants=("bankruptcy-price",),
        vectors=(
            "position_prices/derived-linear-long-cross-mark",
            "position_prices/derived-linear-long-isolated-mark",
        ),
        formulas=_PRICE_FORMS,
    ),
    _r(
        "price.tier-fixed-point",
        "Tiers: the fixed point",
        "prices.md",
        "On the mark basis the equation is solved once per tier and the solution whose value "
        "lies in that tier is kept; of two (a table that breaks the recurrence), the first "
        "the mark reaches moving against the position.",
        ("prices.position_prices.compute_liquidation_price",),
        invariants=("mm-continuity", "bankruptcy-price"),
        vectors=(
            "position_prices/derived-linear-long-tier3-to-tier2",
            "position_prices/derived-broken-table-long-two-solutions",
            "position_prices/derived-broken-table-short-two-solutions",
            "position_prices/edge-tier-boundary-exact-jumping-table",
        ),
    ),
    _r(
        "price.none",
        "No price",
        "prices.md",
        "A price that would be at or below zero, or an equation without a unique solution, "
        "is reported as none.",
        ("prices.position_prices.compute_position_prices",),
        invariants=("bankruptcy-price",),
        vectors=(
            "position_prices/derived-linear-long-overcollateralized-none",
            "position_prices/derived-inverse-short-collateral-equals-value-none",
            "position_prices/edge-linear-long-1x-price-zero-none",
        ),
    ),
    # Liquidation and the insurance fund
    _r(
        "liq.trigger",
        "The trigger",
        "liquidation.md",
        "A position (isolated) or an account (cross) is liquidatable when its margin balance "
        "less the reserved close fee is at or below its maintenance margin at the current "
        "mark; the mark is the only trigger.",
        (
            "liquidation.trigger.is_liquidatable",
            "engine.accounts.is_position_isolated_liquidatable",
            "engine.accounts.is_account_cross_liquidatable",
        ),
        invariants=("liq-trigger", "liq-complete"),
        vectors=(
            "replay/hand-seed001-fund-pays-deficit",
            "replay/hand-seed001-adl-when-fund-short",
            "replay/edge-mark-exactly-at-liquidation-price",
            "replay/edge-mark-one-tick-above-liquidation-price",
        ),
    ),
    _r(
        "liq.partial",
        "Partial liquidation",
        "liquidation.md",
        "Under liquidation.mode = partial, above the lowest tier the smallest lot-rounded "
        "slice whose removal leaves the rest safe at a lower tier is taken over; otherwise "
        "the whole position.",
        ("engine.waterfall.compute_partial_slice",),
        invariants=("liq-complete",),
        why_no_vector="The replay vectors run full liquidations; the slice is checked against "
        "a brute-force search over lot multiples in tests/reference/engine.",
    ),
    _r(
        "liq.takeover",
        "Takeover at the bankruptcy price",
        "liquidation.md",
        "When triggered, the trader's orders are cancelled and the position (or slice) is "
        "taken over by engine:<market> at the tick-rounded bankruptcy price; what the trader "
        "had above it goes to the fund or stays with the trader (surplus_to). A cross account "
        "is taken over position by position, largest maintenance margin first.",
        ("engine.waterfall.process_mark",),
        invariants=("no-negative-balance", "liquidation-settled", "liq-settlement"),
        vectors=("replay/hand-seed001-fund-pays-deficit",),
    ),
    _r(
        "liq.fill-surplus",
        "Surplus of a fill",
        "liquidation.md",
        "A fill of d units at p against bankruptcy price P_b leaves d V (p - P_b) for a "
        "linear long and d V (P_b - p) for a short; inverse d V (1/P_b - 1/p) and "
        "d V (1/p - 1/P_b). Positive feeds the fund, negative the fund pays.",
        (
            "liquidation.settlement.compute_fill_surplus",
            "liquidation.settlement.compute_net_surplus",
        ),
        invariants=("conservation", "liq-settlement"),
        vectors=(
            "liquidation_settlement/seed001-long-surplus",
            "liquidation_settlement/seed001-short-deficit",
            "liquidation_settlement/inverse-long-surplus",
        ),
    ),
    _r(
        "insurance.nonnegative",
        "The fund never goes below zero",
        "liquidation.md",
        "Fills execute in order while the fund plus the net surplus of the executed fills "
        "stays at or above zero; the first fill that would break that is not executed, nor "
        "any later one; what is not executed goes to the last resort.",
        (
            "liquidation.settlement.is_fill_executable",
            "liquidation.settlement.select_executable_fills",
            "insurance.fund.can_pay",
            "insurance.fund.apply_insurance_delta",
            "kernels.settle_fund_units",
        ),
        invariants=("fund-nonnegative",),
        vectors=(
            "liquidation_settlement/seed001-fund-insufficient-adl",
            "liquidation_settlement/walk-stops-midway",
            "liquidation_settlement/walk-fund-exactly-exhausted",
            "liquidation_settlement/edge-fund-exactly-deficit-two-fills",
            "liquidation_settlement/edge-fund-a-hair-below-deficit",
        ),
    ),
    _r(
        "liq.fee",
        "The liquidation fee",
        "liquidation.md",
        "The fee is min(rate x base, max(0, net surplus)) over the executed fills only, on the "
        "base the profile names: fill_notional, bankruptcy_value or mark_value.",
        (
            "liquidation.settlement.compute_liquidation_fee_base",
            "liquidation.settlement.compute_liquidation_fee",
            "kernels.cap_fee_units",
        ),
        invariants=("liq-settlement",),
        vectors=(
            "liquidation_settlement/dydx-v4-fee-on-fill-notional",
            "liquidation_settlement/dydx-v4-fee-capped-by-surplus",
            "liquidation_settlement/fee-on-mark-value",
            "liquidation_settlement/edge-fee-equals-surplus",
        ),
    ),
    _r(
        "liq.surplus-split",
        "Where the fee and the surplus go",
        "liquidation.md",
        "The fee goes to the fund or the fees account (fee_to); under surplus_to = insurance "
        "the fund's share is net surplus - fee, under trader the trader gets max(0, net "
        "surplus - fee) and the fund min(0, net surplus - fee); always fee + fund share + "
        "refund = net surplus, exactly, with no rounding in settlement.",
        (
            "liquidation.settlement.compute_surplus_split",
            "liquidation.settlement.compute_insurance_delta",
            "liquidation.settlement.settle_liquidation",
        ),
        invariants=("liq-settlement", "conservation"),
        vectors=(
            "liquidation_settlement/seed004-surplus-after-fee-to-fund",
            "liquidation_settlement/trader-surplus-after-fee",
            "liquidation_settlement/trader-fee-capped-no-refund",
        ),
    ),
    # The last resorts
    _r(
        "insurance.fund-first",
        "The fund pays first",
        "last-resorts.md",
        "The last resort (ADL or socialized loss) takes only what the insurance fund cannot "
        "pay; under socialized loss the fund bears insurance_share of the loss, up to its "
        "balance, before anyone is charged.",
        (
            "socialized_loss.common.compute_insurance_payment",
            "socialized_loss.process.compute_liquidation_share",
        ),
        invariants=("fund-first", "fund-nonnegative"),
        vectors=(
            "liquidation_settlement/seed001-fund-insufficient-adl",
            "socialized_loss/seed000-top-profit-fund-short",
            "replay/hand-seed001-adl-when-fund-short",
        ),
    ),
    _r(
        "adl.counterparties",
        "Who is ranked",
        "last-resorts.md",
        "Every open position on the side opposite to the liquidated one is a counterparty; "
        "longs and shorts are ranked separately.",
        ("adl.allocation.get_opposite_side", "adl.allocation.get_eligible_counterparties"),
        invariants=("adl-side",),
        vectors=(
            "adl_allocate/hand-queue-same-side-ignored",
            "adl_allocate/edge-no-eligible-counterparty",
        ),
    ),
    _r(
        "adl.ranking",
        "The order of the queue",
        "last-resorts.md",
        "Within a side: higher score first, then the larger position, then the account id in "
        "string order, so the order is total; rank 1 is deleveraged first.",
        (
            "adl.ranking.get_priority_key",
            "adl.ranking.order_by_priority",
            "adl.ranking.rank_positions",
        ),
        invariants=("adl-order",),
        vectors=("adl_rank/hand-ties-size-then-id", "adl_rank/seed004-table2-order"),
    ),
    _r(
        "adl.score",
        "The score",
        "last-resorts.md",
        "The profile's adl.ranking names the score: pnl_times_leverage, "
        "leverage_pnl_margin_ratio, profit_ratio, roi_times_mmr or mark_entry_notional, each "
        "written on signed position values so that shorts mirror longs.",
        (
            "adl.formulas.compute_score",
            "adl.formulas.compute_pnl_percentage",
            "adl.formulas.compute_effective_leverage",
            "adl.formulas.compute_pnl_times_leverage_score",
            "adl.formulas.compute_leverage_pnl_margin_ratio_score",
            "adl.formulas.compute_profit_ratio_score",
            "adl.formulas.compute_roi_times_mmr_score",
            "adl.formulas.compute_mark_entry_notional_score",
        ),
        invariants=("adl-order",),
        vectors=(
            "adl_rank/seed004-table2-order",
            "adl_rank/seed003-leverage-pnl-margin-ratio",
            "adl_rank/hand-profit-ratio-inverse",
            "adl_rank/bitget-roi-times-mmr",
            "adl_rank/hyperliquid-mark-entry-notional",
        ),
    ),
    _r(
        "adl.lights",
        "Quantiles and lights",
        "last-resorts.md",
        "The quantile at rank r of n is r / n (rank) or the share of the side's size held by "
        "it and every position above it (size); a quantile at or below the first cut point "
        "lights 5, at or below the second 4, and so on, above the last 1.",
        (
            "adl.ranking.compute_quantile",
            "adl.ranking.compute_lights",
            "adl.ranking.validate_thresholds",
        ),
        vectors=(
            "adl_rank/seed001-indicator-lights",
            "adl_rank/bitmex-example-size-quantiles",
            "adl_rank/hand-four-cut-points",
            "adl_rank/edge-rank-quantile-exactly-at-cut",
            "adl_rank/edge-size-quantile-a-hair-above-cut",
        ),
        why_no_invariant="The indicator is shown to traders, not settled: no ledger event "
        "carries it, so no state invariant applies; the vectors pin it.",
    ),
    _r(
        "adl.queue",
        "Queue allocation",
        "last-resorts.md",
        "Under adl.allocation = queue the counterparties are consumed in rank order, each "
        "fully before the next; the last one touched is re-ranked with its smaller size.",
        (
            "adl.allocation.compute_queue_quantities",
            "adl.allocation.allocate_adl",
            "kernels.queue_allocate_units",
        ),
        invariants=("adl-order", "adl-qty"),
        vectors=(
            "adl_allocate/seed001-queue-350",
            "adl_allocate/seed002-queue-20000",
            "adl_allocate/hand-queue-ties",
        ),
    ),
    _r(
        "adl.pro-rata",
        "Pro-rata allocation",
        "last-resorts.md",
        "Under pro_rata every eligible counterparty gives the same fraction "
        "min(amount, total) / total of its size; with a lot size each share rounds down to a "
        "lot and the leftover lots go one at a time, in ranking order, to the rounded shares.",
        ("adl.allocation.compute_pro_rata_quantities", "kernels.pro_rata_allocate_units"),
        invariants=("adl-qty", "adl-no-flip"),
        vectors=(
            "adl_allocate/hand-pro-rata-exact",
            "adl_allocate/hand-pro-rata-lot-remainder",
            "adl_allocate/hand-pro-rata-half-lots",
            "adl_allocate/edge-pro-rata-one-lot",
        ),
    ),
    _r(
        "adl.fill-price",
        "The ADL fill price",
        "last-resorts.md",
        "Every ADL fill is at one price: the liquidated position's bankruptcy price "
        "(adl.fill_price = bankruptcy) or the mark (mark, Hyperliquid).",
        ("adl.allocation.get_adl_fill_price",),
        invariants=("adl-price", "adl-fill-price"),
        vectors=("adl_allocate/seed001-queue-350", "adl_allocate/hyperliquid-fill-at-mark"),
    ),
    _r(
        "adl.no-flip",
        "ADL never flips a counterparty",
        "last-resorts.md",
        "A fill never exceeds the counterparty's size; when the opposite side holds less than "
        "the amount all of it is taken and the rest is returned as remaining_qty, no fill "
        "invented; with a lot size every amount must be whole lots.",
        ("adl.allocation.is_lot_multiple", "adl.allocation.apply_adl_fills"),
        invariants=("adl-no-flip", "adl-qty"),
        vectors=("adl_allocate/hand-pro-rata-over-capacity", "adl_allocate/hand-queue-lots"),
    ),
    _r(
        "adl.fees",
        "ADL fees",
        "last-resorts.md",
        "adl.fee_policy: none, maker_rebate (the deleveraged trader pays a maker fee, the "
        "liquidated one receives the rebate) or maker_taker, at the rates on the fill's "
        "notional; with a unit charges round up and a rebate down.",
        (
            "adl.fees.compute_fill_notional",
            "adl.fees.compute_adl_fill_fees",
            "adl.fees.compute_fees_account_delta",
        ),
        invariants=("conservation",),
        vectors=("adl_allocate/hand-maker-rebate", "adl_allocate/hand-maker-taker"),
    ),
    _r(
        "sl.cycle",
        "Settlement cycles",
        "last-resorts.md",
        "Socialized loss works per settlement cycle (socialized_loss.cycle, counted from the "
        "Unix epoch in UTC); several losses in one cycle are charged in turn, each lowering "
        "what the next can take.",
        (
            "socialized_loss.cycles.parse_cycle",
            "socialized_loss.cycles.get_cycle_index",
            "socialized_loss.process.process_cycle_losses",
        ),
        invariants=("sl-cap",),
        vectors=("replay/hand-seed000-socialized",),
    ),
    _r(
        "sl.top-profit",
        "Top-profit participants",
        "last-resorts.md",
        "Profitable positions by profit, largest first (ties by account id), taken until "
        "their cumulative profit reaches the threshold of the total profit, the crossing "
        "position included; each pays amount x profit / denominator.",
        (
            "socialized_loss.top_profit.select_top_profit_participants",
            "socialized_loss.top_profit.compute_top_profit",
        ),
        invariants=("sl-participants",),
        vectors=(
            "socialized_loss/seed000-top-profit-participants",
            "socialized_loss/seed000-top-profit-all-profitable",
            "socialized_loss/hand-top-profit-exact-threshold",
            "socialized_loss/hand-top-profit-ties",
        ),
    ),
    _r(
        "sl.clawback",
        "Clawback",
        "last-resorts.md",
        "One rate, min(1, amount / total profit), taken from every profitable account's profit.",
        (
            "socialized_loss.clawback.compute_clawback_rate",
            "socialized_loss.clawback.compute_clawback",
        ),
        invariants=("sl-participants", "sl-cap"),
        vectors=("socialized_loss/hand-clawback-rate", "socialized_loss/hand-clawback-over-profit"),
    ),
    _r(
        "sl.open-interest",
        "Open-interest socialization",
        "last-resorts.md",
        "amount x |size| / total size over every open position, long or short, capped at the "
        "account's equity and never below zero.",
        (
            "socialized_loss.open_interest.compute_open_interest",
            "socialized_loss.open_interest.get_equity_cap",
        ),
        invariants=("sl-participants", "sl-cap"),
        vectors=(
            "socialized_loss/drift-open-interest-7-4",
            "socialized_loss/hand-open-interest-equity-cap",
        ),
    ),
    _r(
        "sl.haircut-ratio",
        "Haircut ratio",
        "last-resorts.md",
        "Positive PnL is a junior claim paid at h = min(residual, total positive PnL) / total "
        "positive PnL with residual = max(0, vault - principal - insurance); a written-off "
        "loss D leaves residual = max(0, total positive PnL - D).",
        (
            "socialized_loss.haircut_ratio.compute_residual",
            "socialized_loss.haircut_ratio.compute_haircut_ratio",
            "socialized_loss.haircut_ratio.compute_haircut_shortfall",
            "socialized_loss.haircut_ratio.compute_haircut",
            "socialized_loss.haircut_ratio.compute_written_off_haircut",
        ),
        invariants=("sl-participants", "sl-cap"),
        vectors=(
            "socialized_loss/percolator-haircut",
            "socialized_loss/percolator-floor-residue",
            "socialized_loss/percolator-written-off",
        ),
    ),
    _r(
        "sl.cap",
        "Socialized charges are capped",
        "last-resorts.md",
        "A charge never exceeds the position's cycle profit or the account's equity and never "
        "goes below zero; what the caps refuse is not spread again but booked to system_loss, "
        "so loss = insurance_paid + charges + uncovered exactly.",
        ("socialized_loss.process.compute_socialized_loss", "socialized_loss.common.build_result"),
        invariants=("sl-cap", "conservation"),
        vectors=(
            "socialized_loss/seed000-top-profit-caps",
            "socialized_loss/hand-clawback-over-profit",
            "socialized_loss/hand-open-interest-negative-equity",
        ),
    ),
    _r(
        "sl.rounding",
        "Socialized charges to a unit",
        "last-resorts.md",
        "Each exact share rounds down to the unit; then, in the method's order, shares that "
        "were rounded and whose cap allows get one more unit until the total reaches the "
        "amount rounded down; the rest goes to system_loss. The fund's part rounds down.",
        ("socialized_loss.common.round_charges",),
        invariants=("sl-cap",),
        vectors=(
            "socialized_loss/seed000-top-profit-unit",
            "socialized_loss/hand-clawback-unit",
            "socialized_loss/edge-unit-cap-blocks-extra",
        ),
    ),
    # The engine
    _r(
        "engine.rejection",
        "A rejected input changes nothing",
        "engine.md",
        "A rejected input is recorded with a rejection event and changes nothing but the "
        "sequence number: every step validates everything before it changes anything.",
        ("engine.engine.apply",),
        invariants=("frame", "seq-order"),
        vectors=("replay/hand-rejection-and-funding",),
    ),
    _r(
        "engine.conservation",
        "Conservation",
        "engine.md",
        "The cash of every account plus the unrealized PnL of every open position equals "
        "deposits minus withdrawals, per asset, after every event.",
        ("engine.accounts.compute_account_cash",),
        invariants=("conservation", "oi-balance"),
        vectors=("replay/hand-seed001-adl-when-fund-short", "replay/hand-seed000-socialized"),
    ),
    _r(
        "engine.settlement-unit",
        "The settlement unit",
        "engine.md",
        "With a unit, a partial reduction books its realized PnL rounded to the unit (a "
        "payout down, a charge up) and carries the remainder in the open position's entry "
        "price, leaving the equity at the fill price unchanged; a close to flat books the "
        "dust to fees.",
        (
            "engine.exchange.split_realized",
            "margin.pnl.compute_carried_entry",
            "margin.pnl.can_carry_dust",
        ),
        invariants=("conservation", "balance-continuity"),
        why_no_vector="The replay vectors run without a unit (every amount exact); the "
        "simulator's runs use 10^-8 and are audited in tests/reference/simulation.",
    ),
    _r(
        "engine.funding",
        "Funding",
        "engine.md",
        "Each position pays q x value per unit at the mark x rate (longs pay a positive "
        "rate); the payments sum to exactly zero.",
        (
            "engine.inputs.compute_funding_payment",
            "engine.inputs.compute_funding_payments",
            "mark.funding_rate.compute_position_funding",
        ),
        invariants=("funding", "funding-sign"),
        vectors=(
            "replay/hand-rejection-and-funding",
            "funding_rate/bitmex-guide-interest-and-payment",
            "funding_rate/hand-payment-linear-short",
            "replay/edge-funding-zero",
            "replay/edge-account-without-position",
        ),
    ),
    _r(
        "engine.mark-update",
        "A mark update",
        "engine.md",
        "A mark update takes the accounts it made liquidatable in account order, takes them "
        "over, fills against the liquidity model while the fund can pay, runs the last "
        "resort, and repeats until none is left, within at most 1 + accounts x (sum of the "
        "markets' tier counts) rounds (LoopBoundError beyond).",
        ("engine.waterfall.process_mark", "engine.waterfall.compute_round_bound"),
        invariants=("liq-complete", "fund-first"),
        vectors=(
            "replay/hand-seed001-adl-when-fund-short",
            "replay/hand-seed001-fund-pays-deficit",
        ),
    ),
    _r(
        "engine.adl-gap",
        "The gap of an ADL fill at the mark",
        "engine.md",
        "Under adl.fill_price = mark the gap between the mark and the takeover price is "
        "booked like a book walk's surplus or deficit: a gain to the fund (or the trader "
        "under surplus_to = trader), a loss paid by the fund as far as it can and the rest by "
        "system_loss; the liquidated trader is not charged.",
        ("engine.waterfall.rank_counterparties",),
        invariants=("adl-price", "conservation"),
        why_no_vector="The adl_allocate op prices the fills only (adl_allocate/"
        "hyperliquid-fill-at-mark); the booking is the engine's and no replay vector runs "
        "the hyperliquid profile yet.",
    ),
    _r(
        "engine.replay",
        "Replay",
        "engine.md",
        "Replaying a ledger's inputs through a fresh engine reproduces a ledger the engine "
        "wrote, event for event.",
        ("engine.engine.replay", "engine.engine.get_inputs"),
        invariants=("replay",),
        vectors=(
            "replay/hand-seed001-adl-when-fund-short",
            "replay/hand-seed001-fund-pays-deficit",
            "replay/hand-seed000-socialized",
            "replay/hand-rejection-and-funding",
        ),
    ),
)

#: Ids once published and since withdrawn: never reused for another rule.
WITHDRAWN: frozenset[str] = frozenset()

_BY_ID = {rule.id: rule for rule in RULES}


def get_rule(rule_id: str) -> Rule:
    """The rule with this id; a one-line error naming it when there is none."""
    try:
        return _BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r} (the rules are in perpspec/spec/rules.py)") from None


def get_rules_protected_by(invariant_id: str) -> list[Rule]:
    """The rules that list this invariant, in table order (the catalogue's back links)."""
    return [rule for rule in RULES if invariant_id in rule.invariants]


def rule_label(rule_id: str) -> str:
    """The label a docs page under docs/ carries where its prose states the rule.

    A visible ``[id]`` that links to the rule's entry in the index and is itself the anchor
    ``#rule-<id>`` (attr_list), so the statement and the index point at each other.
    """
    return f"[`[{rule_id}]`](generated/rules.md#rule-{rule_id}){{#rule-{rule_id} .rule-label}}"


def resolve_function(path: str) -> object:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                raise LookupError(f"{path}: {'.'.join(parts[:cut])} has no {name!r}")
            target = getattr(target, name)
        return target
    raise LookupError(f"{path}: no such module")


def get_vector_case_ids() -> dict[str, set[str]]:
    """The case ids of vectors/*.jsonl, per op (the file's stem)."""
    cases: dict[str, set[str]] = {}
    for path in sorted(VECTORS.glob("*.jsonl")):
        ids = cases.setdefault(path.stem, set())
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(str(json.loads(line)["id"]))
    return cases


def find_rule_mentions(text: str) -> list[str]:
    """The rule ids a text says it implements: ``Implements rule`` then ticked ids."""
    return [tick for group in _MENTION.findall(text) for tick in _TICKED.findall(group)]


def _iter_source_mentions(package: Path) -> Iterator[tuple[str, int, str]]:
    for path in sorted(package.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for rule_id in find_rule_mentions(line):
                yield str(path.relative_to(ROOT)), number, rule_id


def _check_rule(rule: Rule, invariant_ids: set[str], cases: dict[str, set[str]]) -> list[str]:
    from perpspec.spec.latex import formula_latex

    problems: list[str] = []
    where = f"rule {rule.id}"
    if not RULE_ID.match(rule.id):
        problems.append(f"{where}: the id is not lower-case dot-separated words")
    if rule.id in WITHDRAWN:
        problems.append(f"{where}: the id was withdrawn and is never reused")
    if not rule.functions:
        problems.append(f"{where}: names no implementing function")
    for path in rule.functions:
        try:
            target = resolve_function(path)
        except LookupError as error:
            problems.append(f"{where}: function {error}")
            continue
        if rule.id not in find_rule_mentions(getattr(target, "__doc__", None) or ""):
            problems.append(f"{where}: the docstring of {path} does not name the rule")
    problems += [
        f"{where}: invariant {i!r} is not in the catalogue"
        for i in rule.invariants
        if i not in invariant_ids
    ]
    for vector in rule.vectors:
        op, _, case = vector.partition("/")
        if case not in cases.get(op, set()):
            problems.append(f"{where}: vector {vector!r} is not in vectors/{op}.jsonl")
    names = {key.split(":")[0] for key in formula_latex()}
    problems += [f"{where}: no formula {f!r}" for f in rule.formulas if f not in names]
    if not rule.invariants and not rule.why_no_invariant:
        problems.append(f"{where}: no invariant and no why_no_invariant")
    if not rule.vectors and not rule.why_no_vector:
        problems.append(f"{where}: no vector and no why_no_vector")
    page = DOCS / rule.page
    if not page.is_file():
        problems.append(f"{where}: no page docs/{rule.page}")
    elif rule_label(rule.id) not in page.read_text(encoding="utf-8"):
        problems.append(f"{where}: docs/{rule.page} does not carry its label {rule_label(rule.id)}")
    return problems


def check_rules() -> list[str]:
    """Every way the rules, the code, the catalogue, the vectors and the docs can disagree.

    One line per problem: a duplicate id; a rule whose function does not exist or does not
    name it; an invariant not in the catalogue; a vector case not in vectors/; a formula not
    derived; a rule without invariant or vector and no reason; a page without the rule's
    label; a rule id named in the code that has no rule.
    """
    from perpspec.invariants.catalogue import CATALOGUE

    problems: list[str] = []
    seen: set[str] = set()
    for rule in RULES:
        if rule.id in seen:
            problems.append(f"rule {rule.id}: defined twice")
        seen.add(rule.id)
    cases = get_vector_case_ids()
    invariant_ids = set(CATALOGUE)
    for rule in RULES:
        problems += _check_rule(rule, invariant_ids, cases)
    for path, line, rule_id in _iter_source_mentions(ROOT / "perpspec"):
        if rule_id not in _BY_ID:
            problems.append(f"{path}:{line}: names rule {rule_id!r}, which has no entry")
    return problems
