"""Mutant-found gaps in chaining losses within one settlement cycle (``process``).

A charge lowers what it was capped by, and only that: an account charged nothing keeps its
cycle profit; a ``clawback`` or ``top_profit`` charge lowers profit, never equity, even when the
position carries an equity. The asset unit applies to every loss of the cycle, and the refusal
of ``haircut_ratio`` is a one-line reason naming the profile field. ``haircut_ratio`` runs on
the vault's state: it needs both ``vault`` and ``principal`` and passes them, with the fund as
the senior insurance, to the Percolator computation.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.process import (
    SocializedLossParams,
    compute_socialized_loss,
    process_cycle_losses,
)
from perpspec.reference.socialized_loss.result import SlPosition, SocializedLossMethod


def test_an_account_not_charged_keeps_its_profit() -> None:
    # top_profit, fund share 0, threshold 9/10: profits A 900, B 100; 90% of 1,000 = 900 is
    # reached by A alone, so A pays the whole 100 and B is not charged: A 800, B 100 left.
    choice = SocializedLossParams(SocializedLossMethod.TOP_PROFIT, F(0), F(9, 10))
    book = [SlPosition("A", F(900)), SlPosition("B", F(100))]
    results, after, _ = process_cycle_losses(choice, [F(100)], F(0), book)
    assert dict(results[0].charges) == {"A": 100}
    assert [(p.id, p.profit) for p in after] == [("A", F(800)), ("B", F(100))]


def test_clawback_charge_lowers_profit_not_equity() -> None:
    # clawback, fund share 0: loss 40 from A's profit 100 (rate 2/5): profit 60, equity still 500.
    choice = SocializedLossParams(SocializedLossMethod.CLAWBACK, F(0))
    book = [SlPosition("A", F(100), equity=F(500))]
    _, after, _ = process_cycle_losses(choice, [F(40)], F(0), book)
    assert (after[0].profit, after[0].equity) == (F(60), F(500))


def test_unit_applies_to_every_loss_of_the_cycle() -> None:
    # clawback, share 1/3, fund 100, unit 1: loss 10 -> fund pays floor(10/3) = 3, A pays 7;
    # the fund is left with 100 - 3 = 97.
    choice = SocializedLossParams(SocializedLossMethod.CLAWBACK, F(1, 3))
    book = [SlPosition("A", F(100))]
    results, after, fund = process_cycle_losses(choice, [F(10)], F(100), book, unit=F(1))
    assert results[0].insurance_paid == 3
    assert dict(results[0].charges) == {"A": 7}
    assert after[0].profit == 93
    assert fund == 97


def test_haircut_ratio_refusal_names_the_field() -> None:
    choice = SocializedLossParams(SocializedLossMethod.HAIRCUT_RATIO)
    with pytest.raises(
        SpecError,
        match=r"^socialized_loss\.method: haircut_ratio is computed on the state, not per loss$",
    ):
        process_cycle_losses(choice, [F(1)], F(0), [])


def test_haircut_ratio_runs_on_vault_principal_and_fund() -> None:
    # Percolator 3.1 to 3.3: residual max(0, 1500 - 1000 - 100) = 400; claims A 600, B 400
    # (total 1,000): h = 400/1000 = 2/5. Paid A 240, B 160; charged A 360, B 240; shortfall
    # 1000 + 100 + 1000 - 1500 = 600 = 360 + 240, nothing uncovered. The loss argument is unused.
    choice = SocializedLossParams(SocializedLossMethod.HAIRCUT_RATIO)
    book = [SlPosition("A", F(600)), SlPosition("B", F(400))]
    result = compute_socialized_loss(choice, F(0), F(100), book, vault=F(1500), principal=F(1000))
    assert result.haircut_ratio == F(2, 5)
    assert dict(result.paid) == {"A": 240, "B": 160}
    assert dict(result.charges) == {"A": 360, "B": 240}
    assert result.uncovered == 0


@pytest.mark.parametrize(("vault", "principal"), [(F(1500), None), (None, F(1000)), (None, None)])
def test_haircut_ratio_needs_both_vault_and_principal(vault: F | None, principal: F | None) -> None:
    choice = SocializedLossParams(SocializedLossMethod.HAIRCUT_RATIO)
    with pytest.raises(
        SpecError, match=r"^vault, principal: required by the haircut_ratio method$"
    ):
        compute_socialized_loss(
            choice, F(0), F(100), [SlPosition("A", F(1))], vault=vault, principal=principal
        )


def test_haircut_ratio_payouts_round_down_to_the_unit() -> None:
    # h = (1110 - 1000 - 100) / 30 = 1/3 over claims A, B, C of 10: each payout 10/3 rounds
    # DOWN to 3 (unit 1), so each is charged 7 (21 in all) against a shortfall of
    # 1000 + 100 + 30 - 1110 = 20: over-collected by 1 (uncovered -1).
    choice = SocializedLossParams(SocializedLossMethod.HAIRCUT_RATIO)
    book = [SlPosition(pid, F(10)) for pid in "ABC"]
    result = compute_socialized_loss(
        choice, F(0), F(100), book, unit=F(1), vault=F(1110), principal=F(1000)
    )
    assert dict(result.paid) == {"A": 3, "B": 3, "C": 3}
    assert dict(result.charges) == {"A": 7, "B": 7, "C": 7}
    assert result.uncovered == -1
