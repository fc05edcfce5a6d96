"""Mutation-found gaps in the number parsers: the reason names the field (DESIGN, Arithmetic)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from perpspec.reference.numbers import (
    MAX_NUMBER_LENGTH,
    NumberError,
    format_number,
    is_terminating_decimal,
    parse_nonnegative,
    parse_number,
    parse_positive,
)


def test_nonnegative_reason_names_the_default_field() -> None:
    # Without a field name the reason starts with the default "value".
    with pytest.raises(NumberError, match=r"^value: must be >= 0, found -1$"):
        parse_nonnegative("-1")


def test_nonnegative_passes_the_field_to_the_parser() -> None:
    # A text that is no number fails in parse_number, which must still name the caller's field.
    with pytest.raises(NumberError, match=r"^insurance_fund: 'abc' is not an exact number"):
        parse_nonnegative("abc", "insurance_fund")


def test_positive_reason_names_the_default_field() -> None:
    with pytest.raises(NumberError, match=r"^value: must be > 0, found 0$"):
        parse_positive("0")


def test_large_power_of_five_denominator_terminates() -> None:
    # 1 / 5**30 = 2**30 / 10**30 = 1073741824 x 10**-30: a finite decimal with 30 places.
    # The factor test must stay in integers: 5**30 (about 9.3e20) is beyond a float's exact range.
    value = Fraction(1, 5**30)
    assert is_terminating_decimal(value)
    assert format_number(value) == "0." + "0" * 20 + "1073741824"


def test_number_text_of_exactly_the_maximum_length_is_accepted() -> None:
    # The bound is "at most MAX_NUMBER_LENGTH characters": 200 digits parse, 201 are refused.
    longest = "1" * MAX_NUMBER_LENGTH
    assert parse_number(longest) == Fraction(int(longest))
    with pytest.raises(NumberError, match=r"^value: number has 201 characters \(at most 200\)$"):
        parse_number(longest + "1")
