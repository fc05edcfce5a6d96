"""Exact numbers: parsing, formatting and explicit rounding.

Rule (DESIGN, Arithmetic): no float where money, prices or quantities flow. Every number
that enters the reference is a decimal string (``"19500.25"``) or an exact rational
(``"625/49313"``), or a JSON integer, and becomes a :class:`fractions.Fraction`. Every place
where an exchange rounds calls :func:`quantize` with an explicit :class:`Rounding`.
"""

from __future__ import annotations

import re
from enum import Enum
from fractions import Fraction

from perpspec.reference.errors import SpecError
from perpspec.reference.kernels import ceil_div, floor_div

__all__ = [
    "MAX_NUMBER_LENGTH",
    "NumberError",
    "Rounding",
    "compose_decimal",
    "format_number",
    "is_terminating_decimal",
    "parse_nonnegative",
    "parse_number",
    "parse_positive",
    "quantize",
]

#: Longest accepted number text. Exact rational amounts (a socialized charge split pro rata)
#: run to tens of digits; the bound keeps a hostile input ("1" followed by a million zeros)
#: from turning one field into a slow bignum.
MAX_NUMBER_LENGTH = 200

# ASCII digits only: Python's \d also matches fullwidth and other scripts' digits, which the
# published schema (JSON Schema's \d is [0-9]) and every other tool reading the ledger refuse.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)", re.ASCII)


class NumberError(SpecError):
    """A value that is not an exact number, or not one the field allows."""


class Rounding(Enum):
    """Direction of an explicit rounding.

    ``UP`` rounds toward plus infinity (ceiling), ``DOWN`` toward minus infinity (floor).
    The direction, never "nearest", is what the spec states at each rounding site.
    """

    UP = "up"
    DOWN = "down"


def compose_decimal(whole: str, fraction: str, exponent: int = 0) -> Fraction:
    """The exact value of the decimal ``whole.fraction`` times ``10**exponent`` (``whole``
    with its sign; either part may be empty, not both): the digits as one integer over a power
    of ten. What ``Fraction(text)`` computes, without its general parser: this runs on every
    number a ledger reader or an import adapter decodes."""
    digits = int(whole + fraction)
    scale = len(fraction) - exponent
    if scale <= 0:
        return Fraction(digits * 10**-scale)
    return Fraction(digits, 10**scale)


def parse_number(value: object, field: str = "value") -> Fraction:
    """Parse an exact number: a decimal or ``p/q`` string, or a JSON integer.

    Floats are refused even when they look harmless: ``0.1`` as a float is not one tenth, and
    accepting it would let inexact values into exact books. Exponents, ``NaN``, ``inf``,
    empty strings and zero denominators are refused with a reason naming ``field``.

    Implements rule `num.exact`.
    """
    if isinstance(value, bool):
        raise NumberError(f"{field}: expected a number, found boolean {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        raise NumberError(
            f"{field}: found the float {value!r}; write numbers as strings "
            f'("{value!r}") so they stay exact'
        )
    if not isinstance(value, str):
        raise NumberError(f"{field}: expected a number as a string, found {type(value).__name__}")
    # ASCII blanks only: a no-break or ideographic space is not padding another tool ignores.
    text = value.strip(" \t")
    if len(text) > MAX_NUMBER_LENGTH:
        raise NumberError(
            f"{field}: number has {len(text)} characters (at most {MAX_NUMBER_LENGTH})"
        )
    if _DECIMAL.fullmatch(text):
        whole, _, fraction = text.partition(".")
        return compose_decimal(whole, fraction)
    rational = _RATIONAL.fullmatch(text)
    if rational:
        denominator = int(rational.group(2))
        if denominator == 0:
            raise NumberError(f"{field}: {value!r} has a zero denominator")
        return Fraction(int(rational.group(1)), denominator)
    raise NumberError(f'{field}: {value!r} is not an exact number (use "123.45" or "p/q")')


def parse_positive(value: object, field: str = "value") -> Fraction:
    """Parse an exact number that must be greater than zero (quantities, prices, sizes)."""
    number = parse_number(value, field)
    if number <= 0:
        raise NumberError(f"{field}: must be > 0, found {format_number(number)}")
    return number


def parse_nonnegative(value: object, field: str = "value") -> Fraction:
    """Parse an exact number that must be zero or more (rates, balances of funds)."""
    number = parse_number(value, field)
    if number < 0:
        raise NumberError(f"{field}: must be >= 0, found {format_number(number)}")
    return number


def _split_factor(number: int, prime: int) -> tuple[int, int]:
    """How many times ``prime`` divides ``number`` (> 0), and the cofactor left.

    The loop is bounded by ``number.bit_length()``: each division at least halves the
    number, so no more divisions than its binary digits are possible.
    """
    count = 0
    for _ in range(number.bit_length()):
        if number % prime:
            break
        number //= prime
        count += 1
    return count, number


def is_terminating_decimal(value: Fraction) -> bool:
    """True when ``value`` has a finite decimal expansion (denominator of 2s and 5s only)."""
    _, rest = _split_factor(value.denominator, 2)
    _, rest = _split_factor(rest, 5)
    return rest == 1


#: The powers of five a decimal's denominator has in practice (its 2s are counted from its
#: binary digits): a lookup instead of a division loop per formatted number.
_FIVES: dict[int, int] = {5**power: power for power in range(64)}


def format_number(value: Fraction) -> str:
    """Format exactly: a plain decimal when one exists, else ``"p/q"``.

    The decimal form has no exponent and no trailing zeros (``"19500.25"``, ``"-3"``), so
    formatting then parsing returns the same Fraction. Integer arithmetic only: this runs on
    every number a ledger writer encodes.

    Implements rule `num.exact`.
    """
    numerator, denominator = value.numerator, value.denominator
    if denominator == 1:
        return str(numerator)
    # The 2s of the denominator are its trailing zero bits; the rest must be a power of 5.
    twos = (denominator & -denominator).bit_length() - 1
    rest = denominator >> twos
    fives = _FIVES.get(rest)
    if fives is None:
        fives, rest = _split_factor(rest, 5)
        if rest != 1:
            return f"{numerator}/{denominator}"
    # The denominator is 2^a 5^b, so 10^max(a, b) is the least power of ten it divides.
    digits = max(twos, fives)
    scaled = abs(numerator) * (10**digits // denominator)
    whole, frac = divmod(scaled, 10**digits)
    sign = "-" if numerator < 0 else ""
    return f"{sign}{whole}.{frac:0{digits}d}".rstrip("0")


def quantize(value: Fraction, step: Fraction, direction: Rounding) -> Fraction:
    """Round ``value`` to a whole multiple of ``step`` in the stated direction.

    This is the only rounding primitive of the reference. ``UP`` returns the least multiple
    of ``step`` that is >= ``value``; ``DOWN`` the greatest that is <= ``value``.

    Implements rule `round.quantize`.
    """
    if step <= 0:
        raise NumberError(f"step: must be > 0, found {format_number(step)}")
    steps = value / step
    if direction is Rounding.UP:
        return ceil_div(steps.numerator, steps.denominator) * step
    return floor_div(steps.numerator, steps.denominator) * step
