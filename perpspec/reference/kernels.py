"""Integer kernels with contracts, checked symbolically by CrossHair.

Rule (DESIGN, Arithmetic): CrossHair does well on int kernels and poorly on Fraction, so the
contracts it checks sit on small int-unit functions that the Fraction-level reference calls.
Contracts are PEP 316 docstrings (``pre:``/``post:``); ``make crosshair-quick`` checks them
with a small per-condition budget inside ``make test``, ``make crosshair`` with a deep one.
A CrossHair pass means "no counterexample found within the budget", not a proof.
"""

from __future__ import annotations

__all__ = [
    "PPM",
    "cap_fee_units",
    "ceil_div",
    "floor_div",
    "is_within_one_lot",
    "mm_units",
    "pnl_units",
    "pro_rata_allocate_units",
    "quantize_units",
    "queue_allocate_units",
    "settle_fund_units",
]

#: Rates in the int kernels are parts per million: 5000 ppm is 0.5%.
PPM = 1_000_000


def floor_div(numerator: int, denominator: int) -> int:
    """The greatest integer <= numerator / denominator.

    Implements rule `round.quantize`.

    pre: denominator > 0
    post: __return__ * denominator <= numerator < (__return__ + 1) * denominator
    """
    return numerator // denominator


def ceil_div(numerator: int, denominator: int) -> int:
    """The least integer >= numerator / denominator.

    Implements rule `round.quantize`.

    pre: denominator > 0
    post: (__return__ - 1) * denominator < numerator <= __return__ * denominator
    """
    return -((-numerator) // denominator)


def quantize_units(value: int, step: int, up: bool) -> int:
    """``value`` rounded to a multiple of ``step`` (both in base units), up or down.

    Implements rule `round.quantize`.

    pre: step > 0
    post: __return__ % step == 0
    post: (value <= __return__ < value + step) if up else (value - step < __return__ <= value)
    """
    quotient = ceil_div(value, step) if up else floor_div(value, step)
    return quotient * step


def cap_fee_units(fee_base: int, surplus: int) -> int:
    """Liquidation fee: never beyond what is left above the bankruptcy price.

    Implements rule `liq.fee`.

    pre: fee_base >= 0
    post: 0 <= __return__ <= fee_base
    post: __return__ <= max(0, surplus)
    post: __return__ == fee_base or __return__ == max(0, surplus)
    """
    return min(fee_base, max(0, surplus))


def settle_fund_units(balance: int, deficit: int) -> tuple[int, bool]:
    """Pay ``deficit`` from an insurance fund only if it can pay all of it.

    Returns the new balance and whether it paid. The fund never goes below zero.

    Implements rule `insurance.nonnegative`.

    pre: balance >= 0 and deficit >= 0
    post: __return__[0] >= 0
    post: __return__[1] == (deficit <= balance)
    post: __return__[0] == (balance - deficit if __return__[1] else balance)
    """
    if deficit <= balance:
        return balance - deficit, True
    return balance, False


def mm_units(value: int, mmr_ppm: int, amount: int) -> int:
    """Maintenance margin ``value * m - c`` in base units, rounded UP to a unit.

    Rule (DESIGN, Margin): MM = notional x m - c. Up, because MM is a requirement on the
    trader: a requirement rounded down would let a position stand that the exact rule
    liquidates. ``value`` and ``amount`` are in base units, the rate in ppm.

    pre: value >= 0 and 0 <= mmr_ppm < 1_000_000 and amount >= 0
    post: (__return__ - 1) * 1_000_000 < value * mmr_ppm - amount * 1_000_000
    post: value * mmr_ppm - amount * 1_000_000 <= __return__ * 1_000_000
    post: __return__ <= value
    """
    return ceil_div(value * mmr_ppm - amount * PPM, PPM)


def pnl_units(qty: int, multiplier: int, entry: int, mark: int) -> int:
    """Linear uPnL ``q V (P - E)`` with the size in lots and prices in ticks (exact).

    Rule (DESIGN, Margin). In lot x tick units the product is an integer: no rounding.

    pre: entry > 0 and mark > 0 and multiplier > 0
    post: (__return__ > 0) == (qty != 0 and mark != entry and (qty > 0) == (mark > entry))
    post: __return__ + qty * multiplier * entry == qty * multiplier * mark
    """
    return qty * multiplier * (mark - entry)


def queue_allocate_units(qty: int, sizes: list[int]) -> list[int]:
    """ADL ``queue`` allocation in lots: each counterparty in rank order gives all it has.

    Rule (DESIGN, ADL; seed 001: 350 -> A 100, B 200, C 50): the sum is ``min(qty, total)``
    (``adl-qty``), nobody gives more than they hold (``adl-no-flip``), and nobody is touched
    while a higher-ranked one keeps size (``adl-order``). The precondition bounds the book
    (at most 4 counterparties of at most 1,000 lots) so the paths are finite and CrossHair
    can explore them all; the Fraction-level allocation has no bound.

    Implements rule `adl.queue`.

    pre: qty >= 0 and len(sizes) <= 4 and all(0 < s <= 1_000 for s in sizes)
    post: len(__return__) == len(sizes)
    post: sum(__return__) == min(qty, sum(sizes))
    post: all(0 <= t <= s for t, s in zip(__return__, sizes))
    post: all(__return__[i + 1] == 0 or __return__[i] == sizes[i] for i in range(len(sizes) - 1))
    """
    left = qty
    taken: list[int] = []
    for size in sizes:
        take = min(left, size)
        taken.append(take)
        left -= take
    return taken


def is_within_one_lot(taken: list[int], sizes: list[int]) -> bool:
    """Each ``taken`` is within one lot of its exact pro-rata share ``sum(taken) x size / total``.

    The contract of :func:`pro_rata_allocate_units`, kept out of its docstring for length.
    """
    total = sum(sizes)
    target = sum(taken)
    return all(abs(t * total - target * s) < total for t, s in zip(taken, sizes, strict=True))


def pro_rata_allocate_units(qty: int, sizes: list[int]) -> list[int]:
    """ADL ``pro_rata`` allocation in lots: shares floored, leftover lots in rank order.

    Rule (DESIGN, ADL ``pro_rata``): every share ``target x size / total`` is rounded DOWN to
    a lot; the leftover lots go one at a time, in rank order, to counterparties whose share
    was rounded, so each fill is within one lot of its exact share and never above the size.
    Bounded like :func:`queue_allocate_units`.

    Implements rule `adl.pro-rata`.

    pre: qty >= 0 and len(sizes) <= 4 and all(0 < s <= 1_000 for s in sizes)
    post: len(__return__) == len(sizes)
    post: sum(__return__) == min(qty, sum(sizes))
    post: all(0 <= t <= s for t, s in zip(__return__, sizes))
    post: is_within_one_lot(__return__, sizes)
    """
    total = sum(sizes)
    if total == 0:
        return []
    target = min(qty, total)
    taken = [floor_div(target * size, total) for size in sizes]
    leftover = target - sum(taken)
    for index, size in enumerate(sizes):
        if leftover > 0 and taken[index] * total < target * size:
            taken[index] += 1
            leftover -= 1
    return taken
