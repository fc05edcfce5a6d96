"""Parsing one JSON text with every number kept exact.

Rule (DESIGN, Arithmetic): JSON numbers are accepted only when parsed exactly, never through
float. orjson is the fast path (DESIGN measures it at about 0.8 s for a 1M-line ledger) but it
turns ``0.1``, exponents and integers beyond 64 bits into floats, and refuses ``1e400``. So a
text whose orjson parse holds any float, or that orjson refuses, is parsed again by the
standard library with ``decimal.Decimal`` for every such number: ``Decimal("0.1")`` is exactly
one tenth. ``NaN`` and ``Infinity`` (which the standard library accepts) come back as the
non-finite Decimals, so the codec can reject them naming their field. An object with a
repeated key is refused (by the standard library's parse pair by pair, and on orjson's fast
path by :func:`check_unique_keys`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

import orjson

from perpspec.reference.numbers import MAX_NUMBER_LENGTH

__all__ = ["ExactJSONError", "check_unique_keys", "contains_float", "loads_exact"]


class ExactJSONError(ValueError):
    """A text that is not JSON; ``str()`` says where, in one line."""


def contains_float(value: object) -> bool:
    """True when a parsed JSON value holds a float anywhere (an inexact number)."""
    items: Iterable[object]
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return isinstance(value, float)
    # One pass in C over the item types: this runs on every line.
    kinds = set(map(type, items))
    if float in kinds:
        return True
    if dict in kinds or list in kinds:
        return any(contains_float(item) for item in items if isinstance(item, dict | list))
    return False


def _parse_int(text: str) -> int | Decimal:
    # Longer than any accepted number: keep it as a Decimal (linear cost) for the codec to
    # reject by length, instead of building a bignum or hitting int's digit limit.
    if len(text) > MAX_NUMBER_LENGTH + 1:
        return Decimal(text)
    return int(text)


def _refuse_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise ExactJSONError(f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def _loads_decimal(text: str | bytes) -> object:
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=_parse_int,
            parse_constant=Decimal,
            object_pairs_hook=_refuse_repeats,
        )
    except ExactJSONError:
        raise
    except json.JSONDecodeError as error:
        raise ExactJSONError(f"{error.msg} (column {error.colno})") from None
    except RecursionError:
        raise ExactJSONError("nested too deeply") from None
    except (ValueError, TypeError) as error:
        raise ExactJSONError(str(error)) from None
    except ArithmeticError:
        # decimal.InvalidOperation: an exponent beyond what Decimal can hold (1e10**22).
        raise ExactJSONError("a number beyond any exact range (its exponent)") from None


def _count_keys(value: object) -> int:
    """The keys of every object in a parsed JSON value."""
    if isinstance(value, dict):
        nested = (v for v in value.values() if isinstance(v, dict | list))
        return len(value) + sum(map(_count_keys, nested))
    if isinstance(value, list):
        return sum(_count_keys(v) for v in value if isinstance(v, dict | list))
    return 0


def check_unique_keys(text: str | bytes, value: object) -> None:
    """Refuse an object with a repeated key (ExactJSONError).

    JSON parsers keep the last value of a repeated key, others the first or refuse it: a
    record whose meaning depends on the parser is ambiguous evidence. Every key is written
    ``"key":`` in a compact line, so when that pattern occurs as often as the parsed value has
    keys there is no repeat; otherwise (a repeat, spaced JSON, the pattern inside a string)
    the text is parsed again, pair by pair.
    """
    marked = text.count(b'":') if isinstance(text, bytes) else text.count('":')
    if marked == _count_keys(value):
        return
    _loads_decimal(text)


def loads_exact(text: str | bytes) -> object:
    """Parse ``text`` as JSON with exact numbers: ints stay ints, other numbers are Decimals.

    Raises :class:`ExactJSONError` when the text is not JSON.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _loads_decimal(text)
    try:
        exact = not contains_float(value)
    except RecursionError:
        raise ExactJSONError("nested too deeply") from None
    if not exact:
        return _loads_decimal(text)
    check_unique_keys(text, value)
    return value
