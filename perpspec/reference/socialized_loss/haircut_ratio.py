"""``haircut_ratio`` socialized loss: positive PnL is a junior claim paid at one ratio ``h``.

Source: the Percolator risk engine specification (aeyakovenko/percolator, ``spec.md``,
sections 3.1 to 3.3): "Residual = max(0, V - C_tot - I)"; "If PNL_pos_tot == 0: define h = 1.
Else ... h_num = min(Residual, PNL_pos_tot), h_den = PNL_pos_tot"; "PNL_eff_pos_i =
floor(PNL_pos_i * h_num / h_den)". Principal (``C_tot``) and the insurance fund (``I``) are
senior and never touched; every positive claim is paid the same fraction ``h``.

Here ``vault`` is V, ``principal`` is C_tot, ``insurance`` is I, and each position's
``profit`` is its positive-PnL claim (a claim <= 0 has nothing to haircut). The loss being
socialized is the vault's shortfall against all claims, ``S = max(0, principal + insurance +
total positive PnL - vault)``. Each claim is paid ``profit * h`` (with a unit, rounded DOWN:
a payout; Percolator floors per account) and charged the rest, ``profit - paid``, which is
never more than the claim (``sl-cap``). ``uncovered = S - sum(charges)``: positive when the
vault is short even of principal and insurance (no haircut can reach them; booked to
``system_loss``), negative by the floor residue when payouts are rounded down (that residue
stays in the vault and is booked to ``system_loss`` as a credit). The fund pays nothing here:
``insurance_paid`` is 0, because the insurance is carved out of the residual.

A loss as the engine meets it (:func:`compute_written_off_haircut`): Percolator's
``absorb_protocol_loss`` (spec.md section 4.17, "Insurance-loss helpers") is
``use_insurance_buffer`` (the fund pays first) then ``record_uninsured_protocol_loss`` ("leaves
the uncovered loss represented through Residual and junior haircuts"); section 6.1 writes that
uninsured part off ("set_pnl(i, 0) ... represented globally by Residual < PNL_pos_tot").
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.numbers import Rounding, format_number, quantize
from perpspec.reference.socialized_loss.common import (
    check_loss_inputs,
    check_unique_ids,
    compute_insurance_payment,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossResult

__all__ = [
    "compute_haircut",
    "compute_haircut_ratio",
    "compute_haircut_shortfall",
    "compute_residual",
    "compute_written_off_haircut",
]


def compute_residual(vault: Fraction, principal: Fraction, insurance: Fraction) -> Fraction:
    """Residual = max(0, V - C_tot - I): what backs the junior profit claims (Percolator 3.1).

    Implements rule `sl.haircut-ratio`.
    """
    return max(Fraction(0), vault - principal - insurance)


def compute_haircut_ratio(residual: Fraction, total_positive_pnl: Fraction) -> Fraction:
    """h = min(Residual, PNL_pos_tot) / PNL_pos_tot, and h = 1 with no positive PnL (3.2).

    Implements rule `sl.haircut-ratio`.
    """
    if total_positive_pnl == 0:
        return Fraction(1)
    return min(residual, total_positive_pnl) / total_positive_pnl


def compute_haircut_shortfall(
    vault: Fraction, principal: Fraction, insurance: Fraction, total_positive_pnl: Fraction
) -> Fraction:
    """The loss being socialized: how far the vault falls short of every claim.

    Implements rule `sl.haircut-ratio`.
    """
    return max(Fraction(0), principal + insurance + total_positive_pnl - vault)


def compute_haircut(
    vault: Fraction,
    principal: Fraction,
    insurance: Fraction,
    positions: Sequence[SlPosition],
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """Pay every positive claim at ``h`` and charge each the rest (module docstring).

    Implements rule `sl.haircut-ratio`.
    """
    for field, value in (("vault", vault), ("principal", principal), ("insurance_fund", insurance)):
        if value < 0:
            raise SpecError(f"{field}: must be >= 0, found {format_number(value)}")
    check_unique_ids(positions)
    total = sum((p.profit for p in positions if p.profit > 0), Fraction(0))
    residual = compute_residual(vault, principal, insurance)
    shortfall = compute_haircut_shortfall(vault, principal, insurance, total)
    return _pay_claims(residual, shortfall, Fraction(0), positions, unit)


def compute_written_off_haircut(
    loss: Fraction,
    insurance_fund: Fraction,
    positions: Sequence[SlPosition],
    insurance_share: Fraction = Fraction(1),
    unit: Fraction | None = None,
) -> SocializedLossResult:
    """A loss no account can pay, absorbed as Percolator absorbs it (module docstring).

    The fund pays first: ``insurance_share`` of the loss, up to its balance
    (``use_insurance_buffer``; the share is the profile's, 1 in Percolator). The rest, D, is
    written off. Before the write-off the vault backs every claim exactly: V = C_tot + I +
    PNL_pos_tot (every negative PnL already settled against its holder's principal, which is
    how the engine's cash accounts realize a loss). After it V = C_tot + I + PNL_pos_tot - D,
    so Residual = max(0, PNL_pos_tot - D) and the shortfall is D, whatever C_tot and I are:
    neither needs stating. Each claim is paid ``floor(profit x h)`` and charged the rest, as
    in :func:`compute_haircut`.

    Implements rule `sl.haircut-ratio`.
    """
    check_loss_inputs(loss, insurance_fund, insurance_share)
    check_unique_ids(positions)
    paid = compute_insurance_payment(loss, insurance_fund, insurance_share, unit)
    uninsured = loss - paid
    total = sum((p.profit for p in positions if p.profit > 0), Fraction(0))
    residual = max(Fraction(0), total - uninsured)
    return _pay_claims(residual, uninsured, paid, positions, unit)


def _pay_claims(
    residual: Fraction,
    shortfall: Fraction,
    insurance_paid: Fraction,
    positions: Sequence[SlPosition],
    unit: Fraction | None,
) -> SocializedLossResult:
    """Pay each positive claim ``profit x h`` (with a unit, rounded DOWN: Percolator floors per
    account) and charge the rest; what the charges leave of ``shortfall`` is ``uncovered``."""
    claimants = sorted((p for p in positions if p.profit > 0), key=lambda p: (-p.profit, p.id))
    total = sum((p.profit for p in claimants), Fraction(0))
    ratio = compute_haircut_ratio(residual, total)
    paid: dict[str, Fraction] = {}
    for position in claimants:
        payout = position.profit * ratio
        paid[position.id] = payout if unit is None else quantize(payout, unit, Rounding.DOWN)
    charges = {p.id: p.profit - paid[p.id] for p in claimants if p.profit > paid[p.id]}
    uncovered = shortfall - sum(charges.values(), Fraction(0))
    return SocializedLossResult(
        insurance_paid, charges, uncovered, tuple(p.id for p in claimants), paid, ratio
    )
