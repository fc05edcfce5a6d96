"""Brute-force readings of the ops' rules, for the expected values of the seeded random cases.

Each function reads one op's case input and computes its expected output straight from the
rule as the op's case module and docs/conformance.md state it, with plain ``Fraction``
arithmetic and no import from :mod:`perpspec.reference`: the vectors exist to check the
reference, so their expected values must not come from it. The functions accept only the
inputs the random generators draw (they do not validate): a rejected input is never handed
to them.

- :func:`settle_liquidation_by_walk` (``liquidation_settlement``): walk the fills in order,
  executing each while the fund plus the surpluses so far stays >= 0, then cap the fee by the
  net surplus and split what is left.
- :func:`rank_by_definition` (``adl_rank``): each score from its formula's definition (all
  five), a stable sort by (score desc, size desc, id), the quantile ``rank / n`` (or the
  cumulative size share) and the lights by the first cut point at or above it.
- :func:`allocate_by_lots` (``adl_allocate``): counted in whole lots, the queue takes
  ``min(left, size)`` per counterparty; pro-rata floors each share and hands the leftover lots
  out in ranking order to the shares that were rounded (without a lot size, exact shares);
  each fill's fees on its notional, a charge rounded up and a rebate's size down.
- :func:`share_loss_by_rule` (``socialized_loss``): for ``top_profit``, ``clawback`` and
  ``open_interest`` the fund's part, each share capped, floored to the unit with the
  leftover units in the method's order, the rest uncovered; for ``haircut_ratio`` (vault and
  written-off forms) every claim paid at the ratio, floored, and charged the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

__all__ = [
    "allocate_by_lots",
    "exact",
    "floor_to",
    "rank_by_definition",
    "settle_liquidation_by_walk",
    "share_loss_by_rule",
    "text",
]


def exact(value: object) -> Fraction:
    """A case number (a decimal or ``p/q`` string) as a Fraction."""
    return Fraction(str(value))


def text(value: Fraction) -> str:
    """A Fraction as a case number: a terminating decimal when there is one, else ``p/q``."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    assert scaled.denominator == 1
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    if places == 0:
        return sign + digits
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def floor_to(value: Fraction, unit: Fraction) -> Fraction:
    """The greatest whole multiple of ``unit`` at or below ``value`` (Python's floor division)."""
    return (value // unit) * unit


# --- liquidation_settlement -------------------------------------------------------------


def _fill_surplus(case_input: Mapping[str, Any], qty: Fraction, price: Fraction) -> Fraction:
    """What one fill leaves above (> 0) or below (< 0) the bankruptcy price."""
    sign = 1 if case_input["side"] == "long" else -1
    multiplier = exact(case_input.get("multiplier", "1"))
    bankruptcy = exact(case_input["bankruptcy_price"])
    if case_input.get("kind", "linear") == "inverse":
        return sign * qty * multiplier * (1 / bankruptcy - 1 / price)
    return sign * qty * multiplier * (price - bankruptcy)


def _value(case_input: Mapping[str, Any], qty: Fraction, price: Fraction) -> Fraction:
    """|value| of ``qty`` at ``price``: ``d V p`` linear, ``d V / p`` inverse."""
    multiplier = exact(case_input.get("multiplier", "1"))
    if case_input.get("kind", "linear") == "inverse":
        return qty * multiplier / price
    return qty * multiplier * price


def settle_liquidation_by_walk(case_input: Mapping[str, Any]) -> dict[str, str]:
    """The five protocol outputs of ``liquidation_settlement``, walking the fills by hand."""
    fund = exact(case_input["insurance_fund"])
    running = fund
    executed: list[tuple[Fraction, Fraction]] = []
    net = Fraction(0)
    for fill in case_input["fills"]:
        qty, price = exact(fill["qty"]), exact(fill["price"])
        surplus = _fill_surplus(case_input, qty, price)
        if running + surplus < 0:
            break
        running += surplus
        net += surplus
        executed.append((qty, price))
    executed_qty = sum((qty for qty, _ in executed), Fraction(0))
    base_name = case_input.get("fee_base", "bankruptcy_value")
    if base_name == "fill_notional":
        base = sum((_value(case_input, qty, price) for qty, price in executed), Fraction(0))
    elif base_name == "mark_value":
        base = _value(case_input, executed_qty, exact(case_input["mark_price"]))
    else:
        base = _value(case_input, executed_qty, exact(case_input["bankruptcy_price"]))
    fee = min(exact(case_input.get("fee_rate", "0")) * base, max(Fraction(0), net))
    if case_input.get("surplus_to", "insurance") == "trader":
        refund, share = max(Fraction(0), net - fee), min(Fraction(0), net - fee)
    else:
        refund, share = Fraction(0), net - fee
    delta = share + fee if case_input.get("fee_to", "fees") == "insurance" else share
    return {
        "fee": text(fee),
        "insurance_delta": text(delta),
        "insurance_fund_after": text(fund + delta),
        "trader_refund": text(refund),
        "remaining_qty": text(exact(case_input["qty"]) - executed_qty),
    }


# --- adl_rank ---------------------------------------------------------------------------


def _signed_value(position: Mapping[str, Any], price: Fraction) -> Fraction:
    """Signed value: linear ``q V p``, inverse ``-q V / p``, ``q < 0`` for a short."""
    q = exact(position["qty"]) * (1 if position["side"] == "long" else -1)
    multiplier = exact(position.get("multiplier", "1"))
    if position.get("kind", "linear") == "inverse":
        return -q * multiplier / price
    return q * multiplier * price


def _score(formula: str, position: Mapping[str, Any]) -> Fraction:
    """The score of one position under ``formula``, from the definitions (DESIGN, ADL)."""
    entry_value = _signed_value(position, exact(position["entry_price"]))
    mark_value = _signed_value(position, exact(position["mark_price"]))
    pnl_pct = (mark_value - entry_value) / abs(entry_value)
    if formula == "profit_ratio":
        return pnl_pct
    if formula == "pnl_times_leverage":
        bankrupt_value = _signed_value(position, exact(position["bankruptcy_price"]))
        leverage = abs(mark_value) / (mark_value - bankrupt_value)
        return pnl_pct * leverage if pnl_pct > 0 else pnl_pct / leverage
    if formula == "leverage_pnl_margin_ratio":
        wallet = exact(position["wallet_balance"])
        upnl = mark_value - entry_value
        if "unrealized_pnl" in position:
            upnl = exact(position["unrealized_pnl"])  # a cross account's uPnL replaces it
        if wallet + upnl <= 0:
            return Fraction(0)  # margin ratio 0
        ratio = exact(position["maintenance_margin"]) / (wallet + upnl)
        return max(Fraction(0), upnl) / max(Fraction(1), wallet) * ratio
    if formula == "roi_times_mmr":
        rate = exact(position["maintenance_margin"]) / exact(position["account_value"])
        return pnl_pct * rate if pnl_pct > 0 else pnl_pct / rate
    assert formula == "mark_entry_notional", formula
    entry, mark = exact(position["entry_price"]), exact(position["mark_price"])
    ratio = mark / entry if position["side"] == "long" else entry / mark
    return ratio * abs(mark_value) / exact(position["account_value"])


def _lights(quantile: Fraction, cuts: Sequence[Fraction]) -> int:
    for index, cut in enumerate(cuts):
        if quantile <= cut:
            return 5 - index
    return 1


def rank_by_definition(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """``order``, ``scores`` and ``lights`` of ``adl_rank``, longs before shorts."""
    formula = case_input["formula"]
    cuts = [exact(c) for c in case_input.get("thresholds", ["0.2", "0.4", "0.6", "0.8", "1"])]
    by_size = case_input.get("quantile_basis", "rank") == "size"
    order: list[str] = []
    scores: dict[str, str] = {}
    lights: dict[str, str] = {}
    for side in ("long", "short"):
        book = [p for p in case_input["positions"] if p["side"] == side]
        scored = [(_score(formula, p), exact(p["qty"]), str(p["id"])) for p in book]
        # Three stable sorts, least significant key first: id, then size desc, then score desc.
        scored.sort(key=lambda row: row[2])
        scored.sort(key=lambda row: row[1], reverse=True)
        scored.sort(key=lambda row: row[0], reverse=True)
        total = sum((qty for _, qty, _ in scored), Fraction(0))
        cumulative = Fraction(0)
        for rank, (score, qty, pid) in enumerate(scored, start=1):
            cumulative += qty
            quantile = cumulative / total if by_size else Fraction(rank, len(scored))
            order.append(pid)
            scores[pid] = text(score)
            lights[pid] = str(_lights(quantile, cuts))
    return {"order": order, "scores": scores, "lights": lights}


# --- adl_allocate -----------------------------------------------------------------------


def _ceil_to(value: Fraction, unit: Fraction) -> Fraction:
    """The least whole multiple of ``unit`` at or above ``value``."""
    return -((-value) // unit) * unit


def _adl_fees(case_input: Mapping[str, Any], qty: Fraction, price: Fraction) -> dict[str, str]:
    """A fill's ``counterparty_fee`` and ``liquidated_fee`` (< 0 a rebate) under the fee
    policy, on the notional ``qty V p`` (inverse ``qty V / p``). With a ``fee_unit`` a charge
    rounds up and a rebate's size down: both are the ceiling of the signed amount."""
    policy = case_input.get("fee_policy", "none")
    if policy == "none":
        return {}
    notional = _value(case_input, qty, price)
    maker = exact(case_input.get("maker_fee_rate", "0")) * notional
    if policy == "maker_rebate":
        liquidated = -maker
    else:
        assert policy == "maker_taker", policy
        liquidated = exact(case_input.get("taker_fee_rate", "0")) * notional
    if "fee_unit" in case_input:
        unit = exact(case_input["fee_unit"])
        maker, liquidated = _ceil_to(maker, unit), _ceil_to(liquidated, unit)
    return {"counterparty_fee": text(maker), "liquidated_fee": text(liquidated)}


def allocate_by_lots(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """``fills`` (with their fees under a fee policy) and ``remaining_qty`` of
    ``adl_allocate``, counted in lots."""
    liquidated = case_input["liquidated"]
    lot = exact(case_input.get("lot_size", "1"))
    want = exact(liquidated["qty"]) / lot
    opposite = "short" if liquidated["side"] == "long" else "long"
    book = [
        (-exact(c["score"]), -exact(c["qty"]), str(c["id"]), exact(c["qty"]) / lot)
        for c in case_input["counterparties"]
        if c["side"] == opposite
    ]
    book.sort()
    taken: list[Fraction] = []
    if case_input.get("policy", "queue") == "queue":
        left = want
        for *_, size in book:
            taken.append(min(left, size))
            left -= taken[-1]
    else:
        total = sum((size for *_, size in book), Fraction(0))
        target = min(want, total)
        exact_shares = [target * size / total for *_, size in book]
        if "lot_size" not in case_input:
            taken = exact_shares  # without a lot size every share is exact
        else:
            taken = [Fraction(share.numerator // share.denominator) for share in exact_shares]
            leftover = target - sum(taken, Fraction(0))
            for index, share in enumerate(exact_shares):
                if leftover > 0 and taken[index] < share:
                    taken[index] += 1
                    leftover -= 1
    price = exact(case_input.get("fill_price", liquidated["bankruptcy_price"]))
    fills: list[dict[str, str]] = []
    for (_, _, pid, _), lots in zip(book, taken, strict=True):
        if lots > 0:
            fills.append({"id": pid, "qty": text(lots * lot), "price": text(price)})
            fills[-1].update(_adl_fees(case_input, lots * lot, price))
    filled = sum((lots for lots in taken), Fraction(0)) * lot
    return {"fills": fills, "remaining_qty": text(exact(liquidated["qty"]) - filled)}


# --- socialized_loss --------------------------------------------------------------------


def _participants(case_input: Mapping[str, Any]) -> tuple[list[tuple[str, Fraction]], Fraction]:
    """(id, cap) of those charged, in the method's order, and the base of their shares."""
    method = case_input["method"]
    positions = case_input["positions"]
    if method == "open_interest":
        holders = [(str(p["id"]), abs(exact(p["size"])), exact(p["equity"])) for p in positions]
        holders = sorted((h for h in holders if h[1] > 0), key=lambda h: (-h[1], h[0]))
        return [(pid, max(Fraction(0), equity)) for pid, _, equity in holders], Fraction(0)
    profits = sorted(
        ((str(p["id"]), exact(p["profit"])) for p in positions if exact(p["profit"]) > 0),
        key=lambda row: (-row[1], row[0]),
    )
    if method == "clawback":
        return profits, sum((profit for _, profit in profits), Fraction(0))
    assert method == "top_profit", method
    total = sum((profit for _, profit in profits), Fraction(0))
    goal = exact(case_input.get("threshold", "0.9")) * total
    chosen: list[tuple[str, Fraction]] = []
    for row in profits:
        chosen.append(row)
        if sum((profit for _, profit in chosen), Fraction(0)) >= goal:
            break
    if case_input.get("denominator", "participants") == "all_profitable":
        return chosen, total
    return chosen, sum((profit for _, profit in chosen), Fraction(0))


def _shares(
    case_input: Mapping[str, Any], amount: Fraction
) -> list[tuple[str, Fraction, Fraction]]:
    """(id, exact share within its cap, cap) per participant, in the method's order."""
    chosen, base = _participants(case_input)
    if case_input["method"] == "open_interest":
        sizes = {str(p["id"]): abs(exact(p["size"])) for p in case_input["positions"]}
        total = sum((sizes[pid] for pid, _ in chosen), Fraction(0))
        return [(pid, min(cap, amount * sizes[pid] / total), cap) for pid, cap in chosen]
    if case_input["method"] == "clawback":
        rate = min(Fraction(1), amount / base) if base > 0 else Fraction(0)
        return [(pid, rate * profit, profit) for pid, profit in chosen]
    return [(pid, min(profit, amount * profit / base), profit) for pid, profit in chosen]


def _haircut(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """``haircut_ratio``: every positive claim paid ``floor(profit x h)`` and charged the rest.

    Vault form: residual ``max(0, vault - principal - insurance)``, loss the shortfall
    ``max(0, principal + insurance + total - vault)``, the fund pays nothing. Written-off
    form: the fund pays ``min(fund, share x loss)`` (floored to the unit) first, the rest D is
    written off, residual ``max(0, total - D)``. ``h = min(residual, total) / total``, 1 when
    no claim is positive.
    """
    unit = exact(case_input["unit"]) if "unit" in case_input else None
    claims = [(str(p["id"]), exact(p["profit"])) for p in case_input["positions"]]
    total = sum((profit for _, profit in claims if profit > 0), Fraction(0))
    insurance = exact(case_input["insurance_fund"])
    if "vault" in case_input:
        vault, principal = exact(case_input["vault"]), exact(case_input["principal"])
        residual = max(Fraction(0), vault - principal - insurance)
        loss = max(Fraction(0), principal + insurance + total - vault)
        paid = Fraction(0)
    else:
        loss = exact(case_input["loss"])
        paid = min(insurance, exact(case_input.get("insurance_share", "1")) * loss)
        if unit is not None:
            paid = floor_to(paid, unit)
        residual = max(Fraction(0), total - (loss - paid))
    ratio = min(residual, total) / total if total > 0 else Fraction(1)
    charges: dict[str, Fraction] = {}
    for pid, profit in claims:
        if profit > 0:
            payout = profit * ratio if unit is None else floor_to(profit * ratio, unit)
            if profit - payout > 0:
                charges[pid] = profit - payout
    return {
        "insurance_paid": text(paid),
        "charges": {pid: text(amount) for pid, amount in charges.items()},
        "uncovered": text(loss - paid - sum(charges.values(), Fraction(0))),
    }


def share_loss_by_rule(case_input: Mapping[str, Any]) -> dict[str, Any]:
    """``insurance_paid``, ``charges`` and ``uncovered`` of ``socialized_loss``."""
    if case_input["method"] == "haircut_ratio":
        return _haircut(case_input)
    loss = exact(case_input["loss"])
    unit = exact(case_input["unit"]) if "unit" in case_input else None
    paid = min(
        exact(case_input["insurance_fund"]), exact(case_input.get("insurance_share", "1")) * loss
    )
    if unit is not None:
        paid = floor_to(paid, unit)
    shares = _shares(case_input, loss - paid)
    charges = {pid: share for pid, share, _ in shares}
    if unit is not None:
        charges = {pid: floor_to(share, unit) for pid, share, _ in shares}
        extra = floor_to(sum((share for _, share, _ in shares), Fraction(0)), unit)
        extra -= sum(charges.values(), Fraction(0))
        for pid, share, cap in shares:
            if extra > 0 and charges[pid] < share and charges[pid] + unit <= cap:
                charges[pid] += unit
                extra -= unit
    kept = {pid: amount for pid, amount in charges.items() if amount > 0}
    uncovered = loss - paid - sum(kept.values(), Fraction(0))
    return {
        "insurance_paid": text(paid),
        "charges": {pid: text(amount) for pid, amount in kept.items()},
        "uncovered": text(uncovered),
    }
