"""Exact parsing, formatting and quantize (DESIGN, Arithmetic)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perpspec.reference.numbers import (
    NumberError,
    Rounding,
    format_number,
    parse_nonnegative,
    parse_number,
    parse_positive,
    quantize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19500.25", Fraction(1950025, 100)),
        ("625/49313", Fraction(625, 49313)),
        ("-3", Fraction(-3)),
        ("0.000001", Fraction(1, 10**6)),
        (".5", Fraction(1, 2)),
        ("-4/6", Fraction(-2, 3)),
        (7, Fraction(7)),
    ],
)
def test_parse_number_accepts_exact_forms(text: object, expected: Fraction) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (0.1, "float"),
        ("abc", "not an exact number"),
        ("1e5", "not an exact number"),
        ("NaN", "not an exact number"),
        ("inf", "not an exact number"),
        ("", "not an exact number"),
        ("1/0", "zero denominator"),
        (True, "boolean"),
        (None, "found NoneType"),
        ("9" * 300, "characters"),
    ],
)
def test_parse_number_rejects_with_reason(value: object, fragment: str) -> None:
    with pytest.raises(NumberError, match=fragment) as caught:
        parse_number(value, "trade.qty")
    assert str(caught.value).startswith("trade.qty: ")
    assert "\n" not in str(caught.value)


def test_parse_positive_and_nonnegative_bounds() -> None:
    assert parse_nonnegative("0") == 0
    with pytest.raises(NumberError, match="must be > 0"):
        parse_positive("0", "qty")
    with pytest.raises(NumberError, match="must be >= 0"):
        parse_nonnegative("-1/2", "rate")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 3), "1/3"),
        (Fraction(39001, 2), "19500.5"),
        (Fraction(-3), "-3"),
        (Fraction(-1, 8), "-0.125"),
        (Fraction(0), "0"),
        (Fraction(1980000, 199), "1980000/199"),
    ],
)
def test_format_number(value: Fraction, text: str) -> None:
    assert format_number(value) == text


@given(st.fractions(max_denominator=10**6))
def test_format_then_parse_round_trips(value: Fraction) -> None:
    assert parse_number(format_number(value)) == value


@pytest.mark.parametrize(
    ("value", "step", "direction", "expected"),
    [
        # 10001 between 10000 and 10005: up 10005, down 10000.
        (Fraction(10001), Fraction(5), Rounding.UP, Fraction(10005)),
        (Fraction(10001), Fraction(5), Rounding.DOWN, Fraction(10000)),
        # negative values: up is toward +infinity.
        (Fraction(-7), Fraction(5), Rounding.UP, Fraction(-5)),
        (Fraction(-7), Fraction(5), Rounding.DOWN, Fraction(-10)),
        # an exact multiple never moves.
        (Fraction(10), Fraction(5), Rounding.UP, Fraction(10)),
        # 1980000/199 = 9949.748...; tick 0.5 -> up 9950, down 9949.5.
        (Fraction(1980000, 199), Fraction(1, 2), Rounding.UP, Fraction(9950)),
        (Fraction(1980000, 199), Fraction(1, 2), Rounding.DOWN, Fraction(19899, 2)),
    ],
)
def test_quantize_examples(
    value: Fraction, step: Fraction, direction: Rounding, expected: Fraction
) -> None:
    assert quantize(value, step, direction) == expected


@given(
    st.fractions(max_denominator=10**4),
    st.fractions(min_value=Fraction(1, 10**4), max_value=100, max_denominator=10**4),
)
def test_quantize_brackets_value_within_one_step(value: Fraction, step: Fraction) -> None:
    up = quantize(value, step, Rounding.UP)
    down = quantize(value, step, Rounding.DOWN)
    assert (up / step).denominator == 1 and (down / step).denominator == 1
    assert down <= value <= up
    assert up - down in (0, step)
    assert (up == down) == ((value / step).denominator == 1)


def test_quantize_rejects_nonpositive_step() -> None:
    with pytest.raises(NumberError, match="step"):
        quantize(Fraction(1), Fraction(0), Rounding.UP)


@pytest.mark.parametrize("text", ["８００", "٤٠٠", "\u00a01", "1\u3000", "１/２", "1/２"])
def test_only_ascii_digits_and_blanks(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text, "amount")


def test_ascii_blanks_around_a_number_are_padding() -> None:
    assert parse_number(" 12.5\t", "amount") == Fraction(25, 2)
