"""Socialized-loss methods on seed 000 and hand computations (DESIGN, Socialized loss)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from perpspec.reference.errors import SpecError
from perpspec.reference.socialized_loss.clawback import compute_clawback
from perpspec.reference.socialized_loss.common import compute_insurance_payment, round_charges
from perpspec.reference.socialized_loss.haircut_ratio import (
    compute_haircut,
    compute_haircut_ratio,
    compute_residual,
    compute_written_off_haircut,
)
from perpspec.reference.socialized_loss.open_interest import compute_open_interest
from perpspec.reference.socialized_loss.result import Denominator, SlPosition
from perpspec.reference.socialized_loss.top_profit import (
    compute_top_profit,
    select_top_profit_participants,
)

# Cycle profits A 500, B 300, C 150, D 50 (total 1,000); E lost 100.
BOOK = [
    SlPosition("A", F(500)),
    SlPosition("B", F(300)),
    SlPosition("C", F(150)),
    SlPosition("D", F(50)),
    SlPosition("E", F(-100)),
]


def test_seed000_search_stops_at_90_percent_crossing_included() -> None:
    # 90% of 1,000 = 900: A 500, A + B 800 < 900, A + B + C 950 >= 900: A, B, C.
    assert [p.id for p in select_top_profit_participants(BOOK, F(9, 10))] == ["A", "B", "C"]


def test_seed000_fund_bears_20_percent() -> None:
    # Seed 000's figure: 20% / 80%. Loss 1,000, fund 5,000: the fund pays 200.
    assert compute_insurance_payment(F(1000), F(5000), F(1, 5)) == 200


def test_seed000_participants_denominator_collects_exactly() -> None:
    # 800 x 500/950 = 8000/19, 800 x 300/950 = 4800/19, 800 x 150/950 = 2400/19: 800 in all.
    result = compute_top_profit(F(1000), F(5000), BOOK, insurance_share=F(1, 5), threshold=F(9, 10))
    assert result.insurance_paid == 200
    assert dict(result.charges) == {"A": F(8000, 19), "B": F(4800, 19), "C": F(2400, 19)}
    assert result.uncovered == 0
    assert result.participants == ("A", "B", "C")


def test_seed000_literal_denominator_collects_about_90_percent() -> None:
    # Seed 000's literal text divides by all profitable profit (1,000): A 400, B 240, C 120 =
    # 760 = 800 x 950/1000; D's 800 x 50/1000 = 40 goes to system_loss.
    result = compute_top_profit(
        F(1000),
        F(5000),
        BOOK,
        denominator=Denominator.ALL_PROFITABLE,
        insurance_share=F(1, 5),
        threshold=F(9, 10),
    )
    assert dict(result.charges) == {"A": 400, "B": 240, "C": 120}
    assert result.uncovered == 40


def test_seed000_charges_capped_at_cycle_profit() -> None:
    # 2,000 with an empty fund: every share exceeds its profit; A 500, B 300, C 150; 1,050 to
    # system_loss. "will reduce the user's profit but will not cause a loss".
    result = compute_top_profit(F(2000), F(0), BOOK, insurance_share=F(1, 5), threshold=F(9, 10))
    assert dict(result.charges) == {"A": 500, "B": 300, "C": 150}
    assert result.uncovered == 1050


def test_unit_rounding_rule() -> None:
    # 421.0526.. -> 421.05, 252.6315.. -> 252.63, 126.3157.. -> 126.31 (799.99); one unit more
    # to the top-ranked A, up to 800.
    result = compute_top_profit(
        F(1000), F(5000), BOOK, unit=F(1, 100), insurance_share=F(1, 5), threshold=F(9, 10)
    )
    assert dict(result.charges) == {"A": F(42106, 100), "B": F(25263, 100), "C": F(12631, 100)}
    assert result.uncovered == 0


def test_rounding_up_never_passes_a_cap() -> None:
    # Shares 1.005 each (cap 1.005): floors 1.00 + 1.00; the goal 2.01 asks one unit more, but
    # 1.01 > 1.005 for both: the 0.01 goes to system_loss instead.
    charges = round_charges(
        [("A", F(1005, 1000)), ("B", F(1005, 1000))],
        {"A": F(1005, 1000), "B": F(1005, 1000)},
        F(1, 100),
    )
    assert charges == {"A": 1, "B": 1}


def test_clawback_one_rate_for_everyone() -> None:
    # 800 over 1,000 of profit: 80% of each profit.
    result = compute_clawback(F(1000), F(5000), BOOK, F(1, 5))
    assert dict(result.charges) == {"A": 400, "B": 240, "C": 120, "D": 40}
    assert result.uncovered == 0


def test_open_interest_drift_unit_test_shape() -> None:
    # Drift: 100 over 7 long and 4 short base units: 100/11 per unit: 700/11 and 400/11.
    book = [SlPosition("L", size=F(7), equity=F(1000)), SlPosition("S", size=F(-4), equity=F(1000))]
    result = compute_open_interest(F(100), F(0), book)
    assert dict(result.charges) == {"L": F(700, 11), "S": F(400, 11)}


def test_open_interest_needs_size_and_equity() -> None:
    with pytest.raises(SpecError, match=r"X\.size: required by the open_interest method"):
        compute_open_interest(F(1), F(0), [SlPosition("X", equity=F(1))])
    with pytest.raises(SpecError, match=r"X\.equity: required"):
        compute_open_interest(F(1), F(0), [SlPosition("X", size=F(1))])


def test_percolator_haircut_ratio() -> None:
    # Residual max(0, 1500 - 1000 - 100) = 400; h = min(400, 1000)/1000 = 2/5.
    assert compute_residual(F(1500), F(1000), F(100)) == 400
    assert compute_haircut_ratio(F(400), F(1000)) == F(2, 5)
    assert compute_haircut_ratio(F(0), F(0)) == 1  # "If PNL_pos_tot == 0: define h = 1"
    result = compute_haircut(F(1500), F(1000), F(100), BOOK)
    assert dict(result.paid) == {"A": 200, "B": 120, "C": 60, "D": 20}
    assert dict(result.charges) == {"A": 300, "B": 180, "C": 90, "D": 30}
    assert result.insurance_paid == 0
    assert result.uncovered == 0


def test_percolator_floors_leave_a_residue() -> None:
    # h = 10/30 = 1/3 over claims 10, 10, 10: floor(10/3) = 3 paid each; 21 charged against a
    # shortfall of 20: 1 over-collected, booked (uncovered -1).
    book = [SlPosition(pid, F(10)) for pid in "ABC"]
    result = compute_haircut(F(1110), F(1000), F(100), book, unit=F(1))
    assert dict(result.paid) == {"A": 3, "B": 3, "C": 3}
    assert result.uncovered == -1


def test_a_written_off_loss_is_paid_by_the_fund_first_then_haircut() -> None:
    # Percolator spec 4.17: absorb_protocol_loss = use_insurance_buffer, then the rest is
    # represented through Residual. Loss 1,018, fund 50 (share 1): the fund pays 50, D = 968
    # is written off. Claims 2,000 and 1,000 (a loser's -1,000 is no claim): Residual =
    # 3,000 - 968 = 2,032, h = 2,032 / 3,000 = 254/375. bob paid 2,000 x 254/375 = 4,064/3,
    # charged 1,936/3; carol paid 2,032/3, charged 968/3; the charges sum to D exactly.
    book = [SlPosition("bob", F(2_000)), SlPosition("carol", F(1_000)), SlPosition("mm", F(-982))]
    result = compute_written_off_haircut(F(1_018), F(50), book)
    assert result.insurance_paid == 50
    assert result.haircut_ratio == F(254, 375)
    assert dict(result.paid) == {"bob": F(4_064, 3), "carol": F(2_032, 3)}
    assert dict(result.charges) == {"bob": F(1_936, 3), "carol": F(968, 3)}
    assert result.uncovered == 0
    # With a unit of 10^-8 each payout is floored (4,064/3 -> 1,354.66666666, 2,032/3 ->
    # 677.33333333), so the charges are 645.33333334 + 322.66666667 = 968.00000001: one unit
    # over-collected, the floor residue (uncovered -10^-8, booked to system_loss).
    rounded = compute_written_off_haircut(F(1_018), F(50), book, unit=F(1, 10**8))
    assert dict(rounded.charges) == {"bob": F("645.33333334"), "carol": F("322.66666667")}
    assert rounded.uncovered == F(-1, 10**8)


def test_a_written_off_loss_beyond_every_claim_leaves_the_rest_uncovered() -> None:
    # Loss 5,000, fund 50: D = 4,950 > claims 3,000, so Residual = 0, h = 0: every claim is
    # charged whole (2,000 and 1,000) and 4,950 - 3,000 = 1,950 is no haircut's to cover.
    book = [SlPosition("bob", F(2_000)), SlPosition("carol", F(1_000))]
    result = compute_written_off_haircut(F(5_000), F(50), book)
    assert result.haircut_ratio == 0
    assert dict(result.charges) == {"bob": 2_000, "carol": 1_000}
    assert result.uncovered == 1_950


def test_a_written_off_loss_without_the_fund_is_haircut_whole() -> None:
    # insurance_share 0 (Percolator spec 6.1 alone: the remainder "MUST be written off"): the
    # fund pays nothing, D = 1,018, h = (3,000 - 1,018) / 3,000 = 991/1,500; bob charged
    # 2,000 - 2,000 x 991/1,500 = 2,036/3, carol 1,018/3.
    book = [SlPosition("bob", F(2_000)), SlPosition("carol", F(1_000))]
    result = compute_written_off_haircut(F(1_018), F(50), book, insurance_share=F(0))
    assert result.insurance_paid == 0
    assert dict(result.charges) == {"bob": F(2_036, 3), "carol": F(1_018, 3)}
    assert result.uncovered == 0


def _run_top_profit(
    loss: F = F(10), insurance_fund: F = F(0), insurance_share: F = F(1), threshold: F = F(9, 10)
) -> None:
    compute_top_profit(loss, insurance_fund, BOOK, insurance_share, threshold)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"loss": F(-1)}, "loss: must be >= 0"),
        ({"insurance_fund": F(-1)}, "insurance_fund: must be >= 0"),
        ({"insurance_share": F(3, 2)}, r"insurance_share: must be in \[0, 1\]"),
        ({"threshold": F(0)}, r"threshold: must be in \(0, 1\]"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, F], reason: str) -> None:
    with pytest.raises(SpecError, match=reason):
        _run_top_profit(**kwargs)


def test_duplicate_accounts_are_refused() -> None:
    with pytest.raises(SpecError, match="A: the account id appears twice"):
        compute_clawback(F(1), F(0), [SlPosition("A", F(1)), SlPosition("A", F(2))])
