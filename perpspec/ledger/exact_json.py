"""Parsing one JSON text with every number kept exact.

Rule (DESIGN, Arithmetic): JSON numbers are accepted only when parsed exactly, never through
float. orjson is the fast path (DESIGN measures it at about 0.8 s for a 1M-line ledger) but it
turns ``0.1``, exponents and integers beyond 64 bits into floats, and refuses ``1e400``. So a
text whose orjson parse holds any float, or that orjson refuses, is parsed again by the
standard library with ``decimal.Decimal`` for every such number: ``Decimal("0.1")`` is exactly
one tenth. ``NaN`` and ``Infinity`` (which the standard library accepts) come back as the
non-finite Decimals, so the codec can reject them naming their field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

import orjson

from perpspec.reference.numbers import MAX_NUMBER_LENGTH

__all__ = ["ExactJSONError", "contains_float", "loads_exact"]


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


def _loads_decimal(text: str | bytes) -> object:
    try:
        return json.loads(text, parse_float=Decimal, parse_int=_parse_int, parse_constant=Decimal)
    except json.JSONDecodeError as error:
        raise ExactJSONError(f"{error.msg} (column {error.colno})") from None
    except RecursionError:
        raise ExactJSONError("nested too deeply") from None
    except (ValueError, TypeError) as error:
        raise ExactJSONError(str(error)) from None


def loads_exact(text: str | bytes) -> object:
    """Parse ``text`` as JSON with exact numbers: ints stay ints, other numbers are Decimals.

    Raises :class:`ExactJSONError` when the text is not JSON.
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _loads_decimal(text)
    if contains_float(value):
        return _loads_decimal(text)
    return value
