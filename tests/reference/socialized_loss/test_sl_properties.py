"""Properties of socialized loss (the last resorts, item 5; invariants sl-cap, sl-participants)."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.socialized_loss.haircut_ratio import compute_haircut
from perpspec.reference.socialized_loss.process import SocializedLossParams, compute_socialized_loss
from perpspec.reference.socialized_loss.result import (
    Denominator,
    SlPosition,
    SocializedLossMethod,
)

SHARING = (
    SocializedLossMethod.TOP_PROFIT,
    SocializedLossMethod.CLAWBACK,
    SocializedLossMethod.OPEN_INTEREST,
)
UNITS = (None, F(1), F(1, 100))
amounts = st.integers(-500, 1500).map(lambda cents: F(cents, 10))


@st.composite
def books(draw: st.DrawFn) -> list[SlPosition]:
    count = draw(st.integers(0, 6))
    return [
        SlPosition(f"a{index}", draw(amounts), draw(amounts), draw(amounts))
        for index in range(count)
    ]


@st.composite
def params(draw: st.DrawFn) -> SocializedLossParams:
    return SocializedLossParams(
        draw(st.sampled_from(SHARING)),
        F(draw(st.integers(0, 10)), 10),
        F(draw(st.integers(1, 10)), 10),
        draw(st.sampled_from(tuple(Denominator))),
    )


def _cap(method: SocializedLossMethod, position: SlPosition) -> F:
    if method is SocializedLossMethod.OPEN_INTEREST:
        assert position.equity is not None
        return max(F(0), position.equity)
    return position.profit


_exact_collections: list[bool] = []


@given(params(), amounts.map(abs), amounts.map(abs), books(), st.sampled_from(UNITS))
def test_charges_within_caps_and_books_balance(
    choice: SocializedLossParams, loss: F, fund: F, book: list[SlPosition], unit: F | None
) -> None:
    result = compute_socialized_loss(choice, loss, fund, book, unit)
    by_id = {p.id: p for p in book}
    # Conservation: every unit of the loss is paid by the fund, charged, or booked.
    assert result.insurance_paid + result.get_total_charged() + result.uncovered == loss
    assert 0 <= result.insurance_paid <= min(fund, choice.insurance_share * loss)
    assert result.uncovered >= 0  # charges never collect more than the loss
    for account, charge in result.charges.items():
        assert account in result.participants  # sl-participants
        assert 0 < charge <= _cap(choice.method, by_id[account])  # sl-cap
        if choice.method is not SocializedLossMethod.OPEN_INTEREST:
            assert by_id[account].profit > 0  # only positive PnL is charged
        if unit is not None:
            assert (charge / unit).denominator == 1 or charge == _cap(choice.method, by_id[account])
    exact = (
        unit is None
        and choice.method is SocializedLossMethod.TOP_PROFIT
        and choice.denominator is Denominator.PARTICIPANTS
        and loss - result.insurance_paid
        <= sum((by_id[a].profit for a in result.participants), F(0))
    )
    if exact:
        # The participants' denominator collects the amount exactly when their profit covers it.
        assert result.uncovered == 0
        _exact_collections.append(True)


def test_exact_collection_case_occurred() -> None:
    test_charges_within_caps_and_books_balance()
    assert _exact_collections


@given(params(), amounts.map(abs), books(), st.sampled_from((F(1), F(1, 100))))
def test_rounded_charges_stay_within_one_unit_of_the_exact_share(
    choice: SocializedLossParams, loss: F, book: list[SlPosition], unit: F
) -> None:
    # With no fund share both runs charge the same amount; rounding moves each charge by less
    # than one unit and never raises the total.
    plain = SocializedLossParams(choice.method, F(0), choice.threshold, choice.denominator)
    exact = compute_socialized_loss(plain, loss, F(0), book)
    rounded = compute_socialized_loss(plain, loss, F(0), book, unit)
    for account in set(exact.charges) | set(rounded.charges):
        difference = rounded.charges.get(account, F(0)) - exact.charges.get(account, F(0))
        assert abs(difference) < unit
    assert rounded.get_total_charged() <= exact.get_total_charged()


@given(amounts.map(abs), amounts.map(abs), amounts.map(abs), books(), st.sampled_from(UNITS))
def test_haircuts_only_from_positive_pnl(
    vault: F, principal: F, insurance: F, book: list[SlPosition], unit: F | None
) -> None:
    result = compute_haircut(vault, principal, insurance, book, unit)
    assert result.haircut_ratio is not None
    assert 0 <= result.haircut_ratio <= 1
    claims = {p.id: p.profit for p in book if p.profit > 0}
    assert set(result.paid) == set(claims)
    for account, charge in result.charges.items():
        assert 0 < charge <= claims[account]  # a haircut only of a positive claim, never more
        assert charge + result.paid[account] == claims[account]
    # Percolator 3.3: the payouts together never exceed the residual backing them.
    residual = max(F(0), vault - principal - insurance)
    assert (
        sum(result.paid.values(), F(0)) <= min(residual, sum(claims.values(), F(0))) or not claims
    )
