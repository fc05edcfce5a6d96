"""One ledger event to and from its JSON form (DESIGN, Ledger: binding names; Arithmetic).

The JSON form of an event is an object with ``seq``, ``ts`` and ``type`` first, then the
type's fields in DESIGN's order. Numbers are written as exact strings (``format_number``:
``"19500.25"`` or ``"625/49313"``), integers (``seq``, ``rank``, ``input``) as JSON integers,
null as null, nested records as lists of objects.

Decoding checks one record on its own (ordering across records is the stream's concern):

- ``type`` is a known event type; every field of the type is present;
- ``seq`` is a JSON integer >= 0 (a string of digits is refused), at most ``MAX_INTEGER``;
- ``ts`` is ISO 8601 in UTC: ``YYYY-MM-DDTHH:MM:SS[.fraction]`` ending in ``Z`` or
  ``+00:00``, a real calendar instant (checked with ``datetime.fromisoformat``);
- numbers are exact: a decimal or ``p/q`` string, a JSON integer, or a JSON number parsed
  exactly as a Decimal by the readers (:mod:`.exact_json`); floats, NaN, Infinity and numbers
  longer than ``MAX_NUMBER_LENGTH`` characters written out are refused; ranges as
  :mod:`.fields` says;
- strings are non-empty; ``side``, ``margin_mode`` and ``kind`` are one of their words; the
  nullable fields (``liquidation_price``, ``bankruptcy_price``, ``insurance.liquidation``, a
  tier's ``max_leverage``) accept null.

Fields a type does not have (DESIGN: more fields may be added) do not reach the typed record;
they must still be valid JSON values (no NaN), and a reader given an
:class:`~perpspec.ledger.unread.UnreadFields` notes each one there
(:func:`find_unread_keys`), so the audit reports them instead of passing over them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import orjson

from perpspec.ledger.errors import FieldError, LedgerError
from perpspec.ledger.fields import (
    BASE_FIELDS,
    MAX_INTEGER,
    FieldKind,
    FieldSpec,
    get_field_specs,
    get_payment_specs,
    get_quote_specs,
    get_tier_specs,
)
from perpspec.ledger.unread import UnreadFields
from perpspec.reference.errors import SpecError
from perpspec.reference.events import EVENT_TYPES, Event, FundingPayment, IndexQuote, TierSpec
from perpspec.reference.numbers import MAX_NUMBER_LENGTH, NumberError, format_number, parse_number

__all__ = [
    "decode_event",
    "decode_fields",
    "decode_record",
    "encode_event",
    "find_unread_keys",
    "is_utc_timestamp",
]

#: Distinct number texts kept parsed (a few hundred kilobytes at most).
NUMBER_CACHE_SIZE = 4096

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)", re.ASCII)
_KNOWN_TYPES = ", ".join(EVENT_TYPES)


# ---------------------------------------------------------------------------------------------
# Encoding


def _encode_tier(tier: TierSpec) -> dict[str, object]:
    return {spec.name: _encode_value(getattr(tier, spec.name)) for spec in get_tier_specs()}


def _encode_payment(payment: FundingPayment) -> dict[str, object]:
    return {spec.name: _encode_value(getattr(payment, spec.name)) for spec in get_payment_specs()}


def _encode_quote(quote: IndexQuote) -> dict[str, object]:
    return {spec.name: _encode_value(getattr(quote, spec.name)) for spec in get_quote_specs()}


def _encode_value(value: object) -> object:
    if isinstance(value, Fraction):
        return format_number(value)
    if isinstance(value, tuple):
        return [_encode_item(item) for item in value]
    return value


def _encode_item(item: object) -> object:
    if isinstance(item, TierSpec):
        return _encode_tier(item)
    if isinstance(item, FundingPayment):
        return _encode_payment(item)
    if isinstance(item, IndexQuote):
        return _encode_quote(item)
    return item


def encode_event(event: Event) -> dict[str, object]:
    """The JSON form of ``event``: ``seq``, ``ts``, ``type``, then its fields in order.

    Numbers become exact strings (``format_number``), so decoding gives the same event back.
    """
    if EVENT_TYPES.get(event.TYPE) is not type(event):
        raise SpecError(f"type: {type(event).__name__} is not a ledger event type")
    encoded: dict[str, object] = {"seq": event.seq, "ts": event.ts, "type": event.TYPE}
    for spec in get_field_specs(event.TYPE):
        encoded[spec.name] = _encode_value(getattr(event, spec.name))
    return encoded


# ---------------------------------------------------------------------------------------------
# Decoding: values


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int) and value.bit_length() > 256:
        return f"a number of {_get_integer_digits(value)} digits"
    if isinstance(value, int | Decimal | float):
        text = str(value)
        return f"number {text if len(text) <= 40 else text[:37] + '...'}"
    if isinstance(value, str):
        return f"string {_quote(value)}"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _quote(text: str) -> str:
    clipped = text if len(text) <= 40 else text[:37] + "..."
    return orjson.dumps(clipped).decode() if _is_encodable(clipped) else repr(clipped)


def _get_integer_digits(value: int) -> int:
    """Decimal digits of ``value``, without printing a possibly huge integer."""
    magnitude = abs(value)
    if magnitude.bit_length() <= 256:
        return len(str(magnitude))
    # 2**(b-1) <= magnitude < 2**b and log10(2) < 30103/100000, so for b below 2*10**7 bits
    # the estimate is exact or one too many; beyond, the message may overstate by one.
    digits = magnitude.bit_length() * 30103 // 100000 + 1
    return digits - 1 if magnitude < 10 ** (digits - 1) else digits


def _get_plain_length(value: Decimal) -> int:
    """Characters of ``value`` written without an exponent (``1E+3`` -> ``1000``: 4)."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller
    count = len(digits)
    if exponent >= 0:
        length = count + exponent
    elif -exponent >= count:
        length = 2 - exponent  # "0." then the fraction digits
    else:
        length = count + 1
    return length + sign


def _check_length(length: int, path: str) -> None:
    if length > MAX_NUMBER_LENGTH:
        raise FieldError(path, f"number has {length} characters (at most {MAX_NUMBER_LENGTH})")


@functools.lru_cache(maxsize=NUMBER_CACHE_SIZE)
def _parse_number_text(text: str) -> Fraction | None:
    """``parse_number(text)``, or None when it refuses the text.

    Ledgers repeat the same prices, sizes and fees line after line, and a Fraction is
    immutable, so a bounded cache saves most of the parsing time (DESIGN, Arithmetic, measures
    ``Fraction(field)`` as the dominant cost).
    """
    try:
        return parse_number(text)
    except NumberError:
        return None


def _to_fraction(value: object, path: str) -> Fraction:
    """An exact number from a JSON value (module docstring: numbers are exact)."""
    if type(value) is str:
        # Only short texts are cached, so the cache stays small whatever the input.
        number = _parse_number_text(value) if len(value) <= MAX_NUMBER_LENGTH else None
        if number is not None:
            return number
        try:
            return parse_number(value, path)
        except NumberError as error:
            raise FieldError(path, str(error).removeprefix(f"{path}: ")) from None
    if isinstance(value, bool):
        raise FieldError(path, f"expected a number, found {_describe(value)}")
    if isinstance(value, int):
        _check_length(_get_integer_digits(value) + (value < 0), path)
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FieldError(path, f"{value} is not a number (write an exact decimal string)")
        _check_length(_get_plain_length(value), path)
        return Fraction(value)
    if isinstance(value, float):
        raise FieldError(path, f"found the float {value!r}; write numbers as strings")
    raise FieldError(path, f'expected a number such as "12.5", found {_describe(value)}')


def _decode_number(spec: FieldSpec, value: object, path: str) -> Fraction:
    return _to_fraction(value, path)


def _decode_positive(spec: FieldSpec, value: object, path: str) -> Fraction:
    number = _to_fraction(value, path)
    # A Fraction's denominator is positive: its sign is its numerator's (cheaper than <=).
    if number.numerator <= 0:
        raise FieldError(path, f"must be > 0, found {format_number(number)}")
    return number


def _decode_nonnegative(spec: FieldSpec, value: object, path: str) -> Fraction:
    number = _to_fraction(value, path)
    if number.numerator < 0:
        raise FieldError(path, f"must be >= 0, found {format_number(number)}")
    return number


def _is_encodable(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decode_text(spec: FieldSpec, value: object, path: str) -> str:
    if type(value) is str and value and value.isascii():
        return value
    if not isinstance(value, str):
        raise FieldError(path, f"expected a string, found {_describe(value)}")
    if not value:
        raise FieldError(path, "must not be empty")
    if not _is_encodable(value):
        raise FieldError(path, "not valid Unicode text (a lone surrogate)")
    return value


def _decode_choice(spec: FieldSpec, value: object, path: str) -> str:
    if value not in spec.choices:
        words = "|".join(spec.choices)
        raise FieldError(path, f"expected {words}, found {_describe(value)}")
    return str(value)


def _decode_integer(spec: FieldSpec, value: object, path: str) -> int:
    if type(value) is int and spec.minimum <= value <= MAX_INTEGER:
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise FieldError(path, f"expected an integer, found {_describe(value)}")
    if isinstance(value, Decimal):
        # A Decimal is a JSON number written with a point or an exponent (40.0, 41e0), or an
        # integer too long to be one (_parse_int): only the latter is out of range.
        if value.is_finite() and value.as_tuple().exponent == 0 and abs(value) > MAX_INTEGER:
            raise FieldError(path, f"integer out of range (at most {MAX_INTEGER})")
        raise FieldError(
            path, f"expected an integer without a point or exponent, found {_describe(value)}"
        )
    if value < spec.minimum:
        raise FieldError(path, f"must be >= {spec.minimum}, found {value}")
    if value > MAX_INTEGER:
        raise FieldError(path, f"integer out of range (at most {MAX_INTEGER})")
    return value


def _decode_list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise FieldError(path, f"expected an array, found {_describe(value)}")
    return value


def _decode_object(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise FieldError(path, f"expected an object, found {_describe(value)}")
    return value


Decoder = Callable[[FieldSpec, object, str], object]
#: One field's decoding: its name, whether null is allowed, its decoder, its spec.
Step = tuple[str, bool, Decoder, FieldSpec]


def _decode_fields(
    raw: Mapping[str, object], plan: Sequence[Step], path: str, base: int = 0
) -> dict[str, object]:
    """The decoded values of the fields of ``plan`` in ``raw``; ``base`` counts the keys
    already checked."""
    values: dict[str, object] = {}
    for name, nullable, decoder, spec in plan:
        field_path = f"{path}.{name}" if path else name
        if name not in raw:
            raise FieldError(field_path, "missing")
        value = raw[name]
        if value is None:
            if not nullable:
                raise FieldError(field_path, "missing (null or empty)")
            values[name] = None
        else:
            values[name] = decoder(spec, value, field_path)
    # Every field is required, so extra keys exist exactly when raw is larger.
    if len(raw) > len(values) + base:
        _check_extras(raw, values, path)
    return values


def _decode_items(value: object, plan: Sequence[Step], path: str) -> list[dict[str, object]]:
    items = _decode_list(value, path)
    return [
        _decode_fields(_decode_object(item, f"{path}[{i}]"), plan, f"{path}[{i}]")
        for i, item in enumerate(items)
    ]


def _decode_tiers(spec: FieldSpec, value: object, path: str) -> tuple[TierSpec, ...]:
    items = _decode_items(value, _TIER_PLAN, path)
    return tuple(TierSpec(**item) for item in items)  # type: ignore[arg-type]  # decoded per annotation


def _decode_payments(spec: FieldSpec, value: object, path: str) -> tuple[FundingPayment, ...]:
    items = _decode_items(value, _PAYMENT_PLAN, path)
    return tuple(FundingPayment(**i) for i in items)  # type: ignore[arg-type]  # decoded per annotation


def _decode_quotes(spec: FieldSpec, value: object, path: str) -> tuple[IndexQuote, ...]:
    items = _decode_items(value, _QUOTE_PLAN, path)
    return tuple(IndexQuote(**i) for i in items)  # type: ignore[arg-type]  # decoded per annotation


def _decode_text_list(spec: FieldSpec, value: object, path: str) -> tuple[str, ...]:
    items = _decode_list(value, path)
    return tuple(_decode_text(spec, item, f"{path}[{i}]") for i, item in enumerate(items))


_DECODERS: dict[FieldKind, Decoder] = {
    FieldKind.TEXT: _decode_text,
    FieldKind.CHOICE: _decode_choice,
    FieldKind.INTEGER: _decode_integer,
    FieldKind.NUMBER: _decode_number,
    FieldKind.POSITIVE: _decode_positive,
    FieldKind.NONNEGATIVE: _decode_nonnegative,
    FieldKind.TIERS: _decode_tiers,
    FieldKind.PAYMENTS: _decode_payments,
    FieldKind.QUOTES: _decode_quotes,
    FieldKind.TEXT_LIST: _decode_text_list,
}


def _make_plan(specs: Sequence[FieldSpec]) -> tuple[Step, ...]:
    return tuple((spec.name, spec.nullable, _DECODERS[spec.kind], spec) for spec in specs)


# Resolved once: the decoding loop runs for every field of every line.
_EVENT_PLANS = {name: _make_plan(get_field_specs(name)) for name in EVENT_TYPES}
_TIER_PLAN = _make_plan(get_tier_specs())
_PAYMENT_PLAN = _make_plan(get_payment_specs())
_QUOTE_PLAN = _make_plan(get_quote_specs())


def _reject_nonfinite(value: object, path: str) -> None:
    if isinstance(value, Decimal | float) and not Decimal(value).is_finite():
        raise FieldError(path, f"{value} is not a JSON number")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nonfinite(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nonfinite(item, f"{path}[{index}]")


def _check_extras(raw: Mapping[str, object], known: Mapping[str, object], path: str) -> None:
    """Fields the type does not have are ignored, but must be valid JSON (module docstring)."""
    for key, value in raw.items():
        if key not in known and (path or key not in BASE_FIELDS):
            _reject_nonfinite(value, f"{path}.{key}" if path else key)


# ---------------------------------------------------------------------------------------------
# Decoding: the event


def is_utc_timestamp(text: str) -> bool:
    """True for ``YYYY-MM-DDTHH:MM:SS[.fraction]`` ending in ``Z`` or ``+00:00`` that names a
    real instant (DESIGN, Ledger: ``ts`` is ISO 8601 UTC)."""
    if not _TIMESTAMP.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _decode_type(raw: Mapping[str, object]) -> type[Event]:
    name = raw.get("type")
    if name is None:
        raise FieldError("type", "missing")
    if not isinstance(name, str):
        raise FieldError("type", f"expected a string, found {_describe(name)}")
    event_class = EVENT_TYPES.get(name)
    if event_class is None:
        raise FieldError("type", f"unknown event type {_quote(name)} (known: {_KNOWN_TYPES})")
    return event_class


def _decode_seq(raw: Mapping[str, object]) -> int:
    value = raw.get("seq")
    if value is None:
        raise FieldError("seq", "missing")
    return _decode_integer(_SEQ_SPEC, value, "seq")


def _decode_ts(raw: Mapping[str, object]) -> str:
    value = raw.get("ts")
    if value is None:
        raise FieldError("ts", "missing")
    if not isinstance(value, str):
        raise FieldError("ts", f"expected an ISO 8601 UTC time string, found {_describe(value)}")
    if not is_utc_timestamp(value):
        raise FieldError(
            "ts",
            f"{_quote(value)} is not an ISO 8601 UTC time "
            '(write "YYYY-MM-DDTHH:MM:SS[.fff]Z" or "...+00:00")',
        )
    return value


_SEQ_SPEC = FieldSpec("seq", FieldKind.INTEGER)


def decode_fields(raw: Mapping[str, object]) -> Event:
    """The typed event of one JSON-form record; raises :class:`FieldError` naming the field.

    Checks (module docstring) run in order ``type``, ``seq``, ``ts``, then the type's fields;
    the first failure is reported.
    """
    event_class = _decode_type(raw)
    seq = _decode_seq(raw)
    ts = _decode_ts(raw)
    values = _decode_fields(raw, _EVENT_PLANS[event_class.TYPE], "", base=len(BASE_FIELDS))
    return event_class(seq=seq, ts=ts, **values)


_KNOWN_KEYS: dict[str, frozenset[str]] = {
    name: frozenset(BASE_FIELDS) | {spec.name for spec in get_field_specs(name)}
    for name in EVENT_TYPES
}
_NESTED_SPECS = (
    (FieldKind.TIERS, get_tier_specs()),
    (FieldKind.PAYMENTS, get_payment_specs()),
    (FieldKind.QUOTES, get_quote_specs()),
)
_NESTED: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {
    name: tuple(
        (spec.name, frozenset(s.name for s in nested))
        for spec in get_field_specs(name)
        for kind, nested in _NESTED_SPECS
        if spec.kind is kind
    )
    for name in EVENT_TYPES
}


def find_unread_keys(raw: Mapping[str, object]) -> list[str]:
    """The keys of a decoded record that its type does not have, as ``type.key`` (a key of a
    tier or a payment as ``type.field[].key``), in the record's order (module docstring)."""
    name = str(raw["type"])
    known = _KNOWN_KEYS[name]
    # Every known key is required, so the record has others exactly when it is larger.
    found = [f"{name}.{key}" for key in raw if key not in known] if len(raw) > len(known) else []
    for field, nested in _NESTED[name]:
        items = raw.get(field)
        if isinstance(items, list):
            extra = {k for item in items if isinstance(item, dict) for k in item if k not in nested}
            found.extend(f"{name}.{field}[].{key}" for key in sorted(extra))
    return found


def _note_unread(raw: Mapping[str, object], where: str, line: int, unread: UnreadFields) -> None:
    for key in find_unread_keys(raw):
        unread.note(key, where, line)


def _render(raw: object) -> str:
    try:
        return orjson.dumps(raw, default=str).decode()
    except TypeError:  # an integer beyond 64 bits, or a value JSON cannot hold
        pass
    try:
        return repr(raw)
    except ValueError:  # an integer too long to print
        return "(record not shown: it holds an integer too long to print)"


def decode_event(
    raw: Mapping[str, object],
    where: str,
    *,
    line: int = 0,
    record: str | None = None,
    unread: UnreadFields | None = None,
) -> Event:
    """The typed event of one JSON-form record, or a :class:`LedgerError` at ``where``.

    ``where`` names the source (a file, ``<stdin>``, ``input.events[3]``); ``line`` is its
    1-based line or row (0: not known); ``record`` the record's text as read (by default the
    record rendered as JSON); ``unread``, when given, is told every key the type does not have.
    """
    try:
        event = decode_fields(raw)
    except FieldError as error:
        text = _render(raw) if record is None else record
        raise LedgerError(where, line, error.field, error.reason, text) from None
    if unread is not None:
        _note_unread(raw, where, line, unread)
    return event


def decode_record(
    value: object,
    where: str,
    *,
    line: int = 0,
    record: str | None = None,
    unread: UnreadFields | None = None,
) -> Event:
    """Like :func:`decode_event` for any parsed JSON value: a non-object is a ``record`` error."""
    if not isinstance(value, dict):
        text = _render(value) if record is None else record
        raise LedgerError(
            where, line, "record", f"expected a JSON object, found {_describe(value)}", text
        )
    return decode_event(value, where, line=line, record=record, unread=unread)
