"""JSON parsed with exact numbers (DESIGN, Arithmetic: never through float)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perpspec.ledger.exact_json import ExactJSONError, contains_float, loads_exact


def test_plain_lines_keep_their_values() -> None:
    assert loads_exact('{"a":"0.1","b":[1,{"c":null}]}') == {"a": "0.1", "b": [1, {"c": None}]}


def test_fraction_numbers_become_decimals() -> None:
    value = loads_exact('{"a":0.1,"b":[{"c":2.50}]}')
    assert value == {"a": Decimal("0.1"), "b": [{"c": Decimal("2.50")}]}
    assert isinstance(value, dict)
    assert str(value["a"]) == "0.1"  # exactly one tenth, not 0.1000000000000000055511151231257827


def test_integers_beyond_64_bits_stay_exact() -> None:
    # 2**64 = 18446744073709551616; through a double it would still print as ...616, but
    # 2**64 + 1 would not survive.
    assert loads_exact('{"a":18446744073709551617}') == {"a": 18446744073709551617}


def test_exponents_and_constants() -> None:
    assert loads_exact('{"a":1e400}') == {"a": Decimal("1E+400")}
    value = loads_exact('{"a":NaN,"b":-Infinity}')
    assert isinstance(value, dict)
    assert value["a"].is_nan()
    assert value["b"] == Decimal("-Infinity")


def test_huge_integers_are_kept_as_decimals_for_the_length_check() -> None:
    value = loads_exact('{"a":' + "9" * 5000 + "}")
    assert isinstance(value, dict)
    assert isinstance(value["a"], Decimal)
    assert len(value["a"].as_tuple().digits) == 5000


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a":', "Expecting value (column 6)"),
        ('{"a" 1}', "Expecting ':' delimiter (column 6)"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_invalid_json(text: str, reason: str) -> None:
    with pytest.raises(ExactJSONError) as caught:
        loads_exact(text)
    assert str(caught.value) == reason


def test_contains_float() -> None:
    assert contains_float({"a": [1, {"b": 0.5}]})
    assert not contains_float({"a": [1, {"b": "0.5"}], "c": None})
    assert contains_float(0.5)
    assert not contains_float("x")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a":1e1000000000000000000000}', "a number beyond any exact range (its exponent)"),
        ('{"a":-1e-1000000000000000000000}', "a number beyond any exact range (its exponent)"),
        ('{"a":' + "[" * 400 + "]" * 400 + "}", "nested too deeply"),
        ('{"type":"withdrawal","type":"deposit"}', "the key 'type' appears twice in one object"),
        ('{"p":[{"a":1,"a":1}]}', "the key 'a' appears twice in one object"),
        ('{"seq" : 1, "seq" : 2}', "the key 'seq' appears twice in one object"),
    ],
)
def test_refused_texts(text: str, reason: str) -> None:
    with pytest.raises(ExactJSONError) as caught:
        loads_exact(text)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": 1, "b": {"c": 2}}', {"a": 1, "b": {"c": 2}}),  # spaced: no '":' at all
        ('{"a":"x\\":","b":1}', {"a": 'x":', "b": 1}),  # the pattern inside a string
        (b'{"a":[1,{"b":2}],"c":0.5}', {"a": [1, {"b": 2}], "c": Decimal("0.5")}),
    ],
)
def test_unique_keys_however_written(text: str | bytes, value: object) -> None:
    assert loads_exact(text) == value
