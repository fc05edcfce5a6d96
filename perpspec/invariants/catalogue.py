"""The invariant catalogue: every invariant's id, statement, rule, and the checks behind it.

Rule (DESIGN, Invariants): each invariant has a stable id, which is also the audit's check
name, the docs anchor and the golden test's name; a one-line statement; the rule it protects;
and the methods that check it, each with its strength, so nobody mistakes an example for a
proof. The docs' catalogue page and ``perpspec invariants`` are generated from this table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

__all__ = [
    "CATALOGUE",
    "Check",
    "Invariant",
    "Method",
    "Strength",
    "get_checks",
    "get_invariant",
    "get_methods",
    "register_audit_checks",
    "register_check",
]


class Method(Enum):
    """How a check is carried out."""

    SYMPY = "sympy"
    CROSSHAIR = "crosshair"
    HYPOTHESIS = "hypothesis"
    STATE_MACHINE = "state_machine"
    EXHAUSTIVE = "exhaustive"
    EXAMPLE = "example"
    AUDIT = "audit"
    REPLAY = "replay"


class Strength(Enum):
    """What a passing check establishes, strongest first."""

    SYMBOLIC_PROOF = "symbolic proof"
    EXHAUSTIVE = "exhaustive over a small stated domain"
    BOUNDED_SYMBOLIC = "bounded symbolic execution"
    RANDOM_PROPERTY = "random property"
    EXAMPLE = "example"
    LEDGER_CHECK = "checked on every event of a ledger"


@dataclass(frozen=True, slots=True)
class Check:
    """One way an invariant is checked: method, strength, and where it lives.

    ``where`` is a test node ``tests/<path>.py::<function>`` or a module attribute
    ``perpspec.<module>:<name>``; a test resolves every one, so the catalogue cannot claim a
    check that does not exist. ``note`` says what exactly that check establishes.
    """

    method: Method
    strength: Strength
    where: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Invariant:
    """One invariant of the catalogue."""

    id: str
    statement: str
    rule: str
    checks: tuple[Check, ...] = ()


#: The strength each method gives a passing check.
STRENGTH_OF: dict[Method, Strength] = {
    Method.SYMPY: Strength.SYMBOLIC_PROOF,
    Method.EXHAUSTIVE: Strength.EXHAUSTIVE,
    Method.CROSSHAIR: Strength.BOUNDED_SYMBOLIC,
    Method.HYPOTHESIS: Strength.RANDOM_PROPERTY,
    Method.STATE_MACHINE: Strength.RANDOM_PROPERTY,
    Method.REPLAY: Strength.RANDOM_PROPERTY,
    Method.EXAMPLE: Strength.EXAMPLE,
    Method.AUDIT: Strength.LEDGER_CHECK,
}


def _check(method: Method, where: str, note: str = "") -> Check:
    return Check(method, STRENGTH_OF[method], where, note)


_MACHINE = "tests/invariants/test_state_machine.py::test_state_machine_keeps_every_invariant"
_MARKETS = (
    "tests/reference/engine/test_engine_properties.py::test_random_markets_keep_the_invariants"
)
_LEDGERS = "tests/invariants/test_frame.py::test_random_ledgers_keep_frame_and_state_invariants"
_EXHAUSTIVE = "tests/invariants/test_exhaustive.py::"
_SETTLEMENT = _EXHAUSTIVE + "test_settlement_every_small_fill_list"
_ALLOCATION = _EXHAUSTIVE + "test_adl_allocation_every_small_ranking"
_SL_BOOK = _EXHAUSTIVE + "test_socialized_loss_every_small_book"
_KERNELS = "perpspec.reference.kernels:"
_THEOREMS = "perpspec.spec.theorems:"
_ADL_PROPS = "tests/reference/adl/test_adl_allocation_properties.py::"
_SL_PROPS = "tests/reference/socialized_loss/test_sl_properties.py::"
_WALK = (
    "tests/reference/liquidation/test_liquidation_settlement_properties.py::"
    "test_fund_never_negative_and_walk_is_maximal"
)

_INVARIANTS: list[Invariant] = [
    Invariant(
        "conservation",
        "trader balances + insurance funds + fees + system_loss (+ the liquidation engine's "
        "accounts) plus open positions' unrealized PnL = deposits - withdrawals, exactly, "
        "after every event",
        "DESIGN, Ledger and Invariants; perpspec/reference/engine/state.py",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "after every step, and against the shadow's own deposits minus withdrawals",
            ),
            _check(Method.HYPOTHESIS, _MARKETS, "random markets ending in a gap down"),
            _check(
                Method.HYPOTHESIS,
                _LEDGERS,
                "ledgers of the shipped strategies, linear and inverse, under profile variations",
            ),
            _check(
                Method.EXHAUSTIVE,
                _SETTLEMENT,
                "one liquidation's split: fee + fund delta + refund = net surplus",
            ),
        ),
    ),
    Invariant(
        "oi-balance",
        "per market, long size = short size, the engine's taken-over inventory included",
        "DESIGN, Invariants",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "after every step"),
            _check(Method.HYPOTHESIS, _MARKETS, "after every event"),
            _check(Method.HYPOTHESIS, _LEDGERS, "after every event"),
        ),
    ),
    Invariant(
        "fund-nonnegative",
        "no insurance fund below zero",
        "DESIGN, Insurance fund; seed 001",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "after every step"),
            _check(Method.HYPOTHESIS, _MARKETS, "after every event"),
            _check(Method.EXHAUSTIVE, _SETTLEMENT, "fund after the walk, funds 0..4"),
            _check(Method.HYPOTHESIS, _WALK),
            _check(
                Method.CROSSHAIR,
                _KERNELS + "settle_fund_units",
                "the fund pays a deficit only whole and stays >= 0",
            ),
        ),
    ),
    Invariant(
        "fund-first",
        "no ADL or socialized loss while the fund could pay the deficit (beyond the share the "
        "profile's insurance_share leaves to profits)",
        "DESIGN, Insurance fund and Socialized loss; seeds 001, 002, 004, 000",
        (
            _check(
                Method.EXHAUSTIVE,
                _SETTLEMENT,
                "the walk stops only at a fill the fund cannot pay, or when the book runs out",
            ),
            _check(
                Method.EXHAUSTIVE,
                _SL_BOOK,
                "the fund pays min(fund, share x loss) before anyone is charged",
            ),
            _check(Method.HYPOTHESIS, _WALK, "the walk is maximal"),
            _check(
                Method.EXAMPLE,
                "tests/reference/socialized_loss/test_sl_methods.py::"
                "test_a_written_off_loss_is_paid_by_the_fund_first_then_haircut",
                "haircut_ratio: the fund pays before the write-off",
            ),
            _check(
                Method.CROSSHAIR,
                _KERNELS + "settle_fund_units",
                "pays exactly when deficit <= balance",
            ),
        ),
    ),
    Invariant(
        "liq-trigger",
        "a liquidation only when margin balance <= MM at the current mark",
        "DESIGN, Prices; seed 004 Part Three",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "every account's first liquidation of a mark was liquidatable at that mark",
            ),
            _check(
                Method.EXHAUSTIVE,
                _EXHAUSTIVE + "test_trigger_agrees_with_the_liquidation_price_every_small_position",
                "the trigger fires exactly at marks past the liquidation price",
            ),
            _check(
                Method.SYMPY,
                _THEOREMS + "prove_tier_fixed_point_unique",
                "margin balance - MM is strictly monotone in the mark: one crossing",
            ),
        ),
    ),
    Invariant(
        "mark-price",
        "a mark after an index record is the profile's [mark] rule on that record's inputs, "
        "and the record's index is its sources' under [index], exactly",
        "seed 004 Part Three (the mark, the sole trigger); docs/mark-price.md",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "an index record's derived mark is accepted and a mark one tick off it is "
                "refused, the state unchanged",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/reference/mark/test_properties.py::test_median_mark_is_the_middle",
                "the median-of-three mark is the middle of its three prices",
            ),
            _check(
                Method.SYMPY,
                "perpspec.spec.mark_theorems:prove_mark_median_bounds",
                "the median rule's mark lies between the least and greatest of its prices",
            ),
            _check(
                Method.SYMPY,
                "perpspec.spec.mark_theorems:prove_index_single_source",
                "with a single source the index is that source",
            ),
        ),
    ),
    Invariant(
        "funding-rate",
        "a funding rate after premium samples is the profile's [funding] rule on them: "
        "averaged, P + clamp(I - P, -b, b), scaled, within cap and floor",
        "docs/mark-price.md (Binance, BitMEX, Bybit funding rate pages)",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "a funding after an index record with impact prices is accepted at the "
                "derived rate and refused at another",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/reference/mark/test_properties.py::test_rate_within_cap_and_floor",
                "random premiums: the rate stays within its cap and floor",
            ),
            _check(
                Method.SYMPY,
                "perpspec.spec.mark_theorems:prove_funding_rate_bounds",
                "the rate lies in [floor, cap] whatever the premium",
            ),
        ),
    ),
    Invariant(
        "liq-complete",
        "no liquidatable account left standing after a mark update",
        "DESIGN, Liquidation",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "after every mark"),
            _check(Method.HYPOTHESIS, _MARKETS, "after every mark"),
            _check(Method.HYPOTHESIS, _LEDGERS, "after every mark"),
        ),
    ),
    Invariant(
        "no-negative-balance",
        "no trader below zero once a liquidation is settled",
        "DESIGN, Liquidation; seed 001 (the trader does not pay the extra)",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "every trader's equity after every mark"),
            _check(Method.HYPOTHESIS, _MARKETS, "liquidated traders' cash after the mark"),
            _check(Method.EXHAUSTIVE, _SETTLEMENT, "the fee never exceeds the net surplus"),
            _check(Method.CROSSHAIR, _KERNELS + "cap_fee_units", "fee <= max(0, surplus)"),
        ),
    ),
    Invariant(
        "bankruptcy-price",
        "the stated bankruptcy and liquidation prices equal the spec's, tick-rounded as "
        "specified (long up, short down)",
        "DESIGN, Prices and Arithmetic",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "each stated price brackets its defining "
                "equation within one tick on the side of loss",
            ),
            _check(
                Method.SYMPY,
                _THEOREMS + "prove_seed004_example",
                "seed 004's 100x figures from the closed forms",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/spec/test_closed_form_equations.py::"
                "test_bankruptcy_price_zeroes_the_margin_balance",
            ),
            _check(
                Method.EXHAUSTIVE,
                _EXHAUSTIVE + "test_quantize_every_small_rational",
                "rounding directions of position prices",
            ),
            _check(Method.CROSSHAIR, _KERNELS + "quantize_units", "rounding brackets"),
        ),
    ),
    Invariant(
        "adl-price",
        "every ADL fill at the profile's adl.fill_price: the liquidated position's bankruptcy "
        "price, or the update's mark under mark",
        "DESIGN, ADL; seeds 001, 002, 003, 004; Hyperliquid, Auto-deleveraging",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "every ADL event against its liquidation"),
            _check(Method.EXHAUSTIVE, _ALLOCATION),
            _check(
                Method.EXAMPLE,
                "tests/reference/adl/test_adl_allocation.py::test_seed002_20000_at_19500",
            ),
            _check(
                Method.EXAMPLE,
                "tests/reference/engine/test_engine_examples.py::"
                "test_hyperliquid_adl_fills_at_the_mark_and_the_fund_then_system_loss_pays_the_gap",
                "fill_price = mark, hand-worked",
            ),
            _check(
                Method.EXAMPLE,
                "tests/audit/test_adl_mark.py::test_a_fill_moved_off_the_mark_is_caught",
                "fill_price = mark, audit",
            ),
        ),
    ),
    Invariant(
        "adl-side",
        "ADL counterparties hold the opposite side",
        "DESIGN, ADL",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "sizes followed through the step"),
            _check(Method.EXHAUSTIVE, _ALLOCATION, "a same-side position is never touched"),
        ),
    ),
    Invariant(
        "adl-order",
        "ADL follows the ranking: nobody lower-ranked is touched while a higher-ranked "
        "position keeps size",
        "DESIGN, ADL; seed 001 (350 -> A 100, B 200, C 50), seed 002",
        (
            _check(Method.EXHAUSTIVE, _ALLOCATION, "every ranking of up to 4, ties included"),
            _check(
                Method.HYPOTHESIS,
                _ADL_PROPS + "test_queue_touches_nobody_below_a_position_that_keeps_size",
            ),
            _check(Method.CROSSHAIR, _KERNELS + "queue_allocate_units"),
            _check(Method.STATE_MACHINE, _MACHINE, "ranks increase; all but the last whole"),
        ),
    ),
    Invariant(
        "adl-no-flip",
        "ADL only reduces a counterparty, never flips it",
        "DESIGN, ADL",
        (
            _check(Method.EXHAUSTIVE, _ALLOCATION),
            _check(Method.HYPOTHESIS, _ADL_PROPS + "test_allocation_sums_exactly_and_never_flips"),
            _check(Method.CROSSHAIR, _KERNELS + "pro_rata_allocate_units"),
            _check(Method.STATE_MACHINE, _MACHINE, "fill <= size at that moment"),
        ),
    ),
    Invariant(
        "adl-qty",
        "ADL quantity equals the liquidation's unfilled remainder",
        "DESIGN, ADL",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "fills + ADL close exactly the quantity"),
            _check(Method.EXHAUSTIVE, _ALLOCATION, "filled = min(remainder, total)"),
            _check(Method.CROSSHAIR, _KERNELS + "queue_allocate_units", "sum = min(qty, total)"),
            _check(Method.HYPOTHESIS, _ADL_PROPS + "test_allocation_sums_exactly_and_never_flips"),
        ),
    ),
    Invariant(
        "sl-cap",
        "a socialized charge never exceeds its cap (cycle profit or equity)",
        "DESIGN, Socialized loss; seed 000",
        (
            _check(Method.EXHAUSTIVE, _SL_BOOK),
            _check(Method.HYPOTHESIS, _SL_PROPS + "test_charges_within_caps_and_books_balance"),
            _check(
                Method.EXAMPLE,
                "tests/reference/socialized_loss/test_sl_methods.py::"
                "test_seed000_charges_capped_at_cycle_profit",
            ),
            _check(
                Method.EXAMPLE,
                "tests/reference/socialized_loss/test_sl_methods.py::"
                "test_a_written_off_loss_beyond_every_claim_leaves_the_rest_uncovered",
                "haircut_ratio at h = 0: every claim charged whole, never more",
            ),
        ),
    ),
    Invariant(
        "sl-participants",
        "only selected participants are charged, pro rata as the method says",
        "DESIGN, Socialized loss; seed 000",
        (
            _check(Method.EXHAUSTIVE, _SL_BOOK),
            _check(
                Method.HYPOTHESIS,
                _SL_PROPS + "test_rounded_charges_stay_within_one_unit_of_the_exact_share",
            ),
            _check(
                Method.EXAMPLE,
                "tests/reference/socialized_loss/test_sl_methods.py::"
                "test_seed000_search_stops_at_90_percent_crossing_included",
            ),
            _check(
                Method.EXAMPLE,
                "tests/reference/engine/test_engine_examples.py::"
                "test_percolator_haircuts_positive_pnl_after_the_fund",
                "haircut_ratio, hand-worked, floor residue to system_loss",
            ),
            _check(
                Method.EXAMPLE,
                "tests/audit/test_haircut.py::test_a_tampered_haircut_is_caught",
                "haircut_ratio, audit",
            ),
        ),
    ),
    Invariant(
        "price-order",
        "long: bankruptcy < liquidation < entry; short: mirrored (under its preconditions)",
        "DESIGN, Prices; seed 004",
        (
            _check(Method.SYMPY, _THEOREMS + "prove_price_order"),
            _check(Method.SYMPY, _THEOREMS + "prove_distance_shrinks_with_leverage"),
            _check(
                Method.EXHAUSTIVE,
                "tests/invariants/test_price_order.py::test_price_order_on_a_grid",
                "ordered exactly when m + f < 1/L",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/invariants/test_price_order.py::test_price_order_inside_the_preconditions",
            ),
        ),
    ),
    Invariant(
        "mm-continuity",
        "maintenance margin is continuous in the value across tier floors (the maintenance "
        "amounts follow the recurrence)",
        "DESIGN, Margin",
        (
            _check(Method.SYMPY, _THEOREMS + "prove_mm_continuity"),
            _check(
                Method.EXHAUSTIVE,
                _EXHAUSTIVE + "test_tier_recurrence_continuity_every_three_tier_table",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/invariants/test_price_order.py::"
                "test_mm_is_continuous_at_every_floor_of_a_drawn_table",
            ),
        ),
    ),
    Invariant(
        "replay",
        "replaying a ledger's inputs through the reference reproduces its outputs exactly",
        "DESIGN, Invariants",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "every run's whole ledger"),
            _check(Method.HYPOTHESIS, _MARKETS),
            _check(Method.HYPOTHESIS, _LEDGERS),
            _check(
                Method.EXAMPLE,
                "tests/reference/engine/test_engine_examples.py::"
                "test_apply_is_pure_and_replay_reproduces",
            ),
        ),
    ),
    Invariant(
        "frame",
        "a rejected input leaves the state exactly as it was; an accepted one changes only "
        "what its rule says",
        "DESIGN, Invariants",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "every step; the shadow predicts rejections"),
            _check(Method.HYPOTHESIS, _LEDGERS, "every input, accepted or rejected"),
            _check(
                Method.EXAMPLE,
                "tests/invariants/test_frame.py::"
                "test_every_operation_rejects_invalid_input_and_changes_nothing",
                "a table of invalid inputs covering every operation",
            ),
        ),
    ),
]

_LEDGER_ORDER: list[Invariant] = [
    Invariant(
        "seq-order",
        "sequence numbers strictly increase, and timestamps never decrease, along the ledger",
        "DESIGN, Ledger (seq: strictly increasing integer; an ordered stream of events)",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "every run's whole ledger"),
            _check(Method.HYPOTHESIS, _LEDGERS, "every generated ledger"),
        ),
    ),
    Invariant(
        "funding",
        "a funding event pays every open position of its market, and only those, -q times "
        "the value of one unit at the mark times the rate (longs pay a positive rate)",
        "DESIGN, Ledger (funding: rate and payments, + receives); "
        "perpspec/reference/engine/inputs.py compute_funding_payment",
        (
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "every accepted funding step (predicate find_funding_violations)",
            ),
            _check(
                Method.EXAMPLE,
                "tests/audit/test_funding.py::test_funding_paid_as_the_rule_gives",
                "payments worked by hand, and each way of getting them wrong",
            ),
        ),
    ),
    Invariant(
        "references",
        "every event names a defined market, a known account, and the liquidation it settles",
        "DESIGN, Ledger (instrument must precede any event on the market)",
        (
            _check(Method.STATE_MACHINE, _MACHINE, "markets and liquidation ids, every run"),
            _check(Method.HYPOTHESIS, _LEDGERS, "markets and liquidation ids"),
        ),
    ),
    Invariant(
        "liquidation-settled",
        "once a liquidation is settled, the engine account holds no inventory from it and no "
        "cash (fee, fund share and refund all booked)",
        "DESIGN, Liquidation (the engine takes over and closes); perpspec/reference/engine",
        (
            _check(
                Method.STATE_MACHINE, _MACHINE, "engine accounts flat and empty after every step"
            ),
            _check(Method.HYPOTHESIS, _LEDGERS, "after every event"),
            _check(
                Method.STATE_MACHINE,
                _MACHINE,
                "fills + ADL close exactly the quantity (predicate find_adl_violations)",
            ),
        ),
    ),
    Invariant(
        "liq-settlement",
        "a liquidated trader's own settlement entries are the profile's: the margin handed to "
        "the fund, the negative balance it covers, the fund's share of the surplus (the rest "
        "refunded to the trader), and the fee on its base, to its account",
        "DESIGN, Liquidation and Insurance fund (fee_base, fee_to, surplus_to); "
        "perpspec/reference/liquidation/settlement.py",
        (
            _check(
                Method.EXAMPLE,
                "tests/audit/test_liq_settlement.py::"
                "test_margin_entry_deleted_changed_or_misfiled_is_caught",
                "amounts worked by hand; each tamper (deleted, changed, misfiled) caught at its "
                "record",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/audit/test_liq_settlement.py::"
                "test_engine_entries_pass_and_a_deleted_entry_is_caught",
                "the engine's entries under every fee_base, fee_to and surplus_to",
            ),
        ),
    ),
    Invariant(
        "trade-fee",
        "a trade's stated fees are the profile's trading rates on its notional, one side at "
        "the maker rate and the other at the taker rate, rounded up to the settlement unit",
        "DESIGN, Arithmetic (charges up); profile [trading]; perpspec/reference/trading_fee.py",
        (
            _check(
                Method.EXAMPLE,
                "tests/audit/test_trade_fee.py::test_a_fee_off_the_profile_rates_is_caught",
                "fees worked by hand under zero and non-zero rates, either side the maker",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/audit/test_trade_fee.py::"
                "test_fees_at_the_rates_pass_and_one_unit_more_is_caught",
                "fees by integer ceiling division, independent of the reference",
            ),
        ),
    ),
]
_INVARIANTS += _LEDGER_ORDER

_PARTIAL = "tests/audit/test_partial.py::"
_PARTIAL_PROPS = "tests/audit/test_partial_properties.py::"
_CLEAN_HISTORY = _PARTIAL_PROPS + "test_a_consistent_history_passes"
_TAMPERED_HISTORY = _PARTIAL_PROPS + "test_a_one_record_tamper_is_caught_by_its_check_alone"


def _account_invariant(invariant_id: str, statement: str, rule: str, example: str) -> Invariant:
    """An account-level invariant (perpspec.audit.account_checks): a hand-worked export and
    random account histories written by a shadow model, clean and tampered."""
    return Invariant(
        invariant_id,
        statement,
        rule,
        (
            _check(Method.EXAMPLE, _PARTIAL + example, "figures worked by hand in the test"),
            _check(
                Method.HYPOTHESIS,
                _CLEAN_HISTORY,
                "random histories of a shadow model pass, every record of its kind examined",
            ),
            _check(
                Method.HYPOTHESIS,
                _TAMPERED_HISTORY,
                "a one-record tamper is flagged by this check alone, at its record",
            ),
        ),
    )


#: What one account's export can show (DESIGN, Partial ledgers).
_ACCOUNT_LEVEL: list[Invariant] = [
    _account_invariant(
        "balance-continuity",
        "every stated balance equals the previous stated balance plus the wallet movements "
        "between them, exactly (the rows of one instant in any order)",
        "DESIGN, Ledger (balance: an assertion after every earlier event) and Partial ledgers",
        "test_each_tamper_is_caught_by_its_check_alone",
    ),
    _account_invariant(
        "position-continuity",
        "every fill's stated start position is where the account's earlier fills left it (an "
        "account's trade against itself recognized), and a snapshot is where they left it",
        "DESIGN, Margin (a position is the sum of its fills) and Partial ledgers",
        "test_a_self_trade_keeps_the_position",
    ),
    _account_invariant(
        "realized-pnl",
        "each fill's stated realized PnL is the average-entry rule's on the account's own "
        "fills, within one unit of the export's precision",
        "DESIGN, Margin (average entry); perpspec/reference/margin/pnl.py apply_fill",
        "test_each_tamper_is_caught_by_its_check_alone",
    ),
    _account_invariant(
        "funding-sign",
        "a funding payment has the sign its stated rate and position give (longs pay a "
        "positive rate)",
        "DESIGN, Ledger (funding: + receives); perpspec/reference/engine/inputs.py",
        "test_each_tamper_is_caught_by_its_check_alone",
    ),
    _account_invariant(
        "insurance-on-liquidation",
        "an insurance credit or charge only on one of the account's own liquidations",
        "DESIGN, Insurance fund (the fund covers a liquidated trader's deficit)",
        "test_insurance_only_on_a_liquidation",
    ),
    _account_invariant(
        "insurance-clears-balance",
        "no negative balance is left after an insurance credit",
        "DESIGN, invariant no-negative-balance (no trader below zero once a liquidation is "
        "settled)",
        "test_insurance_only_on_a_liquidation",
    ),
    _account_invariant(
        "commission-rate",
        "an ordinary trade's commission is the profile's maker or taker rate on its value, "
        "within one unit of the export's precision",
        "profile [trading]; perpspec/reference/trading_fee.py",
        "test_commission_at_the_profile_rates",
    ),
    Invariant(
        "adl-fill-price",
        "an ADL fill is at the price the profile's rule names: the mark the export states "
        "with the fill, under adl.fill_price = mark",
        "DESIGN, invariant adl-price; profile adl.fill_price",
        (
            _check(
                Method.EXAMPLE,
                _PARTIAL + "test_an_adl_fill_at_its_mark",
                "a Hyperliquid ADL fill at its stated mark, one off it, and the bankruptcy rule "
                "named as not checkable",
            ),
            _check(
                Method.HYPOTHESIS,
                _PARTIAL + "test_adl_fills_pass_exactly_at_their_mark",
                "random prices and marks: passes exactly when they are equal",
            ),
        ),
    ),
    Invariant(
        "position-liquidation-price",
        "a position snapshot's stated liquidation price is the profile's formula on the "
        "snapshot's own figures (margin or account equity, marks, maintenance rate), within "
        "the rounding of those figures",
        "DESIGN, Margin and prices (margin balance = MM at the liquidation price); "
        "perpspec/reference/prices/position_prices.py compute_liquidation_price",
        (
            _check(
                Method.EXAMPLE,
                "tests/audit/test_position_liquidation_price.py::"
                "test_hyperliquid_figures_worked_by_hand",
                "Hyperliquid's own liquidation-price formula worked by hand, cross and isolated",
            ),
            _check(
                Method.HYPOTHESIS,
                "tests/audit/test_position_liquidation_price.py::"
                "test_the_closed_form_passes_and_a_tick_off_is_caught",
                "random linear positions priced by an independent closed form; a price moved "
                "beyond the rounding is flagged",
            ),
        ),
    ),
]
_INVARIANTS += _ACCOUNT_LEVEL

#: Checks registered at import time by other parts of the package (the audit registers
#: its checks here under ``Method.AUDIT``), by invariant id.
_REGISTERED: dict[str, list[Check]] = {invariant.id: [] for invariant in _INVARIANTS}


def register_check(invariant_id: str, check: Check) -> None:
    """Record that ``check`` checks ``invariant_id`` (in addition to the static ones)."""
    if invariant_id not in _REGISTERED:
        raise KeyError(f"unknown invariant {invariant_id!r}")
    if check not in _REGISTERED[invariant_id]:
        _REGISTERED[invariant_id].append(check)


def register_audit_checks(module: str, checks: Iterable[tuple[str, str, str]]) -> None:
    """Record audit checks, each ``(invariant id, class name in module, note)``, as
    ledger checks of their invariants."""
    for invariant_id, name, note in checks:
        where = f"{module}:{name}"
        register_check(invariant_id, Check(Method.AUDIT, Strength.LEDGER_CHECK, where, note))


def get_invariant(invariant_id: str) -> Invariant:
    """The invariant with ``invariant_id``, with its static and registered checks."""
    for invariant in _INVARIANTS:
        if invariant.id == invariant_id:
            checks = (*invariant.checks, *_REGISTERED[invariant.id])
            return Invariant(invariant.id, invariant.statement, invariant.rule, checks)
    raise KeyError(f"unknown invariant {invariant_id!r}")


def get_checks() -> list[tuple[str, Check]]:
    """Every (invariant id, check) pair of the catalogue, in catalogue order."""
    return [(i, check) for i in CATALOGUE for check in get_invariant(i).checks]


def get_methods(invariant: Invariant) -> list[Method]:
    """The distinct methods that check ``invariant``, strongest first."""
    order = list(Strength)
    methods = {check.method for check in invariant.checks}
    return sorted(methods, key=lambda m: (order.index(STRENGTH_OF[m]), m.value))


CATALOGUE: tuple[str, ...] = tuple(invariant.id for invariant in _INVARIANTS)
